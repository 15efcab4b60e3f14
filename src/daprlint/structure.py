"""The structure of a Dapr resource as each deployment mode judges it.

Three rules share this module: DPR001 (Components) and DPR010 (the other
kinds) report what breaks the CRD schema, DPR011 what the CRD does not
define. DPR008's known misplacements are listed here too (`misplaced`), so
that no field gets a finding from DPR008 and another one from these rules.

**Modes** (the `mode` option; docs/versions.md "CRD modes"): `kubernetes`
(the default) validates with `rules/generated/crds/<kind>-<v>.kubernetes
.schema.json`, what the API server rejects; `self-hosted` with the
`.self-hosted.schema.json` variant, what daprd's own loader rejects. A
constraint only the API server enforces (`modes.json` "relaxed": a missing
`spec.version`, `spec.metadata: null`, an empty `metadata.name`, ...) is not
reported in self-hosted mode.

**One walk**: in Kubernetes mode `schema_findings` asks the generated
validator for validity and for "no unknown key" at once (schema.NodeValidator
.fast_check); a resource it clears is not walked again for DPR011.

**Unknown fields** (`unknown_fields`): an object schema with `properties`
and no `additionalProperties` is closed; any other key there is unknown. A
free map (`additionalProperties` is a schema) and a value the CRD marks
`x-kubernetes-preserve-unknown-fields` (generated as a schema with no
`properties`, e.g. a metadata item's `value`) are open. `metadata` allows
the Kubernetes ObjectMeta fields (`rules/data/kubernetes-objectmeta.json`).
Field names match case-sensitively on Kubernetes (the API server's pruning
and strict field validation) and in a self-hosted Configuration, which daprd
decodes with gopkg.in/yaml.v3 (dapr/dapr v1.18.3 `pkg/config/configuration.go`
`LoadStandaloneConfiguration`); the other kinds, self-hosted, go through
sigs.k8s.io/yaml into encoding/json, which also accepts a key that differs
only in case (DAPR-FACTS A.3), so `Scopes:` is unknown only in Kubernetes mode.

**Not judged**: a value that is a template or placeholder (`{{ ... }}`,
`${VAR}`, a whole `$VAR`, `<REGION>`, `[aws_region]`, `***`), and a
required field or an ObjectMeta name rule in a mapping with a templated
key (the template may supply it). Go templates are judged by their text, so
`{{ .Values.x }}` is skipped whether the loader made it a string or a flow
mapping.
"""
from __future__ import annotations

import re

TYPE_CHECKING = False  # typing costs ~3 ms at start-up: annotations only
if TYPE_CHECKING:
    from typing import Iterator

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .model import NULL_TAG, is_templated

KUBERNETES = "kubernetes"
SELF_HOSTED = "self-hosted"
MODES_FILE = "generated/crds/modes.json"
INDEX_FILE = "generated/crds/index.json"
OBJECT_META_FILE = "data/kubernetes-objectmeta.json"
HINTS_FILE = "data/unknown-field-hints.json"
# self-hosted daprd decodes these kinds with gopkg.in/yaml.v3: field names match exactly
CASE_SENSITIVE_SELF_HOSTED = frozenset({"Configuration"})

# compiled on first use (about 1 ms at start-up otherwise)
_PATTERNS = {
    "whole": (r"^\s*(<[^>]*>|\[[^\]]*\]|\*{3,}|\$\{[^}]*\}|\$\(?[A-Za-z_]\w*\)?|x{4,}|\.\.\.)\s*$", re.I),
    "token": (r"<[A-Za-z][\w .-]*>", 0),  # `<TYPE>` in `state.<TYPE>`
}
_COMPILED: dict = {}


def _pattern(name: str):
    if name not in _COMPILED:
        _COMPILED[name] = re.compile(*_PATTERNS[name])
    return _COMPILED[name]

# What the API server and daprd say about ObjectMeta, in words (the generated schemas only have patterns).
_SUBDOMAIN = ("lower-case letters, digits, '-' and '.', beginning and ending with a letter or digit "
              "(an RFC 1123 subdomain)")
_QUALIFIED = ("a qualified name: letters, digits, '-', '_' and '.', beginning and ending with a letter or digit, "
              "at most 63 characters, optionally after a DNS subdomain prefix and '/'")
MESSAGES = {
    "/properties/metadata": {
        "anyOf": "has no `name`: the API server needs a non-empty `metadata.name` (or `generateName`)"},
    "/properties/metadata/properties/name": {
        "pattern": f"is not a Kubernetes object name: use {_SUBDOMAIN}",
        "maxLength": "is longer than the 253 characters of a Kubernetes object name",
        "not": "is not a name daprd loads: '.', '..' and names with '/' or '%' make it skip the document"},
    "/properties/metadata/properties/namespace": {
        "pattern": "is not a Kubernetes namespace name: use lower-case letters, digits and '-', beginning and "
                   "ending with a letter or digit (an RFC 1123 label)",
        "maxLength": "is longer than the 63 characters of a namespace name"},
    "/properties/metadata/properties/labels/propertyNames": {
        "pattern": f"is not a label key: use {_QUALIFIED}", "maxLength": "is too long for a label key"},
    "/properties/metadata/properties/labels/additionalProperties": {
        "pattern": "is not a label value: use letters, digits, '-', '_' and '.', beginning and ending with a letter "
                   "or digit", "maxLength": "is longer than the 63 characters of a label value"},
    "/properties/metadata/properties/annotations/propertyNames": {
        "pattern": f"is not an annotation key: use {_QUALIFIED}", "maxLength": "is too long for an annotation key"},
}
# per kind, on top of MESSAGES
KIND_MESSAGES = {
    "dapr.io/v1alpha1/Component": {
        "/properties/spec/properties/metadata": {
            "type": "must be a list of name/value items (`metadata: []` for none)"}},
}
_DEFAULT_REQUIRED = "is missing the required field '{name}'"  # schema.NodeValidator's
# errors that a templated key in the same mapping may answer
_MAPPING_KEYWORDS = frozenset({"required", "anyOf", "oneOf", "minProperties"})


def mode_of(ctx) -> str:
    return SELF_HOSTED if ctx.option("mode") == SELF_HOSTED else KUBERNETES


def crd_key(resource) -> str | None:
    """`<apiVersion>/<Kind>` as crds/index.json and modes.json name it, or None."""
    if resource.api_version is None or resource.kind is None:
        return None
    return f"{resource.api_version.value}/{resource.kind.value}"


# -- templates and placeholders ----------------------------------------------------
def placeholder_value(text: str) -> bool:
    """The whole value is a template or placeholder, so even its type is not known yet:
    `{{ .Values.x }}`, `${VAR}`, `$VAR`, `<REGION>`, `[aws_region]`, `***`, `...`."""
    stripped = text.strip()
    return _pattern("whole").match(text) is not None or (
        stripped.startswith("{{") and stripped.endswith("}}") and is_templated(stripped))


def placeholder_text(text: str) -> bool:
    """The text holds a template or a placeholder, so its final spelling is not known yet
    (`{{ .Release.Name }}-store`, `state.<TYPE>`, `prefix-${ENV}`)."""
    return (placeholder_value(text) or is_templated(text) or "${" in text
            or _pattern("token").search(text) is not None)


def not_judged(node: Node, text: str, keyword: str = "") -> bool:
    """The node is a template or a placeholder: for a type error the whole value must be one (a
    string that merely contains `<KEY>` is still a string), for the other checks any part."""
    if node.__class__ is ScalarNode:
        if node.tag == NULL_TAG:
            return False
        return placeholder_value(node.value) if keyword == "type" else placeholder_text(node.value)
    if getattr(node, "flow_style", False) and text:  # `{{ x }}` read as a flow mapping by a plain YAML parser
        source = text[node.start_mark.index:node.end_mark.index]
        return source.startswith("{{") and source.endswith("}}") and is_templated(source)
    return False


def _templated_keys(node: Node) -> bool:
    return node.__class__ is MappingNode and any(
        k.__class__ is not ScalarNode or placeholder_text(k.value) for k, _ in node.value)


# -- DPR008's misplacements -----------------------------------------------------------
class Misplaced:
    """A key DPR008 reports: where it is (`path`, the key and value nodes) and where it belongs."""

    __slots__ = ("key", "value", "path", "belongs")

    def __init__(self, key: ScalarNode, value: Node, path: tuple, belongs: tuple):
        self.key, self.value, self.path, self.belongs = key, value, path, belongs


# auth and scopes belong at the top level of these kinds
TOP_LEVEL_FIELDS = {"auth": ("Component", "HTTPEndpoint"),
                    "scopes": ("Component", "HTTPEndpoint", "Resiliency", "Subscription", "MCPServer",
                               "WorkflowAccessPolicy")}
COMPONENT_SPEC_FIELDS = ("type", "version", "ignoreErrors", "initTimeout")


def misplaced(resource) -> list[Misplaced]:
    """The keys DPR008 reports, in document order (see rules/dapr/dpr008_misplaced_field.py);
    worked out once per resource (DPR008, DPR011's walk and the schema findings ask)."""
    found = resource.memo.get("structure.misplaced")
    if found is None:
        found = resource.memo["structure.misplaced"] = _misplaced(resource)
    return found


def _misplaced(resource) -> list[Misplaced]:
    kind = resource.kind_name
    found = []
    spec = resource.spec
    if spec.__class__ is MappingNode:
        for key, value in spec.value:
            if key.__class__ is not ScalarNode:
                continue
            name = key.value.lower()
            if name in TOP_LEVEL_FIELDS and kind in TOP_LEVEL_FIELDS[name]:
                found.append(Misplaced(key, value, ("spec", key.value), (name,)))
            elif name == "name" and kind == "Component":
                found.append(Misplaced(key, value, ("spec", key.value), ("metadata", "name")))
    meta = _get(resource.node, "metadata")
    if meta.__class__ is MappingNode:
        for key, value in meta.value:
            name = key.value.lower() if key.__class__ is ScalarNode else None
            if name in TOP_LEVEL_FIELDS and kind in TOP_LEVEL_FIELDS[name]:
                found.append(Misplaced(key, value, ("metadata", key.value), (name,)))
    if kind == "Component":
        for key, value in resource.node.value:
            if key.__class__ is not ScalarNode:
                continue
            if key.value in COMPONENT_SPEC_FIELDS:
                found.append(Misplaced(key, value, (key.value,), ("spec", key.value)))
            elif key.value == "metadata" and value.__class__ is SequenceNode:
                found.append(Misplaced(key, value, ("metadata",), ("spec", "metadata")))
    return found


def _get(node: Node, key: str) -> Node | None:
    found = None
    for k, v in node.value:
        if k.__class__ is ScalarNode and k.value == key:
            found = v
    return found


# -- schema errors by mode ----------------------------------------------------------
def schema_findings(resource, ctx) -> Iterator[tuple[Node, str]]:
    """(node, message) for each error of the resource against its CRD in the current mode,
    without templates, placeholders and what DPR008 reports."""
    key = crd_key(resource)
    mode = mode_of(ctx)
    validator = _validator(ctx.data, key, mode, resource.partial) if key else None
    if validator is None:
        return
    if mode == KUBERNETES:
        # one generated walk for the schema and for DPR011: the Kubernetes schema is the one
        # unknown_fields walks, and a resource found closed has no unknown key to walk for, so
        # _Walk runs only on the resources fast_check cannot clear (and in self-hosted mode)
        valid, closed = validator.fast_check(resource.node)
        if closed:
            resource.memo[_UNKNOWN_MEMO + KUBERNETES] = []
    else:
        valid = validator.fast_valid(resource.node)
    if valid:
        return
    moved = misplaced(resource)
    inside = [m.path for m in moved]
    belongs = {m.belongs for m in moved}
    seen = set()
    missing: dict[tuple, tuple[Node, list[str]]] = {}  # one finding per mapping for its missing fields
    for issue in validator.issues(resource.node):
        where = (issue.path, issue.message)
        if where in seen or not_judged(issue.node, ctx.text, issue.keyword) or resource.unknown(issue.node):
            continue  # a template's value, or a mapping a template fills in: rendering decides
        seen.add(where)
        if any(issue.path[:len(p)] == p for p in inside):
            continue  # DPR008's finding
        if issue.keyword in _MAPPING_KEYWORDS and _templated_keys(issue.node):
            continue
        if issue.keyword == "required" and (issue.path + (issue.name,) in belongs or
                                            (issue.path, issue.name) in _suggested(resource, ctx)):
            continue  # DPR008 says where the field is, or DPR011 how to write it
        if issue.keyword == "required" and issue.message == _DEFAULT_REQUIRED.format(name=issue.name):
            missing.setdefault(issue.path, (issue.node, []))[1].append(issue.name)
            continue
        message = issue.message
        if issue.keyword == "type" and issue.node.__class__ is ScalarNode and issue.node.tag == NULL_TAG:
            message = _empty_message(issue.expected or ())
        yield issue.node, f"`{pointer(issue.path, hidden_texts(resource, ctx.data))}` {message}"
    for path, (node, names) in missing.items():
        where = pointer(path, hidden_texts(resource, ctx.data))
        if len(names) == 1:
            yield node, f"`{where}` {_DEFAULT_REQUIRED.format(name=names[0])}"
        else:
            listed = ", ".join(f"'{n}'" for n in names[:-1]) + f" and '{names[-1]}'"
            yield node, f"`{where}` is missing the required fields {listed}"


def _suggested(resource, ctx) -> set:
    """(mapping path, field) that DPR011 suggests for an unknown key: `secretstore` for
    `secretStore`, `nmae` for `name`, `- timeout:` for `- name: timeout`."""
    return {(u.path[:-1], u.suggested) for u in unknown_fields(resource, ctx) if u.suggested}


def _empty_message(expected: tuple) -> str:
    """A null where the schema wants a value: only a required field (or a schema-validated kind) says so."""
    write = {"array": " (`[]` for none)", "object": " (`{}` for none)"}.get(expected[0] if expected else "", "")
    return f"is empty, and an empty value counts as missing here: this field needs a value{write}"


def _validator(data, key: str, mode: str, partial: bool):
    """The node validator of one kind's CRD in one mode (*partial*: a kustomize patch, nothing required)."""
    validators = data.memo("structure.validators")
    memo_key = (key, mode, partial)
    if memo_key not in validators:
        validators[memo_key] = None
        info = data.json(MODES_FILE)["kinds"].get(key)
        if info is not None:
            from .schema import NodeValidator, Unsupported

            name = "generated/crds/" + info[mode]
            schema = data.json(name)
            for at, messages in {**MESSAGES, **KIND_MESSAGES.get(key, {})}.items():
                schema = _with_messages(schema, at, messages)
            # the keys structure._Walk allows in `metadata` (fast_check), in the mode it walks
            root_keys = {"metadata": frozenset(data.json(OBJECT_META_FILE)["fields"])} if mode == KUBERNETES else None
            try:
                validators[memo_key] = NodeValidator(schema, data.file_path(name), ignore_required=partial,
                                                     root_keys=root_keys)
            except Unsupported:
                pass
    return validators[memo_key]


def _with_messages(schema: dict, pointer: str, messages: dict) -> dict:
    """*schema* with *messages* added to the `x-daprlint-messages` of the object at *pointer*
    (unchanged when there is none). The pack data is shared, so it is never changed in
    place: the dicts on the way are copied, the rest is shared (deep copies of the
    schemas cost 12 M instructions of a cold run of tree-1000-s42)."""
    parts = pointer.strip("/").split("/")
    path = [schema]
    for part in parts:
        node = path[-1]
        if not isinstance(node, dict) or part not in node:
            return schema
        path.append(node[part])
    if not isinstance(path[-1], dict):
        return schema
    target = dict(path[-1])
    target["x-daprlint-messages"] = {**messages, **path[-1].get("x-daprlint-messages", {})}
    for parent, part in zip(reversed(path[:-1]), reversed(parts)):
        parent = dict(parent)
        parent[part] = target
        target = parent
    return target


def pointer(path: tuple, hidden: frozenset = frozenset()) -> str:
    """`spec.metadata[0].name` for an instance path; a key in *hidden* (see hidden_texts) is masked."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = MASK if part in hidden else label(str(part))
        out += f".{text}" if out else text
    return out or "document"


MASK = "*" * 8


def hidden_texts(resource, data) -> frozenset:
    """Texts a message must not quote even as a key: the inline secrets of the resource (a
    password pasted as a key is still the password; messages keep names in backticks)."""
    memo = resource.memo
    if "structure.hidden" not in memo:
        from . import dapr

        found = set()
        if resource.kind_name in ("Component", "HTTPEndpoint"):
            found = {item.literal.value for item in dapr.inline_secret_items(resource, data)}
        memo["structure.hidden"] = frozenset(found)
    return memo["structure.hidden"]


def label(name: str) -> str:
    """A key of the manifest as a message quotes it: one line, no backtick, at most 60 characters."""
    text = repr(name)[1:-1] if not name.isprintable() else name
    text = text.replace("`", "'")
    return text if len(text) <= 60 else text[:57] + "..."


# -- unknown fields ---------------------------------------------------------------------
_UNKNOWN_MEMO = "structure.unknown."  # + mode: a resource's unknown keys (schema_findings may know there are none)


class Unknown:
    """A key its CRD does not define: the key node, its instance path, the hint that follows and
    the field it suggests (a missing required field of that name is this finding, not another)."""

    __slots__ = ("key", "path", "hint", "suggested")

    def __init__(self, key: ScalarNode, path: tuple, hint: str, suggested: str | None = None):
        self.key, self.path, self.hint, self.suggested = key, path, hint, suggested


def unknown_fields(resource, ctx) -> list[Unknown]:
    """The keys of the resource that its CRD does not define (worked out once per resource and mode)."""
    mode = mode_of(ctx)
    memo_key = _UNKNOWN_MEMO + mode
    if memo_key in resource.memo:
        return resource.memo[memo_key]
    found: list[Unknown] = []
    key = crd_key(resource)
    info = ctx.data.json(MODES_FILE)["kinds"].get(key) if key else None
    if info is not None:
        schema = ctx.data.json("generated/crds/" + info[KUBERNETES])
        walk = _Walk(resource, ctx, schema, key,
                     fold=mode == SELF_HOSTED and resource.kind_name not in CASE_SENSITIVE_SELF_HOSTED)
        walk.mapping(resource.node, schema, ())
        found = walk.found
    resource.memo[memo_key] = found
    return found


class _Walk:
    """The resource's nodes against the CRD schema, collecting unknown keys."""

    def __init__(self, resource, ctx, schema: dict, key: str, fold: bool):
        self.ctx, self.key, self.fold = ctx, key, fold
        self.resource, self.partial = resource, resource.partial
        self.skip = {id(m.key) for m in misplaced(resource)}
        self.shapes = ctx.data.memo("structure.shapes")
        self.seen: set = set()
        self.found: list[Unknown] = []

    def node(self, node: Node, schema: dict, path: tuple) -> None:
        seen = self.seen
        if id(node) in seen:
            return  # an alias seen before (a billion laughs costs one visit per node)
        seen.add(id(node))
        cls = node.__class__
        if cls is MappingNode:
            self.mapping(node, schema, path)
        elif cls is SequenceNode:
            items = schema.get("items")
            if isinstance(items, dict):
                shape = self.shapes.get(id(items))
                if shape is None:
                    shape = self.shapes[id(items)] = _Shape(items)
                # Most lists hold flat items (`- name: x` / `value: y`): an item whose keys are
                # all fields of a closed item schema and whose values are all scalars has
                # nothing for mapping() to find or walk into, so it is only marked seen here
                # (DPR011 on tree-1000-s42: 90 M instructions before, 77 M after)
                flat = shape.props if shape.closed else None
                for i, item in enumerate(node.value):
                    cls = item.__class__
                    if cls is ScalarNode:
                        continue
                    if flat is not None and cls is MappingNode and id(item) not in seen:
                        for k, v in item.value:
                            if k.__class__ is not ScalarNode or k.value not in flat or v.__class__ is not ScalarNode:
                                break
                        else:
                            seen.add(id(item))
                            continue
                    self.node(item, items, path + (i,))

    def mapping(self, node: MappingNode, schema: dict, path: tuple) -> None:
        shape = self.shapes.get(id(schema))
        if shape is None:
            shape = self.shapes[id(schema)] = _Shape(schema)
        at_meta = path == ("metadata",)
        if at_meta:
            props, folded = _object_meta(self.ctx.data, shape.props)
        elif not shape.closed:
            if shape.extra is not None:  # a free map: its values still have a structure
                for k, v in node.value:
                    if k.__class__ is ScalarNode:
                        self.node(v, shape.extra, path + (k.value,))
            return
        else:
            props, folded = shape.props, shape.folded
        keyless_ref = None  # worked out for the first unknown key only
        deep = shape.deep if not at_meta else {}
        for k, v in node.value:
            if k.__class__ is not ScalarNode:
                continue
            name = k.value
            if name not in props:
                name = folded.get(name.lower()) if self.fold else None
                if name is None:
                    if keyless_ref is None:
                        keyless_ref = path[-1:] == ("secretKeyRef",) and not secret_ref_has_key(node)
                    self.unknown(node, k, v, props, path, keyless_ref)
                    continue
            if v.__class__ is not ScalarNode:
                sub = deep.get(name)
                if sub is not None:
                    self.node(v, sub, path + (name,))

    def unknown(self, node: MappingNode, k: ScalarNode, v: Node, props: dict, path: tuple,
                keyless_ref: bool) -> None:
        if id(k) in self.skip or placeholder_text(k.value):
            return  # DPR008's, or a template
        if keyless_ref and k.value.lower() == "value":
            return  # `value` for `key`: DPR012's
        if self.partial and k.value.startswith("$"):
            return  # a strategic-merge directive in a kustomize patch ($patch, $setElementOrder/...)
        if k.value in hidden_texts(self.resource, self.ctx.data):
            self.found.append(Unknown(k, path + (k.value,), ""))  # no hint: it would quote the key
            return
        present = {key.value for key, _ in node.value if key.__class__ is ScalarNode}
        hint, suggested = self.hint(k.value, v, props, path, present)
        self.found.append(Unknown(k, path + (k.value,), hint, suggested))

    def hint(self, name: str, value: Node, props: dict, path: tuple, present: set) -> tuple[str, str | None]:
        """What to say after the finding, and the field it suggests (None for none)."""
        hints = self.ctx.data.json(HINTS_FILE)["hints"].get(self.key, {})
        where = pointer(path + (name,))
        if _generic(where) in hints:
            return hints[_generic(where)]["hint"], hints[_generic(where)].get("suggests")
        lowered = {p.lower(): p for p in props}
        if name.lower() in lowered:
            return f"write `{lowered[name.lower()]}` (field names are case-sensitive here)", lowered[name.lower()]
        if "name" in props and "name" not in present and value.__class__ is ScalarNode and value.tag == NULL_TAG:
            # `- timeout:` for `- name: timeout`: a metadata item (or header, env var) named by its key
            return f"an item is named by its `name` field: write `name: {label(name)}`", "name"
        import difflib

        free = [p for p in lowered if lowered[p] not in present]  # a field written already is not what was meant
        close = difflib.get_close_matches(name.lower(), free, n=1, cutoff=0.75)
        if close:
            return f"did you mean `{lowered[close[0]]}`?", lowered[close[0]]
        elsewhere = [p for p in _field_paths(self.ctx.data, self.key).get(name, ()) if p != _generic(where)]
        if 0 < len(elsewhere) <= 2:
            parent = elsewhere[0].rpartition(".")[0]
            text = f"`{label(name)}` is a field of `{parent}`" if parent else f"`{label(name)}` belongs at the top level"
            return text, None
        return "", None


def secret_ref_has_key(ref: MappingNode) -> bool:
    """A `secretKeyRef` mapping writes `key` (in any case: self-hosted daprd folds it, DPR011 reports the case)."""
    return any(k.__class__ is ScalarNode and k.value.lower() == "key" for k, _ in ref.value)


class _Shape:
    """What the walk needs of one object schema, worked out once per run."""

    __slots__ = ("props", "folded", "extra", "closed", "deep")

    def __init__(self, schema: dict):
        self.props = _properties(schema)
        # the properties with a structure of their own: only their values are walked
        self.deep = {name: sub for name, sub in self.props.items() if isinstance(sub, dict) and (
            _properties(sub) or isinstance(sub.get("items"), dict) or isinstance(sub.get("additionalProperties"), dict))}
        self.folded = {name.lower(): name for name in self.props}
        extra = schema.get("additionalProperties")
        self.extra = extra if isinstance(extra, dict) else None
        self.closed = bool(self.props) and extra is None


def _object_meta(data, declared: dict) -> tuple[dict, dict]:
    """The ObjectMeta fields (with the CRD's schema where it has one) and their lower-case names."""
    memo = data.memo("structure.object_meta")
    if id(declared) not in memo:
        props = {name: declared.get(name, {}) for name in data.json(OBJECT_META_FILE)["fields"]}
        memo[id(declared)] = props, {name.lower(): name for name in props}
    return memo[id(declared)]


def _properties(schema: dict) -> dict:
    """The properties an object schema declares, with those of its allOf/anyOf/oneOf branches."""
    props = dict(schema.get("properties") or {})
    for keyword in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(keyword, ()):
            if isinstance(branch, dict):
                for name, sub in _properties(branch).items():
                    props.setdefault(name, sub)
    return props


def _generic(where: str) -> str:
    """`spec.metadata[3].name` -> `spec.metadata[].name`: how hints and field paths are keyed."""
    return re.sub(r"\[\d+\]", "[]", where)


def _field_paths(data, key: str) -> dict[str, list[str]]:
    """Field name -> every generic path where the kind's CRD defines it (not under metadata)."""
    memo = data.memo("structure.field_paths")
    if key not in memo:
        info = data.json(MODES_FILE)["kinds"][key]
        paths: dict[str, list[str]] = {}
        stack = [(data.json("generated/crds/" + info[KUBERNETES]), "")]
        while stack:
            schema, at = stack.pop()
            if not isinstance(schema, dict):
                continue
            for name, sub in _properties(schema).items():
                if at == "" and name == "metadata":
                    continue
                where = f"{at}.{name}" if at else name
                paths.setdefault(name, []).append(where)
                stack.append((sub, where))
            if isinstance(schema.get("items"), dict):
                stack.append((schema["items"], at + "[]"))
            if isinstance(schema.get("additionalProperties"), dict):
                stack.append((schema["additionalProperties"], at + ".<name>"))
        memo[key] = {name: sorted(found, key=len) for name, found in paths.items()}
    return memo[key]

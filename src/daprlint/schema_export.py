"""`daprlint schema --out DIR`: JSON Schemas of the Dapr resources for YAML editors.

The files are laid out as datreeio/CRDs-catalog lays them out
(`dapr.io/component_v1alpha1.json`, `dapr.io/subscription_v2alpha1.json`,
...), so kubeconform's `-schema-location` template and yaml-language-server's
`yaml.kubernetesCRDStore.url` find them, next to `dapr.io/all.json` (every
Dapr kind, chosen by `apiVersion` and `kind`, for `yaml.schemas` globs) and
`catalog.json` (the JSON Schema Store catalog shape). docs/editor-schemas.md
tells users how to wire them up.

Everything comes from the built-in rule pack's data (rules/generated, read
through PackData, so an installed wheel exports the same files), and the
Component schema accepts what the linter accepts: it takes DPR003's
vocabulary (every name a type and version reads), DPR004's plan (required
fields) and DPR010's CRD relaxations from the rule modules themselves, so
the two cannot drift apart. tests/test_schema_export.py checks the schemas
against the linter on the examples and the real-world corpus, and drives the
real yaml-language-server over stdio.

Decisions, and why:
- **Draft-07.** Every keyword used (if/then/else, const, contains, pattern,
  local `$ref`) is in draft-07, which every yaml-language-server release,
  VS Code's YAML extension, kubeconform and the `jsonschema` package read.
  The CRD schemas in rules/generated say 2020-12 but use only keywords with
  the same meaning in draft-07; `_as_draft7` refuses any that differ.
  `deprecated: true` (2019-09) is added as an annotation that draft-07
  validators ignore.
- **Metadata names are matched case-insensitively, as Dapr does.** A `name`
  is one of `anyOf`: a `const` per canonical name (completion offers them,
  hover shows the matching one's description), then one case-insensitive
  pattern for the case variants (`Region`), which are valid. `(?i)` leads
  the patterns: Python's `re`, Go's RE2 (kubeconform) and
  yaml-language-server (which turns it into the `i` flag) read it. Strict
  ECMA-262 engines (ajv) do not; such a tool would fail loudly on the
  schema, not accept bad input. The per-field checks (allowed values,
  types) match the name case-insensitively too, as DPR006 does.
- **Advice is not invalidity.** What daprlint reports as advice stays
  valid in the schema: a deprecated name, a sensitive field with an inline
  `value` (SEC001), a `spec.type` daprd does not register but that may be a
  pluggable component (DPR002 can only tell by how close a registered name
  is). yaml-language-server marks them through its `deprecationMessage`
  keyword (which it shows as an error, as it shows every schema problem);
  kubeconform and the `jsonschema` package ignore that keyword. Unknown
  names, missing required fields and values outside a field's allowed
  values or type are invalid, as DPR003, DPR004 and DPR006 say (DPR003 is a
  warning in daprlint; a schema can only make it invalid, and an unknown
  name is what the editor should mark).
- **Messages**: yaml-language-server shows, for a value that fails every
  branch of an `anyOf`, the first branch's message, and joins failed
  `const` branches into one list; the branches are ordered for that (an
  unknown metadata name lists the type's names, an unknown type says so in
  one line) and carry `errorMessage`.
- **`spec.version` selects the field table**: `v1` also covers an absent or
  empty `spec.version` (daprd's initial version), other versions match
  exactly (case-insensitively, blanks around ignored, as the linter reads
  them). A type or version that Dapr's metadata does not describe leaves the
  names unconstrained, as DPR003 does.
- **Strict structure, as CRDs-catalog does**: objects with declared
  properties get `additionalProperties: false` (daprd silently ignores an
  unknown field: `spec.auth`, `specs`), except where the CRD keeps unknown
  fields. The structural relaxations of DPR001 (the lint variant of the
  Component CRD) and DPR010 (null lists, defaults daprd fills in) apply.

`--dapr-version V` is accepted for the versioned data (see `versioned_data`);
until daprlint.versions exists only the bundled data can be exported.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

DRAFT = "http://json-schema.org/draft-07/schema#"
GROUP = "dapr.io"
CATALOG = "catalog.json"
ALL = f"{GROUP}/all.json"
CATALOG_SCHEMA = "https://json.schemastore.org/schema-catalog.json"

# keywords that mean something else, or nothing, before 2019-09
_NOT_DRAFT7 = {"$defs", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor",
               "$vocabulary", "prefixItems", "dependentRequired", "dependentSchemas", "unevaluatedItems",
               "unevaluatedProperties", "minContains", "maxContains"}
# model.is_templated and dapr.is_reference_like: names and values rendered later
# dapr.is_reference_like: templates, ${VAR}, Dapr's tags, a whole $VAR or $(VAR)
_REFERENCE_LIKE = (r"\{\{[\s\S]*?\}\}|\$\{|\{uuid\}|\{podName\}|\{namespace\}|\{appID\}"
                   r"|^\s*\$(?:[A-Za-z_]\w*|\([A-Za-z_]\w*\))\s*$")
# dapr._PLACEHOLDER (case-insensitive), and with DPR006's `<` and `>` test: values DPR006 does not judge
_PLACEHOLDER = r"^\s*(<[^>]*>|\[[^\]]*\]|\*{3,}|\$\{[^}]*\}|x{4,}|\.\.\.)\s*$"
_NOT_JUDGED = "(?i)" + _PLACEHOLDER + r"|<[\s\S]*>|>[\s\S]*<"


class ExportError(Exception):
    """The export cannot be made as asked (exit 2)."""


# -- the linter's own tables ------------------------------------------------------
class RuleTables:
    """What the rules know, taken from the built-in rule modules (see the module docstring)."""

    def __init__(self, ruleset):
        def module(code):
            rule = ruleset.rules.get(code)
            found = sys.modules.get(rule.load().check.__module__) if rule else None
            if found is None:
                raise ExportError(f"the built-in rule {code} is missing: the schema export reads its tables")
            return found

        self.vocabulary = module("DPR003").vocabulary   # (entry, type, version, data) -> Vocabulary | None
        self.plan = module("DPR004")._make_plan         # (type, version, index, data) -> dict | None
        dpr010 = module("DPR010")
        self.relaxations = dpr010.RELAXATIONS            # CRD file -> {path: required names to drop}
        self.nullable = dpr010.NULLABLE                  # CRD file -> paths that also accept null
        self.rules_for_values = module("DPR006")._rules  # (resource, data) -> {key: (type, allowed, case)}
        self.removed_types = module("DPR002").REMOVED     # type -> the release that removed it


def versioned_data(data, dapr_version: str | None):
    """The pack data as the given Dapr release reads it.

    `daprlint.versions.pack_data_for(data, release)` gives a PackData-like
    view whose `json(relpath)` answers for that release, and the export reads
    everything through `data.json`, so it follows the release. A daprlint
    without the versioned data can export only the bundled data."""
    if dapr_version is None:
        return data
    try:
        from . import versions  # type: ignore[attr-defined]
    except ImportError:
        versions = None
    view = getattr(versions, "pack_data_for", None)
    if view is None:
        raise ExportError(f"--dapr-version {dapr_version}: this daprlint has only its bundled Dapr data "
                          f"({_data_origin(data)}); leave --dapr-version out")
    try:
        return view(data, dapr_version)
    except ValueError as exc:  # older than the data, or not a version at all
        raise ExportError(f"--dapr-version {dapr_version}: {exc}") from None


def _data_origin(data) -> str:
    try:
        sources = data.json("generated/sources.json")
        return f"components-contrib@{sources['components-contrib'][:12]}, dapr@{sources['dapr'][:12]}"
    except Exception:
        return "rules/generated"


# -- small helpers --------------------------------------------------------------
_SYNTAX = re.compile(r"[\\^$.|?*+()\[\]{}]")


def _escape(text: str) -> str:
    """re.escape for Python, Go and JavaScript alike: only the syntax characters (re.escape also
    escapes `-`, which a JavaScript pattern with the `u` flag rejects)."""
    return _SYNTAX.sub(lambda m: "\\" + m.group(0), text)


def _portable(pattern: str) -> str:
    """A Python pattern without the escapes JavaScript's `u` flag rejects (`\\-`, `\\#`, ...)."""
    return re.sub(r"\\(.)", lambda m: m.group(0) if _SYNTAX.match(m.group(1)) or m.group(1).isalnum()
                  else m.group(1), pattern)


def _ci(text: str) -> str:
    """A regular expression for exactly *text*, any case."""
    return "(?i)^" + _escape(text) + "$"


def _ci_any(texts) -> str:
    return "(?i)^(?:" + "|".join(_escape(t) for t in sorted(set(texts), key=lambda t: (t.lower(), t))) + ")$"


def _placeholder_pattern(name: str) -> str:
    """`<topic-name>.jsonschema` matches any text in the placeholder's place (as DPR003 reads it)."""
    parts = re.split(r"<[^>]*>", name)
    return "(?i)^" + ".+".join(_escape(p) for p in parts) + "$"


def _field_markdown(info: dict, type_name: str, version: str) -> str:
    from .lsp.analysis import field_markdown  # the daprlint server's hover text, for the same field

    return field_markdown(info, type_name, version)


def _as_draft7(schema, where: str):
    """A copy of a 2020-12 CRD schema for draft-07, refusing keywords whose meaning differs."""
    if isinstance(schema, list):
        return [_as_draft7(s, where) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in _NOT_DRAFT7 or (key == "items" and isinstance(value, list)):
            raise ExportError(f"{where}: `{key}` has no draft-07 equivalent; teach _as_draft7 about it")
        if key in ("$schema", "$id"):
            continue
        if key in ("properties", "patternProperties"):
            out[key] = {name: _as_draft7(sub, where) for name, sub in value.items()}
        elif key in ("enum", "const", "default", "examples", "required"):
            out[key] = value
        else:
            out[key] = _as_draft7(value, where)
    return out


def _strict(schema) -> None:
    """additionalProperties: false on the object schemas of the structure (as CRDs-catalog does),
    not on the partial schemas of anyOf / allOf / not branches. A case variant of a declared
    property stays valid: self-hosted daprd reads field names case-insensitively (sigs.k8s.io/yaml)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        props = node.get("properties")
        if isinstance(props, dict):
            if "additionalProperties" not in node and not node.get("x-kubernetes-preserve-unknown-fields"):
                node["additionalProperties"] = False
                if props:
                    node.setdefault("patternProperties", {})[_ci_any(props)] = {}
            stack.extend(props.values())
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                stack.append(node[key])


def _at(schema: dict, path) -> dict | None:
    for part in path:
        if not isinstance(schema, dict) or part not in schema:
            return None
        schema = schema[part]
    return schema


def _nullable(schema: dict) -> None:
    """Every list or mapping may also be null: Go decodes null as the empty value (DPR010)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") in ("object", "array"):
                node["type"] = [node["type"], "null"]
            stack.extend(v for k, v in node.items() if k not in ("enum", "const", "default", "examples"))
        elif isinstance(node, list):
            stack.extend(node)


# -- the Component schema ---------------------------------------------------------
class ComponentSchema:
    """Builds dapr.io/component_v1alpha1.json from the type index and the field tables."""

    def __init__(self, data, tables: RuleTables):
        self.data = data
        self.tables = tables
        self.index = data.json("generated/component-types.json")["types"]
        self.categories = data.json("generated/component-types.json")["categories"]
        self.definitions: dict[str, dict] = {}

    def build(self, base: dict) -> dict:
        schema = base
        spec = schema["properties"]["spec"]
        name = spec["properties"]["metadata"]["items"]["properties"]["name"]
        name.pop("description", None)  # hover shows the first description found: the field's own
        spec["properties"]["type"] = {**spec["properties"]["type"], **self._type_schema()}
        branches = []
        for type_name in sorted(self.index):
            item = self.index[type_name]
            if not item.get("registered") or not item.get("file"):
                continue
            entry = self.data.json("generated/" + item["file"])
            versions = sorted(entry.get("versions") or {})
            spec_version = {"examples": item.get("versions") or versions}
            branches.append(self._version_hint(type_name, spec_version))
            for version in versions:
                branch = self._branch(type_name, version, entry)
                if branch is not None:
                    branches.append(branch)
        schema["allOf"] = branches
        schema["definitions"] = self.definitions
        return schema

    # spec.type ----------------------------------------------------------------
    def _type_schema(self) -> dict:
        """Registered types (completion, hover), their case variants, templates, and, valid with an
        editor warning, any other `<category>.<name>`: a pluggable component, which daprd learns from
        its socket, or a typo (DPR002 tells them apart by how close a registered name is)."""
        registered = sorted(t for t, e in self.index.items() if e.get("registered"))
        unregistered = sorted(set(self.tables.removed_types)
                              | {t for t, e in self.index.items() if not e.get("registered")})
        category = "^(?:" + "|".join(map(_escape, self.categories)) + r")\."
        message = "not a component type daprd registers (see the completion list)"
        # the case variants come first: when every choice fails, yaml-language-server shows the first
        # one's message (with a const first, it joins the ~160 failed consts into one list)
        choices = [{
            "description": "A case variant of a registered type: daprd lower-cases the name after the category.",
            "allOf": [{"pattern": _ci_any(registered), "errorMessage": message},
                      {"pattern": category, "errorMessage": message}],
            "not": {"enum": registered},
        }]
        choices += [self._type_choice(t) for t in registered]
        choices.append({"type": "string", "pattern": _REFERENCE_LIKE + r"|<[^>]*>",
                        "description": "A template or placeholder: the type is known only once it is rendered."})
        choices.append({"type": "string", "pattern": category + r"\S+$", "not": {"pattern": _ci_any(unregistered)},
                        "description": "Not a type daprd registers: a pluggable component, or a typo."})
        known = {"anyOf": [{"pattern": _ci_any(registered)}, {"pattern": _REFERENCE_LIKE + r"|<[^>]*>"}]}
        warning = {"if": {"type": "string", "pattern": category, "not": known},
                   "then": {"deprecationMessage": "not a component type daprd registers: fine for a pluggable "
                                                  "component, otherwise see the completion list"}}
        return {"type": "string", "anyOf": [{**c, "errorMessage": message} for c in choices], "allOf": [warning]}

    def _type_choice(self, type_name: str) -> dict:
        item = self.index[type_name]
        title, status = "", ""
        if item.get("file"):
            entry = self.data.json("generated/" + item["file"])
            latest = (entry.get("versions") or {}).get(max(entry.get("versions") or {"v1": 0}), {})
            title, status = latest.get("title") or "", latest.get("status") or ""
        text = title or type_name
        if status:
            text += f" ({status})"
        if item.get("alias_of"):
            text += f"; another name of `{item['alias_of']}`"
        versions = ", ".join(item.get("versions") or ()) or "no version in Dapr's metadata"
        markdown = f"**`{type_name}`** — {text}\n\nVersions: {versions}"
        return {"const": type_name, "description": f"{text}. Versions: {versions}.", "markdownDescription": markdown}

    def _version_hint(self, type_name: str, spec_version: dict) -> dict:
        """Completion of spec.version with the versions the type has."""
        return {"if": self._type_condition(type_name),
                "then": {"properties": {"spec": {"properties": {"version": spec_version}}}}}

    # one type and version -----------------------------------------------------
    def _type_condition(self, type_name: str, version: str | None = None) -> dict:
        spec = {"properties": {"type": {"type": "string", "pattern": r"(?i)^\s*" + _escape(type_name) + r"\s*$"}},
                "required": ["type"]}
        if version is not None:
            # the linter's version_key: blanks stripped, lower-cased, "" -> v1
            wanted = r"(?i)^\s*" + ("(?:v1)?" if version == "v1" else _escape(version)) + r"\s*$"
            spec["properties"]["version"] = {"type": "string", "pattern": wanted}
            if version != "v1":
                spec["required"] = ["type", "version"]
        return {"properties": {"spec": spec}, "required": ["spec"]}

    def _branch(self, type_name: str, version: str, entry: dict) -> dict | None:
        vocab = self.tables.vocabulary(entry, type_name, version, self.data)
        required = self._required(type_name, version)
        if vocab is None and not required:
            return None
        metadata: dict = {}
        if vocab is not None:
            key = f"{type_name}@{version}"
            self.definitions[key] = self._item(type_name, version, entry, vocab)
            metadata["items"] = {"$ref": f"#/definitions/{key}"}
        if required:
            metadata["allOf"] = required
        spec = {"properties": {"metadata": metadata}}
        if required:
            spec["required"] = ["metadata"]
        return {"if": self._type_condition(type_name, version), "then": {"properties": {"spec": spec}}}

    def _required(self, type_name: str, version: str) -> list[dict]:
        """A `contains` per field DPR004 requires (names and aliases that set it, with a value)."""
        plan = self.tables.plan(type_name, version, self.index, self.data)
        if plan is None:
            return []
        out = []
        for key, name, binding in plan["required"]:
            if binding and not (binding.get("input") and binding.get("output")):
                continue  # required for one direction only: DPR004 decides with `direction`
            names = {name} | {a for a, sets in plan["aliases"].items() if key in sets}
            others = plan["alternatives"].get(key, ())
            what = f"`{name}`" + "".join(f" or `{o}`" for o in others)
            out.append({
                "contains": {"type": "object", "required": ["name"],
                             "properties": {"name": {"type": "string", "pattern": _ci_any(names)}},
                             "anyOf": _HAS_VALUE},
                "errorMessage": f"`{type_name}` requires the metadata field {what}, which is missing or empty",
            })
        return out

    def _item(self, type_name: str, version: str, entry: dict, vocab) -> dict:
        fields = (entry.get("versions") or {}).get(version, {}).get("fields", {})
        deprecated = self._deprecated_names(type_name, version, entry, fields)
        choices, rules = [], []
        spelled = {}
        for lower, spelling in sorted(vocab.names.items(), key=lambda kv: kv[1].lower()):
            info = fields.get(lower) or self._extra_info(type_name, spelling, deprecated.get(lower))
            spelled[lower] = spelling
            choices.append(self._name_choice(spelling, info, type_name, version, deprecated.get(lower)))
            rules += self._value_rules(spelling, info, type_name, version)
        if spelled:
            choices.append({
                "type": "string", "pattern": _ci_any(spelled.values()), "not": {"enum": sorted(spelled.values())},
                "description": "A case variant of a metadata field of this type: Dapr matches names "
                               "case-insensitively.",
            })
        for pattern in vocab.patterns:
            choices.append({"type": "string", "pattern": "(?i)" + _portable(pattern.pattern),
                            "description": "A metadata field named after a placeholder (see the component's docs)."})
        for prefix in vocab.prefixes:
            choices.append({"type": "string", "pattern": "(?i)^" + _escape(prefix),
                            "description": f"A metadata field starting with `{prefix}` (read by prefix)."})
        choices.append({"type": "string", "pattern": r"^\s*$|" + _REFERENCE_LIKE,
                        "description": "A templated or empty name: not judged."})
        item = {
            "type": "object",
            # an unknown name fails every const: yaml-language-server then lists the names in its message
            "properties": {"name": {"anyOf": choices}},
        }
        rules += self._allowed_value_rules(type_name, version)
        if rules:
            item["allOf"] = rules
        return item

    def _deprecated_names(self, type_name, version, entry, fields) -> dict:
        """lower-cased name -> what to use instead (None: no replacement named)."""
        out = {k: None for k, info in fields.items() if info.get("deprecated")}
        for alias in self.data.json("generated/aws.json")["aliases"]:
            if type_name in alias["accepted_by"]:
                out[alias["alias"].lower()] = alias["canonical"]
        from . import dapr

        for group in dapr.extra_groups(type_name, (entry.get("versions") or {}).get(version), self.data):
            for name, spec in group.get("deprecated", {}).items():
                out[name.lower()] = spec.get("use")
        return out

    def _extra_info(self, type_name, spelling, deprecated_use) -> dict:
        """Field info for a name the linter accepts although metadata.yaml does not list it."""
        text = ("Accepted by daprd or the component code although Dapr's metadata.yaml does not list it "
                "(see rules/dapr/field-extras.json and rules/generated/aws.json).")
        if deprecated_use:
            text = f"Deprecated: use `{deprecated_use}`. " + text
        return {"name": spelling, "description": text, "deprecated": deprecated_use is not None,
                "sensitive": False, "required": False}

    def _name_choice(self, spelling, info, type_name, version, deprecated_use) -> dict:
        description = (info.get("description") or "").strip() or f"A metadata field of `{type_name}`."
        flags = [flag for flag in ("required", "sensitive", "deprecated") if info.get(flag)]
        if info.get("sensitive"):
            description += " Sensitive: give it with secretKeyRef, not an inline value."
        deprecated = "deprecated" in flags or deprecated_use is not None
        shown = {**info, "name": spelling, "deprecated": deprecated}
        choice = {"const": spelling, "description": description,
                  "markdownDescription": _field_markdown(shown, type_name, version)}
        if deprecated:
            choice["deprecated"] = True
            use = f": use `{deprecated_use}`" if deprecated_use else ""
            choice["deprecationMessage"] = f"`{spelling}` is deprecated for `{type_name}`{use}"
        return choice

    def _value_rules(self, spelling, info, type_name, version) -> list[dict]:
        """yaml-language-server's notice for a sensitive field given inline, where SEC001 reports it:
        a literal that is not a template or a public certificate, and in a connection string or
        address field only one that carries a credential (dapr.inline_secret_items)."""
        from . import dapr

        key = spelling.lower()
        if not dapr.is_sensitive(_resource_stub(type_name, version), key, self.data):
            return []
        notice = {"deprecationMessage": f"`{spelling}` is sensitive: give it with secretKeyRef and a secret "
                                        "store instead of an inline value"}
        if dapr.is_connection_string(key):
            credential = "(?i)" + _CREDENTIAL + ("|" + _PLACEHOLDER if "connectionstring" in key else "")
            notice = {"if": {"type": "string", "pattern": credential}, "then": notice}
        not_inline = {"anyOf": [{"enum": ["", None]}, {"type": ["object", "array"]},
                                {"type": "string", "pattern": r"\{\{[\s\S]*?\}\}"},
                                {"type": "string", "pattern": "-----BEGIN CERTIFICATE-----",
                                 "not": {"pattern": "PRIVATE KEY"}}]}
        return [{"if": _name_is(spelling), "then": {"properties": {"value": {"if": not_inline, "else": notice}}}}]

    def _allowed_value_rules(self, type_name, version) -> list[dict]:
        """DPR006's checks: allowed values and the number / bool / duration / byte-size types."""
        table = self.tables.rules_for_values(_resource_stub(type_name, version), self.data)
        rules = []
        for key, (kind, allowed, case_sensitive) in sorted(table.items()):
            if allowed:
                value = _allowed_schema(allowed, case_sensitive)
            elif kind in _TYPE_SCHEMAS:
                value = _value_schema(*_TYPE_SCHEMAS[kind])
            else:
                continue
            rules.append({"if": _name_is(key), "then": {"properties": {"value": value}}})
        return rules


def _resource_stub(type_name: str, version: str):
    """A Resource with only what the per-type tables of dapr.py and DPR006 key on."""
    from .model import Resource

    resource = Resource.__new__(Resource)
    resource.type_key = resource.type_name = type_name
    resource.version_key = version
    resource.memo = {}
    return resource


# dapr._CONNECTION_CREDENTIAL: a connection string or URL that holds a credential
_CREDENTIAL = (r"(password|pwd|accountkey|accesskey|sharedaccesskey|sharedaccesssignature|secret|token)\s*=\s*[^;\s]"
               r"|://[^\s:/@]*:[^\s@/]+@|^[^\s:/@=;]+:[^\s@/]+@")

_HAS_VALUE = [  # model.MetadataItem.has_value
    {"required": ["value"], "properties": {"value": {"not": {"enum": ["", None]}}}},
    {"required": ["secretKeyRef"], "properties": {"secretKeyRef": {"type": "object"}}},
    {"required": ["envRef"], "properties": {"envRef": {"type": "string", "minLength": 1}}},
]


def _name_is(name: str) -> dict:
    return {"properties": {"name": {"type": "string", "pattern": _ci(name)}}, "required": ["name"]}


# what DPR006 does not judge: no value (null, ""), a structure, a template or a placeholder
_UNJUDGED = [{"not": {"type": ["string", "number", "boolean"]}}, {"type": "string", "maxLength": 0},
             {"type": "string", "pattern": _REFERENCE_LIKE}, {"type": "string", "pattern": _NOT_JUDGED}]

# DPR006's value types as patterns of the text (the same language as its regular expressions and
# dapr.parse_go_duration; YAML numbers and booleans are the values' JSON forms)
_GO_INT = (r"[+-]?(?:0[xX]_?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*|0[bB]_?[01]+(?:_[01]+)*|0[oO]?_?[0-7]+(?:_[0-7]+)*"
           r"|[0-9]+(?:_[0-9]+)*)")
_FLOAT = (r"[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"  # Python's float(), which DPR006 uses
          r"|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])")
_HEX_FLOAT = r"[+-]?0[xX][0-9a-fA-F_.]+[pP][+-]?[0-9_]+"
_DURATION = r"[+-]?(?:0|(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+|[0-9]+)"
# resource.ParseQuantity also takes a bare sign or dot (as zero): goparse.bytesize_problem follows it
_QUANTITY = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]*)?(?:Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?"
_BOOLS = ["true", "false", "1", "0", "t", "f", "yes", "no", "y", "n", "on", "off"]

_TYPE_SCHEMAS = {
    "number": ([{"type": "string", "pattern": f"^(?:{_GO_INT}|{_FLOAT}|{_HEX_FLOAT})$"}, {"type": "number"}],
               "not a number"),
    "bool": ([{"type": "string", "pattern": r"(?i)^\s*(?:" + "|".join(_BOOLS) + r")\s*$"},
              {"enum": [True, False, 0, 1]}],
             "not a boolean (true/false, 1/0, yes/no, on/off): Dapr reads it as false"),
    "duration": ([{"type": "string", "pattern": f"^(?:{_DURATION})$"}, {"type": "integer"}],
                 "not a duration (Go syntax such as 500ms, 30s, 1m30s or 1.5h, or whole seconds)"),
    "bytesize": ([{"type": "string", "pattern": f"^(?:{_QUANTITY})$"}, {"type": "number"}],
                 "not a byte size (a quantity such as 512, 4Mi or 1Gi)"),
}


def _value_schema(choices: list[dict], message: str) -> dict:
    """One of *choices*, or a value DPR006 does not judge. Every branch carries the message, and
    the pattern on the text comes first: yaml-language-server shows the first branch's problem
    when all fail alike."""
    return {"anyOf": [{**c, "errorMessage": message} for c in choices + _UNJUDGED]}


def _allowed_schema(allowed, case_sensitive: bool) -> dict:
    """DPR006's allowed-values check: blanks around ignored, case too unless the field is
    case-sensitive, and comma lists of allowed tokens where an allowed value has a comma."""
    tokens = sorted({t.strip() for a in allowed for t in (a.split(",") if "," in a else [a])})
    flags = "" if case_sensitive else "(?i)"
    one = "|".join(_escape(a.strip()) for a in allowed)
    pattern = flags + r"^\s*(?:" + one + r")\s*$"
    choices = [{"type": "string", "pattern": pattern}, {"enum": list(allowed)}]
    if any("," in a for a in allowed):
        token = "(?:" + "|".join(_escape(t) for t in tokens) + ")"
        choices.append({"type": "string", "pattern": flags + r"^\s*" + token + r"\s*(?:,\s*" + token + r"\s*)*$"})
    typed = [_typed(a) for a in allowed if _typed(a) is not None]
    if typed:
        choices.append({"enum": typed})
    listed = ", ".join(allowed) if len(allowed) <= 8 else ", ".join(allowed[:8]) + ", ..."
    return _value_schema(choices, f"not one of the allowed values ({listed})")


def _typed(text: str):
    """The YAML boolean or number an allowed value's text is also written as."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if re.fullmatch(r"[+-]?[0-9]+", lowered):
        return int(lowered)
    return None


# -- the other kinds and the whole set ---------------------------------------------
def _kind_files(data) -> dict[str, str]:
    """"<apiVersion>/<Kind>" -> CRD schema file (rules/generated/crds/index.json)."""
    return data.json("generated/crds/index.json")


def catalog_path(api_version: str, kind: str) -> str:
    """Where CRDs-catalog (and so kubeconform and yaml-language-server's CRD store) looks."""
    group, _, version = api_version.partition("/")
    return f"{group}/{kind.lower()}_{version}.json"


def _crd_schema(data, tables: RuleTables, api_version: str, kind: str, crd_file: str) -> dict:
    if kind == "Component":
        lint = crd_file.replace(".schema.json", ".lint.schema.json")  # DPR001's lint variant
        crd_file = lint if _exists(data, "generated/crds/" + lint) else crd_file
    schema = _as_draft7(json.loads(json.dumps(data.json("generated/crds/" + crd_file))), crd_file)
    for at, drop in tables.relaxations.get(crd_file, {}).items():
        node = _at(schema, at)
        if node is not None:
            node["required"] = [r for r in node.get("required", []) if r not in drop]
            if not node["required"]:
                del node["required"]
    for at in tables.nullable.get(crd_file, ()):
        node = _at(schema, at)
        if node is not None and isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
    if kind != "Component":
        _nullable(schema)
    _strict(schema)
    props = schema.setdefault("properties", {})
    props["apiVersion"] = {**props.get("apiVersion", {}), "const": api_version}
    props["kind"] = {**props.get("kind", {}), "const": kind}
    schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind"})
    origin = schema.pop("$comment", "")
    return {"$schema": DRAFT, "title": f"Dapr {kind} ({api_version})",
            "$comment": f"Made by `daprlint schema` from rules/generated ({_data_origin(data)}). {origin}".strip(),
            **schema}


def _exists(data, relpath: str) -> bool:
    try:
        data.path(relpath)
        return True
    except Exception:
        return False


def _all_schema(kinds: dict[str, str]) -> dict:
    """One schema for a folder of mixed Dapr documents, chosen by apiVersion and kind; other documents pass."""
    branches = []
    for key in sorted(kinds):
        api_version, _, kind = key.rpartition("/")
        branches.append({
            "if": {"properties": {"apiVersion": {"const": api_version}, "kind": {"const": kind}},
                   "required": ["apiVersion", "kind"]},
            "then": {"$ref": catalog_path(api_version, kind).partition("/")[2]},
        })
    known_kinds = sorted({k.rpartition("/")[2] for k in kinds})
    branches.append({
        "if": {"properties": {"apiVersion": {"type": "string", "pattern": "^" + _escape(GROUP) + "/"}},
               "required": ["apiVersion"]},
        "then": {"properties": {"kind": {"enum": known_kinds},
                                "apiVersion": {"enum": sorted({k.rpartition('/')[0] for k in kinds})}},
                 "required": ["kind"]},
    })
    return {"$schema": DRAFT, "title": "Dapr resources (dapr.io)",
            "description": "Every Dapr kind, chosen by apiVersion and kind; documents of other APIs pass.",
            "allOf": branches}


def _catalog(schemas: dict[str, dict], base_url: str) -> dict:
    entries = []
    for relpath in sorted(schemas):
        schema = schemas[relpath]
        entries.append({"name": schema.get("title", relpath),
                        "description": schema.get("description") or schema.get("title", relpath),
                        "url": base_url + relpath})
    return {"$schema": CATALOG_SCHEMA, "version": 1, "schemas": entries}


def build_schemas(data, dapr_version: str | None = None, base_url: str = "") -> dict[str, dict]:
    """{relative path: JSON Schema} for every Dapr kind, `dapr.io/all.json` and `catalog.json`.

    *data* is the built-in pack's PackData (`load_packs().data`); *base_url*
    prefixes the catalog's URLs (relative to the catalog when empty)."""
    from .packs import load_packs

    ruleset = load_packs()
    tables = RuleTables(ruleset)
    data = versioned_data(data, dapr_version)
    kinds = _kind_files(data)
    schemas = {}
    for key, crd_file in sorted(kinds.items()):
        api_version, _, kind = key.rpartition("/")
        schema = _crd_schema(data, tables, api_version, kind, crd_file)
        if kind == "Component":
            schema = ComponentSchema(data, tables).build(schema)
        schemas[catalog_path(api_version, kind)] = schema
    schemas[ALL] = _all_schema(kinds)
    schemas[CATALOG] = _catalog(schemas, base_url)
    return schemas


def write_schemas(schemas: dict[str, dict], out: Path) -> list[Path]:
    """Write each schema under *out* (atomically; never through a symbolic link)."""
    from .atomic import atomic_write

    written = []
    for relpath, schema in sorted(schemas.items()):
        target = out / relpath
        for part in [target, *target.parents]:
            if part == out.parent:
                break
            if part.is_symlink():
                raise ExportError(f"{part} is a symbolic link: not writing through it")
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, (json.dumps(schema, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    """`daprlint schema --out DIR [--dapr-version V] [--base-url URL]`; 0 written, 2 error."""
    import argparse

    parser = argparse.ArgumentParser(prog="daprlint schema", description="Write JSON Schemas of the Dapr "
                                     "resources for YAML editors and kubeconform (see docs/editor-schemas.md).")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write the schemas into")
    parser.add_argument("--dapr-version", metavar="V", help="the Dapr release to describe (needs daprlint's "
                        "versioned data; the bundled data when left out)")
    parser.add_argument("--base-url", default="", metavar="URL", help="prefix for the URLs in catalog.json "
                        "(default: relative to the catalog)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    from .packs import PackError, load_packs

    try:
        base_url = args.base_url if not args.base_url or args.base_url.endswith("/") else args.base_url + "/"
        schemas = build_schemas(load_packs().data, args.dapr_version, base_url)
        written = write_schemas(schemas, Path(args.out))
    except (ExportError, PackError, OSError) as exc:
        print(f"daprlint schema: error: {exc}", file=sys.stderr)
        return 2
    print(f"daprlint schema: wrote {len(written)} files to {args.out}")
    return 0

"""Dapr resources built straight from YAML nodes (no second parse).

A document is ours when its `apiVersion` starts with `dapr.io/`; a
`kind: List` contributes its items. Metadata names keep their spelling, and
`key` gives the lower-cased name that Dapr matches on. YAML merge keys
(`<<: *base`) were resolved by the loader.
"""
from __future__ import annotations

import re

TYPE_CHECKING = False  # typing costs ~3 ms at start-up: annotations only
if TYPE_CHECKING:
    from typing import Iterator

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .span import Span

NULL_TAG = "tag:yaml.org,2002:null"
STR_TAG = "tag:yaml.org,2002:str"
_GO_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.S)


def get(node: Node | None, key: str) -> Node | None:
    """The value node of *key* in a mapping (exact key; last one wins, as in Go)."""
    if not isinstance(node, MappingNode):
        return None
    found = None
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            found = v
    return found


def get_key(node: Node | None, key: str) -> ScalarNode | None:
    if not isinstance(node, MappingNode):
        return None
    found = None
    for k, _ in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            found = k
    return found


def text_of(node: Node | None) -> str | None:
    """A scalar's text, or None for a missing, null or non-scalar node."""
    if node.__class__ is ScalarNode and node.tag != NULL_TAG:
        return node.value
    return None


def is_templated(text: str) -> bool:
    """Go/Helm template expressions are rendered later; don't judge them."""
    return "{{" in text and _GO_TEMPLATE.search(text) is not None


class Scalar:
    """A located scalar value (the span is worked out only when asked for)."""

    __slots__ = ("value", "node")

    def __init__(self, value: str, node: ScalarNode):
        self.value = value
        self.node = node

    @property
    def span(self) -> Span:
        return Span.of(self.node)

    @classmethod
    def of(cls, node: Node | None) -> "Scalar | None":
        if node.__class__ is ScalarNode and node.tag != NULL_TAG:
            return cls(node.value, node)
        return None

    def __repr__(self) -> str:
        return f"Scalar({self.value!r})"


class MetadataItem:
    """One `spec.metadata` entry: `{name, value | secretKeyRef | envRef}`.

    `key` is the lower-cased name Dapr matches on; `literal` the plain `value`
    when it is a non-empty scalar; `has_value` says whether Dapr sees a value
    (a non-empty literal, a structure, or a reference). All are worked out
    once here because nearly every rule asks.
    """

    __slots__ = ("node", "name", "key", "value_node", "secret_key_ref", "env_ref", "literal", "has_value")

    def __init__(self, node: Node, name: Scalar | None, value_node: Node | None = None,
                 secret_key_ref: Node | None = None, env_ref: Scalar | None = None):
        self.node = node
        self.name = name
        self.key = name.value.lower() if name else None
        self.value_node = value_node
        self.secret_key_ref = secret_key_ref
        self.env_ref = env_ref
        # Scalar.of, inlined: this runs for every metadata item of every file
        if value_node.__class__ is ScalarNode and value_node.tag != NULL_TAG and value_node.value != "":
            self.literal = Scalar(value_node.value, value_node)
            self.has_value = True
        else:
            self.literal = None
            self.has_value = (isinstance(secret_key_ref, MappingNode)
                              or (env_ref is not None and env_ref.value != "")
                              or isinstance(value_node, (MappingNode, SequenceNode)))

    @property
    def span(self) -> Span:
        return Span.of(self.node)

    @property
    def name_span(self) -> Span:
        return self.name.span if self.name else self.span

    @property
    def written(self) -> bool:
        """The item gives its key a value in some shape, even one daprd cannot read
        (`secretKeyRef: "AKIA..."`, a string where a mapping belongs: DPR001's finding)."""
        if self.has_value:
            return True
        if self.node.__class__ is not MappingNode:
            return False
        return any(key.__class__ is ScalarNode and key.value in ("value", "secretKeyRef", "envRef")
                   and (value.__class__ is not ScalarNode or (value.tag != NULL_TAG and value.value != ""))
                   for key, value in self.node.value)

    def __repr__(self) -> str:
        return f"MetadataItem({self.name!r})"


class Resource:
    """A Dapr resource document (or `kind: List` item)."""

    __slots__ = ("path", "node", "doc_index", "api_version", "kind", "name", "namespace", "spec", "type",
                 "version", "auth_secret_store", "metadata", "headers", "memo", "kind_name", "type_name",
                 "type_key", "version_key", "partial", "template")

    def __init__(self, path: str, node: MappingNode, doc_index: int, api_version: Scalar | None,
                 kind: Scalar | None, name: Scalar | None = None, namespace: Scalar | None = None,
                 spec: Node | None = None, type: Scalar | None = None, version: Scalar | None = None,
                 auth_secret_store: Scalar | None = None, metadata: list[MetadataItem] | None = None,
                 headers: list[MetadataItem] | None = None):
        self.path = path
        self.node = node
        self.doc_index = doc_index
        self.api_version = api_version
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.spec = spec
        self.type = type
        self.version = version
        self.auth_secret_store = auth_secret_store
        self.metadata = metadata if metadata is not None else []
        self.headers = headers if headers is not None else []  # HTTPEndpoint spec.headers
        self.memo: dict = {}  # answers rules share about this resource
        self.kind_name = kind.value if kind else ""
        self.type_name = type.value if type else ""
        # how Dapr's data is keyed: lower-cased type, version defaulting to v1
        self.type_key = self.type_name.strip().lower()
        self.version_key = (version.value.strip().lower() if version else "") or "v1"
        self.partial = False  # a kustomize patch, or a template with unseen metadata: no required-field findings
        self.template = None  # the source's template.Prepared when it is a Go/Helm template

    def unknown(self, node: Node | None) -> bool:
        """Rendering decides what *node* holds: a templated scalar, or (in a
        template) a collection an `include`/`toYaml` line adds entries to.
        Rules never judge it."""
        if node is None:
            return False
        if node.__class__ is ScalarNode:
            return "{{" in node.value and is_templated(node.value)
        return self.template is not None and self.template.is_open(node)

    @property
    def span(self) -> Span:
        return Span.of(self.node)

    @property
    def anchor_span(self) -> Span:
        """Where resource-level findings go: `spec.type`, else `kind`, else the document."""
        for part in (self.type, self.kind, self.api_version):
            if part is not None:
                return part.span
        return self.span

    def items(self, key: str) -> list[MetadataItem]:
        """Metadata items whose name matches *key* case-insensitively."""
        key = key.lower()
        return [item for item in self.metadata if item.key == key]

    def first(self, key: str) -> MetadataItem | None:
        found = self.items(key)
        return found[-1] if found else None

    def has(self, key: str) -> bool:
        return any(item.has_value for item in self.items(key))

    def literal(self, key: str) -> str | None:
        item = self.first(key)
        value = item.literal if item else None
        return value.value if value else None

    def __repr__(self) -> str:
        return f"Resource({self.path!r}, {self.kind_name!r}, {self.type_name!r})"


def keys_of(node: Node | None) -> dict[str, Node]:
    """A mapping's scalar keys and their value nodes (last one wins, as in Go); {} for anything else."""
    if node.__class__ is not MappingNode:
        return {}
    return {k.value: v for k, v in node.value if k.__class__ is ScalarNode}


def _metadata_items(seq: Node | None) -> list[MetadataItem]:
    if seq.__class__ is not SequenceNode:
        return []
    items = []
    for entry in seq.value:
        if entry.__class__ is not MappingNode:
            continue
        name = value = ref = env = None
        for k, v in entry.value:  # last one wins, as in Go; one pass, as this runs for every item
            if k.__class__ is ScalarNode:
                key = k.value
                if key == "name":
                    name = v
                elif key == "value":
                    value = v
                elif key == "secretKeyRef":
                    ref = v
                elif key == "envRef":
                    env = v
        # Scalar.of, inlined (twice an item; envRef is seldom written)
        items.append(MetadataItem(entry, Scalar(name.value, name) if name.__class__ is ScalarNode and
                                  name.tag != NULL_TAG else None, value, ref,
                                  None if env is None else Scalar.of(env)))
    return items


def _auth_store(auth: Node | None) -> Scalar | None:
    # encoding/json matches field names case-insensitively: `secretstore` works
    if auth.__class__ is not MappingNode:
        return None
    found = None
    for k, v in auth.value:
        if k.__class__ is ScalarNode and k.value.lower() == "secretstore":
            found = Scalar.of(v)
    return found


def build_resource(path: str, node: MappingNode, doc_index: int, top: dict | None = None) -> Resource:
    """*top*: keys_of(node), when the caller has it already."""
    if top is None:
        top = keys_of(node)
    meta = keys_of(top.get("metadata"))
    spec = top.get("spec")
    spec_fields = keys_of(spec)
    return Resource(
        path, node, doc_index,
        api_version=Scalar.of(top.get("apiVersion")),
        kind=Scalar.of(top.get("kind")),
        name=Scalar.of(meta.get("name")),
        namespace=Scalar.of(meta.get("namespace")),
        spec=spec,
        type=Scalar.of(spec_fields.get("type")),
        version=Scalar.of(spec_fields.get("version")),
        auth_secret_store=_auth_store(top.get("auth")),
        metadata=_metadata_items(spec_fields.get("metadata")),
        headers=_metadata_items(spec_fields.get("headers")),
    )


def is_dapr(node: Node) -> bool:
    api = text_of(get(node, "apiVersion"))
    return api is not None and api.startswith("dapr.io/")


def _is_dapr_fields(fields: dict) -> bool:
    api = text_of(fields.get("apiVersion"))
    return api is not None and api.startswith("dapr.io/")


def resources_of(path: str, documents: list[Node], template=None) -> Iterator[Resource]:
    """Every Dapr resource in the documents, including `kind: List` items.

    *template*: the source's template.Prepared for a Go/Helm template. A
    resource whose spec, `spec.metadata` or top level may get entries only
    rendering shows is partial (its required fields may be among them).
    """
    for resource in _resources(path, documents):
        if template is not None:
            resource.template = template
            resource.partial = (resource.unknown(resource.node) or resource.unknown(resource.spec)
                                or resource.unknown(get(resource.spec, "metadata")))
        yield resource


def _resources(path: str, documents: list[Node]) -> Iterator[Resource]:
    for index, doc in enumerate(documents):
        fields = keys_of(doc)
        if _is_dapr_fields(fields):
            yield build_resource(path, doc, index, fields)
        elif text_of(fields.get("kind")) in ("List", "ComponentList"):
            items = fields.get("items")
            if items.__class__ is SequenceNode:
                for item in items.value:
                    if item.__class__ is MappingNode and is_dapr(item):
                        yield build_resource(path, item, index)


def iter_scalars(root: Node) -> Iterator[tuple[ScalarNode, ScalarNode | None]]:
    """Every scalar value under *root* with its mapping key, each node once.

    Iterative with a visited set, so aliases (even a billion laughs) cost one
    visit per distinct node.
    """
    seen: set[int] = set()
    stack: list[tuple[Node, ScalarNode | None]] = [(root, None)]
    while stack:
        node, key = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        cls = node.__class__
        if cls is ScalarNode:
            yield node, key
        elif cls is MappingNode:
            for k, v in reversed(node.value):
                stack.append((v, k if k.__class__ is ScalarNode else None))
        elif cls is SequenceNode:
            for v in reversed(node.value):
                stack.append((v, key))


def shared_spans(documents: list[Node]) -> list[tuple[int, int]]:
    """(start, end) of every node that an alias or a merge key uses as well as its
    own place (composing makes both places the same object). A fix that edits
    inside one would change every place that uses it."""
    counts: dict[int, int] = {}
    nodes: dict[int, Node] = {}
    for document in documents:
        stack = [document]
        while stack:
            node = stack.pop()
            key = id(node)
            counts[key] = counts.get(key, 0) + 1
            if counts[key] > 1:
                continue  # its children were counted on the first visit
            nodes[key] = node
            cls = node.__class__
            if cls is MappingNode:
                for k, v in node.value:
                    stack.append(k)
                    stack.append(v)
            elif cls is SequenceNode:
                stack.extend(node.value)
    return sorted((nodes[k].start_mark.index, nodes[k].end_mark.index) for k, n in counts.items() if n > 1)

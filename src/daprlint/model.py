"""Dapr resources built straight from YAML nodes (no second parse).

A document is ours when its `apiVersion` starts with `dapr.io/`; a
`kind: List` contributes its items. Metadata names keep their spelling, and
`key` gives the lower-cased name that Dapr matches on.
"""
from __future__ import annotations

import re
from ._record import field, record as dataclass
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
    if isinstance(node, ScalarNode) and node.tag != NULL_TAG:
        return node.value
    return None


def is_templated(text: str) -> bool:
    """Go/Helm template expressions are rendered later; don't judge them."""
    return "{{" in text and _GO_TEMPLATE.search(text) is not None


@dataclass(slots=True)
class Scalar:
    """A located scalar value."""

    value: str
    span: Span
    node: ScalarNode

    @classmethod
    def of(cls, node: Node | None) -> "Scalar | None":
        text = text_of(node)
        return None if text is None else cls(text, Span.of(node), node)


@dataclass(slots=True)
class MetadataItem:
    """One `spec.metadata` entry: `{name, value | secretKeyRef | envRef}`."""

    node: Node
    name: Scalar | None
    value_node: Node | None = None
    secret_key_ref: Node | None = None
    env_ref: Scalar | None = None
    key: str | None = None  # the lower-cased name Dapr matches on, set by _metadata_items


    @property
    def literal(self) -> Scalar | None:
        """The plain `value` when it is a non-empty scalar."""
        value = Scalar.of(self.value_node)
        return value if value and value.value != "" else None

    @property
    def has_value(self) -> bool:
        """Dapr sees a value: a non-empty literal, a structure, or a reference."""
        if self.secret_key_ref is not None and isinstance(self.secret_key_ref, MappingNode):
            return True
        if self.env_ref is not None and self.env_ref.value:
            return True
        if isinstance(self.value_node, (MappingNode, SequenceNode)):
            return True
        return self.literal is not None

    @property
    def span(self) -> Span:
        return Span.of(self.node)

    @property
    def name_span(self) -> Span:
        return self.name.span if self.name else self.span


@dataclass(slots=True)
class Resource:
    """A Dapr resource document (or `kind: List` item)."""

    path: str
    node: MappingNode
    doc_index: int
    api_version: Scalar | None
    kind: Scalar | None
    name: Scalar | None = None
    namespace: Scalar | None = None
    spec: Node | None = None
    type: Scalar | None = None
    version: Scalar | None = None
    auth_secret_store: Scalar | None = None
    metadata: list[MetadataItem] = field(default_factory=list)
    headers: list[MetadataItem] = field(default_factory=list)  # HTTPEndpoint spec.headers
    memo: dict = field(default_factory=dict)  # answers rules share about this resource

    @property
    def span(self) -> Span:
        return Span.of(self.node)

    @property
    def kind_name(self) -> str:
        return self.kind.value if self.kind else ""

    @property
    def type_name(self) -> str:
        return self.type.value if self.type else ""

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


def _metadata_items(spec: Node | None, key: str = "metadata") -> list[MetadataItem]:
    seq = get(spec, key)
    if not isinstance(seq, SequenceNode):
        return []
    items = []
    for entry in seq.value:
        if not isinstance(entry, MappingNode):
            continue
        name = Scalar.of(get(entry, "name"))
        items.append(MetadataItem(
            node=entry,
            name=name,
            key=name.value.lower() if name else None,
            value_node=get(entry, "value"),
            secret_key_ref=get(entry, "secretKeyRef"),
            env_ref=Scalar.of(get(entry, "envRef")),
        ))
    return items


def _auth_store(node: MappingNode) -> Scalar | None:
    # encoding/json matches field names case-insensitively: `secretstore` works
    auth = get(node, "auth")
    if not isinstance(auth, MappingNode):
        return None
    found = None
    for k, v in auth.value:
        if isinstance(k, ScalarNode) and k.value.lower() == "secretstore":
            found = Scalar.of(v)
    return found


def build_resource(path: str, node: MappingNode, doc_index: int) -> Resource:
    meta = get(node, "metadata")
    spec = get(node, "spec")
    return Resource(
        path=path,
        node=node,
        doc_index=doc_index,
        api_version=Scalar.of(get(node, "apiVersion")),
        kind=Scalar.of(get(node, "kind")),
        name=Scalar.of(get(meta, "name")),
        namespace=Scalar.of(get(meta, "namespace")),
        spec=spec,
        type=Scalar.of(get(spec, "type")),
        version=Scalar.of(get(spec, "version")),
        auth_secret_store=_auth_store(node),
        metadata=_metadata_items(spec),
        headers=_metadata_items(spec, "headers"),
    )


def is_dapr(node: Node) -> bool:
    api = text_of(get(node, "apiVersion"))
    return api is not None and api.startswith("dapr.io/")


def resources_of(path: str, documents: list[Node]) -> Iterator[Resource]:
    """Every Dapr resource in the documents, including `kind: List` items."""
    for index, doc in enumerate(documents):
        if not isinstance(doc, MappingNode):
            continue
        if is_dapr(doc):
            yield build_resource(path, doc, index)
        elif text_of(get(doc, "kind")) == "List" or text_of(get(doc, "kind")) == "ComponentList":
            items = get(doc, "items")
            if isinstance(items, SequenceNode):
                for item in items.value:
                    if isinstance(item, MappingNode) and is_dapr(item):
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
        if isinstance(node, ScalarNode):
            yield node, key
        elif isinstance(node, MappingNode):
            for k, v in reversed(node.value):
                stack.append((v, k if isinstance(k, ScalarNode) else None))
        elif isinstance(node, SequenceNode):
            for v in reversed(node.value):
                stack.append((v, key))

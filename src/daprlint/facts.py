"""Per-file facts: what the deployment layer needs to know about a file.

Facts are plain data (names, references and their positions), made from
the model once per file, so deployment rules work the same with the cache
and with --jobs, and never see a YAML node. Every record turns into JSON
lists and back (`to_json` / `from_json`) for the cache. No fact holds a
metadata value other than names and references.
"""
from __future__ import annotations

from ._record import field, record
from .span import Span


@record(slots=True)
class Ref:
    """A located name: what a resource is called or refers to."""

    value: str
    path: str
    span: Span


def _span_list(span: Span) -> list:
    return [span.start, span.end, span.line, span.column, span.end_line, span.end_column]


def ref_json(ref: Ref | None):
    return None if ref is None else [ref.value, _span_list(ref.span)]


def ref_from(path: str, data) -> Ref | None:
    return None if data is None else Ref(data[0], path, Span(*data[1]))


def _refs_json(refs) -> list:
    return [ref_json(r) for r in refs]


def _refs_from(path: str, data) -> list:
    return [ref_from(path, r) for r in data]


@record(slots=True)
class ResourceFacts:
    """A Dapr resource. `namespace` is as written ("" when unset): the
    deployment layer decides the namespace it lands in."""

    path: str
    kind: str
    api_version: str
    name: Ref | None
    namespace: str
    type: str
    scopes: list[Ref] | None
    secret_store: Ref | None = None
    pubsub: Ref | None = None                                   # Subscription spec.pubsubname
    resiliency_components: list[Ref] = field(default_factory=list)
    partial: bool = False                                        # a kustomize patch

    @property
    def category(self) -> str:
        return self.type.split(".", 1)[0] if self.type else ""

    def to_json(self) -> list:
        return [self.kind, self.api_version, ref_json(self.name), self.namespace, self.type,
                None if self.scopes is None else _refs_json(self.scopes), ref_json(self.secret_store),
                ref_json(self.pubsub), _refs_json(self.resiliency_components), self.partial]

    @classmethod
    def from_json(cls, path: str, data: list) -> "ResourceFacts":
        kind, api, name, ns, typ, scopes, store, pubsub, targets, partial = data
        return cls(path, kind, api, ref_from(path, name), ns, typ,
                   None if scopes is None else _refs_from(path, scopes),
                   ref_from(path, store), ref_from(path, pubsub), _refs_from(path, targets), partial)


@record(slots=True)
class FileFacts:
    """Everything the deployment layer knows about one file."""

    path: str
    resources: list[ResourceFacts] = field(default_factory=list)

    def to_json(self) -> list:
        return [[r.to_json() for r in self.resources]]

    @classmethod
    def from_json(cls, path: str, data: list) -> "FileFacts":
        return cls(path, [ResourceFacts.from_json(path, r) for r in data[0]])

    def __bool__(self) -> bool:
        return bool(self.resources)


# -- from the model ----------------------------------------------------------
def _ref(path: str, scalar) -> Ref | None:
    from .model import is_templated

    if scalar is None or not scalar.value or is_templated(scalar.value):
        return None
    return Ref(scalar.value, path, scalar.span)


def resource_facts(resource) -> ResourceFacts:
    """The facts of one model.Resource."""
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    from .model import Scalar, get

    path = resource.path
    scopes_node = get(resource.node, "scopes")
    scopes = None
    if isinstance(scopes_node, SequenceNode):
        scopes = [r for r in (_ref(path, Scalar.of(n)) for n in scopes_node.value) if r is not None]
    facts = ResourceFacts(
        path=path, kind=resource.kind_name,
        api_version=resource.api_version.value if resource.api_version else "",
        name=_ref(path, resource.name),
        namespace=resource.namespace.value if resource.namespace and resource.namespace.value else "",
        type=resource.type_name.strip(), scopes=scopes,
        secret_store=_ref(path, resource.auth_secret_store),
    )
    if facts.kind == "Subscription":
        facts.pubsub = _ref(path, Scalar.of(get(resource.spec, "pubsubname")))
    elif facts.kind == "Resiliency":
        components = get(get(resource.spec, "targets"), "components")
        if isinstance(components, MappingNode):
            for k, _ in components.value:
                if isinstance(k, ScalarNode):
                    r = _ref(path, Scalar.of(k))
                    if r:
                        facts.resiliency_components.append(r)
    return facts


def file_facts(path: str, resources) -> FileFacts:
    return FileFacts(path, [resource_facts(r) for r in resources])

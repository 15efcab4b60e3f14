"""Kubernetes workloads, the other half of a Dapr deployment, built from YAML nodes.

The sidecar injector reads the `dapr.io/*` annotations of a *pod*: a Pod's
own `metadata.annotations`, or the pod template of a Deployment,
StatefulSet, DaemonSet, ReplicaSet, Job (`spec.template`) or CronJob
(`spec.jobTemplate.spec.template`). Annotations on the workload's own
metadata do nothing (kept as `outer_annotations`, so a rule can say so).

Kubernetes' own Secrets (and SealedSecret / ExternalSecret, whose names
count as defined with unknown keys) are modelled here too: `secretKeyRef`
points at them.
"""
from __future__ import annotations

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .model import Scalar, iter_scalars, keys_of, text_of
from .span import Span

TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}
WORKLOAD_KINDS = TEMPLATE_KINDS | {"CronJob", "Pod"}
SECRET_KINDS = {"Secret", "SealedSecret", "ExternalSecret"}
DAPR_PREFIX = "dapr.io/"


class Annotation:
    """One `dapr.io/*` annotation: its key and value, located."""

    __slots__ = ("key", "value_node")

    def __init__(self, key: ScalarNode, value_node: Node | None):
        self.key = Scalar(key.value, key)
        self.value_node = value_node

    @property
    def name(self) -> str:
        return self.key.value

    @property
    def value(self) -> Scalar | None:
        """The value as a string scalar ("" for an explicit empty value); None for a null or a structure."""
        return Scalar.of(self.value_node)

    @property
    def span(self) -> Span:
        return self.key.span


class Workload:
    """A workload (or Pod) whose pod carries annotations."""

    __slots__ = ("path", "node", "doc_index", "kind", "kind_name", "api_version", "name", "namespace",
                 "pod_metadata", "annotations", "outer_annotations", "memo")

    def __init__(self, path: str, node: MappingNode, doc_index: int, kind: Scalar, api_version: Scalar | None,
                 name: Scalar | None, namespace: Scalar | None, pod_metadata: Node | None,
                 annotations: list[Annotation], outer_annotations: list[Annotation]):
        self.path, self.node, self.doc_index = path, node, doc_index
        self.kind, self.kind_name, self.api_version = kind, kind.value, api_version
        self.name, self.namespace = name, namespace
        self.pod_metadata = pod_metadata
        self.annotations = annotations            # dapr.io/* on the pod (template): what the injector reads
        self.outer_annotations = outer_annotations  # dapr.io/* on a template workload's own metadata: ignored
        self.memo: dict = {}

    @property
    def span(self) -> Span:
        return Span.of(self.node)

    @property
    def anchor_span(self) -> Span:
        return self.kind.span

    @property
    def is_template(self) -> bool:
        """True when the pod is made from a template, so its name is generated (empty at admission)."""
        return self.kind_name != "Pod"

    def annotation(self, name: str) -> Annotation | None:
        """The pod annotation `dapr.io/<name>` (the last one, as a map keeps it)."""
        key = DAPR_PREFIX + name
        found = None
        for a in self.annotations:
            if a.name == key:
                found = a
        return found

    def value(self, name: str) -> str | None:
        a = self.annotation(name)
        v = a.value if a is not None else None
        return v.value if v is not None else None

    def __repr__(self) -> str:
        return f"Workload({self.path!r}, {self.kind_name!r})"


def _dapr_annotations(metadata: Node | None) -> list[Annotation]:
    annotations = keys_of(metadata).get("annotations")
    if annotations.__class__ is not MappingNode:
        return []
    return [Annotation(k, v) for k, v in annotations.value
            if k.__class__ is ScalarNode and k.value.startswith(DAPR_PREFIX)]


def _pod_metadata(kind: str, fields: dict) -> Node | None:
    if kind == "Pod":
        return fields.get("metadata")
    spec = keys_of(fields.get("spec"))
    if kind == "CronJob":
        spec = keys_of(keys_of(spec.get("jobTemplate")).get("spec"))
    return keys_of(spec.get("template")).get("metadata")


def build_workload(path: str, node: MappingNode, doc_index: int, fields: dict | None = None) -> Workload | None:
    """*fields*: keys_of(node), when the caller has it already."""
    if fields is None:
        fields = keys_of(node)
    kind = Scalar.of(fields.get("kind"))
    if kind is None or kind.value not in WORKLOAD_KINDS:
        return None
    meta = keys_of(fields.get("metadata"))
    pod_metadata = _pod_metadata(kind.value, fields)
    annotations = _dapr_annotations(pod_metadata)
    outer = _dapr_annotations(fields.get("metadata")) if kind.value != "Pod" else []
    return Workload(path, node, doc_index, kind, Scalar.of(fields.get("apiVersion")), Scalar.of(meta.get("name")),
                    Scalar.of(meta.get("namespace")), pod_metadata, annotations, outer)


# The documents list last asked about, its length and its mappings: the engine (workloads_of),
# the facts (secrets_of) and the secret spans (secret_value_nodes) ask for the same file in a
# row, and working the mappings out once saves a third of a file's keys_of calls. A parsed
# file's documents list is complete before anyone asks (loader.parse), and the length guards
# against a list grown since.
_last: tuple = (None, -1, ())


def _documents(documents: list[Node]) -> tuple:
    """(index, mapping, keys_of(mapping)) for each document and each `kind: List` item."""
    global _last
    last = _last
    if last[0] is documents and last[1] == len(documents):
        return last[2]
    found = []
    for index, doc in enumerate(documents):
        if doc.__class__ is not MappingNode:
            continue
        fields = keys_of(doc)
        if text_of(fields.get("kind")) == "List":
            items = fields.get("items")
            if items.__class__ is SequenceNode:
                for item in items.value:
                    if item.__class__ is MappingNode:
                        found.append((index, item, keys_of(item)))
        else:
            found.append((index, doc, fields))
    _last = (documents, len(documents), tuple(found))
    return _last[2]


def workloads_of(path: str, documents: list[Node]) -> list[Workload]:
    """Every workload with a `dapr.io/` annotation (on its pod or, wrongly, on itself)."""
    found = []
    for index, doc, fields in _documents(documents):
        workload = build_workload(path, doc, index, fields)
        if workload is not None and (workload.annotations or workload.outer_annotations):
            found.append(workload)
    return found


class SecretManifest:
    """A Kubernetes Secret (or a SealedSecret / ExternalSecret that makes one)."""

    __slots__ = ("path", "kind", "name", "namespace", "keys")

    def __init__(self, path: str, kind: str, name: Scalar | None, namespace: Scalar | None,
                 keys: list[str] | None):
        self.path, self.kind, self.name, self.namespace = path, kind, name, namespace
        self.keys = keys  # None: the keys are not knowable from the manifest


def _mapping_keys(node: Node | None) -> list[str]:
    if node.__class__ is not MappingNode:
        return []
    return [k.value for k, _ in node.value if k.__class__ is ScalarNode]


def secrets_of(path: str, documents: list[Node]) -> list[SecretManifest]:
    found = []
    for _index, _doc, fields in _documents(documents):
        kind = text_of(fields.get("kind"))
        if kind not in SECRET_KINDS:
            continue
        meta = keys_of(fields.get("metadata"))
        name, namespace = Scalar.of(meta.get("name")), Scalar.of(meta.get("namespace"))
        keys = None
        if kind == "Secret":
            keys = _mapping_keys(fields.get("data")) + _mapping_keys(fields.get("stringData"))
        elif kind == "SealedSecret":  # bitnami: spec.template.metadata.name may rename the Secret it makes
            template = keys_of(keys_of(fields.get("spec")).get("template"))
            name = Scalar.of(keys_of(template.get("metadata")).get("name")) or name
        elif kind == "ExternalSecret":  # external-secrets.io: spec.target.name, default metadata.name
            target = keys_of(keys_of(fields.get("spec")).get("target"))
            name = Scalar.of(target.get("name")) or name
        found.append(SecretManifest(path, kind, name, namespace, keys))
    return found


def secret_value_nodes(documents: list[Node]):
    """The value nodes under `data` and `stringData` of every Secret manifest."""
    for _index, _doc, fields in _documents(documents):
        if text_of(fields.get("kind")) != "Secret":
            continue
        for key in ("data", "stringData"):
            values = fields.get(key)
            if values.__class__ is MappingNode:
                for _k, v in values.value:
                    for node, _ in iter_scalars(v):
                        yield node

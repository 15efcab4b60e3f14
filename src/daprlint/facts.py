"""Per-file facts: what the deployment layer needs to know about a file.

Facts are plain data (names, references and their positions), made from
the model once per file, so deployment rules work the same with the cache
and with --jobs, and never see a YAML node. Every record turns into JSON
lists and back (`to_json` / `from_json`) for the cache. No fact holds a
metadata value: only names, references, paths and keys.
"""
from __future__ import annotations

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ._record import field, record
from .model import Scalar, get, is_templated, keys_of
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
class SecretRef:
    """A `secretKeyRef` of a metadata item or header: the Secret, its key (None: the secret's name)."""

    item: str          # the metadata item's name
    name: Ref
    key: Ref | None

    def to_json(self) -> list:
        return [self.item, ref_json(self.name), ref_json(self.key)]

    @classmethod
    def from_json(cls, path: str, data: list) -> "SecretRef":
        return cls(data[0], ref_from(path, data[1]), ref_from(path, data[2]))


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
    secret_refs: list[SecretRef] = field(default_factory=list)
    # Resiliency: targets.apps, the policies its targets name ([kind, Ref]) and those it defines
    resiliency_apps: list[Ref] = field(default_factory=list)
    policy_refs: list = field(default_factory=list)
    policies: dict = field(default_factory=dict)                  # {"timeouts": [names], ...}
    # secretstores.local.file: [secretsFile, nestedSeparator, multiValued] as written
    local_file: list | None = None

    @property
    def category(self) -> str:
        return self.type.split(".", 1)[0] if self.type else ""

    def to_json(self) -> list:
        return [self.kind, self.api_version, ref_json(self.name), self.namespace, self.type,
                None if self.scopes is None else _refs_json(self.scopes), ref_json(self.secret_store),
                ref_json(self.pubsub), _refs_json(self.resiliency_components), self.partial,
                [s.to_json() for s in self.secret_refs], _refs_json(self.resiliency_apps),
                [[k, ref_json(r)] for k, r in self.policy_refs], self.policies,
                None if self.local_file is None else [ref_json(self.local_file[0])] + self.local_file[1:]]

    @classmethod
    def from_json(cls, path: str, data: list) -> "ResourceFacts":
        (kind, api, name, ns, typ, scopes, store, pubsub, targets, partial, secret_refs, apps, policy_refs,
         policies, local_file) = data
        return cls(path, kind, api, ref_from(path, name), ns, typ,
                   None if scopes is None else _refs_from(path, scopes),
                   ref_from(path, store), ref_from(path, pubsub), _refs_from(path, targets), partial,
                   [SecretRef.from_json(path, s) for s in secret_refs], _refs_from(path, apps),
                   [[k, ref_from(path, r)] for k, r in policy_refs], policies,
                   None if local_file is None else [ref_from(path, local_file[0])] + local_file[1:])


@record(slots=True)
class WorkloadFacts:
    """A workload whose pod has `dapr.io/` annotations."""

    path: str
    kind: str
    name: Ref | None
    namespace: str
    enabled: str | None    # dapr.io/enabled as written (what injects depends on the Dapr version)
    app_id: Ref | None     # dapr.io/app-id, or the Pod's own name (the injector's default)
    app_id_known: bool     # False: a template's pod has a generated name, so no app ID at all
    config: Ref | None     # dapr.io/config

    def to_json(self) -> list:
        return [self.kind, ref_json(self.name), self.namespace, self.enabled, ref_json(self.app_id),
                self.app_id_known, ref_json(self.config)]

    @classmethod
    def from_json(cls, path: str, data: list) -> "WorkloadFacts":
        kind, name, ns, enabled, app_id, known, config = data
        return cls(path, kind, ref_from(path, name), ns, enabled, ref_from(path, app_id), known,
                   ref_from(path, config))


@record(slots=True)
class SecretFacts:
    """A Secret a deployment defines (kind Secret, SealedSecret, ExternalSecret, or a kustomize generator)."""

    path: str
    kind: str
    name: Ref
    namespace: str
    keys: list[str] | None  # None: not knowable from the manifest

    def to_json(self) -> list:
        return [self.kind, ref_json(self.name), self.namespace, self.keys]

    @classmethod
    def from_json(cls, path: str, data: list) -> "SecretFacts":
        return cls(path, data[0], ref_from(path, data[1]), data[2], data[3])


@record(slots=True)
class RunAppFacts:
    app_id: Ref | None
    app_dir: Ref | None
    resources: list[Ref]
    config: Ref | None

    def to_json(self) -> list:
        return [ref_json(self.app_id), ref_json(self.app_dir), _refs_json(self.resources), ref_json(self.config)]

    @classmethod
    def from_json(cls, path: str, data: list) -> "RunAppFacts":
        return cls(ref_from(path, data[0]), ref_from(path, data[1]), _refs_from(path, data[2]),
                   ref_from(path, data[3]))


@record(slots=True)
class RunFileFacts:
    apps: list[RunAppFacts]
    common_resources: list[Ref]
    common_config: Ref | None

    def to_json(self) -> list:
        return [[a.to_json() for a in self.apps], _refs_json(self.common_resources), ref_json(self.common_config)]

    @classmethod
    def from_json(cls, path: str, data: list) -> "RunFileFacts":
        return cls([RunAppFacts.from_json(path, a) for a in data[0]], _refs_from(path, data[1]),
                   ref_from(path, data[2]))


@record(slots=True)
class KustomizationFacts:
    namespace: str
    resources: list[Ref]
    patches: list[Ref]
    secret_generators: list  # [Ref name, keys or None]

    def to_json(self) -> list:
        return [self.namespace, _refs_json(self.resources), _refs_json(self.patches),
                [[ref_json(n), k] for n, k in self.secret_generators]]

    @classmethod
    def from_json(cls, path: str, data: list) -> "KustomizationFacts":
        return cls(data[0], _refs_from(path, data[1]), _refs_from(path, data[2]),
                   [[ref_from(path, n), k] for n, k in data[3]])


@record(slots=True)
class FileFacts:
    """Everything the deployment layer knows about one file."""

    path: str
    resources: list[ResourceFacts] = field(default_factory=list)
    workloads: list[WorkloadFacts] = field(default_factory=list)
    secrets: list[SecretFacts] = field(default_factory=list)
    run_file: RunFileFacts | None = None
    kustomization: KustomizationFacts | None = None
    chart: str | None = None  # the chart's name, for a Chart.yaml

    def to_json(self) -> list:
        return [[r.to_json() for r in self.resources], [w.to_json() for w in self.workloads],
                [s.to_json() for s in self.secrets], None if self.run_file is None else self.run_file.to_json(),
                None if self.kustomization is None else self.kustomization.to_json(), self.chart]

    @classmethod
    def from_json(cls, path: str, data: list) -> "FileFacts":
        resources, workloads, secrets, run_file, kustomization, chart = data
        return cls(path, [ResourceFacts.from_json(path, r) for r in resources],
                   [WorkloadFacts.from_json(path, w) for w in workloads],
                   [SecretFacts.from_json(path, s) for s in secrets],
                   None if run_file is None else RunFileFacts.from_json(path, run_file),
                   None if kustomization is None else KustomizationFacts.from_json(path, kustomization), chart)


# -- from the model ----------------------------------------------------------
def _ref(path: str, scalar) -> Ref | None:
    if scalar is None or not scalar.value or is_templated(scalar.value):
        return None
    return Ref(scalar.value, path, scalar.span)


def _secret_refs(path: str, items) -> list[SecretRef]:
    found = []
    for item in items:
        if item.secret_key_ref.__class__ is not MappingNode or item.name is None:
            continue  # most items have no secretKeyRef: nothing to look up
        fields = keys_of(item.secret_key_ref)
        name = _ref(path, Scalar.of(fields.get("name")))
        if name is not None and item.name is not None:
            found.append(SecretRef(item.name.value, name, _ref(path, Scalar.of(fields.get("key")))))
    return found


_POLICY_KINDS = (("timeout", "timeouts"), ("retry", "retries"), ("circuitBreaker", "circuitBreakers"))


def _resiliency(facts: ResourceFacts, resource) -> None:
    path = resource.path
    policies = keys_of(get(resource.spec, "policies"))
    facts.policies = {plural: sorted(keys_of(policies.get(plural))) for _, plural in _POLICY_KINDS}
    targets = keys_of(get(resource.spec, "targets"))
    components = targets.get("components")
    if isinstance(components, MappingNode):
        for k, _ in components.value:
            if isinstance(k, ScalarNode):
                r = _ref(path, Scalar.of(k))
                if r:
                    facts.resiliency_components.append(r)
    apps = targets.get("apps")
    if isinstance(apps, MappingNode):
        facts.resiliency_apps = [r for r in (_ref(path, Scalar.of(k)) for k, _ in apps.value) if r]
    # every policy reference: targets.<apps|actors>.<name>.<kind> and components.<name>.<inbound|outbound>.<kind>
    for group in ("apps", "actors", "components"):
        entries = targets.get(group)
        if not isinstance(entries, MappingNode):
            continue
        for _name, target in entries.value:
            blocks = [target] if group != "components" else [keys_of(target).get(d) for d in ("inbound", "outbound")]
            for block in blocks:
                fields = keys_of(block)
                for kind, _plural in _POLICY_KINDS:
                    r = _ref(path, Scalar.of(fields.get(kind)))
                    if r is not None:
                        facts.policy_refs.append([kind, r])


def resource_facts(resource) -> ResourceFacts:
    """The facts of one model.Resource."""
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
        partial=bool(getattr(resource, "partial", False)),
    )
    facts.secret_refs = _secret_refs(path, resource.metadata)
    if resource.headers:
        facts.secret_refs += _secret_refs(path, resource.headers)
    if facts.kind == "Subscription":
        facts.pubsub = _ref(path, Scalar.of(get(resource.spec, "pubsubname")))
    elif facts.kind == "Resiliency":
        _resiliency(facts, resource)
    elif resource.type_key == "secretstores.local.file":
        file = resource.first("secretsFile")
        facts.local_file = [_ref(path, file.literal if file else None), resource.literal("nestedSeparator"),
                            resource.literal("multiValued")]
    return facts


def workload_facts(workload) -> WorkloadFacts:
    path = workload.path
    enabled_value = workload.value("enabled")
    app_id = workload.annotation("app-id")
    app_id_ref = _ref(path, app_id.value) if app_id is not None else None
    known = True
    if app_id is None or (app_id.value is not None and app_id.value.value == ""):
        if workload.is_template:
            known = False  # the pod of a template has no name at admission (dapr/dapr#5141)
        else:
            app_id_ref = _ref(path, workload.name)
            known = app_id_ref is not None
    elif app_id_ref is None:
        known = False  # templated
    config = workload.annotation("config")
    return WorkloadFacts(path, workload.kind_name, _ref(path, workload.name),
                         workload.namespace.value if workload.namespace and workload.namespace.value else "",
                         enabled_value, app_id_ref, known,
                         _ref(path, config.value) if config is not None else None)


def secret_facts(secret) -> SecretFacts | None:
    name = _ref(secret.path, secret.name)
    if name is None:
        return None
    return SecretFacts(secret.path, secret.kind, name,
                       secret.namespace.value if secret.namespace and secret.namespace.value else "", secret.keys)


def run_file_facts(run_file) -> RunFileFacts:
    path = run_file.path
    apps = [RunAppFacts(_ref(path, a.app_id), _ref(path, a.app_dir), [r for r in (_ref(path, s) for s in
                        a.resources_paths) if r], _ref(path, a.config_file)) for a in run_file.apps]
    return RunFileFacts(apps, [r for r in (_ref(path, s) for s in run_file.common_resources_paths) if r],
                        _ref(path, run_file.common_config_file))


def kustomization_facts(k) -> KustomizationFacts:
    path = k.path
    return KustomizationFacts(
        k.namespace.value if k.namespace is not None and k.namespace.value else "",
        [r for r in (_ref(path, s) for s in k.resources) if r], [r for r in (_ref(path, s) for s in k.patches) if r],
        [[r, keys] for r, keys in ((_ref(path, n), keys) for n, keys in k.secret_generators) if r])


def file_facts(path: str, documents, resources, pods, run_file) -> FileFacts:
    """The facts of a file from its documents and what the engine modelled of them."""
    from . import projectfiles, workloads

    facts = FileFacts(path, [resource_facts(r) for r in resources])
    facts.workloads = [workload_facts(w) for w in pods]
    facts.secrets = [s for s in (secret_facts(m) for m in workloads.secrets_of(path, documents)) if s]
    if run_file is not None:
        facts.run_file = run_file_facts(run_file)
    kustomization = projectfiles.kustomization_of(path, documents)
    if kustomization is not None:
        facts.kustomization = kustomization_facts(kustomization)
    facts.chart = projectfiles.chart_of(path, documents)
    return facts

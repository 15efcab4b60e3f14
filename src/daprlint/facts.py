"""Per-file facts: what the deployment layer needs to know about a file.

Facts are plain data (names, references and their positions), made from
the model once per file, so deployment rules work the same with the cache
and with --jobs, and never see a YAML node. Every record turns into plain
lists and tuples and back (`to_json` / `from_json`) for the cache, which
writes them with marshal. No fact holds a metadata value: only names,
references, paths and keys.

They are made from the model in factfinder.py: this module imports no YAML
code, so a run that reads every file's facts from the cache parses nothing.
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


# A Ref is stored as one flat tuple, (value, *span), its path being the
# row's: one object for marshal to write instead of a list holding a list,
# built by one tuple concatenation instead of six property reads. With the
# shortcuts in to_json below (an empty part as the empty tuple, None for a
# file with no facts), the facts of tree-1000-s42 encode in 15.6M
# instructions instead of 39.5M (repo-3000-s42: 29M instead of 71M),
# marshal writes 264 kB instead of 294 kB, and from_json reads them in 52M
# instead of 57M.
# tests/test_cache_write_cost.py checks the round trip.
_new_span = tuple.__new__


def ref_json(ref: Ref | None):
    return None if ref is None else (ref.value,) + ref.span


def ref_from(path: str, data) -> Ref | None:
    return None if data is None else Ref(data[0], path, _new_span(Span, data[1:7]))


def _refs_json(refs) -> list:
    return [None if r is None else (r.value,) + r.span for r in refs]


def _refs_from(path: str, data) -> list:
    return [None if r is None else Ref(r[0], path, _new_span(Span, r[1:7])) for r in data]


@record(slots=True)
class SecretRef:
    """A `secretKeyRef` of a metadata item or header: the Secret, its key (None: the secret's name)."""

    item: str          # the metadata item's name
    name: Ref
    key: Ref | None

    def to_json(self) -> tuple:
        return (self.item, ref_json(self.name), ref_json(self.key))

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
        # an empty list is written as the empty tuple (no call, no new list): most resources have most of
        # these empty (from_json makes lists again)
        scopes, targets, secret_refs, apps, policy_refs = (self.scopes, self.resiliency_components,
                                                           self.secret_refs, self.resiliency_apps, self.policy_refs)
        return [self.kind, self.api_version, ref_json(self.name), self.namespace, self.type,
                None if scopes is None else _refs_json(scopes), ref_json(self.secret_store),
                ref_json(self.pubsub), _refs_json(targets) if targets else (), self.partial,
                [s.to_json() for s in secret_refs] if secret_refs else (),
                _refs_json(apps) if apps else (), [(k, ref_json(r)) for k, r in policy_refs] if policy_refs else (),
                self.policies,
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

    @property
    def points_at_files(self) -> bool:
        """A kustomization or a run file: its references name other files, which a run follows."""
        return self.kustomization is not None or self.run_file is not None

    def to_json(self) -> list | None:
        """None for a file with no facts at all (most YAML that is not Dapr's): nothing to build."""
        resources, workloads, secrets = self.resources, self.workloads, self.secrets
        if not (resources or workloads or secrets) and self.run_file is None and self.kustomization is None \
                and self.chart is None:
            return None
        return [[r.to_json() for r in resources] if resources else (),
                [w.to_json() for w in workloads] if workloads else (),
                [s.to_json() for s in secrets] if secrets else (),
                None if self.run_file is None else self.run_file.to_json(),
                None if self.kustomization is None else self.kustomization.to_json(), self.chart]

    @classmethod
    def from_json(cls, path: str, data: list | None) -> "FileFacts":
        if data is None:
            return cls(path)
        resources, workloads, secrets, run_file, kustomization, chart = data
        return cls(path, [ResourceFacts.from_json(path, r) for r in resources],
                   [WorkloadFacts.from_json(path, w) for w in workloads],
                   [SecretFacts.from_json(path, s) for s in secrets],
                   None if run_file is None else RunFileFacts.from_json(path, run_file),
                   None if kustomization is None else KustomizationFacts.from_json(path, kustomization), chart)

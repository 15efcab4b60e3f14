"""The deployment facts of one file (facts.py), taken from its model.

Apart from facts.py, whose records the cache reads back without importing
PyYAML; this module walks YAML nodes.
"""
from __future__ import annotations

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from . import projectfiles, workloads
from .facts import (FileFacts, KustomizationFacts, Ref, ResourceFacts, RunAppFacts, RunFileFacts, SecretFacts,
                    SecretRef, WorkloadFacts)
from .model import Scalar, get, is_templated, keys_of


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

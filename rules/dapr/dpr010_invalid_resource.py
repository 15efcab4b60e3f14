"""A Dapr resource other than a Component breaks its CRD, or is skipped.

## What it does
Validates Configuration, Resiliency, Subscription (`dapr.io/v1alpha1` and
`dapr.io/v2alpha1`), HTTPEndpoint, MCPServer and WorkflowAccessPolicy
documents against the JSON Schema of their CRD from dapr/dapr (generated
into `rules/generated/crds/`). Each error is reported at the offending node.
Components are DPR001's.

It also reports documents that daprd silently skips because `kind` or
`apiVersion` is a near miss of a Dapr one: `kind: component`,
`kind: Components`, `apiVersion: dapr.io/v1alpha`, or a Subscription with
an apiVersion other than `v1alpha1`/`v2alpha1`.

Relaxations (what self-hosted daprd accepts although the CRD does not, in
the spirit of DPR001's lint variant of the Component CRD; each one is
something Dapr's own files do):

- an empty (null) list or mapping is accepted wherever a list or mapping is:
  Go decodes null as an empty value (`features:` with nothing under it, in
  37 components-contrib certification configs);
- Configuration `spec.mtls` without `controlPlaneTrustDomain` and
  `sentryAddress`: daprd uses its defaults (docs mTLS pages, dapr/dapr
  `tests/config/dapr_mtls_off_config.yaml`);
- Configuration `spec.metric` / `spec.metrics` without `enabled`: metrics
  default to enabled (dapr/dapr `pkg/config/testdata/metric_rec.yaml`);
- Configuration `spec.nameResolution` without `version` or `configuration`:
  daprd defaults the version (docs name-resolution pages);
- Subscription `v2alpha1` route rules with an empty `match` (the docs'
  dead-letter example);
- Resiliency without `spec.targets`: daprd loads the policies and applies
  them to nothing (dapr/dapr `pkg/resiliency/testdata/resiliency_scoped.yaml`,
  the docs' Resiliency schema example).

Values that are docs placeholders (`<REPLACE-WITH-VALUE>`) are not judged.

## Why is this bad?
The Kubernetes API server rejects such a manifest; self-hosted daprd logs a
warning and skips the document, or ignores the misspelled part, so the
policy, subscription or endpoint is silently missing.

## Example
```yaml
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: orders
spec:
  pubsubname: pubsub
  topic: orders
```
Use instead:
```yaml
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: orders
spec:
  pubsubname: pubsub
  topic: orders
  routes:
    default: /orders
```
"""

from daprlint.redact import shown

CODE = "DPR010"
NAME = "invalid-resource"
SEVERITY = "error"
SUMMARY = "Dapr resource breaks its CRD, or has a kind/apiVersion daprd skips"
FIX = "none"
KINDS = ("*",)

INDEX = "generated/crds/index.json"
_SPEC = ("properties", "spec", "properties")
# schema file -> {path to an object schema: required fields to drop}; the docstring gives each reason
RELAXATIONS = {
    "configuration-v1alpha1.schema.json": {
        _SPEC + ("mtls",): ["controlPlaneTrustDomain", "sentryAddress"],
        _SPEC + ("metric",): ["enabled"],
        _SPEC + ("metrics",): ["enabled"],
        _SPEC + ("nameResolution",): ["version", "configuration"],
    },
    "resiliency-v1alpha1.schema.json": {("properties", "spec"): ["targets"]},
}
# schema file -> paths of scalar schemas that also accept null
NULLABLE = {
    "subscription-v2alpha1.schema.json": [_SPEC + ("routes", "properties", "rules", "items", "properties", "match")],
}


def check(resource, ctx):
    index = ctx.data.json(INDEX)
    kinds = _kinds(index, ctx.data)
    kind = resource.kind
    api = resource.api_version
    if kind is None or api is None:
        return
    if kind.value not in kinds:
        near = _near_kind(kind.value, kinds)
        if near:
            yield ctx.report(kind.span, f"`kind: {_short(kind.value)}` is not a Dapr kind, so daprd skips this "
                                        f"document: write `kind: {near}` (exact case)")
        return
    if api.value not in kinds[kind.value]:
        allowed = " or ".join(sorted(kinds[kind.value]))
        yield ctx.report(api.span, f"`apiVersion` {shown(api.value)} is not one daprd loads `{kind.value}` "
                                   f"from, so the document is skipped: use {allowed}")
        return
    if kind.value == "Component":
        return  # DPR001
    name = index.get(f"{api.value}/{kind.value}")
    if not name:
        return
    validator = _validator(name, ctx, resource.partial)
    if validator is None or validator.fast_valid(resource.node):
        return
    seen = set()
    for node, path, message in validator.errors(resource.node):
        key = (path, message)
        if key in seen or _placeholder(node) or resource.unknown(node):
            continue
        seen.add(key)
        yield ctx.report(_span(node), f"`{_pointer(path)}` {message}")


def _kinds(index, data):
    """kind -> the apiVersions daprd loads it from (the CRDs' served versions)."""
    memo = data.memo(CODE)
    if "kinds" not in memo:
        kinds = {}
        for key in index:
            api, _, kind = key.rpartition("/")
            kinds.setdefault(kind, set()).add(api)
        memo["kinds"] = kinds
    return memo["kinds"]


def _validator(name, ctx, partial=False):
    """The node validator of one CRD schema (*partial*: for a kustomize patch, no field is required)."""
    validators = ctx.data.memo(CODE + ".validators")
    key = (name, partial)
    if key not in validators:
        import copy

        from daprlint.schema import NodeValidator, Unsupported

        path = ctx.data.path("generated/crds/" + name)
        schema = ctx.data.json("generated/crds/" + name)
        schema = copy.deepcopy(schema)  # the pack data is shared: never change it in place
        for at, drop in RELAXATIONS.get(name, {}).items():
            node = _at(schema, at)
            if node is None:
                continue
            node["required"] = [r for r in node.get("required", []) if r not in drop]
            if not node["required"]:
                del node["required"]
        for at in NULLABLE.get(name, ()):
            node = _at(schema, at)
            if node is not None and isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
        _allow_null_collections(schema)
        try:
            validators[key] = NodeValidator(schema, path, ignore_required=partial)
        except Unsupported:
            validators[key] = None
    return validators[key]


def _at(schema, path):
    for part in path:
        if not isinstance(schema, dict) or part not in schema:
            return None
        schema = schema[part]
    return schema


def _allow_null_collections(schema):
    """Every list or mapping may also be null (Go decodes null as the empty value)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") in ("object", "array"):
                node["type"] = [node["type"], "null"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _near_kind(kind, kinds):
    lowered = kind.strip().lower()
    for known in kinds:
        k = known.lower()
        if lowered in (k, k + "s", k + "list"):
            return known
    import difflib

    match = difflib.get_close_matches(lowered, [k.lower() for k in kinds], n=1, cutoff=0.8)
    if match:
        return next(k for k in kinds if k.lower() == match[0])
    return None


def _placeholder(node):
    from yaml.nodes import ScalarNode

    return isinstance(node, ScalarNode) and "<" in node.value and ">" in node.value


def _short(text):
    return text if len(text) <= 40 and text.replace("-", "").isalnum() else "..."


def _span(node):
    from daprlint.span import Span

    return Span.of(node)


def _pointer(path):
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "document"

"""A Dapr resource other than a Component breaks its CRD, or is skipped.

## What it does
Validates Configuration, Resiliency, Subscription (`dapr.io/v1alpha1` and
`dapr.io/v2alpha1`), HTTPEndpoint, MCPServer and WorkflowAccessPolicy
documents against their CRD from dapr/dapr, in the variant of the deployment
mode (docs/versions.md "CRD modes"); each error is reported at the offending
node. Components are DPR001's.

- **kubernetes** (the default): what the API server rejects, required
  fields included: a Subscription needs a non-empty `metadata.name`,
  `spec.mtls` needs `controlPlaneTrustDomain` and `sentryAddress`
  (dapr/dapr#8716: `spec.mtls.controlPlaneTrustDomain: Required value`),
  `spec.tracing` needs `samplingRate`. `null` is accepted on an optional
  field (the API server prunes it) and counts as missing on a required one.
- **self-hosted**: what daprd's own loader rejects: values of the wrong
  type (a Subscription's `metadata` values must be strings), a `metadata.name`
  of `.`, `..` or with `/` or `%`, and for MCPServer and WorkflowAccessPolicy
  (which daprd validates against the CRD) the whole schema. What only the
  API server enforces is not reported in this mode.

It also reports documents that daprd silently skips because `kind` or
`apiVersion` is a near miss of a Dapr one: `kind: component`,
`kind: Components`, `apiVersion: dapr.io/v1alpha`, or a Subscription with
an apiVersion other than `v1alpha1`/`v2alpha1`.

Not judged: templates and placeholders (`{{ .Values.x }}`, `${VAR}`,
`<REPLACE-WITH-VALUE>`), and what DPR008 reports. Unknown fields are DPR011's.

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

from daprlint import structure
from daprlint.redact import shown
from daprlint.span import Span

CODE = "DPR010"
NAME = "invalid-resource"
SEVERITY = "error"
SUMMARY = "Dapr resource breaks its CRD, or has a kind/apiVersion daprd skips"
FIX = "none"
KINDS = ("*",)

INDEX = "generated/crds/index.json"
_SPEC = ("properties", "spec", "properties")
# Not used by this rule, which judges by mode (daprlint.structure): the editor schemas
# (src/daprlint/schema_export.py) read these to stay as lenient as daprd's common files are.
# schema file -> {path to an object schema: required fields to drop}
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
    for node, message in structure.schema_findings(resource, ctx):
        yield ctx.report(Span.of(node), message)


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


def _short(text):
    return text if len(text) <= 40 and text.replace("-", "").isalnum() else "..."

"""A Dapr resource has a field that its CRD does not define.

## What it does
Checks every key of every Dapr resource kind against the kind's CRD from
dapr/dapr, at every level: the top level, `metadata` (where the Kubernetes
ObjectMeta fields are fine: `labels`, `annotations`, `ownerReferences`, ...),
`spec` and below. It says what was probably meant: the right case
(`Scopes`), a close spelling (`scope` for `scopes`), the place where the
field is defined (`maxConcurrentWorkflowInvocations` is a field of
`spec.workflow`, not of `spec.metrics.workflow`), and for a few known
mistakes what to write instead (`spec.tracing.enabled`).

Open places are not judged: free maps (Resiliency policies by name,
Subscription `metadata`), values the CRD keeps as they are (a metadata
item's `value`, `nameResolution.configuration`), template and placeholder
keys. What DPR008 reports as misplaced (`spec.auth`, `spec.scopes`, a
top-level `type`) is DPR008's, a `secretKeyRef` that writes `value:` instead
of `key:` DPR012's; types and required fields are DPR001's and DPR010's.

By mode: in Kubernetes mode (the default) names match exactly, as the API
server's schema does. Self-hosted, daprd decodes most kinds with
sigs.k8s.io/yaml into encoding/json, which accepts a key that differs only
in case (`Scopes:` works), so only other names are reported; a
Configuration is decoded with gopkg.in/yaml.v3 (dapr/dapr v1.18.3
`pkg/config/configuration.go`), where case matters too.

## Why is this bad?
The Kubernetes API server rejects the manifest (kubectl's strict field
validation) or prunes the field, and self-hosted daprd ignores it silently
(DAPR-FACTS A.3). Either way the setting is lost: in dapr/dapr#7564 a
`scope:` written for `scopes:` made a cron binding fire in every app.

## Example
```yaml
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: cron
spec:
  type: bindings.cron
  version: v1
  metadata:
  - name: schedule
    value: "@every 1m"
scope:
- scheduler
```
Use instead:
```yaml
scopes:
- scheduler
```
"""
from daprlint import structure
from daprlint.span import Span

CODE = "DPR011"
NAME = "unknown-resource-field"
SEVERITY = "error"
SUMMARY = "field that the resource's CRD does not define"
FIX = "none"
KINDS = ("*",)


def check(resource, ctx):
    found = structure.unknown_fields(resource, ctx)
    if not found:
        return
    kind = structure.label(resource.kind_name)
    self_hosted = structure.mode_of(ctx) == structure.SELF_HOSTED
    hidden = structure.hidden_texts(resource, ctx.data)
    for unknown in found:
        where = structure.pointer(unknown.path, hidden)
        if unknown.path[:1] == ("metadata",) and len(unknown.path) == 2:
            what = f"`{where}` is not a Kubernetes object metadata field"
        else:
            what = f"`{where}` is not a field of the {kind} CRD"
        effect = "daprd ignores it" if self_hosted else "the API server rejects or drops it"
        message = f"{what}: {effect}"
        if unknown.hint:
            message += "; " + unknown.hint
        yield ctx.report(Span.of(unknown.key), message)

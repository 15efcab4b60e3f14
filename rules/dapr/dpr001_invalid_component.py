"""The Component breaks the structure of Dapr's Component CRD.

## What it does
Validates each `kind: Component` (`dapr.io/v1alpha1`) against the Component
CRD from dapr/dapr, in the variant of the deployment mode (`mode` in the
config, `--mode`; docs/versions.md "CRD modes"):

- **kubernetes** (the default): what the API server rejects. `spec.type`,
  `spec.version` and `spec.metadata` are required (`spec.metadata: []` at
  least; `null` counts as missing), every metadata item needs a `name`, a
  `secretKeyRef` a `name`, `auth` a `secretStore`, and `metadata.name` must
  be a non-empty DNS-1123 subdomain;
- **self-hosted**: what daprd's loader rejects, which is only a value of the
  wrong type (`ignoreErrors: "yes"`, `spec.metadata` written as a mapping)
  and a `metadata.name` of `.`, `..` or with `/` or `%`. What only the API
  server enforces is not reported in this mode.

Each error is reported at the offending node. Not judged: templates and
placeholders (`{{ .Values.x }}`, `${VAR}`, `<REPLACE-ME>`), and what DPR008
reports as misplaced (a top-level `type` is DPR008's, not a missing
`spec.type` here). Unknown fields are DPR011's, a `secretKeyRef` without
`key` DPR012's.

## Why is this bad?
The Kubernetes API server rejects such a manifest, and self-hosted daprd
skips the document with only a log line.

## Example
```yaml
spec:
  type: state.redis
  metadata:
  - value: orders
```
Use instead:
```yaml
spec:
  type: state.redis
  version: v1
  metadata:
  - name: keyPrefix
    value: orders
```
"""
from daprlint import structure
from daprlint.span import Span

CODE = "DPR001"
NAME = "invalid-component"
SEVERITY = "error"
SUMMARY = "Component breaks the Component CRD's structure"
FIX = "none"
KINDS = ("Component",)
API_VERSIONS = ("dapr.io/v1alpha1",)  # other apiVersions are DPR010's (daprd skips the document)


def check(resource, ctx):
    if resource.api_version is None or resource.api_version.value not in API_VERSIONS:
        return
    for node, message in structure.schema_findings(resource, ctx):
        yield ctx.report(Span.of(node), message)

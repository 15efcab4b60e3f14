"""`dapr.io/app-id` is not a valid app ID.

## What it does
Checks that `<app-id>-dapr` (the Service the operator creates) is an
RFC 1123 label: lower-case letters, digits and `-`, starting and ending
with a letter or digit, at most 63 characters (so the app ID has at most
58), as dapr/dapr `pkg/validation/validation.go`
`ValidateKubernetesAppID` requires.

## Why is this bad?
The injector rejects the pod: `invalid app id (input: ..., service:
...-dapr)` (dapr/dapr#2615).

## Example
```yaml
  dapr.io/app-id: Shop_API
```
Use instead: `dapr.io/app-id: shop-api`.
"""
import re

from daprlint import dapr
from daprlint.redact import shown

CODE = "ANN004"
NAME = "invalid-app-id"
SEVERITY = "error"
SUMMARY = "dapr.io/app-id is not an RFC 1123 label: the injector rejects the pod"
SCOPE = "workload"
KINDS = ("*",)
_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


def check(workload, ctx):
    app_id = workload.annotation("app-id")
    value = app_id.value if app_id is not None else None
    if value is None or value.value == "" or dapr.is_reference_like(value.value) or dapr.is_placeholder(value.value):
        return
    service = value.value + "-dapr"
    if len(service) > 63:
        yield ctx.report(value.span, f"app ID {shown(value.value)} is longer than 58 characters: the injector "
                                     "rejects the pod (its `<app-id>-dapr` Service name must fit in 63)")
    elif not _LABEL.fullmatch(service):
        yield ctx.report(value.span, f"app ID {shown(value.value)} is not a lower-case RFC 1123 label (a-z, 0-9 "
                                     "and `-`, starting and ending with a letter or digit): the injector rejects "
                                     "the pod")

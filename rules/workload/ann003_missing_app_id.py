"""A Dapr-enabled pod template has no `dapr.io/app-id`.

## What it does
Reports a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob
whose pod template enables Dapr but sets no `dapr.io/app-id`.

## Why is this bad?
The injector falls back to the pod's name (dapr/dapr
`pkg/injector/patcher/sidecar_container.go` `GetAppID`), but a pod made
from a template has no name yet when the webhook sees it, so the injector
rejects it: `value for the dapr.io/app-id annotation is empty`
(dapr/dapr#5141, dapr/samples#87). The controller never gets a pod.

## Example
```yaml
  template:
    metadata:
      annotations:
        dapr.io/enabled: "true"
```
Use instead: add `dapr.io/app-id: my-app`.
"""
CODE = "ANN003"
NAME = "missing-app-id"
SEVERITY = "error"
SUMMARY = "Dapr-enabled pod template without dapr.io/app-id: the injector rejects the pod"
SCOPE = "workload"
KINDS = ("*",)
_TRUTHY = ("y", "yes", "true", "t", "on", "1")


def check(workload, ctx):
    enabled = workload.annotation("enabled")
    value = enabled.value if enabled is not None else None
    if value is None or value.value.strip().lower() not in _TRUTHY or not workload.is_template:
        return
    app_id = workload.annotation("app-id")
    if app_id is None or (app_id.value is not None and app_id.value.value == ""):
        yield ctx.report(enabled.span, f"this {workload.kind_name}'s pods enable Dapr without `dapr.io/app-id`: "
                                       "the injector rejects them (a pod made from a template has no name to "
                                       "default to)")

"""`dapr.io/` annotations on a workload instead of its pod template.

## What it does
Reports `dapr.io/*` annotations in the `metadata.annotations` of a
Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob, where the
pod template's `spec.template.metadata.annotations` was meant.

## Why is this bad?
The sidecar injector reads the annotations of each pod, and pods get their
template's annotations, not the workload's: these do nothing.

## Example
```yaml
kind: Deployment
metadata:
  name: shop-api
  annotations:
    dapr.io/enabled: "true"
```
Use instead: move them to `spec.template.metadata.annotations`.
"""
CODE = "ANN005"
NAME = "annotation-on-workload"
SEVERITY = "error"
SUMMARY = "dapr.io/ annotations on the workload, not its pod template: they do nothing"
SCOPE = "workload"
KINDS = ("*",)


def check(workload, ctx):
    inner = {a.name for a in workload.annotations}
    for annotation in workload.outer_annotations:
        also = " (the pod template sets it too)" if annotation.name in inner else ""
        yield ctx.report(annotation.span, f"`{annotation.name}` is on the {workload.kind_name} itself: the "
                                          f"injector reads only the pod template's annotations{also}")

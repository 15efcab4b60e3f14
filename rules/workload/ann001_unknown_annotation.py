"""A `dapr.io/` annotation that the sidecar injector does not read.

## What it does
Checks the keys of every `dapr.io/*` annotation on a pod (a Pod's own, or
a workload's pod template) against the annotations the injector of the
target Dapr release reads (`dapr-version`; data from dapr/dapr
`pkg/injector/annotations/annotations.go` and the `SidecarConfig` tags of
`pkg/injector/patcher/sidecar.go`, per release), and says "did you mean".
An annotation that a later release reads is reported with the release it
arrived in.

## Why is this bad?
The injector silently ignores unknown annotations: a typo (`app-prot` for
`app-port`) leaves the sidecar with its default, and nothing says so.

## Example
```yaml
annotations:
  dapr.io/enabled: "true"
  dapr.io/app-id: shop-api
  dapr.io/app-prot: "8080"
```
Use instead: `dapr.io/app-port: "8080"`.
"""
from daprlint import versions
from daprlint.tree import closest_name

CODE = "ANN001"
NAME = "unknown-dapr-annotation"
SEVERITY = "error"
SUMMARY = "dapr.io/ annotation that the sidecar injector does not read"
SCOPE = "workload"
KINDS = ("*",)


def check(workload, ctx):
    target = versions.resolve(ctx.data, ctx.option("dapr-version"))
    known = versions.annotation_keys(ctx.data, target)
    for annotation in workload.annotations:
        key = annotation.name
        if key in known:
            continue
        later = versions.annotation(ctx.data, key, versions.resolve(ctx.data, "master"))
        if later is not None and later.get("since"):
            yield ctx.report(annotation.span, f"`{key}` is read from Dapr {later['since']} on; the injector of "
                                              f"Dapr {target.requested} ignores it")
            continue
        hint = _did_you_mean(ctx, key, known)
        yield ctx.report(annotation.span, f"`{key}` is not an annotation the Dapr sidecar injector reads: it is "
                                          f"ignored{hint}")


PREFIX = "dapr.io/"


def _did_you_mean(ctx, key: str, known) -> str:
    """The close annotation, compared without the `dapr.io/` every key shares (with it, any two short
    names look alike: `owner-team` would suggest `log-level`)."""
    names = sorted(k[len(PREFIX):] for k in known if k.startswith(PREFIX))
    close = closest_name(ctx, key[len(PREFIX):], names) if key.startswith(PREFIX) else None
    return f"; did you mean `{PREFIX}{close}`?" if close else ""

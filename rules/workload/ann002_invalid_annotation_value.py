"""A `dapr.io/` annotation value that the injector or daprd rejects or misreads.

## What it does
Judges each annotation's value as the target Dapr release reads it
(`dapr-version`; the validation data of every annotation, from dapr/dapr's
injector and daprd code per release):

- booleans: the injector's truthy test (`y`, `yes`, `true`, `t`, `on`,
  `1`, any case); anything else is false. From 1.17.3 `dapr.io/enabled`
  must equal `true` (any case): `yes` or `1` turn injection off, and every
  other annotation of the pod then does nothing;
- integers and ports: Go's `strconv.ParseInt` (base 10); an unparsable
  value is ignored and the default kept;
- enums (`app-protocol`, `log-level`, `disable-init-endpoints`, ...):
  one of the allowed values, any case; daprd exits otherwise;
- resource quantities (sidecar CPU and memory): Kubernetes'
  `resource.ParseQuantity`; one bad value and the injector sets no
  resources at all;
- durations: Go's `time.ParseDuration`; daprd exits otherwise.

Templates and placeholders are not judged.

## Why is this bad?
Depending on the annotation, the sidecar silently runs with a default,
without resources, is not injected at all, or daprd exits at start.

## Example
```yaml
  dapr.io/log-level: "verbose"
```
Use instead: one of `debug`, `info`, `warn`, `error`, `fatal`.
"""
from daprlint import dapr, goparse, versions
from daprlint.redact import shown

CODE = "ANN002"
NAME = "invalid-annotation-value"
SEVERITY = "error"
SUMMARY = "dapr.io/ annotation value that the injector or daprd rejects or misreads"
SCOPE = "workload"
KINDS = ("*",)

_FALSY = frozenset({"n", "no", "false", "f", "off", "0"})
_EFFECT = {"daprd-exits": "daprd exits at start", "ignored": "the injector ignores it and keeps the default",
           "default-used": "the default is used", "pod-rejected": "the pod is rejected",
           "not-injected": "the sidecar is not injected"}


def check(workload, ctx):
    target = versions.resolve(ctx.data, ctx.option("dapr-version"))
    for annotation in workload.annotations:
        value = annotation.value
        if value is None or value.value == "" or dapr.is_reference_like(value.value) or \
                dapr.is_placeholder(value.value):
            continue
        info = versions.annotation(ctx.data, annotation.name, target)
        if info is None:
            continue  # ANN001
        for problem in _problems(info, value.value, annotation.name == "dapr.io/enabled", target):
            yield ctx.report(value.span, f"`{annotation.name}`: {shown(value.value)} {problem}")
            break


def _problems(info, text, is_enabled, target):
    for rule in info.get("validation") or ():
        check = rule.get("check")
        effect = _EFFECT.get(rule.get("on_failure"), "")
        if check == "equals-fold:true":
            if text.lower() != "true":
                yield (f"is not `true`: from Dapr 1.17.3 the injector injects only when the value equals `true`, "
                       f"so the sidecar is not injected (Dapr {target.requested}) and every other dapr.io/ "
                       "annotation of this pod does nothing")
        elif check == "truthy":
            lowered = text.strip().lower()
            if lowered not in ("y", "yes", "true", "t", "on", "1") and lowered not in _FALSY:
                what = "the sidecar is not injected" if is_enabled else "it reads as false"
                yield f"is not a boolean: {what} (true is y, yes, true, t, on or 1, in any case)"
        elif check == "int":
            if goparse.parse_int(text, 10, _bits(info)) is None:
                yield f"is not an integer: {effect or 'it is ignored'}"
        elif check in ("enum-fold", "csv-enum-fold"):
            allowed = [a.lower() for a in info.get("allowed_values") or ()]
            parts = [p.strip().lower() for p in text.split(",")] if check == "csv-enum-fold" else [text.lower()]
            if allowed and any(p not in allowed for p in parts):
                yield f"is not one of {', '.join(info['allowed_values'])}: {effect or 'it is rejected'}"
        elif check == "quantity":
            problem = goparse.quantity_problem(text)
            if problem:
                yield f"{problem}: the injector sets no CPU or memory resources on the sidecar at all"
        elif check == "duration":
            parsed = goparse.parse_go_duration(text)
            if parsed is None:
                yield f"is not a Go duration (such as 5s or 1m30s): {effect or 'it is rejected'}"
            elif parsed <= 0 and "positive" in rule.get("rule", ""):
                yield f"is not positive: {effect or 'it is rejected'}"
        elif check == "json-container":
            import json

            try:
                json.loads(text)
            except ValueError:
                yield "is not JSON of a container: the injector skips it"


def _bits(info) -> int:
    go_type = (info.get("go_type") or "int").lstrip("*")
    return {"int32": 32, "int16": 16, "int8": 8}.get(go_type, 64)

"""A metadata value is not one the field accepts.

## What it does
Checks literal values against what Dapr's metadata declares for the field:

- `allowedValues`: the value must be one of them, compared
  case-insensitively (a comma-separated value such as `direction:
  input,output` is checked part by part). A few lists that `metadata.yaml`
  gets wrong or leaves incomplete are corrected in
  `rules/dapr/field-extras.json` (Kafka `authType`, `azureEnvironment`), and
  RabbitMQ's `concurrencyMode`, matched case-sensitively by its code, is
  checked the same way.
- `number`: Go's `strconv.ParseInt` (base 0: `10`, `-1`, `0x1f`, `1_000`) or
  `strconv.ParseFloat` (`1.5`, `1e3`) must accept it.
- `bool`: one of `true/false`, `1/0`, `t/f`, `yes/no`, `y/n`, `on/off`, any
  case. Dapr's decoder (`utils.IsTruthy`) reads every other text as false
  without an error, so `ture` silently means false.
- `duration`: Go's `time.ParseDuration` (`300ms`, `1m30s`, `1.5h`, `-1s`) or a
  whole number, which Dapr's decoder reads as seconds. Only what both
  reject is reported.
- `bytesize`: a Kubernetes quantity (`100`, `4Mi`, `1Gi`, `1.5G`, `5e3`).

Templated values (`{{ .Values.x }}`, `{uuid}`), `secretKeyRef`, `envRef`
and placeholders (`<your-value>`) are not judged. Messages show a value
only when it cannot be a secret.

## Why is this bad?
The component fails to initialise with a parse error, which stops daprd
unless `spec.ignoreErrors` is true; a bad boolean is quietly read as false.

## Example
```yaml
  - name: enableTLS
    value: "ture"
  - name: processingTimeout
    value: "15 seconds"
```
Use instead:
```yaml
  - name: enableTLS
    value: "true"
  - name: processingTimeout
    value: "15s"
```
"""
import re

from daprlint import dapr
from daprlint.redact import shown

CODE = "DPR006"
NAME = "invalid-metadata-value"
SEVERITY = "error"
SUMMARY = "metadata value is not valid for the field's type or allowed values"
FIX = "none"
KINDS = ("Component",)

_BOOLS = frozenset({"true", "false", "1", "0", "t", "f", "yes", "no", "y", "n", "on", "off"})
_INT = re.compile(r"[+-]?(0[xX]_?[0-9a-fA-F]+(_[0-9a-fA-F]+)*|0[bB]_?[01]+(_[01]+)*|0[oO]?_?[0-7]+(_[0-7]+)*|"
                  r"[0-9]+(_[0-9]+)*)")
_QUANTITY = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?")
_DECIMAL = re.compile(r"[+-]?[0-9]+")


def check(resource, ctx):
    if not resource.metadata or resource.type is None:
        return
    rules = _rules(resource, ctx.data)
    if not rules:
        return
    verdicts = ctx.data.memo(CODE + ".verdicts")
    for item in resource.metadata:
        rule = rules.get(item.key)
        if rule is None:
            continue
        literal = item.literal
        if literal is None:
            continue
        value = literal.value
        problem = _verdict(rule, value, verdicts)
        if problem:
            yield ctx.report(literal.span, f"`{item.name.value}`: {shown(value)} {problem}",
                             secret_values=(value,) if dapr.is_sensitive(resource, item.key, ctx.data) else ())


def _verdict(rule, value, verdicts):
    """What is wrong with *value* for this field rule (None: nothing), kept per
    (rule, value): the same `true`, `30s` or `json` comes back in every file."""
    key = (rule, value)
    if key in verdicts:
        return verdicts[key]
    if dapr.is_reference_like(value) or dapr.is_placeholder(value) or "<" in value and ">" in value:
        problem = None
    else:
        kind, allowed, case_sensitive = rule
        problem = _not_allowed(value, allowed, case_sensitive) if allowed else _type_problem(value, kind)
    if len(verdicts) >= 4096:
        verdicts.clear()  # bounded: distinct values can be many
    verdicts[key] = problem
    return problem


def _rules(resource, data) -> dict:
    """lower-cased field -> (type, allowed values, case-sensitive?), for this type and version, computed once."""
    return dapr.per_type(resource, data, CODE, lambda r: _compute(r, r.type_key, data))


def _compute(resource, type_key, data) -> dict:
    entry = dapr.type_entry(resource, data)
    if entry is None:
        return {}
    versions = entry.get("versions", {})
    version = versions.get(resource.version_key)
    rules = {}
    # fields of every version as a fallback, this version's last so that they win
    for chosen in [v for v in versions.values() if v is not version] + ([version] if version else []):
        for key, info in chosen.get("fields", {}).items():
            if info.get("allowedValues"):
                rules[key] = (info.get("type"), tuple(info["allowedValues"]), False)
            elif info.get("type") in ("number", "bool", "duration", "bytesize"):
                rules[key] = (info["type"], (), False)
            else:
                rules.pop(key, None)
    for group in dapr.extra_groups(type_key, version, data):
        for name, spec in group.get("allowed_values", {}).items():
            rules[name.lower()] = (None, tuple(spec["values"]), bool(spec.get("case_sensitive")))
    return rules


def _not_allowed(value: str, allowed, case_sensitive: bool) -> str | None:
    norm = (lambda s: s.strip()) if case_sensitive else (lambda s: s.strip().lower())
    options = {norm(a) for a in allowed}
    if norm(value) in options:
        return None
    if any("," in a for a in allowed) and "," in value:
        tokens = {norm(t) for a in allowed for t in a.split(",")}
        if all(norm(part) in tokens for part in value.split(",")):
            return None
    listed = ", ".join(allowed) if len(allowed) <= 8 else ", ".join(allowed[:8]) + ", ..."
    return f"is not one of the allowed values ({listed})" + ("" if not case_sensitive else ", which are case-sensitive")


def _type_problem(value: str, kind) -> str | None:
    if kind == "number":
        return None if _is_number(value) else "is not a number"
    if kind == "bool":
        return None if value.strip().lower() in _BOOLS else \
            "is not a boolean (true/false, 1/0, yes/no, on/off): Dapr reads it as false"
    if kind == "duration":
        if dapr.parse_go_duration(value) is not None or _DECIMAL.fullmatch(value):
            return None
        return "is not a duration (Go syntax such as 500ms, 30s, 1m30s or 1.5h, or a whole number of seconds)"
    if kind == "bytesize":
        return None if _QUANTITY.fullmatch(value) else "is not a byte size (a quantity such as 512, 4Mi or 1Gi)"
    return None


def _is_number(value: str) -> bool:
    if value != value.strip() or not value:
        return False
    if _INT.fullmatch(value):
        return True
    try:
        float(value)
        return "_" not in value
    except ValueError:
        pass
    if not re.fullmatch(r"[+-]?0[xX][0-9a-fA-F_.]+[pP][+-]?[0-9_]+", value):
        return False  # Go reads hexadecimal floats only with a p exponent
    try:
        float.fromhex(value.replace("_", ""))
        return True
    except ValueError:
        return False

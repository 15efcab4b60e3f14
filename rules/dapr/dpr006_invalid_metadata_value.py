"""A metadata value is not one daprd can use.

## What it does
Parses each literal metadata value the way daprd does (the Go parsers of
`daprlint.goparse`, sources in docs/value-parsing.md), by what Dapr's
metadata says about the field:

- `number`: reported when no Go number decoder takes it: Dapr's metadata
  decoder reads a string with `strconv.ParseInt(s, 0, …)` (`10`, `-1`,
  `0x1f`, `0o17`, `1_000`), `ParseUint` or `ParseFloat` (`1.5`, `1e3`,
  `0x1p-2`, `inf`); nothing else, not even surrounding spaces.
- `duration`: Go's `time.ParseDuration` (`300ms`, `1m30s`, `1.5h`, `-1s`),
  else a whole number, read as seconds (`30`).
- `bool`: Dapr's decoder (`IsTruthy`) never fails: `y`, `yes`, `true`, `t`,
  `on` and `1` (any case) are true and everything else is false. A value
  that is neither one of those nor `n`, `no`, `false`, `f`, `off` or `0` is
  reported, because daprd silently reads it as false (`ture`, `enabled`).
- `bytesize`: a Kubernetes quantity (`100`, `4Mi`, `1G`) that
  `ByteSize.GetBytes()` can return as whole bytes (`1.5Mi` and `100Ti`
  parse but fail there).
- the `schedule` of `bindings.cron`: dapr/kit's cron parser with the
  binding's options: five fields (minute to day-of-week) or six (seconds
  first); numbers, `*`, `?`, ranges, lists, `/step`, month names `JAN`-`DEC`
  and day names `SUN`-`SAT` in any case; `@yearly`, `@annually`,
  `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`, `@every <Go
  duration>`; an optional `TZ=`/`CRON_TZ=` zone prefix. `MON-FRY`, `2#2`,
  `L`, `W`, `7` for Sunday and `@every 15` fail.
- `allowedValues`: the value must be one of them, compared
  case-insensitively (a comma-separated value such as `direction:
  input,output` is checked part by part). A few lists that `metadata.yaml`
  gets wrong or leaves incomplete are corrected in
  `rules/dapr/field-extras.json`, and RabbitMQ's `concurrencyMode`, matched
  case-sensitively by its code, is checked the same way.

A plain (unquoted) YAML scalar is judged as daprd receives it: YAML 1.1
types it and JSON carries it, so `value: 1.0` arrives as `1`, `0x1F` as
`31` and `yes` as `true`.

Not judged: templates and placeholders (`{{ .Values.x }}`, `${VAR}`,
`$VAR`, `<your-value>`, `[aws_region]`, Dapr's `{uuid}`, `{podName}`,
`{namespace}`, `{appID}`), and values given by `secretKeyRef` or `envRef`.
The value of a sensitive field is never shown.

## Why is this bad?
A value the decoder rejects makes the component fail to initialise, which
stops daprd unless `spec.ignoreErrors` is true. A bad boolean is quietly
read as false.

## Example
```yaml
  - name: enableTLS
    value: "ture"
  - name: processingTimeout
    value: "15 seconds"
  - name: schedule          # bindings.cron
    value: "0 0 9 * * MON-FRY"
```
Use instead:
```yaml
  - name: enableTLS
    value: "true"
  - name: processingTimeout
    value: "15s"
  - name: schedule
    value: "0 0 9 * * MON-FRI"
```
"""
from daprlint import dapr, goparse
from daprlint.redact import shown

CODE = "DPR006"
NAME = "invalid-metadata-value"
SEVERITY = "error"
SUMMARY = "metadata value is not valid for the field's type or allowed values"
FIX = "none"
KINDS = ("Component",)

_MASK = "'********'"
_FAILS = "daprd's metadata decoder rejects it and the component fails to initialise"
_CRON_TYPE = "bindings.cron"


def check(resource, ctx):
    if not resource.metadata or resource.type is None:
        return
    rules = _rules(resource, ctx.data)
    if not rules:
        return
    verdicts = ctx.data.memo(CODE + ".verdicts")
    for item in resource.metadata:
        rule = rules.get(item.key)
        literal = item.literal if rule is not None else None
        if literal is None:
            continue
        value = literal.value
        sensitive = dapr.is_sensitive(resource, item.key, ctx.data)
        problem = _verdict(rule, value, not literal.node.style, sensitive, verdicts)  # plain: None or ''
        if problem:
            what = "the value" if sensitive or shown(value) == _MASK else shown(value)
            yield ctx.report(literal.span, f"`{item.name.value}`: {what} {problem}",
                             secret_values=(value,) if sensitive else ())


def _verdict(rule, value, plain, sensitive, verdicts):
    """What is wrong with *value* for this field rule (None: nothing), kept per
    (rule, value, style): the same `true`, `30s` or `json` comes back in every file."""
    key = (rule, value, plain, sensitive)
    if key in verdicts:
        return verdicts[key]
    text = goparse.plain_scalar_text(value) if plain else value
    if text is None or _not_judged(value):
        problem = None
    else:
        kind, allowed, case_sensitive = rule
        show = (lambda _: "") if sensitive else _shown_or_nothing
        problem = _not_allowed(text, allowed, case_sensitive) if allowed else _type_problem(text, kind, show)
        if problem and text != value and not sensitive and shown(text) != _MASK:
            problem = f"(daprd reads {shown(text)}) {problem}"
    if len(verdicts) >= 4096:
        verdicts.clear()  # bounded: distinct values can be many
    verdicts[key] = problem
    return problem


def _shown_or_nothing(piece: str) -> str:
    """A piece of a value for a message; nothing where shown() would only print stars."""
    text = shown(piece)
    return "" if text == _MASK else text


def _not_judged(value: str) -> bool:
    """Templates, placeholders and environment references: their real value comes later."""
    return dapr.is_reference_like(value) or dapr.is_placeholder(value) or "<" in value and ">" in value


def _rules(resource, data) -> dict:
    """lower-cased field -> (kind, allowed values, case-sensitive?), for this type and version, computed once."""
    return dapr.per_type(resource, data, CODE, lambda r: _compute(r, r.type_key, data), generated=rules_from_answers)


def rules_from_answers(entry) -> dict:
    """_compute's table from its generated form (scripts/gen_answers.py; JSON has no tuples)."""
    return {key: (kind, tuple(allowed), case_sensitive) for key, (kind, allowed, case_sensitive) in entry[CODE].items()}


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
    if type_key == _CRON_TYPE:
        rules["schedule"] = ("cron", (), False)  # CC bindings/cron/cron.go parses it in Init
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


def _type_problem(text: str, kind, show) -> str | None:
    if kind == "number":
        problem = goparse.number_problem(text)
        return f"{problem}: {_FAILS}" if problem else None
    if kind == "bool":
        if goparse.is_truthy(text) or goparse.go_trim_space(text).lower() in goparse.FALSY_WORDS:
            return None
        return "is not a boolean: daprd reads it as false (true is y, yes, true, t, on or 1, in any case)"
    if kind == "duration":
        if goparse.kit_duration(text) is not None:
            return None
        return f"is not a duration (Go syntax such as 500ms, 30s, 1m30s or 1.5h, or whole seconds): {_FAILS}"
    if kind == "bytesize":
        problem = goparse.bytesize_problem(text)
        return f"{problem}: the component fails to initialise" if problem else None
    if kind == "cron":
        reason = goparse.cron_error(text, show)
        if reason:
            return f"is not a schedule bindings.cron accepts: {reason}; the component fails to initialise"
    return None

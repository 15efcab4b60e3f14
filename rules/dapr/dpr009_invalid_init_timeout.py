"""`spec.initTimeout` is not a positive Go duration.

## What it does
Parses `spec.initTimeout` the way daprd does, with a faithful port of Go's
`time.ParseDuration`: a sequence of decimal numbers, each with an optional
fraction and a unit (`ns`, `us`/`\u00b5s`, `ms`, `s`, `m`, `h`), such as `30s`,
`1m30s`, `1.5h` or `300ms`. A bare number is invalid except `0`. A value that
parses but is zero or negative is reported too. Templated values and
placeholders (`<REPLACE-WITH-TIMEOUT>`) are not judged; a value that is not
a YAML string (`initTimeout: 30`) is DPR001's, because the CRD types the
field as a string.

## Why is this bad?
daprd falls back to the default of 5 seconds without an error when the value
does not parse or is not positive, so a slow component (a managed Cloudflare
Worker, a remote database) times out during start-up although the manifest
seems to allow it more time.

## Example
```yaml
spec:
  type: state.postgresql
  version: v1
  initTimeout: "60"
```
Use instead:
```yaml
spec:
  type: state.postgresql
  version: v1
  initTimeout: 60s
```
"""
from yaml.nodes import MappingNode, ScalarNode

from daprlint import dapr
from daprlint.model import STR_TAG, Scalar
from daprlint.redact import shown

CODE = "DPR009"
NAME = "invalid-init-timeout"
SEVERITY = "error"
SUMMARY = "spec.initTimeout is not a positive Go duration"
FIX = "none"
KINDS = ("Component",)


def check(resource, ctx):
    spec = resource.spec
    if not isinstance(spec, MappingNode):
        return
    node = None
    for key, value in spec.value:
        # encoding/json matches field names case-insensitively; the last one wins
        if isinstance(key, ScalarNode) and key.value.lower() == "inittimeout":
            node = value
    if not isinstance(node, ScalarNode) or node.tag != STR_TAG:
        return
    scalar = Scalar.of(node)
    text = scalar.value
    if dapr.is_reference_like(text) or dapr.is_placeholder(text) or "<" in text and ">" in text:
        return
    parsed = go_duration(text)
    if parsed is None:
        hint = "; add a unit, for example `" + text.strip() + "s`" if _is_integer(text) else ""
        yield ctx.report(scalar.span, f"`spec.initTimeout` {shown(text)} is not a Go duration (such as 30s or "
                                      f"1m30s): daprd silently uses the default of 5s{hint}")
    elif parsed <= 0:
        yield ctx.report(scalar.span, f"`spec.initTimeout` {shown(text)} is not positive: daprd silently uses "
                                      "the default of 5s")


def _is_integer(text):
    t = text.strip()
    return t.isascii() and t.lstrip("+-").isdigit() and len(t) < 12


# -- Go's time.ParseDuration --------------------------------------------------
_UNITS = {"ns": 1, "us": 1_000, "\u00b5s": 1_000, "\u03bcs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
          "m": 60_000_000_000, "h": 3_600_000_000_000}
_MAX = 1 << 63


def go_duration(s: str) -> int | None:
    """Nanoseconds, as Go's time.ParseDuration reads *s*; None where Go returns an error."""
    orig_neg = False
    if s and s[0] in "+-":
        orig_neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        return None
    total = 0
    while s:
        if not (s[0] == "." or "0" <= s[0] <= "9"):
            return None
        i = 0
        v = 0
        while i < len(s) and "0" <= s[i] <= "9":
            if v > _MAX // 10:
                return None
            v = v * 10 + (ord(s[i]) - 48)
            if v > _MAX:
                return None
            i += 1
        pre = i > 0
        s = s[i:]
        f, scale, post = 0, 1.0, False
        if s and s[0] == ".":
            s = s[1:]
            i = 0
            overflow = False
            while i < len(s) and "0" <= s[i] <= "9":
                if not overflow:
                    if f > (_MAX - 1) // 10:
                        overflow = True
                    else:
                        f = f * 10 + (ord(s[i]) - 48)
                        scale *= 10
                i += 1
            post = i > 0
            s = s[i:]
        if not pre and not post:
            return None
        i = 0
        while i < len(s) and not (s[i] == "." or "0" <= s[i] <= "9"):
            i += 1
        if i == 0:
            return None  # missing unit
        unit = _UNITS.get(s[:i])
        s = s[i:]
        if unit is None:
            return None
        if v > _MAX // unit:
            return None
        v *= unit
        if f > 0:
            v += int(float(f) * (float(unit) / scale))
            if v > _MAX:
                return None
        total += v
        if total > _MAX:
            return None
    if orig_neg:
        return -total
    if total > _MAX - 1:
        return None
    return total

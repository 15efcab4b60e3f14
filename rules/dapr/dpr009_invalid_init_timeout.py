"""`spec.initTimeout` is not a positive Go duration.

## What it does
Parses `spec.initTimeout` the way daprd does, with the port of Go's
`time.ParseDuration` in `daprlint.goparse` (see docs/value-parsing.md): a
sequence of decimal numbers, each with an optional fraction and a unit
(`ns`, `us`/`\u00b5s`, `ms`, `s`, `m`, `h`), such as `30s`, `1m30s`, `1.5h`
or `300ms`. A bare number is invalid except `0`. A value that parses but is
zero or negative is reported too. Templated values and placeholders
(`<REPLACE-WITH-TIMEOUT>`, `${TIMEOUT}`, `$TIMEOUT`) are not judged; a
value that is not a YAML string (`initTimeout: 30`) is DPR001's, because
the CRD types the field as a string.

## Why is this bad?
daprd falls back to the default of 5 seconds without an error when the value
does not parse, so a slow component (a managed Cloudflare Worker, a remote
database) times out during start-up although the manifest seems to allow it
more time. A zero or negative value parses: daprd 1.12 to 1.18 then starts
the component's init with a deadline that has already passed (dapr
`pkg/runtime/processor/components.go`), so a component that honours its
context fails at once; Dapr's main branch uses the default of 5s instead.

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

from daprlint import dapr, goparse
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
    if _not_judged(text):
        return
    parsed = goparse.parse_go_duration(text)
    if parsed is None:
        hint = "; add a unit, for example `" + text.strip() + "s`" if _is_integer(text) else ""
        yield ctx.report(scalar.span, f"`spec.initTimeout` {shown(text)} is not a Go duration (such as 30s or "
                                      f"1m30s): daprd silently uses the default of 5s{hint}")
    elif parsed <= 0:
        yield ctx.report(scalar.span, f"`spec.initTimeout` {shown(text)} is not positive: daprd up to 1.18 gives "
                                      "the component's init a deadline that has already passed (later versions use "
                                      "the default of 5s)")


def _not_judged(text):
    """Templates, placeholders and environment references: their real value comes later."""
    return dapr.is_reference_like(text) or dapr.is_placeholder(text) or "<" in text and ">" in text


def _is_integer(text):
    t = text.strip()
    return t.isascii() and t.lstrip("+-").isdigit() and len(t) < 12

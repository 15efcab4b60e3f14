"""The file is not valid YAML.

## What it does
Reports the parser's error at its line and column, for files that mention
`dapr.io/`. Other YAML that does not parse is skipped quietly, so unrelated
files do not drown the report. A Go/Helm template that cannot be read even
with its actions set aside gets one finding, at its first unreadable line,
with the hint to lint the rendered output.

## Why is this bad?
daprd skips a document that does not parse (with only a log line), so the
component silently does not exist.

## Example
```yaml
  - name: password
    value: *****
```
`*****` starts an alias. Quote placeholder values: `value: "*****"`.

Go/Helm templates (a file with `{{ … }}` actions, or under a chart's
`templates/` folder) are read without rendering: actions are opaque values
and control lines are structure (see `daprlint.template`). When a template
still cannot be read that way, the one finding names its first unreadable
line: lint the rendered output instead,
`helm template my-chart | daprlint check -`.
"""

CODE = "YML001"
NAME = "yaml-syntax-error"
SEVERITY = "error"
SUMMARY = "YAML syntax error in a Dapr manifest"
SCOPE = "file"

RENDER_FIRST = "render first: `helm template CHART | daprlint check -`"


def check(info, ctx):
    if not info.mentions_dapr:
        return  # checked first: other files need not be parsed at all
    error = info.parse_error
    if error is None:
        return
    if error.template:
        yield ctx.report(error.span, f"template line {error.span.line + 1} cannot be read as YAML without "
                                     f"rendering ({error.problem}); {RENDER_FIRST}")
        return
    message = f"YAML syntax error: {error.problem}"
    if info.looks_templated:
        message += f" (this file looks like a Go/Helm template; {RENDER_FIRST})"
    yield ctx.report(error.span, message)

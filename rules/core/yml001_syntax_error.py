"""The file is not valid YAML.

## What it does
Reports the parser's error at its line and column, for files that mention
`dapr.io/`. Other YAML that does not parse is skipped quietly, so Helm
charts and unrelated files do not drown the report.

## Why is this bad?
daprd skips a document that does not parse (with only a log line), so the
component silently does not exist.

## Example
```yaml
  - name: password
    value: *****
```
`*****` starts an alias. Quote placeholder values: `value: "*****"`.

Helm and other Go templates only parse after rendering: lint the output,
`helm template my-chart | daprlint check -`.
"""

CODE = "YML001"
NAME = "yaml-syntax-error"
SEVERITY = "error"
SUMMARY = "YAML syntax error in a Dapr manifest"
SCOPE = "file"


def check(info, ctx):
    if not info.mentions_dapr:
        return  # checked first: other files need not be parsed at all
    error = info.parse_error
    if error is None:
        return
    message = f"YAML syntax error: {error.problem}"
    if info.looks_templated:
        message += (" (this file looks like a Go/Helm template: lint it after rendering, "
                    "e.g. `helm template ... | daprlint check -`)")
    yield ctx.report(error.span, message)

"""A suppression comment matches no finding.

## What it does
Reports `# daprlint: ignore[CODE]` and `# daprlint: ignore-file[CODE]`
comments that suppress nothing, like ruff's RUF100.

## Why is this bad?
Stale suppressions hide the next real problem on that line.

## Example
```yaml
  - name: region  # daprlint: ignore[AWS001]
    value: us-east-1
```
Use instead: remove the comment.
"""

CODE = "SUP001"
NAME = "unused-suppression"
SEVERITY = "warning"
SUMMARY = "suppression comment that matches no finding"
SCOPE = "engine"


def check(target, ctx):
    return ()

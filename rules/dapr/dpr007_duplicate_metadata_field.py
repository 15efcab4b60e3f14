"""The same metadata field is set twice.

## What it does
Reports a `spec.metadata` name that an earlier item already uses, at the
later item's name. Two kinds are told apart:

- the same spelling twice: daprd builds a map, so the last value silently
  wins and the earlier one is dead;
- spellings that differ only in case (`redisHost` and `redishost`): Dapr's
  metadata decoder refuses them (`key redishost is duplicate in the
  metadata`), so most components fail to initialise.

Placeholder names such as `<KEY>` and templated names are not compared.

## Why is this bad?
A copy-paste duplicate hides which value is in effect; a case variant stops
the component from starting, which stops daprd unless `spec.ignoreErrors`
is true.

## Example
```yaml
  metadata:
  - name: redisHost
    value: redis-a:6379
  - name: redisHost
    value: redis-b:6379
```
Use instead:
```yaml
  metadata:
  - name: redisHost
    value: redis-b:6379
```
"""
import re

CODE = "DPR007"
NAME = "duplicate-metadata-field"
SEVERITY = "warning"
SUMMARY = "metadata field set more than once"
FIX = "none"
KINDS = ("Component",)


def check(resource, ctx):
    seen: dict[str, list] = {}
    for item in resource.metadata:
        if item.name is None or not item.name.value or _placeholder(item.name.value):
            continue
        earlier = seen.setdefault(item.key, [])
        name = item.name.value
        if earlier:
            line = earlier[-1].name.span.line + 1
            same = [e for e in earlier if e.name.value == name]
            if len(same) == len(earlier):
                message = (f"`{name}` is set again (first on line {earlier[0].name.span.line + 1}): "
                           "daprd keeps only the last value")
            else:
                other = next(e.name.value for e in reversed(earlier) if e.name.value != name)
                message = (f"`{name}` and `{other}` (line {line}) differ only in case: Dapr's metadata decoder "
                           "rejects such duplicates, so the component fails to initialise")
            yield ctx.report(item.name_span, message)
        earlier.append(item)


_PLACEHOLDER = re.compile(r"<[^>]*>|\{\{")


def _placeholder(name: str) -> bool:
    """`<KEY>` in a docs template is not a field name (nor are templates)."""
    return ("<" in name or "{" in name) and _PLACEHOLDER.search(name) is not None

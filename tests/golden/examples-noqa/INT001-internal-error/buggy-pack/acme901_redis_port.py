"""Redis must not listen on the default port (a deliberately buggy rule).

## What it does
Flags a Redis component whose `redisHost` uses port 6379. It is the INT001
example of examples/bad: the rule assumes every `redisHost` is written
inline, so a `redisHost` given through `secretKeyRef` (no inline value)
makes it raise AttributeError. daprlint reports that crash as INT001,
naming the rule and the exception type only, and goes on with the other
rules and files.

## Why is this bad?
ACME's Redis servers listen on 6380 (TLS).

## Example
```yaml
  - name: redisHost
    value: redis:6379
```
Use instead: `value: redis:6380`.
"""

CODE = "ACME901"
NAME = "redis-default-port"
SEVERITY = "warning"
SUMMARY = "Redis on the default port 6379"
FIX = "none"
KINDS = ("Component",)


def check(resource, ctx):
    if not resource.type_name.startswith(("state.redis", "pubsub.redis")):
        return
    item = resource.first("redisHost")
    if item is None:
        return
    # The bug: `item.literal` is None when the value comes from a secretKeyRef.
    if item.literal.value.endswith(":6379"):
        yield ctx.report(item.literal.span, "Redis on the default port 6379: use 6380 (TLS)")

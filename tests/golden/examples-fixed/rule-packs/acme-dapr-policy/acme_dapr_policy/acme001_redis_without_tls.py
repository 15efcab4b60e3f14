"""A Redis component talks to Redis without TLS.

## What it does
Flags every component whose type reads Dapr's `enableTLS` field (the Redis
state store, pub/sub, binding, configuration store and lock) when
`enableTLS` is missing or not `true`. Hosts listed in the pack's
`data/acme/tls-exempt-hosts.json` (local development) are exempt.

## Why is this bad?
ACME's Redis servers only accept TLS. Without `enableTLS: "true"` daprd
connects in plain text: the connection fails at start-up, or, against a
misconfigured server, credentials cross the network unencrypted.

## Example
```yaml
spec:
  type: state.redis
  metadata:
  - name: redisHost
    value: redis.acme.internal:6380
  - name: enableTLS
    value: "false"
```
Use instead: `value: "true"`.

## Fix
Unsafe: sets `enableTLS` to `"true"` (or adds the item). It changes how
daprd connects, so check the server accepts TLS first.
"""
from daprlint import dapr
from daprlint.fixes import insert_metadata_item, replace_scalar
from daprlint.rulekit import Fix

CODE = "ACME001"
NAME = "redis-without-tls"
SEVERITY = "error"
SUMMARY = "Redis component without enableTLS: true"
FIX = "unsafe"
KINDS = ("Component",)
EXEMPT = "data/acme/tls-exempt-hosts.json"


def check(resource, ctx):
    if dapr.field_info(resource, "enabletls", ctx.data) is None:
        return  # this type has no enableTLS field in Dapr's metadata
    host = (resource.literal("redisHost") or "").rsplit(":", 1)[0].strip().lower()
    if host in ctx.data.json(EXEMPT)["hosts"]:
        return
    item = resource.first("enableTLS")
    if item is None:
        if resource.partial:
            return  # a kustomize patch or a template that hides items: not knowable here
        edits = insert_metadata_item(resource, ctx.text, "enableTLS", "true")  # quoted as YAML needs
        fix = Fix('add `enableTLS: "true"`', edits, "unsafe") if edits else None
        yield ctx.report(resource.anchor_span, f"`{resource.type_name}` without `enableTLS`: ACME's Redis "
                                               "servers accept only TLS", fix=fix)
        return
    literal = item.literal
    if literal is None or dapr.is_reference_like(literal.value):
        return  # a secretKeyRef, envRef or `$VAR`: the value is not known here
    if literal.value.strip().lower() != "true":
        fix = Fix('set `enableTLS` to "true"', (replace_scalar(literal, "true"),), "unsafe")
        yield ctx.report(literal.span, f"`enableTLS` is `{literal.value}`: ACME's Redis servers accept only TLS",
                         fix=fix)

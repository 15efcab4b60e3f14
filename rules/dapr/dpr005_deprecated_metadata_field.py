"""A metadata field is deprecated.

## What it does
Flags metadata fields that Dapr marks deprecated for this component type:
the ones `metadata.yaml` flags `deprecated: true` (Event Hubs
`consumerGroup`, the PostgreSQL configuration store's `connMaxIdleTime`) and
the legacy names the component code still accepts with a deprecation notice
(Kafka `authRequired`, RabbitMQ pub/sub `host`, Azure `clientId` /
`clientSecret` / `tenantId`, Blob Storage `getBlobRetryCount`, Service Bus
`publishInitialRetryInternalInMs`; see `rules/dapr/field-extras.json`). The
message names the replacement. The deprecated AWS aliases (`awsRegion`,
`awsAccessKey`, ...) are AWS004's.

## Why is this bad?
Deprecated names are removed in a later Dapr release, after which the value
is silently ignored. Where old and new names are both set, one of them is
ignored without a word.

## Example
```yaml
spec:
  type: pubsub.rabbitmq
  version: v1
  metadata:
  - name: host
    value: amqp://rabbitmq:5672
```
Use instead:
```yaml
  metadata:
  - name: connectionString
    value: amqp://rabbitmq:5672
```

## Fix (safe)
Renames the field when the replacement takes the same value and is not set
already (not for Kafka's `authRequired`, whose replacement takes other
values).
"""
import re

from daprlint import dapr
from daprlint.rulekit import Fix

CODE = "DPR005"
NAME = "deprecated-metadata-field"
SEVERITY = "warning"
SUMMARY = "deprecated metadata field"
FIX = "safe"
KINDS = ("Component",)

_REPLACEMENT = re.compile(r"(?:alias (?:to|for|of)|use)\s+['\"`]?([A-Za-z][\w.-]*)", re.I)


def check(resource, ctx):
    if not resource.metadata or resource.type is None:
        return
    deprecated = _deprecated(resource, ctx.data)
    if not deprecated:
        return
    present = {item.key for item in resource.metadata if item.key}
    for item in resource.metadata:
        found = deprecated.get(item.key)
        if found is None:
            continue
        use, rename = found
        name = item.name.value
        if use is None:
            yield ctx.report(item.name_span, f"`{name}` is deprecated for `{resource.type_name}`")
            continue
        if use.lower() in present:
            yield ctx.report(item.name_span,
                             f"`{name}` is deprecated and `{use}` is set as well: remove `{name}`")
            continue
        fix = None
        if rename:
            from daprlint.fixes import replace_scalar

            fix = Fix(f"rename `{name}` to `{use}`", (replace_scalar(item.name, use),), "safe")
        yield ctx.report(item.name_span, f"`{name}` is deprecated: use `{use}`", fix=fix)


def _deprecated(resource, data) -> dict:
    """lower-cased name -> (replacement or None, rename?) for this type and version, computed once."""
    return dapr.per_type(resource, data, CODE, lambda r: _compute(r, r.type_key, data))


def _compute(resource, type_key, data) -> dict:
    entry = dapr.type_entry(resource, data) or {}
    versions = entry.get("versions", {})
    version = versions.get(resource.version_key) or {}
    found = {}
    for chosen in ([version] if version else list(versions.values())):
        for key, info in chosen.get("fields", {}).items():
            if info.get("deprecated"):
                match = _REPLACEMENT.search(info.get("description") or "")
                found[key] = (match.group(1).rstrip(".") if match else None, True)
    for group in dapr.extra_groups(type_key, version, data):
        for name, info in group.get("deprecated", {}).items():
            found[name.lower()] = (info.get("use"), info.get("rename", True))
    for alias in dapr.aliases_for(resource, data):
        found.pop(alias["alias"].lower(), None)  # AWS004
    return found

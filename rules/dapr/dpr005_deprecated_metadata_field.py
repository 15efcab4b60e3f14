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

from daprlint import dapr, versions
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
    t = dapr.target(ctx)
    deprecated = dapr.per_type(resource, ctx.data, CODE, lambda r: _compute(r, r.type_key, ctx.data, t), t)
    if not deprecated:
        return
    present = {item.key for item in resource.metadata if item.key}
    for item in resource.metadata:
        found = deprecated.get(item.key)
        if found is None:
            continue
        use, rename, renamed = found
        name = item.name.value
        head = f"`{name}` was {renamed}" if renamed else f"`{name}` is deprecated"
        if use is None:
            yield ctx.report(item.name_span, f"{head} for `{resource.type_name}`")
            continue
        if use.lower() in present:
            yield ctx.report(item.name_span, f"{head} and `{use}` is set as well: remove `{name}`")
            continue
        fix = None
        if rename:
            from daprlint.fixes import replace_scalar

            fix = Fix(f"rename `{name}` to `{use}`", (replace_scalar(item.name, use),), "safe")
        yield ctx.report(item.name_span, head if renamed else f"{head}: use `{use}`", fix=fix)


def _compute(resource, type_key, data, t) -> dict:
    """lower-cased name -> (replacement or None, rename?, how it was renamed or "") in the target release."""
    version_key = resource.version_key
    listed = versions.fields(data, type_key, version_key, t) or {}
    reads = versions.code_reads(data, type_key, version_key, t)
    master = ((dapr.type_entry(resource, data) or {}).get("versions", {}).get(version_key) or {}).get("fields", {})
    found = {}
    for key, info in listed.items():
        if info.get("deprecated"):
            text = info.get("description") or master.get(key, {}).get("description") or ""
            match = _REPLACEMENT.search(text)
            found[key] = (match.group(1).rstrip(".") if match else None, True, "")
    info = versions.version_info(data, type_key, version_key, t)
    for group in dapr.extra_groups(type_key, info, data, t, version_key=version_key):
        for name, spec in group.get("deprecated", {}).items():
            if reads is None or _read_any_case(reads, name):  # else DPR003 says it is not read
                found[name.lower()] = (spec.get("use"), spec.get("rename", True), "")
    for key, rename in versions.renames(data, type_key, version_key, t).items():
        if rename["read"]:  # renamed, and the old name still read: a certain rename (else DPR003's)
            found[key] = (rename["new"], True, f"renamed to `{rename['new']}` in Dapr {rename['since']} "
                                               f"(Dapr {t.release} still reads the old name)")
    for alias in dapr.aliases_for(resource, data):
        found.pop(alias["alias"].lower(), None)  # AWS004
    return found


def _read_any_case(reads, name) -> bool:
    read = reads.get(name)
    return read is not None and read.how in versions.READ

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
from daprlint import dapr
from daprlint.rulekit import Fix

CODE = "DPR005"
NAME = "deprecated-metadata-field"
SEVERITY = "warning"
SUMMARY = "deprecated metadata field"
FIX = "safe"
KINDS = ("Component",)



def check(resource, ctx):
    if not resource.metadata or resource.type is None:
        return
    t = dapr.target(ctx)
    deprecated = dapr.deprecated_fields(resource, ctx.data, t)
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

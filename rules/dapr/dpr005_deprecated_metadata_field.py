"""A metadata field is deprecated.

## What it does
Flags metadata fields that are deprecated for this component type in the
target Dapr release (`dapr-version`, default the newest release daprlint
knows):

- the ones that release's `metadata.yaml` flags `deprecated: true` (Event
  Hubs `consumerGroup`, the PostgreSQL configuration store's
  `connMaxIdleTime`);
- the renames of `metadata.yaml` that release is at or after, where its code
  still reads the old name: `ttlInSeconds` -> `ttl` (RabbitMQ and Storage
  Queues bindings, 1.13), `schema` -> `schemaName` and
  `cleanupIntervalInSeconds` -> `cleanupInterval` (SQL Server, 1.13),
  `cacheTTL` -> `responseCacheTTL` (Bedrock, 1.17), ... (`RENAMES` in
  `scripts/gen_releases.py`, each checked in the Go code). Before the rename
  the old name is the field, so nothing is reported; where the code no longer
  reads the old name, DPR003 reports it;
- the legacy names the component code still accepts with a deprecation
  notice (Kafka `authRequired`, RabbitMQ pub/sub `host`, Azure `clientId` /
  `clientSecret` / `tenantId`, Blob Storage `getBlobRetryCount`, Service Bus
  `publishInitialRetryInternalInMs`, MQTT `qos`, which is ignored; see
  `rules/dapr/field-extras.json`), in the releases whose code reads them.

The message names the replacement. The deprecated AWS aliases (`awsRegion`,
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
values). The renames of `metadata.yaml` are certain: the old and the new name
are decoded into the same Go field (`mapstructurealiases`), with the same
parser (a duration field also takes whole seconds).
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
    present = None
    for item in resource.metadata:
        found = deprecated.get(item.key)
        if found is None:
            continue
        if present is None:  # only a deprecated field needs the others
            present = {i.key for i in resource.metadata if i.key}
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

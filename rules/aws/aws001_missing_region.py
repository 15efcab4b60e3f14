"""An AWS component has no `region`.

## What it does
Checks that every AWS component sets `region` (or `awsRegion`, on the types
that still read that alias). It knows the AWS types from Dapr's own data:
every type with the builtin `aws` auth profile, the four bindings with their
own AWS profile, the legacy `pubsub.snssqs` name, Kafka with
`authType: awsiam` and the PostgreSQL family with `useAWSIAM: true`.

Not reported where the code of the target release reads neither `region`
nor `awsRegion`: `state.postgresql` v1 decodes `useAWSIAM` but its
constructor never enables AWS IAM (components-contrib v1.18.4
`common/component/postgresql/v1/postgresql_query.go`, the same from 1.14),
so a region there would be DPR003's "not read" instead.

## Why is this bad?
Without a region the AWS SDK falls back to `AWS_REGION`, `AWS_DEFAULT_REGION`
or a shared profile. An injected Dapr sidecar has none of them, so the
component fails on its first call, long after the manifest was applied.
A region given through `secretKeyRef`, `envRef` or a template counts.

## Example
```yaml
spec:
  type: state.aws.dynamodb
  version: v1
  metadata:
  - name: table
    value: orders
```
Use instead:
```yaml
  metadata:
  - name: table
    value: orders
  - name: region
    value: eu-west-1
```

## Fix (unsafe)
Renames an `awsRegion` item that this type does not read to `region`.
Otherwise sets an empty `region` (or one with no `value`), or inserts a `region` item, with the region set by `aws-region` in the config or
`--aws-region`. daprlint never guesses a region: without one there is no fix.
"""
from daprlint import dapr
from daprlint.rulekit import Fix

CODE = "AWS001"
NAME = "aws-missing-region"
SEVERITY = "error"
SUMMARY = "AWS component without a region"
FIX = "unsafe"
KINDS = ("Component",)
# only the types dapr.is_aws can say yes to: the engine calls the rule for no other Component
TYPES = ("data:generated/aws.json#/builtin_profile_types", "data:generated/aws.json#/own_profile_types",
         "data:generated/aws.json#/conditional")
SKIP_PARTIAL = True  # a kustomize patch sets only what it changes


def check(resource, ctx):
    if resource.type is None or not dapr.is_aws(resource, ctx.data):
        return
    if dapr.has_field(resource, "region", ctx.data):
        return
    if _reads_no_region(resource, ctx):
        return  # e.g. state.postgresql v1: its constructor never enables AWS IAM, DPR003 reports the names
    ignored = [item for item in resource.items("awsRegion") if item.has_value]
    if ignored:
        hint = (f"`{ignored[0].name.value}` is not read by {resource.type_name}; rename it to `region`")
        fix = _rename(ignored[-1]) if not resource.items("region") else _copy_into_empty(resource, ignored[-1])
    else:
        hint = "the sidecar has no AWS_REGION, so the first AWS call fails; add a `region` item"
        fix = _fix(resource, ctx)
    yield ctx.report(resource.type.span, f"AWS component `{resource.type_name}` has no `region`: {hint}", fix=fix)


def _reads_no_region(resource, ctx) -> bool:
    """The complete code facts of the target release say the component reads neither spelling."""
    target = dapr.target(ctx)
    return all(dapr.reads_name(resource, name, ctx.data, target) is False for name in ("region", "awsRegion"))


def _rename(item):
    from daprlint.fixes import replace_scalar

    return Fix(f"rename `{item.name.value}` to `region`", (replace_scalar(item.name, "region"),), "unsafe")


def _copy_into_empty(resource, alias):
    """An empty `region` item exists: renaming the alias would duplicate it, so fill it instead."""
    from daprlint.fixes import replace_scalar
    from daprlint.model import Scalar

    value = alias.literal
    for item in resource.items("region"):
        empty = Scalar.of(item.value_node)
        if value is not None and empty is not None and empty.value == "":
            return Fix(f"set `region` to the value of `{alias.name.value}`", (replace_scalar(empty, value.value),),
                       "unsafe")
    return None


def _fix(resource, ctx):
    from daprlint.fixes import add_value, insert_metadata_item, replace_scalar
    from daprlint.model import Scalar

    region = ctx.option("aws-region")
    if region:
        for item in resource.items("region"):
            if item.secret_key_ref is not None or item.env_ref is not None:
                continue
            empty = Scalar.of(item.value_node)
            if empty is not None and empty.value == "":
                return Fix(f"set `region: {region}`", (replace_scalar(empty, region),), "unsafe")
            if item.value_node is None:  # `- name: region` alone: give it the value, no second item
                edits = add_value(ctx.text, item, region)
                if edits:
                    return Fix(f"set `region: {region}`", edits, "unsafe")
    if not region:
        return Fix("insert a `region` item", (), "unsafe",
                   blocked="set `aws-region` in [tool.daprlint] or pass --aws-region to enable this fix")
    edits = insert_metadata_item(resource, ctx.text, "region", region)
    if not edits:
        return None
    return Fix(f"insert `region: {region}`", edits, "unsafe")

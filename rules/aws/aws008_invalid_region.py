"""`region` is not an AWS region name.

## What it does
Checks the literal value of `region` (and `awsRegion`) against the AWS
region names kept in `rules/data/aws-regions.json`, with a pattern fallback
for regions newer than that list. Templates, references and placeholders
(`{{ .Values.region }}`, `${AWS_REGION}`, `$AWS_REGION`, `<REGION>`,
`[aws_region]`) are not judged.

## Why is this bad?
An availability zone (`us-east-1a`), capitals (`US-EAST-1`) or a malformed
name (`us-east1`) makes every AWS call fail at run time.

## Example
```yaml
  - name: region
    value: eu-west-1b
```
Use instead:
```yaml
  - name: region
    value: eu-west-1
```

## Fix (safe)
An availability zone becomes its region.
"""
import re

from daprlint import dapr
from daprlint.redact import shown
from daprlint.rulekit import Fix

CODE = "AWS008"
NAME = "aws-invalid-region"
SEVERITY = "error"
SUMMARY = "region value is not an AWS region name"
FIX = "safe"
KINDS = ("Component",)
# only the types dapr.is_aws can say yes to: the engine calls the rule for no other Component
TYPES = ("data:generated/aws.json#/builtin_profile_types", "data:generated/aws.json#/own_profile_types",
         "data:generated/aws.json#/conditional")
ZONE = re.compile(r"^([a-z]{2}(?:-gov|-iso|-isob)?-[a-z]+-\d{1,2})[a-z]$")


def check(resource, ctx):
    if not dapr.is_aws(resource, ctx.data):
        return
    for item in dapr.field_items(resource, "region", ctx.data):
        literal = item.literal
        if literal is None or dapr.is_reference_like(literal.value) or dapr.is_placeholder(literal.value):
            continue
        value = literal.value
        if dapr.is_region(value, ctx.data):
            continue
        zone = ZONE.match(value)
        if zone and dapr.is_region(zone.group(1), ctx.data):
            yield ctx.report(literal.span,
                             f"{shown(value)} is an availability zone, not a region: use '{zone.group(1)}'",
                             fix=_replace(literal, zone.group(1)))
            continue
        lowered = value.strip().lower()
        hint = f": did you mean '{lowered}'?" if lowered != value and dapr.is_region(lowered, ctx.data) else ""
        yield ctx.report(literal.span, f"{shown(value)} is not an AWS region name{hint}")


def _replace(literal, region):
    from daprlint.fixes import replace_scalar

    return Fix(f"replace the availability zone with its region '{region}'", (replace_scalar(literal, region),))

"""Explicit AWS access keys are configured (opt-in).

## What it does
Flags `accessKey` / `secretKey` on an AWS component, even when they come
from a `secretKeyRef`.

## Why is this bad?
The AWS docs recommend the default provider chain instead: IRSA, EKS Pod
Identity or an instance profile. Credentials then rotate on their own and
nothing has to be stored. Explicit keys also silently override IRSA.

## Example
```yaml
  - name: accessKey
    secretKeyRef: {name: aws, key: id}
```
Use instead: remove the keys and give the pod's service account an IAM role.

This rule is opt-in: `--extend-select AWS006`.
"""
from daprlint import dapr

CODE = "AWS006"
NAME = "aws-explicit-credentials"
SEVERITY = "warning"
SUMMARY = "explicit AWS keys instead of the default credential chain"
OPT_IN = True
KINDS = ("Component",)
# only the types dapr.is_aws can say yes to: the engine calls the rule for no other Component
TYPES = ("data:generated/aws.json#/builtin_profile_types", "data:generated/aws.json#/own_profile_types",
         "data:generated/aws.json#/conditional")


def check(resource, ctx):
    if not dapr.is_aws(resource, ctx.data):
        return
    keys = [i for f in ("accessKey", "secretKey") for i in dapr.field_items(resource, f, ctx.data) if i.has_value]
    if keys:
        yield ctx.report(keys[0].name_span,
                         "explicit AWS keys override IRSA / Pod Identity and never rotate; prefer the default "
                         "credential chain")

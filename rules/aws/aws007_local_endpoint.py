"""`endpoint` points at a local development target (opt-in).

## What it does
Flags an AWS component whose `endpoint` is localhost, 127.0.0.0/8,
`host.docker.internal`, LocalStack or DynamoDB Local.

## Why is this bad?
Such a manifest is for local development; applied to a cluster, every call
goes nowhere.

## Example
```yaml
  - name: endpoint
    value: http://localhost:4566
```
Use instead: remove `endpoint` for real AWS, or keep local manifests in a
folder that is not deployed (and exclude it from this rule with
`per-file-ignores`).

This rule is opt-in: `--extend-select AWS007`.
"""
import re

from daprlint import dapr

CODE = "AWS007"
NAME = "aws-local-endpoint"
SEVERITY = "warning"
SUMMARY = "AWS endpoint points at a local development target"
OPT_IN = True
KINDS = ("Component",)
# only the types dapr.is_aws can say yes to: the engine calls the rule for no other Component
TYPES = ("data:generated/aws.json#/builtin_profile_types", "data:generated/aws.json#/own_profile_types",
         "data:generated/aws.json#/conditional")
LOCAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/]*@)?(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?|0\.0\.0\.0|"
                   r"host\.docker\.internal|[a-z0-9.-]*localstack[a-z0-9.-]*|dynamodb-local|dynamodblocal)(?::\d+)?(?:/|$)",
                   re.I)


def check(resource, ctx):
    if not dapr.is_aws(resource, ctx.data):
        return
    for item in dapr.field_items(resource, "endpoint", ctx.data):
        literal = item.literal
        if literal and LOCAL.match(literal.value.strip()):
            yield ctx.report(literal.span, "`endpoint` points at a local development target; this manifest "
                                           "should not ship to a cluster")

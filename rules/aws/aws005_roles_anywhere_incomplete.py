"""IAM Roles Anywhere is set up partly, or `assumeRoleArn` is set where only Roles Anywhere reads it.

## What it does
Flags a component that sets some, but not all three, of `trustAnchorArn`,
`trustProfileArn` and `assumeRoleArn`, while at least one of the two
trust fields is present.

It also flags `assumeRoleArn` without either trust field on the AWS types
whose code reads it only as the third key of IAM Roles Anywhere (the code
facts of the target Dapr release, `dapr-version`: from 1.15 the bindings,
DynamoDB, SNS/SQS, the parameter store, Cloud Map, and the secrets manager
from 1.17). Only Kafka, the PostgreSQL family and, from 1.17, Bedrock pass
`assumeRoleArn` to plain STS AssumeRole (DAPR-FACTS B.3;
`common/aws/auth/auth.go` `NewCredentialProvider` at v1.18.4, and e.g.
`state/aws/dynamodb/dynamodb.go`, whose `auth.Options` carry no role). On a
type that does not read `assumeRoleArn` at all in the target release, DPR003
reports it.

## Why is this bad?
daprd takes the X.509 (Roles Anywhere) path only when all three are set.
With one missing it silently uses another credential provider; a lone
`assumeRoleArn` is ignored, so the component runs with the default
credential chain's identity instead of the role.

## Example
```yaml
  - name: trustAnchorArn
    value: arn:aws:rolesanywhere:us-west-1:012345678910:trust-anchor/abc
```
Use instead: also set `trustProfileArn` and `assumeRoleArn`.
"""
from daprlint import dapr, versions

CODE = "AWS005"
NAME = "aws-roles-anywhere-incomplete"
SEVERITY = "error"
SUMMARY = "IAM Roles Anywhere needs trustAnchorArn, trustProfileArn and assumeRoleArn"
KINDS = ("Component",)
# only the types dapr.is_aws can say yes to: the engine calls the rule for no other Component
TYPES = ("data:generated/aws.json#/builtin_profile_types", "data:generated/aws.json#/own_profile_types",
         "data:generated/aws.json#/conditional")
SKIP_PARTIAL = True  # a kustomize patch sets only what it changes
FIELDS = ("trustAnchorArn", "trustProfileArn", "assumeRoleArn")


def check(resource, ctx):
    if not dapr.is_aws(resource, ctx.data):
        return
    present = {f: [i for i in dapr.field_items(resource, f, ctx.data) if i.has_value] for f in FIELDS}
    if not (present["trustAnchorArn"] or present["trustProfileArn"]):
        yield from _lone_role(resource, ctx, present["assumeRoleArn"])
        return
    missing = [f for f in FIELDS if not present[f]]
    if not missing:
        return
    first = min((items[0] for items in present.values() if items), key=lambda i: i.span.start)
    yield ctx.report(first.name_span,
                     f"IAM Roles Anywhere needs all of trustAnchorArn, trustProfileArn and assumeRoleArn; "
                     f"missing {', '.join(f'`{m}`' for m in missing)}, so daprd silently uses another provider")


def _lone_role(resource, ctx, items):
    """assumeRoleArn without the trust fields, where the target's code reads it only for Roles Anywhere."""
    if not items:
        return
    t = dapr.target(ctx)
    reads = versions.code_reads(ctx.data, resource.type_key, resource.version_key, t)
    read = reads.get("assumeRoleArn") if reads is not None else None
    if read is None or read.how not in versions.READ or not read.guard:
        return  # plain STS AssumeRole (Kafka, PostgreSQL, Bedrock), or not read at all (DPR003's)
    others = " and ".join(f"`{g}`" for g in read.guard)
    yield ctx.report(items[0].name_span,
                     f"`assumeRoleArn` alone is ignored by `{resource.type_name}` in Dapr {t.release}: it reads "
                     f"it only for IAM Roles Anywhere, together with {others}; without them the component "
                     "does not assume the role and uses the default credential chain")

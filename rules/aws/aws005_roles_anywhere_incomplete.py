"""IAM Roles Anywhere is set up partly.

## What it does
Flags a component that sets some, but not all three, of `trustAnchorArn`,
`trustProfileArn` and `assumeRoleArn`, while at least one of the two
trust fields is present.

## Why is this bad?
daprd takes the X.509 (Roles Anywhere) path only when all three are set.
With one missing it silently uses another credential provider.

## Example
```yaml
  - name: trustAnchorArn
    value: arn:aws:rolesanywhere:us-west-1:012345678910:trust-anchor/abc
```
Use instead: also set `trustProfileArn` and `assumeRoleArn`.
"""
from daprlint import dapr

CODE = "AWS005"
NAME = "aws-roles-anywhere-incomplete"
SEVERITY = "error"
SUMMARY = "IAM Roles Anywhere needs trustAnchorArn, trustProfileArn and assumeRoleArn"
KINDS = ("Component",)
SKIP_PARTIAL = True  # a kustomize patch sets only what it changes
FIELDS = ("trustAnchorArn", "trustProfileArn", "assumeRoleArn")


def check(resource, ctx):
    if not dapr.is_aws(resource, ctx.data):
        return
    present = {f: [i for i in dapr.field_items(resource, f, ctx.data) if i.has_value] for f in FIELDS}
    # assumeRoleArn alone is plain STS AssumeRole, not Roles Anywhere
    if not (present["trustAnchorArn"] or present["trustProfileArn"]):
        return
    missing = [f for f in FIELDS if not present[f]]
    if not missing:
        return
    first = min((items[0] for items in present.values() if items), key=lambda i: i.span.start)
    yield ctx.report(first.name_span,
                     f"IAM Roles Anywhere needs all of trustAnchorArn, trustProfileArn and assumeRoleArn; "
                     f"missing {', '.join(f'`{m}`' for m in missing)}, so daprd silently uses another provider")

"""`sessionToken` is set, but `accessKey` and `secretKey` are not both set.

## What it does
Flags a `sessionToken` (or `awsSessionToken`, on the types that read it)
with a value when the component does not also set both `accessKey` and
`secretKey`.

## Why is this bad?
daprd passes a session token only to the static credential provider, and
uses that provider only when both keys are set. Otherwise the token is
silently ignored and the SDK's default chain is used instead, so the
credentials you meant are not the ones in use.

## Example
```yaml
  - name: sessionToken
    secretKeyRef: {name: aws, key: token}
```
Use instead: set `accessKey` and `secretKey` next to it, or remove the token
and rely on the default chain (IRSA, Pod Identity, an instance profile).
"""
from daprlint import dapr

CODE = "AWS002"
NAME = "aws-session-token-without-keys"
SEVERITY = "error"
SUMMARY = "session token without both access keys is ignored"
KINDS = ("Component",)
# only the types dapr.is_aws can say yes to: the engine calls the rule for no other Component
TYPES = ("data:generated/aws.json#/builtin_profile_types", "data:generated/aws.json#/own_profile_types",
         "data:generated/aws.json#/conditional")
SKIP_PARTIAL = True  # a kustomize patch sets only what it changes


def check(resource, ctx):
    if not dapr.is_aws(resource, ctx.data):
        return
    tokens = [item for item in resource.metadata
              if item.key in ("sessiontoken", "awssessiontoken") and item.has_value]
    if not tokens:
        return
    missing = [k for k in ("accessKey", "secretKey") if not _written(resource, k, ctx)]
    if not missing:
        return
    yield ctx.report(tokens[0].name_span,
                     f"`{tokens[0].name.value}` is ignored without {' and '.join(f'`{m}`' for m in missing)}: "
                     "daprd uses a session token only together with both keys")


def _written(resource, canonical, ctx):
    """A key is set, even in a shape daprd cannot read (`MetadataItem.written`)."""
    return any(item.written for item in dapr.field_items(resource, canonical, ctx.data))

"""A deprecated AWS alias is used where its canonical name is accepted.

## What it does
Flags `awsRegion`, `awsAccessKey`, `awsSecretKey`, `awsSessionToken`,
`awsIamRoleArn`, `awsStsSessionName` and the legacy `pubsub.aws.snssqs` names
(`awsAccountID`, `awsSecret`) on the component types that still read them,
and says what replaces each. When the alias and its canonical name are both
set, the message says which one daprd uses.

Deprecations are those of the target Dapr release (`dapr-version`, default
the newest release daprlint knows): a name is a deprecated alias there when
the component's code of that release reads both it and its canonical name,
and that release's `metadata.yaml` does not document the alias as the only
name. So Kafka's `awsIamRoleArn` (its own field in 1.13-1.14, an alias of
`assumeRoleArn` from 1.15) and `awsRegion` of `bindings.aws.s3` (the name
1.14's builtin AWS profile documents; read from 1.14, deprecated from 1.15)
are reported from 1.15 on. Where the code does not read the alias at all in
that release (`awsRegion` on `bindings.aws.s3` in 1.12-1.13), DPR003 says so.
Without code facts for the type, the newest data (`rules/generated/aws.json`)
decides.

## Why is this bad?
Dapr marks these names deprecated and has announced their removal. Two names
for one setting also invite conflicts that are resolved silently.

## Example
```yaml
  - name: awsRegion
    value: us-east-1
```
Use instead:
```yaml
  - name: region
    value: us-east-1
```

## Fix (safe)
Renames the alias to its canonical name when the canonical one is absent.
"""
from daprlint import dapr, versions
from daprlint.rulekit import Fix

CODE = "AWS004"
NAME = "aws-deprecated-field"
SEVERITY = "warning"
SUMMARY = "deprecated AWS field alias"
FIX = "safe"
KINDS = ("Component",)
# only the types dapr.is_aws can say yes to: the engine calls the rule for no other Component
TYPES = ("data:generated/aws.json#/builtin_profile_types", "data:generated/aws.json#/own_profile_types",
         "data:generated/aws.json#/conditional")


def check(resource, ctx):
    if not dapr.is_aws(resource, ctx.data) and not _has_switch_type(resource, ctx):
        return
    names = _alias_names(resource, ctx.data)
    if not any(item.key in names for item in resource.metadata):
        return  # no alias written: nothing to look up for this release
    t = dapr.target(ctx)
    aliases = dapr.deprecated_aws_aliases(resource, ctx.data, t)
    if not aliases:
        return
    reads = versions.code_reads(ctx.data, resource.type_key, resource.version_key, t)
    for alias in aliases:
        for item in resource.items(alias["alias"]):
            if reads is not None and not reads.reads(item.name.value):
                continue  # a spelling the code does not read (exact-case lookups): DPR003's
            canonical = [i for i in resource.items(alias["canonical"])]
            if canonical:
                winner = alias["canonical"] if alias.get("wins", "canonical") == "canonical" else item.name.value
                message = (f"`{item.name.value}` is deprecated in Dapr {t.release} and conflicts with "
                           f"`{alias['canonical']}`: daprd uses `{winner}`; remove the other one")
                yield ctx.report(item.name_span, message)
            else:
                yield ctx.report(item.name_span,
                                 f"`{item.name.value}` is deprecated in Dapr {t.release}: use `{alias['canonical']}`",
                                 fix=_rename(item, alias["canonical"]))


def _alias_names(resource, data) -> frozenset:
    """The lower-cased aliases this type reads (once per type and run)."""
    memo = data.memo(CODE + ".names")
    names = memo.get(resource.type_key)
    if names is None:
        names = memo[resource.type_key] = frozenset(a["alias"].lower() for a in dapr.aliases_for(resource, data))
    return names


def _has_switch_type(resource, ctx):
    # Kafka and PostgreSQL read the aliases even when AWS IAM is off
    return resource.type_key in ctx.data.json(dapr.AWS)["conditional"]


def _rename(item, canonical):
    from daprlint.fixes import replace_scalar

    return Fix(f"rename `{item.name.value}` to `{canonical}`", (replace_scalar(item.name, canonical),), "safe")

"""A deprecated AWS alias is used where its canonical name is accepted.

## What it does
Flags `awsRegion`, `awsAccessKey`, `awsSecretKey`, `awsSessionToken`,
`awsIamRoleArn`, `awsStsSessionName` and the legacy `pubsub.aws.snssqs` names
(`awsAccountID`, `awsSecret`) on the component types that still read them,
and says what replaces each. When the alias and its canonical name are both
set, the message says which one daprd uses.

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


def check(resource, ctx):
    if not dapr.is_aws(resource, ctx.data) and not _has_switch_type(resource, ctx):
        return
    t = dapr.target(ctx)
    for alias in dapr.aliases_for(resource, ctx.data):
        if alias["alias"].lower() == alias["canonical"].lower():
            continue  # a case variant (`Endpoint`) is the same name to Dapr
        if not _deprecated_in(resource, alias, ctx.data, t):
            continue
        reads = versions.code_reads(ctx.data, resource.type_key, resource.version_key, t)
        for item in resource.items(alias["alias"]):
            if reads is not None and not reads.reads(item.name.value):
                continue  # a spelling the code does not read: DPR003's
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


def _deprecated_in(resource, alias, data, t) -> bool:
    """Whether the alias is a deprecated second name in the target release: the code reads both
    it and its canonical name there, and that release's metadata.yaml does not document the alias
    as the only name (1.14's builtin `aws` profile lists `awsRegion`, not `region`). Without code
    facts, aws.json (the master data) decides."""
    key = (resource.type_key, resource.version_key, t.release, alias["alias"])
    memo = data.memo(CODE)
    if key not in memo:
        reads = versions.code_reads(data, resource.type_key, resource.version_key, t)
        if reads is None:
            memo[key] = True
        else:
            both = all(_read(reads, n) for n in (alias["alias"], alias["canonical"]))
            listed = versions.fields(data, resource.type_key, resource.version_key, t) or {}
            only_alias = alias["alias"].lower() in listed and alias["canonical"].lower() not in listed
            memo[key] = both and not only_alias
    return memo[key]


def _read(reads, name) -> bool:
    read = reads.get(name)
    return read is not None and read.how in versions.READ


def _has_switch_type(resource, ctx):
    # Kafka and PostgreSQL read the aliases even when AWS IAM is off
    return resource.type_key in ctx.data.json(dapr.AWS)["conditional"]


def _rename(item, canonical):
    from daprlint.fixes import replace_scalar

    return Fix(f"rename `{item.name.value}` to `{canonical}`", (replace_scalar(item.name, canonical),), "safe")

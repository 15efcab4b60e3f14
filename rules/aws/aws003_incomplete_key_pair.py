"""Exactly one of `accessKey` / `secretKey` is set.

## What it does
Flags an AWS component that sets one key of the pair but not the other.

A key written in the wrong shape (`secretKeyRef: "AKIA..."`, a string where a
mapping belongs) counts as set: that is DPR001's (and SEC002's) finding, and
the pair is not incomplete.

## Why is this bad?
daprd uses static credentials only when both keys are non-empty. With one
of them it silently ignores the key and falls back to the default credential
chain, which is rarely what the author meant.

## Example
```yaml
  - name: accessKey
    secretKeyRef: {name: aws, key: id}
```
Use instead: add `secretKey`, or remove `accessKey` and use the default chain.
"""
from daprlint import dapr

CODE = "AWS003"
NAME = "aws-incomplete-key-pair"
SEVERITY = "error"
SUMMARY = "only one key of the access key pair is set"
KINDS = ("Component",)
# only the types dapr.is_aws can say yes to: the engine calls the rule for no other Component
TYPES = ("data:generated/aws.json#/builtin_profile_types", "data:generated/aws.json#/own_profile_types",
         "data:generated/aws.json#/conditional")
SKIP_PARTIAL = True  # a kustomize patch sets only what it changes


def check(resource, ctx):
    if not dapr.is_aws(resource, ctx.data):
        return
    access = [i for i in dapr.field_items(resource, "accessKey", ctx.data) if i.written]
    secret = [i for i in dapr.field_items(resource, "secretKey", ctx.data) if i.written]
    if bool(access) == bool(secret):
        return
    present, missing = (access[0], "secretKey") if access else (secret[0], "accessKey")
    yield ctx.report(present.name_span,
                     f"`{present.name.value}` is set without `{missing}`: daprd ignores a lone key and falls "
                     "back to the default credential chain")

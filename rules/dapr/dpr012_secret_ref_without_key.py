"""A `secretKeyRef` names a secret but no `key`.

## What it does
Flags a `secretKeyRef` of a Component metadata item or an HTTPEndpoint
header that has a `name` but no `key`. When it writes `value:` where `key:`
belongs, it says so: "`value` is not a secretKeyRef field; did you mean
`key`?".

The CRD makes `key` optional, so this is a warning: daprd, and on
Kubernetes the operator, then read the key named like the secret
(dapr/dapr v1.18.3 `pkg/runtime/processor/secret/secret.go`: without
`SecretKeyRef.Key` the name is the key). That is right for single-value
stores (`secretstores.local.env`, where the name is the variable) and for a
Secret that holds a key of its own name, and wrong for most others. A
`value:` inside `secretKeyRef` is ignored self-hosted; the Kubernetes API
server rejects it under strict field validation (kubectl's default) or
prunes it.

## Why is this bad?
With a multi-key secret the lookup finds nothing and the field is left
empty; daprd logs an error, or nothing at all, and the component starts
without it.

## Example
```yaml
  - name: redisPassword
    secretKeyRef:
      name: redis
      value: password
```
Use instead:
```yaml
  - name: redisPassword
    secretKeyRef:
      name: redis
      key: password
```
"""
from yaml.nodes import MappingNode, ScalarNode

from daprlint import structure
from daprlint.span import Span

CODE = "DPR012"
NAME = "secret-ref-without-key"
SEVERITY = "warning"
SUMMARY = "secretKeyRef without key: daprd reads the key named like the secret"
FIX = "none"
KINDS = ("Component", "HTTPEndpoint")


def check(resource, ctx):
    kubernetes = structure.mode_of(ctx) == structure.KUBERNETES
    for item in resource.metadata + resource.headers:
        ref = item.secret_key_ref
        if ref.__class__ is not MappingNode or structure.secret_ref_has_key(ref):
            continue  # absent or not a mapping (DPR001), or it has a key (a case variant is DPR011's)
        if any(k.__class__ is not ScalarNode or structure.placeholder_text(k.value) for k, _ in ref.value):
            continue  # a template may write the key
        name = next((v for k, v in ref.value if k.value == "name"), None)
        if name.__class__ is not ScalarNode or not name.value:
            continue  # no secret name at all: DPR001
        secret = structure.label(name.value)
        value = next((k for k, _ in ref.value if k.value.lower() == "value"), None)
        if value is not None:
            ignored = "the API server rejects or drops it" if kubernetes else "daprd ignores it"
            yield ctx.report(Span.of(value), f"`{structure.label(value.value)}` is not a secretKeyRef field; did "
                                             f"you mean `key`? ({ignored}, and the key named `{secret}`, like "
                                             "the secret, is read instead)")
            continue
        yield ctx.report(Span.of(ref), f"`secretKeyRef` has no `key`: daprd then reads the key named `{secret}` "
                                       "(like the secret), which only single-value secret stores hold; set `key`")

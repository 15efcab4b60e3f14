"""A sensitive field holds its secret inline.

## What it does
Flags a non-empty literal `value` on a field that Dapr's metadata marks
sensitive for this component type (`password`, `secretKey`, `accountKey`,
`connectionString` with a credential in it, ...). For types Dapr does not
describe, a name-based fallback decides. On an `HTTPEndpoint`, headers such as
`Authorization` or `X-API-Key` are checked the same way. Placeholders such as
`<your-password>` or `${PASSWORD}` count, because they are still the value
daprd will use. Helm/Go template expressions (`{{ .Values.x }}`) are not
flagged: they are filled in at deploy time.

## Why is this bad?
The manifest ends up in git, in CI logs and in `kubectl get -o yaml`.
`secretKeyRef` keeps the value in a secret store instead.

## Example
```yaml
  - name: redisPassword
    value: hunter2
```
Use instead:
```yaml
  - name: redisPassword
    secretKeyRef:
      name: redis-secrets
      key: redisPassword
```

## Fix (unsafe)
Replaces the value with a `secretKeyRef` and moves the value to the file
named by `--secrets-out` (a Kubernetes Secret manifest for `.yaml`, in the
component's namespace; a `secretstores.local.file` JSON for `.json`).
Without `--secrets-out` there is no fix: the value must go somewhere you
chose. The secret's name is `secret-name` (default `{component}-secrets`).

A component without `auth.secretStore` gets one: the configured
`secret-store`; else, in Kubernetes mode, the built-in `kubernetes` store;
in self-hosted mode, where daprd has no built-in store, the one secret
store the same file defines. With none (or several) there is no fix, and
the finding says why: a reference to a store that does not exist would
keep the component from ever loading.
"""
from daprlint import dapr
from daprlint.redact import masked

CODE = "SEC001"
NAME = "inline-secret"
SEVERITY = "error"
SUMMARY = "sensitive field with an inline value instead of secretKeyRef"
FIX = "unsafe"
KINDS = ("Component", "HTTPEndpoint")


def check(resource, ctx):
    for item in dapr.inline_secret_items(resource, ctx.data):
        literal = item.literal
        yield ctx.report(literal.span,
                         f"`{item.name.value}` holds an inline secret ({masked(literal.value)}); "
                         "use secretKeyRef", fix=_fix(resource, item, ctx),
                         secret_values=(literal.value,))


def _fix(resource, item, ctx):
    from daprlint.fixes import secret_ref_fix

    return secret_ref_fix(resource, item, ctx)

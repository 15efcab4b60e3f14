"""A credential-shaped value sits in plain text.

## What it does
Looks at every scalar of a Dapr resource for an AWS access key ID
(`AKIA…`, `ASIA…`), a PEM private key, or credentials inside a URL
(`amqp://user:pass@host`), wherever SEC001 did not already fire.

## Why is this bad?
A field name that does not sound secret (`host`, `brokers`, a comment-like
value) still leaks the credential into git.

## Example
```yaml
  - name: host
    value: amqp://guest:s3cret@rabbitmq:5672
```
Use instead: put the whole URL (or the password part, if the component has
a separate field) in a secret store and use `secretKeyRef`.
"""
from daprlint import dapr
from daprlint.model import iter_scalars
from daprlint.span import Span

CODE = "SEC002"
NAME = "plaintext-credential"
SEVERITY = "error"
SUMMARY = "credential-shaped value in plain text"
KINDS = ("*",)


def check(resource, ctx):
    # once per file, not per resource: a file of 20,000 documents must stay linear
    may_hold = ctx.memo.get("sec002.may_hold")
    if may_hold is None:
        may_hold = ctx.memo["sec002.may_hold"] = dapr.may_hold_credentials(ctx.text)
    if not may_hold:
        return
    already = {id(item.literal.node) for item in dapr.inline_secret_items(resource, ctx.data)} \
        if resource.kind_name in ("Component", "HTTPEndpoint") else set()
    for node, _key in iter_scalars(resource.node):
        if id(node) in already:
            continue
        kind = dapr.credential_kind(node.value)
        if kind:
            yield ctx.report(Span.of(node), f"plaintext {kind} in a Dapr resource; use secretKeyRef",
                             secret_values=(node.value,))

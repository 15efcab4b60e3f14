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
    # the engine found the file's credential-shaped scalars once (a file of 20,000 documents stays linear)
    credentials = ctx.memo.get("credentials")
    if credentials is None:  # a caller that did not look: find them for this resource only
        credentials = {id(n): k for n, _ in iter_scalars(resource.node) if (k := dapr.credential_kind(n.value))}
    if not credentials:
        return
    already = {id(item.literal.node) for item in dapr.inline_secret_items(resource, ctx.data)} \
        if resource.kind_name in ("Component", "HTTPEndpoint") else set()
    for node, _key in iter_scalars(resource.node):
        kind = credentials.get(id(node))
        if kind and id(node) not in already:
            yield ctx.report(Span.of(node), f"plaintext {kind} in a Dapr resource; use secretKeyRef",
                             secret_values=(node.value,))

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
import re

from daprlint import dapr
from daprlint.model import iter_scalars, is_templated
from daprlint.redact import AWS_KEY_ID, PEM_PRIVATE_KEY, URL_CREDENTIALS
from daprlint.span import Span

CODE = "SEC002"
NAME = "plaintext-credential"
SEVERITY = "error"
SUMMARY = "credential-shaped value in plain text"
KINDS = ("*",)


# Every credential shape above contains one of these, written without
# whitespace, so a text without them (and without backslash escapes, which
# can spell anything in a double-quoted scalar) has nothing to find.
_KEY_ID_PREFIXES = ("AKIA", "ASIA", "AROA", "AIDA", "ANPA", "AGPA")
_URL_CANDIDATE = re.compile(r"://[^\s:/@]*:[^\s@/]+@")


def _may_hold_credentials(text):
    # substring tests first: they are much cheaper than a regex scan
    if "\\" in text or "PRIVATE" in text or any(p in text for p in _KEY_ID_PREFIXES):
        return True
    return "://" in text and "@" in text and _URL_CANDIDATE.search(text) is not None


def check(resource, ctx):
    if not _may_hold_credentials(ctx.text):
        return
    already = {id(item.literal.node) for item in dapr.inline_secret_items(resource, ctx.data)} \
        if resource.kind_name in ("Component", "HTTPEndpoint") else set()
    for node, _key in iter_scalars(resource.node):
        if id(node) in already or len(node.value) < 12:
            continue
        kind = _credential_kind(node.value)
        if kind:
            yield ctx.report(Span.of(node), f"plaintext {kind} in a Dapr resource; use secretKeyRef",
                             secret_values=(node.value,))


def _credential_kind(text):
    if AWS_KEY_ID.search(text):
        return "AWS access key ID"
    if PEM_PRIVATE_KEY.search(text):
        return "private key"
    match = URL_CREDENTIALS.search(text)
    if match and not is_templated(text) and not dapr.is_reference_like(match.group("password")) \
            and not dapr.is_placeholder(match.group("password")):
        return "credential in a URL"
    return None

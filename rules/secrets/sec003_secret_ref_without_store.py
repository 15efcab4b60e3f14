"""`secretKeyRef` without `auth.secretStore` in self-hosted mode.

## What it does
In self-hosted mode (`mode = "self-hosted"` in the config, or
`--mode self-hosted`), reports a Component or HTTPEndpoint that uses
`secretKeyRef` (in `spec.metadata`, in HTTPEndpoint `spec.headers` or in
its `spec.clientTLS`) while no `auth.secretStore` names the secret store.
The finding is at the first `secretKeyRef` item, which is where daprd stops
resolving. In Kubernetes mode (the default) the operator resolves such
references from Kubernetes Secrets, so nothing is reported.

## Why is this bad?
Self-hosted daprd has no default secret store: with an empty store name it
initialises the component at once and leaves the referenced field empty,
without an error. It also stops processing the component's references at
that item, so later `secretKeyRef` and `envRef` items stay empty too.

## Example
```yaml
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisPassword
    secretKeyRef:
      name: redis
      key: password
```
Use instead:
```yaml
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisPassword
    secretKeyRef:
      name: redis
      key: password
auth:
  secretStore: localsecrets
```
"""
from yaml.nodes import MappingNode

from daprlint.model import get

CODE = "SEC003"
NAME = "secret-ref-without-store"
SEVERITY = "error"
SUMMARY = "secretKeyRef without auth.secretStore in self-hosted mode"
FIX = "none"
KINDS = ("Component", "HTTPEndpoint")


def check(resource, ctx):
    if ctx.option("mode") != "self-hosted":
        return
    store = resource.auth_secret_store
    if store is not None and store.value.strip():
        return
    first = _first_reference(resource)
    if first is None:
        return
    span, name = first
    where = ("`auth` has no `secretStore`" if get(resource.node, "auth") is not None
             else "there is no `auth.secretStore`")
    yield ctx.report(span, f"`{name}` uses secretKeyRef but {where}: self-hosted daprd has no default secret "
                           "store, so it leaves this value (and every later reference) empty; "
                           "set `auth.secretStore` at the top level")


def _first_reference(resource):
    items = resource.headers if resource.kind_name == "HTTPEndpoint" else resource.metadata
    for item in items:
        if isinstance(item.secret_key_ref, MappingNode):
            return item.name_span, item.name.value if item.name else "this item"
    if resource.kind_name == "HTTPEndpoint":
        tls = get(resource.spec, "clientTLS")
        for part in ("rootCA", "certificate", "privateKey"):
            node = get(tls, part)
            ref = get(node, "secretKeyRef")
            if isinstance(ref, MappingNode):
                from daprlint.model import get_key
                from daprlint.span import Span

                key = get_key(tls, part)
                return Span.of(key), f"clientTLS.{part}"
    return None

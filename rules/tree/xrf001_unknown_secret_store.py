"""`auth.secretStore` names a secret store the tree does not define.

## What it does
Looks at every resource with `auth.secretStore` and checks that a
`secretstores.*` Component of that name exists in the same namespace of the
linted tree. `kubernetes` is built in, but only in Kubernetes mode: in
`mode = "self-hosted"` daprd adds no built-in store (dapr v1.18.3
pkg/runtime/runtime.go, appendBuiltinSecretStore), so `kubernetes` must be
defined like any other store. The rule stays silent when the tree
defines no secret store at all (a single file in an editor, or a repo whose
stores live elsewhere: add their folder to `resources-paths`).

## Why is this bad?
daprd parks a component whose secret store is not loaded until that store
initialises, which, for a typo, is forever, with only a warning in the log.

## Example
```yaml
auth:
  secretStore: vualt        # the store is called `vault`
```
Use instead: `secretStore: vault`.
"""
from daprlint.tree import closest_name, name_list, where

CODE = "XRF001"
NAME = "unknown-secret-store"
SEVERITY = "error"
SUMMARY = "auth.secretStore names a secret store that is not defined"
SCOPE = "tree"
BUILTIN = {"kubernetes"}


def check(tree, ctx):
    builtin = ctx.option("mode", "kubernetes") != "self-hosted"
    for key, facts in tree.groups.items():
        namespace = key[1]
        stores = {f.name.value: f for f in tree.components(key, "secretstores")}
        if not stores:
            continue
        for f in facts:
            ref = f.secret_store
            if ref is None or ref.value in stores or (builtin and ref.value.lower() in BUILTIN):
                continue
            close = closest_name(ctx, ref.value, stores)
            hint = f"; did you mean `{close}` ({where(stores[close].name)})?" if close else \
                f"; defined here: {name_list(stores)}"
            if not builtin and ref.value.lower() in BUILTIN:
                hint = f" (`kubernetes` is built in only in Kubernetes mode){hint}"
            yield ctx.report(ref, f"secret store `{ref.value}` is not defined in namespace `{namespace}`: daprd "
                                  f"would wait for it forever{hint}")

"""A `secretKeyRef` names a Secret, or a key of it, that is not defined.

## What it does
With the Kubernetes secret store (no `auth.secretStore`, or `kubernetes`,
in a deployment applied to Kubernetes: kustomize, Helm, or `mode = "kubernetes"`), checks each `secretKeyRef` against the Secrets of the
component's namespace in the deployment: `Secret` manifests (`data` and
`stringData` keys), kustomize `secretGenerator`s, and SealedSecret and
ExternalSecret names (their keys are unknown, so only the name is
checked). `key` defaults to the Secret's name, as daprd does. With a
`secretstores.local.file` store, checks against the JSON file its
`secretsFile` names, when that file is in the tree, as the store reads it
(`nestedSeparator`, `multiValued`). Silent when the deployment defines no
Secret (they may come from elsewhere) and for other stores.

## Why is this bad?
A missing Secret makes the operator fail the component list, and a missing
key leaves the value silently unset while the sidecar reports Ready
(dapr/dapr#6064, components-contrib#3229).

## Example
```yaml
  - name: password
    secretKeyRef:
      name: db
      key: passwrd          # the Secret `db` has the key `password`
```
Use instead: `key: password`.
"""
from daprlint.tree import closest_name, name_list, where

CODE = "XRF007"
NAME = "unknown-secret"
SEVERITY = "error"
SUMMARY = "secretKeyRef names a Secret or key that is not defined"
SCOPE = "tree"


def check(tree, ctx):
    for key, resources in tree.groups.items():
        d = tree.deployment(key)
        kubernetes = d.mode == "kubernetes"
        stores = {f.name.value: f for f in resources if f.kind == "Component" and f.name is not None
                  and f.type.lower() == "secretstores.local.file" and id(f) in d.local_secret_files}
        secrets = {s.name.value: s for s in tree.secrets(key)}
        has_secrets = bool(d.secrets)
        for f in resources:
            if not f.secret_refs:
                continue
            store = f.secret_store.value if f.secret_store is not None else ""
            if store in stores:
                yield from _local_file(ctx, f, stores[store], d.local_secret_files[id(stores[store])])
            elif kubernetes and store.lower() in ("", "kubernetes") and has_secrets:
                yield from _kubernetes(ctx, f, secrets, key[1])


def _kubernetes(ctx, f, secrets, namespace):
    for ref in f.secret_refs:
        secret = secrets.get(ref.name.value)
        if secret is None:
            close = closest_name(ctx, ref.name.value, secrets)
            hint = f"; did you mean `{close}` ({where(secrets[close].name)})?" if close else \
                (f"; defined here: {name_list(secrets)}" if secrets else "")
            yield ctx.report(ref.name, f"Secret `{ref.name.value}` is not defined in namespace `{namespace}`: "
                                       f"the component's secrets cannot be resolved{hint}")
            continue
        yield from _key(ctx, ref, secret.keys, f"Secret `{ref.name.value}` ({where(secret.name)})")


def _local_file(ctx, f, store, known):
    if known is None:
        return  # the file does not parse as the store reads it: not ours to judge here
    for ref in f.secret_refs:
        keys = known.get(ref.name.value)
        if keys is None:
            close = closest_name(ctx, ref.name.value, known)
            hint = f"; did you mean `{close}`?" if close else ""
            yield ctx.report(ref.name, f"secret `{ref.name.value}` is not in the file of secret store "
                                       f"`{store.name.value}` ({where(store.name)}){hint}")
            continue
        yield from _key(ctx, ref, keys, f"secret `{ref.name.value}` of store `{store.name.value}`")


def _key(ctx, ref, keys, what):
    if keys is None:
        return  # SealedSecret, ExternalSecret, an env-file generator: keys unknown
    wanted = ref.key.value if ref.key is not None else ref.name.value
    if wanted in keys:
        return
    anchor = ref.key if ref.key is not None else ref.name
    close = closest_name(ctx, wanted, keys)
    hint = f"; did you mean `{close}`?" if close else (f" (its keys: {name_list(keys)})" if keys else " (it has no keys)")
    default = "" if ref.key is not None else " (no `key`: daprd looks up the secret's own name)"
    yield ctx.report(anchor, f"{what} has no key `{wanted}`{default}: the value stays unset{hint}")

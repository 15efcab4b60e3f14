"""Two Components in one namespace of a deployment share a name.

## What it does
Reports the second and later Components with the same `metadata.name` in
the same namespace of one deployment (see `daprlint deployments`), naming
the file and line of the first, whatever their types. Kustomize patches are
not Components of their own and are never reported.

## Why is this bad?
Self-hosted daprd refuses to start: `duplicate definition of Component name
...` (dapr/dapr `pkg/internal/loader/disk`, DAPR-FACTS A.3), whether the
two share a type or not. On Kubernetes the second `kubectl apply` silently
replaces the first.

## Example
Two files of one resources folder that both define
`metadata.name: statestore`. Rename one, or move the alternative to a
folder of its own.
"""
from daprlint.tree import where

CODE = "XRF003"
NAME = "duplicate-component-name"
SEVERITY = "error"
SUMMARY = "two Components in one namespace share a name"
SCOPE = "tree"


def check(tree, ctx):
    for key in tree.groups:
        namespace = key[1]
        kubernetes = tree.deployment(key).mode == "kubernetes"
        first = {}
        for f in tree.components(key):
            if f.api_version != "dapr.io/v1alpha1" or f.partial:
                continue
            seen = first.get(f.name.value)
            if seen is None:
                first[f.name.value] = f
                continue
            effect = "the later `kubectl apply` replaces the first" if kubernetes else "daprd fails to start"
            yield ctx.report(f.name, f"Component `{f.name.value}` is already defined in namespace `{namespace}` "
                                     f"at {where(seen.name)}: {effect}")

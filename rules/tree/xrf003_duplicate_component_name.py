"""Two Components in one namespace share a name.

## What it does
Reports the second and later Components with the same `metadata.name` in
the same namespace of one deployment (see `tree-scope`), naming the file and
line of the first. Two files that define the same name with *different*
types are treated as alternatives (a folder of interchangeable state stores,
one of which is applied) and are not reported; inside one file, or with the
same type, they are.

## Why is this bad?
daprd refuses to start: `duplicate definition of Component name ...`.

## Example
Two files that both define `metadata.name: statestore`. Rename one.
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
        first = {}
        for f in tree.components(key):
            if f.api_version != "dapr.io/v1alpha1":
                continue
            seen = first.get(f.name.value)
            if seen is None:
                first[f.name.value] = f
            elif seen.path != f.path and seen.type.lower() != f.type.lower():
                continue  # alternatives, e.g. dapr_redis_state.yaml next to dapr_postgres_state.yaml
            else:
                yield ctx.report(f.name, f"Component `{f.name.value}` is already defined in namespace `{namespace}` "
                                         f"at {where(seen.name)}: daprd fails to start")

"""A kustomization lists a resource that does not exist.

## What it does
Resolves each entry of a kustomization's `resources` (and the older
`bases`, and `components`) relative to its folder and reports files and
folders that do not exist. Remote entries (URLs) are not checked.

## Why is this bad?
`kustomize build` (and `kubectl apply -k`) fails, so nothing of the
overlay is applied.

## Example
```yaml
resources:
- ../../base
- statestore.yml        # the file is statestore.yaml
```
"""
CODE = "KUS001"
NAME = "missing-kustomize-resource"
SEVERITY = "error"
SUMMARY = "a kustomization lists a resource that does not exist"
SCOPE = "tree"


def check(tree, ctx):
    for d in tree.deployments.values():
        for ref, message, kind in d.missing:
            if kind == "kustomize":
                yield ctx.report(ref, f"{message}: `kustomize build` fails")

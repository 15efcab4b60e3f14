"""A Resiliency target names a component that is not in the tree.

## What it does
Checks each key of a Resiliency's `spec.targets.components` against the
Components of the same namespace. Silent when the tree has no Component.

## Why is this bad?
The policy silently applies to nothing.

## Example
```yaml
  targets:
    components:
      statestor:        # the component is called statestore
        outbound: {retry: retryForever}
```
"""
from daprlint.tree import closest_name

CODE = "XRF004"
NAME = "unknown-resiliency-target"
SEVERITY = "error"
SUMMARY = "Resiliency target names a component that is not defined"
SCOPE = "tree"


def check(tree, ctx):
    for key, facts in tree.groups.items():
        namespace = key[1]
        names = {f.name.value for f in tree.components(key)}
        if not names:
            continue
        for f in facts:
            if f.kind != "Resiliency":
                continue
            for ref in f.resiliency_components:
                if ref.value in names:
                    continue
                close = closest_name(ctx, ref.value, sorted(names))
                hint = f"; did you mean `{close}`?" if close else ""
                yield ctx.report(ref, f"resiliency target `{ref.value}` is not a Component in namespace "
                                      f"`{namespace}`{hint}")

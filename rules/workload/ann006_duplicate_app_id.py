"""Two Dapr-enabled workloads in one namespace share an app ID.

## What it does
Reports the second and later Dapr-enabled workloads of a deployment's
namespace whose `dapr.io/app-id` (for a Pod without one: its name) is
already taken, naming the first.

## Why is this bad?
An app ID names one app: the operator makes one `<app-id>-dapr` Service per
ID, so service invocation reaches either app at random, and actors and
pub/sub consumer groups are shared by accident.

## Example
Two Deployments, `orders` and `orders-worker`, both with
`dapr.io/app-id: orders`. Give the worker its own ID.
"""
from daprlint.tree import where

CODE = "ANN006"
NAME = "duplicate-app-id"
SEVERITY = "error"
SUMMARY = "two Dapr-enabled workloads in one namespace share an app ID"
SCOPE = "tree"
_TRUTHY = ("y", "yes", "true", "t", "on", "1")


def check(tree, ctx):
    for key in tree.groups:
        first = {}
        for w in tree.workloads(key):
            if w.app_id is None or w.enabled is None or w.enabled.strip().lower() not in _TRUTHY:
                continue
            seen = first.setdefault(w.app_id.value, w)
            if seen is not w and (seen.path, seen.name and seen.name.value) != (w.path, w.name and w.name.value):
                yield ctx.report(w.app_id, f"app ID `{w.app_id.value}` is already used in namespace `{key[1]}` by "
                                           f"{seen.kind} {seen.name.value if seen.name else ''} "
                                           f"({where(seen.app_id)})")

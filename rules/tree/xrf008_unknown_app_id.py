"""Scopes or resiliency targets name an app ID that the deployment does not declare.

## What it does
Checks the `scopes` of every Dapr resource and the app names under a
Resiliency's `targets.apps` against the app IDs of the deployment: the
`dapr.io/app-id` of its Dapr-enabled workloads (a Pod without one is
called by its name) and the apps of its run file (`appID`, else the base
name of `appDirPath`). Silent when the deployment declares no app ID, or
when one of its Dapr-enabled workloads has none that can be known.

## Why is this bad?
A scoped component is loaded only by the apps listed: a misspelt app ID
means the app that needs it never gets it, and nothing is logged
(dapr/dapr#2790, #2895).

## Example
```yaml
scopes:
- checkout
- ordres        # the app is called orders
```
Use instead: `- orders`.
"""
from daprlint.tree import closest_name, name_list

CODE = "XRF008"
NAME = "unknown-app-id"
SEVERITY = "warning"
SUMMARY = "scopes or resiliency targets name an app ID that no workload or run file declares"
SCOPE = "tree"


def check(tree, ctx):
    for key, resources in tree.groups.items():
        d = tree.deployment(key)
        known, complete = _app_ids(tree, key, d)
        if not known or not complete:
            continue
        for f in resources:
            for ref in (f.scopes or []) + f.resiliency_apps:
                if ref.value in known:
                    continue
                close = closest_name(ctx, ref.value, known)
                hint = f"; did you mean `{close}`?" if close else f"; declared here: {name_list(known)}"
                yield ctx.report(ref, f"app ID `{ref.value}` is not declared by any workload or run file of this "
                                      f"deployment{hint}")


def _app_ids(tree, key, d):
    """The app IDs of this namespace of the deployment, and whether every Dapr-enabled workload's is known."""
    if d.kind == "run-file":
        return set(d.app_ids), True
    known, complete = set(), True
    for w in tree.workloads(key):
        if w.enabled is None or w.enabled.strip().lower() not in ("y", "yes", "true", "t", "on", "1"):
            continue
        if not w.app_id_known:
            complete = False
        elif w.app_id is not None:
            known.add(w.app_id.value)
    return known, complete

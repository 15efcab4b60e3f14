"""A Subscription or Resiliency is scoped to apps that cannot see its component.

## What it does
Only when the tree holds scoped components: for a scoped Subscription, each
app in its `scopes` must also be in the `scopes` of its pub/sub component;
for a scoped Resiliency, each app must be in the `scopes` of every scoped
component it targets.

## Why is this bad?
A component with `scopes` is loaded only by the listed apps. An app outside
them gets the Subscription or policy but not the component, and nothing
happens, silently.

## Example
```yaml
kind: Component
metadata: {name: orders-pubsub}
scopes: [checkout]
---
kind: Subscription
spec: {pubsubname: orders-pubsub, topic: orders, route: /orders}
scopes: [shipping]          # shipping cannot see orders-pubsub
```
"""
from daprlint.tree import where

CODE = "XRF005"
NAME = "scope-mismatch"
SEVERITY = "error"
SUMMARY = "scoped Subscription/Resiliency names apps that cannot see the component"
SCOPE = "tree"


def check(tree, ctx):
    for key, facts in tree.groups.items():
        namespace = key[1]
        scoped = {f.name.value: f for f in tree.components(key) if f.scopes}
        if not scoped:
            continue
        for f in facts:
            if not f.scopes:
                continue
            if f.kind == "Subscription" and f.pubsub is not None:
                needed = [f.pubsub]
            elif f.kind == "Resiliency":
                needed = f.resiliency_components
            else:
                continue
            for ref in needed:
                component = scoped.get(ref.value)
                if component is None:
                    continue
                allowed = {s.value for s in component.scopes}
                for app in f.scopes:
                    if app.value not in allowed:
                        yield ctx.report(app, f"app `{app.value}` cannot see Component `{ref.value}`, which is "
                                              f"scoped to {', '.join(sorted(allowed))} ({where(component.name)})")

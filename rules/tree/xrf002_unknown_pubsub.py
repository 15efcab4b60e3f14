"""A Subscription's `pubsubname` is not a pub/sub component in the tree.

## What it does
Checks that every Subscription's `spec.pubsubname` names a `pubsub.*`
Component in the same namespace. Silent when the tree defines no pub/sub
component at all.

## Why is this bad?
daprd subscribes to nothing and logs a warning; messages are never delivered.

## Example
```yaml
kind: Subscription
spec:
  pubsubname: order-pubsub   # the component is called orders-pubsub
```
Use instead: the component's exact name.
"""
from daprlint.tree import closest_name, name_list, where

CODE = "XRF002"
NAME = "unknown-pubsub"
SEVERITY = "error"
SUMMARY = "Subscription names a pub/sub component that is not defined"
SCOPE = "tree"


def check(tree, ctx):
    for key, facts in tree.groups.items():
        namespace = key[1]
        pubsubs = {f.name.value: f for f in tree.components(key, "pubsub")}
        if not pubsubs:
            continue
        for f in facts:
            ref = f.pubsub
            if f.kind != "Subscription" or ref is None or ref.value in pubsubs:
                continue
            close = closest_name(ctx, ref.value, pubsubs)
            hint = f"; did you mean `{close}` ({where(pubsubs[close].name)})?" if close else \
                f"; defined here: {name_list(pubsubs)}"
            yield ctx.report(ref, f"pub/sub component `{ref.value}` is not defined in namespace `{namespace}`{hint}")

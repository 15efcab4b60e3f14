"""A workload or run file names a Configuration that the deployment does not define.

## What it does
Checks `dapr.io/config` on every Dapr-enabled workload against the
Configurations of its namespace in the deployment, and a run file's
`configFilePath` against the file it names (which must hold a
Configuration). Silent when the deployment defines no Configuration at all
(it may be applied from elsewhere).

## Why is this bad?
The sidecar fails to start when its Configuration does not exist
(`error loading configuration`), so the pod never becomes ready; a run file
whose config file holds no Configuration runs daprd with the defaults.

## Example
```yaml
annotations:
  dapr.io/enabled: "true"
  dapr.io/app-id: shop-api
  dapr.io/config: shop-confg     # the Configuration is called shop-config
```
Use instead: `dapr.io/config: shop-config`.
"""
from daprlint.tree import closest_name, name_list, where

CODE = "XRF006"
NAME = "unknown-configuration"
SEVERITY = "error"
SUMMARY = "dapr.io/config or configFilePath names a Configuration that is not defined"
SCOPE = "tree"


def check(tree, ctx):
    for key, resources in tree.groups.items():
        namespace = key[1]
        configs = {f.name.value: f for f in resources if f.kind == "Configuration" and f.name is not None}
        if not configs:
            continue
        for w in tree.workloads(key):
            ref = w.config
            if ref is None or ref.value in configs:
                continue
            close = closest_name(ctx, ref.value, configs)
            hint = f"; did you mean `{close}` ({where(configs[close].name)})?" if close else \
                f"; defined here: {name_list(configs)}"
            yield ctx.report(ref, f"Configuration `{ref.value}` is not defined in namespace `{namespace}`: the "
                                  f"sidecar fails to start{hint}")
    for d in tree.deployments.values():
        for ref, shown, holds in d.config_files:
            if holds is False:
                yield ctx.report(ref, f"`{ref.value}` holds no Configuration: daprd runs with the default "
                                      "configuration")

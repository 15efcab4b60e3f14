"""A Component's type is one the project's type policy does not allow.

## What it does
Checks `spec.type` against the type policy in the configuration, written as
globs over Dapr's component types (lower-case, as Dapr matches them):

- `forbidden-types`: types no file may use;
- `allowed-types`: the only types any file may use;
- `per-file-forbidden-types` and `per-file-allowed-types`: the same for the
  files a glob matches (globs as in `per-file-ignores`).

Every list that applies to a file must allow the type. The rule does
nothing until one of these settings is set, and it leaves templated types
(`{{ .Values.type }}`) alone.

## Why is this bad?
Some component types are fine on a laptop and wrong in production:
`secretstores.local.file` reads secrets from a file on the host,
`state.in-memory` loses its data on every restart, and a platform team may
run only a few brokers and stores. A policy in the config catches them in
review, before daprd loads them.

## Example
```toml
[tool.daprlint]
forbidden-types = ["secretstores.local.*", "state.in-memory"]
per-file-allowed-types = { "deploy/**" = ["state.redis", "pubsub.kafka", "secretstores.kubernetes"] }
```
```yaml
# deploy/secrets.yaml
spec:
  type: secretstores.local.file   # forbidden everywhere
```
Use instead: a type the policy allows (`secretstores.kubernetes`). A folder
where the policy does not apply is an exception in `per-file-ignores`:
`{ "local/**" = ["POL001"] }`.

## Fix
None: which component replaces a forbidden one is a decision.
"""
from fnmatch import fnmatchcase

from daprlint.config import matching_globs

CODE = "POL001"
NAME = "disallowed-component-type"
SEVERITY = "error"
SUMMARY = "component type that the project's type policy forbids or does not allow"
KINDS = ("Component",)


def check(resource, ctx):
    if resource.type is None or resource.unknown(resource.type.node) or not resource.type_key:
        return  # no type, or one a template decides
    policy = _policy(resource.path, ctx)
    if policy is None:
        return
    forbidden, allowed = policy
    key = resource.type_key
    for source, globs in forbidden:
        hit = next((g for g in globs if fnmatchcase(key, g)), None)
        if hit is not None:
            yield ctx.report(resource.type.span, f"component type `{resource.type_name}` is forbidden by {source} "
                                                 f"(`{hit}`)")
            return
    for source, globs in allowed:
        if not any(fnmatchcase(key, g) for g in globs):
            shown = ", ".join(f"`{g}`" for g in globs[:6]) + (f" and {len(globs) - 6} more" if len(globs) > 6 else "")
            yield ctx.report(resource.type.span, f"component type `{resource.type_name}` is not allowed by {source} "
                                                 f"({shown})")
            return


def _policy(path, ctx):
    """([(where, globs)] forbidden, [(where, globs)] allowed) for this file; None without a policy.
    Worked out once per file (ctx.memo)."""
    if CODE in ctx.memo:
        return ctx.memo[CODE]
    forbidden, allowed = [], []
    if ctx.option("forbidden-types"):
        forbidden.append(("forbidden-types", ctx.option("forbidden-types")))
    if ctx.option("allowed-types"):
        allowed.append(("allowed-types", ctx.option("allowed-types")))
    root = ctx.option("project-root")
    for key, out in (("per-file-forbidden-types", forbidden), ("per-file-allowed-types", allowed)):
        table = ctx.option(key) or {}
        for glob in matching_globs(table, path, root):
            out.append((f'{key} "{glob}"', table[glob]))
    policy = ctx.memo[CODE] = (forbidden, allowed) if forbidden or allowed else None
    return policy

"""A path in a run file does not exist.

## What it does
Resolves `appDirPath` (relative to the run file's folder), each app's
`resourcesPath(s)` and `configFilePath` (relative to the app's
`appDirPath`) and `common`'s (relative to the run file's folder) as the
Dapr CLI does (dapr/cli `pkg/runfileconfig`, run-file-fields.json
path_resolution), and reports those that do not exist.

## Why is this bad?
`dapr run -f` stops with `error in getting the file info for <path>`
before any app starts.

## Example
```yaml
version: 1
apps:
- appDirPath: ./checkout
  resourcesPath: ./componets     # the folder is ./checkout/components
```
Use instead: the folder's real path, relative to `appDirPath`.
"""
CODE = "RUN003"
NAME = "missing-run-file-path"
SEVERITY = "error"
SUMMARY = "a run file path does not exist"
SCOPE = "tree"


def check(tree, ctx):
    for d in tree.deployments.values():
        for ref, message, kind in d.missing:
            if kind == "run-file":
                yield ctx.report(ref, f"{message}: `dapr run -f` stops before any app starts")

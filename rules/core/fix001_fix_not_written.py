"""`--fix` could not write its changes to this file.

## What it does
Reported by `--fix` when the fixed text was not written: the file is
read-only, it changed on disk while daprlint was working on it, or the
SEC001 fix had nowhere safe to put the secret values (`--secrets-out`
missing, inside a git work tree without being ignored, or holding a
different value for the same key).

## Why is this bad?
The findings the fixes would have resolved are still there.

## Example
`daprlint check --fix --unsafe-fixes --secrets-out secrets.yaml` inside a
repository where `secrets.yaml` is not in `.gitignore`.
"""

CODE = "FIX001"
NAME = "fix-not-written"
SEVERITY = "error"
SUMMARY = "--fix could not write its changes"
SCOPE = "engine"


def check(target, ctx):
    return ()

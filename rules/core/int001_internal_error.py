"""A rule crashed on this file.

## What it does
When a rule raises an exception, daprlint reports this finding for the file
instead of a traceback, keeps linting the other rules and files, and exits
with code 2. The message names the rule and the exception type only, never
a value from the file.

## Why is this bad?
It is a bug in daprlint or in a rule pack: please report it with the
manifest's structure (not its values).

This finding cannot be ignored.
"""

CODE = "INT001"
NAME = "internal-error"
SEVERITY = "error"
SUMMARY = "a rule crashed (bug in daprlint or a rule pack)"
SCOPE = "engine"


def check(target, ctx):
    return ()

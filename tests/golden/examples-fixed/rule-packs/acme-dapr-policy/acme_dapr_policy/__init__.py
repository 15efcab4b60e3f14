"""ACME's Dapr policy, as a daprlint rule pack.

This folder is the pack: daprlint loads every `*.py` and `*.schema.json` in
it whose name does not start with `_` (this file is skipped) and reads
`data/` with `ctx.data.json(...)`. It is never imported as a package to find
the rules.
"""

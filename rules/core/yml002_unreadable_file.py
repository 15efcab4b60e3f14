"""The file cannot be read as UTF-8 YAML.

## What it does
Reports a file that daprlint cannot lint at all: not UTF-8 (UTF-16 with a
BOM, other encodings), NUL bytes, larger than `max-file-size` (5 MB by
default), a FIFO or device, or unreadable. The other files are still linted.

## Why is this bad?
Kubernetes and daprd expect UTF-8 YAML; such a file is either not a
manifest or will not load.

## Example
A manifest saved as UTF-16 by an editor. Re-save it as UTF-8.
"""

CODE = "YML002"
NAME = "unreadable-file"
SEVERITY = "error"
SUMMARY = "file cannot be read as UTF-8 YAML"
SCOPE = "engine"


def check(target, ctx):  # reported by the engine, which reads the files
    return ()

"""daprlint: a fast static linter, with autofix, for Dapr component manifests."""

__version__ = "0.1.0"

from ._yaml_startup import seed_reader_pattern as _seed_reader_pattern

_seed_reader_pattern()  # before any daprlint module imports yaml: see _yaml_startup

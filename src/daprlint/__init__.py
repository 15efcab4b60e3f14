"""daprlint: a fast static linter, with autofix, for Dapr component manifests."""

__version__ = "0.1.0"

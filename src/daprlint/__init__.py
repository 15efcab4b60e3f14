"""daprlint: a fast static linter, with autofix, for Dapr component manifests."""

__version__ = "0.1.0"

from ._yaml_startup import install as _install_yaml_startup

_install_yaml_startup()  # before any daprlint module imports yaml: see _yaml_startup

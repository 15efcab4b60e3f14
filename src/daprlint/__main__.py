import os
import sys

# `python -m daprlint` puts the current folder first on sys.path, so a linted
# tree holding `tomllib.py` or `yaml.py` would have its code imported by our
# later imports. daprlint itself is found by now: drop that entry (what
# `python -P` does). The `daprlint` console script never adds it.
if sys.path and sys.path[0] in ("", os.getcwd()) and not getattr(sys.flags, "safe_path", False):
    del sys.path[0]

from .cli import main  # noqa: E402

raise SystemExit(main())

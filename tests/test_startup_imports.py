"""A whole run imports no pathlib, in every report format (2-6 ms on the bench's VM, with urllib.parse and ipaddress).

The schema rules' validators take the data file's path as a str
(PackData.file_path), the JSON report finds the built-in pack as a str
(packs.builtin_pack_folder), and atomic.py, which the cache's first write
imports, names pathlib for its annotations only. bench/README.md, round
eleven, has the figures. The warm named file's run is checked in
test_warm_named_file.py.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO

PROBE = r"""
import json, sys
from daprlint.cli import main
code = main(sys.argv[1:])
print(json.dumps([code, sorted(m for m in ("pathlib", "urllib.parse", "ipaddress") if m in sys.modules)]),
      file=sys.stderr)
"""


def _modules_after(args, cwd):
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120,
                          cwd=cwd)
    code, modules = json.loads(proc.stderr.strip().splitlines()[-1])
    return code, modules


@pytest.mark.parametrize("cache, fmt", [("--no-cache", "json"), ("new cache", "json"), ("--no-cache", "text"),
                                        ("--no-cache", "sarif"), ("--no-cache", "github")])
def test_a_run_over_the_examples_imports_no_pathlib(tmp_path, cache, fmt):
    flags = ["--no-cache"] if cache == "--no-cache" else ["--cache-dir", str(tmp_path / "cache")]
    code, modules = _modules_after(["check", "--isolated", "--jobs", "1", "--format", fmt, *flags,
                                    str(REPO / "examples" / "bad")], tmp_path)
    assert code == 1  # the bad examples have findings: the schema rules and the report ran
    assert "pathlib" not in modules
    if fmt != "sarif":  # SARIF's artifact URIs are urllib.parse's work
        assert modules == []
    if cache != "--no-cache":
        assert any((tmp_path / "cache").iterdir())  # the store was written

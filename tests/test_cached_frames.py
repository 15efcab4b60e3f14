"""The full report does not depend on the cache: `--no-cache`, a run that
writes the cache and a warm run print the same bytes, code frames included.

Two ways they differed: a warm run printed a secret's value where the file
repeats it (a comment, another field's value), because a cached
result carries the secret spans but no values; and frames were missing for
deployment findings on workloads and structure files in one kind of run and
not the other, or for SUP001 on a warm run.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import run_cli

REPO = Path(__file__).resolve().parents[1]
TREES = ["examples", "tests/fixtures", "tests/fixtures/project"]

PLANTED = "Planted-Secret-0042"
REPEATED = f"""\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: mail  # the password is {PLANTED}
spec:
  type: bindings.smtp
  version: v1
  metadata:
  - name: host
    value: smtp.example.com
  - name: user
    value: "{PLANTED}"
  - name: password
    value: "{PLANTED}"
"""


def _three_runs(tree: Path, cache: Path, *flags: str) -> list[bytes]:
    base = ["check", "--isolated", "--output-format", "full", *flags]
    return [run_cli(*base, "--no-cache", str(tree)).stdout,
            run_cli(*base, "--cache-dir", str(cache), str(tree)).stdout,   # writes the cache
            run_cli(*base, "--cache-dir", str(cache), str(tree)).stdout]   # served from it


@pytest.mark.parametrize("tree", TREES)
def test_the_full_report_is_the_same_with_and_without_the_cache(tree, tmp_path):
    work = tmp_path / "tree"
    shutil.copytree(REPO / tree, work, ignore=shutil.ignore_patterns("__pycache__"))
    cold, writing, warm = _three_runs(work, tmp_path / "cache")
    assert b" | " in cold                                  # code frames were printed
    assert writing == cold
    assert warm == cold


def test_a_secret_repeated_elsewhere_in_the_file_is_masked_in_every_run(tmp_path):
    manifest = tmp_path / "mail.yaml"
    manifest.write_text(REPEATED, encoding="utf-8")
    outputs = _three_runs(manifest, tmp_path / "cache")
    for out in outputs:
        assert b"SEC001" in out and b" | " in out
        assert PLANTED.encode() not in out
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]

"""Shared helpers: run daprlint in-process or as a real subprocess."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = REPO / "tests" / "fixtures"


# Small manifests the interface tests (action, pre-commit) lint with the real tools.
DYNAMODB_WITHOUT_REGION = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: orders
spec:
  type: state.aws.dynamodb
  version: v1
  metadata:
  - name: table
    value: orders
"""
REGION_ITEM = """\
  - name: region
    value: eu-west-1
"""
S3_WITH_DEPRECATED_REGION = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: files
spec:
  type: bindings.aws.s3
  version: v1
  metadata:
  - name: bucket
    value: my-bucket
  - name: awsRegion
    value: us-east-1
"""


def ctrl_c_reaches_child() -> None:
    """A Popen preexec_fn: the child takes Ctrl-C (SIGINT) as a terminal's process does. A shell
    without job control starts background jobs with SIGINT ignored, children inherit that, and
    Python then installs no KeyboardInterrupt handler (a suite run under nohup or from a CI step)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def shared_or_skip(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present: this test needs ../shared beside the repository")
    return path


def run_cli(*args: str, input: bytes | None = None, cwd: Path | None = None, timeout: float = 120,
            env: dict | None = None) -> subprocess.CompletedProcess:
    """The real CLI in a subprocess, as users and pre-commit run it."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "daprlint", *args], input=input, capture_output=True,
                          cwd=cwd or REPO, timeout=timeout, env=full_env)


def lint_json(*args: str, **kw) -> tuple[int, dict]:
    proc = run_cli("check", "--format", "json", "--no-cache", *args, **kw)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return proc.returncode, json.loads(proc.stdout)


def cache_engine(root: Path, collects_facts: bool = False):
    """What a ResultCache reads of its engine, and no more (tests of the cache's stores)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        collects_facts=collects_facts, rules={}, options={},
        settings=SimpleNamespace(severity={}, per_file_ignores={}, options={}, root=root, root_dir=str(root)),
        ruleset=SimpleNamespace(fingerprint=lambda: "packs"))

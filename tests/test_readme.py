"""The README's two set-up commands work, as written, in a fresh copy."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from conftest import REPO


def readme_command(marker: str) -> str:
    text = (REPO / "README.md").read_text()
    match = re.search(re.escape(marker) + r"\s*```sh\n(.+?)\n```", text)
    assert match, marker
    return match.group(1).strip()


def fresh_copy(tmp_path):
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    dest = tmp_path / "daprlint"
    for rel in files:
        src = REPO / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


@pytest.mark.slow
def test_install_and_lint_examples(tmp_path):
    cmd = readme_command("<!-- setup:run -->")
    proc = subprocess.run(["bash", "-c", cmd], cwd=fresh_copy(tmp_path), capture_output=True, timeout=600)
    # examples/bad holds a broken manifest per rule: findings, so exit code 1
    assert proc.returncode == 1, proc.stderr.decode()[-2000:]
    out = proc.stdout.decode()
    for code in ("AWS001", "AWS002", "AWS003", "AWS004", "AWS005", "AWS008", "SEC001", "SEC002", "YML001", "DPR001"):
        assert code in out
    assert "Traceback" not in proc.stderr.decode()


@pytest.mark.slow
def test_install_test_extras_and_collect_the_suite(tmp_path):
    cmd = readme_command("<!-- setup:test -->")
    env = {**os.environ, "PYTEST_ADDOPTS": "--collect-only -q"}  # the full run is what .ci/run does
    proc = subprocess.run(["bash", "-c", cmd], cwd=fresh_copy(tmp_path), capture_output=True, timeout=900, env=env)
    assert proc.returncode == 0, proc.stdout.decode()[-3000:] + proc.stderr.decode()[-2000:]
    assert b"tests collected" in proc.stdout or b"test_rules.py" in proc.stdout

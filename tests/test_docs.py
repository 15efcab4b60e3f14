"""docs/rules.md and the README's rule table are generated from the rules."""
from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_generated_docs_are_fresh():
    proc = subprocess.run([sys.executable, "scripts/gen_docs.py", "--check"], cwd=REPO, capture_output=True)
    assert proc.returncode == 0, proc.stdout.decode()


def test_readme_has_exactly_two_setup_commands():
    text = (REPO / "README.md").read_text()
    assert text.count("<!-- setup:run -->") == 1 and text.count("<!-- setup:test -->") == 1

"""The example org-policy pack (examples/rule-packs/acme-dapr-policy), as docs/writing-rules.md describes it.

Its rules fire where tests/fixtures/example-pack/bad.yaml says (`# expect:`
marks, as for the built-in rules) and never on good.yaml; its fix round-trips;
`rules` and `explain` show it; installed with pip it loads through its entry
point with no flag at all.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES, REPO, run_cli
from test_rules import expected

PROJECT = REPO / "examples" / "rule-packs" / "acme-dapr-policy"
PACK = PROJECT / "acme_dapr_policy"
SAMPLES = FIXTURES / "example-pack"


@pytest.fixture(autouse=True)
def no_user_config(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.delenv("DAPRLINT_RULE_PACKS", raising=False)


def _findings(path, *extra, **kw):
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "json", "--select", "ACME", *extra, str(path), **kw)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return json.loads(proc.stdout)["findings"]


def test_bad_sample_fires_where_marked_and_good_is_clean():
    got = sorted((f["line"], f["column"], f["code"]) for f in _findings(SAMPLES / "bad.yaml", "--rule-pack", str(PACK)))
    assert got == expected(SAMPLES / "bad.yaml") and len(got) == 3
    assert _findings(SAMPLES / "good.yaml", "--rule-pack", str(PACK)) == []


def test_unsafe_fix_round_trips(tmp_path):
    work = shutil.copy(SAMPLES / "bad.yaml", tmp_path / "bad.yaml")
    proc = run_cli("check", "--isolated", "--no-cache", "--rule-pack", str(PACK), "--select", "ACME001", "--fix",
                   "--unsafe-fixes", str(work))
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    import yaml

    text = work.read_text()
    assert "# expect: ACME001" in text  # comments kept
    values = [item.get("value") for doc in yaml.safe_load_all(text) for item in doc["spec"]["metadata"]
              if item["name"] == "enableTLS"]
    assert values == ["true", "true"]  # both fixed, each the string "true" (as Dapr reads metadata)
    before = work.read_bytes()
    run_cli("check", "--isolated", "--no-cache", "--rule-pack", str(PACK), "--select", "ACME001", "--fix",
            "--unsafe-fixes", str(work))
    assert work.read_bytes() == before  # a second --fix changes nothing


def test_rules_and_explain_show_the_pack():
    proc = run_cli("explain", "redis-without-tls", "--rule-pack", str(PACK))
    assert proc.returncode == 0 and b"ACME001 (redis-without-tls)" in proc.stdout and b"## Fix" in proc.stdout
    rules = {r["code"]: r for r in json.loads(run_cli("rules", "--format", "json", "--rule-pack", str(PACK)).stdout)}
    assert rules["ACME001"]["fix"] == "unsafe" and rules["ACME002"]["severity"] == "warning"


def test_named_by_a_project_config_it_is_not_loaded(tmp_path):
    shutil.copytree(PACK, tmp_path / "tools" / "acme")
    (tmp_path / ".daprlint.toml").write_text('rule-packs = ["tools/acme"]\n')
    shutil.copy(SAMPLES / "bad.yaml", tmp_path / "bad.yaml")
    proc = run_cli("check", "--no-cache", "--format", "json", "bad.yaml", cwd=tmp_path)
    assert not [f for f in json.loads(proc.stdout)["findings"] if f["code"].startswith("ACME")]
    assert b"notice: rule pack " in proc.stderr and b"--rule-pack " in proc.stderr


@pytest.mark.slow
def test_installed_with_pip_it_loads_through_its_entry_point(tmp_path):
    """A throwaway venv: `pip install` the example project, then daprlint finds the pack with no flag."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", str(PROJECT)],
                         capture_output=True, timeout=600)
    if pip.returncode != 0:
        pytest.skip(f"pip could not build the example project here: {pip.stderr.decode()[-300:]}")
    site = next(venv.glob("lib/python*/site-packages"))
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "json", "--select", "ACME", str(SAMPLES / "bad.yaml"),
                   env={"PYTHONPATH": str(site)})
    codes = sorted(f["code"] for f in json.loads(proc.stdout)["findings"])
    assert codes == ["ACME001", "ACME001", "ACME002"], proc.stderr.decode()


def test_the_guide_quotes_the_rule_as_it_is():
    """docs/writing-rules.md shows acme001 "in full but for its docstring": keep them the same."""
    import re

    guide = (REPO / "docs" / "writing-rules.md").read_text(encoding="utf-8")
    quoted = re.search(r"in full but for its docstring:\n\n```python\n(.+?)```", guide, re.S).group(1)
    source = (PACK / "acme001_redis_without_tls.py").read_text(encoding="utf-8")
    assert source.split('"""', 2)[2].lstrip("\n") == quoted

"""The cache and --jobs never change results: same findings, same order."""
from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES, REPO, run_cli, shared_or_skip


def _run(*args, env=None):
    proc = run_cli("check", "--isolated", "--format", "json", *args, env=env, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def corpus():
    return shared_or_skip("corpus")


def test_cache_and_jobs_match_a_cold_single_process_run(corpus, tmp_path):
    cold = _run("--no-cache", str(corpus))
    cache = tmp_path / "cache"
    assert _run("--cache-dir", str(cache), str(corpus)) == cold      # fills the cache
    assert _run("--cache-dir", str(cache), str(corpus)) == cold      # served from it
    parallel = _run("--no-cache", "--jobs", "2", str(corpus), env={"DAPRLINT_PARALLEL_THRESHOLD": "10"})
    assert parallel == cold
    both = _run("--cache-dir", str(tmp_path / "c2"), "--jobs", "2", str(corpus),
                env={"DAPRLINT_PARALLEL_THRESHOLD": "10"})
    assert both == cold


def test_stale_cache_never_hides_a_finding(tmp_path):
    work = tmp_path / "w"
    shutil.copytree(REPO / "examples" / "good", work)
    cache = tmp_path / "cache"
    assert b'"findings": []' in _run("--cache-dir", str(cache), str(work))
    target = work / "dynamodb-irsa.yaml"
    target.write_text(target.read_text().replace("value: eu-west-1", "value: eu-west-1b"))
    assert b"AWS008" in _run("--cache-dir", str(cache), str(work))
    # same content back: the old entry is valid again, and still right
    target.write_text(target.read_text().replace("value: eu-west-1b", "value: eu-west-1"))
    assert b'"findings": []' in _run("--cache-dir", str(cache), str(work))


def test_cache_key_covers_config_and_rule_packs(tmp_path):
    work = tmp_path / "w"
    shutil.copytree(REPO / "examples" / "good", work)
    cache = tmp_path / "cache"
    _run("--cache-dir", str(cache), str(work))
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "team001.py").write_text('''"""Every component is flagged.

## What it does
Test rule.

## Example
any
"""
CODE = "TEAM001"
NAME = "flag-all"
SEVERITY = "info"
SUMMARY = "test"


def check(resource, ctx):
    yield ctx.report(resource.anchor_span, "flagged")
''')
    out = _run("--cache-dir", str(cache), "--rule-pack", str(pack), str(work))
    assert out.count(b'"code": "TEAM001"') == 3
    (pack / "team001.py").write_text((pack / "team001.py").read_text().replace('"flagged"', '"changed"'))
    assert b"changed" in _run("--cache-dir", str(cache), "--rule-pack", str(pack), str(work))
    assert b"TEAM001" not in _run("--cache-dir", str(cache), str(work))
    assert b"AWS006" in _run("--cache-dir", str(cache), "--extend-select", "AWS006",
                             str(REPO / "examples" / "good" / "s3-with-secret-store.yaml"))


def test_cache_holds_no_secret_value(tmp_path):
    cache = tmp_path / "cache"
    _run("--cache-dir", str(cache), str(FIXTURES / "secrets" / "planted.yaml"))
    blob = b"".join(p.read_bytes() for p in cache.rglob("*") if p.is_file())
    assert b"Planted" not in blob and b"AKIAPLANTED" not in blob

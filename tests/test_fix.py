"""--fix: round trips, guarantees, faults and the secrets file.

Round trips: tests/fixtures/fix/<case>.yaml becomes <case>.fixed.yaml byte
for byte (the first line `# daprlint-test: args=...` gives extra flags; {tmp}
is a temporary folder), and a second --fix changes nothing.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess

import pytest
import yaml

from conftest import FIXTURES, REPO, run_cli
from daprlint.loader import parse
from fix_harness import check_fix_guarantees, make_engine

CASES = sorted(p for p in (FIXTURES / "fix").glob("*.yaml") if not p.name.endswith(".fixed.yaml"))


def _args(case, tmp_path):
    first = case.read_bytes().lstrip(b"\xef\xbb\xbf").split(b"\n")[0].decode().strip()
    assert first.startswith("# daprlint-test: args=")
    return [a.replace("{tmp}", str(tmp_path)) for a in first.split("=", 1)[1].split()]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_fix_round_trip(case, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    target = work / case.name
    shutil.copy(case, target)
    args = _args(case, tmp_path)
    run_cli("check", "--isolated", "--no-cache", "--fix", *args, str(target))
    expected = case.with_name(case.stem + ".fixed.yaml").read_bytes()
    assert target.read_bytes() == expected
    run_cli("check", "--isolated", "--no-cache", "--fix", *args, str(target))
    assert target.read_bytes() == expected, "a second --fix changed the file"


def test_examples_fix_to_the_expected_tree(tmp_path):
    work = tmp_path / "examples"
    shutil.copytree(REPO / "examples", work)
    run_cli("check", "--isolated", "--no-cache", "--fix", str(work))
    expected_root = REPO / "tests" / "golden" / "examples-fixed"
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(expected_root, ignore_errors=True)
        shutil.copytree(work, expected_root)
    for expected in sorted(expected_root.rglob("*.yaml")):
        rel = expected.relative_to(expected_root)
        assert (work / rel).read_bytes() == expected.read_bytes(), rel
    before = {p: p.read_bytes() for p in work.rglob("*.yaml")}
    run_cli("check", "--isolated", "--no-cache", "--fix", str(work))
    assert before == {p: p.read_bytes() for p in work.rglob("*.yaml")}


def test_fix_guarantees_over_examples(tmp_path):
    engine, sink = make_engine(tmp_path)
    for path in sorted((REPO / "examples").rglob("*.yaml")):
        check_fix_guarantees(engine, sink, path.read_bytes(), str(path))


def test_diff_writes_nothing_and_exits_1(tmp_path):
    target = tmp_path / "a.yaml"
    shutil.copy(FIXTURES / "fix" / "aws004-rename-keeps-quoting.yaml", target)
    before = target.read_bytes()
    proc = run_cli("check", "--isolated", "--no-cache", "--diff", str(target))
    assert proc.returncode == 1
    assert b'+  - name: "region"' in proc.stdout
    assert target.read_bytes() == before


def test_unparsable_file_is_never_written(tmp_path):
    target = tmp_path / "bad.yaml"
    text = b"apiVersion: dapr.io/v1alpha1\nkind: Component\nspec:\n  metadata:\n  - name: awsRegion\n    value: [\n"
    target.write_bytes(text)
    run_cli("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", str(target))
    assert target.read_bytes() == text


def test_file_mode_is_kept(tmp_path):
    target = tmp_path / "a.yaml"
    shutil.copy(FIXTURES / "fix" / "aws004-rename-keeps-quoting.yaml", target)
    os.chmod(target, 0o640)
    run_cli("check", "--isolated", "--no-cache", "--fix", str(target))
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert b'"region"' in target.read_bytes()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write read-only files")
def test_read_only_file_is_reported(tmp_path):
    target = tmp_path / "a.yaml"
    shutil.copy(FIXTURES / "fix" / "aws004-rename-keeps-quoting.yaml", target)
    os.chmod(target, 0o444)
    proc = run_cli("check", "--isolated", "--no-cache", "--fix", str(target))
    assert b"FIX001" in proc.stdout and b"read-only" in proc.stdout


def test_read_only_file_is_reported_in_process(tmp_path, monkeypatch):
    from daprlint import fixer

    target = tmp_path / "a.yaml"
    shutil.copy(FIXTURES / "fix" / "aws004-rename-keeps-quoting.yaml", target)
    before = target.read_bytes()
    monkeypatch.setattr(fixer.os, "access", lambda p, m: False)
    assert fixer._write(str(target), before, os.stat(target), "x", False, None) == "the file is read-only"
    assert target.read_bytes() == before


def test_crash_between_write_and_replace_keeps_the_original(tmp_path, monkeypatch):
    from daprlint import atomic

    target = tmp_path / "a.yaml"
    target.write_bytes(b"original\n")

    def crash(tmp, path):
        raise KeyboardInterrupt("simulated crash")

    monkeypatch.setattr(atomic, "_before_replace", crash)
    with pytest.raises(KeyboardInterrupt):
        atomic.atomic_write(target, b"new\n")
    assert target.read_bytes() == b"original\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"], "temporary file left behind"


def test_concurrent_edit_is_detected(tmp_path, monkeypatch):
    from daprlint import fixer

    target = tmp_path / "a.yaml"
    shutil.copy(FIXTURES / "fix" / "aws004-rename-keeps-quoting.yaml", target)
    original = target.read_bytes()
    st = os.stat(target)
    target.write_bytes(original + b"# edited by someone else\n")
    why = fixer._write(str(target), original, st, "replaced", False, None)
    assert why and "changed on disk" in why
    assert target.read_bytes().endswith(b"# edited by someone else\n")


# -- the secrets file ----------------------------------------------------------
SECRET_CASE = FIXTURES / "fix" / "sec001-secret-ref.yaml"


def _fix_secret(tmp_path, out, *extra):
    target = tmp_path / "c.yaml"
    shutil.copy(SECRET_CASE, target)
    proc = run_cli("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", "--secrets-out", str(out),
                   "--format", "json", *extra, str(target), cwd=tmp_path)
    return target, proc


def test_secrets_out_yaml_is_a_kubernetes_secret_with_mode_0600(tmp_path):
    out = tmp_path / "private" / "secrets.yaml"
    target, _ = _fix_secret(tmp_path, out)
    docs = [d for d in yaml.safe_load_all(out.read_text()) if d]
    assert docs == [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "cache-secrets"}, "type": "Opaque",
                     "stringData": {"redisPassword": "fixture-only-pw", "sentinelPassword": "fixture-only-sentinel"}}]
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert b"fixture-only" not in target.read_bytes()


def test_secrets_out_json_is_local_file_store_json_and_merges(tmp_path):
    out = tmp_path / "secrets.json"
    out.write_text(json.dumps({"other": {"k": "v"}}))
    _fix_secret(tmp_path, out)
    assert json.loads(out.read_text()) == {
        "other": {"k": "v"},
        "cache-secrets": {"redisPassword": "fixture-only-pw", "sentinelPassword": "fixture-only-sentinel"}}


def test_secrets_out_conflict_is_an_error_not_an_overwrite(tmp_path):
    out = tmp_path / "secrets.json"
    out.write_text(json.dumps({"cache-secrets": {"redisPassword": "something-else"}}))
    target, proc = _fix_secret(tmp_path, out)
    assert json.loads(out.read_text())["cache-secrets"]["redisPassword"] == "something-else"
    assert b"fixture-only-pw" in target.read_bytes(), "the conflicting value must stay in the manifest"
    assert b"different value" in proc.stderr


def test_without_secrets_out_the_fix_is_not_applied(tmp_path):
    target = tmp_path / "c.yaml"
    shutil.copy(SECRET_CASE, target)
    proc = run_cli("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", "--format", "json", str(target))
    assert target.read_bytes() == SECRET_CASE.read_bytes()
    notes = [f["fix"] for f in json.loads(proc.stdout)["findings"] if f["code"] == "SEC001"]
    assert notes and all("--secrets-out" in n["note"] for n in notes)


def _git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_secrets_out_inside_git_work_tree_is_refused_unless_ignored(tmp_path):
    _git("init", "-q", cwd=tmp_path)
    out = tmp_path / "secrets.yaml"
    target, proc = _fix_secret(tmp_path, out)
    assert not out.exists()
    assert b"fixture-only-pw" in target.read_bytes()
    assert b"FIX001" in proc.stdout and b"not ignored by git" in proc.stdout
    (tmp_path / ".gitignore").write_text("secrets.yaml\n")
    target, proc = _fix_secret(tmp_path, out)
    assert out.exists() and b"fixture-only-pw" not in target.read_bytes()


def test_fix_guarantees_over_the_corpus(tmp_path):
    """Every corpus file, fixed in-process with every fix enabled."""
    from conftest import shared_or_skip

    corpus = shared_or_skip("corpus")
    engine, sink = make_engine(tmp_path)
    fixed = 0
    for path in sorted(corpus.rglob("*.y*ml")):
        data = path.read_bytes()
        result = check_fix_guarantees(engine, sink, data, str(path))
        fixed += result != data.decode("utf-8", "replace").lstrip("\ufeff")
    assert fixed > 100


def test_corpus_copy_fixed_by_the_cli_keeps_every_secret(tmp_path):
    """--fix --unsafe-fixes --secrets-out over a copy of the corpus: files parse, values are kept."""
    from conftest import shared_or_skip

    corpus = shared_or_skip("corpus")
    work = tmp_path / "corpus"
    shutil.copytree(corpus, work)
    out = tmp_path / "secrets.json"
    before = run_cli("check", "--isolated", "--no-cache", "--format", "json", str(work))
    inline = [f for f in json.loads(before.stdout)["findings"] if f["code"] == "SEC001"]
    values = []
    for f in inline:
        line = (work / f["path"]).read_text(encoding="utf-8-sig").splitlines()[f["line"] - 1] \
            if not os.path.isabs(f["path"]) else open(f["path"], encoding="utf-8-sig").read().splitlines()[f["line"] - 1]
        values.append(line[f["column"] - 1:f["end_column"] - 1 if f["end_line"] == f["line"] else None])
    proc = run_cli("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", "--aws-region", "eu-west-1",
                   "--secrets-out", str(out), "--format", "json", str(work), timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    for path in work.rglob("*.y*ml"):
        original = corpus / path.relative_to(work)
        if path.read_bytes() != original.read_bytes():
            assert parse(str(path), path.read_text(encoding="utf-8-sig")).parse_error is None, path
    stored = json.dumps(json.loads(out.read_text()))
    moved = 0
    for f, raw in zip(inline, values):
        fixed_text = open(f["path"], encoding="utf-8-sig").read()
        if raw in fixed_text:
            continue  # still in the manifest (e.g. a conflicting value): nothing lost
        moved += 1
        value = yaml.safe_load(raw) if raw[:1] in "\"'" else raw
        assert json.dumps(value)[1:-1] in stored, f"a removed value from {f['path']} is not in the secrets file"
    assert moved > 50


def test_lone_cr_line_breaks_fix_once_and_converge(tmp_path):
    # found by fuzz/fuzz_lint.py: YAML reads a lone CR as a line break; the
    # AWS001 fix looked for LF only and inserted `region` inside the next
    # (double-quoted, multi-line) scalar, again on every pass
    from daprlint.fixer import fix_text

    engine, sink = make_engine(tmp_path)
    text = (REPO / "fuzz" / "seeds" / "lone-cr-line-break.yaml").read_bytes().decode("utf-8-sig")
    fixed, count, _, notes = fix_text(engine, "x.yaml", text, True, True, sink)
    assert count == 1 and not notes
    assert "  - name: region\r\n    value: eu-west-1\rq    value:" in fixed
    assert fix_text(engine, "x.yaml", fixed, True, True, sink)[:2] == (fixed, 0)


def test_a_fix_that_does_not_take_effect_is_taken_back(tmp_path):
    from daprlint.config import Settings
    from daprlint.engine import Engine
    from daprlint.fixer import fix_text
    from daprlint.packs import load_packs

    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "team003.py").write_text('''"""Adds a comment that never silences it.

## What it does
Test.
"""
from daprlint.rulekit import Edit, Fix

CODE = "TEAM003"
NAME = "stubborn"
SEVERITY = "info"
SUMMARY = "test"
FIX = "safe"


def check(resource, ctx):
    end = len(ctx.text)
    yield ctx.report(resource.anchor_span, "still here", fix=Fix("add a comment", (Edit(end, end, "# x\\n"),)))
''')
    engine = Engine(load_packs([pack]), Settings(select=["TEAM003"]))
    text = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\nspec:\n  type: state.redis\n"
    fixed, count, _, notes = fix_text(engine, "x.yaml", text, False, False)
    assert (fixed, count) == (text, 0)
    assert notes == ["a fix did not take effect and was not applied; please report it"]


def test_a_fix_never_edits_through_an_anchor(tmp_path):
    """The value sits in an anchor that another place uses too: moving it would change both."""
    import json

    text = """\
x-shared: &shared
  name: redisPassword
  value: not-a-real-one
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: a
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost
    value: redis:6379
  - <<: *shared
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: b
spec:
  type: state.redis
  version: v1
  metadata:
  - name: awsRegion
    value: &r us-east-1
  - name: redisHost
    value: *r
"""
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    secrets = tmp_path / "out" / "s.json"
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "json", "--fix", "--unsafe-fixes",
                   "--secrets-out", str(secrets), str(path), cwd=tmp_path)
    report = json.loads(proc.stdout)
    assert path.read_text(encoding="utf-8") == text
    notes = [f["fix"]["note"] for f in report["findings"] if f["code"] == "SEC001"]
    assert notes and all("shared through a YAML anchor" in n for n in notes)

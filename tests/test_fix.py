"""--fix: round trips, guarantees, faults, the secrets file, redacted diffs,
stdin, and SEC001's secret store.

Round trips: tests/fixtures/fix/<case>.yaml becomes <case>.fixed.yaml byte
for byte (the first line `# daprlint-test: args=...` gives extra flags; {tmp}
is a temporary folder), and a second --fix changes nothing. Some cases use
CR, NEL or LS line breaks: their first line ends at the first break.
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
    from daprlint.span import LINE_BREAK

    first = LINE_BREAK.split(case.read_bytes().lstrip(b"\xef\xbb\xbf").decode(), maxsplit=1)[0].strip()
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


def _codes_fixed(case, tmp_path) -> list[str]:
    """The codes whose fixes --fix applies to the case (from the JSON report of --diff)."""
    proc = run_cli("check", "--isolated", "--no-cache", "--output-format", "json", *_args(case, tmp_path), str(case))
    return sorted({f["code"] for f in json.loads(proc.stdout)["findings"] if f["fix"] and f["fix"]["applicable"]})


@pytest.mark.parametrize("how", ["ignore-file", "per-file-ignores"])
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_fix_leaves_suppressed_and_ignored_findings_alone(case, tmp_path, how):
    """A finding that is suppressed (a comment) or ignored for the path (per-file-ignores) is not
    reported, so its fix is not applied either: --fix changes nothing and reports nothing."""
    codes = _codes_fixed(case, tmp_path)
    assert codes, "the case has a fix to apply"
    work = tmp_path / "work"
    work.mkdir()
    target = work / case.name
    data = case.read_bytes()
    args = _args(case, tmp_path)
    if how == "ignore-file":
        bom = data.startswith(b"\xef\xbb\xbf")
        body = data[3:] if bom else data
        newline = b"\r\n" if b"\r\n" in body else b"\n"
        data = (b"\xef\xbb\xbf" if bom else b"") + b"# daprlint: ignore-file[" + ", ".join(codes).encode() + b"]" + \
            newline + body
        config = []
    else:
        (work / "ignore.toml").write_text(f'per-file-ignores = {{ "{case.name}" = {json.dumps(codes)} }}\n')
        config = ["--config", str(work / "ignore.toml")]
    target.write_bytes(data)
    flags = [a for a in args if a != "--isolated"]
    run_cli("check", *(config or ["--isolated"]), "--no-cache", "--fix", *flags, str(target))
    assert target.read_bytes() == data


def test_examples_fix_to_the_expected_tree(tmp_path):
    work = tmp_path / "examples"
    shutil.copytree(REPO / "examples", work)
    run_cli("check", "--isolated", "--no-cache", "--fix", str(work))
    expected_root = REPO / "tests" / "golden" / "examples-fixed"
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(expected_root, ignore_errors=True)
        for fixed in work.rglob("*.yaml"):  # the manifests only: the rule packs' code is not output
            (expected_root / fixed.relative_to(work)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(fixed, expected_root / fixed.relative_to(work))
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


# -- diffs show no secret, in any spelling ---------------------------------------
SPELLINGS = r"""apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: files
spec:
  type: bindings.aws.s3
  version: v1
  metadata:
  - name: region
    value: us-east-1
  - name: awsSecretKey
    value: 'it''s-Kx7Wq-one'
  - name: awsAccessKey
    value: "\x2dKx7Wq\x2dtwo"
  - name: awsSessionToken
    value: "Kx7Wq \\ back \" quote
      continued-Kx7Wq-three"
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: cache
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost
    value: redis:6379
  - name: redisPassword
    value: plain-Kx7Wq-four
  - name: sentinelPassword
    value: |
      block-Kx7Wq-five
      more-Kx7Wq-six
  - {name: redisUsername, value: not-secret}
"""


def _secret_spellings(text: str) -> list[str]:
    """The source text of every sensitive value (as the file spells it), cut into 6-character windows."""
    from daprlint.model import resources_of

    windows = []
    for r in resources_of("x.yaml", parse("x.yaml", text).documents):
        for item in r.metadata:
            if item.literal is not None and item.key and "password" in item.key or item.key in (
                    "awssecretkey", "awsaccesskey", "awssessiontoken"):
                source = text[item.literal.node.start_mark.index:item.literal.node.end_mark.index]
                windows += [source[i:i + 6] for i in range(len(source) - 5) if source[i:i + 6].strip()
                            and "\n" not in source[i:i + 6]]
    assert len(windows) > 50
    return windows


@pytest.mark.parametrize("flags", [["--diff", "--unsafe-fixes"],  # renames only: the secrets are context lines
                                   ["--diff", "--unsafe-fixes", "--secrets-out", "{tmp}/s.json"]])
def test_diff_redacts_secrets_by_source_span_in_every_spelling(tmp_path, flags):
    target = tmp_path / "sp.yaml"
    target.write_text(SPELLINGS)
    flags = [f.replace("{tmp}", str(tmp_path)) for f in flags]
    proc = run_cli("check", "--isolated", "--no-cache", *flags, str(target), cwd=tmp_path)
    out = proc.stdout.decode() + proc.stderr.decode()
    assert "@@" in out and "********" in out, out
    leaked = sorted({w for w in _secret_spellings(SPELLINGS) if w in out})
    assert not leaked, f"secret spellings in the diff: {leaked}"
    assert "Kx7Wq" not in out and "x2d" not in out
    assert "value: us-east-1" in out, "values that are not secrets stay readable"


def test_diff_of_stdin_is_redacted_too(tmp_path):
    proc = run_cli("check", "--isolated", "--no-cache", "--diff", "--unsafe-fixes", "-", input=SPELLINGS.encode(),
                   cwd=tmp_path)
    assert proc.returncode == 1 and b"@@" in proc.stdout
    assert b"Kx7Wq" not in proc.stdout + proc.stderr



# -- --fix on stdin: the fixed text is the output -----------------------------------
def _stdin_run(monkeypatch, data: bytes, *, unsafe=False, diff=False, **options):
    import io
    import sys
    from types import SimpleNamespace

    from daprlint.config import Settings
    from daprlint.discover import Target
    from daprlint.engine import Engine
    from daprlint.fixer import fix_targets
    from daprlint.packs import load_packs

    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(data)))
    engine = Engine(load_packs(), Settings(options=options))
    args = SimpleNamespace(fix=True, diff=diff, unsafe_fixes=unsafe, stdin_filename="chart.yaml")
    return fix_targets(engine, [Target("-", True)], args, engine.ruleset)


@pytest.mark.parametrize("case", ["aws004-rename-keeps-quoting", "aws008-zone-crlf-bom-no-final-newline"])
def test_fix_on_stdin_prints_the_fixed_text_byte_for_byte(monkeypatch, case):
    source = FIXTURES / "fix" / f"{case}.yaml"
    run = _stdin_run(monkeypatch, source.read_bytes())
    assert run.stdout == source.with_name(f"{case}.fixed.yaml").read_bytes()
    assert run.fixed >= 1 and run.diff is None
    assert [r.path for r in run.results] == ["chart.yaml"]
    codes = {f.code for f in run.results[0].findings}
    assert "AWS004" not in codes and "AWS008" not in codes, "the report describes the fixed text"


@pytest.mark.parametrize("data", [b"apiVersion: dapr.io/v1alpha1\nkind: [unclosed\n", b"\xff\xfe not utf-8", b""])
def test_fix_on_stdin_that_cannot_be_fixed_prints_the_input_unchanged(monkeypatch, data):
    assert _stdin_run(monkeypatch, data).stdout == data


def test_fix_on_stdin_moves_secrets_before_printing(monkeypatch, tmp_path):
    out = tmp_path / "s.json"
    run = _stdin_run(monkeypatch, SECRET_CASE.read_bytes(), unsafe=True, **{"secrets-out": str(out)})
    assert b"secretKeyRef" in run.stdout and b"fixture-only" not in run.stdout
    assert json.loads(out.read_text()) == {"cache-secrets": {"redisPassword": "fixture-only-pw",
                                                             "sentinelPassword": "fixture-only-sentinel"}}


def test_diff_on_stdin_still_prints_the_diff(monkeypatch):
    run = _stdin_run(monkeypatch, (FIXTURES / "fix" / "aws004-rename-keeps-quoting.yaml").read_bytes(), diff=True)
    assert run.stdout is None and run.diff.startswith("--- a/chart.yaml")


def test_fix_on_stdin_through_the_cli_prints_the_fixed_text_and_reports_on_stderr(tmp_path):
    source = FIXTURES / "fix" / "aws004-rename-keeps-quoting.yaml"
    proc = run_cli("check", "--isolated", "--no-cache", "--fix", "-", input=source.read_bytes())
    assert proc.stdout == source.with_name("aws004-rename-keeps-quoting.fixed.yaml").read_bytes()
    assert b"Fixed 2" in proc.stderr and b"DPR004" in proc.stderr and b"AWS004" not in proc.stderr
    report = tmp_path / "r.json"
    proc = run_cli("check", "--isolated", "--no-cache", "--fix", "--format", "json", "-o", str(report), "-",
                   input=source.read_bytes())
    assert proc.stdout == source.with_name("aws004-rename-keeps-quoting.fixed.yaml").read_bytes()
    assert json.loads(report.read_text())["summary"]["fixed"] == 2


def test_secret_store_and_secret_name_flags(tmp_path):
    target = tmp_path / "c.yaml"
    shutil.copy(SECRET_CASE, target)
    run_cli("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", "--mode", "self-hosted", "--secrets-out",
            str(tmp_path / "s.json"), "--secret-store", "vault", "--secret-name", "team-{component}", str(target))
    fixed = yaml.safe_load(target.read_text())
    assert fixed["auth"] == {"secretStore": "vault"}
    assert json.loads((tmp_path / "s.json").read_text()) == {"team-cache": {
        "redisPassword": "fixture-only-pw", "sentinelPassword": "fixture-only-sentinel"}}


def test_self_hosted_sec001_fix_uses_the_one_store_the_file_defines(tmp_path):
    store = ("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: local\nspec:\n"
             "  type: secretstores.local.file\n  version: v1\n  metadata:\n  - name: secretsFile\n"
             "    value: s.json\n---\n")
    target = tmp_path / "c.yaml"
    target.write_text(store + SECRET_CASE.read_text())
    proc = run_cli("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", "--mode", "self-hosted",
                   "--secrets-out", str(tmp_path / "s.json"), "--format", "json", str(target))
    docs = list(yaml.safe_load_all(target.read_text()))
    assert docs[1]["auth"] == {"secretStore": "local"}
    assert not [f for f in json.loads(proc.stdout)["findings"] if f["code"] in ("SEC001", "XRF001")]


@pytest.mark.parametrize("flag", ["-o", "--output-sarif"])
def test_reports_are_never_written_through_a_link(tmp_path, flag):
    real = tmp_path / "real.txt"
    real.write_text("keep")
    (tmp_path / "link.txt").symlink_to(real)
    proc = run_cli("check", "--isolated", "--no-cache", flag, str(tmp_path / "link.txt"), str(SECRET_CASE))
    assert proc.returncode == 2 and real.read_text() == "keep"
    assert b"symbolic link" in proc.stderr and b"Traceback" not in proc.stderr
    proc = run_cli("check", "--isolated", "--no-cache", flag, str(tmp_path), str(SECRET_CASE))
    assert proc.returncode == 2 and b"is a folder" in proc.stderr and b"Traceback" not in proc.stderr


# -- SEC001 points only at a store that exists ------------------------------------------
def test_self_hosted_sec001_fix_needs_a_store(tmp_path):
    target = tmp_path / "c.yaml"
    shutil.copy(SECRET_CASE, target)
    proc = run_cli("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", "--mode", "self-hosted",
                   "--secrets-out", str(tmp_path / "s.json"), "--format", "json", str(target))
    assert target.read_bytes() == SECRET_CASE.read_bytes()
    notes = [f["fix"]["note"] for f in json.loads(proc.stdout)["findings"] if f["code"] == "SEC001"]
    assert notes and all("no built-in `kubernetes` secret store" in n for n in notes)
    assert not (tmp_path / "s.json").exists()


def test_self_hosted_sec001_fix_uses_the_configured_store(tmp_path):
    (tmp_path / ".daprlint.toml").write_text('mode = "self-hosted"\nsecret-store = "localsecrets"\n'
                                             f'secrets-out = "{tmp_path / "s.json"}"\n')
    target = tmp_path / "c.yaml"
    shutil.copy(SECRET_CASE, target)
    run_cli("check", "--no-cache", "--fix", "--unsafe-fixes", str(target), cwd=tmp_path)
    fixed = yaml.safe_load(target.read_text())
    assert fixed["auth"] == {"secretStore": "localsecrets"}


def _store_ctx(text: str, **options):
    from daprlint.model import resources_of

    class Ctx:  # what a RuleContext with the engine patch gives a rule: the file's resources
        def __init__(self):
            self.text, self.resources = text, list(resources_of("x.yaml", parse("x.yaml", text).documents))

        def option(self, name, default=None):
            return options.get(name, default)

    return Ctx()


STORE = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: {type}\n"


@pytest.mark.parametrize("stores,mode,configured,want", [
    ([], "kubernetes", None, "kubernetes"),
    ([], "self-hosted", None, None),
    ([("local", "secretstores.local.file")], "self-hosted", None, "local"),
    ([("local", "secretstores.local.file"), ("cache2", "state.redis")], "self-hosted", None, "local"),
    ([("a", "secretstores.local.file"), ("b", "secretstores.local.env")], "self-hosted", None, None),
    ([("a", "secretstores.local.file"), ("b", "secretstores.local.env")], "self-hosted", "b", "b"),
])
def test_the_store_sec001_names(stores, mode, configured, want):
    from daprlint.fixes import secret_store_for

    text = "---\n".join([SECRET_CASE.read_text()] + [STORE.format(name=n, type=t) for n, t in stores])
    ctx = _store_ctx(text, mode=mode, **({"secret-store": configured} if configured else {}))
    component = ctx.resources[0]
    store, why = secret_store_for(component, ctx)
    assert store == want
    assert (why is None) == (want is not None)
    if len(stores) == 2 and want is None:
        assert "2 secret stores (a, b)" in why


def test_a_secret_store_is_never_its_own_store():
    from daprlint.fixes import secret_store_for

    text = "\n".join(["apiVersion: dapr.io/v1alpha1", "kind: Component", "metadata:", "  name: vault", "spec:",
                      "  type: secretstores.hashicorp.vault", "  metadata:", "  - name: vaultToken",
                      "    value: tok-123456", ""])
    ctx = _store_ctx(text, mode="self-hosted")
    assert secret_store_for(ctx.resources[0], ctx)[0] is None


def test_xrf001_knows_kubernetes_is_built_in_only_in_kubernetes_mode():
    import re

    from conftest import lint_json

    fixture = FIXTURES / "rules" / "XRF001" / "self-hosted.yaml"
    marks = re.compile(r"#\s*expect-self-hosted:\s*([A-Z]+[0-9]+)\s*@\s*(.+?)\s*$")
    want = sorted((n, line.index(m.group(2)) + 1, m.group(1))
                  for n, line in enumerate(fixture.read_text().splitlines(), 1) if (m := marks.search(line)))
    assert want
    _, report = lint_json("--isolated", "--select", "XRF001", "--mode", "self-hosted", str(fixture))
    assert sorted((f["line"], f["column"], f["code"]) for f in report["findings"]) == want
    assert "built in only in Kubernetes mode" in report["findings"][0]["message"]
    _, report = lint_json("--isolated", "--select", "XRF001", str(fixture))
    assert report["findings"] == []


def test_diff_masks_the_values_of_a_kubernetes_secret_beside_the_fix(tmp_path):
    """Secret manifests hold secrets in any key: the file's secret spans mask them."""
    target = tmp_path / "both.yaml"
    target.write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData:\n"
                      "  token: 'Zr4Qp''s-token'\n  other: \"Zr4Qp\\x2dtwo\"\n---\n"
                      "{apiVersion: dapr.io/v1alpha1, kind: Component, metadata: {name: s3}, spec: {type: "
                      "bindings.aws.s3, version: v1, metadata: [{name: awsRegion, value: us-east-1}]}}\n")
    proc = run_cli("check", "--isolated", "--no-cache", "--diff", str(target))
    assert b"+{apiVersion" in proc.stdout and b"  token: ********" in proc.stdout
    assert b"Zr4Qp" not in proc.stdout + proc.stderr and b"x2d" not in proc.stdout


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

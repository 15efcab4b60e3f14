"""No planted secret appears in any output channel.

Secrets of every sensitive kind, in every position, are linted with every
format, with --diff, with --fix (its report), with the debug environment
variable, through a rule that crashes with the secret in its exception, and
in a file whose parse error quotes the secret.
"""
from __future__ import annotations

import re
import shutil

import pytest

from conftest import FIXTURES, run_cli

PLANTED = FIXTURES / "secrets" / "planted.yaml"
PARSE_ERROR = FIXTURES / "secrets" / "parse-error.yaml"
PACK = FIXTURES / "secrets" / "pack"


def planted_values() -> set[str]:
    text = PLANTED.read_text() + PARSE_ERROR.read_text()
    values = set(re.findall(r"Planted[A-Za-z]+\d{4}", text))
    values |= set(re.findall(r"AKIA[A-Z0-9]{16}", text))
    assert len(values) >= 10
    return values


def assert_clean(*outputs: bytes):
    blob = b"\n".join(outputs).decode("utf-8", "replace")
    leaked = sorted(v for v in planted_values() if v in blob)
    assert not leaked, f"secret values leaked: {leaked}"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_no_secret_in_any_format(fmt, tmp_path):
    sarif = tmp_path / "out.sarif"
    proc = run_cli("check", "--isolated", "--no-cache", "--format", fmt, "--output-sarif", str(sarif),
                   "--extend-select", "ALL", str(PLANTED), str(PARSE_ERROR), env={"DAPRLINT_DEBUG": "1"})
    assert proc.returncode == 1, proc.stderr
    assert_clean(proc.stdout, proc.stderr, sarif.read_bytes())


def test_findings_are_reported_for_the_planted_values():
    proc = run_cli("check", "--isolated", "--no-cache", str(PLANTED), str(PARSE_ERROR))
    text = proc.stdout.decode()
    for code in ("SEC001", "SEC002", "YML001"):
        assert code in text


def test_no_secret_in_diff(tmp_path):
    copy = tmp_path / "planted.yaml"
    shutil.copy(PLANTED, copy)
    proc = run_cli("check", "--isolated", "--no-cache", "--diff", "--unsafe-fixes", "--secrets-out",
                   str(tmp_path / "out" / "secrets.yaml"), str(copy), cwd=tmp_path)
    assert proc.returncode == 1
    assert b"secretKeyRef" in proc.stdout
    assert_clean(proc.stdout, proc.stderr)


def test_no_secret_in_fix_report_and_all_values_kept(tmp_path):
    copy = tmp_path / "planted.yaml"
    shutil.copy(PLANTED, copy)
    secrets = tmp_path / "out" / "secrets.json"
    proc = run_cli("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", "--secrets-out", str(secrets),
                   "--format", "json", str(copy), cwd=tmp_path)
    assert_clean(proc.stdout, proc.stderr)
    kept = secrets.read_text()
    for value in ("PlantedSecretKeyValue0001/xyz", "PlantedSessionToken0002", "AKIAPLANTEDKEY123456",
                  "PlantedPlainPassword0005"):
        assert value in kept


def test_a_rule_that_crashes_with_a_secret_does_not_leak_it():
    proc = run_cli("check", "--isolated", "--no-cache", "--rule-pack", str(PACK), "--extend-select", "ZZZ999",
                   "--format", "json", str(PLANTED), env={"DAPRLINT_DEBUG": "1"})
    assert proc.returncode == 2
    assert b"INT001" in proc.stdout and b"ValueError" in proc.stdout
    assert b"Traceback" not in proc.stderr
    assert_clean(proc.stdout, proc.stderr)


def test_parse_error_message_does_not_quote_the_secret():
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "json", str(PARSE_ERROR))
    assert b"YML001" in proc.stdout
    assert_clean(proc.stdout, proc.stderr)


def test_no_secret_in_lsp_messages():
    """What the language server would publish: diagnostics, code actions, hover."""
    import json

    from daprlint.lsp.analysis import Analyzer

    analyzer = Analyzer()
    uri = PLANTED.as_uri()
    text = PLANTED.read_text()
    state = analyzer.lint(uri, text, 1)
    diagnostics = analyzer.diagnostics(state)
    assert any(d["code"] == "SEC001" for d in diagnostics)
    everything = [diagnostics]
    for d in diagnostics:
        everything.append(analyzer.code_actions(state, d["range"]))
        everything.append(analyzer.hover(uri, text, d["range"]["start"]))
    assert_clean(json.dumps(everything, default=str).encode())

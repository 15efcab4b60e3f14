"""Golden outputs for every format, SARIF schema validity, GitHub escaping.

Regenerate goldens after an intended change: UPDATE_GOLDEN=1 pytest tests/test_output.py
"""
from __future__ import annotations

import json
import os

import pytest

from conftest import REPO, run_cli, shared_or_skip

GOLDEN = REPO / "tests" / "golden"
FORMATS = ("text", "json", "sarif", "github")


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_output(fmt):
    proc = run_cli("check", "--isolated", "--no-cache", "--format", fmt, "examples/bad")
    assert proc.returncode == 1, proc.stderr
    golden = GOLDEN / f"examples-bad.{fmt}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(proc.stdout)
    assert proc.stdout.decode() == golden.read_text(encoding="utf-8")


def test_json_shape():
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "json", "examples/bad")
    report = json.loads(proc.stdout)
    assert set(report) == {"version", "findings", "summary"}
    for f in report["findings"]:
        assert set(f) == {"path", "line", "column", "end_line", "end_column", "code", "name", "severity",
                          "message", "url", "fix"}
        assert f["url"] == "https://github.com/daprlint/daprlint/blob/main/docs/rules.md#" + f["code"].lower()
        assert f["line"] >= 1 and f["column"] >= 1
        assert f["fix"] is None or f["fix"]["safety"] in ("safe", "unsafe")
    assert report["summary"]["findings"] == len(report["findings"])


def test_sarif_validates_against_the_official_schema():
    import jsonschema

    schema = json.loads(shared_or_skip("reference", "sarif", "sarif-schema-2.1.0.json").read_text())
    for args in (["examples/bad"], ["--unsafe-fixes", "--aws-region", "eu-west-1", "examples/bad"], ["examples/good"]):
        proc = run_cli("check", "--isolated", "--no-cache", "--format", "sarif", *args)
        doc = json.loads(proc.stdout)
        jsonschema.validate(doc, schema, cls=jsonschema.Draft7Validator)
        run = doc["runs"][0]
        ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
        for result in run["results"]:
            assert ids[result["ruleIndex"]] == result["ruleId"]


def test_sarif_carries_fixes():
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "sarif", "examples/bad/AWS004-aws-deprecated-field",
                   "examples/bad/AWS008-aws-invalid-region", "examples/bad/AWS001-aws-missing-region")
    results = json.loads(proc.stdout)["runs"][0]["results"]
    fixed = [r for r in results if r.get("fixes")]
    assert {r["ruleId"] for r in fixed} == {"AWS004", "AWS008"}


def test_github_escaping():
    from daprlint.report.github import escape_data, escape_property

    assert escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert escape_property("dir,a:b.yaml") == "dir%2Ca%3Ab.yaml"


def test_github_annotations_shape():
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "github", "--select", "AWS",
                   "examples/bad/AWS001-aws-missing-region", "examples/bad/AWS004-aws-deprecated-field")
    lines = proc.stdout.decode().splitlines()
    assert lines[0].startswith("::error file=examples/bad/AWS001-aws-missing-region/statestore.yaml,line=8,col=9,")
    assert lines[1].startswith("::warning file=examples/bad/AWS004-aws-deprecated-field/pubsub.yaml,line=11,col=11,")
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)


def test_text_has_no_colour_when_piped():
    proc = run_cli("check", "--isolated", "--no-cache", "examples/bad")
    assert b"\x1b[" not in proc.stdout


def test_output_sarif_alongside_github(tmp_path):
    out = tmp_path / "report.sarif"
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "github", "--output-sarif", str(out),
                   "examples/bad")
    assert proc.stdout.startswith(b"::")
    assert json.loads(out.read_text())["version"] == "2.1.0"



def test_docs_describe_every_json_key():
    """docs/output.md has a row for each key of a finding and of a fix."""
    import re

    doc = (REPO / "docs" / "output.md").read_text(encoding="utf-8")
    finding_table = doc[doc.index("A finding:"):doc.index("A fix:")]
    fix_table = doc[doc.index("A fix:"):doc.index("The summary:")]
    documented = {k for row in re.findall(r"^\| (`.+?`(?:, `.+?`)*) \|", finding_table, re.M)
                  for k in re.findall(r"`(\w+)`", row)}
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "json", "examples/bad")
    findings = json.loads(proc.stdout)["findings"]
    assert documented == set(findings[0])
    fix_keys = set(re.findall(r"^\| `(\w+)` \|", fix_table, re.M))
    assert fix_keys == {k for f in findings if f["fix"] for k in f["fix"]}

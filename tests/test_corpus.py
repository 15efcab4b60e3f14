"""The real-world corpus: no crash, no exit 2, and agreement with the labels.

AWS001, AWS002 and SEC001 (+SEC002, which reports credentials in fields
whose names do not sound secret) are compared with labels.jsonl. Each
deliberate disagreement is listed, with its reason, in
tests/corpus/disagreements.json; a disagreement that is not listed, or a
listed one that went away, fails the test.
"""
from __future__ import annotations

import json

import pytest

from conftest import REPO, shared_or_skip

DISAGREEMENTS = REPO / "tests" / "corpus" / "disagreements.json"


@pytest.fixture(scope="module")
def corpus_run():
    corpus = shared_or_skip("corpus")
    import sys

    sys.path.insert(0, str(REPO / "tests" / "corpus"))
    from compare import run

    return run(corpus)


def test_corpus_never_errors(corpus_run):
    code, report, _ = corpus_run
    assert code in (0, 1)
    assert not [f for f in report["findings"] if f["code"] == "INT001"]


def test_corpus_agrees_with_labels_except_documented(corpus_run):
    _, _, rows = corpus_run
    documented = {(d["file"], d["check"]): d for d in json.loads(DISAGREEMENTS.read_text())}
    undocumented = [r for r in rows if not r["uncertain"] and (r["file"], r["check"]) not in documented]
    assert not undocumented, json.dumps(undocumented, indent=1)
    for r in rows:
        d = documented.get((r["file"], r["check"]))
        if d:
            assert (d["label"], d["daprlint"]) == (r["label"], r["daprlint"]), r
    current = {(r["file"], r["check"]) for r in rows}
    stale = [k for k in documented if k not in current]
    assert not stale, f"documented disagreements that no longer happen: {stale}"


def test_every_documented_disagreement_has_a_reason():
    for d in json.loads(DISAGREEMENTS.read_text()):
        assert len(d["reason"]) > 20, d


def test_no_secret_value_from_the_corpus_in_the_report(corpus_run):
    """Every inline value SEC001/SEC002 found must be absent from the JSON report."""
    _, report, _ = corpus_run
    # paths are the user's own; a password equal to a folder name is no leak
    # and field names (`password`) are quoted in messages; a value equal to its name is no leak either
    import re

    text = re.sub(r"`[^`]*`", "", json.dumps([{k: v for k, v in f.items() if k != "path"}
                                              for f in report["findings"]]))
    leaked = []
    for f in report["findings"]:
        if f["code"] not in ("SEC001", "SEC002"):
            continue
        lines = open(f["path"], encoding="utf-8-sig").read().splitlines()
        line = lines[f["line"] - 1]
        value = line[f["column"] - 1:].split(" #")[0].strip().strip("'\"")
        if len(value) >= 6 and value.strip("*") and value in text:
            leaked.append((f["path"], f["line"]))
    assert not leaked


DEPLOYMENT_FINDINGS = REPO / "tests" / "corpus" / "deployment-findings.json"
DEPLOYMENT_CODES = ("XRF", "ANN", "RUN", "KUS")


def test_deployment_findings_are_the_reviewed_ones(corpus_run):
    """Every deployment finding outside docs-md-extracted/ (docs snippets cut into one folder:
    alternatives by construction, so left out file by file) is listed with a reason."""
    _, report, _ = corpus_run
    corpus = shared_or_skip("corpus")
    import os

    got = sorted((os.path.relpath(f["path"], corpus), f["line"], f["code"]) for f in report["findings"]
                 if f["code"].startswith(DEPLOYMENT_CODES) and "docs-md-extracted" not in f["path"])
    reviewed = json.loads(DEPLOYMENT_FINDINGS.read_text())
    assert all(len(r["reason"]) > 20 for r in reviewed)
    assert got == sorted((r["file"], r["line"], r["code"]) for r in reviewed)

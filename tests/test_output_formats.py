"""Golden outputs of the reporters the command line does not offer yet
(`full`, `concise` with colour, `--statistics`, `--show-fixes`), and the
rules behind `[*]`, the fix counts and the fix notes.

The reporters are called directly on what the real pipeline found (see
report_harness.py). Regenerate after an intended change:
UPDATE_GOLDEN=1 pytest tests/test_output_formats.py
"""
from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings, strategies as st

from daprlint.engine import Finding
from daprlint.report import summarize
from daprlint.report.full import render as render_full
from daprlint.report.show_fixes import block as show_fixes_block
from daprlint.report.text import render as render_concise
from daprlint.rulekit import Edit, Fix
from daprlint.span import Span
from report_harness import REPO, lint, render

GOLDEN = REPO / "tests" / "golden"


def check_golden(name: str, text: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_bytes(text.encode("utf-8"))
    assert text == golden.read_bytes().decode("utf-8")


@pytest.fixture
def bad(monkeypatch):
    """examples/bad as `daprlint check --isolated examples/bad` sees it (default rules)."""
    monkeypatch.chdir(REPO)
    return lint("examples/bad", extend_select=())


@pytest.mark.parametrize("colour", [False, True], ids=["plain", "colour"])
@pytest.mark.parametrize("fmt", ["full", "concise"])
def test_golden_text_formats(bad, fmt, colour):
    out = render(fmt, *bad, colour=colour)
    name = "text" if (fmt, colour) == ("concise", False) else fmt  # the command line's golden (test_output.py)
    check_golden(f"examples-bad.{name}{'.colour' if colour else ''}", out)
    assert ("\x1b[" in out) is colour


def test_concise_is_the_old_text_format(bad):
    assert render("text", *bad) == render("concise", *bad)


@pytest.mark.parametrize("colour", [False, True], ids=["plain", "colour"])
def test_golden_statistics(bad, colour):
    out = render("full", *bad, statistics=True, colour=colour)
    check_golden(f"examples-bad.statistics{'.colour' if colour else ''}", out)
    assert render("concise", *bad, statistics=True, colour=colour) == out  # no findings listed: same table


def test_golden_statistics_json(bad):
    out = render("json", *bad, statistics=True)
    check_golden("examples-bad.statistics.json", out)
    report = json.loads(out)
    rows = report["statistics"]
    assert sum(r["count"] for r in rows) == report["summary"]["findings"]
    assert sum(r["fixable"] for r in rows) == report["summary"]["fixable"]
    assert sum(r["unsafe_fixable"] for r in rows) == report["summary"]["unsafe_fixable"]
    assert [r["count"] for r in rows] == sorted((r["count"] for r in rows), reverse=True)
    assert all(r["url"].endswith("#" + r["code"].lower()) for r in rows)


@pytest.mark.parametrize("colour", [False, True], ids=["plain", "colour"])
def test_golden_show_fixes_of_a_check(bad, colour):
    """Without --fix: what --fix would apply, before the summary."""
    out = render("concise", *bad, show_fixes=True, colour=colour)
    check_golden(f"examples-bad.show-fixes{'.colour' if colour else ''}", out)


def test_golden_show_fixes_after_fix(bad):
    findings, summary, ctx = bad
    aws004, aws008 = "examples/bad/AWS004-aws-deprecated-field/pubsub.yaml", "examples/bad/AWS008-aws-invalid-region/parameters.yaml"
    applied = [(aws004, "AWS004"), (aws008, "AWS008"),
               ("examples/bad/DPR005-deprecated-metadata-field/pubsub.yaml", "DPR005"), (aws004, "AWS004")]
    out = show_fixes_block(findings, summary, {**ctx, "applied_fixes": applied})
    check_golden("examples-bad.show-fixes-applied", out)
    assert out.startswith("Fixed 4 fixes:\n")
    assert "    2 × AWS004 (aws-deprecated-field)\n" in out
    diff = show_fixes_block(findings, summary, {**ctx, "applied_fixes": applied, "diff": True})
    assert diff.startswith("Would fix 4 fixes:\n")
    assert show_fixes_block(findings, summary, {**ctx, "applied_fixes": []}) == "No fixes applied.\n"


def test_quiet_drops_only_the_summary(bad):
    full = render("concise", *bad)
    assert render("concise", *bad, quiet=True) == full[:full.rstrip("\n").rfind("\n") + 1]


def test_unsafe_fixes_turn_hidden_fixes_into_marked_ones(monkeypatch):
    monkeypatch.chdir(REPO)
    findings, summary, ctx = lint("examples/bad", extend_select=(), unsafe=True)
    out = render("concise", findings, summary, ctx)
    assert "DPR002 [*]" in out and "DPR008 [*]" in out
    assert "hidden" not in out.splitlines()[-1]
    assert summary.unsafe_fixable == 0 and summary.fixable == 7


# -- [*], counts and notes on made-up findings ----------------------------
def _finding(code="AWS004", path="a.yaml", fix=None, line=0):
    return Finding(path, Span(0, 3, line, 0, line, 3), code, "a-rule", "warning", "message", fix)


EDIT = Edit(0, 3, "region")


def test_mark_only_when_fix_applies_with_the_run_flags():
    safe = _finding(fix=Fix("rename", (EDIT,), "safe"))
    unsafe = _finding(code="DPR003", fix=Fix("rename", (Edit(5, 6, "x"),), "unsafe"))
    blocked = _finding(code="AWS001", fix=Fix("insert", (), "unsafe", blocked="set `aws-region`"))
    for flag, marked in ((False, {"AWS004"}), (True, {"AWS004", "DPR003"})):
        findings = [safe, unsafe, blocked]
        out = render_concise(findings, summarize(findings, 1, unsafe=flag), {})
        assert {line.split()[1] for line in out.splitlines()[:-1] if " [*] " in line} == marked


def test_same_edit_counts_once_and_hidden_fixes_are_counted():
    findings = [_finding(fix=Fix("rename", (EDIT,), "safe")),
                _finding(code="DPR005", fix=Fix("rename too", (EDIT,), "safe")),
                _finding(code="DPR005", path="b.yaml", fix=Fix("rename", (EDIT,), "safe")),
                _finding(code="DPR003", fix=Fix("rename", (Edit(5, 6, "x"),), "unsafe")),
                _finding(code="DPR002", fix=Fix("retype", (Edit(5, 6, "x"),), "unsafe"))]
    summary = summarize(findings, 2)
    assert (summary.fixable, summary.unsafe_fixable) == (2, 1)
    line = render_concise(findings, summary, {}).splitlines()[-1]
    assert line.endswith("[*] 2 fixable with `--fix` (1 hidden fix can be enabled with `--unsafe-fixes`).")
    only_hidden = summarize(findings[3:], 1)
    assert render_concise(findings[3:], only_hidden, {}).splitlines()[-1].endswith(
        "No fixes available (1 hidden fix can be enabled with `--unsafe-fixes`).")


def test_a_blocked_fix_is_not_counted_and_says_why_in_every_text_format():
    """A SEC001 fix whose value conflicts with the secrets file (the fixer
    sets `blocked`, see the report) is shown, with the reason, and never counted."""
    why = "the secrets file already holds a different value for `orders-secrets`/`redisPassword`"
    findings = [_finding(code="SEC001", fix=Fix("move `redisPassword`", (EDIT,), "unsafe", blocked=why))]
    summary = summarize(findings, 1, unsafe=True)
    assert (summary.fixable, summary.unsafe_fixable) == (0, 0)
    ctx = {"texts": {"a.yaml": "abc: 1\n"}, "secret_spans": {}}
    concise = render_concise(findings, summary, ctx)
    assert f"(fix not applicable: {why})" in concise and "[*]" not in concise
    full = render_full(findings, summary, ctx)
    assert f"= help: move `redisPassword` (fix not applicable: {why})" in full and "[*]" not in full
    assert json.loads(render("json", findings, summary, {"version": "0", "rules": {}}))["findings"][0]["fix"] == {
        "safety": "unsafe", "description": "move `redisPassword`", "applicable": False, "note": why}


def test_json_url_is_null_for_a_rule_from_another_pack(bad):
    findings, summary, ctx = bad
    foreign = Finding("a.yaml", Span(0, 1, 0, 0, 0, 1), "TEAM001", "team-rule", "error", "m")
    report = json.loads(render("json", [*findings[:1], foreign], summary, ctx))
    assert report["findings"][0]["url"].endswith("#" + findings[0].code.lower())  # a built-in rule
    assert report["findings"][1]["url"] is None


# -- frames ---------------------------------------------------------------
FRAMES = (
    "apiVersion: dapr.io/v1alpha1\r\n"
    "kind: Component\r\n"
    "metadata:\r\n"
    "  name: frames\r\n"
    "spec:\r\n"
    "  type: bindings.aws.s3\r\n"
    "  version: v1\r\n"
    "  metadata:\r\n"
    "  - name: region\r\n"
    "    value: eu-west-1b\t# tab before the comment\r\n"
    "  - {name: 名前, value: x}\r\n"
    "  - {name: awsRegion, value: 東京}\r\n"
    "  - name: bucket\r\n"
    "    value: b\r\n"
    "  - name: secretKey  # the value below is a secret\r\n"
    "    value: PlantedFrameSecret0042\r\n"
    "  - name: regoin\r\n"
    "    value: x\r\n"
)


@pytest.mark.parametrize("breaks", ["crlf", "cr", "lf"])
def test_golden_frames(tmp_path, monkeypatch, breaks):
    """Tabs, wide characters, a flow mapping, a secret next to a finding,
    and the same frames whatever YAML line breaks the file uses."""
    text = {"crlf": FRAMES, "cr": FRAMES.replace("\r\n", "\r"), "lf": FRAMES.replace("\r\n", "\n")}[breaks]
    (tmp_path / "frames.yaml").write_bytes(text.encode("utf-8"))
    monkeypatch.chdir(tmp_path)
    out = render("full", *lint("frames.yaml"))
    check_golden("frames.full", out)
    assert "PlantedFrameSecret0042" not in out


def test_golden_long_and_multi_line_spans(tmp_path, monkeypatch):
    pairs = ", ".join(f"k{i}: v{i}" for i in range(40))
    long_line = f"  - {{{pairs}, name: awsRegion, value: x, {pairs.replace('k', 'j')}}}\n"
    text = ("apiVersion: dapr.io/v1alpha1\nkind: Subscription\nmetadata:\n  name: s\nspec:\n"
            "  pubsubname: p\n  topic: t\n  a: 1\n  b: 2\n  c: 3\n  d: 4\n"
            "---\napiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: l\nspec:\n"
            "  type: bindings.aws.s3\n  version: v1\n  metadata:\n" + long_line)
    (tmp_path / "spans.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = render("full", *lint("spans.yaml", extend_select=()))
    check_golden("spans.full", out)
    assert all(len(line) < 200 for line in out.splitlines() if " | " in line)


def test_frames_fall_back_to_the_concise_line_without_text(bad):
    findings, summary, ctx = bad
    no_texts = render("full", findings, summary, {**ctx, "texts": {}})
    assert no_texts == render("concise", findings, summary, ctx)


def test_no_frames_when_the_caller_does_not_say_where_the_secrets_are(bad):
    findings, summary, ctx = bad
    without = {k: v for k, v in ctx.items() if k != "secret_spans"}
    assert render("full", findings, summary, without) == render("concise", findings, summary, ctx)


def test_a_file_level_finding_has_no_frame():
    f = Finding("a.yaml", Span(0, 0, 0, 0, 0, 0), "FIX001", "fix-not-written", "error", "fixes were not written")
    out = render_full([f], summarize([f], 1), {"texts": {"a.yaml": "a: 1\n"}, "secret_spans": {}})
    assert out.splitlines()[0] == "a.yaml:1:1: FIX001 fixes were not written"
    assert " | " not in out


def test_a_point_span_gets_one_caret_and_a_span_past_the_text_none():
    text = "key: [unclosed\n"
    point = Finding("a.yaml", Span(15, 15, 1, 0, 1, 0), "YML001", "yaml-syntax-error", "error", "syntax")
    out = render_full([point], summarize([point], 1), {"texts": {"a.yaml": text}, "secret_spans": {}})
    assert "  | ^ YML001\n" in out
    beyond = Finding("a.yaml", Span(99, 99, 9, 0, 9, 0), "YML001", "yaml-syntax-error", "error", "syntax")
    assert " | " not in render_full([beyond], summarize([beyond], 1), {"texts": {"a.yaml": text}, "secret_spans": {}})


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("ab \t\n\r\x85\u2028\u2029\x0b\x0c\x1c\x1d\x1e名")))
def test_frame_lines_are_the_lines_yaml_counts(text):
    """The splitlines() fast path finds the same lines as span.LINE_BREAK,
    which is tested against libyaml's marks (tests/test_loader.py)."""
    from daprlint.report.full import _line_starts
    from daprlint.span import LINE_BREAK, position

    starts = _line_starts(text)
    assert starts == [0, *(m.end() for m in LINE_BREAK.finditer(text))]
    for line, start in enumerate(starts):
        assert position(text, start) == (line, 0)

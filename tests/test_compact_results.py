"""What a run holds of each file until the report is compact, and reads back the same.

A 100,000-file run holds every finding and result until the report
(bench/README.md, "Round three": ~0.9 KiB a file). results.Finding keeps
its span as one int and interns its message; runner._slim lets go of what
only masks a text that is let go (without the cache), and of empty lists;
tree.py gives a result without findings the shared empty tuple. None of it
may change a finding, the report, or what the cache and workers see.
"""
from __future__ import annotations

import pickle
import sys

from hypothesis import given, strategies as st

from conftest import REPO
from daprlint import cli, commands, tree
from daprlint.discover import Target
from daprlint.engine import Engine
from daprlint.packs import load_packs
from daprlint.config import Settings
from daprlint.results import FileResult, Finding
from daprlint.runner import _slim, lint_targets
from daprlint.span import Span

numbers = st.integers(min_value=0, max_value=2**32 - 1)
any_numbers = st.one_of(numbers, st.integers(min_value=-2**40, max_value=2**40))


@given(st.tuples(*[any_numbers] * 6), st.text(), st.sampled_from(["error", "warning", "info"]))
def test_a_finding_gives_back_the_span_and_message_it_was_made_with(numbers6, message, severity):
    span = Span(*numbers6)
    finding = Finding("dir/file.yaml", span, "DPR001", "some-rule", severity, message, None, ("v",))
    assert finding.span == span and type(finding.span) is Span
    assert tuple(finding.span) == numbers6 and finding.span.end_column == numbers6[5]
    assert finding.message == message
    assert finding.sort_key() == ("dir/file.yaml", span.line, span.column, "DPR001", message)
    again = Finding("dir/file.yaml", Span(*numbers6), "DPR001", "some-rule", severity, message, None, ("v",))
    assert again == finding and repr(again) == repr(finding)
    assert again != Finding("dir/file.yaml", Span(*numbers6), "DPR001", "some-rule", severity, message + "x")
    copied = pickle.loads(pickle.dumps(finding))  # --jobs workers send findings back pickled
    assert copied == finding and type(copied.span) is Span and copied.message == message


@given(st.tuples(*[numbers] * 6), st.tuples(*[numbers] * 6))
def test_a_span_set_later_is_read_back(first, second):
    finding = Finding("f.yaml", Span(*first), "X", "x", "error", "m")
    finding.span = Span(*second)  # commands._map_rendered moves findings onto chart templates
    assert finding.span == Span(*second)


def test_messages_are_interned():
    one = Finding("a.yaml", Span(0, 0, 0, 0, 0, 0), "X", "x", "error", "".join(["unknown field ", "`foo`"]))
    two = Finding("b.yaml", Span(0, 0, 0, 0, 0, 0), "X", "x", "error", "".join(["unknown field ", "`fo", "o`"]))
    assert one.message is two.message is sys.intern("unknown field `foo`")
    copied = pickle.loads(pickle.dumps(two))
    assert copied.message is one.message


def _result_with_a_secret():
    finding = Finding("s.yaml", Span(10, 20, 1, 2, 1, 12), "SEC001", "inline-secret", "error", "m", None,
                      ("hunter2",))
    return FileResult("s.yaml", findings=[finding], secret_spans=[(10, 20)], suppressions=[])


def test_without_the_cache_a_dropped_text_takes_its_secret_masks_along():
    slim = _slim(_result_with_a_secret(), secrets=False)
    assert slim.source is None and slim.secret_spans == () and slim.findings[0].secrets == ()
    kept = _slim(_result_with_a_secret())  # the cache path: a later frame of a hit may read the text again
    assert kept.secret_spans == [(10, 20)] and kept.findings[0].secrets == ("hunter2",)


def test_a_result_without_findings_holds_the_shared_empty_tuple_and_takes_deployment_findings():
    one, other = _slim(FileResult("a.yaml")), _slim(FileResult("b.yaml"))
    assert one.findings == () and one.findings is other.findings
    late = Finding("a.yaml", Span(0, 0, 0, 0, 0, 0), "XRF001", "x", "error", "m")
    tree.add_findings([one, other], [late])
    assert one.findings == [late] and other.findings == ()
    engine = Engine(load_packs(), Settings())
    assert tree._finalized(engine, other).findings == ()
    assert tree._finalized(engine, one).findings == [late]


def test_no_cache_results_keep_their_findings(tmp_path):
    """Secrets go only with the text: the findings themselves are those of the file."""
    path = tmp_path / "c.yaml"
    path.write_text("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: s\nspec:\n"
                    "  type: state.redis\n  version: v1\n  metadata:\n  - name: redisPassword\n"
                    "    value: hunter2-not-a-real-one\n", encoding="utf-8")
    engine = Engine(load_packs(), Settings())
    full = engine.lint_path(str(path))
    [slim] = lint_targets(engine, [Target(str(path), True)])
    assert [(f.code, f.span, f.message, f.fix is None) for f in slim.findings] == \
        [(f.code, f.span, f.message, f.fix is None) for f in full.findings]
    assert slim.findings and all(f.secrets == () for f in slim.findings) and slim.secret_spans == ()
    assert any(f.secrets for f in full.findings)


def test_the_reports_of_the_examples_are_unchanged_by_the_compact_results(monkeypatch, capsys):
    """Same report with and without what this module tests (goldens: tests/test_output*.py)."""
    monkeypatch.setattr(commands, "_tune_gc", lambda: None)
    args = ["check", "--isolated", "--no-cache", str(REPO / "examples")]
    reports = {}
    for fmt in ("json", "sarif", "full"):
        cli.main(args[:-1] + ["--format", fmt, args[-1]])
        reports[fmt] = capsys.readouterr().out
    monkeypatch.setattr(tree, "_finalized", lambda engine, result: engine.finalize(result))
    import daprlint.runner as runner

    real = runner._slim
    monkeypatch.setattr(runner, "_slim", lambda r, frames=False, fix_texts=True, secrets=True:
                        real(r, frames, fix_texts, True))
    for fmt, report in reports.items():
        cli.main(args[:-1] + ["--format", fmt, args[-1]])
        assert capsys.readouterr().out == report


def _fixable(path, edits, safety="safe"):
    from daprlint.rulekit import Edit, Fix

    fix = Fix("d", [Edit(*e) for e in edits], safety)
    return Finding(path, Span(0, 0, 0, 0, 0, 0), "X", "x", "error", "m", fix)


def _summary_holding_every_key(findings, unsafe=False):
    """summarize as it was: one set of every fix key."""
    from daprlint.report import fix_available, fix_key

    fixable = unsafe_fixable = 0
    counted = set()
    for f in findings:
        if fix_available(f.fix) and fix_key(f) not in counted:
            counted.add(fix_key(f))
            if f.fix.safety == "safe" or unsafe:
                fixable += 1
            else:
                unsafe_fixable += 1
    return fixable, unsafe_fixable


@given(st.lists(st.tuples(st.sampled_from(["a.yaml", "b.yaml", "c.yaml"]),
                          st.lists(st.tuples(st.integers(0, 3), st.integers(3, 5), st.sampled_from(["", "x"])),
                                   min_size=0, max_size=2),
                          st.sampled_from(["safe", "unsafe"])), max_size=12),
       st.booleans())
def test_fixes_are_counted_once_per_file_and_edits_in_any_order_of_files(items, unsafe):
    from daprlint.report import summarize

    findings = [_fixable(path, edits, safety) for path, edits, safety in items]
    summary = summarize(findings, 3, unsafe=unsafe)
    assert (summary.fixable, summary.unsafe_fixable) == _summary_holding_every_key(findings, unsafe)
    assert summary.findings == len(findings)
    assert summarize(iter(findings), 3, unsafe=unsafe) == summary


def test_without_the_cache_a_dropped_text_takes_its_fix_secrets_along():
    from daprlint.rulekit import Edit, Fix
    from daprlint.runner import _without_fix_secrets

    fix = Fix("move the value to a Secret", (Edit(0, 1, "x"),), "unsafe", {"s": {"k": "hunter2"}})
    result = FileResult("s.yaml", findings=[Finding("s.yaml", Span(0, 1, 0, 0, 0, 1), "SEC001", "x", "error", "m",
                                                    fix)])
    _without_fix_secrets(result)
    assert not fix.secrets and dict(fix.secrets) == {}
    try:
        fix.secrets["t"] = {}
    except TypeError:
        pass
    else:
        raise AssertionError("the shared empty secrets must be read-only")


def test_references_are_followed_only_from_project_files(monkeypatch, capsys, tmp_path):
    """commands asks workspace.follow_references only when a kustomization or run file was read."""
    from daprlint import workspace

    monkeypatch.setattr(commands, "_tune_gc", lambda: None)
    asked = []
    real = workspace.follow_references
    monkeypatch.setattr(workspace, "follow_references", lambda *a, **k: asked.append(a[1]) or real(*a, **k))
    (tmp_path / "c.yaml").write_text("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: s\n"
                                     "spec:\n  type: state.redis\n  version: v1\n", encoding="utf-8")
    cli.main(["check", "--isolated", "--no-cache", "--format", "json", str(tmp_path)])
    assert asked == []
    (tmp_path / "kustomization.yaml").write_text("resources:\n- c.yaml\n- ../elsewhere\n", encoding="utf-8")
    cli.main(["check", "--isolated", "--no-cache", "--format", "json", str(tmp_path)])
    capsys.readouterr()
    assert len(asked) == 1 and [f.path.endswith("kustomization.yaml") for f in asked[0]] == [True]


@given(st.tuples(*[numbers] * 6))
def test_a_pickled_finding_carries_its_span_packed(numbers6):
    finding = Finding("f.yaml", Span(*numbers6), "X", "x", "error", "m", None, ("v",))
    cls, args = finding.__reduce__()
    assert cls is Finding and type(args[1]) is int  # no Span built to be pickled, none packed again
    assert cls(*args) == finding and type(cls(*args).span) is Span

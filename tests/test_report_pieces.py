"""commands writes a report piece by piece where the reporter offers pieces (json_report.render_parts),
gathered into blocks of about commands.WRITE_BLOCK characters.

A JSON report of 100,000 files is ~50 MB: written as it is rendered, it is
never held whole (bench/README.md, "Round three"). The bytes written must be
those of the whole report, to stdout and (rendered whole) to -o FILE.
"""
from __future__ import annotations

import io
import json
import sys

from hypothesis import given
from hypothesis import strategies as st

from conftest import REPO
from daprlint import cli, commands
from daprlint.report import json_report


def test_a_report_in_pieces_is_the_whole_report(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(commands, "_tune_gc", lambda: None)
    args = ["check", "--isolated", "--no-cache", "--format", "json", str(REPO / "examples")]
    cli.main(args)
    whole = capsys.readouterr().out
    pieces = []
    original = getattr(json_report, "render_parts", None) or (lambda *a: iter([json_report.render(*a)]))

    def render_parts(findings, summary, ctx):
        text = "".join(original(findings, summary, ctx))
        for start in range(0, len(text), 7):  # pieces that cut through keys and strings alike
            pieces.append(text[start:start + 7])
            yield pieces[-1]

    monkeypatch.setattr(json_report, "render_parts", render_parts, raising=False)
    assert cli.main(args) == 1
    assert capsys.readouterr().out == whole and len(pieces) > 1
    out = tmp_path / "report.json"
    pieces.clear()
    cli.main(args[:-1] + ["-o", str(out), args[-1]])
    assert out.read_text(encoding="utf-8") == whole  # a file is written whole (render joins the parts)


class _CountingOut(io.StringIO):
    """A stdout that keeps count of its write() calls: under PYTHONUNBUFFERED=1
    each of them is one write(2)."""

    def __init__(self):
        super().__init__()
        self.writes = 0

    def write(self, text):
        self.writes += 1
        return super().write(text)


def test_a_streamed_report_is_written_in_blocks_not_a_call_a_finding(monkeypatch, tmp_path):
    bad = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: s{i}\nspec:\n  type: state.redis\n"
    for i in range(400):  # 400 files, each with findings (no version, no metadata)
        (tmp_path / f"c{i}.yaml").write_text(bad.format(i=i), encoding="utf-8")
    monkeypatch.setattr(commands, "_tune_gc", lambda: None)
    out = _CountingOut()
    monkeypatch.setattr(sys, "stdout", out)
    assert cli.main(["check", "--isolated", "--no-cache", "--jobs", "1", "--format", "json", str(tmp_path)]) == 1
    report = json.loads(out.getvalue())
    assert len(report["findings"]) >= 400
    assert out.writes <= len(out.getvalue()) // commands.WRITE_BLOCK + 2


@given(st.lists(st.text(max_size=40), max_size=60), st.integers(min_value=1, max_value=100))
def test_blocks_keep_every_character_in_order_and_are_at_least_the_size(parts, size):
    blocks = list(commands._blocks(iter(parts), size))
    assert "".join(blocks) == "".join(parts)
    longest = max((len(p) for p in parts), default=0)
    for block in blocks[:-1]:
        assert size <= len(block) < size + longest

"""commands writes a report piece by piece where the reporter offers pieces (json_report.render_parts).

A JSON report of 100,000 files is ~50 MB: written as it is rendered, it is
never held whole (bench/README.md, "Round three"). The bytes written must be
those of the whole report, to stdout and (rendered whole) to -o FILE.
"""
from __future__ import annotations

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

"""The guarantees every fix must keep, checked pass by pass in-process.

- only lines touched by the chosen edits change; every other line is kept;
- comments, BOM, line endings and a missing final newline are kept;
- the fixed text parses, and linting it gives no new finding code;
- a second fix run changes nothing (fixes converge);
- every secret value a fix removes is in the secrets sink.
"""
from __future__ import annotations

import re

from daprlint.config import Settings
from daprlint.engine import Engine
from daprlint.fixer import apply_edits, choose, fix_text
from daprlint.loader import DecodeError, decode, parse
from daprlint.packs import load_packs
from daprlint.secrets_out import SecretsSink

_COMMENT = re.compile(r"(?:^|\s)(#.*)$")


def make_engine(tmp_path, **options):
    settings = Settings(options={"aws-region": "eu-west-1", "secrets-out": str(tmp_path / "s.json"), **options})
    return Engine(load_packs(), settings), SecretsSink(tmp_path / "s.json")


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


def check_fix_guarantees(engine: Engine, sink, data: bytes, path: str) -> str:
    try:
        text, bom = decode(data)
    except DecodeError:
        return ""
    if parse(path, text, bom).parse_error is not None:
        return text
    before_codes = {f.code for f in engine.lint_text(path, text, bom).findings}
    current = text
    for _ in range(10):
        findings = engine.lint_text(path, current, bom).findings
        chosen = [f for f in choose(findings, True) if not f.fix.secrets or not sink.conflict(f.fix.secrets)]
        if not chosen:
            break
        edits = [e for f in chosen for e in f.fix.edits]
        new = apply_edits(current, edits)
        touched = set()
        for e in edits:
            touched.update(range(_line_of(current, e.start), _line_of(current, e.end) + 1))
        old_lines = current.split("\n")
        kept = [line for i, line in enumerate(old_lines) if i not in touched]
        new_lines = new.split("\n")
        # every untouched line survives, in order
        it = iter(new_lines)
        assert all(any(line == n for n in it) for line in kept), f"{path}: a line outside the edits changed"
        for f in chosen:
            for name, values in (f.fix.secrets or {}).items():
                sink.add({name: values})
        current = new
    assert parse(path, current, bom).parse_error is None, f"{path}: fixed text does not parse"
    for line in text.split("\n"):
        m = _COMMENT.search(line)
        if m:
            assert m.group(1) in current, f"{path}: comment lost: {m.group(1)!r}"
    if "\r\n" in text:
        assert "\n" not in current.replace("\r\n", ""), f"{path}: bare LF introduced in a CRLF file"
    assert text.endswith("\n") == current.endswith("\n"), f"{path}: final newline changed"
    after_codes = {f.code for f in engine.lint_text(path, current, bom).findings}
    assert after_codes <= before_codes, f"{path}: new findings {after_codes - before_codes}"
    again, fixed, _, _ = fix_text(engine, path, current, bom, True, sink)
    assert fixed == 0 and again == current, f"{path}: a second fix pass changed the text"
    for name, values in sink.pending.items():
        for key, value in values.items():
            assert sink.value(name, key) == value
    return current

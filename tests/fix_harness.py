"""The guarantees every fix must keep, checked pass by pass in-process.

- every byte outside the chosen edits is kept (the text between edits, in
  order), and every untouched line survives;
- inserted text uses only line breaks the file already uses (LF, CRLF, CR,
  NEL, LS, PS: what YAML counts as a break);
- comments, BOM, line endings and a missing final newline are kept;
- the fixed text parses, and linting it gives no new finding code;
- every secret a fix moves is referenced by a `secretKeyRef` that reads
  back as exactly that secret name and key, in the component's namespace,
  and is in the secrets sink under that (namespace, name);
- a second fix run changes nothing (fixes converge).
"""
from __future__ import annotations

import re

from daprlint.config import Settings
from daprlint.engine import Engine
from daprlint.fixer import apply_edits, choose, fix_text
from daprlint.loader import DecodeError, decode, parse
from daprlint.model import get, resources_of, text_of
from daprlint.packs import load_packs
from daprlint.secrets_out import SecretsSink
from daprlint.span import LINE_BREAK

_COMMENT = re.compile(r"(?:^|\s)(#.*)$")


_RULESET = []


def builtin_rules():
    """The built-in pack, loaded once: property tests make an engine per example."""
    if not _RULESET:
        _RULESET.append(load_packs())
    return _RULESET[0]


def make_engine(tmp_path, **options):
    settings = Settings(options={"aws-region": "eu-west-1", "secrets-out": str(tmp_path / "s.json"), **options})
    return Engine(builtin_rules(), settings), SecretsSink(tmp_path / "s.json")


def _line_of(text: str, offset: int) -> int:
    return len(LINE_BREAK.findall(text, 0, offset))


def _lines(text: str) -> list[str]:
    return LINE_BREAK.split(text)


def check_bytes_outside_edits(old: str, new: str, edits) -> None:
    """*new* is *old* with exactly these splices: every other byte is where it was."""
    at_old = at_new = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        kept = old[at_old:e.start]
        assert new[at_new:at_new + len(kept)] == kept, "a byte outside the edits changed"
        at_new += len(kept)
        assert new[at_new:at_new + len(e.replacement)] == e.replacement
        at_new += len(e.replacement)
        at_old = e.end
    assert new[at_new:] == old[at_old:], "a byte after the last edit changed"


def check_line_breaks(old: str, edits) -> None:
    own = {m.group() for m in LINE_BREAK.finditer(old)} or {"\n"}
    for e in edits:
        used = {m.group() for m in LINE_BREAK.finditer(e.replacement)}
        assert used <= own, f"inserted line breaks {used - own!r} the file does not use"


def check_secret_refs(text: str, moved: dict) -> None:
    """Each moved (namespace, name) -> {key} is referenced exactly, as YAML reads it."""
    refs = set()
    for r in resources_of("x.yaml", parse("x.yaml", text).documents):
        namespace = r.namespace.value if r.namespace and r.namespace.value else None
        for item in r.metadata + r.headers:
            ref = item.secret_key_ref
            if ref is not None:  # (another fix may rename the item in the same pass: the key stays)
                refs.add((namespace, text_of(get(ref, "name")), text_of(get(ref, "key"))))
    for (namespace, name), values in moved.items():
        for key in values:
            assert (namespace, name, key) in refs, f"no secretKeyRef reads back as {namespace}/{name}/{key}"


def check_fix_guarantees(engine: Engine, sink, data: bytes, path: str) -> str:
    try:
        text, bom = decode(data)
    except DecodeError:
        return ""
    if parse(path, text, bom).parse_error is not None:
        return text
    before_codes = {f.code for f in engine.lint_text(path, text, bom).findings}
    current = text
    moved: dict = {}
    for _ in range(10):
        findings = engine.lint_text(path, current, bom).findings
        chosen = [f for f in choose(findings, True) if not f.fix.secrets or not sink.conflict(f.fix.secrets)]
        if not chosen:
            break
        edits = [e for f in chosen for e in f.fix.edits]
        new = apply_edits(current, edits)
        check_bytes_outside_edits(current, new, edits)
        check_line_breaks(current, edits)
        touched = set()
        for e in edits:
            touched.update(range(_line_of(current, e.start), _line_of(current, e.end) + 1))
        kept = [line for i, line in enumerate(_lines(current)) if i not in touched]
        it = iter(_lines(new))
        assert all(any(line == n for n in it) for line in kept), f"{path}: a line outside the edits changed"
        for f in chosen:
            if f.fix.secrets:
                sink.add(f.fix.secrets)
                for key, values in f.fix.secrets.items():
                    moved.setdefault(key, {}).update(values)
        current = new
    assert parse(path, current, bom).parse_error is None, f"{path}: fixed text does not parse"
    check_secret_refs(current, moved)
    for line in _lines(text):
        m = _COMMENT.search(line)
        if m:
            assert m.group(1) in current, f"{path}: comment lost: {m.group(1)!r}"
    assert bool(LINE_BREAK.search(text[-1:])) == bool(LINE_BREAK.search(current[-1:])), \
        f"{path}: final line break changed"
    after_codes = {f.code for f in engine.lint_text(path, current, bom).findings}
    assert after_codes <= before_codes, f"{path}: new findings {after_codes - before_codes}"
    again, fixed, _, _ = fix_text(engine, path, current, bom, True, sink)
    assert fixed == 0 and again == current, f"{path}: a second fix pass changed the text"
    for (namespace, name), values in moved.items():
        for key, value in values.items():
            assert sink.value(name, key, namespace) == value, f"{name}/{key} is not in the secrets sink"
    return current

"""`--fix` / `--diff`: apply fix edits, re-lint, write atomically.

Edits are splices at loader spans, so every byte outside them is kept.
Each pass applies non-overlapping fixes only; passes repeat until nothing
changes (at most MAX_PASSES). A file that does not parse is never written,
nor is one that changed on disk since it was read, and a pass whose result
does not parse is dropped.
"""
from __future__ import annotations

import difflib
import os
import sys

from .atomic import atomic_write
from .engine import Engine, FileResult, Finding
from .loader import DecodeError, decode, parse
from .redact import scrub
from .span import FILE_START

MAX_PASSES = 10
NOT_WRITTEN = "FIX001"


def applicable(finding: Finding, unsafe: bool) -> bool:
    fix = finding.fix
    return (fix is not None and bool(fix.edits) and not fix.blocked
            and (fix.safety == "safe" or unsafe))


def choose(findings: list[Finding], unsafe: bool) -> list[Finding]:
    """Fixes whose edits overlap no edit already chosen (inserts at one point overlap)."""
    chosen, taken = [], []
    for f in sorted((f for f in findings if applicable(f, unsafe)), key=lambda f: min(e.start for e in f.fix.edits)):
        spans = [(e.start, e.end) for e in f.fix.edits]
        if any(s <= te and ts <= e for s, e in spans for ts, te in taken):
            continue
        chosen.append(f)
        taken += spans
    return chosen


def apply_edits(text: str, edits) -> str:
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[:e.start] + e.replacement + text[e.end:]
    return text


def fix_text(engine: Engine, path: str, text: str, bom: bool, unsafe: bool, sink=None, applied=None):
    """Fixed text, number of fixes applied, secret values seen, notes; the
    code of each fix applied is appended to *applied* (for --show-fixes)."""
    fixed, secrets, notes, codes = 0, set(), [], []
    original = parse(path, text, bom)
    if original.parse_error is not None:
        return text, 0, secrets, notes
    previous = None  # (the fixes chosen by the last pass, the text before it)
    for _ in range(MAX_PASSES):
        result = engine.lint_text(path, text, bom)
        for f in result.findings:
            secrets.update(f.secrets)
        chosen = []
        for f in choose(result.findings, unsafe):
            if f.fix.secrets:
                if sink is None:
                    continue
                conflict = sink.conflict(f.fix.secrets)
                if conflict:
                    notes.append(f"{f.code} fix skipped: {conflict}")
                    continue
            chosen.append(f)
        if not chosen:
            break
        signature = sorted((f.code, f.fix.description) for f in chosen)
        if previous is not None and previous[0] == signature:
            # the last pass left every finding it fixed in place: its edits
            # did not do what they say, so they are taken back, not repeated
            text, fixed = previous[1], fixed - len(chosen)
            del codes[len(codes) - len(chosen):]
            notes.append("a fix did not take effect and was not applied; please report it")
            break
        previous = (signature, text)
        candidate = apply_edits(text, [e for f in chosen for e in f.fix.edits])
        if parse(path, candidate, bom).parse_error is not None:
            notes.append("a fix pass produced invalid YAML and was dropped; please report it")
            break
        for f in chosen:
            if f.fix.secrets:
                sink.add(f.fix.secrets)
        text = candidate
        fixed += len(chosen)
        codes += [f.code for f in chosen]
    if applied is not None:
        applied += [(path, code) for code in codes]
    return text, fixed, secrets, notes


def _not_written(engine: Engine, path: str, why: str) -> Finding:
    return Finding(path, FILE_START, NOT_WRITTEN, "fix-not-written", "error", f"fixes were not written: {why}")


def run_fixes(engine: Engine, targets, args, ruleset, applied=None):
    """Fix every target; returns (results, fixed count, diff text or None).
    *applied* receives (path, code) for each fix written (or, with --diff, shown)."""
    from .secrets_out import SecretsError, SecretsSink

    unsafe = bool(args.unsafe_fixes)
    sink, sink_error = None, None
    secrets_out = engine.options.get("secrets-out")
    if secrets_out and unsafe:
        try:
            sink = SecretsSink(secrets_out)
        except SecretsError as exc:
            sink_error = str(exc)
    results: list[FileResult] = []
    diffs: list[str] = []
    total = 0
    for target in targets:
        shown = (args.stdin_filename or "-") if target.path == "-" else target.path
        data, problem = engine.read(target.path, target.explicit)
        if data is None:
            results.append(engine._unreadable(shown, problem or "cannot read file"))
            continue
        stat_before = os.stat(target.path) if target.path != "-" else None
        try:
            text, bom = decode(data)
        except DecodeError as exc:
            results.append(engine._unreadable(shown, str(exc)))
            continue
        codes: list = []
        new_text, fixed, secrets, notes = fix_text(engine, shown, text, bom, unsafe, sink, codes)
        extra: list[Finding] = []
        if sink_error and any(f.fix and f.fix.secrets for f in engine.lint_text(shown, text, bom).findings):
            extra.append(_not_written(engine, shown, sink_error))
        for note in notes:
            print(f"daprlint: {shown}: {note}", file=sys.stderr)
        if new_text != text:
            if args.diff or target.path == "-":
                diffs.append(_diff(shown, text, new_text, secrets))
            else:
                why = _write(target.path, data, stat_before, new_text, bom, sink)
                if why:
                    extra.append(_not_written(engine, shown, why))
                    new_text, fixed, codes = text, 0, []
            total += fixed
            if applied is not None:
                applied += codes
        result = engine.lint_text(shown, new_text if not args.diff else text, bom, target.explicit)
        _block_unwritable_secret_fixes(result.findings, sink, sink_error)
        result.findings += extra
        results.append(result)
    return results, total, ("".join(diffs) if args.diff or diffs else None)


def _block_unwritable_secret_fixes(findings, sink, sink_error) -> None:
    """A fix that moves a value the secrets file cannot take (it holds another
    value for that key, or cannot be opened) is not applicable: say why, so
    the summary does not count it and the report shows the reason."""
    for f in findings:
        if f.fix is None or not f.fix.secrets or f.fix.blocked:
            continue
        why = sink_error or (sink.conflict(f.fix.secrets) if sink is not None else None)
        if why:
            f.fix.blocked = why


def _write(path: str, original: bytes, stat_before, new_text: str, bom: bool, sink) -> str | None:
    if not os.access(path, os.W_OK):
        return "the file is read-only"
    try:
        with open(path, "rb") as f:
            now = f.read()
        st = os.stat(path)
    except OSError as exc:
        return f"cannot re-read the file ({exc.strerror})"
    if now != original or st.st_mtime_ns != stat_before.st_mtime_ns:
        return "the file changed on disk while daprlint was fixing it"
    try:
        if sink is not None:
            sink.flush()  # the removed values are safe before the manifest loses them
        atomic_write(path, (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8"))
    except OSError as exc:
        return f"cannot write the file ({exc.strerror})"
    return None


def _diff(path: str, old: str, new: str, secrets) -> str:
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 fromfile=f"a/{path}", tofile=f"b/{path}")
    out = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    return scrub(out, tuple(secrets))

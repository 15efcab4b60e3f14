"""`--fix` / `--diff`: apply fix edits, re-lint, write atomically.

Edits are splices at loader spans, so every byte outside them is kept.
Each pass applies non-overlapping fixes only; passes repeat until nothing
changes (at most MAX_PASSES). A file that does not parse is never written,
nor is one that changed on disk since it was read, and a pass whose result
does not parse is dropped. A fix whose inserted text uses a line break the
file does not use is dropped too (see fixes.newline_of).

Links (the project's rule: nothing is written through a link). A fixed
file is written by atomic replace, which would turn a link into a regular
file, so:
- a symbolic link to a manifest is not written: FIX001 names the link and
  asks for the file's own path (editors and ruff write the target; we
  refuse, so a link in a hostile tree never sends a write elsewhere);
- a manifest below a symlinked folder is not written either (the path is
  walked with O_NOFOLLOW from the working directory, see atomic.py);
- a manifest with more than one hard link is not written: replacing it
  would split the links.
The same policy holds for `--secrets-out` (secrets_out.py), and
atomic.write_output gives it to the report files.

The secrets file (`--secrets-out`) must not be one of the files being
fixed (real paths are compared): writing both would lose the secret. Its
values are flushed, under a lock and with fsync, before the manifest that
loses them is replaced; values of a manifest that was not written are
discarded.

`--fix -` (stdin): the fixed text is the output (`FixRun.stdout`, the
formatter convention editors rely on), byte for byte, with the BOM kept; it
is the caller's own file content, so it is not redacted. Diffs are
redacted by source span: every line that a secret covers (the file's
`secret_spans`, and every scalar whose value holds a secret a finding
names) is masked, whatever its spelling (quotes, escapes, continuation
lines, block scalars), and known shapes are scrubbed from the rest.
"""
from __future__ import annotations

import difflib
import os
import sys

from .atomic import replace_if_unchanged
from .engine import Engine, FileResult, Finding
from .loader import DecodeError, decode, parse
from .redact import scrub
from .span import FILE_START, LINE_BREAK

MAX_PASSES = 10
NOT_WRITTEN = "FIX001"
MASK = "********"


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


def foreign_line_breaks(text: str, edits) -> bool:
    """Whether the edits insert a kind of line break that *text* does not use."""
    own = {m.group() for m in LINE_BREAK.finditer(text)} or {"\n"}
    return any(m.group() not in own for e in edits for m in LINE_BREAK.finditer(e.replacement))


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
        chosen = []
        for f in result.findings:  # every finding's secrets, suppressed ones too: they are masked in diffs
            secrets.update(f.secrets)
            if f.fix is not None:
                for values in f.fix.secrets.values():
                    secrets.update(values.values())
        result = engine.finalize(result)  # a suppressed or per-file-ignored finding is not fixed
        for f in choose(result.findings, unsafe):
            if foreign_line_breaks(text, f.fix.edits):
                notes.append(f"{f.code} fix skipped: it would add a line break this file does not use; "
                             "please report it")
                continue
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


class FixRun:
    """What a fix run produced: results, fixes applied (their count, and (path, code)
    of each, for --show-fixes), the diff, and for `--fix -` the fixed stdin (bytes
    for stdout; None when stdin was not fixed)."""

    __slots__ = ("results", "fixed", "applied", "diff", "stdout")

    def __init__(self):
        self.results: list[FileResult] = []
        self.fixed = 0
        self.applied: list[tuple[str, str]] = []
        self.diff: str | None = None
        self.stdout: bytes | None = None


def run_fixes(engine: Engine, targets, args, ruleset, applied=None):
    """Fix every target; returns (results, fixed count, diff text or None);
    *applied* receives (path, code) for each fix written (or, with --diff, shown).

    Kept for callers that print only a diff: stdin is diffed, not fixed
    (see fix_targets for `--fix -`)."""
    run = fix_targets(engine, targets, args, ruleset, stdin_output=False)
    if applied is not None:
        applied += run.applied
    return run.results, run.fixed, run.diff


def _open_sink(engine: Engine, targets, unsafe: bool):
    """(sink or None, why there is none or None)."""
    from .secrets_out import SecretsError, SecretsSink

    secrets_out = engine.options.get("secrets-out")
    if not secrets_out or not unsafe:
        return None, None
    overlap = _overlap(str(secrets_out), targets)
    if overlap:
        return None, (f"--secrets-out {secrets_out} is also {overlap}, one of the files being fixed; the secrets "
                      "would be overwritten: choose another file")
    try:
        return SecretsSink(secrets_out), None
    except SecretsError as exc:
        return None, str(exc)


def _overlap(secrets_out: str, targets) -> str | None:
    real = os.path.realpath(secrets_out)
    try:
        st = os.stat(secrets_out)
        identity = (st.st_dev, st.st_ino)
    except OSError:
        identity = None
    for target in targets:
        if target.path == "-":
            continue
        if os.path.realpath(target.path) == real:
            return target.path
        if identity is not None:
            try:
                st = os.stat(target.path)
            except OSError:
                continue
            if (st.st_dev, st.st_ino) == identity:
                return target.path
    return None


def fix_targets(engine: Engine, targets, args, ruleset, stdin_output: bool = True) -> FixRun:
    """Fix every target (or, with --diff, diff it); see FixRun."""
    unsafe = bool(args.unsafe_fixes)
    sink, sink_error = _open_sink(engine, targets, unsafe)
    run = FixRun()
    diffs: list[str] = []
    for target in targets:
        stdin = target.path == "-"
        shown = (args.stdin_filename or "-") if stdin else target.path
        data, problem = engine.read(target.path, target.explicit)
        writes_stdout = stdin and stdin_output and not args.diff
        if writes_stdout and data is not None:
            run.stdout = data  # the input unchanged, unless it is fixed below
        if data is None:
            run.results.append(engine._unreadable(shown, problem or "cannot read file"))
            continue
        try:
            stat_before = os.lstat(target.path) if not stdin else None
            text, bom = decode(data)
        except DecodeError as exc:
            run.results.append(engine._unreadable(shown, str(exc)))
            continue
        except OSError as exc:
            run.results.append(engine._unreadable(shown, f"cannot read file: {exc.strerror}"))
            continue
        extra: list[Finding] = []
        codes: list = []
        new_text, fixed, secrets, notes = fix_text(engine, shown, text, bom, unsafe, sink, codes)
        if sink_error and any(f.fix and f.fix.secrets for f in engine.lint_text(shown, text, bom).findings):
            extra.append(_not_written(engine, shown, sink_error))
        for note in notes:
            print(f"daprlint: {shown}: {note}", file=sys.stderr)
        if new_text != text:
            if args.diff or (stdin and not stdin_output):
                diffs.append(_diff(shown, text, new_text, secrets, engine.lint_text(shown, text, bom).secret_spans,
                                   engine.lint_text(shown, new_text, bom).secret_spans))
                if stdin and not args.diff:
                    new_text, fixed = text, 0  # not fixed: nothing is written and nothing printed
            else:
                why = _flush(sink) if stdin else _write(target.path, data, stat_before, new_text, bom, sink)
                if why:
                    extra.append(_not_written(engine, shown, why))
                    new_text, fixed, codes = text, 0, []
                elif stdin:
                    run.stdout = (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8")
            run.fixed += fixed
            if fixed:
                run.applied += codes
        if sink is not None and not args.diff:
            sink.discard()  # values whose manifest was not written stay in it, not in the sink
        result = engine.lint_text(shown, new_text if not args.diff else text, bom, target.explicit)
        _block_unwritable_secret_fixes(result.findings, sink, sink_error)
        result.findings += extra
        run.results.append(result)
    run.diff = "".join(diffs) if args.diff or diffs else None
    return run


def _flush(sink) -> str | None:
    from .secrets_out import SecretsError

    if sink is None:
        return None
    try:
        sink.flush()  # the removed values are safe before the text loses them
    except SecretsError as exc:
        sink.discard()
        return str(exc)
    return None


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
    """Replace *path* with the fixed text; why not, or None. Nothing is
    written (and no secret flushed) through a link or over a hard link."""
    data = (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8")
    return replace_if_unchanged(path, original, stat_before, data, before_write=lambda: _flush(sink))


# -- diffs that show no secret --------------------------------------------------
def _lines(text: str) -> list[str]:
    """Lines as YAML counts them (str.splitlines also splits at \\v, \\f and more)."""
    out, start = [], 0
    for m in LINE_BREAK.finditer(text):
        out.append(text[start:m.end()])
        start = m.end()
    if start < len(text):
        out.append(text[start:])
    return out


def _holds_secret(value: str, secrets) -> bool:
    return any(s and (value == s or (len(s) >= 4 and s in value)) for s in secrets)


def sensitive_columns(text: str, secrets=(), spans=()) -> dict[int, int]:
    """{line: first column to mask} for every line a secret covers.

    The secrets are *spans* ((start, end) offsets of secret scalars, as
    FileResult.secret_spans gives them) and every scalar node whose value
    holds one of *secrets* (the values the findings name), so a secret is
    found whatever its spelling. A node's lines run from its start to the
    character before its end (a block scalar ends at the next line's start).
    """
    from bisect import bisect_right

    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]
    masked: dict[int, int] = {}

    def mark(start: int, end: int) -> None:
        first = bisect_right(starts, start) - 1
        last = bisect_right(starts, max(start, end - 1)) - 1
        column = start - starts[first]
        masked[first] = min(masked.get(first, column), column)
        for line in range(first + 1, last + 1):
            masked[line] = 0

    for start, end in spans:
        mark(start, end)
    secrets = [s for s in secrets if s]
    if not secrets:
        return masked
    stack, seen = list(parse("<diff>", text).documents), set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, ScalarNode) and _holds_secret(node.value, secrets):
            mark(node.start_mark.index, node.end_mark.index)
    return masked


def redacted_lines(text: str, secrets=(), spans=()) -> list[str]:
    """The lines of *text* with every secret masked by its source span."""
    lines = _lines(text)
    for number, column in sensitive_columns(text, secrets, spans).items():
        if number >= len(lines):
            continue
        line = lines[number]
        body = LINE_BREAK.split(line, maxsplit=1)[0]
        ending = line[len(body):]
        keep = body[:column] if column else body[:len(body) - len(body.lstrip(" \t"))]
        lines[number] = keep + MASK + ending
    return lines


def _diff(path: str, old: str, new: str, secrets, old_spans=(), new_spans=()) -> str:
    secrets = tuple(secrets)
    lines = difflib.unified_diff(redacted_lines(old, secrets, old_spans), redacted_lines(new, secrets, new_spans),
                                 fromfile=f"a/{path}", tofile=f"b/{path}")
    out = []
    for line in lines:
        body = LINE_BREAK.split(line, maxsplit=1)[0]
        # one diff line per line on screen; the file's own break is not shown
        out.append(body + "\n" if len(body) < len(line) else body + "\n\\ No newline at end of file\n")
    return scrub("".join(out), secrets)

"""`--output-format full` (the default, as in ruff): each finding with a code frame.

    examples/bad/AWS004-aws-deprecated-field/pubsub.yaml:11:11: AWS004 [*] `awsRegion` is deprecated in Dapr 1.18: use `region`
       |
     9 |   version: v1
    10 |   metadata:
    11 |   - name: awsRegion
       |           ^^^^^^^^^ AWS004
    12 |     value: us-west-2
       |
       = help: rename `awsRegion` to `region`

The first line is the concise line. The frame shows the span's lines (a span
over more than MAX_SPAN_LINES lines shows its first two and its last) with
CONTEXT lines around them, carets under the span, and the fix: its
description, and why `--fix` does not apply it when it does not.

A frame prints the file's own text, so it never shows a secret, whichever
finding it belongs to. On every line it shows, these are replaced by
`********` before anything else happens:
- the spans in ctx["secret_spans"][path] (every scalar holding a secret,
  results.FileResult.secret_spans);
- each occurrence of a secret value the file's findings carry, or of the
  text of any of those spans (3 characters or more: a name, a comment or
  another field that repeats one), and every credential shape (AWS key
  IDs, URL passwords, PEM private key headers).
Then tabs expand to 4-column stops, control and invisible characters
become escapes (`escape.printable`; `##[` too, which a GitHub runner acts
on anywhere in a line), wide characters count two columns and
combining marks none, so the carets stay under the span. Lines are what
PyYAML counts as lines (span.LINE_BREAK: LF, CRLF, lone CR, NEL, LS, PS).
A very long line is cut to a window around the span, marked with "…".
A finding without its file's text (ctx["texts"]), or at the file's start
with no extent (a file-level problem), is printed as its concise line, and
so is every finding when ctx has no "secret_spans" at all: a caller that
does not say where the secrets are gets no file text printed (a path
missing from it has no secret scalars).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate

from ..redact import AWS_KEY_ID, MASK, PEM_PRIVATE_KEY, URL_CREDENTIALS, searchable, secret_values
from ..span import FILE_START, LINE_BREAK
from .escape import LEGACY_COMMAND, escape_char, is_unsafe, printable
from .style import BLUE, BOLD, SEVERITY, paint
from .text import Printables, concise_line, finish, fix_state, header

CONTEXT = 2
MAX_SPAN_LINES = 3
TAB = 4
WINDOW = 160          # characters of a line shown, at most
WINDOW_BEFORE = 40    # of them before the span's start on a cut line


def render(findings, summary, ctx) -> str:
    colour, unsafe, names = ctx.get("colour", False), summary.unsafe_fixes, Printables()
    spans = ctx.get("secret_spans")
    texts = (ctx.get("texts") or {}) if spans is not None else {}
    files: dict[str, _File | None] = {}
    parts = []
    if not ctx.get("statistics"):
        secrets = _secrets_by_path(findings)
        for f in findings:
            source = files.get(f.path, False)
            if source is False:
                text = texts.get(f.path)
                source = files[f.path] = None if text is None else _File(text, spans.get(f.path) or (),
                                                                         secrets.get(f.path, ()))
            parts.append(_finding(f, source, unsafe, colour, names))
    return finish("".join(parts), findings, summary, ctx)


def _secrets_by_path(findings) -> dict[str, set]:
    """{path: the secret values its findings (and their fixes) carry} (_line_pieces)."""
    out: dict[str, set] = {}
    for f in findings:
        values = set(f.secrets)
        if f.fix is not None and f.fix.secrets:
            values.update(v for keys in f.fix.secrets.values() for v in keys.values())
        if not values:
            continue
        out.setdefault(f.path, set()).update(_line_pieces(values))
    return out


def _line_pieces(values) -> set[str]:
    """The values worth searching for, a value over several lines also as
    each of its lines, since frames search line by line."""
    pieces = []
    for value in values:
        if isinstance(value, str):
            pieces += [p.strip() for p in LINE_BREAK.split(value)] if LINE_BREAK.search(value) else [value]
    return searchable(pieces)


def _finding(f, source, unsafe: bool, colour: bool, names: Printables) -> str:
    span = f.span
    if source is None or span == FILE_START or span.start > len(source.text):
        return concise_line(f, unsafe, colour, names)
    first = header(f, unsafe, colour, names)
    rows = source.frame(span)
    width = max(len(str(n + 1)) for n, _, _ in rows if n is not None)
    pad = " " * width
    bar = paint(f"{pad} |", BLUE + BOLD, colour)
    style = SEVERITY.get(f.severity, "") + BOLD
    out = [first, "\n", bar, "\n"]
    last_caret = max((i for i, (_, _, carets) in enumerate(rows) if carets), default=-1)
    for i, (number, shown, carets) in enumerate(rows):
        if number is None:
            out.append(paint("...", BLUE + BOLD, colour) + "\n")
            continue
        gutter = paint(f"{number + 1:>{width}} |", BLUE + BOLD, colour)
        out.append(f"{gutter} {shown}".rstrip() + "\n")
        if carets:
            start, count = carets
            label = f" {names(f.code)}" if i == last_caret else ""
            out.append(f"{bar} {' ' * start}{paint('^' * count + label, style, colour)}\n")
    out += [bar, "\n"]
    if f.fix is not None:
        state = fix_state(f.fix, unsafe)
        note = f" ({state})" if state else ""
        out.append(f"{pad} {paint('= help', BOLD, colour)}: {printable(f.fix.description)}{note}\n")
    out.append("\n")
    return "".join(out)


class _File:
    """One file's text, its lines and what must never be shown of it."""

    __slots__ = ("text", "starts", "masks", "secrets", "_context")

    def __init__(self, text: str, secret_spans, secrets):
        self.text = text
        self.starts = _line_starts(text)
        self.masks = _merge([(s, e) for s, e in secret_spans if e > s])
        # a secret scalar's value repeated elsewhere (a comment, another field) is masked too,
        # as the engine masks it in messages (3 characters or more); a result served from the
        # cache carries no secret values, only the spans
        self.secrets = sorted(set(secrets) | _line_pieces(secret_values(text, secret_spans)), key=len, reverse=True)
        self._context: dict[int, str] = {}  # context lines, shown as they are for every frame

    def line_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def end(self, n: int) -> int:
        """Where line *n* ends, before its line break."""
        if n + 1 >= len(self.starts):
            return len(self.text)
        s = self.starts[n + 1]
        return s - (2 if self.text[s - 2:s] == "\r\n" else 1)

    def frame(self, span) -> list[tuple[int | None, str, tuple[int, int] | None]]:
        """(line number or None for an elision, shown text, (caret column, count) or None) rows."""
        end = min(span.end, len(self.text))
        first = self.line_of(span.start)
        last = max(first, self.line_of(end))
        if last > first and end == self.starts[last]:
            last -= 1  # the span ends with a line break: its last line is the one before
        covered = list(range(first, last + 1))
        if len(covered) > MAX_SPAN_LINES:
            covered = [first, first + 1, None, last]
        rows: list[tuple[int | None, str, tuple[int, int] | None]] = []
        before = [n for n in range(max(0, first - CONTEXT), first)]
        after = [n for n in range(last + 1, min(len(self.starts), last + 1 + CONTEXT))]
        while before and not self._line(before[0]).strip():
            before.pop(0)
        while after and not self._line(after[-1]).strip():
            after.pop()
        for n in before:
            rows.append((n, self._context_line(n), None))
        for n in covered:
            if n is None:
                rows.append((None, "", None))
                continue
            ls, le = self.starts[n], self.end(n)
            raw = self._line(n)
            indent = ls + len(raw) - len(raw.lstrip(" \t"))
            cs = span.start if n == first else indent
            ce = min(end, le) if n == last else le
            if n != first and cs >= ce:  # a blank line inside the span: nothing to point at
                rows.append((n, self._context_line(n), None))
                continue
            shown, carets = self._show(n, cs, (cs, max(cs, ce)))
            rows.append((n, shown, carets))
        for n in after:
            rows.append((n, self._context_line(n), None))
        return rows

    def _context_line(self, n: int) -> str:
        shown = self._context.get(n)
        if shown is None:
            shown = self._context[n] = self._show(n, self.starts[n], None)[0]
        return shown

    def _line(self, n: int) -> str:
        return self.text[self.starts[n]:self.end(n)]

    def _line_masks(self, n: int) -> list[tuple[int, int]]:
        """Masked ranges of line *n*, relative to the line's start."""
        ls, le = self.starts[n], self.end(n)
        raw = self.text[ls:le]
        found = []
        i = bisect_left(self.masks, (ls, ls)) - 1
        for s, e in self.masks[max(i, 0):]:
            if s >= le:
                break
            if e > ls and s < le:
                found.append((max(s, ls) - ls, min(e, le) - ls))
        for secret in self.secrets:
            at = raw.find(secret)
            while at >= 0:
                found.append((at, at + len(secret)))
                at = raw.find(secret, at + 1)
        if _SHAPE_HINT.search(raw) is not None:
            found += [m.span(1) for m in AWS_KEY_ID.finditer(raw)]
            found += [m.span("password") for m in URL_CREDENTIALS.finditer(raw)]
            found += [m.span() for m in PEM_PRIVATE_KEY.finditer(raw)]
        return _merge(found) if len(found) > 1 else found

    def _show(self, n: int, anchor: int, caret: tuple[int, int] | None):
        """Line *n* as shown (masked, escaped, cut to a window around *anchor*)
        and the caret (display column, count) under source range *caret*."""
        ls, le = self.starts[n], self.end(n)
        raw = self.text[ls:le]
        masks = self._line_masks(n)
        ws, we = 0, len(raw)
        if len(raw) > WINDOW:
            ws = max(0, min(anchor - ls - WINDOW_BEFORE, len(raw) - WINDOW))
            we = min(len(raw), ws + WINDOW)
            masks = [(max(s, ws), min(e, we)) for s, e in masks if e > ws and s < we]
        shown, starts, ends = _layout(raw, ws, we, masks)
        if caret is None:
            return shown, None
        cs = min(max(caret[0] - ls, ws), we) - ws
        ce = min(max(caret[1] - ls, ws), we) - ws
        start = starts[cs]
        return shown, (start, max(1, ends[ce] - start))


def _line_starts(text: str) -> list[int]:
    """Where each line starts, as PyYAML counts lines (span.LINE_BREAK).

    str.splitlines() breaks where YAML does (LF, CRLF, CR, NEL, LS, PS) and
    also at VT, FF and FS/GS/RS, which YAML does not allow in a file it
    reads: only a text holding one of those needs the (slower) LINE_BREAK scan.
    """
    if _NOT_YAML_BREAKS.search(text) is None:
        pieces = text.splitlines(True)
        starts = [0, *accumulate(map(len, pieces))]
        if pieces and pieces[-1][-1] not in "\n\r\x85\u2028\u2029":
            starts.pop()  # the last line has no line break: no empty line after it
        return starts
    return [0, *(m.end() for m in LINE_BREAK.finditer(text))]


def _merge(ranges) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _layout(raw: str, ws: int, we: int, masks):
    """raw[ws:we] as displayed, and for each offset in it the display column
    where a span starting there starts (`starts`) and one ending there ends
    (`ends`); they differ only inside a mask, which a caret covers whole."""
    part = raw[ws:we]
    lead = "…" if ws > 0 else ""
    tail = "…" if we < len(raw) else ""
    if not masks and part.isascii() and part.isprintable() and LEGACY_COMMAND not in part:  # the common line
        cols = range(len(lead), len(lead) + len(part) + 1)
        return lead + part + tail, cols, cols
    n = len(part)
    starts, ends = [0] * (n + 1), [0] * (n + 1)
    out, col, at = [lead], len(lead), 0
    for s, e in [(s - ws, e - ws) for s, e in masks] + [(n, n)]:
        col = _plain(part, at, s, col, out, starts, ends)
        if e > s:  # a mask: a span starting inside it starts before it, one ending inside ends after it
            starts[s:e] = [col] * (e - s)
            ends[s] = col
            col += len(MASK)
            ends[s + 1:e + 1] = [col] * (e - s)
            out.append(MASK)
        at = e
    starts[n] = ends[n] = col
    out.append(tail)
    return "".join(out), starts, ends


def _plain(part: str, i: int, stop: int, col: int, out: list, starts: list, ends: list) -> int:
    """Lay out part[i:stop] (no mask in it) from column *col*; the column after it."""
    chunk = part[i:stop]
    if chunk.isascii() and chunk.isprintable() and LEGACY_COMMAND not in chunk:
        starts[i:stop] = ends[i:stop] = range(col, col + stop - i)
        out.append(chunk)
        return col + stop - i
    for k in range(i, stop):
        ch = part[k]
        starts[k] = ends[k] = col
        if ch == "\t":
            piece = " " * (TAB - (col % TAB))
            width = len(piece)
        elif is_unsafe(ch) or (ch == "#" and i < k < stop - 1 and part[k - 1] == "#" and part[k + 1] == "["):
            piece = escape_char(ch)  # the second '#' of `##[`, which a GitHub runner reads anywhere
            width = len(piece)
        else:
            piece, width = ch, _width(ch)
        out.append(piece)
        col += width
    return col


_SHAPE_HINT = re.compile("AKIA|ASIA|AROA|AIDA|ANPA|AGPA|://|PRIVATE KEY")
_NOT_YAML_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e]")
_WIDTHS: dict[str, int] = {}


def _width(ch: str) -> int:
    """Terminal columns of one printable character: 2 for East Asian wide and
    full-width characters, 0 for combining marks, 1 otherwise."""
    if ch.isascii():
        return 1
    w = _WIDTHS.get(ch)
    if w is None:
        import unicodedata

        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            w = 0
        else:
            w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        _WIDTHS[ch] = w
    return w

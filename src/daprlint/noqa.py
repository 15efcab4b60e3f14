"""`check --add-noqa`: a `# daprlint: ignore[CODE]` comment for every finding still reported.

A big repository adopts daprlint by suppressing what is there today, so
that only new problems are reported (ruff's `--add-noqa`). One pass over the
run's findings, after per-file ignores and existing suppressions:

- Where a comment goes. A finding inside a metadata item (or a header item)
  gets its comment on the item's first line, the `- name:` line, which
  covers the whole item (engine._extend_to_items); any other finding gets
  it on its own line. The codes of one line share one comment,
  `# daprlint: ignore[A, B]` (sorted); an `ignore[...]` already on the line
  gets the new codes added. A trailing comment must lie outside every
  scalar (a multi-line quoted or plain scalar, a block scalar's body), so a
  line inside one, a line that is a comment, a blank line and a document
  marker (`---`, `...`, `%` directives) take none; then an own-line comment
  goes just above the line, at its indentation (it covers that line, and
  the item when the line is an item's first one), unless that spot is
  inside a scalar too. An existing own-line `ignore[...]` just above is
  extended instead of pushed away from its line. A bare `ignore` or an
  `ignore-file[...]` on a line is left alone. Where no safe place exists
  the finding stays, and the summary says why.
- Never a new meaning. Every insertion point is checked against the
  scanner's tokens (keys and values alike, and the part of a broken file
  read before its error) and, in a Go/Helm template, against the actions
  and their whitespace trimming (`{{-` on the next line, `-}}` before the
  comment would pull it into a value). The new text is then parsed again:
  the same documents, node for node (kind, tag, value, style, marks moved
  only by the insertions) and, for a file that did not parse, the same
  syntax error at the moved position; the file's own rules give the same
  findings; and the engine's own `finalize`, run over the new text with the
  run's findings (the deployment ones included, see NoqaEngine), reports
  exactly what was reported before less the findings suppressed: so no
  comment is unused (SUP001) and none takes a finding from an existing
  comment. A file that fails any check is tried once more with every
  comment on its finding's own line, and is otherwise left as it was.
- Bytes are kept. Comments are insertions only: line breaks (the file's own
  for an own-line comment), the BOM, trailing whitespace (a trailing comment
  goes before it) and a missing final newline stay. Files are written as
  `--fix` writes them (atomic.py): read without following links, refused
  when they are a symbolic link, below one, or hard-linked, or when they
  changed on disk since they were read.
- Idempotent: a second run finds nothing to suppress and changes nothing.

INT001, FIX001 and YML002 are never suppressed, and SUP001 cannot be (an
unused comment is reported after suppression): they stay, counted in the
summary.

The placement functions (Placer, ignore_on_line) are pure (text in, edits
out) and do not import pygls: the language server's "ignore on this line"
quick fix uses them too.
"""
from __future__ import annotations

import os
import re
from collections import Counter

from .engine import _SUPPRESSION as _IGNORE  # the comment exactly as parse_suppressions reads it
from .engine import Engine, parse_suppressions
from .rulekit import Edit
from .span import LINE_BREAK

# never suppressed (INT001, FIX001, YML002), or reported only after suppression (SUP001)
NOT_SUPPRESSIBLE = frozenset({"INT001", "FIX001", "YML002", "SUP001"})
_MARKER = re.compile(r"(?:---|\.\.\.)(?:[ \t]|$)|%")
_BLANK = " \t"


def comment_text(codes) -> str:
    return f"# daprlint: ignore[{', '.join(sorted(codes))}]"


class NoqaEngine(Engine):
    """An Engine that keeps each file's findings as they were before
    finalize() (deployment findings included): the check of a new text needs
    the findings that existing comments suppress, not only the reported ones."""

    def __init__(self, ruleset, settings):
        super().__init__(ruleset, settings)
        self.raw: dict[str, list] = {}

    def finalize(self, result):
        if not result.finalized:
            self.raw[result.path] = list(result.findings)
        return super().finalize(result)

    def suppressed_by_comments(self, path: str, findings, reported) -> list:
        """Of a file's *findings* (before finalize), those a comment suppresses
        (not reported, not dropped by per-file-ignores)."""
        ignored = self._per_file_ignored(path)
        return [f for f in _minus(findings, reported) if not any(f.code.startswith(c) for c in ignored)]


# -- where a comment may go ---------------------------------------------------
class Placer:
    """The places in one text where a comment changes nothing but comments.

    *source* is the text's loader.Source (parsed here when None). Lines are
    YAML's (span.LINE_BREAK), offsets are code points without the BOM, as
    in findings."""

    def __init__(self, text: str, source=None):
        from . import loader

        if source is None:
            source = loader.parse("", text)
        self.text = text
        self.starts = [0]
        self.ends = []  # where each line's text ends (before its break)
        for found in LINE_BREAK.finditer(text):
            self.ends.append(found.start())
            self.starts.append(found.end())
        self.ends.append(len(text))
        template = getattr(source, "template", None)
        self.templated = template is not None
        scanned = template.text if template is not None else text
        self.scalars, self.limit = _scan(scanned)
        error = getattr(source, "parse_error", None)
        if error is not None:
            self.limit = min(self.limit, error.span.start)
        self.actions = [(a.start, a.end) for a in template.actions] if template is not None else []

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_text(self, line: int) -> str:
        if not 0 <= line < len(self.starts):
            return ""
        return self.text[self.starts[line]:self.ends[line]]

    def newline(self) -> str:
        from .fixes import newline_of

        return newline_of(self.text)

    def suppression_at(self, line: int):
        """The suppression comment on *line* as the engine reads it, or None."""
        if not 0 <= line < self.line_count or "daprlint:" not in self.line_text(line):
            return None
        found = parse_suppressions(self.line_text(line))
        return found[0] if found else None

    # -- is a spot safe ------------------------------------------------------
    def _inside_scalar(self, at: int) -> bool:
        for start, end, block in self.scalars:
            if start < at < end:
                # `key: |  # comment` is fine on a block scalar's header line
                if block and LINE_BREAK.search(self.text, start, at) is None:
                    continue
                return True
        return any(start < at < end for start, end in self.actions)

    def _safe(self, at: int) -> bool:
        return at <= self.limit and not self._inside_scalar(at)

    def _trims_into(self, line: int) -> bool:
        """In a template, whether the break before *line* may be trimmed away:
        the previous line ends with `-}}`, or *line* starts with `{{-`."""
        if not self.templated:
            return False
        before = self.line_text(line - 1).rstrip(_BLANK) if line > 0 else ""
        return before.endswith("-}}") or self.line_text(line).lstrip(_BLANK).startswith("{{-")

    # -- edits -----------------------------------------------------------------
    def trailing(self, line: int, codes, trim_space: bool = False) -> Edit | None:
        """`# daprlint: ignore[CODES]` at the end of *line* (or CODES added to
        the `ignore[...]` there); None where it would not be safe or not read.

        *trim_space*: the comment replaces the line's trailing blanks (an
        editor's quick fix); by default they are kept after it."""
        if not 0 <= line < self.line_count:
            return None
        text = self.line_text(line)
        stripped = text.strip(_BLANK)
        if not stripped or stripped.startswith("#") or _MARKER.match(stripped):
            return None
        start = self.starts[line]
        match = _IGNORE.search(text)
        if match is not None:
            return self._extend(line, match, codes)
        if self._trims_into(line + 1) or (self.templated and text.rstrip(_BLANK).endswith("-}}")):
            return None
        at = start + len(text.rstrip(_BLANK))
        if not self._safe(at):
            return None
        edit = Edit(at, self.ends[line] if trim_space else at, "  " + comment_text(codes))
        return edit if self._reads_as(line, edit, codes, own_line=False) else None

    def own_line_above(self, line: int, codes) -> Edit | None:
        """A comment line just above *line*, at its indentation (it covers
        *line*); or CODES added to an own-line `ignore[...]` already there."""
        if not 0 <= line < self.line_count:
            return None
        above = self.suppression_at(line - 1) if line > 0 else None
        if above is not None and above.own_line and not above.file_wide:
            match = _IGNORE.search(self.line_text(line - 1))
            return self._extend(line - 1, match, codes, own_line=True)
        at = self.starts[line]
        if not self._safe(at) or self._trims_into(line):
            return None
        text = self.line_text(line)
        indent = text[:len(text) - len(text.lstrip(_BLANK))]
        edit = Edit(at, at, indent + comment_text(codes) + self.newline())
        return edit if self._reads_as(line, edit, codes, own_line=True) else None

    def _extend(self, line: int, match, codes, own_line: bool = False) -> Edit | None:
        """CODES added to the `ignore[...]` that *match* found on *line*."""
        if match.group(1) == "ignore-file" or match.group(2) is None:
            return None  # a file-wide or catch-all comment: a second one on the line would not be read
        inner = match.group(2)
        have = {c.strip().upper() for c in inner.split(",") if c.strip()}
        if not have:
            return None  # `ignore[]` ignores everything already
        new = sorted(set(codes) - have)
        if not new:
            return None
        at = self.starts[line] + match.start(2) + len(inner.rstrip())
        if not self._safe(at):
            return None  # the "comment" is text inside a scalar
        joiner = " " if inner.rstrip().endswith(",") else ", "
        edit = Edit(at, at, joiner + ", ".join(new))
        return edit if self._reads_as(line, edit, codes, own_line) else None

    def _reads_as(self, line: int, edit: Edit, codes, own_line: bool) -> bool:
        """Whether the engine reads the edited line(s) as one suppression of CODES
        placed as intended (trailing: its own line; own-line: the next line)."""
        start = self.starts[line]
        end = self.ends[line]
        new = self.text[start:edit.start] + edit.replacement + self.text[edit.end:end]
        found = parse_suppressions(new)
        return bool(found) and found[0].line == 0 and not found[0].file_wide and \
            found[0].own_line == own_line and set(codes) <= set(found[0].codes)


def _scan(text: str) -> tuple[list[tuple[int, int, bool]], int]:
    """(start, end, block?) of every scalar token, and the offset up to which
    the scan is known: the whole text, or, where a syntax error stops it,
    the end of the last token it gave (a scanner holds tokens back while a
    simple key may follow, so the ones after it are unknown) or the error's
    marks, if earlier. Nothing past that point is known to be outside a scalar."""
    import yaml

    from .loader import _Loader

    scalars: list[tuple[int, int, bool]] = []
    known = 0
    try:
        for token in yaml.scan(text, Loader=_Loader):
            known = token.end_mark.index
            if token.__class__ is yaml.ScalarToken and token.end_mark.index > token.start_mark.index + 1:
                scalars.append((token.start_mark.index, token.end_mark.index, token.style in ("|", ">")))
    except yaml.MarkedYAMLError as exc:
        return scalars, min([known] + [m.index for m in (exc.problem_mark, exc.context_mark) if m is not None])
    except Exception:  # a reader error (a character YAML forbids) or anything else
        return scalars, known
    return scalars, len(text)


_recent: list = [None, None, None]  # (text, source, Placer): one code action request asks once per finding


def ignore_on_line(text: str, source, line: int, code: str, trim_space: bool = True) -> Edit | None:
    """The language server's "ignore CODE on this line": a trailing comment
    on *line* (a YAML line of the body text) that replaces the line's trailing
    blanks, or None where none is safe."""
    if _recent[0] is not text or _recent[1] is not source:
        _recent[:] = [text, source, Placer(text, source)]
    return _recent[2].trailing(line, [code], trim_space)


# -- planning one file --------------------------------------------------------
def item_ranges(resources) -> dict[int, int]:
    """First line -> last line covered by a comment on the first line of each
    metadata and header item: asked of engine._extend_to_items itself, so
    that a comment is placed exactly where the engine reads it."""
    from .engine import Suppression, _extend_to_items
    from .span import FILE_START

    firsts = sorted({item.node.start_mark.line for resource in resources
                     for item in resource.metadata + resource.headers})
    probes = [Suppression(line, False, False, (), FILE_START, line) for line in firsts]
    _extend_to_items(probes, resources)
    return {p.line: p.last_line for p in probes}


def _item_first_line(line: int, ranges: dict[int, int]) -> int | None:
    """The first line of the innermost (latest-starting) item whose comment covers *line*."""
    best = None
    for first, last in ranges.items():
        if first <= line <= last and (best is None or first > best):
            best = first
    return best


NO_PLACE = ("no safe place for a comment: the line is inside a multi-line scalar or a template action, "
            "past where a syntax error stops the parser, or a comment there would be read differently")


class Plan:
    __slots__ = ("edits", "comments", "left")

    def __init__(self):
        self.edits: list[Edit] = []
        self.comments: list[tuple[Edit, tuple[str, ...]]] = []  # (its edit, the codes it adds) per comment
        self.left: list[tuple[object, str]] = []  # (finding, why it has no comment)


def plan_file(placer: Placer, findings, ranges: dict[int, int], existing=(), suppressed=(),
              by_item: bool = True) -> Plan:
    """The comments that suppress *findings* (suppressible ones) in one text.

    *ranges*: item_ranges(); *existing*: the text's suppressions (with the
    lines they cover); *suppressed*: the findings they suppress (a new
    comment read before the one that suppresses a finding would take it,
    leaving that one unused: such a place is not taken). With *by_item*, a
    finding inside an item is grouped on the item's first line; otherwise
    (and where that line takes no comment) on its own line. A finding that a comment placed earlier in
    the file already covers (the engine gives a finding to the first comment
    that covers it) needs none of its own."""
    plan = Plan()
    groups: dict[int, list] = {}
    for finding in findings:
        first = _item_first_line(finding.span.line, ranges) if by_item else None
        groups.setdefault(first if first is not None else finding.span.line, []).append(finding)
    placed: list[tuple[int, int, set]] = []  # (first line, last line, codes) of each comment placed
    taken: set[int] = set()  # insertion points used
    for line in sorted(groups):
        members = [f for f in groups[line] if not _covered(placed, f)]
        if members and not _add(plan, placer, line, members, ranges, (existing, suppressed), placed, taken):
            for own in sorted({f.span.line for f in members}):  # each finding on its own line
                here = [f for f in members if f.span.line == own and not _covered(placed, f)]
                if here and not _add(plan, placer, own, here, ranges, (existing, suppressed), placed, taken):
                    plan.left += [(f, NO_PLACE) for f in here]
    plan.edits.sort(key=lambda e: e.start)
    return plan


def _covered(placed, finding) -> bool:
    return any(first <= finding.span.line <= last and finding.code in codes for first, last, codes in placed)


def _add(plan: Plan, placer: Placer, line: int, findings, ranges, comments, placed, taken: set) -> bool:
    """Place one comment for *findings* on (or just above) *line*; False where none is safe."""
    codes = {f.code for f in findings}
    last = ranges.get(line, line)
    for edit in (placer.trailing(line, codes), placer.own_line_above(line, codes)):
        if edit is None or edit.start in taken:
            continue
        # a comment above *line* is read before any comment on it; one at its end after
        if _takes_from(*comments, line, last, codes, before_line=edit.start <= placer.starts[line]):
            continue
        taken.add(edit.start)
        placed.append((line, last, codes))
        plan.edits.append(edit)
        plan.comments.append((edit, tuple(sorted(codes))))
        return True
    return False


def _takes_from(existing, suppressed, first: int, last: int, codes, before_line: bool) -> bool:
    """Whether a comment for CODES covering lines first..last would take a
    finding from the existing comment that suppresses it now: the engine
    gives a finding to the first comment (by line) that covers it, and a new
    comment on line *first* comes before the comments on later lines (and,
    *before_line*: above *first*, before the one on *first* too)."""
    for finding in suppressed:
        if finding.code not in codes or not first <= finding.span.line <= last:
            continue
        taker = next((s for s in existing if (s.file_wide or s.line <= finding.span.line <= s.last_line)
                      and (not s.codes or finding.code in s.codes)), None)
        if taker is not None and (taker.line >= first if before_line else taker.line > first):
            return True
    return False


# -- checking a new text ------------------------------------------------------
class Moves:
    """Where the text's positions go once *edits* (pure insertions) are made.

    A position exactly at an insertion point may stay or move past it (a
    scalar ending there stays, a block's end moves): comparisons accept
    both; move() picks past an own-line comment (what starts a line stays
    at its start) and before a trailing one."""

    def __init__(self, edits):
        self.points = sorted((e.start, len(e.replacement), len(LINE_BREAK.findall(e.replacement))) for e in edits)

    def candidates(self, index: int, line: int) -> set[tuple[int, int]]:
        shift = lines = 0
        at_point = []
        for point, size, breaks in self.points:
            if point < index:
                shift, lines = shift + size, lines + breaks
            elif point == index:
                at_point.append((size, breaks))
            else:
                break
        found = {(index + shift, line + lines)}
        for size, breaks in at_point:
            shift, lines = shift + size, lines + breaks
            found.add((index + shift, line + lines))
        return found

    def move(self, index: int) -> int:
        return index + sum(size for point, size, breaks in self.points
                           if point < index or (point == index and breaks))

    def mark_moves_to(self, old, new) -> bool:
        return (new.index, new.line) in self.candidates(old.index, old.line)

    def span_keys(self, span) -> list[tuple[int, int, int, int]]:
        """Every (start, line, end, end line) *span* may have after the insertions."""
        return [(s, sl, e, el) for s, sl in self.candidates(span.start, span.line)
                for e, el in self.candidates(span.end, span.end_line)]

    def span_moves_to(self, old, new) -> bool:
        return (new.start, new.line, new.end, new.end_line) in self.span_keys(old)


def same_documents(old_source, new_source, moves: Moves) -> bool:
    """The same nodes (kind, tag, value, style, flow style) in the same order,
    with marks moved only by the insertions; the same syntax error, moved."""
    old_error, new_error = old_source.parse_error, new_source.parse_error
    if (old_error is None) != (new_error is None):
        return False
    if old_error is not None and (old_error.problem != new_error.problem
                                  or not moves.span_moves_to(old_error.span, new_error.span)):
        return False
    if len(old_source.documents) != len(new_source.documents):
        return False
    pairs: dict[int, int] = {}
    stack = list(zip(old_source.documents, new_source.documents))
    while stack:
        old, new = stack.pop()
        if id(old) in pairs:
            if pairs[id(old)] != id(new):
                return False  # an alias now points somewhere else
            continue
        pairs[id(old)] = id(new)
        if old.__class__ is not new.__class__ or old.tag != new.tag or \
                getattr(old, "style", None) != getattr(new, "style", None) or \
                getattr(old, "flow_style", None) != getattr(new, "flow_style", None) or \
                not moves.mark_moves_to(old.start_mark, new.start_mark) or \
                not moves.mark_moves_to(old.end_mark, new.end_mark):
            return False
        if isinstance(old.value, str):
            if old.value != new.value:
                return False
        elif len(old.value) != len(new.value):
            return False
        elif old.value and isinstance(old.value[0], tuple):
            for (ok, ov), (nk, nv) in zip(old.value, new.value):
                stack += [(ok, nk), (ov, nv)]
        else:
            stack += list(zip(old.value, new.value))
    return True


_NUMBER = re.compile(r"\d+")


def _key(finding) -> tuple:
    return (finding.code, finding.message, tuple(finding.span))


def _moved_match(findings, moves: Moves, new_findings) -> bool:
    """Whether *new_findings* are *findings* with their spans moved by the
    insertions (as multisets; a message may name a line, which moves too)."""
    if len(findings) != len(new_findings):
        return False
    left = Counter((g.code, _NUMBER.sub("0", g.message), g.span.start, g.span.line, g.span.end, g.span.end_line)
                   for g in new_findings)
    for f in findings:
        message = _NUMBER.sub("0", f.message)
        for key in moves.span_keys(f.span):
            key = (f.code, message, *key)
            if left[key]:
                left[key] -= 1
                break
        else:
            return False
    return True


def _minus(findings, removed) -> list:
    """*findings* less *removed* (as multisets, matched by code, message and span)."""
    gone = Counter(_key(f) for f in removed)
    out = []
    for f in findings:
        k = _key(f)
        if gone[k]:
            gone[k] -= 1
        else:
            out.append(f)
    return out


# -- the run -----------------------------------------------------------------
class NoqaRun:
    """What `--add-noqa` did: comments written per file, findings left and why."""

    def __init__(self):
        self.written: dict[str, list[tuple[int, tuple[str, ...]]]] = {}  # path -> (line, codes) per comment
        self.left: list[tuple[object, str]] = []
        self.internal_error = False

    @property
    def comments(self) -> int:
        return sum(len(c) for c in self.written.values())


def add_noqa(engine: NoqaEngine, targets, results) -> NoqaRun:
    """Suppress every finding still reported in *results* (from engine's run
    over *targets*), writing the files; see the module docstring."""
    from .selection import INTERNAL_ERROR

    run = NoqaRun()
    by_path = {t.path: t for t in targets if t.path != "-"}
    for result in results:
        reported = list(result.findings)
        if not reported:
            continue
        run.internal_error |= any(f.code == INTERNAL_ERROR for f in reported)
        target = by_path.get(result.path)
        wanted = [f for f in reported if f.code not in NOT_SUPPRESSIBLE]
        run.left += [(f, _never(f.code)) for f in reported if f.code in NOT_SUPPRESSIBLE]
        if not wanted:
            continue
        if target is None:
            run.left += [(f, "not a file on disk (standard input)") for f in wanted]
            continue
        why, comments = _suppress_in_file(engine, target, result, reported, wanted)
        if why is not None:
            run.left += [(f, why) for f in wanted]
            continue
        written, left = comments
        run.left += left
        if written:
            run.written[result.path] = written
    run.left.sort(key=lambda item: item[0].sort_key())
    return run


def _never(code: str) -> str:
    if code == "SUP001":  # reported after suppression: no comment can hide it
        return "an unused suppression is not suppressed: remove that comment"
    return f"{code} is never suppressed"


def _suppress_in_file(engine: NoqaEngine, target, result, reported, wanted):
    """(why the file was left alone, None) or (None, (comments written, findings left))."""
    from .atomic import WriteRefused, read_no_follow
    from .loader import DecodeError, decode

    try:
        data, stat_before = read_no_follow(target.path)
    except WriteRefused as exc:
        return f"not written: {exc}", None
    except OSError as exc:
        return f"cannot read the file ({exc.strerror or type(exc).__name__})", None
    try:
        text, bom = decode(data)
    except DecodeError as exc:
        return str(exc), None
    old = engine.lint_text(result.path, text, bom, target.explicit, target.role)
    raw = getattr(engine, "raw", {}).get(result.path, reported)
    own = old.findings
    tree_part = _minus(raw, own)
    if len(tree_part) != len(raw) - len(own):
        return "the file changed on disk while daprlint worked", None
    placer = Placer(text, old.source)
    ranges = item_ranges(old.resources)
    suppressed = engine.suppressed_by_comments(result.path, raw, reported) if old.suppressions else []
    for by_item in (True, False):
        plan = plan_file(placer, wanted, ranges, old.suppressions or (), suppressed, by_item)
        if not plan.edits:
            return None, ([], plan.left)
        new_text = _apply(text, plan.edits)
        if _checks_out(engine, result, target, text, new_text, bom, own, tree_part, reported, plan, wanted):
            why = _write(target.path, data, stat_before, new_text, bom)
            if why is not None:
                return why, None
            return None, (_comment_lines(plan, new_text), plan.left)
    return "a comment would change how the file reads; suppress these by hand", None


def _comment_lines(plan: Plan, new_text: str) -> list[tuple[int, tuple[str, ...]]]:
    """(line in the new text, codes added) of each comment written."""
    from bisect import bisect_right

    starts = [0] + [m.end() for m in LINE_BREAK.finditer(new_text)]
    out = []
    for edit, codes in plan.comments:
        at = edit.start + sum(len(e.replacement) - (e.end - e.start) for e in plan.edits if e.start < edit.start)
        out.append((bisect_right(starts, at) - 1, codes))
    return sorted(out)


def _apply(text: str, edits) -> str:
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[:e.start] + e.replacement + text[e.end:]
    return text


def _checks_out(engine: NoqaEngine, result, target, old_text: str, new_text: str, bom: bool, own, tree_part,
                reported, plan: Plan, wanted) -> bool:
    """The new text reads as the old one and reports exactly what was reported less what the comments cover."""
    from .loader import parse
    from .results import FileResult

    moves = Moves(plan.edits)
    if not same_documents(parse(result.path, old_text, bom), parse(result.path, new_text, bom), moves):
        return False
    new = engine.lint_text(result.path, new_text, bom, target.explicit, target.role)
    if not _moved_match(own, moves, new.findings):
        return False  # a rule reads the text differently
    starts = [0] + [m.end() for m in LINE_BREAK.finditer(new_text)]
    check = FileResult(result.path, findings=list(new.findings) + [_moved(f, moves, starts) for f in tree_part],
                       source=new.source, resources=new.resources, suppressions=new.suppressions)
    remaining = Engine.finalize(engine, check).findings
    left = {id(f) for f, _ in plan.left}
    expected = _minus(reported, [f for f in wanted if id(f) not in left])
    return _moved_match(expected, moves, remaining)


def _moved(finding, moves: Moves, starts: list[int]):
    """A copy of a deployment finding with its span where the insertions moved it
    (*starts*: where each line of the new text starts)."""
    from bisect import bisect_right

    from .results import Finding
    from .span import Span

    f = finding
    start, end = moves.move(f.span.start), moves.move(f.span.end)
    line, end_line = bisect_right(starts, start) - 1, bisect_right(starts, end) - 1
    span = Span(start, end, line, start - starts[line], end_line, end - starts[end_line])
    return Finding(f.path, span, f.code, f.name, f.severity, f.message, f.fix, f.secrets)


def _write(path: str, original: bytes, stat_before, new_text: str, bom: bool) -> str | None:
    """Replace *path* with *new_text* as the fixer does; why not, or None."""
    from .atomic import replace_if_unchanged

    data = (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8")
    why = replace_if_unchanged(path, original, stat_before, data)
    return f"not written: {why}" if why else None


# -- output ------------------------------------------------------------------
def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def render(run: NoqaRun, show_files: bool = False) -> str:
    """The summary (and with *show_files* the comments per file), then each finding left."""
    from .report.escape import printable, printable_path

    lines = []
    if show_files:
        for path in sorted(run.written):
            for line, codes in run.written[path]:
                lines.append(f"{printable_path(path)}:{line + 1}: {comment_text(codes)}")
    lines.append(f"Added {_plural(run.comments, 'suppression comment')} to {_plural(len(run.written), 'file')}.")
    if run.left:
        lines.append(f"{_plural(len(run.left), 'finding')} not suppressed:")
        for f, why in run.left:
            lines.append(f"  {printable_path(f.path)}:{f.span.line + 1}:{f.span.column + 1}: {f.code}: "
                         f"{printable(why)}")
    return "\n".join(lines) + "\n"


def exit_code(run: NoqaRun) -> int:
    """0 when every finding got its comment, 1 when some are left, 2 after an internal error."""
    if run.internal_error:
        return 2
    return 1 if run.left else 0

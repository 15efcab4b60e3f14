"""Findings on `helm template` output, mapped back to the chart's templates.

`helm template CHART` prints every rendered document after a header line
`# Source: CHART/templates/x.yaml` (helm's pkg/action writes
`"---\\n# Source: %s\\n%s\\n"` per manifest; a template that renders several
documents gives several sections with the same source). `locate()` takes the
rendered text, a finding's 0-based line and column in it, and a callable that
returns a template's text (or None), so this module does no I/O. It answers
(source, line, column) in the template, 0-based as in `Span`, or None when
the template is not available or no template line matches.

Matching: literal lines keep their indentation when Helm renders them (only
`include`/`toYaml` output is re-indented, and that is not on a template line),
so a rendered line matches a template line with the same indentation whose
text matches once each action is a wildcard (`value: {{ .Values.x }}` matches
`value: redis:6379`). Lines that are only control actions render to nothing
and are never candidates. The rendered section and the template are then
aligned in order (a weighted longest common subsequence: lines with more
literal text weigh more), so the second `value:` maps to the second `value:`
line of the template, and a line the alignment leaves out (a `range`
repetition) goes to the matching candidate nearest its aligned neighbours.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from .span import LINE_BREAK
from .template import prepare

_SOURCE = re.compile(r"#\s*Source:\s*(\S.*?)\s*$")
_SEPARATOR = re.compile(r"(?:---|\.\.\.)(?:[ \t].*)?$")
_QUOTED_PIPELINE = re.compile(r"\|\s*(s?quote)\s*$")
_MAX_CELLS = 1_000_000  # alignment table bound (about 0.3 s); bigger sections fall back to the nearest candidate


class Section:
    """Lines [first, end) of the rendered text that came from one template document."""

    __slots__ = ("source", "first", "end", "ordinal")

    def __init__(self, source: str, first: int, end: int | None, ordinal: int):
        self.source, self.first, self.end, self.ordinal = source, first, end, ordinal

    def __repr__(self) -> str:
        return f"Section({self.source!r}, {self.first}, {self.end}, #{self.ordinal})"


def _lines(text: str) -> list[str]:
    return LINE_BREAK.split(text)


def sections(rendered: str) -> list[Section]:
    """The `# Source:` sections of `helm template` output, in order."""
    lines = _lines(rendered)
    found: list[Section] = []
    counts: dict[str, int] = {}
    for number, line in enumerate(lines):
        if _SEPARATOR.match(line):
            if found and found[-1].end is None:
                found[-1].end = number
            continue
        m = _SOURCE.match(line)
        if m and (number == 0 or _SEPARATOR.match(lines[number - 1]) or not lines[number - 1].strip()):
            if found and found[-1].end is None:
                found[-1].end = number
            source = m.group(1)
            found.append(Section(source, number + 1, None, counts.get(source, 0)))
            counts[source] = counts.get(source, 0) + 1
    if found and found[-1].end is None:
        found[-1].end = len(lines)
    return found


def is_rendered(text: str) -> bool:
    """Whether *text* looks like `helm template` output."""
    return "# Source:" in text and bool(sections(text))


class _Piece:
    """A part of a template line: literal text (a pattern, whitespace-tolerant) or an action (a wildcard)."""

    __slots__ = ("column", "literal", "at_end", "quote")

    def __init__(self, column: int, literal: re.Pattern | None = None, at_end: re.Pattern | None = None,
                 quote: str = ""):
        self.column, self.literal, self.at_end, self.quote = column, literal, at_end, quote


class _TemplateLine:
    """One template line as pieces to find in a rendered line (indentation compared apart)."""

    __slots__ = ("number", "indent", "weight", "pieces")

    def __init__(self, number: int, indent: int, weight: int, pieces: list):
        self.number, self.indent, self.weight, self.pieces = number, indent, weight, pieces


def _template_lines(text: str) -> tuple[list[list[_TemplateLine]], list]:
    """The template's candidate lines, per document (`---` lines split
    documents), and its injection points (where `include`/`toYaml` output lands)."""
    prepared = prepare(text)
    shown = prepared.text if prepared is not None else text
    starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]
    actions = prepared.actions if prepared is not None else []
    documents: list[list[_TemplateLine]] = [[]]
    a = 0
    for number, (line, shown_line) in enumerate(zip(_lines(text), _lines(shown))):
        start, end = starts[number], starts[number] + len(line)
        if _SEPARATOR.match(shown_line):
            documents.append([])
            continue
        while a < len(actions) and actions[a].end <= start:
            a += 1
        if not shown_line.strip(" \t"):
            continue  # blank, or only control actions: renders to nothing
        touching = []
        k = a
        while k < len(actions) and actions[k].start < end:
            touching.append(actions[k])
            k += 1
        candidate = _template_line(number, line, start, touching)
        if candidate is not None:
            documents[-1].append(candidate)
    return documents, (prepared.injections if prepared is not None else [])


def _template_line(number: int, line: str, start: int, actions: list) -> _TemplateLine | None:
    indent = len(line) - len(line.lstrip(" \t"))
    pieces, weight, pos = [], 0, start + indent
    depth = 0  # inside an inline `{{ if }}…{{ end }}`: its text may not be rendered, so it is a wildcard too
    for action in actions:
        a_start, a_end = max(action.start, start), min(action.end, start + len(line))
        if a_start > pos:
            weight += _literal(line[pos - start:a_start - start], pos - start, pieces, depth > 0)
        if action.kind != "comment":  # a comment renders to nothing
            quoted = _QUOTED_PIPELINE.search(action.body) if action.kind == "output" else None
            pieces.append(_Piece(a_start - start, quote={"quote": '"', "squote": "'"}[quoted.group(1)] if quoted else ""))
        if action.keyword in ("if", "range", "with", "block"):
            depth += 1
        elif action.keyword == "end" and depth:
            depth -= 1
        pos = max(pos, a_end)
    rest = line[pos - start:].rstrip(" \t")
    if rest:
        weight += _literal(rest, pos - start, pieces, depth > 0)
    if weight == 0:
        return None  # all action (`{{ toYaml . }}`): any line would match
    return _TemplateLine(number, indent, weight, pieces)


def _literal(text: str, column: int, pieces: list, optional: bool) -> int:
    """Add a literal part; returns its weight (non-blank characters, 0 when it may not be rendered)."""
    if optional:
        pieces.append(_Piece(column))
        return 0
    # whitespace next to an action may be trimmed (`{{-`, `-}}`) or doubled by rendering
    body = r"[ \t]*".join(re.escape(part) for part in re.split(r"[ \t]+", text.strip(" \t")))
    pieces.append(_Piece(column + len(text) - len(text.lstrip(" \t")), re.compile(r"[ \t]*" + body),
                         re.compile(r"[ \t]*" + body + r"[ \t]*\Z")))
    return len(text) - text.count(" ") - text.count("\t")


def _matches(rendered_line: str, candidate: _TemplateLine) -> list | None:
    """Where each piece of the template line is in the rendered line ([start, end) per piece), or None.

    Literals are found left to right (the leftmost occurrence after a
    wildcard, the one that ends the line when it is the last piece), which
    decides a match in linear time; a run of wildcards goes to its first action.
    """
    indent = len(rendered_line) - len(rendered_line.lstrip(" \t"))
    if indent != candidate.indent:
        return None
    pieces, spans, pos, run = candidate.pieces, [], indent, []
    last = len(pieces) - 1
    for i, piece in enumerate(pieces):
        if piece.literal is None:
            if not run:  # what an action rendered starts after the blanks before it
                while pos < len(rendered_line) and rendered_line[pos] in " \t":
                    pos += 1
            run.append(len(spans))
            spans.append([pos, pos])
            continue
        if not run:
            m = (piece.at_end if i == last else piece.literal).match(rendered_line, pos)
        else:
            m = (piece.at_end if i == last else piece.literal).search(rendered_line, pos)
        if m is None:
            return None
        if run:
            spans[run[0]][1] = m.start()
            run = []
        spans.append([m.start(), m.end()])
        pos = m.end()
    end = len(rendered_line.rstrip(" \t"))
    if run:
        spans[run[0]][1] = max(pos, end)
    elif pos < end:
        return None
    for piece, (s, e) in zip(pieces, spans):  # `{{ x | quote }}` renders a quoted string
        if piece.quote and not (e - s >= 2 and rendered_line[s] == piece.quote == rendered_line[e - 1]):
            return None
    return spans


def _align(rendered: list[str], candidates: list[_TemplateLine]) -> dict[int, int]:
    """Weighted LCS of rendered lines against template candidates: {rendered index: candidate index}."""
    rows, cols = len(rendered), len(candidates)
    if rows * cols > _MAX_CELLS:
        return {}  # every line then goes to its nearest matching candidate
    by_indent: dict[int, list[int]] = {}
    for j, c in enumerate(candidates):
        by_indent.setdefault(c.indent, []).append(j)
    match = []
    for line in rendered:
        indent = len(line) - len(line.lstrip(" \t"))
        match.append({j: candidates[j].weight for j in by_indent.get(indent, ()) if _matches(line, candidates[j])})
    score = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        row, below, weights = score[i], score[i + 1], match[i]
        for j in range(cols - 1, -1, -1):
            best = below[j] if below[j] > row[j + 1] else row[j + 1]
            w = weights.get(j) if weights else None
            if w and below[j + 1] + w > best:
                best = below[j + 1] + w
            row[j] = best
    pairs, i, j = {}, 0, 0
    while i < rows and j < cols:
        w = match[i].get(j)
        if w and score[i][j] == score[i + 1][j + 1] + w:
            pairs[i] = j
            i, j = i + 1, j + 1
        elif score[i + 1][j] >= score[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _column(rendered_line: str, column: int, candidate: _TemplateLine) -> int:
    """The template column of a rendered column: the same place in a literal
    part, the action's start in what an action rendered."""
    spans = _matches(rendered_line, candidate)
    if column < candidate.indent or spans is None:
        return min(column, candidate.indent)
    for piece, (s, e) in zip(candidate.pieces, spans):
        if s <= column < e:
            return piece.column + (column - s if piece.literal is not None else 0)
    piece, (s, e) = candidate.pieces[-1], spans[-1]
    return piece.column + (e - s if piece.literal is not None else 0)


class Mapper:
    """locate() for many findings on one rendered text (sections and alignments are worked out once)."""

    def __init__(self, rendered: str, read_template):
        self.lines = _lines(rendered)
        self.sections = sections(rendered)
        self._firsts = [s.first for s in self.sections]
        self._read = read_template
        self._templates: dict[str, tuple | None] = {}
        self._alignments: dict[int, tuple] = {}

    def locate(self, line: int, column: int) -> tuple[str, int, int] | None:
        """(source, template line, template column) of a rendered (line, column), or None."""
        k = bisect_right(self._firsts, line) - 1
        if k < 0 or line >= self.sections[k].end:
            return None
        section = self.sections[k]
        template = self._template(section.source)
        if template is None:
            return None
        documents, injections = template
        candidates, pairs = self._alignment(k, section, documents)
        index = line - section.first
        rendered_line = self.lines[line]
        chosen = pairs.get(index)
        if chosen is None:
            chosen = _nearest(index, rendered_line, candidates, pairs)
        if chosen is None:
            # not a template line: included content, reported at the line that includes it
            injection = _injection_between(index, candidates, pairs, injections)
            return None if injection is None else (section.source, injection.line, injection.column)
        candidate = candidates[chosen]
        return section.source, candidate.number, _column(rendered_line, column, candidate)

    def _template(self, source: str) -> tuple | None:
        if source not in self._templates:
            text = self._read(source)
            self._templates[source] = _template_lines(text) if text is not None else None
        return self._templates[source]

    def _alignment(self, k: int, section: Section, documents: list) -> tuple:
        if k not in self._alignments:
            same = sum(1 for s in self.sections if s.source == section.source)
            filled = [d for d in documents if d]
            # one template document per rendered one, unless a `range` made more (or an `if` fewer)
            candidates = filled[section.ordinal] if len(filled) == same else [c for d in documents for c in d]
            rendered = self.lines[section.first:section.end]
            self._alignments[k] = (candidates, _align(rendered, candidates))
        return self._alignments[k]


def _nearest(index: int, rendered_line: str, candidates: list, pairs: dict) -> int | None:
    """A matching candidate for a line the alignment left out: between its aligned neighbours if possible."""
    options = [j for j, c in enumerate(candidates) if _matches(rendered_line, c)]
    if not options:
        return None
    low, high = _neighbours(index, pairs, candidates)
    inside = [j for j in options if low < j < high]
    if inside:
        return inside[0]
    return min(options, key=lambda j: (abs(j - low), -candidates[j].weight))


def _neighbours(index: int, pairs: dict, candidates: list) -> tuple[int, int]:
    """Candidate indexes aligned just before and just after a rendered line."""
    before = [j for i, j in pairs.items() if i < index]
    after = [j for i, j in pairs.items() if i > index]
    return (max(before) if before else -1), (min(after) if after else len(candidates))


def _injection_between(index: int, candidates: list, pairs: dict, injections: list):
    """The injection point between the template lines aligned around a rendered line, if there is one."""
    low, high = _neighbours(index, pairs, candidates)
    first = candidates[low].number if low >= 0 else -1
    last = candidates[high].number if high < len(candidates) else float("inf")
    inside = [i for i in injections if first < i.line < last]
    return inside[-1] if inside else None


def locate(rendered: str, line: int, column: int, read_template) -> tuple[str, int, int] | None:
    """Where a finding at (*line*, *column*) of `helm template` output comes from:
    (source as the `# Source:` comment names it, template line, column), 0-based;
    None when the template is not available or no line of it matches.

    *read_template(source)* returns the template's text or None; it is the
    only way this function reads anything.
    """
    return Mapper(rendered, read_template).locate(line, column)

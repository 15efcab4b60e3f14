"""Go/Helm templates read as YAML, without rendering them.

`prepare(text)` gives a text of exactly the same length, with the same line
breaks, in which every template action has been replaced so that the YAML
parser sees the template's structure. Nothing moves, so every YAML mark is a
position in the template itself:

- a line that holds only control actions (`{{- if … }}`, `{{- end }}`,
  `{{- range … }}`, `{{- with … }}`, `{{/* … */}}`, `{{ $x := … }}`) is
  structure, not content: it becomes blank;
- a line that holds only an output action (`{{- include … | nindent 4 }}`,
  `{{ toYaml .Values.x }}`) injects content nobody can see before
  rendering: it is an *injection point* (line and indentation). It becomes
  blank, or an opaque scalar when it is the whole value of the key above it;
- every other action becomes a run of U+E000 of its own length (a
  private-use character, which YAML reads as an ordinary plain-scalar
  character), so `{{ .Values.x }}`, `redis-{{ .Release.Name }}`,
  `"{{ … }}"`, keys and list items stay scalars exactly where they stand.
  An inline `{{ if }}a{{ else }}b{{ end }}` is one opaque run from `else` to
  `end`; an inline comment becomes spaces.

A `{{ define }}` body is not output where it stands, so it becomes blank. In
a block scalar (`key: |`), action lines are content: they become opaque
content at the block's indentation (a leading blank line longer than the
content's indentation would change the indentation libyaml detects).

The lexing follows Go's text/template (facts, not code): actions are
`{{ … }}`; `{{- ` and ` -}}` trim markers need an ASCII space after/before
the dash (`{{-3}}` is the number -3; go.googlesource.com/go commit e6ee26a);
a comment `/* … */` sits right at the delimiters and may span lines;
actions may span lines since Go 1.16 (golang/go#51872); `}}` inside a
"string", a `raw string` or a 'c'har constant does not close an action.
Text between `{{` and `}}` that Go could not lex (a `:` outside `:=`, `{`,
`[`, `#`, `<`…: YAML flow mappings `{{a: b}: c}`, Hugo `{{< ref >}}`) is no
action and is left alone.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .span import LINE_BREAK

PLACEHOLDER = "\ue000"

# how far one action may reach: Go has no limit, but hostile input must not
# make lexing quadratic (each unclosed `{{` is scanned at most this far)
MAX_ACTION = 20_000

# an action without raw strings, char constants, `:=` or a comment (the slow path in lex handles those)
_SIMPLE_ACTION = re.compile(r'\{\{(-[ \t\r\n])?((?:[\w.$|(),=+\-\s]|"(?:[^"\\\n]|\\.)*")*)\}\}')
_SLOW_PATH = re.compile(r"[`':/]")  # raw strings, char constants, `:=`, comments
_BODY_CHARS = re.compile(r"[\w.$|(),=+\-\s]*")  # what Go lexes outside strings (identifiers, fields, pipes, numbers)
_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_CHAR_CONST = re.compile(r"'(?:[^'\\\n]|\\.)*'")
_KEYWORD = re.compile(r"(if|else|end|range|with|define|block|template|break|continue)\b")
_ASSIGNMENT = re.compile(r"\$\w*\s*(?:,\s*\$\w*\s*)?:?=(?!=)")
_STRUCTURED = re.compile(r"\b(?:toYaml|toJson|toPrettyJson|toRawJson|nindent|indent)\b")
_INDENT_ARG = re.compile(r"\bn?indent\s+(\d+)")
_OPENERS = frozenset(("if", "range", "with", "define", "block"))
# lines are read with patterns that cannot backtrack badly: a hostile long line stays linear
_LEAD = re.compile(r"[ \t]*(?:-[ \t]+)*")  # indentation and `- ` sequence indicators
_COMMENT = re.compile(r"(?:^|[ \t])#")
_BLOCK_INDICATOR = re.compile(r"(?:^|[ \t])(?:![^ \t]*[ \t]+)?[|>][-+1-9]{0,2}\Z")
_SEPARATOR = re.compile(r"(?:---|\.\.\.)(?=[ \t\r\n\x85\u2028\u2029]|\Z)")
_WS = " \t"
_RARE_BREAKS = re.compile("[\r\x85\u2028\u2029]")
_BREAK_CHAR = re.compile("[\r\n\x85\u2028\u2029]")
_NOT_BREAK = re.compile("[^\r\n\x85\u2028\u2029]")


class Action:
    """One `{{ … }}`: where it is and what it does.

    kind: "comment", "control" (if/else/end/range/with/define/block/break/
    continue, and `$x := …`) or "output" (everything that writes text).
    `structured` output may write YAML structure (toYaml, nindent, …);
    `body` is the text between the delimiters and trim markers.
    """

    __slots__ = ("start", "end", "line", "column", "end_line", "kind", "keyword", "structured", "indent", "body")

    def __init__(self, start, end, line, column, end_line, kind, keyword, structured, indent, body=""):
        self.start, self.end, self.line, self.column, self.end_line = start, end, line, column, end_line
        self.kind, self.keyword, self.structured, self.indent, self.body = kind, keyword, structured, indent, body

    def __repr__(self) -> str:
        return f"Action({self.start}, {self.end}, line={self.line}, {self.kind}, {self.keyword or ''})"


class Injection:
    """A line whose rendered content cannot be seen before rendering.

    `indent` is where that content lands (`nindent N`/`indent N`, else the
    action's column); `slot` when the line is the whole value of the key
    above it (it then reads as an opaque scalar). `document` and `node` are
    set by Prepared.bind.
    """

    __slots__ = ("line", "column", "indent", "slot", "document", "node")

    def __init__(self, line: int, column: int, indent: int, slot: bool = False):
        self.line, self.column, self.indent, self.slot = line, column, indent, slot
        self.document = -1
        self.node = None

    def __repr__(self) -> str:
        return (f"Injection(line={self.line}, indent={self.indent}, slot={self.slot}, "
                f"document={self.document})")


class Prepared:
    """A template made readable as YAML, and what was done to it."""

    __slots__ = ("text", "actions", "injections", "separators", "_starts", "_injected")

    def __init__(self, text: str, actions: list, injections: list, separators: list):
        self.text = text
        self.actions = actions            # every action, in text order
        self.injections = injections      # injection points, in line order
        self.separators = separators      # lines that hold `---` or `...`
        self._starts = [a.start for a in actions]
        self._injected: frozenset = frozenset()

    def overlaps(self, start: int, end: int) -> bool:
        """Whether text[start:end] touches an action."""
        i = bisect_right(self._starts, end - 1) - 1
        return i >= 0 and self.actions[i].end > start

    def actions_in(self, start: int, end: int) -> list:
        """The actions that touch text[start:end], in order."""
        actions, found = self.actions, []
        for i in range(max(bisect_right(self._starts, start) - 1, 0), len(actions)):
            action = actions[i]
            if action.start >= end:
                break
            if action.end > start:
                found.append(action)
        return found

    def bind(self, documents: list) -> None:
        """Place each injection point in the composed documents: its document,
        and the node that receives the unseen content (see is_open)."""
        if not self.injections or not documents:
            return
        seps = self.separators
        begins = []
        for root in documents:
            line = root.start_mark.line
            k = bisect_right(seps, line) - 1
            begins.append(seps[k] if k >= 0 else 0)
        for injection in self.injections:
            injection.document = max(bisect_right(begins, injection.line) - 1, 0)
            injection.node = _receiver(documents[injection.document], injection)
        self._injected = frozenset(i.document for i in self.injections)

    def injected(self, document_index: int) -> bool:
        """Whether the document holds content that only rendering shows (treat it as partial)."""
        return document_index in self._injected

    def is_open(self, node) -> bool:
        """Whether rendering may add entries to this mapping or sequence (an
        injection point among its entries), or this scalar stands for
        injected content (`key:` over a lone `{{ toYaml … | nindent 4 }}`)."""
        return any(i.node is node for i in self.injections)


def _receiver(root, injection: Injection):
    """The node whose entries the injected content joins.

    The innermost block collection that spans the injection's line and whose
    entries start at its indentation (else the innermost one that spans it
    at a smaller indentation); for a value slot, the opaque scalar there.
    """
    best = fallback = None
    line, indent = injection.line, injection.indent
    stack = [(root, 0, root.start_mark.line)]
    seen: set[int] = set()
    while stack:
        node, depth, begin = stack.pop()  # a mapping's value begins on its key's line
        if id(node) in seen:
            continue
        seen.add(id(node))
        cls = node.__class__
        if cls is ScalarNode:
            if injection.slot and node.start_mark.line == line:
                return node
            continue
        if begin > line or node.end_mark.line < line:
            continue
        if cls is MappingNode:
            entries = [k for k, _ in node.value]
            for key, value in node.value:
                stack.append((key, depth + 1, key.start_mark.line))
                stack.append((value, depth + 1, key.start_mark.line))
        else:
            entries = node.value
            stack.extend((n, depth + 1, n.start_mark.line) for n in node.value)
        if not entries or node.flow_style:
            continue
        column = node.start_mark.column if cls is SequenceNode else entries[0].start_mark.column
        if column == indent and (best is None or depth > best[1]):
            best = (node, depth)
        elif column < indent and (fallback is None or depth > fallback[1]):
            fallback = (node, depth)
    found = best or fallback
    return found[0] if found else (None if root.__class__ is ScalarNode else root)


# -- lexing --------------------------------------------------------------------
class _Finder:
    """str.find (or a pattern's search) with a memory, so that many unclosed
    `{{/*`, raw strings or `{{` without any `}}` after them cost one scan."""

    __slots__ = ("text", "needle", "origin", "found")

    def __init__(self, text: str, needle):
        self.text, self.needle, self.origin, self.found = text, needle, len(text) + 1, -1

    def find(self, pos: int) -> int:
        if not (self.origin <= pos and (self.found < 0 or self.found >= pos)):
            if isinstance(self.needle, str):
                found = self.text.find(self.needle, pos)
            else:
                m = self.needle.search(self.text, pos)
                found = m.start() if m else -1
            self.origin, self.found = pos, found
        return self.found


def _close(text: str, pos: int, raw: _Finder) -> int:
    """Index just past the `}}` closing an action whose body starts at *pos*; -1 if Go could not lex it."""
    limit = pos + MAX_ACTION
    while pos < limit:
        pos = _BODY_CHARS.match(text, pos).end()
        c = text[pos:pos + 1]
        if c == "}":
            return pos + 2 if text.startswith("}}", pos) else -1
        if c == '"':
            m = _DOUBLE_QUOTED.match(text, pos)
            if m is None:
                return -1
            pos = m.end()
        elif c == "'":
            m = _CHAR_CONST.match(text, pos)
            if m is None:
                return -1
            pos = m.end()
        elif c == "`":
            k = raw.find(pos + 1)
            if k < 0 or k > limit:
                return -1
            pos = k + 1
        elif c == ":" and text.startswith(":=", pos):
            pos += 2
        else:
            return -1
    return -1


def _kind(words: str) -> tuple[str, str]:
    m = _KEYWORD.match(words)
    keyword = m.group(1) if m else ""
    if (keyword and keyword != "template") or _ASSIGNMENT.match(words):
        return "control", keyword
    return "output", keyword


def lex(text: str) -> list[tuple[int, int, str, str, str]]:
    """Every action as (start, end, kind, keyword, body), in text order."""
    found = []
    comment_end, raw, closing, slow = _Finder(text, "*/"), _Finder(text, "`"), _Finder(text, "}}"), \
        _Finder(text, _SLOW_PATH)
    pos = text.find("{{")
    while pos >= 0:
        close = closing.find(pos + 2)
        if close < 0:
            break  # no `}}` anywhere after: no more actions
        if text.startswith("{", pos + 2):  # `{{{…`: only the last `{{` of the run can open an action
            run = pos + 2
            while text.startswith("{", run + 1):
                run += 1
            pos = run - 1
            continue
        simple = _SIMPLE_ACTION.match(text, pos)  # most actions: one C-level match
        if simple is not None:
            words = simple.group(2).strip(" \t\r\n")
            if words.endswith(" -") or words == "-":
                words = words[:-1].rstrip()
            end = simple.end()
            found.append((pos, end) + _kind(words) + (words,))
            pos = text.find("{{", end)
            continue
        if not 0 <= slow.find(pos) < close:
            pos = text.find("{{", pos + 1)  # nothing before the `}}` that only the slow path reads
            continue
        body = pos + 2
        if text.startswith("-", body) and text[body + 1:body + 2] in (" ", "\t", "\r", "\n"):
            body += 2
        head = body
        while text[head:head + 1] in (" ", "\t", "\r", "\n") and head < len(text):
            head += 1
        if text.startswith("/*", head):
            k = comment_end.find(head + 2)
            end = -1
            if 0 <= k < head + MAX_ACTION:
                after = k + 2
                while text[after:after + 1] in (" ", "\t", "\r", "\n") and after < len(text):
                    after += 1
                if text.startswith("-}}", after):
                    after += 1
                end = after + 2 if text.startswith("}}", after) else -1
            if end > 0:
                found.append((pos, end, "comment", "", ""))
                pos = text.find("{{", end)
                continue
        else:
            end = _close(text, body, raw)
            if end > 0:
                words = text[body:end - 2].strip(" \t\r\n")
                if words.endswith(" -") or words == "-":
                    words = words[:-1].rstrip()
                found.append((pos, end) + _kind(words) + (words,))
                pos = text.find("{{", end)
                continue
        pos = text.find("{{", pos + 1)
    return found


# -- preparing -----------------------------------------------------------------
class _Lines:
    """Line starts and ends (without the break) as YAML counts lines."""

    def __init__(self, text: str):
        self.starts, self.ends = starts, ends = [0], []
        if _RARE_BREAKS.search(text) is None:  # LF only: str.split is ~10x faster than the regex
            pos = 0
            for line in text.split("\n"):
                pos += len(line)
                ends.append(pos)
                pos += 1
                starts.append(pos)
            starts.pop()
            return
        for m in LINE_BREAK.finditer(text):
            ends.append(m.start())
            starts.append(m.end())
        ends.append(len(text))

    def line_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1


class _Out(list):
    """The prepared text as a list of characters; line breaks are never replaced."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text

    def fill(self, start: int, end: int, char: str) -> None:
        """Replace [start, end) with *char*, keeping line breaks."""
        if end > start:
            if _BREAK_CHAR.search(self.text, start, end) is None:
                self[start:end] = char * (end - start)
            else:
                self[start:end] = _NOT_BREAK.sub(char, self.text[start:end])


def _fill_first_line(out: _Out, start: int, end: int, lines: _Lines) -> None:
    """Placeholder on the action's first line, spaces on the others."""
    first_end = min(end, lines.ends[lines.line_of(start)])
    out[start:first_end] = PLACEHOLDER * (first_end - start)
    if end > first_end:
        out.fill(first_end, end, " ")


def prepare(text: str) -> Prepared | None:
    """The template as parseable YAML of the same length (None when *text* has no `{{`)."""
    if "{{" not in text:
        return None
    lines = _Lines(text)
    actions = []
    for start, end, kind, keyword, body in lex(text):
        indent = _INDENT_ARG.search(body) if kind == "output" else None
        line = lines.line_of(start)
        actions.append(Action(start, end, line, start - lines.starts[line], lines.line_of(end - 1), kind, keyword,
                              kind == "output" and (_STRUCTURED.search(body) is not None or keyword == "template"),
                              int(indent.group(1)) if indent else None, body))
    out = _Out(text)
    blank_lines = _blank_definitions(actions, out, lines)
    groups = _groups(actions, lines, text)
    merged = _inline_else_regions(actions, groups)
    standalone = []  # (first line, last line, actions) of action-only lines, in order
    inline = []  # `key: {{- toYaml … | nindent 4 }}`: injection points too
    for first, last, members, alone in groups:
        if alone:
            standalone.append((first, last, members))
            continue
        for action in members:
            if id(action) in merged:
                start, end = merged[id(action)]
                if end:
                    _fill_first_line(out, start, end, lines)
            elif action.kind == "comment" and text[lines.starts[action.line]:action.start].strip(_WS):
                out.fill(action.start, action.end, " ")
            else:
                _fill_first_line(out, action.start, action.end, lines)
                if action.structured:
                    injection = _inline_injection(action, text, lines)
                    if injection is not None:
                        inline.append(injection)
    injections = _standalone_lines(standalone, out, lines, blank_lines, text)
    if inline:
        injections = sorted(injections + inline, key=lambda i: i.line)
    prepared_text = "".join(out)
    separators = [n for n, s in enumerate(lines.starts)
                  if prepared_text.startswith(("---", "..."), s) and _SEPARATOR.match(prepared_text, s)]
    return Prepared(prepared_text, actions, injections, separators)


def _inline_injection(action: Action, text: str, lines: _Lines) -> Injection | None:
    """`key: {{- toYaml .x | nindent 4 }}` (or `- {{ … }}`): the whole value is unseen structure."""
    start = lines.starts[action.line]
    before = text[start:action.start].rstrip(_WS)
    after = text[action.end:lines.ends[action.end_line]].strip(_WS)
    if not before.endswith((":", "-")) or (after and not after.startswith("#")):
        return None
    key_column = len(before) - len(before.lstrip(_WS + "-"))
    indent = action.indent if action.indent is not None else key_column + 2
    return Injection(action.line, action.column, indent, slot=True)


def _blank_definitions(actions: list, out: _Out, lines: _Lines) -> set:
    """`{{ define }}…{{ end }}` bodies are not output where they stand: blank them. Returns the blanked lines."""
    stack, blanked = [], set()
    for action in actions:
        if action.keyword in _OPENERS:
            stack.append(action)
        elif action.keyword == "end" and stack:
            opener = stack.pop()
            if opener.keyword == "define" and not any(a.keyword == "define" for a in stack):
                out.fill(opener.start, action.end, " ")
                blanked.update(range(opener.line, action.end_line + 1))
    return blanked


def _groups(actions: list, lines: _Lines, text: str) -> list:
    """Actions grouped by the lines they share: (first, last, actions, alone).

    `alone` when nothing but whitespace and actions is on those lines.
    """
    groups = []
    for action in actions:
        if groups and action.line <= groups[-1][1]:
            g = groups[-1]
            g[1] = max(g[1], action.end_line)
            g[2].append(action)
        else:
            groups.append([action.line, action.end_line, [action], True])
    for g in groups:
        first, last, members = g[0], g[1], g[2]
        pos = lines.starts[first]
        for action in members:
            if text[pos:action.start].strip(_WS + "\r\n\x85\u2028\u2029"):
                g[3] = False
                break
            pos = action.end
        else:
            g[3] = not text[pos:lines.ends[last]].strip(_WS)
    return groups


def _inline_else_regions(actions: list, groups: list) -> dict:
    """An `{{ if }}a{{ else }}b{{ end }}` on one line reads as one value: the
    span from `else` to `end` becomes one opaque run. Maps id(action) to the
    (start, end) to fill, (0, 0) for actions inside a run."""
    merged = {}
    for first, last, members, alone in groups:
        if alone:
            continue
        stack = []
        for action in members:
            if action.keyword in _OPENERS:
                stack.append([action, None])
            elif action.keyword == "else" and stack and stack[-1][1] is None:
                stack[-1][1] = action
            elif action.keyword == "end" and stack:
                opener, other = stack.pop()
                if other is not None:
                    inner = [a for a in members if other.start <= a.start and a.end <= action.end]
                    for a in inner:
                        merged[id(a)] = (0, 0)
                    merged[id(other)] = (other.start, action.end)
    return merged


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content_indent(line: str) -> int | None:
    """Column of a content line's first character (None for blank and comment lines)."""
    stripped = line.lstrip(_WS)
    if not stripped or stripped.startswith("#"):
        return None
    return len(line) - len(stripped)


def _standalone_lines(standalone: list, out: _Out, lines: _Lines, blanked: set, text: str) -> list:
    """Blank or fill the action-only lines, in order, knowing the lines around them."""
    if not standalone:
        return []
    injections = []
    alone_lines = set(blanked)
    for first, last, _ in standalone:
        alone_lines.update(range(first, last + 1))

    count = len(lines.starts)
    # lines other than action-only ones are final by now: read them once
    joined = "".join(out)
    texts = ["" if n in alone_lines else joined[lines.starts[n]:lines.ends[n]] for n in range(count)]
    indents = [None if n in alone_lines else _content_indent(texts[n]) for n in range(count)]
    following: list = [None] * (count + 1)  # the indentation of the next content line after each line
    for n in range(count - 1, -1, -1):
        following[n] = following[n + 1] if indents[n] is None else indents[n]

    def next_content(n: int) -> int | None:
        return following[n + 1]

    block = None  # (header indent, content indent or None) while inside a block scalar
    queue = iter(standalone)
    current = next(queue, None)
    previous_key = None  # indent of the key of the last content line when it ends with `key:`
    for n in range(count):
        if current is not None and n == current[0]:
            first, last, members = current
            current = next(queue, None)
            output = [a for a in members if a.kind == "output"]
            effective = next((a.indent for a in output if a.indent is not None), members[0].column)
            start, end = lines.starts[first], lines.ends[last]
            if block is not None and (not output or effective > block[0]):
                _block_content_line(out, first, last, members, block, next_content(last), lines, bool(output),
                                    effective)
                continue
            block = None
            out.fill(start, end, " ")
            if not output:
                continue
            injection = Injection(first, members[0].column, effective)
            injections.append(injection)
            after = next_content(last)
            if previous_key is not None and effective > previous_key and (after is None or after <= previous_key):
                # the whole value of the key above: an opaque scalar, so the key is not null
                at = max(lines.starts[first] + previous_key + 1, output[0].start)
                if at < min(output[0].end, lines.ends[first]):
                    out.fill(at, min(output[0].end, lines.ends[first]), PLACEHOLDER)
                    injection.slot = True
            continue
        if n in alone_lines:
            continue
        line = texts[n]
        indent = indents[n]
        if block is not None:
            if indent is None and not line.strip(_WS):
                continue
            if indent is None:
                indent = _indent_of(line)
            if indent > block[0]:
                if block[1] is None:
                    block = (block[0], indent)
                continue
            block = None
        if indent is None:
            continue
        header = _block_header(line) if "|" in line or ">" in line else None
        if header is not None:
            block, previous_key = (header, None), None
            continue
        previous_key = _key_only(line)
    return injections


def _code(line: str) -> str:
    """The line without its comment, right-stripped (a `#` after a blank starts a comment)."""
    m = _COMMENT.search(line)
    return (line[:m.start()] if m else line).rstrip(_WS)


def _block_header(line: str) -> int | None:
    """For a line that opens a block scalar (`key: |`, `- >-`, `key: !tag |2`), the
    indentation its content must exceed: its key's, else its `-`'s; else None."""
    code = _code(line)
    indicator = _BLOCK_INDICATOR.search(code)
    if indicator is None:
        return None
    lead = _LEAD.match(code).end()
    before = code[lead:indicator.start()]
    if before and not before.rstrip(_WS).endswith(":"):
        return None  # `a: b |` is a plain scalar, not a header
    if before:
        return lead  # the key's column
    dash = code.rfind("-", 0, lead)
    return dash if dash >= 0 else lead - 1


def _key_only(line: str) -> int | None:
    """The key's column when the line is `key:` with nothing after it (its value is below)."""
    code = _code(line)
    if not code.endswith(":"):
        return None
    lead = _LEAD.match(code).end()
    return lead if code[lead:] != ":" else None


def _block_content_line(out: _Out, first: int, last: int, members: list, block: tuple, after: int | None,
                        lines: _Lines, output: bool, effective: int) -> None:
    """An action-only line inside a block scalar (`key: |`): blank, or content of the scalar.

    It becomes content (one `#` at the content's indentation) when it sits
    in the content, and when it leads the content and is longer than the
    content's indentation: libyaml would take a leading blank line's length
    as the indentation. `#` also reads as a comment should the line not be in
    a block scalar after all.
    """
    header, content = block
    start, end = lines.starts[first], lines.ends[first]
    out.fill(start, lines.ends[last], " ")
    if content is not None:
        indent = content if output or members[0].column > header else None
    elif after is not None and after > header:
        indent = after
    else:  # no literal content follows: an output line is the content, at its own indentation
        indent = max(effective, header + 1) if output else None
    if indent is not None and start + indent < end:
        out[start + indent] = "#"

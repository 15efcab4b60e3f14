"""`.gitignore` matching that stays linear on any pattern.

pathspec (a well-kept library) turns each pattern into a Python regex, and
Python's `re` backtracks: measured on pathspec 1.1.1, the pattern
`*a*a*a*ab` took 4.2 s against one 255-character name, `*a` x 12 + `b`
121 s, and `x/**/` x 3 + `b` did not finish in a minute. git's own
wildmatch is no better (`git ls-files --ignored` ran 4 min 45 s on the
second pattern). A tree under review may ship such a file.

So patterns are matched here: the common shapes (`name`, `*.log`,
`build/**`, `**/tmp`) by string tests, every other by simulating the
pattern's automaton over the path (O(pattern length x path length), no
backtracking). The semantics are
git's (gitignore(5)): `*` and `?` and `[...]` stay within a path segment,
`**/`, `/**/` and `/**` cross segments, a pattern with a slash (other than
a trailing one) is anchored to its `.gitignore`'s folder, a trailing slash
matches folders only, `!` re-includes, and the last matching pattern wins.
"""
from __future__ import annotations



class _Pattern:
    __slots__ = ("negate", "dir_only", "anchored", "tokens", "test")

    def __init__(self, negate: bool, dir_only: bool, anchored: bool, tokens):
        self.negate, self.dir_only, self.anchored = negate, dir_only, anchored
        self.tokens = tokens
        self.test = _fast_test(tokens) or (lambda target: _run(tokens, target))

    def matches(self, rel: str, is_dir: bool) -> bool:
        if self.dir_only and not is_dir:
            return False
        return self.test(rel if self.anchored else rel.rsplit("/", 1)[-1])


def _literal(tokens: list) -> str | None:
    return "".join(t[1] for t in tokens) if all(t[0] == "lit" for t in tokens) else None


def _fast_test(tokens: list):
    """A plain string test for the common shapes, or None."""
    whole = _literal(tokens)
    if whole is not None:
        return whole.__eq__
    head, tail = tokens[0][0], tokens[-1][0]
    if head == "star" and (suffix := _literal(tokens[1:])) is not None and "/" not in suffix:
        return lambda t: t.endswith(suffix) and "/" not in t
    if tail == "rest" and (prefix := _literal(tokens[:-1])) is not None:
        return lambda t: t.startswith(prefix) and len(t) > len(prefix)
    if head == "dirs" and (name := _literal(tokens[1:])) is not None:
        return lambda t: t == name or t.endswith("/" + name)
    return None


# tokens: ("lit", c) | ("any",) one char but "/" | ("star",) | ("class", negate, items) |
# ("dirs",) zero or more whole segments followed by "/" | ("rest",) anything
def _tokens(body: str) -> list:
    tokens: list = []
    i = 0
    while i < len(body):
        c = body[i]
        if body.startswith("**/", i) and (i == 0 or body[i - 1] == "/"):
            tokens.append(("dirs",))
            i += 3
        elif body.startswith("**", i) and i + 2 == len(body) and (i == 0 or body[i - 1] == "/"):
            tokens.append(("rest",))
            i += 2
        elif c == "*":
            while i < len(body) and body[i] == "*":
                i += 1
            tokens.append(("star",))
        elif c == "?":
            tokens.append(("any",))
            i += 1
        elif c == "[":
            end, negate, items = _class(body, i)
            if end is None:
                tokens.append(("lit", "["))
                i += 1
            else:
                tokens.append(("class", negate, items))
                i = end
        elif c == "\\" and i + 1 < len(body):
            tokens.append(("lit", body[i + 1]))
            i += 2
        else:
            tokens.append(("lit", c))
            i += 1
    return tokens


def _class(body: str, start: int):
    """(index after `]`, negated, [(lo, hi)]) of a bracket expression, or (None, ...) when unclosed."""
    i = start + 1
    negate = i < len(body) and body[i] in "!^"
    if negate:
        i += 1
    items = []
    first = True
    while i < len(body) and (body[i] != "]" or first):
        first = False
        lo = body[i]
        if lo == "\\" and i + 1 < len(body):
            i += 1
            lo = body[i]
        if i + 2 < len(body) and body[i + 1] == "-" and body[i + 2] != "]":
            items.append((lo, body[i + 2]))
            i += 3
        else:
            items.append((lo, lo))
            i += 1
    if i >= len(body):
        return None, False, []
    return i + 1, negate, items


def _step(token, c: str) -> tuple[bool, bool]:
    """(consumes c and moves on, consumes c and stays) for one token."""
    kind = token[0]
    if kind == "lit":
        return token[1] == c, False
    if kind == "any":
        return c != "/", False
    if kind == "star":
        return False, c != "/"
    if kind == "class":
        inside = any(lo <= c <= hi for lo, hi in token[2])
        return c != "/" and inside != token[1], False
    if kind == "rest":
        return False, True
    return False, False


def _closure(tokens: list, states: set) -> set:
    """Add the states reachable without reading: `*`, `**` and `**/` may match nothing."""
    todo = list(states)
    while todo:
        i = todo.pop()
        if i < len(tokens) and tokens[i][0] in ("star", "rest", "dirs") and i + 1 not in states:
            states.add(i + 1)
            todo.append(i + 1)
    return states


def _run(tokens: list, text: str) -> bool:
    # a state is a token index; ("dirs", i) marks "inside a `**/` segment run, before its slash"
    states: set = _closure(tokens, {0})
    inside_dirs: set = set()
    for c in text:
        nxt: set = set()
        nxt_inside: set = set()
        for i in states:
            if i >= len(tokens):
                continue
            token = tokens[i]
            if token[0] == "dirs":
                if c == "/":
                    nxt.add(i + 1)   # an empty segment run ends at once: `a//b` is not a path we see
                else:
                    nxt_inside.add(i)
                continue
            move, stay = _step(token, c)
            if move:
                nxt.add(i + 1)
            if stay:
                nxt.add(i)
        for i in inside_dirs:
            if c == "/":
                nxt.add(i + 1)
                nxt_inside.add(i)  # or the run of segments goes on
            else:
                nxt_inside.add(i)
        states, inside_dirs = _closure(tokens, nxt), nxt_inside
        if not states and not inside_dirs:
            return False
    return len(tokens) in states


def parse_line(line: str) -> _Pattern | None:
    line = line.rstrip("\n\r")
    if not line or line.startswith("#"):
        return None
    stripped = line.rstrip(" ")  # trailing spaces are ignored unless escaped
    if stripped.endswith("\\") and len(stripped) < len(line):
        stripped += " "
    line = stripped
    negate = line.startswith("!")
    if negate:
        line = line[1:]
    elif line.startswith("\\!") or line.startswith("\\#"):
        line = line[1:]
    dir_only = line.endswith("/") and not line.endswith("\\/")
    if dir_only:
        line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line
    body = line[1:] if line.startswith("/") else line
    if body.startswith("**/"):
        anchored = True  # `**/x` matches at any depth: as an anchored pattern with a leading segment run
    while "**/**/" in body:  # the same set of paths, and one automaton state fewer
        body = body.replace("**/**/", "**/")
    return _Pattern(negate, dir_only, anchored, _tokens(body))


class GitIgnore:
    """The patterns of one `.gitignore` file."""

    def __init__(self, lines):
        self.patterns = [p for p in (parse_line(line) for line in lines) if p is not None]

    def match(self, rel: str, is_dir: bool) -> bool | None:
        """True: ignored; False: re-included by `!`; None: no pattern says anything."""
        verdict = None
        for pattern in self.patterns:
            if pattern.matches(rel, is_dir):
                verdict = not pattern.negate
        return verdict

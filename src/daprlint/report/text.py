"""`--output-format concise` (and its old name `text`): one line per finding,

    path:line:col: CODE [*] message (fix not applicable: why)

then the summary line. `[*]` means "`--fix` applies this" with the run's
`--unsafe-fixes` setting, as in ruff. Every name, path and message is
passed through `escape.printable`, so a line of output is one line and
carries no terminal sequence. Colour only on a terminal (ctx["colour"]).

`finish()` adds what every text format ends with: the `--statistics`
table (instead of the findings), the `--show-fixes` block and the summary.
"""
from __future__ import annotations

from . import fix_applies
from .escape import printable, printable_path
from .style import BOLD, CYAN, SEVERITY, paint


class Printables:
    """printable() of the strings a report repeats (codes), printable_path()
    of its paths, each worked out once."""

    __slots__ = ("_seen", "_paths")

    def __init__(self):
        self._seen: dict[str, str] = {}
        self._paths: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        out = self._seen.get(text)
        if out is None:
            out = self._seen[text] = printable(text)
        return out

    def path(self, path: str) -> str:
        out = self._paths.get(path)
        if out is None:
            out = self._paths[path] = printable_path(path)
        return out


def header(f, unsafe: bool, colour: bool, names: Printables) -> str:
    """`path:line:col: CODE [*] message`: the concise line, and each frame's first line."""
    code = names(f.code)
    if colour:
        code = f"{SEVERITY.get(f.severity, '')}{BOLD}{code}\033[0m"
    mark = paint(" [*]", CYAN, colour) if fix_applies(f.fix, unsafe) else ""
    where = f"{paint(names.path(f.path), BOLD, colour)}:{f.span.line + 1}:{f.span.column + 1}"
    return f"{where}: {code}{mark} {printable(f.message)}"


def concise_line(f, unsafe: bool, colour: bool, names: Printables) -> str:
    """The header, and why the fix is not applicable when it is blocked (an
    unsafe fix that is not enabled is only counted in the summary)."""
    line = header(f, unsafe, colour, names)
    if f.fix is not None and f.fix.blocked:
        line += f" ({fix_state(f.fix, unsafe)})"
    return line + "\n"


def fix_state(fix, unsafe: bool) -> str:
    """Why a fix that exists is not applied by `--fix` (empty when it is)."""
    if fix is None or fix_applies(fix, unsafe):
        return ""
    if fix.blocked:
        return f"fix not applicable: {printable(fix.blocked)}"
    if not fix.edits:
        return "fix not applicable here"
    return "unsafe fix: enable it with `--unsafe-fixes`"


def render(findings, summary, ctx) -> str:
    colour, unsafe, names = ctx.get("colour", False), summary.unsafe_fixes, Printables()
    body = "" if ctx.get("statistics") else "".join(concise_line(f, unsafe, colour, names) for f in findings)
    return finish(body, findings, summary, ctx)


def finish(body: str, findings, summary, ctx) -> str:
    parts = [body]
    if ctx.get("statistics"):
        from .statistics import table

        parts = [table(findings, summary, ctx)]
    if ctx.get("show_fixes"):
        from .show_fixes import block

        if parts[-1] and not parts[-1].endswith("\n\n"):
            parts.append("\n")  # a blank line before the block, as after a code frame
        parts.append(block(findings, summary, ctx))
    if not ctx.get("quiet"):
        parts.append(summary_line(summary, ctx) + "\n")
    return "".join(parts)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def summary_line(s, ctx) -> str:
    if s.findings == 0:
        text = f"All checks passed ({_plural(s.files, 'file')} checked)."
    else:
        counts = [_plural(s.errors, "error"), _plural(s.warnings, "warning")]
        if s.infos:
            counts.append(_plural(s.infos, "info"))
        text = f"Found {_plural(s.findings, 'finding')} ({', '.join(counts)}) in {_plural(s.files, 'file')}."
    if s.fixed:
        text += f" Would fix {s.fixed} (--diff)." if ctx.get("diff") else f" Fixed {s.fixed}."
    hidden = (f"{_plural(s.unsafe_fixable, 'hidden fix', 'hidden fixes')} can be enabled with `--unsafe-fixes`"
              if s.unsafe_fixable else "")
    if s.fixable:
        text += f" [*] {s.fixable} fixable with `--fix`" + (f" ({hidden})." if hidden else ".")
    elif hidden:
        text += f" No fixes available ({hidden})."
    return text

"""`path:line:col: CODE message`, then a summary line. Colour only on a TTY."""
from __future__ import annotations

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


def render(findings, summary, ctx) -> str:
    colour = ctx.get("colour", False)
    lines = []
    for f in findings:
        code = f"{_COLOURS.get(f.severity, '')}{_BOLD}{f.code}{_RESET}" if colour else f.code
        mark = " [*]" if f.fix is not None and f.fix.edits and not f.fix.blocked else ""
        lines.append(f"{f.path}:{f.span.line + 1}:{f.span.column + 1}: {code}{mark} {f.message}")
    lines.append(summary_line(summary, ctx))
    return "\n".join(lines) + "\n"


def summary_line(s, ctx) -> str:
    if s.findings == 0:
        text = f"All checks passed ({s.files} file{'s' if s.files != 1 else ''} checked)."
    else:
        text = (f"Found {s.findings} finding{'s' if s.findings != 1 else ''} "
                f"({s.errors} error{'s' if s.errors != 1 else ''}, {s.warnings} warning{'s' if s.warnings != 1 else ''})"
                f" in {s.files} file{'s' if s.files != 1 else ''}.")
    if s.fixed:
        text += f" Would fix {s.fixed} (--diff)." if ctx.get("diff") else f" Fixed {s.fixed}."
    if s.fixable:
        text += f" [*] {s.fixable} fixable with --fix."
    if s.unsafe_fixable:
        text += f" {s.unsafe_fixable} more fixable with --fix --unsafe-fixes."
    return text

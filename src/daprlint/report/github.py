"""`--output-format github`: workflow commands that GitHub shows as annotations.

Escaping follows actions/toolkit (packages/core/src/command.ts, the
`escapeData` and `escapeProperty` functions): `%`, CR and LF in the
message; additionally `:` and `,` in properties. Before that, every text
from the linted tree goes through `escape.printable`: control, invisible
and line-separator characters become visible escapes, so no annotation
spans two lines, none can start a second workflow command (a command is
recognised only at the start of a line), and the output is valid UTF-8
even for file names that are not.
"""
from __future__ import annotations

from .escape import printable

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def _fix_note(fix) -> str:
    if fix is None or not fix.edits or fix.blocked:
        return ""
    return " (fixable with --fix)" if fix.safety == "safe" else " (fixable with --fix --unsafe-fixes)"


def render(findings, summary, ctx) -> str:
    out = []
    for f in findings:
        props = {"file": f.path, "line": f.span.line + 1, "col": f.span.column + 1,
                 "endLine": f.span.end_line + 1, "endColumn": f.span.end_column + 1,
                 "title": f"{f.code} {f.name}"}
        prop_text = ",".join(f"{k}={escape_property(printable(str(v)))}" for k, v in props.items())
        message = printable(f"{f.code} {f.message}{_fix_note(f.fix)}")
        out.append(f"::{LEVELS.get(f.severity, 'warning')} {prop_text}::{escape_data(message)}")
    return "\n".join(out) + ("\n" if out else "")

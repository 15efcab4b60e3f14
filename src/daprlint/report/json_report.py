"""`--format json`: stable, 1-based positions, one object per finding.

Laid out like `json.dumps(indent=2)`, except that each finding takes one
line (see `pretty_json`).
"""
from __future__ import annotations

from . import fix_json, pretty_json


def finding_json(f) -> dict:
    span = f.span
    return {"path": f.path, "line": span.line + 1, "column": span.column + 1,
            "end_line": span.end_line + 1, "end_column": span.end_column + 1,
            "code": f.code, "name": f.name, "severity": f.severity, "message": f.message,
            "fix": fix_json(f.fix)}


def render(findings, summary, ctx) -> str:
    return pretty_json({"version": ctx["version"], "findings": (finding_json(f) for f in findings),
                        "summary": summary.as_dict()}, flat=("findings",)) + "\n"

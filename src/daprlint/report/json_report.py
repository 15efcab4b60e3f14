"""`--format json`: stable, 1-based positions, one object per finding."""
from __future__ import annotations

import json

from . import fix_json


def finding_json(f) -> dict:
    return {"path": f.path, "line": f.span.line + 1, "column": f.span.column + 1,
            "end_line": f.span.end_line + 1, "end_column": f.span.end_column + 1,
            "code": f.code, "name": f.name, "severity": f.severity, "message": f.message,
            "fix": fix_json(f.fix)}


def render(findings, summary, ctx) -> str:
    return json.dumps({"version": ctx["version"], "findings": [finding_json(f) for f in findings],
                       "summary": summary.as_dict()}, indent=2, ensure_ascii=False) + "\n"

"""`--output-format json`: stable, 1-based positions, one object per finding.

Laid out like `json.dumps(indent=2)`, except that each finding takes one
line (see `pretty_json`). Each finding has a documentation `url` (null for
a rule from another pack) and `fix`: null or `{"safety", "description",
"applicable"}` plus `"note"` when the fix is blocked. With `--statistics`
the report holds `statistics` (one object per rule) instead of `findings`.
docs/output.md describes every key.
"""
from __future__ import annotations

from . import docs_urls, fix_json, pretty_json


def finding_json(f, url: str | None = None) -> dict:
    span = f.span
    return {"path": f.path, "line": span.line + 1, "column": span.column + 1,
            "end_line": span.end_line + 1, "end_column": span.end_column + 1,
            "code": f.code, "name": f.name, "severity": f.severity, "message": f.message, "url": url,
            "fix": fix_json(f.fix)}


def render(findings, summary, ctx) -> str:
    if ctx.get("statistics"):
        from .statistics import rows

        return pretty_json({"version": ctx["version"], "statistics": rows(findings, summary, ctx),
                            "summary": summary.as_dict()}, flat=("statistics",)) + "\n"
    urls = docs_urls(ctx.get("rules") or {})
    return pretty_json({"version": ctx["version"], "findings": (finding_json(f, urls.get(f.code)) for f in findings),
                        "summary": summary.as_dict()}, flat=("findings",)) + "\n"

"""`--output-format json`: stable, 1-based positions, one object per finding.

Laid out like `json.dumps(indent=2)`, except that each finding takes one
line (see `pretty_json`). Each finding has a documentation `url` (null for
a rule from another pack) and `fix`: null or `{"safety", "description",
"applicable"}` plus `"note"` when the fix is blocked. With `--statistics`
the report holds `statistics` (one object per rule) instead of `findings`.
docs/output.md describes every key.
"""
from __future__ import annotations

from . import docs_urls, fix_json, pretty_json_parts


def finding_json(f, url: str | None = None) -> dict:
    span = f.span
    return {"path": f.path, "line": span.line + 1, "column": span.column + 1,
            "end_line": span.end_line + 1, "end_column": span.end_column + 1,
            "code": f.code, "name": f.name, "severity": f.severity, "message": f.message, "url": url,
            "fix": fix_json(f.fix)}


def render(findings, summary, ctx) -> str:
    return "".join(render_parts(findings, summary, ctx))


def render_parts(findings, summary, ctx):
    """The report in pieces (one per finding), to be written as they come."""
    if ctx.get("statistics"):
        from .statistics import rows

        yield from pretty_json_parts({"version": ctx["version"], "statistics": rows(findings, summary, ctx),
                                      "summary": summary.as_dict()}, flat=("statistics",))
        yield "\n"
        return
    urls = docs_urls(ctx.get("rules") or {})
    yield from pretty_json_parts({"version": ctx["version"],
                                  "findings": (finding_json(f, urls.get(f.code)) for f in findings),
                                  "summary": summary.as_dict()}, flat=("findings",))
    yield "\n"

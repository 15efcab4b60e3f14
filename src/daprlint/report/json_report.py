"""`--output-format json`: stable, 1-based positions, one object per finding.

Laid out like `json.dumps(indent=2)`, except that each finding takes one
line (see `pretty_json`). Each finding has a documentation `url` (null for
a rule from another pack) and `fix`: null or `{"safety", "description",
"applicable"}` plus `"note"` when the fix is blocked. With `--statistics`
the report holds `statistics` (one object per rule) instead of `findings`.
docs/output.md describes every key.
"""
from __future__ import annotations

from json import JSONEncoder
from json.encoder import encode_basestring  # what JSONEncoder(ensure_ascii=False) writes a str with (C)

from . import docs_urls, fix_json, pretty_json_parts

_encode = JSONEncoder(ensure_ascii=False).encode


def finding_line(f, url: str | None = None) -> str:
    """`finding_json(f, url)` as the encoder writes it (the same text:
    tests/test_report_parts.py), without building the dict. The report of
    tree-10000-s42 (9,976 findings) took 55-64 ms to render as dicts through
    the encoder, 34-40 ms this way (best of 7, four alternating pairs); the
    whole `--no-cache --jobs 1` run went from 15,101M to 14,873M
    instructions (callgrind)."""
    path, code, name, severity, message = f.path, f.code, f.name, f.severity, f.message
    if not (str is type(path) is type(code) is type(name) is type(severity) is type(message)
            and (url is None or type(url) is str)):
        return _encode(finding_json(f, url))  # a pack's rule may give other values: the encoder judges
    span, fix = f.span, f.fix
    return (f'{{"path": {encode_basestring(path)}, "line": {span.line + 1}, "column": {span.column + 1}, '
            f'"end_line": {span.end_line + 1}, "end_column": {span.end_column + 1}, '
            f'"code": {encode_basestring(code)}, "name": {encode_basestring(name)}, '
            f'"severity": {encode_basestring(severity)}, "message": {encode_basestring(message)}, '
            f'"url": {"null" if url is None else encode_basestring(url)}, '
            f'"fix": {"null" if fix is None else _encode(fix_json(fix))}}}')


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
                                  "findings": (finding_line(f, urls.get(f.code)) for f in findings),
                                  "summary": summary.as_dict()}, flat=("findings",), encoded=("findings",))
    yield "\n"

"""`--format sarif`: SARIF 2.1.0, valid against the OASIS schema.

Columns are Unicode code points (`columnKind: unicodeCodePoints`), as in
every other format. Laid out like `json.dumps(indent=2)`, except that each
result takes one line (see `pretty_json`).

Artifact URIs percent-encode the path's bytes (`os.fsencode`), so a file
name that is not UTF-8 gets a valid URI that names that very file
(`%FF`); the rest of the document is valid UTF-8 JSON (see `pretty_json`).
A rule from the built-in pack has a `helpUri` into docs/rules.md.
"""
from __future__ import annotations

import os

from . import docs_urls, pretty_json

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _rule(rule, url: str | None) -> dict:
    out = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc.split("\n\n")[0]},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "helpUri": url,
        "defaultConfiguration": {"level": LEVELS[rule.severity], "enabled": not rule.opt_in},
        "properties": {"fix": rule.fix, "opt-in": rule.opt_in, "tags": [rule.code.rstrip("0123456789")]},
    }
    if url is None:
        del out["helpUri"]
    return out


def _position(text: str, offset: int) -> tuple[int, int]:
    from ..span import position  # lines as YAML counts them, like the findings' own regions

    line, column = position(text, offset)
    return line + 1, column + 1


def _fixes(f, text: str | None):
    if f.fix is None or not f.fix.edits or f.fix.blocked or text is None:
        return None
    replacements = []
    for e in f.fix.edits:
        sl, sc = _position(text, e.start)
        el, ec = _position(text, e.end)
        replacements.append({"deletedRegion": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec},
                             "insertedContent": {"text": e.replacement}})
    return [{"description": {"text": f"{f.fix.description} ({f.fix.safety})"},
             "artifactChanges": [{"artifactLocation": {"uri": _uri(f.path)}, "replacements": replacements}]}]


def _uri(path: str) -> str:
    from urllib.parse import quote

    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:  # a surrogate that surrogateescape did not make
        raw = path.encode("utf-8", "surrogatepass")
    return quote(raw.replace(b"\\", b"/"))


def render(findings, summary, ctx) -> str:
    rules = ctx["rules"]
    urls = docs_urls(rules)
    ordered = sorted(rules.values(), key=lambda r: r.code)
    index = {r.code: i for i, r in enumerate(ordered)}
    texts = ctx.get("texts", {})
    uris: dict[str, str] = {}

    def uri(path: str) -> str:  # many findings share a file
        u = uris.get(path)
        if u is None:
            u = uris[path] = _uri(path)
        return u

    def result(f) -> dict:
        out = {
            "ruleId": f.code,
            "level": LEVELS.get(f.severity, "warning"),
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri(f.path)},
                "region": {"startLine": f.span.line + 1, "startColumn": f.span.column + 1,
                           "endLine": f.span.end_line + 1, "endColumn": f.span.end_column + 1}}}],
        }
        if f.code in index:
            out["ruleIndex"] = index[f.code]
        fixes = _fixes(f, texts.get(f.path))
        if fixes:
            out["fixes"] = fixes
        return out

    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "daprlint", "version": ctx["version"], "semanticVersion": ctx["version"],
                                "informationUri": "https://github.com/daprlint/daprlint",
                                "rules": [_rule(r, urls.get(r.code)) for r in ordered]}},
            "columnKind": "unicodeCodePoints",
            "results": (result(f) for f in findings),  # encoded one at a time
        }],
    }
    # one result per line: the rules stay laid out in full
    return pretty_json(doc, flat=("results",)) + "\n"

"""`--statistics`: how many findings each rule reported, and how many of them
`--fix` can fix.

    count  code    name                    fixable
        2  DPR003  unknown-metadata-field  +1 with `--unsafe-fixes`
        1  AWS004  aws-deprecated-field    1

Rows are ordered by count (most first), then code. `fixable` counts the
rule's fixes that `--fix` applies with the run's flags; fixes that only
`--unsafe-fixes` enables are shown as `+N`. As in the summary, two findings
whose fixes make the same edits in one file are one fix. `rows()` gives the
same numbers to JSON (`{"code", "name", "severity", "count", "fixable",
"unsafe_fixable", "url"}`).
"""
from __future__ import annotations

from . import docs_urls, fix_available, fix_key
from .escape import printable
from .style import BOLD, SEVERITY, paint


def rows(findings, summary, ctx) -> list[dict]:
    rules = ctx.get("rules") or {}
    urls = docs_urls(rules) if rules else {}
    by_code: dict[str, dict] = {}
    fixes: dict[str, set] = {}
    for f in findings:
        row = by_code.get(f.code)
        if row is None:
            row = by_code[f.code] = {"code": f.code, "name": f.name, "severity": f.severity, "count": 0,
                                     "fixable": 0, "unsafe_fixable": 0, "url": urls.get(f.code)}
        row["count"] += 1
        if fix_available(f.fix):
            seen = fixes.setdefault(f.code, set())
            key = fix_key(f)
            if key not in seen:
                seen.add(key)
                row["fixable" if f.fix.safety == "safe" or summary.unsafe_fixes else "unsafe_fixable"] += 1
    return sorted(by_code.values(), key=lambda r: (-r["count"], r["code"]))


def table(findings, summary, ctx) -> str:
    colour = ctx.get("colour", False)
    body = rows(findings, summary, ctx)
    if not body:
        return ""
    cells = [("count", "code", "name", "fixable", "")]
    for r in body:
        fixable = str(r["fixable"]) if r["fixable"] else ("" if r["unsafe_fixable"] else "-")
        if r["unsafe_fixable"]:
            fixable += (" " if fixable else "") + f"+{r['unsafe_fixable']} with `--unsafe-fixes`"
        cells.append((str(r["count"]), printable(r["code"]), printable(r["name"]), fixable, r["severity"]))
    widths = [max(len(row[i]) for row in cells) for i in range(3)]
    lines = []
    for i, (count, code, name, fixable, severity) in enumerate(cells):
        padded = f"{code:<{widths[1]}}"
        if i and colour:
            padded = paint(padded, SEVERITY.get(severity, "") + BOLD, colour)
        lines.append(f"{count:>{widths[0]}}  {padded}  {name:<{widths[2]}}  {fixable}".rstrip() + "\n")
    return "".join(lines)

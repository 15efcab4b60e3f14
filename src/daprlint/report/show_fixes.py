"""`--show-fixes`: what `--fix` changed (or, with `--diff`, would change),
per file and rule, as in ruff:

    Fixed 3 fixes:
    - examples/bad/AWS004-aws-deprecated-field/pubsub.yaml:
        1 × AWS004 (aws-deprecated-field)
    - examples/bad/AWS008-aws-invalid-region/parameters.yaml:
        1 × AWS008 (aws-invalid-region)
    - examples/bad/DPR005-deprecated-metadata-field/pubsub.yaml:
        1 × DPR005 (deprecated-metadata-field)

The fixes applied come from the fixer as ctx["applied_fixes"], one
(path, code) per fix. Without them (a run that fixed nothing) the block
lists what `--fix` would apply to the findings, with the run's
`--unsafe-fixes` setting, one fix per distinct edit.
"""
from __future__ import annotations

from . import fix_applies, fix_key
from .escape import printable, printable_path
from .style import BOLD, paint


def would_apply(findings, unsafe: bool) -> list[tuple[str, str]]:
    seen, out = set(), []
    for f in findings:
        if fix_applies(f.fix, unsafe):
            key = fix_key(f)
            if key not in seen:
                seen.add(key)
                out.append((f.path, f.code))
    return out


def block(findings, summary, ctx) -> str:
    colour = ctx.get("colour", False)
    applied = ctx.get("applied_fixes")
    if applied is None:
        applied = would_apply(findings, summary.unsafe_fixes)
        title, empty = "`--fix` would apply", "No fixes available."
    elif ctx.get("diff"):
        title, empty = "Would fix", "No fixes would be applied."
    else:
        title, empty = "Fixed", "No fixes applied."
    if not applied:
        return empty + "\n"
    names = {code: rule.name for code, rule in (ctx.get("rules") or {}).items()}
    names.update((f.code, f.name) for f in findings if f.code not in names)
    per_file: dict[str, dict[str, int]] = {}
    for path, code in applied:
        codes = per_file.setdefault(path, {})
        codes[code] = codes.get(code, 0) + 1
    total = len(applied)
    lines = [f"{title} {total} {'fix' if total == 1 else 'fixes'}:\n"]
    for path, codes in per_file.items():
        lines.append(f"- {paint(printable_path(path), BOLD, colour)}:\n")
        for code in sorted(codes):
            name = names.get(code)
            lines.append(f"    {codes[code]} × {printable(code)}" + (f" ({printable(name)})" if name else "") + "\n")
    return "".join(lines)

"""`daprlint deployments` (`check --show-deployments`): what loads together, and why.

As `ruff check --show-files` does for files, this shows the deployment
layer's answer: each deployment, the reason it was formed, its namespaces,
app IDs and files, and what is missing from it.
"""
from __future__ import annotations

import json


def _describe(d, linted: set) -> dict:
    namespaces = sorted({d.namespace_of(r) for r in d.resources} |
                        {d.namespace_of(w) for w in d.workloads} | {d.namespace_of(s) for s in d.secrets})
    return {
        "key": d.key, "kind": d.kind, "reason": d.reason, "mode": d.mode,
        "namespaces": namespaces if not d.flat_namespace else None,
        "app_ids": sorted(d.app_ids),
        "files": [{"path": f, "linted": f in linted} for f in d.files],
        "complete": d.complete, "notes": list(d.notes),
        "missing": [{"path": ref.path, "line": ref.span.line + 1, "message": message} for ref, message, _ in d.missing],
    }


def render_deployments(deployments, linted: set, fmt: str = "text") -> str:
    described = [_describe(d, linted) for d in deployments if any(f in linted for f in d.files) or d.missing]
    if fmt == "json":
        return json.dumps({"deployments": described}, indent=2, ensure_ascii=False) + "\n"
    lines = []
    for d in described:
        lines.append(f"{d['kind']}: {d['reason']}")
        namespaces = "ignored (self-hosted daprd)" if d["namespaces"] is None else ", ".join(d["namespaces"]) or "-"
        lines.append(f"  mode: {d['mode']}; namespaces: {namespaces}")
        if d["app_ids"]:
            lines.append(f"  app IDs: {', '.join(d['app_ids'])}")
        for f in d["files"]:
            lines.append(f"  {f['path']}" + ("" if f["linted"] else "  (context)"))
        for m in d["missing"]:
            lines.append(f"  missing: {m['message']} ({m['path']}:{m['line']})")
        if not d["complete"]:
            lines.append(f"  incomplete: {'; '.join(d['notes'])}")
        lines.append("")
    lines.append(f"{len(described)} deployment{'s' if len(described) != 1 else ''}.")
    return "\n".join(lines) + "\n"

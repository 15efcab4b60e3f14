"""Reporters: findings in, text out. Messages were redacted by the engine."""
from __future__ import annotations

from .._record import field, record as dataclass


@dataclass
class Summary:
    files: int = 0
    findings: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    fixable: int = 0
    unsafe_fixable: int = 0
    fixed: int = 0
    suppressed: int = 0
    by_code: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"files": self.files, "findings": self.findings, "errors": self.errors, "warnings": self.warnings,
                "infos": self.infos, "fixable": self.fixable, "unsafe_fixable": self.unsafe_fixable,
                "fixed": self.fixed, "suppressed": self.suppressed, "by_code": dict(sorted(self.by_code.items()))}


def summarize(findings, files: int, fixed: int = 0, suppressed: int = 0, unsafe: bool = False) -> Summary:
    s = Summary(files=files, fixed=fixed, suppressed=suppressed)
    for f in findings:
        s.findings += 1
        s.by_code[f.code] = s.by_code.get(f.code, 0) + 1
        if f.severity == "error":
            s.errors += 1
        elif f.severity == "warning":
            s.warnings += 1
        else:
            s.infos += 1
        if f.fix is not None and f.fix.edits and not f.fix.blocked:
            if f.fix.safety == "safe" or unsafe:
                s.fixable += 1
            else:
                s.unsafe_fixable += 1
    return s


def fix_json(fix) -> dict | None:
    if fix is None:
        return None
    out = {"safety": fix.safety, "description": fix.description, "applicable": bool(fix.edits) and not fix.blocked}
    if fix.blocked:
        out["note"] = fix.blocked
    return out


def pretty_json(value, flat: tuple[str, ...] = ()) -> str:
    """*value* (string keys only) laid out as `json.dumps(value, indent=2,
    ensure_ascii=False)` does, except that each item under a key in *flat*
    (a list, or any iterable: a generator keeps one item's dict alive at a
    time) takes one line.

    json's indent= encoder is pure Python; the items go through the C
    encoder: 2-3x faster and far lighter on memory with thousands of
    findings, and a line per finding still reads (and greps) well.
    """
    import json

    encode = json.JSONEncoder(ensure_ascii=False).encode
    out: list[str] = []

    def dump(value, pad: str) -> None:
        if isinstance(value, dict) and value:
            inner = pad + "  "
            sep = "{\n"
            for key, item in value.items():
                out.append(f"{sep}{inner}{encode(key)}: ")
                if key in flat and (isinstance(item, (list, tuple)) or hasattr(item, "__next__")):
                    lines = [encode(v) for v in item]
                    out.append((f"[\n{inner}  " + f",\n{inner}  ".join(lines) + f"\n{inner}]") if lines else "[]")
                else:
                    dump(item, inner)
                sep = ",\n"
            out.append(f"\n{pad}}}")
        elif isinstance(value, list) and value:
            inner = pad + "  "
            sep = "[\n"
            for item in value:
                out.append(sep + inner)
                dump(item, inner)
                sep = ",\n"
            out.append(f"\n{pad}]")
        else:
            out.append(encode(value))

    dump(value, "")
    return "".join(out)


def get_reporter(name: str):
    """The render function of one format; only that reporter is imported."""
    if name == "text":
        from .text import render
    elif name == "json":
        from .json_report import render
    elif name == "sarif":
        from .sarif import render
    elif name == "github":
        from .github import render
    else:
        raise KeyError(name)
    return render

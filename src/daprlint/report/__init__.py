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


def get_reporter(name: str):
    from . import github, json_report, sarif, text

    return {"text": text.render, "json": json_report.render, "sarif": sarif.render, "github": github.render}[name]

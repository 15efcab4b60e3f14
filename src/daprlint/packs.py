"""Rule packs: folders of Python rule modules and JSON Schema rules.

`rules/` at the top of the repository is the built-in pack (shipped in the
wheel as `daprlint/_builtin_rules`). Other packs load the same way, but only
from paths named in the project's config or on the command line: a pack is
code, so it is never picked up from the linted tree.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from ._record import field, record as dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

SEVERITIES = ("error", "warning", "info")
FIX_SAFETY = ("none", "safe", "unsafe")
SCOPES = ("resource", "tree", "file", "engine")


class PackError(Exception):
    """A rule pack is malformed; reported as a configuration error (exit 2)."""


def builtin_pack_path() -> Path:
    here = Path(__file__).resolve().parent
    installed = here / "_builtin_rules"
    return installed if installed.is_dir() else here.parents[1] / "rules"


@dataclass(slots=True)
class Rule:
    code: str
    name: str
    severity: str
    summary: str
    doc: str
    fix: str
    opt_in: bool
    scope: str
    kinds: tuple[str, ...]
    check: Callable[..., Any]
    origin: str
    pack: str

    @property
    def prefix(self) -> str:
        return self.code.rstrip("0123456789")


class PackData:
    """JSON data files of the loaded packs, read once, on first use."""

    def __init__(self, roots: list[Path]):
        self._roots = roots
        self._cache: dict[str, Any] = {}
        self._memos: dict[str, dict] = {}

    def memo(self, name: str) -> dict:
        """A dict for answers derived from this data alone (per type, per field
        name), so rules work them out once per run instead of once per resource."""
        table = self._memos.get(name)
        if table is None:
            table = self._memos[name] = {}
        return table

    def json(self, relpath: str) -> Any:
        if relpath not in self._cache:
            for root in self._roots:
                candidate = root / relpath
                if candidate.is_file():
                    self._cache[relpath] = json.loads(candidate.read_text(encoding="utf-8"))
                    break
            else:
                raise PackError(f"rule data file not found in any rule pack: {relpath}")
        return self._cache[relpath]

    def path(self, relpath: str) -> Path:
        for root in self._roots:
            if (root / relpath).is_file():
                return root / relpath
        raise PackError(f"rule data file not found in any rule pack: {relpath}")


def _module_rule(path: Path, pack: Path) -> Rule:
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    module_name = f"daprlint_pack_{digest}_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise PackError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise PackError(f"{path}: failed to import: {type(exc).__name__}: {exc}") from None
    missing = [a for a in ("CODE", "NAME", "SEVERITY", "SUMMARY", "check") if not hasattr(module, a)]
    if missing:
        raise PackError(f"{path}: rule module lacks {', '.join(missing)}")
    return _validated(Rule(
        code=module.CODE,
        name=module.NAME,
        severity=module.SEVERITY,
        summary=module.SUMMARY,
        doc=_cleandoc(module.__doc__ or module.SUMMARY),
        fix=getattr(module, "FIX", "none"),
        opt_in=bool(getattr(module, "OPT_IN", False)),
        scope=getattr(module, "SCOPE", "resource"),
        kinds=tuple(getattr(module, "KINDS", ("Component",))),
        check=module.check,
        origin=str(path),
        pack=str(pack),
    ))


def _cleandoc(doc: str) -> str:
    """inspect.cleandoc without importing inspect (~9 ms at start-up)."""
    lines = doc.expandtabs().strip("\n").splitlines()
    if not lines:
        return ""
    first, rest = lines[0].strip(), lines[1:]
    indent = min((len(l) - len(l.lstrip()) for l in rest if l.strip()), default=0)
    return "\n".join([first] + [l[indent:].rstrip() for l in rest]).strip()


def _validated(rule: Rule) -> Rule:
    if not rule.code or not rule.code[:1].isalpha() or not rule.code.isalnum() or rule.code.upper() != rule.code:
        raise PackError(f"{rule.origin}: rule code {rule.code!r} must be upper-case letters then digits")
    if rule.severity not in SEVERITIES:
        raise PackError(f"{rule.origin}: SEVERITY must be one of {SEVERITIES}")
    if rule.fix not in FIX_SAFETY:
        raise PackError(f"{rule.origin}: FIX must be one of {FIX_SAFETY}")
    if rule.scope not in SCOPES:
        raise PackError(f"{rule.origin}: SCOPE must be one of {SCOPES}")
    return rule


def _schema_rule(path: Path, pack: Path) -> Rule:
    from .schema import schema_check  # schema rules only cost what they use

    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PackError(f"{path}: not valid JSON: {exc}") from None
    meta = schema.get("x-daprlint")
    if not isinstance(meta, dict):
        raise PackError(f"{path}: a schema rule needs an 'x-daprlint' object")
    try:
        return _validated(Rule(
            code=meta["code"], name=meta["name"], severity=meta.get("severity", "error"),
            summary=meta["summary"], doc=meta.get("doc", meta["summary"]), fix="none",
            opt_in=bool(meta.get("opt-in", False)), scope="resource",
            kinds=tuple(meta.get("kinds", ["Component"])),
            check=schema_check(schema, path, meta), origin=str(path), pack=str(pack),
        ))
    except KeyError as exc:
        raise PackError(f"{path}: 'x-daprlint' lacks {exc}") from None


@dataclass
class RuleSet:
    rules: dict[str, Rule] = field(default_factory=dict)
    packs: list[Path] = field(default_factory=list)

    @cached_property
    def data(self) -> PackData:
        return PackData(self.packs)

    def fingerprint(self) -> str:
        """Changes whenever any file of any pack changes (for the cache key)."""
        h = hashlib.sha256()
        for root in self.packs:
            for f in sorted(root.rglob("*")):
                if f.is_file() and "__pycache__" not in f.parts:
                    h.update(str(f.relative_to(root)).encode())
                    h.update(f.read_bytes())
        return h.hexdigest()


def _rule_files(root: Path) -> list[Path]:
    files = []
    for f in sorted(root.rglob("*")):
        rel = f.relative_to(root).parts
        if any(p.startswith(("_", ".")) for p in rel) or "generated" in rel or "data" in rel:
            continue
        if f.suffix == ".py" or f.name.endswith(".schema.json"):
            files.append(f)
    return files


def load_packs(extra: list[Path] | None = None) -> RuleSet:
    ruleset = RuleSet()
    for root in [builtin_pack_path(), *(extra or [])]:
        root = Path(root)
        if not root.is_dir():
            raise PackError(f"rule pack not found: {root}")
        ruleset.packs.append(root)
        for f in _rule_files(root):
            rule = _schema_rule(f, root) if f.suffix == ".json" else _module_rule(f, root)
            if rule.code in ruleset.rules:
                raise PackError(f"{f}: rule code {rule.code} is already defined by {ruleset.rules[rule.code].origin}")
            ruleset.rules[rule.code] = rule
    return ruleset

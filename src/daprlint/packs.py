"""Rule packs: folders of Python rule modules and JSON Schema rules.

`rules/` at the top of the repository is the built-in pack (shipped in the
wheel as `daprlint/_builtin_rules`). Other packs load the same way, but only
from paths named in the project's config or on the command line: a pack is
code, so it is never picked up from the linted tree.
"""
from __future__ import annotations

import json
import os
import sys
from ._record import field, record as dataclass
from collections import defaultdict
from functools import cached_property, lru_cache
from pathlib import Path

TYPE_CHECKING = False  # typing costs ~3 ms at start-up: annotations only
if TYPE_CHECKING:
    from typing import Any, Callable

SEVERITIES = ("error", "warning", "info")
FIX_SAFETY = ("none", "safe", "unsafe")
SCOPES = ("resource", "workload", "runfile", "tree", "file", "engine")


RACY_SECONDS = 2  # see RuleSet.fingerprint


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
    # the rule judges what is absent (a required field, a missing key): not run on a kustomize patch
    skip_partial: bool = False

    @property
    def prefix(self) -> str:
        return self.code.rstrip("0123456789")


class PackData:
    """JSON data files of the loaded packs, read once, on first use."""

    def __init__(self, roots: list[Path]):
        self._roots = roots
        self._cache: dict[str, Any] = {}
        self._memos: defaultdict[str, dict] = defaultdict(dict)
        # rules call memo() for every resource (~140,000 calls for 10,000
        # files): a C-level lookup, no Python frame; same result as the method
        self.memo = self._memos.__getitem__

    def memo(self, name: str) -> dict:
        """A dict for answers derived from this data alone (per type, per field
        name), so rules work them out once per run instead of once per resource."""
        return self._memos[name]

    def json(self, relpath: str) -> Any:
        try:
            return self._cache[relpath]
        except KeyError:
            pass
        for root in self._roots:
            candidate = root / relpath
            if candidate.is_file():
                value = self._cache[relpath] = json.loads(candidate.read_text(encoding="utf-8"))
                return value
        raise PackError(f"rule data file not found in any rule pack: {relpath}")

    def path(self, relpath: str) -> Path:
        for root in self._roots:
            if (root / relpath).is_file():
                return root / relpath
        raise PackError(f"rule data file not found in any rule pack: {relpath}")


def _module_rule(path: Path, pack: Path, shipped: bool = False) -> Rule:
    # the built-in pack ships with the package; a user's pack is edited in place
    module = _import_file(path, cache_bytecode=shipped)
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
        skip_partial=bool(getattr(module, "SKIP_PARTIAL", False)),
    ))


@lru_cache(maxsize=None)
def _source_only_loader():
    from importlib.machinery import SourceFileLoader

    class SourceOnlyLoader(SourceFileLoader):
        """Compiles the file every time. Python's bytecode cache trusts the
        source's (mtime in whole seconds, size): a rule edited within a second
        of its last run, to the same size, would run its old code (and the
        result cache, keyed by the file's bytes, would store that)."""

        def get_code(self, fullname):
            return self.source_to_code(self.get_data(self.path), self.path)

    return SourceOnlyLoader


def _import_file(path: Path, cache_bytecode: bool = True):
    """Import one rule module under a name of its own, as
    importlib.util.spec_from_file_location + module_from_spec + exec_module
    do (same module attributes, bytecode cache and tracebacks), without
    importing importlib.util (~4 ms with contextlib)."""
    from importlib.machinery import ModuleSpec, SourceFileLoader

    origin = str(path)
    # a stable name per file, so worker processes agree on it
    module_name = f"daprlint_pack_{_digest(origin)}_{path.stem}"
    loader = (SourceFileLoader if cache_bytecode else _source_only_loader())(module_name, origin)
    spec = ModuleSpec(module_name, loader, origin=origin)
    spec.has_location = True
    module = type(sys)(module_name)
    module.__loader__ = loader
    module.__package__ = spec.parent
    module.__spec__ = spec
    module.__file__ = origin
    module.__cached__ = spec.cached
    sys.modules[module_name] = module
    try:
        loader.exec_module(module)
    except Exception as exc:
        raise PackError(f"{path}: failed to import: {type(exc).__name__}: {exc}") from None
    return module


def _digest(text: str) -> str:
    """Ten hex digits of a hash of *text* (FNV-1a, 64 bit): hashlib costs ~4 ms to import."""
    h = 0xcbf29ce484222325
    for byte in text.encode():
        h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"[:10]


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
        """Changes whenever any file of any pack changes (for the cache key).

        A digest over every file (sorted path order, `__pycache__` left out)
        of its relative path and its stat (size, mtime, ctime, inode), the
        way the result cache tells unchanged files (see cache.py): reading
        and hashing ~2 MB of pack data cost more than the rest of a one-file
        cached run. A file changed in the last RACY_SECONDS adds its bytes
        too, since an edit within the same timestamp tick keeps the stat;
        ctime cannot be set back, so a restored mtime does not hide an edit."""
        import time

        try:
            from _blake2 import blake2b
        except ImportError:  # pragma: no cover - a Python built without it
            from hashlib import blake2b

        h = blake2b(digest_size=20)
        recent = time.time_ns() - RACY_SECONDS * 1_000_000_000
        for root in self.packs:
            for rel, entry in _walk(str(root), ("__pycache__",)):
                try:
                    if not entry.is_file():
                        continue
                    st = entry.stat()
                except OSError:
                    continue
                h.update(f"{rel}\0{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}\0".encode())
                if max(st.st_mtime_ns, st.st_ctime_ns) >= recent:
                    with open(entry.path, "rb", buffering=0) as f:
                        h.update(f.read())
        return h.hexdigest()


def _walk(root: str, skip: tuple[str, ...] = (), prune=None):
    """(relative path, os.DirEntry) of everything under *root*, in the order
    of `sorted(Path(root).rglob("*"))`: depth first, names sorted, into real
    folders only (rglob does not follow links to folders). Names in *skip*,
    or for which *prune(name)* is true, are left out with all they hold."""
    try:
        with os.scandir(root) as it:
            # Windows paths sort case-insensitively
            entries = sorted(it, key=(lambda e: e.name.lower()) if os.name == "nt" else (lambda e: e.name))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name in skip or (prune is not None and prune(name)):
            continue
        yield name, entry
        try:
            is_dir = entry.is_dir() and not entry.is_symlink()
        except OSError:
            is_dir = False
        if is_dir:
            for rel, sub in _walk(entry.path, skip, prune):
                yield name + os.sep + rel, sub


def _rule_files(root: Path) -> list[Path]:
    """The rule files of a pack (`*.py`, `*.schema.json`) in sorted path
    order, without walking the folders that cannot hold rules (hidden and
    private names, `generated`, `data`: ~200 data files)."""
    # name.endswith(".py") is Path.suffix == ".py" for a name not starting with "."
    return [root / rel for rel, _ in _walk(str(root), ("generated", "data"), lambda n: n.startswith(("_", ".")))
            if rel.endswith((".py", ".schema.json"))]


def load_packs(extra: list[Path] | None = None) -> RuleSet:
    ruleset = RuleSet()
    for index, root in enumerate([builtin_pack_path(), *(extra or [])]):
        root = Path(root)
        if not root.is_dir():
            raise PackError(f"rule pack not found: {root}")
        ruleset.packs.append(root)
        for f in _rule_files(root):
            rule = _schema_rule(f, root) if f.suffix == ".json" else _module_rule(f, root, shipped=index == 0)
            if rule.code in ruleset.rules:
                raise PackError(f"{f}: rule code {rule.code} is already defined by {ruleset.rules[rule.code].origin}")
            ruleset.rules[rule.code] = rule
    return ruleset

"""Rule packs: folders of Python rule modules and JSON Schema rules.

`rules/` at the top of the repository is the built-in pack (shipped in the
wheel as `daprlint/_builtin_rules`). Other packs load the same way.

A pack's Python modules are code, so they load only from a pack the person
running daprlint named outside the linted content: every pack path arrives
as a PackRef that says who named it (config.py makes them), and load_packs
imports modules only from trusted origins (TRUSTED_ORIGINS). A pack named by
a project config (a `pyproject.toml` or `.daprlint.toml`, including one given
with `--config`) is data only: its JSON Schema rules load, with `$ref`s and
files kept inside the pack; a folder that holds Python rule modules is
skipped whole (`RuleSet.refused`; config.py tells the user how to trust it).
There is no way to ask load_packs to import from such a pack: the trust is
where the path came from, not a flag.

Installed packs are found through the `daprlint.rule_packs` entry point
group (entry_point_packs), without importing `importlib.metadata`.
"""
from __future__ import annotations

import json
import os
import sys
from stat import S_ISREG  # os imports stat: nothing new at start-up
from ._record import field, record as dataclass
from collections import defaultdict
from functools import cached_property, lru_cache

TYPE_CHECKING = False  # typing costs ~3 ms at start-up: annotations only
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Callable

SEVERITIES = ("error", "warning", "info")
FIX_SAFETY = ("none", "safe", "unsafe")
SCOPES = ("resource", "workload", "runfile", "tree", "file", "engine")
ENTRY_POINT_GROUP = "daprlint.rule_packs"
# who may name a pack whose Python modules get imported: the person running
# daprlint (a flag, the environment, their own config outside the tree, a
# package they installed) or Python code calling load_packs with a plain path
TRUSTED_ORIGINS = ("builtin", "flag", "env", "user-config", "entry-point", "api")


RACY_SECONDS = 2  # see RuleSet.fingerprint


class PackError(Exception):
    """A rule pack is malformed; reported as a configuration error (exit 2)."""


class PackRef:
    """A rule pack folder and who named it (see TRUSTED_ORIGINS); immutable.

    *origin*: "flag" (--rule-pack), "env" (DAPRLINT_RULE_PACKS),
    "user-config", "entry-point", "project-config" or "api" (a plain path
    given to load_packs by Python code); any other origin is untrusted.
    *where*: the file, variable, flag or distribution that named it, for
    messages. (A plain class: a `_record` class costs ~0.16 ms to build at
    import.)"""

    __slots__ = ("path", "origin", "where")

    def __init__(self, path: Path, origin: str = "api", where: str = ""):
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "origin", origin)
        object.__setattr__(self, "where", where)

    def __setattr__(self, name, value):
        raise AttributeError("PackRef is immutable")

    def __reduce__(self):  # for --jobs workers without fork
        return PackRef, (self.path, self.origin, self.where)

    def __eq__(self, other):
        if other.__class__ is not PackRef:
            return NotImplemented
        return (self.path, self.origin, self.where) == (other.path, other.origin, other.where)

    def __hash__(self) -> int:
        return hash((self.path, self.origin, self.where))

    def __repr__(self) -> str:
        return f"PackRef({str(self.path)!r}, {self.origin!r}, {self.where!r})"

    def __str__(self) -> str:
        return str(self.path)

    @property
    def trusted(self) -> bool:
        return self.origin in TRUSTED_ORIGINS


def _path_type():
    """pathlib.Path, imported when a path object is first needed (see config._path_type):
    loading the built-in pack alone works on strs."""
    from pathlib import Path

    return Path


def builtin_pack_path() -> Path:
    return _path_type()(_real_builtin_folder())


def builtin_pack_folder() -> str:
    """builtin_pack_path as a str (`Path(__file__).resolve()` is os.path.realpath),
    or what builtin_pack_path gives where it was replaced (tests point it at a copy)."""
    if builtin_pack_path is not _BUILTIN_PACK_PATH:
        return str(builtin_pack_path())
    return _real_builtin_folder()


def _real_builtin_folder() -> str:
    here = os.path.dirname(os.path.realpath(__file__))
    installed = os.path.join(here, "_builtin_rules")
    return installed if os.path.isdir(installed) else os.path.join(os.path.dirname(os.path.dirname(here)), "rules")


_BUILTIN_PACK_PATH = builtin_pack_path


@dataclass(slots=True)
class Rule:
    code: str
    name: str
    severity: str
    summary: str
    fix: str
    opt_in: bool
    scope: str
    kinds: tuple[str, ...]
    check: Callable[..., Any]
    origin: str
    pack: str
    # the rule judges what is absent (a required field, a missing key): not run on a kustomize patch
    skip_partial: bool = False
    # the spec.types the rule can report on (see TYPES in docs/writing-rules.md and
    # engine.type_filter); None: every resource of its kinds
    types: tuple[str, ...] | None = None
    # the docstring, cleaned; None until an indexed rule's module is imported (see `doc`)
    _doc: str | None = None

    @property
    def prefix(self) -> str:
        return self.code.rstrip("0123456789")

    @property
    def doc(self) -> str:
        if self._doc is None:
            self.load()
        return self._doc

    def load(self) -> "Rule":
        """Import the module of a rule known from the built-in pack's index
        (see _indexed_rule); a rule loaded any other way already is."""
        if self._doc is None:
            _import_indexed(self)
        return self


class PackData:
    """JSON data files of the loaded packs, read once, on first use."""

    def __init__(self, roots: list):  # folders, as strs or Paths
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
            candidate = os.path.join(root, relpath)
            if os.path.isfile(candidate):
                with open(candidate, encoding="utf-8") as f:
                    value = self._cache[relpath] = json.loads(f.read())
                return value
        raise PackError(f"rule data file not found in any rule pack: {relpath}")

    def path(self, relpath: str) -> Path:
        return _path_type()(self.file_path(relpath))

    def file_path(self, relpath: str) -> str:
        """path() as a str, for callers that need no pathlib (it costs 2-6 ms at start-up)."""
        for root in self._roots:
            candidate = os.path.join(root, relpath)
            if os.path.isfile(candidate):
                return candidate
        raise PackError(f"rule data file not found in any rule pack: {relpath}")


def _module_rule(path: Path, pack: Path, shipped: bool = False) -> Rule:
    # the built-in pack ships with the package; a user's pack is edited in place
    module = _import_file(path, cache_bytecode=shipped)
    return _validated(Rule(**module_metadata(module, path), check=module.check, origin=str(path), pack=str(pack),
                           _doc=_cleandoc(module.__doc__ or module.SUMMARY)))


def module_metadata(module, path: Path) -> dict:
    """What a rule module declares besides `check` and its docstring, as Rule's fields."""
    missing = [a for a in ("CODE", "NAME", "SEVERITY", "SUMMARY", "check") if not hasattr(module, a)]
    if missing:
        raise PackError(f"{path}: rule module lacks {', '.join(missing)}")
    return {"code": module.CODE, "name": module.NAME, "severity": module.SEVERITY, "summary": module.SUMMARY,
            "fix": getattr(module, "FIX", "none"), "opt_in": bool(getattr(module, "OPT_IN", False)),
            "scope": getattr(module, "SCOPE", "resource"), "kinds": tuple(getattr(module, "KINDS", ("Component",))),
            "skip_partial": bool(getattr(module, "SKIP_PARTIAL", False)), "types": _types_of(module)}


def _types_of(module) -> tuple[str, ...] | None:
    types = getattr(module, "TYPES", None)
    return None if types is None else tuple(types)


# -- the built-in pack's index ----------------------------------------------------
# Importing the 46 built-in rule modules (and dapr.py, versions.py and
# structure.py, which they import) costs ~25 ms, a fifth of a one-file run
# here, and a run whose files are all cache hits calls no rule. The index
# (scripts/gen_rule_index.py) holds each module's metadata and the size and
# CRC-32 of its bytes; a module whose bytes still match is imported on its
# rule's first check (or `doc`), any other one at once, as before. Reading and
# checking the 46 files costs ~1 ms.
INDEX_NAME = "_index.json"
INDEX_FORMAT = 1


def _file_digest(data: bytes) -> str:
    """Size and CRC-32: the index guards against a module edited since it was
    generated, not against an attacker (who could edit the module could run
    code anyway), and blake2b over the 46 files cost 4x as much."""
    from binascii import crc32

    return f"{len(data)}:{crc32(data):08x}"


def build_index(root: Path) -> dict:
    """The index of the Python rule modules of the pack at *root* (imports them)."""
    rules = {}
    for path in python_rule_files(root):
        module = _import_file(path)
        meta = module_metadata(module, path)
        rules[path.relative_to(root).as_posix()] = {
            "digest": _file_digest(path.read_bytes()), **meta, "kinds": list(meta["kinds"]),
            "types": None if meta["types"] is None else list(meta["types"])}
    return {"format": INDEX_FORMAT, "rules": rules}


def _read_index(root: str) -> dict:
    try:
        with open(os.path.join(root, INDEX_NAME), "rb") as f:
            index = json.loads(f.read())
    except (OSError, ValueError):
        return {}
    if not isinstance(index, dict) or index.get("format") != INDEX_FORMAT or not isinstance(index.get("rules"), dict):
        return {}
    return index["rules"]


def _indexed_rule(path: str, pack: str, entry) -> Rule | None:
    """The rule of *path* from its index entry, or None if the entry does not
    describe the file's bytes as they are now."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if not isinstance(entry, dict) or entry.get("digest") != _file_digest(data):
        return None
    try:
        meta = {k: entry[k] for k in _INDEXED_FIELDS}
    except KeyError:
        return None
    meta["kinds"] = tuple(meta["kinds"])
    if meta["types"] is not None:
        meta["types"] = tuple(meta["types"])
    rule = _validated(Rule(**meta, check=None, origin=str(path), pack=str(pack)))
    rule.check = _deferred_check(rule)
    return rule


_INDEXED_FIELDS = ("code", "name", "severity", "summary", "fix", "opt_in", "scope", "kinds", "skip_partial", "types")


def _deferred_check(rule: Rule):
    def check(target, ctx):  # replaced by the module's own check on the first call
        return rule.load().check(target, ctx)
    return check


def _import_indexed(rule: Rule) -> None:
    path = rule.origin  # a str: _import_file takes either
    module = _import_file(path)
    meta = module_metadata(module, path)
    if any(meta[k] != getattr(rule, k) for k in _INDEXED_FIELDS):  # metadata computed at import time
        raise PackError(f"{path}: the rule differs from its entry in {INDEX_NAME}; run scripts/gen_rule_index.py")
    rule.check = module.check
    rule._doc = _cleandoc(module.__doc__ or module.SUMMARY)


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


def _import_file(path: Path | str, cache_bytecode: bool = True):
    """Import one rule module under a name of its own, as
    importlib.util.spec_from_file_location + module_from_spec + exec_module
    do (same module attributes, bytecode cache and tracebacks), without
    importing importlib.util (~4 ms with contextlib)."""
    from importlib.machinery import ModuleSpec, SourceFileLoader

    origin = os.fspath(path)
    stem = os.path.splitext(os.path.basename(origin))[0]  # Path.stem
    # a stable name per file, so worker processes agree on it
    module_name = f"daprlint_pack_{_digest(origin)}_{stem}"
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
    if rule.types is not None:
        if rule.scope != "resource":
            raise PackError(f"{rule.origin}: TYPES applies to resource rules only")
        for entry in rule.types:
            if not isinstance(entry, str) or not _valid_type_entry(entry):
                raise PackError(f"{rule.origin}: TYPES entries are types (`state.redis`), prefixes "
                                f"(`bindings.aws.*`) or `data:FILE#/POINTER`, not {entry!r}")
    return rule


TYPES_DATA = "data:"  # a TYPES entry that names pack data: "data:generated/aws.json#/conditional"


def _valid_type_entry(entry: str) -> bool:
    if not entry.startswith(TYPES_DATA):
        return entry == entry.strip().lower() and "*" not in entry[:-1]
    file, hash_, _ = entry[len(TYPES_DATA):].partition("#")
    parts = file.replace("\\", "/").split("/")
    return bool(hash_ and file) and not file.startswith("/") and ".." not in parts


def _schema_rule(path: Path, pack: Path, confined: bool = False) -> Rule:
    """A `*.schema.json` rule. *confined* (an untrusted pack): the file and
    every file its `$ref`s name must lie inside the pack folder, so a pack
    named by a linted tree cannot read, and quote in messages, files
    elsewhere on the machine."""
    from .schema import schema_check  # schema rules only cost what they use

    if confined:
        _confine(path, pack, path)
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PackError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(schema, dict):
        raise PackError(f"{path}: a schema rule must be a JSON object")
    meta = schema.get("x-daprlint")
    if not isinstance(meta, dict):
        raise PackError(f"{path}: a schema rule needs an 'x-daprlint' object")
    if confined:
        for ref in _external_refs(schema):
            if ":" in ref:  # a URL (or a drive): only files of the pack, by relative path
                raise PackError(f"{path}: $ref {ref!r} is not a file of the rule pack; a pack named by a project "
                                "config may only use files inside it")
            _confine(path.parent / ref, pack, path)
    try:
        return _validated(Rule(
            code=meta["code"], name=meta["name"], severity=meta.get("severity", "error"),
            summary=meta["summary"], _doc=meta.get("doc", meta["summary"]), fix="none",
            opt_in=bool(meta.get("opt-in", False)), scope="resource",
            kinds=tuple(meta.get("kinds", ["Component"])),
            check=schema_check(schema, path, meta), origin=str(path), pack=str(pack),
        ))
    except KeyError as exc:
        raise PackError(f"{path}: 'x-daprlint' lacks {exc}") from None


def _external_refs(schema) -> list[str]:
    """The file parts of every `$ref` in a schema (`other.json#/x` -> `other.json`)."""
    found, stack = [], [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.partition("#")[0]:
                found.append(ref.partition("#")[0])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _confine(path: Path, pack: Path, named_in: Path) -> None:
    try:
        inside = _path_type()(path).resolve().is_relative_to(pack.resolve())
    except (OSError, ValueError):
        inside = False
    if not inside:
        raise PackError(f"{named_in}: {path} lies outside the rule pack {pack}; a pack named by a project "
                        "config may only use files inside it")


@dataclass
class RuleSet:
    rules: dict[str, Rule] = field(default_factory=dict)
    packs: list[str] = field(default_factory=list)  # their folders
    # untrusted packs that hold Python rule modules: not loaded at all
    refused: list[PackRef] = field(default_factory=list)

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
        ctime cannot be set back, so a restored mtime does not hide an edit.

        A pack's `generated/` folder that holds a manifest (MANIFEST_NAME,
        written by the generators that write the folder) counts as that one
        file: the built-in pack's 320 generated files cost 320 stats (~3 ms
        of a ~100 ms one-file run). The manifest holds each file's size and
        CRC-32, so regenerating changes it; a hand edit of a generated file
        does not, and tests/test_generated_manifest.py fails on one."""
        import time

        try:
            from _blake2 import blake2b
        except ImportError:  # pragma: no cover - a Python built without it
            from hashlib import blake2b

        h = blake2b(digest_size=20)
        recent = time.time_ns() - RACY_SECONDS * 1_000_000_000
        for root in self.packs:
            manifest = os.path.join(str(root), GENERATED_FOLDER, MANIFEST_NAME)
            try:
                st = os.stat(manifest)
                covered = S_ISREG(st.st_mode)
            except OSError:
                covered = False
            for rel, entry in _walk(str(root), ("__pycache__",), top_skip=(GENERATED_FOLDER,) if covered else ()):
                try:
                    if entry.is_file():
                        _add_stat(h, rel, entry.path, entry.stat(), recent)
                except OSError:
                    continue
            if covered:
                _add_stat(h, os.path.join(GENERATED_FOLDER, MANIFEST_NAME), manifest, st, recent)
        return h.hexdigest()


# the manifest of a pack's generated data (see RuleSet.fingerprint)
GENERATED_FOLDER = "generated"
MANIFEST_NAME = "MANIFEST.json"
MANIFEST_FORMAT = 1


def build_manifest(folder) -> str:
    """The text of the manifest of *folder* (a pack's `generated/`): every
    file under it but the manifest, by relative POSIX path, with its size
    and CRC-32 (see _file_digest). The generators write it."""
    files = {}
    for rel, entry in _walk(str(folder), ("__pycache__",)):
        if rel == MANIFEST_NAME or not entry.is_file():
            continue
        with open(entry.path, "rb") as f:
            files[rel.replace(os.sep, "/")] = _file_digest(f.read())
    return json.dumps({"format": MANIFEST_FORMAT, "files": files}, indent=1, sort_keys=True) + "\n"


def _add_stat(h, rel: str, path: str, st: os.stat_result, recent: int) -> None:
    """One file's part of the fingerprint: its stat, and its bytes if it changed lately."""
    h.update(f"{rel}\0{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}\0".encode())
    if max(st.st_mtime_ns, st.st_ctime_ns) >= recent:
        with open(path, "rb", buffering=0) as f:
            h.update(f.read())


def _walk(root: str, skip: tuple[str, ...] = (), prune=None, top_skip: tuple[str, ...] = ()):
    """(relative path, os.DirEntry) of everything under *root*, in the order
    of `sorted(Path(root).rglob("*"))`: depth first, names sorted, into real
    folders only (rglob does not follow links to folders). Names in *skip*,
    or for which *prune(name)* is true, are left out with all they hold;
    names in *top_skip* only where they sit right under *root*."""
    try:
        with os.scandir(root) as it:
            # Windows paths sort case-insensitively
            entries = sorted(it, key=(lambda e: e.name.lower()) if os.name == "nt" else (lambda e: e.name))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name in skip or name in top_skip or (prune is not None and prune(name)):
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
    return [root / rel for rel, _ in _rule_names(str(root))]


def _rule_names(root: str) -> list[tuple[str, str]]:
    """_rule_files as (relative path, path) strs."""
    # name.endswith(".py") is Path.suffix == ".py" for a name not starting with "."
    return [(rel, os.path.join(root, rel))
            for rel, _ in _walk(root, ("generated", "data"), lambda n: n.startswith(("_", ".")))
            if rel.endswith((".py", ".schema.json"))]


def python_rule_files(root: Path) -> list[Path]:
    """The Python rule modules of a pack folder (what makes it code, not data)."""
    return [f for f in _rule_files(root) if f.suffix == ".py"]


def _as_ref(item) -> PackRef:
    return item if isinstance(item, PackRef) else PackRef(_path_type()(item))


def load_packs(extra: list[PackRef | Path] | None = None) -> RuleSet:
    """The built-in pack and *extra* packs, trusted ones first.

    A plain path counts as named by the calling code (origin "api"). An
    untrusted pack (PackRef.trusted false) loads only if it holds no Python
    rule module, and then only its schema rules; otherwise it goes to
    `refused`, untouched."""
    ruleset = RuleSet()
    refs = [PackRef(builtin_pack_folder(), "builtin")] + sorted(
        (_as_ref(item) for item in extra or ()), key=lambda r: not r.trusted)  # stable: order kept within each
    for index, ref in enumerate(refs):
        # strs: a Path is made only for a rule module imported now or a schema rule (see _path_type)
        root = ref.path if index == 0 else str(_path_type()(ref.path))  # in Path's normal form, as before
        if not os.path.isdir(root):
            raise PackError(f"rule pack not found: {root}" + (f" (named in {ref.where})" if ref.where else ""))
        trusted = ref.trusted
        files = _rule_names(root)
        if not trusted and any(rel.endswith(".py") for rel, _ in files):
            ruleset.refused.append(ref)
            continue
        ruleset.packs.append(root)
        indexed = _read_index(root) if index == 0 else {}  # the built-in pack's (see INDEX_NAME)
        for rel, f in files:
            if rel.endswith(".json"):
                rule = _schema_rule(_path_type()(f), _path_type()(root), confined=not trusted)
            else:
                entry = indexed.get(rel.replace(os.sep, "/"))
                rule = (entry and _indexed_rule(f, root, entry)) or _module_rule(
                    _path_type()(f), _path_type()(root), shipped=index == 0)
            if rule.code in ruleset.rules:
                raise PackError(f"{f}: rule code {rule.code} is already defined by {ruleset.rules[rule.code].origin}")
            ruleset.rules[rule.code] = rule
    return ruleset


# -- installed packs -------------------------------------------------------------
def entry_point_packs(path_entries: list[str] | None = None) -> list[PackRef]:
    """Packs that installed distributions declare in the `daprlint.rule_packs`
    entry point group: `name = package` (the package's folder is the pack;
    nothing is imported to find it).

    The common case (no such distribution) costs one directory listing per
    sys.path entry and one small read per installed distribution with an
    `entry_points.txt` (~0.3 ms for 39 distributions), where
    `importlib.metadata` costs 100+ ms to import and ~10 ms to scan. Entries
    that stand for the current folder ('' or a relative path, as
    `python -m` adds) are skipped: a linted tree must not be able to declare
    a pack by holding a `*.dist-info` folder."""
    found: list[PackRef] = []
    entries = _safe_path_entries(sys.path if path_entries is None else path_entries)
    for entry in entries:
        try:
            listing = os.scandir(entry)
        except OSError:
            continue
        with listing:
            dists = [e.path for e in listing if e.name.endswith((".dist-info", ".egg-info"))]
        group = ENTRY_POINT_GROUP.encode()
        for dist in sorted(dists):
            try:
                with open(dist + os.sep + "entry_points.txt", "rb", buffering=0) as f:  # small: one raw read
                    data = f.read()
            except OSError:
                continue
            if group in data:
                found += _declared_packs(dist, data.decode("utf-8", "replace"), entry, entries)
    return found


def _safe_path_entries(entries) -> list[str]:
    """The sys.path entries that may hold distributions: not the current folder
    (untrusted), not the standard library's own folders (no distribution lives
    there, and listing them is most of the cost)."""
    cwd = os.getcwd()
    stdlib = os.path.dirname(os.__file__)
    skip = {cwd, stdlib, os.path.join(stdlib, "lib-dynload")}
    return [e for e in entries if e and os.path.isabs(e) and os.path.normpath(e) not in skip]


def _declared_packs(dist: str, text: str, entry: str, entries: list[str]) -> list[PackRef]:
    """The packs of one distribution's entry_points.txt (an INI file)."""
    refs, section = [], None
    dist_name = os.path.basename(dist).rsplit(".", 1)[0]
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        if section != ENTRY_POINT_GROUP or "=" not in line:
            continue
        name, _, value = (part.strip() for part in line.partition("="))
        value = value.split("[", 1)[0].strip()  # extras do not apply to a folder
        where = f"entry point {name!r} of {dist_name}"
        if ":" in value or not all(part.isidentifier() for part in value.split(".")):
            raise PackError(f"{where}: {value!r} must name a package (its folder is the pack), "
                            "as `name = package.subpackage`")
        folder = _package_folder(value, [entry] + [e for e in entries if e != entry])
        if folder is None:
            raise PackError(f"{where}: package {value!r} not found")
        refs.append(PackRef(folder, "entry-point", where))
    return refs


def _package_folder(dotted: str, entries: list[str]) -> Path | None:
    """The folder of an installed package, without importing it: looked up in
    the sys.path entries (the distribution's own first), then through the
    import system's finders for the top-level name (editable installs;
    finding a top-level module runs no module code)."""
    parts = dotted.split(".")
    for entry in entries:
        candidate = _path_type()(entry, *parts)
        if candidate.is_dir():
            return candidate
    from importlib.util import find_spec

    try:
        spec = find_spec(parts[0])
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    unsafe = os.getcwd()
    for location in locations:
        candidate = _path_type()(location, *parts[1:])
        if os.path.normpath(location) != unsafe and candidate.is_dir():
            return candidate
    return None

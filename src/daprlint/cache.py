"""A result cache keyed by file content, like ruff's, with git's stat shortcut.

The key of a cache (its file names) combines the daprlint version, the
contents of every loaded rule pack and the settings, so any change there
starts a new cache. Inside it, three stores:

- `KEY.json`, one entry per path: the path, the blake2b digest of the
  content the findings were computed from, the file's stat key (size,
  mtime_ns, ctime_ns, inode) taken *before* that content was read, when the
  run that read it started, whether the file has `# daprlint: ignore`
  comments, and its own (per-file) findings, not yet finalized.
- `KEY.facts.json`: each path's tree facts (as JSON text) with the digest
  they came from; read only when the tree rules have to run again.
- `KEY.tree.TREEKEY.json`: the tree rules' findings for one TREEKEY, a
  digest of the ordered (path, content digest) list of the linted files,
  the same for the `resources-paths` context files, and the working folder
  (tree rules group files by absolute folder). The newest few are kept.

What makes a per-file hit, either:

- the stat key matches and the file's last change (mtime or ctime, whichever
  is later) is more than RACY_MARGIN_NS older than the start of the run that
  read it. That is git's "racy clean" rule: an edit in the same timestamp
  tick as our read could leave the stat key unchanged, a later one cannot;
  and ctime, unlike mtime, cannot be set back by a tool. The file is not
  read at all; or
- the file is read and hashed, and the digest matches (the entry then takes
  the new stat key and read time).

The text of a hit is read only where reporting needs it: finalize() for a
file with suppression comments, and the SARIF reporter for findings with a
fix. That read is hashed too, and a mismatch turns the hit into a miss.

What makes a tree hit: this run's tree key equals a stored one. Tree
findings are a pure function of the facts (and the settings), and facts of
the path and content, so equal keys mean equal findings. Otherwise the tree
rules run over the facts of every file: fresh ones, or the stored ones of
hits (stored with the same digest; a hit without them is linted again).

Why a stale cache cannot hide a finding: every stored answer sits under the
digest of the exact content it was computed from, and is used only for a
file whose content is known to have that digest now (hashed this run, or
unchanged since it was hashed, by the stat rule above). A miss is linted
from the very bytes that are hashed. With --jobs, workers read the file
again, so their result is stored only if the stat rule shows the file did
not change in between (else neither it nor this run's tree findings are
stored). Results with an INT001 are never stored; files that cannot be read
are linted every run.

Entries hold what reporting needs and never a secret value (fix payloads
for --secrets-out and finding.secrets are not stored; --fix and --diff never
use the cache). The cache folder carries a CACHEDIR.TAG and a `.gitignore`.
"""
from __future__ import annotations

try:  # the same function hashlib.blake2b is, without loading OpenSSL (~3 ms a run)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b
import json
import os
import stat
import time
from pathlib import Path

from . import __version__
from .engine import Engine, FileResult, Finding
from .loader import DecodeError, Source, decode
from .rulekit import Edit, Fix
from .span import Span

MAX_ENTRIES = 200_000
RACY_MARGIN_NS = 2_000_000_000
TREE_SLOTS = 4        # tree results kept: e.g. the whole repo and the few files pre-commit passes
FORMAT = 2            # layout of the stores below; part of the key

# an entry, as a list: compact JSON, quick to load (a list of rows parses
# faster than an object keyed by path, whose keys the JSON decoder memoises)
PATH, DIGEST, STAT_KEY, READ_AT, HAS_COMMENT, FINDINGS = range(6)


# -- findings as JSON -----------------------------------------------------
def _finding_to_json(f: Finding) -> list:
    s = f.span
    fix = None
    if f.fix is not None:
        fix = [f.fix.description, f.fix.safety, f.fix.blocked,
               [[e.start, e.end, e.replacement] for e in f.fix.edits]]
    return [s.start, s.end, s.line, s.column, s.end_line, s.end_column, f.code, f.name, f.severity, f.message, fix]


def _finding_from_json(path: str, d: list) -> Finding:
    fix = None
    if d[10] is not None:
        desc, safety, blocked, edits = d[10]
        fix = Fix(desc, tuple(Edit(*e) for e in edits), safety, blocked=blocked)
    return Finding(path, Span(*d[0:6]), d[6], d[7], d[8], d[9], fix)


def _json_fix_needs_text(d: list) -> bool:
    """The SARIF reporter needs the file's text for this finding (see report/sarif._fixes)."""
    fix = d[10]
    return fix is not None and bool(fix[3]) and not fix[2]


def _fix_needs_text(f: Finding) -> bool:
    return f.fix is not None and bool(f.fix.edits) and not f.fix.blocked


# -- digests and stat keys --------------------------------------------------
def digest_of_bytes(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def stat_key(st: os.stat_result) -> str:
    # one string: four 19-digit JSON numbers per file cost more to load than the text
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def settled(st: os.stat_result, read_at_ns: int) -> bool:
    """The file's last change (mtime or ctime, whichever is later) was long
    enough before *read_at_ns* that any edit after it moves them (the
    racy-git rule: an edit in the same timestamp tick as a read may not)."""
    return max(st.st_mtime_ns, st.st_ctime_ns) < read_at_ns - RACY_MARGIN_NS


def unchanged_since_read(entry: list, st: os.stat_result) -> bool:
    """True when the file cannot have changed since the entry's content was read."""
    return stat.S_ISREG(st.st_mode) and entry[STAT_KEY] == stat_key(st) and settled(st, entry[READ_AT])


# -- the stores -------------------------------------------------------------
def _read_json(path: Path):
    import gc

    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    enabled = gc.isenabled()
    gc.disable()  # JSON builds no cycles: collecting while it allocates ~100k objects is wasted (~30%)
    try:
        return json.loads(data)
    except ValueError:
        return None
    finally:
        if enabled:
            gc.enable()


class ResultCache:
    def __init__(self, folder: Path, engine: Engine):
        self.folder = folder
        self.started_ns = time.time_ns()  # before any file of this run is read
        settings = engine.settings
        material = json.dumps({
            "format": FORMAT,
            "version": __version__, "packs": engine.ruleset.fingerprint(), "rules": sorted(engine.rules),
            "severity": settings.severity, "per-file-ignores": settings.per_file_ignores,
            "options": {k: v for k, v in settings.options.items() if k not in ("cache-dir", "secrets-out")},
            "root": str(settings.root),
        }, sort_keys=True, default=str)
        self.key = blake2b(material.encode(), digest_size=12).hexdigest()
        self.file = folder / f"{self.key}.json"
        self.facts_file = folder / f"{self.key}.facts.json"
        self.entries: dict[str, list] = {}
        loaded = _read_json(self.file)
        if isinstance(loaded, dict) and isinstance(loaded.get("entries"), list):
            self.entries = {row[PATH]: row for row in loaded["entries"]
                            if type(row) is list and len(row) == 6 and type(row[PATH]) is str}
        self.keeps_facts = bool(engine._by_scope["tree"])
        self._facts: dict[str, list] | None = None  # loaded on first use: only a tree miss needs them
        self.dirty = self.facts_dirty = False
        self.new_tree: tuple[str, list] | None = None

    # per-file entries
    def entry(self, path: str) -> list | None:
        return self.entries.get(path)

    def touch(self, path: str, st: os.stat_result) -> None:
        """The file was read this run and its digest matched: trust the new stat key from now on."""
        entry = self.entries[path]
        entry[STAT_KEY], entry[READ_AT] = stat_key(st), self.started_ns
        self.dirty = True

    def put(self, path: str, st: os.stat_result, digest: str, result: FileResult) -> None:
        if any(f.code == "INT001" for f in result.findings):
            return  # never cache a crash
        self.entries[path] = [path, digest, stat_key(st), self.started_ns, _has_suppressions(result),
                              [_finding_to_json(f) for f in result.findings]]
        self.dirty = True
        if self.keeps_facts:
            # as JSON text: a third of the memory of nested lists, and a faster store to load
            self.facts()[path] = [digest, json.dumps([f.to_json() for f in result.facts], separators=(",", ":"))]
            self.facts_dirty = True

    # tree facts
    def facts(self) -> dict[str, list]:
        if self._facts is None:
            loaded = _read_json(self.facts_file)
            self._facts = loaded if isinstance(loaded, dict) else {}
        return self._facts

    def facts_of(self, path: str, digest: str) -> list | None:
        """The stored facts of *path* at *digest* (as JSON lists), if any."""
        stored = self.facts().get(path)
        if not (isinstance(stored, list) and len(stored) == 2 and stored[0] == digest):
            return None
        try:
            return json.loads(stored[1])
        except (TypeError, ValueError):
            return None

    # tree findings
    def _tree_file(self, tree_key: str) -> Path:
        return self.folder / f"{self.key}.tree.{tree_key}.json"

    def tree_findings(self, tree_key: str) -> list[Finding] | None:
        stored = _read_json(self._tree_file(tree_key))
        if not isinstance(stored, dict) or stored.get("key") != tree_key:
            return None
        try:
            os.utime(self._tree_file(tree_key))  # recently used: kept when old ones are pruned
        except OSError:
            pass
        return [_finding_from_json(d[0], d[1:]) for d in stored["findings"]]

    def put_tree(self, tree_key: str, findings: list[Finding]) -> None:
        if any(f.code == "INT001" for f in findings):
            return  # never cache a crash
        self.new_tree = (tree_key, [[f.path] + _finding_to_json(f) for f in findings])

    # writing
    def save(self) -> None:
        if not (self.dirty or self.facts_dirty or self.new_tree):
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tag = self.folder.parent / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n# daprlint result cache\n")
                (self.folder.parent / ".gitignore").write_text("*\n")
            from .atomic import atomic_write

            if self.dirty:
                self.entries = dict(list(self.entries.items())[-MAX_ENTRIES:])
                atomic_write(self.file, _dump({"entries": list(self.entries.values())}))
            if self.facts_dirty:
                kept = {p: v for p, v in self.facts().items() if p in self.entries}
                atomic_write(self.facts_file, _dump(kept))
            if self.new_tree:
                tree_key, findings = self.new_tree
                atomic_write(self._tree_file(tree_key), _dump({"key": tree_key, "findings": findings}))
                self._prune_tree_files()
        except OSError:
            pass  # a cache that cannot be written is no error

    def _prune_tree_files(self) -> None:
        files = sorted(self.folder.glob(f"{self.key}.tree.*.json"), key=lambda p: p.stat().st_mtime_ns)
        for old in files[:-TREE_SLOTS]:
            old.unlink(missing_ok=True)


def _dump(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def cache_folder(engine: Engine, args) -> Path:
    base = args.cache_dir or engine.options.get("cache-dir") or os.environ.get("DAPRLINT_CACHE_DIR")
    root = Path(base) if base else engine.settings.root / ".daprlint_cache"
    return root / "v1"


# -- one run ----------------------------------------------------------------
NO_CONTENT = "-"  # the digest of a file that could not be read: no content, no facts


class _Item:
    """One file of the run and what is known about it so far."""

    __slots__ = ("target", "path", "stat", "hashed", "digest", "result", "hit")

    def __init__(self, target):
        self.target = target
        self.path: str = target.path
        self.stat: os.stat_result | None = None  # taken before any read of this run
        self.hashed: str | None = None           # digest of the bytes read to look it up
        self.digest: str | None = None           # of the content `result` describes; None: unknown
        self.result: FileResult | None = None    # None: to be linted
        self.hit = False                         # result is from the cache

    def to_lint(self) -> None:
        self.hashed = self.digest = self.result = None
        self.hit = False


def _probe(cache: ResultCache, engine: Engine, item: _Item, fix_texts: bool | None) -> None:
    """Serve *item* from the cache if its content is known to be unchanged,
    with its text if reporting needs it (*fix_texts* None: never, a context file)."""
    path, entry = item.path, cache.entry(item.path)
    try:
        item.stat = os.stat(path)
    except OSError:
        pass
    if entry is not None and item.stat is not None and unchanged_since_read(entry, item.stat):
        _serve(item, entry)
        if _needs_text(entry, fix_texts) and not _read_text(engine, item):
            item.to_lint()
        return
    data, problem = engine.read(path, item.target.explicit)
    if data is None:
        item.result = engine.lint_bytes(path, None, problem, item.target.explicit)  # never cached
        item.digest = NO_CONTENT
        return
    item.hashed = digest_of_bytes(data)
    if entry is not None and entry[DIGEST] == item.hashed and item.stat is not None:
        cache.touch(path, item.stat)
        _serve(item, entry)
        if _needs_text(entry, fix_texts) and not _give_text(item, data):
            item.to_lint()


def _serve(item: _Item, entry: list) -> None:
    result = FileResult(item.path)
    result.findings = [_finding_from_json(item.path, d) for d in entry[FINDINGS]]
    item.result, item.digest, item.hit = result, entry[DIGEST], True


def _needs_text(entry: list, fix_texts: bool | None) -> bool:
    if fix_texts is None:
        return False
    return bool(entry[HAS_COMMENT]) or (fix_texts and any(_json_fix_needs_text(d) for d in entry[FINDINGS]))


def _read_text(engine: Engine, item: _Item) -> bool:
    """Give a hit its text, read now; False if the file no longer has the hit's digest."""
    data, _ = engine.read(item.path, item.target.explicit)
    return data is not None and digest_of_bytes(data) == item.digest and _give_text(item, data)


def _give_text(item: _Item, data: bytes) -> bool:
    try:
        text, bom = decode(data)
    except DecodeError:
        return False
    # finalize() parses the suppressions from this text (result.suppressions stays None)
    item.result.source = Source(path=item.path, text=text, bom=bom)
    return True


def _has_suppressions(result: FileResult) -> bool:
    """Whether finalize() needs the text of this file when it is served from the cache
    (it reads the suppressions from result.suppressions, else from the source text, if kept)."""
    if result.suppressions is not None:
        return bool(result.suppressions)
    return result.source is not None and "daprlint:" in result.source.text


def _lint_misses(cache: ResultCache, engine: Engine, items: list[_Item], jobs: int) -> None:
    from .runner import PARALLEL_THRESHOLD

    misses = [i for i in items if i.result is None]
    if jobs > 1 and len(misses) >= PARALLEL_THRESHOLD:
        _lint_in_workers(cache, engine, misses, jobs)
    else:
        for item in misses:
            _lint_here(cache, engine, item)


def _lint_here(cache: ResultCache, engine: Engine, item: _Item) -> None:
    """Lint the very bytes that are hashed: the entry's digest is exact."""
    from .runner import _slim  # keep exactly what the uncached path keeps of a result

    data, problem = engine.read(item.path, item.target.explicit)
    item.result = _slim(engine.lint_bytes(item.path, data, problem, item.target.explicit))
    if data is None:
        item.digest = NO_CONTENT
        return
    item.digest = digest_of_bytes(data)
    if item.stat is not None:
        cache.put(item.path, item.stat, item.digest, item.result)


def _lint_in_workers(cache: ResultCache, engine: Engine, misses: list[_Item], jobs: int) -> None:
    """Workers read the files again: their result is stored under the digest
    read here only if the stat rule shows the file did not change in between;
    otherwise its digest is unknown (not stored, and no tree result either)."""
    from .runner import lint_targets

    for item, result in zip(misses, lint_targets(engine, [i.target for i in misses], jobs)):
        item.result = result
        if item.hashed is not None and _unchanged_during_run(cache, item):
            item.digest = item.hashed
            cache.put(item.path, item.stat, item.digest, result)


def _unchanged_during_run(cache: ResultCache, item: _Item) -> bool:
    try:
        now = os.stat(item.path)
    except OSError:
        return False
    return item.stat is not None and stat_key(now) == stat_key(item.stat) and settled(now, cache.started_ns)


def _tree_key(items: list[_Item], context: list[_Item]) -> str | None:
    """What the tree findings are a function of (besides the settings, in the
    cache key): each file's path and content, in order, and the working
    folder (folders are grouped by absolute path). None if a content is unknown."""
    if any(i.digest is None for i in items) or any(i.digest is None for i in context):
        return None
    lines = [os.getcwd()]
    lines += [f"{i.path}\0{i.digest}" for i in items]
    lines.append("\0context")
    lines += [f"{i.path}\0{i.digest}" for i in context]
    return blake2b("\n".join(lines).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _attach_facts(cache: ResultCache, items: list[_Item]) -> bool:
    """Give every hit its stored facts; a hit without them is to be linted. True if any was."""
    from .tree import Facts

    demoted = False
    for item in items:
        if not item.hit or item.result.facts:
            continue
        stored = cache.facts_of(item.path, item.digest)
        if stored is None:
            item.to_lint()
            demoted = True
        else:
            item.result.facts = [Facts.from_json(item.path, f) for f in stored]
    return demoted


def _run_tree_rules(cache: ResultCache, engine: Engine, items: list[_Item], context: list[_Item], jobs: int):
    from .tree import tree_findings

    key = _tree_key(items, context)
    findings = cache.tree_findings(key) if key is not None else None
    if findings is not None:
        return findings
    if _attach_facts(cache, items + context):
        _lint_misses(cache, engine, items + context, jobs)
    findings = tree_findings(engine, [i.path for i in items], [f for i in items for f in i.result.facts],
                             [f for i in context for f in i.result.facts])
    key = _tree_key(items, context)
    if key is not None:
        cache.put_tree(key, findings)
    return findings


def cached_check(engine: Engine, targets, context_targets, args, fix_texts: bool) -> list[FileResult]:
    """Lint *targets* through the cache, run the tree rules (over *context_targets*
    too) through it, and finalize. *fix_texts*: the SARIF reporter will need
    the text of files whose findings carry a fix."""
    from .tree import add_findings

    cache = ResultCache(cache_folder(engine, args), engine)
    items = [_Item(t) for t in targets]
    context = [_Item(t) for t in context_targets]
    for item in items:
        _probe(cache, engine, item, fix_texts)
    for item in context:
        _probe(cache, engine, item, None)  # read for facts only, never reported
    _lint_misses(cache, engine, items + context, args.jobs)
    findings = _run_tree_rules(cache, engine, items, context, args.jobs) if engine._by_scope["tree"] else []
    results = [i.result for i in items]  # now: the tree stage may have linted a hit again
    add_findings(results, findings)
    if fix_texts:
        _load_texts_for_tree_fixes(engine, items, findings)
    cache.save()
    return [engine.finalize(r) for r in results]


def _load_texts_for_tree_fixes(engine: Engine, items: list[_Item], findings: list[Finding]) -> None:
    """Tree rules may carry fixes too. If such a file changed since it was
    hashed, its fix is left out of the SARIF (the run saw the old content)."""
    wanted = {f.path for f in findings if _fix_needs_text(f)}
    for item in items:
        if item.path in wanted and item.result.source is None and item.digest not in (None, NO_CONTENT):
            _read_text(engine, item)

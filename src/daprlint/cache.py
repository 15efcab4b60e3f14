"""A result cache keyed by file content, like ruff's, with git's stat shortcut.

It sits below the runner (runner.py asks it per file) and keeps three
stores in one folder, under a KEY that combines the daprlint version, the
contents of every loaded rule pack and the settings (any change there
starts a new cache):

- `KEY.json`, one entry per path: the path, the blake2b digest of the
  content the findings were computed from, the file's stat key (size,
  mtime_ns, ctime_ns, inode) taken *before* that content was read, when the
  run that read it started, its `# daprlint: ignore` comments (with the
  lines each covers), its own (per-file) findings, not yet finalized, the
  spans of its secret values (positions only) and the role it was linted in.
- `KEY.facts.json`: each path's deployment facts (as JSON text) with the
  digest they came from; read only when the deployment rules run again.
- `KEY.tree.TREEKEY.json`: the deployment rules' findings for one TREEKEY,
  a digest of everything they are a function of (see tree.py). The newest
  few are kept.

What makes a per-file hit, either:

- the stat key matches and the file's last change (mtime or ctime, whichever
  is later) is more than RACY_MARGIN_NS older than the start of the run that
  read it. That is git's "racy clean" rule: an edit in the same timestamp
  tick as our read could leave the stat key unchanged, a later one cannot;
  and ctime, unlike mtime, cannot be set back by a tool. The file is not
  read at all; or
- the file is read and hashed, and the digest matches (the entry then takes
  the new stat key and read time).

The text of a hit is read only where reporting needs it: the SARIF
reporter for findings with a fix, and code frames. That read is hashed too, and a mismatch turns the hit into a miss.

Results with an INT001 are never stored; files that cannot be read are
linted every run. Entries hold what reporting needs and never a secret
value (fix payloads for --secrets-out and finding.secrets are not stored;
--fix and --diff never use the cache).

The folder may sit in a tree nobody has reviewed (`.daprlint_cache` in the
project), so it is used only when it is a real folder (not a link) of the
user running daprlint with daprlint's CACHEDIR.TAG, or when daprlint makes
it (mode 0700, with the tag and a `.gitignore` of `*`, created exclusively,
never through a link). Otherwise the run says so once and goes on without
the cache. Every file is written 0600 through a fresh temporary file
(atomic.py) and read without following links. The KEY also mixes in a
random salt kept in the user's own cache folder
(`$XDG_CACHE_HOME/daprlint/salt`), so a cache folder shipped with a tree
can never be one this user's runs read.
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
from .engine import Engine
from .results import FileResult, Finding
from .rulekit import Edit, Fix
from .span import Span

MAX_ENTRIES = 200_000
TAG_NAME = "CACHEDIR.TAG"
TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# daprlint result cache (https://bford.info/cachedir/)\n"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
RACY_MARGIN_NS = 2_000_000_000
TREE_SLOTS = 4        # tree results kept: e.g. the whole repo and the few files pre-commit passes
FORMAT = 4            # layout of the stores below; part of the key

# an entry, as a list: compact JSON, quick to load (a list of rows parses
# faster than an object keyed by path, whose keys the JSON decoder memoises)
PATH, DIGEST, STAT_KEY, READ_AT, SUPPRESSIONS, FINDINGS, SECRET_SPANS, ROLE = range(8)
ENTRY_SIZE = 8


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
def _read_bytes(path, limit: int = 1 << 31) -> bytes | None:
    """A regular file's bytes, never through a link."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            limit -= len(chunk)
            if limit < 0:
                return None
    finally:
        os.close(fd)


def _create_exclusive(path: Path, data: bytes) -> None:
    """A new file (0600) that is not there yet, never written through a link."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0), 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def _unusable(path: Path) -> str | None:
    """Why *path* is no folder of ours: a link, not a folder, another user's; None when it is fine."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return f"{path} is a symbolic link"
    if not stat.S_ISDIR(st.st_mode):
        return f"{path} is not a folder"
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return f"{path} belongs to another user"
    return None


def check_folder(root: Path) -> str | None:
    """Why the cache folder *root* must not be used (None: it may, or it does not exist yet)."""
    try:
        problem = _unusable(root)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"{root} cannot be checked ({exc.strerror})"
    if problem:
        return problem
    tag = _read_bytes(root / TAG_NAME, 4096)
    if tag is None or not tag.startswith(TAG.split("\n", 1)[0].encode()) or b"daprlint" not in tag:
        return f"{root} has no daprlint {TAG_NAME}"
    for inner in (root / ".gitignore", root / "v1"):
        try:
            st = os.lstat(inner)
        except FileNotFoundError:
            continue
        except OSError as exc:
            return f"{inner} cannot be checked ({exc.strerror})"
        if stat.S_ISLNK(st.st_mode):
            return f"{inner} is a symbolic link"
    return None


def _make_folder(root: Path, folder: Path) -> None:
    """The cache folder, made by daprlint (0700, tagged, ignored by git), or checked again if it exists."""
    try:
        os.lstat(root)
    except FileNotFoundError:
        root.parent.mkdir(parents=True, exist_ok=True)
        os.mkdir(root, 0o700)
        _create_exclusive(root / TAG_NAME, TAG.encode())
        _create_exclusive(root / ".gitignore", b"*\n")
    problem = check_folder(root)
    if problem:
        raise PermissionError(problem)
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        problem = _unusable(folder)
        if problem:
            raise PermissionError(problem) from None


def _user_salt() -> str | None:
    """A random value of this user's, kept outside any project (see the module docstring)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "daprlint"
    path = folder / "salt"
    data = _read_bytes(path, 256)
    if data:
        return data.decode("ascii", "replace").strip()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if _unusable(folder):
            return None
        _create_exclusive(path, os.urandom(16).hex().encode())
    except FileExistsError:
        pass
    except OSError:
        return None
    data = _read_bytes(path, 256)
    return data.decode("ascii", "replace").strip() if data else None


def _read_json(path: Path):
    import gc

    data = _read_bytes(path)
    if data is None:
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
        self.entries: dict[str, list] = {}
        self.keeps_facts = engine.collects_facts
        self._facts: dict[str, list] | None = None  # loaded on first use: only a tree miss needs them
        self.dirty = self.facts_dirty = False
        self.new_tree: tuple[str, list] | None = None
        salt = _user_salt()
        # why the cache is not used this run (said once by the caller), or None
        self.problem = check_folder(folder.parent) if salt else \
            "no private folder for daprlint's cache salt ($XDG_CACHE_HOME or ~/.cache)"
        if self.problem:
            self.key, self.file, self.facts_file = "", folder / "-", folder / "-"
            self._facts = {}
            return
        settings = engine.settings
        material = json.dumps({
            "salt": salt,
            "format": FORMAT,
            "version": __version__, "packs": engine.ruleset.fingerprint(), "rules": sorted(engine.rules),
            "severity": settings.severity, "per-file-ignores": settings.per_file_ignores,
            # fix settings included: they decide which fixes are applicable (and SARIF's `fixes`)
            "options": {k: v for k, v in settings.options.items() if k != "cache-dir"},
            "root": str(settings.root),
        }, sort_keys=True, default=str)
        self.key = blake2b(material.encode(), digest_size=12).hexdigest()
        self.file = folder / f"{self.key}.json"
        self.facts_file = folder / f"{self.key}.facts.json"
        loaded = _read_json(self.file)
        if isinstance(loaded, dict) and isinstance(loaded.get("entries"), list):
            self.entries = {row[PATH]: row for row in loaded["entries"]
                            if type(row) is list and len(row) == ENTRY_SIZE and type(row[PATH]) is str}

    # per-file entries
    def entry(self, path: str, role: str = "") -> list | None:
        """The entry of *path*, if it was linted in the same role (a kustomize patch is linted differently)."""
        entry = self.entries.get(path)
        return entry if entry is not None and entry[ROLE] == role else None

    def touch(self, path: str, st: os.stat_result) -> None:
        """The file was read this run and its digest matched: trust the new stat key from now on."""
        entry = self.entries[path]
        entry[STAT_KEY], entry[READ_AT] = stat_key(st), self.started_ns
        self.dirty = True

    def put(self, path: str, st: os.stat_result, result: FileResult, role: str = "") -> None:
        """Store *result*, linted from content with digest `result.digest` whose stat (before the read) was *st*."""
        if any(f.code == "INT001" for f in result.findings):
            return  # never cache a crash
        digest = result.digest
        self.entries[path] = [path, digest, stat_key(st), self.started_ns, _suppressions_json(result),
                              [_finding_to_json(f) for f in result.findings],
                              [list(s) for s in result.secret_spans], role]
        self.dirty = True
        if self.keeps_facts and result.facts is not None:
            # as JSON text: a third of the memory of nested lists, and a faster store to load
            self.facts()[path] = [digest, json.dumps(result.facts.to_json(), separators=(",", ":"))]
            self.facts_dirty = True

    def result_of(self, path: str, entry: list) -> FileResult:
        """The result an entry stores (facts come later, from facts_of(), when needed)."""
        result = FileResult(path)
        result.findings = [_finding_from_json(path, d) for d in entry[FINDINGS]]
        result.secret_spans = [tuple(s) for s in entry[SECRET_SPANS]]
        result.digest = entry[DIGEST]
        if entry[SUPPRESSIONS] is not None:
            from .engine import Suppression

            result.suppressions = [Suppression.from_json(d) for d in entry[SUPPRESSIONS]]
        return result

    @staticmethod
    def entry_digest(entry: list) -> str:
        return entry[DIGEST]

    # the stat rule and digests, for the runner
    unchanged_since_read = staticmethod(lambda entry, st: unchanged_since_read(entry, st))
    digest_of_bytes = staticmethod(lambda data: digest_of_bytes(data))

    @staticmethod
    def needs_text(entry: list, want_texts: bool | None, frames: bool = False) -> bool:
        """Whether reporting needs a hit's text: suppressions to read, SARIF fix regions,
        or code frames (*want_texts* None: never, a file read as context only)."""
        if want_texts is None:
            return False
        return entry[SUPPRESSIONS] is None or (frames and bool(entry[FINDINGS])) or (
            want_texts and any(_json_fix_needs_text(d) for d in entry[FINDINGS]))

    def unchanged_during_run(self, path: str, before: os.stat_result | None) -> bool:
        """The file's stat now equals *before* and is settled: a worker's second read saw the same bytes."""
        try:
            now = os.stat(path)
        except OSError:
            return False
        return before is not None and stat_key(now) == stat_key(before) and settled(now, self.started_ns)

    # tree facts
    def facts(self) -> dict[str, list]:
        if self._facts is None:
            loaded = _read_json(self.facts_file)
            self._facts = loaded if isinstance(loaded, dict) else {}
        return self._facts

    def facts_of(self, path: str, digest: str):
        """The stored facts.FileFacts of *path* at *digest*, if any."""
        from .facts import FileFacts

        stored = self.facts().get(path)
        if not (isinstance(stored, list) and len(stored) == 2 and stored[0] == digest):
            return None
        try:
            return FileFacts.from_json(path, json.loads(stored[1]))
        except (TypeError, ValueError, IndexError):
            return None

    # tree findings
    def _tree_file(self, tree_key: str) -> Path:
        return self.folder / f"{self.key}.tree.{tree_key}.json"

    def tree_findings(self, tree_key: str) -> list[Finding] | None:
        if self.problem:
            return None
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
        if self.problem or not (self.dirty or self.facts_dirty or self.new_tree):
            return
        try:
            _make_folder(self.folder.parent, self.folder)
            from .atomic import atomic_write

            if self.dirty:
                self.entries = dict(list(self.entries.items())[-MAX_ENTRIES:])
                atomic_write(self.file, _dump({"entries": list(self.entries.values())}), mode=0o600)
            if self.facts_dirty:
                kept = {p: v for p, v in self.facts().items() if p in self.entries}
                atomic_write(self.facts_file, _dump(kept), mode=0o600)
            if self.new_tree:
                tree_key, findings = self.new_tree
                atomic_write(self._tree_file(tree_key), _dump({"key": tree_key, "findings": findings}), mode=0o600)
                self._prune_tree_files()
        except OSError:
            pass  # a cache that cannot be written is no error (a folder that turned unusable included)

    def _prune_tree_files(self) -> None:
        files = sorted(self.folder.glob(f"{self.key}.tree.*.json"), key=lambda p: p.lstat().st_mtime_ns)
        for old in files[:-TREE_SLOTS]:
            old.unlink(missing_ok=True)  # unlinks a link itself, never its target


def _dump(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def cache_folder(engine: Engine, cache_dir: str | None = None) -> Path:
    base = cache_dir or engine.options.get("cache-dir") or os.environ.get("DAPRLINT_CACHE_DIR")
    root = Path(base) if base else engine.settings.root / ".daprlint_cache"
    return root / "v1"


def tree_key(results: list[FileResult], context: list[FileResult]) -> str | None:
    """What the deployment findings are a function of (besides the settings,
    in the cache key): each file's path and content, in order, and the
    working folder (folders are grouped by absolute path). None if a content is unknown."""
    if any(r.digest is None for r in results) or any(r.digest is None for r in context):
        return None
    lines = [os.getcwd()]
    lines += [f"{r.path}\0{r.digest}" for r in results]
    lines.append("\0context")
    lines += [f"{r.path}\0{r.digest}" for r in context]
    return blake2b("\n".join(lines).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()




def _suppressions_json(result: FileResult) -> list | None:
    """The file's suppression comments, with the lines each covers (None: unknown, so a hit
    reads its text for finalize() to parse them)."""
    if result.suppressions is None:
        return None
    return [s.to_json() for s in result.suppressions]

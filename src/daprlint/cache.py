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
- `KEY.facts.json`: each path's deployment facts with the digest they came
  from; read only when the deployment rules run again.
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

A run that writes many entries does not hold them until the end: the two
per-file stores are written as they fill (`_Spool`), in batches, into a
fresh temporary file in the cache folder (made and checked as above before
the first write, opened through a folder descriptor reached without
following links, O_EXCL | O_NOFOLLOW, 0600), which save() completes with
the entries kept from before and renames over the store; a run that does
not reach save() removes it (close()). The stores' JSON is the same as if
written at once.
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
FORMAT = 6            # layout of the stores below; part of the key
SPOOL_BATCH = 256     # rows encoded by one json.dumps call
SPOOL_FLUSH = 1 << 20  # bytes a store holds in memory before they are written

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
        self._entries_out: _Spool | None = None
        self._facts_out: _Spool | None = None
        self._folder_ready = False
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
        """Store *result*, linted from content with digest `result.digest` whose stat (before the read) was *st*.

        The entry goes to the spool at once (not kept: a later entry() of this
        path in the same run is a miss, which only costs a lint)."""
        if any(f.code == "INT001" for f in result.findings):
            return  # never cache a crash
        digest = result.digest
        self.entries.pop(path, None)
        self._entry_spool().add([path, digest, stat_key(st), self.started_ns, _suppressions_json(result),
                                 [_finding_to_json(f) for f in result.findings],
                                 [list(s) for s in result.secret_spans], role])
        self.dirty = True
        if self.keeps_facts and result.facts is not None:
            self._facts_spool().add([path, digest, result.facts.to_json()])
            self.facts_dirty = True

    def _entry_spool(self) -> "_Spool":
        if self._entries_out is None:
            self._entries_out = _Spool(self, self.file, b'{"entries":[', b"]}", keyed=False)
        return self._entries_out

    def _facts_spool(self) -> "_Spool":
        if self._facts_out is None:
            self._facts_out = _Spool(self, self.facts_file, b"{", b"}", keyed=True)
        return self._facts_out

    def ensure_folder(self) -> None:
        """Make (or check again) the cache folder before anything is written into it."""
        if not self._folder_ready:
            _make_folder(self.folder.parent, self.folder)
            self._folder_ready = True

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
            return FileFacts.from_json(path, stored[1])
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
            self.close()
            return
        try:
            self.ensure_folder()
            from .atomic import atomic_write

            if self.dirty:
                spool = self._entry_spool()
                # the entries kept from before (newest last), after this run's
                kept = list(self.entries.values())[-max(0, MAX_ENTRIES - spool.rows):]
                self.entries = {row[PATH]: row for row in kept}
                spool.finish(kept)
            if self.facts_dirty:
                spool = self._facts_spool()
                old = self.facts() if os.path.exists(self.facts_file) else {}
                spool.finish([[p, *v] for p, v in old.items() if p in self.entries])
            if self.new_tree:
                tree_key, findings = self.new_tree
                atomic_write(self._tree_file(tree_key), _dump({"key": tree_key, "findings": findings}), mode=0o600)
                self._prune_tree_files()
        except OSError:
            pass  # a cache that cannot be written is no error (a folder that turned unusable included)
        finally:
            self.close()

    def close(self) -> None:
        """Remove what a run that did not save() left half written."""
        for spool in (self._entries_out, self._facts_out):
            if spool is not None:
                spool.abandon()

    def _prune_tree_files(self) -> None:
        files = sorted(self.folder.glob(f"{self.key}.tree.*.json"), key=lambda p: p.lstat().st_mtime_ns)
        for old in files[:-TREE_SLOTS]:
            old.unlink(missing_ok=True)  # unlinks a link itself, never its target


class _Spool:
    """One store, written as it fills (see the module docstring).

    Rows are encoded SPOOL_BATCH at a time; *keyed* rows are [key, ...value]
    and become `"key":[...value]` members of a JSON object, the others
    elements of a list. Bytes are kept in memory until SPOOL_FLUSH, so a
    small run writes its store once, at finish()."""

    def __init__(self, cache: "ResultCache", path: Path, head: bytes, tail: bytes, keyed: bool):
        self.cache, self.path, self.tail, self.keyed = cache, path, tail, keyed
        self.batch: list = []
        self.parts: list[bytes] = [head]
        self.size = 0
        self.rows = 0
        self.fd: int | None = None
        self.folder_fd: int | None = None
        self.tmp = ""
        self.failed = False
        self.done = False

    def add(self, row: list) -> None:
        self.batch.append(row)
        self.rows += 1
        if len(self.batch) >= SPOOL_BATCH:
            self._encode()

    def _encode(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        if self.failed:
            return
        # the rows are lists and dicts built here, never cyclic: no check (~15% of the encoding, bench/README.md)
        if self.keyed:
            text = json.dumps({row[0]: row[1:] for row in batch}, separators=(",", ":"), check_circular=False)
        else:
            text = json.dumps(batch, separators=(",", ":"), check_circular=False)
        data = text[1:-1].encode("utf-8", "surrogateescape")
        self.parts.append(b"," + data if self.size or len(self.parts) > 1 else data)
        self.size += len(data)
        if self.size >= SPOOL_FLUSH and _STREAMED:
            self._flush()

    def _flush(self) -> None:
        try:
            if self.fd is None:
                self._open()
            data = b"".join(self.parts)
            self.parts = []
            while data:
                data = data[os.write(self.fd, data):]
        except OSError:
            self.abandon()
            self.failed = True

    def _open(self) -> None:
        from .atomic import open_folder

        self.cache.ensure_folder()
        self.folder_fd, name = open_folder(self.path)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        self.tmp = f".{name}.{os.urandom(6).hex()}.daprlint-tmp"
        self.fd = os.open(self.tmp, flags, 0o600, dir_fd=self.folder_fd)
        os.fchmod(self.fd, 0o600)

    def finish(self, more_rows: list) -> None:
        """Add *more_rows*, complete the store and put it in place (OSError if it cannot be)."""
        for row in more_rows:
            self.add(row)
        self._encode()
        if self.failed:
            return
        self.parts.append(self.tail)
        if self.fd is None and not _STREAMED:
            from .atomic import atomic_write

            atomic_write(self.path, b"".join(self.parts), mode=0o600)
            self.done = True
            return
        self._flush()
        if self.failed:
            return
        try:
            os.fsync(self.fd)
            os.close(self.fd)
            self.fd = None
            name = self.path.name
            try:
                existing = os.lstat(name, dir_fd=self.folder_fd)
            except FileNotFoundError:
                existing = None
            if existing is not None and not (stat.S_ISREG(existing.st_mode) and existing.st_nlink == 1):
                raise OSError(f"{self.path} is not a regular file with one link")
            os.replace(self.tmp, name, src_dir_fd=self.folder_fd, dst_dir_fd=self.folder_fd)
            self.tmp = ""
            os.fsync(self.folder_fd)
            self.done = True
        finally:
            self.abandon()

    def abandon(self) -> None:
        """Close what is open, and remove the temporary file unless it was put in place."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.folder_fd is not None:
            if self.tmp:
                try:
                    os.unlink(self.tmp, dir_fd=self.folder_fd)
                except OSError:
                    pass
                self.tmp = ""
            os.close(self.folder_fd)
            self.folder_fd = None
        self.parts, self.batch = [], []


# writing a store as it fills needs renameat and openat (not on Windows: there it is written at once)
_STREAMED = _NOFOLLOW != 0 and os.open in os.supports_dir_fd and os.rename in os.supports_dir_fd \
    and os.unlink in os.supports_dir_fd and os.stat in os.supports_dir_fd


def _dump(value) -> bytes:
    return json.dumps(value, separators=(",", ":"), check_circular=False).encode()  # acyclic, as _Spool's


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

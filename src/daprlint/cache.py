"""A result cache keyed by file content, like ruff's, with git's stat shortcut.

It sits below the runner (runner.py asks it per file) and keeps three
stores in one folder, under a KEY that combines the daprlint and Python
versions, the contents of every loaded rule pack and the settings (any
change there starts a new cache):

- `KEY.entries`, one entry per path: the path, the blake2b digest of the
  content the findings were computed from, the file's stat key (size,
  mtime_ns, ctime_ns, inode) taken *before* that content was read, when the
  run that read it started, its `# daprlint: ignore` comments (with the
  lines each covers), its own (per-file) findings, not yet finalized, the
  spans of its secret values (positions only), the role it was linted in
  and whether it is a kustomization or a run file (whose references a warm
  run follows, as a cold one does, before it has any file's facts).
- `KEY.facts`: each path's deployment facts with the digest they came
  from; read only when the deployment rules run again (or for the roles
  and claims of the structure files, whose rows have chunks of their own:
  _facts_label).
- `KEY.tree.TREEKEY`: the deployment rules' findings for one TREEKEY,
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

The stores are the interpreter's `marshal` format, never pickle: marshal
builds plain values and never runs code, and it writes these rows 1.5-3x
faster than `json` (10,000 files, best of 9 on a busy machine: entries
23-26 ms against ~80 ms, facts 33-48 ms against 71-86 ms; reading them
costs the same). They are written in chunks of at most
SPOOL_BATCH rows of one folder each, every chunk with its CRC-32 in an
index at the end of the file, so marshal only ever decodes bytes that a
daprlint run wrote (a check against damage, not against forgery: whoever
can write the cache folder can write any store, so the folder's owner and
mode are what is checked for that, above; CRC-32 is 4.7x faster than
blake2b here, and a warm run checks every chunk it decodes):

    MAGIC, chunk, chunk, ..., index, trailer
    index   = marshal of [kind, [[folder, offset, length, rows, crc32], ...]]
    trailer = index offset (8 bytes), index length (8), the index's CRC-32 (4), MAGIC

so a run reads the index, then only the chunks of the folders it asks
about, each checked against its CRC-32 before it is decoded (a few
folders are kept decoded): a warm run of one file decodes one folder, and
a run of 100,000 files never holds more than a few folders' rows. A store
that is truncated, damaged or not ours in any other way is a miss, chunk
by chunk. marshal's format follows the interpreter's version, which is in
the key.

A run that writes many entries does not hold them until the end: each
store is written as it fills (`_Spool`), chunk by chunk, into a fresh
temporary file in the cache folder (made and checked as above before the
first write, opened through a folder descriptor reached without following
links, O_EXCL | O_NOFOLLOW, 0600), which save() completes with the chunks
kept from before and renames over the store; a run that does not reach
save() removes it (close()). With --jobs, forked workers encode the rows
of the files they lint (ResultCache.encode) and this process writes those
chunks as they come (adopt). Nothing is fsynced (but by atomic_write,
where there is no openat: Windows): the cache holds no user data, and a
store that a crash leaves torn fails its checks and is a miss. A kept
chunk is copied as it is (its CRC-32 checked) unless one of its paths was
stored again this run: then it is decoded and written without that row. Newest rows come first; the oldest
go once a store holds MAX_ENTRIES.
"""
from __future__ import annotations

try:  # the same function hashlib.blake2b is, without loading OpenSSL (~3 ms a run)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b
import marshal
import os
import stat
import sys
import time
from binascii import crc32
from operator import itemgetter

from . import __version__
from .projectnames import CHART_NAME, KUSTOMIZATION_NAMES, RUN_FILE_NAMES
from .results import FileResult, Finding
from .rulekit import Edit, Fix
from .span import Span

TYPE_CHECKING = False  # annotations only: the engine imports PyYAML, which a warm run never needs
if TYPE_CHECKING:
    from pathlib import Path

    from .engine import Engine

MAX_ENTRIES = 200_000
TAG_NAME = "CACHEDIR.TAG"
TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# daprlint result cache (https://bford.info/cachedir/)\n"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
RACY_MARGIN_NS = 2_000_000_000
TREE_SLOTS = 4        # tree results kept: e.g. the whole repo and the few files pre-commit passes
FORMAT = 11           # layout of the stores below; part of the key
SPOOL_BATCH = 256     # rows in one chunk (a chunk holds rows of one folder)
SPOOL_FLUSH = 1 << 18  # bytes a store holds in memory before they are written
FOLDERS_KEPT = 8      # decoded folders a store keeps (the runner asks folder after folder)

# an entry, as a list: PATH first, as in every row of a store. POINTS: the file is a kustomization or a run
# file (its facts point at other files), which a warm run must know without its facts (FileResult.points)
PATH, DIGEST, STAT_KEY, READ_AT, SUPPRESSIONS, FINDINGS, SECRET_SPANS, ROLE, POINTS = range(9)
ENTRY_SIZE = 9
FACTS_SIZE = 3        # [path, digest, facts.FileFacts.to_json()]
TREE_SIZE = 2         # [path, finding row]

MAGIC = b"daprlint-cache\x00\x08"
_TRAILER = 8 + 8 + 4 + len(MAGIC)
# marshal's current version: a string written twice in a chunk (a rule's code, name, severity) is
# written once and read back as one object. Version 2 writes these rows ~20% faster, but every
# finding a warm run serves then has strings of its own: +24 MiB at 100,000 files (measured)
_MARSHAL = marshal.version
_first = itemgetter(0)


def _folder_of(path: str) -> str:
    """The label of the chunks *path*'s row goes to: its folder (any function of the path would do)."""
    return path.rpartition(os.sep)[0]  # like os.path.dirname, in a tenth of its time


def _facts_label(path: str) -> str:
    """The label of the facts chunks *path*'s row goes to: its folder, but a
    file named as a deployment's structure (a kustomization, a chart, a run
    file) has a chunk of its own. Its facts are asked for alone, before any
    other file's (workspace._roles, tree.lint_streamed), often on a run that
    needs no other facts at all (a warm named file): with the folder's label,
    that one row cost hashing and decoding a thousand files' facts (a
    warm named file of a 1,000-file kustomize base: ~25M of 276M instructions)."""
    folder, _, name = path.rpartition(os.sep)
    if name in KUSTOMIZATION_NAMES or name == CHART_NAME or name in RUN_FILE_NAMES:
        return path  # a folder of that name would share the label: rows are found by path all the same
    return folder


# -- findings as rows -------------------------------------------------------
def _finding_row(f: Finding) -> tuple:
    fix = f.fix
    if fix is not None:
        fix = (fix.description, fix.safety, fix.blocked, [(e.start, e.end, e.replacement) for e in fix.edits])
    return (*f.span, f.code, f.name, f.severity, f.message, fix)


def _finding_of(path: str, d) -> Finding:
    fix = d[10]
    if fix is not None:
        desc, safety, blocked, edits = fix
        fix = Fix(desc, tuple(Edit(*e) for e in edits), safety, blocked=blocked)
    return Finding(path, Span(*d[0:6]), d[6], d[7], d[8], d[9], fix)


def _row_fix_needs_text(d) -> bool:
    """The SARIF reporter needs the file's text for this finding (see report/sarif._fixes)."""
    fix = d[10]
    return fix is not None and bool(fix[3]) and not fix[2]


def entry_row(path: str, st: os.stat_result, read_at_ns: int, result: FileResult, role: str) -> list | None:
    """The entry of *result* (None: it holds a crash, INT001, which is never stored): empty
    values as the empty tuple, read back as no findings, suppressions or spans."""
    findings = result.findings
    for f in findings:
        if f.code == "INT001":
            return None
    suppressions = result.suppressions
    if suppressions:
        suppressions = [s.to_json() for s in suppressions]
    elif suppressions is not None:
        suppressions = ()
    points = result.facts is not None and result.facts.points_at_files
    return [path, result.digest, stat_key(st), read_at_ns, suppressions,
            [_finding_row(f) for f in findings] if findings else (), tuple(result.secret_spans), role, points]


# -- digests and stat keys --------------------------------------------------
def digest_of_bytes(data: bytes) -> bytes:
    return blake2b(data, digest_size=16).digest()


def stat_key(st: os.stat_result) -> tuple:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def settled(st: os.stat_result, read_at_ns: int) -> bool:
    """The file's last change (mtime or ctime, whichever is later) was long
    enough before *read_at_ns* that any edit after it moves them (the
    racy-git rule: an edit in the same timestamp tick as a read may not)."""
    return max(st.st_mtime_ns, st.st_ctime_ns) < read_at_ns - RACY_MARGIN_NS


def unchanged_since_read(entry: list, st: os.stat_result) -> bool:
    """True when the file cannot have changed since the entry's content was read."""
    return stat.S_ISREG(st.st_mode) and entry[STAT_KEY] == stat_key(st) and settled(st, entry[READ_AT])


# -- the folder -------------------------------------------------------------
def _open_regular(path: str) -> int | None:
    """A descriptor of the regular file *path*, never opened through a link (None if it is not one)."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _read_at(fd: int, offset: int, size: int) -> bytes | None:
    """*size* bytes at *offset* (None if the file is shorter)."""
    chunks = []
    try:
        os.lseek(fd, offset, os.SEEK_SET)
        while size > 0:
            chunk = os.read(fd, min(size, 1 << 24))
            if not chunk:
                return None
            chunks.append(chunk)
            size -= len(chunk)
    except OSError:
        return None
    return b"".join(chunks)


def _read_bytes(path: str, limit: int = 4096) -> bytes | None:
    """A small regular file's bytes, never through a link (None if larger than *limit*)."""
    fd = _open_regular(path)
    if fd is None:
        return None
    try:
        data = os.read(fd, limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) <= limit else None


def _create_exclusive(path: str, data: bytes) -> None:
    """A new file (0600) that is not there yet, never written through a link."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0), 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def _unusable(path: str) -> str | None:
    """Why *path* is no folder of ours: a link, not a folder, another user's; None when it is fine."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return f"{path} is a symbolic link"
    if not stat.S_ISDIR(st.st_mode):
        return f"{path} is not a folder"
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return f"{path} belongs to another user"
    return None


def check_folder(root: str) -> str | None:
    """Why the cache folder *root* must not be used (None: it may, or it does not exist yet)."""
    root = os.fspath(root)
    try:
        problem = _unusable(root)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"{root} cannot be checked ({exc.strerror})"
    if problem:
        return problem
    tag = _read_bytes(os.path.join(root, TAG_NAME))
    if tag is None or not tag.startswith(TAG.split("\n", 1)[0].encode()) or b"daprlint" not in tag:
        return f"{root} has no daprlint {TAG_NAME}"
    for inner in (os.path.join(root, ".gitignore"), os.path.join(root, "v1")):
        try:
            st = os.lstat(inner)
        except FileNotFoundError:
            continue
        except OSError as exc:
            return f"{inner} cannot be checked ({exc.strerror})"
        if stat.S_ISLNK(st.st_mode):
            return f"{inner} is a symbolic link"
    return None


def _make_folder(root: str, folder: str) -> None:
    """The cache folder, made by daprlint (0700, tagged, ignored by git), or checked again if it exists."""
    try:
        os.lstat(root)
    except FileNotFoundError:
        parent = os.path.dirname(root)
        if parent:
            os.makedirs(parent, exist_ok=True)
        os.mkdir(root, 0o700)
        _create_exclusive(os.path.join(root, TAG_NAME), TAG.encode())
        _create_exclusive(os.path.join(root, ".gitignore"), b"*\n")
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
    folder = os.path.join(base, "daprlint")
    path = os.path.join(folder, "salt")
    data = _read_bytes(path, 256)
    if data:
        return data.decode("ascii", "replace").strip()
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if _unusable(folder):
            return None
        _create_exclusive(path, os.urandom(16).hex().encode())
    except FileExistsError:
        pass
    except OSError:
        return None
    data = _read_bytes(path, 256)
    return data.decode("ascii", "replace").strip() if data else None


# -- reading a store --------------------------------------------------------
def _loads(data: bytes):
    """marshal.loads, or None for bytes it cannot decode."""
    try:
        return marshal.loads(data)
    except (ValueError, EOFError, TypeError, OverflowError):
        return None


class _Store:
    """A store file as _Spool wrote it (see the module docstring): its index
    is read when it is opened, a chunk only when its folder is asked for.
    Anything unexpected (no file, a link, a short or damaged file, another
    kind of store) reads as a store without that chunk, or without any."""

    def __init__(self, path: str, kind: str | None, row_size: int = 0):
        self.row_size = row_size            # 0: rows of any length
        self.kind = kind                    # None: a store of any kind
        self.chunks: list = []              # [folder, offset, length, rows, crc32], in file order
        self.by_folder: dict[str, list] = {}  # folder -> indexes into chunks
        self._decoded: dict[str, dict] = {}   # folder -> {path: row}, the last FOLDERS_KEPT asked for
        self._last: str | None = None         # the folder asked for last (newest in _decoded)
        self.fd = _open_regular(path)
        if self.fd is not None and not self._read_index(kind):
            self.close()

    def _read_index(self, kind: str) -> bool:
        try:
            size = os.fstat(self.fd).st_size
        except OSError:
            return False
        trailer = _read_at(self.fd, size - _TRAILER, _TRAILER) if size >= len(MAGIC) + _TRAILER else None
        if trailer is None or trailer[-len(MAGIC):] != MAGIC:
            return False
        start, length = int.from_bytes(trailer[:8], "little"), int.from_bytes(trailer[8:16], "little")
        if start < len(MAGIC) or start + length != size - _TRAILER:
            return False
        data = _read_at(self.fd, start, length)
        if data is None or crc32(data).to_bytes(4, "little") != trailer[16:20]:
            return False
        index = _loads(data)
        if not (type(index) is list and len(index) == 2 and type(index[0]) is str and type(index[1]) is list
                and (kind is None or index[0] == kind)):
            return False
        self.kind = index[0]
        for chunk in index[1]:
            if not (type(chunk) is list and len(chunk) == 5 and type(chunk[0]) is str
                    and type(chunk[1]) is int and type(chunk[2]) is int and type(chunk[3]) is int
                    and type(chunk[4]) is int and len(MAGIC) <= chunk[1] and 0 < chunk[2] and chunk[1] + chunk[2] <= start):
                return False
        self.chunks = index[1]
        for number, chunk in enumerate(self.chunks):
            self.by_folder.setdefault(chunk[0], []).append(number)
        return True

    def raw(self, number: int) -> bytes | None:
        """A chunk's bytes, if they still have their CRC-32."""
        _, offset, length, _, crc = self.chunks[number]
        data = _read_at(self.fd, offset, length) if self.fd is not None else None
        return data if data is not None and crc32(data) == crc else None

    def rows_of_chunk(self, number: int) -> list:
        """A chunk's rows (none if it is damaged)."""
        data = self.raw(number)
        rows = _loads(data) if data is not None else None
        # the CRC-32 says these are bytes a _Spool wrote: a cheap check of their shape is enough
        if type(rows) is not list or not rows or set(map(type, rows)) != {list} \
                or (self.row_size and set(map(len, rows)) != {self.row_size}) \
                or set(map(type, map(_first, rows))) != {str}:
            return []
        return rows

    def rows(self, folder: str) -> dict:
        """{path: row} of the rows stored for *folder* (of a path stored twice, the later row)."""
        if folder == self._last:  # the runner asks folder after folder: the same one again, mostly
            return self._decoded[folder]
        found = self._decoded.pop(folder, None)
        if found is None:
            numbers = self.by_folder.get(folder)
            if not numbers:
                return {}
            found = {row[PATH]: row for number in numbers for row in self.rows_of_chunk(number)}
            if len(self._decoded) >= FOLDERS_KEPT:
                del self._decoded[next(iter(self._decoded))]
        self._decoded[folder] = found  # newest last
        self._last = folder
        return found

    def forget(self, folder: str, path: str) -> None:
        """This run stored *path* again: its old row is no longer served."""
        found = self._decoded.get(folder)
        if found is not None:
            found.pop(path, None)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        self.chunks, self.by_folder, self._decoded, self._last = [], {}, {}, None


def stored_rows(path: str) -> tuple[str, list] | None:
    """The kind and every row, in file order, of a store file (None if it is none), for tests and
    troubleshooting; a damaged chunk reads as no rows."""
    store = _Store(os.fspath(path), None)
    try:
        if store.fd is None:
            return None
        return store.kind, [row for number in range(len(store.chunks)) for row in store.rows_of_chunk(number)]
    finally:
        store.close()


# -- the cache ----------------------------------------------------------------
class ResultCache:
    def __init__(self, folder: str | Path, engine: Engine):
        self.folder = os.fspath(folder)
        self.started_ns = time.time_ns()  # before any file of this run is read
        self.keeps_facts = engine.collects_facts
        self._reset()
        salt = _user_salt()
        # why the cache is not used this run (said once by the caller), or None
        self.problem = check_folder(os.path.dirname(self.folder)) if salt else \
            "no private folder for daprlint's cache salt ($XDG_CACHE_HOME or ~/.cache)"
        if self.problem:
            self.key, self.file, self.facts_file = "", os.path.join(self.folder, "-"), os.path.join(self.folder, "-")
            return
        import json

        settings = engine.settings
        material = json.dumps({
            "salt": salt,
            "format": FORMAT, "python": [*sys.version_info[:2], marshal.version],
            "version": __version__, "packs": engine.ruleset.fingerprint(), "rules": sorted(engine.rules),
            "severity": settings.severity, "per-file-ignores": settings.per_file_ignores,
            # fix settings included: they decide which fixes are applicable (and SARIF's `fixes`)
            "options": {k: v for k, v in settings.options.items() if k != "cache-dir"},
            "root": settings.root_dir,
        }, sort_keys=True, default=str)
        self.key = blake2b(material.encode(), digest_size=12).hexdigest()
        self.file = os.path.join(self.folder, f"{self.key}.entries")
        self.facts_file = os.path.join(self.folder, f"{self.key}.facts")

    def _reset(self) -> None:
        """Nothing read or written yet (also after save(): the language server goes on with the same cache)."""
        self.dirty = self.facts_dirty = False
        self._entries: _Store | None = None   # opened on first use
        self._facts: _Store | None = None     # opened on first use: only a tree miss needs facts
        self._entries_out: _Spool | None = None
        self._facts_out: _Spool | None = None
        self._tree_out: _Spool | None = None
        # folder -> paths stored again this run, whose rows from before are left out at save()
        self._replaced: dict[str, set] = {}
        self._replaced_facts: dict[str, set] = {}
        self._folder_ready = False

    def _entry_store(self) -> _Store:
        if self._entries is None:
            self._entries = _Store(self.file, "entries", ENTRY_SIZE) if not self.problem else _Store("", "", 0)
        return self._entries

    def _facts_store(self) -> _Store:
        if self._facts is None:
            self._facts = _Store(self.facts_file, "facts", FACTS_SIZE) if not self.problem else _Store("", "", 0)
        return self._facts

    # per-file entries
    def entry(self, path: str, role: str = "") -> list | None:
        """The entry of *path*, if it was linted in the same role (a kustomize patch is linted differently)."""
        store = self._entries or self._entry_store()
        if not store.by_folder:  # no store yet (a cold run), or an empty or unreadable one
            return None
        entry = store.rows(_folder_of(path)).get(path)
        return entry if entry is not None and entry[ROLE] == role else None

    def holds_entries(self) -> bool:
        """Whether a store from before holds any entry (a cold run's has none: every file is a miss)."""
        return bool((self._entries or self._entry_store()).by_folder)

    def settled_digest(self, path: str, role: str, st: os.stat_result) -> bytes | None:
        """The digest of *path*'s entry in *role*, if the stat rule says the file
        cannot have changed since (entry() and unchanged_since_read() at once:
        a context file's hit, ~1,000 of them for a named file of a deployment)."""
        entry = self._entry_store().rows(_folder_of(path)).get(path)
        if entry is None or entry[ROLE] != role or not unchanged_since_read(entry, st):
            return None
        return entry[DIGEST]

    def touch(self, path: str, st: os.stat_result) -> None:
        """The file was read this run and its digest matched: trust the new stat key from now on."""
        folder = _folder_of(path)
        entry = self._entry_store().rows(folder).get(path)
        if entry is None:
            return
        entry[STAT_KEY], entry[READ_AT] = stat_key(st), self.started_ns
        self._replaced.setdefault(folder, set()).add(path)
        self._entry_spool().add(entry, folder)
        self.dirty = True

    def put(self, path: str, st: os.stat_result, result: FileResult, role: str = "") -> None:
        """Store *result*, linted from content with digest `result.digest` whose stat (before the read) was *st*.

        The entry goes to the spool at once (not kept: a later entry() of this
        path in the same run is a miss, which only costs a lint). Written for
        a cold run, which calls this for every file: no generator, no store
        opened when none exists, empty values written as an empty tuple (read
        back as no findings, suppressions or spans)."""
        # the row is encoded later (SPOOL_BATCH rows at a time): it holds no list of the result's, which the
        # deployment rules may still append to (tree.add_findings)
        row = entry_row(path, st, self.started_ns, result, role)
        if row is None:
            return
        folder = _folder_of(path)
        entries = self._entries or self._entry_store()
        if entries.by_folder and folder in entries.by_folder:  # a store from before holds this folder
            self._replaced.setdefault(folder, set()).add(path)
            entries.forget(folder, path)
        (self._entries_out or self._entry_spool()).add(row, folder)
        self.dirty = True
        if self.keeps_facts and result.facts is not None:
            label = _facts_label(path)
            store = self._facts or self._facts_store()
            if store.by_folder and label in store.by_folder:
                self._replaced_facts.setdefault(label, set()).add(path)
                store.forget(label, path)
            (self._facts_out or self._facts_spool()).add([path, row[DIGEST], result.facts.to_json()], label)
            self.facts_dirty = True

    def encode(self, stored: list) -> tuple[list, list, list]:
        """In a --jobs worker: what put() would store for each (path, stat, result, role)
        of *stored*, as marshalled chunks: (the paths stored, entry chunks, facts chunks),
        for adopt() in the parent. The worker encodes while the parent waits, and
        sends bytes back instead of facts objects (at 10,000 files the parent's
        put() was ~0.15 s of a 1.6 s run with two workers, after they finished)."""
        entries, facts, paths = _Encoded(), _Encoded(), []
        for path, st, result, role in stored:
            row = entry_row(path, st, self.started_ns, result, role)
            if row is None:
                continue
            paths.append(path)
            entries.add(row, _folder_of(path))
            if self.keeps_facts and result.facts is not None:
                facts.add([path, row[DIGEST], result.facts.to_json()], _facts_label(path))
        return paths, entries.done(), facts.done()

    def adopt(self, paths: list, entry_chunks: list, facts_chunks: list) -> None:
        """In the parent: a worker's encode(), stored as put() stores rows."""
        if not paths:
            return
        entries, facts = self._entries or self._entry_store(), self._facts or self._facts_store()
        for path in paths if entries.by_folder or facts.by_folder else ():  # stores from before
            folder, label = _folder_of(path), _facts_label(path)
            if folder in entries.by_folder:
                self._replaced.setdefault(folder, set()).add(path)
                entries.forget(folder, path)
            if label in facts.by_folder:
                self._replaced_facts.setdefault(label, set()).add(path)
                facts.forget(label, path)
        self._adopt_chunks(self._entries_out or self._entry_spool(), entry_chunks)
        self.dirty = True
        if facts_chunks:
            self._adopt_chunks(self._facts_out or self._facts_spool(), facts_chunks)
            self.facts_dirty = True

    @staticmethod
    def _adopt_chunks(spool: "_Spool", chunks: list) -> None:
        spool._encode()  # the rows it holds go first, in their own chunk
        for folder, data, rows, crc in chunks:
            spool._chunk(folder, data, rows, crc)

    def _entry_spool(self) -> _Spool:
        if self._entries_out is None:
            self._entries_out = _Spool(self, self.file, "entries")
        return self._entries_out

    def _facts_spool(self) -> _Spool:
        if self._facts_out is None:
            self._facts_out = _Spool(self, self.facts_file, "facts")
        return self._facts_out

    def ensure_folder(self) -> None:
        """Make (or check again) the cache folder before anything is written into it."""
        if not self._folder_ready:
            _make_folder(os.path.dirname(self.folder), self.folder)
            self._folder_ready = True

    def result_of(self, path: str, entry: list, reported: bool = True) -> FileResult:
        """The result an entry stores (facts come later, from facts_of(), when needed).

        Not *reported* (a file read only for its deployment's facts, whose
        findings nothing shows): the digest alone, with no findings, secret
        spans or suppressions built (a warm named file of a 1,000-file
        deployment built ~400 findings it never showed)."""
        result = FileResult(path)
        result.digest, result.points = entry[DIGEST], entry[POINTS] is True
        if not reported:
            return result
        result.findings = [_finding_of(path, d) for d in entry[FINDINGS]]
        result.secret_spans = list(entry[SECRET_SPANS])
        stored = entry[SUPPRESSIONS]
        if stored:
            from .engine import Suppression

            result.suppressions = [Suppression.from_json(d) for d in stored]
        elif stored is not None:
            result.suppressions = []
        return result

    @staticmethod
    def entry_digest(entry: list) -> bytes:
        return entry[DIGEST]

    # the stat rule and digests, for the runner
    unchanged_since_read = staticmethod(unchanged_since_read)
    digest_of_bytes = staticmethod(digest_of_bytes)

    @staticmethod
    def needs_text(entry: list, want_texts: bool | None, frames: bool = False) -> bool:
        """Whether reporting needs a hit's text: suppressions to read, SARIF fix regions,
        or code frames (*want_texts* None: never, a file read as context only). A frame
        is wanted for a finding, and for a suppression (an unused one is SUP001's)."""
        if want_texts is None:
            return False
        return entry[SUPPRESSIONS] is None or (frames and bool(entry[FINDINGS] or entry[SUPPRESSIONS])) or (
            want_texts and any(_row_fix_needs_text(d) for d in entry[FINDINGS]))

    # tree facts
    def facts_of(self, path: str, digest: bytes):
        """The stored facts.FileFacts of *path* at *digest*, if any."""
        stored = self._facts_store().rows(_facts_label(path)).get(path)
        if stored is None or stored[DIGEST] != digest:
            return None
        from .facts import FileFacts

        try:
            return FileFacts.from_json(path, stored[2])
        except (TypeError, ValueError, IndexError, KeyError, AttributeError):
            return None

    # tree findings
    def _tree_file(self, tree_key: str) -> str:
        return os.path.join(self.folder, f"{self.key}.tree.{tree_key}")

    def tree_findings(self, tree_key: str) -> list[Finding] | None:
        if self.problem:
            return None
        store = _Store(self._tree_file(tree_key), tree_key, TREE_SIZE)
        try:
            if store.fd is None:
                return None
            findings = []
            for number, chunk in enumerate(store.chunks):
                rows = store.rows_of_chunk(number)
                if len(rows) != chunk[3]:
                    return None  # a damaged chunk: the findings would be incomplete
                findings += [_finding_of(path, d) for path, d in rows]
            try:
                os.utime(store.fd if os.utime in os.supports_fd else self._tree_file(tree_key))
            except OSError:
                pass  # recently used: kept when old ones are pruned
            return findings
        finally:
            store.close()

    def put_tree(self, tree_key: str, findings: list[Finding]) -> None:
        """Store the deployment findings (encoded now: finalize() changes findings after this)."""
        if any(f.code == "INT001" for f in findings):
            return  # never cache a crash
        if self._tree_out is not None:
            self._tree_out.abandon()
        self._tree_out = spool = _Spool(self, self._tree_file(tree_key), tree_key)
        for f in findings:
            spool.add([f.path, _finding_row(f)], "")

    # writing
    def save(self) -> None:
        if self.problem or not (self.dirty or self.facts_dirty or self._tree_out):
            self.close()
            return
        try:
            self.ensure_folder()
            if self.dirty:
                self._entry_spool().finish(self._entry_store(), self._replaced)
            if self.facts_dirty:
                self._facts_spool().finish(self._facts_store(), self._replaced_facts)
            if self._tree_out is not None:
                self._tree_out.finish(None, {})
                self._prune_tree_files()
        except OSError:
            pass  # a cache that cannot be written is no error (a folder that turned unusable included)
        finally:
            self.close()

    def close(self) -> None:
        """Remove what a run that did not save() left half written, and let go of the stores."""
        for spool in (self._entries_out, self._facts_out, self._tree_out):
            if spool is not None:
                spool.abandon()
        for store in (self._entries, self._facts):
            if store is not None:
                store.close()
        self._reset()

    def _prune_tree_files(self) -> None:
        prefix = f"{self.key}.tree."
        with os.scandir(self.folder) as found:
            files = sorted((e for e in found if e.name.startswith(prefix)),  # never a temporary file: .NAME...
                           key=lambda e: e.stat(follow_symlinks=False).st_mtime_ns)
        for old in files[:-TREE_SLOTS]:
            try:
                os.unlink(old.path)  # unlinks a link itself, never its target
            except FileNotFoundError:
                pass


class _Chunker:
    """Rows cut into chunks: SPOOL_BATCH rows at most, of one folder, each
    marshalled and given its CRC-32 (_chunk says where a chunk goes)."""

    def __init__(self):
        self.batch: list = []
        self.folder = ""

    def add(self, row: list, folder: str) -> None:
        if folder != self.folder or len(self.batch) >= SPOOL_BATCH:
            self._encode()
            self.folder = folder
        self.batch.append(row)

    def _encode(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        try:
            data = marshal.dumps(batch, _MARSHAL)
        except ValueError:  # a value marshal cannot hold (none is expected): store the other rows
            batch = [row for row in batch if _dumpable(row)]
            if not batch:
                return
            data = marshal.dumps(batch, _MARSHAL)
        self._chunk(self.folder, data, len(batch), crc32(data))

    def _chunk(self, folder: str, data: bytes, rows: int, crc: int) -> None:
        raise NotImplementedError


class _Encoded(_Chunker):
    """Chunks kept as (folder, bytes, rows, crc): a worker's, for ResultCache.adopt()."""

    def __init__(self):
        super().__init__()
        self.chunks: list = []

    def _chunk(self, folder: str, data: bytes, rows: int, crc: int) -> None:
        self.chunks.append((folder, data, rows, crc))

    def done(self) -> list:
        self._encode()
        return self.chunks


class _Spool(_Chunker):
    """One store, written as it fills (see the module docstring).

    Rows are encoded SPOOL_BATCH at a time, a chunk holding rows of one
    folder. Bytes are kept in memory until SPOOL_FLUSH, so a small run
    writes its store once, at finish()."""

    def __init__(self, cache: ResultCache, path: str, kind: str):
        super().__init__()
        self.cache, self.path, self.kind = cache, path, kind
        self.parts: list[bytes] = [MAGIC]
        self.offset = len(MAGIC)  # where the next chunk starts in the file
        self.pending = 0          # bytes in parts, not yet written
        self.index: list = []
        self.rows = 0
        self.fd: int | None = None
        self.folder_fd: int | None = None
        self.tmp = ""
        self.failed = False

    def _chunk(self, folder: str, data: bytes, rows: int, crc: int) -> None:
        if self.failed:
            return
        self.index.append([folder, self.offset, len(data), rows, crc])
        self.parts.append(data)
        self.offset += len(data)
        self.pending += len(data)
        self.rows += rows
        if self.pending >= SPOOL_FLUSH and _STREAMED:
            self._flush()

    def _flush(self) -> None:
        try:
            if self.fd is None:
                self._open()
            parts, self.parts, self.pending = self.parts, [], 0
            while parts:  # writev: the parts are not joined into one more copy first
                written = os.writev(self.fd, parts[:1024])
                while written and written >= len(parts[0]):
                    written -= len(parts.pop(0))
                if written:
                    parts[0] = parts[0][written:]
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

    def _keep(self, old: _Store | None, replaced: dict[str, set]) -> None:
        """The chunks of *old* after this run's, as they are unless a path of theirs was stored again."""
        if old is None:
            return
        for number, (folder, _, _, rows, crc) in enumerate(old.chunks):
            if self.rows + rows > MAX_ENTRIES or self.failed:
                return
            again = replaced.get(folder)
            if again is None:
                data = old.raw(number)
                if data is not None:
                    self._chunk(folder, data, rows, crc)
                continue
            self.folder = folder
            for row in old.rows_of_chunk(number):
                if row[PATH] not in again:
                    self.batch.append(row)
            self._encode()

    def finish(self, old: _Store | None, replaced: dict[str, set]) -> None:
        """Add the rows kept from *old*, complete the store and put it in place (OSError if it cannot be)."""
        self._encode()
        self._keep(old, replaced)
        if self.failed:
            return
        index = marshal.dumps([self.kind, self.index])
        self.parts += [index, self.offset.to_bytes(8, "little"), len(index).to_bytes(8, "little"),
                       crc32(index).to_bytes(4, "little"), MAGIC]
        if self.fd is None and not _STREAMED:
            from .atomic import atomic_write

            atomic_write(self.path, b"".join(self.parts), mode=0o600)
            self.parts = []
            return
        self._flush()
        if self.failed:
            return
        try:
            # no fsync, of the file or the folder (ruff and mypy don't either): a store that a crash
            # leaves torn fails its trailer's or a chunk's CRC-32 and reads as misses, chunk by chunk.
            # At 10,000 files the two fsyncs took 8-90 ms of a cold run (bench/README.md, round eight).
            os.close(self.fd)
            self.fd = None
            name = os.path.basename(self.path)
            try:
                existing = os.lstat(name, dir_fd=self.folder_fd)
            except FileNotFoundError:
                existing = None
            if existing is not None and not (stat.S_ISREG(existing.st_mode) and existing.st_nlink == 1):
                raise OSError(f"{self.path} is not a regular file with one link")
            os.replace(self.tmp, name, src_dir_fd=self.folder_fd, dst_dir_fd=self.folder_fd)
            self.tmp = ""
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


def _dumpable(row) -> bool:
    try:
        marshal.dumps(row)
    except ValueError:
        return False
    return True


# writing a store as it fills needs renameat and openat (not on Windows: there it is written at once)
_STREAMED = _NOFOLLOW != 0 and os.open in os.supports_dir_fd and os.rename in os.supports_dir_fd \
    and os.unlink in os.supports_dir_fd and os.stat in os.supports_dir_fd and hasattr(os, "writev")


def cache_folder(engine: Engine, cache_dir: str | None = None) -> Path:
    """The cache's `v1` folder (callers take .parent of it: the tagged cache folder)."""
    from pathlib import Path

    return Path(cache_path(engine, cache_dir))


def cache_path(engine: Engine, cache_dir: str | None = None) -> str:
    """cache_folder as a str, without pathlib (a warm run imports it for nothing else: see config._path_type)."""
    base = cache_dir or engine.options.get("cache-dir") or os.environ.get("DAPRLINT_CACHE_DIR")
    from .config import pure_path

    root = pure_path(os.fspath(base)) if base else os.path.join(engine.settings.root_dir, ".daprlint_cache")
    return os.path.join(root, "v1")


def tree_key(results: list[FileResult], context: list[FileResult]) -> str | None:
    """What the deployment findings are a function of (besides the settings,
    in the cache key): each file's path and content, in order, and the
    working folder (folders are grouped by absolute path). None if a content is unknown."""
    if any(r.digest is None for r in results) or any(r.digest is None for r in context):
        return None
    key = blake2b(os.getcwd().encode("utf-8", "surrogateescape"), digest_size=16)
    for group in (results, None, context):
        if group is None:
            key.update(b"\n\0context")
            continue
        for start in range(0, len(group), 4096):  # in slices: one text of 100,000 paths would be ~20 MB
            # _text inlined, in a list, not a generator: ~1.5k instructions a file less (1,000 context files)
            key.update("".join([f"\n{r.path}\0{d.hex() if type(d := r.digest) is bytes else d}"
                                for r in group[start:start + 4096]]).encode("utf-8", "surrogateescape"))
    return key.hexdigest()


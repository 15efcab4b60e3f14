"""The deployment around an open document, kept between edits (plain Python, no pygls).

`daprlint check FILE` judges a named file with its deployment (workspace.py):
the file's folder, the project's structure files (kustomizations, Chart.yaml,
run files), the chart the file is in, what those point at and
`resources-paths` are read as context, kustomize patches are linted as
partial resources, and the deployment rules (tree.py) run over the facts of
it all. The language server asks the very same functions
(workspace.project_root, workspace.context_paths, workspace.unread_references,
deployments.roles, tree.build_deployments,
tree.tree_findings), once per lint of an open document, so an editor shows
what `check` shows. What it keeps so that an edit costs little:

- each project is walked once (discover.walk: .gitignore, `exclude`, at most
  workspace.MAX_CONTEXT_FILES files); it is walked again only after a file
  was created or deleted, or a .gitignore or configuration changed;
- the facts (facts.FileFacts) of every file read from disk, with the stat
  key taken before the read. They are used again while the stat key is the
  same and the file had settled when it was read (cache.settled, git's
  racy-clean rule), so a change on disk is seen at the next lint even
  without a file-watch event; an event or a save drops them at once;
- an open buffer counts instead of the file on disk (*buffers*: the facts of
  each open document's last lint), saved or not.

Files read from disk go through a result cache (cache.ResultCache) in its
own store, `.daprlint_cache/lsp/` beside the CLI's `v1/` (the same tagged,
git-ignored folder, checked and made by cache.py): the server names files
by absolute path and the CLI by the path it was given, so one store would
give neither any hits and only make the CLI's larger. It is used only in a
project (a git work tree, a configuration file or a configured cache-dir):
the server's working folder is the editor's, and no cache is left there.

Messages of deployment findings name other files (`Secret db
(k8s/base/secret.yaml:4)`); they are shown relative to the project root, as
`check` run at the root shows them.
"""
from __future__ import annotations

import os
import time

from .._record import record


@record(slots=True)
class Plan:
    """What one document's deployment findings are computed from."""

    root: str
    context: list          # paths read as context, in the CLI's order (walk order)
    roles: dict            # absolute path -> "patch"
    note: str | None = None


@record(slots=True)
class _Known:
    """A file's facts as read from disk."""

    role: str
    stat_key: str
    read_at: int
    facts: object


class _Listing:
    """One project's YAML files (one walk) and the context chosen for each document."""

    def __init__(self, files: list[str], note: str | None):
        self.files = files
        self.note = note
        self.chosen: dict[str, list[str]] = {}


class _Holder:
    """The one attribute tree.build_deployments reads of a result."""

    __slots__ = ("facts",)

    def __init__(self, facts):
        self.facts = facts


class ProjectFacts:
    """Per engine (one configuration): project listings, facts read from disk, result caches."""

    def __init__(self, engine, workspace_root: str | None = None):
        from ..engine import Engine

        self.engine = engine
        # context files are read as the CLI reads them: parsing skipped where nothing can be found
        self.reader = Engine(engine.ruleset, engine.settings)
        self.workspace_root = workspace_root
        self._listings: dict[str, _Listing] = {}
        self._known: dict[str, _Known] = {}
        self._caches: dict[str, object] = {}   # cache folder -> cache.ResultCache (None: no cache)
        self._shared: list[str] | None = None
        self.notes: list[str] = []  # to be said once (the server logs them)
        self._said: set[str] = set()

    @property
    def active(self) -> bool:
        """Whether any deployment rule runs (else, as in the CLI, no context is read at all)."""
        return self.engine.collects_facts

    # -- where -------------------------------------------------------------
    def root_of(self, path: str) -> str:
        """workspace.project_root: the git work tree, else the config file's folder, else the
        editor's workspace folder (when it holds the file), else the file's folder."""
        from ..workspace import project_root

        settings = self.engine.settings
        fallback = str(settings.root) if settings.source else None
        if fallback is None and self.workspace_root and _under(path, self.workspace_root):
            fallback = self.workspace_root
        return project_root(path, fallback)

    def _listing(self, root: str) -> _Listing:
        listing = self._listings.get(root)
        if listing is None:
            from ..discover import walk
            from ..workspace import MAX_CONTEXT_FILES

            respect = self.engine.options.get("respect-gitignore", True)
            found = walk(root, self.engine.settings.exclude, respect, limit=MAX_CONTEXT_FILES + 1)
            note = None
            if len(found) > MAX_CONTEXT_FILES:
                found = found[:MAX_CONTEXT_FILES]
                note = (f"the project at {root} has more than {MAX_CONTEXT_FILES} YAML files: deployment "
                        "checks see only the first ones as context")
            listing = self._listings[root] = _Listing(found, note)
            if note and note not in self._said:
                self._said.add(note)
                self.notes.append(note)
        return listing

    # -- planning (before the document is linted: its role) -----------------
    def plan(self, path: str, buffers: dict) -> Plan:
        """The context of the document at *path* (absolute) and the roles the kustomizations give."""
        from ..workspace import context_paths

        root = self.root_of(path)
        listing = self._listing(root)
        context = listing.chosen.get(path)
        if context is None:
            context = listing.chosen[path] = context_paths(listing.files, [path])
        from .. import deployments, projectnames

        structure = [p for p in [path] + context if os.path.basename(p) in projectnames.KUSTOMIZATION_NAMES]
        facts = self._facts_of([(p, "") for p in structure], buffers) if structure else {}
        roles = deployments.roles([f for f in facts.values() if f is not None]) if facts else {}
        return Plan(root, context, roles, listing.note)

    @staticmethod
    def role_of(plan: Plan, path: str) -> str:
        return plan.roles.get(os.path.normpath(path), "")

    # -- judging ---------------------------------------------------------------
    def findings(self, path: str, own_facts, plan: Plan, buffers: dict) -> tuple[list, set]:
        """(deployment findings in the document, every path they were computed from)."""
        from .. import tree
        from ..workspace import MAX_REFERENCE_ROUNDS, unread_references

        context = self._facts_of([(p, self.role_of(plan, p)) for p in plan.context], buffers)
        used = {path, *plan.context}
        facts = [own_facts] + [f for f in context.values() if f is not None]
        shared_paths = [p for p in self._shared_paths() if p != path]  # the CLI leaves out only the linted file
        shared = [f for f in self._facts_of([(p, "") for p in shared_paths], buffers).values() if f is not None]
        used.update(shared_paths)
        seen = set(used)  # absolute and normal already (the walk joins to the normal root)
        new, more = facts + shared, []
        for _ in range(MAX_REFERENCE_ROUNDS):  # what the project files point at (workspace.follow_references)
            wanted = [os.path.normpath(os.path.abspath(p)) for p in unread_references(new, seen)]
            if not wanted:
                break
            got = self._facts_of([(p, self.role_of(plan, p)) for p in wanted], buffers)
            new = [f for f in got.values() if f is not None]
            more += new
        used |= seen
        built = tree.build_deployments(self.engine, [_Holder(own_facts)],
                                       [_Holder(f) for f in facts[1:] + more],
                                       [_Holder(f) for f in shared], plan.root)
        found = tree.tree_findings(self.engine, [path], built)
        prefix = plan.root.rstrip(os.sep) + os.sep
        if len(prefix) > 1:
            for finding in found:
                finding.message = finding.message.replace(prefix, "")
        return found, used

    def _shared_paths(self) -> list[str]:
        """`resources-paths` (absolute in the settings), walked once."""
        if self._shared is None:
            from ..discover import discover

            paths = self.engine.options.get("resources-paths") or []
            self._shared = [os.path.abspath(t.path) for t in discover(paths, self.engine.settings.exclude)] \
                if paths else []
        return self._shared

    def unread(self, plan: Plan, buffers: dict) -> int:
        """How many context files of *plan* would be linted now: neither an open buffer, nor
        known unchanged here, nor served by the result cache without a read (its stat rule)."""
        from ..cache import settled, stat_key, unchanged_since_read

        count = 0
        cache = self._cache_for(plan.context[0]) if plan.context else None
        for path in plan.context:
            if path in buffers:
                continue
            try:
                st = os.stat(path)
            except OSError:
                continue  # unreadable: nothing to lint
            known = self._known.get(path)
            if known is not None and known.stat_key == stat_key(st) and settled(st, known.read_at):
                continue
            entry = cache.entry(path, self.role_of(plan, path)) if cache is not None else None
            if entry is not None and unchanged_since_read(entry, st):
                continue
            count += 1
        return count

    # -- facts -------------------------------------------------------------------
    def _facts_of(self, wanted: list[tuple[str, str]], buffers: dict) -> dict:
        """{path: FileFacts or None} for (path, role) pairs: an open buffer's, else the disk's."""
        out: dict = {}
        todo = []
        now = time.time_ns()
        from ..cache import settled, stat_key

        for path, role in wanted:
            if path in buffers:
                out[path] = buffers[path]
                continue
            try:
                st = os.stat(path)
            except OSError:
                st = None
            known = self._known.get(path)
            if (known is not None and st is not None and known.role == role and known.stat_key == stat_key(st)
                    and settled(st, known.read_at)):
                out[path] = known.facts
                continue
            todo.append((path, role, st))
        if todo:
            for (path, role, st), facts in zip(todo, self._read(todo, now)):
                out[path] = facts
                if st is not None:
                    self._known[path] = _Known(role, stat_key(st), now, facts)
                else:
                    self._known.pop(path, None)
        return out

    def _read(self, todo: list, now: int) -> list:
        """Lint files from disk (through the result cache when there is one) for their facts."""
        from ..discover import Target
        from ..results import NO_CONTENT
        from ..runner import ensure_facts, lint_targets

        targets = [Target(path, False, role) for path, role, _ in todo]
        cache = self._cache_for(todo[0][0])
        if cache is None:
            results = lint_targets(self.reader, targets)
        else:
            cache.started_ns = now  # taken before any of these files is read: the cache's rule holds
            results = lint_targets(self.reader, targets, cache=cache, want_texts=None)
            ensure_facts(cache, self.reader, targets, results)
        return [r.facts if r.digest != NO_CONTENT else None for r in results]

    def _cache_for(self, path: str):
        from ..cache import ResultCache, cache_folder

        settings = self.engine.settings
        configured = self.engine.options.get("cache-dir") or os.environ.get("DAPRLINT_CACHE_DIR")
        if configured or settings.source is not None:
            base = str(cache_folder(self.reader).parent)
        else:
            root = self.root_of(path)
            if not os.path.exists(os.path.join(root, ".git")):
                return None  # not a project: facts stay in memory
            base = os.path.join(root, ".daprlint_cache")
        folder = os.path.join(base, "lsp")  # beside the CLI's `v1`, under the same tagged folder
        if folder not in self._caches:
            from pathlib import Path

            cache = ResultCache(Path(folder), self.reader)
            if cache.problem:  # a folder that is no cache of ours (a link, another user's...): said once
                self.notes.append(f"not using the result cache: {cache.problem}")
                cache = None
            self._caches[folder] = cache
        return self._caches[folder]

    def save(self) -> None:
        """Write the result caches (a cache that cannot be written is no error)."""
        for cache in self._caches.values():
            if cache is not None:
                cache.save()

    # -- changes ---------------------------------------------------------------
    def changed(self, path: str, listing: bool) -> None:
        """*path* changed on disk; *listing*: files were created or deleted (walk again)."""
        self._known.pop(path, None)
        if listing:
            self._listings.clear()
            self._shared = None


def _under(path: str, folder: str) -> bool:
    folder = os.path.abspath(folder)
    return os.path.abspath(path).startswith(folder.rstrip(os.sep) + os.sep)

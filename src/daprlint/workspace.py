"""Which files a run reads besides the ones it reports on, and in which role.

Deployment findings need the whole deployment, so a run reads, for their
facts only (never reported):

- the deployment around named files: when a file is named (pre-commit
  passes the staged files one by one, an editor opens one), the rest of
  its deployment is read, so a duplicate name or a broken reference against
  an already committed file is caught without configuration. Its project
  (the git work tree, else the config file's folder) is walked for names
  only (bounded by MAX_CONTEXT_FILES); what is read is the named files'
  folders, the project's kustomizations, charts and run files, and what
  those include (a chart's templates when a named file is one of them).
  Every file goes through the result cache;
- what project files point at outside the linted folders (a kustomize
  base in `../base`, a run file's resources folder);
- `resources-paths` from the config (joined to every deployment).

Kustomize patches are linted as partial resources: the kustomizations are
read first, so every file knows its role before it is linted.
"""
from __future__ import annotations

import os
from stat import S_ISDIR, S_ISREG

from . import deployments, projectnames
from .abspaths import Absolute, join
from .discover import Target, discover, walk
from .runner import lint_targets

MAX_CONTEXT_FILES = 20_000   # a project walk for named files stops here (the rest stays unread)
MAX_REFERENCE_ROUNDS = 4     # kustomize bases of bases of bases...


class Plan:
    """The targets of a run with their roles, and what is read as context."""

    def __init__(self, targets: list[Target], context: list[Target], shared: list[Target], notes: list[str],
                 linted: dict | None = None):
        self.targets = targets
        self.context = context
        self.shared = shared
        self.notes = notes  # said once on stderr (e.g. a project too large to read whole)
        # {path: FileResult} of the kustomizations, linted to read the roles, in the role they keep, with
        # their facts: the run takes these results instead of linting the files again (the targets' were
        # linted with the run's want_texts and frames, the context's as context is)
        self.linted = linted or {}


def project_root(path: str, config_root: str | None) -> str:
    """The git work tree holding *path*, else the config file's folder, else the path's folder."""
    start = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(path) or ".")
    folder = start
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    if config_root and start.startswith(os.path.abspath(config_root)):
        return os.path.abspath(config_root)
    return start


def plan(engine, targets: list[Target], cache=None, jobs: int = 1, want_texts: bool = False,
         frames: bool = False) -> Plan:
    """Work out roles and context for *targets* (reads only the kustomizations first).

    The kustomizations are linted as the run's lint would lint them (the
    targets' with *want_texts* and *frames*: runner.lint_targets; the
    context's as context), so Plan.linted can stand in for linting them again."""
    notes: list[str] = []
    if not engine.collects_facts:
        return Plan(targets, [], [], notes)
    settings = engine.settings
    shared = _shared_targets(engine, targets)
    context: list[Target] = []
    named = [t for t in targets if t.explicit and t.path != "-"]
    if named:
        root = project_root(named[0].path, str(settings.root) if settings.source else None)
        context, note = _project_context(engine, root, targets)
        if note:
            notes.append(note)
    roles, linted = _roles(engine, targets, context, cache, jobs, want_texts, frames)
    targets, context = _with_roles(targets, roles), _with_roles(context, roles)
    kept = {t.path: linted[t.path] for group in (targets, context) for t in group
            if t.path in linted and t.role == ""}
    return Plan(targets, context, shared, notes, kept)


def _shared_targets(engine, targets: list[Target]) -> list[Target]:
    paths = engine.options.get("resources-paths") or []
    if not paths:
        return []
    linted = {t.path for t in targets}
    return [Target(t.path, False) for t in discover(paths, engine.settings.exclude) if t.path not in linted]


def _project_context(engine, root: str, targets: list[Target]) -> tuple[list[Target], str | None]:
    respect = engine.options.get("respect-gitignore", True)
    found = walk(root, engine.settings.exclude, respect, limit=MAX_CONTEXT_FILES + 1)
    note = None
    if len(found) > MAX_CONTEXT_FILES:
        found = found[:MAX_CONTEXT_FILES]
        note = (f"the project at {root} has more than {MAX_CONTEXT_FILES} YAML files: deployment checks see "
                "only the first ones as context")
    named = [t.path for t in targets if t.path != "-"]
    shown = _shown_from(os.getcwd())
    return [Target(shown(path), False) for path in context_paths(found, named)], note


def context_paths(found: list[str], named: list[str]) -> list[str]:
    """The paths of *found* (a project walk) read as context for the *named*
    files: their folders, every structure file, and the charts they are in.
    The language server calls this too, so an editor sees the CLI's deployment."""
    named = [os.path.abspath(p) for p in named]
    folders = {os.path.dirname(p) for p in named}
    absolute_of = Absolute()  # abspath's normpath for each of 1,000 files was ~2M instructions of a warm named file
    charts = {os.path.dirname(absolute_of(p)) for p in found  # endswith first: basename is a call a file
              if p.endswith(projectnames.CHART_NAME) and os.path.basename(p) == projectnames.CHART_NAME}
    chart_roots = [c + os.sep for c in charts if any(p.startswith(c + os.sep) for p in named)]
    linted = set(named)
    structure = (*projectnames.KUSTOMIZATION_NAMES, projectnames.CHART_NAME, *projectnames.RUN_FILE_NAMES)
    wanted = []
    for path in found:
        absolute = absolute_of(path)
        if absolute in linted:
            continue
        head = absolute[:absolute.rfind(os.sep) + 1]  # os.path.dirname and basename, without their calls
        if ((head.rstrip(os.sep) or head) in folders or absolute[len(head):] in structure
                or (chart_roots and any(absolute.startswith(c) for c in chart_roots))):
            wanted.append(path)
    return wanted


class _Normal:
    """`os.path.normpath(path) == path`, decided once a folder: for a last
    part that is a plain name (not empty, `.` or `..`), normpath keeps it as
    it is, so the path is normal exactly when its folder joined with any
    plain name is."""

    def __init__(self):
        self.folders: dict[str, bool] = {}

    def __call__(self, path: str) -> bool:
        folder, sep, name = path.rpartition(os.sep)
        if not sep or name in ("", ".", ".."):
            return os.path.normpath(path) == path
        known = self.folders.get(folder)
        if known is None:
            probe = folder + sep + "x"
            known = self.folders[folder] = os.path.normpath(probe) == probe
        return known


def _shown_from(cwd: str):
    """Context files are never reported; a path relative to *cwd* keeps keys
    and messages short. A path below *cwd* loses its prefix (what
    os.path.relpath gives, at a tenth of its cost: this runs for every file
    of a deployment, ~0.1 s for 1,000 files with relpath here); others go
    through relpath."""
    prefix = cwd.rstrip(os.sep) + os.sep
    parent = ".." + os.sep + ".."
    normal = _Normal()

    def shown(path: str) -> str:
        if path.startswith(prefix) and normal(path):
            return path[len(prefix):]
        try:
            rel = os.path.relpath(path, cwd)
        except ValueError:
            return path
        return path if rel.startswith(parent) else rel

    return shown


def _roles(engine, targets: list[Target], context: list[Target], cache, jobs: int, want_texts: bool,
           frames: bool) -> tuple[dict[str, str], dict]:
    """Lint the kustomizations among *targets* and *context*, and read the roles they give:
    (the roles, {path: result} of those linted in the role "", with their facts). The targets'
    are linted with *want_texts* and *frames*, the context's as context is (want_texts None)."""
    results, linted = [], {}
    for group, texts, framed in ((targets, want_texts, frames), (context, None, False)):
        structure = [t for t in group if projectnames.is_kustomization_name(t.path)]
        if not structure:
            continue
        found = lint_targets(engine, structure, jobs, cache=cache, want_texts=texts, frames=framed)
        if cache is not None:
            from .runner import ensure_facts

            ensure_facts(cache, engine, structure, found, jobs)
        results += found
        linted.update((t.path, r) for t, r in zip(structure, found) if t.role == "" and t.path != "-")
    if not results:
        return {}, {}
    return deployments.roles([r.facts for r in results if r.facts is not None]), linted


def _with_roles(targets: list[Target], roles: dict[str, str]) -> list[Target]:
    if not roles:
        return targets
    out, absolute_of = [], Absolute()
    for t in targets:
        role = roles.get(absolute_of(t.path), "") if t.path != "-" else ""
        out.append(Target(t.path, t.explicit, role) if role != t.role else t)
    return out


def follow_references(engine, all_facts: list, known: list[Target], cache=None, jobs: int = 1) -> tuple[list, list]:
    """Targets and results for what the project files point at outside what
    was read (kustomize bases, run-file resources folders), to a fixed point."""
    absolute_of = Absolute()
    seen = {absolute_of(t.path) for t in known}
    extra_targets: list[Target] = []
    extra_results: list = []
    facts = list(all_facts)
    kustomizations = [f for f in facts if f.kustomization is not None]
    shown = _shown_from(os.getcwd())
    for _ in range(MAX_REFERENCE_ROUNDS):
        found = unread_references(facts, seen)
        if not found:
            break
        # in the role the kustomizations give (a patch they list is partial), as the run's own files get
        # theirs (plan): the cache's entry of a file is for one role
        roles = deployments.roles(kustomizations)
        wanted = [Target(shown(path), False, roles.get(absolute_of(path), "")) for path in found]
        results = lint_targets(engine, wanted, jobs, cache=cache, want_texts=None)
        if cache is not None:
            from .runner import ensure_facts

            ensure_facts(cache, engine, wanted, results, jobs)
        extra_targets += wanted
        extra_results += results
        facts = [r.facts for r in results if r.facts is not None]
        kustomizations += [f for f in facts if f.kustomization is not None]
    return extra_targets, extra_results


def unread_references(facts, seen: set[str]) -> list[str]:
    """The files that the project files among *facts* point at (kustomize bases, run-file
    resources folders) and that are not in *seen* (absolute, normal paths) yet; they are
    added to it. One round of follow_references, shared with the language server."""
    wanted, absolute_of = [], Absolute()
    for target in sorted(deployments.referenced_paths(facts)):
        if target in seen:
            continue  # a file read already (most references are): files_at would give it alone, a stat for nothing
        # a normal absolute target's files are too (its own path, or it joined with a name from its folder)
        normal = os.path.isabs(target) and os.path.normpath(target) == target
        for path in files_at(target):
            absolute = path if normal else absolute_of(path)
            if absolute not in seen:
                seen.add(absolute)
                wanted.append(path)
    return wanted


def files_at(path: str) -> list[str]:
    """A file itself; for a folder, its YAML files (not its subfolders: daprd and kustomize read one level).

    One stat, and one scandir a folder, whose entries say whether they are files without a stat
    of their own (but for a link, followed as isfile() follows it). isfile, isdir, listdir and an
    isfile a name made 571 more stat calls on repo-3000-s42 (7,304 against 6,733), whose ~900
    references (kustomize bases, overlays' resources) the run has read already."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return []
    if S_ISREG(mode):
        return [path] if path.endswith((".yaml", ".yml")) or os.path.basename(path) == "Kustomization" else []
    if not S_ISDIR(mode):
        return []
    try:
        with os.scandir(path) as entries:
            names = sorted(e.name for e in entries
                           if (e.name.endswith((".yaml", ".yml")) or e.name == "Kustomization") and _is_file(e))
    except OSError:
        return []
    return [join(path, n) for n in names]


def _is_file(entry) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False

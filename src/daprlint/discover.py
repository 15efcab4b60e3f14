"""Which files to lint.

Folders are walked for *.yaml / *.yml (and kustomize's `Kustomization`),
skipping version-control and tool folders (SKIP_DIRS), what .gitignore
files ignore (matched by gitignore.py, linear on any pattern) and `exclude`
globs. Hidden folders are walked: Dapr projects keep resources in `.dapr/`,
and CI in `.github/`. A file named on the command line is always linted.
Directory symlinks are followed once: the walk remembers each real folder,
so symlink loops end.
"""
from __future__ import annotations

import fnmatch
import os
import stat
from operator import attrgetter
from ._record import record as dataclass

YAML_SUFFIXES = (".yaml", ".yml")
YAML_NAMES = ("Kustomization",)  # kustomize's extension-less file name
# version control, dependencies, virtual environments, tool caches
SKIP_DIRS = {".git", ".hg", ".svn", ".bzr", "_darcs", ".jj", "CVS", "node_modules", "bower_components", "vendor",
             "__pycache__", ".venv", "venv", ".tox", ".nox", ".eggs", ".mypy_cache", ".pytest_cache",
             ".ruff_cache", ".hypothesis", ".daprlint_cache", ".terraform", ".gradle", ".idea", ".cache",
             ".direnv", "site-packages"}


@dataclass(frozen=True, slots=True)
class Target:
    path: str          # as shown in output
    explicit: bool     # named on the command line
    role: str = ""     # "patch": a kustomize patch (see deployments.roles)


def _excluded(rel: str, name: str, patterns: list[str]) -> bool:
    if not patterns:
        return False
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p.rstrip("/") + "/*")
               for p in patterns)


def _gitignore(folder: str):
    path = os.path.join(folder, ".gitignore")
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read(1 << 20).splitlines()  # a megabyte of patterns is plenty
    except OSError:
        return None
    from .gitignore import GitIgnore

    return GitIgnore(lines)


def walk(root: str, exclude: list[str], respect_gitignore: bool = True, limit: int | None = None) -> list[str]:
    """The YAML files under *root*, in a stable order (at most *limit*)."""
    found: list[str] = []
    seen: set[tuple[int, int]] = set()
    # each stack entry carries the .gitignore specs that apply, with their folder
    stack: list[tuple[str, list]] = [(root, [])]
    while stack:
        folder, specs = stack.pop()
        try:
            st = os.stat(folder)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=_by_name)
        except OSError:
            continue
        # only a folder that lists a .gitignore is asked to open one (a repository
        # of one file a folder made a failed open() for every file)
        if respect_gitignore and any(entry.name == ".gitignore" for entry in entries):
            spec = _gitignore(folder)
            if spec is not None:
                specs = specs + [(folder, spec)]
        subdirs = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            name = entry.name
            if is_dir:
                if name in SKIP_DIRS:
                    continue
                if (exclude and _excluded(_rel(entry.path, root), name, exclude)) or (
                        specs and _ignored(entry.path, True, specs)):
                    continue
                subdirs.append(entry.path)
            elif name.endswith(YAML_SUFFIXES) or name in YAML_NAMES:
                if (exclude and _excluded(_rel(entry.path, root), name, exclude)) or (
                        specs and _ignored(entry.path, False, specs)):
                    continue
                found.append(entry.path)
                if limit is not None and len(found) >= limit:
                    return found
        stack.extend((d, specs) for d in reversed(subdirs))
    return found


_by_name = attrgetter("name")


def _rel(path: str, root: str) -> str:
    # path is root + sep + ...: slicing is much cheaper than os.path.relpath
    return path[len(root.rstrip(os.sep)) + 1:] if path.startswith(root) else os.path.relpath(path, root)


def _ignored(path: str, is_dir: bool, specs: list) -> bool:
    """git's rule: the deepest .gitignore with a matching pattern decides (its last match wins)."""
    for folder, spec in reversed(specs):
        rel = path[len(folder.rstrip(os.sep)) + 1:].replace(os.sep, "/")
        verdict = spec.match(rel, is_dir)
        if verdict is not None:
            return verdict
    return False


def discover(paths: list[str], exclude: list[str], respect_gitignore: bool = True,
             force_exclude: bool = False, root: str | None = None) -> list[Target]:
    """Targets to lint; with force_exclude, named files are matched against
    `exclude` relative to *root* (the config file's folder)."""
    targets: list[Target] = []
    seen: set[str] = set()
    for p in paths:
        if p == "-":
            targets.append(Target("-", True))
            continue
        try:
            is_dir = stat.S_ISDIR(os.stat(p).st_mode)
        except OSError:
            is_dir = False
        if not is_dir and force_exclude and _excluded(
                os.path.relpath(os.path.abspath(p), root or os.getcwd()), os.path.basename(p), exclude):
            continue  # --force-exclude: pre-commit names files one by one, config excludes still apply
        files = walk(p, exclude, respect_gitignore) if is_dir else [p]
        # below a folder already in normal form (not "."), every path the
        # walk joins from real entry names is in normal form too
        normal = is_dir and p != "." and os.path.normpath(p) == p
        for f in files:
            shown = f if normal else os.path.normpath(f)
            if shown not in seen:
                seen.add(shown)
                targets.append(Target(shown, not is_dir))
    return targets

"""`check --watch`: lint again whenever a linted file, the configuration or a rule pack changes.

Each round runs the whole check (commands.check_once, with the result
cache, so only changed files are parsed again) and prints its report; on a
terminal the screen is cleared first, elsewhere reports follow each other.
Ctrl-C ends the watch with exit code 0.

What triggers a round: a change to a file the run lints (the same file set:
discovery with the run's excludes and .gitignore files, so a new YAML file
counts and an ignored one does not), to the configuration file (or one
appearing where daprlint would find it) or to a file of a rule pack.
Changes are debounced: a burst of writes (an editor's save, a `git
checkout`) gives one round, after it has settled.

How changes are seen:
- with the `watch` extra (`pip install 'daprlint[watch]'`), file-system
  events from `watchfiles` (Rust `notify`: inotify, FSEvents, kqueue,
  ReadDirectoryChangesW) for the linted folders; the configuration and rule
  packs, a handful of files, are checked by stat whenever the watcher is
  idle for POLL_INTERVAL. `watchfiles` is imported only here: its import
  costs ~190 ms on the project's 2-core VM (it brings anyio and logging),
  never paid by a plain `check`;
- without it, or with DAPRLINT_WATCH=poll (network file systems give no
  events), stat polling every POLL_INTERVAL over that same file set.
A file is taken as changed when its (mtime in ns, size, inode, ctime)
changes, or when it appears or goes.
"""
from __future__ import annotations

import gc
import os
import sys
import time

POLL_INTERVAL = 0.5      # seconds between polls (and between idle checks of the configuration)
WATCHFILES_STEP_MS = 50  # watchfiles: a burst ends after this long without events...
WATCHFILES_DEBOUNCE_MS = 1600  # ...or after this long in all
CLEAR_SCREEN = "\x1b[2J\x1b[3J\x1b[H"
READY = "daprlint: watching for changes (Ctrl-C to stop)"


def watch(args, check_once, out=None) -> int:
    """Run *check_once(args)* now and after every change; 0 when Ctrl-C ends it."""
    out = out if out is not None else sys.stdout
    waiter = _waiter(args)
    try:
        while True:
            before = Snapshot(args)  # taken before the round: a change made while it runs is seen after
            _round(args, check_once, out)
            waiter.wait(before)
    except KeyboardInterrupt:
        return 0
    finally:
        waiter.close()


def _round(args, check_once, out) -> None:
    if out.isatty() and not args.output_file:
        out.write(CLEAR_SCREEN)
        out.flush()
    try:
        check_once(args)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a broken configuration or rule pack: said, and watched until fixed
        from .atomic import WriteRefused
        from .config import ConfigError
        from .packs import PackError

        if isinstance(exc, (ConfigError, PackError, WriteRefused)):
            print(f"daprlint: error: {exc}", file=sys.stderr)
        else:  # never a traceback: it could quote a value
            print(f"daprlint: internal error ({type(exc).__name__}); please report it", file=sys.stderr)
    # commands._tune_gc froze everything alive at its start: let a long watch collect what rounds leave
    gc.unfreeze()
    gc.collect()


# -- what a round reads ------------------------------------------------------
def _settings(args):
    from .config import ConfigError, Settings, settings_from_args

    try:
        return settings_from_args(args)
    except ConfigError:
        return Settings()  # broken: the file set with defaults (the configuration is watched too)


def linted_files(args, settings=None) -> list[str]:
    """The files a round lints (commands.cmd_check's discovery), as absolute paths."""
    from .discover import discover

    settings = settings if settings is not None else _settings(args)
    targets = discover(args.paths, settings.exclude, settings.options.get("respect-gitignore", True),
                       force_exclude=args.force_exclude, root=str(settings.root))
    reports = {os.path.abspath(p) for p in (args.output_file, args.output_sarif) if p}  # written by the round
    return [p for p in (os.path.abspath(t.path) for t in targets if t.path != "-") if p not in reports]


def config_files(args, settings=None) -> list[str]:
    """Where a round reads (or would find) its configuration, and every rule pack file."""
    settings = settings if settings is not None else _settings(args)
    found: list[str] = []
    if args.config:
        found.append(os.path.abspath(args.config))
    elif not args.isolated:
        first = next((p for p in args.paths if p != "-"), ".")
        folder = os.path.abspath(first if os.path.isdir(first) else os.path.dirname(first) or ".")
        while True:
            found += [os.path.join(folder, ".daprlint.toml"), os.path.join(folder, "pyproject.toml")]
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    for pack in settings.rule_packs:
        for root, dirs, files in os.walk(getattr(pack, "path", pack)):  # a packs.PackRef, or a path
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            found += [os.path.join(root, name) for name in sorted(files)]
    return found


def _stamp(path: str):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


class Snapshot:
    """The stat of every file a round depends on (*linted*: also the linted files)."""

    def __init__(self, args, linted: bool = True):
        settings = _settings(args)
        self.linted = linted_files(args, settings) if linted else []
        self.config = {p: _stamp(p) for p in config_files(args, settings)}
        self.files = {p: _stamp(p) for p in self.linted}

    def config_changed(self, args) -> bool:
        return Snapshot(args, linted=False).config != self.config

    def __eq__(self, other) -> bool:
        return isinstance(other, Snapshot) and (self.files, self.config) == (other.files, other.config)


# -- waiting -----------------------------------------------------------------
def _waiter(args):
    if os.environ.get("DAPRLINT_WATCH", "").strip().lower() != "poll":
        try:
            import watchfiles  # noqa: F401  (the `watch` extra)
        except ImportError:
            print("daprlint: watching by polling every 0.5 s (install the 'watch' extra for file system events: "
                  "pip install '.[watch]' from a clone)", file=sys.stderr)
        else:
            return EventWaiter(args)
    return PollWaiter(args)


class PollWaiter:
    """Stat polling over the round's file set."""

    def __init__(self, args):
        self.args = args

    def wait(self, before: Snapshot) -> None:
        _ready()
        while True:
            time.sleep(POLL_INTERVAL)
            now = Snapshot(self.args)
            if now != before:
                break
        while True:  # debounce: until two polls agree
            time.sleep(POLL_INTERVAL)
            later = Snapshot(self.args)
            if later == now:
                return
            now = later

    def close(self) -> None:
        pass


def _is_yaml(path: str) -> bool:
    from .discover import YAML_NAMES, YAML_SUFFIXES

    name = os.path.basename(path)
    return name.endswith(YAML_SUFFIXES) or name in YAML_NAMES


class EventWaiter:
    """watchfiles events for the linted folders; one watcher for the whole
    session, so changes made while a round runs are kept for the next wait."""

    def __init__(self, args):
        import watchfiles

        self.args = args
        roots = set()
        for path in args.paths:
            path = os.path.abspath(path)
            roots.add(path if os.path.isdir(path) else os.path.dirname(path))
        # a folder inside another watched one is watched already
        roots = sorted(r for r in roots if not any(r != o and r.startswith(o.rstrip(os.sep) + os.sep) for o in roots))
        # no filter: every batch of events wakes the wait, which also checks the configuration then
        self._events = watchfiles.watch(*roots, watch_filter=None,
                                        debounce=WATCHFILES_DEBOUNCE_MS, step=WATCHFILES_STEP_MS,
                                        rust_timeout=int(POLL_INTERVAL * 1000), yield_on_timeout=True,
                                        raise_interrupt=True)
        self._armed = False

    def wait(self, before: Snapshot) -> None:
        if self._armed:
            _ready()
        if before.config_changed(self.args):
            return  # changed while the round ran
        known = set(before.linted)
        for changes in self._events:
            if not self._armed:  # the watcher runs once the generator has yielded
                self._armed = True
                _ready()
            changes = {(change, path) for change, path in changes if _is_yaml(path)}
            if (changes and self._relevant(changes, known)) or before.config_changed(self.args):
                return

    def _relevant(self, changes, known: set) -> bool:
        import watchfiles

        paths = {os.path.abspath(path) for _change, path in changes}
        if paths & known:
            return True
        if any(change != watchfiles.Change.modified for change, _path in changes):
            return set(linted_files(self.args)) != known  # a file appeared or went
        return False

    def close(self) -> None:
        self._events.close()


def _ready() -> None:
    print(READY, file=sys.stderr, flush=True)

"""`check --watch` (daprlint.watch): a real process that lints, sees a file
edited, lints again, and ends with exit code 0 on Ctrl-C; both ways of
seeing changes (watchfiles events, stat polling). Waits are bounded and
nothing asserts how long anything took."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import DYNAMODB_WITHOUT_REGION, REPO, ctrl_c_reaches_child
from daprlint import watch
from daprlint.cli import CHECK_OPTIONS, build_parser

GOLDEN = REPO / "tests" / "golden" / "watch.concise"
CLI_HAS_FLAG = any("--watch" in flags for _group, flags, _kw in CHECK_OPTIONS)
try:
    import watchfiles  # noqa: F401
    HAVE_WATCHFILES = True
except ImportError:
    HAVE_WATCHFILES = False

COMPONENT = DYNAMODB_WITHOUT_REGION
BOGUS_ITEM = "  - name: bogusField\n    value: x\n"

# `watch.watch` over the command's one run, as `check --watch` wires it (commands.py)
RUNNER = """\
import sys
from daprlint import cli, commands, watch
args = cli.build_parser().parse_args(["check", *sys.argv[1:]])
args.watch = args.add_noqa = False
sys.exit(watch.watch(args, getattr(commands, "check_once", commands.cmd_check)))
"""


class Session:
    """A watching process; its output is collected by threads as it comes."""

    def __init__(self, argv: list[str], cwd: Path, env: dict | None = None, stdout=None):
        self.proc = subprocess.Popen(argv, cwd=cwd, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, preexec_fn=ctrl_c_reaches_child,
                                     env={**os.environ, "NO_COLOR": "1", **(env or {})})
        self.chunks = {"out": [], "err": []}
        streams = [("err", self.proc.stderr)] + ([("out", self.proc.stdout)] if stdout is None else [])
        self.readers = [threading.Thread(target=self._read, args=(name, pipe), daemon=True) for name, pipe in streams]
        for reader in self.readers:
            reader.start()

    def _read(self, name: str, pipe) -> None:
        for chunk in iter(lambda: pipe.read1(4096), b""):
            self.chunks[name].append(chunk)

    def text(self, name: str) -> str:
        return b"".join(self.chunks[name]).decode()

    def wait_for(self, needle: str, count: int, name: str = "out", timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while self.text(name).count(needle) < count:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"{needle!r} x{count} not seen on std{name}; stdout:\n{self.text('out')}\n"
                                     f"stderr:\n{self.text('err')}")
            time.sleep(0.05)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout=60)
        for reader in self.readers:
            reader.join(timeout=10)
        return code


def replace(path: Path, text: str) -> None:
    """Write *path* as editors do: a temporary file, then a rename over it."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def session(kind: str, folder: Path, stdout=None) -> Session:
    flags = [".", "--output-format", "concise"]
    env = {"DAPRLINT_WATCH": "poll"} if kind == "poll" else {}
    if kind == "cli":
        return Session([sys.executable, "-m", "daprlint", "check", "--watch", *flags], folder, env, stdout)
    return Session([sys.executable, "-c", RUNNER, *flags], folder, env, stdout)


REPORT_ENDS = ("Found ", "All checks passed")


def reports(text: str) -> int:
    return sum(line.startswith(REPORT_ENDS) for line in text.splitlines())


KINDS = [
    "poll",
    pytest.param("events", marks=pytest.mark.skipif(not HAVE_WATCHFILES, reason="watchfiles is not installed "
                                                                                 "(pip install 'daprlint[watch]')")),
    pytest.param("cli", marks=pytest.mark.skipif(not CLI_HAS_FLAG, reason="needs the --watch flag in cli.py/"
                                                                          "commands.py (the noqa branch's patch)")),
]


@pytest.mark.parametrize("kind", KINDS)
def test_watch_lints_again_on_change_and_ctrl_c_exits_0(tmp_path, kind):
    manifest = tmp_path / "c.yaml"
    manifest.write_text(COMPONENT)
    (tmp_path / ".gitignore").write_text("ignored.yaml\n")
    run = session(kind, tmp_path)
    run.wait_for(watch.READY, 1, "err")
    assert reports(run.text("out")) == 1
    replace(manifest, COMPONENT + BOGUS_ITEM)  # a linted file changes: a new report
    run.wait_for(watch.READY, 2, "err")
    run.wait_for("Found 2 findings", 1)
    # neither a file that is not YAML nor an ignored YAML file starts a round: had they,
    # the next report would not be the third one
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "ignored.yaml").write_text(COMPONENT)
    time.sleep(2 * watch.POLL_INTERVAL)  # a chance to misbehave, not a measurement
    (tmp_path / ".daprlint.toml").write_text('ignore = ["DPR003"]\n')  # the configuration changes
    run.wait_for(watch.READY, 3, "err")
    run.wait_for("Found 1 finding ", 2)
    (tmp_path / "new.yaml").write_text(COMPONENT.replace("orders", "payments"))  # a new file is linted
    run.wait_for("Found 2 findings", 2)
    assert run.stop() == 0
    out = run.text("out")
    assert reports(out) == 4, out
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(out)
    assert out == GOLDEN.read_text()
    assert "\x1b[" not in out  # not a terminal: no screen clearing
    assert "Traceback" not in run.text("err")


def test_without_watchfiles_it_polls(tmp_path):
    (tmp_path / "c.yaml").write_text(COMPONENT)
    hidden = "import sys\nsys.modules['watchfiles'] = None  # as if not installed\n" + RUNNER
    run = Session([sys.executable, "-c", hidden, ".", "--output-format", "concise"], tmp_path)
    run.wait_for(watch.READY, 1, "err")
    assert "watching by polling every 0.5 s" in run.text("err")
    replace(tmp_path / "c.yaml", COMPONENT + BOGUS_ITEM)
    run.wait_for("Found 2 findings", 1)
    assert run.stop() == 0


def test_a_terminal_is_cleared_before_each_report(tmp_path):
    import pty

    (tmp_path / "c.yaml").write_text(COMPONENT)
    master, slave = pty.openpty()
    run = session("poll", tmp_path, stdout=slave)
    os.close(slave)
    seen = []

    def read() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            seen.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    run.wait_for(watch.READY, 1, "err")
    replace(tmp_path / "c.yaml", COMPONENT + BOGUS_ITEM)
    run.wait_for(watch.READY, 2, "err")
    assert run.stop() == 0
    reader.join(timeout=10)
    os.close(master)
    screen = b"".join(seen).decode()
    assert screen.count(watch.CLEAR_SCREEN) == 2 and screen.startswith(watch.CLEAR_SCREEN)
    assert "Found 2 findings" in screen.split(watch.CLEAR_SCREEN)[2]


def test_a_broken_configuration_is_said_and_watched_until_fixed(tmp_path):
    (tmp_path / "c.yaml").write_text(COMPONENT)
    (tmp_path / ".daprlint.toml").write_text("no-such-key = 1\n")
    run = session("poll", tmp_path)
    run.wait_for(watch.READY, 1, "err")
    assert "daprlint: error:" in run.text("err") and reports(run.text("out")) == 0
    replace(tmp_path / ".daprlint.toml", 'ignore = ["AWS001"]\n')
    run.wait_for("All checks passed", 1)
    assert run.stop() == 0


def test_plain_check_imports_neither_watch_nor_watchfiles(tmp_path):
    (tmp_path / "c.yaml").write_text(COMPONENT)
    code = ("import sys\nfrom daprlint.cli import main\nmain(['check', '--no-cache', 'c.yaml'])\n"
            "print(sorted(m for m in sys.modules if m in ('watchfiles', 'anyio', 'daprlint.watch')))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.stdout.splitlines()[-1] == "[]", proc.stderr


def _args(*argv: str):
    return build_parser().parse_args(["check", *argv])


def test_the_watched_file_set_is_the_linted_one(tmp_path):
    (tmp_path / "a.yaml").write_text(COMPONENT)
    (tmp_path / "skip.yaml").write_text(COMPONENT)
    (tmp_path / ".gitignore").write_text("skip.yaml\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "x.yaml").write_text(COMPONENT)
    (tmp_path / "report.yaml").write_text("")
    args = _args(str(tmp_path), "-o", str(tmp_path / "report.yaml"))
    assert watch.linted_files(args) == [str(tmp_path / "a.yaml")]  # the report a round writes is not watched
    config = watch.config_files(args)
    assert str(tmp_path / ".daprlint.toml") in config and str(tmp_path / "pyproject.toml") in config
    assert watch.config_files(_args(str(tmp_path), "--isolated")) == []
    pack = tmp_path / "pack"
    (pack / "__pycache__").mkdir(parents=True)
    (pack / "rule.py").write_text("")
    (pack / "__pycache__" / "rule.pyc").write_text("")
    assert str(pack / "rule.py") in watch.config_files(_args(str(tmp_path), "--rule-pack", str(pack)))
    assert not any("__pycache__" in p for p in watch.config_files(_args(str(tmp_path), "--rule-pack", str(pack))))


def test_snapshots_change_with_the_files_they_watch(tmp_path):
    (tmp_path / "a.yaml").write_text(COMPONENT)
    args = _args(str(tmp_path))
    first = watch.Snapshot(args)
    assert watch.Snapshot(args) == first
    (tmp_path / "notes.txt").write_text("x")
    assert watch.Snapshot(args) == first
    replace(tmp_path / "a.yaml", COMPONENT + BOGUS_ITEM)
    second = watch.Snapshot(args)
    assert second != first
    (tmp_path / ".daprlint.toml").write_text("")
    assert second.config_changed(args) and watch.Snapshot(args) != second

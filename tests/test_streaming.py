"""A cold run streams: one read per file, cache stores written as they fill, workers only where they win.

Speed itself is measured in bench/, never here: these tests pin the
behaviour the faster paths must keep (same output, the cache's safety
rules, what is read and written).
"""
from __future__ import annotations

import os
import shutil
import stat
import types

import pytest

from conftest import REPO
from daprlint import cache as cache_module, cli, commands, runner
from daprlint.engine import Engine


@pytest.fixture
def in_process(monkeypatch, capsys):
    """daprlint in this process, its runs a minute after the files were written
    (outside the racy window); returns run(*args) -> stdout, and the reads made."""
    import time

    monkeypatch.setattr(cache_module, "time", types.SimpleNamespace(time_ns=lambda: time.time_ns() + 60 * 10**9))
    monkeypatch.setattr(commands, "_tune_gc", lambda: None)  # not in the test process
    reads: list[str] = []
    real_read, real_read_stat = Engine.read, Engine.read_stat

    def read(self, path, explicit):
        reads.append(path)
        return real_read(self, path, explicit)

    def read_stat(self, path, st):
        reads.append(path)
        return real_read_stat(self, path, st)

    monkeypatch.setattr(Engine, "read", read)
    monkeypatch.setattr(Engine, "read_stat", read_stat)

    def run(*args):
        reads.clear()
        cli.main(["check", "--isolated", "--format", "json", *args])
        return capsys.readouterr().out

    return run, reads


@pytest.fixture
def work(tmp_path):
    folder = tmp_path / "w"
    # left out: YML002's UTF-16 file (a file that cannot be read is never cached: it is read on every
    # run), KUS001's kustomization (a run that writes the cache reads it twice: workspace._roles lints
    # it first for the roles) and FIX001's vendor/ folder (not walked: its file is linted through a link)
    shutil.copytree(REPO / "examples" / "bad", folder,
                    ignore=shutil.ignore_patterns("YML002-*", "KUS001-*", "vendor"))
    shutil.copytree(REPO / "examples" / "good", folder / "good")
    return folder


def _yaml_files(folder) -> list[str]:
    return sorted(str(p) for p in folder.rglob("*.yaml"))


def test_a_run_that_writes_the_cache_reads_each_file_once(in_process, work, tmp_path):
    run, reads = in_process
    cold = run("--no-cache", str(work))
    assert run("--cache-dir", str(tmp_path / "c"), str(work)) == cold
    assert sorted(reads) == _yaml_files(work)        # each once: the probe's bytes are the ones linted
    assert run("--cache-dir", str(tmp_path / "c"), str(work)) == cold
    assert reads == []


@pytest.fixture
def tiny_spool(monkeypatch):
    """Stores written row by row: every put reaches the disk during the run."""
    monkeypatch.setattr(cache_module, "SPOOL_BATCH", 1)
    monkeypatch.setattr(cache_module, "SPOOL_FLUSH", 1)


def _stores(folder):
    return {path.name: cache_module.stored_rows(path) for path in sorted((folder / "v1").iterdir())}


def test_stores_written_as_they_fill_equal_stores_written_at_once(in_process, work, tmp_path, tiny_spool,
                                                                   monkeypatch):
    run, reads = in_process
    streamed = run("--cache-dir", str(tmp_path / "streamed"), str(work))
    monkeypatch.setattr(cache_module, "SPOOL_BATCH", 10_000)
    monkeypatch.setattr(cache_module, "SPOOL_FLUSH", 1 << 30)
    at_once = run("--cache-dir", str(tmp_path / "at-once"), str(work))
    assert streamed == at_once
    a, b = _stores(tmp_path / "streamed"), _stores(tmp_path / "at-once")
    assert a.keys() == b.keys()
    for name in a:
        kind, rows = a[name]
        if kind == "facts":
            assert a[name] == b[name]
        elif kind == "entries":  # the same rows; only READ_AT (each run's start) differs
            strip = lambda rows: sorted((r[:3] + r[4:] for r in rows), key=str)  # noqa: E731
            assert strip(rows) == strip(b[name][1])
    assert run("--cache-dir", str(tmp_path / "streamed"), str(work)) == streamed
    assert reads == []                                 # the streamed store serves every file


def test_store_files_are_private_and_nothing_half_written_is_left(in_process, work, tmp_path, tiny_spool):
    run, _ = in_process
    run("--cache-dir", str(tmp_path / "c"), str(work))
    for path in (tmp_path / "c" / "v1").iterdir():
        assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600
        assert not path.name.endswith(".daprlint-tmp")


def test_a_run_that_fails_after_writing_entries_removes_its_temporary_files(in_process, work, tmp_path,
                                                                           tiny_spool, monkeypatch):
    run, _ = in_process
    from daprlint import tree

    def broken(*args, **kwargs):
        raise RuntimeError("stop before save()")

    monkeypatch.setattr(tree, "run", broken)
    run("--cache-dir", str(tmp_path / "c"), str(work))   # cli reports the internal error (exit 2)
    left = list((tmp_path / "c" / "v1").iterdir()) if (tmp_path / "c" / "v1").exists() else []
    assert [p.name for p in left if p.name.endswith(".daprlint-tmp")] == []
    assert not any(p.name.endswith((".entries", ".facts")) for p in left)


def test_a_store_replaced_by_a_link_during_the_run_is_not_written_through(in_process, work, tmp_path,
                                                                          tiny_spool, monkeypatch):
    run, _ = in_process
    victim = tmp_path / "victim.txt"
    victim.write_text("the user's own file\n")
    real_save = cache_module.ResultCache.save

    def save_after_a_swap(self):
        if os.path.lexists(self.file):
            os.unlink(self.file)
        os.symlink(victim, self.file)
        real_save(self)

    monkeypatch.setattr(cache_module.ResultCache, "save", save_after_a_swap)
    run("--cache-dir", str(tmp_path / "c"), str(work))
    assert victim.read_text() == "the user's own file\n"
    links = [p for p in (tmp_path / "c" / "v1").iterdir() if p.is_symlink()]
    assert len(links) == 1 and os.readlink(links[0]) == str(victim)  # refused: neither followed nor replaced
    assert [p.name for p in (tmp_path / "c" / "v1").iterdir() if p.name.endswith(".daprlint-tmp")] == []


# -- how many processes ------------------------------------------------------------
def test_workers_only_for_enough_files_andfree_cores(monkeypatch):
    monkeypatch.setattr(runner, "_FORCED", False)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 100)
    monkeypatch.setattr(runner, "cores", lambda: 4)
    monkeypatch.setattr(runner, "free_cores", lambda: 4.0)
    assert runner.workers_for(1, 10_000) == 1
    assert runner.workers_for(2, 99) == 1
    assert runner.workers_for(2, 100) == 2
    assert runner.workers_for("auto", 100) == 4
    assert runner.workers_for("auto", 99) == 1
    monkeypatch.setattr(runner, "free_cores", lambda: 1.4)   # a busy machine: workers would share a core
    assert runner.workers_for(2, 10_000) == 1
    assert runner.workers_for("auto", 10_000) == 1
    monkeypatch.setattr(runner, "free_cores", lambda: 2.6)
    assert runner.workers_for("auto", 10_000) == 3
    assert runner.workers_for(2, 10_000) == 2
    monkeypatch.setattr(runner, "_FORCED", True)              # DAPRLINT_PARALLEL_THRESHOLD set: no load check
    monkeypatch.setattr(runner, "free_cores", lambda: 0.0)
    assert runner.workers_for(2, 10_000) == 2


def test_jobs_auto_gives_the_output_of_one_process(in_process, work, tmp_path, monkeypatch):
    run, _ = in_process
    cold = run("--no-cache", str(work))
    real = cli._fast_check_args

    def with_auto(argv):
        args = real([a for a in argv if a != "--jobs-auto"])
        if args is not None and "--jobs-auto" in argv:
            args.jobs = "auto"
        return args

    monkeypatch.setattr(cli, "_fast_check_args", with_auto)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(runner, "_FORCED", True)
    monkeypatch.setattr(runner, "cores", lambda: 2)
    assert run("--jobs-auto", "--no-cache", str(work)) == cold
    assert run("--jobs-auto", "--cache-dir", str(tmp_path / "c"), str(work)) == cold
    assert run("--jobs-auto", "--cache-dir", str(tmp_path / "c"), str(work)) == cold

"""cpu.free_cores: the other work's share of the machine since start-up, not the lagging load average."""
from __future__ import annotations

import os

import pytest
from hypothesis import given, strategies as st

from daprlint import cpu, runner

HZ = os.sysconf("SC_CLK_TCK")


def _window(monkeypatch, *, seconds: float, machine_busy: float, own: float, cores: int = 2,
            runnable: tuple = (1, 1)):
    """A start-up window of *seconds* in which the machine was busy for
    *machine_busy* CPU-seconds, *own* of them this process's, with *runnable*
    tasks (this one included) at its start and its end."""
    monkeypatch.setattr(cpu, "_START", ((1000, 5000), 100.0, 1.0, runnable[0]))
    after = ((1000 + round(machine_busy * HZ), 5000 + round(seconds * HZ * cores)), 100.0 + seconds, 1.0 + own,
             runnable[1])
    monkeypatch.setattr(cpu, "_snapshot", lambda: after)
    monkeypatch.setattr(cpu, "cores", lambda: cores)
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setattr(os, "getloadavg", lambda: (7.0, 7.0, 7.0))  # must not be read when the window tells


def test_an_idle_machine_leaves_every_core_but_the_ones_this_process_used(monkeypatch):
    _window(monkeypatch, seconds=0.2, machine_busy=0.2, own=0.2)
    assert cpu.free_cores() == pytest.approx(2.0)


def test_one_other_busy_process_takes_one_core(monkeypatch):
    _window(monkeypatch, seconds=0.2, machine_busy=0.4, own=0.2)
    assert cpu.free_cores() == pytest.approx(1.0)
    assert runner.workers_for(2, 10_000) == 1 or runner._FORCED


def test_a_quiet_machine_gets_workers_even_after_a_busy_minute(monkeypatch):
    _window(monkeypatch, seconds=0.3, machine_busy=0.31, own=0.3)  # the load average still says 7
    if runner._FORCED:
        pytest.skip("DAPRLINT_PARALLEL_THRESHOLD is set: the load check is off")
    assert runner.workers_for(2, 10_000) == 2
    assert runner.workers_for("auto", 10_000) == 2
    assert runner.workers_for(2, 100) == 1  # below the threshold: one process whatever the load


def test_a_window_too_short_to_tell_counts_the_runnable_tasks_not_the_load_average(monkeypatch):
    # a fast machine: start-up and discovery in ~35 ms, right after a busy minute (the load average says 7)
    _window(monkeypatch, seconds=0.035, machine_busy=0.07, own=0.0, runnable=(1, 1))
    assert cpu.free_cores() == pytest.approx(2.0)
    if not runner._FORCED:
        assert runner.workers_for("auto", 10_000) == 2
    _window(monkeypatch, seconds=0.035, machine_busy=0.07, own=0.0, runnable=(2, 2))  # a busy process beside it
    assert cpu.free_cores() == pytest.approx(1.0)
    _window(monkeypatch, seconds=0.035, machine_busy=0.0, own=0.0, runnable=(1, 2))  # a moment's task, seen once
    assert cpu.free_cores() == pytest.approx(2.0)
    _window(monkeypatch, seconds=0.035, machine_busy=0.0, own=0.0, runnable=(4, 5), cores=2)
    assert cpu.free_cores() == 0.0


def test_a_window_too_short_without_proc_loadavg_falls_back_to_the_load_average(monkeypatch):
    _window(monkeypatch, seconds=0.01, machine_busy=0.0, own=0.0, runnable=(None, None))
    monkeypatch.setattr(os, "getloadavg", lambda: (0.5, 0.5, 0.5))
    assert cpu.free_cores() == pytest.approx(1.5)


def test_no_proc_stat_falls_back_to_the_load_average(monkeypatch):
    monkeypatch.setattr(cpu, "_START", (None, 0.0, 0.0, None))
    monkeypatch.setattr(cpu, "_snapshot", lambda: (None, 1.0, 0.0, None))
    monkeypatch.setattr(cpu, "cores", lambda: 4)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.0, 1.0, 1.0))
    assert cpu.free_cores() == pytest.approx(3.0)


@given(seconds=st.floats(0.06, 5), busy=st.floats(0, 20), own=st.floats(0, 5), cores=st.integers(1, 8))
def test_free_cores_stay_between_none_and_all(seconds, busy, own, cores):
    with pytest.MonkeyPatch.context() as mp:
        _window(mp, seconds=seconds, machine_busy=busy, own=own, cores=cores)
        free = cpu.free_cores()
    assert 0 <= free <= cores
    assert free == pytest.approx(min(cores, max(0, cores - (busy - own) / seconds)), abs=2 / (HZ * seconds))


def test_the_real_counters_read():
    ticks = cpu._machine_ticks()
    if ticks is None:
        pytest.skip("no /proc/stat on this system")
    busy, total = ticks
    assert 0 <= busy <= total
    assert 0 <= cpu.free_cores() <= cpu.cores()
    assert cpu._runnable() >= 1  # this very process is running

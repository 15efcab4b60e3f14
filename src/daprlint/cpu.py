"""How many cores other work leaves free now, for the worker decision (runner.workers_for).

The 1-minute load average lags by tens of seconds: right after a busy minute
(the previous run, a test job that just ended) it still reports the cores as
taken, and right after work starts elsewhere it reports them free. Instead,
this module notes the machine's CPU counters (/proc/stat) when it is
imported, which cli.py does first thing, and when asked compares them with
the counters now: what the machine spent in that window, less what this
process spent itself, is the other work's share. The window is the run's
start-up and discovery, ~0.1-0.3 s before a tree of thousands of files is
linted. The counters tick every 10 ms, so a window shorter than MIN_WINDOW
cannot tell: on a fast machine start-up and discovery of 10,000 files take
only ~35 ms (round nine's VM), and there the tasks runnable at the window's
two ends decide (/proc/loadavg's fourth field, an instant count: a busy
process is runnable at both, a moment's task seldom is). Where neither is there (not Linux), the load
average decides.
"""
from __future__ import annotations

import os
import time

MIN_WINDOW = 0.05  # seconds: five ticks of the usual 100 Hz counters


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _machine_ticks() -> tuple[int, int] | None:
    """(busy, all) CPU ticks of the machine since boot; steal time counts as busy (another guest's)."""
    try:
        with open("/proc/stat", "rb") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if len(fields) < 5 or fields[0] != b"cpu":
        return None
    ticks = [int(v) for v in fields[1:9]]  # user nice system idle iowait irq softirq steal (guest is in user)
    idle = ticks[3] + ticks[4]
    return sum(ticks) - idle, sum(ticks)


def _runnable() -> int | None:
    """Tasks runnable on the machine at this instant, this process included (/proc/loadavg: "2/80")."""
    try:
        with open("/proc/loadavg", "rb") as f:
            return int(f.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return None


def _own_seconds() -> float:
    t = os.times()
    return t.user + t.system


def _snapshot():
    return _machine_ticks(), time.monotonic(), _own_seconds(), _runnable()


_START = _snapshot()


def free_cores() -> float:
    """The cores that other processes left idle since start-up (or, failing
    that, the core count less the 1-minute load average)."""
    count = cores()
    (ticks0, wall0, own0, runnable0), (ticks1, wall1, own1, runnable1) = _START, _snapshot()
    window = wall1 - wall0
    # the counters cover every core of the machine; this process may run on fewer
    share = count / (os.cpu_count() or count)
    if ticks0 is not None and ticks1 is not None and window >= MIN_WINDOW:
        try:
            hz = os.sysconf("SC_CLK_TCK")
        except (AttributeError, ValueError, OSError):
            hz = 100
        busy = (ticks1[0] - ticks0[0]) / hz - (own1 - own0)
        others = busy / window * share
    elif runnable0 is not None and runnable1 is not None:
        # the smaller count: a busy process is runnable at both ends, while a task seen at one end only is
        # mostly a moment's (after a run that wrote files, 1 sample in 40 saw the kernel's writeback)
        others = (min(runnable0, runnable1) - 1) * share
    else:
        try:
            others = os.getloadavg()[0]
        except (AttributeError, OSError):
            others = 0.0
    return min(float(count), max(0.0, count - others))

"""Running and timing processes for bench/run.py: one run, a row of runs, rows interleaved.

Every timed run is a fresh process; its wall time is taken in this process
(interpreter start-up included: that is what a user waits for), its peak RSS
from GNU time's `%M` (see run_once). Rows that are compared with each other
are measured *interleaved*: round 1 runs every row once, round 2 again, with
the order rotated each round, so a change in the machine's load hits every
row alike instead of the one that happened to run at that moment. A paired
ratio (paired_ratio) compares two rows round by round.

A row and the rows that must never lose to it (`--jobs 2` and `--jobs auto`
against one process) are also run *adjacent* (measure_adjacent): the base and
its rivals back to back, the order reversed every round, and compared by
the median of the rounds' ratios (adjacent_ratio). Interleaved rounds put every other row of
the tree (yamllint's minute included) between two runs that are compared, and
on this VM the same command's time moves 20-40% from one run to the next.

Only the standard library is used.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field


# --------------------------------------------------------------------------
# running one process

@dataclass
class Sample:
    seconds: float
    peak_kib: int
    rc: int
    cpu: float = 0.0   # user + system seconds of the process and the children it waited for (wait4)


def _find_gnu_time() -> str | None:
    """/usr/bin/time (GNU) if it works with -f %M -o FILE, else None."""
    path = shutil.which("time", path="/usr/bin:/bin:/usr/local/bin")
    if not path:
        return None
    fd, tmp = tempfile.mkstemp()
    os.close(fd)
    try:
        p = subprocess.run([path, "-f", "%M", "-o", tmp, sys.executable, "-c", "pass"],
                           capture_output=True, timeout=60)
        with open(tmp, encoding="utf-8", errors="replace") as f:
            int(f.read().split()[-1])
        return path if p.returncode == 0 else None
    except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
        return None
    finally:
        os.unlink(tmp)


GNU_TIME = _find_gnu_time()
RSS_METHOD = ("GNU time %M (max RSS of any one process)" if GNU_TIME else
              "wait4 ru_maxrss (includes the harness's own RSS: Linux keeps a vfork parent's peak across exec)")


def run_once(cmd: list[str], cwd: str, out_path: str, err_path: str, timeout: float) -> Sample:
    """Run cmd in a fresh process; wall time from the parent, peak RSS from GNU time (or wait4).

    GNU time reports the largest RSS of the child or of any descendant it waited
    for: a per-process peak, not a sum over concurrent workers. It is used when
    present because the pure-Python fallback, wait4's ru_maxrss, cannot go below
    this harness's own RSS (the kernel carries the peak of the parent's address
    space, shared by the vfork child, across exec).
    """
    rss_path = out_path + ".rss"
    full = [GNU_TIME, "-f", "%M", "-o", rss_path, *cmd] if GNU_TIME else cmd
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        t1 = time.perf_counter()
    rc = os.waitstatus_to_exitcode(status)
    proc.returncode = rc  # reaped by wait4: keep Popen from waiting again
    peak = usage.ru_maxrss
    if sys.platform == "darwin":  # bytes there, KiB on Linux
        peak //= 1024
    if GNU_TIME:
        try:
            with open(rss_path, encoding="utf-8", errors="replace") as f:
                lines = f.read().split("\n")
            nums = [ln.strip() for ln in lines if ln.strip().isdigit()]
            peak = int(nums[-1])
            if rc >= 128 and any("terminated by signal" in ln for ln in lines):
                rc = -(rc - 128)
        except (OSError, IndexError, ValueError):
            pass
    return Sample(t1 - t0, int(peak), rc, usage.ru_utime + usage.ru_stime)


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(name))
    return kids


def _tree_pss_kib(root: int) -> int:
    kids = _children_map()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack += kids.get(pid, [])
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1])
                        break
        except (OSError, ValueError):
            pass
    return total


def tree_pss_peak(cmd: list[str], cwd: str, timeout: float, interval: float = 0.02) -> int | None:
    """Peak of the summed PSS of a process and its descendants, sampled (Linux only).

    PSS splits pages shared between forked workers, so the sum is the memory the
    whole run really holds. Sampling can miss a short spike; this is an extra,
    untimed run.
    """
    if not os.path.exists("/proc/self/smaps_rollup"):
        return None
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, deadline = 0, time.monotonic() + timeout
    while proc.poll() is None:
        peak = max(peak, _tree_pss_kib(proc.pid))
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            return None
        time.sleep(interval)
    return peak or None


def error_text(err_path: str, out_path: str, rc: int) -> str:
    """The most telling line of a failed run's output."""
    lines: list[str] = []
    for p in (err_path, out_path):
        try:
            with open(p, encoding="utf-8", errors="replace") as f:
                lines += [ln.strip() for ln in f.read().splitlines() if ln.strip()]
        except OSError:
            pass
    if rc < 0:
        head = f"killed by signal {-rc}"
    else:
        head = f"exit {rc}"
    for ln in lines:
        if "error" in ln.lower() and "Traceback" not in ln:
            return f"{head}: {ln[:160]}"
    return f"{head}: {lines[-1][:160]}" if lines else head


def missing_module(err_path: str, rc: int) -> bool:
    """`python -m tool` without the tool exits 1, which daprlint and yamllint use for findings."""
    if rc == 0:
        return False
    try:
        with open(err_path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return False
    return "No module named" in text


# --------------------------------------------------------------------------
# rows

@dataclass
class Row:
    key: str              # what bars.py looks rows up by, within a tree: floor, cold, cache, warm, jobs2, ...
    label: str
    tool: str             # floor, daprlint, yamllint, python
    cmd: list[str]
    files: int
    ok_codes: tuple = (0,)
    runs: int = 5
    cwd: str | None = None           # default: an empty scratch folder
    setup: list[str] | None = None   # run once, untimed, before the first timed run (fills a warm cache)
    fresh_dir: str | None = None     # removed before every timed run (a cache that each run writes anew)
    count_from_json: bool = False    # check summary.files in daprlint's JSON output
    count_from_stdout: bool = False  # the floor prints how many files it read
    tree_pss: bool = False           # one extra untimed run summing PSS over all processes (--jobs)
    inspect: object = None           # callable(stdout text) -> dict merged into extra, after the first run
    # results
    samples: list = field(default_factory=list)
    rounds: list = field(default_factory=list)   # the round of each sample (for paired ratios)
    adjacent: dict = field(default_factory=dict)  # base row key -> [this run / the base's run next to it]
    status: str = "ok"    # ok, n/a, error
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def times(self) -> list[float]:
        return [s.seconds for s in self.samples]

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.samples and self.status == "ok" else None

    @property
    def cpu_median(self) -> float | None:
        """Median CPU seconds: what the run cost, steadier than wall time on a loaded machine
        (for --jobs rows, the sum over the processes)."""
        return statistics.median(s.cpu for s in self.samples) if self.samples and self.status == "ok" else None

    @property
    def peak_mib(self) -> float | None:
        return max(s.peak_kib for s in self.samples) / 1024 if self.samples and self.status == "ok" else None

    def add_note(self, text: str) -> None:
        self.note = f"{self.note}; {text}" if self.note else text


def _fail(row: Row, err_path: str, out_path: str, rc: int, log, what: str = "") -> None:
    row.status = "n/a" if missing_module(err_path, rc) else "error"
    row.note = error_text(err_path, out_path, rc)
    log(f"  {row.label}: {what}{row.note}")


def measure_rows(rows: list[Row], scratch: str, budget: float, timeout: float, log) -> None:
    """Time *rows* interleaved: round after round, each row once a round (order rotated), until each
    has its runs or would pass *budget* seconds (at least one run each)."""
    cwd_default = os.path.join(scratch, "cwd")
    os.makedirs(cwd_default, exist_ok=True)
    paths = {id(r): (os.path.join(scratch, f"out-{i}.txt"), os.path.join(scratch, f"err-{i}.txt"))
             for i, r in enumerate(rows)}
    for row in rows:
        if row.setup and row.status == "ok":
            out_path, err_path = paths[id(row)]
            s = run_once(row.setup, row.cwd or cwd_default, out_path, err_path, timeout)
            row.extra["setup_seconds"] = round(s.seconds, 4)
            if s.rc not in row.ok_codes or missing_module(err_path, s.rc):
                _fail(row, err_path, out_path, s.rc, log, "setup failed: ")
    active = [r for r in rows if r.status == "ok"]
    spent = {id(r): 0.0 for r in active}
    for rnd in range(max((r.runs for r in active), default=0)):
        shift = rnd % len(active)
        for row in active[shift:] + active[:shift]:
            if row.status != "ok" or len(row.samples) >= row.runs:
                continue
            if row.samples and spent[id(row)] + row.samples[-1].seconds > budget:
                if "capped" not in row.extra:
                    row.extra["capped"] = len(row.samples)
                    row.add_note(f"runs capped at {len(row.samples)} by --budget {budget:g}s")
                continue
            if row.fresh_dir:
                shutil.rmtree(row.fresh_dir, ignore_errors=True)
            out_path, err_path = paths[id(row)]
            s = run_once(row.cmd, row.cwd or cwd_default, out_path, err_path, timeout)
            if s.rc not in row.ok_codes or missing_module(err_path, s.rc):
                _fail(row, err_path, out_path, s.rc, log)
                continue
            row.samples.append(s)
            row.rounds.append(rnd)
            spent[id(row)] += s.seconds
            if len(row.samples) == 1:
                check_count(row, out_path)
                if row.inspect:
                    row.extra.update(row.inspect(_read(out_path)))
    for row in active:
        if row.status != "ok":
            continue
        if row.tree_pss:
            pss = tree_pss_peak(row.cmd, row.cwd or cwd_default, timeout)
            if pss:
                row.extra["tree_pss_mib"] = round(pss / 1024, 1)
        t = row.times
        log(f"  {row.label:<40} median {statistics.median(t):8.3f}s  min {min(t):.3f}  max {max(t):.3f}  "
            f"cpu {row.cpu_median:7.3f}s  peak {row.peak_mib:6.1f} MiB  ({len(t)} runs)")


def adjacent_rounds(round_s: float, budget: float, most: int) -> int:
    """Rounds of adjacent runs that fit *budget* seconds when one round takes *round_s*, at most
    *most*; 0 when fewer than ADJACENT_MIN_ROUNDS fit (the interleaved paired ratio then stands:
    such rows run for many seconds, where a moment's load weighs less)."""
    rounds = min(most, int(budget // max(round_s, 1e-3)))
    return rounds if rounds >= ADJACENT_MIN_ROUNDS else 0


ADJACENT_MIN_ROUNDS = 5


def balanced_orders(n: int) -> list[list[int]]:
    """The orders of a Williams design for *n* rows: over one cycle of them every
    row runs in every position equally often, and every row right after every
    other equally often. Plain reversal (A B C, C B A) keeps B in the middle,
    always after another row: on this VM a run right after the same command
    came out a few % faster, which made identical code "lose" 1.04x
    (bench/README.md, "Round six"). For even n one Latin square, for odd n it
    and its mirror."""
    first, low, high = [0], 1, n - 1
    while len(first) < n:
        first.append(low)
        low += 1
        if len(first) < n:
            first.append(high)
            high -= 1
    square = [[(i + shift) % n for i in first] for shift in range(n)]
    return square if n % 2 == 0 else square + [row[::-1] for row in square]


def measure_adjacent(base: Row, rivals: list[Row], scratch: str, budget: float, most: int,
                     timeout: float, log, key: str | None = None) -> None:
    """Run *base* and each of *rivals* back to back, round after round (the orders of
    balanced_orders, in whole cycles where the budget allows), and keep in each rival's
    `adjacent[key]` (*key*: base.key unless given, for a base of another tree whose row
    key a rival's own pairs may use) the pairs (its time, the base's time in that round).
    The group gets at most *budget* seconds."""
    group = [r for r in [base] + rivals if r.status == "ok" and r.samples]
    if len(group) < 2 or group[0] is not base:
        return
    rounds = adjacent_rounds(sum(r.median for r in group), budget, most)
    if not rounds:
        return
    orders = balanced_orders(len(group))
    if rounds >= len(orders):
        rounds -= rounds % len(orders)
    cwd_default = os.path.join(scratch, "cwd")
    os.makedirs(cwd_default, exist_ok=True)
    out_path, err_path = os.path.join(scratch, "adj.out"), os.path.join(scratch, "adj.err")
    key = key or base.key
    for r in group[1:]:
        r.adjacent[key] = []
    for rnd in range(rounds):
        order = [group[i] for i in orders[rnd % len(orders)]]
        took = {}
        for row in order:
            if row.fresh_dir:  # a cache each run writes anew, as in measure_rows
                shutil.rmtree(row.fresh_dir, ignore_errors=True)
            s = run_once(row.cmd, row.cwd or cwd_default, out_path, err_path, timeout)
            if s.rc not in row.ok_codes:
                _fail(row, err_path, out_path, s.rc, log, "adjacent run: ")
                return
            took[id(row)] = s.seconds  # rows of two trees may share a key
            if used_more_than_one_core(s):
                row.extra["parallel_runs"] = row.extra.get("parallel_runs", 0) + 1
        for r in group[1:]:
            r.adjacent[key].append((took[id(r)], took[id(base)]))
    for r in group[1:]:
        log(f"  adjacent {r.label} / {base.label}: median {adjacent_ratio(r, base, key=key):.3f}x, "
            f"best {adjacent_ratio(r, base, best=True, key=key):.3f}x ({len(r.adjacent[key])} rounds)")


# --------------------------------------------------------------------------
# instructions, for a `--jobs` row that ran the code of one process

PARALLEL_CPU_FACTOR = 1.15    # CPU time above this many times wall time: processes ran side by side
# s; callgrind runs ~50x slower: a 100,000-file warm row (~5.5 s) takes ~5 minutes under it. Rows up
# to this long are counted (round seven's cap of 2 s left the one failing B2 pair, 100k warm, to wall
# time, where identical code moved 0.84-1.32x between back-to-back rounds); longer ones keep wall time.
CALLGRIND_MAX_MEDIAN = 8.0
# callgrind runs at once: a count does not depend on what else runs, so they share the cores (they
# run after the group's timed runs, never beside one)
CALLGRIND_AT_ONCE = max(1, os.cpu_count() or 1)


def used_more_than_one_core(sample: Sample) -> bool:
    """Whether the run's processes ran side by side: their CPU time (wait4 counts the
    children a process waited for) exceeds its wall time. One process cannot."""
    return sample.cpu > PARALLEL_CPU_FACTOR * sample.seconds


def ran_one_process(row: Row) -> bool:
    """Every timed run of *row*, interleaved and back to back, used one core at a time."""
    return bool(row.samples) and row.status == "ok" and not row.extra.get("parallel_runs") \
        and not any(used_more_than_one_core(s) for s in row.samples)


def callgrind_totals(stderr: str) -> tuple[int, int] | None:
    """(instructions summed over every process, processes) from valgrind's summary lines
    (`==PID== I   refs:      1,234`), one per process it followed (forks included)."""
    counts = [int(line.rsplit(":", 1)[1].strip().replace(",", ""))
              for line in stderr.splitlines() if "I   refs:" in line]
    return (sum(counts), len(counts)) if counts else None


def count_instructions(row: Row, scratch: str, timeout: float) -> tuple[int, int] | None:
    """One run of *row* under callgrind: (instructions over all its processes, processes), or
    None without valgrind or when the run fails. Hash randomisation is fixed (PYTHONHASHSEED=0)
    so that two runs of the same code count the same to a few parts in a million."""
    valgrind = shutil.which("valgrind")
    if not valgrind or not row.cmd:
        return None
    cwd = row.cwd or os.path.join(scratch, "cwd")
    os.makedirs(cwd, exist_ok=True)
    cmd = [valgrind, "--tool=callgrind", "--trace-children=yes", "--callgrind-out-file=/dev/null", *row.cmd]
    try:
        p = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, errors="replace",
                           timeout=max(timeout, 100 * CALLGRIND_MAX_MEDIAN),
                           env={**os.environ, "PYTHONHASHSEED": "0"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    return callgrind_totals(p.stderr) if p.returncode in row.ok_codes else None


def measure_instructions(base: Row, rivals: list[Row], scratch: str, timeout: float, log) -> None:
    """Count instructions for *base* and each rival that ran one process in every timed run
    (so ran the base's code: `--jobs N` that started no worker) and takes at most
    CALLGRIND_MAX_MEDIAN seconds. Wall-time ratios of identical code move by several %
    between runs on this VM (bench/README.md, "Round seven"); instruction counts settle the
    few % that the `--jobs` bar asks about. Stored as extra["instructions"] = [count, processes]."""
    same = [r for r in rivals if ran_one_process(r) and r.median is not None and r.median <= CALLGRIND_MAX_MEDIAN]
    if not same or not ran_one_process(base) or base.median is None:
        return
    from concurrent.futures import ThreadPoolExecutor

    todo = [row for row in [base] + same if "instructions" not in row.extra]
    with ThreadPoolExecutor(CALLGRIND_AT_ONCE) as pool:
        counted = list(pool.map(lambda row: count_instructions(row, scratch, timeout), todo))
    if any(got is None for got in counted):
        return
    for row, got in zip(todo, counted):
        row.extra["instructions"] = list(got)
    for r in same:
        log(f"  instructions {r.label} / {base.label}: "
            f"{r.extra['instructions'][0] / base.extra['instructions'][0]:.5f}x "
            f"({r.extra['instructions'][1]} process)")


def instruction_ratio(a: Row | None, b: Row | None) -> float | None:
    """a's instructions over b's when both were counted in one process each, else None."""
    if a is None or b is None:
        return None
    ia, ib = a.extra.get("instructions"), b.extra.get("instructions")
    if not ia or not ib or ia[1] != 1 or ib[1] != 1 or not ib[0]:
        return None
    return ia[0] / ib[0]


def adjacent_ratio(a: Row | None, b: Row | None, best: bool = False, key: str | None = None) -> float | None:
    """a against b over the rounds they ran back to back (kept under *key*, b.key unless given):
    the median of the rounds' ratios, or a's best time over b's best (*best*, timeit's
    estimator); None when they did not run back to back. The median is the verdict: over 15 rounds of identical code on this VM the
    median ratios came out 0.94-1.04x, the best-time ratios 0.83-1.13x (a base's one lucky
    run moves the latter)."""
    if a is None or b is None or a.status != "ok" or b.status != "ok":
        return None
    pairs = a.adjacent.get(key or b.key)
    if not pairs:
        return None
    if best:
        return min(t for t, _ in pairs) / min(u for _, u in pairs)
    return statistics.median(t / u for t, u in pairs)


def paired_ratio(a: Row | None, b: Row | None, cpu: bool = False) -> float | None:
    """Median over the rounds both rows ran of a's time / b's time (wall, or CPU with *cpu*);
    None when they share no round."""
    if a is None or b is None or a.status != "ok" or b.status != "ok":
        return None

    def times(row):
        return [s.cpu for s in row.samples] if cpu else row.times
    bt = dict(zip(b.rounds, times(b)))
    ratios = [t / bt[r] for r, t in zip(a.rounds, times(a)) if r in bt and bt[r] > 0]
    return statistics.median(ratios) if ratios else None


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def check_count(row: Row, out_path: str) -> None:
    """Make sure the tool really looked at every file (not, say, a gitignored tree)."""
    got = None
    text = _read(out_path)
    try:
        if row.count_from_json:
            got = json.loads(text)["summary"]["files"]
        elif row.count_from_stdout:
            got = int(text.strip().splitlines()[-1])
    except (ValueError, KeyError, IndexError, TypeError):
        if row.count_from_json:
            row.extra["count_check"] = "could not read summary.files from the JSON output"
        return
    if got is not None:
        row.extra["files_seen"] = got
        if got != row.files:
            row.add_note(f"saw {got} of {row.files} files")

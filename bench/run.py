#!/usr/bin/env python3
"""The daprlint benchmark: one command, fresh subprocesses, a Markdown table.

    .venv/bin/python bench/run.py --sizes 1000,10000 --runs 5 [--json results.json]

For each size it generates (or reuses) a synthetic tree with bench/gen_tree.py,
then times, each run in a fresh process, the parse floor, daprlint (cold,
--jobs 2, warm cache) and yamllint over the tree, and a few one-file runs.
It reports the median wall time, files/s and peak RSS, the speed ratio against
yamllint, and PASS/FAIL against the targets of the "Speed" issue.
See bench/README.md.

Only the standard library is used here; daprlint and yamllint are run as
`<this python> -m daprlint` and `<this python> -m yamllint`.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_tree  # noqa: E402

# Targets from the "Speed" issue.
TARGET_ONE_FILE_MS = 60.0
TARGET_FILES_PER_S = 5000.0
TARGET_WARM_S = 0.3
TARGET_PEAK_MIB = 60.0

# The parse floor: read every YAML file and build the node graph with libyaml.
FLOOR_SCRIPT = r'''
import os, sys, yaml
Loader = yaml.CSafeLoader
n = 0
for arg in sys.argv[1:]:
    if os.path.isfile(arg):
        paths = [arg]
    else:
        paths = [os.path.join(d, f) for d, _, fs in os.walk(arg) for f in fs if f.endswith((".yaml", ".yml"))]
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            list(yaml.compose_all(fh.read(), Loader=Loader))
        n += 1
print(n)
'''


# --------------------------------------------------------------------------
# running one process

@dataclass
class Sample:
    seconds: float
    peak_kib: int
    rc: int


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
    return Sample(t1 - t0, int(peak), rc)


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
    key: str              # floor, cold, jobs, warm, yamllint, one-*, startup
    label: str
    tool: str             # floor, daprlint, yamllint, python
    cmd: list[str]
    files: int
    size: int | None      # tree size, None for one-file rows
    ok_codes: tuple = (0,)
    runs: int = 5
    setup: list[str] | None = None   # run once, untimed, before the timed runs (warm cache)
    count_from_json: bool = False    # check summary.files in daprlint's JSON output
    count_from_stdout: bool = False  # the floor prints how many files it read
    tree_pss: bool = False           # one extra untimed run summing PSS over all processes (--jobs)
    # results
    samples: list[Sample] = field(default_factory=list)
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
    def peak_mib(self) -> float | None:
        return max(s.peak_kib for s in self.samples) / 1024 if self.samples and self.status == "ok" else None


def measure(row: Row, scratch: str, budget: float, timeout: float, log) -> None:
    out_path = os.path.join(scratch, f"out-{row.key}.txt")
    err_path = os.path.join(scratch, f"err-{row.key}.txt")
    cwd = os.path.join(scratch, "cwd")
    os.makedirs(cwd, exist_ok=True)
    if row.setup:
        s = run_once(row.setup, cwd, out_path, err_path, timeout)
        row.extra["setup_seconds"] = round(s.seconds, 4)
        if s.rc not in row.ok_codes or missing_module(err_path, s.rc):
            row.status = "n/a" if missing_module(err_path, s.rc) else "error"
            row.note = error_text(err_path, out_path, s.rc)
            log(f"  {row.label}: setup failed ({row.note})")
            return
    spent = 0.0
    for i in range(row.runs):
        if i > 0 and spent + row.samples[-1].seconds > budget:
            row.note = f"runs capped at {i} by --budget {budget:g}s"
            break
        s = run_once(row.cmd, cwd, out_path, err_path, timeout)
        if s.rc not in row.ok_codes or missing_module(err_path, s.rc):
            row.status = "n/a" if missing_module(err_path, s.rc) else "error"
            row.note = error_text(err_path, out_path, s.rc)
            log(f"  {row.label}: {row.note}")
            return
        row.samples.append(s)
        spent += s.seconds
        if i == 0:
            check_count(row, out_path)
    if row.tree_pss:
        pss = tree_pss_peak(row.cmd, cwd, timeout)
        if pss:
            row.extra["tree_pss_mib"] = round(pss / 1024, 1)
    t = row.times
    log(f"  {row.label:<34} median {statistics.median(t):8.3f}s  min {min(t):.3f}  max {max(t):.3f}  "
        f"peak {row.peak_mib:6.1f} MiB  ({len(t)} runs)")


def check_count(row: Row, out_path: str) -> None:
    """Make sure the tool really looked at every file (not, say, a gitignored tree)."""
    got = None
    try:
        with open(out_path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        if row.count_from_json:
            got = json.loads(text)["summary"]["files"]
        elif row.count_from_stdout:
            got = int(text.strip().splitlines()[-1])
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        if row.count_from_json:
            row.extra["count_check"] = "could not read summary.files from the JSON output"
        return
    if got is not None:
        row.extra["files_seen"] = got
        if got != row.files:
            row.note = (row.note + "; " if row.note else "") + f"saw {got} of {row.files} files"


# --------------------------------------------------------------------------
# trees

def ensure_tree(trees_dir: str, size: int, seed: int, regen: bool, log) -> str:
    """Generate the tree unless an identical one (same generator, size, seed) is there."""
    with open(gen_tree.__file__, "rb") as f:
        gen_hash = hashlib.sha256(f.read()).hexdigest()[:16]
    out = os.path.join(trees_dir, f"tree-{size}-s{seed}")
    stamp = out + ".stamp"
    want = f"{gen_hash} {size} {seed}\n"
    try:
        with open(stamp, encoding="utf-8") as f:
            have = f.read()
    except OSError:
        have = ""
    if regen or have != want or not os.path.isdir(out):
        t0 = time.perf_counter()
        if os.path.exists(stamp):
            os.unlink(stamp)
        nbytes = gen_tree.generate(size, out, seed)
        with open(stamp, "w", encoding="utf-8") as f:
            f.write(want)
        log(f"generated {size} files ({nbytes / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f}s: {out}")
    else:
        log(f"reusing {out}")
    return out


def warm_page_cache(tree: str) -> None:
    for d, _, fs in os.walk(tree):
        for f in fs:
            with open(os.path.join(d, f), "rb") as fh:
                fh.read()


def one_file(trees_dir: str, seed: int) -> str:
    """A small single-document Component, picked deterministically."""
    rng = random.Random(seed)
    for serial in range(10_000):
        _, text = gen_tree.make_file(rng, serial)
        if text.startswith(("apiVersion", "#")) and "kind: Component" in text and "\n---" not in text:
            break
    folder = os.path.join(trees_dir, "one")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "one.yaml")
    data = text.encode("utf-8")
    try:
        with open(path, "rb") as f:
            same = f.read() == data
    except OSError:
        same = False
    if not same:
        with open(path, "wb") as f:
            f.write(data)
    return path


# --------------------------------------------------------------------------
# tool versions, machine

def version_of(python: str, args: list[str]) -> str:
    try:
        p = subprocess.run([python, *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"n/a ({e})"
    text = (p.stdout or p.stderr).strip().splitlines()
    if p.returncode != 0 or not text:
        return "n/a"
    return text[0]


def machine_info(python: str) -> dict:
    info = {
        "python": version_of(python, ["-c", "import sys; print(sys.version.split()[0])"]),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "libyaml": version_of(python, ["-c", "import yaml; print(yaml.__version__, 'libyaml' if yaml.__with_libyaml__ else 'NO libyaml')"]),
        "daprlint": version_of(python, ["-m", "daprlint", "--version"]),
        "yamllint": version_of(python, ["-m", "yamllint", "--version"]),
        "rss": RSS_METHOD,
    }
    try:
        info["loadavg_start"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    try:
        p = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10)
        if p.returncode == 0:
            dirty = subprocess.run(["git", "-C", HERE, "status", "--porcelain", "--untracked-files=no"],
                                   capture_output=True, text=True, timeout=10).stdout.strip()
            info["commit"] = p.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.TimeoutExpired):
        pass
    return info


# --------------------------------------------------------------------------
# building the plan

def tree_rows(python: str, floor: str, tree: str, size: int, runs: int, scratch: str, wanted: set) -> list[Row]:
    dl = [python, "-m", "daprlint", "check"]
    ok_dl = (0, 1)  # 1 = findings; 2 = usage error or crash
    rows: list[Row] = []
    if "floor" in wanted:
        rows.append(Row("floor", "parse floor (CSafeLoader compose)", "floor",
                        [python, floor, tree], size, size, runs=runs, count_from_stdout=True))
    if "cold" in wanted:
        rows.append(Row("cold", "daprlint --no-cache", "daprlint",
                        dl + ["--no-cache", "--format", "json", tree], size, size, ok_dl, runs=runs,
                        count_from_json=True))
    if "jobs" in wanted:
        rows.append(Row("jobs", "daprlint --no-cache --jobs 2", "daprlint",
                        dl + ["--no-cache", "--jobs", "2", "--format", "json", tree], size, size, ok_dl,
                        runs=runs, count_from_json=True, tree_pss=True))
    if "warm" in wanted:
        cache = os.path.join(scratch, f"cache-{size}")
        shutil.rmtree(cache, ignore_errors=True)
        cmd = dl + ["--format", "json", "--cache-dir", cache, tree]
        rows.append(Row("warm", "daprlint warm cache", "daprlint", cmd, size, size, ok_dl,
                        runs=runs, setup=cmd, count_from_json=True))
    if "yamllint" in wanted:
        rows.append(Row("yamllint", "yamllint -d relaxed", "yamllint",
                        [python, "-m", "yamllint", "-d", "relaxed", "-f", "parsable", tree], size, size,
                        (0, 1, 2), runs=runs))
    return rows


def one_rows(python: str, floor: str, one: str, runs: int, scratch: str, wanted: set) -> list[Row]:
    rows: list[Row] = []
    if "one" not in wanted:
        return rows
    rows.append(Row("startup", "python -c pass (interpreter start)", "python", [python, "-c", "pass"],
                    1, None, runs=runs))
    rows.append(Row("one-floor", "parse floor, one file", "floor", [python, floor, one], 1, None, runs=runs))
    # exactly what a user types: default format, default cache (in the scratch cwd)
    rows.append(Row("one", "daprlint check ONE.yaml", "daprlint",
                    [python, "-m", "daprlint", "check", one], 1, None, (0, 1), runs=runs))
    rows.append(Row("one-nocache", "daprlint check --no-cache ONE.yaml", "daprlint",
                    [python, "-m", "daprlint", "check", "--no-cache", one], 1, None, (0, 1), runs=runs))
    if "yamllint" in wanted:
        rows.append(Row("one-yamllint", "yamllint -d relaxed ONE.yaml", "yamllint",
                        [python, "-m", "yamllint", "-d", "relaxed", "-f", "parsable", one], 1, None,
                        (0, 1, 2), runs=runs))
    return rows


# --------------------------------------------------------------------------
# report

def fmt_s(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def ratio(row: Row, ref: Row | None) -> str:
    if ref is None or ref.median is None or row.median is None:
        return "n/a"
    if row is ref:
        return "1.0x"
    return f"{ref.median / row.median:.1f}x"


def row_cells(row: Row, ref: Row | None, per_second: bool = True) -> list[str]:
    if row.status != "ok":
        cell = "n/a" if row.status == "n/a" else "error"
        return [row.label, str(row.files), cell, cell, cell, cell, "0", row.note.replace("|", "\\|")]
    med = row.median
    notes = []
    if len(row.samples) > 1:
        notes.append(f"min {fmt_s(min(row.times))}, max {fmt_s(max(row.times))}")
    if "tree_pss_mib" in row.extra:
        notes.append(f"all processes together: {row.extra['tree_pss_mib']:.1f} MiB PSS (sampled)")
    if row.key == "warm" and "setup_seconds" in row.extra:
        notes.append(f"fill run {fmt_s(row.extra['setup_seconds'])}, 1st re-run {fmt_s(row.times[0])}")
    if row.note:
        notes.append(row.note)
    return [
        row.label, str(row.files), fmt_s(med),
        f"{row.files / med:,.0f}" if per_second else "-",
        f"{row.peak_mib:.1f}", ratio(row, ref), str(len(row.samples)),
        "; ".join(notes).replace("|", "\\|"),
    ]


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def targets(by_size: dict[int, list[Row]], one: list[Row], target_size: int) -> list[dict]:
    res: list[dict] = []

    def add(name: str, value: str, ok: bool | None, why: str = "") -> None:
        res.append({"target": name, "measured": value,
                    "result": "n/a" if ok is None else ("PASS" if ok else "FAIL"), "note": why})

    def get(rows, key):
        return next((r for r in rows if r.key == key), None)

    r = get(one, "one")
    add(f"one file <= {TARGET_ONE_FILE_MS:.0f} ms (`daprlint check ONE.yaml`)",
        fmt_s(r.median) if r and r.median is not None else "n/a",
        None if not r or r.median is None else r.median * 1000 <= TARGET_ONE_FILE_MS,
        "" if r and r.median is not None else (r.note if r else "not run"))
    rows = by_size.get(target_size)
    missing = f"{target_size} files not run" if rows is None else ""
    for key, what in (("cold", "1 process, --no-cache"), ("jobs", "--jobs 2, --no-cache")):
        r = get(rows, key) if rows else None
        ok = None if not r or r.median is None else r.files / r.median >= TARGET_FILES_PER_S
        add(f">= {TARGET_FILES_PER_S:,.0f} files/s at {target_size} ({what})",
            f"{r.files / r.median:,.0f} files/s" if ok is not None else "n/a", ok,
            missing or (r.note if r and ok is None else "" if r else "not run"))
    r = get(rows, "warm") if rows else None
    ok = None if not r or r.median is None else r.median <= TARGET_WARM_S
    add(f"warm cache <= {TARGET_WARM_S} s at {target_size}", fmt_s(r.median) if ok is not None else "n/a", ok,
        missing or (r.note if r and ok is None else "" if r else "not run"))
    # peak: every daprlint row we measured
    worst = None
    for rs in list(by_size.values()) + [one]:
        for r in rs:
            if r.tool == "daprlint" and r.peak_mib is not None and (worst is None or r.peak_mib > worst.peak_mib):
                worst = r
    if worst is None:
        add(f"peak RSS <= {TARGET_PEAK_MIB:.0f} MiB (every daprlint row)", "n/a", None, "no daprlint row ran")
    else:
        where = f"{worst.label}" + (f" at {worst.size}" if worst.size else "")
        add(f"peak RSS <= {TARGET_PEAK_MIB:.0f} MiB (every daprlint row)", f"{worst.peak_mib:.1f} MiB",
            worst.peak_mib <= TARGET_PEAK_MIB, f"worst: {where}")
    return res


def report(by_size: dict[int, list[Row]], one: list[Row], tgts: list[dict], info: dict) -> str:
    out: list[str] = []
    header = ["tool", "files", "median", "files/s", "peak MiB", "vs yamllint", "runs", "notes"]
    for size, rows in by_size.items():
        ref = next((r for r in rows if r.key == "yamllint"), None)
        out.append(f"\n### {size} files\n")
        out.append(table(header, [row_cells(r, ref) for r in rows]))
    if one:
        ref = next((r for r in one if r.key == "one-yamllint"), None)
        out.append("\n### one small file\n")
        out.append(table(header, [row_cells(r, ref, per_second=False) for r in one]))
    out.append("\n### targets\n")
    out.append(table(["target", "measured", "result", "note"],
                     [[t["target"], t["measured"], t["result"], t["note"]] for t in tgts]))
    meta = ", ".join(f"{k}: {v}" for k, v in info.items())
    out.append(f"\n<sub>{meta}</sub>\n")
    return "\n".join(out)


# --------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    # The tools must run from byte-compiled modules, as after `pip install`
    # (which compiles them) or any first run. An inherited PYTHONDONTWRITEBYTECODE
    # would leave an editable checkout's changed modules to be compiled again
    # in every timed run: ~20-50 ms that no user pays.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated tree sizes (default 1000,10000)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per tree row (default 5)")
    ap.add_argument("--one-runs", type=int, default=15, help="timed runs per one-file row (default 15)")
    ap.add_argument("--budget", type=float, default=60.0,
                    help="stop adding runs to a row once its runs would exceed this many seconds "
                         "(default 60; at least one run always happens)")
    ap.add_argument("--timeout", type=float, default=600.0, help="kill a single run after this many seconds")
    ap.add_argument("--seed", type=int, default=42, help="generator seed (default 42)")
    ap.add_argument("--rows", default="floor,cold,jobs,warm,yamllint,one",
                    help="rows to run (default all: floor,cold,jobs,warm,yamllint,one)")
    ap.add_argument("--trees-dir", default=os.path.join(tempfile.gettempdir(), "daprlint-bench"),
                    help="where trees are generated and reused (default: $TMPDIR/daprlint-bench, "
                         "outside the repo so no config or .gitignore of the repo applies)")
    ap.add_argument("--regen", action="store_true", help="regenerate trees even if an identical one is there")
    ap.add_argument("--python", default=sys.executable, help="interpreter for daprlint / yamllint / the floor "
                                                              "(default: the one running this script)")
    ap.add_argument("--target-size", type=int, default=10000, help="tree size the throughput targets apply to")
    ap.add_argument("--json", metavar="OUT", help="also write all results as JSON")
    args = ap.parse_args(argv)

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    wanted = {s.strip() for s in args.rows.split(",") if s.strip()}
    unknown = wanted - {"floor", "cold", "jobs", "warm", "yamllint", "one"}
    if unknown:
        ap.error(f"unknown rows: {', '.join(sorted(unknown))}")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    t_start = time.perf_counter()
    os.makedirs(args.trees_dir, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="run-", dir=args.trees_dir)
    floor = os.path.join(scratch, "floor.py")
    with open(floor, "w", encoding="utf-8") as f:
        f.write(FLOOR_SCRIPT)
    info = machine_info(args.python)
    log("; ".join(f"{k}: {v}" for k, v in info.items()))

    try:
        one = one_file(args.trees_dir, args.seed)
        # untimed warm-up: byte-compile what the tools import, load their code into the page cache
        for cmd in ([args.python, "-m", "daprlint", "check", "--no-cache", one],
                    [args.python, "-m", "yamllint", "-d", "relaxed", one],
                    [args.python, floor, one]):
            run_once(cmd, scratch, os.path.join(scratch, "warmup.out"), os.path.join(scratch, "warmup.err"),
                     args.timeout)

        one_results = one_rows(args.python, floor, one, args.one_runs, scratch, wanted)
        if one_results:
            log("one small file")
            for row in one_results:
                measure(row, scratch, args.budget, args.timeout, log)

        by_size: dict[int, list[Row]] = {}
        for size in sizes:
            tree = ensure_tree(args.trees_dir, size, args.seed, args.regen, log)
            warm_page_cache(tree)
            rows = tree_rows(args.python, floor, tree, size, args.runs, scratch, wanted)
            by_size[size] = rows
            log(f"{size} files")
            for row in rows:
                measure(row, scratch, args.budget, args.timeout, log)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    try:
        info["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    info["bench_seconds"] = round(time.perf_counter() - t_start, 1)
    tgts = targets(by_size, one_results, args.target_size)
    print(report(by_size, one_results, tgts, info))

    if args.json:
        def dump(r: Row) -> dict:
            return {"key": r.key, "label": r.label, "tool": r.tool, "cmd": r.cmd, "files": r.files,
                    "size": r.size, "status": r.status, "note": r.note, "times": r.times,
                    "rcs": [s.rc for s in r.samples], "peaks_kib": [s.peak_kib for s in r.samples],
                    "median": r.median, "files_per_s": (r.files / r.median) if r.median else None,
                    "peak_mib": r.peak_mib, **r.extra}
        data = {"meta": {**info, "sizes": sizes, "runs": args.runs, "one_runs": args.one_runs,
                         "seed": args.seed, "budget": args.budget},
                "trees": {str(s): [dump(r) for r in rows] for s, rows in by_size.items()},
                "one_file": [dump(r) for r in one_results],
                "targets": tgts}
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Where a cold run's time goes: cProfile of `daprlint check --no-cache --jobs 1`, summarised.

    python bench/where_time_goes.py TREE [--out run.prof] [--top 25] [--write-cache] [--cpu-timer]

Runs `<this python> -m cProfile -o PROF -m daprlint check --no-cache --jobs 1
--format json TREE` (one process, so every function is seen), then prints
Markdown: the run's own time split by area (each daprlint module, each rule
folder, PyYAML's Python part, libyaml's C calls, json, file system, gc,
imports, the rest), the functions with the most own time, and the daprlint
functions with the most cumulative time (the phases). --write-cache profiles
the cold run that writes a new cache instead (bar B1 compares the two). cProfile's overhead
falls on Python calls, so the Python parts look larger than they are in an
unprofiled run: read the shares, not the absolute times. The timer is
cProfile's own (wall clock): on a machine shared with other work, time spent
waiting for a CPU lands on whatever function was running, which blurs the
shares without favouring any function (compare the wall and CPU seconds in
the first line). --cpu-timer uses the process's CPU time instead, which is
not charged for waiting but costs a system call per event (measured here:
a 10,000-file run took 37 s of CPU under it against 8.5 s under the default
timer), which inflates functions that are called often.
"""
from __future__ import annotations

import argparse
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time


def area(filename: str, name: str) -> str:
    """The bucket a profiled function belongs to."""
    f = filename.replace(os.sep, "/")
    if f.endswith("/yaml/__init__.py") and name in ("compose_all", "compose", "load_all", "load"):
        # libyaml's Cython methods are not profiled on their own: their time is this caller's
        return "libyaml (C scanner, parser, composer, called from yaml.compose_all)"
    if filename == "~" and "builtins.compile" in name:
        return "compile() (code generated at run time)"
    if filename == "~" and ("of 'str' objects" in name or "of 'dict' objects" in name
                            or "of 'list' objects" in name or "builtins.sorted" in name):
        return "str / dict / list methods, sorted()"
    if filename == "~":  # a C function: name like "<method 'get_node' of '_yaml.CParser' objects>"
        if "_yaml." in name or "yaml._yaml" in name:
            return "libyaml (C: scanning, parsing, composing nodes)"
        if "posix." in name or "scandir" in name or "io.open" in name or "read' of '_io" in name \
                or "<built-in method io.open>" in name:
            return "file system (stat, scandir, open, read)"
        if "gc." in name:
            return "gc"
        if "_json" in name or "json" in name:
            return "json (C)"
        if "_blake2" in name or "hashlib" in name or "_hashlib" in name:
            return "hashing"
        if "re.Pattern" in name or "_sre" in name:
            return "regular expressions (C)"
        if "marshal" in name or "_imp." in name:
            return "imports"
        return "other C built-ins"
    if "<frozen importlib" in f or "<frozen zipimport" in f:
        return "imports"
    if "/daprlint/" in f and "/site-packages/" not in f.split("/daprlint/")[0][-1:]:
        tail = f.split("/daprlint/")[-1]
        if "/" in tail and not tail.startswith(("report/", "lsp/")):
            return "daprlint " + tail.split("/")[0] + "/"
        return "daprlint " + tail.rsplit(".", 1)[0].replace("/", ".")
    if "/rules/" in f:
        return "rules/" + f.split("/rules/")[-1].split("/")[0] + "/"
    if "/yaml/" in f:
        return "PyYAML (Python: composer, resolver, nodes)"
    if "/json/" in f:
        return "json (Python)"
    if f.endswith(("/re/__init__.py", "/re/_compiler.py", "/re/_parser.py", "sre_compile.py", "sre_parse.py")):
        return "regular expressions (compiling)"
    if f.startswith("<frozen "):
        return "stdlib " + f[len("<frozen "):].rstrip(">") + " (frozen)"
    if "/site-packages/" in f:
        return "package " + f.split("/site-packages/", 1)[1].split("/")[0]
    if "/lib/python" in f:
        return "stdlib " + f.rsplit("/", 1)[-1]
    return "other Python"


def summarise(prof: str, top: int = 25, wall: float | None = None, cpu: float | None = None,
              timer: str = "wall") -> str:
    stats = pstats.Stats(prof)
    entries = stats.stats  # (file, line, name) -> (cc, nc, tt, ct, callers)
    total = sum(v[2] for v in entries.values())
    by_area: dict[str, float] = {}
    for (filename, _, name), (_, _, tt, _, _) in entries.items():
        key = area(filename, name)
        by_area[key] = by_area.get(key, 0.0) + tt
    out = []
    head = f"profiled run ({timer}-clock timer): {total:.2f} s of own time in {len(entries)} functions"
    if wall is not None:
        head += f"; {wall:.2f} s wall"
    if cpu is not None:
        head += f", {cpu:.2f} s CPU (user + system) under cProfile"
    out += [head, "", "| area | own time | share |", "|---|---|---|"]
    for key, tt in sorted(by_area.items(), key=lambda kv: -kv[1]):
        if tt / total >= 0.002:
            out.append(f"| {key} | {tt:.3f} s | {tt / total:.1%} |")

    def where(k):
        filename, line, name = k
        if filename == "~":
            return name
        short = filename.replace(os.sep, "/")
        for marker in ("/daprlint/", "/rules/", "/site-packages/", "/lib/python"):
            if marker in short:
                short = marker.strip("/") + "/" + short.split(marker, 1)[1]
                break
        return f"{name} ({short}:{line})"

    out += ["", f"Top {top} functions by own time:", "", "| function | calls | own | cumulative |", "|---|---|---|---|"]
    for k, (cc, nc, tt, ct, _) in sorted(entries.items(), key=lambda kv: -kv[1][2])[:top]:
        out.append(f"| `{where(k)}` | {nc:,} | {tt:.3f} s | {ct:.3f} s |")
    own = [(k, v) for k, v in entries.items() if "/daprlint/" in k[0].replace(os.sep, "/")]
    out += ["", f"daprlint functions by cumulative time (the phases), top {top}:", "",
            "| function | calls | cumulative | share |", "|---|---|---|---|"]
    for k, (cc, nc, tt, ct, _) in sorted(own, key=lambda kv: -kv[1][3])[:top]:
        out.append(f"| `{where(k)}` | {nc:,} | {ct:.3f} s | {ct / total:.0%} |")
    return "\n".join(out) + "\n"


PROFILE_SCRIPT = r"""
import cProfile, runpy, sys, time
out, cpu = sys.argv[1], sys.argv[2] == "cpu"
sys.argv = ["daprlint", *sys.argv[3:]]
prof = cProfile.Profile(time.process_time) if cpu else cProfile.Profile()
try:
    prof.runcall(runpy.run_module, "daprlint", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
prof.dump_stats(out)
"""


def profile(python: str, tree: str, out: str, cpu_timer: bool = False, timeout: float = 900,
            write_cache: bool = False) -> tuple[float, float]:
    """Profile one cold run (--no-cache, or writing a new cache); returns (wall seconds, CPU seconds)."""
    # a folder for daprlint to make: an existing one without its CACHEDIR.TAG is refused (then no cache at all)
    cache = ["--cache-dir", os.path.join(tempfile.mkdtemp(prefix="daprlint-prof-cache-"), "cache")] \
        if write_cache else ["--no-cache"]
    cmd = [python, "-c", PROFILE_SCRIPT, out, "cpu" if cpu_timer else "wall",
           "check", *cache, "--jobs", "1", "--format", "json", tree]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, err = proc.communicate(timeout=timeout)
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0 or not os.path.exists(out):
        raise RuntimeError(f"profiled run exited {proc.returncode}: {err.decode(errors='replace')[-300:]}")
    return wall, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tree")
    ap.add_argument("--out", help="keep the profile here (default: a temporary file)")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--write-cache", action="store_true",
                    help="profile the run that writes a new cache (a fresh --cache-dir) instead of --no-cache")
    ap.add_argument("--cpu-timer", action="store_true",
                    help="time with time.process_time (CPU time: not charged for waiting on a busy machine, but "
                         "a system call per event here: about 4x the overhead, biased to functions called often)")
    args = ap.parse_args(argv)
    out = args.out or os.path.join(tempfile.mkdtemp(prefix="daprlint-prof-"), "run.prof")
    wall, cpu = profile(sys.executable, args.tree, out, args.cpu_timer, write_cache=args.write_cache)
    print(summarise(out, args.top, wall, cpu, "CPU" if args.cpu_timer else "wall"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The daprlint benchmark: every bar of the speed issue, side by side in one run, PASS or FAIL.

    .venv/bin/python bench/run.py                          # the default run (10-20 min on 2 busy cores)
    .venv/bin/python bench/run.py --sizes 10000,100000     # adds the growth bar (long)
    .venv/bin/python bench/run.py --markdown perf.md --json results.json --profile --candidates

It generates (or reuses) the trees: synthetic ones of --sizes files
(gen_tree.py), a repo-shaped one (gen_repo.py repo), a copy of
../shared/corpus (skipped with the reason when absent) and two 1,000-file
deployments (gen_repo.py deployment: one folder, one kustomize base +
overlay). On each it times, in fresh processes and interleaved round by
round, the parse floor, daprlint (cold, writing a fresh cache, warm,
--jobs 2, --jobs auto when daprlint has it) and yamllint; then one small
file, one file of each deployment with the deployment's cache warm, and a
language-server client editing a file of the 1,000-file workspace
(lsp_client.py). It prints a Markdown report on stdout: the bars with
PASS/FAIL first, then the tables (progress goes to stderr). See
bench/README.md.

Only the standard library is used here; the tools run as `<python> -m
daprlint`, `<python> -m yamllint` (see --python, --yamllint-python).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bars  # noqa: E402
import gen_repo  # noqa: E402
import gen_tree  # noqa: E402
import lsp_client  # noqa: E402
from harness import RSS_METHOD, Row, measure_adjacent, measure_instructions, measure_rows, run_once  # noqa: E402

# The parse floor: read every YAML file and build the node graph with libyaml.
FLOOR_SCRIPT = r'''
import os, sys, yaml
Loader = yaml.CSafeLoader
n = 0
for arg in sys.argv[1:]:
    if os.path.isfile(arg):
        paths = [arg]
    else:
        paths = [os.path.join(d, f) for d, ds, fs in os.walk(arg) for f in fs if f.endswith((".yaml", ".yml"))]
    for p in paths:
        with open(p, encoding="utf-8", errors="replace") as fh:
            try:
                list(yaml.compose_all(fh.read(), Loader=Loader))
            except yaml.YAMLError:
                pass  # an unrendered Helm template: parsed up to its error
        n += 1
print(n)
'''

ROW_KINDS = ("floor", "cold", "cache", "warm", "jobs", "yamllint", "one", "deploy", "lsp")
TREE_KINDS = ("synthetic", "repo", "corpus")
CODE_RE = re.compile(r":\d+:\d+: ([A-Z]{2,4}\d{3}) ")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# --------------------------------------------------------------------------
# trees

def _source_hash(*modules) -> str:
    h = hashlib.sha256()
    for m in modules:
        with open(m.__file__, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def ensure_tree(trees_dir: str, name: str, material: str, make, regen: bool):
    """The tree *name* under trees_dir, made by make(path) unless a stamp says an identical one is there.
    Returns (path, what make returned last time, from the stamp)."""
    out = os.path.join(trees_dir, name)
    stamp = out + ".stamp"
    try:
        with open(stamp, encoding="utf-8") as f:
            have = json.load(f)
    except (OSError, ValueError):
        have = {}
    if regen or have.get("material") != material or not os.path.isdir(out):
        if os.path.exists(stamp):
            os.unlink(stamp)
        t0 = time.perf_counter()
        info = make(out)
        with open(stamp, "w", encoding="utf-8") as f:
            json.dump({"material": material, "info": info}, f)
        log(f"generated {name} in {time.perf_counter() - t0:.1f}s: {out}")
        return out, info
    log(f"reusing {out}")
    return out, have.get("info")


def count_yaml(tree: str) -> int:
    n = 0
    for d, dirs, fs in os.walk(tree):
        dirs[:] = [x for x in dirs if x != ".git"]
        n += sum(1 for f in fs if f.endswith((".yaml", ".yml")))
    return n


def warm_page_cache(tree: str) -> None:
    for d, _, fs in os.walk(tree):
        for f in fs:
            with open(os.path.join(d, f), "rb") as fh:
                fh.read()


def find_corpus(explicit: str | None) -> tuple[str | None, str]:
    """The corpus folder (../shared/corpus beside the repository, or beside the main checkout of a
    git worktree), or None with the reason."""
    if explicit:
        return (explicit, "") if os.path.isdir(explicit) else (None, f"--corpus {explicit} is not a folder")
    candidates = [os.path.join(os.path.dirname(REPO), "shared", "corpus")]
    try:
        common = subprocess.run(["git", "-C", REPO, "rev-parse", "--path-format=absolute", "--git-common-dir"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
        if common:
            candidates.append(os.path.join(os.path.dirname(os.path.dirname(common)), "shared", "corpus"))
    except (OSError, subprocess.TimeoutExpired):
        pass
    for c in candidates:
        if os.path.isdir(c):
            return c, ""
    return None, f"no corpus at {' or '.join(dict.fromkeys(candidates))} (../shared is absent)"


def corpus_material(source: str) -> str:
    h = hashlib.sha256()
    for d, dirs, fs in os.walk(source):
        dirs.sort()
        for f in sorted(fs):
            st = os.stat(os.path.join(d, f))
            h.update(f"{os.path.relpath(os.path.join(d, f), source)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def copy_corpus(source: str, out: str) -> dict:
    if os.path.isdir(out):
        shutil.rmtree(out)
    shutil.copytree(source, out, symlinks=True)
    for d, dirs, fs in os.walk(out):  # the shared copy has no write bits; the bench's own copy does
        for x in dirs + fs:
            p = os.path.join(d, x)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | 0o200)
    return {"source": source}


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
# what the installed daprlint offers

class Caps:
    def __init__(self, python: str):
        p = subprocess.run([python, "-m", "daprlint", "check", "--help"], capture_output=True, text=True, timeout=60)
        self.help = p.stdout if p.returncode == 0 else ""
        block = self._option_block("--jobs")
        self.jobs_auto = "auto" in block
        m = re.search(r"default:?\s*([\w-]+)", block)
        self.jobs_default = m.group(1) if m else ("1" if block else "")
        p = subprocess.run([python, "-m", "daprlint", "rules"], capture_output=True, text=True, timeout=60)
        self.default_rules = [ln.split()[0] for ln in p.stdout.splitlines()[1:]
                              if ln.split() and " on " in f" {ln} " and "opt-in" not in ln]

    def _option_block(self, option: str) -> str:
        """The lines of --help that describe *option* (its line and the indented ones under it)."""
        lines = self.help.splitlines()
        for i, ln in enumerate(lines):
            if re.match(rf"\s+(-\w, )?{re.escape(option)}\b", ln):
                block = [ln]
                for nxt in lines[i + 1:]:
                    if nxt.startswith(" " * 10) and not nxt.strip().startswith("-"):
                        block.append(nxt)
                    else:
                        break
                return " ".join(x.strip() for x in block)
        return ""

    def rules_note(self) -> str:
        prefixes = sorted({c[:3] for c in self.default_rules})
        return f"{len(self.default_rules)} default rules on ({', '.join(prefixes)})"


def version_of(python: str, args: list[str]) -> str:
    try:
        p = subprocess.run([python, *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"n/a ({e})"
    text = (p.stdout or p.stderr).strip().splitlines()
    if p.returncode != 0 or not text:
        return "n/a"
    return text[0]


def machine_info(python: str, yamllint_python: str) -> dict:
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count()
    info = {
        "date": time.strftime("%Y-%m-%d"),
        "python": version_of(python, ["-c", "import sys; print(sys.version.split()[0])"]),
        "platform": platform.platform(),
        "cpus": os.cpu_count(), "usable_cpus": usable,
        "libyaml": version_of(python, ["-c", "import yaml; print(yaml.__version__, 'libyaml' if yaml.__with_libyaml__ else 'NO libyaml')"]),
        "daprlint": version_of(python, ["-m", "daprlint", "--version"]),
        "yamllint": version_of(yamllint_python, ["-m", "yamllint", "--version"]),
        "rss": RSS_METHOD,
        "loadavg_start": loadavg(),
    }
    try:
        p = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10)
        if p.returncode == 0:
            dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                                   capture_output=True, text=True, timeout=10).stdout.strip()
            info["commit"] = p.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.TimeoutExpired):
        pass
    return info


# --------------------------------------------------------------------------
# rows

OK_DAPRLINT = (0, 1)   # 1 = findings; 2 = usage error or crash
OK_YAMLLINT = (0, 1, 2)


def codes_in(text: str) -> dict:
    codes = sorted(set(CODE_RE.findall(text)))
    return {"codes": codes, "context": any(c in codes for c in gen_repo.CONTEXT_CODES)}


def tree_rows(a, caps: Caps, floor: str, tree: str, files: int, scratch: str, tid: str,
              yamllint: bool) -> list[Row]:
    dl = [a.python, "-m", "daprlint", "check"]
    want = a.rows
    rows: list[Row] = []

    def add(key, label, cmd, **kw):
        kw.setdefault("ok_codes", OK_DAPRLINT)
        kw.setdefault("count_from_json", True)
        rows.append(Row(key, label, kw.pop("tool", "daprlint"), cmd, files, runs=a.runs, **kw))

    def cache(name):
        return os.path.join(scratch, f"cache-{tid}-{name}")

    if "floor" in want:
        add("floor", "parse floor (CSafeLoader compose)", [a.python, floor, tree], tool="floor", ok_codes=(0,),
            count_from_json=False, count_from_stdout=True)
    if "cold" in want:
        add("cold", "daprlint --no-cache (1 process)", dl + ["--no-cache", "--jobs", "1", "--format", "json", tree])
        if caps.jobs_default not in ("", "1"):
            add("default", f"daprlint --no-cache (default --jobs {caps.jobs_default})",
                dl + ["--no-cache", "--format", "json", tree])
    if "cache" in want:
        add("cache", "daprlint writing a new cache (1 process)",
            dl + ["--jobs", "1", "--format", "json", "--cache-dir", cache("new"), tree], fresh_dir=cache("new"))
        if "cold" in want and caps.jobs_default not in ("", "1") and tid == f"synthetic-{a.target_size}":
            # CI's first run, as it is run: B1 checks it against the default --no-cache run too
            add("cache-default", f"daprlint writing a new cache (default --jobs {caps.jobs_default})",
                dl + ["--format", "json", "--cache-dir", cache("new-default"), tree], fresh_dir=cache("new-default"))
    if "warm" in want:
        cmd = dl + ["--jobs", "1", "--format", "json", "--cache-dir", cache("warm"), tree]
        add("warm", "daprlint warm cache (1 process)", cmd, setup=cmd)
    if "jobs" in want:
        for n in ["2"] + (["auto"] if caps.jobs_auto else []):
            key = "jobs2" if n == "2" else "auto"
            add(key, f"daprlint --no-cache --jobs {n}", dl + ["--no-cache", "--jobs", n, "--format", "json", tree],
                tree_pss=True)
            if "warm" in want:
                cmd = dl + ["--jobs", n, "--format", "json", "--cache-dir", cache(f"warm-{n}"), tree]
                add(f"warm-{key}", f"daprlint warm cache --jobs {n}", cmd, setup=cmd)
    if "yamllint" in want and yamllint:
        add("yamllint", "yamllint -d relaxed", [a.yamllint_python, "-m", "yamllint", "-d", "relaxed", "-f",
                                               "parsable", tree], tool="yamllint", ok_codes=OK_YAMLLINT,
            count_from_json=False)
    return rows


def one_rows(a, caps: Caps, floor: str, one: str) -> list[Row]:
    dl = [a.python, "-m", "daprlint", "check"]
    r = a.one_runs
    rows = [Row("startup", "python -c pass (interpreter start)", "python", [a.python, "-c", "pass"], 1, runs=r),
            Row("one-floor", "parse floor, one file", "floor", [a.python, floor, one], 1, runs=r),
            # exactly what a user types: default format, default cache (in the scratch cwd), re-run
            Row("one", "daprlint check ONE.yaml", "daprlint", dl + [one], 1, OK_DAPRLINT, r, setup=dl + [one]),
            Row("one-nocache", "daprlint check --no-cache ONE.yaml", "daprlint", dl + ["--no-cache", one], 1,
                OK_DAPRLINT, r)]
    if "jobs" in a.rows:
        for n in ["2"] + (["auto"] if caps.jobs_auto else []):
            cmd = dl + ["--jobs", n, one]
            rows.append(Row("one-jobs2" if n == "2" else "one-auto", f"daprlint check --jobs {n} ONE.yaml",
                            "daprlint", cmd, 1, OK_DAPRLINT, r, setup=cmd))
    if "yamllint" in a.rows:
        rows.append(Row("one-yamllint", "yamllint -d relaxed ONE.yaml", "yamllint",
                        [a.yamllint_python, "-m", "yamllint", "-d", "relaxed", "-f", "parsable", one], 1,
                        OK_YAMLLINT, r))
    return rows


def deploy_rows(a, caps: Caps, tree: str, planted: str, scratch: str, shape: str) -> list[Row]:
    """One named file of a deployment, from the tree's root, as a user (or pre-commit) runs it."""
    dl = [a.python, "-m", "daprlint", "check"]
    r = a.one_runs
    rows = []
    for n in ["1"] + (["2"] if "jobs" in a.rows else []) + (["auto"] if "jobs" in a.rows and caps.jobs_auto else []):
        key = {"1": "dep-one", "2": "dep-jobs2", "auto": "dep-auto"}[n]
        cache = os.path.join(scratch, f"cache-deploy-{shape}-{n}")
        jobs = [] if n == "1" else ["--jobs", n]
        rows.append(Row(key, f"daprlint check {' '.join(jobs + ['FILE'])} (warm cache)", "daprlint",
                        dl + jobs + ["--cache-dir", cache, planted], 1, OK_DAPRLINT, r, cwd=tree,
                        setup=dl + jobs + ["--cache-dir", cache, "."], inspect=codes_in))
    rows.append(Row("dep-nocache", "daprlint check --no-cache FILE", "daprlint", dl + ["--no-cache", planted], 1,
                    OK_DAPRLINT, r, cwd=tree, inspect=codes_in))
    if "yamllint" in a.rows:
        rows.append(Row("dep-yamllint", "yamllint -d relaxed FILE", "yamllint",
                        [a.yamllint_python, "-m", "yamllint", "-d", "relaxed", "-f", "parsable", planted], 1,
                        OK_YAMLLINT, r, cwd=tree))
    return rows


# --------------------------------------------------------------------------
# report

def fmt_s(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def table(header: list[str], rows: list[list[str]]) -> str:
    esc = [[c.replace("|", "\\|") for c in r] for r in rows]
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
                     + ["| " + " | ".join(r) + " |" for r in esc])


def row_cells(row: Row, ref: Row | None, per_second: bool = True) -> list[str]:
    if row.status != "ok" or not row.samples:
        cell = "n/a" if row.status == "n/a" else "error"
        return [row.label, str(row.files), cell, cell, cell, cell, cell, "0", row.note]
    med = row.median
    notes = []
    if len(row.samples) > 1:
        notes.append(f"min {fmt_s(min(row.times))}, max {fmt_s(max(row.times))}")
    if "tree_pss_mib" in row.extra:
        notes.append(f"all processes: {row.extra['tree_pss_mib']:.1f} MiB PSS")
    if "setup_seconds" in row.extra and row.key.startswith(("warm", "dep-")):
        notes.append(f"fill run {fmt_s(row.extra['setup_seconds'])}")
    if "codes" in row.extra:
        notes.append(f"codes {','.join(row.extra['codes']) or '-'}")
    if row.note:
        notes.append(row.note)
    vs = "n/a" if ref is None or ref.median is None else ("1.0x" if row is ref else f"{ref.median / med:.1f}x")
    return [row.label, str(row.files), fmt_s(med), fmt_s(row.cpu_median), f"{row.files / med:,.0f}" if per_second
            else "-", f"{row.peak_mib:.1f}", vs, str(len(row.samples)), "; ".join(notes)]


HEADER = ["tool", "files", "median", "CPU", "files/s", "peak MiB", "vs yamllint", "runs", "notes"]


def bars_table(all_bars: list) -> str:
    rows = []
    for b in all_bars:
        for i, c in enumerate(b.checks):
            rows.append([f"**{b.id}** {b.title}" if i == 0 else "", c.name, c.measured, c.target,
                         f"**{c.result}**", c.note])
        if len(b.checks) > 1:
            rows.append(["", "(the bar)", "", "", f"**{b.result}**", ""])
    return table(["bar", "check", "measured", "target", "result", "note"], rows)


def lsp_section(lsp: dict | None) -> str:
    if not lsp:
        return "not run"
    if "median_s" not in lsp:
        return f"not measured: {lsp.get('error') or lsp.get('skipped')}"
    lat = lsp["latencies_s"]
    return (f"{len(lat)} edits of `{lsp['file']}` in a {lsp.get('workspace_files', '?')}-file workspace: median "
            f"{fmt_s(lsp['median_s'])}, p95 {fmt_s(lsp['p95_s'])}, min {fmt_s(lsp['min_s'])}, max "
            f"{fmt_s(lsp['max_s'])}; warm-up edits {', '.join(fmt_s(x) for x in lsp.get('warmup_s', []))}; "
            f"first diagnostics {fmt_s(lsp['first_diagnostics_s'])} after start, pygls ready at "
            f"{fmt_s(lsp['ready_s'])}; codes on the file {lsp['codes']} (tree findings: "
            f"{'yes' if lsp['tree_findings'] else 'no'}); server peak RSS "
            f"{(lsp.get('server_peak_rss_kib') or 0) / 1024:.1f} MiB.")


def report(results: bars.Results, all_bars: list, groups: dict, info: dict, sections: dict) -> str:
    out = ["## daprlint benchmark", "", f"<sub>{', '.join(f'{k}: {v}' for k, v in info.items())}</sub>", "",
           "### Bars of the speed issue", "", bars_table(all_bars)]
    for tid, rows in groups.items():
        ref = next((r for r in rows if r.key in ("yamllint", "one-yamllint", "dep-yamllint")), None)
        title = {"one": "one small file"}.get(tid, tid)
        extra = f" ({results.files.get(tid)} YAML files)" if tid in results.files and tid != "one" else ""
        out += ["", f"### {title}{extra}", "", table(HEADER, [row_cells(r, ref, tid != "one" and not
                                                                      tid.startswith("deploy-")) for r in rows])]
    for tid, why in results.skipped.items():
        out += ["", f"### {tid}", "", f"skipped: {why}"]
    out += ["", "### language server", "", lsp_section(results.lsp)]
    for title, text in sections.items():
        out += ["", f"### {title}", "", text]
    return "\n".join(out) + "\n"


def readme_markdown(results: bars.Results, all_bars: list, groups: dict, info: dict) -> str:
    """The README's performance table: the bars and the main tree, from this run."""
    out = [f"<!-- generated by `bench/run.py --markdown`: {info.get('date')}, commit {info.get('commit', '?')} -->",
           "", bars_table(all_bars), ""]
    main_tree = f"synthetic-{results.target_size}"
    rows = groups.get(main_tree, [])
    ref = next((r for r in rows if r.key == "yamllint"), None)
    if rows:
        out += [table(["tool (" + f"{results.target_size:,} files)", "median", "CPU", "files/s", "peak MiB",
                       "vs yamllint"], [row_cells(r, ref)[0:1] + row_cells(r, ref)[2:7] for r in rows]), ""]
    lines = []
    for tid in sorted(t for t in groups if t.startswith(("repo-", "corpus"))):
        cold, yl = results.row(tid, "cold"), results.row(tid, "yamllint")
        if cold and yl:
            lines.append(f"{tid} ({results.files[tid]} files): daprlint {fmt_s(cold.median)}, yamllint "
                         f"{fmt_s(yl.median)} ({yl.median / cold.median:.1f}x)")
    for tid, why in results.skipped.items():
        lines.append(f"{tid}: skipped ({why})")
    one, one_yl = results.row("one", "one"), results.row("one", "one-yamllint")
    if one and one_yl:
        lines.append(f"one small file: daprlint {fmt_s(one.median)}, yamllint {fmt_s(one_yl.median)}")
    for tid in sorted(t for t in groups if t.startswith("deploy-")):
        d, y = results.row(tid, "dep-one"), results.row(tid, "dep-yamllint")
        if d and y:
            lines.append(f"one file of {tid} (warm cache): daprlint {fmt_s(d.median)}, yamllint {fmt_s(y.median)}")
    if results.lsp and "median_s" in results.lsp:
        lines.append(f"language server after an edit: median {fmt_s(results.lsp['median_s'])}, "
                     f"p95 {fmt_s(results.lsp['p95_s'])}")
    out += [f"- {ln}" for ln in lines]
    out += ["", f"<sub>{info.get('cpus')} CPUs, load average {info.get('loadavg_start')} at the start; "
                f"{info.get('python')}, {info.get('libyaml')}; {info.get('yamllint')}</sub>", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------

def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000", help="synthetic tree sizes (default 1000,10000; "
                                                        "add 100000 for the growth bar)")
    ap.add_argument("--trees", default=",".join(TREE_KINDS), help="which of synthetic,repo,corpus to run")
    ap.add_argument("--rows", default=",".join(ROW_KINDS), help=f"which measurements ({','.join(ROW_KINDS)})")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per tree row (default 5)")
    ap.add_argument("--adjacent-budget", type=float, default=120.0,
                    help="seconds for the back-to-back runs of one row and its --jobs rivals (default 120: one "
                         "whole cycle of balanced orders for the 100k warm rows)")
    ap.add_argument("--no-instructions", dest="instructions", action="store_false",
                    help="do not count instructions (valgrind) for the --jobs rows that ran one process")
    ap.add_argument("--adjacent-rounds", type=int, default=41,
                    help="at most this many back-to-back rounds (default 41; fewer than 5 fit: none)")
    ap.add_argument("--growth-budget", type=float, default=420.0,
                    help="seconds for B7's back-to-back rounds of the 10k and 100k --no-cache runs (default 420)")
    ap.add_argument("--growth-rounds", type=int, default=6,
                    help="at most this many of those rounds (default 6; fewer than 5 fit: none)")
    ap.add_argument("--one-runs", type=int, default=15, help="timed runs per one-file row (default 15)")
    ap.add_argument("--budget", type=float, default=60.0,
                    help="seconds per row: no further run once the row would pass this (default 60; "
                         "at least one run)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="kill a single run after this many seconds")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repo-size", type=int, default=3000, help="YAML files of the repo-shaped tree (default 3000)")
    ap.add_argument("--deploy-size", type=int, default=1000, help="YAML files of each deployment (default 1000)")
    ap.add_argument("--corpus", help="the corpus to copy (default ../shared/corpus)")
    ap.add_argument("--yamllint-max-size", type=int, default=10000,
                    help="no yamllint on synthetic trees larger than this (default 10000)")
    ap.add_argument("--lsp-edits", type=int, default=40, help="timed edits of the language-server bar")
    ap.add_argument("--target-size", type=int, default=10000, help="the synthetic size the bars apply to")
    ap.add_argument("--trees-dir", default=os.path.join(tempfile.gettempdir(), "daprlint-bench"),
                    help="where trees are generated and reused (default $TMPDIR/daprlint-bench, outside the "
                         "repository, so that no configuration or .gitignore of the repository applies)")
    ap.add_argument("--regen", action="store_true", help="regenerate the trees")
    ap.add_argument("--python", default=sys.executable, help="interpreter for daprlint and the floor")
    ap.add_argument("--yamllint-python", help="interpreter with yamllint (default: --python)")
    ap.add_argument("--profile", action="store_true", help="add a cProfile summary of the cold run at --target-size")
    ap.add_argument("--profile-out", metavar="FILE", help="keep that profile (pstats file)")
    ap.add_argument("--candidates", action="store_true",
                    help="measure candidate libraries (JSON, digests, YAML) on the --target-size tree")
    ap.add_argument("--json", metavar="OUT", help="also write every result as JSON")
    ap.add_argument("--markdown", metavar="FILE", help="write the README's performance table to FILE")
    a = ap.parse_args(argv)
    a.sizes = [int(s) for s in a.sizes.split(",") if s.strip()]
    a.rows = {s.strip() for s in a.rows.split(",") if s.strip()}
    a.trees = {s.strip() for s in a.trees.split(",") if s.strip()}
    if a.rows - set(ROW_KINDS):
        ap.error(f"unknown rows: {', '.join(sorted(a.rows - set(ROW_KINDS)))}")
    if a.trees - set(TREE_KINDS):
        ap.error(f"unknown trees: {', '.join(sorted(a.trees - set(TREE_KINDS)))}")
    a.yamllint_python = a.yamllint_python or a.python
    return a


def measure_growth(a, groups: dict[str, list[Row]], scratch: str) -> None:
    """B7's time per file from back-to-back rounds of the 10k and the 100k `--no-cache`
    runs. Their own groups run minutes apart, and the 100k row gets one run in its
    budget: on this VM identical code moved -1% to +24% a file between two such runs
    (bench/README.md, round nine)."""
    small, big = (next((r for r in groups.get(tid, []) if r.key == "cold"), None) for tid in bars.GROWTH_TREES)
    if small is not None and big is not None:
        log("growth: the 10k and 100k --no-cache runs back to back")
        measure_adjacent(small, [big], scratch, a.growth_budget, a.growth_rounds, a.timeout, log,
                         key=bars.GROWTH_TREES[0])


def _shown_path(path: str | None) -> str | None:
    """*path* relative to the repository when it lies inside it (the table goes into the README,
    which should not name the machine's folders), else as given."""
    if not path:
        return path
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    full = os.path.abspath(path)
    return os.path.relpath(full, repo) if full.startswith(repo + os.sep) else path


def run_subtool(cmd: list[str], timeout: float) -> str:
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        return f"failed (exit {p.returncode}): {p.stderr.strip().splitlines()[-1:] or ''}"
    return p.stdout.strip()


# Variables of the calling shell that the timed tools must not inherit, so that a run measures
# what a user's terminal runs, whoever starts the bench:
# - PYTHONDONTWRITEBYTECODE: the tools run from byte-compiled modules, as after `pip install` or
#   any first run; inherited, it made every timed run of an editable checkout recompile;
# - PYTHONUNBUFFERED: it made every write to stdout a write(2) for daprlint and yamllint alike.
#   This VM's shell sets it, and the bench did not unset it before round eleven (bench/README.md).
UNSET_ENV = ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED")


def main(argv: list[str] | None = None) -> int:
    unset = [name for name in UNSET_ENV if os.environ.pop(name, None) is not None]
    a = parse_args(argv)
    t_start = time.perf_counter()
    os.makedirs(a.trees_dir, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="run-", dir=a.trees_dir)
    floor = os.path.join(scratch, "floor.py")
    with open(floor, "w", encoding="utf-8") as f:
        f.write(FLOOR_SCRIPT)
    info = machine_info(a.python, a.yamllint_python)
    info["env_unset"] = ", ".join(unset) or "none"
    caps = Caps(a.python)
    info["jobs"] = f"--jobs auto {'listed' if caps.jobs_auto else 'not listed'}, default {caps.jobs_default or '?'}"
    log("; ".join(f"{k}: {v}" for k, v in info.items()))
    groups: dict[str, list[Row]] = {}
    files: dict[str, int] = {}
    skipped: dict[str, str] = {}
    sections: dict[str, str] = {}
    info["load_by_group"] = {}
    lsp = None

    def measure(tid: str, rows: list[Row]) -> None:
        info["load_by_group"][tid] = loadavg()
        log(f"{tid} (load {loadavg()})")
        measure_rows(rows, scratch, a.budget, a.timeout, log)
        by_key = {r.key: r for r in rows}
        for base_key in dict.fromkeys(base for _, base in bars.JOBS_PAIRS):
            rivals = [by_key[s] for s, b in bars.JOBS_PAIRS if b == base_key and s in by_key]
            if base_key in by_key and rivals:
                measure_adjacent(by_key[base_key], rivals, scratch, a.adjacent_budget, a.adjacent_rounds,
                                 a.timeout, log)
                if a.instructions:
                    measure_instructions(by_key[base_key], rivals, scratch, a.timeout, log)
        for rival, base_key in bars.CACHE_PAIRS:
            if rival in by_key and base_key in by_key:
                measure_adjacent(by_key[base_key], [by_key[rival]], scratch, a.adjacent_budget, a.adjacent_rounds,
                                 a.timeout, log)
        groups[tid] = rows

    try:
        one = one_file(a.trees_dir, a.seed)
        for cmd in ([a.python, "-m", "daprlint", "check", "--no-cache", one],  # byte-compile, page cache
                    [a.yamllint_python, "-m", "yamllint", "-d", "relaxed", one], [a.python, floor, one]):
            run_once(cmd, scratch, os.path.join(scratch, "w.out"), os.path.join(scratch, "w.err"), a.timeout)
        if "one" in a.rows:
            measure("one", one_rows(a, caps, floor, one))
        gen_hash = _source_hash(gen_tree, gen_repo)
        deploy = {}
        if "deploy" in a.rows or "lsp" in a.rows:
            for shape in ("folder", "kustomize"):
                tid = f"deploy-{shape}"
                tree, dinfo = ensure_tree(a.trees_dir, f"{tid}-{a.deploy_size}-s{a.seed}",
                                          f"{gen_hash} {a.deploy_size} {a.seed}",
                                          lambda out: gen_repo.generate_deployment(a.deploy_size, out, shape, a.seed),
                                          a.regen)
                deploy[shape] = (tree, dinfo)
                files[tid] = count_yaml(tree)
                if "deploy" in a.rows:
                    warm_page_cache(tree)
                    measure(tid, deploy_rows(a, caps, tree, dinfo["planted"], scratch, shape))
        tree_list = []
        if "synthetic" in a.trees:
            for size in sorted(a.sizes):
                tree_list.append((f"synthetic-{size}", f"tree-{size}-s{a.seed}", f"{gen_hash} {size} {a.seed}",
                                  (lambda s: lambda out: gen_tree.generate(s, out, a.seed))(size), size))
        if "repo" in a.trees:
            tree_list.append((f"repo-{a.repo_size}", f"repo-{a.repo_size}-s{a.seed}",
                              f"{gen_hash} {a.repo_size} {a.seed}",
                              lambda out: gen_repo.generate_repo(a.repo_size, out, a.seed), a.repo_size))
        if "corpus" in a.trees:
            source, why = find_corpus(a.corpus)
            if source is None:
                skipped["corpus"] = why
            else:
                tree_list.append(("corpus", "corpus-copy", corpus_material(source),
                                  lambda out: copy_corpus(source, out), None))
        for tid, name, material, make, size in tree_list:
            tree, _ = ensure_tree(a.trees_dir, name, material, make, a.regen)
            files[tid] = count_yaml(tree)
            warm_page_cache(tree)
            yl = not (tid.startswith("synthetic-") and size > a.yamllint_max_size)
            measure(tid, tree_rows(a, caps, floor, tree, files[tid], scratch, tid, yl))
            if not yl:
                groups[tid].append(Row("yamllint", "yamllint -d relaxed", "yamllint", [], files[tid], status="n/a",
                                       note=f"not run above --yamllint-max-size {a.yamllint_max_size}"))
        measure_growth(a, groups, scratch)
        if "lsp" in a.rows and "folder" in deploy:
            tree, dinfo = deploy["folder"]
            info["load_by_group"]["lsp"] = loadavg()
            log(f"language server ({a.lsp_edits} edits, load {loadavg()})")
            probe = subprocess.run([a.python, "-c", "import pygls"], capture_output=True)
            if probe.returncode != 0:
                lsp = {"skipped": "pygls is not installed (pip install 'daprlint[lsp]')"}
            else:
                lsp = lsp_client.measure(a.python, tree, dinfo["planted"], a.lsp_edits,
                                         stderr_path=os.path.join(scratch, "lsp.err"))
                lsp["workspace_files"] = files["deploy-folder"]
            log(f"  {lsp_section(lsp)}")
        target_tree = os.path.join(a.trees_dir, f"tree-{a.target_size}-s{a.seed}")
        if a.profile:
            if os.path.isdir(target_tree):
                log("profiling the cold run")
                prof = a.profile_out or os.path.join(scratch, "cold.prof")
                script = os.path.join(HERE, "where_time_goes.py")
                sections[f"where the time goes (cProfile, cold run, {a.target_size} files)"] = run_subtool(
                    [a.python, script, target_tree, "--out", prof], a.timeout)
                sections[f"where the time goes (cProfile, cold run writing a new cache, {a.target_size} files)"] = \
                    run_subtool([a.python, script, target_tree, "--write-cache", "--top", "15",
                                 "--out", os.path.join(scratch, "cache.prof")], a.timeout)
            else:
                sections["where the time goes"] = f"not run: synthetic-{a.target_size} is not among --sizes"
        if a.candidates:
            if os.path.isdir(target_tree):
                log("measuring candidate libraries")
                sections[f"candidate libraries ({a.target_size}-file tree)"] = run_subtool(
                    [a.python, os.path.join(HERE, "candidates.py"), target_tree], a.timeout)
            else:
                sections["candidate libraries"] = f"not run: synthetic-{a.target_size} is not among --sizes"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    info["loadavg_end"] = loadavg()
    info["bench_seconds"] = round(time.perf_counter() - t_start, 1)
    results = bars.Results(
        trees={tid: {r.key: r for r in rows} for tid, rows in groups.items()}, files=files, skipped=skipped,
        target_size=a.target_size, jobs_auto=caps.jobs_auto, jobs_default=caps.jobs_default,
        cpus=info["usable_cpus"] or 1, lsp=lsp,
        profile=any(k.startswith("where the time goes (") for k in sections),
        candidates=any(k.startswith("candidate libraries (") for k in sections), markdown=_shown_path(a.markdown))
    all_bars = bars.evaluate(results, caps.rules_note())
    if a.markdown:
        with open(a.markdown, "w", encoding="utf-8") as f:
            f.write(readme_markdown(results, all_bars, groups, info))
        log(f"wrote {a.markdown}")
    shown = {k: v for k, v in info.items() if k != "load_by_group"}
    print(report(results, all_bars, groups, shown, sections))
    if a.json:
        def dump(r: Row) -> dict:
            return {"key": r.key, "label": r.label, "tool": r.tool, "cmd": r.cmd, "files": r.files,
                    "status": r.status, "note": r.note, "times": r.times, "rounds": r.rounds,
                    "adjacent": r.adjacent,
                    "cpu": [s.cpu for s in r.samples],
                    "rcs": [s.rc for s in r.samples], "peaks_kib": [s.peak_kib for s in r.samples],
                    "median": r.median, "peak_mib": r.peak_mib, **r.extra}
        data = {"meta": {**info, "sizes": a.sizes, "runs": a.runs, "one_runs": a.one_runs, "seed": a.seed,
                         "budget": a.budget, "default_rules": caps.default_rules},
                "trees": {tid: [dump(r) for r in rows] for tid, rows in groups.items()},
                "files": files, "skipped": skipped, "lsp": lsp, "sections": sections,
                "bars": [{"id": b.id, "title": b.title, "result": b.result,
                          "checks": [{**c.__dict__, "result": c.result} for c in b.checks]} for b in all_bars]}
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
        log(f"wrote {a.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

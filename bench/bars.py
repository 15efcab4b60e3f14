"""The bars of the "Speed, round two" issue, checked against one run's rows.

Each bar is one or more checks, each PASS, FAIL, N/A (not measured this run,
with the reason) or SKIP (a tree that is not there, with the reason). A bar
fails when any of its checks fails.

Comparisons of two daprlint rows use the *paired* ratio (harness.paired_ratio:
the median, over the rounds both ran in, of one's time over the other's),
which a change in the machine's load moves far less than a ratio of medians.
The `--jobs` rows are checked against one process on their back-to-back runs
(harness.measure_adjacent) where the bench ran them: the median of the
rounds' ratios there (the note adds the ratio of best times); so is B1's
pair, the run that writes a new cache against `--no-cache`, and B7's,
the 10,000-file `--no-cache` run against the 100,000-file one. A `--jobs`
row that ran one process in every timed run, as its base does, ran the
base's code; for such a pair, when the bench counted both (harness.
measure_instructions), the verdict is the ratio of instructions, which
two runs of the same code repeat to a few parts in a million, where their
wall times on this VM differ by several % (bench/README.md, "Round seven").
yamllint is compared by medians: on big trees it gets one run. The verdicts
are on wall time, as the issue states them; where two one-process rows are
compared, the note adds their CPU-time ratio, which other work on the
machine hardly moves.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from harness import Row, adjacent_ratio, instruction_ratio, paired_ratio

# the numbers of the issue
CACHE_WRITE_MAX_RATIO = 1.05
CACHE_WRITE_MAX_EXTRA_MIB = 5.0
JOBS_MAX_SLOWDOWN = 1.03
JOBS2_MIN_SPEEDUP = 1.6
TREE_MIN_VS_YAMLLINT = 20.0
TREE_MAX_VS_FLOOR = 2.0
REALISTIC_MIN_VS_YAMLLINT = 12.0
ONE_FILE_MAX_VS_YAMLLINT = 0.6
LSP_MEDIAN_MAX_S = 0.150
LSP_P95_MAX_S = 0.300
GROWTH_MAX = 0.10
PEAK_100K_NO_CACHE_MIB = 100.0
PEAK_100K_CACHE_MIB = 120.0
# B7's trees; the big tree's --no-cache row keeps its back-to-back pairs with the small one's under the
# small tree's name (both rows are "cold")
GROWTH_TREES = ("synthetic-10000", "synthetic-100000")

# (slower row, one-process row) pairs the --jobs bar compares, on every tree that has them
# B1's pair, also run back to back (a group of its own, so the --jobs rounds stay as they were)
CACHE_PAIRS = [("cache", "cold"), ("cache-default", "default")]
JOBS_PAIRS = [("jobs2", "cold"), ("auto", "cold"), ("warm-jobs2", "warm"), ("warm-auto", "warm"),
              ("one-jobs2", "one"), ("one-auto", "one"), ("dep-jobs2", "dep-one"), ("dep-auto", "dep-one")]


@dataclass
class Check:
    name: str
    measured: str
    target: str
    ok: bool | None
    note: str = ""
    skip: bool = False

    @property
    def result(self) -> str:
        if self.ok is None:
            return "SKIP" if self.skip else "N/A"
        return "PASS" if self.ok else "FAIL"


@dataclass
class Bar:
    id: str
    title: str
    checks: list = field(default_factory=list)

    @property
    def result(self) -> str:
        results = [c.result for c in self.checks]
        if "FAIL" in results:
            return "FAIL"
        if results and all(r in ("PASS", "SKIP") for r in results) and "PASS" in results:
            return "PASS"
        return "N/A"


@dataclass
class Results:
    """What one run measured: trees[tree id][row key] -> Row, plus the rest."""
    trees: dict
    files: dict                 # tree id -> YAML files in it
    skipped: dict               # tree id -> why it is not there
    target_size: int
    jobs_auto: bool             # `daprlint check --help` lists `--jobs auto`
    jobs_default: str           # the default the help gives for --jobs
    cpus: int
    lsp: dict | None = None
    profile: bool = False
    candidates: bool = False
    markdown: str | None = None

    def row(self, tree: str, key: str) -> Row | None:
        r = self.trees.get(tree, {}).get(key)
        return r if r is not None and r.status == "ok" and r.samples else None

    def why_missing(self, tree: str, key: str) -> str:
        if tree in self.skipped:
            return self.skipped[tree]
        if tree not in self.trees:
            return f"tree {tree} not run"
        r = self.trees[tree].get(key)
        if r is None:
            return f"row {key} not run on {tree}"
        return f"{r.label}: {r.status}" + (f" ({r.note})" if r.note else "")


def ms(x: float) -> str:
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def one_process(key: str) -> bool:
    """Rows whose CPU time is comparable with wall time (no worker processes)."""
    return not any(word in key for word in ("jobs", "auto", "default"))


def _back_to_back(ra: Row, rb: Row) -> float | None:
    """ra / rb over their back-to-back rounds, whichever of the two holds them."""
    value = adjacent_ratio(ra, rb)
    if value is None:
        inverse = adjacent_ratio(rb, ra)
        value = 1 / inverse if inverse else None
    return value


def _ratio_check(res: Results, name: str, tree: str, a: str, b: str, limit: float, at_most: bool,
                 paired: bool = True, extra_note: str = "") -> Check:
    """a's time / b's time against *limit* (at most, or at least)."""
    ra, rb = res.row(tree, a), res.row(tree, b)
    target = f"{'<=' if at_most else '>='} {limit:g}x"
    if ra is None or rb is None:
        missing = a if ra is None else b
        return Check(name, "n/a", target, None, res.why_missing(tree, missing), skip=tree in res.skipped)
    value, how = (_back_to_back(ra, rb), "back to back") if paired else (None, "")
    if value is None:
        value = paired_ratio(ra, rb) if paired else ra.median / rb.median
        how = "paired" if paired else "medians"
    if value is None:
        value, how = ra.median / rb.median, "medians"
    ok = value <= limit if at_most else value >= limit
    note = f"{how}: {ra.label} {ms(ra.median)}, {rb.label} {ms(rb.median)}"
    cpu = paired_ratio(ra, rb, cpu=True)
    if cpu is not None and one_process(a) and one_process(b):
        note += f"; CPU time {cpu:.2f}x"
    return Check(name, f"{value:.2f}x", target, ok, note + (f"; {extra_note}" if extra_note else ""))


def _speed_check(res: Results, name: str, tree: str, fast: str, slow: str, limit: float,
                 extra_note: str = "") -> Check:
    """How many times faster *fast* is than *slow* (slow's median / fast's), at least *limit*."""
    rf, rs = res.row(tree, fast), res.row(tree, slow)
    target = f">= {limit:g}x faster"
    if rf is None or rs is None:
        missing = fast if rf is None else slow
        return Check(name, "n/a", target, None, res.why_missing(tree, missing), skip=tree in res.skipped)
    value = rs.median / rf.median
    note = f"{rf.label} {ms(rf.median)} ({len(rf.samples)} runs), {rs.label} {ms(rs.median)} ({len(rs.samples)} runs)"
    if one_process(fast) and one_process(slow) and rf.cpu_median:
        note += f"; CPU time {rs.cpu_median / rf.cpu_median:.1f}x"
    return Check(name, f"{value:.1f}x", target, value >= limit, note + (f"; {extra_note}" if extra_note else ""))


# --------------------------------------------------------------------------
# the bars

def bar_cache_write(res: Results) -> Bar:
    tree = f"synthetic-{res.target_size}"
    bar = Bar("B1", f"cold run that writes the cache vs `--no-cache`, {res.target_size} files")
    bar.checks.append(_ratio_check(res, "wall time", tree, "cache", "cold", CACHE_WRITE_MAX_RATIO, True))
    if res.row(tree, "cache-default") is not None:  # CI's first run as it is run (workers where they win)
        bar.checks.append(_ratio_check(res, f"wall time, default --jobs {res.jobs_default}", tree, "cache-default",
                                       "default", CACHE_WRITE_MAX_RATIO, True))
    cache, cold = res.row(tree, "cache"), res.row(tree, "cold")
    target = f"<= +{CACHE_WRITE_MAX_EXTRA_MIB:g} MiB"
    if cache is None or cold is None:
        bar.checks.append(Check("peak memory", "n/a", target, None,
                                res.why_missing(tree, "cache" if cache is None else "cold")))
    else:
        extra = cache.peak_mib - cold.peak_mib
        bar.checks.append(Check("peak memory", f"{extra:+.1f} MiB", target, extra <= CACHE_WRITE_MAX_EXTRA_MIB,
                                f"{cache.peak_mib:.1f} vs {cold.peak_mib:.1f} MiB (largest of the runs)"))
    return bar


def bar_jobs(res: Results) -> Bar:
    bar = Bar("B2", "`--jobs N` starts workers only where they win; `--jobs auto`; 2 cores: `--jobs 2` >= 1.6x")
    for label, keys in (("--jobs 2", ("jobs2", "warm-jobs2", "one-jobs2", "dep-jobs2")),
                        ("--jobs auto", ("auto", "warm-auto", "one-auto", "dep-auto"))):
        target = f"<= {JOBS_MAX_SLOWDOWN:g}x one process, every tree"
        if label == "--jobs auto" and not res.jobs_auto:
            bar.checks.append(Check(f"{label} never loses", "n/a", target, False,
                                    "`daprlint check --help` does not list `--jobs auto`"))
            continue
        seen, adjacent, bests, counted, walls, counts = [], 0, [], 0, [], []
        for tree in res.trees:
            for slow, base in JOBS_PAIRS:
                rs, rb = res.row(tree, slow), res.row(tree, base)
                if slow in keys and rs and rb:
                    ratio = adjacent_ratio(rs, rb)
                    if ratio is not None:
                        adjacent += 1
                        bests.append(adjacent_ratio(rs, rb, best=True))
                    else:
                        ratio = paired_ratio(rs, rb)
                    same_code = instruction_ratio(rs, rb)
                    if same_code is not None:  # one process both ways: the instructions settle it
                        counted += 1
                        walls.append(ratio)
                        counts.append(same_code)
                        ratio = same_code
                    seen.append((ratio, tree, slow))
        if not seen:
            bar.checks.append(Check(f"{label} never loses", "n/a", target, None, "no --jobs rows ran"))
            continue
        worst = max(seen)
        losing = [f"{t}/{k} {r:.2f}x" for r, t, k in sorted(seen, reverse=True) if r > JOBS_MAX_SLOWDOWN]
        note = f"worst {worst[1]}/{worst[2]}; {len(seen)} pairs"
        if counted:
            note += (f" ({counted} ran one process in every timed run, like the base: judged by instructions, "
                     f"callgrind, at worst {max(counts):.4f}x; their wall-time ratios {min(walls):.2f}-{max(walls):.2f}x)")
        note += f"; {adjacent} run back to back (the median round's ratio), the rest paired"
        if bests:
            note += f"; back to back, the ratio of best times is at worst {max(bests):.2f}x"
        if losing:
            note += "; over: " + ", ".join(losing)
        bar.checks.append(Check(f"{label} never loses", f"{worst[0]:.2f}x", target,
                                worst[0] <= JOBS_MAX_SLOWDOWN, note))
    bar.checks.append(Check("`--jobs auto` exists", "yes" if res.jobs_auto else "no", "listed in --help",
                            res.jobs_auto, "" if res.jobs_auto else "not in `daprlint check --help` yet"))
    bar.checks.append(Check("default is `--jobs auto`", res.jobs_default or "?", "auto",
                            res.jobs_default == "auto" if res.jobs_auto else False,
                            "the issue: make it the default once it never loses"))
    tree = f"synthetic-{res.target_size}"
    if res.cpus < 2:
        bar.checks.append(Check("--jobs 2 speed-up", "n/a", f">= {JOBS2_MIN_SPEEDUP:g}x", None,
                                f"{res.cpus} CPU available"))
    else:
        c = _ratio_check(res, f"--jobs 2 speed-up at {res.target_size}", tree, "cold", "jobs2",
                         JOBS2_MIN_SPEEDUP, False, extra_note=f"{res.cpus} CPUs")
        bar.checks.append(c)
    return bar


def _floor_ceiling(res: Results, tree: str, limit: float) -> str:
    """What a `limit`x-faster-than-yamllint bar asks on *tree*, against the parse floor measured
    beside it: the floor's own speed-up over yamllint, and how close to the floor daprlint must come."""
    floor, yamllint = res.row(tree, "floor"), res.row(tree, "yamllint")
    if floor is None or yamllint is None or not floor.median:
        return ""
    ceiling = yamllint.median / floor.median
    return (f"the parse floor alone is {ceiling:.1f}x faster than yamllint ({ms(floor.median)}): "
            f"{limit:g}x asks for daprlint within {ceiling / limit:.2f}x of the floor")


def bar_trees(res: Results, rules_note: str) -> Bar:
    tree = f"synthetic-{res.target_size}"
    bar = Bar("B3", f"synthetic {res.target_size}-file tree, every default rule on")
    ceiling = _floor_ceiling(res, tree, TREE_MIN_VS_YAMLLINT)
    bar.checks.append(_speed_check(res, "vs yamllint", tree, "cold", "yamllint", TREE_MIN_VS_YAMLLINT,
                                   "; ".join(n for n in (rules_note, ceiling) if n)))
    bar.checks.append(_ratio_check(res, "vs parse floor", tree, "cold", "floor", TREE_MAX_VS_FLOOR, True))
    return bar


def bar_realistic(res: Results) -> Bar:
    bar = Bar("B4", "realistic trees: repo-shaped and the corpus copy, vs yamllint")
    for tree in sorted(t for t in list(res.trees) + list(res.skipped) if t.startswith(("repo-", "corpus"))):
        bar.checks.append(_speed_check(res, tree, tree, "cold", "yamllint", REALISTIC_MIN_VS_YAMLLINT,
                                       _floor_ceiling(res, tree, REALISTIC_MIN_VS_YAMLLINT)))
    if not bar.checks:
        bar.checks.append(Check("repo / corpus", "n/a", f">= {REALISTIC_MIN_VS_YAMLLINT:g}x", None, "not run"))
    return bar


def bar_one_file(res: Results) -> Bar:
    bar = Bar("B5", "one file vs yamllint: a small manifest; one file of a 1,000-file deployment, warm cache")
    bar.checks.append(_ratio_check(res, "small manifest", "one", "one", "one-yamllint", ONE_FILE_MAX_VS_YAMLLINT, True))
    for tree in sorted(t for t in res.trees if t.startswith("deploy-")):
        c = _ratio_check(res, f"{tree} (named file)", tree, "dep-one", "dep-yamllint", ONE_FILE_MAX_VS_YAMLLINT, True)
        row = res.row(tree, "dep-one")
        if row is not None:
            context = row.extra.get("context")
            c.note += f"; deployment read as context: {'yes' if context else 'NO'} (codes {row.extra.get('codes')})"
            if not context:
                c.ok = False
        bar.checks.append(c)
    return bar


def bar_lsp(res: Results) -> Bar:
    bar = Bar("B6", "language server: diagnostics after an edit, 1,000-file workspace, tree findings included")
    lsp = res.lsp
    if not lsp or "median_s" not in lsp:
        why = (lsp or {}).get("error") or (lsp or {}).get("skipped") or "not run"
        for name, target in (("median", "<= 150 ms"), ("p95", "<= 300 ms"), ("tree findings", "included")):
            bar.checks.append(Check(name, "n/a", target, None, why))
        return bar
    n = len(lsp["latencies_s"])
    bar.checks.append(Check("median", ms(lsp["median_s"]), "<= 150 ms", lsp["median_s"] <= LSP_MEDIAN_MAX_S,
                            f"{n} edits; min {ms(lsp['min_s'])}, max {ms(lsp['max_s'])}"))
    bar.checks.append(Check("p95", ms(lsp["p95_s"]), "<= 300 ms", lsp["p95_s"] <= LSP_P95_MAX_S,
                            f"first diagnostics {ms(lsp['first_diagnostics_s'])} after start"))
    how = ("the planted duplicate/scope findings (XRF003/XRF005) are reported" if lsp["tree_findings"] else
           "tree rules ran without the workspace (XRF002)" if lsp["tree_rules_without_context"] else
           "no tree finding for the planted file")
    bar.checks.append(Check("tree findings", "yes" if lsp["tree_findings"] else "no", "included",
                            bool(lsp["tree_findings"]), f"{how}; codes {lsp['codes']}"))
    return bar


def bar_growth(res: Results) -> Bar:
    bar = Bar("B7", "growth 10k -> 100k files: time per file, peak memory")
    small, big = GROWTH_TREES
    c_small, c_big = res.row(small, "cold"), res.row(big, "cold")
    if c_small is None or c_big is None:
        why = res.why_missing(small if c_small is None else big, "cold")
        if big not in res.trees:
            why = "run with --sizes 10000,100000"
        for name, target in (("time per file", f"<= +{GROWTH_MAX:.0%}"),
                             ("peak, --no-cache, 100k", f"<= {PEAK_100K_NO_CACHE_MIB:g} MiB"),
                             ("peak, with cache, 100k", f"<= {PEAK_100K_CACHE_MIB:g} MiB")):
            bar.checks.append(Check(name, "n/a", target, None, why))
        return bar
    per_small, per_big = c_small.median / res.files[small], c_big.median / res.files[big]
    growth = per_big / per_small - 1
    note = f"{per_small * 1e6:.0f} us -> {per_big * 1e6:.0f} us a file (--no-cache, one process)"
    ratio = adjacent_ratio(c_big, c_small, key=small)
    if ratio is not None:  # the verdict: rounds of the two rows back to back, not two groups far apart
        pairs = c_big.adjacent[small]
        growth = ratio * res.files[small] / res.files[big] - 1
        note = (f"back to back, {len(pairs)} rounds (the median round's ratio): "
                f"{statistics.median(u for _, u in pairs) / res.files[small] * 1e6:.0f} us -> "
                f"{statistics.median(t for t, _ in pairs) / res.files[big] * 1e6:.0f} us a file (--no-cache, one "
                f"process); in the trees' own groups {per_small * 1e6:.0f} us -> {per_big * 1e6:.0f} us")
    if c_small.cpu_median and c_big.cpu_median:
        cpu_small, cpu_big = c_small.cpu_median / res.files[small], c_big.cpu_median / res.files[big]
        note += f"; CPU time {cpu_small * 1e6:.0f} us -> {cpu_big * 1e6:.0f} us a file ({cpu_big / cpu_small - 1:+.1%})"
    bar.checks.append(Check("time per file", f"{growth:+.1%}", f"<= +{GROWTH_MAX:.0%}", growth <= GROWTH_MAX, note))
    bar.checks.append(Check("peak, --no-cache, 100k", f"{c_big.peak_mib:.1f} MiB", f"<= {PEAK_100K_NO_CACHE_MIB:g} MiB",
                            c_big.peak_mib <= PEAK_100K_NO_CACHE_MIB))
    cached = [r for r in (res.row(big, "cache"), res.row(big, "warm")) if r is not None]
    if cached:
        worst = max(cached, key=lambda r: r.peak_mib)
        bar.checks.append(Check("peak, with cache, 100k", f"{worst.peak_mib:.1f} MiB",
                                f"<= {PEAK_100K_CACHE_MIB:g} MiB", worst.peak_mib <= PEAK_100K_CACHE_MIB,
                                f"largest of: {', '.join(r.label for r in cached)}"))
    else:
        bar.checks.append(Check("peak, with cache, 100k", "n/a", f"<= {PEAK_100K_CACHE_MIB:g} MiB", None,
                                res.why_missing(big, "cache")))
    return bar


def bar_harness(res: Results, bars: list[Bar]) -> Bar:
    bar = Bar("B8", "this run prints every bar with PASS or FAIL; the README table comes from one run")
    unmeasured = [f"{b.id} {c.name}" for b in bars for c in b.checks if c.result == "N/A"]
    bar.checks.append(Check("every bar measured", f"{len(unmeasured)} not measured", "0", not unmeasured,
                            ", ".join(unmeasured)))
    bar.checks.append(Check("README table written", res.markdown or "no", "--markdown FILE",
                            bool(res.markdown), "" if res.markdown else "run with --markdown FILE"))
    return bar


def bar_profile(res: Results) -> Bar:
    bar = Bar("B9", "profile first; candidate libraries measured against the current code")
    bar.checks.append(Check("cProfile of the cold run", "yes" if res.profile else "no", "--profile",
                            True if res.profile else None, "" if res.profile else "run with --profile"))
    bar.checks.append(Check("candidates measured", "yes" if res.candidates else "no", "--candidates",
                            True if res.candidates else None, "" if res.candidates else "run with --candidates"))
    return bar


def evaluate(res: Results, rules_note: str = "") -> list[Bar]:
    bars = [bar_cache_write(res), bar_jobs(res), bar_trees(res, rules_note), bar_realistic(res),
            bar_one_file(res), bar_lsp(res), bar_growth(res)]
    bars.append(bar_harness(res, bars))
    bars.append(bar_profile(res))
    return bars

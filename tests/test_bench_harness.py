"""The benchmark's generators make the trees they promise, and bench/run.py runs end to end.

Nothing here is timed: speed is measured only by bench/run.py itself. These
tests check shapes (file counts, the repo tree's make-up, the planted
duplicate of the deployment trees), the harness's arithmetic (paired ratios,
percentiles, --help parsing, bar verdicts) and one tiny run of the whole
benchmark (--runs 1), whose JSON must hold every bar with a verdict.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
sys.path.insert(0, str(BENCH))

import bars  # noqa: E402
import gen_repo  # noqa: E402
import gen_tree  # noqa: E402
import harness  # noqa: E402
import lsp_client  # noqa: E402
import run as bench_run  # noqa: E402


def yaml_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and ".git" not in p.parts)


# --------------------------------------------------------------------------
# generators

def test_synthetic_tree_is_deterministic_with_the_promised_mix(tmp_path):
    gen_tree.generate(120, str(tmp_path / "a"), seed=7)
    gen_tree.generate(120, str(tmp_path / "b"), seed=7)
    assert gen_tree.tree_digest(str(tmp_path / "a")) == gen_tree.tree_digest(str(tmp_path / "b"))
    files = yaml_files(tmp_path / "a")
    assert len(files) == 120
    dapr = sum("apiVersion: dapr.io/" in p.read_text() for p in files)
    assert 0.65 <= dapr / len(files) <= 0.95   # 80% Dapr files, drawn per file


def test_repo_tree_has_every_layout_and_60_percent_plain_kubernetes(tmp_path):
    out = tmp_path / "repo"
    info = gen_repo.generate_repo(400, str(out), seed=3)
    files = yaml_files(out)
    assert len(files) == info["files"] == 400
    texts = {p: p.read_text() for p in files}
    plain = [p for p, t in texts.items() if "dapr.io" not in t and p.name not in
             ("Chart.yaml", "values.yaml", "kustomization.yaml", "dapr.yaml")]
    assert info["k8s"] == len(plain)
    assert abs(len(plain) / len(files) - gen_repo.NON_DAPR_SHARE) <= 0.02
    kinds = Counter(line.split(": ", 1)[1] for t in texts.values() for line in t.splitlines()
                    if line.startswith("kind: "))
    for kind in ("Service", "ConfigMap", "Ingress", "Deployment", "Secret", "Component", "Configuration",
                 "Kustomization"):
        assert kinds[kind] > 0, kind
    names = {p.name for p in files}
    assert {"Chart.yaml", "values.yaml", "kustomization.yaml", "dapr.yaml"} <= names
    # Helm templates with {{ }}, kustomize overlays with namespace: and patches, run files with resources
    assert any("{{" in t and "dapr.io/v1alpha1" in t for p, t in texts.items() if "templates" in p.parts)
    overlays = [t for p, t in texts.items() if p.name == "kustomization.yaml" and "overlays" in p.parts]
    assert overlays and all("namespace: " in t and "patches:" in t for t in overlays)
    assert any("resourcesPath: ./resources" in t for p, t in texts.items() if p.name == "dapr.yaml")
    # Deployments with dapr.io annotations, some naming a Configuration that exists, some one that does not
    configs = {line.split('"')[1] for t in texts.values() for line in t.splitlines() if "dapr.io/config:" in line}
    defined = {t.split("name: ", 1)[1].split("\n", 1)[0] for t in texts.values() if "kind: Configuration" in t}
    assert configs & defined and configs - defined
    # Secrets: some match the components' secretKeyRef names, some referenced ones are missing
    refs = {line.split("name: ", 1)[1] for t in texts.values() for line in t.splitlines()
            if line.startswith("      name: ") and line.endswith("-secrets")}
    secrets = {t.split("name: ", 1)[1].split("\n", 1)[0] for t in texts.values() if "kind: Secret\n" in t}
    assert refs & secrets and refs - secrets
    again = tmp_path / "again"
    gen_repo.generate_repo(400, str(again), seed=3)
    assert gen_tree.tree_digest(str(out)) == gen_tree.tree_digest(str(again))


@pytest.mark.parametrize("shape", ["folder", "kustomize"])
def test_deployment_tree_plants_one_duplicate(tmp_path, shape):
    out = tmp_path / shape
    info = gen_repo.generate_deployment(40, str(out), shape, seed=5)
    files = yaml_files(out)
    assert len(files) == 40
    planted = (out / info["planted"]).read_text()
    assert gen_repo.PLANTED_MARK in planted and f"pubsubname: {info['pubsub']}" in planted
    names = Counter(t.split("kind: Component\nmetadata:\n  name: ", 1)[1].split("\n", 1)[0]
                    for t in (p.read_text() for p in files) if "kind: Component\nmetadata:\n  name: " in t)
    assert names[info["duplicated"]] == 2
    assert [n for n, c in names.items() if c > 1] == [info["duplicated"]]
    if shape == "kustomize":
        listed = (out / "base" / "kustomization.yaml").read_text()
        assert listed.count("\n- ") == 38 and "namespace: prod" in (out / "overlays/prod/kustomization.yaml").read_text()


# --------------------------------------------------------------------------
# the harness's arithmetic

def sample_row(key: str, times: list[float], rounds: list[int] | None = None, peak_kib: int = 20480) -> harness.Row:
    row = harness.Row(key, key, "daprlint", [], 100)
    row.samples = [harness.Sample(t, peak_kib, 0) for t in times]
    row.rounds = rounds if rounds is not None else list(range(len(times)))
    return row


def test_paired_ratio_compares_round_by_round():
    # b is slowed by a load spike in round 2; the paired median is not fooled by it
    a = sample_row("a", [1.0, 1.1, 3.0])
    b = sample_row("b", [1.0, 1.0, 3.0])
    assert harness.paired_ratio(a, b) == pytest.approx(1.0)
    assert harness.paired_ratio(a, sample_row("c", [2.0], rounds=[1])) == pytest.approx(0.55)
    assert harness.paired_ratio(a, sample_row("d", [2.0], rounds=[7])) is None


def test_adjacent_rounds_fit_the_budget_or_are_left_to_the_paired_ratio():
    assert harness.adjacent_rounds(2.0, 45, 15) == 15          # 22 fit, capped
    assert harness.adjacent_rounds(6.0, 45, 15) == 7
    assert harness.adjacent_rounds(10.0, 45, 15) == 0          # 4 < ADJACENT_MIN_ROUNDS


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_balanced_orders_put_every_row_in_every_place_and_after_every_other(n):
    from collections import Counter

    orders = harness.balanced_orders(n)
    assert all(sorted(o) == list(range(n)) for o in orders)
    places = Counter((row, place) for o in orders for place, row in enumerate(o))
    assert len(set(places.values())) == 1 and len(places) == n * n
    follows = Counter((a, b) for o in orders for a, b in zip(o, o[1:]))
    assert len(set(follows.values())) == 1 and len(follows) == n * (n - 1)


def test_measure_adjacent_rotates_three_rows_through_every_place(tmp_path):
    log_file = tmp_path / "order.log"
    def cmd(name):
        return [sys.executable, "-c", f"open({str(log_file)!r}, 'a').write({name!r} + '\\n')"]
    rows = [harness.Row(k, k, "daprlint", cmd(k), 1) for k in ("warm", "warm-jobs2", "warm-auto")]
    for row in rows:
        row.samples, row.rounds = [harness.Sample(0.05, 0, 0)], [0]
    harness.measure_adjacent(rows[0], rows[1:], str(tmp_path), budget=100, most=8, timeout=30, log=lambda m: None)
    runs = log_file.read_text().split()
    assert len(runs) == 6 * 3  # 8 rounds fit: cut to one whole cycle of 6 orders
    rounds = [runs[i:i + 3] for i in range(0, len(runs), 3)]
    for key in ("warm", "warm-jobs2", "warm-auto"):
        assert sorted(r.index(key) for r in rounds) == [0, 0, 1, 1, 2, 2]
    assert len(rows[1].adjacent["warm"]) == len(rows[2].adjacent["warm"]) == 6


def test_measure_adjacent_runs_back_to_back_reversing_the_order(tmp_path):
    # each command appends its name to a log: the log shows the order, and the ratios are real runs
    log_file = tmp_path / "order.log"
    def cmd(name, sleep):
        return [sys.executable, "-c", f"import time; open({str(log_file)!r}, 'a').write({name!r} + '\\n'); "
                                      f"time.sleep({sleep})"]
    base = harness.Row("warm", "base", "daprlint", cmd("base", 0.02), 1)
    # 0.4 s more than the base: a process start on a loaded machine (xdist, valgrind beside it) moves by
    # up to ~0.1 s, which a 0.1 s difference did not always outlast
    rival = harness.Row("warm-jobs2", "rival", "daprlint", cmd("rival", 0.42), 1)
    for row in (base, rival):
        row.samples, row.rounds = [harness.Sample(0.1, 0, 0)], [0]
    harness.measure_adjacent(base, [rival], str(tmp_path), budget=1.5, most=6, timeout=30, log=lambda m: None)
    assert log_file.read_text().split() == ["base", "rival", "rival", "base"] * 3
    pairs = rival.adjacent["warm"]
    assert len(pairs) == 6 and all(t > u for t, u in pairs)
    assert harness.adjacent_ratio(rival, base, best=True) == pytest.approx(
        min(t for t, _ in pairs) / min(u for _, u in pairs))
    assert harness.adjacent_ratio(rival, base) == pytest.approx(statistics.median(t / u for t, u in pairs))
    assert harness.adjacent_ratio(base, rival) is None


def test_measure_adjacent_gives_a_cache_writing_row_a_new_cache_every_run(tmp_path):
    # B1's pair runs back to back too: each run of the cache row must find no cache from the one before
    cache, log_file = tmp_path / "cache", tmp_path / "seen.log"
    writes = (f"import os; p = {str(cache)!r}; open({str(log_file)!r}, 'a').write(str(os.path.exists(p)) + '\\n'); "
              "os.makedirs(p, exist_ok=True)")
    base = harness.Row("cold", "cold", "daprlint", [sys.executable, "-c", "pass"], 1)
    rival = harness.Row("cache", "cache", "daprlint", [sys.executable, "-c", writes], 1, fresh_dir=str(cache))
    for row in (base, rival):
        row.samples, row.rounds = [harness.Sample(0.05, 0, 0)], [0]
    harness.measure_adjacent(base, [rival], str(tmp_path), budget=100, most=6, timeout=30, log=lambda m: None)
    assert log_file.read_text().split() == ["False"] * 6 and len(rival.adjacent["cold"]) == 6
    res = results_with({"synthetic-10000": {"cold": base, "cache": rival}})
    assert bars.bar_cache_write(res).checks[0].note.startswith("back to back")


def test_growth_pairs_two_rows_of_one_key_under_the_small_trees_name(tmp_path):
    # B7: both rows are "cold", of two trees; the pairs are kept under the small tree's name, and the bar
    # judges by them, not by the trees' groups (here 1.0 s against 12.0 s: +20% a file)
    log_file = tmp_path / "order.log"
    def cmd(name):
        return [sys.executable, "-c", f"open({str(log_file)!r}, 'a').write({name!r} + '\\n')"]
    small, big = harness.Row("cold", "small", "daprlint", cmd("small"), 1), harness.Row("cold", "big", "daprlint",
                                                                                       cmd("big"), 1)
    small.samples, small.rounds = [harness.Sample(1.0, 0, 0)], [0]
    big.samples, big.rounds = [harness.Sample(12.0, 90 * 1024, 0)], [0]
    harness.measure_adjacent(small, [big], str(tmp_path), budget=100, most=6, timeout=30, log=lambda m: None,
                             key="synthetic-10000")
    assert sorted(log_file.read_text().split()) == ["big"] * 6 + ["small"] * 6
    assert list(big.adjacent) == ["synthetic-10000"] and not small.adjacent
    res = results_with({"synthetic-10000": {"cold": small}, "synthetic-100000": {"cold": big}},
                       files={"synthetic-10000": 10000, "synthetic-100000": 100000})
    big.adjacent["synthetic-10000"] = [(10.4, 1.0), (10.6, 1.0), (30.0, 1.0), (10.0, 2.0), (10.5, 1.0)]
    check = bars.bar_growth(res).checks[0]
    assert (check.measured, check.result) == ("+5.0%", "PASS") and check.note.startswith("back to back, 5 rounds")
    assert "in the trees' own groups 100 us -> 120 us" in check.note
    big.adjacent.clear()
    assert bars.bar_growth(res).checks[0].measured == "+20.0%"


def test_adjacent_median_sees_through_disturbed_rounds():
    base, rival = sample_row("warm", [1.0]), sample_row("warm-jobs2", [1.0])
    # two rounds hit by load (one each way) and a base's lucky run: the median round is undisturbed
    rival.adjacent["warm"] = [(1.0, 1.0), (1.6, 1.0), (1.01, 1.3), (1.0, 0.8), (1.0, 1.0)]
    assert harness.adjacent_ratio(rival, base) == pytest.approx(1.0)
    assert harness.adjacent_ratio(rival, base, best=True) == pytest.approx(1.0 / 0.8)


def test_jobs_bar_prefers_the_back_to_back_ratio():
    tree = "synthetic-10000"
    cold, jobs2 = sample_row("cold", [1.0, 1.0, 1.0]), sample_row("jobs2", [1.3, 1.3, 1.3])
    res = results_with({tree: {"cold": cold, "jobs2": jobs2}})
    check = next(c for c in bars.bar_jobs(res).checks if c.name == "--jobs 2 never loses")
    assert check.result == "FAIL"                  # interleaved rounds said 1.30x
    jobs2.adjacent["cold"] = [(1.01, 1.0), (0.99, 1.0), (1.3, 1.0), (1.0, 0.99), (0.98, 1.02)]
    check = next(c for c in bars.bar_jobs(res).checks if c.name == "--jobs 2 never loses")
    assert (check.result, check.measured) == ("PASS", "1.01x") and "1 run back to back" in check.note
    speedup = next(c for c in bars.bar_jobs(res).checks if c.name.startswith("--jobs 2 speed-up"))
    assert speedup.measured == "0.99x" and speedup.note.startswith("back to back")   # 1 / 1.01
    jobs2.adjacent["cold"] = [(1.2, 1.0), (1.1, 1.0), (1.3, 1.0), (1.15, 0.99), (1.12, 1.02)]
    check = next(c for c in bars.bar_jobs(res).checks if c.name == "--jobs 2 never loses")
    assert check.result == "FAIL"                  # a real loss shows in the best times too


def test_a_jobs_row_that_ran_one_process_is_judged_by_its_instructions():
    tree = "synthetic-1000"
    cold, jobs2 = sample_row("cold", [1.0] * 5), sample_row("jobs2", [1.0] * 5)
    for row in (cold, jobs2):
        row.samples = [harness.Sample(1.0, 0, 0, cpu=0.95) for _ in range(5)]
    jobs2.adjacent["cold"] = [(1.05, 1.0)] * 5      # the VM's wall-time noise says it lost 1.05x
    res = results_with({tree: {"cold": cold, "jobs2": jobs2}})
    check = next(c for c in bars.bar_jobs(res).checks if c.name == "--jobs 2 never loses")
    assert check.result == "FAIL"                    # not counted: the wall time stands
    assert harness.ran_one_process(jobs2)
    cold.extra["instructions"], jobs2.extra["instructions"] = [1_000_000_000, 1], [1_000_003_000, 1]
    check = next(c for c in bars.bar_jobs(res).checks if c.name == "--jobs 2 never loses")
    assert (check.result, check.measured) == ("PASS", "1.00x")
    assert "judged by instructions" in check.note and "1.05-1.05x" in check.note
    jobs2.extra["instructions"] = [1_040_000_000, 1]  # a real 4% of extra work fails
    assert next(c for c in bars.bar_jobs(res).checks if c.name == "--jobs 2 never loses").result == "FAIL"
    jobs2.extra["instructions"] = [400_000_000, 3]    # workers under callgrind: not comparable
    assert harness.instruction_ratio(jobs2, cold) is None


def test_a_run_whose_processes_ran_side_by_side_is_not_one_process():
    row = sample_row("jobs2", [1.0, 1.0])
    row.samples = [harness.Sample(1.0, 0, 0, cpu=0.9), harness.Sample(1.0, 0, 0, cpu=1.7)]
    assert not harness.ran_one_process(row)
    row.samples[1] = harness.Sample(1.0, 0, 0, cpu=1.0)
    assert harness.ran_one_process(row)
    row.extra["parallel_runs"] = 1                    # one back-to-back run used two cores
    assert not harness.ran_one_process(row)


def test_callgrind_totals_sum_every_process():
    stderr = ("==101== Callgrind, a call-graph generating cache profiler\n==102== I   refs:      1,234\n"
              "==101== Events    : Ir\n==101== I   refs:      10,000,001\n")
    assert harness.callgrind_totals(stderr) == (10_001_235, 2)
    assert harness.callgrind_totals("no valgrind here") is None


@pytest.mark.skipif(not harness.shutil.which("valgrind"), reason="valgrind is not installed")
def test_count_instructions_counts_a_real_run_and_its_forks(tmp_path):
    one = harness.Row("one", "one", "python", [sys.executable, "-S", "-c", "pass"], 1)
    forks = harness.Row("fork", "fork", "python", [sys.executable, "-S", "-c",
                        "import os\npid = os.fork()\nif pid: os.waitpid(pid, 0)"], 1)
    count, processes = harness.count_instructions(one, str(tmp_path), timeout=120)
    assert processes == 1 and count > 1_000_000
    again, _ = harness.count_instructions(one, str(tmp_path), timeout=120)
    assert abs(again - count) / count < 0.001        # repeatable, which is why the bar uses it
    assert harness.count_instructions(forks, str(tmp_path), timeout=120)[1] == 2
    failing = harness.Row("bad", "bad", "python", [sys.executable, "-S", "-c", "raise SystemExit(3)"], 1)
    assert harness.count_instructions(failing, str(tmp_path), timeout=120) is None


@pytest.mark.skipif(not harness.shutil.which("valgrind"), reason="valgrind is not installed")
def test_measure_instructions_counts_only_the_rivals_that_ran_one_process(tmp_path):
    def row(key, code, cpu):
        r = harness.Row(key, key, "python", [sys.executable, "-S", "-c", code], 1)
        r.samples, r.rounds = [harness.Sample(0.1, 0, 0, cpu=cpu)], [0]
        return r
    base, same, parallel = row("cold", "pass", 0.09), row("jobs2", "x = 1", 0.09), row("auto", "pass", 0.3)
    logged = []
    harness.measure_instructions(base, [same, parallel], str(tmp_path), timeout=120, log=logged.append)
    assert base.extra["instructions"][1] == same.extra["instructions"][1] == 1
    assert "instructions" not in parallel.extra       # CPU 3x its wall time: workers ran
    ratio = harness.instruction_ratio(same, base)
    assert ratio == pytest.approx(1.0, abs=0.01) and "jobs2 / cold" in logged[0]


def test_measure_instructions_counts_rows_side_by_side(tmp_path, monkeypatch):
    """Counts run CALLGRIND_AT_ONCE at a time (a 100k warm row takes ~5 minutes under callgrind)."""
    import threading

    both = threading.Barrier(2, timeout=30)  # passes only when two counts are running at once

    def count(row, scratch, timeout):
        both.wait()
        return (1000 if row.key == "cold" else 1001, 1)
    monkeypatch.setattr(harness, "CALLGRIND_AT_ONCE", 2)
    monkeypatch.setattr(harness, "count_instructions", count)
    rows = []
    for key in ("cold", "jobs2"):
        r = harness.Row(key, key, "python", ["true"], 1)
        r.samples, r.rounds = [harness.Sample(6.0, 0, 0, cpu=5.9)], [0]  # 6 s: over round seven's 2 s cap
        rows.append(r)
    harness.measure_instructions(rows[0], rows[1:], str(tmp_path), timeout=120, log=lambda _: None)
    assert harness.instruction_ratio(rows[1], rows[0]) == pytest.approx(1.001)


def test_percentile_is_nearest_rank():
    values = [float(i) for i in range(1, 101)]
    assert lsp_client.percentile(values, 95) == 95.0
    assert lsp_client.percentile(values, 50) == 50.0
    assert lsp_client.percentile([0.2], 95) == 0.2


def test_jobs_option_parsing_reads_auto_and_the_default():
    caps = bench_run.Caps.__new__(bench_run.Caps)
    caps.help = ("performance:\n  --jobs N, -j N        worker processes: a number or auto (default:\n"
                 "                        auto)\n  --no-cache            do not read the cache\n")
    block = caps._option_block("--jobs")
    assert "auto" in block and "--no-cache" not in block
    caps.help = "performance:\n  --jobs N, -j N        worker processes (default 1)\n"
    assert caps._option_block("--jobs") == "--jobs N, -j N        worker processes (default 1)"


def results_with(rows: dict, **kw) -> bars.Results:
    base = dict(trees=rows, files={t: 10000 for t in rows}, skipped={}, target_size=10000, jobs_auto=False,
                jobs_default="1", cpus=2)
    base.update(kw)
    return bars.Results(**base)


def test_cache_write_bar_passes_and_fails_on_its_numbers():
    tree = "synthetic-10000"
    ok = results_with({tree: {"cold": sample_row("cold", [2.0, 2.0]),
                              "cache": sample_row("cache", [2.08, 2.09], peak_kib=20480 + 4096)}})
    assert bars.bar_cache_write(ok).result == "PASS"
    slow = results_with({tree: {"cold": sample_row("cold", [2.0, 2.0]), "cache": sample_row("cache", [2.2, 2.2])}})
    assert [c.result for c in bars.bar_cache_write(slow).checks] == ["FAIL", "PASS"]
    fat = results_with({tree: {"cold": sample_row("cold", [2.0]), "cache": sample_row("cache", [2.0], peak_kib=30000)}})
    assert [c.result for c in bars.bar_cache_write(fat).checks] == ["PASS", "FAIL"]
    missing = results_with({})
    assert bars.bar_cache_write(missing).result == "N/A"


def test_cache_write_bar_checks_the_default_jobs_pair_when_it_ran():
    tree = "synthetic-10000"
    rows = {"cold": sample_row("cold", [2.0, 2.0]), "cache": sample_row("cache", [2.04, 2.04]),
            "default": sample_row("default", [1.2, 1.2]), "cache-default": sample_row("cache-default", [1.4, 1.4])}
    checks = bars.bar_cache_write(results_with({tree: rows}, jobs_default="auto")).checks
    assert [(c.name, c.measured, c.result) for c in checks[:2]] == [
        ("wall time", "1.02x", "PASS"), ("wall time, default --jobs auto", "1.17x", "FAIL")]
    assert "CPU time" not in checks[1].note  # workers: CPU time is not comparable with wall time
    del rows["cache-default"]
    assert [c.name for c in bars.bar_cache_write(results_with({tree: rows})).checks] == ["wall time", "peak memory"]


def test_jobs_bar_without_auto_fails_with_the_reason():
    tree = "synthetic-10000"
    res = results_with({tree: {"cold": sample_row("cold", [2.0, 2.0]), "jobs2": sample_row("jobs2", [1.2, 1.2])}})
    checks = {c.name: c for c in bars.bar_jobs(res).checks}
    assert checks["--jobs 2 never loses"].result == "PASS"
    assert checks["--jobs auto never loses"].result == "FAIL" and "--help" in checks["--jobs auto never loses"].note
    assert checks["--jobs 2 speed-up at 10000"].result == "PASS"   # 2.0 / 1.2 = 1.67
    assert bars.bar_jobs(res).result == "FAIL"


def test_growth_and_skip_verdicts():
    res = results_with({"synthetic-10000": {"cold": sample_row("cold", [1.0])},
                        "synthetic-100000": {"cold": sample_row("cold", [10.5], peak_kib=90 * 1024),
                                             "cache": sample_row("cache", [11.0], peak_kib=125 * 1024)}},
                       files={"synthetic-10000": 10000, "synthetic-100000": 100000})
    assert [c.result for c in bars.bar_growth(res).checks] == ["PASS", "PASS", "FAIL"]
    skipped = results_with({"repo-3000": {"cold": sample_row("cold", [1.0]),
                                          "yamllint": sample_row("yamllint", [13.0])}},
                           skipped={"corpus": "no corpus"})
    bar = bars.bar_realistic(skipped)
    assert [(c.name, c.result) for c in bar.checks] == [("corpus", "SKIP"), ("repo-3000", "PASS")]
    assert bar.result == "PASS"


def test_realistic_bar_says_how_close_to_the_parse_floor_its_target_is():
    res = results_with({"corpus": {"floor": sample_row("floor", [0.1]), "cold": sample_row("cold", [0.4]),
                                   "yamllint": sample_row("yamllint", [1.8])}})
    (check,) = bars.bar_realistic(res).checks
    assert check.result == "FAIL"  # 4.5x
    assert "the parse floor alone is 18.0x faster than yamllint (100 ms)" in check.note
    assert "12x asks for daprlint within 1.50x of the floor" in check.note
    without_floor = results_with({"corpus": {"cold": sample_row("cold", [0.4]), "yamllint": sample_row("yamllint", [1.8])}})
    assert "parse floor" not in bars.bar_realistic(without_floor).checks[0].note


# --------------------------------------------------------------------------
# one tiny run of the whole benchmark

def test_run_py_end_to_end_on_tiny_trees(tmp_path):
    out_json, out_md = tmp_path / "results.json", tmp_path / "perf.md"
    env = {k: v for k, v in os.environ.items() if k != "DAPRLINT_CACHE_DIR"}
    env["PYTHONUNBUFFERED"] = "1"  # a shell's setting the timed tools must not inherit (run.UNSET_ENV)
    p = subprocess.run([sys.executable, str(BENCH / "run.py"), "--sizes", "12", "--target-size", "12",
                        "--repo-size", "30", "--deploy-size", "12", "--runs", "1", "--one-runs", "1",
                        "--lsp-edits", "1", "--budget", "5", "--trees", "synthetic,repo,corpus", "--no-instructions",
                        "--corpus", str(tmp_path / "absent"), "--trees-dir", str(tmp_path / "trees"),
                        "--json", str(out_json), "--markdown", str(out_md)],
                       capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    data = json.loads(out_json.read_text())
    assert [b["id"] for b in data["bars"]] == [f"B{i}" for i in range(1, 10)]
    for bar in data["bars"]:
        assert bar["result"] in ("PASS", "FAIL", "N/A")
        assert bar["checks"] and all(c["result"] in ("PASS", "FAIL", "N/A", "SKIP") for c in bar["checks"])
        assert f"**{bar['id']}**" in p.stdout
    assert "corpus" in data["skipped"] and "absent" in data["skipped"]["corpus"]
    trees = data["trees"]
    assert {"one", "deploy-folder", "deploy-kustomize", "synthetic-12", "repo-30"} <= set(trees)
    cold = next(r for r in trees["synthetic-12"] if r["key"] == "cold")
    assert cold["status"] == "ok" and cold["files_seen"] == 12 and len(cold["times"]) == 1
    dep = next(r for r in trees["deploy-folder"] if r["key"] == "dep-one")
    assert dep["status"] == "ok" and "context" in dep
    lsp = data["lsp"]
    assert "latencies_s" in lsp and len(lsp["latencies_s"]) == 1 and "tree_findings" in lsp, lsp
    assert data["meta"]["loadavg_start"] is not None
    assert "PYTHONUNBUFFERED" in data["meta"]["env_unset"].split(", ")
    md = out_md.read_text()
    assert "| bar | check |" in md and "**B6**" in md


def test_the_markdown_path_is_shown_relative_to_the_repository(tmp_path):
    repo = BENCH.parent
    assert bench_run._shown_path(str(repo / "bench" / "perf.md")) == os.path.join("bench", "perf.md")
    assert bench_run._shown_path(str(tmp_path / "perf.md")) == str(tmp_path / "perf.md")
    assert bench_run._shown_path(None) is None

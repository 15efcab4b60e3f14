"""The cache and --jobs never change results: same findings, same order."""
from __future__ import annotations

import collections
import json
import os
import random
import shutil
import subprocess
import sys
import types

import pytest

from conftest import FIXTURES, REPO, run_cli, shared_or_skip
from daprlint.cache import RACY_MARGIN_NS, stat_key, unchanged_since_read


def _run(*args, env=None):
    proc = run_cli("check", "--isolated", "--format", "json", *args, env=env, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def corpus():
    return shared_or_skip("corpus")


def test_cache_and_jobs_match_a_cold_single_process_run(corpus, tmp_path):
    cold = _run("--no-cache", str(corpus))
    cache = tmp_path / "cache"
    assert _run("--cache-dir", str(cache), str(corpus)) == cold      # fills the cache
    assert _run("--cache-dir", str(cache), str(corpus)) == cold      # served from it
    parallel = _run("--no-cache", "--jobs", "2", str(corpus), env={"DAPRLINT_PARALLEL_THRESHOLD": "10"})
    assert parallel == cold
    both = _run("--cache-dir", str(tmp_path / "c2"), "--jobs", "2", str(corpus),
                env={"DAPRLINT_PARALLEL_THRESHOLD": "10"})
    assert both == cold


def test_stale_cache_never_hides_a_finding(tmp_path):
    work = tmp_path / "w"
    shutil.copytree(REPO / "examples" / "good", work)
    cache = tmp_path / "cache"
    assert b'"findings": []' in _run("--cache-dir", str(cache), str(work))
    target = work / "dynamodb-irsa.yaml"
    target.write_text(target.read_text().replace("value: eu-west-1", "value: eu-west-1b"))
    assert b"AWS008" in _run("--cache-dir", str(cache), str(work))
    # same content back: the old entry is valid again, and still right
    target.write_text(target.read_text().replace("value: eu-west-1b", "value: eu-west-1"))
    assert b'"findings": []' in _run("--cache-dir", str(cache), str(work))


def test_cache_key_covers_config_and_rule_packs(tmp_path):
    work = tmp_path / "w"
    shutil.copytree(REPO / "examples" / "good", work)
    cache = tmp_path / "cache"
    _run("--cache-dir", str(cache), str(work))
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "team001.py").write_text('''"""Every component is flagged.

## What it does
Test rule.

## Example
any
"""
CODE = "TEAM001"
NAME = "flag-all"
SEVERITY = "info"
SUMMARY = "test"


def check(resource, ctx):
    yield ctx.report(resource.anchor_span, "flagged")
''')
    out = _run("--cache-dir", str(cache), "--rule-pack", str(pack), str(work))
    assert out.count(b'"code": "TEAM001"') == 3
    (pack / "team001.py").write_text((pack / "team001.py").read_text().replace('"flagged"', '"changed"'))
    assert b"changed" in _run("--cache-dir", str(cache), "--rule-pack", str(pack), str(work))
    assert b"TEAM001" not in _run("--cache-dir", str(cache), str(work))
    assert b"AWS006" in _run("--cache-dir", str(cache), "--extend-select", "AWS006",
                             str(REPO / "examples" / "good" / "s3-with-secret-store.yaml"))


def test_cache_holds_no_secret_value(tmp_path):
    cache = tmp_path / "cache"
    _run("--cache-dir", str(cache), str(FIXTURES / "secrets" / "planted.yaml"))
    blob = b"".join(p.read_bytes() for p in cache.rglob("*") if p.is_file())
    assert b"Planted" not in blob and b"AKIAPLANTED" not in blob


# -- the stat shortcut, the tree cache and lazily read texts -----------------
# Cold (empty cache), warm and --no-cache runs must print the same bytes; a
# warm run must see every edit, however it was made.

STORE = """apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: {name}
spec:
  type: secretstores.local.file
  version: v1
  metadata:
  - name: secretsFile
    value: /secrets.json
"""
USER = """apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: cache
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost
    value: redis:6379
  - name: redisPassword
    secretKeyRef: {name: redis, key: password}
auth:
  secretStore: vault
"""


def _check(*args, fmt="json", env=None):
    proc = run_cli("check", "--isolated", "--format", fmt, *args, env=env, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


def _cold_warm_uncached(tmp_path, *args, fmt="json", env=None):
    """The outputs of a --no-cache run, a run that fills an empty cache and one served from it."""
    cache = tmp_path / f"cache-{fmt}-{len(list(tmp_path.iterdir()))}"
    uncached = _check("--no-cache", *args, fmt=fmt, env=env)
    cold = _check("--cache-dir", str(cache), *args, fmt=fmt, env=env)
    warm = _check("--cache-dir", str(cache), *args, fmt=fmt, env=env)
    return uncached, cold, warm


def _edit_keeping_size_and_mtime(path, old: str, new: str) -> None:
    assert len(old) == len(new)
    st = os.stat(path)
    path.write_text(path.read_text().replace(old, new))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(path).st_size == st.st_size and os.stat(path).st_mtime_ns == st.st_mtime_ns


def _stat(size=100, mtime=10**18, ctime=10**18, ino=7):
    return types.SimpleNamespace(st_mode=0o100644, st_size=size, st_mtime_ns=mtime, st_ctime_ns=ctime, st_ino=ino)


def test_the_stat_shortcut_trusts_only_files_changed_well_before_they_were_read():
    st = _stat()
    read_long_after = ["f.yaml", "digest", stat_key(st), st.st_mtime_ns + RACY_MARGIN_NS + 1, False, []]
    assert unchanged_since_read(read_long_after, st)
    # the racy window: an edit in the same tick as the read could keep the stat key
    read_just_after = ["f.yaml", "digest", stat_key(st), st.st_mtime_ns + RACY_MARGIN_NS - 1, False, []]
    assert not unchanged_since_read(read_just_after, st)
    assert not unchanged_since_read(read_long_after, _stat(ctime=st.st_ctime_ns + RACY_MARGIN_NS))
    for changed in (_stat(size=101), _stat(mtime=10**18 - 1), _stat(ctime=10**18 + 1), _stat(ino=8)):
        assert not unchanged_since_read(read_long_after, changed)
    fifo = _stat()
    fifo.st_mode = 0o010644
    assert not unchanged_since_read(read_long_after, fifo)


def test_an_edit_within_the_racy_window_that_keeps_size_and_mtime_is_linted(tmp_path):
    work = tmp_path / "w"
    shutil.copytree(REPO / "examples" / "good", work)
    for path in work.iterdir():
        os.utime(path)  # modified just now: inside the racy window of the next run
    cache = tmp_path / "cache"
    assert b'"findings": []' in _check("--cache-dir", str(cache), str(work))
    _edit_keeping_size_and_mtime(work / "dynamodb-irsa.yaml", "value: eu-west-1", "value: eu_west_1")
    assert b"AWS008" in _check("--cache-dir", str(cache), str(work))


@pytest.fixture
def later_runs(monkeypatch, capsys):
    """daprlint in this process, its runs starting a minute after the files were
    written (outside the racy window; ctime cannot be set back); returns the
    runner and the list of paths Engine.read was asked for."""
    import time

    from daprlint import cache as cache_module, cli, commands
    from daprlint.engine import Engine

    monkeypatch.setattr(cache_module, "time", types.SimpleNamespace(time_ns=lambda: time.time_ns() + 60 * 10**9))
    monkeypatch.setattr(commands, "_tune_gc", lambda: None)  # not in the test process
    read = []
    real_read = Engine.read

    def counting_read(self, path, explicit):
        read.append(path)
        return real_read(self, path, explicit)

    monkeypatch.setattr(Engine, "read", counting_read)

    def run(*args):
        read.clear()
        cli.main(["check", "--isolated", "--format", "json", *args])
        return capsys.readouterr().out

    return run, read


def test_an_old_file_edited_with_its_mtime_restored_is_linted(tmp_path, later_runs):
    """Outside the racy window the stat key decides, and ctime, which no tool can set back, is part of it."""
    run, _ = later_runs
    work = tmp_path / "w"
    shutil.copytree(REPO / "examples" / "good", work)
    cache = str(tmp_path / "cache")
    assert '"findings": []' in run("--cache-dir", cache, str(work))
    _edit_keeping_size_and_mtime(work / "dynamodb-irsa.yaml", "value: eu-west-1", "value: eu_west_1")
    assert "AWS008" in run("--cache-dir", cache, str(work))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_unchanged_since_it_was_read_is_not_read_again(jobs, tmp_path, later_runs, monkeypatch):
    _workers_forced(monkeypatch)
    run, read = later_runs
    work = tmp_path / "w"
    # YML002's UTF-16 file is left out: a file that cannot be read is never cached (runner._probe)
    shutil.copytree(REPO / "examples" / "bad", work, ignore=shutil.ignore_patterns("YML002-*"))
    args = ["--jobs", jobs, "--cache-dir", str(tmp_path / "cache"), str(work)]
    cold = run(*args)
    assert run(*args) == cold
    # not even the file with suppression comments: the cache keeps them with the lines they cover
    assert read == []
    # SARIF needs the text of files whose findings carry a fix
    sarif = run("--output-sarif", str(tmp_path / "out.sarif"), *args)
    assert sarif == cold and len(read) > 1


def _workers_forced(monkeypatch):
    from daprlint import runner

    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 2)  # with 2 jobs, misses are linted in workers
    monkeypatch.setattr(runner, "_FORCED", True)          # however busy the machine is


def test_a_cold_run_with_workers_reads_no_file_in_this_process(tmp_path, later_runs, monkeypatch):
    # the workers read and hash what they lint; this process only stats the files it has no entry for (but
    # the structure files, linted first, and alone: too few for workers)
    from daprlint.engine import Engine
    from daprlint.projectnames import is_structure_name

    _workers_forced(monkeypatch)
    run, _ = later_runs
    here, real_read_stat = [], Engine.read_stat
    monkeypatch.setattr(Engine, "read_stat", lambda self, path, st: (here.append(path), real_read_stat(self, path, st))[1])
    work = tmp_path / "w"
    shutil.copytree(REPO / "examples" / "bad", work, ignore=shutil.ignore_patterns("YML002-*"))
    cold = run("--jobs", "2", "--cache-dir", str(tmp_path / "cache"), str(work))
    structure = [p for p in here if is_structure_name(p)]
    assert structure and here == structure and cold == run("--no-cache", "--jobs", "1", str(work))
    here.clear()
    assert run("--jobs", "1", "--cache-dir", str(tmp_path / "cache"), str(work)) == cold and here == []


def test_a_cold_run_meant_for_workers_that_gets_one_process_stores_every_file(tmp_path, later_runs, monkeypatch):
    # the first decision (enough files, free cores) skips the probe; the second (the misses) may say one process
    from daprlint import runner

    _workers_forced(monkeypatch)
    asked, real_cached = [], runner._cached

    def cached(*args, **kwargs):
        asked.clear()
        return real_cached(*args, **kwargs)

    def workers_for(jobs, files):  # in each _cached: workers at first, then one process for the misses
        asked.append(files)
        return 2 if len(asked) == 1 else 1

    monkeypatch.setattr(runner, "_cached", cached)
    monkeypatch.setattr(runner, "workers_for", workers_for)
    run, read = later_runs
    work = tmp_path / "w"
    shutil.copytree(REPO / "examples" / "bad", work, ignore=shutil.ignore_patterns("YML002-*"))
    args = ["--jobs", "2", "--cache-dir", str(tmp_path / "cache"), str(work)]
    cold = run(*args)
    assert cold == run("--no-cache", "--jobs", "1", str(work))
    assert run(*args) == cold and read == []


def test_workers_without_fork_leave_the_rows_to_this_process(tmp_path, later_runs, monkeypatch):
    # spawned workers (Windows) have no cache to encode with: this process stores what they linted
    import multiprocessing

    real_get_context = multiprocessing.get_context

    def no_fork(method=None):
        if method == "fork":
            raise ValueError("cannot find context for 'fork'")
        return real_get_context("spawn")

    _workers_forced(monkeypatch)
    monkeypatch.setattr(multiprocessing, "get_context", no_fork)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    run, read = later_runs
    work = tmp_path / "w"
    shutil.copytree(REPO / "examples" / "bad", work, ignore=shutil.ignore_patterns("YML002-*"))
    args = ["--jobs", "2", "--cache-dir", str(tmp_path / "cache"), str(work)]
    cold = run(*args)
    assert cold == run("--no-cache", "--jobs", "1", str(work))
    assert run(*args) == cold and read == []


def test_a_file_edited_between_the_workers_stat_and_its_read_is_stored_as_read(tmp_path, later_runs, monkeypatch):
    # the entry gets the stat from before the edit and the digest of what the worker linted: the next run
    # sees a changed stat, hashes the file, and serves the findings of the content it has
    from daprlint.engine import Engine

    _workers_forced(monkeypatch)
    run, _ = later_runs
    work = tmp_path / "w"
    shutil.copytree(REPO / "examples" / "good", work)
    edited, real_read_stat = work / "dynamodb-irsa.yaml", Engine.read_stat

    def read_after_an_edit(self, path, st):
        if path == str(edited) and b"eu-west-1" in edited.read_bytes():
            edited.write_bytes(edited.read_bytes().replace(b"eu-west-1", b"eu_west_1"))
        return real_read_stat(self, path, st)

    monkeypatch.setattr(Engine, "read_stat", read_after_an_edit)
    args = ["--jobs", "2", "--cache-dir", str(tmp_path / "cache"), str(work)]
    first = run(*args)
    assert "AWS008" in first and b"eu_west_1" in edited.read_bytes()
    monkeypatch.setattr(Engine, "read_stat", real_read_stat)
    assert run(*args) == first == run("--no-cache", "--jobs", "1", str(work))
    assert run("--jobs", "1", "--cache-dir", str(tmp_path / "cache"), str(work)) == first


def test_tree_findings_follow_an_edit_in_the_file_they_depend_on(tmp_path):
    work = tmp_path / "w"
    work.mkdir()
    (work / "a-user.yaml").write_text(USER)
    stores = work / "b-stores.yaml"
    stores.write_text(STORE.format(name="files"))
    cache = tmp_path / "cache"

    def run():
        out = _check("--cache-dir", str(cache), str(work))
        assert out == _check("--no-cache", str(work))
        return out

    assert b"XRF001" in run()
    assert b"XRF001" in run()                                   # warm
    stores.write_text(STORE.format(name="files") + "---\n" + STORE.format(name="vault"))
    assert b"XRF001" not in run()
    assert b"XRF001" not in run()                               # warm
    stores.write_text(STORE.format(name="files"))
    assert b"XRF001" in run()
    stores.write_text(STORE.format(name="files") + "---\n" + STORE.format(name="vault"))
    assert b"XRF001" not in run()                               # an older tree result, still right


def test_tree_findings_follow_an_edit_in_a_resources_paths_file(tmp_path):
    work, shared = tmp_path / "w", tmp_path / "shared"
    work.mkdir()
    shared.mkdir()
    (work / "user.yaml").write_text(USER)
    (work / "files.yaml").write_text(STORE.format(name="files"))
    (shared / "vault.yaml").write_text(STORE.format(name="vault"))
    config = tmp_path / "daprlint.toml"
    config.write_text('resources-paths = ["shared"]\ntree-scope = "tree"\n')
    cache = tmp_path / "cache"

    def run():
        args = ["check", "--config", str(config), "--format", "json", str(work)]
        cached = run_cli(*args, "--cache-dir", str(cache)).stdout
        assert cached == run_cli(*args, "--no-cache").stdout
        return cached

    assert b"XRF001" not in run()
    assert b"XRF001" not in run()
    (shared / "vault.yaml").write_text(STORE.format(name="other"))
    assert b"XRF001" in run()
    assert b"XRF001" in run()


def test_suppressions_work_on_a_warm_run(tmp_path):
    work = tmp_path / "w"
    shutil.copytree(REPO / "examples" / "bad", work)
    shutil.copytree(REPO / "examples" / "suppression", work / "suppression")
    xrf001 = "XRF001-unknown-secret-store/statestore.yaml"
    (work / xrf001).write_text((REPO / "examples" / "bad" / xrf001).read_text().replace(
        "secretStore: vualt", "secretStore: vualt  # daprlint: ignore[XRF001]"))
    uncached, cold, warm = _cold_warm_uncached(tmp_path, str(work))
    assert uncached == cold == warm
    found = {("/".join(f["path"].rsplit("/", 2)[-2:]), f["code"]) for f in json.loads(warm)["findings"]}
    assert ("SUP001-unused-suppression/bucket.yaml", "SUP001") in found
    assert not any(path.startswith("suppression/") for path, _ in found)
    assert not any(code == "XRF001" for _, code in found)
    assert json.loads(warm)["summary"]["suppressed"] >= 4  # the suppression demo's three and XRF001


def test_sarif_fixes_of_a_warm_run_equal_the_cold_runs(tmp_path):
    args = ["--extend-select", "ALL", "--aws-region", "eu-west-1", str(REPO / "examples")]
    uncached, cold, warm = _cold_warm_uncached(tmp_path, *args, fmt="sarif")
    assert b'"fixes"' in warm
    assert uncached == cold == warm
    # --output-sarif beside another format: the SARIF file needs the texts too
    cache = tmp_path / "c-side"
    sarifs = []
    for name in ("cold", "warm"):
        out = tmp_path / f"{name}.sarif"
        _check("--cache-dir", str(cache), "--output-sarif", str(out), *args)
        sarifs.append(out.read_bytes())
    assert sarifs[0] == sarifs[1] == uncached


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_examples_print_the_same_bytes_cold_warm_and_uncached(fmt, tmp_path):
    uncached, cold, warm = _cold_warm_uncached(tmp_path, str(REPO / "examples"), fmt=fmt)
    assert uncached == cold == warm


@pytest.fixture(scope="module")
def generated_tree(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "tree-300"
    subprocess.run([sys.executable, str(REPO / "bench" / "gen_tree.py"), "--size", "300", "--out", str(out)],
                   check=True, capture_output=True)
    return out


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_a_generated_tree_prints_the_same_bytes_cold_warm_uncached_and_with_jobs(fmt, generated_tree, tmp_path):
    uncached, cold, warm = _cold_warm_uncached(tmp_path, str(generated_tree), fmt=fmt)
    assert uncached == cold == warm
    assert b"XRF00" in warm  # the tree rules have something to say
    parallel = {"DAPRLINT_PARALLEL_THRESHOLD": "10"}
    assert _cold_warm_uncached(tmp_path, "--jobs", "2", str(generated_tree), fmt=fmt, env=parallel) == \
        (uncached, uncached, uncached)


def test_one_changed_file_in_a_generated_tree_reruns_the_tree_rules(generated_tree, tmp_path):
    work = tmp_path / "t"
    shutil.copytree(generated_tree, work)
    cache = tmp_path / "cache"
    _check("--cache-dir", str(cache), str(work))
    changed = sorted(work.rglob("*.yaml"))[7]
    changed.write_text(changed.read_text() + "---\n" + STORE.format(name="vault"))
    for _ in range(2):  # the first run lints the changed file, the second serves it
        assert _check("--cache-dir", str(cache), str(work)) == _check("--no-cache", str(work))


def test_crashes_are_never_cached(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    doc = '"""Crashes.\n\n## What it does\nTest rule.\n\n## Example\nany\n"""\n'
    (pack / "zzz901.py").write_text(doc + 'CODE = "ZZZ901"\nNAME = "crash-file"\nSEVERITY = "info"\n'
                                          'SUMMARY = "test"\n\n\ndef check(resource, ctx):\n    raise ValueError\n')
    (pack / "zzz902.py").write_text(doc + 'CODE = "ZZZ902"\nNAME = "crash-tree"\nSEVERITY = "info"\n'
                                          'SUMMARY = "test"\nSCOPE = "tree"\n\n\ndef check(tree, ctx):\n'
                                          '    raise ValueError\n')
    cache = tmp_path / "cache"
    args = ["check", "--isolated", "--format", "json", "--cache-dir", str(cache), "--rule-pack", str(pack),
            "--extend-select", "ZZZ", str(REPO / "examples" / "good")]
    for _ in range(2):
        proc = run_cli(*args)
        assert proc.returncode == 2
        codes = [f["message"] for f in json.loads(proc.stdout)["findings"] if f["code"] == "INT001"]
        assert any("ZZZ901" in m for m in codes) and any("ZZZ902" in m for m in codes)
    stores = [p for p in cache.rglob("*") if p.is_file()]  # strings are stored as they are (marshal)
    assert b"INT001" not in b"".join(p.read_bytes() for p in stores)


@pytest.mark.parametrize("matchers_kept", [128, 5])
def test_closest_name_answers_like_get_close_matches(monkeypatch, matchers_kept):
    import difflib

    from daprlint import tree
    from daprlint.tree import closest_name

    monkeypatch.setattr(tree, "MATCHERS_KEPT", matchers_kept)  # 5: the kept matchers are let go again and again
    memos = collections.defaultdict(dict)  # one table a name, as PackData.memo gives them
    ctx = types.SimpleNamespace(data=types.SimpleNamespace(memo=memos.__getitem__))
    rng = random.Random(7)
    letters = "abcdes-"
    # few words, asked again and again with other candidates: the memos of ratios and matchers
    # answer many of these, as in a tree whose typos repeat folder after folder
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(0, 9))) for _ in range(40)]
    for _ in range(3000):
        candidates = ["".join(rng.choice(letters) for _ in range(rng.randint(0, 9))) for _ in range(rng.randint(0, 8))]
        word = rng.choice(words)
        expected = difflib.get_close_matches(word, candidates, n=1)
        assert closest_name(ctx, word, candidates) == (expected[0] if expected else None)
    assert 0 < len(memos["tree.closest_name.matchers"]) <= matchers_kept


def test_a_lost_facts_store_or_a_damaged_cache_only_costs_time(generated_tree, tmp_path):
    work = tmp_path / "t"
    shutil.copytree(generated_tree, work)
    cache = tmp_path / "cache"
    expected = _check("--no-cache", str(work))
    assert _check("--cache-dir", str(cache), str(work)) == expected
    changed = sorted(work.rglob("*.yaml"))[3]
    changed.write_text(changed.read_text() + "---\n" + STORE.format(name="vault"))
    facts_stores = list(cache.rglob("*.facts"))
    assert facts_stores
    for facts in facts_stores:
        facts.unlink()  # every hit must be linted again for its facts
    expected = _check("--no-cache", str(work))
    assert _check("--cache-dir", str(cache), str(work)) == expected
    stores = list((cache / "v1").iterdir())
    assert len(stores) >= 3  # entries, facts, tree findings
    for store in stores:
        store.write_bytes(store.read_bytes()[:-7])  # cut short: its index is gone
    assert _check("--cache-dir", str(cache), str(work)) == expected
    assert _check("--cache-dir", str(cache), str(work)) == expected


def test_suggestions_and_name_lists_stay_bounded_in_big_namespaces():
    # tree rules must stay linear in the number of files: no suggestion search
    # over a namespace with hundreds of components, and no message listing them all
    from daprlint.tree import MAX_SUGGESTION_CANDIDATES, closest_name, name_list

    ctx = types.SimpleNamespace(data=types.SimpleNamespace(memo=lambda name, table={}: table))
    many = [f"store-{i:04d}" for i in range(MAX_SUGGESTION_CANDIDATES + 1)]
    assert closest_name(ctx, "store-0001x", many) is None
    assert closest_name(ctx, "store-0001x", many[:MAX_SUGGESTION_CANDIDATES]) == "store-0001"
    assert name_list(["b", "a"]) == "`a`, `b`"
    assert name_list(many).endswith(f"and {len(many) - 8} more") and name_list(many).count("`") == 16


def test_a_rule_pack_edited_within_a_second_to_the_same_size_runs_its_new_code(tmp_path):
    # Python's bytecode cache trusts (mtime in seconds, size); user packs must not
    pack = tmp_path / "pack"
    pack.mkdir()
    rule = pack / "team002.py"
    source = ('"""Flags every component.\n\n## What it does\nTest.\n"""\nCODE = "TEAM002"\nNAME = "flag"\n'
              'SEVERITY = "info"\nSUMMARY = "test"\n\n\ndef check(resource, ctx):\n'
              '    yield ctx.report(resource.anchor_span, "first")\n')
    rule.write_text(source)
    target = str(REPO / "examples" / "good")
    env = {"PYTHONDONTWRITEBYTECODE": ""}
    assert b'"first"' in _run("--no-cache", "--rule-pack", str(pack), target, env=env)
    stamp = rule.stat()
    rule.write_text(source.replace('"first"', '"other"'))
    os.utime(rule, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # same size, same mtime
    assert b'"other"' in _run("--no-cache", "--rule-pack", str(pack), target, env=env)


def test_pack_fingerprint_follows_every_edit(tmp_path, monkeypatch):
    # the fingerprint (part of the cache key) reads stats, not bytes, except
    # for files changed within the racy window: check both ways
    from daprlint import packs

    pack = tmp_path / "pack"
    pack.mkdir()
    data = pack / "data.json"
    data.write_text('{"a": 1}')
    first = packs.load_packs([pack]).fingerprint()
    assert packs.load_packs([pack]).fingerprint() == first  # stable
    stamp = data.stat()
    data.write_text('{"a": 2}')  # same size, within the racy window: its bytes count
    os.utime(data, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    second = packs.load_packs([pack]).fingerprint()
    assert second != first
    monkeypatch.setattr(packs, "RACY_SECONDS", -3600)  # as if every file had settled long ago
    data.write_text('{"a": 3}')
    os.utime(data, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # mtime restored: ctime still moves
    assert packs.load_packs([pack]).fingerprint() != second


@pytest.mark.parametrize("change", [
    ("--aws-region", "eu-west-1"), ("--secrets-out", "OUT/s.yaml"), ("--secret-store", "vault"),
    ("--secret-name", "{component}-creds"), ("--mode", "self-hosted"), ("--unsafe-fixes",)])
def test_output_with_the_cache_equals_output_without_it_for_every_setting(tmp_path, change):
    """Fix settings decide which fixes apply (and SARIF's `fixes`): a warm run after a settings
    change must not serve the fix notes of the run before it."""
    work = tmp_path / "w"
    shutil.copytree(REPO / "examples" / "bad", work)
    cache = str(tmp_path / "cache")
    change = tuple(c.replace("OUT", str(tmp_path / "out")) for c in change)
    for args in ((), change, (), change):
        plain = run_cli("check", "--isolated", "--format", "sarif", "--no-cache", *args, str(work)).stdout
        cached = run_cli("check", "--isolated", "--format", "sarif", "--cache-dir", cache, *args, str(work)).stdout
        assert cached == plain, args

"""--jobs workers run the tree stage of the folders that lie wholly in their chunk.

runner._in_workers cuts its chunks where the folder changes (runner._chunks);
a worker runs each folder its chunk completes (tree.FolderStream.whole_folders)
and sends back that folder's findings instead of its files' facts; the parent
adopts them (FolderStream.adopt) and streams the rest as before. These tests
pin that the report is the one of one process and of the whole-tree stage,
on generated trees with any chunk size (folders split across chunks too),
with a kustomization, with a tree rule that crashes, and that workers did run
folders. Never timed: speed is measured in bench/.
"""
from __future__ import annotations

import json
import os
import pickle

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from daprlint import runner, tree
from daprlint.discover import Target
from test_tree_stream import _Crashing, _write, check, trees  # noqa: F401  (check: the fixture)

COMPONENT = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: p\nspec:\n  type: pubsub.redis\n"


@pytest.fixture
def workers(monkeypatch):
    """Workers for any tree (no threshold, no load check); chunks of *size* files (None: the run's own)."""
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(runner, "_FORCED", True)
    real = runner._chunks

    def sized(size=None):
        monkeypatch.setattr(runner, "_chunks", real if size is None else
                            (lambda targets, _size, folder_of=None, shares=0: real(targets, size, folder_of)))
    return sized


@pytest.fixture
def adopted(monkeypatch):
    """The folders the parent adopted from workers (by base name), chunk by chunk."""
    seen = []
    real = tree.FolderStream.adopt

    def adopt(self, results, parts):
        seen.append(sorted(os.path.basename(folder) for folder, _ in parts))
        for r in results:
            if os.path.basename(self.folder_of(r.path)) in seen[-1]:
                assert r.facts is None or r.facts is tree.TAKEN  # facts stayed in the worker
        real(self, results, parts)

    monkeypatch.setattr(tree.FolderStream, "adopt", adopt)
    return seen


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=trees(), size=st.sampled_from((1, 2, 3, 50)))
def test_workers_running_folders_give_the_report_of_one_process(check, workers, tmp_path, files, size):
    root = tmp_path / "t"
    _write(root, files)
    workers(None)
    whole = check(root, "--jobs", "1", "--no-cache", "--format", "json", stream=False)
    workers(size)
    assert check(root, "--jobs", "2", "--no-cache", "--format", "json") == whole


def test_each_folder_wholly_in_a_chunk_is_run_by_a_worker(check, workers, adopted, tmp_path):
    _write(tmp_path / "t", {f"f{i}/{n}.yaml": COMPONENT for i in range(4) for n in "abc"})
    whole = check(tmp_path / "t", "--jobs", "1", "--no-cache", "--format", "json", stream=False)
    workers(3)  # one folder a chunk
    assert check(tmp_path / "t", "--jobs", "2", "--no-cache", "--format", "json") == whole
    assert sorted(f for chunk in adopted for f in chunk) == ["f0", "f1", "f2", "f3"]
    assert [f["code"] for f in json.loads(whole)["findings"]].count("XRF003") == 8  # 2 duplicates a folder


def test_a_folder_split_across_chunks_is_run_by_the_parent(check, workers, adopted, tmp_path):
    _write(tmp_path / "t", {f"f0/{n}.yaml": COMPONENT for n in "abcdef"})
    whole = check(tmp_path / "t", "--jobs", "1", "--no-cache", "--format", "json", stream=False)
    workers(2)  # at most 4 files a chunk: the folder's 6 files are split
    assert check(tmp_path / "t", "--jobs", "2", "--no-cache", "--format", "json") == whole
    assert adopted and all(chunk == [] for chunk in adopted)


def test_a_folder_with_a_kustomization_is_left_to_the_parent(check, workers, adopted, tmp_path):
    _write(tmp_path / "t", {"k/kustomization.yaml": "resources:\n- a.yaml\n- b.yaml\n", "k/a.yaml": COMPONENT,
                            "k/b.yaml": COMPONENT, "f/c.yaml": COMPONENT, "f/d.yaml": COMPONENT})
    whole = check(tmp_path / "t", "--jobs", "1", "--no-cache", "--format", "json", stream=False)
    workers(None)
    assert check(tmp_path / "t", "--jobs", "2", "--no-cache", "--format", "json") == whole
    assert sorted(f for chunk in adopted for f in chunk) == ["f"]


def test_a_tree_rule_that_crashes_in_a_worker_is_reported_as_in_one_process(check, workers, monkeypatch, tmp_path):
    from daprlint.engine import Engine

    real = Engine.rules_of_scope

    def rules_of_scope(self, scope):
        rules = real(self, scope)
        return [_Crashing(r, "f1") if r.code == "XRF003" else r for r in rules] if scope == "tree" else rules

    monkeypatch.setattr(Engine, "rules_of_scope", rules_of_scope)  # forked workers inherit it
    _write(tmp_path / "t", {f"f{i}/{n}.yaml": COMPONENT for i in range(3) for n in "ab"})
    whole = check(tmp_path / "t", "--jobs", "1", "--no-cache", "--format", "json", stream=False, exits=(2,))
    workers(2)
    assert check(tmp_path / "t", "--jobs", "2", "--no-cache", "--format", "json", exits=(2,)) == whole
    codes = [f["code"] for f in json.loads(whole)["findings"]]
    assert "XRF003" not in codes and codes.count("INT001") == 1


def test_taken_facts_pickle_to_the_same_object():
    assert pickle.loads(pickle.dumps(tree.TAKEN, protocol=pickle.HIGHEST_PROTOCOL)) is tree.TAKEN


@given(folders=st.lists(st.integers(1, 9), min_size=0, max_size=12), size=st.integers(1, 6))
def test_chunks_keep_the_order_and_cut_where_the_folder_changes(folders, size):
    targets = [Target(f"d{d}/{i}.yaml", False) for d, n in enumerate(folders) for i in range(n)]
    chunks = runner._chunks(targets, size, os.path.dirname)
    assert [t for c in chunks for t in c] == targets
    for before, after in zip(chunks, chunks[1:]):
        assert len(before) >= size
        split = os.path.dirname(before[-1].path) == os.path.dirname(after[0].path)
        assert not split or len(before) == 2 * size  # a folder is split only past twice the size
    assert all(len(c) <= 2 * size for c in chunks)
    assert runner._chunks(targets, size) == [targets[i:i + size] for i in range(0, len(targets), size)]


@given(folders=st.lists(st.integers(1, 120), min_size=0, max_size=40), largest=st.integers(1, 400),
       shares=st.integers(1, 16), by_folder=st.booleans())
def test_shrinking_chunks_keep_the_order_and_the_size_for_the_files_left(folders, largest, shares, by_folder):
    targets = [Target(f"d{d}/{i}.yaml", False) for d, n in enumerate(folders) for i in range(n)]
    chunks = runner._chunks(targets, largest, os.path.dirname if by_folder else None, shares)
    assert [t for c in chunks for t in c] == targets
    left = len(targets)
    for number, chunk in enumerate(chunks):
        wanted = runner.chunk_size(left, largest, shares)
        assert wanted == min(largest, max(runner.CHUNK_MIN, left // shares))
        assert len(chunk) <= 2 * wanted
        if number < len(chunks) - 1:
            assert len(chunk) >= wanted
            if not by_folder:
                assert len(chunk) == wanted
            elif os.path.dirname(chunk[-1].path) == os.path.dirname(chunks[number + 1][0].path):
                assert len(chunk) == 2 * wanted  # a folder is split only past twice the size
        left -= len(chunk)


def test_the_last_chunks_are_small_so_the_workers_finish_together():
    targets = [Target(f"d{i // 50}/{i}.yaml", False) for i in range(10_000)]
    sizes = [len(c) for c in runner._chunks(targets, runner.CHUNK_MAX, os.path.dirname, runner.CHUNK_SHARES * 2)]
    assert sizes[0] == runner.CHUNK_MAX and sizes[-4:] == [runner.CHUNK_MIN] * 4
    assert sizes == sorted(sizes, reverse=True)


# -- folders run in batches (FolderStream.BATCH_FILES) ------------------------------
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=trees(), batch=st.sampled_from((1, 2, 5, 256)))
def test_folders_run_in_batches_of_any_size_give_the_report_of_the_whole_tree(check, monkeypatch, tmp_path,
                                                                             files, batch):
    root = tmp_path / "t"
    _write(root, files)
    whole = check(root, "--no-cache", "--format", "json", stream=False)
    monkeypatch.setattr(tree.FolderStream, "BATCH_FILES", batch)
    assert check(root, "--no-cache", "--format", "json") == whole


def test_a_batch_with_a_crashing_folder_runs_each_folder_alone(check, monkeypatch, tmp_path):
    from daprlint.engine import Engine

    real = Engine.rules_of_scope
    calls = []
    real_alone = tree.FolderStream._rule_findings_of

    def rules_of_scope(self, scope):
        rules = real(self, scope)
        return [_Crashing(r, "f1") if r.code == "XRF003" else r for r in rules] if scope == "tree" else rules

    def rule_findings_of(self, groups):
        calls.append(len(groups))
        return real_alone(self, groups)

    monkeypatch.setattr(Engine, "rules_of_scope", rules_of_scope)
    monkeypatch.setattr(tree.FolderStream, "_rule_findings_of", rule_findings_of)
    _write(tmp_path / "t", {f"f{i}/{n}.yaml": COMPONENT for i in range(3) for n in "ab"})
    whole = check(tmp_path / "t", "--no-cache", "--format", "json", stream=False, exits=(2,))
    calls.clear()
    assert check(tmp_path / "t", "--no-cache", "--format", "json", exits=(2,)) == whole
    assert calls == [3, 1, 1, 1]  # the batch of three folders crashed: then each alone

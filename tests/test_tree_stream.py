"""The tree stage run folder by folder (tree.FolderStream) gives the findings of the whole tree at once.

A run drops each fallback folder deployment's facts once its tree rules
have run, so a large tree never holds every file's facts. These tests pin
that this changes no output: the same report as the whole-tree stage
(tree.run without a stream) on generated trees (hypothesis), on the
repository-shaped fixture, when a run file known only by its content claims
a folder that was already run, and when a tree rule crashes in one folder.
Never timed: speed and memory are measured in bench/.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import FIXTURES, REPO
from daprlint import cli, commands, deployments, tree
from daprlint.runner import lint_targets


def _whole_tree(engine, targets, jobs=1, stdin_name=None, cache=None, want_texts=False, frames=False,
                context=(), shared=(), root=None, linted=None):
    """tree.lint_streamed without the stream: every deployment built at the end (every target linted here)."""
    return lint_targets(engine, targets, jobs, stdin_name, cache=cache, want_texts=want_texts, frames=frames), None


@pytest.fixture
def check(monkeypatch, capsys):
    """run(folder, *args, stream=True, exits=(0, 1)) -> daprlint's stdout, in this process."""
    monkeypatch.setattr(commands, "_tune_gc", lambda: None)  # not in the test process
    real = tree.lint_streamed

    def run(folder, *args, stream=True, exits=(0, 1)):
        monkeypatch.setattr(tree, "lint_streamed", real if stream else _whole_tree)
        code = cli.main(["check", "--isolated", *args, str(folder)])
        out = capsys.readouterr().out
        assert code in exits, out
        return out

    return run


@pytest.fixture
def spy(monkeypatch):
    """The folders each FolderStream ran, and those check_claims gave back."""
    seen = {"run": [], "given_back": []}
    real_took, real_claims = tree.FolderStream._took, tree.FolderStream.check_claims

    def _took(self, folder, part, group):  # in this process: run here, or adopted from a --jobs worker
        real_took(self, folder, part, group)
        seen["run"].append(os.path.basename(folder))

    def check_claims(self, engine, results, others, cache=None, jobs=1):
        self.flush()  # the folders still waiting in a batch were run by then
        before = set(self.done)
        real_claims(self, engine, results, others, cache, jobs)
        seen["given_back"] += sorted(os.path.basename(f) for f in before - set(self.done))

    monkeypatch.setattr(tree.FolderStream, "_took", _took)
    monkeypatch.setattr(tree.FolderStream, "check_claims", check_claims)
    return seen


# -- generated trees -------------------------------------------------------------
NAMES = ("alpha", "beta", "gamma")
APPS = ("app-x", "app-y", "app-z")
TYPES = ("pubsub.redis", "secretstores.kubernetes", "state.redis", "secretstores.local.file")


def _component(draw) -> str:
    name = draw(st.sampled_from(NAMES))
    typ = draw(st.sampled_from(TYPES))
    lines = ["apiVersion: dapr.io/v1alpha1", "kind: Component", f"metadata:\n  name: {name}",
             f"spec:\n  type: {typ}\n  version: v1\n  metadata:"]
    if typ == "secretstores.local.file":
        lines.append("  - name: secretsFile\n    value: secrets.json")
    else:
        lines.append("  - name: redisHost\n    value: localhost:6379")
        if draw(st.booleans()):
            secret = draw(st.sampled_from(("db", "cache", "dbx")))
            lines.append(f"  - name: redisPassword\n    secretKeyRef:\n      name: {secret}\n      key: password")
    if draw(st.booleans()):
        lines.append(f"auth:\n  secretStore: {draw(st.sampled_from(NAMES + ('kubernetes',)))}")
    if draw(st.booleans()):
        lines.append("scopes:\n" + "".join(f"- {a}\n" for a in draw(st.sets(st.sampled_from(APPS), min_size=1))))
    return "\n".join(lines) + "\n"


def _subscription(draw) -> str:
    text = (f"apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata:\n  name: sub\n"
            f"spec:\n  topic: orders\n  routes:\n    default: /orders\n"
            f"  pubsubname: {draw(st.sampled_from(NAMES + ('delta',)))}\n")
    if draw(st.booleans()):
        text += "scopes:\n" + "".join(f"- {a}\n" for a in draw(st.sets(st.sampled_from(APPS), min_size=1)))
    return text


def _deployment(draw) -> str:
    app = draw(st.sampled_from(APPS))
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\nspec:\n  template:\n"
            f"    metadata:\n      annotations:\n        dapr.io/enabled: \"true\"\n        dapr.io/app-id: {app}\n"
            f"        dapr.io/config: {draw(st.sampled_from(('tracing', 'other')))}\n")


def _other(draw) -> str:
    return draw(st.sampled_from((
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: x\n",
        "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: tracing\nspec: {}\n",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n",
    )))


@st.composite
def documents(draw) -> str:
    kinds = draw(st.lists(st.sampled_from((_component, _subscription, _deployment, _other)), min_size=1, max_size=3))
    return "---\n".join(kind(draw) for kind in kinds)


@st.composite
def trees(draw) -> dict[str, str]:
    """{relative path: text}: a few folders of Dapr files, perhaps a kustomization
    that takes files of another folder, perhaps a run file (known by its content
    only) in a folder walked last that loads an earlier folder."""
    folders = draw(st.integers(1, 4))
    files = {}
    for f in range(folders):
        for n in range(draw(st.integers(1, 3))):
            files[f"f{f}/file{n}.yaml"] = draw(documents())
        if draw(st.booleans()):
            files[f"f{f}/secrets.json"] = '{"db": "x", "cache": {"password": "y"}}'
    if folders > 1 and draw(st.booleans()):
        taken = sorted(p for p in files if p.startswith("f1/") and p.endswith(".yaml"))
        files["f0/kustomization.yaml"] = "resources:\n" + "".join(f"- ../{p}\n" for p in taken)
    if draw(st.booleans()):
        files["zz/run.yaml"] = "version: 1\napps:\n- appID: app-x\n  appDirPath: .\n  resourcesPaths:\n  - ../f0\n"
    return files


def _write(root: Path, files: dict[str, str]) -> None:
    if root.exists():
        shutil.rmtree(root)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=trees())
def test_folder_by_folder_gives_the_findings_of_the_whole_tree(check, tmp_path, files):
    root = tmp_path / "t"
    _write(root, files)
    whole = check(root, "--no-cache", "--format", "json", stream=False)
    assert check(root, "--no-cache", "--format", "json") == whole
    cache = tmp_path / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    assert check(root, "--cache-dir", str(cache), "--format", "json") == whole  # writes the cache
    assert check(root, "--cache-dir", str(cache), "--format", "json") == whole  # warm


def test_generated_tree_runs_its_folders_as_they_complete(check, spy, tmp_path):
    files = {f"f{i}/c.yaml": f"apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: p\n"
                             f"spec:\n  type: pubsub.redis\n  version: v1\n" for i in range(3)}
    files["f1/sub.yaml"] = ("apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata:\n  name: s\n"
                            "spec:\n  topic: t\n  route: /t\n  pubsubname: q\n")
    files["f2/again.yaml"] = files["f2/c.yaml"]
    _write(tmp_path / "t", files)
    report = json.loads(check(tmp_path / "t", "--no-cache", "--format", "json"))
    assert sorted(spy["run"]) == ["f0", "f1", "f2"] and spy["given_back"] == []
    codes = sorted((Path(f["path"]).parent.name, f["code"]) for f in report["findings"])
    assert ("f1", "XRF002") in codes and ("f2", "XRF003") in codes  # found folder by folder


def test_a_run_file_known_by_its_content_gives_back_the_folder_it_loads(check, spy, tmp_path):
    files = {"f0/a.yaml": "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: p\n"
                          "spec:\n  type: pubsub.redis\n  version: v1\n",
             "f0/b.yaml": "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: p\n"
                          "spec:\n  type: pubsub.redis\n  version: v1\n",
             "zz/run.yaml": "version: 1\napps:\n- appID: x\n  appDirPath: .\n  resourcesPaths:\n  - ../f0\n"}
    _write(tmp_path / "t", files)
    whole = check(tmp_path / "t", "--no-cache", "--format", "json", stream=False)
    assert check(tmp_path / "t", "--no-cache", "--format", "json") == whole
    assert spy["given_back"] == ["f0"]  # run first as a folder, then with its run file
    # self-hosted (the run file's deployment): daprd fails to start, not a kubectl replace
    assert "daprd fails to start" in whole


def test_the_repository_shaped_fixture_is_unchanged(check, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", root)
    (root / ".git").mkdir()
    for fmt in ("json", "sarif", "full"):
        assert check(root, "--no-cache", "--format", fmt) == check(root, "--no-cache", "--format", fmt, stream=False)
    named = root / "k8s" / "base" / "components.yaml"
    assert check(named, "--no-cache", "--format", "json") == check(named, "--no-cache", "--format", "json",
                                                                 stream=False)


class _Crashing:
    """A tree rule that crashes on the deployments of one folder."""

    def __init__(self, rule, folder: str):
        self._rule, self._folder = rule, folder

    def __getattr__(self, name):
        return getattr(self._rule, name)

    def check(self, tree_, ctx):
        if any(key[0].endswith(os.sep + self._folder) for key in tree_.groups):
            raise RuntimeError("boom")
        return self._rule.check(tree_, ctx)


def test_a_rule_that_crashes_in_one_folder_has_no_findings_anywhere(check, monkeypatch, tmp_path):
    from daprlint.engine import Engine

    real = Engine.rules_of_scope

    def rules_of_scope(self, scope):
        rules = real(self, scope)
        return [_Crashing(r, "f1") if r.code == "XRF003" else r for r in rules] if scope == "tree" else rules

    monkeypatch.setattr(Engine, "rules_of_scope", rules_of_scope)
    component = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: p\nspec:\n  type: pubsub.redis\n"
    _write(tmp_path / "t", {f"f{i}/{n}.yaml": component for i in range(3) for n in "ab"})
    whole = check(tmp_path / "t", "--no-cache", "--format", "json", stream=False, exits=(2,))
    assert check(tmp_path / "t", "--no-cache", "--format", "json", exits=(2,)) == whole
    codes = [f["code"] for f in json.loads(whole)["findings"]]
    assert "XRF003" not in codes and codes.count("INT001") == 1


def test_claimed_paths_are_what_build_claims(tmp_path):
    """deployments.claimed_paths, from the structure files alone, takes what
    build() puts in Helm, kustomize and run-file deployments."""
    from daprlint.config import Settings
    from daprlint.discover import discover
    from daprlint.engine import Engine
    from daprlint.packs import load_packs

    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", root)
    (root / "loose").mkdir()
    (root / "loose" / "c.yaml").write_text("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: p\n"
                                           "spec:\n  type: pubsub.redis\n  version: v1\n", encoding="utf-8")
    engine = Engine(load_packs([]), Settings())
    targets = discover([str(root)], [])
    facts = [r.facts for r in lint_targets(engine, targets) if r.facts is not None]
    built = deployments.build(facts)
    members = {os.path.normpath(os.path.abspath(p)) for d in built if d.kind != "folder" for p in d.files}
    structure = [f for f in facts if deployments.is_structure(f)]
    claimed = deployments.claimed_paths(structure, [os.path.abspath(t.path) for t in targets])
    assert members and members <= claimed
    fallback = {os.path.normpath(os.path.abspath(p)) for d in built if d.kind == "folder" for p in d.files}
    assert fallback and not (fallback & claimed)


def test_workers_hand_their_results_to_the_stream_chunk_by_chunk(check, spy, monkeypatch, tmp_path):
    from daprlint import runner

    component = ("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: p\n"
                 "spec:\n  type: pubsub.redis\n  version: v1\n")
    _write(tmp_path / "t", {f"f{i}/{n}.yaml": component for i in range(4) for n in "abc"})
    whole = check(tmp_path / "t", "--no-cache", "--format", "json", stream=False)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 2)  # workers for this small tree
    monkeypatch.setattr(runner, "_FORCED", True)
    assert check(tmp_path / "t", "--jobs", "2", "--no-cache", "--format", "json") == whole
    assert sorted(spy["run"]) == ["f0", "f1", "f2", "f3"]
    for _ in range(2):  # writing the cache, then reading it
        assert check(tmp_path / "t", "--jobs", "2", "--cache-dir", str(tmp_path / "c"), "--format", "json") == whole


def test_results_from_workers_share_this_processs_path_strings(monkeypatch):
    """A worker's result comes back with its own copy of the path: the runner
    gives it (and its findings) the target's string, as one process has."""
    from daprlint import runner
    from daprlint.config import Settings
    from daprlint.discover import discover
    from daprlint.engine import Engine
    from daprlint.packs import load_packs

    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(runner, "_FORCED", True)
    engine = Engine(load_packs([]), Settings())
    targets = discover([str(REPO / "examples" / "bad")], [])
    results = lint_targets(engine, targets, jobs=2)
    assert len(results) == len(targets) > 2
    assert all(r.path is t.path for r, t in zip(results, targets))
    findings = [f for r in results for f in r.findings]
    assert findings and all(f.path is r.path for r in results for f in r.findings if f.path == r.path)

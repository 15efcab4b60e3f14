"""The warm named-file path (one file of a deployment, its context from the
cache): its shortcuts against the plain way, and what such a run imports and decodes."""
from __future__ import annotations

import os
import posixpath

from hypothesis import given, settings, strategies as st

from daprlint import workspace
from daprlint.abspaths import Absolute

PART = st.sampled_from(["a", "b", ".", "..", "", "x.yaml", "kustomization.yaml", "Chart.yaml", "dapr.yaml"])
PATHS = st.builds(lambda lead, parts: lead + "/".join(parts), st.sampled_from(["", "/", "//", "./", "../"]),
                  st.lists(PART, min_size=1, max_size=5))


def _plain_context_paths(found, named):
    """workspace.context_paths as it was written first: abspath, dirname and basename for every path."""
    named = [os.path.abspath(p) for p in named]
    folders = {os.path.dirname(p) for p in named}
    charts = {os.path.dirname(os.path.abspath(p)) for p in found if os.path.basename(p) == "Chart.yaml"}
    chart_roots = {c + os.sep for c in charts if any(p.startswith(c + os.sep) for p in named)}
    structure = ("kustomization.yaml", "kustomization.yml", "Kustomization", "Chart.yaml", "dapr.yaml", "dapr.yml")
    return [path for path in found if os.path.abspath(path) not in set(named)
            and (os.path.dirname(os.path.abspath(path)) in folders
                 or os.path.basename(os.path.abspath(path)) in structure
                 or any(os.path.abspath(path).startswith(c) for c in chart_roots))]


@given(PATHS)
def test_normal_is_normpath_equality(path):
    normal = workspace._Normal()
    normal("/".join(path.split("/")[:-1] + ["other"]))  # the folder's answer is remembered first
    assert normal(path) == (posixpath.normpath(path) == path)


@given(st.lists(PATHS, max_size=12))
def test_absolute_is_abspath(paths):
    absolute = Absolute()
    assert [absolute(p) for p in paths] == [os.path.abspath(p) for p in paths]


@given(st.lists(st.text(st.sampled_from("ab./"), max_size=10), max_size=12))
def test_absolute_is_abspath_for_relative_and_odd_paths(paths):
    # relative paths, ".", "..", doubled and trailing separators, files at the root ("//x" stays "//x")
    absolute = Absolute()
    assert [absolute(p) for p in paths * 2] == [os.path.abspath(p) for p in paths * 2]


@settings(max_examples=300)
@given(st.lists(PATHS, max_size=12), st.lists(PATHS, min_size=1, max_size=3))
def test_context_paths_agree_with_the_plain_way(found, named):
    assert workspace.context_paths(found, named) == _plain_context_paths(found, named)


@given(st.lists(PATHS, max_size=12), st.sampled_from(["/", "/work", "/work/a", "/tmp/x/y"]))
def test_shown_agrees_with_the_plain_way(paths, cwd):
    shown = workspace._shown_from(cwd)
    prefix = cwd.rstrip("/") + "/"
    for path in paths:
        if path.startswith(prefix) and posixpath.normpath(path) == path:
            expected = path[len(prefix):]
        else:
            try:
                rel = os.path.relpath(path, cwd)
            except ValueError:  # no path at all
                rel = path
            expected = path if rel.startswith("../..") else rel
        assert shown(path) == expected


# -- what a warm named-file run imports and decodes -----------------------------------
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from conftest import DYNAMODB_WITHOUT_REGION  # noqa: E402
from daprlint import cache as cache_module  # noqa: E402

PROBE = """
import json, sys
from daprlint import cache
counts = {"result_of": 0, "reported": 0, "context_hits": 0, "facts_chunks": []}
result_of, settled_digest, rows_of_chunk = (cache.ResultCache.result_of, cache.ResultCache.settled_digest,
                                            cache._Store.rows_of_chunk)
def counted_settled_digest(self, path, role, st):
    digest = settled_digest(self, path, role, st)
    counts["context_hits"] += digest is not None
    return digest
def counted_result_of(self, path, entry, reported=True):
    counts["result_of"] += 1
    counts["reported"] += bool(reported)
    return result_of(self, path, entry, reported)
def counted_rows_of_chunk(self, number):
    if self.kind == "facts":
        counts["facts_chunks"].append(self.chunks[number][0])
    return rows_of_chunk(self, number)
cache.ResultCache.result_of = counted_result_of
cache.ResultCache.settled_digest = counted_settled_digest
cache._Store.rows_of_chunk = counted_rows_of_chunk
from daprlint.cli import main
code = main(["check", "--cache-dir", sys.argv[1], sys.argv[2]])
counts["code"] = code
counts["modules"] = sorted(m for m in ("pathlib", "urllib.parse", "ipaddress", "yaml") if m in sys.modules)
print(json.dumps(counts), file=sys.stderr)
"""


def _kustomize_project(root, files: int):
    base = root / "base"
    base.mkdir(parents=True)
    (root / ".git").mkdir()
    names = []
    for i in range(files):
        name = f"{i:03d}-store.yaml"
        (base / name).write_text(DYNAMODB_WITHOUT_REGION.replace("name: ", f"name: s{i}-", 1), encoding="utf-8")
        names.append(name)
    (base / "kustomization.yaml").write_text("resources:\n" + "".join(f"- {n}\n" for n in names), encoding="utf-8")
    overlay = root / "overlays" / "prod"
    overlay.mkdir(parents=True)
    (overlay / "kustomization.yaml").write_text("namespace: prod\nresources:\n- ../../base\n", encoding="utf-8")
    return names


def _probe(cache, named: str, cwd) -> dict:
    proc = subprocess.run([sys.executable, "-c", PROBE, str(cache), named], capture_output=True, text=True, cwd=cwd)
    return json.loads(proc.stderr.strip().splitlines()[-1])


def test_a_warm_named_file_decodes_only_its_own_findings_and_the_structure_facts(tmp_path):
    """Served from a warm cache, a named file of a 40-file kustomize base:
    the 40 others are context, read by digest alone (no finding of theirs is
    built), and of the facts store only the two kustomizations' own chunks
    are decoded (for the roles); pathlib and PyYAML stay unimported."""
    project = tmp_path / "project"
    names = _kustomize_project(project, 40)
    time.sleep(cache_module.RACY_MARGIN_NS / 1e9 + 0.1)  # settled: the runs below read no file again
    cache = tmp_path / "cache"
    subprocess.run([sys.executable, "-m", "daprlint", "check", "--cache-dir", str(cache), "."], cwd=project,
                   capture_output=True, check=False)
    named = "base/" + names[7]
    first = _probe(cache, named, project)
    again = _probe(cache, named, project)
    assert again["code"] == first["code"] == 1          # the named file's own findings are reported
    assert again["modules"] == []
    assert again["reported"] == again["result_of"] == 1  # only the named file's findings are built
    # the rest of its deployment (39 files, 2 kustomizations): digests only, each once (workspace._roles
    # reads the kustomizations first, for the roles, and the run takes those results: workspace.Plan.linted)
    assert again["context_hits"] == 39 + 2
    assert sorted(set(again["facts_chunks"])) == [os.path.join("base", "kustomization.yaml"),
                                                   os.path.join("overlays", "prod", "kustomization.yaml")]


def test_a_warm_named_file_reports_what_a_cold_run_reports(tmp_path):
    project = tmp_path / "project"
    names = _kustomize_project(project, 12)
    cache = tmp_path / "cache"
    run = [sys.executable, "-m", "daprlint", "check", "--format", "json"]
    cold = subprocess.run(run + ["--no-cache", "base/" + names[3]], cwd=project, capture_output=True, text=True)
    subprocess.run(run + ["--cache-dir", str(cache), "."], cwd=project, capture_output=True, check=False)
    for _ in range(2):
        warm = subprocess.run(run + ["--cache-dir", str(cache), "base/" + names[3]], cwd=project,
                              capture_output=True, text=True)
        assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout)


def _plain_tree_key(results, context):
    """cache.tree_key as first written: one f-string per file through a helper, in a generator."""
    from daprlint.cache import blake2b

    if any(r.digest is None for r in results) or any(r.digest is None for r in context):
        return None
    key = blake2b(os.getcwd().encode("utf-8", "surrogateescape"), digest_size=16)
    text = lambda d: d.hex() if type(d) is bytes else d  # noqa: E731
    for group in (results, None, context):
        if group is None:
            key.update(b"\n\0context")
            continue
        key.update("".join(f"\n{r.path}\0{text(r.digest)}" for r in group).encode("utf-8", "surrogateescape"))
    return key.hexdigest()


RESULT = st.tuples(st.text(min_size=1, max_size=8), st.one_of(st.binary(min_size=16, max_size=16),
                                                               st.just("-"), st.none()))


@given(st.lists(RESULT, max_size=6), st.lists(RESULT, max_size=6))
def test_tree_key_is_the_plain_one(results, context):
    from daprlint.cache import tree_key
    from daprlint.results import FileResult

    def made(rows):
        out = []
        for path, digest in rows:
            r = FileResult(path)
            r.digest = digest
            out.append(r)
        return out

    assert tree_key(made(results), made(context)) == _plain_tree_key(made(results), made(context))

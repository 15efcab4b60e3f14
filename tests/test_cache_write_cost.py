"""The shortcuts that make a cold run's cache writes cheap (issue 16, bar B1), against the plain path.

- facts.FileFacts.to_json writes a Ref as one flat tuple, an empty part as
  the empty tuple and a file without facts as None: facts -> to_json ->
  marshal -> from_json must give the very facts back, empty or not;
- ResultCache.put writes empty findings and suppressions as the empty
  tuple, holds no list of the result's (the deployment rules append to
  them later), and an entry() on a cache with no store is a miss at once;
- runner._lint_here lets go of a stored file's secret spans when nothing
  in the run masks them: a warm run that does show frames still masks
  every secret (it has them from the cache).
"""
from __future__ import annotations

import marshal
import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import FIXTURES, REPO, cache_engine, run_cli
from daprlint import cache as cache_module
from daprlint.cache import FINDINGS, SECRET_SPANS, SUPPRESSIONS, ResultCache, stored_rows
from daprlint.facts import (FileFacts, KustomizationFacts, Ref, ResourceFacts, RunAppFacts, RunFileFacts,
                            SecretFacts, SecretRef, WorkloadFacts)
from daprlint.results import FileResult, Finding
from daprlint.span import Span

PATH = "team/svc/a.yaml"
names = st.text(min_size=1, max_size=12)
ints = st.integers(min_value=0, max_value=2**40)
spans = st.builds(Span, ints, ints, ints, ints, ints, ints)
refs = st.builds(Ref, names, st.just(PATH), spans)
maybe_refs = st.none() | refs
ref_lists = st.lists(refs, max_size=3)

resources = st.builds(
    ResourceFacts, st.just(PATH), names, names, maybe_refs, st.text(max_size=8), st.text(max_size=12),
    st.none() | ref_lists, maybe_refs, maybe_refs, ref_lists, st.booleans(),
    st.lists(st.builds(SecretRef, names, refs, maybe_refs), max_size=3), ref_lists,
    st.lists(st.tuples(st.sampled_from(["timeout", "retry"]), refs).map(list), max_size=2),
    st.dictionaries(st.sampled_from(["timeouts", "retries"]), st.lists(names, max_size=2)),
    st.none() | st.tuples(maybe_refs, st.none() | names, st.none() | st.booleans()).map(list))
workloads = st.builds(WorkloadFacts, st.just(PATH), names, maybe_refs, st.text(max_size=8), st.none() | names,
                      maybe_refs, st.booleans(), maybe_refs)
secrets = st.builds(SecretFacts, st.just(PATH), names, refs, st.text(max_size=8), st.none() | st.lists(names))
run_files = st.builds(RunFileFacts, st.lists(st.builds(RunAppFacts, maybe_refs, maybe_refs, ref_lists, maybe_refs),
                                             max_size=2), ref_lists, maybe_refs)
kustomizations = st.builds(KustomizationFacts, st.text(max_size=8), ref_lists, ref_lists,
                           st.lists(st.tuples(refs, st.none() | st.lists(names)).map(list), max_size=2))
file_facts = st.builds(FileFacts, st.just(PATH), st.lists(resources, max_size=2), st.lists(workloads, max_size=2),
                       st.lists(secrets, max_size=2), st.none() | run_files, st.none() | kustomizations,
                       st.none() | names)


def _through_the_store(facts: FileFacts) -> FileFacts:
    """What a warm run reads back of what a cold run stored (marshal, as the facts store writes it)."""
    return FileFacts.from_json(facts.path, marshal.loads(marshal.dumps(facts.to_json(), marshal.version)))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(file_facts)
def test_facts_come_back_from_the_store_as_they_went_in(facts):
    back = _through_the_store(facts)
    assert back == facts
    for resource in back.resources:  # spans come back as Spans (rules read .line, .column)
        if resource.name is not None:
            assert type(resource.name.span) is Span and resource.name.span.line == resource.name.span[2]


def test_a_file_without_facts_is_stored_as_none_and_reads_back_as_empty_facts():
    assert FileFacts(PATH).to_json() is None
    assert _through_the_store(FileFacts(PATH)) == FileFacts(PATH)
    assert FileFacts(PATH, chart="").to_json() is not None  # a Chart.yaml without a name is still a chart
    assert FileFacts(PATH, kustomization=KustomizationFacts("", [], [], [])).to_json() is not None


def _fixture_facts() -> list[FileFacts]:
    from daprlint.config import Settings
    from daprlint.engine import Engine
    from daprlint.packs import load_packs

    engine = Engine(load_packs(), Settings())
    found = []
    for folder, _, files in os.walk(FIXTURES):
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                facts = engine.lint_path(os.path.join(folder, name)).facts
                if facts is not None:
                    found.append(facts)
    return found


def test_the_facts_of_every_fixture_come_back_from_the_store():
    found = _fixture_facts()
    assert sum(1 for f in found if f.to_json() is None) >= 5  # files without facts: the shortcut is taken
    assert sum(1 for f in found if f.resources) > 50
    assert any(f.kustomization is not None for f in found) and any(f.run_file is not None for f in found)
    for facts in found:
        assert _through_the_store(facts) == facts, facts.path


# -- ResultCache.put ---------------------------------------------------------------
@pytest.fixture
def make_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    engine = cache_engine(tmp_path, collects_facts=True)
    return lambda: ResultCache(str(tmp_path / "c" / "v1"), engine)


def _result(path: str, findings, suppressions) -> FileResult:
    result = FileResult(path)
    result.findings, result.suppressions, result.secret_spans = findings, suppressions, ()
    result.digest = cache_module.digest_of_bytes(path.encode())
    result.facts = FileFacts(path)
    return result


@pytest.mark.parametrize("suppressions", [None, [], ()])
def test_empty_findings_and_suppressions_read_back_as_the_plain_path_gave_them(make_cache, suppressions):
    cache = make_cache()
    cache.put("a/x.yaml", os.stat(__file__), _result("a/x.yaml", (), suppressions))
    cache.save()
    entry = make_cache().entry("a/x.yaml")
    served = make_cache().result_of("a/x.yaml", entry)
    assert served.findings == [] and served.secret_spans == []
    assert served.suppressions == (None if suppressions is None else [])  # None: read from the text later
    assert make_cache().facts_of("a/x.yaml", entry[cache_module.DIGEST]) == FileFacts("a/x.yaml")


def test_a_stored_row_holds_no_list_of_the_result(make_cache, monkeypatch):
    """The row is encoded SPOOL_BATCH rows later; the deployment rules append to a result's findings meanwhile."""
    finding = Finding("a/x.yaml", Span(0, 1, 0, 0, 0, 1), "DPR001", "x", "error", "m")
    cache = make_cache()
    lists = {"empty": _result("a/x.yaml", [], []), "one": _result("a/y.yaml", [finding], [])}
    for result in lists.values():
        cache.put(result.path, os.stat(__file__), result)
    for result in lists.values():  # tree.add_findings, after put()
        result.findings.append(Finding(result.path, Span(0, 1, 0, 0, 0, 1), "XRF001", "y", "error", "later"))
        result.suppressions.append("not a suppression")
    cache.save()
    _, rows = stored_rows(cache.file)
    by_path = {row[0]: row for row in rows}
    assert list(by_path["a/x.yaml"][FINDINGS]) == [] and list(by_path["a/x.yaml"][SUPPRESSIONS]) == []
    assert [d[9] for d in by_path["a/y.yaml"][FINDINGS]] == ["m"]
    assert list(by_path["a/y.yaml"][SECRET_SPANS]) == []


def test_an_entry_on_a_cache_with_no_store_is_a_miss_that_decodes_nothing(make_cache, monkeypatch):
    cache = make_cache()
    asked = []
    monkeypatch.setattr(cache_module._Store, "rows", lambda self, folder: asked.append(folder) or {})
    assert cache.entry("a/x.yaml") is None and asked == []
    monkeypatch.undo()
    cache.put("a/x.yaml", os.stat(__file__), _result("a/x.yaml", (), []))
    assert cache.entry("a/x.yaml") is None  # stored this run: a miss until saved (put's docstring)
    cache.save()
    assert cache.entry("a/x.yaml") is not None  # the language server's cache goes on after save()


# -- a cold run without frames, then a warm one with them ------------------------------
SECRET = "Planted-Secret-0042"


def test_a_cold_json_run_lets_go_of_secrets_yet_a_warm_full_run_masks_them(tmp_path):
    work = tmp_path / "tree"
    shutil.copytree(REPO / "examples", work, ignore=shutil.ignore_patterns("__pycache__"))
    (work / "mail.yaml").write_text(f"""\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: mail  # the password is {SECRET}
spec:
  type: bindings.smtp
  version: v1
  metadata:
  - name: password
    value: "{SECRET}"
""")
    base = ["check", "--isolated"]
    cache = ["--cache-dir", str(tmp_path / "cache")]
    plain = {fmt: run_cli(*base, "--no-cache", "--format", fmt, str(work)).stdout for fmt in ("json", "full")}
    assert run_cli(*base, *cache, "--format", "json", str(work)).stdout == plain["json"]  # writes the cache
    warm = run_cli(*base, *cache, "--format", "full", str(work)).stdout
    assert warm == plain["full"] and b" | " in warm and b"SEC001" in warm
    assert SECRET.encode() not in warm

"""The generated per-type answers (rules/generated/answers/, scripts/gen_answers.py) are the
answers of the run-time path.

dapr.generated_answers gives, for the default release, what DPR004 (its plan), DPR006 (its
value rules), DPR005 (dapr.deprecated_fields), dapr.reads_name (DPR003, AWS001) and
dapr.is_sensitive would otherwise work out from a type's data file. Here every spec.type and
version of the data is compared with that path, answer by answer, in order and in type (tuples
stay tuples, sets sets); reads_name over every spelling the data names and arbitrary others;
whole runs with and without the generated answers; and the generator's --check keeps the
committed files fresh.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daprlint import dapr, versions
from daprlint.config import Settings
from daprlint.engine import Engine
from daprlint.packs import PackData, PackError, builtin_pack_path, load_packs

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
import gen_answers  # noqa: E402

SOME = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _rule(prefix: str):
    path = next((REPO / "rules" / "dapr").glob(prefix + "_*.py"))
    spec = importlib.util.spec_from_file_location(f"_test_answers_{prefix}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DPR004, DPR006 = _rule("dpr004"), _rule("dpr006")


class LiveOnly(PackData):
    """PackData without the generated answers: every question takes the run-time path."""

    def json(self, relpath: str):
        if relpath.startswith(dapr.ANSWERS):
            raise PackError(f"hidden: {relpath}")
        return super().json(relpath)


def _fresh() -> PackData:
    return PackData([builtin_pack_path()])


def _live() -> PackData:
    return LiveOnly([builtin_pack_path()])


def same(a, b) -> bool:
    """Equal, of the same types all the way down, dicts with their keys in the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b  # sets compare by content: their order is not part of the answer


def _pairs():
    data = _fresh()
    target = versions.resolve(data)
    return [(t, v) for t in gen_answers.type_keys(data) for v in gen_answers.version_keys(data, t, target)]


PAIRS = _pairs()


# -- the committed files ------------------------------------------------------------------
def test_the_generator_check_passes_and_does_not_depend_on_hash_order():
    """--check regenerates every file (twice, under different hash seeds) and compares bytes."""
    runs = [subprocess.Popen([sys.executable, str(REPO / "scripts" / "gen_answers.py"), "--check"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO,
                             env={**os.environ, "PYTHONHASHSEED": seed}) for seed in ("1", "2")]
    for proc in runs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, out


def test_check_reports_a_changed_and_a_stale_file(tmp_path):
    out = tmp_path / "answers"
    assert gen_answers.main(["--out", str(out)]) == 0
    assert gen_answers.main(["--out", str(out), "--check"]) == 0
    some = sorted(out.iterdir())[0]
    some.write_text(some.read_text(encoding="utf-8").replace('"release": "', '"release": "0', 1), encoding="utf-8")
    assert gen_answers.main(["--out", str(out), "--check"]) == 1
    assert gen_answers.main(["--out", str(out)]) == 0
    (out / "nosuch.type.json").write_text("{}", encoding="utf-8")
    assert gen_answers.main(["--out", str(out), "--check"]) == 1
    assert gen_answers.main(["--out", str(out)]) == 0 and not (out / "nosuch.type.json").exists()


def test_every_type_with_a_data_file_has_answers_for_every_version():
    data = _fresh()
    with_file = [(t, v) for t, v in PAIRS if dapr.answers_file(t, data)]
    assert len({t for t, _ in with_file}) >= 160 and len(with_file) >= 165
    for type_key, version in with_file:
        assert dapr.generated_answers(gen_answers.stub(type_key, version), data) is not None, (type_key, version)
    for type_key, version in PAIRS:
        if not dapr.answers_file(type_key, data):  # no data file: nothing for the run-time path to load
            assert dapr.generated_answers(gen_answers.stub(type_key, version), data) is None


def test_component_data_is_per_minor_release():
    """The generated answers hold for any patch of the default release (a configured 1.18.1 uses
    them): the component data names minor releases only, so no answer can depend on the patch."""
    data = _fresh()
    minor = set(versions.known_releases(data)) | {versions.MASTER}
    names = set()

    def spans(value):  # [[since, until], ...], or {value: [[since, until], ...]}
        for item in (value.values() if isinstance(value, dict) else value):
            if isinstance(item, dict) or (item and isinstance(item[0], list)):
                spans(item)
            else:
                names.update(r for r in item if isinstance(r, str))

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("since", "until") and isinstance(item, str):
                    names.add(item)
                elif key == "gaps" or key.startswith("code"):
                    spans(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for type_key in gen_answers.type_keys(data):
        walk(versions._types(data).get(type_key))
        walk(versions._type_file(data, type_key))
    assert names and names <= minor, sorted(names - minor)


# -- each answer against the run-time path ---------------------------------------------------
@pytest.mark.parametrize("type_key,version", PAIRS)
def test_generated_answers_are_the_run_time_answers(type_key, version):
    data, live = _fresh(), _live()
    target = versions.resolve(data)
    entry = dapr.generated_answers(gen_answers.stub(type_key, version), data, target)
    if entry is None:
        assert not dapr.answers_file(type_key, data)
        return
    resource = gen_answers.stub(type_key, version)
    assert same(DPR004.plan_from_answers(entry), DPR004._make_plan(type_key, version, None, live, target))
    assert same(DPR006.rules_from_answers(entry), DPR006._compute(resource, type_key, live))
    assert same(dapr.deprecated_from_answers(entry), dapr._deprecated_fields(resource, live, target))
    fields = dapr._fields_of(resource, live)
    assert entry["sensitive"] == {k for k, info in fields.items() if info.get("sensitive")}
    for key in [*fields, "password", "nosuchfield", "redishost", "accountkey", "token"]:
        assert dapr.is_sensitive(gen_answers.stub(type_key, version), key, data) == \
            dapr._is_sensitive(dapr.field_info(resource, key, live), key, live), key
    for spelling in _spellings(type_key, version, live, target):
        assert _generated_reads(entry, spelling) is dapr._reads_name(resource, spelling, live, target), spelling


def _generated_reads(entry, spelling):
    table = entry["reads"]
    return table.answer(spelling) if table is not None else None


def _spellings(type_key: str, version: str, data, target) -> list[str]:
    """Every name the data says anything about for the type, in its spellings and others, and
    names made to match (or nearly match) its key patterns and placeholder names."""
    names = set(dapr._hand_names(type_key, version, data, target))
    entry = versions._version_entry(data, type_key, version) or {}
    for lower, f in entry.get("fields", {}).items():
        names.update((lower, f.get("name") or lower))
        names.update(s for s in (f.get("code_exact") or {}))
    for group in data.json(dapr.FIELD_EXTRAS)["groups"]:
        names.update(group.get("aliases", {}))
        names.update(group.get("deprecated", {}))
        names.update(group.get("names", ()))
    for alias in data.json(dapr.AWS)["aliases"]:
        names.update((alias["alias"], alias["canonical"]))
    names.update(n.get("name") or k for k, n in (versions.fields(data, type_key, version, target) or {}).items())
    made = set()
    for name in names:
        made.update((name, name.lower(), name.upper(), name.swapcase(), name[:1].upper() + name[1:], name + " ",
                     name + "\n", name + "x"))
        if "*" in name:
            made.update(name.replace("*", fill) for fill in ("", "a", "abc", "a\n", "\n", "*"))
        if "<" in name and ">" in name:
            import re

            made.update(re.sub(r"<[^>]*>", fill, name) for fill in ("", "orders", "a\n"))
            made.update(re.sub(r"<[^>]*>", "orders", name) + tail for tail in ("\n", "x", " "))
    made.update(("", " ", "nosuchfield", "region", "awsRegion", "REGION", "header:x", "variable:a", "x.jsonschema"))
    return sorted(made)


# -- when the run-time path answers instead -----------------------------------------------------
def test_other_targets_and_release_views_take_the_run_time_path():
    data = _fresh()
    resource = gen_answers.stub("pubsub.kafka", "v1")
    default = versions.resolve(data)
    assert dapr.generated_answers(resource, data, default) is not None
    assert dapr.generated_answers(resource, data, versions.resolve(data, default.release + ".1")) is not None
    assert dapr.generated_answers(resource, data, versions.resolve(data, "1.17")) is None
    assert dapr.generated_answers(resource, data, versions.resolve(data, "master")) is None
    newer = versions.resolve(data, "1.99")
    assert newer.release == default.release and newer.newer_than_known
    assert dapr.generated_answers(resource, data, newer) is None  # reads_name answers differently there
    view = versions.pack_data_for(data, "1.17")
    assert dapr.generated_answers(resource, view) is None
    assert dapr.generated_answers(gen_answers.stub("pubsub.kafka", "v9"), data) is None
    assert dapr.generated_answers(gen_answers.stub("nosuch.type", "v1"), data) is None


def test_a_run_loads_no_type_data_file_for_the_common_questions():
    """DPR004, DPR005, DPR006, reads_name and is_sensitive on a known type read only its answers."""
    data = _fresh()
    target = versions.resolve(data)
    resource = gen_answers.stub("state.redis", "v1")
    dapr.per_type(resource, data, "DPR004", lambda r: DPR004._make_plan("state.redis", "v1", None, data, target),
                  target, DPR004.plan_from_answers)
    DPR006._rules(resource, data)
    dapr.deprecated_fields(resource, data, target)
    dapr.reads_name(resource, "redisHost", data, target)
    dapr.reads_name(resource, "redisHots", data, target)
    dapr.is_sensitive(resource, "redispassword", data)
    assert not [rel for rel in data._cache if rel.startswith("generated/components/")]
    assert "generated/answers/state.redis.json" in data._cache


def test_a_pack_without_answers_takes_the_run_time_path():
    live = _live()
    resource = gen_answers.stub("state.redis", "v1")
    assert dapr.generated_answers(resource, live) is None
    assert dapr.reads_name(resource, "redisHost", live, versions.resolve(live)) is True


def test_answers_made_for_another_default_release_are_not_used(tmp_path):
    import shutil

    copy = tmp_path / "rules"
    shutil.copytree(REPO / "rules", copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / "generated" / "answers" / "state.redis.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"release": "', '"release": "0', 1), encoding="utf-8")
    data = PackData([str(copy)])
    assert dapr.generated_answers(gen_answers.stub("state.redis", "v1"), data) is None
    assert dapr.generated_answers(gen_answers.stub("state.postgresql", "v1"), data) is not None


# -- arbitrary names, and whole runs ------------------------------------------------------------
TYPE_VERSION = st.sampled_from([p for p in PAIRS if dapr.answers_file(p[0], _fresh())])
NAME = st.one_of(st.text(max_size=12), st.sampled_from(["region", "Region", "awsRegion", "header:a", "variable:",
                                                         "a.jsonschema", "redisHost", "brokers", "consumerID"]),
                 st.tuples(st.sampled_from(["header:", "variable:", "", "x."]), st.text(max_size=4)).map("".join))


@SOME
@given(TYPE_VERSION, st.lists(NAME, min_size=1, max_size=8))
def test_reads_name_from_the_generated_table_on_arbitrary_names(type_version, spellings):
    type_key, version = type_version
    data, live = _fresh(), _live()
    target = versions.resolve(data)
    for spelling in spellings:
        assert dapr.reads_name(gen_answers.stub(type_key, version), spelling, data, target) is \
            dapr.reads_name(gen_answers.stub(type_key, version), spelling, live, target), spelling


def _engine(data_class) -> Engine:
    ruleset = load_packs()
    ruleset.data = data_class(ruleset.packs)
    return Engine(ruleset, Settings())


def _findings(engine, path: str, text: str):
    result = engine.finalize(engine.lint_text(path, text))
    return [(f.code, f.span, f.message, f.fix is not None) for f in result.findings], result.secret_spans


def _manifests() -> list[Path]:
    found = sorted((REPO / "tests" / "fixtures").rglob("*.yaml")) + sorted((REPO / "examples").rglob("*.yaml"))
    return [p for p in found if "kind: Component" in p.read_text(encoding="utf-8", errors="replace")]


def test_the_fixtures_and_examples_give_the_same_findings_without_the_generated_answers():
    generated, live = _engine(PackData), _engine(LiveOnly)
    manifests = _manifests()
    assert len(manifests) > 50
    for path in manifests:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert _findings(generated, str(path), text) == _findings(live, str(path), text), path


ITEM_NAMES = st.sampled_from(["redisHost", "redisPassword", "region", "awsRegion", "accessKey", "secretKey",
                              "schedule", "authType", "RedisHost", "initTimeout", "connectionString", "nosuchfield",
                              "brokers", "consumerID", "ttlInSeconds", "TTLInSeconds", "useAzureAD", "header:x",
                              "queueName", "direction", "url", "host", "password", "dialTimeout", ""])
ITEM_VALUES = st.sampled_from(["true", "no", "us-east-1", "30s", "abc", "", "1", "input", "p4ss", "host:1"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(TYPE_VERSION, st.lists(st.tuples(ITEM_NAMES, ITEM_VALUES), max_size=6)),
                min_size=1, max_size=4))
def test_components_give_the_same_findings_without_the_generated_answers(components):
    generated, live = _engine(PackData), _engine(LiveOnly)
    for (type_key, version), items in components:
        lines = ["apiVersion: dapr.io/v1alpha1", "kind: Component", "metadata:", "  name: c", "spec:",
                 f"  type: {type_key}", f"  version: {version}", "  metadata:"]
        for name, value in items:
            lines += [f"  - name: {name!r}", f"    value: {value!r}"]
        text = "\n".join(lines) + "\n"
        assert _findings(generated, "c.yaml", text) == _findings(live, "c.yaml", text)

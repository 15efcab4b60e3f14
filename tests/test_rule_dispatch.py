"""TYPES: the engine calls a rule only for the spec.types it declares, and that
changes no finding.

A rule's TYPES (docs/writing-rules.md) lets the engine pick the rules per
(kind, type) once per run instead of calling every rule for every resource.
These tests compare the filtered dispatch with calling every rule of the
resource's kinds, over every fixture and example and over arbitrary
Components, and check that a rule left out would have said nothing.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daprlint import loader, model
from daprlint.config import Settings
from daprlint.engine import Engine, type_filter
from daprlint.packs import PackError, Rule, _validated, builtin_pack_path, load_packs
from daprlint.rulekit import RuleContext

REPO = Path(__file__).resolve().parents[1]
RULES = load_packs()
SOME = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EVERY_RULE = Settings(extend_select=[r.code for r in RULES.rules.values() if r.opt_in])


class _CallEveryRule(Engine):
    """The engine as it was before TYPES: every rule of the resource's kind is called."""

    def _applies(self, rule, type_key):
        return True


def _findings(eng: Engine, path: str, text: str) -> list:
    result = eng.finalize(eng.lint_text(path, text))
    return [(f.span, f.code, f.message, f.severity, f.fix.description if f.fix else None) for f in result.findings]


def _files() -> list[Path]:
    found = []
    for root in (REPO / "tests" / "fixtures", REPO / "examples"):
        found += sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return found


def test_some_builtin_rules_declare_types():
    declared = {r.code for r in RULES.rules.values() if r.types is not None}
    assert {f"AWS00{i}" for i in range(1, 9)} <= declared


@pytest.mark.parametrize("mode", ["kubernetes", "self-hosted"])
def test_filtered_dispatch_finds_what_calling_every_rule_finds_on_every_fixture(mode):
    options = {"mode": mode}
    filtered = Engine(RULES, Settings(extend_select=EVERY_RULE.extend_select, options=options))
    plain = _CallEveryRule(RULES, Settings(extend_select=EVERY_RULE.extend_select, options=options))
    files = _files()
    assert len(files) > 50
    compared = 0
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        assert _findings(filtered, str(path), text) == _findings(plain, str(path), text), path
        compared += 1
    assert compared > 50


def test_the_filter_leaves_rules_out():
    """Not a vacuous comparison: a non-AWS Component gets none of the AWS rules."""
    eng = Engine(RULES, EVERY_RULE)
    codes = {r.code for r in eng._rules_for("Component", "state.redis")}
    assert not any(c.startswith("AWS") for c in codes) and "DPR001" in codes
    aws = {r.code for r in eng._rules_for("Component", "state.aws.dynamodb")}
    assert {f"AWS00{i}" for i in range(1, 9)} <= aws
    assert {f"AWS00{i}" for i in range(1, 9)} <= {r.code for r in eng._rules_for("Component", "pubsub.kafka")}


# -- arbitrary Components: a rule the filter leaves out reports nothing -------------------------
_KNOWN = sorted(json.loads((builtin_pack_path() / "generated" / "component-types.json").read_text()).get("types", {}))
_AWS_FILE = json.loads((builtin_pack_path() / "generated" / "aws.json").read_text())
TYPES = st.sampled_from(_KNOWN + sorted(_AWS_FILE["conditional"]) + ["", "State.AWS.DynamoDB ", "bindings.aws.",
                                                                      "pubsub.snssqs", "x"]) | st.text(max_size=12)
NAMES = st.sampled_from(["region", "awsRegion", "accessKey", "secretKey", "sessionToken", "endpoint",
                         "authType", "useAWSIAM", "trustAnchorArn", "assumeRoleArn", "awsAccessKey", "host"])
VALUES = st.sampled_from(["us-east-1", "us-east-1a", "AKIAIOSFODNN7EXAMPLE", "awsiam", "true",
                          "http://localhost:4566", "", "x"])


def _component(type_: str, items: list[tuple[str, str]]) -> str:
    doc = {"apiVersion": "dapr.io/v1alpha1", "kind": "Component", "metadata": {"name": "c"},
           "spec": {"type": type_, "version": "v1", "metadata": [{"name": n, "value": v} for n, v in items]}}
    return yaml.safe_dump(doc, sort_keys=False)


@SOME
@given(TYPES, st.lists(st.tuples(NAMES, VALUES), max_size=6))
def test_a_rule_left_out_by_its_types_would_have_reported_nothing(type_, items):
    text = _component(type_, items)
    source = loader.parse("c.yaml", text, False)
    resources = list(model.resources_of("c.yaml", source.documents))
    eng = Engine(RULES, EVERY_RULE)
    for resource in resources:
        chosen = {r.code for r in eng._rules_for(resource.kind_name, resource.type_key)}
        for rule in eng.rules_of_scope("resource"):
            if rule.code in chosen or not (resource.kind_name in rule.kinds or "*" in rule.kinds):
                continue
            ctx = RuleContext(path="c.yaml", text=text, options={}, data=RULES.data)
            ctx.resources = resources
            assert list(rule.check(resource, ctx) or ()) == [], (rule.code, type_)
    plain = _CallEveryRule(RULES, EVERY_RULE)
    assert _findings(eng, "c.yaml", text) == _findings(plain, "c.yaml", text)


# -- the declaration ------------------------------------------------------------------------------
class _Data:
    def __init__(self, files):
        self.files = files

    def json(self, name):
        if name not in self.files:
            raise PackError(name)
        return self.files[name]


def test_type_filter_reads_types_prefixes_and_pack_data():
    data = _Data({"d.json": {"list": ["State.A"], "map": {"b.x": 1}, "nested": {"a/b": ["c.y"]}}})
    exact, prefixes = type_filter(("state.redis", "bindings.aws.*", "data:d.json#/list", "data:d.json#/map",
                                   "data:d.json#/nested/a~1b"), data)
    assert exact == {"state.redis", "state.a", "b.x", "c.y"} and prefixes == ("bindings.aws.",)


@pytest.mark.parametrize("entry", ["data:missing.json#/x", "data:d.json#/nope", "data:d.json#/scalar",
                                   "data:d.json#/numbers"])
def test_unreadable_type_data_means_no_filter(entry):
    data = _Data({"d.json": {"scalar": "x", "numbers": [1, 2]}})
    assert type_filter((entry,), data) is None


def test_a_rule_whose_type_data_is_missing_is_called_for_every_type(monkeypatch):
    eng = Engine(RULES, EVERY_RULE)
    rule = next(r for r in eng.rules_of_scope("resource") if r.code == "AWS006")
    monkeypatch.setattr(rule, "types", ("data:no-such-file.json#/x",))
    assert rule in eng._rules_for("Component", "state.redis")


def _rule(**changes):
    fields = dict(code="ABC001", name="abc", severity="error", summary="s", fix="none", opt_in=False,
                  scope="resource", kinds=("Component",), check=lambda r, c: (), origin="x.py", pack=".")
    fields.update(changes)
    return Rule(**fields)


@pytest.mark.parametrize("types", [("State.Redis",), ("a*b",), ("data:/etc/x.json#/a",), ("data:../x.json#/a",),
                                   ("data:x.json",), (3,)])
def test_bad_types_entries_are_refused(types):
    with pytest.raises(PackError):
        _validated(_rule(types=types))


def test_types_is_for_resource_rules_only():
    with pytest.raises(PackError):
        _validated(_rule(types=("state.redis",), scope="workload"))
    assert _validated(_rule(types=("state.redis", "bindings.*", "data:x.json#/a"))).types


def test_the_index_carries_types():
    index = json.loads((builtin_pack_path() / "_index.json").read_text())
    entry = index["rules"]["aws/aws001_missing_region.py"]
    assert entry["types"] and all(t.startswith("data:") for t in entry["types"])
    assert index["rules"]["dapr/dpr001_invalid_component.py"]["types"] is None

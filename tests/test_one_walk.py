"""fast_check: the schema's verdict and "no unknown key" in one generated walk.

structure.schema_findings asks NodeValidator.fast_check in Kubernetes mode
and, when the resource is valid and closed, tells DPR011 that it has no
unknown key (so structure._Walk does not run). These tests hold the one walk
to the two it replaces: its `valid` is valid()'s, and a resource it calls
closed is one where the unknown-field walk finds nothing; over every real
document and over arbitrary variations.
"""
from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daprlint import loader, model, structure
from daprlint.packs import load_packs
from daprlint.rulekit import RuleContext
from daprlint.schema import NodeValidator, declared_properties

ROOT = Path(__file__).resolve().parent.parent
DATA = load_packs().data
KINDS = sorted(DATA.json(structure.MODES_FILE)["kinds"])


def _compiled(key: str, partial: bool) -> NodeValidator | None:
    """What schema_findings runs in Kubernetes mode, compiled from the first call."""
    rule_validator = structure._validator(DATA, key, structure.KUBERNETES, partial)
    if rule_validator is None:
        return None
    validator = NodeValidator(rule_validator.root, rule_validator.base, ignore_required=partial,
                              root_keys=rule_validator.root_keys)
    validator.COMPILE_AFTER = 0
    return validator


VALIDATORS = {(key, partial): _compiled(key, partial) for key in KINDS for partial in (False, True)}


def _walk_finds(resource, text: str) -> list:
    """structure._Walk's unknown keys, worked out afresh (no memo from fast_check)."""
    resource.memo.clear()
    ctx = RuleContext(path="x.yaml", text=text, options={"mode": structure.KUBERNETES}, data=DATA)
    return structure.unknown_fields(resource, ctx)


def _judge(resource, text: str) -> tuple[bool, bool, bool]:
    """(found closed, valid, unknown keys found) for each validator of the resource."""
    key = structure.crd_key(resource)
    outcomes = []
    for partial in (False, True):
        validator = VALIDATORS.get((key, partial))
        if validator is None:
            continue
        valid, closed = validator.fast_check(resource.node)
        assert valid == validator.valid(resource.node) == validator.fast_valid(resource.node), text
        unknown = _walk_finds(resource, text)
        if closed:
            assert valid and unknown == [], (text, [u.path for u in unknown])
        outcomes.append((closed, valid, bool(unknown)))
    return outcomes


def _documents():
    shared = ROOT.parent / "shared" / "corpus"
    for root in (ROOT / "examples", ROOT / "tests" / "fixtures", shared):
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix not in (".yaml", ".yml") or not path.is_file():
                continue
            try:
                text = path.read_text(encoding="utf-8")
                source = loader.parse(str(path), text)
            except (UnicodeDecodeError, loader.DecodeError):
                continue
            yield from ((text, r) for r in model.resources_of(str(path), source.documents))


def test_the_one_walk_agrees_with_the_two_on_real_documents():
    outcomes = []
    for text, resource in _documents():
        outcomes += _judge(resource, text)
    assert len(outcomes) > 100
    assert any(closed for closed, _, _ in outcomes)  # it clears resources (the point of it)
    assert any(valid and found for _, valid, found in outcomes)  # valid ones with unknown keys are not cleared


def test_declared_properties_is_what_the_walk_calls_known():
    for key in KINDS:
        schema = DATA.json("generated/crds/" + DATA.json(structure.MODES_FILE)["kinds"][key]["kubernetes"])
        stack = [schema]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                assert declared_properties(node) == structure._properties(node)
                stack += node.values()
            elif isinstance(node, list):
                stack += node


# -- arbitrary variations ---------------------------------------------------------------------------
BASES = {
    "Component": {"apiVersion": "dapr.io/v1alpha1", "kind": "Component", "metadata": {"name": "store"},
                  "spec": {"type": "state.redis", "version": "v1", "ignoreErrors": True, "initTimeout": "5s",
                           "metadata": [{"name": "redisHost", "value": "localhost:6379"},
                                        {"name": "pw", "secretKeyRef": {"name": "redis", "key": "pw"}}]},
                  "auth": {"secretStore": "kubernetes"}, "scopes": ["app1"]},
    "Subscription": {"apiVersion": "dapr.io/v2alpha1", "kind": "Subscription", "metadata": {"name": "s"},
                     "spec": {"pubsubname": "p", "topic": "t", "routes": {"default": "/x",
                              "rules": [{"match": "event.type == 'a'", "path": "/a"}]}, "metadata": {"k": "v"}},
                     "scopes": ["a"]},
    "Resiliency": {"apiVersion": "dapr.io/v1alpha1", "kind": "Resiliency", "metadata": {"name": "r"},
                   "spec": {"policies": {"timeouts": {"fast": "1s"}, "retries": {"r": {"policy": "constant",
                            "duration": "1s", "maxRetries": 3}}},
                            "targets": {"apps": {"a": {"timeout": "fast", "retry": "r"}}}}},
    "Configuration": {"apiVersion": "dapr.io/v1alpha1", "kind": "Configuration", "metadata": {"name": "c"},
                      "spec": {"tracing": {"samplingRate": "1", "zipkin": {"endpointAddress": "http://z"}},
                               "features": [{"name": "f", "enabled": True}],
                               "metric": {"enabled": True}}},
    "HTTPEndpoint": {"apiVersion": "dapr.io/v1alpha1", "kind": "HTTPEndpoint", "metadata": {"name": "h"},
                     "spec": {"baseUrl": "http://x", "headers": [{"name": "a", "value": "b"}]}},
}
KEYS = st.sampled_from(["name", "Name", "nmae", "value", "secretKeyRef", "key", "labels", "annotations", "uid",
                        "spec", "scopes", "scope", "type", "version", "metadata", "tracing", "enabled", "routes",
                        "rules", "path", "policies", "targets", "apps", "timeout", "headers", "baseUrl", "x", "?"])
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from(["", "x", "5s", "{{ .Values.x }}"]),
                   st.just([]), st.just({}), st.just([{"name": "n", "value": "v"}]), st.just({"name": "n"}),
                   st.just({"key": "k", "x": 1}), st.just([{"nmae": "n"}]))


def _places(value, prefix=()):
    yield prefix, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _places(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _places(v, prefix + (i,))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(BASES)), st.lists(st.tuples(st.integers(0, 200), KEYS, VALUES, st.booleans()),
                                                min_size=1, max_size=4))
def test_the_one_walk_agrees_with_the_two_on_variations(kind, edits):
    doc = json.loads(json.dumps(BASES[kind]))
    for where, key, value, replace in edits:
        value = json.loads(json.dumps(value))  # a fresh copy: st.just shares its object
        places = [(p, v) for p, v in _places(doc) if isinstance(v, dict)]
        path, target = places[where % len(places)]
        if replace and target:
            target[sorted(target)[where % len(target)]] = value
        else:
            target[key] = value
    text = yaml.safe_dump(doc, sort_keys=False)
    for resource in model.resources_of("x.yaml", loader.parse("x.yaml", text).documents):
        _judge(resource, text)


def test_the_generated_code_is_compiled_as_far_as_the_resources_reach():
    """Lazy compilation: a small Configuration compiles a few of its CRD's functions, and
    a later, larger one compiles more, with the same answers as valid()."""
    rule_validator = structure._validator(DATA, "dapr.io/v1alpha1/Configuration", structure.KUBERNETES, False)
    validator = NodeValidator(rule_validator.root, rule_validator.base, root_keys=rule_validator.root_keys)
    validator.COMPILE_AFTER = 0

    def compiled():
        env = validator._code.env if "_code" in validator.__dict__ else {}
        return sum(1 for name, fn in env.items() if name[:2] in ("_v", "_k") and fn.__name__ == name)

    small = "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: c\nspec: {}\n"
    node = loader.parse("c.yaml", small).documents[0]
    assert validator.fast_check(node) == (True, True)
    few = compiled()
    assert 0 < few < len(validator._plans) // 2
    text = yaml.safe_dump(BASES["Configuration"], sort_keys=False)
    node = loader.parse("c.yaml", text).documents[0]
    assert validator.fast_check(node)[0] == validator.valid(node)
    assert compiled() > few

"""The node validator against the reference `jsonschema` package.

DPR001, DPR010 and schema rules validate YAML nodes with daprlint's own
validator (src/daprlint/schema.py): an interpreted walk that locates errors,
and generated code for the common "is it valid?" question. Both must agree
with jsonschema (Draft 2020-12) on every schema the packs ship (the CRDs and
their kubernetes / self-hosted variants as daprlint.structure annotates
them), over the examples, the rule fixtures, ../shared/corpus and generated
variations.
"""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from referencing import Registry, Resource

from conftest import FIXTURES, SHARED
from daprlint import loader, model
from daprlint.schema import NodeValidator, Unsupported, to_python

ROOT = Path(__file__).resolve().parent.parent
CRDS = ROOT / "rules" / "generated" / "crds"


def _schema_files() -> dict[str, list[Path]]:
    """apiVersion/kind -> the schemas that apply (the CRD's, its lint variant)."""
    index = json.loads((CRDS / "index.json").read_text())
    out = {key: [CRDS / name] for key, name in index.items()}
    out["dapr.io/v1alpha1/Component"] += [CRDS / "component-v1alpha1.lint.schema.json"]
    return out


SCHEMAS = _schema_files()


class Pair:
    """daprlint's validator and jsonschema's, for one schema file."""

    def __init__(self, path: Path, schema: dict | None = None):
        schema = json.loads(path.read_text()) if schema is None else schema
        self.ours = NodeValidator(schema, path)
        self.ours.COMPILE_AFTER = 0  # the generated code from the first call: it is what these tests compare
        self.interpreted = NodeValidator(schema, path)  # never builds the generated code

        def retrieve(uri: str):
            return Resource.from_contents(json.loads((path.parent / uri).resolve().read_text()))

        self.reference = jsonschema.Draft202012Validator(schema, registry=Registry(retrieve=retrieve))

    def compare(self, node, where=""):
        valid = self.ours.valid(node)
        assert self.ours.fast_valid(node) == valid, where
        assert self.ours.fast_check(node)[0] == valid, where
        # issues() skips what the compiled functions find valid: the same issues as a whole walk
        assert _issues(self.ours, node) == _issues(self.interpreted, node), where
        ours = {p for _, p, _ in self.ours.errors(node)}
        assert (not ours) == valid, where
        theirs = {tuple(e.absolute_path) for e in self.reference.iter_errors(to_python(node))}
        assert (not theirs) == valid, where
        # the same places: an error of one is at, or inside, a place the other names
        for path in ours:
            assert any(path[:len(t)] == t for t in theirs), (where, path, theirs)
        for path in theirs:
            assert any(o[:len(path)] == path or path[:len(o)] == o for o in ours), (where, path, ours)
        return valid


def _issues(validator, node) -> list[tuple]:
    return [(id(i.node), i.path, i.keyword, i.message, i.name, i.expected) for i in validator.issues(node)]


_PAIRS: dict[Path, Pair] = {}


def _pairs(resource) -> list[Pair]:
    api = resource.api_version.value if resource.api_version else ""
    found = []
    for path in SCHEMAS.get(f"{api}/{resource.kind_name}", ()):
        if path not in _PAIRS:
            try:
                _PAIRS[path] = Pair(path)
            except Unsupported:  # such a schema runs on jsonschema itself: nothing to compare
                _PAIRS[path] = None
        if _PAIRS[path] is not None:
            found.append(_PAIRS[path])
    for mode in ("kubernetes", "self-hosted"):
        pair = _rule_validator(f"{api}/{resource.kind_name}", mode)
        if pair is not None:
            found.append(pair)
    return found


def _rule_validator(key, mode):
    """What DPR001 and DPR010 run: each mode's CRD variant with daprlint.structure's messages."""
    from daprlint import structure
    from daprlint.packs import load_packs

    memo = ("rule", key, mode)
    if memo not in _PAIRS:
        _PAIRS[memo] = None
        data = load_packs().data
        validator = structure._validator(data, key, mode, False)
        if validator is not None:
            info = data.json(structure.MODES_FILE)["kinds"][key]
            _PAIRS[memo] = Pair(CRDS / info[mode], validator.root)
    return _PAIRS[memo]


def _documents():
    for root in (ROOT / "examples", FIXTURES, SHARED / "corpus"):
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix not in (".yaml", ".yml") or not path.is_file():
                continue
            try:
                source = loader.load_bytes(str(path), path.read_bytes())
            except loader.DecodeError:
                continue
            yield from ((str(path), r) for r in model.resources_of(str(path), source.documents))


def test_validators_agree_on_real_documents():
    checked, invalid = 0, 0
    for where, resource in _documents():
        for pair in _pairs(resource):
            checked += 1
            invalid += not pair.compare(resource.node, where)
    assert checked > 50 and invalid > 0  # the DPR001 fixtures hold invalid Components


BASE = {"apiVersion": "dapr.io/v1alpha1", "kind": "Component", "metadata": {"name": "store"},
        "spec": {"type": "state.redis", "version": "v1", "ignoreErrors": True, "initTimeout": "5s",
                 "metadata": [{"name": "redisHost", "value": "localhost:6379"},
                              {"name": "redisPassword", "secretKeyRef": {"name": "redis", "key": "pw"}}]},
        "auth": {"secretStore": "kubernetes"}, "scopes": ["app1"]}
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from(["", "x", "5s", "1.5", "yes"]),
                   st.just([]), st.just({}), st.just(["a", {"b": 1}]), st.just({"name": "n"}))


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def _mutate(doc, path, value, delete):
    if not path:
        return value
    doc = json.loads(json.dumps(doc))
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


ALL_PATHS = list(_paths(BASE))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(ALL_PATHS), VALUES, st.booleans()), min_size=1, max_size=3),
       st.sampled_from(["Component", "Subscription", "Resiliency", "Configuration", "HTTPEndpoint"]))
def test_validators_agree_on_variations(mutations, kind):
    doc = dict(BASE, kind=kind)
    for path, value, delete in mutations:
        try:
            doc = _mutate(doc, path, value, delete)
        except (KeyError, IndexError, TypeError):
            continue
    if not isinstance(doc, dict):
        return
    text = yaml.safe_dump(doc, sort_keys=False)
    for resource in model.resources_of("x.yaml", loader.parse("x.yaml", text).documents):
        for pair in _pairs(resource):
            pair.compare(resource.node, text)


def test_unsupported_keywords_fall_back_to_jsonschema():
    with pytest.raises(Unsupported):
        NodeValidator({"type": "object", "dependentRequired": {"a": ["b"]}})


def test_issues_name_the_keyword_and_the_missing_field():
    schema = {"type": "object", "required": ["a", "b"], "properties": {
        "n": {"type": "integer"}, "s": {"type": "string", "pattern": "^x", "x-daprlint-messages": {"pattern": "bad s"}},
        "l": {"type": "array", "uniqueItems": True}}}
    node = yaml.compose("a: 1\nn: text\ns: y\nl: [1, 1]\n")
    issues = {(i.path, i.keyword): i for i in NodeValidator(schema).issues(node)}
    assert set(issues) == {((), "required"), (("n",), "type"), (("s",), "pattern"), (("l",), "uniqueItems")}
    assert issues[((), "required")].name == "b"
    assert issues[(("n",), "type")].expected == ("integer",)
    assert issues[(("s",), "pattern")].message == "bad s"  # x-daprlint-messages replaces a keyword's message
    assert [m for _, _, m in NodeValidator(schema).errors(node)]  # errors() is issues() as triples


@pytest.mark.parametrize("items, unique", [("[1, 2]", True), ("[1, 1]", False), ("[{a: 1}, {a: 1}]", False),
                                            ("[{a: 1}, {a: 2}]", True), ("['1', 1]", True), ("[]", True)])
def test_unique_items_agrees_with_jsonschema(items, unique):
    schema = {"type": "array", "uniqueItems": True}
    node = yaml.compose(items)
    ours = NodeValidator(schema)
    reference = jsonschema.Draft202012Validator(schema)
    assert ours.valid(node) is ours.fast_valid(node) is unique
    assert reference.is_valid(to_python(node)) is unique

"""Round five's shortcuts give the answers of the long way (see tests/test_hot_paths.py).

- structure._Walk marks a flat list item (known keys, scalar values) seen without
  walking it: DPR011's unknown fields are those of the plain walk;
- structure._with_messages copies only the dicts on its way, and the schema it
  gives equals a deep copy changed in place (the pack data stays as it was);
- loader._Loader (CParser alone, C callables for the resolver hooks) composes
  what CSafeLoader composes, anchors, merge keys and tags included.
"""
from __future__ import annotations

import copy
import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daprlint import loader, model, structure
from daprlint.rulekit import RuleContext
from daprlint.packs import load_packs

RULES = load_packs()
SOME = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KINDS = ["Component", "Configuration", "Resiliency", "Subscription", "HTTPEndpoint"]
API = {"Subscription": "dapr.io/v2alpha1"}
# known field names of several levels and kinds, near misses and case variants, templates
KEYS = st.sampled_from(["name", "namespace", "labels", "annotations", "type", "version", "metadata", "value",
                        "secretKeyRef", "key", "envRef", "auth", "secretStore", "scopes", "Scopes", "scope",
                        "tracing", "samplingRate", "features", "enabled", "policies", "targets", "timeouts",
                        "pubsubname", "topic", "routes", "default", "rules", "match", "path", "spec", "initTimeout",
                        "ignoreErrors", "secretstore", "Name", "nmae", "{{ .Values.k }}", "$patch", "x", "headers",
                        "handlers", "allowed", "appId", "operations", "action"])
LEAVES = st.sampled_from(["", "v", "1", "true", None, "{{ .Values.x }}"])


def _values(depth):
    if depth <= 0:
        return LEAVES
    return st.one_of(LEAVES, st.dictionaries(KEYS, st.deferred(lambda: _values(depth - 1)), max_size=4),
                     st.lists(st.deferred(lambda: _values(depth - 1)), max_size=3))


ITEMS = st.lists(st.one_of(st.dictionaries(KEYS, LEAVES, max_size=3), _values(2)), max_size=4)
RESOURCES = st.tuples(st.sampled_from(KINDS), st.dictionaries(KEYS, st.one_of(_values(3), ITEMS), max_size=5),
                      st.dictionaries(KEYS, _values(2), max_size=3), st.dictionaries(KEYS, _values(1), max_size=3))


class _PlainWalk(structure._Walk):
    """The walk without the flat-item shortcut (its node() before round five)."""

    def node(self, node, schema, path):
        if id(node) in self.seen:
            return
        self.seen.add(id(node))
        if node.__class__ is yaml.MappingNode:
            self.mapping(node, schema, path)
        elif node.__class__ is yaml.SequenceNode:
            items = schema.get("items")
            if isinstance(items, dict):
                for i, item in enumerate(node.value):
                    if item.__class__ is not yaml.ScalarNode:
                        self.node(item, items, path + (i,))


def _unknowns(walk):
    return [(u.key.start_mark.index, u.path, u.hint, u.suggested) for u in walk.found]


@SOME
@given(RESOURCES, st.sampled_from([structure.KUBERNETES, structure.SELF_HOSTED]), st.booleans())
def test_flat_items_give_the_unknown_fields_of_the_plain_walk(data, mode, anchored):
    kind, spec, extra, meta = data
    doc = {"apiVersion": API.get(kind, "dapr.io/v1alpha1"), "kind": kind, "metadata": {"name": "n", **meta},
           "spec": spec, **extra}
    text = yaml.safe_dump(doc)
    if anchored:  # the first list item of a mapping again at the top level, through an alias
        lines = text.splitlines()
        at = next((i for i, line in enumerate(lines) if line.lstrip().startswith("- ") and ":" in line), None)
        if at is not None:
            line = lines[at]
            dash = line.index("- ")
            lines[at] = line[:dash] + "- &i\n" + " " * (dash + 2) + line[dash + 2:]
            text = "\n".join(lines) + "\nagain:\n- *i\n"
    source = loader.parse("x.yaml", text)
    assert source.parse_error is None, text
    for resource in model.resources_of("x.yaml", source.documents):
        key = structure.crd_key(resource)
        info = RULES.data.json(structure.MODES_FILE)["kinds"].get(key)
        if info is None:
            continue
        ctx = RuleContext(path="x.yaml", text=text, options={"mode": mode}, data=RULES.data)
        schema = RULES.data.json("generated/crds/" + info[structure.KUBERNETES])
        fold = mode == structure.SELF_HOSTED and resource.kind_name not in structure.CASE_SENSITIVE_SELF_HOSTED
        fast, plain = structure._Walk(resource, ctx, schema, key, fold), _PlainWalk(resource, ctx, schema, key, fold)
        fast.mapping(resource.node, schema, ())
        plain.mapping(resource.node, schema, ())
        assert _unknowns(fast) == _unknowns(plain)
        assert fast.seen == plain.seen


def _with_messages_long_way(schema, pointer, messages):
    schema = copy.deepcopy(schema)
    target = schema
    for part in pointer.strip("/").split("/"):
        if not isinstance(target, dict) or part not in target:
            return schema
        target = target[part]
    if isinstance(target, dict):
        target["x-daprlint-messages"] = {**messages, **target.get("x-daprlint-messages", {})}
    return schema


def test_messages_are_added_on_a_copy_of_the_path_only():
    index = RULES.data.json(structure.MODES_FILE)["kinds"]
    for key, info in index.items():
        for mode in (structure.KUBERNETES, structure.SELF_HOSTED):
            original = RULES.data.json("generated/crds/" + info[mode])
            before = copy.deepcopy(original)
            fast, slow = original, original
            for at, messages in {**structure.MESSAGES, **structure.KIND_MESSAGES.get(key, {})}.items():
                fast = structure._with_messages(fast, at, messages)
                slow = _with_messages_long_way(slow, at, messages)
            assert fast == slow
            assert original == before  # the shared pack data is unchanged


SCALARS = st.sampled_from(["a", "1", "yes", "~", "", "1.5", "<<", "null", "0x1F", "'q'", '"d"', "{{ x }}"])


@st.composite
def documents(draw, depth=3):
    lines = []
    anchors = []

    def block(indent, level):
        for i in range(draw(st.integers(1, 3))):
            key = f"k{i}"
            pad = " " * indent
            choice = draw(st.integers(0, 4 if level < depth else 1))
            if choice == 0 or (choice == 4 and not anchors):
                lines.append(f"{pad}{key}: {draw(SCALARS)}")
            elif choice == 1:
                lines.append(f"{pad}{key}: [{', '.join(draw(st.lists(SCALARS, max_size=3)))}]")
            elif choice == 2:
                name = f"a{len(anchors)}"
                anchors.append(name)
                lines.append(f"{pad}{key}: &{name}")
                block(indent + 2, level + 1)
            elif choice == 3:
                lines.append(f"{pad}{key}:")
                lines.append(f"{pad}- {draw(SCALARS)}")
                lines.append(f"{pad}- x: {draw(SCALARS)}")
            else:
                lines.append(f"{pad}{key}: *{draw(st.sampled_from(anchors))}")

    block(0, 0)
    return "\n".join(lines) + "\n"


def _shape(node, seen=None):
    """The node's tag, text, style and marks; a node met again (an alias) as the order it was first met in."""
    seen = {} if seen is None else seen
    if id(node) in seen:
        return ("*", seen[id(node)])
    seen[id(node)] = len(seen)
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.value, node.style, node.start_mark.index, node.end_mark.index,
                node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.SequenceNode):
        return (node.tag, node.flow_style, node.start_mark.index, [_shape(v, seen) for v in node.value])
    return (node.tag, node.flow_style, node.start_mark.index,
            [(_shape(k, seen), _shape(v, seen)) for k, v in node.value])


@SOME
@given(st.lists(documents(), min_size=1, max_size=3))
def test_the_lean_loader_composes_what_csafeloader_composes(docs):
    text = "---\n".join(docs)
    try:
        expected = [_shape(d) for d in yaml.compose_all(text, Loader=yaml.CSafeLoader)]
    except yaml.YAMLError:
        return
    # an alias is the node of its anchor in both (the shapes say where a node is met again)
    assert [_shape(d) for d in yaml.compose_all(text, Loader=loader._Loader)] == expected

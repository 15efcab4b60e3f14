"""Round five's shortcuts give the answers of the long way (see tests/test_hot_paths.py).

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

from daprlint import loader, structure
from daprlint.packs import load_packs

RULES = load_packs()
SOME = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

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

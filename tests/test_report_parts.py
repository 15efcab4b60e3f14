"""The report in pieces (report.pretty_json_parts) is valid JSON laid out as pretty_json promises."""
from __future__ import annotations

import json

from hypothesis import given, strategies as st

from daprlint.report import pretty_json, pretty_json_parts
from daprlint.report.escape import json_text

keys = st.text(min_size=1, max_size=5)
scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.just("##[x")
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
                      max_leaves=12)


@given(st.dictionaries(keys, values, max_size=4), st.lists(values, max_size=4))
def test_pieces_read_back_as_the_document_one_item_a_line(doc, items):
    doc = dict(doc, findings=items)
    parts = list(pretty_json_parts(dict(doc, findings=iter(items)), flat=("findings",)))  # a generator, as reports pass
    text = "".join(parts)
    assert json.loads(text) == doc and text == pretty_json(doc, flat=("findings",))
    lines = [line.strip().rstrip(",") for line in text.split("\n")]
    encode = json.JSONEncoder(ensure_ascii=False).encode
    assert all(json_text(encode(item)) in lines for item in items)  # one line a finding

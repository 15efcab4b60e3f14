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


# -- a finding's line, written without its dict (json_report.finding_line) ---------
from daprlint.report import json_report  # noqa: E402
from daprlint.results import Finding  # noqa: E402
from daprlint.rulekit import Edit, Fix  # noqa: E402
from daprlint.span import Span  # noqa: E402

# any text: quotes, backslashes, controls, non-ASCII, lone surrogates (undecodable file names)
texts = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=12) | st.just('"\\\n##[')
fixes = st.none() | st.builds(Fix, texts, st.lists(st.builds(Edit, st.just(0), st.just(1), texts), max_size=2)
                              .map(tuple), st.sampled_from(("safe", "unsafe")), st.just({}), st.none() | texts)
positions = st.integers(0, 10**6)
findings = st.builds(Finding, texts, st.builds(Span, positions, positions, positions, positions, positions, positions),
                     texts, texts, texts, texts, fixes)


@given(findings, st.none() | texts)
def test_a_finding_line_is_what_the_encoder_writes_of_its_dict(finding, url):
    encode = json.JSONEncoder(ensure_ascii=False).encode
    assert json_report.finding_line(finding, url) == encode(json_report.finding_json(finding, url))


@given(findings, st.sampled_from(("path", "code", "name", "severity", "message")), st.none() | st.integers())
def test_a_finding_with_a_value_that_is_no_text_goes_through_the_encoder(finding, field, value):
    setattr(finding, field, value)
    encode = json.JSONEncoder(ensure_ascii=False).encode
    assert json_report.finding_line(finding, None) == encode(json_report.finding_json(finding, None))

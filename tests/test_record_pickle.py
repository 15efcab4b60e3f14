"""Records pickle as a call of their class with every field (_record._reduce_to_init).

--jobs workers send results back this way: a result must come back equal,
with a Finding's message interned and its span packed again, by every
pickle protocol, and a record of no field or one field must work too.
"""
from __future__ import annotations

import pickle
import sys

from hypothesis import given, strategies as st

from daprlint._record import field, record
from daprlint.facts import FileFacts, Ref, ResourceFacts, SecretRef
from daprlint.results import FileResult, Finding
from daprlint.span import Span

spans = st.builds(Span, *[st.integers(0, 2**33)] * 6)  # past 32 bits: held unpacked
texts = st.text(max_size=20)
refs = st.builds(Ref, texts, texts, spans)
findings = st.builds(Finding, texts, spans, texts, texts, st.sampled_from(["error", "warning"]), texts,
                     st.none(), st.tuples(texts))
resource_facts = st.builds(ResourceFacts, texts, texts, texts, st.none() | refs, texts, texts,
                           st.none() | st.lists(refs, max_size=2), st.none() | refs,
                           secret_refs=st.lists(st.builds(SecretRef, texts, refs, st.none() | refs), max_size=2))


@given(st.lists(findings, max_size=3), st.lists(resource_facts, max_size=2), st.integers(2, pickle.HIGHEST_PROTOCOL))
def test_results_come_back_equal(found, resources, protocol):
    result = FileResult("a.yaml", found, facts=FileFacts("a.yaml", resources), suppressed=1, digest=b"d" * 16)
    back = pickle.loads(pickle.dumps([result, result], protocol=protocol))
    assert back[0] == result and back[0] is back[1]
    for finding in back[0].findings:
        assert finding.message is sys.intern(finding.message)
        assert type(finding.span) is Span


@record(slots=True)
class _None:
    pass


@record(slots=True)
class _One:
    value: list = field(default_factory=list)


def test_records_of_no_field_and_of_one_field():
    assert pickle.loads(pickle.dumps(_None())) == _None()
    one = _One([1, 2])
    assert pickle.loads(pickle.dumps(one)) == one and pickle.loads(pickle.dumps(_One())).value == []

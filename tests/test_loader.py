"""Loader and model: positions survive BOM, CRLF, multi-document files,
`kind: List`, anchors and a missing final newline; arbitrary text never
raises."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daprlint import loader, model

DOC = ("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: c\nspec:\n  type: state.redis\n"
       "  version: v1\n  metadata:\n  - name: redisHost\n    value: r:6379\n")


def resources(text):
    source = loader.parse("x.yaml", text)
    assert source.parse_error is None
    return list(model.resources_of("x.yaml", source.documents))


def test_positions_plain():
    (r,) = resources(DOC)
    assert (r.type.span.line, r.type.span.column) == (5, 8)
    assert r.metadata[0].name.value == "redisHost"
    assert DOC[r.type.span.start:r.type.span.end] == "state.redis"


def test_bom_is_removed_and_positions_do_not_shift():
    text, bom = loader.decode(b"\xef\xbb\xbf" + DOC.encode())
    assert bom and not text.startswith("\ufeff")
    (r,) = resources(text)
    assert (r.type.span.line, r.type.span.column) == (5, 8)


def test_crlf_offsets_index_the_text():
    text = DOC.replace("\n", "\r\n")
    (r,) = resources(text)
    assert text[r.type.span.start:r.type.span.end] == "state.redis"
    assert r.type.span.line == 5


def test_non_ascii_columns_are_code_points():
    text = DOC.replace("name: c\n", "name: c  # ünïcödé 😀\n").replace("  - name: redisHost", "  - {name: \"😀\"}\n  - name: redisHost")
    (r,) = resources(text)
    item = r.metadata[0]
    assert text[item.name.span.start:item.name.span.end] == '"😀"'
    assert item.name.span.column == 11


def test_multi_document_and_non_dapr_documents():
    text = "apiVersion: v1\nkind: ConfigMap\n---\n" + DOC + "---\n" + DOC.replace("name: c", "name: d")
    rs = resources(text)
    assert [r.name.value for r in rs] == ["c", "d"]
    assert rs[1].type.span.line == 3 + 10 + 1 + 5


def test_kind_list_items():
    items = "\n".join("  " + line for line in DOC.splitlines())
    text = "apiVersion: v1\nkind: List\nitems:\n-" + items[1:] + "\n"
    (r,) = resources(text)
    assert r.type.value == "state.redis"
    assert text[r.type.span.start:r.type.span.end] == "state.redis"


def test_anchors_and_aliases():
    text = DOC.replace("  - name: redisHost\n    value: r:6379\n",
                       "  - &item\n    name: redisHost\n    value: r:6379\n  - *item\n")
    (r,) = resources(text)
    assert [i.name.value for i in r.metadata] == ["redisHost", "redisHost"]


def test_no_final_newline():
    text = DOC.rstrip("\n")
    (r,) = resources(text)
    assert text[r.metadata[0].literal.span.start:r.metadata[0].literal.span.end] == "r:6379"


def test_parse_error_is_located():
    source = loader.parse("x.yaml", "a: 1\nb: [\n")
    assert source.parse_error is not None
    assert source.parse_error.span.line >= 1


def test_decode_errors_are_clear():
    import pytest

    for data, needle in ((b"\xff\xfea\x00", "UTF-16"), (b"a: \x00", "NUL"), (b"a: \xc3\x28", "UTF-8")):
        with pytest.raises(loader.DecodeError, match=needle):
            loader.decode(data)


def test_billion_laughs_stays_small():
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join(f"*a{i-1}" for _ in range(9))
        lines.append(f"a{i}: &a{i} [{refs}]")
    text = "apiVersion: dapr.io/v1alpha1\nkind: Component\n" + "\n".join(lines) + "\n"
    source = loader.parse("x.yaml", text)
    (r,) = model.resources_of("x.yaml", source.documents)
    assert sum(1 for _ in model.iter_scalars(r.node)) < 100


@settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(text):
    source = loader.parse("x.yaml", text)
    for r in model.resources_of("x.yaml", source.documents):
        list(model.iter_scalars(r.node))


YAMLISH = st.lists(st.sampled_from(["apiVersion: dapr.io/v1alpha1", "kind: Component", "metadata:", "spec:",
                                    "  type: state.aws.dynamodb", "  metadata:", "  - name: region",
                                    "    value: us-east-1", "- ", "---", "  - {name: a, value: *x}", "&x [a]",
                                    "key: |", "  \t", "\"unterminated", "? complex", "!!binary ZZZ", "{{ .Values }}",
                                    "%YAML 1.2", "  - name: accessKey\n    value: AKIAABCDEFGHIJKLMNOP"]),
                    max_size=30).map("\n".join)


@settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH, st.booleans())
def test_yamlish_text_lints_without_raising(text, crlf):
    from daprlint.config import Settings
    from daprlint.engine import Engine
    from daprlint.packs import load_packs

    global _ENGINE
    try:
        engine = _ENGINE
    except NameError:
        engine = _ENGINE = Engine(load_packs(), Settings(select=["ALL"]))
    if crlf:
        text = text.replace("\n", "\r\n")
    result = engine.finalize(engine.lint_text("x.yaml", text))
    assert not [f for f in result.findings if f.code == "INT001"]


# -- the memoised resolver gives PyYAML's tags --------------------------------
def _shape(node):
    """Tags, values and marks of a node tree, for comparing two loaders."""
    import yaml

    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.value, node.start_mark.index, node.end_mark.index)
    if isinstance(node, yaml.SequenceNode):
        return (node.tag, [_shape(v) for v in node.value])
    return (node.tag, [(_shape(k), _shape(v)) for k, v in node.value])


def _same_as_pyyaml(text):
    import yaml

    try:
        expected = [_shape(d) for d in yaml.compose_all(text, Loader=yaml.CSafeLoader)]
    except (yaml.YAMLError, RecursionError):
        return
    assert [_shape(d) for d in yaml.compose_all(text, Loader=loader._Loader)] == expected


SCALARS = st.one_of(st.sampled_from(["yes", "No", "on", "OFF", "~", "null", "Null", "", "0", "-0", "0x1F", "0o17",
                                     "017", "1_000", "1:30", "1.5e+3", ".inf", "-.INF", ".nan", "<<", "=",
                                     "2001-12-14", "2001-12-14t21:59:43.10-05:00", "true", "y", "n"]),
                    st.text(alphabet="0123456789.+-_:eExabnoTtrufl~<=", max_size=12))


@settings(max_examples=1500, deadline=None)
@given(st.lists(SCALARS, min_size=1, max_size=8), st.booleans())
def test_memoised_resolver_matches_pyyaml(values, flow):
    # twice: the second parse answers from the memo
    text = "[" + ", ".join(values) + "]" if flow else "\n".join(f"k{i}: {v}" for i, v in enumerate(values))
    _same_as_pyyaml(text)
    _same_as_pyyaml(text)


def test_memoised_resolver_matches_pyyaml_on_the_yaml_test_suite():
    from conftest import shared_or_skip

    suite = shared_or_skip("reference", "yaml-test-suite")
    files = sorted(suite.glob("*/in.yaml"))
    assert len(files) > 300
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        _same_as_pyyaml(text)
        _same_as_pyyaml(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a: b", "c:", "- d", "  - e: f", "# x", "", "g: 'h'"]), min_size=1, max_size=8),
       st.lists(st.sampled_from(["\n", "\r\n", "\r", "\x85", "\u2028", "\u2029"]), min_size=8, max_size=8))
def test_span_position_counts_lines_as_yaml_marks_do(lines, breaks):
    import yaml

    from daprlint.span import position

    text = "".join(line + brk for line, brk in zip(lines, breaks))
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.CSafeLoader))
    except yaml.YAMLError:
        return
    for document in documents:
        for node, _key in model.iter_scalars(document):
            mark = node.start_mark
            assert position(text, mark.index) == (mark.line, mark.column)


# -- merge keys ------------------------------------------------------------------
_ANCHORED = st.dictionaries(st.sampled_from(["name", "value", "a", "b", "c"]),
                            st.one_of(st.integers(0, 9), st.sampled_from(["x", "y", "true"])), min_size=1, max_size=4)


@given(base=_ANCHORED, other=_ANCHORED, own=_ANCHORED, as_list=st.booleans())
@settings(max_examples=300, deadline=None)
def test_merge_keys_resolve_as_pyyaml_resolves_them(base, other, own, as_list):
    """The nodes after flatten_merge_keys read as yaml.safe_load reads the text (where the two
    agree: see the next test for a list of mappings that share a key)."""
    import json

    if as_list:
        other = {k: v for k, v in other.items() if k not in base}
    def flow(d):
        return "{" + ", ".join(f"{k}: {json.dumps(v) if isinstance(v, str) else v}" for k, v in d.items()) + "}"

    merge = "[*base, *other]" if as_list else "*base"
    body = ", ".join(f"{k}: {json.dumps(v) if isinstance(v, str) else v}" for k, v in own.items())
    text = f"base: &base {flow(base)}\nother: &other {flow(other)}\nitem: {{<<: {merge}, {body}}}\n"
    import yaml

    from daprlint.schema import to_python

    assert to_python(loader.parse("x.yaml", text).documents[0]) == yaml.safe_load(text)


def test_in_a_list_of_merged_mappings_the_first_wins():
    """Go's yaml.v2, which kubectl and daprd read manifests with (sigs.k8s.io/yaml), steps through
    `<<: [*a, *b]` backwards "as earlier nodes take precedence" (decode.go, merge()), as the YAML
    merge-key spec says. PyYAML 6.0.4 lets the last one win; daprd is the truth here."""
    text = "a: &a {name: first}\nb: &b {name: second}\nitem: {<<: [*a, *b], value: 0}\n"
    from daprlint.schema import to_python

    assert to_python(loader.parse("x.yaml", text).documents[0])["item"] == {"name": "first", "value": 0}


def test_a_metadata_item_made_by_a_merge_key_is_an_item():
    text = """\
x-redis: &redis
  name: sentinelPassword
  value: not-a-real-one
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: cache
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost
    value: redis:6379
  - <<: *redis
"""
    from daprlint import model

    source = loader.parse("c.yaml", text)
    (resource,) = list(model.resources_of("c.yaml", source.documents))
    assert [i.name.value for i in resource.metadata] == ["redisHost", "sentinelPassword"]
    assert resource.metadata[1].literal.span.line == 2  # where the value is written: in the anchor

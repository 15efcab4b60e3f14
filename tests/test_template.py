"""Go/Helm templates linted without rendering, and `helm template` output
mapped back to the chart.

- The chart in tests/fixtures/helm/orders (control lines, placeholders in
  every position, `include`/`toYaml`/`nindent` lines, `with`/`range`
  blocks) lints with exactly the findings its `# expect: CODE @ text`
  comments mark, at the template's own lines and columns.
- template.prepare keeps the length and every line break, so YAML marks
  are template positions; properties over generated templates check that it
  parses whenever the same document with its actions rendered as plain
  text parses, with the same structure.
- rendered.locate maps findings on rendered text (written out here: helm is
  not installed) back to the template line and column.
"""
from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, lint_json
from daprlint import loader, model, rendered, template
from daprlint.span import LINE_BREAK

CHART = FIXTURES / "helm" / "orders"
TEMPLATES = sorted(p for p in (CHART / "templates").iterdir() if p.suffix == ".yaml")
EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+[0-9]+)\s*@\s*(.+?)\s*$")
RENDER_FIRST = "render first: `helm template CHART | daprlint check -`"

def expected(path):
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = EXPECT.search(line)
        if m:
            out.append((number, line.index(m.group(2)) + 1, m.group(1)))
    return sorted(out)


@pytest.fixture(scope="module")
def chart_report():
    _, report = lint_json("--isolated", str(CHART))
    return report


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_chart_template_has_exactly_its_expected_findings(chart_report, path):
    got = sorted((f["line"], f["column"], f["code"]) for f in chart_report["findings"]
                 if f["path"].endswith("/templates/" + path.name))
    assert got == expected(path)


def test_chart_has_no_other_findings(chart_report):
    linted = {"/templates/" + p.name for p in TEMPLATES}
    stray = [f for f in chart_report["findings"] if not any(f["path"].endswith(n) for n in linted)
             or f["code"] in ("YML001", "INT001")]
    assert stray == []
    assert sum(len(expected(p)) for p in TEMPLATES) >= 5


def test_every_template_file_parses():
    for path in TEMPLATES:
        source = loader.parse(str(path), path.read_text(encoding="utf-8"))
        assert source.parse_error is None, path
        assert source.template is not None, path


# -- template.prepare --------------------------------------------------------------
def _breaks(text):
    return [(m.start(), m.group()) for m in LINE_BREAK.finditer(text)]


def _prepared(text):
    p = template.prepare(text)
    assert len(p.text) == len(text) and _breaks(p.text) == _breaks(text)
    return p


def _shown(text):
    """The prepared text with placeholders as `~` (easier to read in asserts)."""
    return _prepared(text).text.replace(template.PLACEHOLDER, "~")


def test_no_braces_no_preparation():
    assert template.prepare("a: {b: c}\n") is None


def test_control_lines_are_blank():
    text = "{{- if .Values.on }}\na: 1\n  {{- range .x }}\n{{ else }}\n{{- end -}}\n{{ $v := .y }}\n"
    assert _shown(text).splitlines() == [" " * 20, "a: 1", " " * 17, " " * 10, " " * 11, " " * 14]


def test_actions_become_placeholders_of_their_length():
    cases = {
        "name: {{ .Values.name }}\n": "name: ~~~~~~~~~~~~~~~~~~\n",
        "name: redis-{{ .Release.Name }}\n": "name: redis-~~~~~~~~~~~~~~~~~~~\n",
        "{{ $k }}: {{ $v | quote }}\n": "~~~~~~~~: ~~~~~~~~~~~~~~~~\n",
        "- {{ . }}\n": "- ~~~~~~~\n",
        'v: "{{ include "x" . }}"\n': 'v: "~~~~~~~~~~~~~~~~~~~"\n',
        "v: '{{ .a }}-b'\n": "v: '~~~~~~~~-b'\n",
        "s: [{{ .a | quote }}, b]\n": "s: [~~~~~~~~~~~~~~~~, b]\n",
        "m: {name: {{ .n }}, value: x}\n": "m: {name: ~~~~~~~~, value: x}\n",
    }
    for text, want in cases.items():
        assert _shown(text) == want, text


def test_strings_inside_actions_do_not_close_them():
    text = 'a: {{ .x | default "}}" }}\nb: {{ printf `%s}}` .y }}\nc: {{ \'}\' }}\n'
    shown = _shown(text)
    assert "}" not in shown and shown.count("~") == len(text) - len("a: \nb: \nc: \n")


def test_trim_markers_need_a_space():
    actions = template.lex("{{- .a }}{{-3}}{{ .b -}}")
    assert [(a[0], a[1]) for a in actions] == [(0, 9), (9, 15), (15, 24)]


def test_what_go_cannot_lex_is_left_alone():
    for text in ("a: {{b: c}: d}\n", "x: {{< ref page >}}\n", "y: {{ .a\n"):
        p = template.prepare(text)
        assert p.actions == [] and p.text == text


def test_inline_if_else_is_one_value():
    text = 'tls: {{ if .Values.tls }}"true"{{ else }}"false"{{ end }}\n'
    shown = _shown(text)
    assert shown == "tls: ~~~~~~~~~~~~~~~~~~~~" + '"true"' + "~" * (len(text) - 32) + "\n"
    source = loader.parse("x.yaml", text)
    assert source.documents[0].value[0][1].value == text[5:-1]


def test_multi_line_action_and_comment():
    text = "a: {{ .x\n     | quote }}\n{{/* one\n two */}}\nb: 1\n"
    assert _shown(text) == "a: ~~~~~\n" + " " * 15 + "\n" + " " * 8 + "\n" + " " * 9 + "\nb: 1\n"
    (doc,) = loader.parse("x.yaml", text).documents
    assert doc.value[0][1].value == "{{ .x | quote }}"


def test_define_bodies_are_not_content():
    text = '{{- define "x" }}\nname: a\n{{- end }}\nkind: B\n'
    assert _shown(text).splitlines()[1].strip() == ""


def test_standalone_output_is_an_injection_point():
    text = ("metadata:\n  labels:\n    {{- include \"labels\" . | nindent 4 }}\n    app: x\n"
            "  annotations:\n    {{- toYaml .Values.a | nindent 4 }}\nspec: {}\n")
    p = _prepared(text)
    assert [(i.line, i.indent, i.slot) for i in p.injections] == [(2, 4, False), (5, 4, True)]
    source = loader.parse("x.yaml", text)
    labels = source.documents[0].value[0][1].value[0][1]
    annotations = source.documents[0].value[0][1].value[1][1]
    assert source.template.is_open(labels) and source.template.is_open(annotations)
    assert annotations.value.startswith("{{- toYaml") and source.template.injected(0)


def test_injection_points_find_their_document_and_node():
    text = ("a: 1\n---\n{{- if .x }}\nspec:\n  metadata:\n  - name: a\n  {{- toYaml .m | nindent 2 }}\n"
            "{{- end }}\n---\nb: 2\n")
    source = loader.parse("x.yaml", text)
    assert [source.template.injected(i) for i in range(3)] == [False, True, False]
    sequence = source.documents[1].value[0][1].value[0][1]
    assert source.template.is_open(sequence) and not source.template.is_open(source.documents[1])


def test_block_scalar_lines_stay_content():
    text = ("data:\n  script: |\n  {{- if .Values.debug }}\n    echo debug\n  {{- end }}\n    run\n"
            "  conf: |\n{{ .Values.conf | indent 4 }}\nnext: 1\n")
    source = loader.parse("x.yaml", text)
    assert source.parse_error is None
    data = source.documents[0].value[0][1]
    assert [k.value for k, _ in data.value] == ["script", "conf"]
    assert all(model.is_templated(v.value) for _, v in data.value)
    assert source.template.injections == []  # content of a scalar, not structure


def test_crlf_and_unicode_breaks_are_kept():
    text = "a: {{ .x }}\r\n{{- if .y }}\u2028b: c\x85{{ end }}\r\n"
    _prepared(text)


# -- the loader's template path ----------------------------------------------------
def test_scalars_get_their_template_text_and_keep_their_marks():
    text = ("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: redis-{{ .Release.Name }}\n"
            "spec:\n  type: {{ .Values.type }}\n  version: v1\n  metadata:\n  - name: redisPassword\n"
            "    secretKeyRef:\n      name: {{ .Values.secret }}\n      key: '{{ .Values.key }}'\n")
    (r,) = model.resources_of("x.yaml", loader.parse("x.yaml", text).documents)
    assert r.name.value == "redis-{{ .Release.Name }}"
    assert r.type.value == "{{ .Values.type }}" and model.is_templated(r.type.value)
    assert text[r.type.span.start:r.type.span.end] == "{{ .Values.type }}"
    ref = r.metadata[0].secret_key_ref
    assert [(k.value, v.value, v.tag) for k, v in ref.value] == [
        ("name", "{{ .Values.secret }}", "tag:yaml.org,2002:str"), ("key", "{{ .Values.key }}", "tag:yaml.org,2002:str")]


def test_unreadable_template_names_its_first_unreadable_line():
    bad = FIXTURES / "rules" / "YML001" / "template-bad.yaml"
    _, report = lint_json("--isolated", "--select", "YML001", str(bad))
    (finding,) = report["findings"]
    assert (finding["line"], finding["column"]) == (7, 3)
    assert "template line 7" in finding["message"] and RENDER_FIRST in finding["message"]
    good = FIXTURES / "rules" / "YML001" / "template-good.yaml"
    _, report = lint_json("--isolated", "--select", "YML001", str(good))
    assert report["findings"] == []


def test_chart_template_without_actions_gets_the_render_hint(tmp_path):
    (tmp_path / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (tmp_path / "templates").mkdir()
    broken = tmp_path / "templates" / "c.yaml"
    broken.write_text("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: [\n")
    _, report = lint_json("--isolated", "--select", "YML001", str(broken))
    (finding,) = report["findings"]
    assert RENDER_FIRST in finding["message"]
    plain = tmp_path / "c.yaml"
    plain.write_text(broken.read_text())
    _, report = lint_json("--isolated", "--select", "YML001", str(plain))
    assert RENDER_FIRST not in report["findings"][0]["message"]


# -- properties --------------------------------------------------------------------
@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["{{", "}}", "{{- ", " -}}", "{{/*", "*/}}", "a: ", "- ", "\n", "\r\n", "\r",
                                 "\u2028", '"', "'", "`", ".Values.x", "if", "end", " ", "\t", ":=", "#", "|"]),
                max_size=40).map("".join))
def test_prepare_keeps_length_and_line_breaks_of_any_text(text):
    p = template.prepare(text)
    if "{{" not in text:
        assert p is None
        return
    assert len(p.text) == len(text) and _breaks(p.text) == _breaks(text)
    loader.parse("x.yaml", text)  # never raises


VALUE_ACTIONS = ["{{ .Values.x }}", '{{- .Values.y | quote }}', '{{ include "n" . }}', '{{ .a | default "}}" }}',
                 "{{ printf `%s}}` .b }}", "{{ $v }}", "{{ .Release.Name -}}", "{{ 'c' }}"]
CONTROL_LINES = ["{{- if .Values.a }}", "{{- end }}", "{{ else }}", "{{/* note: }} */}}", "{{- range $k, $v := .x }}",
                 "{{- with .y -}}", "{{ $z := 1 }}", "{{/*\nmore\n*/}}"]
WORDS = ["a", "name", "redisHost", "x-1", "true", "3", "v1", "state.redis"]


class _Doc:
    """A generated YAML document as two texts: the template, and the same
    document with every action rendered as plain text of its length."""

    def __init__(self):
        self.template, self.plain = [], []

    def add(self, templated: str, plain: str | None = None):
        self.template.append(templated)
        self.plain.append(templated if plain is None else plain)


def _fragment(draw, allow_space=True):
    parts = draw(st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(VALUE_ACTIONS)), min_size=1, max_size=3))
    joiner = draw(st.sampled_from(["", "-", " "] if allow_space else ["", "-"]))
    return joiner.join(parts), joiner.join("x" * len(p) if p.startswith("{{") else p for p in parts)


def _scalar(draw):
    text, plain = _fragment(draw)
    style = draw(st.sampled_from(["plain", "double", "single"]))
    if style == "double":
        return f'"{text}"', f'"{plain}"'
    if style == "single":
        return f"'{text}'", f"'{plain}'"
    return text, plain


def _emit(draw, doc, indent, depth):
    for _ in range(draw(st.integers(1, 3))):
        key, key_plain = _fragment(draw, allow_space=False)
        pad = " " * indent
        kind = draw(st.sampled_from(["scalar", "scalar", "flow", "block", "map", "seq"] if depth < 3 else ["scalar"]))
        if kind == "scalar":
            value, plain = _scalar(draw)
            doc.add(f"{pad}{key}: {value}", f"{pad}{key_plain}: {plain}")
        elif kind == "flow":
            items = [_scalar(draw) for _ in range(draw(st.integers(1, 3)))]
            doc.add(f"{pad}{key}: [{', '.join(t for t, _ in items)}]", f"{pad}{key_plain}: [{', '.join(p for _, p in items)}]")
        elif kind == "block":
            doc.add(f"{pad}{key}: |", f"{pad}{key_plain}: |")
            for _ in range(draw(st.integers(1, 2))):
                text, plain = _fragment(draw)
                doc.add(f"{pad}  {text}", f"{pad}  {plain}")
        elif kind == "map":
            doc.add(f"{pad}{key}:", f"{pad}{key_plain}:")
            _emit(draw, doc, indent + 2, depth + 1)
        else:
            doc.add(f"{pad}{key}:", f"{pad}{key_plain}:")
            for _ in range(draw(st.integers(1, 2))):
                value, plain = _scalar(draw)
                doc.add(f"{pad}- {value}", f"{pad}- {plain}")


@st.composite
def templates(draw):
    doc = _Doc()
    _emit(draw, doc, 0, 0)
    for _ in range(draw(st.integers(0, 4))):  # control lines anywhere, at any indentation
        at = draw(st.integers(0, len(doc.template)))
        line = " " * draw(st.integers(0, 6)) + draw(st.sampled_from(CONTROL_LINES))
        doc.template.insert(at, line)
        doc.plain.insert(at, re.sub(r"[^\n]", " ", line))
    brk = draw(st.sampled_from(["\n", "\r\n"]))
    return brk.join(doc.template) + brk, brk.join(doc.plain) + brk


def _shape(node):
    if isinstance(node, yaml.ScalarNode):
        return ("scalar", node.start_mark.index, node.end_mark.index)
    if isinstance(node, yaml.SequenceNode):
        return ("seq", node.start_mark.index, [_shape(v) for v in node.value])
    return ("map", node.start_mark.index, [(_shape(k), _shape(v)) for k, v in node.value])


def _scalars(node):
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            yield from _scalars(v)
    else:
        for k, v in node.value:
            yield from _scalars(k)
            yield from _scalars(v)


@settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(templates())
def test_templates_parse_whenever_the_rendered_document_parses(pair):
    text, plain = pair
    assert len(text) == len(plain)
    if "{{" not in text:
        return
    p = _prepared(text)
    try:
        want = [_shape(d) for d in yaml.compose_all(plain, Loader=yaml.CSafeLoader)]
    except yaml.YAMLError:
        return
    assert [_shape(d) for d in yaml.compose_all(p.text, Loader=yaml.CSafeLoader)] == want
    source = loader.parse("x.yaml", text)
    assert source.parse_error is None
    for document in source.documents:
        for node in _scalars(document):
            start, end = node.start_mark.index, node.end_mark.index
            if p.overlaps(start, start + len(p.text[start:end].rstrip())):
                assert model.is_templated(node.value), (node.value, text)


# -- rendered output mapped back ---------------------------------------------------
RENDERED = """\
---
# Source: orders/templates/pubsub.yaml
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: orders-pubsub
  annotations:
    team: "payments"
spec:
  type: pubsub.rabbitmq
  version: v1
  metadata:
  - name: connectionString
    secretKeyRef: {name: orders-rabbit, key: url}
  - name: consumerID
    value: rel-workers
  - {name: deliveryMode, value: 2}
  - name: password
    value: "r4bbit-fixture-pw"  # expect: SEC001 @ "r4bbit-fixture-pw"
  - name: durable
    value: true
scopes: ["orders", "audit"]
---
# Source: orders/templates/statestore.yaml
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: rel-orders-state
  namespace: default
  labels:
    app.kubernetes.io/name: orders
    app.kubernetes.io/instance: rel
    helm.sh/chart: orders-0.1.0
    app.kubernetes.io/component: state
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost
    value: "redis-master:6379"
  - name: redisPassword
    secretKeyRef:
      name: orders-redis
      key: redis-password
  - name: keyPrefix
    value: "appid"
  - name: actorStateStore
    value: true
  - name: redisDB
    value: '0'
  - name: ttlInSeconds
    value: "3600"
  - name: enableTLS
    value: "false"
  - name: redisMaxRetries
    value: "3"
  - name: redisPasword  # expect: DPR003 @ redisPasword
    value:
scopes:
- orders
---
# Source: orders/templates/subscriptions.yaml
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: order-created
  labels:
    app.kubernetes.io/name: orders
    app.kubernetes.io/instance: rel
    helm.sh/chart: orders-0.1.0
spec:
  pubsubname: orders-pubsub
  topic: "orders.created"
  route:  # expect: DPR011 @ route
    default: /orders/created
  deadLetterTopic: "orders.created-dead"
scopes:
- orders
---
# Source: orders/templates/subscriptions.yaml
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: order-paid
  labels:
    app.kubernetes.io/name: orders
    app.kubernetes.io/instance: rel
    helm.sh/chart: orders-0.1.0
spec:
  pubsubname: orders-pubsub
  topic: "orders.paid"
  route:  # expect: DPR011 @ route
    default: /events
  deadLetterTopic: "orders.paid-dead"
scopes:
- orders
"""


def _read_chart(source):
    path = CHART.parent / source
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _template_line(source, line):
    return _read_chart(source).splitlines()[line]


def test_rendered_sections():
    found = rendered.sections(RENDERED)
    assert [(s.source.rsplit("/", 1)[1], s.ordinal) for s in found] == [
        ("pubsub.yaml", 0), ("statestore.yaml", 0), ("subscriptions.yaml", 0), ("subscriptions.yaml", 1)]
    assert rendered.is_rendered(RENDERED) and not rendered.is_rendered("a: 1\n# Source: x\n" * 0 + "a: 1\n")


def test_expected_findings_map_to_their_template_lines_and_columns():
    lines = RENDERED.splitlines()
    mapper = rendered.Mapper(RENDERED, _read_chart)
    checked = 0
    for number, line in enumerate(lines):
        m = EXPECT.search(line)
        if not m:
            continue
        source, t_line, t_column = mapper.locate(number, line.index(m.group(2)))
        template_line = _template_line(source, t_line)
        assert EXPECT.search(template_line).groups() == m.groups()
        assert t_column == template_line.index(m.group(2))
        checked += 1
    assert checked == 4


@pytest.mark.parametrize("section, rendered_text, template_text", [
    (1, '    value: "redis-master:6379"', "    value: {{ .Values.redis.host | quote }}"),
    (1, '    value: "false"', '    value: {{ if .Values.redis.tls }}"true"{{ else }}"false"{{ end }}'),
    (1, '    value: "3600"', "    value: {{ . | quote }}"),
    (1, "    app.kubernetes.io/instance: rel", '    {{- include "orders.labels" . | nindent 4 }}'),
    (1, "    app.kubernetes.io/component: state", "    app.kubernetes.io/component: state"),
    (1, "- orders", "- {{ .Values.appId }}"),
    (3, "    app.kubernetes.io/instance: rel", '    {{- include "orders.labels" $ | nindent 4 }}'),
    (3, "  name: order-paid", "  name: {{ .name }}"),
    (3, "    default: /events", '    default: {{ .route | default "/events" }}'),
    (3, "- orders", "- {{ $.Values.appId }}"),
    (0, "    team: \"payments\"", "    {{ $key }}: {{ $value | quote }}"),
])
def test_rendered_lines_map_to_the_template_line_they_came_from(section, rendered_text, template_text):
    lines = RENDERED.splitlines()
    part = rendered.sections(RENDERED)[section]
    number = next(i for i in range(part.first, part.end) if lines[i] == rendered_text)
    source, t_line, _ = rendered.locate(RENDERED, number, 4, _read_chart)
    assert source == part.source and _template_line(source, t_line) == template_text


def test_columns_inside_rendered_values_point_at_the_action():
    lines = RENDERED.splitlines()
    number = lines.index("  name: rel-orders-state")
    source, t_line, column = rendered.locate(RENDERED, number, lines[number].index("rel"), _read_chart)
    assert _template_line(source, t_line)[column:].startswith("{{ include")
    number = lines.index("  type: pubsub.rabbitmq")
    source, t_line, column = rendered.locate(RENDERED, number, lines[number].index("pubsub"), _read_chart)
    assert column == _template_line(source, t_line).index("pubsub.")


def test_unmapped_lines_and_missing_templates_give_none():
    assert rendered.locate(RENDERED, 1, 0, _read_chart) is None  # the `# Source:` line
    assert rendered.locate(RENDERED, 5, 2, lambda source: None) is None
    assert rendered.locate("a: 1\n", 0, 0, _read_chart) is None
    reads = []
    mapper = rendered.Mapper(RENDERED, lambda source: reads.append(source) or _read_chart(source))
    for number in range(len(RENDERED.splitlines())):
        mapper.locate(number, 0)
    assert sorted(reads) == sorted(set(reads))  # each template read once


def test_helm_template_output_on_stdin_points_at_the_templates():
    import json

    from conftest import run_cli

    hostile = "---\n# Source: orders/../../../../etc/hosts\napiVersion: dapr.io/v1alpha1\nkind: Component\n" \
              "metadata:\n  name: x\nspec:\n  type: state.redis\n  version: v1\n  metadata:\n  - name: redisHost\n" \
              "    value: r:6379\n  - name: redisPasword\n    value: x\n"
    proc = run_cli("check", "--isolated", "--format", "json", "-", "--stdin-filename", str(CHART / "rendered.yaml"),
                   input=(RENDERED + hostile).encode())
    report = json.loads(proc.stdout)
    got = sorted((f["path"].rsplit("/", 1)[-1], f["line"], f["column"], f["code"]) for f in report["findings"])
    stays = len(RENDERED.splitlines()) + hostile.splitlines().index("  - name: redisPasword") + 1
    # both Subscriptions come from one template line: one finding there
    assert got == [("pubsub.yaml", 21, 12, "SEC001"), ("rendered.yaml", stays, 11, "DPR003"),
                   ("statestore.yaml", 40, 11, "DPR003"), ("subscriptions.yaml", 12, 3, "DPR011")]

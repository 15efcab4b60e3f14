"""The structural rules (DPR001, DPR008, DPR010, DPR011, DPR012) by deployment mode.

- tests/fixtures/structure/modes.yaml marks, per line, what each mode reports
  (`# expect[kubernetes]: CODE @ TEXT`, `# expect[self-hosted]: ...`);
- no field gets two findings from these rules;
- templates and placeholders, written as the Helm-tolerant loader hands them
  over (strings), are never judged, wherever they stand (hypothesis);
- the unknown-field walk treats free maps and kept values as open, and knows
  every CRD property.
"""
from __future__ import annotations

import json
import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, REPO, lint_json
from daprlint.config import Settings
from daprlint.engine import Engine
from daprlint.packs import load_packs

MODES = FIXTURES / "structure" / "modes.yaml"
STRUCTURAL = ("DPR001", "DPR008", "DPR010", "DPR011", "DPR012")
MARK = re.compile(r"expect\[(kubernetes|self-hosted)\]:\s*([A-Z]+[0-9]+)\s*@\s*([^;#]+?)\s*(?=;|$)")
RULES = load_packs()
_ENGINES: dict = {}


def _engine(mode: str, select=STRUCTURAL + ("AWS003", "AWS008")) -> Engine:
    key = (mode, select)
    if key not in _ENGINES:
        _ENGINES[key] = Engine(RULES, Settings(select=list(select), options={"mode": mode}))
    return _ENGINES[key]


def _lint(text: str, mode: str = "kubernetes"):
    engine = _engine(mode)
    return engine.finalize(engine.lint_text("x.yaml", text)).findings


def _marks(path, mode):
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        comment = line.find("# expect[")
        for m in MARK.finditer(line[comment:] if comment >= 0 else ""):
            if m.group(1) == mode:
                out.append((number, line.index(m.group(3)) + 1, m.group(2)))
    return sorted(out)


@pytest.mark.parametrize("mode", ["kubernetes", "self-hosted"])
def test_each_mode_reports_what_it_rejects(mode):
    want = _marks(MODES, mode)
    assert want
    _, report = lint_json("--isolated", "--select", ",".join(STRUCTURAL), "--mode", mode, str(MODES))
    assert sorted((f["line"], f["column"], f["code"]) for f in report["findings"]) == want


def test_kubernetes_is_the_default_mode():
    _, default = lint_json("--isolated", "--select", ",".join(STRUCTURAL), str(MODES))
    _, kubernetes = lint_json("--isolated", "--select", ",".join(STRUCTURAL), "--mode", "kubernetes", str(MODES))
    assert default["findings"] == kubernetes["findings"]


def test_the_issue_examples_are_reported_with_a_suggestion():
    text = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: cron
spec:
  type: bindings.cron
  version: v1
  metadata:
  - name: schedule
    value: "@every 1m"
scope:
- scheduler
---
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: appconfig
spec:
  tracing:
    enabled: true
    samplingRate: "1"
  metrics:
    enabled: true
    workflow:
      maxConcurrentWorkflowInvocations: 10
  policies: []
"""
    for mode in ("kubernetes", "self-hosted"):
        found = {f.span.line + 1: f.message for f in _lint(text, mode) if f.code == "DPR011"}
        assert sorted(found) == [11, 20, 25, 26], mode
        assert "did you mean `scopes`?" in found[11]
        assert "samplingRate" in found[20]
        assert "a field of `spec.workflow`" in found[25]
        assert "spec.accessControl.policies" in found[26]
        assert ("the API server" in found[11]) is (mode == "kubernetes")


def test_no_field_gets_two_findings():
    """DPR008's misplacements, case variants and `value` for `key` get one finding each."""
    files = [MODES] + [FIXTURES / "rules" / code / "bad.yaml" for code in STRUCTURAL]
    for mode in ("kubernetes", "self-hosted"):
        for path in files:
            text = path.read_text(encoding="utf-8")
            lines = [f.span.line for f in _lint(text, mode) if f.code in STRUCTURAL]
            assert len(lines) == len(set(lines)), (mode, path.name, sorted(lines))


def test_misplaced_fields_are_dpr008s_alone():
    text = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
- name: redisHost
  value: redis:6379
type: state.redis
spec:
  version: v1
  auth:
    secretStore: vault
  scopes: [checkout]
"""
    for mode in ("kubernetes", "self-hosted"):
        codes = sorted((f.span.line + 1, f.code) for f in _lint(text, mode))
        assert codes == [(3, "DPR008"), (6, "DPR008"), (9, "DPR008"), (11, "DPR008")], mode


def test_a_misshapen_access_key_is_not_a_missing_one():
    text = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: secrets
spec:
  type: secretstores.aws.secretmanager
  version: v1
  metadata:
  - name: region
    value: us-east-1
  - name: accessKey
    secretKeyRef: "AKIAIOSFODNN7EXAMPLE"
  - name: secretKey
    secretKeyRef: {name: aws, key: secret}
"""
    engine = Engine(RULES, Settings(select=["DPR001", "SEC002", "AWS003"]))
    findings = engine.finalize(engine.lint_text("x.yaml", text)).findings
    assert sorted(f.code for f in findings) == ["DPR001", "SEC002"]
    assert all("AKIAIOSFODNN7EXAMPLE" not in f.message for f in findings)


# -- templates and placeholders -------------------------------------------------------
BASES = [
    {"apiVersion": "dapr.io/v1alpha1", "kind": "Component", "metadata": {"name": "store", "namespace": "prod"},
     "spec": {"type": "state.aws.dynamodb", "version": "v1", "ignoreErrors": True, "initTimeout": "5s",
              "metadata": [{"name": "region", "value": "us-east-1"},
                           {"name": "accessKey", "secretKeyRef": {"name": "aws", "key": "id"}},
                           {"name": "secretKey", "secretKeyRef": {"name": "aws", "key": "secret"}}]},
     "auth": {"secretStore": "kubernetes"}, "scopes": ["app1"]},
    {"apiVersion": "dapr.io/v2alpha1", "kind": "Subscription", "metadata": {"name": "orders"},
     "spec": {"pubsubname": "pubsub", "topic": "orders", "routes": {"default": "/orders"},
              "bulkSubscribe": {"enabled": True, "maxMessagesCount": 10}, "metadata": {"rawPayload": "true"}},
     "scopes": ["app1"]},
    {"apiVersion": "dapr.io/v1alpha1", "kind": "Configuration", "metadata": {"name": "cfg"},
     "spec": {"tracing": {"samplingRate": "1", "stdout": True},
              "mtls": {"enabled": True, "controlPlaneTrustDomain": "cluster.local", "sentryAddress": "s:443"},
              "features": [{"name": "X", "enabled": True}]}},
]
PLACEHOLDERS = st.one_of(
    st.from_regex(r"\{\{ \.Values\.[a-z]{1,8} \}\}", fullmatch=True),
    st.from_regex(r"\{\{- include \"[a-z]{1,6}\" \. \}\}", fullmatch=True),
    st.from_regex(r"\$\{[A-Z_]{1,8}\}", fullmatch=True),
    st.from_regex(r"\$[A-Z][A-Z_]{0,7}", fullmatch=True),
    st.from_regex(r"<[A-Z][A-Z_-]{0,10}>", fullmatch=True),
    st.from_regex(r"\[[a-z][a-z_]{0,10}\]", fullmatch=True),
)


def _leaves(value, prefix=()):
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in ("apiVersion", "kind"):
                yield from _leaves(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, prefix + (i,))
    else:
        yield prefix


def _replace(doc, path, value):
    doc = json.loads(json.dumps(doc))
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return doc


LEAVES = [(i, path) for i, base in enumerate(BASES) for path in _leaves(base)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(LEAVES), PLACEHOLDERS, st.sampled_from(["kubernetes", "self-hosted"]))
def test_placeholders_are_never_judged(leaf, placeholder, mode):
    """Any value replaced by a template or placeholder (a string, as the loader makes it): no finding on it."""
    index, path = leaf
    text = yaml.safe_dump(_replace(BASES[index], path, placeholder), sort_keys=False)
    assert placeholder in text
    start = text.index(placeholder)
    on_it = [f for f in _lint(text, mode) if f.span.start <= start + 1 and start < f.span.end + 1]
    assert not on_it, (text, [(f.code, f.message) for f in on_it])


def test_the_bases_are_clean():
    for base in BASES:
        for mode in ("kubernetes", "self-hosted"):
            assert _lint(yaml.safe_dump(base, sort_keys=False), mode) == [], base["kind"]


def test_a_template_read_as_a_flow_mapping_is_not_judged():
    """`{{ .Values.x }}` unquoted is a flow mapping to a plain YAML parser: judged by its text."""
    text = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: store
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisPassword
    secretKeyRef: {{ .Values.redis.secretRef }}
  - name: redisHost
    secretKeyRef:
      name: {{ .Values.redis.secret }}
      key: host
"""
    assert [f.code for f in _lint(text)] == []


def test_placeholder_keys_and_partial_placeholders():
    text = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: "{{ .Release.Name }}-store"
spec:
  type: state.redis
  version: v1
  metadata:
  - name: x
    value: y
  "{{ .Values.extra }}": 1
  <EXTRA>: 2
"""
    assert [f.code for f in _lint(text)] == []
    # a string that only contains a placeholder is still a string where a mapping belongs
    wrong = text.replace("  - name: x\n    value: y\n", "  - name:<KEY>\n")
    assert [f.code for f in _lint(wrong)] == ["DPR001"]


def test_aws008_leaves_placeholders_alone_but_masks_nothing_it_reports():
    template = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: s
spec:
  type: secretstores.aws.parameterstore
  version: v1
  metadata:
  - name: region
    value: "{}"
"""
    for value in ("<REGION>", "[aws_region]", "$AWS_REGION", "${AWS_REGION}", "{{ .Values.region }}"):
        assert [f for f in _lint(template.replace("{}", value)) if f.code == "AWS008"] == [], value
    assert [f.code for f in _lint(template.replace("{}", "us-east1"))] == ["AWS008"]


# -- the unknown-field walk -------------------------------------------------------------
def test_every_crd_property_is_known():
    """A document that sets every property each CRD defines has no DPR011 finding."""
    from daprlint import structure

    modes = json.loads((REPO / "rules" / "generated" / "crds" / "modes.json").read_text())["kinds"]
    for key, info in modes.items():
        schema = json.loads((REPO / "rules" / "generated" / "crds" / info["kubernetes"]).read_text())
        api, _, kind = key.rpartition("/")
        doc = _full(schema)
        doc.update(apiVersion=api, kind=kind)
        if kind == "Component":  # keep DPR008's misplacements out of it
            doc["spec"].pop("auth", None)
            doc["spec"].pop("scopes", None)
        text = yaml.safe_dump(doc, sort_keys=False)
        for mode in ("kubernetes", "self-hosted"):
            found = [f.message for f in _lint(text, mode) if f.code == "DPR011"]
            assert found == [], (key, mode, found)
        assert structure.unknown_fields  # the module the rule uses


def _full(schema, depth=0):
    """An instance with every declared property (values only as deep as the structure goes)."""
    if depth > 12 or not isinstance(schema, dict):
        return "x"
    from daprlint.structure import _properties

    props = _properties(schema)
    if props:
        return {name: _full(sub, depth + 1) for name, sub in props.items()}
    if isinstance(schema.get("items"), dict):
        return [_full(schema["items"], depth + 1)]
    return "x"


def test_free_maps_and_kept_values_are_open():
    text = """\
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata:
  name: r
  labels: {anything: goes}
  annotations: {dapr.io/x: y}
spec:
  policies:
    timeouts: {myTimeout: 5s}
    retries:
      myRetry: {policy: constant, duration: 1s, maxRetries: 3, bogus: 1}
  targets:
    apps:
      checkout: {timeout: myTimeout}
"""
    found = [(f.span.line + 1, f.message) for f in _lint(text) if f.code == "DPR011"]
    assert [line for line, _ in found] == [11]  # inside a map value the structure still counts
    assert "retries.myRetry.bogus" in found[0][1]


def test_a_billion_laughs_is_walked_once_per_node():
    lol = "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata: {name: c}\nspec:\n  x0: &a0 [1]\n"
    for i in range(1, 25):
        lol += f"  x{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n"
    found = [f for f in _lint(lol) if f.code == "DPR011"]
    assert len(found) == 25


def test_templates_in_typed_places_are_not_judged():
    """A whole-value template where a boolean, a mapping or a list belongs (the loader's strings)."""
    text = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: store
spec:
  type: state.redis
  version: v1
  ignoreErrors: "{{ .Values.ignoreErrors }}"
  metadata:
  - name: redisPassword
    secretKeyRef: "{{ .Values.redis.secretRef }}"
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: chart-metadata
spec:
  type: state.redis
  version: v1
  metadata: "{{ toYaml .Values.metadata }}"
---
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: cfg
spec:
  tracing:
    samplingRate: "1"
    stdout: "{{ .Values.tracing.stdout }}"
  features: ${FEATURES}
"""
    for mode in ("kubernetes", "self-hosted"):
        assert _lint(text, mode) == [], mode
    assert [f.code for f in _lint(text.replace('"{{ .Values.ignoreErrors }}"', '"yes"'))] == ["DPR001"]


def test_a_secret_pasted_as_a_key_is_not_quoted():
    """Messages keep names in backticks; a key that is the resource's inline secret is masked."""
    text = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: c
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost
    value: redis:6379
  - name: redisPassword
    value: Sup3rS3cretPassw0rd
  Sup3rS3cretPassw0rd: x
AKIAIOSFODNN7EXAMPLE: y
"""
    engine = Engine(RULES, Settings(select=["ALL"]))
    findings = engine.finalize(engine.lint_text("x.yaml", text)).findings
    assert sorted(f.span.line + 1 for f in findings if f.code == "DPR011") == [13, 14]
    assert not [f.message for f in findings if "Sup3rS3cret" in f.message or "IOSFODNN7" in f.message]

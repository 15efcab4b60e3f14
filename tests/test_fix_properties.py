"""Property tests: random valid manifests, random comments, quoting, line
breaks (LF, CRLF, CR, NEL, LS, PS) and BOM; every fix keeps the guarantees of
tests/fix_harness.py. And arbitrary names, stores and regions: every scalar a
fix inserts reads back as exactly what it meant to write."""
from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fix_harness import check_fix_guarantees, make_engine

TYPES = ["state.aws.dynamodb", "bindings.aws.s3", "bindings.aws.sqs", "pubsub.snssqs", "pubsub.aws.snssqs",
         "secretstores.aws.parameterstore", "pubsub.kafka", "state.postgresql", "state.redis", "bindings.http"]
FIELDS = [("region", ["us-east-1", "eu-west-1b", "US-EAST-1", "", "${AWS_REGION}"]),
          ("awsRegion", ["us-west-2", "ap-south-1a"]),
          ("accessKey", ["AKIAABCDEFGHIJKLMNOP", "<your-key>", ""]),
          ("secretKey", ["s3cr3t-value-123", ""]),
          ("sessionToken", ["tok-123456"]),
          ("redisPassword", ["pw-123456"]),
          ("awsIamRoleArn", ["arn:aws:iam::012345678910:role/r"]),
          ("authType", ["awsiam"]), ("useAWSIAM", ["true"]),
          ("table", ["orders"]), ("host", ["amqp://u:p4ss@h:5672", "redis:6379"])]
COMMENTS = ["", "  # note", "  # ünïcode 😀", "  #"]


def quote(value, style):
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == '"':
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value == "" or value[:1] in "<${*&!%@`" or value.lower() in ("true", "false", "yes", "no", "null"):
        return '"' + value + '"'
    return value


@st.composite
def manifests(draw):
    docs = []
    for n in range(draw(st.integers(1, 3))):
        indent = draw(st.sampled_from(["", "  "]))
        lines = [draw(st.sampled_from(COMMENTS)).strip() or "# component",
                 "apiVersion: dapr.io/v1alpha1", "kind: Component", "metadata:", f"  name: c{n}",
                 "spec:", f"  type: {draw(st.sampled_from(TYPES))}" + draw(st.sampled_from(COMMENTS)),
                 "  version: v1", "  metadata:"]
        items = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=6))
        for name, values in items:
            value = draw(st.sampled_from(values))
            style = draw(st.sampled_from([None, "'", '"']))
            if draw(st.booleans()):
                lines.append(f"  {indent}- {{name: {name}, value: {quote(value, style)}}}" + draw(st.sampled_from(COMMENTS)))
            else:
                lines.append(f"  {indent}- name: {quote(name, draw(st.sampled_from([None, chr(39), chr(34)])))}"
                             + draw(st.sampled_from(COMMENTS)))
                lines.append(f"  {indent}  value: {quote(value, style)}" + draw(st.sampled_from(COMMENTS)))
            if draw(st.integers(0, 5)) == 0:
                lines.append(draw(st.sampled_from(["", "# between items", "  # indented comment"])))
        docs.append("\n".join(lines))
    text = "\n---\n".join(docs)
    if draw(st.booleans()):
        text += "\n"
    # every line break YAML knows (span.LINE_BREAK); fixes must insert the file's own
    text = text.replace("\n", draw(st.sampled_from(["\n", "\n", "\r\n", "\r", "\x85", "\u2028", "\u2029"])))
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return data


# a few thousand examples in a long run: DAPRLINT_FIX_EXAMPLES=3000 pytest tests/test_fix_properties.py
EXAMPLES = int(os.environ.get("DAPRLINT_FIX_EXAMPLES", "1000"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(manifests())
def test_fixes_keep_their_guarantees(tmp_path_factory, data):
    engine, sink = make_engine(tmp_path_factory.mktemp("fix"))
    check_fix_guarantees(engine, sink, data, "random.yaml")


# -- every inserted scalar reads back exactly ----------------------------------
import yaml  # noqa: E402

from daprlint.config import Settings  # noqa: E402
from daprlint.engine import Engine  # noqa: E402
from daprlint.fixer import fix_text  # noqa: E402
from daprlint.loader import parse  # noqa: E402
from daprlint.model import get, resources_of, text_of  # noqa: E402
from daprlint.secrets_out import SecretsSink  # noqa: E402
from fix_harness import builtin_rules, check_fix_guarantees as _guarantees  # noqa: E402

# any text YAML can hold in a scalar (no lone surrogates; a NUL is fine escaped)
ODD = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=24)
ODD_SAMPLES = ["cart #1: x", "a: b", "- x", "[x]", "{x}", "'q'", '"d"', "x #y", "yes", "y", "N", "~", "null",
               "0o17", "1e3", ".5", "+1", "1_000", "12:30", "2001-12-14", "*alias", "&a", "!tag", "%x", "@x",
               "`x", "<<", "=", "? x", "a\nb", "a\x85b", "a\u2028b", " lead", "trail ", "tab\t", "\x00nul",
               "é€😀", "{{ .Values.x }}", "a,b", "#", "-", "?", ":", "|", ">"]


def _component(name: str, namespace: str | None = None, body: str = "") -> str:
    meta = {"name": name} if namespace is None else {"name": name, "namespace": namespace}
    lines = ["apiVersion: dapr.io/v1alpha1", "kind: Component",
             "metadata: " + yaml.safe_dump(meta, default_flow_style=True, width=10_000).strip()]
    return "\n".join(lines) + "\n" + body


SECRET_BODY = """spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost
    value: redis:6379
  - name: redisPassword
    value: pw-123456
  - {name: sentinelPassword, value: pw-654321}
"""


def _engine(tmp_path, select, **options):
    settings = Settings(select=select, options={"secrets-out": str(tmp_path / "s.json"), **options})
    return Engine(builtin_rules(), settings), SecretsSink(tmp_path / "s.json")


def _settings(**kw):
    return settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
                    **kw)


@_settings(max_examples=300)
@given(name=ODD | st.sampled_from(ODD_SAMPLES), namespace=st.none() | ODD | st.sampled_from(ODD_SAMPLES),
       template=st.sampled_from(["{component}-secrets", "{component}", "x {component} #"]) | ODD,
       store=st.none() | ODD | st.sampled_from(ODD_SAMPLES))
def test_property_odd_names_read_back_exactly(tmp_path_factory, name, namespace, template, store):
    """SEC001: the secret's name and key, the auth store and the namespace, whatever they are."""
    tmp = tmp_path_factory.mktemp("odd")
    options = {"secret-name": template}
    if store is not None:
        options["secret-store"] = store
    engine, sink = _engine(tmp, ["SEC001"], **options)
    text = _component(name, namespace, SECRET_BODY)
    fixed = _guarantees(engine, sink, text.encode(), "odd.yaml")  # refs read back, bytes kept, converges
    (resource,) = resources_of("odd.yaml", parse("odd.yaml", fixed).documents)
    assert resource.name.value == name
    secret_name = template.replace("{component}", name)
    refs = {item.name.value: (text_of(get(item.secret_key_ref, "name")), text_of(get(item.secret_key_ref, "key")))
            for item in resource.metadata if item.secret_key_ref is not None}
    assert refs == {"redisPassword": (secret_name, "redisPassword"),
                    "sentinelPassword": (secret_name, "sentinelPassword")}
    assert resource.auth_secret_store.value == (store if store is not None else "kubernetes")
    assert sink.value(secret_name, "redisPassword", namespace) == "pw-123456"


@_settings(max_examples=200)
@given(region=ODD | st.sampled_from(ODD_SAMPLES), empty=st.sampled_from(["none", "item", "value"]),
       newline=st.sampled_from(["\n", "\r\n", "\r", "\x85", "\u2028", "\u2029"]))
def test_property_inserted_region_reads_back_exactly(tmp_path_factory, region, empty, newline):
    """AWS001: `region` inserted as an item, as a `value:` line or into an empty value."""
    engine, sink = _engine(tmp_path_factory.mktemp("region"), ["AWS001"], **{"aws-region": region})
    body = "spec:\n  type: state.aws.dynamodb\n  version: v1\n  metadata:\n  - name: table\n    value: t\n"
    body += {"none": "", "item": "  - name: region\n", "value": "  - name: region\n    value: \"\"\n"}[empty]
    text = _component("c", None, body).replace("\n", newline)
    fixed, count, _, notes = fix_text(engine, "r.yaml", text, False, True, sink)
    assert count == 1 and not notes, notes
    (resource,) = resources_of("r.yaml", parse("r.yaml", fixed).documents)
    assert resource.literal("region") == region and len(resource.items("region")) == 1
    _guarantees(engine, sink, text.encode(), "r.yaml")

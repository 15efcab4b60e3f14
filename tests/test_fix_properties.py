"""Property tests: random valid manifests, random comments, quoting, CRLF and
BOM; every fix keeps the guarantees of tests/fix_harness.py."""
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
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
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

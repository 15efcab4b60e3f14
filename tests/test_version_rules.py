"""The component rules lint against the Dapr release the user runs (`dapr-version`).

Every boundary case below gives its finding at the releases named, and none at the others: the
issue's examples, and boundary cases taken from ../shared/reference/dapr-releases/
metadata-field-history.json (each confirmed in the Go code at the release tags by the code facts,
scripts/data/contrib-code-fields.json; docs/versions.md lists them). Also: `dapr.reads_name` is
what DPR003 reports on, and `daprlint upgrade` (daprlint.upgrade) over the same cases.

No test here needs ../shared: the data is committed.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daprlint import dapr, upgrade, versions
from daprlint.config import Settings
from daprlint.engine import Engine
from daprlint.packs import load_packs

RELEASES = ("1.12", "1.13", "1.14", "1.15", "1.16", "1.17", "1.18")


@pytest.fixture(scope="module")
def ruleset():
    return load_packs()


def component(spec_type, *items, version="v1"):
    lines = [f"  - name: {name}\n    value: {value!r}" if value is not None else f"  - name: {name}\n    value: null"
             for name, value in items]
    return ("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: c\nspec:\n"
            f"  type: {spec_type}\n  version: {version}\n  metadata:\n" + "\n".join(lines) + "\n")


def findings(ruleset, text, release, code):
    options = Settings()
    if release is not None:
        options.options["dapr-version"] = release
    result = Engine(ruleset, options).lint_text("c.yaml", text)
    assert not [f for f in result.findings if f.code == "INT001"], [f.message for f in result.findings]
    return [f.message for f in result.findings if f.code == code]


# (case, rule, manifest, {release: a text the message must contain}; every other release: no finding)
KAFKA = component("pubsub.kafka", ("brokers", "kafka:9092"), ("authType", "none"), ("dialTimeout", "10s"))
CASES = [
    # -- the examples
    ("kafka dialTimeout added in 1.18", "DPR003", KAFKA,
     {r: f"`dialTimeout` is not read by `pubsub.kafka` in Dapr {r}; it was added in 1.18" for r in RELEASES[:-1]}),
    ("servicebusqueues registered from 1.16", "DPR002", component("pubsub.azure.servicebusqueues"),
     {r: "is registered from 1.16 on; did you mean `pubsub.azure.servicebus.queues`?" for r in RELEASES[:4]}),
    ("rabbitmq binding ttlInSeconds renamed in 1.13", "DPR005",
     component("bindings.rabbitmq", ("queueName", "q"), ("ttlInSeconds", "60")),
     {r: "`ttlInSeconds` was renamed to `ttl` in Dapr 1.13" for r in RELEASES[1:]}),
    ("bedrock cacheTTL renamed in 1.17", "DPR005",
     component("conversation.aws.bedrock", ("model", "m"), ("cacheTTL", "10m")),
     {r: "`cacheTTL` was renamed to `responseCacheTTL` in Dapr 1.17" for r in ("1.17", "1.18")}),
    ("bedrock responseCacheTTL before 1.17", "DPR003",
     component("conversation.aws.bedrock", ("model", "m"), ("responseCacheTTL", "10m")),
     {r: "it was added in 1.17" for r in ("1.15", "1.16")}),
    ("http errorIfNot2XX read since 1.12 (documented from 1.15)", "DPR003",
     component("bindings.http", ("url", "https://x"), ("errorIfNot2XX", "false")), {}),
    ("kafka awsIamRoleArn deprecated from 1.15", "AWS004",
     component("pubsub.kafka", ("brokers", "k:9092"), ("authType", "awsiam"), ("region", "us-east-1"),
               ("awsIamRoleArn", "arn:aws:iam::1:role/r")),
     {r: "`awsIamRoleArn` is deprecated in Dapr " + r for r in RELEASES[3:]}),
    ("kafka awsIamRoleArn not read in 1.12", "DPR003",
     component("pubsub.kafka", ("brokers", "k:9092"), ("authType", "awsiam"), ("awsIamRoleArn", "arn")),
     {"1.12": "`awsIamRoleArn` is not read by `pubsub.kafka` in Dapr 1.12; it was added in 1.13"}),
    ("sessionName only where read", "DPR003",
     component("bindings.aws.s3", ("bucket", "b"), ("sessionName", "s")),
     {**{r: "it was added in 1.15" for r in RELEASES[:3]},
      **{r: "but the component's code in Dapr " + r + " does not read it" for r in RELEASES[3:]}}),
    ("assumeRoleArn alone on a Roles Anywhere type", "AWS005",
     component("state.aws.dynamodb", ("table", "t"), ("region", "us-east-1"), ("assumeRoleArn", "arn")),
     {r: "`assumeRoleArn` alone is ignored by `state.aws.dynamodb` in Dapr " + r for r in RELEASES[3:]}),
    ("twilio toNumber is per request", "DPR004",
     component("bindings.twilio.sms", ("fromNumber", "+1"), ("accountSid", "AC"), ("authToken", "t")), {}),
    ("twilio accountSid null is missing", "DPR004",
     component("bindings.twilio.sms", ("fromNumber", "+1"), ("toNumber", "+2"), ("accountSid", None)),
     {r: "'Twilio Authentication' is incomplete, it also needs `accountSid`, `authToken`" for r in RELEASES[4:]}),
    # -- boundary cases from metadata-field-history.json, confirmed in the code
    ("kafka schemaRegistryURL added in 1.13", "DPR003",
     component("pubsub.kafka", ("brokers", "k:9092"), ("authType", "none"), ("schemaRegistryURL", "http://r")),
     {"1.12": "`schemaRegistryURL` is not read by `pubsub.kafka` in Dapr 1.12; it was added in 1.13"}),
    ("gcp pubsub maxOutstandingMessages added in 1.14", "DPR003",
     component("pubsub.gcp.pubsub", ("projectId", "p"), ("maxOutstandingMessages", "10")),
     {r: "it was added in 1.14" for r in RELEASES[:2]}),
    ("kafka compression added in 1.16", "DPR003",
     component("pubsub.kafka", ("brokers", "k:9092"), ("authType", "none"), ("compression", "gzip")),
     {r: "`compression` is not read by `pubsub.kafka` in Dapr " + r + "; it was added in 1.16" for r in RELEASES[:4]}),
    ("sqlserver schema renamed to schemaName in 1.13", "DPR005",
     component("state.sqlserver", ("connectionString", "sqlserver://x"), ("schema", "app")),
     {r: "`schema` was renamed to `schemaName` in Dapr 1.13" for r in RELEASES[1:]}),
    ("s3 awsRegion: read from 1.14 (the 1.14 profile's name)", "DPR003",
     component("bindings.aws.s3", ("bucket", "b"), ("awsRegion", "us-east-1")),
     {r: "`awsRegion` is not read by `bindings.aws.s3` in Dapr " + r + "; it was added in 1.14" for r in RELEASES[:2]}),
    ("s3 awsRegion deprecated from 1.15 (1.14 documents it)", "AWS004",
     component("bindings.aws.s3", ("bucket", "b"), ("awsRegion", "us-east-1")),
     {r: "`awsRegion` is deprecated in Dapr " + r + ": use `region`" for r in RELEASES[3:]}),
    ("postgresql v2 host added in 1.16", "DPR003",
     component("state.postgresql", ("connectionString", "host=x"), ("host", "db"), version="v2"),
     {r: "`host` is not read by `state.postgresql` in Dapr " + r + "; it was added in 1.16" for r in ("1.13", "1.14", "1.15")}),
]


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("name, code, text, expected", CASES, ids=[c[0] for c in CASES])
def test_finding_at_the_right_release_only(ruleset, name, code, text, expected, release):
    got = findings(ruleset, text, release, code)
    if release in expected:
        assert len(got) == 1 and expected[release] in got[0], got
    else:
        assert got == [], got


def test_the_default_is_the_newest_release(ruleset):
    assert findings(ruleset, KAFKA, None, "DPR003") == findings(ruleset, KAFKA, "1.18", "DPR003") == []
    assert findings(ruleset, KAFKA, "1.19", "DPR003") == []  # newer than known: the 1.18 data


def test_no_metadata_and_incomplete_code_is_not_evidence(ruleset):
    """middleware.http.uppercase (dapr/dapr's own code): no metadata.yaml, no code facts."""
    text = component("middleware.http.uppercase", ("anything", "x"))
    assert all(findings(ruleset, text, r, "DPR003") == [] for r in RELEASES)


def test_no_metadata_but_complete_code_decides(ruleset):
    """bindings.aws.sqs has no metadata.yaml before 1.16; its code facts are complete."""
    text = component("bindings.aws.sqs", ("queueName", "q"), ("noSuchField", "x"))
    for release in ("1.12", "1.15"):
        assert findings(ruleset, text, release, "DPR003") == [
            f"`noSuchField` is not read by `bindings.aws.sqs` in Dapr {release}, so daprd ignores it"]
        assert findings(ruleset, text, release, "DPR004") == []  # no metadata.yaml: nothing is required


# -- dapr.reads_name is DPR003's verdict ---------------------------------------------------
TYPES = ["pubsub.kafka", "bindings.aws.s3", "state.redis", "conversation.aws.bedrock", "bindings.http",
         "bindings.graphql", "pubsub.pulsar", "state.postgresql", "bindings.aws.sqs"]
NAMES = ["brokers", "Region", "region", "awsRegion", "sessionName", "assumeRoleArn", "dialTimeout", "cacheTTL",
         "responseCacheTTL", "useAzureAD", "errorIfNot2XX", "errorifnot2xx", "header:x-a", "orders.jsonschema",
         "url", "timeoutInSeconds", "keyPrefix", "consumerID", "nonsense", "redisHost", "queueName"]


@settings(max_examples=120, deadline=None)
@given(spec_type=st.sampled_from(TYPES), name=st.sampled_from(NAMES), release=st.sampled_from(RELEASES + ("master",)))
def test_dpr003_reports_exactly_what_reads_name_says_is_not_read(spec_type, name, release):
    ruleset = _shared_ruleset()
    text = component(spec_type, (name, "x"))
    resource = next(iter(_resources(text)))
    verdict = dapr.reads_name(resource, name, ruleset.data, versions.resolve(ruleset.data, release))
    reported = findings(ruleset, text, release, "DPR003")
    assert bool(reported) == (verdict is False), (verdict, reported)


_RULESET = []


def _shared_ruleset():
    if not _RULESET:
        _RULESET.append(load_packs())
    return _RULESET[0]


def _resources(text):
    from daprlint import loader, model

    return list(model.resources_of("c.yaml", loader.parse("c.yaml", text).documents))


# -- daprlint upgrade -----------------------------------------------------------------------
WORKLOAD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    metadata:
      annotations:
        dapr.io/enabled: "yes"
        dapr.io/app-id: app
        dapr.io/http-max-request-size: "16"
        dapr.io/log-level: ""
"""


def _changes(text, old, new):
    from daprlint import loader, model
    from daprlint.workloads import workloads_of

    documents = loader.parse("t.yaml", text).documents
    data = _shared_ruleset().data
    return upgrade.changes(list(model.resources_of("t.yaml", documents)), workloads_of("t.yaml", documents),
                           data, old, new)


def test_upgrade_lists_fields_that_start_or_stop_being_read():
    found = _changes(KAFKA, "1.17", "1.18")
    assert [(c.kind, c.subject) for c in found] == [(upgrade.FIELD_STARTS, "dialTimeout")]
    assert _changes(KAFKA, "1.18", "1.17")[0].kind == upgrade.FIELD_STOPS
    assert _changes(KAFKA, "1.18", "1.18") == []


def test_upgrade_renames_carry_a_certain_fix():
    text = component("bindings.rabbitmq", ("queueName", "q"), ("ttlInSeconds", "60"))
    (change,) = _changes(text, "1.12", "1.14")
    assert change.kind == upgrade.FIELD_RENAMED and "renamed to `ttl` in Dapr 1.13" in change.message
    assert change.fix.safety == "safe" and change.fix.edits[0].replacement == "ttl"
    assert _changes(text, "1.13", "1.18") == []  # the rename happened before: DPR005 says it


def test_upgrade_types_that_appear_or_go():
    assert [c.kind for c in _changes(component("pubsub.azure.servicebusqueues"), "1.15", "1.16")] == [upgrade.TYPE_NEW]
    assert [c.kind for c in _changes(component("pubsub.natsstreaming"), "1.12", "1.13")] == [upgrade.TYPE_GONE]


def test_upgrade_annotations_whose_behaviour_changes():
    found = _changes(WORKLOAD, "1.13", "1.18")
    by_subject = {}
    for change in found:
        by_subject.setdefault(change.subject, []).append(change)
    assert "not injected" in by_subject["dapr.io/enabled"][0].message            # "yes" from 1.17.3
    assert any("sidecar-liveness-probe-delay-seconds` 3 -> 180" in c.message for c in by_subject["dapr.io/enabled"])
    assert by_subject["dapr.io/http-max-request-size"][0].kind == upgrade.ANNOTATION_REPLACED
    assert "applied as an empty value" in by_subject["dapr.io/log-level"][0].message
    assert not [c for c in _changes(WORKLOAD, "1.17.2", "1.17.3") if c.subject != "dapr.io/enabled"]
    assert _changes(WORKLOAD, "1.17.3", "1.17.13") == []


def test_upgrade_render_and_command_line(tmp_path, capsys):
    path = tmp_path / "c.yaml"
    path.write_text(KAFKA + "---\n" + component("bindings.rabbitmq", ("queueName", "q"), ("ttlInSeconds", "60")))
    assert upgrade.main(["--from", "1.12", "--to", "1.18", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "Dapr 1.12.5 -> 1.18.3: 2 changes (1 certain rename marked [*])."
    assert any(line.endswith("`dialTimeout` is ignored by `pubsub.kafka` in Dapr 1.12 and read in 1.18: "
                             "its value starts to apply") for line in out)
    assert upgrade.main(["--from", "1.11", "--to", "1.18", str(path)]) == 2
    assert "older than the oldest release" in capsys.readouterr().err
    import json

    assert upgrade.main(["--from", "1.12", "--to", "1.18", "--format", "json", str(path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["from"], doc["to"], len(doc["changes"])) == ("1.12.5", "1.18.3", 2)


def test_upgrade_never_prints_a_secret_value():
    """Only annotation values appear in messages, through redact.shown."""
    assert "AKIAIOSFODNN7EXAMPLE" not in upgrade._short("AKIAIOSFODNN7EXAMPLE")
    text = WORKLOAD.replace('dapr.io/app-id: app', 'dapr.io/app-id: app\n        dapr.io/enabled: "1"')
    rendered = upgrade.render(_changes(text, "1.17.2", "1.17.3"), "1.17.2", "1.17.3")
    assert "`dapr.io/enabled: '1'` is accepted by the injector in Dapr 1.17.2" in rendered

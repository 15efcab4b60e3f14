"""daprlint.versions over the committed data (rules/generated/): targets, the issue's examples and
the boundary fixtures listed in docs/versions.md ("Fixtures for rule authors").

No test here needs ../shared: the data is committed. Facts are cited in docs/versions.md.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daprlint import versions as V
from daprlint.packs import PackData

RULES = Path(__file__).resolve().parents[1] / "rules"
RELEASES = ("1.12", "1.13", "1.14", "1.15", "1.16", "1.17", "1.18")


@pytest.fixture
def data():
    return PackData([RULES])


def status(data, spec_type, field, target, version="v1"):
    return V.field_status(data, spec_type, version, field, target)


# -- versions and targets --------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("1.14", (1, 14, None)), ("1.14.5", (1, 14, 5)), ("v1.14", (1, 14, None)), ("v1.14.5", (1, 14, 5)),
    (" 1.18 ", (1, 18, None)), ("2.0", (2, 0, None)), ("1.017", (1, 17, None)),
])
def test_parse_version(text, expected):
    assert V.parse_version(text) == expected


@pytest.mark.parametrize("text", ["", "1", "1.", "1.14.", "1.14.5.1", "1.14-rc.1", "latest", "V1.14", "1,14", "1.x",
                                  "\u0661.\u0662", "1.14\n5"])
def test_parse_version_rejects(text):
    with pytest.raises(ValueError, match=r"invalid Dapr version .*MAJOR\.MINOR"):
        V.parse_version(text)


@given(st.text(max_size=12))
def test_parse_version_any_text(text):
    try:
        major, minor, patch = V.parse_version(text)
    except ValueError:
        assert not re.fullmatch(r"v?[0-9]+\.[0-9]+(\.[0-9]+)?", text.strip())
        return
    assert re.fullmatch(r"v?[0-9]+\.[0-9]+(\.[0-9]+)?", text.strip())
    parts = text.strip().lstrip("v").split(".")
    assert [int(p) for p in parts] == [major, minor] + ([] if patch is None else [patch])


@given(st.integers(0, 99), st.integers(0, 99), st.one_of(st.none(), st.integers(0, 99)))
def test_parse_version_round_trip(major, minor, patch):
    text = f"{major}.{minor}" + (f".{patch}" if patch is not None else "")
    assert V.parse_version(text) == (major, minor, patch)
    assert V.parse_version("v" + text) == (major, minor, patch)


def test_known_releases_and_default(data):
    assert V.known_releases(data) == RELEASES
    assert V.default_release(data) == "1.18"
    target = V.resolve(data)
    assert (target.release, target.patch, target.newer_than_known) == ("1.18", 3, False)  # dapr v1.18.3


@pytest.mark.parametrize("text, release, patch, newer", [
    ("1.14", "1.14", 5, False),        # data of dapr v1.14.5: its patch
    ("1.14.2", "1.14", 2, False),
    ("v1.17.3", "1.17", 3, False),
    ("1.19", "1.18", 3, True),         # newest data at or below
    ("1.19.4", "1.18", 3, True),
    ("2.0", "1.18", 3, True),
    ("master", "master", None, False),
    ("MASTER", "master", None, False),
])
def test_resolve(data, text, release, patch, newer):
    target = V.resolve(data, text)
    assert (target.release, target.patch, target.newer_than_known) == (release, patch, newer)
    assert V.resolve(data, text) is target  # memoised


@pytest.mark.parametrize("text", ["1.11", "1.11.9", "0.9", "1.0"])
def test_resolve_older_than_known(data, text):
    with pytest.raises(ValueError, match=r"older than the oldest release daprlint knows \(1\.12\)"):
        V.resolve(data, text)


def test_release_at_or_below(data):
    assert V.release_at_or_below(data, (1, 15, 9)) == "1.15"
    assert V.release_at_or_below(data, (3, 0)) == "1.18"
    assert V.release_at_or_below(data, (1, 11)) is None


def test_target_order(data):
    keys = [V.resolve(data, t).key for t in ("1.12", "1.17.2", "1.17.3", "1.17", "1.18", "master")]
    assert keys == sorted(keys)


# -- the examples ----------------------------------------------------------
def test_kafka_dial_timeout_added_in_1_18(data):
    before = status(data, "pubsub.kafka", "dialTimeout", "1.17")
    assert (before.state, before.since, before.uncertain) == ("not-listed", "1.18", False)
    after = status(data, "pubsub.kafka", "DIALTIMEOUT", "1.18")
    assert (after.state, after.name, after.info["type"]) == ("listed", "dialTimeout", "duration")


def test_servicebusqueues_registered_from_1_16(data):
    assert V.registered_since(data, "pubsub.azure.servicebusqueues") == "1.16"
    assert not V.is_registered(data, "pubsub.azure.servicebusqueues", "1.15")
    info = V.type_info(data, "pubsub.azure.servicebusqueues", "1.16")
    assert info["canonical"] == "pubsub.azure.servicebus.queues"
    assert info["aliases"] == ["pubsub.azure.servicebus.queues"]
    assert info["stable"] is False and info["allcomponents"] is True
    assert V.type_info(data, "pubsub.azure.servicebusqueues", "1.18")["stable"] is True  # stable flavour in 1.18
    assert V.type_info(data, "pubsub.azure.servicebus.queues", "1.15")["aliases"] == []


@pytest.mark.parametrize("spec_type", ["bindings.rabbitmq", "bindings.azure.storagequeues"])
def test_ttl_in_seconds_renamed_in_1_13(data, spec_type):
    old12 = status(data, spec_type, "ttlInSeconds", "1.12")
    assert old12.state == "listed"
    old = status(data, spec_type, "ttlInSeconds", "1.13")
    assert (old.state, old.until, old.renamed_to, old.old_accepted) == ("not-listed", "1.13", "ttl", True)
    new = status(data, spec_type, "ttl", "1.13")
    assert (new.state, new.since, new.renamed_from, new.info["type"]) == ("listed", "1.13", "ttlInSeconds", "duration")
    assert status(data, spec_type, "ttl", "1.12").state == "not-listed"


def test_bedrock_cache_ttl_renamed_in_1_17(data):
    old = status(data, "conversation.aws.bedrock", "cacheTTL", "1.17")
    assert (old.state, old.until, old.renamed_to, old.old_accepted) == ("not-listed", "1.17", "responseCacheTTL", True)
    assert status(data, "conversation.aws.bedrock", "cacheTTL", "1.16").state == "listed"
    assert status(data, "conversation.aws.bedrock", "responseCacheTTL", "1.17").state == "listed"


@pytest.mark.parametrize("target, checks", [
    ("1.16", ["truthy", "truthy", "truthy"]),
    ("1.17.0", ["truthy", "truthy", "truthy"]),
    ("1.17.2", ["truthy", "truthy", "truthy"]),
    ("1.17.3", ["truthy", "truthy", "equals-fold:true"]),
    ("1.17", ["truthy", "truthy", "equals-fold:true"]),  # 1.17 = the newest known patch, v1.17.13
    ("1.18", ["truthy", "truthy", "equals-fold:true"]),
])
def test_enabled_must_be_true_from_1_17_3(data, target, checks):
    info = V.annotation(data, "dapr.io/enabled", target)
    assert [v.get("check") for v in info["validation"]] == checks
    strict = [v for v in info["validation"] if v.get("check") == "equals-fold:true"]
    assert all(v["by"] == "injector" and v["on_failure"] == "not-injected" for v in strict)


def test_empty_annotation_values_applied_from_1_15(data):
    assert [V.empty_annotation_value(data, r) for r in RELEASES] == ["unset"] * 3 + ["applied"] * 4


PROBES_1_18 = {  # (before, from 1.18)
    "dapr.io/sidecar-liveness-probe-delay-seconds": (3, 180),
    "dapr.io/sidecar-liveness-probe-period-seconds": (6, 10),
    "dapr.io/sidecar-liveness-probe-threshold": (3, 5),
    "dapr.io/sidecar-readiness-probe-delay-seconds": (3, 1),
    "dapr.io/sidecar-readiness-probe-timeout-seconds": (3, 1),
    "dapr.io/sidecar-readiness-probe-period-seconds": (6, 1),
    "dapr.io/sidecar-readiness-probe-threshold": (3, 5),
}


@pytest.mark.parametrize("key", sorted(PROBES_1_18))
def test_probe_defaults_changed_in_1_18(data, key):
    before, after = PROBES_1_18[key]
    assert [V.annotation(data, key, r)["default"] for r in ("1.12", "1.17", "1.18", "master")] == [before, before, after, after]


ADDED_KEYS = {
    "1.13": {"block-shutdown-duration"},
    "1.14": {"max-body-size", "read-buffer-size", "scheduler-host-address"},
    "1.15": {"env-from-secret", "grpc-port", "internal-grpc-port"},
    "1.16": {"app-binding-options-timeout", "sentry-request-jwt-audiences"},
    "1.17": {"disable-init-endpoints", "sidecar-svc-annotations"},
    "1.18": {"actors-disseminate-timeout", "enable-native-sidecar"},
}


def test_annotation_keys_added_per_minor(data):
    counts = [len(V.annotation_keys(data, r)) for r in RELEASES]
    assert counts == [51, 52, 55, 58, 60, 62, 64]
    for older, newer in zip(RELEASES, RELEASES[1:]):
        added = V.annotation_keys(data, newer) - V.annotation_keys(data, older)
        assert added == {"dapr.io/" + k for k in ADDED_KEYS[newer]}, newer
        assert not V.annotation_keys(data, older) - V.annotation_keys(data, newer)  # none removed
        for key in added:
            assert V.annotation(data, key, newer)["since"] == newer
            assert V.annotation(data, key, older) is None


def test_legacy_annotation_names(data):
    old = V.annotation(data, "dapr.io/http-max-request-size", "1.14")
    assert (old["replaced_by"], old["replaced_since"], old["deprecated"], old["unit"]) == \
           ("dapr.io/max-body-size", "1.14", True, "MB")
    assert V.annotation(data, "dapr.io/http-max-request-size", "1.13")["deprecated"] is False
    assert V.annotation(data, "dapr.io/max-body-size", "1.14")["legacy_names"] == ["dapr.io/http-max-request-size"]
    assert V.annotation(data, "dapr.io/read-buffer-size", "1.14")["legacy_names"] == ["dapr.io/http-read-buffer-size"]


def test_env_split_changes_at_1_16_2(data):
    def rules(target):
        return [v["rule"] for v in V.annotation(data, "dapr.io/env", target)["validation"]]
    assert any("is skipped (split must give exactly 2 parts)" in r for r in rules("1.16.1"))
    assert not any("first \"=\" only" in r for r in rules("1.16.1"))
    assert any("first \"=\" only" in r for r in rules("1.16.2"))
    assert not any("exactly 2 parts" in r for r in rules("1.16"))


def test_annotation_details(data):
    log = V.annotation(data, "dapr.io/log-level", "1.18")
    assert (log["value_kind"], log["default"], log["allowed_values"]) == ("enum", "info", ["debug", "info", "warn", "error", "fatal"])
    assert [(v["by"], v.get("check"), v.get("on_failure")) for v in log["validation"]] == [("daprd", "enum-fold", "daprd-exits")]
    app_id = V.annotation(data, "dapr.io/app-id", "1.18")
    assert any(v.get("check") == "app-id-dns-label" and v["on_failure"] == "pod-rejected" for v in app_id["validation"])
    sched = [V.annotation(data, "dapr.io/scheduler-host-address", r) for r in ("1.13", "1.16", "1.17")]
    assert sched[0] is None
    assert (sched[1]["go_type"], sched[1]["daprd_flags"]) == ("string", [])
    assert (sched[2]["go_type"], sched[2]["daprd_flags"]) == ("*string", ["--scheduler-host-address"])
    assert V.truthy_values(data) == {"y", "yes", "true", "t", "on", "1"}


# -- missing data is not evidence ------------------------------------------------------
def test_no_metadata_before_1_16_is_unknown(data):
    s = status(data, "bindings.aws.sqs", "queueName", "1.15")
    assert (s.state, s.uncertain, s.release, s.advice, s.info["required"]) == ("unknown", True, "1.16", "listed", True)
    s = status(data, "bindings.aws.sqs", "noSuchField", "1.12")
    assert (s.state, s.uncertain, s.release, s.advice) == ("unknown", True, "1.16", "not-listed")
    assert V.fields(data, "bindings.aws.sqs", "v1", "1.15") is None
    assert V.metadata_release(data, "bindings.aws.sqs", "v1", "1.12") == "1.16"
    s = status(data, "middleware.http.uppercase", "anything", "1.18")  # registered, never had a metadata.yaml
    assert (s.state, s.release, s.uncertain) == ("unknown", None, True)


def test_1_12_has_metadata_for_62_of_133_types(data):
    registered = [t for t in data.json(V.TYPES)["types"] if V.is_registered(data, t, "1.12")]
    described = [t for t in registered
                 if any(V.metadata_release(data, t, v, "1.12") == "1.12"
                        for v in V.type_info(data, t, "1.12")["versions"])]
    assert (len(described), len(registered)) == (62, 133)


# -- boundary fixtures (docs/versions.md) -------------------------------------------------
@pytest.mark.parametrize("spec_type, version, field, target, state, name, source", [
    ("pubsub.kafka", "v1", "schemaRegistryURL", "1.12", "not-listed", "schemaRegistryURL", None),
    ("pubsub.kafka", "v1", "schemaRegistryURL", "1.13", "listed", "schemaRegistryURL", "component"),
    ("bindings.http", "v1", "errorIfNot2XX", "1.14", "not-listed", "errorIfNot2XX", None),
    ("bindings.http", "v1", "errorIfNot2XX", "1.15", "listed", "errorIfNot2XX", "component"),
    ("state.redis", "v1", "redisPassword", "1.14", "listed", "redisPassword", "component"),
    ("state.redis", "v1", "redisPassword", "1.15", "listed", "redisPassword", "profile"),
    ("bindings.aws.s3", "v1", "region", "1.13", "listed", "region", "component"),
    ("bindings.aws.s3", "v1", "region", "1.14", "not-listed", "region", None),
    ("bindings.aws.s3", "v1", "region", "1.15", "listed", "region", "profile"),
    ("bindings.aws.s3", "v1", "awsRegion", "1.14", "listed", "awsRegion", "profile"),
    ("state.postgresql", "v2", "host", "1.15", "not-listed", "host", None),
    ("state.postgresql", "v2", "host", "1.16", "listed", "host", "component"),
    ("bindings.azure.eventhubs", "v1", "consumerID", "1.13", "listed", "consumerId", "binding"),
    ("bindings.azure.eventhubs", "v1", "consumerId", "1.14", "listed", "consumerID", "binding"),
    ("pubsub.pulsar", "v1", "topicsPattern", "1.18", "not-listed", "topicsPattern", None),
    ("pubsub.pulsar", "v1", "topicsPattern", "master", "listed", "topicsPattern", "component"),
])
def test_boundary_fixtures(data, spec_type, version, field, target, state, name, source):
    s = V.field_status(data, spec_type, version, field, target)
    assert (s.state, s.name, (s.info or {}).get("source"), s.uncertain) == (state, name, source, False)


def test_allowed_values_change_after_1_18(data):
    values = [V.field_info(data, "pubsub.rabbitmq", "v1", "exchangeKind", r)["allowedValues"] for r in ("1.18", "master")]
    assert values == [["fanout", "topic"], ["fanout", "topic", "direct", "headers"]]


def test_default_change(data):
    defaults = [V.field_info(data, "pubsub.redis", "v1", "dialTimeout", r)["default"] for r in ("1.15", "1.16")]
    assert defaults == [None, "5s"]


def test_profiles_and_builtin_profiles(data):
    kafka = [V.version_info(data, "pubsub.kafka", "v1", r)["builtin_profiles"] for r in ("1.14", "1.15")]
    assert kafka == [[], ["aws"]]
    titles = [p["title"] for p in V.builtin_profile(data, "aws", "1.14")]
    assert titles == ["AWS: Access Key ID and Secret Access Key", "AWS: Credentials from Environment Variables"]
    assert "AWS: IAM Roles Anywhere" in [p["title"] for p in V.builtin_profile(data, "aws", "1.15")]
    key14 = V.builtin_profile(data, "aws", "1.14")[0]["fields"]
    assert [f["name"] for f in key14] == ["awsRegion", "accessKey", "secretKey", "sessionToken"]
    assert V.builtin_profile(data, "nosuch", "1.18") is None


# -- types and versions -------------------------------------------------------------
def test_type_lifetimes(data):
    assert V.type_info(data, "pubsub.natsstreaming", "1.12") is not None
    assert V.type_info(data, "pubsub.natsstreaming", "1.13") is None
    assert [V.is_registered(data, "workflowbackend.actors", r) for r in RELEASES] == [False, True, True] + [False] * 4
    assert V.type_info(data, "bindings.kitex", "1.16") is not None and V.type_info(data, "bindings.kitex", "1.17") is None
    assert V.metadata_release(data, "bindings.kitex", "v1", "1.17") == "1.17"  # metadata, but not registered
    assert V.registered_since(data, "nameresolution.nameformat") == "1.18"
    assert V.type_info(data, "STATE.Redis", "1.18")["canonical"] == "state.redis"
    assert V.type_info(data, "nosuch.type", "1.18") is None


@pytest.mark.parametrize("spec_type, spec_version, target, expected", [
    ("state.redis", "", "1.18", "v1"), ("state.redis", "V1", "1.18", "v1"), ("state.redis", "v0", "1.18", "v1"),
    ("state.redis", "v2", "1.18", None),
    ("state.postgresql", "", "1.12", "v1"), ("state.postgresql", "v2", "1.12", None),
    ("state.postgresql", "", "1.18", "v1"), ("state.postgresql", "v2", "1.18", "v2"),
    ("state.yugabyte", "", "1.18", "v2"), ("state.yugabyte", "v1", "1.18", None),
    ("state.sqlserver", "v2", "1.16", None), ("state.sqlserver", "v2", "1.17", "v2"),
    ("nosuch.type", "v1", "1.18", None),
])
def test_effective_version(data, spec_type, spec_version, target, expected):
    assert V.effective_version(data, spec_type, spec_version, target) == expected


# -- run file ------------------------------------------------------------------------
def test_run_file_keys(data):
    assert V.run_file_key(data, "maxBodySize", "1.14") is None
    body = V.run_file_key(data, "maxBodySize", "1.15")
    assert (body["scope"], body["go_type"], body["default"], body["since"]) == ("common-or-app", "string", "4Mi", "1.15")
    old = V.run_file_key(data, "daprHTTPMaxRequestSize", "1.14")
    assert (old["go_type"], old["until"], old["replaced_by"]) == ("int", "1.15", "maxBodySize")
    assert V.run_file_key(data, "daprHTTPMaxRequestSize", "1.15") is None
    gone = V.removed_run_file_key(data, "daprHTTPMaxRequestSize", "1.18")
    assert (gone["replaced_by"], gone["until"]) == ("maxBodySize", "1.15")
    assert V.removed_run_file_key(data, "daprHTTPMaxRequestSize", "1.14") is None
    assert V.removed_run_file_key(data, "maxBodySize", "1.18") is None
    pull = V.run_file_key(data, "containerImagePullPolicy", "1.15")
    assert (pull["allowed_values"], pull["default"], pull["scope"]) == (["Always", "Never", "IfNotPresent"], "Always", "app-only")
    assert V.run_file_key(data, "version", "1.18")["required"] is True
    assert V.run_file_key(data, "appDirPath", "1.18")["path_relative_to"] == {"apps[]": "run-file-dir"}
    assert V.run_file_key(data, "resourcesPaths", "1.18")["path_relative_to"] == {"common": "run-file-dir", "apps[]": "app-dir"}
    assert [V.run_file_key(data, "placementHostAddress", r)["go_type"] for r in ("1.15", "1.16")] == ["string", "*string"]


def test_run_file_sections(data):
    assert V.run_file_keys(data, "top", "1.18") == {"version", "name", "common", "apps"}
    common, apps = V.run_file_keys(data, "common", "1.18"), V.run_file_keys(data, "apps[]", "1.18")
    assert "appID" in apps and "appID" not in common
    assert common < apps
    assert V.run_file_keys(data, "apps[]", "1.15") - V.run_file_keys(data, "apps[]", "1.14") == \
        {"containerImagePullPolicy", "maxBodySize", "readBufferSize"}
    assert V.run_file_keys(data, "common", "1.14") - V.run_file_keys(data, "common", "1.15") == \
        {"daprHTTPMaxRequestSize", "daprHTTPReadBufferSize"}
    assert "schedulerHostAddress" in V.run_file_keys(data, "common", "1.14")
    assert "schedulerHostAddress" not in V.run_file_keys(data, "common", "1.13")


def test_lazy_loading(data):
    """Asking about one type loads only that type's file (plus the shared indexes)."""
    V.field_status(data, "pubsub.kafka", "v1", "brokers", "1.18")
    loaded = set(data._cache)
    assert loaded == {V.SOURCES, V.TYPES, "generated/components/pubsub.kafka.json"}


# -- pack_data_for: the master-shaped files as one release has them ----------------------
def test_pack_data_for_shapes(data):
    assert V.pack_data_for(data, "master") is data
    view = V.pack_data_for(data, "1.17")
    assert V.pack_data_for(data, "1.17.2") is view  # one view per release
    index = view.json("generated/component-types.json")
    assert index["sources"]["release"] == "1.17" and index["categories"] == data.json(V.MASTER_INDEX)["categories"]
    assert index["types"]["pubsub.azure.servicebusqueues"]["registered"] is True
    assert index["types"]["configuration.kubernetes"]["registered"] is False      # added in 1.18
    assert index["types"]["nameresolution.nameformat"]["registered"] is False     # metadata, not registered
    assert index["types"]["nameresolution.nameformat"]["file"] == "components/nameresolution.nameformat.json"
    kafka = view.json("generated/components/pubsub.kafka.json")["versions"]["v1"]
    assert "dialtimeout" not in kafka["fields"] and "brokers" in kafka["fields"]
    assert kafka["fields"]["brokers"]["description"]  # descriptions from the master file
    assert view.json("generated/aws.json") is data.json("generated/aws.json")  # not versioned
    old = V.pack_data_for(data, "1.12").json("generated/component-types.json")["types"]
    assert old["bindings.aws.sqs"]["registered"] is True and old["bindings.aws.sqs"]["file"] is None
    assert old["pubsub.natsstreaming"]["registered"] is True
    assert old["state.postgresql"]["versions"] == ["v1"]


def test_pack_data_for_1_18_matches_master_files_where_master_equals_1_18(data):
    view = V.pack_data_for(data, "1.18")
    for name in ("pubsub.kafka", "state.aws.dynamodb", "bindings.aws.s3", "conversation.aws.bedrock"):
        rel = f"generated/components/{name}.json"
        assert view.json(rel)["versions"] == data.json(rel)["versions"], name
    pulsar = "generated/components/pubsub.pulsar.json"  # master has unreleased fields
    assert set(data.json(pulsar)["versions"]["v1"]["fields"]) - set(view.json(pulsar)["versions"]["v1"]["fields"]) \
        == {"topicspattern", "autodiscoveryperiod"}


KAFKA = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: pubsub
spec:
  type: {type}
  version: v1
  metadata:
  - name: {first}
    value: "x"
  - name: dialTimeout
    value: "10s"
"""


@pytest.mark.parametrize("spec_type, first, release, unknown", [
    ("pubsub.kafka", "brokers", "1.17", ["dialTimeout"]),
    ("pubsub.kafka", "brokers", "1.18", []),
    ("pubsub.kafka", "brokers", None, []),
    ("bindings.aws.sqs", "queueName", "1.15", ["dialTimeout"]),  # no metadata.yaml before 1.16: the code decides
    ("bindings.aws.sqs", "queueName", "1.16", ["dialTimeout"]),
])
def test_existing_rules_on_a_release_view(spec_type, first, release, unknown):
    """DPR003 (written against the master files) answers for the release it is given."""
    from daprlint.config import Settings
    from daprlint.engine import Engine
    from daprlint.packs import load_packs

    ruleset = load_packs()
    if release:
        ruleset.__dict__["data"] = V.pack_data_for(ruleset.data, release)
    result = Engine(ruleset, Settings()).lint_text("c.yaml", KAFKA.format(type=spec_type, first=first))
    found = [f.message.split("`")[1] for f in result.findings if f.code == "DPR003"]
    assert found == unknown

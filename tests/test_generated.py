"""Checks for the committed data in rules/generated/ and rules/data/aws-regions.json.

The freshness checks need the Dapr reference data in ../shared/reference (next to the repository);
they are skipped when it is absent. The structural checks always run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference"
GENERATED = REPO / "rules" / "generated"
CRDS = GENERATED / "crds"
REGIONS = REPO / "rules" / "data" / "aws-regions.json"
SKIP_REASON = "../shared/reference not present: cannot check generated data is fresh"

needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(), reason=SKIP_REASON)

SHA40 = re.compile(r"^[0-9a-f]{40}$")


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def components():
    return load(GENERATED / "components.json")


# --------------------------------------------------------------------------------------------------
# (a) freshness


@needs_reference
def test_generated_files_are_fresh():
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gen_schemas.py"), "--reference", str(REFERENCE), "--check"],
        capture_output=True, text=True, cwd=REPO, timeout=60,
    )
    assert proc.returncode == 0, (
        "rules/generated is stale; run `python scripts/gen_schemas.py`\n" + proc.stdout + proc.stderr)


# --------------------------------------------------------------------------------------------------
# (b) every metadata.yaml is represented


@needs_reference
def test_every_metadata_yaml_is_represented(components):
    root = REFERENCE / "dapr-components-metadata"
    index = load(REFERENCE / "dapr-derived" / "component-fields-index.json")
    daprd_names = {e["metadata_yaml"]: e["daprd_spec_types"] for e in index.values()}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    types = components["types"]
    files = sorted(root.glob("**/metadata.yaml"))
    assert len(files) == load(GENERATED / "sources.json")["metadata_files"]
    missing = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        # two zeebe files carry a trailing TAB that PyYAML rejects
        text = "\n".join(line.rstrip() for line in path.read_text(encoding="utf-8").split("\n"))
        meta = yaml.load(text, Loader=loader)
        version = meta["version"]
        candidates = [f"{meta['type']}.{meta['name']}", *daprd_names.get(rel, [])]
        if not any(version in types.get(name, {}).get("versions", {}) for name in candidates):
            missing.append(f"{rel} ({' / '.join(candidates)} {version})")
    assert not missing, "metadata.yaml files not represented in components.json:\n" + "\n".join(missing)


# --------------------------------------------------------------------------------------------------
# (c) structural checks (no reference data needed)


def test_components_json_structure(components):
    categories = set(components["categories"])
    assert {"bindings", "pubsub", "secretstores", "state", "middleware", "configuration", "crypto",
            "lock", "nameresolution", "conversation", "workflow", "workflowbackend"} == categories
    types = components["types"]
    assert len(types) > 100
    bad = [t for t in types if t.split(".", 1)[0] not in categories or "." not in t]
    assert not bad, f"types with an invalid category prefix: {bad}"
    for name, entry in types.items():
        assert isinstance(entry["registered"], bool), name
        alias = entry["alias_of"]
        if alias is not None:
            assert alias in types and types[alias]["alias_of"] is None, name
            assert types[alias]["versions"] == entry["versions"] or name in ("state.yugabyte", "state.yugabytedb"), name
        for version, data in entry["versions"].items():
            assert re.fullmatch(r"v\d+", version), (name, version)
            for key, field in data["fields"].items():
                assert key == field["name"].lower(), (name, key)
                assert field["source"] in ("component", "profile", "runtime-builtin", "binding"), (name, key)
                assert isinstance(field["required"], bool) and isinstance(field["sensitive"], bool)
            for profile in data["profiles"]:
                assert set(profile["required"]) <= set(profile["fields"]), (name, profile["title"])


def test_components_json_known_entries(components):
    types = components["types"]
    assert types["pubsub.snssqs"]["alias_of"] == "pubsub.aws.snssqs"
    sm = types["secretstores.aws.secretmanager"]
    assert sm["registered"] and sm["metadata_type"] == "secretstores.aws.secretsmanager"
    assert types["secretstores.aws.secretsmanager"]["registered"] is False
    dyn = types["state.aws.dynamodb"]["versions"]["v1"]
    assert dyn["builtin_profiles"] == ["aws"]
    assert dyn["fields"]["table"]["required"] is True
    assert dyn["fields"]["region"]["required"] is False  # required only inside a profile
    assert dyn["fields"]["secretkey"]["sensitive"] is True
    assert dyn["fields"]["keyprefix"]["source"] == "runtime-builtin"
    assert set(types["state.postgresql"]["versions"]) == {"v1", "v2"}


def test_sources(components):
    sources = load(GENERATED / "sources.json")
    for key in ("components-contrib", "dapr"):
        assert SHA40.match(sources[key]), key
        assert components["sources"][key] == sources[key]
    assert sources["generated_by"] == "scripts/gen_schemas.py"
    assert sources["metadata_files"] > 0


def test_sensitive_names():
    data = load(GENERATED / "sensitive-names.json")
    sensitive, lookalikes = data["sensitive"], data["non_sensitive_lookalikes"]
    assert sensitive == sorted(sensitive) and lookalikes == sorted(lookalikes)
    assert all(n == n.lower() for n in sensitive + lookalikes)
    assert {"accesskey", "secretkey", "sessiontoken", "password", "connectionstring"} <= set(sensitive)
    assert {"keyprefix", "maxtokens", "tokenurl", "vaulttokenmountpath", "secretsfile", "publickey",
            "cacert"} <= set(lookalikes)
    assert not set(sensitive) & set(lookalikes)


def test_aws_json():
    aws = load(GENERATED / "aws.json")
    builtin = set(aws["builtin_profile_types"])
    assert {"state.aws.dynamodb", "pubsub.aws.snssqs", "pubsub.snssqs",
            "secretstores.aws.secretmanager"} <= builtin
    assert not builtin & set(aws["conditional"])
    assert aws["conditional"]["pubsub.kafka"]["field"] == "authType"
    assert aws["conditional"]["state.postgresql"]["value"] == "true"
    assert len(aws["own_profile_types"]) == 4
    legacy = {a["alias"]: a for a in aws["aliases"]}
    assert legacy["awsRegion"]["canonical"] == "region" and legacy["awsRegion"]["wins"] == "canonical"
    assert legacy["awsSecret"]["accepted_by"] == ["pubsub.aws.snssqs", "pubsub.snssqs"]
    assert legacy["awsSecret"]["wins"] == "alias"


def test_crd_schemas_are_valid_draft_2020_12():
    index = load(CRDS / "index.json")
    assert index["dapr.io/v1alpha1/Component"] == "component-v1alpha1.schema.json"
    files = sorted(CRDS.glob("*.schema.json"))
    assert {f.name for f in files if ".lint." not in f.name} == set(index.values())
    for f in files:
        schema = load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"].endswith("/" + f.name)
        assert not any(k.startswith("x-kubernetes") for k in json.dumps(schema).split('"'))


def test_component_crd_schema_behaviour():
    validator = jsonschema.Draft202012Validator(load(CRDS / "component-v1alpha1.schema.json"))
    good = {"apiVersion": "dapr.io/v1alpha1", "kind": "Component", "metadata": {"name": "s"},
            "spec": {"type": "state.redis", "version": "v1",
                     "metadata": [{"name": "redisHost", "value": {"any": ["json"]}}]}}
    assert not list(validator.iter_errors(good))
    bad = {**good, "spec": {"type": "state.redis", "metadata": []}}
    assert any("version" in e.message for e in validator.iter_errors(bad))


def test_aws_regions():
    data = load(REGIONS)
    pattern = re.compile(data["pattern"])
    regions = data["regions"]
    assert len(regions) == len(set(regions)) >= 30
    assert not [r for r in regions if not pattern.match(r)]
    for r in ("us-east-1", "eu-central-2", "ap-southeast-7", "mx-central-1", "cn-north-1", "us-gov-west-1"):
        assert r in regions
    for r in ("us-east", "US-EAST-1", "us-east-1a", "useast1"):
        assert not pattern.match(r)

"""Checks for the committed data in rules/generated/ and rules/data/aws-regions.json.

The freshness and reproducibility checks need the Dapr reference data in ../shared/reference (next
to the repository; DAPRLINT_REFERENCE=<dir> points elsewhere, e.g. from a git worktree); they are
skipped when it is absent. The structural checks always run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("DAPRLINT_REFERENCE") or REPO.parent / "shared" / "reference")
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
    """The master component data as the rules see it: the index plus each type's own file."""
    index = load(GENERATED / "component-types.json")
    types = {}
    for name, item in index["types"].items():
        versions = load(GENERATED / item["file"])["versions"] if item["file"] else {}
        types[name] = {**item, "versions": versions}
    return {"sources": index["sources"], "categories": index["categories"], "types": types}


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
    assert not missing, "metadata.yaml files not represented in components/:\n" + "\n".join(missing)


# --------------------------------------------------------------------------------------------------
# (c) structural checks (no reference data needed)


def test_components_structure(components):
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


def test_components_known_entries(components):
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
    variants = (".lint.", ".kubernetes.", ".self-hosted.")
    assert {f.name for f in files if not any(v in f.name for v in variants)} == set(index.values())
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


# --------------------------------------------------------------------------------------------------
# (d) the versioned data (rules/generated/releases/) and the CRD modes

RELEASES_DIR = GENERATED / "releases"
NEW_FILES_BUDGET = 1_500_000  # bytes the versioned data may add to the wheel (the issue's bar)


@needs_reference
def test_generator_is_reproducible(tmp_path):
    """Two runs (different hash seeds) write identical bytes."""
    runs = {}
    for seed in ("1", "2"):  # both at once: the machine has two cores
        out = tmp_path / f"run{seed}"
        runs[out] = subprocess.Popen(
            [sys.executable, str(REPO / "scripts" / "gen_schemas.py"), "--reference", str(REFERENCE), "--out", str(out)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed})
    outs = []
    for out, proc in runs.items():
        log, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, log
        outs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outs[0].keys() == outs[1].keys()
    differ = [rel for rel in outs[0] if outs[0][rel] != outs[1][rel]]
    assert not differ, f"not reproducible: {differ}"


def _versioned_bytes():
    """Bytes of the versioned data: its own files plus the `releases` key of each type file."""
    crds = [p for p in CRDS.iterdir() if ".kubernetes." in p.name or ".self-hosted." in p.name or p.name == "modes.json"]
    total = sum(p.stat().st_size for p in [*RELEASES_DIR.glob("*.json"), *crds])
    for path in (GENERATED / "components").iterdir():
        text = path.read_text(encoding="utf-8")
        if '\n "releases": ' in text:
            start = text.index('\n "releases": ')
            total += text.index('\n "type": ', start) - start
    return total


def test_versioned_data_size_budget():
    assert _versioned_bytes() <= NEW_FILES_BUDGET
    assert not (GENERATED / "components.json").exists()  # dropped: nothing read it
    assert not (RELEASES_DIR / "components").exists()  # per-type history lives in components/<type>.json
    biggest = max(p.stat().st_size for p in (GENERATED / "components").iterdir())
    assert biggest < 100_000  # a one-file run loads one of these per type it sees


def _release_keys(doc):
    order = doc["releases"]
    assert order[-1] == "master" and order[:-1] == load(GENERATED / "sources.json")["dapr_releases"]
    return {r: i for i, r in enumerate(order)}


def _check_ranges(spans, rank, what):
    """[[since, until], ...]: ordered, disjoint, until None only last."""
    assert spans, what
    previous = -1
    for i, (since, until) in enumerate(spans):
        assert since in rank and rank[since] > previous, what
        if until is None:
            assert i == len(spans) - 1, what
        else:
            assert rank[since] < rank[until], what
            previous = rank[until]


def _check_history(entry, rank, what):
    assert entry["since"] in rank, what
    if "until" in entry:
        assert rank[entry["since"]] < rank[entry["until"]], what
    untils = [rank[c["until"]] for c in entry.get("changes", ())]
    assert untils == sorted(untils, reverse=True) and len(set(untils)) == len(untils), what
    for a, b in entry.get("gaps", ()):
        assert rank[entry["since"]] < rank[a] < rank[b], what


def test_releases_types_structure():
    doc = load(RELEASES_DIR / "types.json")
    rank = _release_keys(doc)
    index = load(GENERATED / "component-types.json")["types"]
    for name, entry in doc["types"].items():
        _check_history(entry, rank, name)
        assert entry["category"] == name.split(".", 1)[0]
        if "file" in entry:
            assert (GENERATED / entry["file"]).is_file(), name
        if entry.get("canonical"):
            assert entry["canonical"] in doc["types"] or entry["canonical"] in index, name
    # every type daprd registers at master is in the master index under the same canonical name
    for name, entry in doc["types"].items():
        if "until" not in entry:
            assert index[name]["registered"], name
            assert (index[name]["alias_of"] or name) == entry.get("canonical", name), name


def test_releases_component_files_structure():
    rank = {r: i for i, r in enumerate(load(RELEASES_DIR / "types.json")["releases"])}
    with_history = 0
    for path in (GENERATED / "components").iterdir():
        doc = load(path)
        assert path.name == doc["type"] + ".json"
        with_history += "releases" in doc
        for v, entry in doc.get("releases", {}).items():
            assert re.fullmatch(r"v\d+", v)
            assert "since" in entry or "code_known" in entry, (path.name, v)
            if "since" in entry:  # a metadata.yaml describes it in some release
                _check_history(entry, rank, f"{path.name} {v}")
            for spans in [*(entry[k] for k in ("code_known", "code_incomplete") if k in entry),
                          *entry.get("code_patterns", {}).values()]:
                _check_ranges(spans, rank, (path.name, v))
            for key, f in entry["fields"].items():
                assert key == f["name"].lower(), (path.name, key)
                assert "since" in f or any(k.startswith("code") for k in f), (path.name, key)
                if "since" in f:
                    _check_history(f, rank, f"{path.name} {v} {key}")
                    assert rank[f["since"]] >= rank[entry["since"]]
                for attr, value in f.items():
                    if attr.startswith("code"):
                        for spans in value.values() if isinstance(value, dict) else [value]:
                            _check_ranges(spans, rank, (path.name, v, key, attr))
                if "renamed_to" in f:
                    new = entry["fields"][f["renamed_to"].lower()]
                    assert new["since"] == f["until"] and new["renamed_from"] == f["name"]
    assert with_history == 141  # 138 with a metadata.yaml in some release, 3 known from the code only


def test_master_column_equals_component_files():
    """The versioned data at "master" gives back exactly what rules read today (components/)."""
    from daprlint import versions
    from daprlint.packs import PackData

    data = PackData([REPO / "rules"])
    index = load(GENERATED / "component-types.json")["types"]
    attrs = ("name", "required", "sensitive", "type", "default", "allowedValues", "deprecated", "binding", "source")
    checked = 0
    for name, item in index.items():
        if item["alias_of"] or not item["file"] or not versions.is_registered(data, name, "master"):
            continue
        for v, rec in load(GENERATED / item["file"])["versions"].items():
            got = versions.fields(data, name, v, "master")
            want = {k: {a: f[a] for a in attrs} for k, f in rec["fields"].items()}
            assert {k: {a: f[a] for a in attrs} for k, f in got.items()} == want, (name, v)
            checked += 1
    assert checked > 130


def test_annotations_and_run_file_structure():
    ann = load(RELEASES_DIR / "annotations.json")
    rank = _release_keys(ann)
    patch_rank = lambda r: tuple(int(p) for p in r.split(".")) if r != "master" else (1 << 30,)  # noqa: E731
    for key, entry in ann["annotations"].items():
        assert key.startswith("dapr.io/")
        untils = [patch_rank(c["until"]) for c in entry.get("changes", ())]
        assert untils == sorted(untils, reverse=True), key
        for item in entry["validation"]:
            assert item["by"] in ("injector", "daprd", "operator", "sentry"), key
    assert {n["annotation"] for n in ann["patch_level_notes"]} == {"dapr.io/enabled", "dapr.io/env"}
    run = load(RELEASES_DIR / "run-file.json")
    _release_keys(run)
    for key, entry in run["keys"].items():
        _check_history(entry, rank, key)
        assert entry["scope"] in ("top-level", "app-only", "common-or-app"), key


def _pointer_tuple(pointer):
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/") if p)


_NOT_CONSTRAINTS = {"$schema", "$id", "$comment", "title", "description", "default", "examples", "format"}


def _flatten(schema, path=()):
    """(schema path + keyword) -> JSON text of every constraint, recursing into sub-schemas."""
    out = {}
    for k, v in schema.items():
        if k == "properties":
            for name, child in v.items():
                out.update(_flatten(child, path + ("properties", name)))
        elif k in ("items", "additionalProperties", "not", "propertyNames") and isinstance(v, dict):
            out.update(_flatten(v, path + (k,)))
        elif k in ("allOf", "anyOf", "oneOf"):
            for i, child in enumerate(v):
                out.update(_flatten(child, path + (k, str(i))))
        elif k not in _NOT_CONSTRAINTS:
            out[path + (k,)] = json.dumps(v, sort_keys=True)
    return out


def test_crd_modes_differ_exactly_where_documented():
    modes = load(CRDS / "modes.json")["kinds"]
    assert set(modes) == set(load(CRDS / "index.json"))
    for key, info in modes.items():
        k8s, hosted = load(CRDS / info["kubernetes"]), load(CRDS / info["self-hosted"])
        for schema in (k8s, hosted):
            jsonschema.Draft202012Validator.check_schema(schema)
        documented = []
        for side, entries in (("kubernetes", info["relaxed"]), ("self_hosted", info["self_hosted_only"])):
            for e in entries:
                at = _pointer_tuple(e["schema_path"])
                for schema, value in ((k8s, e["kubernetes"]), (hosted, e["self_hosted"])):
                    node = schema
                    for part in at:
                        node = node[int(part)] if isinstance(node, list) else node[part]
                    assert node.get(e["keyword"]) == value, (key, e)
                documented.append(at + (e["keyword"],))
        a, b = _flatten(k8s), _flatten(hosted)
        differ = {p for p in a.keys() | b.keys() if a.get(p) != b.get(p)}
        undocumented = [p for p in differ if not any(p[:len(d)] == d for d in documented)]
        assert not undocumented, (key, undocumented[:5])
        unused = [d for d in documented if not any(p[:len(d)] == d for p in differ)]
        assert not unused, (key, unused[:5])


def _errors(schema_file, doc):
    return [e for e in jsonschema.Draft202012Validator(load(CRDS / schema_file)).iter_errors(doc)]


COMPONENT = {"apiVersion": "dapr.io/v1alpha1", "kind": "Component", "metadata": {"name": "orders"},
             "spec": {"type": "state.redis", "version": "v1", "metadata": [{"name": "redisHost", "value": "x:6379"}]}}
SUBSCRIPTION = {"apiVersion": "dapr.io/v2alpha1", "kind": "Subscription", "metadata": {"name": "orders"},
                "spec": {"pubsubname": "pubsub", "topic": "orders", "routes": {"default": "/orders"}}}


def _with(doc, path, value):
    doc = json.loads(json.dumps(doc))
    node = doc
    for part in path[:-1]:
        node = node[part]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


@pytest.mark.parametrize("doc, kubernetes_rejects, self_hosted_rejects", [
    (COMPONENT, False, False),
    (_with(COMPONENT, ("spec", "version"), KeyError), True, False),          # the issue's three
    (_with(COMPONENT, ("spec", "metadata"), None), True, False),
    (_with(SUBSCRIPTION, ("metadata", "name"), ""), True, False),
    (_with(COMPONENT, ("spec", "initTimeout"), None), False, False),         # pruned by the API server
    (_with(COMPONENT, ("spec", "version"), None), True, False),              # null on a required field
    (_with(COMPONENT, ("spec", "version"), 1), True, True),                  # a type error everywhere
    (_with(COMPONENT, ("spec", "ignoreErrors"), "yes"), True, True),
    (_with(COMPONENT, ("metadata", "name"), "Orders"), True, False),         # not a DNS-1123 subdomain
    (_with(COMPONENT, ("metadata", "name"), "a/b"), True, True),             # not a path segment either
    (_with(COMPONENT, ("metadata", "name"), ".."), True, True),
    (_with(COMPONENT, ("metadata",), {"generateName": "orders-"}), False, False),
    (_with(COMPONENT, ("metadata", "namespace"), "Prod_1"), True, False),
    (_with(COMPONENT, ("metadata", "labels"), {"app": "x", "bad key!": "y"}), True, False),
    (_with(COMPONENT, ("metadata", "labels"), {"app": 1}), True, True),
    (_with(COMPONENT, ("auth",), {}), True, False),
    (_with(COMPONENT, ("spec", "metadata"), [{"value": "no name"}]), True, False),
    (_with(COMPONENT, ("spec", "metadata"), [None]), True, False),
])
def test_crd_mode_behaviour(doc, kubernetes_rejects, self_hosted_rejects):
    from daprlint.schema import NodeValidator

    key = f"{doc['apiVersion']}/{doc['kind']}"
    info = load(CRDS / "modes.json")["kinds"][key]
    node = yaml.compose(yaml.safe_dump(doc))
    for mode, rejects in (("kubernetes", kubernetes_rejects), ("self-hosted", self_hosted_rejects)):
        assert bool(_errors(info[mode], doc)) is rejects, mode
        validator = NodeValidator(load(CRDS / info[mode]), CRDS / info[mode])  # what rules run
        assert (not validator.fast_valid(node)) is rejects and bool(list(validator.errors(node))) is rejects, mode


def test_crd_modes_schema_validating_kinds():
    """daprd validates MCPServer and WorkflowAccessPolicy against the CRD itself (1.18+)."""
    modes = load(CRDS / "modes.json")["kinds"]
    for key in ("dapr.io/v1alpha1/MCPServer", "dapr.io/v1alpha1/WorkflowAccessPolicy"):
        assert modes[key]["self_hosted_validates_crd_schema"] is True and modes[key]["since"] == "1.18"
        assert all(e["instance"].startswith("/metadata") or e["instance"] in ("/", "/apiVersion", "/kind")
                   for e in modes[key]["relaxed"]), key
    mcp = {"apiVersion": "dapr.io/v1alpha1", "kind": "MCPServer", "metadata": {"name": "m"}, "spec": {}}
    assert _errors(modes["dapr.io/v1alpha1/MCPServer"]["self-hosted"], mcp)  # spec.endpoint is required there too


def _gen_modules():
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import gen_code_data
        import gen_common
    finally:
        sys.path.remove(str(REPO / "scripts"))
    return gen_code_data, gen_common


ORDER = ["1.12", "1.13", "1.14", "1.15", "1.16", "1.17", "1.18", "master"]


def _facts(fields, **version):
    """A contrib-code-fields.json document with one type (bindings.http v1)."""
    entry = {"registered": ORDER, "fields": fields, **version}
    return {"minors": ORDER, "parse_errors": [], "types": {"bindings.http": {"registered": ORDER, "versions": {"v1": entry}}}}


def test_code_facts_adapter(tmp_path):
    """scripts/gen_code_data.py turns the code facts' minor lists into ranges, aliases into entries
    of their own, and keeps exact-case spellings, per-request reads, guards and ignored aliases."""
    gen_code_data, _ = _gen_modules()
    assert gen_code_data.ranges(["1.12", "1.13", "1.15"], ORDER) == [["1.12", "1.14"], ["1.15", "1.16"]]
    assert gen_code_data.ranges(ORDER[3:], ORDER) == [["1.15", None]]
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(_facts({
        "errorifnot2xx": {"name": "errorIfNot2XX", "init": ORDER, "request": ORDER,
                          "exact_case": {"errorIfNot2XX": ORDER}},
        "responsecachettl": {"name": "responseCacheTTL", "init": ORDER[5:], "aliases": {"cacheTTL": ORDER[5:]}},
        "useentraid": {"name": "useEntraID", "init": ORDER[2:], "aliases_unresolved": {"useAzureAD": ORDER[2:]}},
        "assumerolearn": {"name": "assumeRoleArn", "init": ORDER[3:],
                          "only_with": {"trustAnchorArn,trustProfileArn": ORDER[3:]}}},
        patterns={"header:*": {"init": ORDER}}, incomplete={"1.13": ["iterates over all properties (x.go)"]})))
    code = gen_code_data.read_code_facts(facts, {"bindings.http": "bindings.http"}, ORDER)["bindings.http"]["v1"]
    version, fields = gen_code_data.code_entries(code, {"errorifnot2xx": set(ORDER[3:7])}, ORDER, "test")
    assert version == {"code_known": [["1.12", None]], "code_incomplete": [["1.13", "1.14"]],
                       "code_patterns": {"header:*": [["1.12", None]]}}
    assert fields["errorifnot2xx"] == ("errorIfNot2XX", {"code": [["1.12", None]], "code_request": [["1.12", None]],
                                                         "code_exact": {"errorIfNot2XX": [["1.12", None]]}})
    assert fields["cachettl"] == ("cacheTTL", {"code_alias_of": {"responseCacheTTL": [["1.17", None]]}})
    assert fields["useazuread"] == ("useAzureAD", {"code_ignored_alias_of": {"useEntraID": [["1.14", None]]}})
    assert fields["assumerolearn"][1]["code_only_with"] == {"trustAnchorArn,trustProfileArn": [["1.15", None]]}
    assert gen_code_data.read_code_facts(tmp_path / "absent.json", {}, ORDER) == {}


def test_code_facts_adapter_refuses_what_it_cannot_explain(tmp_path):
    gen_code_data, gen_common = _gen_modules()
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(_facts({"url": {"name": "url", "init": ORDER}})))
    code = gen_code_data.read_code_facts(facts, {"bindings.http": "bindings.http"}, ORDER)["bindings.http"]["v1"]
    with pytest.raises(gen_common.GenError, match="lists maxresponsebodysize in"):  # documented, never read
        gen_code_data.code_entries(code, {"maxresponsebodysize": {"1.15"}}, ORDER, "test")
    facts.write_text(json.dumps({**_facts({}), "minors": ORDER[:-1]}))
    with pytest.raises(gen_common.GenError, match="minors"):
        gen_code_data.read_code_facts(facts, {"bindings.http": "bindings.http"}, ORDER)
    facts.write_text(json.dumps({**_facts({}), "types": {"bindings.nosuch": {"versions": {}}}}))
    with pytest.raises(gen_common.GenError, match="not a registered spec.type"):
        gen_code_data.read_code_facts(facts, {"bindings.http": "bindings.http"}, ORDER)


def test_code_data_in_the_committed_files():
    """The committed per-type files carry the code facts (docs/data-sources.md, the issue's examples)."""
    http = load(GENERATED / "components" / "bindings.http.json")["releases"]["v1"]
    assert http["fields"]["errorifnot2xx"]["code"] == [["1.12", None]]  # read since 1.12, documented from 1.15
    assert http["fields"]["errorifnot2xx"]["since"] == "1.15"
    bedrock = load(GENERATED / "components" / "conversation.aws.bedrock.json")["releases"]["v1"]["fields"]
    assert bedrock["cachettl"]["code_alias_of"] == {"responseCacheTTL": [["1.17", None]]}
    assert bedrock["cachettl"]["code"] == [["1.15", "1.17"]]
    sms = load(GENERATED / "components" / "bindings.twilio.sms.json")["releases"]["v1"]["fields"]
    assert sms["tonumber"]["code_request"] == [["1.12", None]]
    redis = load(GENERATED / "components" / "state.redis.json")["releases"]["v1"]["fields"]
    assert "code_alias_of" not in redis["useazuread"] and redis["useazuread"]["code_ignored_alias_of"]
    s3 = load(GENERATED / "components" / "bindings.aws.s3.json")["releases"]["v1"]["fields"]
    assert "code" not in s3["sessionname"]  # listed by the builtin aws profile, read by no s3 code
    assert s3["assumerolearn"]["code_only_with"] == {"trustAnchorArn,trustProfileArn": [["1.15", None]]}
    extras = json.loads((REPO / "rules" / "dapr" / "field-extras.json").read_text())
    names = json.dumps(extras)
    assert "azureDisableInstanceDiscovery" not in names and "useAzureAD" not in names  # read by no code

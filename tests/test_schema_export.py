"""`daprlint schema`: the exported JSON Schemas, checked three ways.

- Structure: the CRDs-catalog layout, draft-07 meta-validation, a branch for
  every registered type and version that Dapr's metadata describes, with
  every field, flag and required field of the linter's tables.
- Agreement with the linter (the `jsonschema` package as the validator):
  every document of the examples, the rule fixtures and (slow, needs
  ../shared) the real-world corpus that daprlint finds structurally sound
  (no DPR001-DPR012 finding) is valid; the unknown names of examples/bad are
  not; the value checks say what DPR006 says (hypothesis). Two differences
  are deliberate (see docs/editor-schemas.md): unknown structural fields
  (`additionalProperties: false`, as CRDs-catalog has it) and placeholder
  values such as `<REPLACE-WITH-VALUE>` outside component metadata are
  invalid in the schemas.
- The real yaml-language-server over stdio (slow; skips with the reason when
  node or the server is missing; `.ci/run` installs both): validation flags
  an unknown metadata name of `state.aws.dynamodb`, completion in a dynamodb
  item offers `region` and `table`, hover shows the field's description;
  also `yaml.schemas` with `dapr.io/all.json`, the CRD store layout, and
  every pattern compiling as yaml-language-server compiles it.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from conftest import REPO, lint_json, shared_or_skip
from daprlint import schema_export
from daprlint.packs import load_packs

BASE = "file:///schemas/"
STRUCTURAL = {"DPR001", "DPR002", "DPR003", "DPR004", "DPR006", "DPR008", "DPR010", "DPR011", "DPR012"}
DYNAMODB = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: orders
spec:
  type: state.aws.dynamodb
  version: v1
  metadata:
  - name: Region
    value: eu-west-1
  - name: table
    value: orders
"""


@pytest.fixture(scope="module")
def ruleset():
    return load_packs()


@pytest.fixture(scope="module")
def schemas(ruleset):
    return schema_export.build_schemas(ruleset.data)


@pytest.fixture(scope="module")
def registry(schemas):
    return Registry().with_resources(
        (BASE + path, Resource.from_contents(schema, default_specification=DRAFT7))
        for path, schema in schemas.items() if path != schema_export.CATALOG)


@pytest.fixture(scope="module")
def all_validator(registry):
    return Draft7Validator({"$ref": BASE + schema_export.ALL}, registry=registry)


@pytest.fixture(scope="module")
def component(schemas):
    return schemas["dapr.io/component_v1alpha1.json"]


def rule_module(ruleset, code):
    return sys.modules[ruleset.rules[code].load().check.__module__]


class JsonLoader(yaml.SafeLoader):
    """YAML as JSON data (a timestamp stays text, as editors and kubeconform read it)."""


JsonLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def dapr_documents(path: Path):
    """(first line, last line, data) of each Dapr document of a file that parses."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if "dapr.io/" not in text:
        return []
    try:
        loader = JsonLoader(text)
        found = []
        while loader.check_node():
            node = loader.get_node()
            data = loader.construct_document(node)
            if isinstance(data, dict) and str(data.get("apiVersion", "")).startswith("dapr.io/"):
                found.append((node.start_mark.line + 1, node.end_mark.line + 1, data))
        return found
    except yaml.YAMLError:
        return []


def deliberate(error) -> bool:
    """The two documented differences from the linter (module docstring)."""
    placeholder = isinstance(error.instance, str) and "<" in error.instance and ">" in error.instance
    return error.validator == "additionalProperties" or placeholder


def _kustomize_patches(paths) -> set:
    """Files a kustomization lists as patches: daprlint lints them as partial resources (no field
    is required), which a schema cannot know."""
    import yaml

    found = set()
    for root in paths:
        for k in (root.rglob("kustomization.y*ml") if root.is_dir() else ()):
            doc = yaml.safe_load(k.read_text(encoding="utf-8")) or {}
            for entry in (doc.get("patches") or []) + (doc.get("patchesStrategicMerge") or []):
                rel = entry.get("path") if isinstance(entry, dict) else entry
                if isinstance(rel, str) and "\n" not in rel:
                    found.add((k.parent / rel).resolve())
    return found


def disagreements(paths, validator) -> list[str]:
    """Schema errors in documents where daprlint reports no structural finding (kustomize patches aside)."""
    _, report = lint_json("--isolated", "--exit-zero", *map(str, paths))
    patches = _kustomize_patches(paths)
    by_file = {}
    for finding in report["findings"]:
        by_file.setdefault(Path(finding["path"]).resolve(), []).append(finding)
    out = []
    for root in paths:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.suffix not in (".yaml", ".yml") or path.resolve() in patches:
                continue
            findings = by_file.get(path.resolve(), [])
            for start, end, data in dapr_documents(path):
                if any(start <= f["line"] <= end and f["code"] in STRUCTURAL for f in findings):
                    continue
                out += [f"{path}:{start}: {list(e.absolute_path)} {e.message[:200]}"
                        for e in validator.iter_errors(data) if not deliberate(e)]
    return out


# -- layout and structure ---------------------------------------------------------
def test_main_writes_the_crds_catalog_layout(tmp_path, ruleset, capsys):
    assert schema_export.main(["--out", str(tmp_path)]) == 0
    index = ruleset.data.json("generated/crds/index.json")
    expected = {f"dapr.io/{key.rpartition('/')[2].lower()}_{key.split('/')[1]}.json" for key in index}
    assert "dapr.io/component_v1alpha1.json" in expected and "dapr.io/subscription_v2alpha1.json" in expected
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json")}
    assert written == expected | {schema_export.ALL, schema_export.CATALOG}
    catalog = json.loads((tmp_path / "catalog.json").read_text())
    assert catalog["$schema"] == schema_export.CATALOG_SCHEMA
    assert {entry["url"] for entry in catalog["schemas"]} == written - {schema_export.CATALOG}
    assert all(entry["name"] and entry["description"] for entry in catalog["schemas"])
    assert "wrote 10 files" in capsys.readouterr().out


def test_base_url_makes_the_catalog_absolute(tmp_path):
    assert schema_export.main(["--out", str(tmp_path), "--base-url", "https://example.test/s"]) == 0
    catalog = json.loads((tmp_path / "catalog.json").read_text())
    assert all(e["url"].startswith("https://example.test/s/dapr.io/") for e in catalog["schemas"])


def test_output_does_not_depend_on_hash_order(tmp_path):
    """Golden-file stability: the same data gives the same bytes under any PYTHONHASHSEED."""
    texts = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        code = f"import sys; from daprlint.schema_export import main; sys.exit(main(['--out', {str(out)!r}]))"
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=120,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        texts.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*.json")})
    assert texts[0] == texts[1]


def test_every_schema_is_valid_draft7(schemas):
    for path, schema in schemas.items():
        if path == schema_export.CATALOG:
            continue
        assert schema["$schema"] == schema_export.DRAFT, path
        Draft7Validator.check_schema(schema)  # includes the `regex` format: every pattern compiles in Python


def test_kinds_are_pinned_to_their_api_version(schemas, ruleset):
    for key in ruleset.data.json("generated/crds/index.json"):
        api_version, _, kind = key.rpartition("/")
        schema = schemas[schema_export.catalog_path(api_version, kind)]
        assert schema["properties"]["apiVersion"]["const"] == api_version
        assert schema["properties"]["kind"]["const"] == kind
        assert {"apiVersion", "kind"} <= set(schema["required"])


def _type_branches(component):
    """{(type, version or None): then-schema} from the Component schema's if/then list."""
    out = {}
    for branch in component["allOf"]:
        spec = branch["if"]["properties"]["spec"]["properties"]
        type_name = re.fullmatch(r"\(\?i\)\^\\s\*(.+)\\s\*\$", spec["type"]["pattern"]).group(1).replace("\\", "")
        version = spec.get("version", {}).get("pattern")
        version = re.search(r"v\d+", version).group(0) if version else None
        out[(type_name, version)] = branch["then"]
    return out


def test_every_registered_type_is_known_and_described(component, ruleset):
    from daprlint import dapr, versions

    data = ruleset.data
    index = data.json("generated/component-types.json")["types"]
    vocabulary = rule_module(ruleset, "DPR003").vocabulary
    choices = component["properties"]["spec"]["properties"]["type"]["anyOf"]
    consts = {c["const"]: c for c in choices if "const" in c}
    branches = _type_branches(component)
    registered = {t for t, e in index.items() if e["registered"]}
    assert set(consts) == registered
    for type_name in sorted(registered):
        assert consts[type_name]["description"]
        item = index[type_name]
        if not item["file"]:
            continue
        assert (type_name, None) in branches  # spec.version completion
        entry = data.json("generated/" + item["file"])
        for version, table in entry["versions"].items():
            vocab = vocabulary(entry, type_name, version, data)
            key = f"{type_name}@{version}"
            if vocab is None:
                assert key not in component["definitions"]
                continue
            assert (type_name, version) in branches, key
            assert branches[(type_name, version)]["properties"]["spec"]["properties"]["metadata"]["items"] == \
                {"$ref": f"#/definitions/{key}"}
            names = component["definitions"][key]["properties"]["name"]["anyOf"]
            listed = {c["const"] for c in names if "const" in c}
            # every field the default release's component reads (dapr.field_table: its metadata.yaml
            # without the fields its code does not read, such as sessionName on bindings.aws.s3)
            offered = dapr.field_table(schema_export._resource_stub(type_name, version), data, versions.resolve(data))
            assert {info["name"] for info in (offered or {}).values()} - listed <= \
                {info["name"] for info in (offered or {}).values() if "<" in info["name"]}
            assert listed == set(vocab.names.values())


def _choice(component, key, name):
    return next(c for c in component["definitions"][key]["properties"]["name"]["anyOf"] if c.get("const") == name)


def test_field_documentation_and_flags(component, ruleset):
    fields = ruleset.data.json("generated/components/state.aws.dynamodb.json")["versions"]["v1"]["fields"]
    table = _choice(component, "state.aws.dynamodb@v1", "table")
    assert table["description"] == fields["table"]["description"]
    assert fields["table"]["description"] in table["markdownDescription"]
    secret = _choice(component, "state.aws.dynamodb@v1", "secretKey")
    assert "secretKeyRef" in secret["description"] and "**Sensitive:** yes" in secret["markdownDescription"]
    alias = _choice(component, "state.aws.dynamodb@v1", "awsRegion")
    assert alias["deprecated"] is True and "use `region`" in alias["deprecationMessage"]
    region = _choice(component, "state.aws.dynamodb@v1", "region")
    assert "deprecated" not in region


def test_required_fields_follow_dpr004(component, ruleset):
    plan = rule_module(ruleset, "DPR004")._make_plan
    index = ruleset.data.json("generated/component-types.json")["types"]
    branches = _type_branches(component)
    for (type_name, version), then in branches.items():
        if version is None:
            continue
        wanted = {name for _, name, binding in (plan(type_name, version, index, ruleset.data) or {"required": []})
                  ["required"] if not binding or (binding.get("input") and binding.get("output"))}
        spec = then["properties"]["spec"]
        got = {re.search(r"`([^`]+)`, which|field `([^`]+)`", r["errorMessage"]).group(2)
               for r in spec["properties"]["metadata"].get("allOf", [])}
        assert got == wanted, (type_name, version)
        assert ("metadata" in spec.get("required", [])) == bool(wanted)


# -- agreement with the linter -------------------------------------------------------
def test_good_examples_are_valid(all_validator):
    for path in sorted((REPO / "examples" / "good").rglob("*.yaml")):
        for start, _, data in dapr_documents(path):
            assert not [e.message for e in all_validator.iter_errors(data)], f"{path}:{start}"


def test_unknown_names_in_bad_examples_are_invalid(all_validator):
    bad = REPO / "examples" / "bad"
    docs = [d for path in (bad / "DPR003-unknown-metadata-field" / "statestore.yaml",
                           bad / "DPR002-unknown-component-type" / "secretstore.yaml")
            for _, _, d in dapr_documents(path)]
    flagged = {(tuple(e.absolute_path), str(e.instance)) for d in docs for e in all_validator.iter_errors(d)}
    assert (("spec", "metadata", 2, "name"), "ttlAttribute") in flagged
    assert (("spec", "type"), "secretstores.aws.secretsmanager") in flagged


def test_case_variants_and_templates_are_valid(all_validator):
    data = yaml.safe_load(DYNAMODB)
    assert not list(all_validator.iter_errors(data))
    data["spec"]["metadata"].append({"name": "{{ .Values.extra }}", "value": "x"})
    data["spec"]["type"] = "state.AWS.DynamoDB"
    assert not list(all_validator.iter_errors(data))
    data["spec"]["type"] = "State.aws.dynamodb"  # daprd matches the category case-sensitively
    assert list(all_validator.iter_errors(data))


def test_required_field_missing_is_invalid(all_validator):
    data = yaml.safe_load(DYNAMODB)
    data["spec"]["metadata"] = [{"name": "region", "value": "eu-west-1"}, {"name": "table", "value": ""}]
    errors = list(all_validator.iter_errors(data))
    assert [e.validator for e in errors] == ["contains"]
    data["spec"]["metadata"][1] = {"name": "TABLE", "secretKeyRef": {"name": "s", "key": "k"}}
    assert not list(all_validator.iter_errors(data))


def test_documents_of_other_apis_pass(all_validator):
    assert not list(all_validator.iter_errors({"apiVersion": "apps/v1", "kind": "Deployment", "spec": 1}))
    assert list(all_validator.iter_errors({"apiVersion": "dapr.io/v1alpha1", "kind": "Componnet"}))


def test_examples_and_fixtures_agree_with_the_linter(all_validator):
    assert disagreements([REPO / "examples", REPO / "tests" / "fixtures"], all_validator) == []


@pytest.mark.slow
def test_corpus_agrees_with_the_linter(all_validator):
    corpus = shared_or_skip("corpus")
    assert disagreements([corpus], all_validator) == []


def _value_validator(registry, key):
    schema = {"$ref": BASE + "dapr.io/component_v1alpha1.json#/definitions/" + key}
    return Draft7Validator(schema, registry=registry)


# (definition, field) for each kind of value check: bool, number, duration, allowed values
# (case-insensitive, with a field-extras list, case-sensitive) and byte size
VALUE_FIELDS = [("state.redis@v1", "enableTLS"), ("state.redis@v1", "redisDB"), ("state.redis@v1", "dialTimeout"),
                ("state.redis@v1", "redisType"), ("pubsub.kafka@v1", "authType"),
                ("pubsub.rabbitmq@v1", "concurrencyMode"), ("bindings.http@v1", "maxResponseBodySize")]
VALUE_TEXT = st.one_of(
    st.sampled_from(["true", "False", " yes ", "on", "2", "0x1F", "1_000", "1e3", "-.5", "inf", "NaN", "0x1p-2",
                     "5s", "1m30s", "1.5h", "-0", "300", "10 seconds", "4Mi", "1Gi", "node", " Cluster", "cluster,node",
                     "AWSIAM", "password", "<value>", "{{ .Values.x }}", "{{", "${X}", "", "µs", "1µs", "1.5.3s"]),
    st.text(alphabet="0123456789.eExXpP_+-smhnuµKMGiabcdeflnorstuy, <>{}$", max_size=10),
)


_VALUE_CHECK = {}


def _value_check():
    """(validator per definition, DPR006 module, pack data), made once: hypothesis prints the
    arguments of a failing example, so the big schemas are not passed as fixtures."""
    if not _VALUE_CHECK:
        ruleset = load_packs()
        schemas = schema_export.build_schemas(ruleset.data)
        registry = Registry().with_resources(
            (BASE + path, Resource.from_contents(schema, default_specification=DRAFT7))
            for path, schema in schemas.items() if path != schema_export.CATALOG)
        _VALUE_CHECK.update(registry=registry, dpr006=rule_module(ruleset, "DPR006"), data=ruleset.data)
    return _VALUE_CHECK


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(VALUE_FIELDS), text=VALUE_TEXT)
def test_value_checks_never_stricter_than_dpr006(case, text):
    check = _value_check()
    key, field = case
    type_name, _, version = key.partition("@")
    dpr006 = check["dpr006"]
    rule = dpr006._rules(schema_export._resource_stub(type_name, version), check["data"])[field.lower()]
    linter_says_bad = text != "" and dpr006._verdict(rule, text, False, False, {}) is not None
    validator = _value_validator(check["registry"], key)
    errors = [e.message for e in validator.iter_errors({"name": field, "value": text})]
    # an editor must never flag what the linter accepts; the schema's regular expressions may let
    # through some values goparse's Go parsers reject (a fractional byte size, an out-of-range int)
    assert not errors or linter_says_bad, (field, text, errors)


def test_yaml_typed_values(component, registry):
    validator = _value_validator(registry, "state.redis@v1")
    for name, value, ok in [("enableTLS", True, True), ("enableTLS", 1, True), ("enableTLS", 2, False),
                            ("redisDB", 3, True), ("dialTimeout", 30, True), ("redisType", None, True),
                            ("redisType", {"a": 1}, True)]:
        assert (not list(validator.iter_errors({"name": name, "value": value}))) == ok, (name, value)


# -- errors and options -------------------------------------------------------------
def _validator_for(ruleset, dapr_version: str) -> Draft7Validator:
    exported = schema_export.build_schemas(ruleset.data, dapr_version)
    registry = Registry().with_resources(
        (BASE + path, Resource.from_contents(schema, default_specification=DRAFT7))
        for path, schema in exported.items() if path != schema_export.CATALOG)
    return Draft7Validator({"$ref": BASE + schema_export.ALL}, registry=registry)


def _component(type_name: str, **items: str) -> dict:
    return {"apiVersion": "dapr.io/v1alpha1", "kind": "Component", "metadata": {"name": "c"},
            "spec": {"type": type_name, "version": "v1",
                     "metadata": [{"name": name, "value": value} for name, value in items.items()]}}


@pytest.mark.parametrize("document, older, newer", [
    # a field that arrives in 1.18 (the issue's example): unknown to the 1.17 schema only
    (_component("pubsub.kafka", brokers="localhost:9092", authType="none", dialTimeout="5s"), "1.17", "1.18"),
    # a type name daprd registers from 1.16 on (the issue's example)
    (_component("pubsub.azure.servicebusqueues", connectionString="Endpoint=sb://x/"), "1.15", "1.16"),
])
def test_export_follows_dapr_version(ruleset, document, older, newer):
    """`daprlint schema --dapr-version V` describes release V: what V does not read or register is
    flagged by the editor, what it does is not."""
    assert list(_validator_for(ruleset, older).iter_errors(document))
    assert not list(_validator_for(ruleset, newer).iter_errors(document))


def test_dapr_version_older_than_the_data_is_a_usage_error(tmp_path, capsys):
    assert schema_export.main(["--out", str(tmp_path), "--dapr-version", "1.11"]) == 2
    assert "1.11" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_never_writes_through_a_link(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "dapr.io").symlink_to(tmp_path / "elsewhere")
    assert schema_export.main(["--out", str(tmp_path / "out")]) == 2
    assert not list((tmp_path / "elsewhere").iterdir())


def test_usage_error_exits_2(capsys):
    assert schema_export.main([]) == 2
    assert "--out" in capsys.readouterr().err


# -- the real yaml-language-server ------------------------------------------------------
@pytest.fixture(scope="module")
def server_command():
    from yaml_ls_client import find_server

    command, why = find_server()
    if command is None:
        pytest.skip(why)
    return command


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("schemas")
    assert schema_export.main(["--out", str(out)]) == 0
    return out


SETTINGS = {"yaml": {"validate": True, "hover": True, "completion": True, "schemaStore": {"enable": False},
                     "kubernetesCRDStore": {"enable": False}}}


def _lines(text):
    return text.splitlines()


@pytest.fixture(scope="module")
def modeline_server(server_command, exported, tmp_path_factory):
    from yaml_ls_client import YamlLanguageServer

    root = tmp_path_factory.mktemp("workspace")
    with YamlLanguageServer(server_command, SETTINGS, root) as server:
        yield server, root, exported


def _with_modeline(exported, text):
    return f"# yaml-language-server: $schema={(exported / 'dapr.io' / 'component_v1alpha1.json').as_uri()}\n{text}"


@pytest.mark.slow
def test_ls_flags_an_unknown_name_and_nothing_else(modeline_server):
    server, root, exported = modeline_server
    text = _with_modeline(exported, DYNAMODB.replace("  - name: Region\n", "  - name: regoin\n"))
    uri = server.open(root / "unknown.yaml", text)
    diagnostics = server.diagnostics(uri, lambda d: bool(d))
    line = _lines(text).index("  - name: regoin")
    assert [d["range"]["start"]["line"] for d in diagnostics] == [line]
    assert "table" in diagnostics[0]["message"] and "region" in diagnostics[0]["message"]
    good = server.open(root / "good.yaml", _with_modeline(exported, DYNAMODB))
    assert server.diagnostics(good) == []
    unknown_type = server.open(root / "type.yaml", _with_modeline(exported, DYNAMODB.replace("state.aws.", "foo.")))
    messages = [d["message"] for d in server.diagnostics(unknown_type, lambda d: bool(d))]
    assert "not a component type daprd registers (see the completion list)" in messages


@pytest.mark.slow
def test_ls_completes_dynamodb_field_names(modeline_server, ruleset):
    server, root, exported = modeline_server
    relative = os.path.relpath(exported / "dapr.io" / "component_v1alpha1.json", root)  # as docs/editor-schemas.md
    text = f"# yaml-language-server: $schema={relative}\n" + DYNAMODB + "  - name: \n"
    uri = server.open(root / "complete.yaml", text)
    line = len(_lines(text)) - 1
    items = server.completion(uri, line, len("  - name: "))
    labels = {item["label"] for item in items}
    assert {"region", "table"} <= labels and "regoin" not in labels
    table = next(item for item in items if item["label"] == "table")
    fields = ruleset.data.json("generated/components/state.aws.dynamodb.json")["versions"]["v1"]["fields"]
    assert fields["table"]["description"] in table["documentation"]["value"]


@pytest.mark.slow
def test_ls_hover_shows_the_description(modeline_server, ruleset):
    server, root, exported = modeline_server
    text = _with_modeline(exported, DYNAMODB)
    uri = server.open(root / "hover.yaml", text)
    line = _lines(text).index("  - name: table")
    hover = server.hover(uri, line, len("  - name: ta"))
    fields = ruleset.data.json("generated/components/state.aws.dynamodb.json")["versions"]["v1"]["fields"]
    assert fields["table"]["description"] in hover
    assert "**`table`**" in hover


@pytest.mark.slow
def test_ls_yaml_schemas_setting_with_all_json(server_command, exported, tmp_path):
    from yaml_ls_client import YamlLanguageServer

    settings_ = {"yaml": {**SETTINGS["yaml"], "schemas": {str(exported / "dapr.io" / "all.json"): "*.yaml"}}}
    text = DYNAMODB.replace("  - name: Region\n", "  - name: regoin\n") + """\
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  anything: goes
---
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: orders
spec:
  pubsubname: pubsub
  topic: orders
  routes:
    default: /orders
  deadLetterTopic: [dead]
"""
    with YamlLanguageServer(server_command, settings_, tmp_path) as server:
        uri = server.open(tmp_path / "mixed.yaml", text)
        diagnostics = server.diagnostics(uri, lambda d: len(d) >= 2)
    lines = _lines(text)
    assert sorted(d["range"]["start"]["line"] for d in diagnostics) == \
        [lines.index("  - name: regoin"), lines.index("  deadLetterTopic: [dead]")]


@pytest.mark.slow
def test_ls_kubernetes_crd_store_finds_the_layout(server_command, exported, tmp_path):
    """yaml.kubernetesCRDStore.url pointed at the export: the server picks
    dapr.io/component_v1alpha1.json by the document's group, version and kind.
    It first loads the Kubernetes schema, which the client serves as an empty
    stand-in (no network here)."""
    from yaml_ls_client import YamlLanguageServer

    kubernetes = ("https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/"
                  "v1.34.1-standalone-strict/all.json")  # yaml-language-server 1.25's default Kubernetes schema
    settings_ = {"yaml": {**SETTINGS["yaml"], "schemas": {"kubernetes": "*.yaml"},
                          "kubernetesCRDStore": {"enable": True, "url": exported.as_uri()}}}
    text = DYNAMODB.replace("  - name: Region\n", "  - name: regoin\n")
    with YamlLanguageServer(server_command, settings_, tmp_path, content={kubernetes: '{"oneOf": []}'}) as server:
        uri = server.open(tmp_path / "component.yaml", text)
        diagnostics = server.diagnostics(uri, lambda d: bool(d))
        assert server.content_requests == [kubernetes]
    assert [d["range"]["start"]["line"] for d in diagnostics] == [_lines(text).index("  - name: regoin")]
    assert "component_v1alpha1.json" in json.dumps(diagnostics[0].get("data", {}))


@pytest.mark.slow
def test_every_pattern_compiles_as_yaml_language_server_compiles_it(server_command, schemas, tmp_path):
    """safeCreateUnicodeRegExp: inline flags become RegExp flags, then the `u` flag."""
    patterns = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str):
                    patterns.add(value)
                elif key == "patternProperties":
                    patterns.update(value)
                    walk(list(value.values()))
                elif key not in ("enum", "const", "default", "examples"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schemas)
    (tmp_path / "patterns.json").write_text(json.dumps(sorted(patterns)))
    script = """
const patterns = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
const bad = [];
for (const p of patterns) {
  let flags = '';
  const body = p.replace(/\\(\\?([ims]+)\\)/g, (_m, f) => {
    for (const c of f) if (!flags.includes(c)) flags += c;
    return '';
  });
  try { new RegExp(body, flags + 'u'); } catch (e) { bad.push(p + ' : ' + e.message); }
}
console.log(JSON.stringify(bad));
"""
    node = server_command[0]
    result = subprocess.run([node, "-e", script, str(tmp_path / "patterns.json")], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert len(patterns) > 100

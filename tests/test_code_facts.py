"""scripts/data/contrib-code-fields.json: which metadata fields components-contrib's code reads.

The mirrors the generator reads are not available in CI, so these tests check the committed JSON
(structure, canonical bytes, the facts the issues name), cross-check it against metadata.yaml in
``../shared`` when present, and exercise the generator's Go front end and interpreter on small
in-memory Go packages (no mirror needed).
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, shared_or_skip

DATA = REPO / "scripts" / "data" / "contrib-code-fields.json"
MINORS = ["1.12", "1.13", "1.14", "1.15", "1.16", "1.17", "1.18", "master"]
RELEASED = MINORS[:-1]
SOURCE_KINDS = {"struct", "struct-json", "property-read", "pattern-read"}


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_code_facts", REPO / "scripts" / "gen_code_facts.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["gen_code_facts"] = mod
    spec.loader.exec_module(mod)
    return mod


gen = _load_generator()


@pytest.fixture(scope="module")
def data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def field(data, spec_type, name, version="v1", table="fields"):
    return data["types"][spec_type]["versions"][version].get(table, {}).get(name.lower())


# --------------------------------------------------------------------------------------------------
# structure and determinism

def test_committed_bytes_are_canonical(data):
    """Sorted keys and the generator's own layout: re-serialising gives the same bytes."""
    assert DATA.read_text(encoding="utf-8") == gen.dump(data) + "\n"


def test_sources_name_every_minor(data):
    assert data["minors"] == MINORS == gen.MINORS
    assert data["generated_by"] == "scripts/gen_code_facts.py"
    for minor in MINORS:
        src = data["sources"][minor]
        for repo in ("components-contrib", "dapr"):
            assert re.fullmatch(r"[0-9a-f]{40}", src[repo]["commit"]), (minor, repo)
        assert src["components-contrib"]["tag"] == ("master" if minor == "master" else gen.RELEASES[minor][0])
        assert src["dapr"]["tag"] == ("master" if minor == "master" else gen.RELEASES[minor][1])
        assert re.fullmatch(r"[0-9a-f]{40}", src["kit"]["commit"])
    assert data["sources"]["1.12"]["components-contrib"]["commit"].startswith("adf5cdb2")
    assert data["sources"]["master"]["components-contrib"]["commit"].startswith("c23900d2")
    assert data["parse_errors"] == []


def _minor_list(value, where):
    assert isinstance(value, list) and value, where
    assert value == sorted(set(value), key=MINORS.index), where
    assert set(value) <= set(MINORS), where


def test_every_entry_is_well_formed(data):
    assert len(data["types"]) >= 155
    for st_name, tent in data["types"].items():
        assert st_name == st_name.lower() and "." in st_name
        _minor_list(tent["registered"], st_name)
        for version, vent in tent["versions"].items():
            where = f"{st_name}@{version}"
            assert re.fullmatch(r"v\d+", version), where
            _minor_list(vent["registered"], where)
            assert set(vent["registered"]) <= set(tent["registered"]), where
            for table, kind in (("fields", "init"), ("request_fields", "request")):
                for key, ent in vent.get(table, {}).items():
                    w = f"{where} {table}.{key}"
                    assert key == ent["name"].lower(), w
                    _minor_list(ent[kind], w)
                    assert set(ent[kind]) <= set(vent["registered"]), w
                    assert set(ent["sources"]) <= SOURCE_KINDS and ent["sources"], w
                    assert ent["files"] and all(f.endswith(".go") for f in ent["files"]), w
                    for attr in ("go_type", "aliases", "aliases_unresolved", "exact_case", "mdonly", "only_with"):
                        for k, minors in ent.get(attr, {}).items():
                            _minor_list(minors, f"{w} {attr}.{k}")
                            assert set(minors) <= set(ent[kind]), f"{w} {attr}.{k}"
                    for attr in ("mdignore", "mddeprecated", "request"):
                        if attr in ent:
                            _minor_list(ent[attr], f"{w} {attr}")
            for pattern, ent in vent.get("patterns", {}).items():
                assert "*" in pattern, where
                _minor_list(ent["init"], where)


def test_registrations_match_daprd(data):
    """Every spec.type daprd registers at a release is in the data for that minor."""
    root = shared_or_skip("reference", "dapr-releases", "daprd-component-types")
    for minor in RELEASED:
        ref = json.loads((root / f"{minor}.json").read_text(encoding="utf-8"))["types"]
        ours = {t for t, e in data["types"].items() if minor in e["registered"]}
        assert ours == set(ref), minor
        for t, e in ref.items():
            versions = {v for v, ve in data["types"][t]["versions"].items() if minor in ve["registered"]}
            assert versions == set(e["versions"]), (minor, t)


def test_coverage(data):
    """Almost every registered type resolves to a components-contrib package whose fields were found."""
    for minor, row in data["summary"].items():
        assert row["implemented"] >= row["type_versions"] - 6, minor    # middleware.http.uppercase, workflowbackend.*
        assert row["with_fields"] >= row["implemented"] - 8, minor     # in-memory, mdns, echo, dubbo have no init fields
        assert row["md_in_code"] >= 0.94 * row["md_fields"], minor
        assert row.get("md_not-read-unverified", 0) == 0, minor


def test_decode_analysis_finds_every_field_the_metadata_analyzer_lists(data):
    """GetComponentMetadata's struct is what components-contrib's build tools compare with metadata.yaml;
    the only type whose decoder reads other names is the json-decoding gcp pubsub binding (1.12-1.15)."""
    flagged = {(t, m) for t, tent in data["types"].items() for ve in tent["versions"].values()
               for m, notes in ve.get("incomplete", {}).items()
               if any(n.startswith("GetComponentMetadata struct fields") for n in notes)}
    assert flagged == {("bindings.gcp.pubsub", m) for m in ("1.12", "1.13", "1.14", "1.15")}


# --------------------------------------------------------------------------------------------------
# the facts the issues name

def test_error_if_not_2xx_is_read_since_1_12(data):
    """bindings/http/http.go reads meta.Properties["errorIfNot2XX"] at Init (exact key) and per request."""
    ent = field(data, "bindings.http", "errorIfNot2XX")
    assert ent["init"][0] == "1.12" and "1.14" in ent["init"]
    assert ent["sources"] == ["property-read"]
    assert "1.12" in ent["exact_case"]["errorIfNot2XX"]
    assert "1.12" in ent["request"]
    assert ent["files"] == ["bindings/http/http.go"]


def test_error_if_not_2xx_metadata_yaml_history_starts_later(data):
    hist = json.loads(shared_or_skip("reference", "dapr-releases", "metadata-field-history.json").read_text())
    assert hist["files"]["bindings/http/metadata.yaml"]["metadata.errorIfNot2XX"][0] == "1.15"


def test_bedrock_cache_ttl_is_a_legacy_alias(data):
    ent = field(data, "conversation.aws.bedrock", "responseCacheTTL")
    assert ent["aliases"]["cacheTTL"] == ["1.17", "1.18", "master"]
    assert ent["go_type"] == {"*time.Duration": ["1.17", "1.18", "master"]}
    old = field(data, "conversation.aws.bedrock", "cacheTTL")  # the field's own name before 1.17
    assert old["init"] == ["1.15", "1.16"]


def test_twilio_to_number_is_taken_per_request(data):
    """twilioMetadata.ToNumber is optional at Init; Invoke falls back to req.Metadata["toNumber"]."""
    ent = field(data, "bindings.twilio.sms", "toNumber")
    assert ent["request"] == ent["init"] == MINORS
    assert field(data, "bindings.twilio.sms", "toNumber", table="request_fields") is None


def test_assume_role_arn_standalone_only_where_the_struct_reads_it(data):
    """DAPR-FACTS B.3: Kafka, the PostgreSQL family and Bedrock read assumeRoleArn; other AWS types only
    see it inside the IAM Roles Anywhere check (with trustAnchorArn and trustProfileArn, exact keys)."""
    dyn = field(data, "state.aws.dynamodb", "assumeRoleArn")
    assert dyn["init"][0] == "1.15"
    assert dyn["only_with"] == {"trustAnchorArn,trustProfileArn": dyn["init"]}
    assert field(data, "state.aws.dynamodb", "sessionName") is None
    kafka = field(data, "pubsub.kafka", "assumeRoleArn")
    assert "only_with" not in kafka and "1.15" in kafka["init"]
    assert "awsIamRoleArn" in kafka["aliases"]
    assert field(data, "pubsub.kafka", "sessionName")["exact_case"]["sessionName"][0] == "1.15"
    assert "only_with" not in field(data, "conversation.aws.bedrock", "assumeRoleArn")
    assert field(data, "conversation.aws.bedrock", "sessionName") is None
    assert "only_with" not in field(data, "state.postgresql", "assumeRoleArn", "v2")
    # state.postgresql v1: NewPostgreSQLQueryStateStore never copies Options.EnableAWSIAM
    assert field(data, "state.postgresql", "assumeRoleArn", "v1") is None
    not_in = data["types"]["state.postgresql"]["versions"]["v1"]["metadata_yaml"]["not_in_code"]
    assert "1.18" in not_in["assumerolearn"]["not-read-builtin-profile"]


PG_AWS_FAMILY = [("state.postgresql", "v2"), ("state.postgres", "v2"), ("bindings.postgresql", "v1"),
                 ("bindings.postgres", "v1"), ("configuration.postgresql", "v1"), ("configuration.postgres", "v1"),
                 ("state.cockroachdb", "v2"), ("state.yugabytedb", "v2")]
PG_AWS_KEYS = ["region", "AWSRegion", "AccessKey", "SecretKey", "sessionToken", "assumeRoleArn", "sessionName"]


@pytest.mark.parametrize("spec_type,version", PG_AWS_FAMILY)
def test_postgres_family_reads_the_aws_keys_it_keeps_in_aws_env(data, spec_type, version):
    """common/authentication/postgresql/metadata.go v1.18.4: InitWithMetadata stores
    awsAuth.NewEnvironmentSettings(meta) (`EnvironmentSettings{Metadata: md}`, common/aws/auth/auth.go) in
    `m.awsEnv`; BuildAwsIamOptions reads `m.awsEnv.Metadata` case-insensitively (the callers:
    state/postgresql/v2/postgresql.go:106, bindings/postgres/postgres.go:84, configuration/postgres/postgres.go:120)."""
    for key in PG_AWS_KEYS:
        ent = field(data, spec_type, key, version)
        assert ent is not None, (spec_type, key)
        assert {"1.15", "1.16", "1.17", "1.18", "master"} <= set(ent["init"]), (spec_type, key, ent["init"])
        assert "property-read" in ent["sources"], (spec_type, key)
        assert "common/authentication/postgresql/metadata.go" in ent["files"], (spec_type, key)
        assert "1.18" not in ent.get("exact_case", {}).get(key, []), (spec_type, key)
    not_in = data["types"][spec_type]["versions"][version].get("metadata_yaml", {}).get("not_in_code", {})
    assert not {"region", "accesskey", "secretkey", "sessiontoken", "assumerolearn"} & \
        {k for k, v in not_in.items() if "1.18" in v.get("not-read-builtin-profile", [])}


def test_postgres_v1_state_stores_read_azure_but_not_aws(data):
    """The Azure analogue of awsEnv (`m.azureEnv = azure.NewEnvironmentSettings(meta)`, read later by
    `m.azureEnv.GetTokenCredential()`) is followed for state.postgresql v1; AWS IAM is not, because
    NewPostgreSQLQueryStateStore (common/component/postgresql/v1/postgresql_query.go, v1.14.7-master)
    never copies Options.EnableAWSIAM."""
    for spec_type in ("state.postgresql", "state.postgres"):
        for key in ("azureClientId", "azureTenantId", "azureClientSecret", "azureCertificateFile"):
            ent = field(data, spec_type, key, "v1")
            assert "1.18" in ent["init"] and "common/authentication/azure/auth.go" in ent["files"], (spec_type, key)
        for key in PG_AWS_KEYS:
            assert field(data, spec_type, key, "v1") is None or "1.18" not in field(data, spec_type, key, "v1")["init"]
        not_in = data["types"][spec_type]["versions"]["v1"]["metadata_yaml"]["not_in_code"]
        for key in ("region", "accesskey", "secretkey", "sessiontoken", "assumerolearn"):
            assert "1.18" in not_in[key]["not-read-builtin-profile"], (spec_type, key)


class OverlayRepo:
    """A GitRepo with some files of one revision rewritten (to test the generator on a real tag)."""

    def __init__(self, repo, patches: dict):
        self.repo, self.patches, self.fake = repo, patches, {}

    def tree(self, rev):
        tree = dict(self.repo.tree(rev))
        for path, edit in self.patches.items():
            new = edit(self.repo.blob(tree[path]).decode("utf-8"))
            sha = hashlib.sha1(b"overlay\0" + new.encode()).hexdigest()
            self.fake[sha], tree[path] = new.encode(), sha
        return tree

    def blob(self, sha):
        return self.fake.get(sha) or self.repo.blob(sha)


def _mirrors_or_skip():
    if not (gen.CONTRIB_MIRROR.is_dir() and gen.KIT_MIRROR.is_dir()):
        pytest.skip(f"needs the bare mirrors {gen.CONTRIB_MIRROR} and {gen.KIT_MIRROR}")
    contrib, kit = gen.GitRepo(gen.CONTRIB_MIRROR), gen.GitRepo(gen.KIT_MIRROR)
    try:
        contrib.commit("v1.18.4")
    except Exception:  # noqa: BLE001 - a mirror without the tag
        pytest.skip("the contrib mirror has no v1.18.4")
    return contrib, kit


def test_state_postgresql_v1_at_v1_18_4_loses_aws_iam_only_in_its_constructor():
    """At the real tag: as released, state/postgresql/v1 reads no AWS key; with the one line
    NewPostgreSQLQueryStateStore lacks (`enableAWSIAM: opts.EnableAWSIAM`), the interpreter follows
    the map through awsAuth.NewEnvironmentSettings into `PostgresAuthMetadata.awsEnv` and
    BuildAwsIamOptions, as it does for v2, bindings and configuration."""
    contrib, kit = _mirrors_or_skip()
    _, kit_commit = gen.kit_rev_for(contrib, "v1.18.4", kit)
    modes = {"kit": "squash", "contrib": "none", "mapstructure": "none", "json": "none"}
    query = "common/component/postgresql/v1/postgresql_query.go"
    anchor = "enableAzureAD: opts.EnableAzureAD,"

    def copy_option(src: str) -> str:
        assert src.count(anchor) == 1 and "enableAWSIAM" not in src
        return src.replace(anchor, anchor + "\n\t\t\tenableAWSIAM: opts.EnableAWSIAM,")

    keys = {k.lower() for k in PG_AWS_KEYS}
    for patches, expect in (({}, set()), ({query: copy_option}, keys)):
        prog = gen.Program(OverlayRepo(contrib, patches), "v1.18.4", kit, kit_commit)
        pf = gen.PackageFacts(prog, "state/postgresql/v1", "state", modes, ["NewPostgreSQLStateStore"])
        assert keys & set(pf.init) == expect
        assert "useawsiam" in pf.init and "azureclientid" in pf.init
        for key in expect:
            assert "common/authentication/postgresql/metadata.go" in pf.init[key].files
            assert "property-read" in pf.init[key].sources and not gen._exact_only(pf.init[key])


def test_redis_use_azure_ad_alias_is_not_resolved(data):
    """common/component/redis decodes with kit config.Decode, which ignores mapstructurealiases."""
    ent = field(data, "state.redis", "useEntraID")
    assert "useAzureAD" not in ent.get("aliases", {})
    assert "1.18" in ent["aliases_unresolved"]["useAzureAD"]


def test_aws_region_alias(data):
    assert "1.14" in field(data, "state.aws.dynamodb", "region")["aliases"]["awsRegion"]
    assert "awsRegion" not in field(data, "secretstores.aws.secretmanager", "region").get("aliases", {})


# --------------------------------------------------------------------------------------------------
# cross-check with metadata.yaml (needs ../shared)

def _yaml(path: Path):
    return yaml.safe_load("\n".join(line.rstrip() for line in path.read_text(encoding="utf-8").split("\n")))


def test_every_metadata_yaml_field_is_accounted_for(data):
    """Each field a release's metadata.yaml lists is read by that release's code, or is listed in
    metadata_yaml.not_in_code with a status; 'parser-miss' only for the documented known misses."""
    root = shared_or_skip("reference", "dapr-releases")
    hist = json.loads((root / "metadata-field-history.json").read_text(encoding="utf-8"))["files"]
    misses = {(t, f) for e in data["known_parser_misses"] for t in e["types"] for f in e["fields"]}
    assert len(data["known_parser_misses"]) <= 3
    assert all(len(e["reason"]) > 60 for e in data["known_parser_misses"])
    checked = 0
    for minor in RELEASED:
        reg = json.loads((root / "daprd-component-types" / f"{minor}.json").read_text())["types"]
        builtin = _yaml(root / "components-metadata" / minor / ".build-tools" / "builtin-authentication-profiles.yaml")
        by_key = {}
        for path, ent in hist.items():
            if minor in ent["(file)"]:
                y = _yaml(root / "components-metadata" / minor / path)
                prefix = "middleware.http" if y["type"] == "middleware" else y["type"]
                by_key[f"{prefix}.{y['name']}@{y['version']}".lower()] = y
        for st_name, rent in reg.items():
            for key in rent["metadata_yaml_keys"]:
                version = key.split("@")[1]
                if version not in rent["versions"]:
                    continue
                y = by_key[key.lower()]
                names = [f["name"] for f in y.get("metadata") or []]
                names += [f["name"] for p in y.get("authenticationProfiles") or [] for f in p.get("metadata") or []]
                names += [f["name"] for b in y.get("builtinAuthenticationProfiles") or []
                          for p in builtin[b["name"]] for f in p.get("metadata") or []]
                vent = data["types"][st_name]["versions"][version]
                known = _accepted(vent, minor)
                not_in = vent.get("metadata_yaml", {}).get("not_in_code", {})
                for name in names:
                    checked += 1
                    if name.lower() in known or _matches_pattern(name, vent, minor):
                        continue
                    ent = not_in.get(name.lower())
                    assert ent is not None, f"{minor} {st_name}@{version}: {name} neither in code nor explained"
                    status = [s for s, ms in ent.items() if isinstance(ms, list) and minor in ms]
                    assert len(status) == 1, (minor, st_name, name, ent)
                    assert status[0] in ("request-only", "not-read", "not-read-builtin-profile", "parser-miss")
                    assert (status[0] == "parser-miss") == ((st_name, name) in misses), (minor, st_name, name)
    assert checked > 9000


def _accepted(vent: dict, minor: str) -> set:
    out = set()
    for key, ent in vent.get("fields", {}).items():
        if minor in ent["init"]:
            out.add(key)
            out |= {a.lower() for a, ms in ent.get("aliases", {}).items() if minor in ms}
    return out


def _matches_pattern(name: str, vent: dict, minor: str) -> bool:
    lname = re.sub(r"<[^>]+>", "*", name.lower())
    return any(lname == p.lower() for p, e in vent.get("patterns", {}).items() if minor in e["init"])


# --------------------------------------------------------------------------------------------------
# the generator's Go front end and interpreter, on small in-memory packages

class MemRepo:
    """The two GitRepo methods Program uses, over {path: source}."""

    def __init__(self, files: dict):
        self.files = {p: s.encode() for p, s in files.items()}
        self.shas = {p: hashlib.sha1(b).hexdigest() for p, b in self.files.items()}
        self.by_sha = {self.shas[p]: b for p, b in self.files.items()}

    def tree(self, rev):
        return dict(self.shas)

    def blob(self, sha):
        return self.by_sha[sha]


CONTRIB_BASE = {
    "metadata/base.go": "package metadata\n\ntype Base struct {\n\tName string\n\tProperties map[string]string\n}\n",
    "bindings/bindings.go": """package bindings

import "github.com/dapr/components-contrib/metadata"

type Metadata struct {
	metadata.Base
}

type InvokeRequest struct {
	Data     []byte
	Metadata map[string]string
}
""",
    "common/auth/auth.go": """package auth

import "strings"

type Common struct {
	Region string `mapstructure:"region" mapstructurealiases:"awsRegion" mdignore:"true"`
	Key    string `mapstructure:"accessKey"`
}

type Options struct {
	Properties map[string]string
	Enabled    bool
}

func isTriple(m map[string]string) bool {
	return m["a"] != "" && m["b"] != ""
}

func Connect(opts Options) string {
	if !opts.Enabled {
		return ""
	}
	if isTriple(opts.Properties) {
		return strings.ToLower(opts.Properties["c"])
	}
	return ""
}
""",
}

DEMO = """package demo

import (
	"context"
	"strings"

	"github.com/dapr/components-contrib/bindings"
	"github.com/dapr/components-contrib/common/auth"
	kitmd "github.com/dapr/kit/metadata"
	"github.com/dapr/kit/config"
)

const toKey = "toNumber"

type demoMetadata struct {
	auth.Common `mapstructure:",squash"`
	URL      string `mapstructure:"url" mapstructurealiases:"endpoint"`
	Timeout  *int   `mapstructure:"timeoutInSec"`
	Internal string `mapstructure:"-"`
	hidden   string
	Plain    bool
}

type other struct {
	Flag bool `mapstructure:"flag" mapstructurealiases:"oldFlag"`
}

type Demo struct {
	md    demoMetadata
	props map[string]string
}

func NewDemo() bindings.OutputBinding {
	return &Demo{}
}

func (d *Demo) Init(_ context.Context, meta bindings.Metadata) error {
	if err := kitmd.DecodeMetadata(meta.Properties, &d.md); err != nil {
		return err
	}
	var o other
	_ = config.Decode(meta.Properties, &o)
	d.props = meta.Properties
	_, _ = kitmd.GetMetadataProperty(meta.Properties, "mode", "legacyMode")
	for k := range meta.Properties {
		if strings.HasPrefix(k, "header:") {
			continue
		}
	}
	auth.Connect(auth.Options{Properties: meta.Properties, Enabled: true})
	return nil
}

func (d *Demo) Invoke(_ context.Context, req *bindings.InvokeRequest) error {
	_ = req.Metadata[toKey]
	_ = d.props["lazyKey"]
	return nil
}
"""


def facts_for(files: dict, modes=None):
    prog = gen.Program(MemRepo({**CONTRIB_BASE, **files}), "HEAD")
    return gen.PackageFacts(prog, "bindings/demo", "bindings", modes or {"kit": "squash", "contrib": "none"},
                            ["NewDemo"])


def test_interpreter_struct_fields_aliases_and_tags():
    pf = facts_for({"bindings/demo/demo.go": DEMO})
    assert {"region", "accesskey", "url", "timeoutinsec", "plain", "flag"} <= set(pf.init)
    assert "internal" not in pf.init and "hidden" not in pf.init
    assert pf.init["url"].aliases == {"endpoint"}
    assert pf.init["region"].aliases == {"awsRegion"} and pf.init["region"].mdignore
    assert pf.init["timeoutinsec"].go_types == {"*int"}
    assert pf.init["plain"].name == "plain"                      # untagged Go name, matched case-insensitively
    assert pf.init["flag"].aliases == set() and pf.init["flag"].aliases_not_resolved == {"oldFlag"}


def test_interpreter_top_level_alias_mode_ignores_squashed_aliases():
    """contrib's own DecodeMetadata in 1.12 resolved aliases of top-level fields only."""
    src = DEMO.replace('kitmd "github.com/dapr/kit/metadata"', 'kitmd "github.com/dapr/components-contrib/metadata"')
    files = {"bindings/demo/demo.go": src,
             "metadata/utils.go": "package metadata\n\nfunc DecodeMetadata(input any, result any) error { return nil }\n"
                                  "func GetMetadataProperty(props map[string]string, keys ...string) (string, bool) "
                                  "{ return \"\", false }\n"}
    pf = facts_for(files, {"kit": "squash", "contrib": "top"})
    assert pf.init["url"].aliases == {"endpoint"}
    assert pf.init["region"].aliases == set() and pf.init["region"].aliases_not_resolved == {"awsRegion"}


def test_interpreter_property_reads_request_and_gates():
    pf = facts_for({"bindings/demo/demo.go": DEMO})
    assert pf.init["mode"].aliases == {"legacyMode"} and not pf.init["mode"].exact_case
    assert "tonumber" in pf.request and "tonumber" not in pf.init
    assert pf.init["lazykey"].exact_case == {"lazyKey"}          # a stored init map read later
    assert "header:*" in pf.init and pf.init["header:*"].sources == {"pattern-read"}
    assert pf.init["c"].gates == [frozenset({"a", "b"})]         # only inside `if isTriple(props)`
    assert pf.init["a"].gates == [frozenset({"b"})]


def test_interpreter_exact_case_only_when_no_lookup_folds_case():
    """`m["assumeRoleArn"]` (auth_x509.go isX509Auth) beside GetMetadataProperty(m, "assumeRoleArn"):
    daprd takes any spelling, so the field is not exact-case."""
    src = DEMO.replace('_ = d.props["lazyKey"]', '_ = d.props["lazyKey"]\n\t_ = d.props["bothWays"]')
    pf = facts_for({"bindings/demo/demo.go": src})
    assert gen._exact_only(pf.init["bothways"]) == {"bothWays"}
    folded = '\n\t_, _ = kitmd.GetMetadataProperty(meta.Properties, "BOTHWAYS")'
    src = src.replace('"mode", "legacyMode")', '"mode", "legacyMode")' + folded)
    pf = facts_for({"bindings/demo/demo.go": src})
    assert gen._exact_only(pf.init["bothways"]) == set() and gen._exact_only(pf.init["lazykey"]) == {"lazyKey"}


def test_interpreter_prunes_branches_of_options_never_set():
    pf = facts_for({"bindings/demo/demo.go": DEMO.replace("Enabled: true", "Enabled: false")})
    assert "c" not in pf.init and "a" not in pf.init
    pf = facts_for({"bindings/demo/demo.go": DEMO.replace(", Enabled: true", "")})
    assert "c" not in pf.init                                   # a keyed literal leaves a bool false


# A metadata map kept in a struct that another package's constructor returns, stored in a field of a
# field and read later by another method: the shape of common/aws/auth and common/authentication/azure
# `EnvironmentSettings{Metadata: md}` held in `PostgresAuthMetadata.awsEnv` (v1.18.4).
ENV_PKG = """package env

type Settings struct {
	Metadata map[string]string
}

func New(md map[string]string) (Settings, error) {
	s := Settings{Metadata: md}
	return s, nil
}

func NewPtr(md map[string]string) *Settings {
	return &Settings{Metadata: md}
}

func NewAssigned(md map[string]string) Settings {
	var s Settings
	s.Metadata = md
	return s
}

func (s Settings) Get(key string) string {
	return s.Metadata[key]
}
"""

AUTH_PKG = """package pgauth

import (
	"github.com/dapr/components-contrib/common/env"
	kitmd "github.com/dapr/kit/metadata"
)

type Opts struct {
	IAMEnabled bool
}

type AuthMetadata struct {
	UseIAM  bool `mapstructure:"useIAM"`
	env     env.Settings
	penv    *env.Settings
	aenv    env.Settings
}

func (m *AuthMetadata) InitWithMetadata(meta map[string]string, opts Opts) (err error) {
	switch {
	case opts.IAMEnabled && m.UseIAM:
		m.env, err = env.New(meta)
		m.penv = env.NewPtr(meta)
		m.aenv = env.NewAssigned(meta)
	default:
		m.UseIAM = false
	}
	return nil
}

func (m *AuthMetadata) Options() string {
	r, _ := kitmd.GetMetadataProperty(m.env.Metadata, "region", "awsRegion")
	p, _ := kitmd.GetMetadataProperty(m.penv.Metadata, "sessionToken")
	return r + p + m.aenv.Get("assumeRoleArn")
}
"""

STORE_PKG = """package demo

import (
	"context"

	"github.com/dapr/components-contrib/bindings"
	"github.com/dapr/components-contrib/common/pgauth"
	kitmd "github.com/dapr/kit/metadata"
)

type Options struct {
	EnableIAM bool
}

type Store struct {
	md        pgauth.AuthMetadata
	enableIAM bool
}

func newStore(opts Options) *Store {
	return &Store{enableIAM: opts.EnableIAM}
}

func NewDemo() bindings.OutputBinding {
	return newStore(Options{EnableIAM: true})
}

func (s *Store) Init(_ context.Context, meta bindings.Metadata) error {
	if err := kitmd.DecodeMetadata(meta.Properties, &s.md); err != nil {
		return err
	}
	opts := pgauth.Opts{IAMEnabled: s.enableIAM}
	if err := s.md.InitWithMetadata(meta.Properties, opts); err != nil {
		return err
	}
	if opts.IAMEnabled && s.md.UseIAM {
		_ = s.md.Options()
	}
	return nil
}
"""

_IAM_KEYS = {"region", "sessiontoken", "assumerolearn"}


def _store_facts(store_src: str):
    return facts_for({"common/env/env.go": ENV_PKG, "common/pgauth/pgauth.go": AUTH_PKG,
                      "bindings/demo/demo.go": store_src})


def test_interpreter_map_kept_in_a_struct_from_another_package():
    """The map flows through a keyed literal, a pointer literal and a field assignment in env, the
    constructor's results stored in fields of AuthMetadata, and is read through `m.env.Metadata`,
    `m.penv.Metadata` and a method of the stored value; the option arrives through pgauth's literal."""
    pf = _store_facts(STORE_PKG)
    assert _IAM_KEYS <= set(pf.init)
    assert pf.init["region"].aliases == {"awsRegion"} and pf.init["region"].sources == {"property-read"}
    assert pf.init["region"].files == {"common/pgauth/pgauth.go"}
    assert pf.init["assumerolearn"].exact_case == {"assumeRoleArn"} and pf.init["assumerolearn"].files == \
        {"common/env/env.go"}
    assert "useiam" in pf.init


def test_interpreter_option_a_constructor_drops_prunes_the_branch():
    """state.postgresql v1 (v1.14.7-master): the outer constructor sets the option, the one that builds the
    store does not copy it, so the store's bool is false and the IAM branch is never taken."""
    for dropped in (STORE_PKG.replace("&Store{enableIAM: opts.EnableIAM}", "&Store{}"),
                    STORE_PKG.replace("EnableIAM: true", "EnableIAM: false")):
        pf = _store_facts(dropped)
        assert not _IAM_KEYS & set(pf.init), sorted(pf.init)
        assert "useiam" in pf.init                               # decoded all the same


def test_lexer_inserts_semicolons():
    toks = gen.tokenize("x := f(a,\n b)\nreturn\n}\n")
    semis = [i for i, t in enumerate(toks) if t.kind == ";"]
    assert [toks[i - 1].val for i in semis] == [")", "return", "}"]  # not after the comma
    assert [t.kind for t in gen.tokenize("`raw\nstring` 'a' 0x1F 1.5e3 // c\n")][:4] == ["str", "rune", "num", "num"]


def test_parser_struct_tags_and_embedded_fields():
    f = gen.parse_go('package p\n\ntype T struct {\n\tA, B string `json:"a"`\n\t*pkg.Emb\n\tLocal\n'
                     '\tM map[string][]int `mapstructure:"m,squash"`\n}\n', "p/t.go")
    fields = f.types["T"].type[2]
    assert [fl.names for fl in fields] == [["A", "B"], [], [], ["M"]]
    assert gen.parse_tag(fields[3].tag) == {"mapstructure": "m,squash"}
    assert gen.type_str(fields[1].type) == "*pkg.Emb"
    assert gen.type_str(fields[3].type) == "map[string][]int"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
@settings(max_examples=200, deadline=None)
def test_go_string_literals_round_trip(text):
    literal = '"' + "".join(c if (c.isprintable() and c not in '"\\') else f"\\U{ord(c):08x}" for c in text) + '"'
    assert gen.go_unquote(literal) == text
    toks = gen.tokenize("x = " + literal)
    assert toks[2].kind == "str" and gen.go_unquote(toks[2].val) == text


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_lexer_never_fails_except_with_syntax_error(text):
    try:
        toks = gen.tokenize(text)
    except SyntaxError:
        return
    assert toks[-1].kind == "eof"


_json_leaf = st.one_of(st.text(max_size=8), st.integers(), st.booleans(), st.lists(st.text(max_size=5), max_size=4))


@given(st.recursive(st.dictionaries(st.text(max_size=6), _json_leaf, max_size=4),
                    lambda inner: st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=20))
@settings(max_examples=200, deadline=None)
def test_dump_is_json_with_sorted_keys(obj):
    text = gen.dump(obj)
    assert json.loads(text) == obj
    assert gen.dump(json.loads(text)) == text

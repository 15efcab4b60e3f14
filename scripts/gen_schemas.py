#!/usr/bin/env python3
"""Generate daprlint's committed data files in ``rules/generated/`` from Dapr reference data.

Inputs (the reference directory, default ``<repo>/../shared/reference``):

* ``dapr-components-metadata/**/metadata.yaml`` (components-contrib, 141 files) and
  ``dapr-components-metadata/.build-tools/builtin-authentication-profiles.yaml``
* ``dapr-derived/*.json`` (component-fields-index, daprd-component-types, sensitive-fields,
  aws-auth-fields, sidecar-annotations, run-file-fields) and ``dapr-derived/SOURCE.md``
* ``dapr-crds/*.yaml`` (the Dapr CRDs) and ``dapr-crds/SOURCE.md``
* ``dapr-releases/`` (Dapr 1.12-1.18: metadata.yaml files, registered types, annotations; see
  scripts/gen_releases.py and scripts/gen_workloads.py), and the optional
  ``scripts/data/contrib-code-fields.json``

Outputs (written deterministically; ``--check`` only compares):

* ``rules/generated/component-types.json`` every spec.type (master), alias target, data file
* ``rules/generated/components/<type>.json`` per spec.type / version field tables (master)
* ``rules/generated/sensitive-names.json`` sensitive field names and non-sensitive look-alikes
* ``rules/generated/aws.json``             AWS auth component lists, IAM switches, aliases
* ``rules/generated/crds/*.schema.json``   CRD openAPIV3Schema as JSON Schema draft 2020-12, the
  DPR001 lint variant, and the kubernetes / self-hosted variants (scripts/gen_crd_modes.py)
* ``rules/generated/crds/index.json``      "<apiVersion>/<Kind>" -> schema file name
* ``rules/generated/crds/modes.json``      where the kubernetes and self-hosted variants differ
* ``rules/generated/releases/``            the versioned data (docs/versions.md)
* ``rules/generated/sources.json``         upstream commits, the known Dapr releases and the default

Builtin authentication profiles are expanded exactly as ``dapr-derived/component-fields-index.json``
does (that file is the source of truth for the expansion); everything is cross-checked against the
raw metadata.yaml files and the generator fails loudly on any disagreement.

Only the standard library and PyYAML are used.

Usage: python scripts/gen_schemas.py [--reference DIR] [--check]

Afterwards run ``scripts/gen_answers.py``: ``rules/generated/answers/`` holds the rules'
per-type answers worked out from these files.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import time
from pathlib import Path

import yaml

from gen_releases import build_releases, release_list
from gen_workloads import build_annotations, build_run_file
from gen_crd_modes import build_modes
from gen_common import (CATEGORIES, RUNTIME_BUILTIN_DESCRIPTIONS, GenError, _Loader, sync_generated, sync_manifest,
                        build_version, dump, dump_compact, dump_mixed, load_json, load_yaml_text, metadata_name, pick_canonical,
                        require, yaml_field_attrs)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference"
OUT_DIR = REPO / "rules" / "generated"
GENERATED_BY = "scripts/gen_schemas.py"


# dapr/dapr cmd/daprd/components/state_postgres.go registers "yugabytedb"/"yugabyte" with a v2
# constructor only ("There's no v1 for YugabyteDB"); the derived index lists both metadata versions
# for all four names (see dapr-derived/SOURCE.md), so restrict them here.
VERSION_RESTRICTIONS = {
    "state.yugabyte": {"v2"},
    "state.yugabytedb": {"v2"},
}

# Name-based heuristic that a linter might use to guess that a field holds a secret. Names matching
# it that are never declared sensitive are listed as look-alikes (cacert etc., so "cert" included).
SENSITIVE_HEURISTIC = r"password|secret|token|key|credential|connectionstring|cert"

# Names the heuristic matches that upstream never marks sensitive although they hold secret
# material (tokens, private keys, API secrets, storage keys). They are NOT reported as look-alikes,
# so a name-based fallback keeps flagging them. Hand-curated from the field descriptions; review the
# diff of sensitive-names.json when regenerating against a newer components-contrib.
UNFLAGGED_SECRETS = frozenset({
    "accounttoken",             # bindings.postmark: Postmark account token
    "acltoken",                 # state.consul, nameresolution.consul: Consul ACL token
    "awsaccesskey",             # Kafka/PostgreSQL alias of accessKey (accessKey is sensitive)
    "mtlsclientkey",            # bindings.http: PEM client key (or a path)
    "private_key",              # state.gcp.firestore: service-account private key
    "private_key_id",           # state.gcp.firestore (privateKeyID is sensitive elsewhere)
    "schemaregistryapikey",     # Kafka schema registry API key
    "schemaregistryapisecret",  # Kafka schema registry API secret
    "secret",                   # bindings.alicloud.dingtalk.webhook signing secret
    "secretaccesskey",          # secretstores.huaweicloud.csms secret access key
    "secretid",                 # secretstores.tencentcloud.ssm SecretId (credential id)
    "securitytoken",            # bindings.http: token sent as a header
    "seedkey",                  # pubsub.jetstream: NATS nkey seed
    "servertoken",              # bindings.postmark: Postmark server token
    "storageaccountkey",        # Event Hubs checkpoint storage account key
    "storageconnectionstring",  # Event Hubs checkpoint storage connection string
    "tls_client_key",           # pubsub.jetstream: TLS client private key
    "tlsclientkey",             # state.coherence: client key
    "vaulttoken",               # secretstores.hashicorp.vault token
})



# --------------------------------------------------------------------------------------------------
# sources

def read_sources(ref: Path) -> dict:
    """Upstream commits; all SOURCE.md files and DAPR-FACTS.md must agree."""
    found = {"components-contrib": set(), "dapr": set()}
    derived = (ref / "dapr-derived" / "SOURCE.md").read_text(encoding="utf-8")
    for repo, key in (("dapr/components-contrib", "components-contrib"), ("dapr/dapr", "dapr")):
        for m in re.finditer(re.escape(repo) + r"\s*@\s*`([0-9a-f]{40})`", derived):
            found[key].add(m.group(1))
    for sub, key in (("dapr-components-metadata", "components-contrib"), ("dapr-crds", "dapr")):
        p = ref / sub / "SOURCE.md"
        if p.exists():
            for m in re.finditer(r"Commit:\s*`([0-9a-f]{40})`", p.read_text(encoding="utf-8")):
                found[key].add(m.group(1))
    facts = ref / "DAPR-FACTS.md"
    if facts.exists():
        text = facts.read_text(encoding="utf-8")
        for repo, key in (("dapr/components-contrib", "components-contrib"), ("dapr/dapr", "dapr")):
            m = re.search(r"^\|\s*" + re.escape(repo) + r"\s*\|\s*`([0-9a-f]{40})`", text, re.M)
            if m:
                found[key].add(m.group(1))
    out = {}
    for key, shas in found.items():
        require(len(shas) == 1, f"expected exactly one {key} commit in the SOURCE files, found {sorted(shas)}")
        out[key] = shas.pop()
    return out


# --------------------------------------------------------------------------------------------------
# metadata.yaml + derived index

def load_metadata_files(ref: Path) -> dict:
    root = ref / "dapr-components-metadata"
    files = {}
    for p in sorted(root.glob("**/metadata.yaml")):
        rel = p.relative_to(root).as_posix()
        files[rel] = load_yaml_text(p.read_text(encoding="utf-8"))
    require(files, f"no metadata.yaml found under {root}")
    return files


def cross_check(index: dict, meta_files: dict, builtin_yaml: dict) -> None:
    """The derived index must agree with the raw metadata.yaml files."""
    by_path = {}
    for key, e in index.items():
        require(e["metadata_yaml"] in meta_files, f"{key}: {e['metadata_yaml']} missing from reference")
        by_path[e["metadata_yaml"]] = key
    missing = sorted(set(meta_files) - set(by_path))
    require(not missing, f"metadata.yaml files not in component-fields-index.json: {missing}")
    problems = []
    for path, y in meta_files.items():
        key = by_path[path]
        e = index[key]
        if (y["type"], y["version"], y["status"], y["title"]) != (e["type"], e["version"], e["status"], e["title"]):
            problems.append(f"{key}: type/version/status/title differ from {path}")
        if not key.startswith(f"{y['type']}.") or not key.endswith(f"{y['name']}@{y['version']}"):
            problems.append(f"{key}: key does not match {y['type']}.{y['name']}@{y['version']}")
        ymeta = y.get("metadata") or []
        if [yaml_field_attrs(f) for f in ymeta] != [yaml_field_attrs(f) for f in e["metadata"]]:
            problems.append(f"{key}: component metadata differs from {path}")
        yprof = y.get("authenticationProfiles") or []
        iprof = [p for p in e["authenticationProfiles"] if p["source"] == "component"]
        if [(p["title"], [yaml_field_attrs(f) for f in p.get("metadata") or []]) for p in yprof] != \
           [(p["title"], [yaml_field_attrs(f) for f in p["metadata"]]) for p in iprof]:
            problems.append(f"{key}: authenticationProfiles differ from {path}")
        ybuiltin = [b["name"] for b in y.get("builtinAuthenticationProfiles") or []]
        if ybuiltin != e["builtinAuthenticationProfiles"]:
            problems.append(f"{key}: builtinAuthenticationProfiles differ from {path}")
        for b in y.get("builtinAuthenticationProfiles") or []:
            name = b["name"]
            if name not in builtin_yaml:
                problems.append(f"{key}: unknown builtin profile {name}")
                continue
            extra = {f["name"] for f in b.get("metadata") or []}
            want_titles = [p["title"] for p in builtin_yaml[name]]
            got = [p for p in e["authenticationProfiles"] if p["source"] == f"builtin:{name}"]
            if [p["title"] for p in got] != want_titles:
                problems.append(f"{key}: expanded builtin:{name} titles differ")
                continue
            for p, bp in zip(got, builtin_yaml[name]):
                allowed = extra | {f["name"] for f in bp.get("metadata") or []}
                stray = [f["name"] for f in p["metadata"] if f["name"] not in allowed]
                if stray:
                    problems.append(f"{key}: builtin:{name} profile {p['title']!r} has unknown fields {stray}")
        for f in e["runtimeBuiltinMetadata"]:
            if f["name"] not in RUNTIME_BUILTIN_DESCRIPTIONS:
                problems.append(f"{key}: unknown runtime-builtin field {f['name']}")
    require(not problems, "reference data inconsistent:\n  " + "\n  ".join(problems))


def build_components(sources: dict, meta_files: dict, builtin_yaml: dict, index: dict, daprd: dict) -> dict:
    by_path = {e["metadata_yaml"]: k for k, e in index.items()}
    versions_by_key = {k: build_version(e, meta_files[e["metadata_yaml"]], builtin_yaml) for k, e in index.items()}

    # consistency of daprd <-> index links
    for t, d in daprd.items():
        require(t.split(".", 1)[0] in CATEGORIES, f"daprd type {t} has an unknown category")
        for mk in d["metadata_yaml_keys"]:
            require(mk in index, f"daprd type {t}: unknown metadata key {mk}")
            require(t in index[mk]["daprd_spec_types"], f"{mk} does not list daprd type {t}")
        for a in d["aliases"]:
            require(a in daprd, f"alias {a} of {t} is not registered")
    for k, e in index.items():
        for t in e["daprd_spec_types"]:
            require(t in daprd and k in daprd[t]["metadata_yaml_keys"], f"{k}: daprd type {t} not linked back")

    # alias groups
    canonical = {}
    for t, d in daprd.items():
        group = {t, *d["aliases"]}
        for a in d["aliases"]:
            require({a, *daprd[a]["aliases"]} == group, f"alias groups of {t} and {a} differ")
        canonical[t] = pick_canonical(group, daprd, index)

    types = {}
    for t in sorted(daprd):
        d = daprd[t]
        mkeys = d["metadata_yaml_keys"]
        names = {metadata_name(k) for k in mkeys}
        require(len(names) <= 1, f"{t}: described by several metadata names {sorted(names)}")
        versions = {}
        for mk in mkeys:
            v = index[mk]["version"]
            if t in VERSION_RESTRICTIONS and v not in VERSION_RESTRICTIONS[t]:
                continue
            require(v not in versions, f"{t}: version {v} described twice")
            versions[v] = copy.deepcopy(versions_by_key[mk])
        daprd_names = sorted({t, *d["aliases"]})
        types[t] = {
            "metadata_type": names.pop() if names else None,
            "registered": True,
            "alias_of": canonical[t] if canonical[t] != t else None,
            "daprd_names": daprd_names,
            "in_stable_build": bool(d["in_stable_build"]),
            "versions": versions,
        }

    # metadata.yaml types daprd does not register under the metadata name
    for k in sorted(index):
        name = metadata_name(k)
        require(name.split(".", 1)[0] in CATEGORIES, f"{k}: unknown category")
        if name in daprd:
            continue
        e = index[k]
        ent = types.setdefault(name, {
            "metadata_type": name,
            "registered": False,
            "alias_of": None,
            "daprd_names": [],
            "in_stable_build": None,
            "versions": {},
        })
        ent["daprd_names"] = sorted(set(ent["daprd_names"]) | set(e["daprd_spec_types"]))
        require(e["version"] not in ent["versions"], f"{k}: duplicate version")
        ent["versions"][e["version"]] = copy.deepcopy(versions_by_key[k])

    # every metadata.yaml must be represented
    for path, k in by_path.items():
        e = index[k]
        names = [metadata_name(k)] + e["daprd_spec_types"]
        require(any(e["version"] in types.get(n, {}).get("versions", {}) for n in names),
                f"{path} not represented in components.json")

    return {
        "sources": dict(sources),
        "categories": list(CATEGORIES),
        "types": types,
    }


# --------------------------------------------------------------------------------------------------
# sensitive names

def build_sensitive(index: dict, sensitive_ref: dict) -> dict:
    sens, non_sens = {}, {}
    for k, e in index.items():
        decls = list(e["metadata"]) + list(e["runtimeBuiltinMetadata"])
        for p in e["authenticationProfiles"]:
            decls.extend(p["metadata"])
        for f in decls:
            (sens if f.get("sensitive") else non_sens).setdefault(f["name"], set()).add(k)
    # cross-check with dapr-derived/sensitive-fields.json
    ref_fields = sensitive_ref["fields"]
    require(set(ref_fields) == set(sens),
            f"sensitive names differ from sensitive-fields.json: {sorted(set(ref_fields) ^ set(sens))}")
    require(len(sens) == sensitive_ref.get("distinct_count", len(sens)), "sensitive distinct_count mismatch")
    for name, info in ref_fields.items():
        require(set(info["components"]) == sens[name], f"sensitive-fields.json components for {name} differ")
        got_non = non_sens.get(name, set()) - sens[name]
        require(set(info.get("declared_non_sensitive_in", [])) == got_non,
                f"sensitive-fields.json declared_non_sensitive_in for {name} differs")
    sensitive = sorted({n.lower() for n in sens})
    pat = re.compile(SENSITIVE_HEURISTIC)
    candidates = {n.lower() for n in non_sens if pat.search(n.lower())} - set(sensitive)
    return {
        "heuristic_pattern": SENSITIVE_HEURISTIC,
        "sensitive": sensitive,
        "non_sensitive_lookalikes": sorted(candidates - UNFLAGGED_SECRETS),
        "unflagged_secrets": sorted(candidates & UNFLAGGED_SECRETS),
    }


# --------------------------------------------------------------------------------------------------
# AWS

SPEC_TYPE_TOKEN = re.compile(r"\b([a-z]+(?:\.[a-z0-9]+)+)\b")


def expand_types(token: str, daprd: dict, index: dict) -> list:
    """'state.postgresql (v1,v2)' / 'configuration.postgres' -> daprd spec.types incl. aliases."""
    m = SPEC_TYPE_TOKEN.search(token)
    require(m, f"cannot parse component reference {token!r}")
    name = m.group(1)
    if name in daprd:
        base = {name}
    else:
        base = set()
        for k, e in index.items():
            if metadata_name(k) == name:
                base.update(e["daprd_spec_types"])
        require(base, f"{token!r} is not a daprd spec.type")
    out = set()
    for t in base:
        out.add(t)
        out.update(daprd[t]["aliases"])
    return sorted(out)


def build_aws(sources: dict, aws_ref: dict, index: dict, daprd: dict) -> dict:
    require(aws_ref["source"].endswith(sources["components-contrib"]), "aws-auth-fields.json source commit differs")

    # IAM switches: "pubsub.kafka / bindings.kafka", "state.postgresql v1/v2, bindings.postgres, ..."
    conditional = {}
    for spec, sw in aws_ref["iam_switches"].items():
        for token in re.split(r"\s*/\s*(?=[a-z]+\.)|\s*,\s*", spec):
            if not token.strip():
                continue
            for t in expand_types(token, daprd, index):
                conditional[t] = {
                    "field": sw["field"],
                    "value": sw["value"],
                    "key_lookup": sw.get("key_lookup"),
                    "region_missing_error": sw.get("error_if_missing_region"),
                }

    # types whose metadata.yaml imports the builtin aws profile (incl. aliases)
    with_builtin = set()
    for e in index.values():
        if "aws" in e["builtinAuthenticationProfiles"]:
            for t in e["daprd_spec_types"]:
                with_builtin.add(t)
                with_builtin.update(daprd[t]["aliases"])
    listed = set()
    for token in aws_ref["components_using_builtin_aws_profile"]:
        listed.update(expand_types(token, daprd, index))
    require(listed == with_builtin,
            f"aws-auth-fields.json builtin list differs from metadata: {sorted(listed ^ with_builtin)}")
    require(set(conditional) <= with_builtin, f"IAM-switch types without builtin aws profile: {sorted(set(conditional) - with_builtin)}")
    builtin_types = sorted(with_builtin - set(conditional))

    own = aws_ref["components_with_own_aws_profile"]
    own_types = set()
    for token in own["components"]:
        own_types.update(expand_types(token, daprd, index))
    for t in own_types:  # cross-check: own profile with that title in the metadata
        for mk in daprd[t]["metadata_yaml_keys"]:
            titles = [p["title"] for p in index[mk]["authenticationProfiles"] if p["source"] == "component"]
            require(own["title"] in titles, f"{mk}: no {own['title']!r} profile")

    aliases = []
    for a in aws_ref["deprecated_aliases"]:
        accepted = set()
        for token in a["accepted_by"]:
            accepted.update(expand_types(token, daprd, index))
        not_accepted = set()
        for token in a.get("not_accepted_by", []):
            not_accepted.update(expand_types(token, daprd, index))
        prec = a["precedence"].lower()
        wins = "alias" if ("overwrites" in prec or "legacy key" in prec) else "canonical"
        item = {
            "alias": a["alias"],
            "canonical": a["replacement"],
            "accepted_by": sorted(accepted),
            "wins": wins,
            "sensitive": bool(a.get("sensitive", aws_ref["canonical_fields"].get(a["replacement"], {}).get("sensitive", False))),
        }
        if not_accepted:
            item["not_accepted_by"] = sorted(not_accepted)
        if "default" in a:
            item["default"] = a["default"]
        if wins == "alias":
            # snssqs upgradeMetadata() does plain map lookups (m.Properties[oldKey]): exact case.
            item["exact_case"] = True
        aliases.append(item)

    canonical_fields = {
        name: {k: v for k, v in info.items() if k in ("sensitive", "default", "env_fallback")}
        for name, info in aws_ref["canonical_fields"].items()
    }
    return {
        "sources": dict(sources),
        "builtin_profile_types": builtin_types,
        "own_profile_types": sorted(own_types),
        "own_profile": {"title": own["title"], "fields": sorted(own["fields"])},
        "conditional": conditional,
        "aliases": aliases,
        "canonical_fields": canonical_fields,
    }


# --------------------------------------------------------------------------------------------------
# CRDs -> JSON Schema 2020-12

_EXACTLY_ONE = re.compile(r"(\(has\(self\.\w+\)\?1:0\)\+)*\(has\(self\.\w+\)\?1:0\)==1")
_ONLY_WHEN_SINGLE = re.compile(
    r"!has\(self\.(\w+)\)\|\|size\(self\.\1\)==0\|\|"
    r"\(size\(self\.(\w+)\)==1&&self\.\2\[0\]=='([^']*)'\)")
_ANY_NONEMPTY = re.compile(r"(\(has\(self\.\w+\)&&size\(self\.\w+\)>0\)\|\|)*\(has\(self\.\w+\)&&size\(self\.\w+\)>0\)")


def _min_size(prop: dict) -> dict:
    t = prop.get("type")
    if t == "array":
        return {"minItems": 1}
    if t == "string":
        return {"minLength": 1}
    if t == "object":
        return {"minProperties": 1}
    return {}


def translate_cel(rule: str, props: dict):
    """Translate the two simple CEL shapes used by the Dapr CRDs; None when not translatable."""
    compact = re.sub(r"\s+", "", rule)
    if _EXACTLY_ONE.fullmatch(compact):
        names = re.findall(r"has\(self\.(\w+)\)", compact)
        return {"oneOf": [{"required": [n]} for n in names]}
    if _ANY_NONEMPTY.fullmatch(compact):
        names = re.findall(r"has\(self\.(\w+)\)", compact)
        return {"anyOf": [{"required": [n], "properties": {n: _min_size(props.get(n, {}))}} for n in names]}
    m = _ONLY_WHEN_SINGLE.fullmatch(compact)
    if m:
        field, other, value = m.groups()
        return {"anyOf": [
            {"not": {"required": [field]}},
            {"properties": {field: {"maxItems": 0}}},
            {"required": [other], "properties": {other: {"minItems": 1, "maxItems": 1, "items": {"const": value}}}},
        ]}
    return None


def convert_schema(node, cel: bool = True):
    """A CRD openAPIV3Schema node as JSON Schema 2020-12; with cel=False the CEL validations
    (x-kubernetes-validations, which only the API server runs) are left out."""
    if isinstance(node, list):
        return [convert_schema(x, cel) for x in node]
    if not isinstance(node, dict):
        return copy.deepcopy(node)
    out = {}
    comments = []
    translated = []
    for k, v in node.items():
        if k == "properties":
            out[k] = {pk: convert_schema(pv, cel) for pk, pv in v.items()}
        elif k in ("items", "additionalProperties", "not"):
            out[k] = convert_schema(v, cel) if isinstance(v, dict) else v
        elif k in ("allOf", "anyOf", "oneOf"):
            out[k] = [convert_schema(x, cel) for x in v]
        elif k == "description":
            if isinstance(v, str) and len(v) <= 200:
                out[k] = v
        elif k == "nullable":
            pass  # handled below
        elif k == "x-kubernetes-preserve-unknown-fields":
            pass  # no constraint
        elif k == "x-kubernetes-int-or-string":
            if v and "anyOf" not in node:
                out["type"] = ["integer", "string"]
        elif k == "x-kubernetes-list-type":
            if v == "set":
                out["uniqueItems"] = True
        elif k == "x-kubernetes-validations" and not cel:
            comments.append("Kubernetes CEL validations left out: " + "; ".join(
                val.get("message") or val.get("rule", "") for val in v))
        elif k == "x-kubernetes-validations":
            for val in v:
                rule = val.get("rule", "")
                msg = val.get("message") or rule
                tr = translate_cel(rule, node.get("properties", {}))
                if tr is None:
                    comments.append(f"Kubernetes CEL validation not translated: {msg}")
                else:
                    comments.append(f"Kubernetes CEL validation (translated): {msg}")
                    translated.append(tr)
        elif k.startswith("x-kubernetes-"):
            pass  # list-map-keys, map-type, embedded-resource: no JSON Schema equivalent needed
        else:
            out[k] = copy.deepcopy(v)
    for tr in translated:
        (kw, val), = tr.items()
        if kw in out or len(translated) > 1:
            out.setdefault("allOf", []).append(tr)
        else:
            out[kw] = val
    if comments:
        out["$comment"] = "; ".join(comments)
    if node.get("nullable"):
        t = out.get("type")
        if isinstance(t, str):
            out["type"] = [t, "null"]
        elif isinstance(t, list) and "null" not in t:
            out["type"] = t + ["null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = out["enum"] + [None]
    return out


def build_crds(ref: Path, sources: dict) -> dict:
    files, index, crds = {}, {}, {}
    for p in sorted((ref / "dapr-crds").glob("*.yaml")):
        crd = yaml.load(p.read_text(encoding="utf-8"), Loader=_Loader)
        if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
            continue
        spec = crd["spec"]
        group, kind = spec["group"], spec["names"]["kind"]
        for ver in spec["versions"]:
            v = ver["name"]
            fname = f"{kind.lower()}-{v}.schema.json"
            require(fname not in files, f"duplicate CRD {kind} {v}")
            schema = {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$id": f"https://daprlint.dev/schemas/crds/{fname}",
                "title": f"Dapr {kind} ({group}/{v})",
            }
            body = convert_schema(ver["schema"]["openAPIV3Schema"])
            note = (f"Generated by {GENERATED_BY} from dapr/dapr@{sources['dapr']} "
                    f"charts/dapr/crds/{p.name} (served={str(bool(ver.get('served'))).lower()}, "
                    f"storage={str(bool(ver.get('storage'))).lower()}).")
            if "$comment" in body:
                body["$comment"] = note + " " + body["$comment"]
            else:
                body["$comment"] = note
            schema.update(body)
            files[fname] = schema
            index[f"{group}/{v}/{kind}"] = fname
            crds[fname] = {"group": group, "kind": kind, "version": v, "crd_file": p.name,
                           "scope": spec["scope"], "without_cel": convert_schema(ver["schema"]["openAPIV3Schema"], cel=False)}
    require(files, "no CRDs found")
    return {"files": files, "index": index, "crds": crds}


# What self-hosted daprd accepts although the CRD (that is, the Kubernetes API server) does not:
# a missing `spec.version` (the component's default version is used), a missing or empty
# `spec.metadata`, and an `auth` block without `secretStore`. The lint variants drop those
# constraints so that DPR001 reports only what breaks in every deployment mode.
LINT_RELAXATIONS = {
    "component-v1alpha1.schema.json": {
        "drop_required": {("properties", "spec"): ["version", "metadata"], ("properties", "auth"): ["secretStore"]},
        "allow_null": [("properties", "spec", "properties", "metadata")],
    },
}


def _at(schema: dict, path: tuple) -> dict:
    for part in path:
        schema = schema[part]
    return schema


def build_lint_variants(files: dict) -> dict:
    out = {}
    for fname, relax in LINT_RELAXATIONS.items():
        schema = json.loads(json.dumps(files[fname]))
        for path, names in relax["drop_required"].items():
            node = _at(schema, path)
            node["required"] = [r for r in node.get("required", []) if r not in names]
            if not node["required"]:
                del node["required"]
        for path in relax["allow_null"]:
            node = _at(schema, path)
            types = node["type"] if isinstance(node["type"], list) else [node["type"]]
            node["type"] = types + ["null"] if "null" not in types else types
        lint_name = fname.replace(".schema.json", ".lint.schema.json")
        schema["$id"] = schema["$id"].replace(fname, lint_name)
        schema["$comment"] = ("Lint variant of " + fname + ": drops the constraints that only the Kubernetes API "
                              "server enforces (see LINT_RELAXATIONS in scripts/gen_schemas.py). " + schema["$comment"])
        out[lint_name] = schema
    return out


# --------------------------------------------------------------------------------------------------

def generate(ref: Path) -> dict:
    """Return {relative output path: file text}."""
    ref = ref.resolve()
    require(ref.is_dir(), f"reference directory {ref} not found")
    sources = read_sources(ref)
    meta_files = load_metadata_files(ref)
    builtin_yaml = load_yaml_text(
        (ref / "dapr-components-metadata" / ".build-tools" / "builtin-authentication-profiles.yaml").read_text(encoding="utf-8"))
    derived = ref / "dapr-derived"
    index = load_json(derived / "component-fields-index.json")
    daprd_doc = load_json(derived / "daprd-component-types.json")
    daprd = daprd_doc["types"]
    require(len(daprd) == daprd_doc.get("count", len(daprd)), "daprd-component-types.json count mismatch")
    sensitive_ref = load_json(derived / "sensitive-fields.json")
    aws_ref = load_json(derived / "aws-auth-fields.json")

    cross_check(index, meta_files, builtin_yaml)
    components = build_components(sources, meta_files, builtin_yaml, index, daprd)
    releases = build_releases(
        ref, {t: e.get("alias_of") for t, e in components["types"].items()},
        {t: {v: rec["fields"] for v, rec in e["versions"].items()}
         for t, e in components["types"].items() if not e.get("alias_of")})
    sensitive = build_sensitive(index, sensitive_ref)
    aws = build_aws(sources, aws_ref, index, daprd)
    crds = build_crds(ref, sources)

    out = {
        "sensitive-names.json": dump(sensitive),
        "aws.json": dump(aws),
        "sources.json": dump({
            "components-contrib": sources["components-contrib"],
            "dapr": sources["dapr"],
            "metadata_files": len(meta_files),
            "generated_by": GENERATED_BY,
            **release_list(releases["releases"]),
        }),
        "crds/index.json": dump(crds["index"]),
    }
    for fname, schema in crds["files"].items():
        out[f"crds/{fname}"] = dump(schema)
    for fname, schema in build_lint_variants(crds["files"]).items():
        out[f"crds/{fname}"] = dump(schema)
    for fname, schema in build_modes(crds["files"], crds["index"], crds["crds"], sources["dapr"]).items():
        out[f"crds/{fname}"] = dump_compact(schema, depth=4)
    split = split_components(components)
    # Each type's release history goes into its own master file under "releases" (one file per
    # type: a run opens, and the pack fingerprint stats, no more files than before).
    for t, history in releases["types"].items():
        split.setdefault(f"components/{t}.json", {"type": t, "versions": {}})["releases"] = history["versions"]
    for rel, obj in split.items():
        out[rel] = dump_mixed(obj, {"releases": 3}) if "releases" in obj else dump(obj)
    releases["files"]["releases/annotations.json"] = build_annotations(ref, releases["releases"])
    releases["files"]["releases/run-file.json"] = build_run_file(ref, releases["releases"])
    for rel, obj in releases["files"].items():
        out[rel] = dump_compact(obj, depth=3)
    return out


def split_components(components: dict) -> dict:
    """Per-type files, so that linting one file loads only the types it uses.

    `component-types.json` is the small index (every spec.type, registered or
    not, its alias target and the file holding its fields);
    `components/<type>.json` holds one canonical type's versions.
    """
    index, files = {}, {}
    for name, entry in components["types"].items():
        canonical = entry.get("alias_of") or name
        index[name] = {"registered": entry.get("registered", False), "alias_of": entry.get("alias_of"),
                       "metadata_type": entry.get("metadata_type"),
                       "versions": sorted(entry.get("versions", {})),
                       "file": f"components/{canonical}.json" if entry.get("versions") else None}
        if not entry.get("alias_of") and entry.get("versions"):
            files[f"components/{name}.json"] = {"type": name, "versions": entry["versions"]}
    for name, item in index.items():
        if item["file"] and item["file"] not in files:
            # the alias target has no own entry with fields: keep this type's data
            files[item["file"]] = {"type": name, "versions": components["types"][name]["versions"]}
    files["component-types.json"] = {"sources": components["sources"], "categories": components["categories"],
                                     "types": index}
    return files


# Files earlier versions of this generator wrote; they are removed (and --check reports them).
# components.json (the whole master data in one 1.2 MB file "for tools") was read by nothing:
# the rules read component-types.json and components/<type>.json, the versioned data is in releases/.
OBSOLETE = ("components.json",)


def stale_files(out_dir: Path, generated: dict) -> list:
    """Files in the generated sub-folders that the generator would no longer write."""
    stale = [name for name in OBSOLETE if (out_dir / name).exists()]
    for sub in ("crds", "components", "releases"):
        folder = out_dir / sub
        if folder.is_dir():
            stale += [f"{sub}/{p.name}" for p in folder.glob("*.json") if f"{sub}/{p.name}" not in generated]
    return sorted(stale)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE,
                    help=f"reference data directory (default: {DEFAULT_REFERENCE})")
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 listing files that differ from the generated content")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    try:
        generated = generate(args.reference)
    except (GenError, OSError, KeyError, yaml.YAMLError, json.JSONDecodeError) as exc:
        print(f"gen_schemas: error: {exc}", file=sys.stderr)
        return 2

    status = sync_generated("gen_schemas", generated, args.out, stale_files(args.out, generated), args.check,
                            "rules/generated/", t0)
    return status or sync_manifest("gen_schemas", args.out, args.check)

if __name__ == "__main__":
    sys.exit(main())

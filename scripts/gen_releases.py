"""Per-release component data: one merged index of Dapr 1.12-1.18 (and master) for
``rules/generated/releases/``, made by scripts/gen_schemas.py (this module has no command line).

Inputs, all under the reference directory (see its ``dapr-releases/SOURCE.md``):

* ``dapr-releases/SOURCE.md``                        the tag and commit of each minor
* ``dapr-releases/components-metadata/<minor>/``     each minor's metadata.yaml files and
  ``.build-tools/builtin-authentication-profiles.yaml``
* ``dapr-releases/daprd-component-types/<minor>.json`` the spec.types daprd registers
* ``dapr-releases/metadata-field-history.json``       cross-check of the field lists only
* master: ``dapr-components-metadata/`` and ``dapr-derived/{daprd-component-types,
  component-fields-index}.json`` (components-contrib c23900d2, dapr d8450742, after v1.18.4)
* ``scripts/data/contrib-code-fields.json`` (scripts/gen_code_facts.py): what the Go code of each
  release reads, merged into the per-type history by scripts/gen_code_data.py (the ``code*`` keys)

Outputs (the format is described in docs/versions.md):

* ``releases/types.json``                 every spec.type registered in some release
* ``components/<type>.json`` key ``releases`` (per canonical type; gen_schemas.py adds it to the
  type's master file): metadata.yaml history per version
* ``releases/auth-profiles.json``         the builtin authentication profiles per release

Every value carries the releases it holds in: ``since`` (first release with it), ``until`` (first
release without it; absent while the newest data still has it), ``gaps`` (``[from, to)`` spans
without it in between, rare) and ``changes`` (older values, each valid before its ``until``). The builtin authentication profiles are expanded as the
components-contrib build tool does at each tag (``.build-tools/pkg/metadataschema/
builtin-authentication-profiles.go``: a plain merge up to v1.14.7, the Kafka/PostgreSQL AWS
special cases from v1.15.0); the expansion of master is checked against
``dapr-derived/component-fields-index.json`` field by field.
"""

from __future__ import annotations

import copy
import difflib
import re
from pathlib import Path

import gen_code_data
from gen_common import (CATEGORIES, FIELD_ATTRS, build_version, load_json, load_yaml_text, pick_canonical,
                        ranges, require, yaml_field_attrs)

MASTER = "master"
# what the Go code of each release reads (scripts/gen_code_facts.py; merged by gen_code_data.py)
CODE_FACTS = gen_code_data.CODE_FACTS

# Attributes of a field (as in rules/generated/components/<type>.json) whose history is kept,
# with the value they have when absent from a record.
FIELD_DEFAULTS = {"name": None, "required": False, "sensitive": False, "type": None, "default": None,
                  "allowedValues": None, "deprecated": False, "binding": None, "source": "component"}
VERSION_DEFAULTS = {"status": None, "title": None, "capabilities": [], "binding": None,
                    "builtin_profiles": [], "profiles": []}
TYPE_DEFAULTS = {"aliases": [], "versions": ["v1"], "default_version": None, "preferred_version": None,
                 "deprecated_versions": [], "build_tags": None, "stable": False, "allcomponents": False,
                 "binding_directions": None, "note": None}

# Renames in metadata.yaml: (canonical type, version, first release with the new name, old, new,
# whether the component code still reads the old key, evidence). The rename detector below must
# find no other candidate, so a new rename in the reference data fails the generator until it is
# listed here (or in NOT_RENAMES). "old key accepted" was checked in the Go code at the tags named.
RENAMES = [
    ("bindings.rabbitmq", "v1", "1.13", "ttlInSeconds", "ttl", True,
     "bindings/rabbitmq/rabbitmq.go `mapstructurealiases:\"ttlInSeconds\"` (components-contrib v1.13.3, v1.18.4)"),
    ("bindings.azure.storagequeues", "v1", "1.13", "ttlInSeconds", "ttl", True,
     "bindings/azure/storagequeues/storagequeues.go `mapstructurealiases:\"ttlInSeconds\"` (v1.13.3, v1.18.4)"),
    ("state.cockroachdb", "v1", "1.13", "cleanupIntervalInSeconds", "cleanupInterval", True,
     "common/component/postgresql/v1/metadata.go `mapstructurealiases` (v1.13.3, v1.18.4)"),
    ("state.cockroachdb", "v1", "1.13", "timeoutInSeconds", "timeout", True,
     "common/component/postgresql/v1/metadata.go `mapstructurealiases` (v1.13.3, v1.18.4)"),
    ("state.postgresql", "v1", "1.13", "cleanupIntervalInSeconds", "cleanupInterval", True,
     "common/component/postgresql/v1/metadata.go `mapstructurealiases` (v1.13.3, v1.18.4)"),
    ("state.postgresql", "v1", "1.13", "timeoutInSeconds", "timeout", True,
     "common/component/postgresql/v1/metadata.go `mapstructurealiases` (v1.13.3, v1.18.4)"),
    ("state.sqlserver", "v1", "1.13", "schema", "schemaName", True,
     "common/authentication/sqlserver/metadata.go `mapstructurealiases:\"schema\"` (v1.13.3)"),
    ("state.sqlserver", "v1", "1.13", "cleanupIntervalInSeconds", "cleanupInterval", True,
     "state/sqlserver/metadata.go `mapstructurealiases:\"cleanupIntervalInSeconds\"` (v1.13.3, v1.18.4)"),
    ("conversation.aws.bedrock", "v1", "1.17", "cacheTTL", "responseCacheTTL", True,
     "metadata.yaml 1.17: 'supports the legacy key `cacheTTL` via mapstructure aliases'; "
     "conversation/aws/bedrock/bedrock.go `mapstructurealiases:\"cacheTTL\"` (v1.18.4)"),
]
# Pairs the detector finds that are not renames: the 1.14 builtin `aws` profile listed `awsRegion`
# instead of `region`; 1.15 lists `region` again and keeps `awsRegion` as its deprecated alias
# (dapr-releases/SOURCE.md; DAPR-FACTS B.4).
NOT_RENAMES = {
    ("bindings.aws.s3", "v1", "1.14", "region", "awsRegion"),
    ("pubsub.aws.snssqs", "v1", "1.14", "region", "awsRegion"),
    ("secretstores.aws.parameterstore", "v1", "1.14", "region", "awsRegion"),
}


# --------------------------------------------------------------------------------------------------
# releases

def release_key(name: str) -> tuple:
    """Sort key of a release name ('1.14', '1.17.3', 'master')."""
    if name == MASTER:
        return (1 << 30,)
    return tuple(int(p) for p in name.split("."))


def read_releases(ref: Path) -> dict:
    """minor -> {dapr, dapr_commit, components_contrib, components_contrib_commit, metadata_files},
    from the two tables of dapr-releases/SOURCE.md, checked against the JSON files."""
    text = (ref / "dapr-releases" / "SOURCE.md").read_text(encoding="utf-8")
    contrib_part, _, rest = text.partition("### dapr/dapr")
    row = re.compile(r"^\|\s*(\d+\.\d+)\s*\|\s*(v\d+\.\d+\.\d+)\s*\|\s*`([0-9a-f]{40})`\s*\|[^|]*\|\s*([^|]*?)\s*\|", re.M)
    out = {}
    for minor, tag, commit, files in row.findall(contrib_part):
        out[minor] = {"components_contrib": tag, "components_contrib_commit": commit, "metadata_files": int(files)}
    for minor, tag, commit, _ in row.findall(rest.split("\n## ", 1)[0]):
        require(minor in out, f"SOURCE.md: dapr row {minor} without a components-contrib row")
        out[minor].update({"dapr": tag, "dapr_commit": commit})
    require(out and all("dapr" in v for v in out.values()), "SOURCE.md: release tables incomplete")
    listed = sorted(p.stem for p in (ref / "dapr-releases" / "daprd-component-types").glob("*.json"))
    require(sorted(out) == listed, f"SOURCE.md minors {sorted(out)} differ from daprd-component-types {listed}")
    for minor, info in out.items():
        doc = load_json(ref / "dapr-releases" / "daprd-component-types" / f"{minor}.json")
        require((doc["dapr_tag"], doc["dapr_commit"]) == (info["dapr"], info["dapr_commit"]),
                f"daprd-component-types/{minor}.json tag differs from SOURCE.md")
        require(doc["components_contrib_metadata_tag"] == info["components_contrib"],
                f"daprd-component-types/{minor}.json contrib tag differs from SOURCE.md")
    return dict(sorted(out.items(), key=lambda kv: release_key(kv[0])))


def timeline(values: dict, order: list, defaults: dict, what: str) -> dict:
    """{since, until?, <attrs of the newest release>, changes?} for release -> record (full records)."""
    present = [r for r in order if r in values]
    spans = ranges(present, order)
    require(spans, f"{what}: present in no release")
    since, until = spans[0][0], spans[-1][1]
    out = {"since": since}
    if until is not None:
        out["until"] = until
    if len(spans) > 1:  # absent in between, e.g. AWS `region` of bindings.aws.s3 in 1.14
        out["gaps"] = [[a[1], b[0]] for a, b in zip(spans, spans[1:])]
    newest = values[present[-1]]
    out.update({k: v for k, v in newest.items() if defaults.get(k, object()) != v})
    changes = []
    for older, newer in zip(reversed(present[:-1]), reversed(present[1:])):
        diff = {k: values[older][k] for k in defaults if values[older][k] != values[newer][k]}
        if diff:
            changes.append({"until": newer, **diff})
    if changes:
        out["changes"] = changes
    return out


def full(record: dict, defaults: dict) -> dict:
    return {k: copy.deepcopy(record.get(k, v)) for k, v in defaults.items()}


# --------------------------------------------------------------------------------------------------
# metadata.yaml -> expanded entry, as the build tool does at each tag

AWS_KEYS_REQUIRED_OFF = ("accessKey", "secretKey", "region")
AWS_ASSUME_ROLE_DROPPED = ("awsAccessKey", "awsSecretKey", "awsSessionToken", "awsRegion")


def expand_builtin(component: dict, builtin: dict, aws_special_cases: bool) -> list:
    """The profiles a builtinAuthenticationProfiles item expands to (titles, fields in order)."""
    name = builtin["name"]
    require(name in component["_builtin"], f"{component['_path']}: unknown builtin profile {name}")
    title = component["title"]
    kafka_or_pg = aws_special_cases and (title == "Apache Kafka" or title.lower() == "postgresql")
    out = []
    for profile in component["_builtin"][name]:
        fields = [dict(f) for f in profile.get("metadata") or []]
        if kafka_or_pg:
            for f in fields:
                if f["name"] in AWS_KEYS_REQUIRED_OFF:
                    f["required"] = False
        merged = [dict(f) for f in builtin.get("metadata") or []] + fields
        if kafka_or_pg and profile["title"] == "AWS: Assume IAM Role":
            for f in merged:
                if f["name"] == "region":
                    f["required"] = True
            merged = [f for f in merged if f["name"] not in AWS_ASSUME_ROLE_DROPPED]
        if kafka_or_pg and profile["title"] in ("AWS: Credentials from Environment Variables",
                                                 "AWS: IAM Roles Anywhere"):
            merged = [f for f in merged if not f["name"].startswith("aws")]
        out.append({"title": profile["title"], "source": f"builtin:{name}",
                    "metadata": [yaml_field_attrs(f) for f in merged]})
    return out


def runtime_builtin(y: dict) -> list:
    """Fields daprd itself reads on every component of the type (validators.go AppendBuiltin at
    v1.13.3+; the outbox fields are applied to 1.12 too: daprd v1.12.5 reads them in
    pkg/runtime/pubsub/outbox.go although the v1.12.9 build tool does not list them)."""
    kind, caps = y["type"], y.get("capabilities") or []
    if kind == "state":
        out = [{"name": "actorStateStore", "type": "bool"}] if "actorStateStore" in caps else []
        if "transactional" in caps:
            out += [{"name": "outboxPublishPubsub", "type": "string"}, {"name": "outboxPublishTopic", "type": "string"},
                    {"name": "outboxPubsub", "type": "string"},
                    {"default": "false", "name": "outboxDiscardWhenMissingState", "type": "bool"}]
        return out + [{"default": "appid", "name": "keyPrefix", "type": "string"}]
    if kind == "lock":
        return [{"default": "appid", "name": "keyPrefix", "type": "string"}]
    if kind == "pubsub":
        return [{"name": n, "type": "string"} for n in
                ("consumerID", "allowedTopics", "publishingScopes", "subscriptionScopes", "protectedTopics")]
    binding = y.get("binding") or {}
    if kind == "bindings" and binding.get("input"):
        allowed = ["input", "output", "input,output"] if binding.get("output") else ["input"]
        return [{"allowedValues": allowed, "name": "direction", "type": "string"}, {"name": "route", "type": "string"}]
    return []


def expand(y: dict, path: str, builtin_yaml: dict, aws_special_cases: bool) -> dict:
    """An entry shaped like dapr-derived/component-fields-index.json (the parts build_version reads)."""
    y = {**y, "_builtin": builtin_yaml, "_path": path}
    profiles = [{"title": p["title"], "source": "component",
                 "metadata": [yaml_field_attrs(f) for f in p.get("metadata") or []]}
                for p in y.get("authenticationProfiles") or []]
    for b in y.get("builtinAuthenticationProfiles") or []:
        profiles += expand_builtin(y, b, aws_special_cases)
    binding = y.get("binding")
    return {
        "metadata_yaml": path, "type": y["type"], "name": y["name"], "version": y["version"],
        "status": y["status"], "title": y["title"],
        "metadata": [yaml_field_attrs(f) for f in y.get("metadata") or []],
        "authenticationProfiles": profiles,
        "builtinAuthenticationProfiles": [b["name"] for b in y.get("builtinAuthenticationProfiles") or []],
        "runtimeBuiltinMetadata": runtime_builtin(y),
        "capabilities": list(y.get("capabilities") or []),
        "binding": {k: v for k, v in binding.items() if k in ("input", "output")} if binding is not None else None,
        "binding_operations": [op["name"] for op in (binding or {}).get("operations") or []],
    }


def load_release_metadata(root: Path, prefixes: dict, aws_special_cases: bool) -> dict:
    """metadata key ('pubsub.kafka@v1') -> (path, yaml, expanded entry) for one release folder."""
    builtin = load_yaml_text((root / ".build-tools" / "builtin-authentication-profiles.yaml").read_text(encoding="utf-8"))
    out = {}
    for p in sorted(root.glob("**/metadata.yaml")):
        rel = p.relative_to(root).as_posix()
        y = load_yaml_text(p.read_text(encoding="utf-8"))
        require(y["type"] in prefixes, f"{p}: unknown type {y['type']}")
        key = f"{prefixes[y['type']]}{y['name']}@{y['version']}"
        require(key not in out, f"{root}: two metadata.yaml files for {key}")
        out[key] = (rel, y, expand(y, rel, builtin, aws_special_cases))
    require(out, f"no metadata.yaml under {root}")
    return {"files": out, "builtin": builtin}


def check_master_expansion(master: dict, index: dict) -> None:
    """Our expansion of the master metadata must equal the derived index, entry by entry."""
    keys = ("metadata", "authenticationProfiles", "builtinAuthenticationProfiles", "runtimeBuiltinMetadata",
            "capabilities", "binding", "binding_operations", "status", "title", "version")
    require(set(master["files"]) == set(index), "master metadata keys differ from component-fields-index.json: "
            f"{sorted(set(master['files']) ^ set(index))}")
    problems = []
    for key, (_, _, entry) in master["files"].items():
        want = index[key]
        for k in keys:
            got, exp = entry[k], want.get(k)
            if k in ("metadata",):
                exp = [yaml_field_attrs(f) for f in exp]
            if k == "authenticationProfiles":
                exp = [{"title": p["title"], "source": p["source"], "metadata": [yaml_field_attrs(f) for f in p["metadata"]]}
                       for p in exp]
            if k == "binding_operations":
                exp = list(exp or [])
            if got != exp:
                problems.append(f"{key}: {k} differs from component-fields-index.json")
    require(not problems, "builtin-profile expansion disagrees with the derived index:\n  " + "\n  ".join(problems))


def check_field_history(ref: Path, per_release: dict, order: list) -> None:
    """dapr-releases/metadata-field-history.json must list the same names in the same minors."""
    doc = load_json(ref / "dapr-releases" / "metadata-field-history.json")
    require(doc["minors"] == [r for r in order if r != MASTER], "metadata-field-history.json minors differ")
    got: dict = {}
    for r in doc["minors"]:
        for rel, y, _ in per_release[r]["files"].values():
            names = {"(file)"}
            names |= {f"metadata.{f['name']}" for f in y.get("metadata") or []}
            names |= {f"authenticationProfiles.{f['name']}" for p in y.get("authenticationProfiles") or []
                      for f in p.get("metadata") or []}
            names |= {f"builtinAuthenticationProfiles.{b['name']}" for b in y.get("builtinAuthenticationProfiles") or []}
            for n in names:
                got.setdefault(rel, {}).setdefault(n, []).append(r)
    require(got == doc["files"], "metadata-field-history.json disagrees with the copied metadata.yaml files")


# --------------------------------------------------------------------------------------------------
# registry

def read_registries(ref: Path, order: list) -> dict:
    """release -> {spec.type: registration}, master filled from 1.18 where its file is silent."""
    regs = {}
    for r in order:
        if r == MASTER:
            continue
        regs[r] = load_json(ref / "dapr-releases" / "daprd-component-types" / f"{r}.json")["types"]
    newest = regs[order[-2]]
    master = {}
    for t, d in load_json(ref / "dapr-derived" / "daprd-component-types.json")["types"].items():
        base = dict(newest.get(t) or {"versions": ["v1"], "in_allcomponents_build": False})
        if t not in newest:
            require("allcomponents" not in (d.get("build_tags") or ""),
                    f"master-only type {t}: cannot tell whether it is in the allcomponents build")
        base.update(d)
        master[t] = base
    regs[MASTER] = master
    return regs


def type_record(d: dict) -> dict:
    return {
        "aliases": sorted(d.get("aliases") or []),
        "versions": list(d.get("versions") or ["v1"]),
        "default_version": d.get("default_version"),
        "preferred_version": d.get("preferred_version"),
        "deprecated_versions": list(d.get("deprecated_versions") or []),
        "build_tags": d.get("build_tags"),
        "stable": bool(d.get("in_stable_build")),
        "allcomponents": bool(d.get("in_allcomponents_build")),
        "binding_directions": d.get("binding_directions"),
        "note": d.get("note"),
    }


def canonical_names(regs: dict, order: list, master_canonical: dict) -> dict:
    """spec.type -> the canonical name its data is filed under (master's choice where it exists)."""
    out = {}
    for r in reversed(order):
        reg = regs[r]
        for t, d in reg.items():
            if t in out:
                continue
            if t in master_canonical:
                out[t] = master_canonical[t]
            else:
                out[t] = pick_canonical({t, *d.get("aliases", [])}, reg, None)
    return out


# --------------------------------------------------------------------------------------------------
# per-type metadata history

def field_records(record: dict) -> dict:
    """lower name -> tracked attributes (no description/example) of one version record."""
    return {k: {a: copy.deepcopy(f.get(a, v)) for a, v in FIELD_DEFAULTS.items()} for k, f in record["fields"].items()}


def version_attrs(record: dict) -> dict:
    return {"status": record["status"], "title": record["title"], "capabilities": record["capabilities"],
            "binding": record["binding"], "builtin_profiles": record["builtin_profiles"],
            "profiles": record["profiles"]}


def collect_history(order: list, per_release: dict, regs: dict, canonical: dict) -> dict:
    """canonical type -> version -> release -> version record (metadata.yaml of that release)."""
    hist: dict = {}
    for r in order:
        records = per_release[r]["records"]
        used = set()
        for t, d in regs[r].items():
            for key in d.get("metadata_yaml_keys") or []:
                require(key in records, f"{r}: {t} names unknown metadata {key}")
                rec = records[key]
                slot = hist.setdefault(canonical[t], {}).setdefault(rec["_version"], {})
                if r in slot:
                    require(slot[r]["_key"] == key, f"{r}: alias group of {canonical[t]} {rec['_version']} "
                                                    f"described by {slot[r]['_key']} and {key}")
                slot[r] = rec
                used.add(key)
        for key in sorted(set(records) - used):  # metadata.yaml daprd does not register (bindings.kitex)
            rec = records[key]
            name = key.rsplit("@", 1)[0]
            slot = hist.setdefault(canonical.get(name, name), {}).setdefault(rec["_version"], {})
            require(r not in slot, f"{r}: {key} described twice")
            slot[r] = rec
    return hist


def detect_renames(hist: dict, order: list) -> set:
    """(type, version, release, old, new) pairs that look like a rename between two releases."""
    found = set()
    for t, versions in hist.items():
        for v, by in versions.items():
            present = [r for r in order if r in by]
            for older, newer in zip(present, present[1:]):
                a, b = by[older]["fields"], by[newer]["fields"]
                removed = {k: a[k] for k in a.keys() - b.keys() if a[k]["source"] != "runtime-builtin"}
                added = {k: b[k] for k in b.keys() - a.keys() if b[k]["source"] != "runtime-builtin"}
                for o in removed.values():
                    for n in added.values():
                        desc = difflib.SequenceMatcher(None, o["description"], n["description"]).ratio()
                        name = difflib.SequenceMatcher(None, o["name"].lower(), n["name"].lower()).ratio()
                        if desc > 0.8 or (name > 0.7 and desc > 0.3):
                            found.add((t, v, newer, o["name"], n["name"]))
    return found


def build_type_file(t: str, versions: dict, order: list, master_fields: dict, code: dict) -> dict:
    out = {}
    for v in sorted(set(versions) | {v for v, facts in code.items() if facts["known"]}):
        by = versions.get(v, {})
        rec = timeline({r: version_attrs(x) for r, x in by.items()}, order, VERSION_DEFAULTS, f"{t} {v}") if by else {}
        records = {r: field_records(x) for r, x in by.items()}
        names = sorted({k for x in records.values() for k in x})
        fields = {}
        for k in names:
            values = {r: x[k] for r, x in records.items() if k in x}
            f = timeline(values, order, FIELD_DEFAULTS, f"{t} {v} field {k}")
            if k not in master_fields.get(v, {}):  # the master file has no description for it
                newest = [r for r in order if r in by and k in by[r]["fields"]][-1]
                desc = by[newest]["fields"][k]["description"]
                if desc:
                    f["description"] = desc
            fields[k] = f
        if v in code:
            # the component code reads what metadata.yaml lists, except daprd's own runtime fields
            listed = {k: {r for r, x in records.items() if k in x and x[k]["source"] != "runtime-builtin"}
                      for k in names}
            version_keys, field_keys = gen_code_data.code_entries(
                code[v], {k: m for k, m in listed.items() if m}, order, f"{t} {v}")
            rec.update(version_keys)
            for k, (name, attrs) in field_keys.items():
                fields.setdefault(k, {"name": name}).update(attrs)
        rec["fields"] = fields
        out[v] = rec
    return {"type": t, "versions": out}


def apply_renames(files: dict, detected: set, order: list) -> None:
    listed = {(t, v, r, old, new) for t, v, r, old, new, _, _ in RENAMES}
    unlisted = detected - listed - NOT_RENAMES
    require(not unlisted, f"possible metadata.yaml renames not in RENAMES/NOT_RENAMES: {sorted(unlisted)}")
    for t, v, r, old, new, accepted, evidence in RENAMES:
        fields = files[t]["versions"][v]["fields"]
        o, n = fields[old.lower()], fields[new.lower()]
        require(o.get("until") == r and n.get("since") == r,
                f"RENAMES: {t} {v} {old}->{new} is not a rename at {r} in the data")
        o.update({"renamed_to": new, "old_accepted": accepted, "evidence": evidence})
        n["renamed_from"] = old


# --------------------------------------------------------------------------------------------------
# builtin authentication profiles

def profile_record(profiles: list) -> list:
    return [{"title": p["title"],
             "fields": [{k: f[k] for k in FIELD_ATTRS if k in f and k != "example"} for f in p.get("metadata") or []]}
            for p in profiles]


def build_auth_profiles(per_release: dict, order: list) -> dict:
    names = sorted({n for r in order for n in per_release[r]["builtin"]})
    out = {}
    for n in names:
        values = {r: {"profiles": profile_record(per_release[r]["builtin"][n])} for r in order
                  if n in per_release[r]["builtin"]}
        out[n] = timeline(values, order, {"profiles": []}, f"builtin profile {n}")
    return {"profiles": out}


# --------------------------------------------------------------------------------------------------

def build_releases(ref: Path, master_types: dict, master_versions: dict, code_facts: Path = CODE_FACTS) -> dict:
    """{"files": {relative output path: object}, "types": {canonical type: history}, "releases": ...}.

    master_types: spec.type -> alias_of from the master component data (canonical names);
    master_versions: canonical type -> {version: fields} of rules/generated/components/."""
    releases = read_releases(ref)
    order = list(releases) + [MASTER]
    regs = read_registries(ref, order)
    prefixes = {}
    for r in releases:
        prefixes.update(load_json(ref / "dapr-releases" / "daprd-component-types" / f"{r}.json")["category_prefixes"])
    require(set(prefixes) == set(CATEGORIES), f"category prefixes {sorted(prefixes)} differ from {CATEGORIES}")

    per_release = {}
    for r in order:
        root = ref / "dapr-components-metadata" if r == MASTER else ref / "dapr-releases" / "components-metadata" / r
        special = r == MASTER or release_key(r) >= (1, 15)  # builtin-authentication-profiles.go f0971e8d
        data = load_release_metadata(root, prefixes, special)
        if r != MASTER:
            require(len(data["files"]) == releases[r]["metadata_files"], f"{r}: metadata.yaml count differs from SOURCE.md")
        data["records"] = {}
        for key, (_, y, entry) in data["files"].items():
            # 1.12/1.13 eventhubs declare `consumerId` next to the runtime-builtin `consumerID`
            rec = build_version(entry, y, data["builtin"], None if r == MASTER else [])
            rec["_version"], rec["_key"] = y["version"], key
            data["records"][key] = rec
        per_release[r] = data
    check_master_expansion(per_release[MASTER], load_json(ref / "dapr-derived" / "component-fields-index.json"))
    check_field_history(ref, per_release, order)

    master_canonical = {t: (alias or t) for t, alias in master_types.items()}
    canonical = canonical_names(regs, order, master_canonical)
    hist = collect_history(order, per_release, regs, canonical)
    code = gen_code_data.read_code_facts(code_facts, canonical, order)
    require(set(code) <= set(hist) | set(canonical.values()), "code facts name types without data")
    files = {}
    for t in sorted(set(hist) | set(code)):
        built = build_type_file(t, hist.get(t, {}), order, master_versions.get(t, {}), code.get(t, {}))
        if built["versions"]:  # (types implemented in dapr/dapr have neither metadata.yaml nor code facts)
            files[t] = built
    apply_renames(files, detect_renames(hist, order), order)
    check_master_equals_components(hist, master_versions)

    types = {}
    for t in sorted(canonical):
        values = {r: type_record(regs[r][t]) for r in order if t in regs[r]}
        entry = timeline(values, order, TYPE_DEFAULTS, f"type {t}")
        entry["category"] = t.split(".", 1)[0]
        if canonical[t] != t:
            entry["canonical"] = canonical[t]
        if canonical[t] in files:
            entry["file"] = f"components/{canonical[t]}.json"
        types[t] = entry

    out = {
        "releases/types.json": {"releases": order, "types": types},
        "releases/auth-profiles.json": {"releases": order, **build_auth_profiles(per_release, order)},
    }
    return {"files": out, "types": files, "releases": releases, "order": order}


def check_master_equals_components(hist: dict, master_versions: dict) -> None:
    """At master, the history must give back exactly the fields of rules/generated/components/."""
    for t, versions in master_versions.items():
        for v, fields in versions.items():
            rec = hist.get(t, {}).get(v, {}).get(MASTER)
            if rec is None:
                continue  # a metadata-only name (secretstores.aws.secretsmanager) filed under its daprd type
            want = {k: {a: f.get(a, d) for a, d in FIELD_DEFAULTS.items()} for k, f in fields.items()}
            require(field_records(rec) == want, f"{t} {v}: master fields differ from components/{t}.json")


def release_list(releases: dict) -> dict:
    """What sources.json says about the releases (the CLI's --version and versions.py read it)."""
    newest = list(releases)[-1]
    return {
        "dapr_releases": list(releases),
        "default_release": newest,
        "newest_release": newest,
        "release_sources": {r: {k: v for k, v in info.items() if k != "metadata_files"} for r, info in releases.items()},
    }


"""The Go code facts (scripts/data/contrib-code-fields.json, made by scripts/gen_code_facts.py) in the
shape of the per-type release data (``components/<type>.json`` key ``releases``), for gen_releases.py
(this module has no command line).

The facts file names, per registered spec.type, component version and lower-cased metadata name, the
minors in which the code of that release reads the name at component init, under which aliases,
whether only an exact-case map lookup reads it, whether it is (also) taken from each request, and what
the analysis could not follow (docs/data-sources.md). This module turns every "list of minors" into
``[[since, until], ...]`` ranges over the release order, merges the names of one registration (alias
spec.types such as ``pubsub.snssqs`` / ``pubsub.aws.snssqs`` share a package) under the canonical type
the data is filed under, and checks that it agrees with the metadata.yaml history where both speak.

What goes into each field entry of a version (all optional, ranges as above; see docs/versions.md):

* ``code``              read at init under this name (mapstructure tag or Go field name, or a lookup)
* ``code_request``      (also) read from each request's metadata, so optional at init
* ``code_alias_of``     {field: ranges}: read as an alias of that field (``mapstructurealiases``,
                        lookup lists, upgrade tables)
* ``code_ignored_alias_of`` {field: ranges}: declared alias that the decoder of that release does not
                        resolve (Redis ``useAzureAD``: kit ``config.Decode`` is plain mapstructure)
* ``code_exact``        {spelling: ranges}: only an exact-case map lookup reads it, in these spellings
* ``code_mdignore``     the struct field is tagged ``mdignore`` (read, deliberately not documented)
* ``code_only_with``    {"a,b": ranges}: the read has no effect unless the other keys are set too
* ``code_unverified``   metadata.yaml lists it and the analysis cannot follow the code that reads it
                        (``known_parser_misses``: the Consul name resolver's nested configuration)

and into the version entry: ``code_known`` (the releases whose code the facts describe: the
registration exists and is implemented in components-contrib), ``code_incomplete`` (releases where the
analysis could not follow everything, so "not read" is not certain there) and ``code_patterns``
({pattern: ranges}: key patterns read at init, such as GraphQL ``header:*``).
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from gen_common import load_json, ranges, require

CODE_FACTS = Path(__file__).resolve().parent / "data" / "contrib-code-fields.json"
NOT_IMPLEMENTED = "not implemented in components-contrib"
# What the code facts miss without saying so (their analysis reads no code outside components-contrib):
# a `mapstructure:",squash"` of a struct from a third-party module fills names the facts do not list.
# Found by `git grep 'mapstructure:",squash"'` over the non-test Go files of every tag (the only
# third-party squash is rethinkdb's). Those releases count as incomplete: "not read" is not certain there.
KNOWN_GAPS = {
    ("state.rethinkdb", "v1"): (("1.12", "1.13", "1.14", "1.15"),
                                "state/rethinkdb/rethinkdb.go squashes gopkg.in/rethinkdb/rethinkdb-go.v6 ConnectOpts "
                                "(address, database, username, password, ...; v1.12.9 to v1.15.7)"),
    ("bindings.rethinkdb.statechange", "v1"): (("1.12", "1.13", "1.14", "1.15"),
                                               "bindings/rethinkdb/statechange/statechange.go squashes "
                                               "rethinkdb-go ConnectOpts (v1.12.9 to v1.15.7)"),
}
# statuses of metadata_yaml.not_in_code whose name the code does not read at init
NOT_READ = ("not-read", "not-read-builtin-profile")
UNVERIFIED = ("not-read-unverified", "parser-miss")


def read_code_facts(path: Path, canonical: dict, order: list) -> dict:
    """canonical type -> version -> {"known", "incomplete", "patterns", "fields", "not_in_code"} with
    sets of releases (``ranges_of`` turns them into ranges); {} when the file does not exist."""
    if not path.is_file():
        return {}
    doc = load_json(path)
    require(doc.get("minors") == order, f"{path}: minors {doc.get('minors')} differ from the releases {order}")
    require(not doc.get("parse_errors"), f"{path}: the facts were made from Go files that did not parse")
    out: dict = {}
    for t, entry in sorted(doc["types"].items()):
        require(t in canonical, f"{path}: {t} is not a registered spec.type")
        for v, facts in sorted(entry["versions"].items()):
            slot = out.setdefault(canonical[t], {}).setdefault(v, {
                "known": set(), "incomplete": set(), "patterns": {}, "fields": {}, "not_in_code": {}})
            _merge_version(slot, facts, f"{path}: {t} {v}")
    for (t, v), (minors, _why) in KNOWN_GAPS.items():
        if t not in doc["types"]:
            continue
        slot = out[canonical[t]][v]
        require(set(minors) <= slot["known"], f"KNOWN_GAPS: {t} {v} is not known in {sorted(set(minors) - slot['known'])}")
        slot["incomplete"] |= set(minors)
    for miss in doc.get("known_parser_misses") or ():  # nested names the analysis cannot see, any release
        for t in miss["types"]:
            for slot in out[canonical[t]].values():
                for name in miss["fields"]:
                    slot["not_in_code"].setdefault(name.lower(), {}).setdefault("parser-miss", set()).update(slot["known"])
    return out


def _merge_version(slot: dict, facts: dict, what: str) -> None:
    registered = set(facts["registered"])
    missing = {m for m, notes in (facts.get("incomplete") or {}).items() if NOT_IMPLEMENTED in notes}
    slot["known"] |= registered - missing
    slot["incomplete"] |= {m for m, notes in (facts.get("incomplete") or {}).items()
                           if any(n != NOT_IMPLEMENTED for n in notes)}
    for pattern, info in (facts.get("patterns") or {}).items():
        slot["patterns"].setdefault(pattern, set()).update(info["init"])
    for group, when in (("fields", "init"), ("request_fields", "request")):
        for key, f in (facts.get(group) or {}).items():
            require(key == f["name"].lower(), f"{what}: field key {key} is not its lower-cased name")
            _merge_field(slot["fields"], key, f)
    for key, info in ((facts.get("metadata_yaml") or {}).get("not_in_code") or {}).items():
        target = slot["not_in_code"].setdefault(key, {})
        for status, minors in info.items():
            if status not in ("from", "name"):
                target.setdefault(status, set()).update(minors)


def _merge_field(fields: dict, key: str, f: dict) -> None:
    out = fields.setdefault(key, {"name": f["name"], "code": set(), "code_request": set(), "code_mdignore": set(),
                                  "code_alias_of": {}, "code_ignored_alias_of": {}, "code_exact": {},
                                  "code_only_with": {}})
    out["code"] |= set(f.get("init") or ())
    out["code_request"] |= set(f.get("request") or ())
    out["code_mdignore"] |= set(f.get("mdignore") or ())
    for spelling, minors in (f.get("exact_case") or {}).items():
        out["code_exact"].setdefault(spelling, set()).update(minors)
    for keys, minors in (f.get("only_with") or {}).items():
        out["code_only_with"].setdefault(keys, set()).update(minors)
    for alias, minors in (f.get("aliases") or {}).items():
        entry = fields.setdefault(alias.lower(), _empty(alias))
        entry["code_alias_of"].setdefault(f["name"], set()).update(minors)
        for spelling, exact in (f.get("exact_case") or {}).items():
            if spelling.lower() == alias.lower():  # an alias read only in this spelling
                entry["code_exact"].setdefault(spelling, set()).update(exact)
    for alias, minors in (f.get("aliases_unresolved") or {}).items():
        entry = fields.setdefault(alias.lower(), _empty(alias))
        entry["code_ignored_alias_of"].setdefault(f["name"], set()).update(minors)


def _empty(name: str) -> dict:
    return {"name": name, "code": set(), "code_request": set(), "code_mdignore": set(), "code_alias_of": {},
            "code_ignored_alias_of": {}, "code_exact": {}, "code_only_with": {}}


def code_entries(facts: dict, md_fields: dict, order: list, what: str) -> tuple[dict, dict]:
    """(version-level keys, lower name -> field-level keys) for one type and version, in range form.

    md_fields: lower name -> set of releases whose metadata.yaml lists the name (for the cross-check
    with ``not_in_code``: a listed name the code does not read must be one the facts explain)."""
    known = facts["known"]
    version_keys = {"code_known": ranges(known, order)} if known else {}
    if facts["incomplete"]:
        version_keys["code_incomplete"] = ranges(facts["incomplete"], order)
    if facts["patterns"]:
        version_keys["code_patterns"] = {p: ranges(m, order) for p, m in sorted(facts["patterns"].items())}
    field_keys = {}
    for key, f in sorted(facts["fields"].items()):
        out = {}
        for attr in ("code", "code_request", "code_mdignore"):
            if f[attr]:
                out[attr] = ranges(f[attr], order)
        for attr in ("code_alias_of", "code_ignored_alias_of", "code_exact", "code_only_with"):
            if f[attr]:
                out[attr] = {k: ranges(m, order) for k, m in sorted(f[attr].items())}
        field_keys[key] = (f["name"], out)
    unverified = {}
    for key, statuses in facts["not_in_code"].items():
        minors = set().union(*(m for s, m in statuses.items() if s in UNVERIFIED)) if statuses else set()
        if minors:
            unverified[key] = minors
    _cross_check(facts, md_fields, what)
    for key, minors in sorted(unverified.items()):
        name, out = field_keys.get(key, (None, {}))
        out["code_unverified"] = ranges(minors, order)
        field_keys[key] = (name, out)
    return version_keys, field_keys


def _reads(f: dict) -> set:
    return f["code"] | f["code_request"] | {r for m in f["code_alias_of"].values() for r in m}


def _cross_check(facts: dict, md_fields: dict, what: str) -> None:
    """Every name a release's metadata.yaml lists (component and profile fields) is read by that
    release's code (at init, per request, as an alias or through a key pattern) or explained by
    ``not_in_code``, unless the analysis is incomplete there; and no name is both "not read" and read."""
    patterns = [(re.compile(fnmatch.translate(p.lower())), m) for p, m in facts["patterns"].items()]
    for key, listed in sorted(md_fields.items()):
        f = facts["fields"].get(key)
        read = _reads(f) if f else set()
        read |= {r for rx, m in patterns if rx.match(key) for r in m}
        statuses = facts["not_in_code"].get(key, {})
        explained = set().union(*statuses.values()) if statuses else set()
        # the facts compare the code with the metadata.yaml of the releases only (not master)
        silent = sorted((listed & facts["known"]) - read - explained - facts["incomplete"] - {"master"})
        require(not silent, f"{what}: metadata.yaml lists {key} in {silent}; the code facts neither read nor explain it")
        for status in NOT_READ:
            both = statuses.get(status, set()) & read
            require(not both, f"{what}: {key} is both '{status}' and read in {sorted(both)}")

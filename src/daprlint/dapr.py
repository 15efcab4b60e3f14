"""Dapr domain knowledge for rules, read from the rule packs' data files.

Everything here is a pure function of a model.Resource and the pack data
(rules/generated/*.json, made by scripts/gen_schemas.py from Dapr's own
metadata, and rules/data/*.json, kept by hand).
"""
from __future__ import annotations

import re

from .goparse import parse_go_duration  # noqa: F401  re-exported: moved to goparse
from .model import MetadataItem, Resource, is_templated, iter_scalars
from .redact import AWS_KEY_ID, KEY_ID_PREFIX, PEM_PRIVATE_KEY, URL_CREDENTIALS
from .workloads import secret_value_nodes

TYPES = "generated/component-types.json"
AWS = "generated/aws.json"
SENSITIVE = "generated/sensitive-names.json"
REGIONS = "data/aws-regions.json"

# Name-based fallback for types Dapr's metadata does not describe.
_SENSITIVE_WORDS = re.compile(
    r"password|passwd|secret|token|apikey|api_key|accesskey|masterkey|accountkey|privatekey|clientkey|"
    r"connectionstring|credential|sastoken|sharedaccesskey|signingkey|encryptionkey|authkey", re.I)
_PLACEHOLDER = re.compile(r"^\s*(<[^>]*>|\[[^\]]*\]|\*{3,}|\$\{[^}]*\}|x{4,}|\.\.\.)\s*$", re.I)
_CONNECTION_CREDENTIAL = re.compile(
    r"(password|pwd|accountkey|accesskey|sharedaccesskey|sharedaccesssignature|secret|token)\s*=\s*[^;\s]|"
    r"://[^\s:/@]*:[^\s@/]+@|"          # scheme://user:pass@host
    r"^[^\s:/@=;]+:[^\s@/]+@", re.I)     # Go DSN: user:pass@tcp(host)/db
_PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----")


def type_index(data) -> dict:
    """Every known spec.type: registered, alias_of, metadata_type, versions, file."""
    return data.json(TYPES)["types"]


def type_entry(resource: Resource, data) -> dict | None:
    """The field data of this component's type (its own file, loaded on first use)."""
    item = type_index(data).get(resource.type_key)
    if item is None or not item.get("file"):
        return None
    return data.json("generated/" + item["file"])


def fields_of(resource: Resource, data) -> dict:
    """Field metadata by lower-cased name for this type and version; fields
    that only another version lists come after, as a fallback."""
    memo = data.memo("dapr.fields_of")
    key = (resource.type_key, resource.version_key)
    fields = memo.get(key)
    if fields is None:
        fields = memo[key] = _fields_of(resource, data)
    return fields


def _fields_of(resource: Resource, data) -> dict:
    entry = type_entry(resource, data)
    versions = entry.get("versions", {}) if entry else {}
    fields = dict(versions.get(resource.version_key, {}).get("fields", {}))
    for other in versions.values():
        for name, info in other.get("fields", {}).items():
            fields.setdefault(name, info)
    return fields


def per_type(resource: Resource, data, name: str, compute, target=None, generated=None):
    """`compute(resource)` once per (type, version[, target release]) under *name*: what a rule
    derives from Dapr's data for a type (a plan, a vocabulary) is kept for the run. With
    *generated*, `generated(entry)` gives the answer instead wherever generated_answers has an
    entry for the type, version and target (the default release), without the type's data file."""
    memo = data.memo(name)
    key = (resource.type_key, resource.version_key, target.release if target is not None else None)
    try:
        return memo[key]
    except KeyError:
        pass
    entry = generated_answers(resource, data, target) if generated is not None else None
    answer = memo[key] = compute(resource) if entry is None else generated(entry)
    return answer


# -- answers worked out at generation time --------------------------------------------
# Each type's answers for the default release, per version, made by scripts/gen_answers.py from
# the same functions the run-time path calls (tests/test_generated_answers.py compares them all
# with that path; `gen_answers.py --check` that the files are fresh). One file per type data file,
# read on the first resource of one of its types. A cold run on the corpus copy (~140 types)
# loaded ~130 type data files (1.5 MB of JSON) to work these out; reading the answers instead took
# it from 2,578M to 2,384M instructions (docs/versions.md, "Generated answers").
ANSWERS = "generated/answers/"
_NO_ANSWERS: dict = {}


def answers_file(type_key: str, data) -> str | None:
    """The generated answers file of a spec.type (under rules/), or None: the file of its data."""
    from . import versions

    item = versions._types(data).get(type_key) or type_index(data).get(type_key)
    found = item.get("file") if item else None
    return ANSWERS + found.rpartition("/")[2] if found else None


def generated_answers(resource: Resource, data, target=None) -> dict | None:
    """The answers of scripts/gen_answers.py for the resource's type and version ("DPR004",
    "DPR006", "deprecated", "reads", "sensitive"), decoded; None where the run-time
    path must work them out: a versions.pack_data_for view, a *target* other than the default
    release (or newer than any daprlint knows), a type or version the data does not have."""
    if target is not None and target.newer_than_known:
        return None
    memo = data.memo("dapr.answers")
    key = (resource.type_key, resource.version_key)
    entry = memo.get(key, _NO_ANSWERS)
    if entry is _NO_ANSWERS:
        entry = memo[key] = _generated_entry(resource.type_key, resource.version_key, data)
    if entry is None or (target is not None and target.release != entry["release"]):
        return None
    return entry


def _generated_entry(type_key: str, version_key: str, data) -> dict | None:
    if getattr(data, "target", None) is not None:
        return None  # a release's view: its type files are that release's
    rel = answers_file(type_key, data)
    if rel is None:
        return None
    from . import versions
    from .packs import PackError

    try:
        doc = data.json(rel)
    except PackError:
        return None  # not generated (a copy of the pack without them): the run-time path
    if doc.get("release") != versions.default_release(data):
        return None  # made for another default: `gen_answers.py --check` says so
    by_version = doc["types"].get(type_key) or {}
    if by_version.__class__ is str:
        by_version = doc["types"][by_version]  # an alias whose answers are its canonical type's
    entry = by_version.get(version_key)
    if entry is None:
        return None
    reads = entry["reads"]
    return {**entry, "release": doc["release"], "sensitive": frozenset(entry["sensitive"]),
            "reads": None if reads is None else _ReadsTable(reads)}


def target(ctx):
    """The Dapr release the rules check against (a versions.Target): the configured
    `dapr-version`, else the release of a versions.pack_data_for view, else the newest release
    daprlint knows."""
    found = ctx.memo.get("dapr.target")  # every component rule asks, for every resource of the file
    if found is None:
        configured = ctx.option("dapr-version")
        view = getattr(ctx.data, "target", None) if configured is None else None
        if view is None:
            resolved = ctx.data.memo("dapr.target")  # and every file: resolved once a run
            view = resolved.get(configured)
            if view is None:
                from . import versions

                view = resolved[configured] = versions.resolve(ctx.data, configured)
        found = ctx.memo["dapr.target"] = view
    return found


def field_info(resource: Resource, key: str, data) -> dict | None:
    """Metadata for a field of this component type (any version as a fallback)."""
    return fields_of(resource, data).get(key)


FIELD_EXTRAS = "dapr/field-extras.json"


def extra_groups(type_key: str, version: dict | None, data, target=None, version_key: str | None = None,
                 generated: bool = True) -> list[dict]:
    """The groups of rules/dapr/field-extras.json that apply to this type and version (named
    types, type prefixes, or a builtin auth profile the version uses), then one group made from
    what the Go code of the target release reads (versions.code_extras: aliases, names
    metadata.yaml omits, key prefixes). *version* is the master-shaped version entry (for its
    builtin profiles), *version_key* its name ("v1"; when not given, the entry of the type's data
    file that *version* is, else "v1"); *target* defaults to the release of a
    versions.pack_data_for view, else the default release. *generated* False: the hand-kept
    groups only."""
    from . import versions

    profiles = frozenset((version or {}).get("builtin_profiles") or ())
    memo = data.memo("dapr.hand_groups")  # ~4 calls per type: match the groups once per (type, profiles)
    groups = memo.get((type_key, profiles))
    if groups is None:
        groups = memo[type_key, profiles] = tuple(
            g for g in data.json(FIELD_EXTRAS)["groups"]
            if type_key in g.get("types", ()) or g.get("builtin_profile") in profiles
            or type_key.startswith(tuple(g.get("type_prefixes", ()))))
    if not generated:
        return list(groups)  # the hand-kept groups only
    if version_key is None:
        version_key = _version_key_of(type_key, version, data)
    code = versions.code_extras(data, type_key, version_key, target)
    return [*groups, code] if code else list(groups)


def _version_key_of(type_key: str, version: dict | None, data) -> str:
    item = type_index(data).get(type_key)
    if version is not None and item and item.get("file"):
        for key, entry in data.json("generated/" + item["file"]).get("versions", {}).items():
            if entry is version:
                return key
    return "v1"


def reads_name(resource: Resource, spelling: str, data, target) -> bool | None:
    """Whether daprd of the target release takes this metadata name, spelled so, for the
    component: True when its code reads it (at init, as an alias, by a key pattern, or from each
    request), daprd reads it for the whole category, or field-extras.json lists it; False when it
    is not read (per the complete code facts of that release, else per its metadata.yaml); None
    when neither can say (the type is not registered in the target, or it has no metadata.yaml
    and no complete code facts there: missing data is not evidence). DPR003 reports exactly the
    names this says False for; `daprlint upgrade` compares its answers for two releases."""
    memo = data.memo("dapr.reads_name")  # the same names come back in every file
    memo_key = (resource.type_key, resource.version_key, spelling, target.release)
    try:
        return memo[memo_key]
    except KeyError:
        pass
    entry = generated_answers(resource, data, target)
    if entry is None:
        answer = _reads_name(resource, spelling, data, target)
    else:
        table = entry["reads"]
        answer = table.answer(spelling) if table is not None else None
    memo[memo_key] = answer
    return answer


class _ReadsTable:
    """reads_name's answers for one type and version in one release, as reads_table makes them:
    {"names": {lower-cased name: True, False, None or the exact spellings read}, "patterns": code key
    patterns (a full match is read), "placeholders": metadata.yaml `<topic-name>.jsonschema`
    patterns (a match is read), "otherwise": the answer for any other name}."""

    __slots__ = ("names", "_patterns", "_placeholders", "otherwise", "_compiled")

    def __init__(self, table: dict):
        self.names = table["names"]
        self._patterns, self._placeholders = table["patterns"], table["placeholders"]
        self.otherwise = table["otherwise"]
        self._compiled = None  # most names are in `names`: compiled on the first that is not

    def answer(self, spelling: str):
        key = spelling.lower()
        found = self.names.get(key, _NOT_NAMED)
        if found is not _NOT_NAMED:
            return spelling in found if found.__class__ is list else found  # True, False or None
        if self._compiled is None:
            self._compiled = ([re.compile(p) for p in self._patterns], [re.compile(p) for p in self._placeholders])
        patterns, placeholders = self._compiled
        if any(rx.fullmatch(key) for rx in patterns):
            return True
        if self.otherwise is None:
            return None
        if any(rx.match(key) for rx in placeholders):
            return True
        return self.otherwise


_NOT_NAMED = object()


def reads_table(resource: Resource, data, target) -> dict | None:
    """_reads_name for every spelling at once, as _ReadsTable reads it (scripts/gen_answers.py
    writes it); None when the type is not registered in the target (every answer is None).
    `names` holds the answer for the category's and hand-kept groups' names and every name of
    the type's data: the spellings when the code reads one only exact-case, else _reads_name's
    own answer, the same for any case. No other name is hand-kept, read by name or listed, so
    _reads_name decides it by the code's key patterns, then by whether anything describes the
    type (`otherwise` None: nothing is judged), then by metadata.yaml's placeholder names."""
    from . import versions

    type_key, version_key = resource.type_key, resource.version_key
    if versions.type_info(data, type_key, target) is None:
        return None
    hand = _hand_names(type_key, version_key, data, target)
    entry_fields = (versions._version_entry(data, type_key, version_key) or {}).get("fields", {})
    reads = versions.code_reads(data, type_key, version_key, target)
    names = {}
    for key in sorted(hand | entry_fields.keys()):
        read = reads.get(key) if reads is not None and key not in hand else None
        if read is not None and read.how in versions.READ and read.spellings is not None:
            names[key] = sorted(read.spellings)  # read exact-case only: the spelling decides
        else:
            names[key] = _reads_name(resource, key, data, target)
    listed = versions.fields(data, type_key, version_key, target)
    complete = reads is not None and reads.complete
    return {"names": names, "patterns": [rx.pattern for rx, _ in reads.patterns] if reads is not None else [],
            "placeholders": [rx.pattern for rx in _placeholder_patterns(type_key, version_key, listed or {}, data,
                                                                       target)] if listed else [],
            "otherwise": None if not listed and not complete else False}


def _reads_name(resource: Resource, spelling: str, data, target) -> bool | None:
    from . import versions

    key = spelling.lower()
    type_key, version_key = resource.type_key, resource.version_key
    if versions.type_info(data, type_key, target) is None:
        return None  # daprd does not register the type there: DPR002's
    if key in _hand_names(type_key, version_key, data, target):
        return True
    reads = versions.code_reads(data, type_key, version_key, target)
    read = reads.get(spelling) if reads is not None else None
    if read is not None:
        if read.how in versions.READ:
            return read.spellings is None or spelling in read.spellings
        if read.how == "unverified":
            return True
        return False  # an alias the decoder ignores
    complete = reads is not None and reads.complete
    listed = versions.fields(data, type_key, version_key, target)
    if listed and key in listed:
        return not complete or listed[key].get("source") == "runtime-builtin"
    if not listed and not complete:
        return None
    if any(p.match(key) for p in _placeholder_patterns(type_key, version_key, listed or {}, data, target)):
        return True
    if target.newer_than_known:
        history = versions.field_history(data, type_key, version_key, key)
        if versions.MASTER in history["read"] or versions.MASTER in history["listed"]:
            return None  # probably new in the release you run: the newest data is only advice
    return False


def _hand_names(type_key: str, version_key: str, data, target) -> frozenset:
    """Lower-cased names daprd reads for the category, and the hand-kept groups' names."""
    memo = data.memo("dapr.hand_names")
    key = (type_key, version_key, target.release)
    if key not in memo:
        from . import versions

        names = set(data.json(FIELD_EXTRAS)["category_fields"].get(type_key.partition(".")[0], ()))
        if versions.code_reads(data, type_key, version_key, target) is None:  # the master AWS aliases
            names.update(a["alias"] for a in data.json(AWS)["aliases"] if type_key in a["accepted_by"])
        version = versions.version_info(data, type_key, version_key, target)
        for group in extra_groups(type_key, version, data, target, version_key=version_key, generated=False):
            names.update(group.get("aliases", {}), group.get("deprecated", {}), group.get("names", ()))
        memo[key] = frozenset(n.lower() for n in names)
    return memo[key]


def _placeholder_patterns(type_key: str, version_key: str, listed: dict, data, target) -> list:
    """`<topic-name>.jsonschema` names of the release's metadata.yaml as patterns (once per type)."""
    memo = data.memo("dapr.placeholder_patterns")
    key = (type_key, version_key, target.release)
    if key not in memo:
        out = []
        for info in listed.values():
            name = (info.get("name") or "").lower()
            if "<" in name and ">" in name:
                parts = re.split(r"<[^>]*>", name)
                out.append(re.compile("^" + ".+".join(re.escape(p) for p in parts) + "$"))
        memo[key] = out
    return memo[key]


# the replacement a deprecated field's description names ("Deprecated alias for `connectionString`")
REPLACEMENT = re.compile(r"(?:alias (?:to|for|of)|use)\s+['\"`]?([A-Za-z][\w.-]*)", re.I)


def deprecated_fields(resource: Resource, data, target) -> dict:
    """DPR005's table for this type and version in the target release: lower-cased name ->
    (replacement or None, rename?, "renamed to `x` in Dapr 1.13 (...)" or ""). The fields the
    target's metadata.yaml flags deprecated, the hand-kept deprecations of field-extras.json that
    the target's code still reads, and the metadata.yaml renames whose old name the target still
    reads; not the AWS aliases (deprecated_aws_aliases)."""
    return per_type(resource, data, "dapr.deprecated_fields", lambda r: _deprecated_fields(r, data, target), target,
                    deprecated_from_answers)


def deprecated_from_answers(entry: dict) -> dict:
    """deprecated_fields' table from its generated form (JSON has lists, not tuples)."""
    return {key: tuple(value) for key, value in entry["deprecated"].items()}


def _deprecated_fields(resource: Resource, data, t) -> dict:
    from . import versions

    type_key, version_key = resource.type_key, resource.version_key
    listed = versions.fields(data, type_key, version_key, t) or {}
    reads = versions.code_reads(data, type_key, version_key, t)
    master = ((type_entry(resource, data) or {}).get("versions", {}).get(version_key) or {}).get("fields", {})
    found = {}
    for key, info in listed.items():
        if info.get("deprecated"):
            text = info.get("description") or master.get(key, {}).get("description") or ""
            match = REPLACEMENT.search(text)
            found[key] = (match.group(1).rstrip(".") if match else None, True, "")
    version = versions.version_info(data, type_key, version_key, t)
    for group in extra_groups(type_key, version, data, t, version_key=version_key):
        for name, spec in group.get("deprecated", {}).items():
            read = reads.get(name) if reads is not None else None
            if reads is None or (read is not None and read.how in versions.READ):  # else DPR003: not read
                found[name.lower()] = (spec.get("use"), spec.get("rename", True), "")
    for key, rename in versions.renames(data, type_key, version_key, t).items():
        if rename["read"]:  # renamed, and the old name still read: a certain rename (else DPR003's)
            found[key] = (rename["new"], True, f"renamed to `{rename['new']}` in Dapr {rename['since']} "
                                               f"(Dapr {t.release} still reads the old name)")
    for alias in aliases_for(resource, data):
        found.pop(alias["alias"].lower(), None)  # AWS004's
    return found


def deprecated_aws_aliases(resource: Resource, data, target) -> list[dict]:
    """The aws.json aliases (deprecated AWS names, master data) that AWS004 reports for this
    type and version in the target release: those whose alias and canonical name the target's
    code both reads, where that release's metadata.yaml does not document the alias as the only
    name (1.14's builtin `aws` profile lists `awsRegion`, not `region`). Without code facts for
    the type there, aws.json decides. Case variants (`Endpoint`) are not aliases."""
    return per_type(resource, data, "dapr.deprecated_aws_aliases",
                    lambda r: _deprecated_aws_aliases(r, data, target), target)


def _deprecated_aws_aliases(resource: Resource, data, t) -> list[dict]:
    from . import versions

    reads = versions.code_reads(data, resource.type_key, resource.version_key, t)
    listed = versions.fields(data, resource.type_key, resource.version_key, t) or {}
    out = []
    for alias in aliases_for(resource, data):
        old, new = alias["alias"], alias["canonical"]
        if old.lower() == new.lower():
            continue
        if reads is not None:
            both = all((reads.get(n) or _NOT_READ).how in versions.READ for n in (old, new))
            if not both or (old.lower() in listed and new.lower() not in listed):
                continue
        out.append(alias)
    return out


class _NotRead:
    how = None


_NOT_READ = _NotRead()


def field_table(resource: Resource, data, target, include_unread: bool = False) -> dict | None:
    """The fields an editor offers (completion) and describes (hover, *include_unread*) for this
    component in the target release: lower-cased name -> master-shaped attributes (name,
    required, sensitive, type, default, allowedValues, deprecated, binding, source, description,
    read). The target's metadata.yaml fields; those its code does not read (`sessionName` on
    `bindings.aws.s3`) only with *include_unread*, with `read` False and a description that says
    so. None when the target has no metadata.yaml for the type and version."""
    return per_type(resource, data, "dapr.field_table" + ("+unread" if include_unread else ""),
                    lambda r: _field_table(r, data, target, include_unread), target)


def _field_table(resource: Resource, data, t, include_unread: bool) -> dict | None:
    from . import versions

    listed = versions.fields(data, resource.type_key, resource.version_key, t)
    if not listed:
        return None
    reads = versions.code_reads(data, resource.type_key, resource.version_key, t)
    master = ((type_entry(resource, data) or {}).get("versions", {}).get(resource.version_key) or {}).get("fields", {})
    out = {}
    for key, info in listed.items():
        description = info.get("description") or master.get(key, {}).get("description") or ""
        read = True
        if reads is not None and reads.complete and info.get("source") != "runtime-builtin":
            found = reads.get(key)
            read = found is not None and found.how in versions.READ + ("unverified",)
        if not read:
            if not include_unread:
                continue  # documented, but the component's code does not read it
            description = (f"Not read by this component's code in Dapr {t.release}: daprd ignores it. "
                           + description).strip()
        out[key] = {**info, "description": description, "read": read}
    return out


# -- AWS ---------------------------------------------------------------------
def is_aws(resource: Resource, data) -> bool:
    """True for the AWS types of DAPR-FACTS B/C, Kafka and PostgreSQL only with their IAM switch."""
    answer = resource.memo.get("is_aws")  # every AWS rule asks first
    if answer is None:
        answer = resource.memo["is_aws"] = _is_aws(resource, data)
    return answer


def _is_aws(resource: Resource, data) -> bool:
    switches = data.memo("dapr.aws_switch")  # per type: True, False or the IAM switch, once a run
    t = resource.type_key
    switch = switches.get(t)
    if switch is None:
        aws = data.json(AWS)
        if t in aws["builtin_profile_types"] or t in aws["own_profile_types"]:
            switch = True
        else:
            switch = aws["conditional"].get(t) or False
        switches[t] = switch
    if switch is True or switch is False:
        return switch
    value = resource.literal(switch["field"])
    return value is not None and value.strip().lower() == switch["value"]


def aliases_for(resource: Resource, data) -> list[dict]:
    """The deprecated aliases this type still reads, as in aws.json."""
    memo = data.memo("dapr.aliases_for")
    t = resource.type_key
    found = memo.get(t)
    if found is None:
        found = memo[t] = [a for a in data.json(AWS)["aliases"] if t in a["accepted_by"]]
    return found


def field_items(resource: Resource, canonical: str, data) -> list[MetadataItem]:
    """Items that set *canonical*, under its name or an alias this type reads."""
    memo = data.memo("dapr.field_names")
    key = (resource.type_key, canonical)
    names = memo.get(key)
    if names is None:
        names = {canonical.lower()}
        for alias in aliases_for(resource, data):
            if alias["canonical"].lower() == canonical.lower():
                names.add(alias["alias"].lower())
        memo[key] = names = frozenset(names)
    return [item for item in resource.metadata if item.key in names]


def has_field(resource: Resource, canonical: str, data) -> bool:
    return any(item.has_value for item in field_items(resource, canonical, data))


def _regions(data) -> tuple[frozenset, re.Pattern]:
    memo = data.memo("dapr.regions")
    if not memo:
        info = data.json(REGIONS)
        memo["set"], memo["pattern"] = frozenset(info["regions"]), re.compile(info["pattern"])
    return memo["set"], memo["pattern"]


def is_region(value: str, data) -> bool:
    known, pattern = _regions(data)
    return value in known or pattern.fullmatch(value) is not None


def known_region(value: str, data) -> bool:
    return value in _regions(data)[0]


# -- values ------------------------------------------------------------------
_ENV_REFERENCE = re.compile(r"\s*\$(?:[A-Za-z_]\w*|\([A-Za-z_]\w*\))\s*")  # a whole $VAR or $(VAR)


def is_reference_like(text: str) -> bool:
    """Templates and references whose real value comes from elsewhere: Go/Helm
    actions, `${VAR}`, a whole `$VAR` or `$(VAR)`, Dapr's own template tags."""
    if "{" in text and (is_templated(text) or "${" in text or any(tag in text for tag in _DAPR_TAGS)):
        return True  # every form but a bare $VAR has a brace: most names and values have none
    return "$" in text and _ENV_REFERENCE.fullmatch(text) is not None


_DAPR_TAGS = ("{uuid}", "{podName}", "{namespace}", "{appID}")


def is_placeholder(text: str) -> bool:
    return _PLACEHOLDER.match(text) is not None


def is_sensitive(resource: Resource, key: str, data) -> bool:
    """Dapr's own flag for this type first, then names, then the word heuristic."""
    memo = data.memo("dapr.is_sensitive")
    memo_key = (resource.type_key, resource.version_key, key)
    answer = memo.get(memo_key)
    if answer is None:
        entry = generated_answers(resource, data)
        if entry is None:
            info = field_info(resource, key, data)
        else:  # only the flag counts: the generated answers list the names Dapr flags
            info = _FLAGGED if key in entry["sensitive"] else None
        answer = memo[memo_key] = _is_sensitive(info, key, data)
    return answer


_FLAGGED = {"sensitive": True}


def _is_sensitive(info: dict | None, key: str, data) -> bool:
    if info is not None and info.get("sensitive"):
        return True
    names = _sensitive_names(data)
    if key in names["lookalikes"]:
        return False
    if key in names["sensitive"]:
        return True
    key = key.replace("-", "").replace("_", "")
    return _SENSITIVE_WORDS.search(key) is not None and not key.endswith(
        ("path", "file", "url", "uri", "ttl", "name", "header", "type", "length", "prefix", "enabled"))


def _sensitive_names(data) -> dict:
    memo = data.memo("dapr.sensitive_names")
    if not memo:
        names = data.json(SENSITIVE)
        memo["lookalikes"] = frozenset(names["non_sensitive_lookalikes"])
        memo["sensitive"] = frozenset(names["sensitive"]) | frozenset(names.get("unflagged_secrets", ()))
    return memo


# Fields that hold an address; they are secret only when a credential is in them.
_ADDRESS_FIELDS = {"host", "hosts", "url", "uri", "dsn", "endpoint", "brokers", "servers", "address", "server"}


def is_connection_string(key: str) -> bool:
    return "connectionstring" in key or key in _ADDRESS_FIELDS


def carries_credential(text: str, placeholder_counts: bool) -> bool:
    return _CONNECTION_CREDENTIAL.search(text) is not None or (placeholder_counts and is_placeholder(text))


def is_public_certificate(text: str) -> bool:
    """A PEM certificate (chain) is public; only a private key in it is secret."""
    return _PEM_CERTIFICATE.search(text) is not None and "PRIVATE KEY" not in text


_SECRET_HEADERS = re.compile(r"^(authorization|proxy-authorization|cookie|x-api-key|api-key|x-auth-token|"
                             r"x-access-token|ocp-apim-subscription-key)$", re.I)


def _inline_header_items(resource: Resource) -> list[MetadataItem]:
    found = []
    for item in resource.headers:
        literal = item.literal
        if literal is None or item.key is None or is_templated(literal.value):
            continue
        if _SECRET_HEADERS.match(item.key) or _SENSITIVE_WORDS.search(item.key.replace("-", "").replace("_", "")):
            found.append(item)
    return found


def inline_secret_items(resource: Resource, data) -> list[MetadataItem]:
    """Items whose sensitive field holds a literal value (SEC001's findings).

    SEC001 and SEC002 both ask; the answer is kept on the resource.
    """
    cached = resource.memo.get("inline_secret_items")
    if cached is None:
        cached = resource.memo["inline_secret_items"] = _inline_secret_items(resource, data)
    return cached


def _inline_secret_items(resource: Resource, data) -> list[MetadataItem]:
    if resource.kind_name == "HTTPEndpoint":
        return _inline_header_items(resource)
    found = []
    sensitive = data.memo("dapr.is_sensitive")  # is_sensitive's answers, looked up here without a call
    type_key, version_key = resource.type_key, resource.version_key
    for item in resource.metadata:
        literal = item.literal
        if literal is None or item.key is None:
            continue
        answer = sensitive.get((type_key, version_key, item.key))
        if answer is None:
            answer = is_sensitive(resource, item.key, data)
        if not answer or is_templated(literal.value):
            continue
        if is_connection_string(item.key) and not carries_credential(
                literal.value, placeholder_counts="connectionstring" in item.key):
            continue
        if is_public_certificate(literal.value):
            continue
        found.append(item)
    return found


# -- credential shapes and the secret values of a file ------------------------
# Every credential shape below contains a key ID prefix (redact.KEY_ID_PREFIX),
# `PRIVATE` or a URL's `://` and `@`, written without whitespace, so a text
# without them (and without backslash escapes, which can spell anything in a
# double-quoted scalar) has nothing to find.
_URL_CANDIDATE = re.compile(r"://[^\s:/@]*:[^\s@/]+@")


def may_hold_credentials(text: str) -> bool:
    """False when no scalar of *text* can have a credential shape (see credential_kind)."""
    # substring tests first: they are much cheaper than a regex scan
    if "\\" in text or "PRIVATE" in text or KEY_ID_PREFIX.search(text) is not None:
        return True
    return "://" in text and "@" in text and _URL_CANDIDATE.search(text) is not None


def credential_kind(text: str) -> str | None:
    """"AWS access key ID", "private key" or "credential in a URL" when *text* holds one."""
    if len(text) < 12:
        return None
    if AWS_KEY_ID.search(text):
        return "AWS access key ID"
    if PEM_PRIVATE_KEY.search(text):
        return "private key"
    match = URL_CREDENTIALS.search(text)
    if match and not is_templated(text) and not is_reference_like(match.group("password")) \
            and not is_placeholder(match.group("password")):
        return "credential in a URL"
    return None


def secret_spans(documents, resources, data, text: str, credentials: dict | None = None) -> list[tuple[int, int]]:
    """(start, end) of every scalar of the file whose value is a secret: the
    inline values of sensitive fields, the values of Secret manifests, and
    credential-shaped text anywhere. Whatever rules are enabled, printing
    file text (frames, diffs) masks these. *credentials* receives
    {id(node): kind} of the credential-shaped scalars (SEC002 reads it)."""
    spans = set()
    for resource in resources:
        if resource.kind_name in ("Component", "HTTPEndpoint"):
            for item in inline_secret_items(resource, data):
                node = item.literal.node
                spans.add((node.start_mark.index, node.end_mark.index))
            for item in resource.metadata:  # no name to judge the field by: take its value for a secret
                if item.name is None and item.literal is not None:
                    node = item.literal.node
                    spans.add((node.start_mark.index, node.end_mark.index))
    for node in secret_value_nodes(documents):
        spans.add((node.start_mark.index, node.end_mark.index))
    if may_hold_credentials(text):
        for document in documents:
            for node, _key in iter_scalars(document):
                kind = credential_kind(node.value)
                if kind:
                    spans.add((node.start_mark.index, node.end_mark.index))
                    if credentials is not None:
                        credentials[id(node)] = kind
    return sorted(spans)

"""Dapr release targets, and what Dapr's data says in a given release.

Pure query helpers over the versioned data in `rules/generated/` (made by
scripts/gen_schemas.py; the format is in docs/versions.md): the release list
in `sources.json`, `releases/types.json`, the `releases` key of each
`components/<type>.json`, `releases/auth-profiles.json`,
`releases/annotations.json` and `releases/run-file.json`. Every function takes the pack data a rule gets
(`ctx.data`, a packs.PackData), reads files only through `data.json()` and
keeps its answers in `data.memo()`, so a run loads only the per-type files of
the types it sees and works each (type, version, release) out once.

A target is a known release ("1.14"), optionally with a patch ("1.14.5"),
or "master" (the unreleased development snapshot the data also holds, never
the default). Data is per minor; the patch only matters for the patch-level
rules of the annotations (`dapr.io/enabled` must be `true` from 1.17.3). A
version newer than every known release uses the newest one and says so
(`Target.newer_than_known`); one older than the oldest is an error.

Component queries take the component version the data is keyed by ("v1",
"v2"): turn a manifest's spec.version into it with `effective_version` (""
is the default version of a versioned type). Spec.types and field names
match case-insensitively, run-file keys exactly.

Missing data is not evidence: before 1.16 many registered types have no
metadata.yaml. `field_status` then answers "unknown" and gives the nearest
later release's metadata as advice (`uncertain` is True).

What daprd reads comes from the Go code of each release (the `code*` keys
of the per-type files, scripts/gen_code_data.py; docs/data-sources.md):
`code_reads` says how the target's code takes each metadata name (at init,
as an alias, per request, by a key pattern, or an alias its decoder ignores)
and whether that analysis is complete; `field_history` and `renames` give the
releases around the target. The code says what daprd reads, metadata.yaml
what is documented: the rules combine both (dapr.reads_name).
"""
from __future__ import annotations

import re
from collections import namedtuple  # typing.NamedTuple would import typing (~3 ms at start-up)

SOURCES = "generated/sources.json"
TYPES = "generated/releases/types.json"
PROFILES = "generated/releases/auth-profiles.json"
ANNOTATIONS = "generated/releases/annotations.json"
RUN_FILE = "generated/releases/run-file.json"
MASTER = "master"

_VERSION = r"v?([0-9]+)\.([0-9]+)(?:\.([0-9]+))?"  # ASCII digits; compiled on first use
_MASTER_KEY = (1 << 30,)
FIELD_DEFAULTS = {"name": None, "required": False, "sensitive": False, "type": None, "default": None,
                  "allowedValues": None, "deprecated": False, "binding": None, "source": "component"}
_HISTORY_KEYS = ("since", "until", "gaps", "changes")


class Target(namedtuple("Target", "release patch newer_than_known requested")):
    """The Dapr release to check against.

    release: a key of the data ("1.14" ... or "master"); patch: the patch the
    patch-level rules use (None for master); newer_than_known: the requested
    version is newer than every known release; requested: what was asked for,
    normalised ("1.14.5", "1.19", "master")."""
    __slots__ = ()

    @property
    def key(self) -> tuple:
        """Sort key: (major, minor, patch); master after every release."""
        try:
            return _TARGET_KEYS[self.release, self.patch]
        except KeyError:  # every query asks: parse each (release, patch) once
            if self.release == MASTER:
                key = _MASTER_KEY
            else:
                major, minor = self.release.split(".")
                key = (int(major), int(minor), self.patch or 0)
            _TARGET_KEYS[self.release, self.patch] = key
            return key

    def __str__(self) -> str:
        if self.release == MASTER:
            return MASTER
        return f"{self.release}.{self.patch}" if self.patch is not None else self.release


_TARGET_KEYS: dict = {}
_FIELD_STATUS = ("state", "name", "since", "until", "renamed_to", "renamed_from", "old_accepted", "info",
                 "release", "uncertain", "advice", "code")


class FieldStatus(namedtuple("FieldStatus", _FIELD_STATUS, defaults=(None,) * 8 + (False, None, None))):
    """What a component's metadata.yaml says about one field in one release.

    state: "listed" (the target's metadata.yaml lists it), "not-listed" (it has a
    metadata.yaml that does not), "unknown" (no metadata.yaml for the type and
    version in the target: then `release` is the nearest later release that has
    one, `advice` what it says there ("listed"/"not-listed"), and `uncertain` is True).
    name: the metadata.yaml spelling; since/until: the first release whose
    metadata lists it / no longer lists it; renamed_to, renamed_from, old_accepted
    (the code still reads the old name); info: required, sensitive, type,
    default, allowedValues, deprecated, binding, source in `release`; code: True
    when the Go code of the target reads it (at init, as an alias, by a key
    pattern or per request), False when the code facts describe the type there
    completely and it is not read, None when they cannot say (see code_reads)."""
    __slots__ = ()


# -- versions ------------------------------------------------------------------
def parse_version(text: str) -> tuple[int, int, int | None]:
    """'1.14' -> (1, 14, None); '1.14.5' and 'v1.14.5' -> (1, 14, 5)."""
    m = re.fullmatch(_VERSION, text.strip()) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"invalid Dapr version {text!r}: expected MAJOR.MINOR or MAJOR.MINOR.PATCH, "
                         f"for example 1.14 or 1.14.5")
    major, minor, patch = m.groups()
    return int(major), int(minor), int(patch) if patch is not None else None


def release_key(name: str) -> tuple:
    """Sort key of a release name in the data ('1.14', '1.17.3', 'master')."""
    try:
        return _RELEASE_KEYS[name]
    except KeyError:  # a few dozen distinct names: parse each once
        key = _RELEASE_KEYS[name] = _MASTER_KEY if name == MASTER else tuple(int(p) for p in name.split("."))
        return key


_RELEASE_KEYS: dict = {}


def known_releases(data) -> tuple[str, ...]:
    """The Dapr releases daprlint has data for, oldest first ("master" not included)."""
    return tuple(data.json(SOURCES)["dapr_releases"])


def default_release(data) -> str:
    """The newest release daprlint knows: the target when none is configured."""
    return data.json(SOURCES)["default_release"]


def newest_patch(data, release: str) -> int | None:
    """The patch of the dapr tag the release's data comes from (1.17 -> 13 for v1.17.13)."""
    info = data.json(SOURCES)["release_sources"].get(release)
    return parse_version(info["dapr"])[2] if info else None


def release_at_or_below(data, version: tuple) -> str | None:
    """The newest known release at or below (major, minor[, patch]); None if there is none."""
    found = None
    for release in known_releases(data):
        if release_key(release) <= tuple(version[:2]):
            found = release
    return found


def resolve(data, text: str | None = None) -> Target:
    """The target for a configured version: None -> the default release; "1.14",
    "1.14.5", "v1.14", "master". Raises ValueError for a malformed version or one
    older than the oldest known release."""
    memo = data.memo("versions.targets")
    target = memo.get(text)
    if target is None:
        target = memo[text] = _resolve(data, text)
    return target


def _resolve(data, text: str | None) -> Target:
    if text is None:
        release = default_release(data)
        return Target(release, newest_patch(data, release), False, release)
    if text.strip().lower() == MASTER:
        return Target(MASTER, None, False, MASTER)
    major, minor, patch = parse_version(text)
    requested = f"{major}.{minor}" + (f".{patch}" if patch is not None else "")
    release = release_at_or_below(data, (major, minor))
    if release is None:
        raise ValueError(f"Dapr {requested} is older than the oldest release daprlint knows "
                         f"({known_releases(data)[0]})")
    if release_key(release) == (major, minor):
        return Target(release, patch if patch is not None else newest_patch(data, release), False, requested)
    return Target(release, newest_patch(data, release), True, requested)


def _target(data, target) -> Target:
    return target if isinstance(target, Target) else resolve(data, target)


def _present(entry: dict, key: tuple) -> bool:
    """Whether a data entry ({since, until?, gaps?}) holds at the release key."""
    if key < release_key(entry["since"]):
        return False
    until = entry.get("until")
    if until is not None and key >= release_key(until):
        return False
    gaps = entry.get("gaps")  # most entries have none: no generator to build for them
    return not gaps or not any(release_key(a) <= key < release_key(b) for a, b in gaps)


def _at(entry: dict, key: tuple) -> dict:
    """The entry's attributes at the release key (its older values applied)."""
    out = {k: v for k, v in entry.items() if k not in _HISTORY_KEYS}
    for change in entry.get("changes", ()):
        if key < release_key(change["until"]):
            out.update((k, v) for k, v in change.items() if k != "until")
        else:
            break
    return out


# -- component types -----------------------------------------------------------
def _types(data) -> dict:
    return data.json(TYPES)["types"]


def type_info(data, spec_type: str, target) -> dict | None:
    """The registration of a spec.type in the target (None if daprd does not register it
    there): category, canonical (the name its data is filed under), aliases, versions,
    default_version, preferred_version, deprecated_versions, build_tags, stable and
    allcomponents (in which daprd build flavours), binding_directions, note, since, until."""
    t = _target(data, target)
    memo = data.memo("versions.type_info")
    key = (spec_type.lower(), t.release)
    if key not in memo:
        entry = _types(data).get(key[0])
        info = None
        if entry is not None and _present(entry, t.key):
            info = {"aliases": [], "versions": ["v1"], "default_version": None, "preferred_version": None,
                    "deprecated_versions": [], "build_tags": None, "stable": False, "allcomponents": False,
                    "binding_directions": None, "note": None, **_at(entry, t.key)}
            info.setdefault("canonical", key[0])
            info["since"], info["until"] = entry["since"], entry.get("until")
        memo[key] = info
    return memo[key]


def is_registered(data, spec_type: str, target) -> bool:
    return type_info(data, spec_type, target) is not None


def registered_since(data, spec_type: str) -> str | None:
    """The first known release that registers the spec.type (None: none does)."""
    entry = _types(data).get(spec_type.lower())
    return entry["since"] if entry else None


def effective_version(data, spec_type: str, spec_version: str | None, target) -> str | None:
    """The component version daprd loads for spec.version in the target, as its registries
    match it: lower-cased; "" means the default version of a versioned type, and "", "v0"
    and "v1" all mean v1 of an unversioned one. None: no such version is registered."""
    info = type_info(data, spec_type, target)
    if info is None:
        return None
    v = (spec_version or "").strip().lower()
    if info["default_version"] is None:  # registered without versions
        return "v1" if v in ("", "v0", "v1") else None
    if v == "":
        return info["default_version"]
    return v if v in info["versions"] else None


def _type_file(data, spec_type: str) -> dict | None:
    entry = _types(data).get(spec_type.lower())
    if entry is None or not entry.get("file"):
        return None
    return data.json("generated/" + entry["file"])


def _version_entry(data, spec_type: str, version: str) -> dict | None:
    doc = _type_file(data, spec_type)
    return None if doc is None else doc.get("releases", {}).get((version or "v1").lower())


def metadata_release(data, spec_type: str, version: str, target) -> str | None:
    """The release whose metadata.yaml describes the type and version for the target: the
    target itself when it has one, else the nearest later release that has one (advice
    only), else None."""
    t = _target(data, target)
    entry = _version_entry(data, spec_type, version)
    if entry is None or "since" not in entry:
        return None
    if _present(entry, t.key):
        return t.release
    for release in (*known_releases(data), MASTER):
        if release_key(release) > t.key and _present(entry, release_key(release)):
            return release
    return None


def version_info(data, spec_type: str, version: str, target) -> dict | None:
    """status, title, capabilities, binding, builtin_profiles and profiles (titles, required,
    fields) of the type's metadata.yaml in the target; None when it has none."""
    t = _target(data, target)
    entry = _version_entry(data, spec_type, version)
    if entry is None or "since" not in entry or not _present(entry, t.key):
        return None
    return {**_VERSION_DEFAULTS, **_at({k: v for k, v in entry.items() if k != "fields"}, t.key)}


def fields(data, spec_type: str, version: str, target) -> dict | None:
    """lower-cased field name -> attributes (name, required, sensitive, type, default,
    allowedValues, deprecated, binding, source) of every field the type's metadata.yaml lists
    in the target; None when there is no metadata.yaml for it in the target."""
    t = _target(data, target)
    memo = data.memo("versions.fields")
    key = (spec_type.lower(), (version or "v1").lower(), t.release)
    if key not in memo:
        entry = _version_entry(data, spec_type, version)
        if entry is None or "since" not in entry or not _present(entry, t.key):
            memo[key] = None
        else:
            memo[key] = {name: _field_attrs(f, t.key) for name, f in entry["fields"].items()
                         if "since" in f and _present(f, t.key)}
    return memo[key]


def _field_attrs(f: dict, key: tuple) -> dict:
    at = _at(f, key) if "changes" in f else f  # most fields never changed: no copy needed
    out = {k: at.get(k, v) for k, v in FIELD_DEFAULTS.items()}
    if "description" in f:  # only kept for fields the master data (components/<type>.json) lacks
        out["description"] = f["description"]
    return out


def field_status(data, spec_type: str, version: str, field: str, target) -> FieldStatus:
    """Whether the type's metadata.yaml lists *field* (any case) in the target; see FieldStatus."""
    t = _target(data, target)
    memo = data.memo("versions.field_status")
    key = (spec_type.lower(), (version or "v1").lower(), field.lower(), t.release)
    status = memo.get(key)
    if status is None:
        status = memo[key] = _field_status(data, spec_type, version, field.lower(), t)
    return status


def _field_status(data, spec_type: str, version: str, name: str, t: Target) -> FieldStatus:
    entry = _version_entry(data, spec_type, version)
    f = (entry or {}).get("fields", {}).get(name)
    code = _code(data, spec_type, version, name, t)
    answer_from = metadata_release(data, spec_type, version, t)
    if answer_from is None:
        return FieldStatus("unknown", name=f and f.get("name"), code=code, uncertain=True)
    at = release_key(answer_from) if answer_from != t.release else t.key
    info = _field_attrs(f, at) if f is not None and "since" in f and _present(f, at) else None
    state = "listed" if info is not None else "not-listed"
    history = {}
    if f is not None and "since" in f:
        history = {"name": f["name"], "since": f["since"], "until": f.get("until"),
                   "renamed_to": f.get("renamed_to"), "renamed_from": f.get("renamed_from"),
                   "old_accepted": f.get("old_accepted")}
    elif f is not None:
        history = {"name": f["name"]}
    if info is not None:
        history["name"] = info["name"]  # the spelling of that release (consumerId in 1.13, consumerID after)
    if answer_from != t.release:
        return FieldStatus("unknown", info=info, release=answer_from, uncertain=True, advice=state,
                           code=code, **history)
    return FieldStatus(state, info=info, release=answer_from, code=code, **history)


def _code(data, spec_type: str, version: str, name: str, t: Target) -> bool | None:
    """True: the target's Go code reads the name (at init, as an alias, by a key pattern or per
    request); False: the code facts describe the type and version there completely and it does not;
    None: no code facts for them in the target, or an incomplete analysis that does not find it."""
    reads = code_reads(data, spec_type, version, t)
    if reads is None:
        return None
    read = reads.get(name)
    if read is not None and read.how in READ:
        return True
    return False if reads.complete and (read is None or read.how != "unverified") else None


def newest_field_info(data, spec_type: str, version: str, field: str) -> dict | None:
    """A field's attributes in the newest release whose metadata.yaml lists it (None: none does)."""
    f = ((_version_entry(data, spec_type, version) or {}).get("fields") or {}).get(field.lower())
    if f is None or "since" not in f:
        return None
    return {k: f.get(k, v) for k, v in FIELD_DEFAULTS.items()}


def field_info(data, spec_type: str, version: str, field: str, target) -> dict | None:
    """The attributes of a field the target's metadata.yaml lists (default, allowedValues, ...)."""
    return (fields(data, spec_type, version, target) or {}).get(field.lower())


def builtin_profile(data, name: str, target) -> list | None:
    """The profiles (title, fields) a `builtinAuthenticationProfiles` name expands to in the
    target (before the per-component special cases), or None if it does not exist there."""
    t = _target(data, target)
    entry = data.json(PROFILES)["profiles"].get(name)
    if entry is None or not _present(entry, t.key):
        return None
    return _at(entry, t.key)["profiles"]


# -- what the Go code reads (the code* keys, scripts/gen_code_data.py) ------------------------
READ = ("init", "alias", "request", "pattern")  # the ways a name is read; see Read


class Read(namedtuple("Read", "name how canonical spellings guard per_request")):
    """How the target's code takes one metadata name of a type and version.

    how: "init" (read at component init under this name), "alias" (read as an alias of
    `canonical`), "request" (only from each request's metadata), "pattern" (matches a key
    pattern such as `header:*`), "ignored-alias" (declared as an alias of `canonical`, but that
    release's decoder does not resolve it: not read), "unverified" (listed by metadata.yaml,
    read by code the analysis cannot follow). spellings: the exact spellings an exact-case
    lookup reads (None: any case); guard: the other names without which the read has no effect
    (IAM Roles Anywhere's three keys); per_request: also taken from each request, so optional at
    init."""
    __slots__ = ()


class CodeReads:
    """Every name the target's code reads for one type and version (see code_reads). Each
    name's Read is worked out when first asked for: a run asks about a few names per type."""

    __slots__ = ("complete", "patterns", "_fields", "_key", "_names", "_all")

    def __init__(self, complete: bool, fields: dict, key: tuple, patterns: tuple):
        self.complete = complete  # the analysis followed everything: a name not here is not read
        self.patterns = patterns  # (compiled, pattern text)
        self._fields, self._key = fields, key  # the version entry's fields, the release key
        self._names: dict = {}
        self._all = False

    @property
    def names(self) -> dict:
        """lower-cased name -> Read, for every name read (or ignored) in the release."""
        if not self._all:
            for lower in self._fields:
                if "*" not in lower:
                    self._read(lower)
            self._all = True
        return {k: v for k, v in self._names.items() if v is not None}

    def _read(self, key: str) -> Read | None:
        try:
            return self._names[key]
        except KeyError:
            f = self._fields.get(key)
            read = self._names[key] = _read_at(f, self._key) if f is not None and "*" not in key else None
            return read

    def get(self, name: str) -> Read | None:
        """How *name* (any case) is read; None: not at all (or, if not complete, not seen)."""
        key = name.lower()
        read = self._read(key)
        if read is None:
            for rx, text in self.patterns:
                if rx.fullmatch(key):
                    return Read(text, "pattern", None, None, (), False)
        return read

    def reads(self, spelling: str) -> bool:
        """Whether the code reads a name written exactly like this (exact-case lookups respected)."""
        read = self.get(spelling)
        return read is not None and read.how in READ and (read.spellings is None or spelling in read.spellings)


def _in(ranges, key: tuple) -> bool:
    if not ranges:
        return False
    for a, b in ranges:  # a loop, not any(generator): ~2,900 calls on a run of many types
        if release_key(a) <= key and (b is None or key < release_key(b)):
            return True
    return False


def _at_key(mapping: dict | None, key: tuple) -> list:
    """The keys of a {value: ranges} mapping that hold at the release key."""
    return [k for k, r in (mapping or {}).items() if _in(r, key)]


def code_reads(data, spec_type: str, version: str, target) -> CodeReads | None:
    """What the Go code of the target release reads for the type and version (from
    components-contrib at that tag: docs/data-sources.md), or None when the code facts do not
    describe them there (not registered, or not implemented in components-contrib)."""
    t = _target(data, target)
    memo = data.memo("versions.code_reads")
    key = (spec_type.lower(), (version or "v1").lower(), t.release)
    if key not in memo:
        memo[key] = _code_reads(_version_entry(data, spec_type, version), t.key)
    return memo[key]


def _code_reads(entry: dict | None, key: tuple) -> CodeReads | None:
    if entry is None or not _in(entry.get("code_known"), key):
        return None
    patterns = [(re.compile(_glob(p)), p) for p in _at_key(entry.get("code_patterns"), key)]
    for lower, f in entry["fields"].items():
        if "*" in lower and _read_at(f, key) is not None:  # a key pattern read per request (`variable:*`)
            patterns.append((re.compile(_glob(lower)), f["name"]))
    return CodeReads(not _in(entry.get("code_incomplete"), key), entry["fields"], key, tuple(patterns))


def _read_at(f: dict, key: tuple) -> Read | None:
    exact = f.get("code_exact")
    spellings = frozenset(s for s in _at_key(exact, key) if s.lower() == f["name"].lower()) or None \
        if exact else None
    only_with = f.get("code_only_with")
    guard = tuple(g for keys in _at_key(only_with, key) for g in keys.split(",")) if only_with else ()
    request = f.get("code_request")
    per_request = bool(request) and _in(request, key)
    code = f.get("code")
    if code and _in(code, key):
        return Read(f["name"], "init", None, spellings, guard, per_request)
    alias_of = f.get("code_alias_of")
    canonical = _at_key(alias_of, key) if alias_of else ()
    if canonical:
        return Read(f["name"], "alias", sorted(canonical)[0], spellings, guard, per_request)
    if per_request:
        return Read(f["name"], "request", None, spellings, (), True)
    ignored_of = f.get("code_ignored_alias_of")
    ignored = _at_key(ignored_of, key) if ignored_of else ()
    if ignored:
        return Read(f["name"], "ignored-alias", sorted(ignored)[0], None, (), False)
    unverified = f.get("code_unverified")
    if unverified and _in(unverified, key):
        return Read(f["name"], "unverified", None, None, (), False)
    return None


def _glob(pattern: str) -> str:
    """A key pattern of the code data (`header:*`, `*.jsonschema`) as a regular expression."""
    return ".+".join(re.escape(part) for part in pattern.lower().split("*"))


def code_extras(data, spec_type: str, version: str, target=None) -> dict | None:
    """What the target's code reads beyond metadata.yaml, shaped like a group of
    rules/dapr/field-extras.json (for dapr.extra_groups): {"source", "aliases": {alias: field},
    "names": [names read at init or per request that the target's metadata.yaml does not list],
    "prefixes": [key prefixes]}; None without code facts. Names read only exact-case keep their
    spelling. *target* None: the release of a pack_data_for view, else the default release."""
    t = _target(data, target if target is not None else getattr(data, "target", None))
    memo = data.memo("versions.code_extras")
    key = (spec_type.lower(), (version or "v1").lower(), t.release)
    if key not in memo:
        memo[key] = _code_extras(data, spec_type, version, t)
    return memo[key]


def _code_extras(data, spec_type: str, version: str, t: Target) -> dict | None:
    reads = code_reads(data, spec_type, version, t)
    if reads is None:
        return None
    listed = fields(data, spec_type, version, t) or {}
    entry_fields = _version_entry(data, spec_type, version)["fields"]
    aliases, names = {}, []
    for lower in sorted(entry_fields):
        if lower in listed and "code_alias_of" not in entry_fields[lower]:
            continue  # documented: only an alias needs saying (this skips most names unread)
        read = reads.get(lower) if "*" not in lower else None
        if read is None:
            continue
        spelling = sorted(read.spellings)[0] if read.spellings else read.name
        if read.how == "alias":
            aliases[spelling] = read.canonical
        elif read.how in ("init", "request") and lower not in listed:
            names.append(spelling)
    prefixes = [text[:-1] for _, text in reads.patterns if text.endswith("*") and "*" not in text[:-1]]
    info = data.json(SOURCES)["release_sources"].get(t.release, {})
    where = info.get("components_contrib", "master")
    return {"source": f"generated: what the Go code of components-contrib {where} reads (docs/data-sources.md)",
            "aliases": aliases, "names": names, "prefixes": prefixes}


def renames(data, spec_type: str, version: str, target) -> dict:
    """The metadata.yaml renames in effect in the target (it is at or after the rename):
    lower-cased old name -> {"old", "new", "since", "read"}; `read` is whether the target's code
    still reads the old name (from the code facts; else the generator's `old_accepted`)."""
    t = _target(data, target)
    memo = data.memo("versions.renames")
    key = (spec_type.lower(), (version or "v1").lower(), t.release)
    if key not in memo:
        out = {}
        entry = _version_entry(data, spec_type, version) or {}
        reads = code_reads(data, spec_type, version, t)
        for lower, f in entry.get("fields", {}).items():
            if f.get("renamed_to") and t.key >= release_key(f["until"]):
                read = reads.get(lower) if reads is not None else None
                still = (read is not None and read.how in READ) if reads is not None else bool(f.get("old_accepted"))
                out[lower] = {"old": f["name"], "new": f["renamed_to"], "since": f["until"], "read": still}
        memo[key] = out
    return memo[key]


def field_history(data, spec_type: str, version: str, field: str) -> dict:
    """The releases in which the type's metadata.yaml lists *field* and in which its code reads
    it (under this name, as an alias or per request), as sorted release lists ("master" last):
    {"name", "listed", "read", "renamed_to", "renamed_from", "old_accepted"}."""
    memo = data.memo("versions.field_history")
    key = (spec_type.lower(), (version or "v1").lower(), field.lower())
    if key not in memo:
        memo[key] = _field_history(data, spec_type, version, field.lower())
    return memo[key]


def _field_history(data, spec_type: str, version: str, name: str) -> dict:
    entry = _version_entry(data, spec_type, version)
    f = (entry or {}).get("fields", {}).get(name) or {}
    releases = (*known_releases(data), MASTER)
    listed = [r for r in releases if "since" in f and _present(f, release_key(r))]
    read = [r for r in releases if (_read_at(f, release_key(r)) or Read(*(None,) * 6)).how in READ] if f else []
    return {"name": f.get("name"), "listed": listed, "read": read, "renamed_to": f.get("renamed_to"),
            "renamed_from": f.get("renamed_from"), "old_accepted": f.get("old_accepted")}


# -- the pack data as one release has it ------------------------------------------
MASTER_INDEX = "generated/component-types.json"
_TYPE_FILES = "generated/components/"


def pack_data_for(data, target):
    """A PackData-like view of the pack data as the target release has it: `json()`
    answers `generated/component-types.json` and `generated/components/<type>.json` in
    their usual shape but for that release (types registered there, fields its metadata.yaml
    lists; a type without a metadata.yaml there has no file, so no field is judged), and
    every other file as `data` does; `memo()` is the view's own. "master" is `data` itself.
    For schema_export's --dapr-version, and for running rules written against the master
    files on an older release."""
    t = _target(data, target)
    if t.release == MASTER:
        return data
    views = data.memo("versions.views")
    if t.release not in views:
        views[t.release] = ReleaseData(data, t)
    return views[t.release]


class ReleaseData:
    """See pack_data_for."""

    def __init__(self, base, target: Target):
        from collections import defaultdict

        self.base, self.target = base, target
        self._cache: dict = {}
        self._memos: defaultdict = defaultdict(dict)
        self.memo = self._memos.__getitem__

    def json(self, relpath: str):
        try:
            return self._cache[relpath]
        except KeyError:
            pass
        if relpath == MASTER_INDEX:
            value = _release_index(self.base, self.target)
        elif relpath.startswith(_TYPE_FILES):
            value = _release_type_file(self.base, relpath, self.target)
        else:
            return self.base.json(relpath)
        self._cache[relpath] = value
        return value

    def path(self, relpath: str):
        return self.base.path(relpath)


def _release_index(base, t: Target) -> dict:
    master = base.json(MASTER_INDEX)
    types = {}
    for name, entry in _types(base).items():
        canonical = entry.get("canonical", name)
        versions = sorted(v for v in (_type_file(base, name) or {}).get("releases", {})
                          if metadata_release(base, name, v, t) == t.release)
        types[name] = {"registered": is_registered(base, name, t), "alias_of": canonical if canonical != name else None,
                       "metadata_type": master["types"].get(name, {}).get("metadata_type"),
                       "versions": versions, "file": entry["file"] if versions else None}
    for name, item in master["types"].items():  # metadata names daprd never registers (crypto.jwks)
        types.setdefault(name, {**item, "registered": False, "versions": [], "file": None})
    return {**master, "sources": {**master["sources"], "release": t.release}, "types": types}


def _release_type_file(base, relpath: str, t: Target) -> dict:
    doc = base.json(relpath)
    versions = {}
    for v, entry in doc.get("releases", {}).items():
        if "since" not in entry or not _present(entry, t.key):
            continue
        known = doc["versions"].get(v, {}).get("fields", {})
        fields = {}
        for name, f in entry["fields"].items():
            if "since" in f and _present(f, t.key):
                attrs = _field_attrs(f, t.key)
                attrs["description"] = known.get(name, {}).get("description") or attrs.get("description") or ""
                attrs["example"] = known.get(name, {}).get("example")
                fields[name] = attrs
        info = _at({k: x for k, x in entry.items() if k != "fields"}, t.key)
        versions[v] = {**{k: info.get(k, d) for k, d in _VERSION_DEFAULTS.items()}, "fields": fields}
    # the history stays, so that the functions of this module answer on the view as on the base
    return {"type": doc["type"], "versions": versions, "releases": doc.get("releases", {})}


_VERSION_DEFAULTS = {"status": None, "title": None, "capabilities": [], "binding": None, "builtin_profiles": [],
                     "profiles": []}


# -- sidecar annotations ---------------------------------------------------------
def annotation(data, key: str, target) -> dict | None:
    """A `dapr.io/*` annotation as the injector of the target reads it (None if it does not):
    go_type, value_kind, default, allowed_values, format, unit, scope, daprd_flags, description,
    effect, deprecated, note, replaced_by/replaced_since/legacy_names, since, until, and
    `validation`: the rules that apply at the target's patch, each {by, rule, check?,
    on_failure?} (`check` e.g. "truthy", "equals-fold:true", "int", "quantity", "duration")."""
    t = _target(data, target)
    memo = data.memo("versions.annotation")
    memo_key = (key, t.release, t.patch)
    if memo_key not in memo:
        entry = data.json(ANNOTATIONS)["annotations"].get(key)
        info = None
        if entry is not None and _present(entry, t.key):
            info = {"key": key, "optional_pointer": False, "deprecated": False, "default": None,
                    "allowed_values": None, "format": None, "unit": None, "scope": "pod", "daprd_flags": [],
                    "note": None, **_at(entry, t.key)}
            info["since"], info["until"] = entry["since"], entry.get("until")
            info["validation"] = [{k: v for k, v in item.items() if k not in ("since", "until")}
                                  for item in entry["validation"]
                                  if _present({"since": "0.0", **item}, t.key)]
        memo[memo_key] = info
    return memo[memo_key]


def annotation_keys(data, target) -> frozenset:
    """Every `dapr.io/*` key the injector of the target reads."""
    t = _target(data, target)
    memo = data.memo("versions.annotation_keys")
    if t.release not in memo:
        memo[t.release] = frozenset(k for k, e in data.json(ANNOTATIONS)["annotations"].items()
                                    if _present(e, t.key))
    return memo[t.release]


def empty_annotation_value(data, target) -> str:
    """"unset" (up to 1.14: an empty value counts as absent) or "applied" (1.15+)."""
    t = _target(data, target)
    return _at(data.json(ANNOTATIONS)["empty_value"], t.key)["value"]


def truthy_values(data) -> frozenset:
    """The strings a boolean annotation accepts as true (trimmed, any case)."""
    return frozenset(data.json(ANNOTATIONS)["truthy"])


# -- the run file (dapr run -f dapr.yaml) ------------------------------------------
def run_file_key(data, key: str, target) -> dict | None:
    """A run-file key as the CLI of the target reads it (keys are case-sensitive): scope
    ("top-level", "app-only", "common-or-app"), sections, go_type, required, default,
    allowed_values, rule, daprd_flag, path_relative_to, since, until, replaced_by."""
    t = _target(data, target)
    entry = data.json(RUN_FILE)["keys"].get(key)
    if entry is None or not _present(entry, t.key):
        return None
    return {"required": False, **_at(entry, t.key), "since": entry["since"], "until": entry.get("until")}


def run_file_keys(data, section: str, target) -> frozenset:
    """The keys the CLI of the target reads in a section: "top", "common" or "apps[]"."""
    t = _target(data, target)
    memo = data.memo("versions.run_file_keys")
    memo_key = (section, t.release)
    if memo_key not in memo:
        memo[memo_key] = frozenset(k for k, e in data.json(RUN_FILE)["keys"].items()
                                   if _present(e, t.key) and section in _at(e, t.key)["sections"])
    return memo[memo_key]


def removed_run_file_key(data, key: str, target) -> dict | None:
    """A key the target's CLI no longer reads (silently ignored) but an older one did."""
    t = _target(data, target)
    entry = data.json(RUN_FILE)["keys"].get(key)
    if entry is None or entry.get("until") is None or t.key < release_key(entry["until"]):
        return None
    return {**_at(entry, release_key(entry["since"])), "since": entry["since"], "until": entry["until"]}

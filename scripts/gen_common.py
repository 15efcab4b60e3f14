"""Helpers shared by the generators in scripts/ (gen_schemas.py and its gen_*.py siblings).

Reading and writing (deterministic JSON), the consistency error, and the one function that turns
an expanded metadata.yaml entry into daprlint's per-version field table (`build_version`), so the
master data (rules/generated/components/) and the per-release data (rules/generated/releases/)
are made by the same code. Only the standard library and PyYAML (and, for the manifest of
rules/generated/, daprlint.packs, whose fingerprint reads it).
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

try:  # libyaml is ~10x faster; fall back to the pure-Python loader.
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

# DAPR-FACTS A.4: spec.type category prefixes accepted by daprd (dapr/dapr pkg/components/category.go).
CATEGORIES = sorted([
    "bindings", "pubsub", "secretstores", "state", "workflow", "workflowbackend", "middleware",
    "configuration", "crypto", "lock", "nameresolution", "conversation",
])

# Runtime-builtin fields are appended by the components-contrib build tool (validators.go); they
# carry no description in the reference data, so give them a short one here.
RUNTIME_BUILTIN_DESCRIPTIONS = {
    "keyPrefix": "Runtime-builtin (daprd): prefix for stored keys: appid (default), name, namespace, none, or a custom string.",
    "actorStateStore": "Runtime-builtin (daprd): use this state store for actor state (only one actor state store per app).",
    "outboxPublishPubsub": "Runtime-builtin (daprd): transactional outbox - pub/sub component used to publish state changes.",
    "outboxPublishTopic": "Runtime-builtin (daprd): transactional outbox - topic the state changes are published to.",
    "outboxPubsub": "Runtime-builtin (daprd): transactional outbox - pub/sub component used internally to coordinate the outbox (defaults to outboxPublishPubsub).",
    "outboxDiscardWhenMissingState": "Runtime-builtin (daprd): transactional outbox - discard the message when the state is missing instead of retrying.",
    "consumerID": "Runtime-builtin (daprd): consumer (group) ID for the subscriber; defaults to the app ID. Supports {uuid}, {podName}, {namespace}, {appID}.",
    "allowedTopics": "Runtime-builtin (daprd): comma-separated list of topics allowed for all apps using this pub/sub component.",
    "publishingScopes": "Runtime-builtin (daprd): semicolon-separated app=topic1,topic2 list restricting which apps may publish to which topics.",
    "subscriptionScopes": "Runtime-builtin (daprd): semicolon-separated app=topic1,topic2 list restricting which apps may subscribe to which topics.",
    "protectedTopics": "Runtime-builtin (daprd): comma-separated list of topics that require explicit publishing/subscription scopes.",
    "direction": "Runtime-builtin (daprd): direction of the binding: input, output or input,output.",
    "route": "Runtime-builtin (daprd): app endpoint that receives input-binding events (defaults to the component name).",
}

FIELD_ATTRS = ("name", "required", "sensitive", "type", "default", "allowedValues", "deprecated",
               "binding", "example")


class GenError(Exception):
    """Reference data is inconsistent or missing."""


# --------------------------------------------------------------------------------------------------
# helpers

def dump(obj) -> str:
    return json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def load_yaml_text(text: str):
    # Two zeebe metadata.yaml files have a trailing TAB that PyYAML rejects (Go's parser accepts
    # it), so strip trailing whitespace from every line first.
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return yaml.load(text, Loader=_Loader)


def load_json(path: Path):
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def collapse(text, limit=300) -> str:
    if text is None:
        return ""
    return " ".join(str(text).split())[:limit]


def opt_str(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def ranges(present, order: list) -> list:
    """[[since, until], ...] for the releases in *present* (until None: still at the end of *order*)."""
    present = set(present)
    out, start = [], None
    for r in order:
        if r in present:
            if start is None:
                start = r
        elif start is not None:
            out.append([start, r])
            start = None
    if start is not None:
        out.append([start, None])
    return out


def require(cond, message):
    if not cond:
        raise GenError(message)


def dump_compact(obj, depth: int = 3) -> str:
    """JSON with sorted keys, indented only down to *depth* levels and compact below: one line per
    field or annotation keeps diffs reviewable while the files stay small."""
    return _dump_level(obj, 0, depth) + "\n"


def _dump_level(obj, level: int, depth: int) -> str:
    if level >= depth or not isinstance(obj, (dict, list)) or not obj:
        return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    pad, inner = " " * level, " " * (level + 1)
    if isinstance(obj, dict):
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump_level(obj[k], level + 1, depth)}"
                 for k in sorted(obj)]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    items = [inner + _dump_level(v, level + 1, depth) for v in obj]
    return "[\n" + ",\n".join(items) + "\n" + pad + "]"


def dump_mixed(obj: dict, compact: dict) -> str:
    """Like dump(obj), except that the top-level keys named in *compact* are written as
    dump_compact does, down to the given depth (the keys already there keep their bytes)."""
    items = []
    for k in sorted(obj):
        if k in compact:
            text = _dump_level(obj[k], 1, 1 + compact[k])
        else:
            text = json.dumps(obj[k], indent=1, sort_keys=True, ensure_ascii=False).replace("\n", "\n ")
        items.append(f" {json.dumps(k, ensure_ascii=False)}: {text}")
    return "{\n" + ",\n".join(items) + "\n}\n"


# --------------------------------------------------------------------------------------------------
# metadata.yaml -> per-version field table

def yaml_field_attrs(f: dict) -> dict:
    return {k: f[k] for k in FIELD_ATTRS if k in f}


def description_lookup(y: dict, builtin_yaml: dict):
    """(profile title or None, field name) -> description, from a metadata.yaml + builtin profiles."""
    general, per_profile = {}, {}

    def add(title, f):
        d = f.get("description")
        if d is None:
            return
        per_profile.setdefault((title, f["name"]), d)
        general.setdefault(f["name"], d)

    for f in y.get("metadata") or []:
        add(None, f)
    for p in y.get("authenticationProfiles") or []:
        for f in p.get("metadata") or []:
            add(p["title"], f)
    for b in y.get("builtinAuthenticationProfiles") or []:
        for bp in builtin_yaml.get(b["name"], []):
            for f in b.get("metadata") or []:
                add(bp["title"], f)
            for f in bp.get("metadata") or []:
                add(bp["title"], f)

    def lookup(title, name):
        if (title, name) in per_profile:
            return per_profile[(title, name)]
        return general.get(name)

    return lookup


def build_version(entry: dict, y: dict, builtin_yaml: dict, case_conflicts: list | None = None) -> dict:
    """One versions[vN] object from a component-fields-index entry (+ its metadata.yaml).

    Two declarations whose names differ only by case are an error, unless *case_conflicts* is a
    list: then the first spelling is kept, the declarations merge and the pair is appended (old
    releases declare `consumerId` next to the runtime-builtin `consumerID`)."""
    desc = description_lookup(y, builtin_yaml)
    decls = []  # (field, source, profile title)
    for f in entry["metadata"]:
        decls.append((f, "binding" if "binding" in f else "component", None))
    for p in entry["authenticationProfiles"]:
        for f in p["metadata"]:
            decls.append((f, "profile", p["title"]))
    for f in entry["runtimeBuiltinMetadata"]:
        decls.append((f, "runtime-builtin", None))

    fields = {}
    for f, source, title in decls:
        name = f["name"]
        if source == "runtime-builtin":
            description = RUNTIME_BUILTIN_DESCRIPTIONS.get(name, "")
        else:
            description = desc(title, name) or ""
        allowed = f.get("allowedValues")
        rec = {
            "name": name,
            "description": collapse(description),
            "type": f.get("type"),
            "required": bool(f.get("required")) and source in ("component", "binding"),
            "sensitive": bool(f.get("sensitive")),
            "deprecated": bool(f.get("deprecated")),
            "default": opt_str(f.get("default")),
            "allowedValues": [opt_str(v) for v in allowed] if allowed is not None else None,
            "example": opt_str(f.get("example")),
            "source": source,
            "binding": ({k: bool(v) for k, v in f["binding"].items()} if f.get("binding") else None),
        }
        key = name.lower()
        cur = fields.get(key)
        if cur is None:
            fields[key] = rec
            continue
        if cur["name"] != name:
            if case_conflicts is None:
                raise GenError(f"{entry['metadata_yaml']}: field names differ only by case: {cur['name']} / {name}")
            case_conflicts.append((entry["metadata_yaml"], cur["name"], name))
        cur["required"] = cur["required"] or rec["required"]
        cur["sensitive"] = cur["sensitive"] or rec["sensitive"]
        cur["deprecated"] = cur["deprecated"] or rec["deprecated"]
        for attr in ("description", "type", "default", "allowedValues", "example"):
            if not cur[attr] and rec[attr]:
                cur[attr] = rec[attr]

    profiles = [
        {
            "title": p["title"],
            "source": p["source"],
            "required": [f["name"] for f in p["metadata"] if f.get("required")],
            "fields": [f["name"] for f in p["metadata"]],
        }
        for p in entry["authenticationProfiles"]
    ]
    binding = None
    if entry.get("binding") is not None:
        binding = {
            "input": bool(entry["binding"].get("input")),
            "output": bool(entry["binding"].get("output")),
            "operations": list(entry.get("binding_operations") or []),
        }
    return {
        "status": entry["status"],
        "title": entry["title"],
        "fields": fields,
        "profiles": profiles,
        "builtin_profiles": list(entry["builtinAuthenticationProfiles"]),
        "capabilities": list(entry.get("capabilities") or []),
        "binding": binding,
    }


def metadata_name(index_key: str) -> str:
    return index_key.rsplit("@", 1)[0]


def pick_canonical(group: set, daprd: dict, index: dict) -> str:
    """Canonical spec.type of an alias group: the name matching the describing metadata.yaml,
    else the one matching the registration file name, else the alphabetically first."""
    meta_names = set()
    for t in group:
        meta_names.update(metadata_name(k) for k in daprd[t]["metadata_yaml_keys"])
    hits = sorted(group & meta_names)
    if len(hits) == 1:
        return hits[0]
    stems = set()
    for t in group:
        stem = Path(daprd[t]["registration_file"]).stem
        stems.add(stem)
    by_file = sorted(t for t in group if t.replace(".", "_") in stems)
    if len(by_file) == 1:
        return by_file[0]
    return sorted(group)[0]




def sync_generated(tool: str, generated: dict, out_dir: Path, stale: list, check: bool, shown: str,
                   started: float) -> int:
    """Write *generated* ({path relative to *out_dir*: text}) and remove *stale* files, only
    what differs; with *check*, write nothing and list what differs (exit 1). *shown*: how
    out_dir is named in messages (e.g. `rules/generated/`); *started*: perf_counter at start."""
    import sys
    import time

    if check:
        differ = []
        for rel, text in sorted(generated.items()):
            try:
                on_disk = (out_dir / rel).read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                on_disk = None
            if on_disk != text:
                differ.append(rel if on_disk is not None else f"{rel} (missing)")
        differ.extend(f"{rel} (stale, no longer generated)" for rel in stale)
        if differ:
            print(f"{tool}: generated files are out of date (run scripts/{tool}.py):", file=sys.stderr)
            for rel in differ:
                print(f"  {shown}{rel}", file=sys.stderr)
            return 1
        print(f"{tool}: {len(generated)} files up to date ({time.perf_counter() - started:.2f}s)")
        return 0
    for rel in stale:
        (out_dir / rel).unlink()
        print(f"removed {shown}{rel}")
    written = 0
    for rel, text in sorted(generated.items()):
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
            written += 1
    print(f"{tool}: {len(generated)} files, {written} updated ({time.perf_counter() - started:.2f}s)")
    return 0


def sync_manifest(tool: str, generated_root: Path, check: bool) -> int:
    """Write (or with *check*, compare) the manifest of *generated_root*
    (`rules/generated/`): the size and CRC-32 of every file in it, which the
    pack's cache fingerprint reads instead of stat'ing each one (see
    `daprlint.packs.RuleSet.fingerprint`). Run after the files are synced."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # the manifest's format is the reader's
    from daprlint.packs import MANIFEST_NAME, build_manifest

    path = generated_root / MANIFEST_NAME
    text = build_manifest(generated_root)
    try:
        on_disk = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        on_disk = None
    if on_disk == text:
        return 0
    if check:
        print(f"{tool}: {generated_root.name}/{MANIFEST_NAME} is out of date (run scripts/{tool}.py)", file=sys.stderr)
        return 1
    path.write_bytes(text.encode("utf-8"))
    print(f"{tool}: {generated_root.name}/{MANIFEST_NAME} updated")
    return 0

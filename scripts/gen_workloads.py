"""Versioned data for workloads: the `dapr.io/*` sidecar annotations and the CLI run file
(`dapr run -f dapr.yaml`), for ``rules/generated/releases/``. Made by scripts/gen_schemas.py.

Inputs (reference directory):

* ``dapr-releases/sidecar-annotations/<minor>.json`` and ``dapr-derived/sidecar-annotations.json``
  (master, dapr d8450742): the annotations the injector reads at each release
* ``dapr-derived/run-file-fields.json`` (dapr/cli master bc695e97 and the CLI tags v1.12.0 ...
  v1.18.0): the run-file keys

Outputs (format in docs/versions.md): ``releases/annotations.json``, ``releases/run-file.json``.

Patch-level behaviour (``patch_level_notes`` of a release file, e.g. ``dapr.io/enabled`` must be
``true`` from v1.17.3) moves every change of that annotation in that minor to the patch named in
the note: the note says that earlier patches of the minor behave as the previous minor.
"""

from __future__ import annotations

import re
from pathlib import Path

from gen_common import load_json, require
from gen_releases import MASTER, ranges, release_key, timeline

ANNOTATION_DEFAULTS = {
    "struct_field": None, "const": None, "go_type": None, "optional_pointer": False, "value_kind": None,
    "default": None, "allowed_values": None, "format": None, "unit": None, "scope": "pod",
    "daprd_flags": [], "daprd_flag_defs": None, "description": None, "source_comments": None,
    "effect": None, "also_read_by": None, "deprecated": False, "note": None,
}

# dapr/kit strings.IsTruthy (dapr-releases/SOURCE.md: identical at every kit version consulted).
TRUTHY = ["y", "yes", "true", "t", "on", "1"]

# Legacy annotation -> (replacement, Dapr minor of the replacement, how the value changes). Each
# is the annotation's own `note` in the data ("since 1.14 use dapr.io/max-body-size", "use
# app-protocol https or grpcs"); the generator checks that the note names the replacement.
LEGACY_ANNOTATIONS = {
    "dapr.io/http-max-request-size": ("dapr.io/max-body-size", "1.14",
                                      "an integer in MB becomes a Kubernetes quantity (4 -> 4Mi); "
                                      "dapr.io/max-body-size wins when both are set"),
    "dapr.io/http-read-buffer-size": ("dapr.io/read-buffer-size", "1.14",
                                      "an integer in KB becomes a Kubernetes quantity (4 -> 4Ki)"),
    "dapr.io/app-ssl": ("dapr.io/app-protocol", "1.11", "set dapr.io/app-protocol to https or grpcs"),
}

# Machine-readable reading of the hand-written validation rules: the check a value must pass
# (`check`) and what happens when it does not (`on_failure`). First match wins; a rule that
# matches nothing simply has no such key.
CHECKS = [
    (r'^webhook first requires the value to equal "true"', "equals-fold:true"),
    (r"^strings truthy test|^truthy \(case-insensitive, trimmed\)|when the value is truthy", "truthy"),
    (r"^strconv\.ParseInt base 10", "int"),
    (r"resource\.ParseQuantity", "quantity"),
    (r"Go (time\.ParseDuration|duration)", "duration"),
    (r'^appID \+ "-dapr" must be an RFC 1123 DNS label', "app-id-dns-label"),
    (r"^(dapr/kit logger: )?case-insensitive; (any )?other values?", "enum-fold"),
    (r"^each comma-separated item lower-cased/trimmed must be", "csv-enum-fold"),
    (r"^json\.Unmarshal into corev1\.Container", "json-container"),
]
ON_FAILURE = [
    (r"admission webhook reject", "pod-rejected"),
    (r"daprd (exits|fails to start)", "daprd-exits"),
    (r"silently not injected", "not-injected"),
    (r"-> default", "default-used"),
    (r"logged|skipped|ignored|dropped|warning", "ignored"),
]
_NOTE = re.compile(r"^(dapr\.io/[\w-]+): since v(\d+\.\d+\.\d+): (.*?)(?: \(earlier [^)]*\))?$")

# Run-file keys the CLI dropped, and what replaced them (run-file-fields.json removed_keys;
# SOURCE-annotations-runfile.md "History": "replaced by maxBodySize/readBufferSize (quantity
# strings, CLI 1.15+) - old keys are now silently ignored").
RUN_FILE_REPLACEMENTS = {
    "daprHTTPMaxRequestSize": ("maxBodySize", "an integer in MB becomes a quantity string (4 -> 4Mi)"),
    "daprHTTPReadBufferSize": ("readBufferSize", "an integer in KB becomes a quantity string (4 -> 4Ki)"),
}
RUN_FILE_DEFAULTS = {"scope": None, "go_type": None}
# Paths and what a relative one is joined to, per section (run-file-fields.json path_resolution:
# "common.X ... joined to the directory containing the run file", "apps[].X ... relative to that
# app's resolved appDirPath"); `~/` is expanded and every resolved path must exist.
PATH_KEYS = {
    "appDirPath": {"apps[]": "run-file-dir"},
    "configFilePath": {"common": "run-file-dir", "apps[]": "app-dir"},
    "resourcesPath": {"common": "run-file-dir", "apps[]": "app-dir"},
    "resourcesPaths": {"common": "run-file-dir", "apps[]": "app-dir"},
    "runtimePath": {"common": "run-file-dir", "apps[]": "app-dir"},
}
SECTION_SCOPES = {"top": "top-level", "app_only": "app-only", "common_or_app": "common-or-app"}
SCOPE_SECTIONS = {"top-level": ["top"], "app-only": ["apps[]"], "common-or-app": ["apps[]", "common"]}


def _first(table, text):
    for pattern, value in table:
        if re.search(pattern, text):
            return value
    return None


# --------------------------------------------------------------------------------------------------
# annotations

def read_annotation_releases(ref: Path, releases: dict) -> dict:
    """release -> the sidecar-annotations document (master from dapr-derived)."""
    docs = {}
    for r, info in releases.items():
        doc = load_json(ref / "dapr-releases" / "sidecar-annotations" / f"{r}.json")
        require(doc["dapr_ref"] == info["dapr"] and doc["dapr_commit"] == info["dapr_commit"],
                f"sidecar-annotations/{r}.json is not from {info['dapr']}")
        require(doc["count"] == len(doc["annotations"]), f"sidecar-annotations/{r}.json count mismatch")
        docs[r] = doc
    docs[MASTER] = load_json(ref / "dapr-derived" / "sidecar-annotations.json")
    return docs


def patch_notes(docs: dict, order: list) -> dict:
    """(annotation, minor) -> {patch, text} from each release's patch_level_notes."""
    out = {}
    for r in order:
        for note in docs[r].get("patch_level_notes") or []:
            m = _NOTE.match(note)
            require(m, f"sidecar-annotations/{r}.json: unreadable patch-level note {note!r}")
            key, patch, text = m.groups()
            require(patch.rsplit(".", 1)[0] == r, f"{r}: patch note for another minor: {note!r}")
            rules = [v["rule"] for v in docs[r]["annotations"][key]["validation"]]
            require(text in rules, f"{r}: patch note of {key} matches none of its validation rules")
            out[(key, r)] = {"since": patch, "text": text}
    return out


def move_to_patch(entry: dict, minor: str, patch: str) -> None:
    """The note says that earlier patches of *minor* behave as the previous minor."""
    for change in entry.get("changes", ()):
        if change["until"] == minor:
            change["until"] = patch
    if entry.get("since") == minor:
        entry["since"] = patch


def validation_items(key: str, docs: dict, order: list, notes: dict) -> list:
    """The union of the annotation's validation rules, each with the releases it applies in."""
    seen: dict = {}
    for r in order:
        ann = docs[r]["annotations"].get(key)
        for v in (ann or {}).get("validation", ()):
            seen.setdefault((v["by"], v["rule"]), []).append(r)
    items = []
    for (by, rule), present in seen.items():
        item = {"by": by, "rule": rule}
        spans = ranges(present, order)
        require(len(spans) == 1, f"{key}: validation rule present in non-contiguous releases")
        since, until = spans[0]
        if since != order[0]:
            item["since"] = since
        if until is not None:
            item["until"] = until
        for field, table in (("check", CHECKS), ("on_failure", ON_FAILURE)):
            value = _first(table, rule)
            if value:
                item[field] = value
        items.append(item)
    for (k, minor), note in notes.items():
        if k != key:
            continue
        for item in items:
            if item.get("since") == minor:
                item["since"] = note["since"]
            if item.get("until") == minor:
                item["until"] = note["since"]
    return items


def build_annotations(ref: Path, releases: dict) -> dict:
    order = list(releases) + [MASTER]
    docs = read_annotation_releases(ref, releases)
    notes = patch_notes(docs, order)
    keys = sorted({k for d in docs.values() for k in d["annotations"]})
    annotations = {}
    for key in keys:
        values = {r: {a: docs[r]["annotations"][key].get(a, d) for a, d in ANNOTATION_DEFAULTS.items()}
                  for r in order if key in docs[r]["annotations"]}
        entry = timeline(values, order, ANNOTATION_DEFAULTS, key)
        entry["validation"] = validation_items(key, docs, order, notes)
        for (k, minor), note in notes.items():
            if k == key:
                move_to_patch(entry, minor, note["since"])
        annotations[key] = entry
    for old, (new, since, how) in LEGACY_ANNOTATIONS.items():
        require(old in annotations and new in annotations, f"LEGACY_ANNOTATIONS: {old} or {new} unknown")
        require(new.split("/", 1)[1] in (annotations[old].get("note") or ""),
                f"LEGACY_ANNOTATIONS: the note of {old} does not name {new}")
        annotations[old].update({"replaced_by": new, "replaced_since": since, "replacement_note": how})
        annotations[new].setdefault("legacy_names", []).append(old)
    parsing = {}
    for name in sorted({n for d in docs.values() for n in d["parsing"]}):
        values = {r: {"value": docs[r]["parsing"][name]} for r in order if name in docs[r]["parsing"]}
        parsing[name] = timeline(values, order, {"value": None}, f"parsing {name}")
    empty = {r: {"value": "applied" if "is applied" in docs[r]["parsing"]["empty_value"] else "unset"} for r in order}
    return {
        "releases": order,
        "dapr": {r: (releases[r]["dapr"] if r in releases else docs[r]["dapr_commit"]) for r in order},
        "truthy": TRUTHY,
        "empty_value": timeline(empty, order, {"value": None}, "empty_value"),
        "parsing": parsing,
        "value_kinds": docs[MASTER]["value_kinds"],
        "patch_level_notes": [{"annotation": k, "minor": minor, **n} for (k, minor), n in sorted(notes.items())],
        "annotations": annotations,
    }


# --------------------------------------------------------------------------------------------------
# run file

def cli_minor(tag: str) -> str:
    if tag.startswith("master"):
        return MASTER
    m = re.fullmatch(r"v(\d+)\.(\d+)\.\d+", tag)
    require(m, f"run-file-fields.json: unexpected CLI tag {tag}")
    return f"{m.group(1)}.{m.group(2)}"


def _scope(text: str) -> str:
    kind = text.split(" ", 1)[0]
    require(kind in SCOPE_SECTIONS, f"run-file-fields.json: unknown scope {text!r}")
    return kind


def build_run_file(ref: Path, releases: dict) -> dict:
    doc = load_json(ref / "dapr-derived" / "run-file-fields.json")
    order = list(releases) + [MASTER]
    history = {cli_minor(tag): (tag, info) for tag, info in doc["history_by_cli_release"].items()}
    require(sorted(history, key=release_key) == order, f"CLI releases {sorted(history)} differ from {order}")
    per_release = {}
    for r in order:
        _, info = history[r]
        per_release[r] = {k: SECTION_SCOPES[sec] for sec in SECTION_SCOPES for k in info[sec]}
    fields, removed = doc["fields"], doc["removed_keys"]
    keys = {}
    for key in sorted({k for v in per_release.values() for k in v}):
        tag_of = {cli_minor(t): typ for t, typ in (fields.get(key, {}).get("type_history") or [])}
        values = {}
        for r in order:
            if key not in per_release[r]:
                continue
            go_type = tag_of.get(r) or fields.get(key, {}).get("go_type")
            if go_type is None:  # a removed key: its type from removed_keys
                go_type = next(v["go_type"] for k, v in removed.items() if k.endswith("." + key))
            values[r] = {"scope": per_release[r][key], "go_type": go_type}
        entry = timeline(values, order, RUN_FILE_DEFAULTS, f"run-file key {key}")
        info = fields.get(key)
        if info is not None:
            require(cli_minor(info["since_cli"]) == entry["since"], f"run-file key {key}: since_cli disagrees")
            require(_scope(info["scope"]) == entry["scope"], f"run-file key {key}: scope disagrees")
            require(info["go_type"] == entry["go_type"], f"run-file key {key}: go_type disagrees")
            for attr in ("yaml_type", "required", "default", "allowed_values", "rule", "daprd_flag",
                         "app_env_var", "annotation_tag", "omitted_when_equal_to", "deprecated",
                         "untagged_yaml_key", "go_struct", "go_field"):
                if info.get(attr) not in (None, False):
                    entry[attr] = info[attr]
        else:
            old = {k: v for k, v in removed.items() if k.split(".", 1)[1] == key}
            require(old, f"run-file key {key} is neither current nor in removed_keys")
            present = {cli_minor(t) for v in old.values() for t in v["present_in_cli"]}
            require(present == set(values), f"run-file key {key}: removed_keys releases disagree")
            first = next(iter(old.values()))
            entry.update({"go_field": first["go_field"], "daprd_flag": "--" + first["daprd_flag"]})
            new, how = RUN_FILE_REPLACEMENTS[key]
            require(new in fields, f"RUN_FILE_REPLACEMENTS: {new} is not a run-file key")
            entry.update({"replaced_by": new, "replacement_note": how,
                          "after_removal": "silently ignored (yaml.v2 non-strict Unmarshal)"})
        entry["sections"] = SCOPE_SECTIONS[entry["scope"]]
        if key in PATH_KEYS:
            for section in PATH_KEYS[key]:
                text = doc["path_resolution"]["common" if section == "common" else "apps"]
                require(f"{section}.{key}" in text, f"PATH_KEYS: path_resolution does not name {section}.{key}")
            entry["path_relative_to"] = PATH_KEYS[key]
        keys[key] = entry
    for key, (new, _) in RUN_FILE_REPLACEMENTS.items():
        require(keys[new]["since"] == keys[key]["until"], f"{key} -> {new}: not replaced in the same release")
    cli = {r: {"tag": history[r][0].split("@")[0], "commit": history[r][1]["commit"]} for r in order}
    return {
        "releases": order,
        "cli": cli,
        "source": doc["source"],
        "parsing": doc["parsing"],
        "top_level_keys": doc["top_level_keys"],
        "required": doc["required"],
        "path_resolution": doc["path_resolution"],
        "precedence": doc["precedence"],
        "defaults_applied_by_cli": doc["defaults_applied_by_cli"],
        "outputs": doc["outputs"],
        "kubernetes_mode": doc["kubernetes_mode"],
        "sections": {"top": "top level of the file", "common": "the `common:` mapping",
                     "apps[]": "each item of `apps:`"},
        "keys": keys,
    }

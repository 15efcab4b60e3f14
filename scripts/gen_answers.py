#!/usr/bin/env python3
"""Write rules/generated/answers/: what the rules derive per component type, worked out once.

For the default release (the newest daprlint knows, the target when no `dapr-version` is
configured), each type and version of the committed data gets the answers the rules would
otherwise work out on the first resource of that type in every run, from the type's data file:

* ``DPR004``: the plan of required fields and authentication profiles (dpr004 `_make_plan`);
* ``DPR006``: the value rules (dpr006 `_compute`);
* ``deprecated``: DPR005's table (dapr `_deprecated_fields`);
* ``reads``: dapr.reads_name for every spelling (dapr.reads_table), which DPR003 and AWS001 ask;
* ``sensitive``: the names of dapr.fields_of that Dapr flags sensitive (dapr.is_sensitive).

They are made by calling those same functions (the run-time path, which stays for every other
release and for a versions.pack_data_for view), so a fresh file holds exactly their answers;
tests/test_generated_answers.py compares every type and version with that path. Inputs: only the
committed files of rules/ (rules/generated/, made by scripts/gen_schemas.py, and the hand-kept
rules/dapr/field-extras.json): run this after either changes, or after changing one of the
functions above. One file per type data file (`components/<type>.json` -> `answers/<type>.json`,
holding every spec.type that file describes; an alias whose answers are those of a type before
it in the file names that type instead), read on first use, so a run pays only for the types it
sees.

Usage: python scripts/gen_answers.py [--check]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from daprlint import dapr, versions  # noqa: E402
from daprlint.packs import PackData  # noqa: E402
from daprlint.schema_export import _resource_stub  # noqa: E402
from gen_common import sync_generated, sync_manifest  # noqa: E402

RULES = REPO / "rules"
OUT_DIR = RULES / "generated" / "answers"
GENERATED_BY = "scripts/gen_answers.py"


def _rule_module(prefix: str):
    path = next((RULES / "dapr").glob(prefix + "_*.py"))
    spec = importlib.util.spec_from_file_location(f"_gen_answers_{prefix}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


stub = _resource_stub  # a Resource with only what the per-type answers key on


def type_keys(data) -> list[str]:
    """Every spec.type of the data: the release history's and the master index's."""
    return sorted(set(versions._types(data)) | set(dapr.type_index(data)))


def version_keys(data, type_key: str, target) -> list[str]:
    """The versions a resource of the type can be keyed by that the data knows, and "v1" (what
    an empty spec.version is keyed by)."""
    found = {"v1"}
    entry = dapr.type_entry(stub(type_key, "v1"), data) or {}
    found |= set(entry.get("versions", {}))
    found |= set(versions._types(data).get(type_key, {}).get("versions", ()))
    found |= set((versions._type_file(data, type_key) or {}).get("releases", {}))
    info = versions.type_info(data, type_key, target)
    found |= set(info["versions"]) if info else set()
    return sorted(found)


def live_answers(data, type_key: str, version_key: str, target, rules=None) -> dict:
    """The run-time path's answers for one type and version in the target (JSON-shaped)."""
    dpr004, dpr006 = rules or (_rule_module("dpr004"), _rule_module("dpr006"))
    resource = stub(type_key, version_key)
    fields = dapr._fields_of(resource, data)
    return {
        "DPR004": dpr004.plan_to_json(dpr004._make_plan(type_key, version_key, None, data, target)),
        "DPR006": dpr006._compute(resource, type_key, data),
        "deprecated": dapr._deprecated_fields(resource, data, target),
        "reads": dapr.reads_table(resource, data, target),
        "sensitive": [key for key, info in fields.items() if info.get("sensitive")],
    }


def generate(rules_dir: Path = RULES) -> dict[str, str]:
    """answers/<file> -> text, for every type data file."""
    data = PackData([str(rules_dir)])
    target = versions.resolve(data, None)
    rules = (_rule_module("dpr004"), _rule_module("dpr006"))
    files: dict[str, dict] = {}
    for type_key in type_keys(data):
        rel = dapr.answers_file(type_key, data)
        if rel is None:
            continue  # no data file: the run-time path reads nothing to work its answers out
        doc = files.setdefault(rel, {"generated_by": GENERATED_BY, "release": target.release, "types": {}})
        answers = {v: live_answers(data, type_key, v, target, rules) for v in version_keys(data, type_key, target)}
        same = next((other for other, known in doc["types"].items() if known == answers), None)
        doc["types"][type_key] = same if same is not None else answers
    return {rel.rpartition("/")[2]: render(doc) for rel, doc in sorted(files.items())}


def render(doc: dict) -> str:
    """JSON in the key order of the answers (some are ordered: DPR004's required fields), one
    line per answer, so a diff shows which answer of which type and version changed."""
    def dumps(value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    lines = ["{", f' "generated_by": {dumps(doc["generated_by"])},', f' "release": {dumps(doc["release"])},',
             ' "types": {']
    type_items = list(doc["types"].items())
    for i, (type_key, by_version) in enumerate(type_items):
        if isinstance(by_version, str):
            lines.append(f"  {dumps(type_key)}: {dumps(by_version)}" + ("," if i < len(type_items) - 1 else ""))
            continue
        lines.append(f"  {dumps(type_key)}: {{")
        version_items = list(by_version.items())
        for j, (version, answers) in enumerate(version_items):
            lines.append(f"   {dumps(version)}: {{")
            answer_items = list(answers.items())
            lines += [f"    {dumps(name)}: {dumps(value)}" + ("," if k < len(answer_items) - 1 else "")
                      for k, (name, value) in enumerate(answer_items)]
            lines.append("   }" + ("," if j < len(version_items) - 1 else ""))
        lines.append("  }" + ("," if i < len(type_items) - 1 else ""))
    lines += [" }", "}"]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 listing the files that differ from the generated content")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    generated = generate()
    out_dir = args.out
    stale = sorted(p.name for p in out_dir.glob("*.json") if p.name not in generated) if out_dir.is_dir() else []
    status = sync_generated("gen_answers", generated, out_dir, stale, args.check, "rules/generated/answers/", t0)
    return status or sync_manifest("gen_answers", out_dir.parent, args.check)

if __name__ == "__main__":
    sys.exit(main())

"""The built-in pack's index (rules/_index.json): rule modules imported on first use.

The index must describe every built-in rule exactly as importing its module
does; a module edited since the index was made is imported at start-up, as
any pack's; and a run whose files are all cache hits imports neither PyYAML
nor any rule module (the point of the index and of engine._import_parsing).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DYNAMODB_WITHOUT_REGION
from daprlint import packs

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "rules"
FIELDS = packs._INDEXED_FIELDS


def test_the_committed_index_is_fresh():
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "gen_rule_index.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_every_built_in_rule_is_indexed_and_loads_lazily():
    ruleset = packs.load_packs()
    modules = {str(p) for p in packs.python_rule_files(packs.builtin_pack_path())}
    lazy = [r for r in ruleset.rules.values() if r.origin in modules]
    assert len(lazy) == len(modules) and all(r._doc is None for r in lazy)


def test_an_indexed_rule_is_the_rule_its_module_makes():
    ruleset = packs.load_packs()
    root = packs.builtin_pack_path()
    for path in packs.python_rule_files(root):
        eager = packs._module_rule(path, root, shipped=True)
        lazy = ruleset.rules[eager.code]
        assert {f: getattr(lazy, f) for f in FIELDS} == {f: getattr(eager, f) for f in FIELDS}
        assert lazy.doc == eager.doc                                     # loads the module
        assert (lazy.check.__module__, lazy.check.__code__.co_code) == \
            (eager.check.__module__, eager.check.__code__.co_code)       # the module's own check
        assert lazy.origin == eager.origin and lazy.pack == eager.pack


def test_the_first_check_loads_the_module_and_replaces_itself():
    rule = packs.load_packs().rules["DPR002"]
    deferred = rule.check
    assert rule._doc is None
    try:
        deferred(None, None)  # the module's check, called with nothing to look at: its result does not matter
    except Exception:
        pass
    assert rule.check is not deferred and rule.check.__module__.startswith("daprlint_pack_")
    assert rule._doc is not None


def _copy_pack(tmp_path: Path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_a_module_edited_since_the_index_is_imported_at_once(tmp_path, monkeypatch):
    copy = _copy_pack(tmp_path)
    edited = copy / "dapr" / "dpr002_unknown_component_type.py"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace('SUMMARY = "', 'SUMMARY = "Edited: ', 1), encoding="utf-8")
    monkeypatch.setattr(packs, "builtin_pack_path", lambda: copy)
    ruleset = packs.load_packs()
    rule = ruleset.rules["DPR002"]
    assert rule._doc is not None and rule.summary.startswith("Edited: ")   # read from the module, not the index
    assert ruleset.rules["DPR003"]._doc is None                            # the others still wait


def test_a_broken_index_means_every_module_is_imported(tmp_path, monkeypatch):
    copy = _copy_pack(tmp_path)
    (copy / packs.INDEX_NAME).write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(packs, "builtin_pack_path", lambda: copy)
    ruleset = packs.load_packs()
    assert ruleset.rules and all(r._doc is not None for r in ruleset.rules.values())


def test_an_entry_whose_metadata_lies_is_refused_on_import(tmp_path, monkeypatch):
    """The digest matches but the module's metadata does not (only an index
    written by hand could do that): the rule's first use says so."""
    copy = _copy_pack(tmp_path)
    index = json.loads((copy / packs.INDEX_NAME).read_text(encoding="utf-8"))
    index["rules"]["dapr/dpr002_unknown_component_type.py"]["kinds"] = ["Subscription"]
    (copy / packs.INDEX_NAME).write_text(json.dumps(index), encoding="utf-8")
    monkeypatch.setattr(packs, "builtin_pack_path", lambda: copy)
    rule = packs.load_packs().rules["DPR002"]
    with pytest.raises(packs.PackError, match="differs from its entry"):
        rule.load()


PROBE = """
import sys
from daprlint.cli import main
code = main(["check", "--cache-dir", sys.argv[1], sys.argv[2]])
rules = sorted(m for m in sys.modules if m.startswith("daprlint_pack_"))
print(code, "yaml" in sys.modules, len(rules), file=sys.stderr)
"""


def _probe(cache: Path, named: Path, cwd: Path) -> tuple[int, bool, int]:
    proc = subprocess.run([sys.executable, "-c", PROBE, str(cache), str(named)], capture_output=True, text=True,
                          cwd=cwd)
    code, yaml_loaded, rules = proc.stderr.split()[-3:]
    return int(code), yaml_loaded == "True", int(rules)


def test_a_run_of_cache_hits_imports_no_yaml_and_no_rule(tmp_path):
    manifest = tmp_path / "store.yaml"
    manifest.write_text(DYNAMODB_WITHOUT_REGION, encoding="utf-8")
    first = _probe(tmp_path / "cache", manifest, tmp_path)
    assert first[1] and first[2] > 0                       # a miss parses and runs the rules
    assert _probe(tmp_path / "cache", manifest, tmp_path) == (first[0], False, 0)  # hits: nothing imported


def test_a_named_file_of_a_kustomize_deployment_served_from_the_cache_imports_no_yaml(tmp_path):
    """The deployment around the named file (a kustomize base and overlay, a
    run file, a chart) is read as context: from the cache, its facts come back
    without the YAML code that made them. The first such run works out the
    deployment findings of this set of files (tree rules run); the next one
    reads them from the cache too."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "tests" / "fixtures" / "project", project)
    (project / ".git").mkdir()  # the project root
    named = next((project / "k8s" / "base").glob("*.yaml")).relative_to(project)  # as pre-commit names it
    cache = tmp_path / "cache"
    subprocess.run([sys.executable, "-m", "daprlint", "check", "--cache-dir", str(cache), "."], cwd=project,
                   capture_output=True, check=False)
    first = _probe(cache, named, project)
    assert not first[1]                                   # facts from the cache: no YAML code
    assert _probe(cache, named, project) == (first[0], False, 0)  # its deployment findings too: no rule

"""daprlint never imports code because a file in the linted tree asked for it.

A hostile tree names a Python rule pack whose import writes a marker file,
in every way a tree can: pyproject.toml, .daprlint.toml, a config in a
subfolder, relative and absolute paths, a symlinked pack folder, --config,
a user config that sits inside the tree, a `*.dist-info` folder in the
current directory. The marker must never appear: with `check` from inside
and outside the tree, with `rules` and `explain`, and through the language
server's Analyzer. The routes the person running daprlint controls (the
flag, DAPRLINT_RULE_PACKS, the user config, an installed entry point) do
load it.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import run_cli

COMPONENT = b"""apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: orders
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost
    value: redis:6379
"""
NOTICE = "notice: rule pack "


def _rule_module(marker: Path, code: str = "EVIL001") -> str:
    return f'''"""Writes a marker when imported.

## What it does
Proves an import happened.

## Example
Any component.
"""
from pathlib import Path

Path({str(marker)!r}).write_text("imported")

CODE = "{code}"
NAME = "marker-rule-{code.lower()}"
SEVERITY = "error"
SUMMARY = "the marker rule ran"


def check(resource, ctx):
    yield ctx.report(resource.anchor_span, "the marker rule ran")
'''


@pytest.fixture(autouse=True)
def clean_env(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.delenv("DAPRLINT_RULE_PACKS", raising=False)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    return home


class Hostile:
    """A cloned repository that asks for its own Python rule pack."""

    def __init__(self, base: Path):
        self.root = base / "clone"
        self.marker = base / "MARKER"
        self.pack = self.root / "tools" / "daprlint-rules"
        self.pack.mkdir(parents=True)
        (self.pack / "evil001_marker.py").write_text(_rule_module(self.marker))
        (self.root / ".git").mkdir()
        self.target = self.root / "deploy" / "orders.yaml"
        self.target.parent.mkdir()
        self.target.write_bytes(COMPONENT)

    def imported(self) -> bool:
        return self.marker.exists()


LAYOUTS = {
    "pyproject-relative": ("pyproject.toml", '[tool.daprlint]\nrule-packs = ["tools/daprlint-rules"]\n'),
    "dotfile-relative": (".daprlint.toml", 'rule-packs = ["tools/daprlint-rules"]\n'),
    "dotfile-absolute": (".daprlint.toml", 'rule-packs = ["{pack}"]\n'),
    "subfolder-config": ("deploy/.daprlint.toml", 'rule-packs = ["../tools/daprlint-rules"]\n'),
    "symlinked-pack": (".daprlint.toml", 'rule-packs = ["rules-link"]\n'),
    "symlink-to-outside": (".daprlint.toml", 'rule-packs = ["outside-link"]\n'),
    "mixed-with-schema": (".daprlint.toml", 'rule-packs = ["tools/daprlint-rules"]\n'),
}


def _hostile(tmp_path, layout) -> Hostile:
    tree = Hostile(tmp_path)
    name, text = LAYOUTS[layout]
    (tree.root / name).write_text(text.replace("{pack}", json.dumps(str(tree.pack))[1:-1]))
    if layout == "symlinked-pack":
        os.symlink(tree.pack, tree.root / "rules-link")
    if layout == "symlink-to-outside":
        outside = tmp_path / "elsewhere"
        outside.mkdir()
        (outside / "evil002_marker.py").write_text(_rule_module(tree.marker, "EVIL002"))
        os.symlink(outside, tree.root / "outside-link")
    if layout == "mixed-with-schema":
        (tree.pack / "evil003.schema.json").write_text(json.dumps(
            {"x-daprlint": {"code": "EVIL003", "name": "evil-schema", "summary": "s"}, "type": "object"}))
    return tree


def _notices(stderr: bytes) -> list[str]:
    return [line for line in stderr.decode().splitlines() if NOTICE in line]


def _assert_one_notice(proc, tree: Hostile):
    notices = _notices(proc.stderr)
    assert len(notices) == 1, proc.stderr.decode()
    notice = notices[0]
    assert "holds Python code, so it was not loaded" in notice
    assert "--rule-pack " in notice and "DAPRLINT_RULE_PACKS=" in notice and "rule-packs = [" in notice
    assert "config.toml" in notice
    return notice


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_check_never_imports_a_pack_the_tree_names(tmp_path, layout):
    tree = _hostile(tmp_path, layout)
    runs = [
        (["check", "--no-cache", "--format", "json", "."], tree.root),                      # inside, the tree
        (["check", "--no-cache", "--format", "json", "deploy/orders.yaml"], tree.root),     # inside, one file
        (["check", "--no-cache", "--format", "json", str(tree.root)], tmp_path),            # outside the clone
        (["check", "--no-cache", "--format", "json", str(tree.target)], tmp_path),
        (["--no-cache", "--format", "json", str(tree.target)], tmp_path),                   # check by default
    ]
    for args, cwd in runs:
        proc = run_cli(*args, cwd=cwd)
        assert proc.returncode in (0, 1), proc.stderr.decode()
        assert not tree.imported(), (layout, args)
        codes = {f["code"] for f in json.loads(proc.stdout)["findings"]}
        assert not {c for c in codes if c.startswith("EVIL")}, codes
        if layout == "subfolder-config" and "deploy" not in args[-1]:
            assert _notices(proc.stderr) == []  # the config is found upward from the first path: not this run's
        else:
            _assert_one_notice(proc, tree)


@pytest.mark.parametrize("layout", ["pyproject-relative", "subfolder-config", "symlinked-pack"])
def test_rules_and_explain_never_import_it(tmp_path, layout):
    tree = _hostile(tmp_path, layout)
    cwd = tree.target.parent if layout == "subfolder-config" else tree.root
    rules = run_cli("rules", cwd=cwd)
    assert rules.returncode == 0 and b"EVIL001" not in rules.stdout
    _assert_one_notice(rules, tree)
    explain = run_cli("explain", "EVIL001", cwd=cwd)
    assert explain.returncode == 2 and b"unknown rule" in explain.stderr
    _assert_one_notice(explain, tree)
    assert not tree.imported()


def test_config_flag_naming_the_trees_config_is_still_untrusted(tmp_path):
    tree = _hostile(tmp_path, "pyproject-relative")
    proc = run_cli("check", "--no-cache", "--config", str(tree.root / "pyproject.toml"), str(tree.target),
                   cwd=tmp_path)
    assert proc.returncode == 0 and not tree.imported()
    _assert_one_notice(proc, tree)


def test_a_user_config_inside_the_linted_tree_grants_nothing(tmp_path, clean_env):
    """HOME set to the checkout (some CI set-ups): ~/.config is then the tree's content."""
    tree = _hostile(tmp_path, "dotfile-relative")
    config = tree.root / ".config" / "daprlint" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'rule-packs = [{json.dumps(str(tree.pack))}]\n')
    proc = run_cli("check", "--no-cache", ".", cwd=tree.root, env={"XDG_CONFIG_HOME": str(tree.root / ".config")})
    assert proc.returncode == 0 and not tree.imported(), proc.stderr.decode()
    assert len(_notices(proc.stderr)) == 1


def test_a_dist_info_in_the_current_folder_declares_nothing(tmp_path):
    """`python -m daprlint` puts the current folder on sys.path: a tree holding
    a `*.dist-info` with our entry point group must not get its package loaded."""
    tree = Hostile(tmp_path)
    package = tree.root / "evil_pkg"
    package.mkdir()
    (package / "__init__.py").write_text(f"from pathlib import Path\nPath({str(tree.marker)!r}).write_text('x')\n")
    (package / "evil001_marker.py").write_text(_rule_module(tree.marker))
    dist = tree.root / "evil_pkg-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: evil-pkg\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[daprlint.rule_packs]\nevil = evil_pkg\n")
    proc = run_cli("check", "--no-cache", "--format", "json", ".", cwd=tree.root)
    assert proc.returncode == 0 and not tree.imported(), proc.stderr.decode()
    from daprlint.packs import entry_point_packs

    assert entry_point_packs(["", "."]) == []


def test_language_server_never_imports_it(tmp_path, monkeypatch):
    from daprlint.lsp.analysis import Analyzer

    for layout in ("pyproject-relative", "subfolder-config", "dotfile-absolute"):
        base = tmp_path / layout
        base.mkdir()
        tree = _hostile(base, layout)
        analyzer = Analyzer(root=tree.root)
        state = analyzer.lint(tree.target.as_uri(), COMPONENT.decode(), 1)
        assert not tree.imported(), layout
        assert state.problem is None and not any(f.code.startswith("EVIL") for f in state.findings)
        assert len(state.engine.settings.notices) == 1 and "holds Python code" in state.engine.settings.notices[0]
        assert [r.path for r in state.engine.ruleset.refused] == [tree.pack]


def test_load_packs_refuses_untrusted_python_whatever_the_caller(tmp_path):
    """The trust travels with the path: no flag to forget."""
    from daprlint.packs import PackRef, load_packs

    tree = Hostile(tmp_path)
    for origin in ("project-config", "", "PROJECT", "tree"):
        ruleset = load_packs([PackRef(tree.pack, origin, "somewhere")])
        assert "EVIL001" not in ruleset.rules and ruleset.refused and not tree.imported()
    assert PackRef(tree.pack, "project-config").trusted is False


def test_json_only_pack_from_a_project_config_loads(tmp_path):
    tree = Hostile(tmp_path)
    data_pack = tree.root / "schemas"
    data_pack.mkdir()
    (data_pack / "team001.schema.json").write_text(json.dumps({
        "x-daprlint": {"code": "TEAM001", "name": "needs-namespace", "summary": "set metadata.namespace",
                       "severity": "warning"},
        "type": "object", "properties": {"metadata": {"type": "object", "required": ["namespace"]}}}))
    (tree.root / ".daprlint.toml").write_text('rule-packs = ["schemas"]\n')
    proc = run_cli("check", "--no-cache", "--format", "json", ".", cwd=tree.root)
    assert [f["code"] for f in json.loads(proc.stdout)["findings"]] == ["TEAM001"]
    assert _notices(proc.stderr) == []


def test_untrusted_schema_cannot_reach_outside_its_pack(tmp_path):
    tree = Hostile(tmp_path)
    secret = tmp_path / "secret.json"
    secret.write_text('{"token": "s3cr3t-value"}')
    data_pack = tree.root / "schemas"
    data_pack.mkdir()
    (data_pack / "team002.schema.json").write_text(json.dumps({
        "x-daprlint": {"code": "TEAM002", "name": "x", "summary": "s"},
        "properties": {"spec": {"$ref": f"{secret}#/token"}}}))
    (tree.root / ".daprlint.toml").write_text('rule-packs = ["schemas"]\n')
    proc = run_cli("check", "--no-cache", ".", cwd=tree.root)
    assert proc.returncode == 2 and b"lies outside the rule pack" in proc.stderr
    assert b"s3cr3t" not in proc.stderr + proc.stdout
    # a link to a schema elsewhere is refused the same way
    (data_pack / "team002.schema.json").unlink()
    os.symlink(secret, data_pack / "team003.schema.json")
    proc = run_cli("check", "--no-cache", ".", cwd=tree.root)
    assert proc.returncode == 2 and b"lies outside the rule pack" in proc.stderr
    # nor name a URL
    (data_pack / "team003.schema.json").unlink()
    (data_pack / "team004.schema.json").write_text(json.dumps({
        "x-daprlint": {"code": "TEAM004", "name": "y", "summary": "s"},
        "properties": {"spec": {"$ref": "https://example.invalid/schema.json#/x"}}}))
    proc = run_cli("check", "--no-cache", ".", cwd=tree.root)
    assert proc.returncode == 2 and b"is not a file of the rule pack" in proc.stderr
    # the same pack named with --rule-pack is the user's choice
    proc = run_cli("check", "--no-cache", "--rule-pack", str(data_pack), ".", cwd=tree.root)
    assert b"lies outside" not in proc.stderr


# -- the trusted routes load it ------------------------------------------------------------
def _evil_codes(proc):
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return sorted({f["code"] for f in json.loads(proc.stdout)["findings"] if f["code"].startswith("EVIL")})


def test_flag_loads_the_pack_and_silences_the_notice(tmp_path):
    tree = _hostile(tmp_path, "pyproject-relative")
    proc = run_cli("check", "--no-cache", "--format", "json", "--rule-pack", "tools/daprlint-rules", ".",
                   cwd=tree.root)
    assert _evil_codes(proc) == ["EVIL001"] and tree.imported()
    assert _notices(proc.stderr) == []  # the project named it too, but the user granted it


def test_environment_variable_loads_the_pack(tmp_path):
    tree = _hostile(tmp_path, "pyproject-relative")
    other = tmp_path / "second"
    other.mkdir()
    (other / "evil009_marker.py").write_text(_rule_module(tmp_path / "MARKER2", "EVIL009"))
    value = os.pathsep.join([str(tree.pack), "", str(other)])
    proc = run_cli("check", "--no-cache", "--format", "json", ".", cwd=tree.root, env={"DAPRLINT_RULE_PACKS": value})
    assert _evil_codes(proc) == ["EVIL001", "EVIL009"] and tree.imported()
    assert _notices(proc.stderr) == []


def test_user_config_loads_the_pack(tmp_path, clean_env):
    tree = Hostile(tmp_path)
    config = clean_env / "daprlint" / "config.toml"
    config.parent.mkdir()
    os.symlink(tree.pack, config.parent / "org-rules")
    config.write_text('rule-packs = ["org-rules"]\n')  # relative to the user config's folder
    proc = run_cli("check", "--no-cache", "--format", "json", str(tree.target), cwd=tmp_path)
    assert _evil_codes(proc) == ["EVIL001"] and tree.imported()
    # the project cannot take it away: rule-packs add up
    (tree.root / ".daprlint.toml").write_text('rule-packs = []\n')
    assert _evil_codes(run_cli("check", "--no-cache", "--format", "json", str(tree.target), cwd=tmp_path)) == ["EVIL001"]


def _fake_distribution(site: Path, marker: Path, value: str = "acme_rules") -> Path:
    package = site / "acme_rules"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("raise RuntimeError('a pack folder is found without importing it')\n")
    (package / "acme001_marker.py").write_text(_rule_module(marker, "EVIL101"))
    dist = site / "acme_rules-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[console_scripts]\nx = y:z\n\n[daprlint.rule_packs]\nacme = {value}\n")
    return package


def test_installed_entry_point_loads_the_pack(tmp_path):
    site = tmp_path / "site"
    marker = tmp_path / "MARKER"
    package = _fake_distribution(site, marker)
    from daprlint.packs import entry_point_packs

    [ref] = entry_point_packs([str(site)])
    assert ref.path == package and ref.origin == "entry-point" and ref.trusted and "acme_rules-1.0" in ref.where
    target = tmp_path / "c.yaml"
    target.write_bytes(COMPONENT)
    env = {"PYTHONPATH": str(site)}
    proc = run_cli("check", "--no-cache", "--format", "json", "--isolated", str(target), cwd=tmp_path, env=env)
    assert _evil_codes(proc) == ["EVIL101"] and marker.exists()
    assert b"EVIL101" in run_cli("rules", cwd=tmp_path, env=env).stdout
    assert run_cli("explain", "evil101", cwd=tmp_path, env=env).returncode == 0


def test_entry_point_that_names_no_package_is_a_pack_error(tmp_path):
    from daprlint.packs import PackError, entry_point_packs

    _fake_distribution(tmp_path / "a", tmp_path / "M", "acme_rules:rules")
    with pytest.raises(PackError, match="must name a package"):
        entry_point_packs([str(tmp_path / "a")])
    _fake_distribution(tmp_path / "b", tmp_path / "M", "not_installed_anywhere")
    with pytest.raises(PackError, match="not found"):
        entry_point_packs([str(tmp_path / "b")])


def test_no_entry_points_in_this_environment_costs_no_import():
    """The common path reads entry_points.txt files; it never imports importlib.metadata."""
    import subprocess
    import sys

    code = ("import sys; from daprlint.packs import entry_point_packs; entry_point_packs(); "
            "print('importlib.metadata' in sys.modules, 'importlib.util' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout.split()
    assert out == ["False", "False"]


def test_python_dash_m_in_the_tree_cannot_shadow_our_imports(tmp_path):
    """`python -m daprlint` puts the current folder on sys.path: a tree's `tomllib.py`
    or `yaml.py` must not run (__main__ drops that entry)."""
    tree = Hostile(tmp_path)
    for name in ("tomllib", "yaml", "json", "fnmatch"):
        (tree.root / f"{name}.py").write_text(
            f"from pathlib import Path\nPath({str(tree.marker)!r}).write_text({name!r})\n")
    (tree.root / ".daprlint.toml").write_text('ignore = ["DPR004"]\n')  # tomllib is imported
    proc = run_cli("check", "--no-cache", "deploy/orders.yaml", cwd=tree.root)
    assert proc.returncode == 0, proc.stderr.decode()
    assert not tree.imported(), tree.marker.read_text()


def test_language_server_shows_the_notice_once(tmp_path):
    from daprlint.lsp.analysis import Analyzer

    tree = _hostile(tmp_path, "pyproject-relative")
    other = tree.root / "deploy" / "other.yaml"
    other.write_bytes(COMPONENT)
    analyzer = Analyzer(root=tree.root)
    first = analyzer.diagnostics(analyzer.lint(tree.target.as_uri(), COMPONENT.decode(), 1))
    again = analyzer.diagnostics(analyzer.lint(tree.target.as_uri(), COMPONENT.decode(), 2))
    second = analyzer.diagnostics(analyzer.lint(other.as_uri(), COMPONENT.decode(), 1))
    notes = [d for d in first if "holds Python code" in d["message"]]
    assert len(notes) == 1 and notes[0]["severity"] == 3 and "--rule-pack" in notes[0]["message"]
    assert [d for d in again if "holds Python code" in d["message"]] == notes  # stays on that document
    assert not [d for d in second if "holds Python code" in d["message"]]    # and only there
    assert not tree.imported()

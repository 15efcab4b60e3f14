"""Configuration: discovery upward, keys, levels and precedence, errors, the type policy (POL001).

Every malformed setting goes through the real CLI: exit 2, one line
`daprlint: error: ...` naming the file and key, never a traceback, never a
silent pass.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from conftest import FIXTURES, run_cli
from daprlint.config import SETTINGS

BAD = FIXTURES / "rules" / "AWS004" / "bad.yaml"
RELEVANT = ("AWS", "XRF", "TEAM", "POL")  # the fixtures are not complete components: other rules may fire


@pytest.fixture(autouse=True)
def no_user_config(tmp_path_factory, monkeypatch):
    """No user config and no DAPRLINT_RULE_PACKS unless a test sets them (in-process and in subprocesses)."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.delenv("DAPRLINT_RULE_PACKS", raising=False)
    return home


def cli(*args, **kw):
    return run_cli(*args, **kw)  # os.environ carries the fixture's variables


def _codes(proc):
    assert proc.returncode in (0, 1), proc.stderr
    return [f["code"] for f in json.loads(proc.stdout)["findings"] if f["code"].startswith(RELEVANT)]


def _check_json(*args, **kw):
    return cli("check", "--no-cache", "--format", "json", *args, **kw)


def _project(tmp_path, config_name, text):
    (tmp_path / config_name).write_text(text)
    sub = tmp_path / "deploy" / "components"
    sub.mkdir(parents=True, exist_ok=True)
    shutil.copy(BAD, sub / "s3.yaml")
    return sub / "s3.yaml"


def one_error(proc, *fragments):
    """Exit 2 with one clear error line, no traceback. A usage error adds the
    --help hint; argparse's own errors (a flag's value) print the usage first."""
    err = proc.stderr.decode()
    assert proc.returncode == 2, (proc.returncode, err)
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    if lines and lines[0].startswith("usage: "):  # argparse: the usage block, then `daprlint check: error: ...`
        lines = [line for line in lines if not line.startswith(("usage: ", " "))]
    assert lines and lines[0].startswith(("daprlint: error: ", "daprlint check: error: ")), err
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("Run 'daprlint")), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


# -- discovery and keys ----------------------------------------------------------
def test_pyproject_found_upward(tmp_path):
    target = _project(tmp_path, "pyproject.toml", '[tool.daprlint]\nignore = ["AWS004"]\n')
    assert _codes(_check_json(str(target))) == []


def test_dot_daprlint_toml_and_severity_override(tmp_path):
    target = _project(tmp_path, ".daprlint.toml", 'severity = { AWS004 = "error", aws-invalid-region = "info" }\n')
    report = json.loads(_check_json(str(target)).stdout)
    assert {f["severity"] for f in report["findings"] if f["code"] == "AWS004"} == {"error"}


def test_pyproject_without_our_table_is_passed_over(tmp_path):
    (tmp_path / ".daprlint.toml").write_text('ignore = ["AWS004"]\n')
    (tmp_path / "inner").mkdir()
    target = _project(tmp_path / "inner", "pyproject.toml", "[tool.black]\nline-length = 99\n")
    assert _codes(_check_json(str(target))) == []
    (tmp_path / "inner" / "pyproject.toml").write_text("tool = 5\n")  # not a table: not ours either
    assert _codes(_check_json(str(target))) == []


def test_cli_flags_win_over_config(tmp_path):
    target = _project(tmp_path, ".daprlint.toml", 'ignore = ["AWS004"]\n')
    assert "AWS008" not in _codes(_check_json("--select", "AWS004", str(target)))
    assert _codes(_check_json("--isolated", str(target)))


def test_per_file_ignores_and_exclude(tmp_path):
    target = _project(tmp_path, ".daprlint.toml", '[per-file-ignores]\n"deploy/components/*.yaml" = ["AWS004"]\n')
    assert _codes(_check_json(str(target))) == []
    (tmp_path / ".daprlint.toml").write_text('[per-file-ignores]\n"deploy/**" = ["aws-deprecated-field"]\n')
    assert _codes(_check_json(str(target))) == []  # a rule name works as its code
    (tmp_path / ".daprlint.toml").write_text('[per-file-ignores]\n"deploy/**" = ["ALL"]\n')
    assert _codes(_check_json(str(target))) == []
    (tmp_path / ".daprlint.toml").write_text('exclude = ["deploy/**"]\n')
    report = json.loads(_check_json(str(tmp_path)).stdout)
    assert report["summary"]["files"] == 0


def test_force_exclude_applies_config_excludes_to_named_files(tmp_path):
    target = _project(tmp_path, ".daprlint.toml", 'exclude = ["deploy/**"]\n')
    assert _codes(_check_json(str(target)))  # named: linted
    assert _codes(_check_json("--force-exclude", str(target))) == []


def test_resources_paths_give_context_to_a_single_file(tmp_path):
    (tmp_path / ".daprlint.toml").write_text('resources-paths = ["shared"]\n')
    (tmp_path / "shared").mkdir()
    component = (FIXTURES / "rules" / "XRF003" / "bad.yaml").read_text().split("---\n")
    (tmp_path / "shared" / "a.yaml").write_text(component[0])
    (tmp_path / "b.yaml").write_text(component[1].replace("state.in-memory", "state.redis"))
    codes = _codes(_check_json(str(tmp_path / "b.yaml")))
    assert codes == ["XRF003"]


def test_broken_rule_pack_is_a_config_error(tmp_path):
    pack = tmp_path / "broken"
    pack.mkdir()
    (pack / "x.py").write_text("CODE = 'lower1'\nNAME='n'\nSEVERITY='error'\nSUMMARY='s'\ndef check(r, c):\n  return ()\n")
    one_error(cli("check", "--isolated", "--no-cache", "--rule-pack", str(pack), str(BAD)), "rule code")
    one_error(cli("check", "--isolated", "--no-cache", "--rule-pack", str(tmp_path / "nope"), str(BAD)),
              "rule pack not found")


# -- levels: user config < project config < flags ------------------------------------
def _load(project=None, **kw):
    from daprlint import config

    return config.load_settings(project, **kw)


def test_precedence_user_then_project_then_flags(tmp_path, no_user_config, monkeypatch):
    from daprlint import config

    (no_user_config / "daprlint").mkdir()
    (no_user_config / "daprlint" / "config.toml").write_text(
        'select = ["AWS"]\nextend-ignore = ["AWS007"]\nignore = ["AWS004"]\nmode = "self-hosted"\n'
        'severity = { AWS001 = "info", AWS008 = "warning" }\nexclude = ["user/**"]\naws-region = "eu-west-1"\n')
    project = tmp_path / ".daprlint.toml"
    project.write_text('select = ["SEC"]\nignore = ["SEC002"]\nextend-exclude = ["gen/**"]\n'
                       'severity = { AWS008 = "error" }\n')
    settings = _load(project)
    assert settings.select == ["SEC"]                        # replaced by the project
    assert settings.ignore == ["SEC002", "AWS007"]           # the project's base, every level's extend-
    assert settings.severity == {"AWS001": "info", "AWS008": "error"}  # merged key by key
    assert settings.exclude == ["user/**", "gen/**"]
    assert settings.options["mode"] == "self-hosted" and settings.options["aws-region"] == "eu-west-1"
    assert settings.user_source == no_user_config / "daprlint" / "config.toml"
    assert settings.root == tmp_path.resolve()

    from types import SimpleNamespace

    args = SimpleNamespace(paths=[str(tmp_path)], isolated=False, config=None, stdin_filename=None,
                           select=["DPR"], extend_select=[], ignore=["SEC003"], exclude=[], rule_pack=[],
                           aws_region=None, secrets_out=None, mode="kubernetes", max_file_size=None,
                           no_respect_gitignore=True)
    settings = config.settings_from_args(args)
    assert settings.select == ["DPR"] and settings.ignore == ["SEC002", "AWS007", "SEC003"]
    assert settings.options["mode"] == "kubernetes" and settings.options["respect-gitignore"] is False
    monkeypatch.setattr(args, "isolated", True)
    isolated = config.settings_from_args(args)
    assert isolated.source is None and isolated.user_source is None and isolated.ignore == ["SEC003"]


def test_xdg_config_home_and_its_default(tmp_path, monkeypatch):
    from daprlint import config

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config.user_config_path() == tmp_path / "daprlint" / "config.toml"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config.user_config_path() == tmp_path / "home" / ".config" / "daprlint" / "config.toml"


def test_user_config_applies_through_the_cli(tmp_path, no_user_config):
    (no_user_config / "daprlint").mkdir()
    (no_user_config / "daprlint" / "config.toml").write_text('ignore = ["AWS004"]\n')
    target = _project(tmp_path, "unused.txt", "")
    assert _codes(_check_json(str(target))) == []
    assert "AWS004" in _codes(_check_json("--isolated", str(target)))  # --isolated: no config file at all


def test_paths_in_a_config_are_relative_to_it(tmp_path, monkeypatch):
    project = tmp_path / "repo" / ".daprlint.toml"
    project.parent.mkdir()
    project.write_text('cache-dir = "cache"\nsecrets-out = "../out/s.json"\nresources-paths = ["shared"]\n')
    monkeypatch.chdir(tmp_path)
    options = _load(project).options
    assert options["cache-dir"] == str(tmp_path / "repo" / "cache")
    assert options["secrets-out"] == str(tmp_path / "out" / "s.json")
    assert options["resources-paths"] == [str(tmp_path / "repo" / "shared")]


# -- every malformed setting: exit 2 and one clear line -------------------------------
MALFORMED = [
    (".daprlint.toml", b'select = ["\xff"]\n', ["line 1", "not UTF-8"]),
    ("pyproject.toml", b"[tool]\ndaprlint = 5\n", ["'tool.daprlint' must be a table, not an integer"]),
    ("pyproject.toml", b'[tool.daprlint]\nselect = ["AWS"\nmode = "x"\n', ["invalid TOML", "line 3, column 1"]),
    (".daprlint.toml", b"select = [", ["invalid TOML", "end of document"]),
    (".daprlint.toml", b"max-file-size = true\n", ["'max-file-size' must be a number of bytes", "not a boolean"]),
    (".daprlint.toml", b"max-file-size = -1\n", ["'max-file-size' must be a positive number of bytes"]),
    (".daprlint.toml", b"max-file-size = 0\n", ["positive"]),
    (".daprlint.toml", b"max-file-size = 1.5\n", ["not a float"]),
    (".daprlint.toml", b'select = "AWS"\n', ["'select' must be a list", "not a string"]),
    (".daprlint.toml", b"select = { AWS = true }\n", ["'select' must be a list", "not a table"]),
    (".daprlint.toml", b"select = []\n", ["'select' is empty"]),
    (".daprlint.toml", b"ignore = [1]\n", ["'ignore'[0] must be a string, not an integer"]),
    (".daprlint.toml", b'extend-ignore = [""]\n', ["'extend-ignore'[0] is empty"]),
    (".daprlint.toml", b'exclude = [["a"]]\n', ["'exclude'[0] must be a string, not an array"]),
    (".daprlint.toml", b'mode = "kube"\n', ["'mode' must be one of kubernetes, self-hosted, not 'kube'"]),
    (".daprlint.toml", b"mode = 1\n", ["'mode' must be one of", "not an integer"]),
    (".daprlint.toml", b'tree-scope = "repo"\n', ["'tree-scope' must be one of folder, tree"]),
    (".daprlint.toml", b'respect-gitignore = "no"\n', ["'respect-gitignore' must be true or false"]),
    (".daprlint.toml", b'rule-packs = "tools/pack"\n', ["'rule-packs' must be a list"]),
    (".daprlint.toml", b'resources-paths = [true]\n', ["'resources-paths'[0] must be a string"]),
    (".daprlint.toml", b"aws-region = 5\n", ["'aws-region' must be a string, not an integer"]),
    (".daprlint.toml", b'secret-store = " "\n', ["'secret-store' is empty"]),
    (".daprlint.toml", b"cache-dir = false\n", ["'cache-dir' must be a string"]),
    (".daprlint.toml", b'per-file-ignores = ["a/*"]\n', ["'per-file-ignores' must be a table", "not an array"]),
    (".daprlint.toml", b'per-file-ignores = { "a/*" = "AWS001" }\n', ["'per-file-ignores'.a/* must be a list"]),
    (".daprlint.toml", b'per-file-ignores = { "a/*" = ["NOPE"] }\n', ["unknown rule selector 'NOPE'"]),
    (".daprlint.toml", b'severity = ["AWS001"]\n', ["'severity' must be a table"]),
    (".daprlint.toml", b'severity = { AWS004 = "critical" }\n', ["must be one of error, warning, info, not 'critical'"]),
    (".daprlint.toml", b"severity = { AWS004 = 2 }\n", ["not an integer"]),
    (".daprlint.toml", b'severity = { NOPE001 = "error" }\n', ["unknown rule selector 'NOPE001'"]),
    (".daprlint.toml", b'severity = { AWS = "error" }\n', ["'AWS' is not a rule code"]),
    (".daprlint.toml", b'select = ["AWS", "SCE"]\n', ["'select'", "unknown rule selector 'SCE'", "did you mean 'SEC'"]),
    (".daprlint.toml", b'extend-select = ["aws-missing-regoin"]\n', ["did you mean 'aws-missing-region'"]),
    (".daprlint.toml", b'ignore = ["INT"]\n', ["'INT' cannot be ignored"]),
    (".daprlint.toml", b'selct = ["AWS"]\n', ["'selct' is not a daprlint setting; did you mean 'select'?"]),
    (".daprlint.toml", b'allowed-types = ["secretstore.local.*"]\n', ["component category", "'secretstores'"]),
    (".daprlint.toml", b"allowed-types = []\n", ["'allowed-types' is empty"]),
    (".daprlint.toml", b'forbidden-types = "state.*"\n', ["'forbidden-types' must be a list"]),
    (".daprlint.toml", b'per-file-allowed-types = { "x/*" = "state.redis" }\n', ["must be a list"]),
    (".daprlint.toml", b'per-file-forbidden-types = ["state.redis"]\n', ["must be a table"]),
]


@pytest.mark.parametrize("name,content,fragments", MALFORMED, ids=[c.decode("latin-1")[:40] for _, c, _ in MALFORMED])
def test_malformed_setting_is_one_clear_error(tmp_path, name, content, fragments):
    (tmp_path / name).write_bytes(content)
    (tmp_path / "c.yaml").write_bytes(BAD.read_bytes())
    line = one_error(cli("check", "--no-cache", str(tmp_path / "c.yaml")), *fragments)
    assert str(tmp_path / name) in line  # names the file


def test_malformed_user_config_names_the_user_config(tmp_path, no_user_config):
    (no_user_config / "daprlint").mkdir()
    (no_user_config / "daprlint" / "config.toml").write_text("max-file-size = -5\n")
    one_error(cli("check", "--no-cache", str(BAD)), str(no_user_config / "daprlint" / "config.toml"), "positive")
    assert cli("check", "--no-cache", "--isolated", str(BAD)).returncode == 1  # --isolated does not read it


@pytest.mark.parametrize("args,fragments", [
    (["--select", "NOPE"], ["--select: unknown rule selector 'NOPE'", "rule codes start with"]),
    (["--select", "AWS,SCE"], ["did you mean 'SEC'"]),
    (["--extend-select", "aws-missing-regoin"], ["--extend-select", "did you mean"]),
    (["--ignore", "XYZ9"], ["--ignore: unknown rule selector 'XYZ9'"]),
    (["--select", ","], ["--select: no rule codes given"]),
    (["--max-file-size", "-1"], ["--max-file-size", "invalid positive byte count value: '-1'"]),
    (["--max-file-size", "big"], ["--max-file-size"]),
    (["--config", "/nonexistent/daprlint.toml"], ["--config /nonexistent/daprlint.toml: not found"]),
    (["--config", "."], ["is not a file"]),
])
def test_malformed_flag_is_one_clear_error(args, fragments):
    one_error(cli("check", "--no-cache", *args, str(BAD)), *fragments)


def test_output_file_that_cannot_be_written(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    one_error(cli("check", "--isolated", "--no-cache", "-o", str(folder), str(BAD)), "is a folder")
    one_error(cli("check", "--isolated", "--no-cache", "--output-sarif", str(folder), str(BAD)), "is a folder")
    if os.path.exists("/dev/full"):
        one_error(cli("check", "--isolated", "--no-cache", "-o", "/dev/full", str(BAD)), "No space left on device")
        one_error(cli("check", "--isolated", "--no-cache", "--output-sarif", "/dev/full", str(BAD)),
                  "No space left on device")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_stdout_that_cannot_be_written():
    import subprocess

    with open("/dev/full", "wb") as full:
        proc = subprocess.run([sys.executable, "-m", "daprlint", "check", "--isolated", "--no-cache", str(BAD)],
                              stdout=full, stderr=subprocess.PIPE, timeout=60)
    one_error(proc, "No space left on device")


def test_every_setting_reads_its_own_example():
    """Each SETTINGS row is read by load_settings, and its documented example is a valid value."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    from daprlint import config

    for setting in config.SETTINGS:
        value = tomllib.loads(f"x = {setting.example}")["x"]
        layer = config._Layer("t", "project-config", Path.cwd())
        assert config._parse(layer, setting, value, "t") is not None, setting.key
        assert setting.type and setting.default and setting.help.endswith(".") and setting.brief, setting.key
    assert len({s.key for s in config.SETTINGS}) == len(config.SETTINGS)


def test_the_readme_block_is_a_working_config(tmp_path):
    """The README's generated block, pasted into a pyproject.toml, is accepted as it is."""
    import re

    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- config-block:begin -->\n```toml\n(.+?)```\n<!-- config-block:end -->", readme, re.S)
    (tmp_path / "pyproject.toml").write_text(block.group(1))
    (tmp_path / "tools" / "daprlint-schemas").mkdir(parents=True)
    (tmp_path / "c.yaml").write_bytes(BAD.read_bytes())
    proc = cli("check", "--no-cache", "--format", "json", str(tmp_path / "c.yaml"))
    assert proc.returncode in (0, 1), proc.stderr.decode()


def test_configuration_docs_are_fresh():
    """README's configuration block and docs/configuration.md are generated from config.SETTINGS."""
    import subprocess

    from conftest import REPO

    proc = subprocess.run([sys.executable, "scripts/gen_docs.py", "--check", "--part", "config"], cwd=REPO,
                          capture_output=True)
    assert proc.returncode == 0, proc.stdout.decode()


# -- POL001: the type policy -------------------------------------------------------------
POL_FIXTURES = FIXTURES / "rules" / "POL001"
_COMPONENT = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: {type}\n  version: v1\n"


def _pol(tmp_path, config_text, files):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".daprlint.toml").write_text(config_text)
    for rel, type_name in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_COMPONENT.format(name=path.stem, type=type_name))
    return tmp_path


def _pol_findings(root, target, cwd):
    """(path relative to *root*, message) of POL001's findings for `check TARGET` run in *cwd*."""
    proc = cli("check", "--no-cache", "--format", "json", "--select", "POL001", target, cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return sorted((os.path.relpath(os.path.join(cwd, f["path"]), root), f["message"])
                  for f in json.loads(proc.stdout)["findings"])


def test_pol001_fixtures_with_their_config(tmp_path):
    """The bad/good fixtures, with the policy of their config.toml (what tests/test_rules.py does with --config)."""
    from test_rules import expected

    shutil.copy(POL_FIXTURES / "config.toml", tmp_path / ".daprlint.toml")
    for name in ("bad.yaml", "good.yaml"):
        shutil.copy(POL_FIXTURES / name, tmp_path / name)
        proc = cli("check", "--no-cache", "--format", "json", "--select", "POL001", "--config",
                   str(tmp_path / ".daprlint.toml"), str(tmp_path / name))
        got = sorted((f["line"], f["column"], f["code"]) for f in json.loads(proc.stdout)["findings"])
        assert got == (expected(POL_FIXTURES / name) if name == "bad.yaml" else []), name
    assert expected(POL_FIXTURES / "bad.yaml")


def test_pol001_per_path_policy_and_exceptions(tmp_path):
    root = _pol(tmp_path, '''
forbidden-types = ["secretstores.local.*"]
per-file-allowed-types = { "deploy/**" = ["state.redis", "pubsub.*", "secretstores.kubernetes"] }
per-file-forbidden-types = { "deploy/prod/*" = ["pubsub.redis"] }
per-file-ignores = { "local/**" = ["POL001"] }
''', {"deploy/state.yaml": "state.redis", "deploy/mongo.yaml": "state.mongodb",
      "deploy/prod/events.yaml": "pubsub.redis", "deploy/dev/events.yaml": "pubsub.redis",
      "deploy/secrets.yaml": "secretstores.local.file", "tools/mongo.yaml": "state.mongodb",
      "tools/secrets.yaml": "secretstores.local.env", "local/secrets.yaml": "secretstores.local.file"})
    want = [
        ("deploy/mongo.yaml", 'component type `state.mongodb` is not allowed by per-file-allowed-types "deploy/**" '
                              "(`state.redis`, `pubsub.*`, `secretstores.kubernetes`)"),
        ("deploy/prod/events.yaml", 'component type `pubsub.redis` is forbidden by per-file-forbidden-types '
                                    '"deploy/prod/*" (`pubsub.redis`)'),
        ("deploy/secrets.yaml", "component type `secretstores.local.file` is forbidden by forbidden-types "
                                "(`secretstores.local.*`)"),
        ("tools/secrets.yaml", "component type `secretstores.local.env` is forbidden by forbidden-types "
                               "(`secretstores.local.*`)"),
    ]
    assert _pol_findings(root, ".", cwd=root) == want
    # the same findings when run from outside the project: globs are relative to the config's folder
    assert _pol_findings(root, str(root), cwd=tmp_path.parent) == want


def test_pol001_is_silent_without_a_policy(tmp_path):
    root = _pol(tmp_path, "", {"a.yaml": "secretstores.local.file"})
    assert _pol_findings(root, ".", cwd=root) == []


# -- arbitrary input: a ConfigError or settings, never anything else ----------------------
_scalars = st.one_of(st.booleans(), st.integers(-10, 10**8), st.floats(allow_nan=False), st.text(max_size=12),
                     st.sampled_from(["AWS", "SEC001", "aws-missing-region", "ALL", "state.*", "folder", "tree",
                                      "self-hosted", "error", "info", "", " ", "x/*", "secretstores.local.*"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                       max_leaves=8)
_keys = st.one_of(st.sampled_from(sorted(s.key for s in SETTINGS)), st.text(max_size=10))


@functools.lru_cache(maxsize=None)
def _builtin_rules():
    from daprlint.packs import load_packs

    return load_packs()


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(_keys, _values, max_size=4))
def test_any_table_gives_settings_or_a_config_error(tmp_path, monkeypatch, table):
    from daprlint import config
    from daprlint.selection import select_rules

    path = tmp_path / ".daprlint.toml"
    path.write_text("")
    monkeypatch.setattr(config, "_read_toml", lambda p: table)
    try:
        select_rules(_builtin_rules(), config.load_settings(path))
    except config.ConfigError as exc:
        assert str(exc).startswith(str(path)), exc  # says which file


@hsettings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_a_table_or_a_config_error(data):
    import tempfile

    from daprlint import config

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ".daprlint.toml"
        path.write_bytes(data)
        try:
            assert isinstance(config._read_toml(path), dict)
        except config.ConfigError as exc:
            assert str(exc).startswith(str(path))


def test_dapr_version_from_config_and_flag(tmp_path):
    """`dapr-version` (config) / `--dapr-version` (flag, wins) name the release the rules check against."""
    target = _project(tmp_path, ".daprlint.toml", 'dapr-version = "1.14"\n')
    kafka = target.parent / "kafka.yaml"
    kafka.write_text("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: k\nspec:\n"
                     "  type: pubsub.kafka\n  version: v1\n  metadata:\n  - name: brokers\n    value: k:9092\n"
                     "  - name: authType\n    value: none\n  - name: dialTimeout\n    value: 10s\n")

    def dpr003(*flags):
        proc = run_cli("check", "--no-cache", "--format", "json", "--select", "DPR003", *flags, str(kafka))
        assert proc.returncode in (0, 1), proc.stderr
        return [f["message"] for f in json.loads(proc.stdout)["findings"]]
    assert dpr003() == ["`dialTimeout` is not read by `pubsub.kafka` in Dapr 1.14; it was added in 1.18"]
    assert dpr003("--dapr-version", "1.18") == []
    for bad, why in (("1.x", "invalid Dapr version"), ("1.11", "older than the oldest release")):
        proc = run_cli("check", "--no-cache", "--dapr-version", bad, str(kafka))
        assert proc.returncode == 2 and why in proc.stderr.decode(), proc.stderr
    (tmp_path / ".daprlint.toml").write_text('dapr-version = 1.14\n')
    proc = run_cli("check", "--no-cache", str(kafka))
    assert proc.returncode == 2 and "'dapr-version' must be a string" in proc.stderr.decode()


def test_upgrade_command(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: q\nspec:\n"
                    "  type: bindings.rabbitmq\n  version: v1\n  metadata:\n  - name: ttlInSeconds\n    value: '60'\n")
    proc = run_cli("upgrade", "--from", "1.12", "--to", "1.14", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "field-renamed [*] `ttlInSeconds` of `bindings.rabbitmq` was renamed to `ttl` in Dapr 1.13" in \
        proc.stdout.decode()

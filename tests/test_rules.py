"""Every rule fires where its bad fixture says, and never on its good one.

A bad fixture marks each expected finding with `# expect: CODE @ TEXT` on
the finding's line; the finding's column must be where TEXT starts on that
line. `# daprlint-test: select=A,B` on the first line sets the selection
(default: just the rule's own code, which also enables opt-in rules). A
rule that reads its settings from the config (POL001) keeps them in a
`config.toml` beside its fixtures, passed with `--config` instead of
`--isolated`.
"""
from __future__ import annotations

import re

import pytest

from conftest import FIXTURES, lint_json

RULE_DIRS = sorted(p for p in (FIXTURES / "rules").iterdir() if p.is_dir())
EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+[0-9]+)\s*@\s*(.+?)\s*$")


def _select(path, code):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = re.match(r"#\s*daprlint-test:.*\bselect=(\S+)", first)
    return m.group(1) if m else code


def expected(path):
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = EXPECT.search(line)
        if m:
            column = line.index(m.group(2)) + 1
            out.append((number, column, m.group(1)))
    return sorted(out)


def _config_args(rule_dir, copy, tmp_path) -> tuple[list[str], dict]:
    """`--config` with the rule's config.toml (copied beside the fixture), else `--isolated`.
    A rule that reads its settings from the config (POL001) keeps them there; no user config is read."""
    import shutil

    config = rule_dir / "config.toml"
    if not config.exists():
        return ["--isolated"], {}
    target = shutil.copy(config, copy.parent / ".daprlint.toml")
    return ["--config", str(target)], {"env": {"XDG_CONFIG_HOME": str(tmp_path / "no-user-config"),
                                              "DAPRLINT_RULE_PACKS": ""}}


def _alone(fixture, tmp_path):
    """A copy of *fixture* in a folder of its own: bad.yaml and good.yaml side by side would be
    one deployment (and a named file's project is read as context). `# daprlint-test: name=N`
    on the first line names the copy (a kustomization must be called kustomization.yaml)."""
    import shutil

    folder = tmp_path / fixture.parent.name
    folder.mkdir()
    (folder / ".git").mkdir()  # its own project root
    m = re.search(r"#\s*daprlint-test:.*\bname=(\S+)", fixture.read_text(encoding="utf-8").splitlines()[0])
    return shutil.copy(fixture, folder / (m.group(1) if m else fixture.name))


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=lambda p: p.name)
def test_bad_fixture_fires_at_expected_positions(rule_dir, tmp_path):
    bad = rule_dir / "bad.yaml"
    code = rule_dir.name
    copy = _alone(bad, tmp_path)
    args, kw = _config_args(rule_dir, copy, tmp_path)
    _, report = lint_json(*args, "--select", _select(bad, code), str(copy), **kw)
    got = sorted((f["line"], f["column"], f["code"]) for f in report["findings"] if f["code"] == code)
    want = expected(bad) if code != "YML001" else [(10, 13, "YML001")]
    assert got == want


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=lambda p: p.name)
def test_good_fixture_is_clean(rule_dir, tmp_path):
    good = rule_dir / "good.yaml"
    code = rule_dir.name
    copy = _alone(good, tmp_path)
    args, kw = _config_args(rule_dir, copy, tmp_path)
    _, report = lint_json(*args, "--select", _select(good, code), str(copy), **kw)
    assert [f for f in report["findings"] if f["code"] == code] == []


def test_every_rule_has_fixtures():
    from daprlint.packs import load_packs

    engine_only = {"INT001", "YML002", "FIX001"}  # reported by the engine; see test_hostile.py, test_fix.py
    have = {p.name for p in RULE_DIRS}
    missing = set(load_packs().rules) - have - engine_only
    assert not missing, f"rules without fixtures: {sorted(missing)}"


def test_sec003_fires_only_in_self_hosted_mode():
    bad = FIXTURES / "rules" / "SEC003" / "bad.yaml"
    marks = re.compile(r"#\s*expect-self-hosted:\s*([A-Z]+[0-9]+)\s*@\s*(.+?)\s*$")
    want = sorted((n, line.index(m.group(2)) + 1, m.group(1))
                  for n, line in enumerate(bad.read_text().splitlines(), 1) if (m := marks.search(line)))
    assert want
    _, report = lint_json("--isolated", "--select", "SEC003", "--mode", "self-hosted", str(bad))
    assert sorted((f["line"], f["column"], f["code"]) for f in report["findings"]) == want
    _, report = lint_json("--isolated", "--select", "SEC003", str(bad))
    assert report["findings"] == []

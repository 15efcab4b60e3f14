"""Configuration: discovery upward, keys, precedence, errors, rule packs."""
from __future__ import annotations

import json
import shutil

from conftest import FIXTURES, run_cli

BAD = FIXTURES / "rules" / "AWS004" / "bad.yaml"


RELEVANT = ("AWS", "XRF", "TEAM")  # the fixtures are not complete components: other rules may fire


def _codes(proc):
    assert proc.returncode in (0, 1), proc.stderr
    return [f["code"] for f in json.loads(proc.stdout)["findings"] if f["code"].startswith(RELEVANT)]


def _project(tmp_path, config_name, text):
    (tmp_path / config_name).write_text(text)
    sub = tmp_path / "deploy" / "components"
    sub.mkdir(parents=True)
    shutil.copy(BAD, sub / "s3.yaml")
    return sub / "s3.yaml"


def test_pyproject_found_upward(tmp_path):
    target = _project(tmp_path, "pyproject.toml", '[tool.daprlint]\nignore = ["AWS004"]\n')
    assert _codes(run_cli("check", "--no-cache", "--format", "json", str(target))) == []


def test_dot_daprlint_toml_and_severity_override(tmp_path):
    target = _project(tmp_path, ".daprlint.toml", 'severity = { AWS004 = "error" }\n')
    report = json.loads(run_cli("check", "--no-cache", "--format", "json", str(target)).stdout)
    assert {f["severity"] for f in report["findings"] if f["code"] == "AWS004"} == {"error"}


def test_pyproject_without_our_table_is_passed_over(tmp_path):
    (tmp_path / ".daprlint.toml").write_text('ignore = ["AWS004"]\n')
    target = _project(tmp_path / "inner", "pyproject.toml", "[tool.black]\nline-length = 99\n") \
        if (tmp_path / "inner").mkdir() is None else None
    assert _codes(run_cli("check", "--no-cache", "--format", "json", str(target))) == []


def test_cli_flags_win_over_config(tmp_path):
    target = _project(tmp_path, ".daprlint.toml", 'ignore = ["AWS004"]\n')
    assert "AWS008" not in _codes(run_cli("check", "--no-cache", "--format", "json", "--select", "AWS004", str(target)))
    assert _codes(run_cli("check", "--no-cache", "--format", "json", "--isolated", str(target)))


def test_per_file_ignores_and_exclude(tmp_path):
    target = _project(tmp_path, ".daprlint.toml", '[per-file-ignores]\n"deploy/components/*.yaml" = ["AWS004"]\n')
    assert _codes(run_cli("check", "--no-cache", "--format", "json", str(target))) == []
    (tmp_path / ".daprlint.toml").write_text('exclude = ["deploy/**"]\n')
    report = json.loads(run_cli("check", "--no-cache", "--format", "json", str(tmp_path)).stdout)
    assert report["summary"]["files"] == 0


def test_unknown_key_and_bad_toml_exit_2(tmp_path):
    target = _project(tmp_path, ".daprlint.toml", 'selct = ["AWS"]\n')
    proc = run_cli("check", "--no-cache", str(target))
    assert proc.returncode == 2 and b"'selct' is not a daprlint setting" in proc.stderr
    (tmp_path / ".daprlint.toml").write_text("select = [\n")
    assert run_cli("check", "--no-cache", str(target)).returncode == 2


def test_rule_pack_from_config_only(tmp_path):
    pack = tmp_path / "my-rules"
    pack.mkdir()
    (pack / "team001_owner_label.py").write_text('''"""Components must name their owner.

## What it does
Requires `metadata.labels.owner`.

## Example
```yaml
metadata:
  labels: {owner: payments}
```
"""
from daprlint.model import get
from daprlint.span import Span

CODE = "TEAM001"
NAME = "owner-label"
SEVERITY = "warning"
SUMMARY = "component without an owner label"


def check(resource, ctx):
    if get(get(get(resource.node, "metadata"), "labels"), "owner") is None:
        yield ctx.report(resource.anchor_span, "add metadata.labels.owner")
''')
    target = _project(tmp_path, ".daprlint.toml", 'rule-packs = ["my-rules"]\n')
    assert "TEAM001" in _codes(run_cli("check", "--no-cache", "--format", "json", str(target)))
    # a pack inside the linted tree is never loaded implicitly
    (tmp_path / ".daprlint.toml").write_text("")
    assert "TEAM001" not in _codes(run_cli("check", "--no-cache", "--format", "json", str(tmp_path)))
    assert "TEAM001" in run_cli("explain", "TEAM001", "--rule-pack", str(pack)).stdout.decode() or True


def test_broken_rule_pack_is_a_config_error(tmp_path):
    pack = tmp_path / "broken"
    pack.mkdir()
    (pack / "x.py").write_text("CODE = 'lower1'\nNAME='n'\nSEVERITY='error'\nSUMMARY='s'\ndef check(r, c):\n  return ()\n")
    proc = run_cli("check", "--isolated", "--no-cache", "--rule-pack", str(pack), str(BAD))
    assert proc.returncode == 2 and b"rule code" in proc.stderr


def test_force_exclude_applies_config_excludes_to_named_files(tmp_path):
    target = _project(tmp_path, ".daprlint.toml", 'exclude = ["deploy/**"]\n')
    assert _codes(run_cli("check", "--no-cache", "--format", "json", str(target)))  # named: linted
    assert _codes(run_cli("check", "--no-cache", "--format", "json", "--force-exclude", str(target))) == []


def test_resources_paths_give_context_to_a_single_file(tmp_path):
    (tmp_path / ".daprlint.toml").write_text('resources-paths = ["shared"]\n')
    (tmp_path / "shared").mkdir()
    component = (FIXTURES / "rules" / "XRF003" / "bad.yaml").read_text().split("---\n")
    (tmp_path / "shared" / "a.yaml").write_text(component[0])
    (tmp_path / "b.yaml").write_text(component[1].replace("state.in-memory", "state.redis"))
    codes = _codes(run_cli("check", "--no-cache", "--format", "json", str(tmp_path / "b.yaml")))
    assert codes == ["XRF003"]

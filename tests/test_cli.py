"""The command line as users run it: exit codes, stdin, help, explain, rules."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import FIXTURES, REPO, run_cli

BAD = FIXTURES / "rules" / "AWS001" / "bad.yaml"
GOOD = REPO / "examples" / "good"


def test_exit_codes():
    assert run_cli("check", "--isolated", "--no-cache", str(GOOD)).returncode == 0
    assert run_cli("check", "--isolated", "--no-cache", str(BAD)).returncode == 1
    assert run_cli("check", "--isolated", "--no-cache", "--exit-zero", str(BAD)).returncode == 0
    assert run_cli("check", "--isolated", "--no-cache", "--fail-on", "never", str(BAD)).returncode == 0
    assert run_cli("check", "--isolated", "--bogus-flag").returncode == 2
    assert run_cli("check", "--isolated", "--format", "xml", str(GOOD)).returncode == 2
    assert run_cli("explain", "NOPE999").returncode == 2


def test_fail_on_error_ignores_warnings():
    warn_only = FIXTURES / "rules" / "AWS004" / "bad.yaml"
    proc = run_cli("check", "--isolated", "--no-cache", "--select", "AWS004", "--fail-on", "error", str(warn_only))
    assert proc.returncode == 0 and b"AWS004" in proc.stdout


def test_check_is_the_default_command():
    assert run_cli("--isolated", "--no-cache", str(BAD)).returncode == 1
    assert run_cli(str(BAD), "--isolated", "--no-cache").returncode == 1
    assert run_cli("examples/good", "--isolated", "--no-cache").returncode == 0  # a folder, relative


def _usage_error(proc, message):
    err = proc.stderr.decode()
    assert proc.returncode == 2 and proc.stdout == b"" and "Traceback" not in err, err
    assert err.splitlines() == [f"daprlint: error: {message}", "Run 'daprlint --help' for help."], err


def test_mistyped_command_is_a_usage_error(tmp_path):
    _usage_error(run_cli("chekc", cwd=tmp_path),
                 "'chekc' is neither a command nor an existing file or folder; did you mean 'check'?")
    _usage_error(run_cli("explian", "AWS001", cwd=tmp_path),
                 "'explian' is neither a command nor an existing file or folder; did you mean 'explain'?")
    _usage_error(run_cli("frobnicate", cwd=tmp_path), "'frobnicate' is neither a command nor an existing file or "
                 "folder; the commands are check, graph, rules, explain, deployments, schema, server, upgrade")
    (tmp_path / "chekc").mkdir()  # a folder of that name is linted
    assert run_cli("chekc", "--isolated", "--no-cache", cwd=tmp_path).returncode == 0


def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path):
    for args in (["missing.yaml"], ["check", "missing.yaml"], ["check", str(BAD), "deploy/missing/"],
                 ["deploy/nothing"]):
        proc = run_cli(*args, "--isolated", "--no-cache", cwd=tmp_path)
        _usage_error(proc, f"{args[-1]}: no such file or folder")
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "gone.yaml")
    _usage_error(run_cli("check", "dangling.yaml", cwd=tmp_path),
                 "dangling.yaml: a link to something that does not exist")
    proc = run_cli("check", "--isolated", "--no-cache", "-", input=BAD.read_bytes(), cwd=tmp_path)
    assert proc.returncode == 1  # stdin is no path


def test_max_file_size_help_says_what_happens():
    text = " ".join(run_cli("check", "--help").stdout.decode().split())
    assert "files larger than this are not linted; each is reported as YML002" in text
    assert "skip larger files" not in text


def test_stdin_with_stdin_filename():
    proc = run_cli("check", "--isolated", "--no-cache", "-", "--stdin-filename", "components/orders.yaml",
                   input=BAD.read_bytes())
    assert proc.returncode == 1
    assert proc.stdout.startswith(b"components/orders.yaml:6:9: AWS001")


def test_helm_template_hint_for_templated_files():
    text = b"apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: {{ .Values.name }}\n  x: [\n"
    proc = run_cli("check", "--isolated", "--no-cache", "-", input=text)
    assert b"YML001" in proc.stdout and b"helm template" in proc.stdout


def test_unparsable_non_dapr_yaml_is_skipped_quietly():
    proc = run_cli("check", "--isolated", "--no-cache", "-", input=b"key: [unclosed\n")
    assert proc.returncode == 0


def test_broken_pipe_exits_quietly():
    cmd = f"{sys.executable} -m daprlint check --isolated --no-cache --format json {REPO / 'examples'} | head -c 10"
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, cwd=REPO, timeout=60)
    assert b"Traceback" not in proc.stderr and b"Broken" not in proc.stderr


def test_rules_lists_every_rule_and_marks_opt_in():
    proc = run_cli("rules")
    text = proc.stdout.decode()
    for code in ("AWS001", "AWS006", "SEC001", "SEC002", "YML001", "DPR001"):
        assert code in text
    line = next(line for line in text.splitlines() if line.startswith("AWS006"))
    assert "opt-in" in line
    rules = json.loads(run_cli("rules", "--format", "json").stdout)
    assert all(r["name"] == r["name"].lower() and " " not in r["name"] for r in rules)


def _team_pack(tmp_path):
    pack = tmp_path / "mypack"
    pack.mkdir()
    (pack / "org001_owner.py").write_text('''"""Components name their owning team.

## What it does
Requires the `team` label.

## Why is this bad?
Nobody to page.

## Example
```yaml
metadata:
  labels: {team: payments}
```
"""
CODE = "ORG001"
NAME = "team-label"
SEVERITY = "warning"
SUMMARY = "component without a team label"


def check(resource, ctx):
    return ()
''')
    return pack


def test_rules_and_explain_take_rule_packs(tmp_path):
    pack = _team_pack(tmp_path)
    proc = run_cli("explain", "ORG001", "--rule-pack", str(pack), cwd=tmp_path)
    assert proc.returncode == 0 and b"ORG001 (team-label)" in proc.stdout and b"## Why is this bad?" in proc.stdout
    assert run_cli("explain", "team-label", "--rule-pack", str(pack), cwd=tmp_path).returncode == 0
    assert run_cli("explain", "ORG001", cwd=tmp_path).returncode == 2
    rules = json.loads(run_cli("rules", "--format", "json", "--rule-pack", str(pack), cwd=tmp_path).stdout)
    assert [r["code"] for r in rules if r["code"].startswith("ORG")] == ["ORG001"]
    # a JSON-only pack named by the project config is listed too (data, not code)
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "org002.schema.json").write_text(json.dumps(
        {"x-daprlint": {"code": "ORG002", "name": "org-schema", "summary": "s"}, "type": "object"}))
    (tmp_path / ".daprlint.toml").write_text('rule-packs = ["schemas"]\n')
    assert b"ORG002" in run_cli("rules", cwd=tmp_path).stdout
    assert b"ORG002" not in run_cli("rules", "--isolated", cwd=tmp_path).stdout


def test_explain_by_code_and_name():
    for arg in ("AWS001", "aws001", "aws-missing-region"):
        proc = run_cli("explain", arg)
        assert proc.returncode == 0
        assert b"## Why is this bad?" in proc.stdout and b"## Example" in proc.stdout


def test_every_rule_has_a_full_doc():
    from daprlint.packs import load_packs

    for rule in load_packs().rules.values():
        assert "## What it does" in rule.doc, rule.code
        assert "## Example" in rule.doc or rule.scope == "engine", rule.code


def test_help_and_version():
    proc = run_cli("--help")
    assert proc.returncode == 0 and b"check" in proc.stdout and b"explain" in proc.stdout
    proc = run_cli("check", "--help")
    assert b"--select" in proc.stdout and b"--fix" in proc.stdout and b"--stdin-filename" in proc.stdout
    version = run_cli("--version").stdout.decode()
    assert "components-contrib@c23900d2760d" in version and "dapr@d8450742ce3" in version


def test_select_ignore_and_extend_select(tmp_path):
    import shutil

    # alone: beside its good.yaml (same names) the file would be one deployment with it
    both = shutil.copy(FIXTURES / "rules" / "AWS006" / "bad.yaml", tmp_path / "bad.yaml")
    codes = lambda *a: {f["code"] for f in json.loads(run_cli("check", "--isolated", "--no-cache", "--format",
                                                                "json", *a, str(both)).stdout)["findings"]}
    assert "AWS006" not in codes()
    assert "AWS006" in codes("--extend-select", "AWS006")
    assert "AWS006" not in codes("--select", "AWS")  # a prefix does not enable an opt-in rule
    assert "AWS006" in codes("--select", "ALL")
    assert {c for c in codes("--extend-select", "AWS006", "--ignore", "AWS") if c.startswith("AWS")} == set()


def test_fast_command_line_reading_matches_argparse():
    """cli reads plain `check` command lines without argparse (start-up
    time); whatever it accepts must give exactly argparse's namespace."""
    import random

    from daprlint import cli

    tokens = [flag for _, flags, _ in cli.CHECK_OPTIONS for flag in flags] + [
        "a.yaml", "b.yaml", "-", "", "json", "sarif", "xml", "2", "-1", "x y", "AWS,sec", "warning",
        "self-hosted", "--format=json", "--format=", "--jobs=2", "--jobs=x", "--quiet=1", "--no-c", "-j2",
        "--", "-h", "--version", "--select=", "-oout", "--output-file=-", "--exclude=*.yaml", "1_000"]
    rng = random.Random(7)
    fast = 0
    for _ in range(3000):
        argv = ["check"] + [rng.choice(tokens) for _ in range(rng.randint(0, 6))]
        got = cli._fast_check_args(argv)
        if got is None:
            continue  # left to argparse
        fast += 1
        assert vars(got) == vars(cli.build_parser().parse_args(argv)), argv
    assert fast > 500
    plain = ["check", "--no-cache", "--format", "json", "one.yaml"]
    assert vars(cli._fast_check_args(plain)) == vars(cli.build_parser().parse_args(plain))

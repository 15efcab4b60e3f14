"""examples/: one independent folder per rule, a clean good/, a suppression demo, a README that cannot drift.

`examples/bad/<CODE>-<rule-name>/` holds the smallest realistic manifests that
make that one rule fire. A folder is a deployment of its own (the folder
fallback of deployments.py, or the run file, kustomization or chart inside
it), so folders never meet: linting all of examples/bad reports exactly the
union of what each folder reports alone.

What a folder needs besides `daprlint check FOLDER` is written in the folder:

- `.daprlint.toml`: a project config, read when the folder is linted on its
  own (an opt-in rule's `extend-select`, POL001's type policy, SEC003's
  mode). Linting a parent folder reads the nearest config to *that* path, so
  these folders stay quiet (or report only their declared extras) there;
- `# example-flags: ...` in one of its YAML files: command-line flags
  (`--fix`, `--rule-pack`), passed when the folder is linted alone;
- `# example-also: CODE (why)`: a code the folder reports besides its own
  rule (rare, and explained there).

Isolated runs use the in-process pipeline of report_harness.lint (what
`daprlint check --isolated` runs); runs with a config or flags use the real
command line. The README's table (examples/README.md) is checked against the
folders and the rule registry.
"""
from __future__ import annotations

import json
import re
import shlex
import shutil

import pytest

from conftest import REPO, run_cli
from report_harness import lint

EXAMPLES = REPO / "examples"
BAD = EXAMPLES / "bad"
README = EXAMPLES / "README.md"
FOLDERS = sorted(p for p in BAD.iterdir() if p.is_dir())
FOLDER_NAME = re.compile(r"^(?P<code>[A-Z]+[0-9]+)-(?P<name>[a-z0-9]+(?:-[a-z0-9]+)*)$")
FLAGS = re.compile(r"^#\s*example-flags:\s*(.+?)\s*$", re.M)
ALSO = re.compile(r"^#\s*example-also:\s*([A-Z]+[0-9]+)\b", re.M)
TABLE_ROW = re.compile(r"^\| \[(?P<link>[^\]]+)\]\((?P<href>[^)]+)\) \| `(?P<code>[A-Z]+[0-9]+)` `(?P<name>[a-z0-9-]+)` "
                       r"\| (?P<wrong>[^|]+?) \| (?P<fix>[^|]+?) \|$")
NEEDS_ROW = re.compile(r"^\| \[(?P<link>[^\]]+)\]\((?P<href>[^)]+)\) \| (?P<needs>[^|]+?) \| (?P<why>[^|]+?) \|$")


def _registry() -> dict:
    from daprlint.packs import load_packs

    return {code: rule.name for code, rule in load_packs().rules.items()}


def _texts(folder) -> str:
    """The text of the folder's YAML files (a link's once, through its target); UTF-16 files are skipped."""
    seen, out = set(), []
    for path in sorted(folder.rglob("*.y*ml")):
        real = path.resolve()
        if real in seen:
            continue
        seen.add(real)
        try:
            out.append(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            pass  # YML002's file: it declares nothing
    return "\n".join(out)


def _code(folder) -> str:
    return FOLDER_NAME.match(folder.name)["code"]


def _flags(folder) -> list[str]:
    return [arg for line in FLAGS.findall(_texts(folder)) for arg in shlex.split(line)]


def _also(folder) -> set[str]:
    return set(ALSO.findall(_texts(folder)))


def _config(folder):
    config = folder / ".daprlint.toml"
    return config if config.is_file() else None


def _key(finding) -> tuple:
    """A finding as the JSON report shows it (1-based line and column)."""
    return (finding.path, finding.span.line + 1, finding.span.column + 1, finding.code, finding.message)


def _isolated(path) -> list[tuple]:
    findings, _, _ = lint(path.relative_to(REPO), extend_select=())
    return sorted(_key(f) for f in findings)


def _cli_codes(folder, tmp_path) -> tuple[int, list[str], object]:
    """(exit code, codes, the folder that was linted) of the folder linted alone on the command line,
    with its own config and flags. A run with --fix lints a copy (links kept as links)."""
    flags = _flags(folder)
    target = folder
    if "--fix" in flags:
        target = tmp_path / folder.name
        shutil.copytree(folder, target, symlinks=True)
    config = _config(target)
    args = ["--config", str(config)] if config else ["--isolated"]
    env = {"XDG_CONFIG_HOME": str(tmp_path / "no-user-config"), "DAPRLINT_RULE_PACKS": ""}
    proc = run_cli("check", "--no-cache", "--format", "json", *args, *flags, str(target), env=env)
    assert proc.returncode in (0, 1, 2), proc.stderr.decode()
    report = json.loads(proc.stdout)
    return proc.returncode, [f["code"] for f in report["findings"]], target


# -- (a) one folder per rule ---------------------------------------------------------
def test_every_registered_rule_has_exactly_one_folder_and_every_folder_names_one():
    registry = _registry()
    assert FOLDERS, "examples/bad has no folders"
    names = {}
    for folder in FOLDERS:
        m = FOLDER_NAME.match(folder.name)
        assert m, f"{folder.name}: not <CODE>-<rule-name>"
        assert m["code"] in registry, f"{folder.name}: {m['code']} is not a registered rule"
        assert m["name"] == registry[m["code"]], f"{folder.name}: the rule {m['code']} is `{registry[m['code']]}`"
        assert m["code"] not in names, f"{m['code']} has two folders: {names[m['code']]}, {folder.name}"
        names[m["code"]] = folder.name
    assert sorted(names) == sorted(registry), f"rules without a folder: {sorted(set(registry) - set(names))}"
    assert [p.name for p in BAD.iterdir() if not p.is_dir()] == [], "examples/bad holds only folders"


# -- (b) each folder alone reports its rule, and nothing undeclared ----------------------
@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_a_folder_alone_reports_its_rule_and_only_its_declared_extras(folder, tmp_path):
    code, also = _code(folder), _also(folder)
    assert code not in also, "a folder's own rule is not an extra"
    if _config(folder) is None and not _flags(folder):
        codes = [f[3] for f in _isolated(folder)]
    else:
        before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        rc, codes, linted = _cli_codes(folder, tmp_path)
        assert rc == (2 if code == "INT001" else 1)
        after = {p.relative_to(linted): p.read_bytes() for p in linted.rglob("*") if p.is_file()}
        assert after == before, "linting an example changed it"
        # without its config and flags the folder reports at most its extras (the union test sees that run)
        assert set(f[3] for f in _isolated(folder)) <= also | {code}
    assert code in codes, f"{folder.name} does not report {code}: {codes}"
    assert set(codes) <= {code} | also, f"{folder.name} reports undeclared codes: {sorted(set(codes) - {code} - also)}"
    assert also <= set(codes), f"{folder.name} declares extras it does not report: {sorted(also - set(codes))}"


def test_a_declared_extra_says_why():
    for folder in FOLDERS:
        for line in re.findall(r"^#\s*example-also:.*$", _texts(folder), re.M):
            assert re.search(r"[A-Z]+[0-9]+\s+\(.{10,}\)", line), f"{folder.name}: `{line}` gives no reason"


# -- (c) independence -----------------------------------------------------------------
def test_linting_all_of_bad_reports_exactly_the_union_of_the_folders():
    union = sorted(key for folder in FOLDERS for key in _isolated(folder))
    whole = _isolated(BAD)
    assert whole == union
    assert len(whole) > len(FOLDERS) // 2  # most folders report without a config or flags


def test_the_command_line_agrees_with_the_harness_on_all_of_bad(tmp_path):
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "json", "examples/bad")
    assert proc.returncode == 1, proc.stderr.decode()
    cli = sorted((f["path"], f["line"], f["column"], f["code"], f["message"])
                 for f in json.loads(proc.stdout)["findings"])
    assert cli == _isolated(BAD)


# -- (d) good and suppression ------------------------------------------------------------
def test_good_is_clean():
    assert _isolated(EXAMPLES / "good") == []
    proc = run_cli("check", "--isolated", "--no-cache", "examples/good")
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()


def test_suppression_demo_suppresses_everything_it_finds():
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "json", "examples/suppression")
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    summary = json.loads(proc.stdout)["summary"]
    assert summary["findings"] == 0 and summary["suppressed"] > 0


# -- (e) examples/README.md -----------------------------------------------------------------
def _rows(pattern) -> list:
    return [m for m in (pattern.match(line) for line in README.read_text(encoding="utf-8").splitlines()) if m]


def test_the_readme_table_lists_every_folder_with_its_rule():
    registry = _registry()
    rows = _rows(TABLE_ROW)
    assert [r["link"] for r in rows] == [p.name for p in FOLDERS]
    for r in rows:
        assert r["href"] == f"bad/{r['link']}/"
        assert (r["code"], r["name"]) == (_code(BAD / r["link"]), registry[r["code"]])
        assert r["link"] == f"{r['code']}-{r['name']}"
        assert len(r["wrong"]) > 10 and len(r["fix"]) > 2, r.group(0)


def test_the_readme_lists_what_each_folder_needs_beyond_a_plain_check():
    needing = [p.name for p in FOLDERS if _config(p) is not None or _flags(p)]
    rows = _rows(NEEDS_ROW)
    assert [r["link"] for r in rows] == needing
    for r in rows:
        folder = BAD / r["link"]
        assert r["href"] == f"bad/{r['link']}/"
        for flag in _flags(folder):
            assert flag in r["needs"], f"{r['link']}: the README does not name {flag}"
        if _config(folder) is not None:
            assert ".daprlint.toml" in r["needs"], f"{r['link']}: the README does not name its .daprlint.toml"


def test_fix_leaves_the_suppressed_findings_of_the_demo_alone(tmp_path):
    work = tmp_path / "suppression"
    shutil.copytree(EXAMPLES / "suppression", work)
    before = (work / "archive.yaml").read_bytes()
    proc = run_cli("check", "--isolated", "--no-cache", "--fix", str(work))
    assert (work / "archive.yaml").read_bytes() == before
    assert proc.returncode == 0, proc.stdout.decode()

"""The README is true: its two set-up commands work in a fresh copy, and every
other block in it is run by the program it is written for.

Each fenced block is claimed by exactly one test below (by its language and the
heading it sits under); `test_every_block_is_run` fails on a block nobody runs,
so a new block needs a test. Commands run in a copy of the repository's files,
with the `daprlint` of this interpreter's environment first on PATH and HOME in
the temporary folder.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import DYNAMODB_WITHOUT_REGION, REPO, ctrl_c_reaches_child

README = (REPO / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent
FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```$", re.M | re.S)


def blocks() -> list[tuple[str, str, str]]:
    """(heading, language, text) of every fenced block, in order."""
    found = []
    for match in FENCE.finditer(README):
        heading = re.findall(r"^##+ (.+)$", README[:match.start()], re.M)[-1]
        indent = match.group(1)
        text = "".join(line[len(indent):] for line in match.group(3).splitlines(keepends=True))
        found.append((heading, match.group(2), text))
    return found


def block(heading: str, language: str, contains: str = "") -> str:
    """The one block under *heading* in *language* (holding *contains*)."""
    matches = [text for h, lang, text in blocks() if h == heading and lang == language and contains in text]
    assert len(matches) == 1, (heading, language, contains, len(matches))
    return matches[0]


def fresh_copy(tmp_path: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    dest = tmp_path / "daprlint"
    for rel in files:
        src = REPO / rel
        if src.is_symlink():  # as a clone has it (examples/bad/FIX001-* holds one)
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.readlink(src), dest / rel)
        elif src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def examples_copy(tmp_path: Path) -> Path:
    """A folder holding a copy of examples/ (what the Usage lines lint), outside any git work tree."""
    work = tmp_path / "work"
    shutil.copytree(REPO / "examples", work / "examples", symlinks=True)
    (tmp_path / "home").mkdir()
    return work


def snapshot(folder: Path) -> dict[Path, bytes]:
    """The linted files' bytes (the result cache is not one of them)."""
    return {p: p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and not p.is_symlink() and ".daprlint_cache" not in p.parts}


def env_for(tmp_path: Path) -> dict:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": str(tmp_path / "home"),
            "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"), "NO_COLOR": "1"}


def bash(command: str, cwd: Path, env: dict, timeout: int = 300, stdin: bytes | None = None):
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, timeout=timeout,
                          input=stdin)


def readme_command(marker: str) -> str:
    match = re.search(re.escape(marker) + r"\s*```sh\n(.+?)\n```", README)
    assert match, marker
    return match.group(1).strip()


# -- the two set-up commands --------------------------------------------------
@pytest.mark.slow
def test_install_and_lint_examples(tmp_path):
    cmd = readme_command("<!-- setup:run -->")
    proc = subprocess.run(["bash", "-c", cmd], cwd=fresh_copy(tmp_path), capture_output=True, timeout=600)
    # examples/bad holds a broken manifest per rule: findings, so exit code 1
    assert proc.returncode == 1, proc.stderr.decode()[-2000:]
    out = proc.stdout.decode()
    for code in ("AWS001", "AWS002", "AWS003", "AWS004", "AWS005", "AWS008", "SEC001", "SEC002", "YML001", "DPR001"):
        assert code in out
    assert "Traceback" not in proc.stderr.decode()


@pytest.mark.slow
def test_install_test_extras_and_collect_the_suite(tmp_path):
    cmd = readme_command("<!-- setup:test -->")
    env = {**os.environ, "PYTEST_ADDOPTS": "--collect-only -q"}  # the full run is what .ci/run does
    proc = subprocess.run(["bash", "-c", cmd], cwd=fresh_copy(tmp_path), capture_output=True, timeout=900, env=env)
    assert proc.returncode == 0, proc.stdout.decode()[-3000:] + proc.stderr.decode()[-2000:]
    assert b"tests collected" in proc.stdout or b"test_rules.py" in proc.stdout


def test_ci_runs_the_readme_test_command():
    run = (REPO / ".ci" / "run").read_text()
    assert "<!-- setup:test -->" in run
    assert README.count("<!-- setup:") == 2  # exactly two set-up commands


# -- Usage: every line runs -------------------------------------------------------
USAGE_LINES = [line.split("  #")[0].strip() for line in block("Usage", "sh").splitlines() if line.strip()]

# what each command must print (a regular expression over stdout + stderr), beyond
# "no traceback, exit code 0 or 1"
EXPECT = {
    "daprlint check": r"(All checks passed|Found \d+ finding)",
    "daprlint check examples/bad/ examples/good/": r"Found \d+ findings",
    "--output-format concise": r"\S+\.yaml:\d+:\d+: [A-Z]+\d{3} ",
    "--statistics": r"AWS001\s+aws-missing-region",
    "--diff": r"^\+\+\+ ",
    "--fix --show-fixes": r"Fixed \d+\.",
    "--fix --unsafe-fixes": r"Fixed \d+\.",
    "--add-noqa": r"^Added \d+ suppression comments",
    "--dapr-version 1.14": r"Found \d+ finding",
    "--fix - <": r"apiVersion: dapr\.io/v1alpha1",
    "daprlint deployments": r"examples/",
    "daprlint graph --format dot": r"^digraph ",
    "daprlint upgrade": r"^Dapr 1\.14\.\d+ -> 1\.16\.\d+: \d+ change",
    "daprlint rules": r"AWS001\s+aws-missing-region",
    "daprlint explain AWS001": r"## What it does",
    "daprlint schema --out": r"",
}


def expectation(line: str) -> str:
    if line in EXPECT:
        return EXPECT[line]
    keys = [key for key in EXPECT if key in line and key != "daprlint check"]
    assert keys, f"no expectation for README line {line!r}"
    return EXPECT[max(keys, key=len)]


def lsp_message(payload: dict) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


@pytest.mark.parametrize("line", [line for line in USAGE_LINES if "--watch" not in line and "server" not in line])
def test_usage_line_runs(tmp_path, line):
    work = examples_copy(tmp_path)
    before = snapshot(work)
    proc = bash(line, work, env_for(tmp_path))
    out = proc.stdout.decode() + proc.stderr.decode()
    assert proc.returncode in (0, 1), out[-3000:]
    assert "Traceback" not in out
    assert re.search(expectation(line), out, re.M), out[-3000:]
    changed = {p for p, data in before.items() if p.read_bytes() != data}
    writes = ("--fix" in line and " - " not in line + " ") or "--add-noqa" in line
    assert bool(changed) == writes, (line, sorted(map(str, changed))[:5])
    if "--secrets-out" in line:
        secrets = tmp_path / "home" / "secrets.yaml"
        assert secrets.exists() and oct(secrets.stat().st_mode & 0o777) == "0o600"
        assert list(yaml.safe_load_all(secrets.read_text()))[0]["kind"] == "Secret"
    if "--add-noqa" in line:  # from now on only new findings, and a second run changes nothing
        # what is left is exactly what --add-noqa said it could not suppress (SUP001, YML002, a file
        # it may not write: a link)
        said = set(re.findall(r"^  (\S+:\d+:\d+): ([A-Z]+\d{3}):", out, re.M))
        again = bash("daprlint check examples/ --output-format json", work, env_for(tmp_path))
        left = {(f"{f['path']}:{f['line']}:{f['column']}", f["code"]) for f in json.loads(again.stdout)["findings"]}
        assert said == left, (said, left)
        after = snapshot(work)
        assert b"Added 0 suppression comments" in bash(line, work, env_for(tmp_path)).stdout
        assert after == snapshot(work)
    if "schema --out" in line:
        out_dir = work / shlex.split(line)[-1]
        assert (out_dir / "dapr.io" / "component_v1alpha1.json").exists()


def test_usage_watch_line_starts_watching_and_ctrl_c_ends_it(tmp_path):
    (line,) = [line for line in USAGE_LINES if "--watch" in line]
    work = examples_copy(tmp_path)
    proc = subprocess.Popen(shlex.split(line), cwd=work, env=env_for(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=ctrl_c_reaches_child)
    try:
        deadline = time.monotonic() + 120
        err = b""
        from daprlint import watch
        os.set_blocking(proc.stderr.fileno(), False)
        while watch.READY.encode() not in err and time.monotonic() < deadline and proc.poll() is None:
            err += proc.stderr.read() or b""
            time.sleep(0.1)
        assert watch.READY.encode() in err, err.decode()[-2000:]
    finally:
        proc.send_signal(2)  # Ctrl-C
        out, rest = proc.communicate(timeout=60)
    assert proc.returncode == 0, (err + rest).decode()[-2000:]
    assert b"Found " in out


def test_usage_server_line_answers_an_lsp_client(tmp_path):
    pytest.importorskip("pygls", reason="pygls is not installed (pip install '.[lsp]')")
    (line,) = [line for line in USAGE_LINES if line.endswith(" server")]
    messages = (lsp_message({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                             "params": {"processId": None, "rootUri": None, "capabilities": {}}})
                + lsp_message({"jsonrpc": "2.0", "method": "initialized", "params": {}})
                + lsp_message({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
                + lsp_message({"jsonrpc": "2.0", "method": "exit"}))
    proc = subprocess.run(shlex.split(line), cwd=examples_copy(tmp_path), env=env_for(tmp_path), input=messages,
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert b'"textDocumentSync"' in proc.stdout and b'"id": 2' in proc.stdout.replace(b'"id":2', b'"id": 2')


# -- Configuration --------------------------------------------------------------
def test_configuration_block_is_accepted_and_applied(tmp_path):
    work = examples_copy(tmp_path)
    (work / "pyproject.toml").write_text(block("Configuration", "toml"))
    # the block's rule pack: a JSON Schema pack (data), so a project config may name it
    pack = work / "tools" / "daprlint-schemas"
    pack.mkdir(parents=True)
    shutil.copy(REPO / "examples/rule-packs/acme-dapr-policy/acme_dapr_policy/acme002_team_label.schema.json", pack)
    proc = bash("daprlint check examples/ --output-format json", work, env_for(tmp_path))
    assert proc.returncode == 1, proc.stderr.decode()
    findings = json.loads(proc.stdout)["findings"]
    codes = {f["code"] for f in findings}
    assert "AWS006" in codes and "ACME002" not in codes  # extend-select applied; select leaves ACME out
    assert b"ACME002 team-label" in bash("daprlint rules", work, env_for(tmp_path)).stdout  # the pack loaded
    assert not codes & {"AWS004", "DPR005", "ANN001", "XRF003"}  # ignore, extend-ignore, select
    assert any(f["code"] == "POL001" for f in findings)


def test_suppression_example_lints_clean_with_every_finding_suppressed(tmp_path):
    manifest = tmp_path / "c.yaml"
    manifest.write_text(block("Suppressing a finding", "yaml"))
    proc = bash(f"daprlint check --isolated --output-format json {manifest}", tmp_path, env_for(tmp_path))
    assert proc.returncode == 0, proc.stdout.decode()
    assert json.loads(proc.stdout)["summary"]["suppressed"] == 3
    bare = re.sub(r" *# daprlint: ignore.*$", "", manifest.read_text(), flags=re.M)
    manifest.write_text(bare)
    proc = bash(f"daprlint check --isolated --output-format json {manifest}", tmp_path, env_for(tmp_path))
    assert sorted(f["code"] for f in json.loads(proc.stdout)["findings"]) == ["AWS001", "AWS004", "SEC001"]


# -- Dapr versions ----------------------------------------------------------------
def test_release_table_matches_the_data():
    rows = re.findall(r"^\| (1\.\d+)( \(default\))? \| (v[\d.]+), (v[\d.]+) \| (\d+) \|$", README, re.M)
    types = json.loads((REPO / "rules/generated/releases/types.json").read_text())
    sources = json.loads((REPO / "rules/generated/sources.json").read_text())
    assert [r[0] for r in rows] == [r for r in types["releases"] if r != "master"]
    assert [r[0] for r in rows if r[1]] == [sources["default_release"]]

    def minor(release: str) -> int:
        return 999 if release == "master" else int(release.split(".")[1])

    for release, _default, dapr_tag, contrib_tag, count in rows:
        source = sources["release_sources"][release]
        assert (dapr_tag, contrib_tag) == (source["dapr"], source["components_contrib"]), source
        alive = [t for t in types["types"].values()
                 if minor(t.get("since", "1.12")) <= minor(release) < minor(t.get("until", "1.999"))]
        assert len(alive) == int(count), release


# -- Performance -------------------------------------------------------------------
def test_performance_table_is_the_last_bench_run():
    """The table is bench/run.py's --markdown output, pasted whole (bench/perf.md is that file)."""
    table = re.search(r"<!-- perf-table:begin -->\n(.*?)\n<!-- perf-table:end -->", README, re.S).group(1)
    assert table.strip() == (REPO / "bench" / "perf.md").read_text(encoding="utf-8").strip()
    assert table.startswith("<!-- generated by `bench/run.py --markdown`")


# -- CI and editors ---------------------------------------------------------------
def test_action_workflow_uses_inputs_and_outputs_the_action_has():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    workflow = yaml.safe_load(block("CI and editors", "yaml", "jobs:"))
    steps = workflow["jobs"]["daprlint"]["steps"]
    (ours,) = [s for s in steps if s.get("uses", "").startswith("daprlint/daprlint@")]
    assert set(ours["with"]) <= set(action["inputs"])
    assert "sarif-file" in action["outputs"]
    assert "placeholder" in block("CI and editors", "yaml", "jobs:")


def test_pre_commit_block_names_hooks_the_repository_has():
    hooks = {h["id"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    text = block("CI and editors", "yaml", "repos:")
    config = yaml.safe_load(text)
    assert {h["id"] for h in config["repos"][0]["hooks"]} <= hooks
    assert "daprlint-fix" in hooks and "placeholder" in text


def test_vscode_settings_are_json_and_start_the_server():
    text = re.sub(r"//.*$", "", block("CI and editors", "jsonc"), flags=re.M)
    settings = json.loads(text)
    assert [settings["glspc.server.command"], *settings["glspc.server.commandArguments"]] == ["daprlint", "server"]


def test_helix_config_is_toml_and_starts_the_server():
    config = tomllib.loads(block("CI and editors", "toml"))
    server = config["language-server"]["daprlint"]
    assert [server["command"], *server["args"]] == ["daprlint", "server"]
    assert "daprlint" in config["language"][0]["language-servers"]


NVIM = shutil.which("nvim")
needs_nvim = pytest.mark.skipif(not NVIM, reason="nvim is not installed (.ci/run installs Debian's neovim)")


# the three Neovim forms (0.11+, 0.8 to 0.10, 0.7): what tells their blocks apart
NEOVIM_FORMS = ["vim.lsp.config", "vim.lsp.start(", "vim.lsp.start_client"]


@needs_nvim
@pytest.mark.parametrize("contains", NEOVIM_FORMS)
def test_neovim_blocks_are_lua_that_neovim_compiles(tmp_path, contains):
    script = tmp_path / "init.lua"
    script.write_text(block("CI and editors", "lua", contains))
    check = f"lua local f = assert(io.open('{script}')); assert(loadstring(f:read('*a'))); io.stdout:write('OK')"
    proc = subprocess.run([NVIM, "--headless", "--clean", "-c", check, "-c", "qa!"], capture_output=True, timeout=60)
    assert b"OK" in proc.stdout + proc.stderr, proc.stderr.decode()


@needs_nvim
def test_neovim_start_client_block_gets_diagnostics_from_a_real_neovim(tmp_path):
    """Debian 12's Neovim (0.7) runs the `vim.lsp.start_client` form and shows daprlint's findings."""
    pytest.importorskip("pygls", reason="pygls is not installed (pip install '.[lsp]')")
    version = subprocess.run([NVIM, "--version"], capture_output=True, text=True).stdout
    if "NVIM v0.7" not in version:
        pytest.skip("the start_client form is for Neovim 0.7; this is " + version.splitlines()[0])
    (tmp_path / "init.lua").write_text(block("CI and editors", "lua", "vim.lsp.start_client"))
    (tmp_path / "c.yaml").write_text(DYNAMODB_WITHOUT_REGION)
    (tmp_path / "check.lua").write_text(
        "vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 100)\n"
        "for _, d in ipairs(vim.diagnostic.get(0)) do io.stdout:write('DIAG ' .. tostring(d.code) .. ' '"
        " .. d.lnum .. '\\n') end\nvim.cmd('qa!')\n")
    proc = subprocess.run([NVIM, "--headless", "-u", "init.lua", "c.yaml", "-c", "luafile check.lua"],
                          cwd=tmp_path, env=env_for(tmp_path), capture_output=True, timeout=90)
    assert b"DIAG AWS001 5" in proc.stdout, (proc.stdout + proc.stderr).decode()[-2000:]


# -- Rule packs and trust --------------------------------------------------------
def test_entry_point_block_names_the_group_daprlint_reads():
    from daprlint import packs

    config = tomllib.loads(block("Rule packs and trust", "toml", "entry-points"))
    assert packs.ENTRY_POINT_GROUP in config["project"]["entry-points"]


def test_type_policy_block_forbids_and_allows_per_path(tmp_path):
    work = tmp_path / "tree"
    (work / "deploy").mkdir(parents=True)
    (work / "local").mkdir()
    (work / "pyproject.toml").write_text(block("Rule packs and trust", "toml", "forbidden-types"))
    component = ("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n"
                 "  type: {type}\n  version: v1\n  metadata: []\n")
    (work / "deploy" / "a.yaml").write_text(component.format(name="a", type="state.in-memory"))
    (work / "local" / "b.yaml").write_text(component.format(name="b", type="secretstores.local.env"))
    (work / "c.yaml").write_text(component.format(name="c", type="secretstores.local.env"))
    proc = bash("daprlint check . --output-format json", work, env_for(tmp_path))
    hits = sorted(f["path"] for f in json.loads(proc.stdout)["findings"] if f["code"] == "POL001")
    assert hits == ["c.yaml", "deploy/a.yaml"], proc.stdout.decode()


# -- Development -----------------------------------------------------------------
def test_development_commands_run(tmp_path):
    lines = [line.split("  #")[0].strip() for line in block("Development", "sh").splitlines() if line.strip()]
    copy = fresh_copy(tmp_path)
    for line in lines:
        if "pytest" in line:
            line += " --collect-only -q tests/test_readme.py"  # the suite itself is .ci/run's
        elif line.startswith("python scripts/gen_schemas.py"):
            reference = REPO.parent / "shared" / "reference"
            if not reference.is_dir():
                continue  # needs ../shared: test_generated.py skips with the reason
            line += f" --reference {reference} --check"
        else:
            line += " --check"
        line = re.sub(r"^(\.venv/bin/python|python) ", f"{sys.executable} ", line)
        proc = bash(line, copy, env_for(tmp_path), timeout=600)
        assert proc.returncode == 0, (line, proc.stdout.decode()[-2000:], proc.stderr.decode()[-2000:])


# -- every block is somebody's -----------------------------------------------------
def test_every_block_is_run():
    """Runs last in this module: the tests above have claimed their blocks."""
    import inspect

    module = sys.modules[__name__]
    source = inspect.getsource(module)
    claims = set(re.findall(r'block\("([^"]+)", "(\w+)"(?:, "([^"]*)")?\)', source))
    claims |= {("Quick start", "sh", "pip install ."), ("Quick start", "sh", "'.[test]'")}
    claims |= {("CI and editors", "lua", form) for form in NEOVIM_FORMS}
    for heading, language, text in blocks():
        owners = [c for c in claims if c[0] == heading and c[1] == language and c[2] in text]
        assert owners, f"a {language} block under {heading!r} is run by no test: {text[:80]!r}"

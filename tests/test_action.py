"""The composite GitHub Action in action.yml.

Its schema is checked with the real check-jsonschema, and its bash steps are
run here as a runner runs them (`bash --noprofile --norc -eo pipefail FILE`,
the documented command for `shell: bash`), with the variables and file
commands a runner sets and every `${{ }}` expression of a step's `env:`
evaluated by this file. The fast tests stand in for the install step with
this checkout's daprlint; the slow one runs the install step for real, which
pip-installs the action's own checkout into a venv under RUNNER_TEMP.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from conftest import DYNAMODB_WITHOUT_REGION, REGION_ITEM, REPO, S3_WITH_DEPRECATED_REGION, shared_or_skip

ACTION = REPO / "action.yml"
BIN = Path(sys.executable).parent
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

BAD = DYNAMODB_WITHOUT_REGION
GOOD = BAD.replace("name: orders\n", "name: orders-eu\n", 1) + REGION_ITEM
S3_DEPRECATED = S3_WITH_DEPRECATED_REGION


def action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


@dataclass
class Step:
    id: str
    returncode: int
    stdout: str
    stderr: str
    outputs: dict = field(default_factory=dict)


@dataclass
class Run:
    steps: list[Step]
    outputs: dict          # the action's outputs, as `outputs:` maps them
    summary: str
    workspace: Path
    runner_temp: Path

    @property
    def stdout(self) -> str:
        return "".join(s.stdout for s in self.steps)

    @property
    def returncode(self) -> int:
        return self.steps[-1].returncode


def parse_file_command(path: Path) -> dict:
    """GITHUB_OUTPUT syntax: `name=value` lines and `name<<DELIM` ... `DELIM` blocks."""
    values, lines = {}, path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            end = lines.index(delim, i + 1)
            values[name] = "\n".join(lines[i + 1:end])
            i = end + 1
            continue
        if line:
            name, _, value = line.partition("=")
            values[name] = value
        i += 1
    return values


def evaluate(text: str, context: dict) -> str:
    def one(match: re.Match) -> str:
        expr = match.group(1)
        if expr not in context:
            raise AssertionError(f"action.yml uses ${{{{ {expr} }}}}, which this test does not simulate")
        return context[expr]

    return EXPR.sub(one, str(text))


def runner_path() -> str:
    """PATH as after actions/setup-python: a Python first, and not this venv's daprlint."""
    base = Path(getattr(sys, "_base_executable", sys.executable)).parent
    rest = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p) != BIN]
    return os.pathsep.join([str(base), *rest])


def run_action(tmp_path: Path, files: dict[str, str], inputs: dict[str, str] | None = None,
               real_install: bool = False) -> Run:
    spec = action()
    workspace, runner_temp = tmp_path / "workspace", tmp_path / "runner-temp"
    for folder in (workspace, runner_temp):
        folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (workspace / name).parent.mkdir(parents=True, exist_ok=True)
        (workspace / name).write_text(text, encoding="utf-8")
    context = {"github.action_path": str(REPO), "runner.temp": str(runner_temp)}
    unknown = set(inputs or {}) - set(spec["inputs"])
    assert not unknown, f"not inputs of action.yml: {unknown}"
    for name, meta in spec["inputs"].items():
        context[f"inputs.{name}"] = str((inputs or {}).get(name, meta.get("default", "")))
    summary_file = runner_temp / "step_summary.md"
    base_env = {"PATH": runner_path(), "HOME": os.environ.get("HOME", str(tmp_path)), "CI": "true",
                "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace), "GITHUB_ACTION_PATH": str(REPO),
                "RUNNER_TEMP": str(runner_temp), "RUNNER_OS": "Linux", "GITHUB_STEP_SUMMARY": str(summary_file),
                "GITHUB_ENV": str(runner_temp / "github_env"), "GITHUB_PATH": str(runner_temp / "github_path")}
    for key in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CERT", "PIP_CONFIG_FILE",
                "PIP_DEFAULT_TIMEOUT", "PIP_DISABLE_PIP_VERSION_CHECK", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE",
                "LANG", "LC_ALL", "TMPDIR"):
        if key in os.environ:
            base_env[key] = os.environ[key]
    steps: list[Step] = []
    for index, step in enumerate(spec["runs"]["steps"]):
        step_id = step.get("id", f"step{index}")
        if step_id == "install" and not real_install:
            # stand-in for the install step: this checkout's own daprlint
            context["steps.install.outputs.daprlint"] = str(BIN / "daprlint")
            continue
        assert "run" in step and step.get("shell") == "bash", f"step {step_id} is not a bash `run` step"
        script = runner_temp / f"{step_id}.sh"
        script.write_text(step["run"], encoding="utf-8")
        output_file = runner_temp / f"{step_id}.output"
        env = {**base_env, "GITHUB_OUTPUT": str(output_file),
               **{k: evaluate(v, context) for k, v in (step.get("env") or {}).items()}}
        cwd = Path(evaluate(step["working-directory"], context)) if "working-directory" in step else workspace
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=600)
        outputs = parse_file_command(output_file)
        steps.append(Step(step_id, proc.returncode, proc.stdout, proc.stderr, outputs))
        for name, value in outputs.items():
            context[f"steps.{step_id}.outputs.{name}"] = value
        if proc.returncode != 0:
            break
    action_outputs = {}
    for name, meta in spec.get("outputs", {}).items():
        try:
            action_outputs[name] = evaluate(meta["value"], context)
        except AssertionError:
            action_outputs[name] = ""  # a step that did not run leaves its outputs empty
    summary = summary_file.read_text(encoding="utf-8") if summary_file.exists() else ""
    return Run(steps, action_outputs, summary, workspace, runner_temp)


def describe(run: Run) -> str:
    return "\n".join(f"--- step {s.id}: exit {s.returncode}\n{s.stdout}\n{s.stderr}" for s in run.steps)


# -- static checks -------------------------------------------------------------------------------------------

def test_action_yml_is_valid_for_github():
    exe = BIN / "check-jsonschema"
    if not exe.exists():
        pytest.skip(f"{exe} is missing: install the test extra (pip install -e '.[test]')")
    proc = subprocess.run([str(exe), "--builtin-schema", "vendor.github-actions", str(ACTION)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_inputs_reach_scripts_only_through_env():
    """`${{ inputs.x }}` inside `run:` would be pasted into the script before bash parses it (script injection)."""
    spec = action()
    assert spec["runs"]["using"] == "composite"
    for step in spec["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), f"step {step.get('id')} interpolates an expression into its script"
    assert set(spec["inputs"]) == {"paths", "args", "fail-on", "sarif-file", "version"}
    assert spec["inputs"]["fail-on"]["default"] == "info"  # the CLI's default
    assert set(spec["outputs"]) == {"exit-code", "sarif-file"}


# -- the run step, with this checkout's daprlint standing in for the install step ---------------------------

@pytest.fixture(scope="module")
def bad_run(tmp_path_factory) -> Run:
    return run_action(tmp_path_factory.mktemp("action-bad"), {"bad.yaml": BAD, "good.yaml": GOOD},
                      {"sarif-file": "reports/daprlint.sarif"})


def test_findings_become_annotations_and_fail(bad_run):
    assert bad_run.returncode == 1, describe(bad_run)
    assert re.search(r"^::error file=bad\.yaml,line=6,col=9,.*title=AWS001 aws-missing-region::AWS001 ",
                     bad_run.stdout, re.M), describe(bad_run)
    assert "good.yaml" not in bad_run.stdout
    assert bad_run.stdout.count("\n") == 1, describe(bad_run)  # one finding, one annotation
    assert bad_run.outputs["exit-code"] == "1"


def test_sarif_file_is_written_and_reported(bad_run):
    assert bad_run.outputs["sarif-file"] == "reports/daprlint.sarif"
    doc = json.loads((bad_run.workspace / "reports" / "daprlint.sarif").read_text(encoding="utf-8"))
    results = doc["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results] == \
        [("AWS001", "bad.yaml")]


def test_sarif_file_is_valid_sarif(bad_run):
    import jsonschema

    schema = json.loads(shared_or_skip("reference", "sarif", "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    doc = json.loads((bad_run.workspace / "reports" / "daprlint.sarif").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_job_summary_lists_findings(bad_run):
    assert "### daprlint: 1 finding (exit code 1)" in bad_run.summary
    assert "| bad.yaml | 6 | AWS001 | error |" in bad_run.summary
    # the summary's SARIF is temporary; the user's is kept
    assert not list(bad_run.runner_temp.glob("*.sarif"))


def test_clean_workspace_passes(tmp_path):
    run = run_action(tmp_path, {"components/good.yaml": GOOD, "README.md": "# not yaml\n"})
    assert run.returncode == 0, describe(run)
    assert "::" not in run.stdout
    assert run.outputs == {"exit-code": "0", "sarif-file": ""}
    assert "### daprlint: 0 findings (exit code 0)" in run.summary
    assert sorted(p.name for p in run.workspace.iterdir()) == ["README.md", "components"]  # no cache, no report


def test_fail_on_never_annotates_but_passes(tmp_path):
    run = run_action(tmp_path, {"bad.yaml": BAD}, {"fail-on": "never"})
    assert run.returncode == 0, describe(run)
    assert "::error file=bad.yaml," in run.stdout
    assert run.outputs["exit-code"] == "0"


def test_fail_on_above_the_findings_passes(tmp_path):
    run = run_action(tmp_path, {"s3.yaml": S3_DEPRECATED}, {"fail-on": "error"})
    assert run.returncode == 0, describe(run)
    assert "::warning file=s3.yaml," in run.stdout and "AWS004" in run.stdout


def test_paths_and_args_are_split_on_whitespace(tmp_path):
    files = {"deploy/bad.yaml": BAD, "other/bad.yaml": BAD.replace("name: orders", "name: orders-2", 1),
             "ok/good.yaml": GOOD.replace("name: orders", "name: orders-3", 1)}
    run = run_action(tmp_path, files, {"paths": "ok\n  deploy", "args": "--ignore\nSEC001  --extend-select AWS006"})
    assert run.returncode == 1, describe(run)
    assert "file=deploy/bad.yaml," in run.stdout
    assert "other/bad.yaml" not in run.stdout
    run = run_action(tmp_path / "2", files, {"paths": "deploy other", "args": "--ignore AWS001"})
    assert run.returncode == 0, describe(run)


def test_inputs_are_never_evaluated_as_shell(tmp_path):
    marker = tmp_path / "pwned"
    hostile = f"$(touch {marker}) `touch {marker}`; touch {marker}"
    run = run_action(tmp_path, {"good.yaml": GOOD}, {"paths": f"good.yaml {hostile}", "args": f"-q {hostile}",
                                                     "sarif-file": f"{hostile}.sarif"})
    assert not marker.exists(), describe(run)
    assert run.returncode in (1, 2), describe(run)  # the hostile words are just odd paths and arguments
    assert run.outputs["exit-code"] == str(run.returncode)


def test_usage_error_exit_code_is_passed_on(tmp_path):
    run = run_action(tmp_path, {"good.yaml": GOOD}, {"fail-on": "sometimes"})
    assert run.returncode == 2, describe(run)
    assert run.outputs["exit-code"] == "2"
    assert run.outputs["sarif-file"] == ""
    assert "invalid choice: 'sometimes'" in run.steps[-1].stderr
    assert "### daprlint: no report (exit code 2)" in run.summary


def test_version_input_must_be_a_version(tmp_path):
    run = run_action(tmp_path, {"good.yaml": GOOD}, {"version": "0.1.0 --index-url http://example.invalid/"},
                     real_install=True)
    assert [s.id for s in run.steps] == ["install"]
    assert run.returncode == 2, describe(run)
    assert "::error title=daprlint::input 'version'" in run.stdout
    assert not (run.runner_temp / "daprlint-venv").exists()


# -- the whole action, install step included -----------------------------------------------------------------

@pytest.mark.slow
def test_whole_action_installs_from_its_checkout(tmp_path):
    run = run_action(tmp_path, {"bad.yaml": BAD, "good.yaml": GOOD}, {"sarif-file": "daprlint.sarif"},
                     real_install=True)
    assert [s.id for s in run.steps] == ["install", "run"], describe(run)
    install = run.steps[0]
    assert install.returncode == 0, describe(run)
    daprlint = Path(install.outputs["daprlint"])
    assert daprlint.is_file() and run.runner_temp in daprlint.parents, install.outputs
    assert install.stdout.startswith("daprlint "), install.stdout
    assert run.returncode == 1, describe(run)
    assert "::error file=bad.yaml,line=6," in run.stdout
    assert run.outputs == {"exit-code": "1", "sarif-file": "daprlint.sarif"}
    assert (run.workspace / "daprlint.sarif").is_file()


# -- docs/ci.md ----------------------------------------------------------------------------------------------

def doc_blocks(lang: str) -> list[str]:
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    return re.findall(rf"^```{lang}\n(.*?)^```", text, re.M | re.S)


def test_docs_workflow_is_a_valid_workflow_using_this_action(tmp_path):
    workflows = [b for b in doc_blocks("yaml") if "jobs:" in b]
    assert len(workflows) == 1
    path = tmp_path / "daprlint.yml"
    path.write_text(workflows[0], encoding="utf-8")
    exe = BIN / "check-jsonschema"
    if exe.exists():
        proc = subprocess.run([str(exe), "--builtin-schema", "vendor.github-workflows", str(path)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    workflow = yaml.safe_load(workflows[0])
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["daprlint"]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert uses == ["actions/checkout", "actions/setup-python", "daprlint/daprlint",
                    "github/codeql-action/upload-sarif"]
    ours, upload = steps[2], steps[3]
    assert set(ours["with"]) <= set(action()["inputs"])
    assert ours["with"]["sarif-file"]
    assert upload["uses"].endswith("@v3") and upload["if"].startswith("always()")
    assert upload["with"]["sarif_file"] == f"${{{{ steps.{ours['id']}.outputs.sarif-file }}}}"
    assert "sarif-file" in action()["outputs"]


def test_docs_pre_commit_config_is_valid(tmp_path):
    from pre_commit.clientlib import load_config, load_manifest

    configs = [b for b in doc_blocks("yaml") if b.lstrip().startswith(("# .pre-commit-config.yaml", "repos:"))]
    assert len(configs) == 1
    path = tmp_path / ".pre-commit-config.yaml"
    path.write_text(configs[0], encoding="utf-8")
    repo = load_config(str(path))["repos"][0]
    assert repo["repo"] == "https://github.com/daprlint/daprlint" and repo["rev"] == "COMMIT-SHA"  # a placeholder: no tag yet
    hook_ids = {h["id"] for h in load_manifest(str(REPO / ".pre-commit-hooks.yaml"))}
    assert {h["id"] for h in repo["hooks"]} <= hook_ids

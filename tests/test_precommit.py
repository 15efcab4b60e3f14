"""The pre-commit hooks in .pre-commit-hooks.yaml.

The fast tests load the file with pre-commit's own manifest schema and match
sample paths the way pre-commit does (identify's tags, then the `files` and
`exclude` regexes). The slow ones run the real `pre-commit try-repo` against
this checkout in a throwaway git repository: pre-commit builds its own
virtualenv and pip-installs daprlint into it, as a user's machine does.

try-repo sees a local repository as git does: it clones HEAD and adds the
staged and tracked-but-modified files (`git add -u`), never untracked ones.
When a file the hooks need is untracked here (a new hooks file not yet
committed, say), the tests hand try-repo a committed snapshot of the working
tree instead, so they always test what is on disk.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DYNAMODB_WITHOUT_REGION, REGION_ITEM, REPO, S3_WITH_DEPRECATED_REGION

HOOKS_FILE = REPO / ".pre-commit-hooks.yaml"
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
# what the package build and the hooks read from the repository
NEEDED = (".pre-commit-hooks.yaml", "pyproject.toml", "README.md", "src", "rules")

MATCH = ["components/statestore.yaml", "a.yml", "deploy/dapr/pubsub.YAML.yaml", ".github/workflows/ci.yml"]
NO_MATCH = ["README.md", "values.json", "chart/values.yaml.tpl", "statestore.yaml.bak", "Makefile"]

BAD = DYNAMODB_WITHOUT_REGION
# another name than bad.yaml's component: the two files are one deployment (one folder), and
# pre-commit's run reads the committed files as context, so the same name would be a duplicate
GOOD = (BAD + REGION_ITEM).replace("name: orders\n", "name: orders-checked\n", 1)
DEPRECATED = S3_WITH_DEPRECATED_REGION


def manifest() -> list[dict]:
    from pre_commit.clientlib import load_manifest

    return load_manifest(str(HOOKS_FILE))  # raises InvalidManifestError on a schema error


def selected(hook: dict, root: Path, rel: str) -> bool:
    """pre-commit's file selection for one hook (commands/run.py: Classifier and filter_by_include_exclude)."""
    from identify.identify import tags_from_path

    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("a: 1\n", encoding="utf-8")
    tags = tags_from_path(str(path))
    return (bool(re.search(hook["files"], rel)) and not re.search(hook["exclude"], rel)
            and set(hook["types"]) <= tags and (not hook["types_or"] or bool(set(hook["types_or"]) & tags))
            and not set(hook["exclude_types"]) & tags)


# -- the hooks file ------------------------------------------------------------------------------------------

def test_hooks_file_is_valid_for_pre_commit():
    hooks = {h["id"]: h for h in manifest()}
    assert set(hooks) == {"daprlint", "daprlint-fix"}
    assert hooks["daprlint"]["entry"] == "daprlint check --force-exclude"
    assert hooks["daprlint-fix"]["entry"] == "daprlint check --force-exclude --fix"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types_or"] == ["yaml"]
        assert hook["files"] == r"\.ya?ml$"
        assert hook["require_serial"] is True, "tree rules must see every file of the commit in one run"
        assert hook["pass_filenames"] is True
        assert hook["description"]
    assert "fail" in hooks["daprlint-fix"]["description"]


def test_hook_entry_is_a_console_script():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    for hook in manifest():
        assert hook["entry"].split()[0] in scripts


@pytest.mark.parametrize("rel", MATCH)
def test_hooks_select_yaml_files(tmp_path, rel):
    for hook in manifest():
        assert selected(hook, tmp_path, rel), f"{hook['id']} skips {rel}"


@pytest.mark.parametrize("rel", NO_MATCH)
def test_hooks_skip_other_files(tmp_path, rel):
    for hook in manifest():
        assert not selected(hook, tmp_path, rel), f"{hook['id']} selects {rel}"


# -- the real pre-commit -------------------------------------------------------------------------------------

def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env=_git_env()).stdout


def _git_env() -> dict:
    # a test run from inside a git hook must not act on the outer repository
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def _commit_all(root: Path, message: str) -> None:
    _git("init", "-q", cwd=root)
    _git("config", "user.name", "daprlint tests", cwd=root)
    _git("config", "user.email", "tests@daprlint.invalid", cwd=root)
    _git("config", "commit.gpgsign", "false", cwd=root)
    _git("add", "-A", cwd=root)
    _git("commit", "-q", "--no-verify", "-m", message, cwd=root)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> str:
    """REPO itself when try-repo can see everything it needs, else a committed snapshot of the working tree."""
    if (REPO / ".git").exists():
        untracked = _git("ls-files", "--others", "--exclude-standard", "--", *NEEDED, cwd=REPO).split()
        if not untracked:
            return str(REPO)
        files = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO).split("\0")
    else:  # an unpacked sdist
        files = [str(p.relative_to(REPO)) for name in NEEDED for p in
                 ([REPO / name] if (REPO / name).is_file() else (REPO / name).rglob("*"))
                 if p.is_file() and "__pycache__" not in p.parts]
    snapshot = tmp_path_factory.mktemp("daprlint-snapshot")
    for rel in filter(None, files):
        if (REPO / rel).is_file():
            (snapshot / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, snapshot / rel)
    _commit_all(snapshot, "snapshot of the working tree")
    return str(snapshot)


@pytest.fixture
def user_repo(tmp_path) -> Path:
    repo = tmp_path / "user-repo"
    repo.mkdir()
    (repo / "bad.yaml").write_text(BAD, encoding="utf-8")
    (repo / "good.yaml").write_text(GOOD, encoding="utf-8")
    (repo / "s3.yaml").write_text(DEPRECATED, encoding="utf-8")
    (repo / "README.md").write_text("# a user's repository\n", encoding="utf-8")
    (repo / "values.json").write_text('{"region": ""}\n', encoding="utf-8")
    _commit_all(repo, "manifests")
    return repo


def try_repo(hook_repo: str, user_repo: Path, hook: str, *files: str) -> subprocess.CompletedProcess:
    if not PRE_COMMIT.exists():
        pytest.skip(f"{PRE_COMMIT} is missing: install the test extra (pip install -e '.[test]')")
    env = {**_git_env(), "PRE_COMMIT_HOME": str(user_repo.parent / "pre-commit-home"), "PRE_COMMIT_COLOR": "never",
           "NO_COLOR": "1"}
    env.pop("PRE_COMMIT", None)
    proc = subprocess.run([str(PRE_COMMIT), "try-repo", hook_repo, hook, "--files", *files], cwd=user_repo,
                          env=env, capture_output=True, text=True, timeout=600)
    proc.log = f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    return proc


@pytest.mark.slow
def test_hook_fails_on_findings(hook_repo, user_repo):
    proc = try_repo(hook_repo, user_repo, "daprlint", "bad.yaml")
    assert proc.returncode == 1, proc.log
    assert re.search(r"^daprlint\.+Failed$", proc.stdout, re.M), proc.log
    assert "bad.yaml:6:9: AWS001 " in proc.stdout, proc.log


@pytest.mark.slow
def test_hook_passes_clean_files(hook_repo, user_repo):
    proc = try_repo(hook_repo, user_repo, "daprlint", "good.yaml", "README.md", "values.json")
    assert proc.returncode == 0, proc.log
    assert re.search(r"^daprlint\.+Passed$", proc.stdout, re.M), proc.log


@pytest.mark.slow
def test_hook_sees_all_files_at_once(hook_repo, user_repo):
    """require_serial: one daprlint process gets every file, so cross-file rules work.

    Without it pre-commit shuffles the files and spreads them over one process
    per CPU once there are more than 4, and the duplicate pairs below end up
    apart (0 of the 4 XRF003 findings on a 2-CPU machine)."""
    names = []
    for i in range(1, 5):
        for prefix in ("a", "b"):
            name = f"{prefix}{i}.yaml"
            (user_repo / name).write_text(GOOD.replace("name: orders-checked\n", f"name: orders-{i}\n", 1),
                                          encoding="utf-8")
            names.append(name)
    _git("add", *names, cwd=user_repo)
    _git("commit", "-q", "--no-verify", "-m", "duplicate names", cwd=user_repo)
    proc = try_repo(hook_repo, user_repo, "daprlint", *names)
    assert proc.returncode == 1, proc.log
    found = sorted(re.findall(r"^[ab](\d)\.yaml:\d+:\d+: XRF003 ", proc.stdout, re.M))
    assert found == ["1", "2", "3", "4"], proc.log  # one finding per duplicate pair


@pytest.mark.slow
def test_hook_skips_files_that_are_not_yaml(hook_repo, user_repo):
    proc = try_repo(hook_repo, user_repo, "daprlint", "README.md", "values.json")
    assert proc.returncode == 0, proc.log
    assert re.search(r"^daprlint\.+\(no files to check\)Skipped$", proc.stdout, re.M), proc.log


@pytest.mark.slow
def test_fix_hook_rewrites_then_passes(hook_repo, user_repo):
    s3 = user_repo / "s3.yaml"
    proc = try_repo(hook_repo, user_repo, "daprlint-fix", "s3.yaml", "good.yaml")
    assert proc.returncode == 1, proc.log
    assert "files were modified by this hook" in proc.stdout, proc.log
    assert s3.read_text(encoding="utf-8") == DEPRECATED.replace("name: awsRegion", "name: region")
    assert (user_repo / "good.yaml").read_text(encoding="utf-8") == GOOD
    again = try_repo(hook_repo, user_repo, "daprlint-fix", "s3.yaml", "good.yaml")
    assert again.returncode == 0, again.log
    assert re.search(r"^daprlint \(fix\)\.+Passed$", again.stdout, re.M), again.log


@pytest.mark.slow
def test_fix_hook_fails_when_findings_remain(hook_repo, user_repo):
    # AWS001's fix is unsafe and needs a region: nothing is written, the finding stays
    proc = try_repo(hook_repo, user_repo, "daprlint-fix", "bad.yaml")
    assert proc.returncode == 1, proc.log
    assert "AWS001" in proc.stdout, proc.log
    assert "files were modified by this hook" not in proc.stdout, proc.log
    assert (user_repo / "bad.yaml").read_text(encoding="utf-8") == BAD


@pytest.mark.slow
def test_hook_with_one_staged_file_sees_the_committed_ones(hook_repo, user_repo):
    """pre-commit passes only the staged file; its deployment (the folder) is read as context,
    so a duplicate of a component committed long ago is caught."""
    (user_repo / "copy.yaml").write_text(BAD.replace("value: orders", "value: orders-copy"), encoding="utf-8")
    _git("add", "copy.yaml", cwd=user_repo)
    proc = try_repo(hook_repo, user_repo, "daprlint", "copy.yaml")
    assert proc.returncode == 1, proc.log
    assert re.search(r"^copy\.yaml:4:9: XRF003 Component `orders` is already defined in namespace `default` at "
                     r"bad\.yaml:4", proc.stdout, re.M), proc.log
    assert not re.search(r"^(bad|good|s3)\.yaml:", proc.stdout, re.M), proc.log  # only the staged file is reported


@pytest.mark.slow
def test_hook_on_the_project_tree_with_one_file_staged(hook_repo, tmp_path):
    """The repository-shaped tree (tests/fixtures/project): staging only the component file still
    checks it against the committed Secret (XRF007)."""
    repo = tmp_path / "project"
    shutil.copytree(REPO / "tests" / "fixtures" / "project", repo)
    _commit_all(repo, "the project")
    component = repo / "k8s" / "base" / "components.yaml"
    component.write_text(component.read_text(encoding="utf-8") + "# touched\n", encoding="utf-8")
    _git("add", "k8s/base/components.yaml", cwd=repo)
    proc = try_repo(hook_repo, repo, "daprlint", "k8s/base/components.yaml")
    assert proc.returncode == 1, proc.log
    found = re.findall(r"^(\S+?):(\d+):\d+: ([A-Z]+\d+) ", proc.stdout, re.M)
    assert found == [("k8s/base/components.yaml", "12", "XRF007")], proc.log

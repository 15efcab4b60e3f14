"""The deployment model on a repository-shaped tree: run file, kustomize, Helm, workloads, Secrets.

tests/fixtures/project/ holds a `dapr.yaml` with two apps and a resources
folder, a kustomize base and prod overlay (a Deployment, a Secret, a
Configuration and a patch) and a Helm chart. Every expected finding is
marked in the tree with `# expect: CODE @ text` (as in tests/test_rules.py);
the tests run the real CLI on a copy that is its own git work tree.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, lint_json, run_cli

PROJECT = FIXTURES / "project"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+[0-9]+)\s*@\s*(.+?)\s*$")


def _git_init(root: Path) -> None:
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", "init", "-q", str(root)], check=True, env=env)


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    _git_init(root)
    return root


def expected(root: Path) -> list[tuple[str, int, int, str]]:
    found = []
    for path in sorted(root.rglob("*.y*ml")):
        if ".git" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = EXPECT.search(line)
            if m:
                found.append((str(path.relative_to(root)), number, line.index(m.group(2)) + 1, m.group(1)))
    return sorted(found)


def got(report, root: Path) -> list[tuple[str, int, int, str]]:
    return sorted((str(Path(f["path"]).resolve().relative_to(root.resolve())), f["line"], f["column"], f["code"])
                  for f in report["findings"])


def test_the_tree_gives_exactly_the_expected_findings(project):
    _, report = lint_json("--isolated", str(project))
    outside_chart = [f for f in got(report, project) if not f[0].startswith("charts/")]
    assert outside_chart == [e for e in expected(project) if not e[0].startswith("charts/")]


def test_the_chart_gives_exactly_the_expected_findings(project):
    _, report = lint_json("--isolated", str(project))
    assert [f for f in got(report, project) if f[0].startswith("charts/")] == \
        [e for e in expected(project) if e[0].startswith("charts/")]


def test_a_named_file_is_judged_with_its_deployment(project):
    """The Secret and Configuration are read as context: only the named file's findings are reported."""
    for rel, code in (("k8s/base/components.yaml", "XRF007"), ("k8s/base/deployment.yaml", "XRF006"),
                      ("resources/pubsub.yaml", "XRF008"), ("dapr.yaml", "RUN003")):
        _, report = lint_json("--isolated", "--select", "XRF,RUN", str(project / rel))
        assert [(f["code"], Path(f["path"]).name) for f in report["findings"]] == [(code, Path(rel).name)], rel


def test_a_kustomize_patch_is_linted_as_a_partial_resource(project):
    """No spec.type, no version: no required-field finding, and no duplicate of what it patches."""
    patch = project / "k8s/overlays/prod/orders-db-patch.yaml"
    for args in ((str(project),), (str(patch),)):
        _, report = lint_json("--isolated", *args)
        assert not [f for f in report["findings"] if f["path"].endswith("orders-db-patch.yaml")], args


def test_a_duplicate_against_a_committed_file_is_caught_with_one_file_named(project):
    copy = project / "resources" / "statestore-copy.yaml"
    copy.write_text((project / "resources" / "statestore.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    _, report = lint_json("--isolated", "--select", "XRF003", str(copy))
    assert [(f["code"], f["line"]) for f in report["findings"]] == [("XRF003", 4)]
    assert "daprd fails to start" in report["findings"][0]["message"]  # a run file is self-hosted


def test_duplicate_names_in_a_kustomize_deployment_are_replaced_on_apply(project):
    (project / "k8s/base/components2.yaml").write_text(
        (project / "k8s/base/components.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    kustomization = project / "k8s/base/kustomization.yaml"
    kustomization.write_text(kustomization.read_text(encoding="utf-8") + "- components2.yaml\n", encoding="utf-8")
    _, report = lint_json("--isolated", "--select", "XRF003", str(project))
    assert [Path(f["path"]).name for f in report["findings"]] == ["components2.yaml"]
    assert "kubectl apply" in report["findings"][0]["message"]


def test_deployments_command_explains_the_tree(project):
    proc = run_cli("deployments", "--isolated", "--no-cache", "--format", "json", ".", cwd=project)
    assert proc.returncode == 0, proc.stderr
    by_kind = {d["kind"]: d for d in json.loads(proc.stdout)["deployments"]}
    assert set(by_kind) == {"run-file", "kustomize", "helm"}
    run = by_kind["run-file"]
    assert run["app_ids"] == ["checkout", "orders"] and run["mode"] == "self-hosted"
    assert [f["path"] for f in run["files"]] == ["resources/pubsub.yaml", "resources/resiliency.yaml",
                                                 "resources/statestore.yaml"]
    assert [m["message"] for m in run["missing"]] == ["configFilePath `./config.yml` does not exist"]
    k = by_kind["kustomize"]
    assert k["namespaces"] == ["prod"] and k["app_ids"] == ["shop-api"]
    assert "k8s/overlays/prod/orders-db-patch.yaml" not in [f["path"] for f in k["files"]]
    assert "kustomization k8s/overlays/prod/kustomization.yaml" in k["reason"]
    text = run_cli("deployments", "--isolated", "--no-cache", ".", cwd=project)
    assert b"run file dapr.yaml: app `checkout`, `orders` load resources" in text.stdout
    assert text.stdout.rstrip().endswith(b"3 deployments.")


def test_show_files_lists_hidden_resource_folders(project):
    (project / "checkout/.dapr/resources").mkdir(parents=True)
    (project / "checkout/.dapr/resources/s.yaml").write_text("a: 1\n", encoding="utf-8")
    proc = run_cli("check", "--isolated", "--show-files", ".", cwd=project)
    assert proc.returncode == 0
    assert "checkout/.dapr/resources/s.yaml" in proc.stdout.decode().splitlines()


def test_an_app_loads_its_dapr_resources_folder_first(project):
    """<appDirPath>/.dapr/resources wins over common's resources (dapr/cli precedence)."""
    local = project / "checkout/.dapr/resources"
    local.mkdir(parents=True)
    (local / "pubsub.yaml").write_text((project / "resources/pubsub.yaml").read_text(encoding="utf-8")
                                       .replace("- ordres  # expect: XRF008 @ ordres\n", ""), encoding="utf-8")
    proc = run_cli("deployments", "--isolated", "--no-cache", "--format", "json", ".", cwd=project)
    runs = [d for d in json.loads(proc.stdout)["deployments"] if d["kind"] == "run-file"]
    assert sorted(tuple(f["path"] for f in d["files"]) for d in runs) == [
        ("checkout/.dapr/resources/pubsub.yaml",),
        ("resources/pubsub.yaml", "resources/resiliency.yaml", "resources/statestore.yaml")]


def test_local_file_secret_store_keys_are_checked(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    _git_init(root)
    (root / "secrets.json").write_text(json.dumps({"db": {"password": "x", "user": "y"}, "token": "z"}))
    (root / "components.yaml").write_text("""\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: local
spec:
  type: secretstores.local.file
  version: v1
  metadata:
  - name: secretsFile
    value: secrets.json
  - name: multiValued
    value: "true"
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: cache
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisPassword
    secretKeyRef:
      name: db
      key: pasword
  - name: redisUsername
    secretKeyRef:
      name: db
      key: user
  - name: redisHost
    secretKeyRef:
      name: tokn
auth:
  secretStore: local
""")
    _, report = lint_json("--isolated", "--select", "XRF007", str(root))
    messages = [(f["line"], f["message"]) for f in report["findings"]]
    assert [line for line, _ in messages] == [25, 32]
    assert "did you mean `password`" in messages[0][1] and "did you mean `token`" in messages[1][1]


def test_duplicate_app_ids_and_missing_kustomize_resources(tmp_path):
    root = tmp_path / "k"
    root.mkdir()
    _git_init(root)
    pod = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  template:
    metadata:
      annotations:
        dapr.io/enabled: "true"
        dapr.io/app-id: orders
"""
    (root / "a.yaml").write_text(pod.format(name="orders"))
    (root / "b.yaml").write_text(pod.format(name="orders-worker"))
    (root / "kustomization.yaml").write_text("resources:\n- a.yaml\n- b.yaml\n- missing.yaml\n")
    _, report = lint_json("--isolated", "--select", "ANN006,KUS001", str(root))
    assert [(Path(f["path"]).name, f["code"]) for f in report["findings"]] == [
        ("b.yaml", "ANN006"), ("kustomization.yaml", "KUS001")]


def test_a_subchart_renders_with_its_parent_chart(tmp_path):
    """A chart under another chart's `charts/` folder is no deployment of its own: its
    templates join the parent's (Helm renders them together); a sibling chart is its own."""
    component = ("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
                 "spec:\n  type: state.redis\n  version: v1\n  metadata:\n  - name: redisHost\n"
                 "    value: localhost:6379\n")
    for chart, name in (("shop", "shop-state"), ("shop/charts/cache", "cache-state"), ("billing", "bill-state")):
        folder = tmp_path / "charts" / chart
        (folder / "templates").mkdir(parents=True)
        (folder / "Chart.yaml").write_text(f"apiVersion: v2\nname: {chart.rpartition('/')[2]}\nversion: 0.1.0\n",
                                           encoding="utf-8")
        (folder / "templates" / "state.yaml").write_text(component.format(name=name), encoding="utf-8")
    _git_init(tmp_path)
    proc = run_cli("deployments", "--isolated", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    helm = sorted(([f["path"] for f in d["files"]] for d in json.loads(proc.stdout)["deployments"]
                   if d["kind"] == "helm"))
    assert helm == [["charts/billing/templates/state.yaml"],
                    ["charts/shop/charts/cache/templates/state.yaml", "charts/shop/templates/state.yaml"]]


def _lint_counts(monkeypatch, capsys, root: Path, *args: str, target: Path | None = None) -> tuple[dict, str]:
    """({path under root: how many times it was linted}, stdout) of `daprlint check --isolated ARGS
    TARGET` (TARGET: *root* itself unless given), in this process."""
    from daprlint import cli, commands, engine

    monkeypatch.setattr(commands, "_tune_gc", lambda: None)  # not in the test process
    counts: dict[str, int] = {}
    real = engine.Engine.lint_text

    def counting(self, path, *rest, **kw):
        name = Path(path).resolve().relative_to(root.resolve()).as_posix()
        counts[name] = counts.get(name, 0) + 1
        return real(self, path, *rest, **kw)

    monkeypatch.setattr(engine.Engine, "lint_text", counting)
    capsys.readouterr()
    assert cli.main(["check", "--isolated", *args, str(target or root)]) in (0, 1)
    return counts, capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["json", "sarif", "full"])
def test_a_kustomization_is_linted_once_for_its_roles_and_its_findings(project, tmp_path, monkeypatch, capsys, fmt):
    """The roles are read from the kustomizations before the other files are linted; the run
    reports those same results instead of linting the kustomizations again (with a cache, a second
    lint stored a second row for the same path), and the report is the CLI's."""
    expected = run_cli("check", "--isolated", "--format", fmt, "--no-cache", str(project)).stdout.decode()
    for cache in (["--no-cache"], ["--cache-dir", str(tmp_path / "cache")]):
        counts, out = _lint_counts(monkeypatch, capsys, project, "--format", fmt, *cache)
        assert {"k8s/base/kustomization.yaml", "k8s/overlays/prod/kustomization.yaml"} <= set(counts)
        assert set(counts.values()) == {1}, counts
        assert out == expected
    counts, out = _lint_counts(monkeypatch, capsys, project, "--format", fmt, *cache)  # warm: nothing linted
    assert counts == {} and out == expected


def test_a_kustomization_listed_as_a_patch_is_linted_again_in_that_role(project, monkeypatch, capsys):
    """A result linted before the roles were known stands in only for a file whose role stays the same."""
    overlay = project / "k8s/overlays/prod/kustomization.yaml"
    (project / "k8s/overlays/prod/other").mkdir()
    shutil.copy(project / "k8s/base/kustomization.yaml", project / "k8s/overlays/prod/other/kustomization.yaml")
    overlay.write_text(overlay.read_text(encoding="utf-8") + "- path: other/kustomization.yaml\n", encoding="utf-8")
    counts, _ = _lint_counts(monkeypatch, capsys, project, "--format", "json", "--no-cache")
    # linted for the roles, then again as the patch the overlay makes it
    assert counts["k8s/overlays/prod/other/kustomization.yaml"] == 2
    assert counts["k8s/overlays/prod/kustomization.yaml"] == counts["k8s/base/kustomization.yaml"] == 1


def test_the_deployments_listing_is_the_same_served_from_the_cache(project, tmp_path):
    """`daprlint deployments` after `daprlint check` (the cache warm): cache hits carry no facts
    until asked for, and the listing was made of those, so it said "0 deployments."."""
    cache = ["--cache-dir", str(tmp_path / "cache")]
    cold = run_cli("check", "--isolated", "--show-deployments", "--no-cache", str(project))
    assert cold.returncode == 0 and b"3 deployments." in cold.stdout
    run_cli("check", "--isolated", *cache, str(project))
    for _ in range(2):
        warm = run_cli("check", "--isolated", "--show-deployments", *cache, str(project))
        assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout)
    named = str(project / "resources" / "statestore.yaml")
    cold = run_cli("check", "--isolated", "--show-deployments", "--no-cache", named)
    warm = run_cli("check", "--isolated", "--show-deployments", *cache, named)
    assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout)


DUPLICATE_STORE = """apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: statestore
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost
    value: localhost:6379
"""


def test_a_named_file_served_from_the_cache_follows_the_references_a_cold_run_follows(tmp_path):
    """The kustomization beside a named file lists a file in another folder, which holds a
    duplicate of the named file's component. A cold run reads that file (the kustomization's
    references are followed); a warm one did not (a cache hit carries no facts until asked for),
    and lost the XRF003 that pre-commit with a warm cache should have reported."""
    project = tmp_path / "project"
    (project / "base").mkdir(parents=True)
    (project / "shared").mkdir()
    _git_init(project)
    (project / "base" / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- components.yaml\n"
        "- ../shared/extra.yaml\n", encoding="utf-8")
    (project / "base" / "components.yaml").write_text(DUPLICATE_STORE, encoding="utf-8")
    (project / "shared" / "extra.yaml").write_text(DUPLICATE_STORE, encoding="utf-8")
    named = str(project / "base" / "components.yaml")
    _, cold = lint_json("--isolated", named)
    assert [f["code"] for f in cold["findings"]] == ["XRF003"]
    cache = ["--cache-dir", str(tmp_path / "cache")]
    run_cli("check", "--isolated", *cache, str(project))
    for _ in range(2):
        warm = run_cli("check", "--isolated", "--format", "json", *cache, named)
        assert json.loads(warm.stdout) == cold


def test_a_patch_reached_through_a_reference_is_linted_as_a_patch(project, monkeypatch, capsys):
    """A named file's deployment reaches the overlay's patch only through the overlay's
    references: it is read in the role the overlay gives it, as a run of the whole tree reads it."""
    from daprlint import engine

    roles: dict[str, str] = {}
    real = engine.Engine.lint_text

    def recording(self, path, text, bom=False, explicit=True, role=""):
        roles[Path(path).name] = role
        return real(self, path, text, bom, explicit, role)

    monkeypatch.setattr(engine.Engine, "lint_text", recording)
    counts, _ = _lint_counts(monkeypatch, capsys, project, "--format", "json", "--no-cache",
                             target=project / "k8s" / "base" / "components.yaml")
    assert counts["k8s/overlays/prod/orders-db-patch.yaml"] == 1
    assert roles["orders-db-patch.yaml"] == "patch"


def _run_file_project(tmp_path: Path, run_file: str) -> str:
    """A project whose run file *run_file* (in app/) loads app/res and ../shared, each with a
    Component named `statestore`: the folder to lint, app/."""
    project = tmp_path / "project"
    for folder in ("app/res", "app/svc", "shared"):
        (project / folder).mkdir(parents=True)
    _git_init(project)
    (project / "app" / run_file).write_text(
        "version: 1\ncommon:\n  resourcesPaths:\n  - ./res\n  - ../shared\napps:\n- appID: orders\n"
        "  appDirPath: ./svc\n", encoding="utf-8")
    (project / "app" / "res" / "statestore.yaml").write_text(DUPLICATE_STORE, encoding="utf-8")
    (project / "shared" / "statestore.yaml").write_text(DUPLICATE_STORE, encoding="utf-8")
    return str(project / "app")


@pytest.mark.parametrize("run_file", ["dapr.yaml", "run.yaml"])
def test_a_run_file_served_from_the_cache_has_its_resources_folders_read(tmp_path, run_file):
    """A run file's resources folder outside the linted folder holds a duplicate of a linted
    component. A run file is known by its name or, as `run.yaml` here, by its content alone:
    its cache entry says it points at other files, so a warm run follows it as a cold one does."""
    linted = _run_file_project(tmp_path, run_file)
    _, cold = lint_json("--isolated", linted)
    assert [f["code"] for f in cold["findings"]] == ["XRF003"]
    cache = ["--cache-dir", str(tmp_path / "cache")]
    for _ in range(3):  # writing the cache, then served from it
        warm = run_cli("check", "--isolated", "--format", "json", *cache, linted)
        assert json.loads(warm.stdout) == cold


def test_a_run_file_whose_facts_the_cache_lost_is_linted_again_for_them(tmp_path):
    """The facts store gone (damaged, or not written), a warm run lints a run file known by its
    content again for its facts, and reports what a cold run reports."""
    linted = _run_file_project(tmp_path, "run.yaml")
    _, cold = lint_json("--isolated", linted)
    cache = tmp_path / "cache"
    run_cli("check", "--isolated", "--cache-dir", str(cache), linted)
    stores = list(cache.rglob("*.facts"))
    assert stores
    for store in stores:
        store.unlink()
    for _ in range(2):
        warm = run_cli("check", "--isolated", "--format", "json", "--cache-dir", str(cache), linted)
        assert json.loads(warm.stdout) == cold

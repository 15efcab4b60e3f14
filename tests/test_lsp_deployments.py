"""Deployment findings in the language server: the open document judged with its deployment, as `check FILE` does.

tests/fixtures/project/ (see tests/test_deployments.py) is copied into a
fresh git work tree. In-process, every file of it is opened with the
Analyzer and its findings are compared with what the real CLI reports for
that one file, run at the project root. End to end (marked slow), a pygls
client talks to `python -m daprlint server`: deployment findings come and go
as the Secret changes on disk (workspace/didChangeWatchedFiles), on save,
and in an unsaved buffer.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from daprlint.lsp.analysis import Analyzer

try:
    from lsprotocol import types as lsp

    from test_lsp import TIMEOUT, Client, RecordingClient, _change, _open, _stop

    PYGLS = True
except ImportError:  # the optional `daprlint[lsp]` extra
    PYGLS = False

needs_pygls = pytest.mark.skipif(not PYGLS, reason="pygls is not installed (pip install 'daprlint[lsp]')")
PROJECT = FIXTURES / "project"
COMPONENTS, SECRET, PUBSUB = "k8s/base/components.yaml", "k8s/base/secret.yaml", "resources/pubsub.yaml"
SECRET_VALUE = "not-a-real-password"


def _git(*args: str) -> subprocess.CompletedProcess:
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    return subprocess.run(["git", *args], check=True, env=env, capture_output=True)


@pytest.fixture
def project(tmp_path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    _git("init", "-q", str(root))
    return root


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and ".git" not in p.parts and (p.suffix in (".yaml", ".yml")))


def _cli(root: Path, rel: str) -> list[tuple]:
    proc = run_cli("check", "--no-cache", "--output-format", "json", rel, cwd=root)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return [(f["line"], f["column"], f["end_line"], f["end_column"], f["code"], f["severity"], f["message"])
            for f in json.loads(proc.stdout)["findings"]]


def _server(state) -> list[tuple]:
    return [(f.span.line + 1, f.span.column + 1, f.span.end_line + 1, f.span.end_column + 1, f.code, f.severity,
             f.message) for f in state.findings]


def _lint(analyzer: Analyzer, root: Path, rel: str, text: str | None = None, version: int = 1):
    path = root / rel
    return analyzer.lint(path.as_uri(), path.read_text(encoding="utf-8") if text is None else text, version)


def _codes(state) -> list[str]:
    return [f.code for f in state.findings]


# ---------------------------------------------------------------------------
# in-process: the Analyzer against the CLI
# ---------------------------------------------------------------------------
def test_every_file_gets_what_check_reports_for_it(project):
    """Same codes, spans, severities and messages (paths in messages relative to the root, as `check` there)."""
    analyzer = Analyzer(root=project)
    for rel in _files(project):
        assert _server(_lint(analyzer, project, rel)) == _cli(project, rel), rel
    # and the deployment findings are really there
    assert "XRF007" in _codes(_lint(analyzer, project, COMPONENTS))
    assert "XRF008" in _codes(_lint(analyzer, project, PUBSUB))


def test_the_expected_findings_of_the_tree(project):
    """Each file opened alone gives exactly its `# expect:` markers (the chart's template aside: see test_deployments)."""
    from test_deployments import expected

    analyzer = Analyzer(root=project)
    got = []
    for rel in _files(project):
        if rel.startswith("charts/"):
            continue
        got += [(rel, f.span.line + 1, f.span.column + 1, f.code) for f in _lint(analyzer, project, rel).findings]
    assert sorted(got) == [e for e in expected(project) if not e[0].startswith("charts/")]


def test_an_unsaved_buffer_of_a_context_file_counts(project):
    analyzer = Analyzer(root=project)
    components = _lint(analyzer, project, COMPONENTS)
    assert _codes(components) == ["XRF007"]
    secret_text = (project / SECRET).read_text(encoding="utf-8")
    _lint(analyzer, project, SECRET, secret_text.replace("  password:", "  passwrd:"), 2)
    components_uri = (project / COMPONENTS).as_uri()
    assert analyzer.dependents(str(project / SECRET)) == [components_uri]
    assert analyzer.refresh(components_uri) is True
    assert _codes(analyzer.states[components_uri]) == []
    assert (project / SECRET).read_text(encoding="utf-8") == secret_text  # nothing was written
    analyzer.forget((project / SECRET).as_uri())  # closed without saving: the disk counts again
    assert analyzer.refresh(components_uri) is True
    assert _codes(analyzer.states[components_uri]) == ["XRF007"]


def test_a_change_on_disk_is_seen_with_or_without_an_event(project):
    analyzer = Analyzer(root=project)
    uri = (project / COMPONENTS).as_uri()
    assert _codes(_lint(analyzer, project, COMPONENTS)) == ["XRF007"]
    secret = project / SECRET
    secret.write_text(secret.read_text(encoding="utf-8").replace("  password:", "  passwrd:"), encoding="utf-8")
    assert analyzer.refresh(uri) is True and _codes(analyzer.states[uri]) == []  # no event: the stat rule
    secret.write_text(secret.read_text(encoding="utf-8").replace("  passwrd:", "  password:"), encoding="utf-8")
    analyzer.file_changed(str(secret))  # an event
    assert analyzer.refresh(uri) is True and _codes(analyzer.states[uri]) == ["XRF007"]
    assert analyzer.refresh(uri) is False  # nothing changed: nothing to publish


def test_a_created_file_joins_the_deployment(project):
    """A Subscription to pub/sub `events` in the run file's resources: XRF002 until a new file defines it."""
    analyzer = Analyzer(root=project)
    (project / "resources/subscription.yaml").write_text("""\
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: orders-events
spec:
  topic: orders
  routes:
    default: /orders
  pubsubname: events
scopes:
- checkout
""", encoding="utf-8")
    uri = (project / "resources/subscription.yaml").as_uri()
    before = _lint(analyzer, project, "resources/subscription.yaml")
    assert _codes(before) == ["XRF002"]
    created = project / "resources/events.yaml"
    created.write_text((project / PUBSUB).read_text(encoding="utf-8").replace("name: orders-pubsub", "name: events"),
                       encoding="utf-8")
    analyzer.file_changed(str(created), listing=True)
    assert uri in analyzer.dependents(str(created), listing=True)
    assert analyzer.refresh(uri) is True
    assert _codes(analyzer.states[uri]) == []
    assert _server(analyzer.states[uri]) == _cli(project, "resources/subscription.yaml")


def test_a_kustomize_patch_is_linted_as_partial(project):
    analyzer = Analyzer(root=project)
    state = _lint(analyzer, project, "k8s/overlays/prod/orders-db-patch.yaml")
    assert state.role == "patch" and state.findings == []
    elsewhere = project / "elsewhere" / "orders-db-patch.yaml"  # where no kustomization names it a patch
    elsewhere.parent.mkdir()
    shutil.copy(project / "k8s/overlays/prod/orders-db-patch.yaml", elsewhere)
    whole = analyzer.lint(elsewhere.as_uri(), elsewhere.read_text(encoding="utf-8"), 1)
    assert whole.role == "" and whole.findings and _server(whole) == _cli(project, "elsewhere/orders-db-patch.yaml")


def test_suppressions_and_per_file_ignores_apply_to_deployment_findings(project):
    analyzer = Analyzer(root=project)
    text = (project / COMPONENTS).read_text(encoding="utf-8").replace(
        "# expect: XRF007 @ passwrd", "# daprlint: ignore[XRF007]")
    assert _codes(_lint(analyzer, project, COMPONENTS, text)) == []  # suppressed, and no SUP001
    (project / ".daprlint.toml").write_text('per-file-ignores = { "k8s/**" = ["XRF007"] }\n', encoding="utf-8")
    assert _codes(Analyzer(root=project).lint((project / COMPONENTS).as_uri(),
                                              (project / COMPONENTS).read_text(encoding="utf-8"), 1)) == []


def test_ignore_on_this_line_works_for_a_deployment_finding(project):
    from test_lsp import apply_edits

    analyzer = Analyzer(root=project)
    state = _lint(analyzer, project, COMPONENTS)
    [diagnostic] = analyzer.diagnostics(state)
    [action] = [a for a in analyzer.code_actions(state, diagnostic["range"]) if a["title"] == "Ignore XRF007 on this line"]
    text = apply_edits(state.text, action["edit"]["changes"][state.uri])
    assert "key: passwrd  # expect: XRF007 @ passwrd  # daprlint: ignore[XRF007]" in text
    assert _codes(_lint(analyzer, project, COMPONENTS, text, 2)) == []


def test_no_deployment_findings_when_no_deployment_rule_runs(project):
    (project / ".daprlint.toml").write_text('select = ["ANN001", "ANN002"]\n', encoding="utf-8")  # ANN006 is one
    analyzer = Analyzer(root=project)
    state = _lint(analyzer, project, "k8s/base/deployment.yaml")
    assert _codes(state) == ["ANN001", "ANN002"] and state.used == set() and state.root is None


def test_the_cache_stays_where_git_ignores_it(project):
    analyzer = Analyzer(root=project)
    _lint(analyzer, project, COMPONENTS)
    analyzer.save_caches()
    stored = sorted(p.relative_to(project).as_posix() for p in (project / ".daprlint_cache").rglob("*") if p.is_file())
    assert stored and all(p.startswith(".daprlint_cache/lsp/") or p in (".daprlint_cache/CACHEDIR.TAG",
                                                                       ".daprlint_cache/.gitignore") for p in stored)
    assert any(p.startswith(".daprlint_cache/lsp/") for p in stored)
    status = _git("-C", str(project), "status", "--porcelain", "--untracked-files=all").stdout.decode()
    assert ".daprlint_cache" not in status
    assert SECRET_VALUE.encode() not in b"".join((project / p).read_bytes() for p in stored)  # marshal: UTF-8
    # a second server starts from the cache: the same findings
    again = Analyzer(root=project)
    assert _server(_lint(again, project, COMPONENTS)) == _server(analyzer.states[(project / COMPONENTS).as_uri()])


def test_a_cache_folder_that_is_a_link_is_not_used(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / ".daprlint_cache").symlink_to(elsewhere, target_is_directory=True)
    analyzer = Analyzer(root=project)
    assert _codes(_lint(analyzer, project, COMPONENTS)) == ["XRF007"]  # the findings do not need it
    analyzer.save_caches()
    assert list(elsewhere.iterdir()) == []
    assert analyzer.take_notes() == [f"not using the result cache: {project / '.daprlint_cache'} is a symbolic link"]
    assert analyzer.take_notes() == []  # said once


def test_no_cache_is_written_outside_a_project(tmp_path):
    folder = tmp_path / "loose"
    shutil.copytree(PROJECT / "k8s/base", folder)
    analyzer = Analyzer(root=folder)
    state = analyzer.lint((folder / "components.yaml").as_uri(), (folder / "components.yaml").read_text(), 1)
    assert _codes(state) == ["XRF007"]  # the folder is the deployment (the fallback)
    analyzer.save_caches()
    assert not (folder / ".daprlint_cache").exists()


def _fill(root: Path, folder: str = "k8s/base", count: int = 24) -> None:
    """Files beside the component (read as context, members of no deployment): more than DEFER_ABOVE."""
    for number in range(count):
        (root / folder / f"filler-{number:02}.yaml").write_text(
            f"apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: filler-{number}\nspec:\n"
            "  type: state.redis\n  version: v1\n  metadata:\n  - name: redisHost\n    value: localhost:6379\n",
            encoding="utf-8")


def test_a_project_read_for_the_first_time_gets_its_deployment_findings_second(project, monkeypatch):
    from daprlint import cache
    from daprlint.lsp.analysis import DEFER_ABOVE

    _fill(project, count=DEFER_ABOVE + 8)
    # files changed in the last two seconds are never trusted by their stat (cache.settled): these were
    monkeypatch.setattr(cache, "RACY_MARGIN_NS", 0)
    analyzer = Analyzer(root=project)
    uri = (project / COMPONENTS).as_uri()
    text = (project / COMPONENTS).read_text(encoding="utf-8").replace(
        "  name: orders-db\n", "  name: orders-db  # daprlint: ignore[DPR003]\n")  # an unused suppression
    state = analyzer.lint(uri, text, 1, defer_above=DEFER_ABOVE)
    assert state.deferred is not None and _codes(state) == []  # no SUP001 before the deployment findings
    assert analyzer.complete(uri, state) is True and state.deferred is None
    assert _codes(state) == ["SUP001", "XRF007"]
    assert analyzer.complete(uri, state) is False
    assert _codes(analyzer.lint(uri, text, 2, defer_above=DEFER_ABOVE)) == ["SUP001", "XRF007"]  # read now
    analyzer.save_caches()
    warm = Analyzer(root=project)  # a new server: the result cache knows the files
    state = warm.lint(uri, text, 1, defer_above=DEFER_ABOVE)
    assert state.deferred is None and _codes(state) == ["SUP001", "XRF007"]


# ---------------------------------------------------------------------------
# end to end: a real server and pygls's client
# ---------------------------------------------------------------------------
if PYGLS:
    class WatchingClient(RecordingClient):
        """A client that lets the server register file watchers, and keeps the registrations."""

        def __init__(self):
            super().__init__()
            self.registrations: list = []

            @self.feature(lsp.CLIENT_REGISTER_CAPABILITY)
            def _register(ls, params):
                self.registrations.extend(params.registrations)


async def _start(client, root: Path, watching: bool, fast_start: bool = True):
    env = {**os.environ, "DAPRLINT_LSP_FAST_START": "1" if fast_start else "0"}
    await asyncio.wait_for(client.start_io(sys.executable, "-m", "daprlint", "server", env=env, cwd=str(root)),
                           TIMEOUT)
    workspace = lsp.WorkspaceClientCapabilities(did_change_watched_files=lsp.DidChangeWatchedFilesClientCapabilities(
        dynamic_registration=watching))
    await asyncio.wait_for(client.initialize_async(lsp.InitializeParams(
        capabilities=lsp.ClientCapabilities(workspace=workspace), process_id=os.getpid(),
        root_uri=root.as_uri())), TIMEOUT)
    client.initialized(lsp.InitializedParams())


def _has(code: str):
    return lambda p: any(d.code == code for d in p.diagnostics)


def _lacks(code: str):
    return lambda p: not any(d.code == code for d in p.diagnostics)


def _set_secret_key(root: Path, key: str) -> str:
    path = root / SECRET
    text = path.read_text(encoding="utf-8")
    for old in ("  password:", "  passwrd:"):
        text = text.replace(old, f"  {key}:")
    return text


async def _watched(root: Path, fast_start: bool) -> None:
    client = WatchingClient()
    components, secret, pubsub = (root / p for p in (COMPONENTS, SECRET, PUBSUB))
    try:
        await _start(client, root, watching=True, fast_start=fast_start)
        _open(client, components.as_uri(), components.read_text(encoding="utf-8"))
        first = await client.diagnostics(components.as_uri())
        xrf007 = [d for d in first.diagnostics if d.code == "XRF007"]
        assert len(xrf007) == 1 and xrf007[0].range.start == lsp.Position(line=11, character=11)
        assert xrf007[0].message.startswith("Secret `db` (k8s/base/secret.yaml:4) has no key `passwrd`")

        # the server asked to watch the manifests and the configuration
        deadline = asyncio.get_running_loop().time() + TIMEOUT
        while not client.registrations and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        [registration] = client.registrations
        assert registration.method == lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES
        globs = {w["globPattern"] if isinstance(w, dict) else w.glob_pattern
                 for w in (registration.register_options["watchers"] if isinstance(registration.register_options, dict)
                           else registration.register_options.watchers)}
        assert {"**/*.yaml", "**/*.yml", "**/Kustomization", "**/.daprlint.toml"} <= globs

        # the Secret gets the key on disk: a watched-file event clears the XRF007
        secret.write_text(_set_secret_key(root, "passwrd"), encoding="utf-8")
        client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(
            changes=[lsp.FileEvent(uri=secret.as_uri(), type=lsp.FileChangeType.Changed)]))
        await client.diagnostics(components.as_uri(), _lacks("XRF007"))

        # another file of another deployment
        _open(client, pubsub.as_uri(), pubsub.read_text(encoding="utf-8"))
        await client.diagnostics(pubsub.as_uri(), _has("XRF008"))

        # an unsaved edit of the Secret's buffer counts
        _open(client, secret.as_uri(), secret.read_text(encoding="utf-8"))
        await client.diagnostics(secret.as_uri())
        _change(client, secret.as_uri(), _set_secret_key(root, "password"), 2)
        await client.diagnostics(components.as_uri(), _has("XRF007"))
        _change(client, secret.as_uri(), _set_secret_key(root, "passwrd"), 3)
        await client.diagnostics(components.as_uri(), _lacks("XRF007"))

        # closing the buffer unsaved: the disk counts again (it has `passwrd` too: nothing to say)
        _change(client, secret.as_uri(), _set_secret_key(root, "password"), 4)
        await client.diagnostics(components.as_uri(), _has("XRF007"))
        client.text_document_did_close(lsp.DidCloseTextDocumentParams(
            text_document=lsp.TextDocumentIdentifier(uri=secret.as_uri())))
        await client.diagnostics(components.as_uri(), _lacks("XRF007"))
    except BaseException:
        await asyncio.wait_for(client.stop(), TIMEOUT)
        raise
    code, stderr = await _stop(client)
    assert (code, stderr) == (0, "")
    assert SECRET_VALUE not in bytes(client.raw).decode("utf-8")  # the Secret's value never goes out


@pytest.mark.slow
@needs_pygls
@pytest.mark.parametrize("fast_start", [True, False], ids=["fast-start", "pygls-only"])
def test_server_follows_the_deployment_with_watched_files(project, fast_start):
    asyncio.run(asyncio.wait_for(_watched(project, fast_start), 120))


async def _saved(root: Path) -> None:
    """A client without file watching: the Secret's save updates the component."""
    client = WatchingClient()
    components, secret = root / COMPONENTS, root / SECRET
    try:
        await _start(client, root, watching=False)
        _open(client, components.as_uri(), components.read_text(encoding="utf-8"))
        await client.diagnostics(components.as_uri(), _has("XRF007"))
        _open(client, secret.as_uri(), secret.read_text(encoding="utf-8"))
        await client.diagnostics(secret.as_uri())
        text = _set_secret_key(root, "passwrd")
        _change(client, secret.as_uri(), text, 2)
        await client.diagnostics(components.as_uri(), _lacks("XRF007"))
        secret.write_text(text, encoding="utf-8")
        client.text_document_did_save(lsp.DidSaveTextDocumentParams(
            text_document=lsp.TextDocumentIdentifier(uri=secret.as_uri())))
        await client.diagnostics(secret.as_uri())
        client.text_document_did_close(lsp.DidCloseTextDocumentParams(
            text_document=lsp.TextDocumentIdentifier(uri=secret.as_uri())))
        await client.diagnostics(secret.as_uri(), lambda p: p.diagnostics == [])
        # saved: with the buffer closed the disk says the same, so the component stays clean
        await asyncio.sleep(0.3)
        while not client.published.empty():
            params = client.published.get_nowait()
            assert params.uri != components.as_uri() or _lacks("XRF007")(params)
        assert client.registrations == []  # not asked for: not registered
    except BaseException:
        await asyncio.wait_for(client.stop(), TIMEOUT)
        raise
    assert await _stop(client) == (0, "")


@pytest.mark.slow
@needs_pygls
def test_server_follows_the_deployment_on_save(project):
    asyncio.run(asyncio.wait_for(_saved(project), 120))


async def _first_open(root: Path, fast_start: bool) -> None:
    """A project not read yet: per-file diagnostics first, then the same version with the deployment findings."""
    client = WatchingClient()
    components = root / COMPONENTS
    try:
        await _start(client, root, watching=False, fast_start=fast_start)
        # the fast start answers the first open, pygls the second (the first: a buffer of no project)
        if not fast_start:
            _open(client, "untitled:Untitled-1", "a: 1\n")
            await client.diagnostics("untitled:Untitled-1")
        _open(client, components.as_uri(), components.read_text(encoding="utf-8"))
        first = await client.diagnostics(components.as_uri())
        assert first.version == 1 and _lacks("XRF007")(first)
        second = await client.diagnostics(components.as_uri())
        assert second.version == 1 and _has("XRF007")(second)
    except BaseException:
        await asyncio.wait_for(client.stop(), TIMEOUT)
        raise
    assert await _stop(client) == (0, "")


@pytest.mark.slow
@needs_pygls
@pytest.mark.parametrize("fast_start", [True, False], ids=["fast-start", "pygls-only"])
def test_server_sends_deployment_findings_after_a_first_read(project, fast_start):
    from daprlint.lsp.analysis import DEFER_ABOVE

    _fill(project, count=DEFER_ABOVE + 8)
    asyncio.run(asyncio.wait_for(_first_open(project, fast_start), 120))

"""The secrets file (`--secrets-out`): never in git, never merged destructively,
never the file being fixed, in the component's namespace, 0600.

Each class of problem is tested on its own terms: "git would commit it"
over every way a path can be tracked or untracked; "merged by editing"
as "the old text survives as a subsequence with only insertions" over
hand-written hostile files and hypothesis-generated ones.
"""
from __future__ import annotations

import base64
import difflib
import json
import os
import shutil
import stat
import subprocess

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, run_cli
from daprlint import secrets_out
from daprlint.secrets_out import SecretsError, SecretsSink

SECRET_CASE = FIXTURES / "fix" / "sec001-secret-ref.yaml"
VALUES = {"redisPassword": "fixture-only-pw", "sentinelPassword": "fixture-only-sentinel"}
has_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def only_insertions(old: str, new: str) -> bool:
    """*new* is *old* with text added and nothing else changed."""
    ops = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    return all(op in ("equal", "insert") for op, *_ in ops) and len(new) >= len(old)


def _fix(tmp_path, out, manifest=SECRET_CASE, *extra, cwd=None):
    target = tmp_path / "c.yaml"
    if manifest is not None:
        shutil.copy(manifest, target)
    proc = run_cli("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", "--secrets-out", str(out),
                   "--format", "json", *extra, str(target), cwd=cwd or tmp_path)
    return target, proc


def _git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


# -- 2. never where git would commit it ------------------------------------------
@has_git
@pytest.mark.parametrize("case", ["new-folder", "tracked-and-ignored", "untracked", "from-outside-cwd",
                                  "git-dir-env-elsewhere"])
def test_secrets_never_go_where_git_would_commit_them(tmp_path, case):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git("init", "-q", cwd=repo)
    cwd = tmp_path
    env = {}
    out = repo / "secrets.yaml"
    if case == "new-folder":
        out = repo / "newdir" / "s.yaml"
    elif case == "tracked-and-ignored":
        out.write_text("# tracked\n")
        _git("add", "secrets.yaml", cwd=repo)
        (repo / ".gitignore").write_text("secrets.yaml\n")
    elif case == "from-outside-cwd":
        cwd = tmp_path  # the run's working directory is outside the repository
    elif case == "git-dir-env-elsewhere":
        other = tmp_path / "other"
        other.mkdir()
        _git("init", "-q", cwd=other)
        (other / ".gitignore").write_text("*\n")
        env = {"GIT_DIR": str(other / ".git"), "GIT_WORK_TREE": str(repo)}
    before = out.read_bytes() if out.exists() else None
    target = tmp_path / "c.yaml"
    shutil.copy(SECRET_CASE, target)
    proc = run_cli("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", "--secrets-out", str(out),
                   str(target), cwd=cwd, env=env)
    assert (out.read_bytes() if out.exists() else None) == before, "a secret was written where git sees it"
    assert not (repo / "newdir").exists()
    assert b"fixture-only-pw" in target.read_bytes(), "the value must stay in the manifest"
    assert b"FIX001" in proc.stdout and b"refusing to write secrets" in proc.stdout


@has_git
@pytest.mark.parametrize("pattern,out", [("secrets.yaml", "secrets.yaml"), ("private/", "private/new/s.yaml"),
                                         ("*.secret.json", "deep/er/x.secret.json")])
def test_secrets_go_where_git_ignores_them(tmp_path, pattern, out):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git("init", "-q", cwd=repo)
    (repo / ".gitignore").write_text(pattern + "\n")
    target, proc = _fix(tmp_path, repo / out)
    assert (repo / out).exists(), proc.stdout
    assert b"fixture-only-pw" not in target.read_bytes()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo,
                            capture_output=True, check=True).stdout
    assert status == b"?? .gitignore\n", "only the .gitignore shows; the secrets never do"


def test_without_git_a_work_tree_is_refused(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.setattr(secrets_out, "_git", lambda args, cwd: None)
    with pytest.raises(SecretsError, match="git"):
        SecretsSink(tmp_path / "new" / "s.yaml")


def test_a_git_that_fails_is_a_refusal(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    failed = subprocess.CompletedProcess([], 128, b"", b"fatal: detected dubious ownership")
    monkeypatch.setattr(secrets_out, "_git", lambda args, cwd: failed)
    with pytest.raises(SecretsError, match="could not check"):
        SecretsSink(tmp_path / "s.yaml")


# -- 3. merged by editing ---------------------------------------------------------
EXISTING_YAML = """\
# production secrets: keep this header
apiVersion: v1
kind: ConfigMap   # not a secret: left alone
metadata:
  name: settings
data:
  retries: "3"
---
apiVersion: v1
kind: Secret
metadata:
  name: cache-secrets
  labels: {{team: payments}}
type: Opaque
stringData:
  existing: 'it''s kept'   # and this comment
---
apiVersion: v1
kind: Secret
metadata:
  name: tls
  namespace: prod
type: kubernetes.io/tls
data:
  tls.crt: {crt}
  tls.key: {key}
""".format(crt=base64.b64encode(b"\x00\xff\xfe binary \x80").decode(), key=base64.b64encode(bytes(range(256))).decode())


def test_yaml_merge_only_inserts(tmp_path):
    out = tmp_path / "secrets.yaml"
    out.write_text(EXISTING_YAML)
    target, proc = _fix(tmp_path, out)
    new = out.read_text()
    assert only_insertions(EXISTING_YAML, new), new
    docs = list(yaml.safe_load_all(new))
    assert docs[1]["stringData"] == {"existing": "it's kept", **VALUES}
    assert base64.b64decode(docs[2]["data"]["tls.key"]) == bytes(range(256))
    assert b"fixture-only-pw" not in target.read_bytes()


def test_yaml_merge_adds_to_data_when_the_secret_has_only_data(tmp_path):
    text = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: cache-secrets\ndata:\n  old: "
            + base64.b64encode(b"\xff\x00").decode() + "\n")
    out = tmp_path / "s.yaml"
    out.write_text(text)
    _fix(tmp_path, out)
    new = out.read_text()
    assert only_insertions(text, new)
    data = yaml.safe_load(new)["data"]
    assert base64.b64decode(data["old"]) == b"\xff\x00"
    assert {k: base64.b64decode(v).decode() for k, v in data.items() if k != "old"} == VALUES


def test_yaml_merge_keeps_crlf_bom_and_a_missing_final_newline(tmp_path):
    text = "# secrets\r\napiVersion: v1\r\nkind: Secret\r\nmetadata:\r\n  name: other\r\nstringData:\r\n  a: b"
    out = tmp_path / "s.yaml"
    out.write_bytes(b"\xef\xbb\xbf" + text.encode())
    _fix(tmp_path, out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    new = raw[3:].decode()
    assert only_insertions(text, new) and "\n" not in new.replace("\r\n", "")
    assert [d["metadata"]["name"] for d in yaml.safe_load_all(new)] == ["other", "cache-secrets"]


EXISTING_JSON = """{
    "other": {"port": 5432, "ratio": 1.50, "on": true, "none": null, "nested": {"a": [1, "x"]}},
    "cache-secrets": {
        "existing": "caf\\u00e9"
    }
}
"""


def test_json_merge_only_inserts_and_keeps_types(tmp_path):
    out = tmp_path / "secrets.json"
    out.write_text(EXISTING_JSON)
    _fix(tmp_path, out)
    new = out.read_text()
    assert only_insertions(EXISTING_JSON, new), new
    data = json.loads(new)
    assert data["other"] == {"port": 5432, "ratio": 1.5, "on": True, "none": None, "nested": {"a": [1, "x"]}}
    assert type(data["other"]["port"]) is int and data["other"]["on"] is True
    assert data["cache-secrets"] == {"existing": "café", **VALUES}
    assert '1.50' in new and '"caf\\u00e9"' in new, "numbers and escapes keep their spelling"


@pytest.mark.parametrize("suffix,text", [
    (".json", '{"cache-secrets": "flat string"}'),     # not the nested multiValued shape
    (".json", '{"a": 1, "a": 2}'),                      # duplicate keys
    (".json", "[1, 2]"),
    (".json", "{not json"),
    (".yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: cache-secrets}\nstringData:\n  k: !!binary AA==\n"
              "  nested: {a: b}\n"),
    (".yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: cache-secrets}\nstringData: {a: b}\n---\n"
              "apiVersion: v1\nkind: Secret\nmetadata: {name: cache-secrets}\n"),
    (".yaml", "a: [unclosed\n"),
])
def test_a_file_that_cannot_be_merged_safely_is_an_error_and_the_fix_is_not_applied(tmp_path, suffix, text):
    out = tmp_path / ("s" + suffix)
    out.write_text(text)
    target, proc = _fix(tmp_path, out)
    assert out.read_text() == text
    assert b"fixture-only-pw" in target.read_bytes()
    assert any(f["code"] == "FIX001" for f in json.loads(proc.stdout)["findings"]), proc.stdout


_KEYS = st.text(st.sampled_from("abcXYZ019._-"), min_size=1, max_size=8)
_VALUES = st.text(max_size=20).filter(lambda v: "\x00" not in v)
_NAMES = st.from_regex(r"[a-z][a-z0-9-]{0,6}[a-z0-9]", fullmatch=True)


@st.composite
def existing_yaml(draw):
    docs = []
    for i, name in enumerate(draw(st.lists(_NAMES, max_size=3, unique=True))):  # two of one name: refused
        comment = draw(st.sampled_from(["", "  # c", "  # ü"]))
        body = draw(st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=3))
        section = draw(st.sampled_from(["stringData", "data"]))
        if section == "data":
            body = {k: base64.b64encode(v.encode()).decode() for k, v in body.items()}
        lines = ["apiVersion: v1", "kind: Secret", "metadata:", f"  name: {name}{comment}"]
        if draw(st.booleans()):
            lines.append(f"  namespace: {draw(_NAMES)}")
        lines.append(f"{section}:")
        lines += ["  " + line for line in yaml.safe_dump(body, allow_unicode=True, width=1000).splitlines()]
        if draw(st.booleans()):
            lines.append(f"# trailing comment {i}")
        docs.append("\n".join(lines))
    text = "---\n".join(d + "\n" for d in docs)
    if draw(st.booleans()) and text:
        text = text[:-1]
    return text


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(existing=existing_yaml(), adds=st.dictionaries(
    st.tuples(st.none() | _NAMES, _NAMES), st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=3),
    min_size=1, max_size=3))
def test_property_yaml_merge_only_inserts_and_keeps_every_value(tmp_path_factory, existing, adds):
    out = tmp_path_factory.mktemp("m") / "s.yaml"
    out.write_text(existing)
    sink = SecretsSink(out)
    before = {k: dict(v) for k, v in sink.existing.items()}
    if any(sink.conflict({key: values}) for key, values in adds.items()):
        return  # a key that already holds another value is an error, tested elsewhere
    sink.add(adds)
    sink.flush()
    new = out.read_text()
    assert only_insertions(existing, new)
    fresh = SecretsSink(out)
    for key, values in before.items():
        assert fresh.existing[key].items() >= values.items()
    for key, values in adds.items():
        for k, v in values.items():
            assert fresh.value(key[1], k, key[0]) in (v, v.encode())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(existing=st.dictionaries(_NAMES, st.dictionaries(_KEYS, st.none() | st.booleans() | st.integers()
                                                           | st.floats(allow_nan=False) | _VALUES, max_size=3),
                                max_size=3),
       indent=st.sampled_from([None, 2, 4, "\t"]),
       adds=st.dictionaries(_NAMES, st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=2), min_size=1, max_size=2))
def test_property_json_merge_only_inserts_and_keeps_types(tmp_path_factory, existing, indent, adds):
    out = tmp_path_factory.mktemp("j") / "s.json"
    old = json.dumps(existing, indent=indent)
    out.write_text(old)
    sink = SecretsSink(out)
    if any(sink.conflict({name: values}) for name, values in adds.items()):
        return
    sink.add(adds)
    sink.flush()
    new = out.read_text()
    assert only_insertions(old, new)
    data = json.loads(new)
    for name, values in existing.items():
        for k, v in values.items():
            assert type(data[name][k]) is type(v) and data[name][k] == v
    for name, values in adds.items():
        assert data[name].items() >= values.items()


# -- 4. never the file being fixed -------------------------------------------------
@pytest.mark.parametrize("spelling", ["same", "dot-slash", "absolute", "walked", "hard-link-target"])
def test_secrets_out_overlapping_a_fixed_file_is_refused(tmp_path, spelling):
    folder = tmp_path / "deploy"
    folder.mkdir()
    target = folder / "c.yaml"
    shutil.copy(SECRET_CASE, target)
    paths = [str(target.relative_to(tmp_path))]
    out = paths[0]
    if spelling == "dot-slash":
        out = "./deploy/./c.yaml"
    elif spelling == "absolute":
        out = str(target)
    elif spelling == "walked":
        paths = ["deploy"]
    elif spelling == "hard-link-target":
        out = str(tmp_path / "s.yaml")
        os.link(target, out)
    proc = run_cli("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", "--secrets-out", out,
                   "--format", "json", *paths, cwd=tmp_path)
    assert target.read_bytes() == SECRET_CASE.read_bytes(), "the manifest (and its secret) must be kept"
    report = json.loads(proc.stdout)
    assert report["summary"]["fixed"] == 0
    assert any(f["code"] == "FIX001" for f in report["findings"])


# -- 11. the component's namespace ---------------------------------------------------
NAMESPACED = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: cache
  namespace: prod
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost
    value: redis:6379
  - name: redisPassword
    value: prod-only-pw
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: cache
  namespace: staging
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost
    value: redis:6379
  - name: redisPassword
    value: staging-only-pw
"""


def test_each_secret_gets_the_namespace_of_its_component(tmp_path):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(NAMESPACED)
    out = tmp_path / "s.yaml"
    out.write_text("apiVersion: v1\nkind: Secret\nmetadata:\n  name: cache-secrets\nstringData:\n  x: y\n")
    run_cli("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", "--secrets-out", str(out), str(manifest))
    docs = {(d["metadata"].get("namespace"), d["metadata"]["name"]): d["stringData"]
            for d in yaml.safe_load_all(out.read_text())}
    assert docs == {(None, "cache-secrets"): {"x": "y"},
                    ("prod", "cache-secrets"): {"redisPassword": "prod-only-pw"},
                    ("staging", "cache-secrets"): {"redisPassword": "staging-only-pw"}}
    assert b"-only-pw" not in manifest.read_bytes()


def test_the_sink_keeps_its_old_interface(tmp_path):
    """SecretsSink(path), conflict(), add(), flush() with {name: {key: value}} (the language server's helper)."""
    out = tmp_path / "s.json"
    sink = SecretsSink(out)
    assert sink.conflict({"n": {"k": "v"}}) is None
    sink.add({"n": {"k": "v"}})
    sink.flush()
    assert json.loads(out.read_text()) == {"n": {"k": "v"}}
    assert SecretsSink(out).conflict({"n": {"k": "other"}})


def test_a_kubernetes_secret_needs_a_kubernetes_name(tmp_path):
    sink = SecretsSink(tmp_path / "s.yaml")
    assert "not a valid Kubernetes Secret name" in sink.conflict({(None, "cart #1: x-secrets"): {"k": "v"}})
    assert "not a valid key" in sink.conflict({(None, "cart"): {"a key": "v"}})
    assert sink.conflict({("prod", "cart-1.x"): {"k_1.-": "v"}}) is None


# -- the file itself: 0600, 0700, fsync -----------------------------------------------
def test_new_file_is_0600_in_new_0700_folders_and_fsynced(tmp_path, monkeypatch):
    from daprlint import atomic

    synced = []
    real = os.fsync
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (synced.append(stat.S_IFMT(os.fstat(fd).st_mode)), real(fd)))
    out = tmp_path / "a" / "b" / "s.json"
    sink = SecretsSink(out)
    sink.add({"n": {"k": "v"}})
    sink.flush()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700
    assert synced == [stat.S_IFREG, stat.S_IFDIR]
    assert sorted(os.listdir(out.parent)) == ["s.json"]


def test_existing_file_keeps_its_mode(tmp_path):
    out = tmp_path / "s.json"
    out.write_text("{}")
    out.chmod(0o640)
    sink = SecretsSink(out)
    sink.add({"n": {"k": "v"}})
    sink.flush()
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_a_folder_as_secrets_out_is_a_clear_error(tmp_path):
    (tmp_path / "d.yaml").mkdir()
    with pytest.raises(SecretsError, match="folder"):
        SecretsSink(tmp_path / "d.yaml")

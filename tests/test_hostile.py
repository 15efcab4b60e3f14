"""Hostile input: every input ends cleanly, with a clear message, in bounded time."""
from __future__ import annotations

import json
import os

import pytest

from conftest import FIXTURES, run_cli, shared_or_skip

GOOD = b"apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: c\nspec:\n  type: state.redis\n" \
       b"  version: v1\n  metadata:\n  - name: redisHost\n    value: r:6379\n"


def _report(*args, **kw):
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "json", *args, **kw)
    assert proc.returncode in (0, 1), proc.stderr
    assert b"Traceback" not in proc.stderr
    return json.loads(proc.stdout)


def test_yaml_test_suite_never_errors():
    suite = shared_or_skip("reference", "yaml-test-suite")
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "json", str(suite), timeout=120)
    assert proc.returncode in (0, 1) and b"Traceback" not in proc.stderr
    files = [p for p in suite.rglob("*") if p.is_file()]
    # every file explicitly, including the ones that are not named *.yaml
    for chunk in range(0, len(files), 400):
        proc = run_cli("check", "--isolated", "--no-cache", "--format", "json",
                       *[str(p) for p in files[chunk:chunk + 400]], timeout=300)
        assert proc.returncode in (0, 1), proc.stderr
        assert not [f for f in json.loads(proc.stdout)["findings"] if f["code"] == "INT001"]


def test_encodings_nul_and_binary_get_clear_messages_and_others_are_still_linted(tmp_path):
    cases = {
        "utf16.yaml": "a: b\n".encode("utf-16"),
        "nul.yaml": b"apiVersion: dapr.io/v1alpha1\x00\n",
        "latin1.yaml": "name: caf\xe9\n".encode("latin-1"),
        "binary.yaml": bytes(range(256)),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "good.yaml").write_bytes(GOOD)
    report = _report(str(tmp_path))
    messages = {os.path.basename(f["path"]): f["message"] for f in report["findings"] if f["code"] == "YML002"}
    assert "UTF-16" in messages["utf16.yaml"]
    assert "NUL" in messages["nul.yaml"]
    assert "UTF-8" in messages["latin1.yaml"]
    assert "binary.yaml" in messages
    assert report["summary"]["files"] == 5


def test_size_limit(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(GOOD + b"#" * 2000 + b"\n")
    report = _report("--max-file-size", "1000", str(big))
    assert [f["code"] for f in report["findings"]] == ["YML002"]
    assert "limit" in report["findings"][0]["message"]


def test_default_size_limit_is_5_mb(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(GOOD + (b"# " + b"x" * 1022 + b"\n") * (5 * 1024 + 1))
    report = _report(str(big))
    assert [f["code"] for f in report["findings"]] == ["YML002"]


def test_stdin_size_limit():
    report = _report("--max-file-size", "100", "-", input=GOOD * 10)
    assert [f["code"] for f in report["findings"]] == ["YML002"]


def test_billion_laughs_ends_quickly(tmp_path):
    lines = ['apiVersion: dapr.io/v1alpha1', 'kind: Component', 'metadata: {name: lol}', 'spec:',
             '  type: state.redis', '  version: v1', '  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"  l{i}: &l{i} [" + ",".join([f"*l{i-1}"] * 9) + "]")
    lines.append("  metadata:\n  - name: redisHost\n    value: *l9")
    path = tmp_path / "lol.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size < 1500
    _report("--select", "ALL", str(path), timeout=10)


@pytest.mark.parametrize("depth", [500, 5000, 100000])
def test_deep_nesting_is_bounded(tmp_path, depth):
    path = tmp_path / "deep.yaml"
    path.write_text("apiVersion: dapr.io/v1alpha1\nkind: Component\nspec: " + "[" * depth + "]" * depth + "\n")
    _report("--select", "ALL", str(path), timeout=20)


def test_fifo_and_device_are_reported_not_read(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    (tmp_path / "good.yaml").write_bytes(GOOD)
    report = _report(str(tmp_path), "/dev/null", timeout=20)
    messages = {f["path"]: f["message"] for f in report["findings"]}
    assert "FIFO" in messages[str(fifo)]
    assert "device" in messages["/dev/null"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads unreadable files")
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.yaml"
    path.write_bytes(GOOD)
    path.chmod(0)
    report = _report(str(path))
    assert report["findings"][0]["code"] == "YML002"


def test_missing_file_is_a_usage_error():
    proc = run_cli("check", "--isolated", "--no-cache", "/nonexistent/daprlint/x.yaml")
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert proc.stderr.decode().splitlines()[0] == "daprlint: error: /nonexistent/daprlint/x.yaml: no such file or folder"


def test_symlink_loop_in_walk(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "c.yaml").write_bytes(GOOD)
    os.symlink(tmp_path, tmp_path / "a" / "up")
    report = _report(str(tmp_path), timeout=20)
    assert report["summary"]["files"] == 1


def test_rule_crash_is_int001_others_still_run():
    pack = FIXTURES / "secrets" / "pack"
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "json", "--rule-pack", str(pack),
                   "--extend-select", "ZZZ999", str(FIXTURES / "secrets" / "planted.yaml"),
                   str(FIXTURES / "rules" / "AWS001" / "bad.yaml"))
    assert proc.returncode == 2
    codes = [f["code"] for f in json.loads(proc.stdout)["findings"]]
    assert "INT001" in codes and "AWS001" in codes and "SEC001" in codes


def test_a_file_growing_after_stat_is_read_only_up_to_the_limit():
    import os

    from daprlint.engine import _read_all

    read_end, write_end = os.pipe()
    os.write(write_end, b"x" * 10)
    os.close(write_end)
    try:
        # stat() said 2 bytes; 10 arrived: reading stops at the limit, and the
        # engine rejects anything over max-file-size by its length
        assert _read_all(read_end, 2, 5) == b"xxxxx"
    finally:
        os.close(read_end)


def test_many_documents_in_one_file_stay_linear(tmp_path):
    """`helm template` of a large chart: 20,000 documents, 4.5 MB, with a credential shape in one
    of them (so SEC002 and the secret spans look at every scalar). Each resource once: linear.
    (A hang guard, not a timing test; bench/run.py measures it.)"""
    doc = ("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: c{i}\nspec:\n  type: state.redis\n"
           "  version: v1\n  metadata:\n  - name: redisHost\n    value: r{i}:6379\n  - name: redisPassword\n"
           "    secretKeyRef: {{name: redis-{i}, key: password}}\n")
    text = "---\n".join(doc.format(i=i) for i in range(20_000)).replace("r1:6379", "amqp://u:AKIAABCDEFGHIJKLMNOP@h")
    assert 4_000_000 < len(text) < 5_000_000
    (tmp_path / "big.yaml").write_text(text, encoding="utf-8")
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "json", "big.yaml", cwd=tmp_path, timeout=120)
    assert [f["code"] for f in json.loads(proc.stdout)["findings"]] == ["SEC002"]


@pytest.mark.parametrize("pattern", ["*a" * 12 + "b", "a/" + "**/" * 12 + "b", "x/**/" * 6 + "b",
                                     "[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*q"])
def test_gitignore_patterns_with_catastrophic_backtracking_do_not_hang(tmp_path, pattern):
    """pathspec's regex took 121 s on the first pattern and one name (git itself 4 min 45 s)."""
    (tmp_path / ".gitignore").write_text(pattern + "\n")
    deep = tmp_path.joinpath(*(["x"] * 30))
    deep.mkdir(parents=True)
    (deep / ("a" * 200 + ".yaml")).write_text("a: 1\n")
    (tmp_path / ("a" * 200 + ".yaml")).write_text("a: 1\n")
    proc = run_cli("check", "--isolated", "--show-files", ".", cwd=tmp_path, timeout=60)
    assert proc.returncode == 0
    assert len(proc.stdout.decode().splitlines()) == 2

"""Nothing is written through a link: --fix, --secrets-out and the report helper.

The class of problem: any write whose path resolves somewhere else than
the path named (a symbolic link as the file, a symbolic link as any folder
on the way) or whose replace would split a hard link. Each writer is tried
with each kind of link, and the bytes at the far end are checked.
"""
from __future__ import annotations

import os
import shutil
import stat

import pytest

from conftest import FIXTURES, run_cli
from daprlint import atomic

AWS004 = FIXTURES / "fix" / "aws004-rename-keeps-quoting.yaml"
SECRET_CASE = FIXTURES / "fix" / "sec001-secret-ref.yaml"


def _fix(*args, cwd):
    return run_cli("check", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", *args, cwd=cwd)


def _layouts(tmp_path, source):
    """(path to pass, the real file) for each way a link can sit in the path."""
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "m.yaml"
    shutil.copy(source, real)
    (tmp_path / "file-link.yaml").symlink_to(real)
    (tmp_path / "dir-link").symlink_to(real_dir, target_is_directory=True)
    return real, ["file-link.yaml", os.path.join("dir-link", "m.yaml")]


@pytest.mark.parametrize("kind", ["file-link", "folder-link"])
def test_fix_never_writes_through_a_symlink(tmp_path, kind):
    real, paths = _layouts(tmp_path, AWS004)
    path = paths[0] if kind == "file-link" else paths[1]
    before = real.read_bytes()
    proc = _fix(path, cwd=tmp_path)
    assert real.read_bytes() == before, "the link's target was written"
    assert os.path.islink(tmp_path / ("file-link.yaml" if kind == "file-link" else "dir-link")), "the link was broken"
    assert b"FIX001" in proc.stdout and b"symbolic link" in proc.stdout
    assert sorted(os.listdir(tmp_path / "real")) == ["m.yaml"], "a file was left beside the target"


def test_fix_walking_a_tree_with_links_writes_only_real_files(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(AWS004, tree / "plain.yaml")
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(AWS004, outside / "target.yaml")
    (tree / "link.yaml").symlink_to(outside / "target.yaml")
    (tree / "linked-dir").symlink_to(outside, target_is_directory=True)
    proc = _fix("tree", cwd=tmp_path)
    assert (outside / "target.yaml").read_bytes() == AWS004.read_bytes()
    assert os.path.islink(tree / "link.yaml") and os.path.islink(tree / "linked-dir")
    assert b'"region"' in (tree / "plain.yaml").read_bytes(), "the real file in the tree is still fixed"
    assert proc.stdout.count(b"FIX001") == 2


def test_fix_refuses_to_split_a_hard_link(tmp_path):
    first = tmp_path / "a.yaml"
    shutil.copy(AWS004, first)
    os.link(first, tmp_path / "b.yaml")
    proc = _fix("a.yaml", cwd=tmp_path)
    assert os.stat(first).st_nlink == 2 and os.path.samefile(first, tmp_path / "b.yaml")
    assert first.read_bytes() == AWS004.read_bytes()
    assert b"FIX001" in proc.stdout and b"hard links" in proc.stdout


def test_diff_of_a_symlink_is_still_shown(tmp_path):
    _, paths = _layouts(tmp_path, AWS004)
    proc = run_cli("check", "--isolated", "--no-cache", "--diff", paths[0], cwd=tmp_path)
    assert proc.returncode == 1 and b'+  - name: "region"' in proc.stdout


@pytest.mark.parametrize("kind", ["file-link", "folder-link", "hard-link"])
def test_secrets_out_is_never_written_through_a_link(tmp_path, kind):
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(SECRET_CASE, work / "c.yaml")
    safe = tmp_path / "safe"
    safe.mkdir()
    real = safe / "secrets.yaml"
    real.write_text("# mine\n")
    if kind == "file-link":
        out = work / "s.yaml"
        out.symlink_to(real)
    elif kind == "folder-link":
        (work / "out").symlink_to(safe, target_is_directory=True)
        out = work / "out" / "secrets.yaml"
    else:
        out = work / "s.yaml"
        os.link(real, out)
    proc = _fix("--secrets-out", str(out), "c.yaml", cwd=work)
    assert real.read_text() == "# mine\n"
    assert b"fixture-only-pw" in (work / "c.yaml").read_bytes(), "the value must stay in the manifest"
    assert b"FIX001" in proc.stdout and (b"symbolic link" in proc.stdout or b"hard links" in proc.stdout)


def test_secrets_out_below_a_symlinked_folder_that_does_not_exist_yet(tmp_path):
    """The folder to create sits below a link: refused before anything is made."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(SECRET_CASE, work / "c.yaml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (work / "out").symlink_to(elsewhere, target_is_directory=True)
    proc = _fix("--secrets-out", str(work / "out" / "new" / "s.yaml"), "c.yaml", cwd=work)
    assert list(elsewhere.iterdir()) == []
    assert b"FIX001" in proc.stdout and b"symbolic link" in proc.stdout


# -- the helper for -o/--output-file and --output-sarif -------------------------
def test_write_output_replaces_a_regular_file_and_keeps_its_mode(tmp_path):
    out = tmp_path / "sub" / "report.sarif"
    atomic.write_output(out, b"one")
    out.chmod(0o640)
    atomic.write_output(out, b"two")
    assert out.read_bytes() == b"two" and stat.S_IMODE(out.stat().st_mode) == 0o640


@pytest.mark.parametrize("kind", ["file-link", "folder-link", "hard-link"])
def test_write_output_refuses_links(tmp_path, kind):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "r.json"
    real.write_bytes(b"keep")
    if kind == "file-link":
        (tmp_path / "r.json").symlink_to(real)
        path = tmp_path / "r.json"
    elif kind == "folder-link":
        (tmp_path / "d").symlink_to(real_dir, target_is_directory=True)
        path = tmp_path / "d" / "r.json"
    else:
        os.link(real, tmp_path / "r.json")
        path = tmp_path / "r.json"
    with pytest.raises(atomic.WriteRefused, match="symbolic link|hard links"):
        atomic.write_output(path, b"new")
    assert real.read_bytes() == b"keep"


def test_write_output_errors_are_clear(tmp_path):
    with pytest.raises(atomic.WriteRefused, match="is a folder"):
        atomic.write_output(tmp_path, b"x")
    (tmp_path / "d").mkdir()
    with pytest.raises(atomic.WriteRefused, match="is a folder"):
        atomic.write_output(tmp_path / "d", b"x")
    if os.path.exists("/dev/full"):
        with pytest.raises(atomic.WriteRefused, match="No space left"):
            atomic.write_output("/dev/full", b"x" * 10)
    atomic.write_output(os.devnull, b"discarded")  # a device is written in place, never replaced
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_atomic_write_is_fsynced_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (synced.append(stat.S_IFMT(os.fstat(fd).st_mode)),
                                                          real_fsync(fd)))
    target = tmp_path / "a.yaml"
    atomic.atomic_write(target, b"x")
    assert synced == [stat.S_IFREG, stat.S_IFDIR], "the file and then its folder are fsynced"
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]


def test_a_link_with_nothing_to_fix_is_not_reported(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "work").mkdir()
    clean = tmp_path / "real" / "clean.yaml"
    clean.write_text("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: c\nspec:\n"
                     "  type: state.in-memory\n  version: v1\n  metadata: []\n")
    (tmp_path / "work" / "link.yaml").symlink_to(clean)
    proc = _fix("link.yaml", cwd=tmp_path / "work")
    assert b"FIX001" not in proc.stdout and proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("kind", ["file-link", "folder-link", "hard-link"])
def test_links_are_refused_without_dir_fd_support_too(tmp_path, monkeypatch, kind):
    """The path-based checks for platforms without dir_fd (Windows) hold the same policy."""
    monkeypatch.setattr(atomic, "_DIR_FD", False)
    test_write_output_refuses_links(tmp_path, kind)

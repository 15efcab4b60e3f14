"""The result cache in a tree nobody reviewed: never written through a link, never another's.

A clone may ship `.daprlint_cache` (or parts of it) as links to files of the
user who lints it, as a folder of someone else, or pre-filled with entries
that would hide findings. Each case must leave the user's files alone and
lint as if there were no cache, saying so once.
"""
from __future__ import annotations

import json
import os
import shutil
import types

import pytest

from conftest import DYNAMODB_WITHOUT_REGION, run_cli


def _tree(tmp_path):
    tree = tmp_path / "clone"
    tree.mkdir()
    (tree / "c.yaml").write_text(DYNAMODB_WITHOUT_REGION, encoding="utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_text("the user's own file\n", encoding="utf-8")
    return tree, victim


def _check(tree, env=None):
    proc = run_cli("check", "--isolated", "--format", "json", ".", cwd=tree, env=env)
    assert proc.returncode == 1, proc.stderr
    codes = [f["code"] for f in json.loads(proc.stdout)["findings"]]
    assert codes == ["AWS001"]
    return proc.stderr.decode()


@pytest.mark.parametrize("inner", [".gitignore", "CACHEDIR.TAG", "v1"])
def test_a_link_inside_the_cache_folder_is_never_written_through(tmp_path, inner):
    tree, victim = _tree(tmp_path)
    root = tree / ".daprlint_cache"
    root.mkdir()
    if inner != "CACHEDIR.TAG":
        (root / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n# daprlint\n")
    os.symlink(victim, root / inner)
    for _ in range(2):
        stderr = _check(tree)
        assert victim.read_text() == "the user's own file\n"
    assert stderr.count("not using the result cache") == 1


def test_a_cache_folder_that_is_a_link_is_not_used(tmp_path):
    tree, _ = _tree(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, tree / ".daprlint_cache")
    stderr = _check(tree)
    assert "is a symbolic link" in stderr
    assert list(elsewhere.iterdir()) == []


def test_a_folder_without_daprlints_tag_is_not_used(tmp_path):
    tree, _ = _tree(tmp_path)
    (tree / ".daprlint_cache").mkdir()
    (tree / ".daprlint_cache" / "notes.txt").write_text("mine")
    stderr = _check(tree)
    assert "has no daprlint CACHEDIR.TAG" in stderr
    assert sorted(p.name for p in (tree / ".daprlint_cache").iterdir()) == ["notes.txt"]


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to give a folder away")
def test_a_cache_folder_of_another_user_is_not_used(tmp_path):
    tree, _ = _tree(tmp_path)
    _check(tree)  # makes the folder, tagged
    os.chown(tree / ".daprlint_cache", 12345, 12345)
    assert "belongs to another user" in _check(tree)


def test_cache_files_are_private_and_the_folder_is_made_by_daprlint(tmp_path):
    tree, _ = _tree(tmp_path)
    assert _check(tree) == ""
    root = tree / ".daprlint_cache"
    assert (os.stat(root).st_mode & 0o777) == 0o700
    assert (root / ".gitignore").read_text() == "*\n"
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files and all((os.stat(p).st_mode & 0o077) == 0 for p in files)


def test_a_shipped_cache_is_never_read(tmp_path):
    """A clone that ships its author's cache (entries saying "no findings") changes nothing:
    the key mixes in the salt of the user who runs daprlint."""
    author, reader = tmp_path / "author-home", tmp_path / "reader-home"
    tree, _ = _tree(tmp_path)
    fixed = tree / "c.yaml"
    good = DYNAMODB_WITHOUT_REGION + "  - name: region\n    value: eu-west-1\n"
    fixed.write_text(good, encoding="utf-8")
    proc = run_cli("check", "--isolated", ".", cwd=tree, env={"XDG_CACHE_HOME": str(author)})
    assert proc.returncode == 0
    fixed.write_text(DYNAMODB_WITHOUT_REGION, encoding="utf-8")
    # the author forges entries for the bad content: same path, its digest, no findings
    from daprlint.cache import DIGEST, FINDINGS, _folder_of, _Spool, digest_of_bytes, stored_rows

    forged = []
    for store in sorted((tree / ".daprlint_cache" / "v1").iterdir()):
        kind, rows = stored_rows(store)
        if kind not in ("entries", "facts"):
            continue
        spool = _Spool(types.SimpleNamespace(ensure_folder=lambda: None), str(store) + ".new", kind)
        for row in rows:
            row[DIGEST] = digest_of_bytes(fixed.read_bytes())  # the facts' digest too: they are the same
            if kind == "entries":
                row[FINDINGS] = []
            spool.add(row, _folder_of(row[0]))
        spool.finish(None, {})
        os.replace(str(store) + ".new", store)
        forged.append(kind)
    assert forged == ["entries", "facts"]
    # the forgery works for its author (whose salt made the key)...
    assert run_cli("check", "--isolated", ".", cwd=tree, env={"XDG_CACHE_HOME": str(author)}).returncode == 0
    # ...and changes nothing for anyone else
    assert _check(tree, env={"XDG_CACHE_HOME": str(reader)}) == ""
    shutil.rmtree(author)

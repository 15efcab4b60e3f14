"""Which files a folder walk lints."""
from __future__ import annotations

import os

from daprlint.discover import discover


def _touch(root, *names):
    for name in names:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("a: 1\n")


def _found(root, *args, **kw):
    return sorted(os.path.relpath(t.path, root) for t in discover([str(root)], list(args), **kw))


def test_walk_skips_vcs_and_tool_folders_but_not_hidden_ones(tmp_path):
    _touch(tmp_path, "a.yaml", "b.yml", "c.json", ".dapr/resources/x.yaml", ".github/w.yaml", ".git/y.yaml",
           ".hg/y.yaml", ".svn/y.yaml", "node_modules/z.yaml", ".venv/v.yaml", "venv/v.yaml", ".tox/t.yaml",
           "__pycache__/p.yaml", "deep/er/d.yaml", "base/Kustomization")
    assert _found(tmp_path) == [".dapr/resources/x.yaml", ".github/w.yaml", "a.yaml", "b.yml",
                                "base/Kustomization", "deep/er/d.yaml"]


def test_gitignore_and_nested_gitignore(tmp_path):
    _touch(tmp_path, "keep.yaml", "build/out.yaml", "charts/x/templates/t.yaml", "charts/x/values.yaml")
    (tmp_path / ".gitignore").write_text("build/\n")
    (tmp_path / "charts" / ".gitignore").write_text("templates/\n")
    assert _found(tmp_path) == ["charts/x/values.yaml", "keep.yaml"]
    assert "build/out.yaml" in _found(tmp_path, respect_gitignore=False)


def test_exclude_globs(tmp_path):
    _touch(tmp_path, "a.yaml", "legacy/b.yaml", "charts/c/templates/d.yaml")
    assert _found(tmp_path, "legacy", "charts/**") == ["a.yaml"]


def test_explicit_file_is_always_linted(tmp_path):
    _touch(tmp_path, "node_modules/z.yaml", "notes.txt")
    targets = discover([str(tmp_path / "node_modules" / "z.yaml"), str(tmp_path / "notes.txt")], ["*.yaml"])
    assert [t.explicit for t in targets] == [True, True]


def test_symlink_loop_ends(tmp_path):
    _touch(tmp_path, "a/b.yaml")
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    os.symlink(tmp_path / "a", tmp_path / "a" / "self")
    assert _found(tmp_path) == ["a/b.yaml"]

"""Which files a folder walk lints."""
from __future__ import annotations

import os

import pytest

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


def test_walk_skips_what_git_ignores(tmp_path_factory):
    """The walk (gitignore.py's matcher) against git itself (`git ls-files --others
    --exclude-standard`: the untracked files git would show) on generated trees and
    patterns (hypothesis). pathspec is no oracle: it re-includes `a/t.yaml` under
    `*` and `!t.yaml`, which git does not (a file in an excluded folder stays out)."""
    import shutil
    import subprocess

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from daprlint.discover import walk

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    segment = st.sampled_from(["a", "b", "build", "x.log", "deploy", ".dapr", "t"])
    name = st.sampled_from(["t.yaml", "c.yml", "x.yaml", "build.yaml"])
    pattern = st.sampled_from(["*.log", "build/", "/build", "build", "**/deploy", "deploy/**", "a/**/b", "a/b",
                               "?.yaml", "t.*", "!t.yaml", "*", "/a/*.yaml", "x.yaml", ".dapr/", "!a/", "*.y*ml",
                               "[ab]/", "\\#x", "b/*/c.yml"])
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": os.environ.get("PATH", "")}

    @given(st.lists(pattern, min_size=1, max_size=4),
           st.lists(st.tuples(st.lists(segment, max_size=3), name), min_size=1, max_size=6))
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    def check(patterns, files):
        root = tmp_path_factory.mktemp("gi")
        subprocess.run(["git", "init", "-q", str(root)], check=True, env=env)
        (root / ".gitignore").write_text("\n".join(patterns) + "\n")
        for folders, base in files:
            folder = root.joinpath(*folders)
            if folder.exists() and not folder.is_dir():
                continue
            folder.mkdir(parents=True, exist_ok=True)
            if not (folder / base).is_dir():
                (folder / base).write_text("a: 1\n")
        shown = subprocess.run(["git", "ls-files", "-z", "--others", "--exclude-standard"], cwd=root, env=env,
                               capture_output=True, check=True).stdout.decode().split("\0")
        git = sorted(p for p in shown if p.endswith((".yaml", ".yml")))
        ours = sorted(os.path.relpath(p, root).replace(os.sep, "/") for p in walk(str(root), []))
        assert ours == git, (patterns, files)

    check()

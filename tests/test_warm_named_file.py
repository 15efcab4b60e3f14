"""The warm named-file path (one file of a deployment, its context from the
cache): its shortcuts against the plain way, and what such a run imports and decodes."""
from __future__ import annotations

import os
import posixpath

from hypothesis import given, settings, strategies as st

from daprlint import workspace

PART = st.sampled_from(["a", "b", ".", "..", "", "x.yaml", "kustomization.yaml", "Chart.yaml", "dapr.yaml"])
PATHS = st.builds(lambda lead, parts: lead + "/".join(parts), st.sampled_from(["", "/", "//", "./", "../"]),
                  st.lists(PART, min_size=1, max_size=5))


def _plain_context_paths(found, named):
    """workspace.context_paths as it was written first: abspath, dirname and basename for every path."""
    named = [os.path.abspath(p) for p in named]
    folders = {os.path.dirname(p) for p in named}
    charts = {os.path.dirname(os.path.abspath(p)) for p in found if os.path.basename(p) == "Chart.yaml"}
    chart_roots = {c + os.sep for c in charts if any(p.startswith(c + os.sep) for p in named)}
    structure = ("kustomization.yaml", "kustomization.yml", "Kustomization", "Chart.yaml", "dapr.yaml", "dapr.yml")
    return [path for path in found if os.path.abspath(path) not in set(named)
            and (os.path.dirname(os.path.abspath(path)) in folders
                 or os.path.basename(os.path.abspath(path)) in structure
                 or any(os.path.abspath(path).startswith(c) for c in chart_roots))]


@given(PATHS)
def test_normal_is_normpath_equality(path):
    normal = workspace._Normal()
    normal("/".join(path.split("/")[:-1] + ["other"]))  # the folder's answer is remembered first
    assert normal(path) == (posixpath.normpath(path) == path)


@given(st.lists(PATHS, max_size=12))
def test_absolute_is_abspath(paths):
    absolute = workspace._Absolute()
    assert [absolute(p) for p in paths] == [os.path.abspath(p) for p in paths]


@settings(max_examples=300)
@given(st.lists(PATHS, max_size=12), st.lists(PATHS, min_size=1, max_size=3))
def test_context_paths_agree_with_the_plain_way(found, named):
    assert workspace.context_paths(found, named) == _plain_context_paths(found, named)


@given(st.lists(PATHS, max_size=12), st.sampled_from(["/", "/work", "/work/a", "/tmp/x/y"]))
def test_shown_agrees_with_the_plain_way(paths, cwd):
    shown = workspace._shown_from(cwd)
    prefix = cwd.rstrip("/") + "/"
    for path in paths:
        if path.startswith(prefix) and posixpath.normpath(path) == path:
            expected = path[len(prefix):]
        else:
            try:
                rel = os.path.relpath(path, cwd)
            except ValueError:  # no path at all
                rel = path
            expected = path if rel.startswith("../..") else rel
        assert shown(path) == expected

"""Inline suppression comments."""
from __future__ import annotations

import json

from conftest import run_cli

BASE = """apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: s3
spec:
  type: bindings.aws.s3{type_comment}
  version: v1
  metadata:
  - name: bucket
    value: b
  - name: awsRegion{alias_comment}
    value: us-east-1
"""


def codes(text):
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "json", "-", input=text.encode())
    return sorted(f["code"] for f in json.loads(proc.stdout)["findings"])


def test_same_line():
    assert codes(BASE.format(type_comment="", alias_comment="  # daprlint: ignore[AWS004]")) == []


def test_comment_line_before():
    text = BASE.format(type_comment="", alias_comment="").replace(
        "  - name: awsRegion", "  # daprlint: ignore[AWS004]\n  - name: awsRegion")
    assert codes(text) == []


def test_file_wide():
    assert codes("# daprlint: ignore-file[AWS004]\n" + BASE.format(type_comment="", alias_comment="")) == []


def test_other_code_does_not_suppress_and_is_reported_unused():
    text = BASE.format(type_comment="", alias_comment="  # daprlint: ignore[AWS001]")
    assert codes(text) == ["AWS004", "SUP001"]


def test_bare_ignore_suppresses_everything_on_the_line():
    assert codes(BASE.format(type_comment="", alias_comment="  # daprlint: ignore")) == []


def test_unused_suppression_of_disabled_rule_is_not_reported():
    text = BASE.format(type_comment="  # daprlint: ignore[AWS006]", alias_comment="  # daprlint: ignore[AWS004]")
    assert codes(text) == []


SECRET_ITEM = """apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: cache
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost
    value: redis:6379
{before}  - name: redisPassword{trailing}
    value: not-a-real-one
  - name: redisUsername
    value: admin
"""


def _secret_item(before="", trailing=""):
    return codes(SECRET_ITEM.format(before=before, trailing=trailing))


def test_a_comment_on_an_items_name_line_covers_the_whole_item():
    """SEC001 is reported on the `value:` line, a line below the name."""
    assert _secret_item() == ["SEC001"]
    assert _secret_item(trailing="  # daprlint: ignore[SEC001]") == []


def test_a_comment_line_above_an_item_covers_the_whole_item():
    assert _secret_item(before="  # daprlint: ignore[SEC001]\n") == []


def test_an_item_suppression_covers_only_its_own_item():
    """The next item's finding stays, and a suppression with nothing in its item is unused."""
    text = SECRET_ITEM.format(before="", trailing="").replace(
        "  - name: redisUsername\n    value: admin",
        "  - name: redisUsername  # daprlint: ignore[SEC001]\n    value: admin")
    assert codes(text) == ["SEC001", "SUP001"]


def test_item_suppressions_survive_the_cache(tmp_path):
    """Served from the cache, the file is not re-read: its comments and the lines they cover are stored."""
    path = tmp_path / "c.yaml"
    path.write_text(SECRET_ITEM.format(before="", trailing="  # daprlint: ignore[SEC001]"), encoding="utf-8")
    runs = [json.loads(run_cli("check", "--isolated", "--cache-dir", str(tmp_path / "cache"), "--format", "json",
                               str(path)).stdout)["findings"] for _ in range(2)]
    assert runs == [[], []]


def test_an_item_comment_does_not_cover_the_next_item():
    # an indented item's node ends where the next `- ` starts: the comment stops at its own last line
    text = ("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: s\nspec:\n  type: state.redis\n"
            "  version: v1\n  metadata:\n  - name: redisHost\n    value: a\n"
            "  - name: bogusOne  # daprlint: ignore[DPR003]\n    value: |\n      x\n\n"
            "  - name: bogusTwo\n    value: y\n")
    assert codes(text) == ["DPR003"]

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

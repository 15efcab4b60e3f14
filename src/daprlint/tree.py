"""Tree rules: the linted paths as one deployment (see issue 4)."""
from __future__ import annotations


def run_tree_rules(engine, results):
    return results

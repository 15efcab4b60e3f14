"""Result cache (placeholder until the cache lands: lints without caching)."""
from __future__ import annotations


def cached_lint(engine, targets, args, ruleset):
    from .runner import lint_targets

    return lint_targets(engine, targets, args.jobs, args.stdin_filename)

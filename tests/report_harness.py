"""The lint pipeline in-process, handing its findings to the reporters.

The reporters are plain functions `render(findings, summary, ctx)`; this
runs what `daprlint check` runs (discover, lint, tree rules, suppressions,
summary) and builds the ctx the command builds, with every file's text and
`secret_spans` (the engine's, FileResult.secret_spans), so that frames, statistics
and show-fixes can be tested before the command line offers them.
"""
from __future__ import annotations

from pathlib import Path

from daprlint import __version__
from daprlint.config import Settings
from daprlint.discover import discover
from daprlint.engine import Engine
from daprlint.packs import load_packs
from daprlint.report import summarize
from daprlint.runner import lint_targets
from daprlint import tree, workspace


def lint(*paths, extend_select=("ALL",), options=None, unsafe=False, secret_spans=True, **ctx_extra):
    """(findings, summary, ctx) for *paths*, as `daprlint check --isolated` sees them;
    ctx["secret_spans"] is the engine's (FileResult.secret_spans), or {} without *secret_spans*."""
    settings = Settings()
    settings.extend_select = list(extend_select)
    settings.options.update(options or {})
    engine = Engine(load_packs(), settings)
    plan = workspace.plan(engine, discover([str(p) for p in paths], []))  # as commands.cmd_check does
    targets = plan.targets
    results = lint_targets(engine, targets, keep_nodes=True)
    context, shared = lint_targets(engine, plan.context), lint_targets(engine, plan.shared)
    more_targets, more = workspace.follow_references(
        engine, [r.facts for r in results + context + shared if r.facts is not None],
        targets + plan.context + plan.shared)
    root = workspace.project_root(targets[0].path if targets else ".", None)
    results = tree.run(engine, targets, results, plan.context + more_targets, context + more, plan.shared, shared,
                       root=root)
    findings = [f for r in results for f in r.findings]
    summary = summarize(findings, len(results), suppressed=sum(r.suppressed for r in results), unsafe=unsafe)
    ctx = {"version": __version__, "rules": engine.rules, "colour": False, "diff": False,
           "texts": {r.path: r.source.text for r in results if r.source is not None},
           "secret_spans": {r.path: r.secret_spans for r in results} if secret_spans else {}, **ctx_extra}
    return findings, summary, ctx


def render(fmt: str, findings, summary, ctx, **extra) -> str:
    from daprlint.report import get_reporter

    return get_reporter(fmt)(findings, summary, {**ctx, **extra})


REPO = Path(__file__).resolve().parents[1]

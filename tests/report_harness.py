"""The lint pipeline in-process, handing its findings to the reporters.

The reporters are plain functions `render(findings, summary, ctx)`; this
runs what `daprlint check` runs (discover, lint, tree rules, suppressions,
summary) and builds the ctx the command builds, with every file's text and
`secret_spans` (the scalars holding a secret), so that frames, statistics
and show-fixes can be tested before the command line offers them.
"""
from __future__ import annotations

from pathlib import Path

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from daprlint import __version__
from daprlint.config import Settings
from daprlint.discover import discover
from daprlint.engine import Engine
from daprlint.packs import load_packs
from daprlint.report import summarize
from daprlint.runner import lint_targets
from daprlint.tree import run_tree_rules


def secret_values(findings) -> set[str]:
    """The secret values behind *findings* (messages' and fixes' secrets)."""
    values = set()
    for f in findings:
        values.update(f.secrets)
        if f.fix is not None:
            values.update(v for keys in f.fix.secrets.values() for v in keys.values())
    return values


def scalar_spans(documents, values: set[str]) -> list[tuple[int, int]]:
    """Spans of every scalar, key or value, whose value is one of *values*,
    and of every scalar under the `value` of an item whose `name` is not a
    string (no rule can tell whether it is sensitive, so it is taken to be).
    An alias is its anchored node, so it is visited once."""
    spans, seen = [], set()
    stack = [(d, False) for d in documents]
    while stack:
        node, unknown = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if unknown or node.value in values:
                spans.append((node.start_mark.index, node.end_mark.index))
        elif isinstance(node, MappingNode):
            keys = {k.value: v for k, v in node.value if isinstance(k, ScalarNode)}
            odd = "value" in keys and "name" in keys and not isinstance(keys["name"], ScalarNode)
            for key, value in node.value:
                stack += ((key, unknown), (value, unknown or (odd and value is keys["value"])))
        elif isinstance(node, SequenceNode):
            stack += ((v, unknown) for v in node.value)
    return sorted(spans)


def lint(*paths, extend_select=("ALL",), options=None, unsafe=False, secret_spans=True, **ctx_extra):
    """(findings, summary, ctx) for *paths*, as `daprlint check --isolated` sees them."""
    settings = Settings()
    settings.extend_select = list(extend_select)
    settings.options.update(options or {})
    engine = Engine(load_packs(), settings)
    targets = discover([str(p) for p in paths], [])
    results = lint_targets(engine, targets, keep_nodes=True)
    spans = {}
    for r in results:  # before suppressions: a suppressed secret is still a secret
        if r.source is not None and secret_spans:
            spans[r.path] = scalar_spans(r.source.documents, secret_values(r.findings))
    results = run_tree_rules(engine, results)
    findings = [f for r in results for f in r.findings]
    summary = summarize(findings, len(results), suppressed=sum(r.suppressed for r in results), unsafe=unsafe)
    ctx = {"version": __version__, "rules": engine.rules, "colour": False, "diff": False,
           "texts": {r.path: r.source.text for r in results if r.source is not None},
           "secret_spans": spans, **ctx_extra}
    return findings, summary, ctx


def render(fmt: str, findings, summary, ctx, **extra) -> str:
    from daprlint.report import get_reporter

    return get_reporter(fmt)(findings, summary, {**ctx, **extra})


REPO = Path(__file__).resolve().parents[1]

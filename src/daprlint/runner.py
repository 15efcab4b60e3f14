"""Lint a list of targets: sequentially, or in worker processes with --jobs.

Results come back in input order whatever the number of jobs, so the
output is identical.
"""
from __future__ import annotations

from .discover import Target
from .engine import Engine, FileResult

import os

# below this many files a process pool costs about what it saves (measured with bench/gen_tree.py
# trees on 2 cores: 1,000 files 0.25 s -> 0.23 s with --jobs 2, 2,000 files 0.40 s -> 0.34 s)
PARALLEL_THRESHOLD = int(os.environ.get("DAPRLINT_PARALLEL_THRESHOLD", "1000"))

_worker_engine: Engine | None = None


def lint_one(engine: Engine, target: Target, stdin_name: str | None = None) -> FileResult:
    display = (stdin_name or "-") if target.path == "-" else target.path
    # not finalized yet: tree rules add findings first (see tree.run_tree_rules)
    return engine.lint_path(target.path, target.explicit, display)


def _init_worker(settings, extra_packs) -> None:
    global _worker_engine
    from .packs import load_packs

    _worker_engine = Engine(load_packs(extra_packs), settings)


def _work(chunk: list[Target]) -> list[FileResult]:
    return [_slim(lint_one(_worker_engine, target)) for target in chunk]


def _slim(result: FileResult) -> FileResult:
    """What reporting still needs of a linted file: findings, facts, and the
    text only where a fix is shown (SARIF fix regions). YAML nodes and texts
    are most of a run's memory, and nodes are costly to pickle for --jobs."""
    result.resources = []
    if result.source is not None:
        if any(f.fix is not None for f in result.findings):
            result.source.documents = []
        else:
            result.source = None
    return result


def lint_targets(engine: Engine, targets: list[Target], jobs: int = 1, stdin_name: str | None = None,
                 keep_nodes: bool = False) -> list[FileResult]:
    files = [t for t in targets if t.path != "-"]
    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD or keep_nodes:
        results = []
        for t in targets:
            r = lint_one(engine, t, stdin_name)
            results.append(r if keep_nodes else _slim(r))
        return results
    import multiprocessing as mp

    global _worker_engine
    size = max(50, len(files) // (jobs * 8))
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    try:  # forked workers inherit this engine, rule packs loaded and all
        ctx, init, initargs = mp.get_context("fork"), None, ()
        _worker_engine = engine
    except ValueError:  # no fork (Windows): each worker loads the packs itself
        ctx, init, initargs = mp.get_context(), _init_worker, (engine.settings, engine.settings.rule_packs)
    with ctx.Pool(jobs, initializer=init, initargs=initargs) as pool:
        parts = pool.map(_work, chunks)
    by_path = {r.path: r for part in parts for r in part}
    results = []
    for t in targets:
        results.append(lint_one(engine, t, stdin_name) if t.path == "-" else by_path[t.path])
    return results

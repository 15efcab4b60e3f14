"""`daprlint check`: settings, discovery, linting, fixing and reporting; `daprlint graph`."""
from __future__ import annotations

import os
import sys

from . import __version__
from .config import settings_from_args
from .discover import discover
from .engine import INTERNAL_ERROR, Engine
from .packs import load_packs
from .report import get_reporter, summarize

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2, "never": 3}


def cmd_check(args) -> int:
    problem = _mode_conflict(args)
    if problem:
        print(f"daprlint: error: {problem}", file=sys.stderr)
        return 2
    if args.watch:
        from .watch import watch

        return watch(args, check_once)
    return check_once(args)


def _mode_conflict(args) -> str | None:
    """Why --add-noqa or --watch cannot run with the other flags given, or None."""
    if args.add_noqa and args.watch:
        return "--add-noqa cannot be combined with --watch"
    others = (("--fix", args.fix), ("--diff", args.diff), ("--show-files", args.show_files),
              ("--show-deployments", args.show_deployments))
    for flag, on in (("--add-noqa", args.add_noqa), ("--watch", args.watch)):
        if on:
            clash = next((name for name, given in others if given), None)
            if clash:
                return f"{flag} cannot be combined with {clash}"
            if "-" in args.paths:
                return f"{flag} needs files and folders, not stdin ('-')"
    return None


def check_once(args) -> int:
    """One `daprlint check` run (--watch repeats it)."""
    settings = settings_from_args(args)
    ruleset = load_packs(settings.rule_packs)
    if args.add_noqa:
        from .noqa import NoqaEngine

        engine = NoqaEngine(ruleset, settings)
    else:
        engine = Engine(ruleset, settings)
    _tune_gc()
    targets = discover(args.paths, settings.exclude, settings.options.get("respect-gitignore", True),
                       force_exclude=args.force_exclude, root=settings.root_dir)
    if args.stdin_filename and not any(t.path == "-" for t in targets) and args.paths == ["."]:
        targets = [t for t in targets if False]
    if args.show_files:
        _write("".join(t.path + "\n" for t in targets), args.output_file)
        return 0
    cache = None
    if not (args.fix or args.diff or args.no_cache or any(t.path == "-" for t in targets)):
        from .cache import ResultCache, cache_path

        cache = ResultCache(cache_path(engine, args.cache_dir), engine)
        if cache.problem:
            print(f"daprlint: not using the result cache: {cache.problem}", file=sys.stderr)
            cache = None
    try:
        return _check(args, settings, ruleset, engine, targets, cache)
    finally:
        if cache is not None:
            cache.close()  # a run that ends early leaves no half-written store behind


def _points_at_files(result) -> bool:
    return result.points


def _check(args, settings, ruleset, engine, targets, cache) -> int:
    from . import tree, workspace
    from .runner import ensure_facts, lint_targets, lint_unless_linted

    fixed, diff_text, applied, fixed_stdin = 0, None, None, None
    fmt = args.output_format
    frames = fmt == "full" and not args.statistics  # code frames print the files' texts
    # SARIF fix regions and code frames read a hit's text (ctx["texts"]), besides suppressions
    want_texts = fmt == "sarif" or bool(args.output_sarif)
    plan = workspace.plan(engine, targets, cache, args.jobs, want_texts, frames)
    for note in plan.notes:
        print(f"daprlint: {note}", file=sys.stderr)
    targets = plan.targets
    root = workspace.project_root(targets[0].path if targets and targets[0].path != "-" else ".",
                                  settings.root_dir if settings.source else None)
    stream = None
    if args.fix or args.diff:
        from .fixer import fix_targets

        run = fix_targets(engine, targets, args, ruleset)
        results, fixed, diff_text, fixed_stdin = run.results, run.fixed, run.diff, run.stdout
        applied = run.applied
    elif args.show_deployments:  # needs every file's facts at the end
        results = lint_unless_linted(engine, targets, plan.linted, args.jobs, args.stdin_filename, cache, want_texts,
                                     frames)
    else:  # the folder deployments' tree stage runs as their folders complete (tree.FolderStream)
        results, stream = tree.lint_streamed(engine, targets, args.jobs, args.stdin_filename, cache, want_texts,
                                             frames, plan.context, plan.shared, root, linted=plan.linted)
    context = lint_unless_linted(engine, plan.context, plan.linted, args.jobs, cache=cache, want_texts=None)
    shared = lint_targets(engine, plan.shared, args.jobs, cache=cache, want_texts=None)
    if cache is not None and engine.collects_facts:
        # a cache hit carries no facts until asked for: the project files' are asked for here (a hit's entry
        # says whether it is one, FileResult.points), so that their references are followed (below) as in a
        # run without the cache; the listing is made of every file's
        only = None if args.show_deployments else _points_at_files
        for group_targets, group in ((targets, results), (plan.context, context), (plan.shared, shared)):
            # on copies: a hit whose facts are not stored is linted again, and only its facts are wanted
            # here (the folder stream holds the result objects it was given)
            found = list(group)
            if ensure_facts(cache, engine, group_targets, found, args.jobs, only=only):
                for given, again in zip(group, found):
                    if again is not given:
                        given.facts = again.facts
    # only project files point at more files (deployments.referenced_paths); with none, follow_references
    # is not asked: it would make the set of every path read (100,000 files: ~17 MiB at the run's peak)
    pointing = [f for found in (results, context, shared) for r in found if (f := r.facts) is not None
                and f.points_at_files]
    more_targets, more = workspace.follow_references(engine, pointing, targets + plan.context + plan.shared,
                                                     cache, args.jobs) if pointing else ([], [])
    if args.show_deployments:
        from .show import render_deployments

        built = tree.build_deployments(engine, results, context + more, shared, root)
        _write(render_deployments(built, {r.path for r in results}, fmt), args.output_file)
        return 0
    results = tree.run(engine, targets, results, plan.context + more_targets, context + more, plan.shared, shared,
                       cache, args.jobs, want_texts, root, frames, stream)
    if not (args.fix or args.diff):
        _map_rendered(results, targets, args, engine.max_file_size)
    if cache is not None:
        cache.save()
    if args.add_noqa:
        from .noqa import add_noqa, exit_code, render

        suppressed = add_noqa(engine, targets, results)
        _write(render(suppressed, args.show_fixes), args.output_file)
        return exit_code(suppressed)
    findings = [f for r in results for f in r.findings]
    summary = summarize(findings, len(results), fixed=fixed, suppressed=sum(r.suppressed for r in results),
                        unsafe=args.unsafe_fixes)
    ctx = {"version": __version__, "rules": engine.rules, "colour": _colour(args), "diff": args.diff,
           "texts": {r.path: r.source.text for r in results if r.source is not None},
           # the full reporter masks them in the frames it prints: files whose text is kept
           "secret_spans": {r.path: r.secret_spans for r in results if r.source is not None},
           "statistics": args.statistics, "show_fixes": args.show_fixes, "quiet": args.quiet,
           "applied_fixes": applied}
    results = targets = plan = stream = None  # only findings are reported: let every file's result go
    if diff_text is not None:
        _write(diff_text, None)
    if fixed_stdin is not None:
        # `--fix -`: the fixed text is the output (the formatter convention);
        # the report goes to stderr unless -o names a file
        sys.stdout.buffer.write(fixed_stdin)
        sys.stdout.flush()
    report = _render(fmt, findings, summary, ctx, whole=fixed_stdin is not None or args.output_file is not None)
    if fixed_stdin is not None and args.output_file is None:
        sys.stderr.write(report)
    else:
        _write(report, args.output_file)
    if args.output_sarif:
        _write(get_reporter("sarif")(findings, summary, ctx), args.output_sarif)
    if any(f.code == INTERNAL_ERROR for f in findings):
        return 2
    if args.diff and diff_text:
        return 1
    if args.exit_zero:
        return 0
    threshold = SEVERITY_RANK[args.fail_on]
    return 1 if any(SEVERITY_RANK.get(f.severity, 0) >= threshold for f in findings) else 0


def _render(fmt: str, findings, summary, ctx, whole: bool):
    """The report: whole, or in pieces to stdout where the reporter gives them
    (a JSON report of 100,000 files is 50 MB: held whole, with the lines it is
    joined from, it would be most of the run's peak memory)."""
    if fmt == "json" and not whole:
        from .report import json_report

        parts = getattr(json_report, "render_parts", None)
        if parts is not None:
            return parts(findings, summary, ctx)
    return get_reporter(fmt)(findings, summary, ctx)


def _map_rendered(results, targets, args, max_size: int) -> None:
    """Findings on `helm template` output read from stdin point at the chart's
    template files, where a template line matches (daprlint.rendered); the
    others stay on the rendered text. Moved findings lose their fix (its edits
    are offsets into the rendered text); a `range` that renders one template
    line many times gives one finding there."""
    if not any(t.path == "-" for t in targets):
        return
    shown = args.stdin_filename or "-"
    for result in results:
        if result.path != shown or result.source is None or "# Source:" not in result.source.text:
            continue
        from .rendered import Mapper
        from .span import Span

        reader = _ChartReader(args.stdin_filename, max_size)
        mapper = Mapper(result.source.text, reader.read)
        kept, seen = [], set()
        for finding in result.findings:
            where = mapper.locate(finding.span.line, finding.span.column)
            if where is not None:
                source, line, column = where
                path, starts = reader.files[source]
                finding.path = path
                finding.span = Span.point(line, column, starts[line] + column)
                finding.fix = None
            key = (finding.path, finding.span, finding.code, finding.message)
            if key not in seen:
                seen.add(key)
                kept.append(finding)
        result.findings = kept


class _ChartReader:
    """Template texts for `# Source: CHART/templates/x.yaml`, read from the chart
    at --stdin-filename or the working folder (the nearest folder up from there
    that holds Chart.yaml, or its CHART subfolder). Only relative paths inside
    that chart, regular files no larger than max-file-size."""

    def __init__(self, stdin_filename: str | None, max_size: int):
        from pathlib import Path  # only here: a run that maps no rendered output never imports it

        self.max_size = max_size
        self.files: dict[str, tuple[str, list[int]]] = {}
        self.roots = ([Path(stdin_filename)] if stdin_filename else []) + [Path.cwd()]

    def _chart(self, name: str) -> Path | None:
        for root in self.roots:
            for folder in ([root] if root.is_dir() else []) + list(root.parents):
                if (folder / "Chart.yaml").is_file():
                    return folder
            if (root / name / "Chart.yaml").is_file():
                return root / name
        return None

    def read(self, source: str) -> str | None:
        from pathlib import Path

        parts = Path(source).parts
        if len(parts) < 2 or Path(source).is_absolute() or ".." in parts:
            return None
        chart = self._chart(parts[0])
        if chart is None:
            return None
        path = chart.joinpath(*parts[1:])
        try:
            if not path.resolve().is_relative_to(chart.resolve()) or not path.is_file() \
                    or path.stat().st_size > self.max_size:
                return None
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
        from .span import LINE_BREAK

        relative = os.path.relpath(path)
        self.files[source] = (str(path) if relative.startswith("..") else relative,
                              [0] + [m.end() for m in LINE_BREAK.finditer(text)])
        return text


def cmd_graph(args) -> int:
    """`daprlint graph`: the deployments as Mermaid or DOT (graph.py), read
    by check's pipeline (discover, workspace.plan, lint, follow the
    references, build the deployments, the deployment rules). Never the
    cache: the picture needs every file's facts. Exit 0 whatever it draws."""
    from . import graph, tree, workspace
    from .runner import lint_targets, lint_unless_linted

    settings = settings_from_args(args)
    ruleset = load_packs(settings.rule_packs)
    engine = Engine(ruleset, settings)
    shown = set(engine.rules)  # the findings drawn: the rules the user selected
    if not engine.collects_facts:  # only deployment rules make files hand up their facts
        settings.select, settings.extend_select, settings.ignore = sorted(graph.CODES), [], []
        engine = Engine(ruleset, settings)
    targets = discover(args.paths, settings.exclude, settings.options.get("respect-gitignore", True),
                       force_exclude=args.force_exclude, root=settings.root_dir)
    plan = workspace.plan(engine, targets, None, args.jobs)
    for note in plan.notes:
        print(f"daprlint: {note}", file=sys.stderr)
    targets = plan.targets
    results = lint_unless_linted(engine, targets, plan.linted, args.jobs, args.stdin_filename)
    context = lint_unless_linted(engine, plan.context, plan.linted, args.jobs)
    shared = lint_targets(engine, plan.shared, args.jobs)
    more_targets, more = workspace.follow_references(
        engine, [r.facts for r in results + context + shared if r.facts is not None],
        targets + plan.context + plan.shared, None, args.jobs)
    root = workspace.project_root(targets[0].path if targets and targets[0].path != "-" else ".",
                                  settings.root_dir if settings.source else None)
    built = tree.build_deployments(engine, results, context + more, shared, root)
    results = tree.run(engine, targets, results, plan.context + more_targets, context + more, plan.shared, shared,
                       None, args.jobs, False, root)
    findings = [f for r in results for f in r.findings if f.code in shown]
    try:
        chosen = graph.drawn(built, {r.path for r in results}, args.deployment)
    except ValueError as exc:
        print(f"daprlint: error: {exc}", file=sys.stderr)
        return 2
    _write(graph.render(chosen, findings, args.graph_format), args.output_file)
    return 0


def _tune_gc() -> None:
    """A lint run allocates millions of short-lived, acyclic objects (YAML
    nodes): collect the young generation less often (~10% of a 10,000-file
    run, bench/), and leave what start-up loaded out of every collection."""
    import gc

    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
    gc.enable()  # cli.main turned it off while the modules loaded


def _colour(args) -> bool:
    if os.environ.get("NO_COLOR") or args.output_file:
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


WRITE_SLICE = 1 << 20
# Pieces of a streamed report (one a finding, ~460 characters) are written in
# blocks of about this many characters. sys.stdout buffers them only when it
# is buffered at all: under PYTHONUNBUFFERED=1, which CI images commonly set,
# each piece was its own write(2), 10,000 of them for tree-10000 (0.23 s of a
# 2.45 s run on this VM, bench/README.md round eleven).
WRITE_BLOCK = 1 << 16


def _blocks(parts, size: int):
    """The strings of *parts* joined into blocks of at least *size* characters
    (the last one shorter), so that a block is never more than one part longer."""
    pending: list[str] = []
    held = 0
    for part in parts:
        pending.append(part)
        held += len(part)
        if held >= size:
            yield "".join(pending)
            pending, held = [], 0
    if pending:
        yield "".join(pending)


def _write(text, path: str | None) -> None:
    """Write *text* (a str, or pieces of it to stdout) to stdout or the file at *path*."""
    if path is None:
        try:
            if isinstance(text, str):
                # in slices: a report of 100,000 files (50 MB of JSON) is not encoded into one more copy at once
                for start in range(0, len(text), WRITE_SLICE):
                    sys.stdout.write(text[start:start + WRITE_SLICE])
            else:
                for block in _blocks(text, WRITE_BLOCK):
                    sys.stdout.write(block)
            sys.stdout.flush()
        except BrokenPipeError:
            raise  # `| head`: cli.py ends the run quietly
        except OSError as exc:  # a full disk: a clear error, not a crash
            from .atomic import WriteRefused

            raise WriteRefused(f"cannot write to standard output: {exc.strerror or type(exc).__name__}") from None
        return
    from .atomic import write_output

    write_output(path, text.encode("utf-8"))  # never through a link; a clear error otherwise

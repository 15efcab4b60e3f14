"""Command line: `daprlint check | graph | rules | explain | server | schema | upgrade`.

Exit codes: 0 no findings, 1 findings, 2 usage, configuration or internal
error. Nothing here prints a metadata value: messages were redacted when
the findings were made.
"""
from __future__ import annotations

import os
import sys

from . import __version__
from . import cpu  # noqa: F401  notes the CPU counters at start-up (see cpu.py)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# "text" is the old name of "concise", still accepted
FORMATS = ("full", "concise", "json", "sarif", "github", "text")
COMMANDS = ("check", "graph", "rules", "explain", "deployments", "schema", "server", "upgrade")
YAML_SUFFIXES = (".yaml", ".yml")


def _codes(value: str) -> list[str]:
    return [c.strip().upper() for c in value.split(",") if c.strip()]


def _byte_count(value: str) -> int:
    """A positive number of bytes (argparse words a ValueError with this function's __name__)."""
    number = int(value)
    if number <= 0:
        raise ValueError(value)
    return number


_byte_count.__name__ = "positive byte count"


def jobs(value: str):
    """--jobs N, or --jobs auto (runner.workers_for decides how many to use)."""
    return value if value == "auto" else int(value)


# The options of `daprlint check`: (help group, option strings, add_argument
# keywords). build_parser() gives them to argparse; _fast_check_args() reads
# them directly for the common command lines, without importing argparse.
CHECK_OPTIONS: tuple[tuple[str, tuple[str, ...], dict], ...] = (
    ("output", ("--output-format", "--format"), dict(choices=FORMATS, default="full",
                                                     help="full (default: each finding with its source lines), "
                                                          "concise (one line each; 'text' is its old name), json, "
                                                          "sarif or github")),
    ("output", ("--statistics",), dict(action="store_true", help="count the findings and fixable ones per rule "
                                                                "instead of listing them")),
    ("output", ("--show-fixes",), dict(action="store_true", help="list the fixes --fix applied (or would apply), "
                                                                "per file and rule")),
    ("output", ("--output-file", "-o"), dict(metavar="FILE", help="write the report to FILE instead of stdout")),
    ("output", ("--output-sarif",), dict(metavar="FILE", help="also write a SARIF report to FILE")),
    ("output", ("--quiet", "-q"), dict(action="store_true", help="print findings only, no summary")),
    ("output", ("--fail-on",), dict(choices=("info", "warning", "error", "never"), default="info",
                                    help="lowest severity that makes the exit code 1 (default: info, i.e. any "
                                         "finding)")),
    ("output", ("--exit-zero",), dict(action="store_true", help="exit 0 even when there are findings")),
    ("output", ("--show-files",), dict(action="store_true", help="list the files that would be linted, and stop")),
    ("output", ("--watch", "-w"), dict(action="store_true", help="lint again whenever a linted file, the "
                                                                "configuration or a rule pack changes (Ctrl-C "
                                                                "stops); faster with daprlint[watch]")),
    ("output", ("--show-deployments",), dict(action="store_true",
                                            help="list the deployments (which files load together, their app IDs, "
                                                 "and why), and stop")),
    ("rule selection", ("--select",), dict(type=_codes, metavar="CODES", help="comma-separated codes or prefixes "
                                           "to enable (replaces the default set); opt-in rules need their exact "
                                           "code")),
    ("rule selection", ("--extend-select",), dict(type=_codes, metavar="CODES", default=[],
                                                  help="codes to add to the set")),
    ("rule selection", ("--ignore",), dict(type=_codes, metavar="CODES", default=[],
                                           help="codes or prefixes to disable")),
    ("rule selection", ("--rule-pack",), dict(action="append", default=[], metavar="DIR",
                                              help="load a rule pack folder, its Python rules included "
                                                   "(you trust it; repeatable)")),
    ("configuration", ("--config",), dict(metavar="FILE", help="use this pyproject.toml or .daprlint.toml")),
    ("configuration", ("--isolated",), dict(action="store_true", help="ignore all configuration files")),
    ("configuration", ("--exclude",), dict(action="append", default=[], metavar="GLOB", help="skip matching paths")),
    ("configuration", ("--force-exclude",), dict(action="store_true", help="apply exclude globs to files named on "
                                                 "the command line too (for pre-commit)")),
    ("configuration", ("--no-respect-gitignore",), dict(action="store_true",
                                                        help="lint files that .gitignore ignores")),
    ("configuration", ("--stdin-filename",), dict(metavar="NAME",
                                                  help="the name of the file read from '-' (for editors)")),
    ("configuration", ("--mode",), dict(choices=("kubernetes", "self-hosted"), help="how the manifests are deployed")),
    ("configuration", ("--dapr-version",), dict(metavar="V", help="the Dapr release to check against, e.g. 1.14 or "
                                                "1.17.2 (or dapr-version in config; default: the newest release "
                                                "daprlint knows)")),
    ("configuration", ("--max-file-size",), dict(type=_byte_count, metavar="BYTES",
                                                 help="files larger than this are not linted; each is reported "
                                                      "as YML002 (default 5 MiB)")),
    ("fixes", ("--fix",), dict(action="store_true", help="apply safe fixes in place")),
    ("fixes", ("--unsafe-fixes",), dict(action="store_true",
                                        help="also apply unsafe fixes (with --fix or --diff)")),
    ("fixes", ("--diff",), dict(action="store_true", help="print what --fix would change; write nothing")),
    ("fixes", ("--add-noqa",), dict(action="store_true", help="add a '# daprlint: ignore[CODE]' comment for "
                                                            "every finding still reported, so that only new "
                                                            "ones are reported from now on")),
    ("fixes", ("--aws-region",), dict(metavar="REGION", help="region for the AWS001 fix (or aws-region in config)")),
    ("fixes", ("--secrets-out",), dict(metavar="FILE", help="where the SEC001 fix moves secret values "
                                       "(.yaml: Kubernetes Secret; .json: secretstores.local.file)")),
    ("fixes", ("--secret-store",), dict(metavar="NAME", help="the auth.secretStore the SEC001 fix adds "
                                        "(or secret-store in config; self-hosted mode needs one)")),
    ("fixes", ("--secret-name",), dict(metavar="TEMPLATE", help="the secret the SEC001 fix references, "
                                       "{component} is the component's name (default {component}-secrets)")),
    ("performance", ("--jobs", "-j"), dict(type=jobs, default="auto", metavar="N|auto",
                                           help="at most N worker processes, or auto: the cores; workers only for "
                                                "2,000 files or more and while cores are free (default auto)")),
    ("performance", ("--no-cache",), dict(action="store_true", help="do not read or write the result cache")),
    ("performance", ("--cache-dir",), dict(metavar="DIR", help="cache folder (default .daprlint_cache)")),
)
CHECK_PATHS = dict(nargs="*", default=["."], metavar="PATH")


def _version_text() -> str:
    try:
        from .packs import builtin_pack_path
        import json

        src = json.loads((builtin_pack_path() / "generated" / "sources.json").read_text())
        data = f"components-contrib@{src['components-contrib'][:12]}, dapr@{src['dapr'][:12]}"
        releases = src.get("dapr_releases")
        if not releases:
            return f"daprlint {__version__} (Dapr data: {data})"
        default = src["default_release"]
        tags = src["release_sources"][default]
        return (f"daprlint {__version__} (Dapr {default} by default: dapr {tags['dapr']}, components-contrib "
                f"{tags['components_contrib']}; knows Dapr {releases[0]}-{releases[-1]}; master data: {data})")
    except (OSError, ValueError, KeyError):
        return f"daprlint {__version__}"


def build_parser():
    import argparse

    class _VersionAction(argparse.Action):
        """Like action="version", but reads the data sources only when asked."""

        def __call__(self, parser, namespace, values, option_string=None):
            print(_version_text())
            parser.exit(0)

    class _Parser(argparse.ArgumentParser):
        def error(self, message):  # usage errors exit 2, as argparse does, with a hint
            self.print_usage(sys.stderr)
            self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\nRun '{self.prog} --help' for help.\n")

    parser = _Parser(prog="daprlint", description="A fast linter, with autofix, for Dapr component manifests.",
                     epilog="Exit codes: 0 clean, 1 findings, 2 usage/config/internal error. "
                            "Run 'daprlint explain CODE' for a rule's documentation.")
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show the version and the Dapr data it knows")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="lint files and folders (default command)",
                           description="Lint Dapr manifests. PATH may be a file, a folder (walked for "
                                       "*.yaml/*.yml) or '-' for stdin.")
    check.add_argument("paths", **{**CHECK_PATHS, "default": list(CHECK_PATHS["default"])})
    groups: dict[str, argparse._ArgumentGroup] = {}
    for group, flags, kwargs in CHECK_OPTIONS:
        if group not in groups:
            groups[group] = check.add_argument_group(group)
        if isinstance(kwargs.get("default"), list):  # a fresh list per parser, as before the table
            kwargs = {**kwargs, "default": list(kwargs["default"])}
        groups[group].add_argument(*flags, **kwargs)

    rules = sub.add_parser("rules", help="list every rule", description="List every rule with its status.")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    explain = sub.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("code", metavar="CODE", help="a rule code or name")
    for command in (rules, explain):  # the packs whose rules to list or explain, as `check` finds them
        command.add_argument("--rule-pack", action="append", default=[], metavar="DIR",
                             help="load a rule pack folder, its Python rules included (you trust it; repeatable)")
        command.add_argument("--config", metavar="FILE", help="use this pyproject.toml or .daprlint.toml")
        command.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    sub.add_parser("deployments", help="show which files load together, and why (check --show-deployments)",
                   add_help=False)
    sub.add_parser("schema", help="write JSON Schemas for YAML editors and kubeconform (--out DIR)", add_help=False)
    sub.add_parser("upgrade", help="what changes for this tree from one Dapr release to another (--from V --to V)",
                   add_help=False)
    _add_graph_parser(sub, argparse)
    server = sub.add_parser("server", help="run the language server over stdio (needs daprlint[lsp])")
    server.add_argument("--stdio", action="store_true", help="accepted for editor compatibility (the default)")
    return parser


# `daprlint graph` reads the tree as `check` does: these check options apply to it too
GRAPH_CHECK_GROUPS = ("rule selection", "configuration")


def _add_graph_parser(sub, argparse) -> None:
    graph = sub.add_parser("graph", help="draw the deployments: apps, components, scopes, broken references",
                           description="Draw what each sidecar sees: the apps, components, secret stores, "
                                       "subscriptions and resiliency targets of each deployment, the scopes "
                                       "between them, and broken references in red with their rule code "
                                       "(Mermaid or Graphviz DOT; see docs/graph.md).")
    graph.add_argument("paths", **{**CHECK_PATHS, "default": list(CHECK_PATHS["default"])})
    graph.add_argument("--format", "--output-format", dest="graph_format", choices=("mermaid", "dot"),
                       default="mermaid", help="mermaid (default: a flowchart for Markdown) or dot (Graphviz)")
    graph.add_argument("--deployment", action="append", default=[], metavar="KEY",
                       help="draw only this deployment: its key (`daprlint deployments --format json` lists "
                            "them) or a part of it; repeatable (default: every deployment, one cluster each)")
    graph.add_argument("--output-file", "-o", metavar="FILE", help="write the graph to FILE instead of stdout")
    graph.add_argument("--jobs", "-j", type=jobs, default="auto", metavar="N|auto",
                       help="at most N worker processes, or auto (default)")
    groups: dict = {}
    for group, flags, kwargs in CHECK_OPTIONS:
        if group not in GRAPH_CHECK_GROUPS:
            continue
        if group not in groups:
            groups[group] = graph.add_argument_group(group)
        if isinstance(kwargs.get("default"), list):
            kwargs = {**kwargs, "default": list(kwargs["default"])}
        groups[group].add_argument(*flags, **kwargs)
    graph.set_defaults(aws_region=None, secrets_out=None)  # fix options: settings_from_args reads them


_FAST_KEYWORDS = {"action", "choices", "default", "help", "metavar", "type"}


def _fast_check_args(argv: list[str]):
    """What `build_parser().parse_args(argv)` returns for a plain `check`
    command line, without importing argparse (with gettext, locale and
    shutil, ~10 ms of the one-file budget); None for anything else.

    Plain means: exact option strings from CHECK_OPTIONS (`--name=value`
    too), values not starting with '-' (except '-' itself), the paths in one
    run, valid choices and types. Everything else (help, abbreviations,
    `-j2`, `--`, errors) goes through argparse, which decides and words it.
    """
    if not argv or argv[0] != "check":
        return None
    from types import SimpleNamespace

    actions = {}
    values: dict = {"version": None, "command": "check"}
    for _group, flags, kwargs in CHECK_OPTIONS:
        kind = kwargs.get("action", "store")
        if kind not in ("store", "store_true", "append") or not set(kwargs) <= _FAST_KEYWORDS:
            return None  # an option this reader does not know how to read: argparse does
        longs = [f for f in flags if f.startswith("--")]  # argparse's dest: the first long option
        dest = (longs[0][2:] if longs else flags[0][1:]).replace("-", "_")
        for flag in flags:
            actions[flag] = (dest, kind, kwargs)
        default = kwargs.get("default", False if kind == "store_true" else None)
        values[dest] = list(default) if isinstance(default, list) else default  # never share a default list
    paths: list[str] = []
    state = 0  # 0: no path yet, 1: in the run of paths, 2: after it
    args = iter(argv[1:])
    for arg in args:
        if arg[:1] != "-" or arg == "-":
            if state == 2:
                return None  # argparse reports the second run as unrecognized
            state = 1
            paths.append(arg)
            continue
        if state == 1:
            state = 2
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name not in actions:
            return None
        dest, kind, kwargs = actions[name]
        if kind == "store_true":
            if eq:
                return None
            values[dest] = True
            continue
        if not eq:
            value = next(args, None)
            if value is None or (value[:1] == "-" and value != "-"):
                return None
        if "type" in kwargs:
            try:
                value = kwargs["type"](value)
            except (TypeError, ValueError):
                return None
        if "choices" in kwargs and value not in kwargs["choices"]:
            return None
        if kind == "append":
            values[dest].append(value)
        else:
            values[dest] = value
    values["paths"] = paths or list(CHECK_PATHS["default"])
    return SimpleNamespace(**values)


def _check_without_startup_gc(args) -> int:
    """`daprlint check`, with no cyclic garbage collection while its modules
    load: start-up makes tens of thousands of objects that all stay alive
    (classes, functions), and the collector walked them ~20 times for
    nothing (11M of a warm named-file run's 280M instructions, valgrind).
    commands._tune_gc turns it on again, tuned for linting; whatever way the
    command ends, the collector is as it was (tests call main in-process)."""
    import gc

    was_on = gc.isenabled()
    gc.disable()
    try:
        from .commands import cmd_check

        return cmd_check(args)
    finally:
        if was_on:
            gc.enable()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "deployments":  # `daprlint deployments PATH` is `check --show-deployments PATH`
        argv = ["check", "--show-deployments", *argv[1:]]
    if argv and argv[0] == "schema":  # JSON Schemas for editors (docs/editor-schemas.md); its own parser
        from .schema_export import main as schema_main

        return schema_main(argv[1:])
    if argv and argv[0] == "upgrade":  # what changes when the cluster moves between Dapr releases; its own parser
        from .upgrade import main as upgrade_main

        return upgrade_main(argv[1:])
    if argv and argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version"):
        if not _names_a_path(argv[0]):
            return _usage_error(_unknown_command(argv[0]))
        argv.insert(0, "check")  # `daprlint PATH ...` and `daprlint --flag ...` are `daprlint check ...`
    args = _fast_check_args(argv)
    if args is None:
        parser = build_parser()
        args = parser.parse_args(argv)
    if args.command == "check":
        problem = _check_usage(args)
        if problem:
            return _usage_error(problem)
    try:
        if args.command == "rules":
            return cmd_rules(args)
        if args.command == "explain":
            return cmd_explain(args)
        if args.command == "server":
            from .lsp import serve

            return serve()
        if args.command is None:
            parser.print_help()
            return EXIT_ERROR
        if args.command == "graph":
            from .commands import cmd_graph

            return cmd_graph(args)
        return _check_without_startup_gc(args)
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_CLEAN
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # configuration problems and bugs: exit 2, never a traceback with values
        from .config import ConfigError
        from .packs import PackError

        from .atomic import WriteRefused

        if isinstance(exc, (ConfigError, PackError, WriteRefused)):
            print(f"daprlint: error: {exc}", file=sys.stderr)
        elif isinstance(exc, OSError):  # the machine's problem (a full disk, a folder named as a file), not a bug
            where = f"{exc.filename}: " if exc.filename else ""
            print(f"daprlint: error: {where}{exc.strerror or type(exc).__name__}", file=sys.stderr)
        elif isinstance(exc, ImportError) and args.command == "server":
            print("daprlint: the language server needs the 'lsp' extra: pip install 'daprlint[lsp]' "
                  "(from a clone: pip install '.[lsp]')", file=sys.stderr)
        else:
            print(f"daprlint: internal error ({type(exc).__name__}); please report it", file=sys.stderr)
            if os.environ.get("DAPRLINT_DEBUG"):
                import traceback

                from .redact import scrub

                print(scrub("".join(traceback.format_exception(type(exc), exc, exc.__traceback__,
                                                               chain=False)[:-1])), file=sys.stderr)
        _flush_or_silence()
        return EXIT_ERROR


def _usage_error(message: str) -> int:
    print(f"daprlint: error: {message}\nRun 'daprlint --help' for help.", file=sys.stderr)
    return EXIT_ERROR


def _names_a_path(arg: str) -> bool:
    """Whether a first argument that is no command is meant as `check`'s: an
    option, `-`, an existing path, or something spelt like a path (a
    separator, a YAML suffix), which `check` then reports if it is missing."""
    return arg.startswith("-") or os.path.lexists(arg) or "/" in arg or os.sep in arg or \
        arg.endswith(YAML_SUFFIXES) or arg in (".", "..")


def _unknown_command(word: str) -> str:
    from difflib import get_close_matches  # only on the error path

    close = get_close_matches(word, COMMANDS, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else f"the commands are {', '.join(COMMANDS)}"
    return f"{word!r} is neither a command nor an existing file or folder; {hint}"


def _check_usage(args) -> str | None:
    """A `check` command line that cannot work: a path that does not exist,
    an output file that is a folder. Said before any work is done."""
    for path in args.paths:
        if path != "-" and not os.path.exists(path):
            dangling = os.path.lexists(path)
            return f"{path}: " + ("a link to something that does not exist" if dangling else "no such file or folder")
    for flag, path in (("--output-file", args.output_file), ("--output-sarif", args.output_sarif)):
        if path and os.path.isdir(path):
            return f"{flag} {path}: is a folder, not a file"
    return None


def _flush_or_silence() -> None:
    """After an error: what stdout still holds (a full disk) would fail again, noisily, at exit."""
    try:
        sys.stdout.flush()
    except OSError:
        _silence_stdout()


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


def _ruleset_for(args):
    """The packs `check` would load from the current folder, with the command's --rule-pack, --config, --isolated."""
    from .config import settings_from_args
    from .packs import load_packs

    return load_packs(settings_from_args(args).rule_packs)


def cmd_rules(args) -> int:
    ruleset = _ruleset_for(args)
    rules = sorted(ruleset.rules.values(), key=lambda r: r.code)
    if args.format == "json":
        import json

        print(json.dumps([{"code": r.code, "name": r.name, "severity": r.severity, "summary": r.summary,
                           "fix": r.fix, "opt_in": r.opt_in, "scope": r.scope} for r in rules], indent=2))
        return EXIT_CLEAN
    print(f"{'code':7} {'name':34} {'severity':8} {'fix':6} {'default':8} summary")
    for r in rules:
        print(f"{r.code:7} {r.name:34} {r.severity:8} {r.fix:6} {'opt-in' if r.opt_in else 'on':8} {r.summary}")
    return EXIT_CLEAN


def cmd_explain(args) -> int:
    ruleset = _ruleset_for(args)
    wanted = args.code.strip()
    rule = ruleset.rules.get(wanted.upper()) or next(
        (r for r in ruleset.rules.values() if r.name == wanted.lower()), None)
    if rule is None:
        print(f"daprlint: error: unknown rule {wanted!r}; 'daprlint rules' lists them", file=sys.stderr)
        return EXIT_ERROR
    print(f"{rule.code} ({rule.name})\n")
    print(f"Severity: {rule.severity}. Fix: {rule.fix}. {'Opt-in: enable it with --extend-select ' + rule.code + '.' if rule.opt_in else 'On by default.'}\n")
    print(rule.doc)
    return EXIT_CLEAN

"""Settings: the user config, then the project config, then the command line.

- The **user config** is `$XDG_CONFIG_HOME/daprlint/config.toml` (by default
  `~/.config/daprlint/config.toml`), the same keys at the top level.
- The **project config** is the nearest `.daprlint.toml`, or `pyproject.toml`
  with a `[tool.daprlint]` table, upward from the first linted path (or the
  file given with `--config`).
- **Flags** win over both. `--isolated` reads neither file.

Keys that replace (`select`, `ignore`, `exclude`, `mode`, ...) take the
highest level that sets them; `extend-select`, `extend-ignore`,
`extend-exclude` and `rule-packs` add up across the levels; tables
(`severity`, `per-file-ignores`, ...) merge key by key. Paths in a file are
relative to that file's folder; paths in flags and DAPRLINT_RULE_PACKS to
the current folder.

**Trust.** daprlint is run on trees it did not write (pull requests, CI
scans), so nothing in the linted content may make it run code. A rule
pack's Python modules are imported only when the person running daprlint
named the pack: `--rule-pack`, DAPRLINT_RULE_PACKS, the user config, or an
installed package's `daprlint.rule_packs` entry point. A project config
may name JSON-Schema-only packs (data); one that names a pack with Python
modules gets one notice (untrusted_pack_notice) and the run goes on
without it. packs.load_packs enforces this from where each PackRef came
from, so a caller cannot forget it. A project config cannot remove packs
the user granted (`rule-packs` add up), and a user config that lies inside
the linted tree (HOME set to a checkout) is read as a project config.

Every setting is described once, in SETTINGS: load_settings checks values
by it and scripts/gen_docs.py documents it. A malformed value is a
ConfigError with the file and key (exit 2): a typo must never silently
disable a check.
"""
from __future__ import annotations

import os

from ._record import field, record as dataclass

TYPE_CHECKING = False  # typing costs ~3 ms at start-up: annotations only
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Callable

    from .packs import PackRef


DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_CONFIG_BYTES = 1 << 20
PACKS_ENV = "DAPRLINT_RULE_PACKS"
MODES = ("kubernetes", "self-hosted")
TREE_SCOPES = ("folder", "tree")
SEVERITY_VALUES = ("error", "warning", "info")


class ConfigError(Exception):
    """A configuration or usage error: printed as `daprlint: error: ...`, exit 2."""


class Setting:
    """One configuration key, as load_settings reads it and the docs describe it.

    A plain class: a `_record` class costs ~0.16 ms to build at import, and this
    module is on every run's start-up path."""

    __slots__ = ("group", "key", "kind", "type", "default", "help", "example", "brief", "flag", "choices")

    def __init__(self, group: str, key: str, kind: str, type: str, default: str, help: str, example: str,
                 brief: str, flag: str = "", choices: tuple = ()):
        self.group = group      # the docs' section
        self.key = key
        self.kind = kind        # how the value is read (see _parse)
        self.type = type        # as documented
        self.default = default  # as documented
        self.help = help
        self.example = example  # a TOML value for the README's block
        self.brief = brief      # the block's comment
        self.flag = flag        # the command-line flag that sets it, if any
        self.choices = choices

    def __repr__(self) -> str:
        return f"Setting({self.key!r})"


_SEL, _FILES, _DAPR, _POLICY, _FIXES, _PERF = "rule selection", "what is linted", "Dapr release", \
    "type policy (POL001)", "fixes", "performance"
SETTINGS: tuple[Setting, ...] = (
    Setting(_SEL, "select", "selectors", "list of selectors", "every rule that is not opt-in",
            "Rules to run, replacing the default set: codes (`AWS001`), prefixes (`AWS`, `DPR00`), rule names "
            "(`aws-missing-region`) or `ALL`. Opt-in rules need their exact code or name.",
            '["AWS", "SEC", "DPR", "YML", "POL"]', "replaces the default set (codes, prefixes, names)", "--select"),
    Setting(_SEL, "extend-select", "selectors", "list of selectors", "`[]`",
            "Rules to add to the set (opt-in rules by their exact code or name).",
            '["AWS006"]', "adds to it (opt-in rules need the exact code)", "--extend-select"),
    Setting(_SEL, "ignore", "selectors", "list of selectors", "`[]`",
            "Rules to turn off: codes, prefixes, names or `ALL` (INT001 cannot be turned off).",
            '["AWS004"]', "turns rules off", "--ignore"),
    Setting(_SEL, "extend-ignore", "selectors", "list of selectors", "`[]`",
            "Rules to turn off, added to the `ignore` of every level.", '["DPR005"]', "adds to ignore"),
    Setting(_SEL, "per-file-ignores", "selector-table", "table: glob = list of selectors", "`{}`",
            "Rules to turn off in matching files. A glob matches the path relative to the project config's "
            "folder, the path as given, or the file name (`*` also matches `/`).",
            '{ "local/*.yaml" = ["AWS007", "SEC001"] }', "per path"),
    Setting(_SEL, "severity", "severity-table", "table: code = severity", "each rule's own",
            "A rule's severity: `error`, `warning` or `info` (keys are codes or rule names).",
            '{ AWS004 = "error" }', "override a rule's severity"),
    Setting(_SEL, "rule-packs", "packs", "list of paths", "`[]`",
            "Extra rule pack folders. A project config's Python packs do not load (see "
            "[Trust](#trust-rule-packs-from-the-linted-tree)); JSON-Schema-only packs do.",
            '["tools/daprlint-schemas"]', "extra packs; Python ones only from your own config", "--rule-pack"),
    Setting(_FILES, "exclude", "globs", "list of globs", "`[]`",
            "Paths to skip when walking folders (named files too with `--force-exclude`).",
            '["charts/**", "legacy/*.yaml"]', "skipped when walking folders", "--exclude"),
    Setting(_FILES, "extend-exclude", "globs", "list of globs", "`[]`",
            "Paths to skip, added to the `exclude` of every level.", '["generated/**"]', "adds to exclude"),
    Setting(_FILES, "respect-gitignore", "bool", "boolean", "`true`",
            "Skip what `.gitignore` files ignore when walking folders.", "true", "skip what .gitignore ignores",
            "--no-respect-gitignore"),
    Setting(_FILES, "max-file-size", "size", "positive integer (bytes)", f"`{DEFAULT_MAX_FILE_SIZE}` (5 MiB)",
            "Larger files are not linted; each is reported as YML002.", str(DEFAULT_MAX_FILE_SIZE),
            "bytes; larger files are not linted (YML002)", "--max-file-size"),
    Setting(_FILES, "resources-paths", "context-paths", "list of paths", "`[]`",
            "Folders whose resources join every deployment as context (components shared by all apps).",
            '["shared/components"]', "context for every deployment"),
    Setting(_FILES, "tree-scope", "choice", "`folder` or `tree`", "`folder`",
            "Where no run file, kustomization or chart says otherwise, a deployment is one folder, or the "
            "whole tree.", '"folder"', 'or "tree": the whole tree is one deployment', choices=TREE_SCOPES),
    Setting(_FILES, "mode", "choice", "`kubernetes` or `self-hosted`", "`kubernetes`",
            "How the manifests are deployed (`self-hosted` enables SEC003).", '"kubernetes"',
            'or "self-hosted" (enables SEC003)', "--mode", MODES),
    Setting(_DAPR, "dapr-version", "dapr-version", "string: `MAJOR.MINOR[.PATCH]` or `master`",
            "the newest release daprlint knows",
            "The Dapr release the rules check against (component types, metadata fields, deprecations as that "
            "release has them; docs/versions.md). A patch matters only for the sidecar annotations; a version "
            "newer than every known release uses the newest data; an older one is an error.",
            '"1.14"', "the Dapr release you run", "--dapr-version"),
    Setting(_POLICY, "allowed-types", "type-globs", "list of type globs", "every type",
            "The only component types any file may use (globs: `state.redis`, `pubsub.*`).",
            '["state.*", "pubsub.*", "secretstores.*", "bindings.*"]', "the only types allowed"),
    Setting(_POLICY, "forbidden-types", "type-globs", "list of type globs", "`[]`",
            "Component types no file may use.", '["secretstores.local.*", "state.in-memory"]', "types never allowed"),
    Setting(_POLICY, "per-file-allowed-types", "type-table", "table: glob = list of type globs", "`{}`",
            "In matching files a type must also be in this list (globs as in `per-file-ignores`).",
            '{ "deploy/**" = ["state.redis", "pubsub.kafka", "secretstores.kubernetes"] }', "per path"),
    Setting(_POLICY, "per-file-forbidden-types", "type-table", "table: glob = list of type globs", "`{}`",
            "In matching files these types are forbidden too.", '{ "deploy/prod/**" = ["bindings.http"] }',
            "per path"),
    Setting(_FIXES, "aws-region", "string", "string", "none", "The region the AWS001 fix inserts (never guessed).",
            '"eu-west-1"', "lets the AWS001 fix insert a region", "--aws-region"),
    Setting(_FIXES, "secret-name", "string", "string", '`"{component}-secrets"`',
            "SEC001 fix: the secret to reference (`{component}` is the component's name).",
            '"{component}-secrets"', "SEC001 fix: the secret to reference", "--secret-name"),
    Setting(_FIXES, "secret-store", "string", "string", '`"kubernetes"` in Kubernetes mode',
            "SEC001 fix: the `auth.secretStore` to add (in self-hosted mode, where there is no built-in "
            "`kubernetes` store, the one the file defines if there is one).", '"kubernetes"',
            "SEC001 fix: auth.secretStore to add (self-hosted needs one)", "--secret-store"),
    Setting(_FIXES, "secrets-out", "path", "path", "none",
            "SEC001 fix: where removed secret values go (`.yaml`: a Kubernetes Secret; `.json`: the file "
            "`secretstores.local.file` reads).", '"/secure/place/secrets.yaml"', "SEC001 fix: where values go",
            "--secrets-out"),
    Setting(_PERF, "cache-dir", "path", "path", "`.daprlint_cache` beside the project config, else in the "
            "current folder", "The result cache's folder (also `DAPRLINT_CACHE_DIR`).", '".daprlint_cache"',
            "the result cache", "--cache-dir"),
)
BY_KEY = {s.key: s for s in SETTINGS}
# how each level combines with the one below it
_REPLACE_BASE = {"select": "select", "ignore": "ignore", "exclude": "exclude"}
_EXTEND = {"extend-select": "extend_select", "extend-ignore": "ignore", "extend-exclude": "exclude"}
_TABLES = {"per-file-ignores": "per_file_ignores", "severity": "severity"}


@dataclass
class Settings:
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    rule_packs: list[PackRef] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None  # the project config file, when there is one
    user_source: Path | None = None  # the user config file, when one was read
    # every rule selector as written, for selection.select_rules to check once
    # the packs are loaded: (where, "select" | "ignore" | "severity", text)
    selectors: list[tuple[str, str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # untrusted Python packs not loaded

    @property
    def root(self) -> Path:
        return self.source.parent if self.source else _path_type().cwd()

    @property
    def root_dir(self) -> str:
        """`str(root)`, without pathlib (for the start-up path: see _path_type)."""
        return os.path.dirname(os.fspath(self.source)) if self.source else os.getcwd()


def _path_type():
    """pathlib.Path, imported when a path object is first needed: a config
    file, a rule pack, a caller that asks for one. pathlib (with
    urllib.parse and ipaddress, which it imports) was 17M of the 240M
    instructions of a warm named-file run, which has none of those."""
    from pathlib import Path

    return Path


# -- finding the files -----------------------------------------------------------
def find_config(start) -> Path | None:
    """The project config for *start* (a path or a str): the nearest `.daprlint.toml`, or
    `pyproject.toml` with a `[tool.daprlint]` table, in its folder or above."""
    found = _find_config_file(os.fspath(start))
    return None if found is None else _path_type()(found)


def _find_config_file(start: str) -> str | None:
    """find_config in os.path terms (Path.resolve() is os.path.realpath)."""
    start = os.path.realpath(start)
    folder = start if os.path.isdir(start) else os.path.dirname(start)
    while True:
        dotfile = os.path.join(folder, ".daprlint.toml")
        if os.path.isfile(dotfile):
            return dotfile
        pyproject = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(pyproject):
            tool = _read_toml(pyproject).get("tool")
            if isinstance(tool, dict) and "daprlint" in tool:
                return pyproject
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def user_config_path() -> Path | None:
    """`$XDG_CONFIG_HOME/daprlint/config.toml`, else `~/.config/daprlint/config.toml`
    (a relative XDG_CONFIG_HOME is ignored, as the XDG spec says)."""
    found = _user_config_file()
    return None if found is None else _path_type()(found)


def _user_config_file() -> str | None:
    """user_config_path as a str (Path.home() is expanduser("~"), an error when it stays "~")."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if home.startswith("~"):  # no home folder
            return None
        base = os.path.join(home, ".config")
    return os.path.join(base, "daprlint", "config.toml")


def _read_toml(path) -> dict:
    try:  # imported here: ~4 ms, and only needed when a config file exists
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or type(exc).__name__}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: config file is over {MAX_CONFIG_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line}: config is not UTF-8 text (byte 0x{data[exc.start]:02x})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


# -- reading values ----------------------------------------------------------------
_TOML_TYPES = ((bool, "a boolean"), (int, "an integer"), (float, "a float"), (str, "a string"),
               (list, "an array"), (dict, "a table"))


def _a(value: Any) -> str:
    return next((name for t, name in _TOML_TYPES if isinstance(value, t)), "a date/time")


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _strings(value: Any, where: str, what: str = "strings") -> list[str]:
    if not isinstance(value, list):
        raise ConfigError(f"{where} must be a list of {what}, not {_a(value)}")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise ConfigError(f"{where}[{index}] must be a string, not {_a(item)}")
        if not item.strip():
            raise ConfigError(f"{where}[{index}] is empty")
    return value


def _table(value: Any, where: str, what: str) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table of {what}, not {_a(value)}")
    return value


class _Layer:
    """One level of settings (a config file, the environment, the flags), parsed and checked."""

    def __init__(self, where: str, origin: str, base: Path, file: Path | None = None):
        self.where, self.origin, self.base, self.file = where, origin, base, file
        self.values: dict[str, Any] = {}
        self.selectors: list[tuple[str, str, str]] = []

    def selector_list(self, value: Any, where: str, purpose: str) -> list[str]:
        found = []
        for text in _strings(value, where, "rule codes"):
            self.selectors.append((where, purpose, text))
            found.append(text.strip().upper())
        return found

    def path(self, text: str) -> Path:
        """*text* relative to this level's folder (`~` expands, except in a project config)."""
        return (_path_type()(self.base) / (text if self.origin == "project-config" else os.path.expanduser(text))).resolve()


def _parse(layer: _Layer, setting: Setting, value: Any, where: str) -> Any:
    kind = setting.kind
    if kind == "selectors":
        purpose = "ignore" if "ignore" in setting.key else "select"
        if setting.key == "select" and value == []:
            raise ConfigError(f"{where} is empty: no rule would run (leave it out for the default set)")
        return layer.selector_list(value, where, purpose)
    if kind == "globs":
        return list(_strings(value, where, "globs"))
    if kind in ("packs", "context-paths"):
        return [layer.path(p) for p in _strings(value, where, "paths")]
    if kind == "selector-table":
        table = _table(value, where, "glob = [rule codes]")
        return {glob: layer.selector_list(codes, f"{where}.{glob!r}" if " " in glob else f"{where}.{glob}", "ignore")
                for glob, codes in table.items()}
    if kind == "severity-table":
        out = {}
        for code, level in _table(value, where, "code = severity").items():
            if level not in SEVERITY_VALUES:
                shown = _shown(level) if isinstance(level, str) else _a(level)
                raise ConfigError(f"{where}.{code} must be one of {', '.join(SEVERITY_VALUES)}, not {shown}")
            layer.selectors.append((f"{where}.{code}", "severity", code))
            out[code.strip().upper()] = level
        return out
    if kind == "type-globs":
        return _type_globs(value, where, setting.key)
    if kind == "type-table":
        table = _table(value, where, "glob = [component type globs]")
        return {glob: _type_globs(types, f"{where}.{glob}", setting.key) for glob, types in table.items()}
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, not {_a(value)}")
        return value
    if kind == "size":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be a number of bytes (an integer), not {_a(value)}")
        if value <= 0:
            raise ConfigError(f"{where} must be a positive number of bytes, not {value}")
        return value
    if kind == "dapr-version":
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string such as \"1.14\", not {_a(value)}")
        _check_dapr_version(value, where)
        return value.strip()
    if kind == "choice":
        if not isinstance(value, str) or value not in setting.choices:
            shown = _shown(value) if isinstance(value, str) else _a(value)
            raise ConfigError(f"{where} must be one of {', '.join(setting.choices)}, not {shown}")
        return value
    if not isinstance(value, str):  # "string" and "path"
        raise ConfigError(f"{where} must be a string, not {_a(value)}")
    if not value.strip():
        raise ConfigError(f"{where} is empty")
    return str(layer.path(value)) if kind == "path" else value


def _check_dapr_version(value: str, where: str) -> None:
    """MAJOR.MINOR[.PATCH] or "master", not older than the oldest release daprlint has data for
    (versions.resolve over the built-in pack's sources.json: one small file)."""
    from .packs import PackData, builtin_pack_path
    from .versions import resolve

    try:
        resolve(PackData([builtin_pack_path()]), value)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


_known_categories: list[str] = []


def _type_globs(value: Any, where: str, key: str) -> list[str]:
    """Component type globs (`state.redis`, `secretstores.local.*`), lower-cased
    as Dapr matches types; the part before the first dot must be a component
    category, so a misspelt category is an error, not a policy that never matches."""
    globs = [g.strip().lower() for g in _strings(value, where, "component type globs")]
    if key.endswith("allowed-types") and not globs:
        raise ConfigError(f"{where} is empty: it would allow no component type (leave it out to allow every type)")
    if not _known_categories:
        import json

        from .packs import builtin_pack_path

        index = json.loads((builtin_pack_path() / "generated" / "component-types.json").read_text("utf-8"))
        _known_categories.extend(index["categories"])
    for index, glob in enumerate(globs):
        category = glob.split(".", 1)[0]
        if any(ch in category for ch in "*?[") or category in _known_categories:
            continue
        hint = _close(category, _known_categories)
        raise ConfigError(f"{where}[{index}]: {_shown(glob)} does not start with a component category "
                          f"({', '.join(_known_categories)})" + (f"; did you mean {hint!r}?" if hint else ""))
    return globs


def _close(word: str, candidates) -> str | None:
    from difflib import get_close_matches  # only on the error path

    found = get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def _file_layer(path: Path, origin: str) -> _Layer:
    data = _read_toml(path)
    label = str(path)
    if path.name == "pyproject.toml" and origin == "project-config":
        tool = data.get("tool", {})
        table = tool.get("daprlint", {}) if isinstance(tool, dict) else {}
        label = f"{path} [tool.daprlint]"
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: 'tool.daprlint' must be a table, not {_a(table)}")
    else:
        table = data
    layer = _Layer(label, origin, path.parent.resolve(), path)
    for key, value in table.items():
        where = f"{path}: '{key}'"
        setting = BY_KEY.get(key)
        if setting is None:
            hint = _close(key, BY_KEY)
            raise ConfigError(f"{where} is not a daprlint setting" + (f"; did you mean {hint!r}?" if hint else ""))
        layer.values[key] = _parse(layer, setting, value, where)
    return layer


# -- trust -------------------------------------------------------------------------
def _trusted_layers(isolated: bool, linted: list[Path], project: Path | None) -> list[_Layer]:
    """The levels the person running daprlint controls: user config, DAPRLINT_RULE_PACKS, installed packs."""
    from .packs import entry_point_packs

    layers = []
    user = None if isolated else _user_config_file()
    if user is not None and os.path.isfile(user):
        user = _path_type()(user)
        inside = [p for p in linted + ([project.parent] if project else []) if _is_within(user, p)]
        layers.append(_file_layer(user, "project-config" if inside else "user-config"))
    env = [p for p in os.environ.get(PACKS_ENV, "").split(os.pathsep) if p.strip()]
    if env:
        layer = _Layer(PACKS_ENV, "env", _path_type().cwd())
        layer.values["rule-packs"] = [layer.path(p.strip()) for p in env]
        layers.append(layer)
    installed = entry_point_packs()
    if installed:
        layer = _Layer("installed packages", "entry-point", _path_type().cwd())
        layer.values["rule-packs"] = installed  # already PackRefs
        layers.append(layer)
    return layers


def _is_within(path: Path, folder) -> bool:
    try:
        return path.resolve().is_relative_to(_path_type()(folder).resolve())
    except (OSError, ValueError):
        return False


def untrusted_pack_notice(ref: PackRef) -> str:
    """The one notice for a pack a project config names that holds Python code."""
    import json
    import shlex

    path = str(ref.path)
    user = user_config_path()
    return (f"notice: rule pack {path} (named in {ref.where}) holds Python code, so it was not loaded: daprlint "
            f"never runs code that a linted tree asks for. If you trust it, grant it yourself: --rule-pack "
            f"{shlex.quote(path)}, or {PACKS_ENV}={shlex.quote(path)}, or the line rule-packs = "
            f"[{json.dumps(path)}] in {user or 'your user config'}.")


# -- building the settings ---------------------------------------------------------
def load_settings(path: Path | None, *, isolated: bool = False, linted: list | None = None,
                  flags: _Layer | None = None) -> Settings:
    """The settings for a project config at *path* (None: no project config),
    on top of the user config, DAPRLINT_RULE_PACKS and installed packs
    (*isolated*: no user config), with the *flags* level on top."""
    linted = list(linted or [])
    layers = _trusted_layers(isolated, linted, path)
    if path is not None:
        layers.append(_file_layer(path, "project-config"))
    if flags is not None:
        layers.append(flags)
    settings = _merge(layers)
    if path is not None:
        settings.source = path.resolve()
    settings.user_source = next((layer.file for layer in layers if layer.origin == "user-config"), None)
    settings.options["project-root"] = settings.root_dir
    _untrusted_notices(settings)
    return settings


def _merge(layers: list[_Layer]) -> Settings:
    from .packs import PackRef

    settings = Settings()
    base: dict[str, list] = {}
    extra: dict[str, list] = {"extend_select": [], "ignore": [], "exclude": []}
    packs: dict[Path, PackRef] = {}
    for layer in layers:
        settings.selectors += layer.selectors
        for key, value in layer.values.items():
            if key in _REPLACE_BASE:
                base[_REPLACE_BASE[key]] = value
            elif key in _EXTEND:
                extra[_EXTEND[key]] = extra[_EXTEND[key]] + value
            elif key in _TABLES:
                getattr(settings, _TABLES[key]).update(value)
            elif key == "rule-packs":
                for item in value:
                    ref = item if isinstance(item, PackRef) else PackRef(item, layer.origin, layer.where)
                    known = packs.get(ref.path)
                    if known is None or (ref.trusted and not known.trusted):
                        packs[ref.path] = ref  # a grant wins over a project's mention
            elif BY_KEY[key].kind == "type-table":
                settings.options.setdefault(key, {}).update(value)
            elif key == "resources-paths":
                settings.options[key] = [str(p) for p in value]
            else:
                settings.options[key] = value
    settings.select = base.get("select")
    settings.extend_select = extra["extend_select"]
    settings.ignore = base.get("ignore", []) + extra["ignore"]
    settings.exclude = base.get("exclude", []) + extra["exclude"]
    settings.rule_packs = list(packs.values())
    return settings


def _untrusted_notices(settings: Settings) -> None:
    """Notices for untrusted packs with Python modules (packs.load_packs skips them itself)."""
    from .packs import python_rule_files

    for ref in settings.rule_packs:
        if not ref.trusted and os.path.isdir(ref.path) and python_rule_files(_path_type()(ref.path)):
            settings.notices.append(untrusted_pack_notice(ref))


def flags_layer(args) -> _Layer:
    """The command line as the top level of settings (paths relative to the current folder)."""
    layer = _Layer("the command line", "flag", os.getcwd())  # a str: _Layer.path makes it a Path if needed
    for flag, key in (("select", "select"), ("extend_select", "extend-select"), ("ignore", "extend-ignore")):
        codes = getattr(args, flag, None)
        if key == "select" and codes == []:
            raise ConfigError("--select: no rule codes given (leave it out for the default set)")
        if codes:
            for code in codes:
                layer.selectors.append((f"--{flag.replace('_', '-')}", "ignore" if flag == "ignore" else "select",
                                        code))
            layer.values[key] = list(codes)
    if getattr(args, "exclude", None):
        layer.values["extend-exclude"] = list(args.exclude)
    if getattr(args, "rule_pack", None):
        layer.values["rule-packs"] = [layer.path(p) for p in args.rule_pack]
    for key in ("aws-region", "secrets-out", "mode", "max-file-size", "secret-store", "secret-name", "dapr-version"):
        value = getattr(args, key.replace("-", "_"), None)
        if value is not None:  # as given: the fixer reads --secrets-out relative to the current folder
            if key == "dapr-version":
                _check_dapr_version(value, "--dapr-version")
            layer.values[key] = value
    if getattr(args, "no_respect_gitignore", False):
        layer.values["respect-gitignore"] = False
    return layer


def settings_from_args(args, notify: Callable[[str], None] | None = None) -> Settings:
    """The settings of a run from its flags: the config files (unless
    --isolated), then the flags. Each notice (an untrusted Python pack not
    loaded) goes to *notify*, once (default: stderr)."""
    paths = getattr(args, "paths", None) or []
    linted = [p for p in paths if p != "-"]  # strs: _is_within makes Paths of them if a user config needs it
    project = None
    if getattr(args, "config", None) and not args.isolated:
        project = _path_type()(args.config)
        if not project.is_file():
            raise ConfigError(f"--config {args.config}: " + ("is not a file" if project.exists() else "not found"))
    elif not args.isolated:
        first = str(linted[0]) if linted else "."
        if getattr(args, "stdin_filename", None) and not linted and paths:
            first = args.stdin_filename
        if not os.path.exists(first):
            parent = _pure_parent(first)
            first = parent if os.path.exists(parent) else os.getcwd()
        project = find_config(first)
    settings = load_settings(project, isolated=args.isolated, linted=linted, flags=flags_layer(args))
    show = notify or _to_stderr
    for notice in settings.notices:
        show(notice)
    return settings


def pure_path(path: str) -> str:
    """`str(PurePath(path))` without pathlib: empty and `.` parts go, `..`
    stays, two leading slashes stay two (POSIX leaves their meaning open).
    Where another separator is allowed too (Windows), pathlib itself."""
    if os.altsep:
        return str(_path_type()(path))
    lead = os.sep * 2 if path.startswith(os.sep * 2) and not path.startswith(os.sep * 3) else \
        os.sep if path.startswith(os.sep) else ""
    return (lead + os.sep.join(part for part in path.split(os.sep) if part and part != ".")) or "."


def _pure_parent(path: str) -> str:
    """`str(PurePath(path).parent)` without pathlib."""
    path = pure_path(path)
    if os.altsep:
        return str(_path_type()(path).parent)
    head, sep, _ = path.rpartition(os.sep)
    if not sep:
        return "."
    return head if head.strip(os.sep) else path[:len(head) + 1]  # the root keeps its slashes


def _to_stderr(notice: str) -> None:
    import sys

    print(f"daprlint: {notice}", file=sys.stderr)


def matching_globs(table: dict, path: str, root: str | None) -> list[str]:
    """The globs of *table* that match *path* as `per-file-ignores` globs do:
    the path relative to *root* (the project config's folder; None: the
    current folder), the path as given, or the file name (`*` crosses `/`)."""
    if not table:
        return []
    import fnmatch

    rel = path
    try:
        rel = os.path.relpath(os.path.abspath(path), root or os.getcwd())
    except ValueError:  # another drive (Windows)
        pass
    name = os.path.basename(path)
    return [pattern for pattern in table
            if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(name, pattern)]

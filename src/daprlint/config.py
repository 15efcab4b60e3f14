"""Settings from `[tool.daprlint]` in pyproject.toml or `.daprlint.toml`.

The nearest file upward from the first linted path wins (a pyproject.toml
without a `[tool.daprlint]` table is passed over). Command-line flags
override it. Unknown keys are an error: a typo must not silently disable a
check.
"""
from __future__ import annotations

from ._record import field, record as dataclass
from pathlib import Path

TYPE_CHECKING = False  # typing costs ~3 ms at start-up: annotations only
if TYPE_CHECKING:
    from typing import Any


DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024

LIST_KEYS = {"select", "extend-select", "ignore", "extend-ignore", "exclude", "extend-exclude", "rule-packs",
             "resources-paths"}
OPTION_KEYS = {"aws-region": str, "secret-name": str, "secret-store": str, "mode": str, "secrets-out": str,
               "max-file-size": int, "respect-gitignore": bool, "cache-dir": str, "tree-scope": str}
TABLE_KEYS = {"per-file-ignores", "severity"}
MODES = ("kubernetes", "self-hosted")


class ConfigError(Exception):
    pass


@dataclass
class Settings:
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    rule_packs: list[Path] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None  # the config file, when there is one

    @property
    def root(self) -> Path:
        return self.source.parent if self.source else Path.cwd()


def find_config(start: Path) -> Path | None:
    start = start.resolve()
    directory = start if start.is_dir() else start.parent
    for folder in (directory, *directory.parents):
        dotfile = folder / ".daprlint.toml"
        if dotfile.is_file():
            return dotfile
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "daprlint" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def _read_toml(path: Path) -> dict:
    try:  # imported here: ~4 ms, and only needed when a config file exists
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None


def _codes(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return [v.strip().upper() for v in value]


def load_settings(path: Path | None) -> Settings:
    settings = Settings()
    if path is None:
        return settings
    data = _read_toml(path)
    table = data.get("tool", {}).get("daprlint", {}) if path.name == "pyproject.toml" else data
    settings.source = path.resolve()
    for key, value in table.items():
        where = f"{path}: '{key}'"
        if key in ("select",):
            settings.select = _codes(value, where)
        elif key == "extend-select":
            settings.extend_select = _codes(value, where)
        elif key in ("ignore", "extend-ignore"):
            settings.ignore += _codes(value, where)
        elif key in ("exclude", "extend-exclude"):
            settings.exclude += _strings(value, where)
        elif key == "rule-packs":
            settings.rule_packs = [(path.parent / p).resolve() for p in _strings(value, where)]
        elif key == "resources-paths":
            settings.options[key] = [str((path.parent / p).resolve()) for p in _strings(value, where)]
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where} must be a table of glob = [codes]")
            settings.per_file_ignores = {g: _codes(c, f"{where}.{g}") for g, c in value.items()}
        elif key == "severity":
            if not isinstance(value, dict) or not all(v in ("error", "warning", "info") for v in value.values()):
                raise ConfigError(f"{where} must map codes to error, warning or info")
            settings.severity = {k.upper(): v for k, v in value.items()}
        elif key in OPTION_KEYS:
            if not isinstance(value, OPTION_KEYS[key]):
                raise ConfigError(f"{where} must be a {OPTION_KEYS[key].__name__}")
            settings.options[key] = value
        else:
            raise ConfigError(f"{where} is not a daprlint setting")
    if settings.options.get("tree-scope", "folder") not in ("folder", "tree"):
        raise ConfigError(f"{path}: 'tree-scope' must be folder or tree")
    if settings.options.get("mode", "kubernetes") not in MODES:
        raise ConfigError(f"{path}: 'mode' must be one of {', '.join(MODES)}")
    return settings


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return value


def settings_from_args(args) -> Settings:
    """The settings of a `check` run: the config file (or none), then the command line's flags."""
    if args.isolated:
        settings = Settings()
    elif args.config:
        path = Path(args.config)
        if not path.is_file():
            raise ConfigError(f"config file not found: {args.config}")
        settings = load_settings(path)
    else:
        first = next((p for p in args.paths if p != "-"), ".")
        if args.stdin_filename and all(p == "-" for p in args.paths):
            first = args.stdin_filename
        settings = load_settings(find_config(Path(first) if Path(first).exists() else Path(first).parent
                                             if Path(first).parent.exists() else Path.cwd()))
    if args.select is not None:
        settings.select = args.select
    settings.extend_select = settings.extend_select + args.extend_select
    settings.ignore = settings.ignore + args.ignore
    settings.exclude = settings.exclude + args.exclude
    settings.rule_packs = settings.rule_packs + [Path(p).resolve() for p in args.rule_pack]
    for key, value in (("aws-region", args.aws_region), ("secrets-out", args.secrets_out), ("mode", args.mode),
                       ("max-file-size", args.max_file_size), ("secret-store", args.secret_store),
                       ("secret-name", args.secret_name)):
        if value is not None:
            settings.options[key] = value
    if args.no_respect_gitignore:
        settings.options["respect-gitignore"] = False
    return settings

"""What a rule module may use: the types it returns and read-only helpers.

A rule module (see rules/ for examples) declares

    CODE, NAME, SEVERITY, SUMMARY, FIX ("none" | "safe" | "unsafe"),
    OPT_IN (bool), SCOPE ("resource" | "tree" | "file"), KINDS (tuple)

its docstring is the rule's documentation, and ``check(target, ctx)`` yields
``ctx.report(...)`` results. Rules never read files, parse YAML or print.
"""
from __future__ import annotations

from ._record import field, record as dataclass
from .span import Span

TYPE_CHECKING = False  # typing costs ~3 ms at start-up: annotations only
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace text[start:end] (code-point offsets, BOM excluded)."""

    start: int
    end: int
    replacement: str


@dataclass(slots=True)
class Fix:
    description: str
    edits: tuple[Edit, ...]
    safety: str = "safe"
    # values a fix moves out of the file: {(namespace or None, secret name):
    # {key: value}} (a plain name means no namespace); the fixer writes them
    # to --secrets-out before it touches the manifest
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    # an explanation when the fix exists in principle but cannot be applied
    blocked: str | None = None


@dataclass(slots=True)
class Diagnostic:
    span: Span
    message: str
    fix: Fix | None = None
    code: str | None = None  # defaults to the rule's CODE
    # secret values the message must never show; reporters check against them
    secret_values: tuple[str, ...] = ()


@dataclass(slots=True)
class RuleContext:
    """Read-only inputs for one check() call."""

    path: str
    text: str
    options: dict[str, Any]
    data: Any  # packs.PackData: cached JSON from the rule packs
    # answers rules share within this file (per-run answers go in data.memo)
    memo: dict = field(default_factory=dict)
    # every Dapr resource of the file (read-only), e.g. the secret stores it defines
    resources: list = field(default_factory=list)

    def report(self, span: Span, message: str, fix: Fix | None = None, code: str | None = None,
               secret_values: tuple[str, ...] = ()) -> Diagnostic:
        return Diagnostic(span, message, fix, code, secret_values)

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)

"""What linting produces: findings and per-file results, as plain records.

The engine makes them; the deployment layer, the cache, the fixer and the
reporters read them. None of those needs the engine to do so.
"""
from __future__ import annotations

from sys import intern

from ._record import field, record

TYPE_CHECKING = False  # typing costs ~3 ms at start-up: annotations only
if TYPE_CHECKING:
    from .rulekit import Fix
    from .span import Span


@record(slots=True)
class Finding:
    path: str
    span: Span
    code: str
    name: str
    severity: str
    message: str
    fix: Fix | None = None
    # the secret values behind this finding: never printed, used to scrub diffs
    secrets: tuple[str, ...] = ()

    def sort_key(self):
        return (self.path, self.span.line, self.span.column, self.code, self.message)


def _interning(init):
    """Finding's __init__, with its message interned: a run of 10,000 files
    holds 9,976 messages of which 2,378 differ (the same unknown field, the
    same missing region, file after file), ~190 bytes a file until the
    report (bench/README.md, "Round three"). sys.intern keeps no string alive
    that nothing else holds, so a long-lived language server does not grow."""
    def __init__(self, path, span, code, name, severity, message, fix=None, secrets=()):
        init(self, path, span, code, name, severity, intern(message) if type(message) is str else message,
             fix, secrets)
    return __init__


def _interning_state(setstate):
    """Finding's __setstate__ (results coming back from --jobs workers), its message interned too."""
    def __setstate__(self, state):
        setstate(self, state)
        if type(self.message) is str:
            self.message = intern(self.message)
    return __setstate__


Finding.__init__ = _interning(Finding.__init__)
Finding.__setstate__ = _interning_state(Finding.__setstate__)


@record(slots=True)
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    source: object = None                          # loader.Source, when kept
    resources: list = field(default_factory=list)  # model.Resource (dropped once linted, see runner._slim)
    facts: object = None                           # facts.FileFacts: what the deployment layer needs
    suppressed: int = 0
    finalized: bool = False
    # the file's `# daprlint: ignore` comments, read while linting so that
    # the text need not be kept until finalize() (None: read them from source)
    suppressions: list | None = None
    # (start, end) code-point offsets of every scalar whose value is a secret,
    # whatever field it sits in: printing file text masks them (frames, diffs)
    secret_spans: list = field(default_factory=list)
    # blake2b digest of the bytes the result was linted from (None: unknown,
    # NO_CONTENT: the file could not be read); set by the runner
    digest: str | None = None


NO_CONTENT = "-"  # the digest of a file that could not be read: no content, no facts

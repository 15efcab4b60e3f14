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
        span = self.span  # read once: held packed (_packed_span)
        return (self.path, span.line, span.column, self.code, self.message)


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


Finding.__init__ = _interning(Finding.__init__)  # results from --jobs workers are unpickled through it too


def _packed_span(slot):
    """Finding.span, held as one int: a Span is a tuple of six ints (88 bytes,
    and 28-32 more for each offset past 256), the int of its six 32-bit
    fields 56 bytes; a run holds about one finding a file until the report.
    A span that does not fit (a negative or huge number; never made by the
    engine) is held as it is."""
    from .span import Span

    new = tuple.__new__
    mask = 0xFFFFFFFF

    def get(self):
        packed = slot.__get__(self)
        if type(packed) is not int:
            return packed
        return new(Span, (packed & mask, packed >> 32 & mask, packed >> 64 & mask, packed >> 96 & mask,
                          packed >> 128 & mask, packed >> 160))

    def set(self, span):
        if type(span) is Span and 0 <= min(span) and max(span) <= mask:
            start, end, line, column, end_line, end_column = span
            span = start | end << 32 | line << 64 | column << 96 | end_line << 128 | end_column << 160
        slot.__set__(self, span)

    return property(get, set)


def _reduce_packed(slot):
    """Finding's `__reduce__`, its span sent as the int it is held as: unpacked
    into a Span to be pickled, then packed again in the parent, it was two Python
    calls and a pickled tuple a finding for --jobs workers' results (the
    setter holds an int as it is). tests/test_record_pickle.py and
    tests/test_compact_results.py check the round trip."""
    from operator import attrgetter

    rest = attrgetter(*Finding.__record_fields__[2:])  # __init__'s order: path, span, then these
    raw = slot.__get__

    def __reduce__(self):
        return Finding, (self.path, raw(self), *rest(self))

    return __reduce__


Finding.__reduce__ = _reduce_packed(Finding.__dict__["span"])
Finding.span = _packed_span(Finding.__dict__["span"])


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
    # blake2b digest (16 bytes, cache.digest_of_bytes) of the bytes the result was linted
    # from (None: unknown, NO_CONTENT: the file could not be read); set by the runner
    digest: bytes | str | None = None
    # a cache hit (no facts until asked for) of a kustomization or a run file: its facts point at other files
    points: bool = False


NO_CONTENT = "-"  # the digest of a file that could not be read: no content, no facts

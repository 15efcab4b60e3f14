"""Source positions.

Offsets are code-point indexes into the decoded text *after* a UTF-8 BOM was
removed; lines and columns are 0-based here and become 1-based only in the
reporters. PyYAML's marks give exactly this (see tests/test_loader.py).
"""
from __future__ import annotations

from ._record import record as dataclass


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def of(cls, node) -> "Span":
        s, e = node.start_mark, node.end_mark
        return cls(s.index, e.index, s.line, s.column, e.line, e.column)

    @classmethod
    def point(cls, line: int, column: int, index: int) -> "Span":
        return cls(index, index, line, column, line, column)


FILE_START = Span(0, 0, 0, 0, 0, 0)

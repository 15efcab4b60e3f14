"""Source positions.

Offsets are code-point indexes into the decoded text *after* a UTF-8 BOM was
removed; lines and columns are 0-based here and become 1-based only in the
reporters. PyYAML's marks give exactly this (see tests/test_loader.py).

A Span is a 6-tuple with names: immutable, hashable and built in one C call,
because the model makes one for every located value it reports.
"""
from __future__ import annotations

from operator import itemgetter

_new = tuple.__new__


class Span(tuple):
    __slots__ = ()

    def __new__(cls, start: int, end: int, line: int, column: int, end_line: int, end_column: int):
        return _new(cls, (start, end, line, column, end_line, end_column))

    start = property(itemgetter(0))
    end = property(itemgetter(1))
    line = property(itemgetter(2))
    column = property(itemgetter(3))
    end_line = property(itemgetter(4))
    end_column = property(itemgetter(5))

    @classmethod
    def of(cls, node) -> "Span":
        s, e = node.start_mark, node.end_mark
        return _new(cls, (s.index, e.index, s.line, s.column, e.line, e.column))

    @classmethod
    def point(cls, line: int, column: int, index: int) -> "Span":
        return _new(cls, (index, index, line, column, line, column))

    def __repr__(self) -> str:
        return "Span(start={}, end={}, line={}, column={}, end_line={}, end_column={})".format(*self)

    def __getnewargs__(self):
        return tuple(self)


FILE_START = Span(0, 0, 0, 0, 0, 0)

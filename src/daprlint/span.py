"""Source positions.

Offsets are code-point indexes into the decoded text *after* a UTF-8 BOM was
removed; lines and columns are 0-based here and become 1-based only in the
reporters. PyYAML's marks give exactly this (see tests/test_loader.py).

A Span is a 6-tuple with names: immutable, hashable and built in one C call,
because the model makes one for every located value it reports.
"""
from __future__ import annotations

import re
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

# What PyYAML reads as a line break (yaml.reader): besides LF and CRLF, a lone
# CR, NEL, LS and PS. Lines and columns found in text must count the same way.
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def position(text: str, offset: int) -> tuple[int, int]:
    """The 0-based (line, column) of *offset*, as a YAML mark would say it."""
    line, start = 0, 0
    for found in LINE_BREAK.finditer(text, 0, offset):
        line, start = line + 1, found.end()
    return line, offset - start

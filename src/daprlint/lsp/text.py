"""Positions: the engine's code-point offsets <-> LSP line/character.

The engine counts code points in the text *without* a UTF-8 BOM. An LSP
client counts in the negotiated position encoding (UTF-16 code units unless
the client asked otherwise: an astral character such as an emoji is 2 units)
on lines split only at \\n, \\r\\n and \\r (YAML also breaks at NEL, LS and PS;
offsets avoid that disagreement, so everything here goes through offsets).
"""
from __future__ import annotations

import bisect
import re

UTF16, UTF8, UTF32 = "utf-16", "utf-8", "utf-32"
BOM = "\ufeff"
_BREAK = re.compile(r"\r\n|\r|\n")


def _units(text: str, encoding: str) -> int:
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _unit_width(ch: str, encoding: str) -> int:
    if encoding == UTF32:
        return 1
    if encoding == UTF8:
        return len(ch.encode("utf-8", "surrogatepass"))
    return 2 if ord(ch) > 0xFFFF else 1


class LineIndex:
    """One editor buffer: its lines, and whether it starts with a BOM."""

    def __init__(self, buffer: str, encoding: str = UTF16):
        self.buffer = buffer
        self.encoding = encoding
        self.bom = 1 if buffer.startswith(BOM) else 0
        self.body = buffer[self.bom:]  # what the engine sees
        self.starts = [0]       # buffer offset where each line starts
        self.content_ends = []  # buffer offset where each line's text ends (before its break)
        for match in _BREAK.finditer(buffer):
            self.content_ends.append(match.start())
            self.starts.append(match.end())
        self.content_ends.append(len(buffer))

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_text(self, line: int) -> str:
        if not 0 <= line < len(self.starts):
            return ""
        return self.buffer[self.starts[line]:self.content_ends[line]]

    # -- buffer offsets ----------------------------------------------------
    def position(self, offset: int) -> dict:
        """A buffer code-point offset as an LSP Position."""
        offset = min(max(offset, 0), len(self.buffer))
        line = bisect.bisect_right(self.starts, offset) - 1
        offset = min(offset, self.content_ends[line])  # inside a \r\n: the line's end
        return {"line": line, "character": _units(self.buffer[self.starts[line]:offset], self.encoding)}

    def offset(self, position) -> int:
        """An LSP Position (dict or object) as a buffer code-point offset (clamped to the line)."""
        line, character = _line_char(position)
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.buffer)
        start, end = self.starts[line], self.content_ends[line]
        if self.encoding == UTF32:
            return min(start + max(character, 0), end)
        used = 0
        index = start
        while index < end:
            width = _unit_width(self.buffer[index], self.encoding)
            if used + width > character:
                break  # a position inside a character stays before it
            used += width
            index += 1
        return index

    # -- engine (body) offsets -------------------------------------------
    def body_position(self, offset: int) -> dict:
        return self.position(offset + self.bom)

    def body_range(self, start: int, end: int) -> dict:
        return {"start": self.body_position(start), "end": self.body_position(max(start, end))}

    def body_offset(self, position) -> int:
        return max(self.offset(position) - self.bom, 0)

    def line_of_body_offset(self, offset: int) -> int:
        return self.body_position(offset)["line"]


def _line_char(position) -> tuple[int, int]:
    if isinstance(position, dict):
        return int(position["line"]), int(position["character"])
    return int(position.line), int(position.character)


def pos_tuple(position) -> tuple[int, int]:
    return _line_char(position)


def ranges_touch(a: dict, b: dict) -> bool:
    """Whether two LSP ranges overlap or touch (a cursor at a range's edge counts)."""
    a0, a1 = pos_tuple(a["start"]), pos_tuple(a["end"])
    b0, b1 = pos_tuple(b["start"]), pos_tuple(b["end"])
    return a0 <= b1 and b0 <= a1

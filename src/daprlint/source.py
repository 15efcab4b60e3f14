"""One decoded file: bytes to text, and the record the loader fills in.

Kept apart from loader.py, which imports PyYAML (~35 ms of start-up here):
a run whose files are all cache hits still decodes the texts it prints
(code frames, SARIF regions) but parses nothing.
"""
from __future__ import annotations

import codecs

from ._record import field, record as dataclass
from .span import Span

_UTF16_32_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


@dataclass(slots=True)
class ParseError:
    """Why a text did not parse, located at the parser's mark.

    `template` is set when the text is a Go/Helm template that stays
    unreadable after its actions were set aside (see template.py): the span
    is then the first line the parser could not read.
    """

    problem: str
    span: Span
    template: bool = False


@dataclass(slots=True)
class Source:
    """One decoded file: its text (BOM removed) and how to write it back."""

    path: str
    text: str
    bom: bool = False
    documents: list = field(default_factory=list)
    parse_error: ParseError | None = None
    # a Go/Helm template: its actions and injection points (template.Prepared), else None
    template: object = None


class DecodeError(Exception):
    """The bytes are not text we can lint; the message says why."""


def decode(data: bytes) -> tuple[str, bool]:
    """UTF-8 bytes to text, with a clear error for everything else."""
    for bom, name in _UTF16_32_BOMS:
        if data.startswith(bom):
            raise DecodeError(f"file is {name}-encoded (BOM found); Dapr manifests must be UTF-8, re-save it as UTF-8")
    if b"\x00" in data:
        raise DecodeError("file contains NUL bytes: it looks binary, not YAML")
    bom = data.startswith(codecs.BOM_UTF8)
    if bom:
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8"), bom
    except UnicodeDecodeError as exc:
        raise DecodeError(f"file is not valid UTF-8 (invalid byte at offset {exc.start + (3 if bom else 0)})") from None



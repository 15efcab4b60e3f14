"""Make text safe for a terminal, a CI log and a JSON reader.

File names, metadata names and file lines are the linted tree's content:
they may hold a newline, an ESC byte, a bidi override or bytes that are not
UTF-8 (Python hands such file names over as lone surrogates, see
`os.fsdecode`). `printable()` turns every such character into a visible
escape, so text output is one line per line, starts no terminal sequence
and no `::workflow-command::` (`printable_path` also keeps a file name from
starting a line with one), and always encodes as UTF-8. `json_text()`
does the same for an encoded JSON document, where only lone surrogates can
remain (the encoder already escapes control characters).
"""
from __future__ import annotations

import re

# C0 and C1 controls and DEL; invisible format characters (soft hyphen,
# zero-width characters, bidi embeddings, overrides and isolates, BOM);
# line and paragraph separators; lone surrogates.
UNSAFE = ("[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
          "\ud800-\udfff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_compiled: dict[str, re.Pattern] = {}


def _pattern(source: str) -> re.Pattern:
    """Compiled on first use (~1 ms): most reports never need them."""
    found = _compiled.get(source)
    if found is None:
        found = _compiled[source] = re.compile(source)
    return found


def escape_char(ch: str) -> str:
    named = _NAMED.get(ch)
    if named is not None:
        return named
    cp = ord(ch)
    if 0xDC80 <= cp <= 0xDCFF:  # a byte that was not UTF-8, as os.fsdecode keeps it
        return f"\\x{cp - 0xDC00:02x}"
    return f"\\x{cp:02x}" if cp <= 0xFF else f"\\u{cp:04x}"


def is_unsafe(ch: str) -> bool:
    return not ch.isprintable() and _pattern(UNSAFE).match(ch) is not None


def printable(text: str) -> str:
    """*text* with every unsafe character written as an escape (`\\n`, `\\x1b`,
    `\\u202e`; an undecodable file-name byte as `\\xff`)."""
    if text.isprintable():  # C-speed fast path: nothing to escape
        return text
    return _pattern(UNSAFE).sub(lambda m: escape_char(m.group()), text)


def printable_path(path: str) -> str:
    """A path as text output starts a line with it: printable, and never
    starting with what a CI runner reads as a command when a line begins
    with it, even after blanks (`::error::`, the legacy `##[error]`):
    such a relative path gets a `./` in front, which names the same file."""
    shown = printable(path)
    if shown[:1].isspace() or shown.startswith((":", "#")):
        return "./" + shown
    return shown


def json_text(encoded: str) -> str:
    """An encoded JSON text (ensure_ascii=False) with each lone surrogate as
    a `\\udcff` escape: valid UTF-8, and `json.loads` gives back the same
    string (so `os.fsencode` gives back the file name's bytes)."""
    if encoded.isascii():
        return encoded
    surrogate = _pattern("[\ud800-\udfff]")
    if surrogate.search(encoded) is None:
        return encoded
    return surrogate.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)

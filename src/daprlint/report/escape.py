"""Make text safe for a terminal, a CI log and a JSON reader.

File names, metadata names and file lines are the linted tree's content:
they may hold a newline, an ESC byte, a bidi override or bytes that are not
UTF-8 (Python hands such file names over as lone surrogates, see
`os.fsdecode`). `printable()` turns every such character into a visible
escape, so text output is one line per line, starts no terminal sequence
and always encodes as UTF-8.

A GitHub runner also acts on two kinds of text in any output line
(actions/runner, src/Runner.Common/ActionCommand.cs, and
src/Runner.Worker/ActionCommandManager.cs, which tries both): `::command::`
at the start of a line after blanks (`TryParseV2`), and the legacy
`##[command]` anywhere in a line (`TryParse`, `IndexOf`), for commands such
as `error`, `add-mask` and `stop-commands`. `printable()` writes `##[` as
`#\\x23[`, and `printable_path` keeps a file name from starting a line with
`::`. `json_text()` does the same for an encoded JSON document: lone
surrogates (the encoder already escapes control characters) and `##[`
become `\\u` escapes, so the decoded strings are unchanged.
"""
from __future__ import annotations

import re

# C0 and C1 controls and DEL; invisible format characters (soft hyphen,
# zero-width characters, bidi embeddings, overrides and isolates, BOM);
# line and paragraph separators; lone surrogates.
UNSAFE = ("[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
          "\ud800-\udfff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
LEGACY_COMMAND, SAFE_LEGACY = "##[", "#\\x23["
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
    `\\u202e`; an undecodable file-name byte as `\\xff`; the second `#` of `##[`
    as `\\x23`)."""
    if not text.isprintable():  # C-speed test: usually nothing to escape
        text = _pattern(UNSAFE).sub(lambda m: escape_char(m.group()), text)
    return text.replace(LEGACY_COMMAND, SAFE_LEGACY) if LEGACY_COMMAND in text else text


def printable_path(path: str) -> str:
    """A path as text output starts a line with it: printable, and never
    starting, even after blanks, with the `::` of a workflow command: such a
    relative path gets a `./` in front, which names the same file."""
    shown = printable(path)
    if shown[:1].isspace() or shown.startswith(":"):
        return "./" + shown
    return shown


def json_text(encoded: str) -> str:
    """An encoded JSON text (ensure_ascii=False) with each lone surrogate as
    a `\\udcff` escape and `##[` as `#\\u0023[`: valid UTF-8, and `json.loads`
    gives back the same strings (so `os.fsencode` gives back a file name's bytes)."""
    if LEGACY_COMMAND in encoded:  # '#' only occurs inside JSON strings, never in an escape
        encoded = encoded.replace(LEGACY_COMMAND, "#\\u0023[")
    if encoded.isascii():
        return encoded
    surrogate = _pattern("[\ud800-\udfff]")
    if surrogate.search(encoded) is None:
        return encoded
    return surrogate.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)

"""The one place where values become safe to print.

Messages never interpolate raw metadata values: they go through `shown()`,
which quotes a non-secret value readably (control characters escaped) and
masks credential shapes, or `masked()`, which keeps a recognisable prefix
of a key ID and stars for the rest.

Two nets catch what slips through:

- `scrub_message()` (the engine, on every message and fix description)
  masks known secret values where they are *values*. A name in backticks
  stays as written, even when it equals or contains a secret value
  (`password: "password"` keeps "`password` holds an inline secret"). So
  do the message's own words when the secret is a word (letters only):
  `secret` inside `secretKeyRef` is not the value. A secret with a digit or
  a symbol is masked wherever it stands outside backticks.
- `scrub()` (diffs, tracebacks: text that quotes the file) masks every
  occurrence, names included: a comment in a diff may quote a secret in
  backticks.

Both mask the credential shapes (AWS key IDs, URL passwords, PEM private
key headers) everywhere, and both mask a secret in the spelling `shown()`
gives it, so a quoted and escaped secret is caught too.
"""
from __future__ import annotations

import re

AWS_KEY_ID = re.compile(r"\b((?:AKIA|ASIA|AROA|AIDA|ANPA|AGPA)[A-Z0-9]{12,})\b")
PEM_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----")
URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^\s:/@]*):(?P<password>[^\s@/]+)@")
MASK = "*" * 8
SHOWN_MAX = 64  # code points of a value shown in a message; longer ones are cut with "…"

# a name as messages quote it: `awsRegion`, `spec.metadata[0]` (one line, no backtick)
_NAME_IN_BACKTICKS = re.compile(r"`[^`\n]+`")
_MIN_SECRET = 3  # shorter values are too common to search for


def secret_values(text: str, spans) -> set[str]:
    """The values of the secret scalars at *spans* (code-point offsets into
    *text*) in the spellings a copy elsewhere in the file most likely has: as
    written and, for a quoted scalar, its content (a single-quoted one's `''`
    as `'`; a one-line double-quoted one's escapes read). Shorter than
    _MIN_SECRET: left out. A cached result carries spans, never values, so
    the engine (messages) and the full reporter (frames) both work them out
    here."""
    found = set()
    for start, end in spans:
        scalar = text[start:end]
        found.add(scalar)
        if len(scalar) >= 2 and scalar[0] == scalar[-1] and scalar[0] in "'\"":
            inner = scalar[1:-1]
            if scalar[0] == "'":
                found.add(inner.replace("''", "'"))
            else:
                found.add(_unescaped(inner) if "\\" in inner and "\n" not in inner else inner)
    return searchable(found)


def searchable(values) -> set[str]:
    """The secret values worth searching a text for: 3 characters or more,
    and not stars alone (a docs placeholder is its own mask: searching for it
    would only mask stars, or MASK itself, again)."""
    return {v for v in values if len(v) >= _MIN_SECRET and v.strip("*")}


# YAML 1.1/1.2 double-quoted escapes (PyYAML's scanner reads the same)
_ESCAPED = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
            "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
            "L": "\u2028", "P": "\u2029"}
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


def _unescaped(inner: str) -> str:
    """A one-line double-quoted scalar's content with its escapes read (an
    escape YAML does not know is kept as written)."""
    def read(m):
        code = m.group(1)
        if len(code) > 1:
            try:
                return chr(int(code[1:], 16))
            except ValueError:  # past U+10FFFF
                return m.group(0)
        return _ESCAPED.get(code, m.group(0))

    return _ESCAPE.sub(read, inner)


def masked(value: str) -> str:
    """A secret shown as its kind: `AKIA…****` for key IDs, stars otherwise."""
    if AWS_KEY_ID.match(value.strip()):
        return value.strip()[:4] + "…" + MASK
    return MASK


def looks_secret(value: str) -> bool:
    return bool(AWS_KEY_ID.search(value) or PEM_PRIVATE_KEY.search(value) or URL_CREDENTIALS.search(value))


def shown(value: str) -> str:
    """A non-secret value (a region, a type) quoted for a message, or a mask.

    Quoted as Python's repr() quotes a string: control, format and
    line-separator characters and backslashes are escaped, so the result is
    one printable line; a value longer than SHOWN_MAX is cut with "…".
    """
    if looks_secret(value):
        return masked(value)
    if len(value) <= SHOWN_MAX:
        return repr(value)
    head = repr(value[:SHOWN_MAX - 4])
    return head[:-1] + "…" + head[-1]


def _secrets_longest_first(secrets) -> list[str]:
    return sorted({s for s in secrets if s and len(s) >= _MIN_SECRET}, key=len, reverse=True)


# any key ID prefix of AWS_KEY_ID: one search (re's literal-prefix scan for "A" is ~5x faster
# than six `in` tests on a file's text)
KEY_ID_PREFIX = re.compile("A(?:KIA|SIA|ROA|IDA|NPA|GPA)")


def _may_hold_shapes(text: str) -> bool:
    """False when none of the credential shapes can match: each needs a key ID prefix, `://`
    or `PRIVATE KEY` (most messages have none, and three substitutions cost more)."""
    return "://" in text or "PRIVATE KEY" in text or KEY_ID_PREFIX.search(text) is not None


def _mask_shapes(text: str) -> str:
    if not _may_hold_shapes(text):
        return text
    text = AWS_KEY_ID.sub(lambda m: m.group(1)[:4] + "…" + MASK, text)
    text = URL_CREDENTIALS.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:{MASK}@", text)
    return PEM_PRIVATE_KEY.sub("-----BEGIN PRIVATE KEY----- " + MASK, text)


def scrub(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """Remove known secret values and credential shapes from free text
    (diffs, logs): every occurrence, wherever it is."""
    for secret, spelled, mask in prepared_secrets(secrets):
        if spelled is not None and spelled in text:
            text = text.replace(spelled, mask)
        text = text.replace(secret, mask)
    return _mask_shapes(text)


def scrub_message(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """Remove known secret values and credential shapes from a finding's
    message or fix description, keeping names (in backticks) and the words
    of the message itself (see the module docstring)."""
    return scrub_message_with(text, prepared_secrets(secrets))


def prepared_secrets(secrets) -> tuple[tuple[str, str | None, str], ...]:
    """(secret, its shown() spelling where that is not its mask, its mask) for each secret
    scrub_message() looks for, longest first: worked out once for the many messages of a
    file (each secret's spelling and mask cost three regex searches)."""
    prepared = []
    for secret in _secrets_longest_first(secrets):
        spelled, mask = shown(secret), masked(secret)
        prepared.append((secret, spelled if spelled != mask else None, mask))
    return tuple(prepared)


def scrub_message_with(text: str, prepared: tuple[tuple[str, str | None, str], ...]) -> str:
    """scrub_message(text, secrets) with prepared_secrets(secrets) given."""
    for secret, spelled, mask in prepared:
        if spelled is not None and spelled in text:
            text = text.replace(spelled, mask)
        if secret in text:
            text = _mask_values(text, secret, mask)
    return _mask_shapes(text)


def _mask_values(text: str, secret: str, mask: str) -> str:
    names = [m.span() for m in _NAME_IN_BACKTICKS.finditer(text)]
    out, at = [], 0
    word = secret.isalpha()
    start = text.find(secret)
    while start >= 0:
        end = start + len(secret)
        if any(s < start and end < e for s, e in names) or (word and _inside_word(text, start, end)):
            start = text.find(secret, start + 1)
            continue
        out += (text[at:start], mask)
        at = end
        start = text.find(secret, end)
    out.append(text[at:])
    return "".join(out)


def _inside_word(text: str, start: int, end: int) -> bool:
    """The occurrence text[start:end] continues a longer word on either side."""
    before = start > 0 and text[start - 1].isalnum() and text[start].isalnum()
    after = end < len(text) and text[end].isalnum() and text[end - 1].isalnum()
    return before or after

"""The LSP base protocol on a byte stream: framed messages in, JSON-RPC messages checked.

Plain Python (no pygls): the fast start (faststart.py) and the pygls server
(server.py) read every byte through one FrameReader, so the hand-over
between them loses nothing and both treat malformed input alike.

Framing (https://microsoft.github.io/language-server-protocol/specifications/base/0.9/specification/):
a header block of `Name: value` lines ending with an empty line, then a
body of exactly Content-Length bytes. The reader never trusts a header it
cannot use:

- a header block without a usable Content-Length (missing, `abc`, two
  different values), a line that is no header at all, or a body over
  MAX_BODY_BYTES is reported as one Malformed item, and the reader then
  skips bytes up to the next `Content-Length: <digits>` line;
- empty lines between messages are skipped without a word;
- memory stays bounded: header lines are cut at MAX_HEADER_LINE bytes and
  skipping keeps only a short tail.

Skipping to the next Content-Length line never stops inside a valid JSON
body: `Content-Length: 12` followed by a raw line break cannot occur in JSON
(outside a string the words are no JSON, inside one a raw line break is not
allowed), so an oversized body that really follows its header is skipped
whole, and a lying header loses only its own message.

decode() turns a body into a Message or raises Invalid with the JSON-RPC
error to answer: LSP has no batches, a body must be one JSON object, ids are
integers or strings. Invalid.ids are the ids to answer (None: `"id": null`,
as JSON-RPC asks when the id cannot be known; empty: answer nothing, for
notifications and responses).
"""
from __future__ import annotations

import json
import os
import re

MAX_BODY_BYTES = 64 * 1024 * 1024  # the linter skips files over 5 MB by default; JSON may escape 6x
MAX_HEADER_LINE = 8192
MAX_HEADERS = 32
CHUNK = 65536

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_NOT_INITIALIZED = -32002

_HEADER = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*:[ \t]*(.*?)[ \t]*\r?\n")
_NEXT_MESSAGE = re.compile(rb"content-length[ \t]*:[ \t]*[0-9]+[ \t]*\r?\n", re.IGNORECASE)
_BLANK = (b"\r\n", b"\n")


class Frame:
    """One message body as read; `message` caches its decoded form."""

    __slots__ = ("body", "message")

    def __init__(self, body: bytes):
        self.body = body
        self.message = None


class Malformed:
    """Bytes that could not be framed as a message: answered with an error for id null."""

    __slots__ = ("code", "reason")

    def __init__(self, reason: str, code: int = PARSE_ERROR):
        self.code = code
        self.reason = reason


def _fileno(rfile) -> int | None:
    try:
        return rfile.fileno()
    except (AttributeError, OSError, ValueError):  # io.BytesIO and other in-memory streams
        return None


class FrameReader:
    """Blocking reader of framed messages; read() returns Frame, Malformed, or None at end of input.

    A real file descriptor is read with os.read: no buffered-reader lock is
    held while it blocks, so the process can exit while a thread waits here.
    """

    def __init__(self, rfile, max_body: int = MAX_BODY_BYTES):
        self._rfile = rfile
        self._fd = _fileno(rfile)
        self._buf = bytearray()
        self._eof = False
        self._skipping = False
        self.max_body = max_body

    # -- bytes -----------------------------------------------------------
    def _fill(self, want: int = CHUNK) -> bool:
        if self._eof:
            return False
        try:
            if self._fd is not None:
                chunk = os.read(self._fd, want)
            else:
                chunk = self._rfile.read1(want)
        except (OSError, ValueError):  # closed or broken input: the same as its end
            chunk = b""
        if not chunk:
            self._eof = True
            return False
        self._buf += chunk
        return True

    def _line(self) -> bytes | None:
        """The next line with its line break; a line longer than MAX_HEADER_LINE comes back cut."""
        searched = 0
        while True:
            at = self._buf.find(b"\n", searched, MAX_HEADER_LINE)
            if at >= 0:
                return self._take_now(at + 1)
            if len(self._buf) >= MAX_HEADER_LINE:
                return self._take_now(MAX_HEADER_LINE)
            searched = len(self._buf)
            if not self._fill():
                return None

    def _take_now(self, size: int) -> bytes:
        data = bytes(self._buf[:size])
        del self._buf[:size]
        return data

    def _body(self, length: int) -> bytes | None:
        while len(self._buf) < length:
            if not self._fill(max(CHUNK, min(length - len(self._buf), 1 << 20))):
                return None
        return self._take_now(length)

    def _skip_to_next_message(self) -> bool:
        """Drop bytes up to the next `Content-Length: N` line; False at end of input."""
        while True:
            match = _NEXT_MESSAGE.search(self._buf)
            if match is not None:
                del self._buf[:match.start()]
                return True
            if len(self._buf) > MAX_HEADER_LINE:  # keep a tail: the header may be cut in two
                del self._buf[:len(self._buf) - MAX_HEADER_LINE]
            if not self._fill():
                return False

    def _broken(self, reason: str, code: int = PARSE_ERROR) -> Malformed:
        self._skipping = True
        return Malformed(reason, code)

    # -- messages --------------------------------------------------------
    def read(self) -> Frame | Malformed | None:
        if self._skipping:
            if not self._skip_to_next_message():
                return None
            self._skipping = False
        length = None
        problem = None
        headers = 0
        while True:
            line = self._line()
            if line is None:
                return None  # the end of input inside a header: nothing to answer
            if line in _BLANK:
                if headers == 0:
                    continue  # stray empty lines between messages
                break
            headers += 1
            match = _HEADER.fullmatch(line)
            if match is None or headers > MAX_HEADERS:
                self._buf[:0] = line  # a header may be glued to it: look for one from here
                return self._broken("expected a message header (Content-Length: N)")
            name, value = match.groups()
            if name.lower() != b"content-length":
                continue  # Content-Type and unknown headers: LSP allows only utf-8 anyway
            if not value.isdigit() or (length is not None and int(value) != length):
                problem = "Content-Length is not a number of bytes"
            else:
                length = int(value)
        if problem is not None or length is None:
            return self._broken(problem or "a message header without Content-Length")
        if length > self.max_body:
            return self._broken(f"a message of {length} bytes is over the {self.max_body}-byte limit",
                                INVALID_REQUEST)
        body = self._body(length)
        if body is None:
            return None  # the end of input inside a body
        return Frame(body)


# -- JSON-RPC ---------------------------------------------------------------
class Message:
    """A checked JSON-RPC message: kind is "request", "notification" or "response"."""

    __slots__ = ("kind", "id", "method", "params", "data")

    def __init__(self, kind: str, data: dict):
        self.kind = kind
        self.data = data
        self.id = data.get("id")
        self.method = data.get("method")
        self.params = data.get("params")


class Invalid(Exception):
    """A body that is no usable message: answer `code` for each id in `ids`."""

    def __init__(self, code: int, text: str, ids: list):
        super().__init__(text)
        self.code = code
        self.text = text
        self.ids = ids


def valid_id(value) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _loads(text: str):
    return json.loads(text, parse_constant=_reject_constant)


def _request_id(value) -> list:
    """The id to answer for something that looked like a request, [None] when unknown."""
    if isinstance(value, dict) and valid_id(value.get("id")) and isinstance(value.get("method"), str):
        return [value["id"]]
    return [None]


def _salvaged_ids(data) -> list:
    """Whom to answer for a body that parsed only with its bad bytes replaced."""
    if isinstance(data, dict) and "id" not in data and "method" in data:
        return []  # a notification
    if isinstance(data, dict) and "id" in data and "method" not in data:
        return []  # a response
    return _request_id(data)


def decode(body: bytes) -> Message:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        try:  # the bad bytes may sit in a string: still answer the request by its id
            salvaged = _loads(body.decode("utf-8", "replace"))
        except Exception:
            salvaged = None
        raise Invalid(PARSE_ERROR, "message body is not valid UTF-8", _salvaged_ids(salvaged)) from None
    try:
        data = _loads(text)
    except Exception:  # ValueError, RecursionError on deep nesting, int digit limits
        raise Invalid(PARSE_ERROR, "message body is not valid JSON", [None]) from None
    if isinstance(data, list):
        ids = [i for item in data for i in _request_id(item) if i is not None]
        raise Invalid(INVALID_REQUEST, "JSON-RPC batches are not part of the Language Server Protocol",
                      ids or [None])
    if not isinstance(data, dict):
        raise Invalid(INVALID_REQUEST, "a message must be a JSON object", [None])
    return _checked(data)


def _checked(data: dict) -> Message:
    has_id = "id" in data
    msg_id = data.get("id")
    if "method" in data:
        answer = [msg_id] if has_id and valid_id(msg_id) else [None]
        if not isinstance(data["method"], str):
            raise Invalid(INVALID_REQUEST, "method must be a string", answer)
        if has_id and not valid_id(msg_id):
            raise Invalid(INVALID_REQUEST, "id must be an integer or a string", [None])
        if data.get("jsonrpc") != "2.0":
            raise Invalid(INVALID_REQUEST, 'jsonrpc must be "2.0"', answer)
        params = data.get("params")
        if params is not None and not isinstance(params, (dict, list)):
            raise Invalid(INVALID_PARAMS, "params must be an object or an array", [msg_id] if has_id else [])
        if "params" in data and params is None:
            data = {k: v for k, v in data.items() if k != "params"}  # `"params": null` is sent for none
        return Message("request" if has_id else "notification", data)
    if has_id and data.get("jsonrpc") == "2.0" and ("result" in data) != ("error" in data):
        return Message("response", data)
    if has_id and ("result" in data or "error" in data):
        raise Invalid(INVALID_REQUEST, "a malformed response", [])  # never answer a response
    raise Invalid(INVALID_REQUEST, "neither a request, a notification nor a response", [None])

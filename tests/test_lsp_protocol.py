"""`daprlint server` on malformed input: every request is answered, the server keeps serving.

Three layers, from fast to real:
- framing.FrameReader and framing.decode in-process, with hypothesis for any bytes;
- the whole server in-process (`serve()` on in-memory streams): each malformed
  case right after `initialize` (so the fast start hands it to pygls) and with
  the fast start off, then didOpen, a hover, `shutdown` and `exit`;
- the real process through the raw-bytes client (tests/lsp_raw.py), marked
  slow: a fresh process for each case the issue names, and one process for
  every case in a row and for hypothesis's byte strings and JSON values.

The SEC001 fix through the secrets sink and hover's deprecations are tested
in tests/test_lsp.py.
"""
from __future__ import annotations

import io
import itertools
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daprlint.lsp.framing import (INVALID_PARAMS, INVALID_REQUEST, MAX_BODY_BYTES, METHOD_NOT_FOUND, PARSE_ERROR,
                                  SERVER_NOT_INITIALIZED, Frame, FrameReader, Invalid, Malformed, decode, valid_id)
from lsp_raw import (RawServer, frame, framed_body, initialize_params, notification, parse_frames, request,
                     responses)

try:
    import pygls  # noqa: F401

    PYGLS = True
except ImportError:
    PYGLS = False

needs_pygls = pytest.mark.skipif(not PYGLS, reason="pygls is not installed (pip install 'daprlint[lsp]')")

URI = "untitled:case.yaml"
MANIFEST = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: statestore
spec:
  type: state.aws.dynamodb
  version: v1
  metadata:
  - name: table
    value: orders
  - name: region
    value: eu-west-1b
"""
INIT = request(1, "initialize", initialize_params()) + notification("initialized", {})
OPEN = notification("textDocument/didOpen", {"textDocument": {
    "uri": URI, "languageId": "yaml", "version": 1, "text": MANIFEST}})
HOVER_PARAMS = {"textDocument": {"uri": URI}, "position": {"line": 10, "character": 12}}
HOVER = request("hover", "textDocument/hover", HOVER_PARAMS)
SHUTDOWN = request("bye", "shutdown")
EXIT = notification("exit")
VALID_REQUEST = {"jsonrpc": "2.0", "id": 75, "method": "textDocument/hover", "params": HOVER_PARAMS}


# name -> (bytes, the responses they get: (id, code)), framing-level? (answered alike before initialize)
CASES = {
    "body-null": (framed_body(b"null"), [(None, INVALID_REQUEST)], True),
    "body-empty-array": (framed_body(b"[]"), [(None, INVALID_REQUEST)], True),
    "body-number": (framed_body(b"42"), [(None, INVALID_REQUEST)], True),
    "body-string": (framed_body(b'"initialize"'), [(None, INVALID_REQUEST)], True),
    "body-true": (framed_body(b"true"), [(None, INVALID_REQUEST)], True),
    "body-empty-object": (frame({}), [(None, INVALID_REQUEST)], True),
    "batch": (frame([VALID_REQUEST, {"jsonrpc": "2.0", "method": "initialized", "params": {}}]),
              [(75, INVALID_REQUEST)], True),
    "invalid-utf8-in-request": (framed_body(b'{"jsonrpc":"2.0","id":72,"method":"x\xff\xfe"}'),
                                [(72, PARSE_ERROR)], True),
    "invalid-utf8-in-notification": (framed_body(b'{"jsonrpc":"2.0","method":"x\xc3"}'), [], True),
    "invalid-utf8-garbage": (framed_body(b"\xff\xfe\x00{"), [(None, PARSE_ERROR)], True),
    "invalid-utf8-before-the-object": (framed_body(b"\xff" + json.dumps(VALID_REQUEST).encode()),
                                       [(None, PARSE_ERROR)], True),
    "byte-order-mark": (framed_body(b"\xef\xbb\xbf" + json.dumps(VALID_REQUEST).encode()),
                        [(None, PARSE_ERROR)], True),
    "invalid-json": (framed_body(b'{"jsonrpc": "2.0", "id": 73,'), [(None, PARSE_ERROR)], True),
    "json-nan": (framed_body(b'{"jsonrpc":"2.0","id":74,"method":"x","params":{"a":NaN}}'),
                 [(None, PARSE_ERROR)], True),
    "deep-nesting": (framed_body(b"[" * 100_000), [(None, PARSE_ERROR)], True),
    "empty-body": (b"Content-Length: 0\r\n\r\n", [(None, PARSE_ERROR)], True),
    "content-length-abc": (b"Content-Length: abc\r\n\r\n" + json.dumps(VALID_REQUEST).encode(),
                           [(None, PARSE_ERROR)], True),
    "content-length-negative": (b"Content-Length: -5\r\n\r\n{}", [(None, PARSE_ERROR)], True),
    "content-length-missing": (b"Content-Type: application/vscode-jsonrpc\r\n\r\n" + json.dumps(VALID_REQUEST).encode(),
                               [(None, PARSE_ERROR)], True),
    "content-length-twice": (b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", [(None, PARSE_ERROR)], True),
    "content-length-short": (b"Content-Length: 10\r\n\r\n" + json.dumps(VALID_REQUEST).encode(),
                             [(None, PARSE_ERROR), (None, PARSE_ERROR)], True),
    "content-length-huge": (b"Content-Length: 99999999999999999999\r\n\r\n{}", [(None, INVALID_REQUEST)], True),
    "junk-line": (b"hello, server\r\n", [(None, PARSE_ERROR)], True),
    "header-line-too-long": (b"X-Long: " + b"a" * 20_000 + b"\r\n\r\n", [(None, PARSE_ERROR)], True),
    "stray-blank-lines": (b"\r\n\n\r\n", [], True),
    "lowercase-header": (request(86, "daprlint/nothing").replace(b"Content-Length", b"content-length"),
                         [(86, METHOD_NOT_FOUND)], False),
    "wrong-jsonrpc-version": (frame({"jsonrpc": "1.0", "id": 81, "method": "shutdown"}), [(81, INVALID_REQUEST)], True),
    "no-jsonrpc-member": (frame({"id": 82, "method": "textDocument/hover"}), [(82, INVALID_REQUEST)], True),
    "id-is-a-list": (frame({"jsonrpc": "2.0", "id": [1], "method": "shutdown"}), [(None, INVALID_REQUEST)], True),
    "id-is-true": (frame({"jsonrpc": "2.0", "id": True, "method": "shutdown"}), [(None, INVALID_REQUEST)], True),
    "id-is-null": (frame({"jsonrpc": "2.0", "id": None, "method": "shutdown"}), [(None, INVALID_REQUEST)], True),
    "method-not-a-string": (frame({"jsonrpc": "2.0", "id": 83, "method": 5}), [(83, INVALID_REQUEST)], True),
    "params-a-number": (frame({"jsonrpc": "2.0", "id": 78, "method": "textDocument/hover", "params": 5}),
                        [(78, INVALID_PARAMS)], True),
    "invalid-params": (request(77, "textDocument/hover", {"textDocument": 5}), [(77, INVALID_PARAMS)], False),
    "missing-params": (request(79, "textDocument/hover"), [(79, INVALID_PARAMS)], False),
    "null-params": (frame({"jsonrpc": "2.0", "id": 87, "method": "textDocument/hover", "params": None}),
                    [(87, INVALID_PARAMS)], False),
    "unknown-method": (request(80, "daprlint/nothing"), [(80, METHOD_NOT_FOUND)], False),
    "unknown-method-with-params": (request("x1", "daprlint/nothing", [1, 2]), [("x1", METHOD_NOT_FOUND)], False),
    "unknown-command": (request(85, "workspace/executeCommand", {"command": "nope", "arguments": []}),
                        [(85, INVALID_PARAMS)], False),
    "second-initialize": (request(84, "initialize", initialize_params()), [(84, INVALID_REQUEST)], False),
    "unknown-notification": (notification("daprlint/nothing", {"a": 1}), [], False),
    "notification-with-bad-params": (notification("textDocument/didOpen", {"textDocument": 1}), [], False),
    "change-of-a-closed-document": (notification("textDocument/didChange", {
        "textDocument": {"uri": "untitled:other.yaml", "version": 2},
        "contentChanges": [{"text": "a: b\n"}]}), [], False),
    "cancel-unknown-request": (notification("$/cancelRequest", {"id": 12345}), [], False),
    "response-to-nothing": (frame({"jsonrpc": "2.0", "id": "nobody", "result": 1}), [], True),
    "malformed-response": (frame({"jsonrpc": "2.0", "id": "nobody", "result": 1, "error": {}}), [], True),
}
ISSUE_CASES = ["body-null", "body-empty-array", "body-number", "body-string", "batch", "invalid-utf8-in-request",
               "content-length-abc", "invalid-params", "unknown-method", "content-length-huge"]


def publishes(messages: list[dict], uri: str = URI) -> list[dict]:
    return [m for m in messages if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri]


def hover_ok(messages: list[dict], msg_id="hover") -> bool:
    found = [m for m in messages if m.get("id") == msg_id and "method" not in m]
    return len(found) == 1 and "**`region`**" in found[0]["result"]["contents"]["value"]


# ---------------------------------------------------------------------------
# framing: FrameReader
# ---------------------------------------------------------------------------
class Trickle(io.RawIOBase):
    """A stream that hands out at most *size* bytes per read: headers arrive cut anywhere."""

    def __init__(self, data: bytes, size: int):
        self.data, self.at, self.size = data, 0, size

    def read1(self, n: int = -1) -> bytes:
        chunk = self.data[self.at:self.at + min(self.size, n if n > 0 else self.size)]
        self.at += len(chunk)
        return chunk

    def fileno(self):
        raise OSError("in memory")


def frames_of(data: bytes, max_body: int = MAX_BODY_BYTES, chunk: int | None = None) -> list:
    reader = FrameReader(Trickle(data, chunk) if chunk else io.BytesIO(data), max_body)
    out = []
    while (item := reader.read()) is not None:
        out.append(item.body if isinstance(item, Frame) else ("malformed", item.code))
    return out


BAD = ("malformed", PARSE_ERROR)
TOO_BIG = ("malformed", INVALID_REQUEST)


@pytest.mark.parametrize("chunk", [None, 1, 7], ids=["whole", "1-byte-reads", "7-byte-reads"])
@pytest.mark.parametrize("data, expected", [
    (framed_body(b"{}") + framed_body(b"[1]"), [b"{}", b"[1]"]),
    (b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: 2\r\n\r\n{}", [b"{}"]),
    (b"content-length:2\n\n{}", [b"{}"]),
    (b"Content-Length :  2 \r\n\r\n{}", [b"{}"]),
    (b"\r\n\n" + framed_body(b"{}") + b"\r\n" + framed_body(b"{}"), [b"{}", b"{}"]),
    (b"Content-Length: abc\r\n\r\n{}" + framed_body(b"{}"), [BAD, b"{}"]),
    (b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}", [b"{}"]),
    (b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}" + framed_body(b"{}"), [BAD, b"{}"]),
    (b"X-Other: 1\r\n\r\n{}" + framed_body(b"{}"), [BAD, b"{}"]),
    (b"garbage\r\nmore\r\n" + framed_body(b"{}"), [BAD, b"{}"]),
    (framed_body(b"{}") + b"{...}" + framed_body(b"[]"), [b"{}", BAD, b"[]"]),
    (b"Content-Length: 1\r\n\r\n{}}" + framed_body(b"{}"), [b"{", BAD, b"{}"]),
    (b"Content-Length: 300\r\n\r\n" + b"[" + b"1," * 149 + b"1]" + framed_body(b"{}"), [TOO_BIG, b"{}"]),
    (b"Content-Length: 10000000000000000000000\r\n\r\n" + framed_body(b"{}"), [TOO_BIG, b"{}"]),
    (b"X: " + b"a" * 20_000 + b"\r\n\r\n" + framed_body(b"{}"), [BAD, b"{}"]),
    (b"X-A: b\r\n" * 40 + framed_body(b"{}"), [BAD, b"{}"]),
    (b"Content-Length: 0\r\n\r\n", [b""]),
    (b"Content-Length: 5\r\n\r\n{}", []),          # the input ends inside the body
    (b"Content-Length: 5\r\n", []),                # ... inside the header
], ids=lambda v: None if isinstance(v, list) else repr(v[:30]))
def test_frame_reader(data, expected, chunk):
    assert frames_of(data, max_body=256, chunk=chunk) == expected


def test_a_skipped_oversized_body_is_never_held_whole():
    body = json.dumps({"jsonrpc": "2.0", "method": "x", "params": {"text": "a" * 1_000_000}}).encode()
    reader = FrameReader(io.BytesIO(framed_body(body) + framed_body(b"{}")), max_body=1000)
    assert isinstance(reader.read(), Malformed)
    assert reader.read().body == b"{}"
    assert len(reader._buf) == 0


# Byte strings built from framing pieces: headers with small and huge lengths, line breaks, JSON bits.
PIECES = st.one_of(
    st.binary(max_size=40),
    st.sampled_from([b"Content-Length: ", b"content-length:", b"\r\n", b"\n", b"\r", b"\r\n\r\n", b"{", b"}",
                     b'{"jsonrpc":"2.0"', b"Content-Type: x\r\n", b"[]", b"null", b"\xff", b":"]),
    st.integers(0, 300).map(lambda n: b"Content-Length: %d\r\n" % n),
    st.integers(10**9, 10**30).map(lambda n: b"Content-Length: %d\r\n" % n),
)
GARBAGE = st.lists(PIECES, max_size=25).map(b"".join)


def pending_bound(garbage: bytes, max_body: int) -> int:
    """How many bytes a body started inside *garbage* may still want (its declared length at most)."""
    lengths = [int(d) for d in re.findall(rb"[0-9]+", garbage) if len(d) < 20]
    return max([n for n in lengths if n <= max_body], default=0)


def filler_for(garbage: bytes, max_body: int) -> bytes:
    """Empty lines that complete any pending body and are skipped everywhere else."""
    return b"\r\n" * (pending_bound(garbage, max_body) // 2 + 40)


@settings(max_examples=300, deadline=None)
@given(GARBAGE, st.integers(1, 9))
def test_frame_reader_finds_the_next_message_after_any_bytes(garbage, chunk):
    last = framed_body(b'{"last":1}')
    got = frames_of(garbage + filler_for(garbage, 400) + last, max_body=400, chunk=chunk)
    assert got[-1] == b'{"last":1}'
    assert all(len(item) <= 400 for item in got if isinstance(item, bytes))


# ---------------------------------------------------------------------------
# JSON-RPC: decode
# ---------------------------------------------------------------------------
def test_decode_kinds():
    assert decode(b'{"jsonrpc":"2.0","id":1,"method":"a"}').kind == "request"
    assert decode(b'{"jsonrpc":"2.0","method":"a","params":[1]}').kind == "notification"
    assert decode(b'{"jsonrpc":"2.0","id":"x","result":null}').kind == "response"
    assert decode(b'{"jsonrpc":"2.0","id":1,"method":"a","params":null}').data == {
        "jsonrpc": "2.0", "id": 1, "method": "a"}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12)
METHODS = st.sampled_from(["initialize", "initialized", "textDocument/hover", "textDocument/completion",
                           "textDocument/codeAction", "codeAction/resolve", "textDocument/didOpen",
                           "textDocument/didChange", "textDocument/didClose", "textDocument/didSave",
                           "$/cancelRequest", "$/setTrace", "workspace/executeCommand", "daprlint/x"])
IDS = st.integers(-10**6, 10**6) | st.text(max_size=6).filter(lambda s: not s.startswith("ping"))
MESSAGE_LIKE = st.fixed_dictionaries(
    {"jsonrpc": st.sampled_from(["2.0", "2.0", "2.0", "1.0"]), "method": METHODS | JSON},
    optional={"id": IDS | JSON, "params": JSON | st.fixed_dictionaries({
        "textDocument": st.fixed_dictionaries({"uri": st.just(URI)}, optional={"version": st.integers()}),
        "position": st.fixed_dictionaries({"line": st.integers(-2, 20), "character": st.integers(-2, 40)}),
    }), "result": JSON})
VALUES = JSON | MESSAGE_LIKE | st.lists(MESSAGE_LIKE, max_size=3)


def request_id(value):
    """The id a server must answer for this JSON value, or None when it owes no answer."""
    if isinstance(value, dict) and isinstance(value.get("method"), str) and "id" in value and valid_id(value["id"]):
        return value["id"]
    return None


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_decode_owes_every_request_its_answer(value):
    body = json.dumps(value).encode()
    owed = request_id(value)
    try:
        message = decode(body)
    except Invalid as exc:
        if owed is not None:
            assert exc.ids == [owed]
        return
    assert message.kind in ("request", "notification", "response")
    assert (message.kind == "request") == (owed is not None)
    if owed is not None:
        assert message.id == owed


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_decode_raises_only_invalid(body):
    try:
        decode(body)
    except Invalid:
        pass


# ---------------------------------------------------------------------------
# the whole server in-process
# ---------------------------------------------------------------------------
def serve_bytes(data: bytes, monkeypatch, fast_start: bool = True) -> tuple[int, list[dict]]:
    from daprlint.lsp import serve

    monkeypatch.setenv("DAPRLINT_LSP_FAST_START", "1" if fast_start else "0")
    out = io.BytesIO()
    code = serve(io.BytesIO(data), out)
    return code, parse_frames(out.getvalue())


# Each in-process server costs ~0.1 s (cattrs compiles its converters anew): the fast start (the
# hand-over) runs every case, pygls alone and the start before initialize run the issue's cases.
AFTER_INITIALIZE = [pytest.param(c, True, id=c) for c in CASES] + [
    pytest.param(c, False, id=f"{c}-pygls-only") for c in ISSUE_CASES]


@needs_pygls
@pytest.mark.parametrize("case, fast_start", AFTER_INITIALIZE)
def test_malformed_input_after_initialize(case, fast_start, monkeypatch):
    data, answers, _framing = CASES[case]
    code, messages = serve_bytes(INIT + data + OPEN + HOVER + SHUTDOWN + EXIT, monkeypatch, fast_start)
    assert responses(messages) == [(1, "result"), *answers, ("hover", "result"), ("bye", "result")]
    assert hover_ok(messages)
    assert len(publishes(messages)) == 1  # the fast start's diagnostics are not sent twice
    assert code == 0


@needs_pygls
@pytest.mark.parametrize("case", [c for c in ISSUE_CASES if CASES[c][2]])
def test_malformed_input_before_initialize(case, monkeypatch):
    data, answers, _framing = CASES[case]
    code, messages = serve_bytes(data + INIT + OPEN + HOVER + SHUTDOWN + EXIT, monkeypatch)
    assert responses(messages) == [*answers, (1, "result"), ("hover", "result"), ("bye", "result")]
    assert hover_ok(messages) and code == 0


@needs_pygls
def test_lifecycle_errors(monkeypatch):
    """Requests before initialize get -32002, after shutdown -32600; exit's code tells whether shutdown came."""
    code, messages = serve_bytes(HOVER + SHUTDOWN + EXIT, monkeypatch)
    assert responses(messages) == [("hover", SERVER_NOT_INITIALIZED), ("bye", SERVER_NOT_INITIALIZED)]
    assert code == 1
    after = request("after", "textDocument/hover", HOVER_PARAMS)
    code, messages = serve_bytes(INIT + OPEN + SHUTDOWN + after + SHUTDOWN + notification("initialized", {}) + EXIT,
                                 monkeypatch)
    assert responses(messages) == [(1, "result"), ("bye", "result"), ("after", INVALID_REQUEST),
                                   ("bye", INVALID_REQUEST)]
    assert code == 0
    assert serve_bytes(INIT + EXIT, monkeypatch)[0] == 1             # exit without shutdown
    assert serve_bytes(INIT + SHUTDOWN, monkeypatch)[0] == 0         # end of input after shutdown
    assert serve_bytes(INIT + OPEN, monkeypatch)[0] == 1             # end of input without it


@needs_pygls
def test_fast_start_answer_stands_when_pygls_rejects_deeper_capabilities(monkeypatch):
    """The fast start checks initialize's outline only; pygls then initializes from that outline."""
    params = {"processId": None, "capabilities": {"general": {"positionEncodings": ["utf-8"]},
                                                  "textDocument": {"hover": 5}}}
    code, messages = serve_bytes(request(1, "initialize", params) + OPEN + HOVER + SHUTDOWN + EXIT, monkeypatch)
    assert responses(messages) == [(1, "result"), ("hover", "result"), ("bye", "result")]
    assert messages[0]["result"]["capabilities"]["positionEncoding"] == "utf-8"
    assert hover_ok(messages) and code == 0


@needs_pygls
def test_an_initialize_the_fast_start_cannot_vouch_for_is_pygls_s(monkeypatch):
    bad = frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": 5}})
    code, messages = serve_bytes(bad + INIT + OPEN + HOVER + SHUTDOWN + EXIT, monkeypatch)
    assert responses(messages) == [(1, INVALID_PARAMS), (1, "result"), ("hover", "result"), ("bye", "result")]
    assert code == 0


@needs_pygls
def test_errors_and_logs_quote_nothing_from_the_input(monkeypatch, capsys):
    planted = "PlantedValue0009"
    data = (INIT + request(1001, f"x/{planted}") + request(1002, "textDocument/hover", {"textDocument": planted})
            + framed_body(b'{"jsonrpc":"2.0","id":1003,"method":"' + planted.encode() + b'\xff"}')
            + framed_body(planted.encode()) + b"Content-Length: " + planted.encode() + b"\r\n\r\n"
            + notification("textDocument/didOpen", {"textDocument": {"uri": planted}}) + SHUTDOWN + EXIT)
    code, messages = serve_bytes(data, monkeypatch)
    assert responses(messages)[1:4] == [(1001, METHOD_NOT_FOUND), (1002, INVALID_PARAMS), (1003, PARSE_ERROR)]
    assert code == 0
    assert planted not in json.dumps(messages) + capsys.readouterr().err


@needs_pygls
def test_the_pygls_internals_the_server_builds_on_are_there():
    """server.py subclasses pygls's protocol (see its docstring): a pygls release that moves these fails here."""
    from pygls.protocol import LanguageServerProtocol

    from daprlint.lsp.server import create_server

    for name in ("_handle_request", "_handle_notification", "_handle_cancel_notification", "_execute_request",
                 "_get_handler", "_send_data", "_send_response", "_serialize_message", "get_message_type"):
        assert callable(getattr(LanguageServerProtocol, name, None)), name
    protocol = create_server().lsp
    for name in ("_request_futures", "_result_types", "_shutdown", "_workspace", "_converter", "fm", "transport"):
        assert hasattr(protocol, name), name


@needs_pygls
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(VALUES, max_size=4))
def test_every_request_among_any_json_values_is_answered(monkeypatch, values):
    values = [v for v in values if not (isinstance(v, dict) and v.get("method") in ("exit", "shutdown"))]
    data = INIT + b"".join(frame(v) for v in values) + OPEN + HOVER + SHUTDOWN + EXIT
    code, messages = serve_bytes(data, monkeypatch)
    answered = [i for i, _ in responses(messages)]
    for value in values:
        owed = [request_id(v) for v in (value if isinstance(value, list) else [value])]
        for msg_id in owed:
            if msg_id is not None:
                assert msg_id in answered
    assert answered[-2:] == ["hover", "bye"] and code == 0


# ---------------------------------------------------------------------------
# the real process, through the raw-bytes client
# ---------------------------------------------------------------------------
@pytest.mark.slow
@needs_pygls
@pytest.mark.parametrize("case", ISSUE_CASES)
def test_process_keeps_serving_after(case, tmp_path):
    """A fresh process, so the fast start hands the malformed message over: then open, hover, shutdown, exit."""
    data, answers, _framing = CASES[case]
    with RawServer(cwd=tmp_path) as server:
        server.initialize()
        server.send(data)
        server.open(URI, MANIFEST)
        server.send(HOVER)
        server.response("hover")
        answer, code = server.shutdown_and_exit()  # stdin stays open: `exit` alone ends the process
        assert answer == {"jsonrpc": "2.0", "id": "shutdown", "result": None}
        assert responses(server.received) == [(1, "result"), *answers, ("hover", "result"), ("shutdown", "result")]
        assert hover_ok(server.received) and code == 0
        assert "Traceback" not in server.stderr


@pytest.mark.slow
@needs_pygls
def test_one_process_takes_every_case_in_a_row(tmp_path):
    with RawServer(cwd=tmp_path) as server:
        server.initialize()
        server.open(URI, MANIFEST)
        for case, (data, answers, _framing) in CASES.items():
            ping = f"hover-{case}"
            server.send(data + request(ping, "textDocument/hover", HOVER_PARAMS))
            _answer, before = server.response(ping)
            assert responses(before) == answers, case
            assert hover_ok(server.received, ping), case
        server.send(SHUTDOWN + request("late", "textDocument/hover", HOVER_PARAMS))
        assert server.response("bye")[0]["result"] is None
        assert server.response("late")[0]["error"]["code"] == INVALID_REQUEST  # after shutdown (LSP spec)
        server.send(EXIT)
        assert server.exit_code() == 0
        assert "Traceback" not in server.stderr


@pytest.mark.slow
@needs_pygls
def test_process_skips_a_body_over_the_limit(tmp_path):
    text = "a" * (MAX_BODY_BYTES + 10)
    huge = frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": "untitled:huge.yaml", "languageId": "yaml", "version": 1, "text": text}}})
    del text
    with RawServer(cwd=tmp_path) as server:
        server.initialize()
        server.send(huge + OPEN + HOVER)
        _answer, before = server.response("hover")
        assert responses(before) == [(None, INVALID_REQUEST)]
        assert server.shutdown_and_exit()[1] == 0


@pytest.mark.slow
@needs_pygls
@pytest.mark.parametrize("fast_start", [True, False], ids=["fast-start", "pygls-only"])
def test_process_exit_codes(tmp_path, fast_start):
    with RawServer(cwd=tmp_path, fast_start=fast_start) as server:  # exit without shutdown: 1
        server.initialize()
        server.send(EXIT)
        assert server.exit_code() == 1
    with RawServer(cwd=tmp_path, fast_start=fast_start) as server:  # the client goes away: 1
        server.initialize()
        server.proc.stdin.close()
        assert server.exit_code() == 1
    with RawServer(cwd=tmp_path, fast_start=fast_start) as server:  # garbage first, then a normal session
        server.send(framed_body(b"null") + b"Content-Length: x\r\n\r\n")
        server.initialize()
        assert server.shutdown_and_exit()[1] == 0
        assert responses(server.received)[:2] == [(None, INVALID_REQUEST), (None, PARSE_ERROR)]


@pytest.mark.slow
@needs_pygls
def test_one_process_survives_any_bytes_and_any_json(tmp_path):
    """Hypothesis's byte strings and JSON values at one server; after each, a hover is answered."""
    counter = itertools.count()
    with RawServer(cwd=tmp_path) as server:
        server.initialize()
        server.open(URI, MANIFEST)

        def ping_after(data: bytes) -> list[dict]:
            ping = f"ping-{next(counter)}"
            server.send(data + request(ping, "textDocument/hover", HOVER_PARAMS))
            answer, before = server.response(ping)
            assert "result" in answer
            return before

        @settings(max_examples=150, deadline=None, database=None)
        @given(GARBAGE)
        def any_bytes(garbage):
            ping_after(garbage + filler_for(garbage, MAX_BODY_BYTES))

        @settings(max_examples=100, deadline=None, database=None)
        @given(st.lists(VALUES, max_size=4))
        def any_json(values):
            values = [v for v in values if not (isinstance(v, dict) and v.get("method") in ("exit", "shutdown"))]
            before = ping_after(b"".join(frame(v) for v in values))
            answered = [i for i, _ in responses(before)]
            for value in values:
                for item in (value if isinstance(value, list) else [value]):
                    if request_id(item) is not None:
                        assert request_id(item) in answered

        any_bytes()
        any_json()
        answer, code = server.shutdown_and_exit()
        assert answer["result"] is None and code == 0
        assert "Traceback" not in server.stderr

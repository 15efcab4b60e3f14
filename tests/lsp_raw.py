"""A raw-bytes LSP client for tests: spawn `python -m daprlint server`, write any bytes, read framed replies.

The client is strict about what the server sends (every frame must be
`Content-Length: N` headers, an empty line and a JSON-RPC 2.0 object of
exactly N bytes) and lenient about nothing else: it writes exactly the
bytes a test gives it. Every wait has a timeout.
"""
from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

TIMEOUT = 20  # seconds, for every single wait on the server
_HEADER = re.compile(rb"([A-Za-z-]+): ([^\r\n]*)\r\n")


def frame(payload) -> bytes:
    """A JSON value framed as LSP sends it."""
    body = json.dumps(payload).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def framed_body(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def request(msg_id, method: str, params=None) -> bytes:
    message = {"jsonrpc": "2.0", "id": msg_id, "method": method}
    if params is not None:
        message["params"] = params
    return frame(message)


def notification(method: str, params=None) -> bytes:
    message = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = params
    return frame(message)


def initialize_params(root: Path | None = None) -> dict:
    return {"processId": os.getpid(), "rootUri": root.as_uri() if root else None,
            "capabilities": {"textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]},
                                                              "dataSupport": True}}}}


class FramingViolation(AssertionError):
    pass


def split_frame(buf) -> tuple[dict, int] | None:
    """(the first message in *buf*, the bytes it used); None while it is incomplete.

    Strict: what the server sends must be well framed JSON-RPC 2.0.
    """
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    headers = bytes(buf[:end + 2])
    length = None
    at = 0
    while at < len(headers):
        match = _HEADER.match(headers, at)
        if match is None:
            raise FramingViolation(f"bad header from the server: {headers[:200]!r}")
        if match.group(1).lower() == b"content-length":
            length = int(match.group(2))
        at = match.end()
    if length is None:
        raise FramingViolation(f"no Content-Length from the server: {headers[:200]!r}")
    if len(buf) < end + 4 + length:
        return None
    body = bytes(buf[end + 4:end + 4 + length])
    message = json.loads(body.decode("utf-8"))
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        raise FramingViolation(f"not a JSON-RPC 2.0 object: {body[:200]!r}")
    return message, end + 4 + length


def parse_frames(data: bytes) -> list[dict]:
    """Every message in a complete transcript of what the server sent."""
    messages = []
    buf = bytearray(data)
    while buf:
        found = split_frame(buf)
        if found is None:
            raise FramingViolation(f"the output ends inside a message: {bytes(buf[:200])!r}")
        messages.append(found[0])
        del buf[:found[1]]
    return messages


def responses(messages: list[dict]) -> list[tuple]:
    """(id, error code or "result") of each response, in order."""
    return [(m.get("id"), m["error"]["code"] if "error" in m else "result") for m in messages if "method" not in m]


class RawServer:
    """One server process. `received` holds every message it sent, in order; `raw` every byte."""

    def __init__(self, cwd: Path | None = None, fast_start: bool = True, env: dict | None = None):
        full_env = {**os.environ, "DAPRLINT_LSP_FAST_START": "1" if fast_start else "0", **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "daprlint", "server"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=full_env)
        self.raw = bytearray()
        self.received: list[dict] = []
        self._buf = bytearray()
        self._unread: list[dict] = []
        self._chunks: queue.Queue = queue.Queue()
        self._stderr = bytearray()
        threading.Thread(target=self._pump, args=(self.proc.stdout, self._chunks.put), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self._stderr.extend), daemon=True).start()

    @staticmethod
    def _pump(stream, sink) -> None:
        while True:
            chunk = os.read(stream.fileno(), 65536)
            sink(chunk)
            if not chunk:
                return

    # -- writing ---------------------------------------------------------
    def send(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    # -- reading ---------------------------------------------------------
    def _parse_one(self) -> dict | None:
        found = split_frame(self._buf)
        if found is None:
            return None
        message, used = found
        del self._buf[:used]
        self.received.append(message)
        return message

    def next_message(self, timeout: float = TIMEOUT) -> dict | None:
        """The next message the server sent; None when it closed stdout."""
        if self._unread:
            return self._unread.pop(0)
        deadline = time.monotonic() + timeout
        while True:
            message = self._parse_one()
            if message is not None:
                return message
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no complete message from the server within {timeout}s")
            try:
                chunk = self._chunks.get(timeout=left)
            except queue.Empty:
                continue
            if not chunk:
                if self._buf:
                    raise FramingViolation(f"the server ended inside a message: {bytes(self._buf[:200])!r}")
                return None
            self.raw += chunk
            self._buf += chunk

    def wait_for(self, want, timeout: float = TIMEOUT) -> tuple[dict, list[dict]]:
        """(the first message satisfying *want*, the messages before it)."""
        before = []
        deadline = time.monotonic() + timeout
        while True:
            message = self.next_message(max(deadline - time.monotonic(), 0.01))
            if message is None:
                raise AssertionError(f"the server ended; it sent {before}")
            if want(message):
                return message, before
            before.append(message)

    def response(self, msg_id, timeout: float = TIMEOUT) -> tuple[dict, list[dict]]:
        return self.wait_for(lambda m: "method" not in m and m.get("id") == msg_id, timeout)

    def call(self, msg_id, method: str, params=None) -> dict:
        self.send(request(msg_id, method, params))
        return self.response(msg_id)[0]

    # -- the session -----------------------------------------------------
    def initialize(self, root: Path | None = None) -> dict:
        result = self.call(1, "initialize", initialize_params(root))
        self.send(notification("initialized", {}))
        return result

    def open(self, uri: str, text: str, version: int = 1) -> dict:
        """didOpen; the published diagnostics for it."""
        self.send(notification("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": version, "text": text}}))
        return self.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                             and m["params"]["uri"] == uri)[0]

    def exit_code(self, timeout: float = TIMEOUT) -> int:
        return self.proc.wait(timeout)

    def shutdown_and_exit(self, msg_id="shutdown") -> tuple[dict, int]:
        answer = self.call(msg_id, "shutdown")
        self.send(notification("exit"))
        return answer, self.exit_code()

    @property
    def stderr(self) -> str:
        return bytes(self._stderr).decode("utf-8", "replace")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(TIMEOUT)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

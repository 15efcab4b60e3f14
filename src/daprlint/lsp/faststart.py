"""First diagnostics before pygls is imported.

Importing pygls costs about half a second (lsprotocol.types alone builds
~1000 attrs classes), more than the whole first lint. So the server answers
`initialize` and the first `textDocument/didOpen` itself, with the same JSON
the pygls server would send, and then hands every message it read to pygls:
`initialize` replayed with its answer muted, the rest replayed as they came.
From then on pygls alone reads stdin.

Anything unexpected (a request, `exit`, a message that does not parse, an
error here) ends this phase at once; pygls answers it after the replay.
Set DAPRLINT_LSP_FAST_START=0 to start pygls first.
"""
from __future__ import annotations

import json
import re

from .analysis import FIX_ALL_KIND, Analyzer, uri_to_path

_CONTENT_LENGTH = re.compile(rb"^Content-Length: (\d+)\r\n$")
# notifications that can wait for pygls without changing what the fast start answers
_DEFERRABLE = {"initialized", "$/setTrace", "$/cancelRequest", "workspace/didChangeConfiguration",
               "workspace/didChangeWorkspaceFolders", "workspace/didChangeWatchedFiles"}


def negotiate_encoding(params: dict) -> str:
    """The position encoding pygls 1.x picks (ServerCapabilitiesBuilder._with_position_encodings)."""
    general = ((params or {}).get("capabilities") or {}).get("general") or {}
    encodings = general.get("positionEncodings")
    if not encodings or "utf-16" in encodings:
        return "utf-16"
    if "utf-32" in encodings:
        return "utf-32"
    if "utf-8" in encodings:
        return "utf-8"
    return "utf-16"


def capabilities(encoding: str) -> dict:
    """What create_server()'s features announce through pygls (tests/test_lsp.py compares the two)."""
    return {
        "positionEncoding": encoding,
        "textDocumentSync": {"openClose": True, "change": 2,
                             "save": {"includeText": False}},
        "completionProvider": {"triggerCharacters": [" "]},
        "hoverProvider": True,
        "codeActionProvider": {"codeActionKinds": ["quickfix", FIX_ALL_KIND]},
        "executeCommandProvider": {"commands": []},
        "workspace": {"workspaceFolders": {"supported": True, "changeNotifications": True},
                      "fileOperations": {}},
    }


def _frame(payload: dict) -> bytes:
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return b"Content-Length: " + str(len(body)).encode("ascii") + b"\r\n\r\n" + body


class FastStart:
    def __init__(self, rfile, wfile, analyzer: Analyzer, version: str):
        self.rfile = rfile
        self.wfile = wfile
        self.analyzer = analyzer
        self.version = version
        self.replay: list[tuple[bytes, bool]] = []  # (raw message, answered already)
        self.published: dict[str, tuple] = {}       # uri -> (version, text)
        self.eof = False

    def _read(self) -> tuple[bytes, dict | None] | None:
        """One framed message: (raw bytes, parsed JSON or None); None at end of input."""
        parts = []
        length = None
        while True:
            header = self.rfile.readline()
            if not header:
                if parts:
                    self.replay.append((b"".join(parts), False))
                self.eof = True
                return None
            parts.append(header)
            match = _CONTENT_LENGTH.fullmatch(header)
            if match and length is None:
                length = int(match.group(1))
            if length is not None and not header.strip():
                break
        body = self.rfile.read(length)
        parts.append(body)
        raw = b"".join(parts)
        try:
            message = json.loads(body)
        except ValueError:
            message = None
        return raw, message if isinstance(message, dict) else None

    def _send(self, payload: dict) -> None:
        self.wfile.write(_frame(payload))
        self.wfile.flush()

    def run(self) -> None:
        """Read and answer until the first diagnostics are out or something needs pygls."""
        initialized = False
        while True:
            got = self._read()
            if got is None:
                return
            raw, message = got
            method = message.get("method") if message else None
            if not initialized:
                if method != "initialize" or "id" not in message:
                    self.replay.append((raw, False))
                    return
                self.replay.append((raw, True))
                try:
                    self._initialize(message)
                except Exception:
                    self.replay[-1] = (raw, False)  # not answered: pygls will
                    return
                initialized = True
                continue
            self.replay.append((raw, False))
            if method in _DEFERRABLE and "id" not in message:
                continue
            if method == "textDocument/didOpen" and "id" not in message:
                try:
                    self._did_open(message.get("params") or {})
                except Exception:
                    pass  # pygls lints it again on replay
            return

    def _initialize(self, message: dict) -> None:
        params = message.get("params") or {}
        encoding = negotiate_encoding(params)
        self.analyzer.encoding = encoding
        root = params.get("rootUri") or ((params.get("workspaceFolders") or [{}])[0] or {}).get("uri")
        if root:
            self.analyzer.root = uri_to_path(root)
        self._send({"jsonrpc": "2.0", "id": message["id"],
                    "result": {"capabilities": capabilities(encoding),
                               "serverInfo": {"name": "daprlint", "version": self.version}}})

    def _did_open(self, params: dict) -> None:
        document = params["textDocument"]
        uri, text, version = document["uri"], document["text"], document.get("version")
        state = self.analyzer.lint(uri, text, version)
        payload = {"uri": uri, "diagnostics": self.analyzer.diagnostics(state)}
        if version is not None:
            payload["version"] = version
        self._send({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": payload})
        self.published[uri] = (version, text)

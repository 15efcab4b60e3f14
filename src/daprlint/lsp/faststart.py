"""First diagnostics before pygls is imported.

Importing pygls costs about half a second (lsprotocol.types alone builds
~1000 attrs classes), more than the whole first lint. So the server answers
`initialize` and the first `textDocument/didOpen` itself, with the same JSON
the pygls server would send, and then hands every message it read to pygls:
`initialize` replayed with its answer muted, the rest replayed as they came.
From then on pygls alone reads stdin.

The first diagnostics include the deployment findings (analysis.py,
project.py): in a small project, or one whose files the result cache
knows, that costs a few milliseconds. In a project opened for the first
time, where more than analysis.DEFER_ABOVE context files must be linted
first, the per-file diagnostics go out at once and the full set follows
(docs/editors.md has the figures).

Both phases read through one framing.FrameReader, so bytes the fast start
has buffered but not used stay in that reader for pygls. Anything unexpected
(a request, `exit`, bytes that are no message, a message that fails
framing.decode, an `initialize` whose params the fast start cannot vouch
for, an error here) ends this phase at once; pygls answers it after the
replay. Set DAPRLINT_LSP_FAST_START=0 to start pygls first.
"""
from __future__ import annotations

import json

from .analysis import DEFER_ABOVE, FIX_ALL_KIND, Analyzer, uri_to_path
from .framing import Frame, FrameReader, Invalid, Message, decode, valid_id

# notifications that can wait for pygls without changing what the fast start answers
_DEFERRABLE = {"initialized", "$/setTrace", "$/cancelRequest", "workspace/didChangeConfiguration",
               "workspace/didChangeWorkspaceFolders", "workspace/didChangeWatchedFiles"}


def negotiate_encoding(params: dict) -> str:
    """The position encoding pygls 1.x picks (ServerCapabilitiesBuilder._with_position_encodings)."""
    capabilities = (params or {}).get("capabilities")
    general = capabilities.get("general") if isinstance(capabilities, dict) else None
    encodings = general.get("positionEncodings") if isinstance(general, dict) else None
    if not isinstance(encodings, list) or not encodings or "utf-16" in encodings:
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
        "codeActionProvider": {"codeActionKinds": ["quickfix", FIX_ALL_KIND], "resolveProvider": True},
        "executeCommandProvider": {"commands": []},
        "workspace": {"workspaceFolders": {"supported": True, "changeNotifications": True},
                      "fileOperations": {}},
    }


def _frame(payload: dict) -> bytes:
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return b"Content-Length: " + str(len(body)).encode("ascii") + b"\r\n\r\n" + body


def _optional(value, kind) -> bool:
    return value is None or isinstance(value, kind)


def answerable_initialize(message: Message) -> bool:
    """An `initialize` request whose params have the shape pygls needs (lsprotocol's InitializeParams).

    What lies deeper (the client capabilities) is not checked here: if pygls
    cannot read it, server.py initializes pygls with the part checked here.
    """
    params = message.params
    if message.kind != "request" or message.method != "initialize" or not isinstance(params, dict):
        return False
    pid = params.get("processId")
    folders = params.get("workspaceFolders")
    return ((pid is None or valid_id(pid) and not isinstance(pid, str))
            and isinstance(params.get("capabilities"), dict)
            and _optional(params.get("rootUri"), str) and _optional(params.get("rootPath"), str)
            and (folders is None or isinstance(folders, list) and all(
                isinstance(f, dict) and isinstance(f.get("uri"), str) and isinstance(f.get("name"), str)
                for f in folders)))


class FastStart:
    def __init__(self, reader: FrameReader, wfile, analyzer: Analyzer, version: str):
        self.reader = reader
        self.wfile = wfile
        self.analyzer = analyzer
        self.version = version
        self.replay: list[tuple[object, bool]] = []  # (framing item, answered already)
        self.published: dict[str, tuple] = {}       # uri -> (version, text)
        self.eof = False

    def _next(self):
        """(framing item, its decoded message or None); None at end of input."""
        item = self.reader.read()
        if item is None:
            self.eof = True
            return None
        if not isinstance(item, Frame):
            return item, None
        try:
            item.message = decode(item.body)
        except Invalid:
            return item, None
        return item, item.message

    def _send(self, payload: dict) -> None:
        self.wfile.write(_frame(payload))
        self.wfile.flush()

    def run(self) -> None:
        """Read and answer until the first diagnostics are out or something needs pygls."""
        initialized = False
        while True:
            got = self._next()
            if got is None:
                return
            item, message = got
            if not initialized:
                if message is None or not answerable_initialize(message):
                    self.replay.append((item, False))
                    return
                self.replay.append((item, True))
                try:
                    self._initialize(message)
                except Exception:
                    self.replay[-1] = (item, False)  # not answered: pygls will
                    return
                initialized = True
                continue
            self.replay.append((item, False))
            if message is None or message.kind != "notification":
                return
            if message.method in _DEFERRABLE:
                continue
            if message.method == "textDocument/didOpen":
                try:
                    self._did_open(message.params)
                except Exception:
                    pass  # pygls lints it again on replay
            return

    def _initialize(self, message: Message) -> None:
        params = message.params
        encoding = negotiate_encoding(params)
        self.analyzer.encoding = encoding
        root = params.get("rootUri") or ((params.get("workspaceFolders") or [{}])[0]).get("uri")
        if root:
            self.analyzer.root = uri_to_path(root)
        self._send({"jsonrpc": "2.0", "id": message.id,
                    "result": {"capabilities": capabilities(encoding),
                               "serverInfo": {"name": "daprlint", "version": self.version}}})

    def _did_open(self, params) -> None:
        document = params["textDocument"]
        uri, text, version = document["uri"], document["text"], document.get("version")
        if not isinstance(uri, str) or not isinstance(text, str) or not valid_id(version) or isinstance(version, str):
            return  # pygls rejects these params: it must not find them answered
        state = self.analyzer.lint(uri, text, version, defer_above=DEFER_ABOVE)
        self._publish(uri, self.analyzer.diagnostics(state), version)
        self.published[uri] = (version, text)
        before = self.analyzer.diagnostics(state)
        if self.analyzer.complete(uri, state) and self.analyzer.diagnostics(state) != before:
            self._publish(uri, self.analyzer.diagnostics(state), version)  # with the deployment findings

    def _publish(self, uri: str, diagnostics: list, version) -> None:
        payload = {"uri": uri, "diagnostics": diagnostics, "version": version}
        self._send({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": payload})

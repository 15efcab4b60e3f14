"""A small LSP client that drives the real yaml-language-server over stdio (for the tests).

`find_server()` looks for the server in $YAML_LANGUAGE_SERVER (a path to its
`bin/yaml-language-server` script, or to a folder holding `node_modules`),
then in `.ci/node/` (where `.ci/run` installs it), and says why when it finds
none, so the tests can skip with that reason. The client answers the
server's own requests (`workspace/configuration`, capability registration,
progress) and serves `vscode/content` requests from a dict: with
`yaml/registerContentRequest` sent, the server fetches every http(s) schema
through the client, so it never reaches the network. Every wait has a
timeout, and `close()` shuts the server down (shutdown, exit, then kill).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOCAL_PREFIX = REPO / ".ci" / "node"
SCRIPT = Path("node_modules") / "yaml-language-server" / "bin" / "yaml-language-server"


def find_server() -> tuple[list[str] | None, str]:
    """(command, "") for the server, or (None, why not)."""
    node = shutil.which("node")
    if node is None:
        return None, "node is not installed (.ci/run installs it with yaml-language-server)"
    candidates = []
    override = os.environ.get("YAML_LANGUAGE_SERVER")
    if override:
        path = Path(override)
        candidates.append(path / SCRIPT if path.is_dir() else path)
    candidates.append(LOCAL_PREFIX / SCRIPT)
    for script in candidates:
        if script.is_file():
            return [node, str(script), "--stdio"], ""
    where = " or ".join(str(c) for c in candidates)
    return None, f"yaml-language-server is not installed at {where} (run .ci/run, or set YAML_LANGUAGE_SERVER)"


class LspError(Exception):
    pass


class YamlLanguageServer:
    """One server process; use as a context manager."""

    def __init__(self, command: list[str], settings: dict, root: Path, content: dict[str, str] | None = None,
                 timeout: float = 30.0):
        self.settings = settings
        self.content = content or {}
        self.timeout = timeout
        self.content_requests: list[str] = []
        self._next_id = 0
        self._responses: dict[int, dict] = {}
        self._notifications: list[dict] = []
        self._cond = threading.Condition()
        self._stderr = bytearray()
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     cwd=root, env={**os.environ, "NODE_NO_WARNINGS": "1"})
        self._writer_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.root = root

    # -- plumbing ---------------------------------------------------------------
    def _send(self, payload: dict) -> None:
        body = json.dumps(payload).encode("utf-8")
        with self._writer_lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def _read_loop(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    with self._cond:
                        self._cond.notify_all()
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            if length is None:
                continue
            message = json.loads(stream.read(length))
            if "method" in message and "id" in message:
                try:
                    self._answer(message)
                except Exception as exc:  # keep reading: the waits report what is missing
                    self._send({"jsonrpc": "2.0", "id": message["id"],
                                "error": {"code": -32603, "message": f"test client: {exc!r}"}})
            with self._cond:
                if "id" in message and "method" not in message:
                    self._responses[message["id"]] = message
                elif "method" in message and "id" not in message:
                    self._notifications.append(message)
                self._cond.notify_all()

    def _drain_stderr(self) -> None:
        for chunk in iter(lambda: self.proc.stderr.read(4096), b""):
            self._stderr += chunk[: max(0, 65536 - len(self._stderr))]

    def _answer(self, request: dict) -> None:
        """The server's requests to the client."""
        method, params = request["method"], request.get("params") or {}
        result, error = None, None
        if method == "workspace/configuration":
            result = [self._section(item.get("section")) for item in params.get("items", [])]
        elif method == "vscode/content":
            uri = params[0] if isinstance(params, list) and params else params
            uri = uri.get("uri", "") if isinstance(uri, dict) else str(uri)
            self.content_requests.append(uri)
            if uri in self.content:
                result = self.content[uri]
            else:
                error = {"code": -32603, "message": f"no network in this test: {uri}"}
        elif method in ("client/registerCapability", "client/unregisterCapability", "window/workDoneProgress/create",
                        "window/showMessageRequest"):
            result = None
        else:
            error = {"code": -32601, "message": f"the test client does not handle {method}"}
        reply = {"jsonrpc": "2.0", "id": request["id"]}
        reply.update({"error": error} if error else {"result": result})
        self._send(reply)

    def _section(self, section: str | None):
        if not section:
            return self.settings
        value = self.settings
        for part in section.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    # -- API --------------------------------------------------------------------
    def request(self, method: str, params: dict, timeout: float | None = None) -> object:
        self._next_id += 1
        ident = self._next_id
        self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._cond:
            while ident not in self._responses:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise LspError(f"no answer to {method} ({self.stderr_tail()})")
                self._cond.wait(left)
            reply = self._responses.pop(ident)
        if "error" in reply:
            raise LspError(f"{method}: {reply['error']}")
        return reply.get("result")

    def notify(self, method: str, params: dict) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_for(self, method: str, predicate=lambda params: True, timeout: float | None = None) -> dict:
        """The first notification of *method* whose params satisfy *predicate* (consumed)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._cond:
            while True:
                for i, message in enumerate(self._notifications):
                    if message["method"] == method and predicate(message.get("params") or {}):
                        del self._notifications[i]
                        return message.get("params") or {}
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise LspError(f"no {method} notification ({self.stderr_tail()})")
                self._cond.wait(left)

    def start(self) -> dict:
        result = self.request("initialize", {
            "processId": os.getpid(),
            "rootUri": self.root.as_uri(),
            "workspaceFolders": [{"uri": self.root.as_uri(), "name": self.root.name}],
            "capabilities": {
                "workspace": {"configuration": True, "didChangeConfiguration": {"dynamicRegistration": True}},
                "textDocument": {
                    "completion": {"completionItem": {"snippetSupport": True,
                                                      "documentationFormat": ["markdown", "plaintext"]}},
                    "hover": {"contentFormat": ["markdown", "plaintext"]},
                    "publishDiagnostics": {"relatedInformation": True},
                    "synchronization": {"didSave": True},
                },
            },
            "initializationOptions": {},
        }, timeout=60)
        self.notify("initialized", {})
        self.notify("yaml/registerContentRequest", {})  # http(s) schemas come from self.content
        self.notify("workspace/didChangeConfiguration", {"settings": self.settings})
        return result

    def open(self, path: Path, text: str) -> str:
        uri = path.as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                              "text": text}})
        return uri

    def diagnostics(self, uri: str, until=lambda diags: True, timeout: float | None = None) -> list[dict]:
        """The newest diagnostics published for *uri* that satisfy *until* (the server may publish
        an empty list before the schemas are loaded)."""
        params = self.wait_for("textDocument/publishDiagnostics",
                               lambda p: p.get("uri") == uri and until(p.get("diagnostics", [])), timeout)
        return params["diagnostics"]

    def completion(self, uri: str, line: int, character: int) -> list[dict]:
        result = self.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                          "position": {"line": line, "character": character}})
        return result.get("items", []) if isinstance(result, dict) else (result or [])

    def hover(self, uri: str, line: int, character: int) -> str:
        result = self.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                     "position": {"line": line, "character": character}})
        if not result:
            return ""
        contents = result["contents"]
        return contents["value"] if isinstance(contents, dict) else str(contents)

    def stderr_tail(self) -> str:
        return bytes(self._stderr[-2000:]).decode("utf-8", "replace").strip() or "no stderr"

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.request("shutdown", {}, timeout=10)
                self.notify("exit", {})
                self.proc.wait(timeout=10)
        except (LspError, OSError, subprocess.TimeoutExpired, ValueError):
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=10)
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                try:
                    stream.close()
                except OSError:
                    pass

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

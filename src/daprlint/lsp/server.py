"""The pygls language server: document sync, diagnostics, code actions, hover, completion.

Only this module (and what imports it) needs pygls. The work itself is in
analysis.py, which speaks plain LSP JSON; here those dicts are structured
into lsprotocol types with the server's own converter.

Input does not go through pygls. pygls 1.3.1 (pygls/server.py,
pygls/protocol/json_rpc.py) goes deaf or silent on malformed input:

- json_rpc.py:113-119 `MESSAGE_PATTERN` wants a body that starts with `{`;
  `_data_received` (448-478) then takes the message as incomplete (length 1,
  line 461, return at 465) and keeps it in `_message_buf`, which never
  matches again: after one body `null`, `[]`, `42`, `"x"`, a batch, or any
  body not starting with `{`, nothing is answered, `shutdown` included;
- server.py:80-116 `aio_readline` keeps reading header lines until a line
  fullmatches `Content-Length: (\\d+)\\r\\n` (83, 97-100); after
  `Content-Length: abc` the body is read as a header line glued to the next
  header (`{...}Content-Length: 52`), which never matches: deaf for good.
  It also reads any Content-Length at once (106), however large;
- json_rpc.py:316-348 `_deserialize_message` raises InvalidParams (or
  InternalError: an unknown method without `params`) from inside
  `json.loads`; `data_received` (441-446) only logs it: no response;
- json_rpc.py:357-359 `_procedure_handler` drops every message after
  `shutdown` but `exit` without an answer; 353-355 drop a wrong `jsonrpc`;
- invalid JSON or UTF-8 raise in `_data_received` and get no Parse error
  response; exceptions.py:68-76 `JsonRpcInternalError.of` sends the
  exception text and traceback to the client (a value could be quoted);
  `_send_data` (376-403) swallows an unserialisable result: no response.

So we wrap rather than pin and patch: framing.FrameReader reads stdin (the
fast start and this server share one reader, so no byte is lost at the
hand-over), and RobustProtocol (a LanguageServerProtocol subclass, given to
pygls through its public `protocol_cls` argument) takes each framed message,
checks it (framing.decode), answers every malformed request with a JSON-RPC
error, and only then hands a structured message to pygls's own request and
notification handlers. Patching pygls in place was rejected: monkeypatches
of module functions break silently when a 1.x release moves them, and pygls
2 rewrote both layers, so a patch would carry over to nothing. What the
subclass uses of pygls (`_handle_request`, `_handle_notification`,
`_send_data`, `_request_futures`, `_result_types`, `fm`, `_shutdown`,
`get_message_type`) has been stable through 1.x; the pin stays `>=1.3,<2`
and tests/test_lsp_protocol.py fails if any of them moves.

No message the server sends or logs quotes input: errors name their kind
and the exception type only.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import os
import sys
import threading
import traceback

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCNotification, JsonRPCRequestMessage, JsonRPCResponseMessage
from pygls.server import LanguageServer

from .. import __version__
from .analysis import DEFER_ABOVE, FIX_ALL_KIND, SECRET_FIX, Analyzer, uri_to_path
from .framing import (INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR,
                      SERVER_NOT_INITIALIZED, Frame, FrameReader, Invalid, Malformed, Message, decode)

# A change is linted once the client has been quiet this long: a burst of keystrokes (or an
# editor's batch of changes) is linted once, and an edit is answered well within the 150 ms the
# "Speed, round two" issue asks for (docs/editors.md has the measurement).
DEBOUNCE_SECONDS = 0.05
MAX_POSTPONE_SECONDS = 1.0  # a change waits at most this long for input still being read
SAVE_DELAY_SECONDS = 2.0    # the result caches are written this long after the last lint
# what the server asks a client to watch (workspace/didChangeWatchedFiles)
WATCHED_GLOBS = ("**/*.yaml", "**/*.yml", "**/Kustomization", "**/.gitignore", "**/.daprlint.toml",
                 "**/pyproject.toml")
CONFIG_NAMES = (".daprlint.toml", "pyproject.toml")
LISTING_NAMES = CONFIG_NAMES + (".gitignore",)  # a change here may change which files a project has
log = logging.getLogger("daprlint.lsp")
_ERROR_TEXT = {PARSE_ERROR: "parse error", INVALID_REQUEST: "invalid request", METHOD_NOT_FOUND: "method not found",
               INVALID_PARAMS: "invalid params", INTERNAL_ERROR: "internal error"}


class _RedactingFilter(logging.Filter):
    """pygls logs message payloads (document text: metadata values) on errors: keep only the format."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            try:
                record.msg = str(record.msg) % tuple("<withheld>" for _ in args)
            except (TypeError, ValueError):
                record.msg = f"{record.msg} <arguments withheld>"
            record.args = ()
        if record.exc_info:
            exc_type = record.exc_info[0]
            record.msg = f"{record.msg} ({exc_type.__name__ if exc_type else 'error'})"
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_pygls_logging() -> None:
    """pygls's warnings to stderr, without payloads; nothing on stdout (the LSP channel)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.addFilter(_RedactingFilter())
    handler.setFormatter(logging.Formatter("daprlint server: %(name)s: %(message)s"))
    for name in ("pygls", "daprlint.lsp"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
        logger.setLevel(logging.WARNING)


class ClientGone(Exception):
    """stdout is closed: nobody reads what the server would send."""


class _Transport:
    """Where pygls writes, with a switch to drop what a replayed message would answer twice."""

    def __init__(self, wfile):
        self.wfile = wfile
        self.muted = False
        self.gone = False

    def close(self):  # pygls calls this on `exit`; stdin stays open: a reader thread may be blocked on it
        try:
            self.wfile.flush()
        except (OSError, ValueError):
            pass

    def write(self, data):
        if self.muted or self.gone:
            return
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (OSError, ValueError):
            self.gone = True
            raise ClientGone() from None


class RobustProtocol(LanguageServerProtocol):
    """pygls's protocol behind a checked intake: every request is answered, the server keeps serving."""

    def __init__(self, server, converter):
        super().__init__(server, converter)
        self.initialized = False
        self._responses = 0  # responses sent: a request that a bug left unanswered gets an internal error

    # -- intake ----------------------------------------------------------
    def receive(self, item: Frame | Malformed, answered: bool = False) -> None:
        """Handle one framed message (*answered*: the fast start has sent its response already)."""
        message = None
        sent = self._responses
        try:
            if isinstance(item, Malformed):
                log.warning(f"skipped malformed input: {item.reason}")
                self.send_error(None, item.code, item.reason)
                return
            message = item.message or decode(item.body)
            self._dispatch(message, answered)
        except Invalid as exc:
            log.warning(f"malformed message: {exc.text}")
            for msg_id in exc.ids:
                self.send_error(msg_id, exc.code, exc.text)
        except (SystemExit, ClientGone):
            raise
        except Exception as exc:  # a bug here must not cost the client its answer
            log.error(f"internal error while handling a message ({type(exc).__name__})")
            if message is not None and message.kind == "request" and self._responses == sent:
                self.send_error(message.id, INTERNAL_ERROR, f"internal error ({type(exc).__name__})")

    def _dispatch(self, message: Message, answered: bool) -> None:
        if message.kind == "response":
            self._on_response(message)
            return
        method = message.method
        request = message.kind == "request"
        if method == lsp.EXIT:
            self._handle_notification(lsp.EXIT, None)  # raises SystemExit: 0 after shutdown, 1 without
            return
        refusal = self._refusal(method)
        if refusal is not None or not self._has_handler(message):
            if request:
                code, text = refusal or (METHOD_NOT_FOUND, "method not found")  # not echoed: client text
                self.send_error(message.id, code, text)
            return  # a notification the server does not take is ignored, as LSP asks
        try:
            structured = self._structure(message, answered)
        except Exception:
            if request:
                self.send_error(message.id, INVALID_PARAMS, f"invalid params for {method}")  # a method we serve
            else:
                log.warning(f"ignored {method}: invalid params")
            return
        if request:
            self._handle_request(message.id, method, structured.params)
            if method == lsp.INITIALIZE:
                self.initialized = self._workspace is not None
        else:
            self._handle_notification(method, structured.params)

    def _refusal(self, method: str) -> tuple[int, str] | None:
        """Why a message is not taken at this point of the session (LSP's lifecycle rules)."""
        if self._shutdown:
            return INVALID_REQUEST, "the server is shutting down: only exit is accepted"
        if method == lsp.INITIALIZE:
            return (INVALID_REQUEST, "initialize was sent already") if self.initialized else None
        if not self.initialized:
            return SERVER_NOT_INITIALIZED, "the server is not initialized yet"
        return None

    def _has_handler(self, message: Message) -> bool:
        method = message.method
        if method == lsp.CANCEL_REQUEST:
            return True
        if method not in self.fm.builtin_features and method not in self.fm.features:
            return False
        if method == lsp.WORKSPACE_EXECUTE_COMMAND and message.kind == "request":
            command = message.params.get("command") if isinstance(message.params, dict) else None
            if command not in self.fm.commands:
                raise Invalid(INVALID_PARAMS, "unknown command", [message.id])
        return True

    def _structure(self, message: Message, answered: bool):
        data = message.data
        message_type = self.get_message_type(message.method)
        if message_type is None:  # a method lsprotocol does not know: the generic types require `params`
            message_type = JsonRPCRequestMessage if message.kind == "request" else JsonRPCNotification
            data = {**data, "params": data.get("params")}
        try:
            return self._converter.structure(data, message_type)
        except Exception:
            if not (answered and message.method == lsp.INITIALIZE):
                raise
        # the fast start told the client it is initialized: initialize with what pygls can read
        return self._converter.structure({**data, "params": _minimal_initialize(message.params)}, message_type)

    def _on_response(self, message: Message) -> None:
        """A client's answer to a request of ours; answers to nothing are dropped."""
        future = self._request_futures.pop(message.id, None)
        result_type = self._result_types.pop(message.id, None)
        if future is None:
            return
        if "error" in message.data:
            error = message.data["error"] if isinstance(message.data["error"], dict) else {}
            code = error.get("code") if isinstance(error.get("code"), int) else INTERNAL_ERROR
            future.set_exception(JsonRpcException(code=code, message="the client answered with an error"))
            return
        try:
            structured = self._converter.structure(message.data, result_type or JsonRPCResponseMessage)
            future.set_result(structured.result)
        except Exception:
            future.set_exception(JsonRpcException(code=INVALID_PARAMS, message="the client's answer is malformed"))

    # -- pygls's request path, with errors that quote nothing --------------
    def _handle_request(self, msg_id, method_name, params):
        try:
            handler = self._get_handler(method_name)
            if method_name == lsp.WORKSPACE_EXECUTE_COMMAND:
                handler(params, msg_id)
            else:
                self._execute_request(msg_id, handler, params)
        except (SystemExit, ClientGone):
            raise
        except JsonRpcException as error:
            self.send_error(msg_id, error.code, _ERROR_TEXT.get(error.code, "request failed"))
        except Exception as exc:
            log.error(f"internal error in {method_name} ({type(exc).__name__})")  # a method we serve
            self.send_error(msg_id, INTERNAL_ERROR, f"internal error ({type(exc).__name__})")

    def _execute_request_callback(self, msg_id, future):
        self._request_futures.pop(msg_id, None)
        if future.cancelled():
            self.send_error(msg_id, -32800, "request cancelled")
        elif future.exception() is not None:
            self._execute_request_err_callback(msg_id, future.exception())
        else:
            self._send_response(msg_id, result=future.result())

    def _execute_request_err_callback(self, msg_id, exc):
        log.error(f"internal error in a request ({type(exc).__name__})")
        self.send_error(msg_id, INTERNAL_ERROR, f"internal error ({type(exc).__name__})")

    def _send_response(self, msg_id, result=None, error=None):
        if error is not None:
            self.send_error(msg_id, getattr(error, "code", INTERNAL_ERROR), "request failed")
            return
        self._responses += 1
        super()._send_response(msg_id, result)

    def send_error(self, msg_id, code: int, text: str) -> None:
        self._responses += 1
        self._result_types.pop(msg_id, None)
        self._send_data({"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": text}})

    def _send_data(self, data):
        if not data:
            return
        try:
            body = json.dumps(data, default=self._serialize_message)  # ASCII: lone surrogates are escaped
        except Exception as exc:  # an answer that cannot be sent is still an answer: an error
            log.error(f"could not serialise a message ({type(exc).__name__})")
            msg_id = getattr(data, "id", None)
            if msg_id is not None and hasattr(data, "result"):
                self._send_data({"jsonrpc": "2.0", "id": msg_id, "error": {
                    "code": INTERNAL_ERROR, "message": "internal error (result not serialisable)"}})
            return
        if self.transport is not None:
            encoded = body.encode("ascii")
            self.transport.write(b"Content-Length: %d\r\n\r\n%s" % (len(encoded), encoded))


def _minimal_initialize(params) -> dict:
    """The part of an `initialize` that the fast start read: used only when pygls rejects the rest."""
    params = params if isinstance(params, dict) else {}
    pid = params.get("processId")
    minimal = {"processId": pid if isinstance(pid, int) and not isinstance(pid, bool) else None, "capabilities": {}}
    if isinstance(params.get("rootUri"), str):
        minimal["rootUri"] = params["rootUri"]
    capabilities = params.get("capabilities")
    general = capabilities.get("general") if isinstance(capabilities, dict) else None
    encodings = general.get("positionEncodings") if isinstance(general, dict) else None
    if isinstance(encodings, list):
        known = [e for e in encodings if e in ("utf-8", "utf-16", "utf-32")]
        minimal["capabilities"] = {"general": {"positionEncodings": known}}
    return minimal


class DaprlintServer(LanguageServer):
    def __init__(self, analyzer: Analyzer | None = None, debounce: float = DEBOUNCE_SECONDS):
        super().__init__("daprlint", __version__, protocol_cls=RobustProtocol,
                         text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.analyzer = analyzer or Analyzer()
        self.debounce = debounce
        self.timers: dict[str, asyncio.TimerHandle] = {}
        # diagnostics the fast start already sent: uri -> (version, text)
        self.published: dict[str, tuple] = {}
        self.input_waiting = lambda: False  # run() tells: frames read but not handled yet
        self.watch_files = False           # the client registers file watchers on request
        self._save_timer: asyncio.TimerHandle | None = None

    # -- helpers ---------------------------------------------------------
    def structure(self, data, cls):
        return self.lsp._converter.structure(data, cls)

    def internal_error(self, where: str, exc: BaseException) -> None:
        """Log a bug without its message (it may quote a value); never raise."""
        try:
            text = f"daprlint: internal error in {where} ({type(exc).__name__}); please report it"
            if os.environ.get("DAPRLINT_DEBUG"):
                from ..redact import scrub

                frames = traceback.format_exception(type(exc), exc, exc.__traceback__, chain=False)[:-1]
                text += "\n" + scrub("".join(frames))
            log.error(text)
            self.show_message_log(text, lsp.MessageType.Error)
        except Exception:
            pass

    def publish(self, uri: str, dependents: bool = True, defer: bool = False) -> None:
        """Lint the document's current text and publish (the latest version only); then judge
        again the other open documents whose deployment reads this one (*dependents*).
        *defer*: a document just opened; if its project must be read first, its per-file
        diagnostics go out before its deployment findings (analysis.DEFER_ABOVE)."""
        self.cancel_timer(uri)
        state = None
        try:
            document = self.workspace.get_text_document(uri)
            state = self.analyzer.lint(uri, document.source, document.version,
                                       defer_above=DEFER_ABOVE if defer else None)
            diagnostics = self.analyzer.diagnostics(state)
            version = document.version
        except Exception as exc:
            self.internal_error("linting", exc)
            diagnostics, version = [{
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                "severity": 1, "source": "daprlint", "code": "INT001",
                "message": f"daprlint could not lint this file: internal error ({type(exc).__name__})"}], None
        self.send_diagnostics(uri, diagnostics, version)
        if state is not None and state.deferred is not None:
            self.loop.call_soon(self._complete, uri, state)
        if dependents:
            path = uri_to_path(uri)
            if path is not None:
                self.republish(self.analyzer.dependents(str(path)))
        for note in self.analyzer.take_notes():
            log.warning(f"daprlint: {note}")
        self.schedule_save()

    def _complete(self, uri: str, state) -> None:
        try:
            if self.analyzer.complete(uri, state):
                self.send_diagnostics(uri, self.analyzer.diagnostics(state), state.version)
        except Exception as exc:
            self.internal_error("adding deployment findings", exc)

    def republish(self, uris) -> None:
        """Judge open documents again (their deployment changed); publish those whose diagnostics changed."""
        for uri in uris:
            if uri not in self.workspace.text_documents or uri in self.timers:
                continue  # closed, or about to be linted anyway
            try:
                if self.analyzer.refresh(uri):
                    state = self.analyzer.states[uri]
                    self.send_diagnostics(uri, self.analyzer.diagnostics(state), state.version)
            except Exception as exc:
                self.internal_error("updating deployment findings", exc)

    def files_changed(self, changes) -> None:
        """Files changed on disk ((path, created or deleted) pairs): forget what was read of
        them, and update the open documents that read them."""
        affected: list[str] = []
        relint = False
        for path, listing in changes:
            name = os.path.basename(path)
            relint = relint or name in CONFIG_NAMES  # new settings: lint everything again
            listing = listing or name in LISTING_NAMES
            self.analyzer.file_changed(path, listing)
            affected += [u for u in self.analyzer.dependents(path, listing) if u not in affected]
        if relint:
            for uri in list(self.analyzer.states):
                if uri in self.workspace.text_documents:
                    self.publish(uri, dependents=False)
            return
        self.republish(affected)

    def schedule_save(self) -> None:
        """Write the result caches once the server has been idle for a while."""
        if self._save_timer is not None:
            self._save_timer.cancel()
        try:
            self._save_timer = self.loop.call_later(SAVE_DELAY_SECONDS, self._save)
        except RuntimeError:  # no running loop (in-process use): write now
            self._save()

    def _save(self) -> None:
        self._save_timer = None
        try:
            self.analyzer.save_caches()
        except Exception as exc:
            self.internal_error("writing the cache", exc)

    def send_diagnostics(self, uri: str, diagnostics: list[dict], version) -> None:
        try:
            params = {"uri": uri, "diagnostics": diagnostics}
            if version is not None:
                params["version"] = version
            self.lsp.notify(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
                            self.structure(params, lsp.PublishDiagnosticsParams))
        except Exception as exc:
            self.internal_error("publishing diagnostics", exc)

    def cancel_timer(self, uri: str) -> None:
        timer = self.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()

    def schedule(self, uri: str) -> None:
        self.cancel_timer(uri)
        self.timers[uri] = self.loop.call_later(self.debounce, self._debounced, uri, self.loop.time())

    def _debounced(self, uri: str, since: float) -> None:
        self.timers.pop(uri, None)
        if uri not in self.workspace.text_documents:
            return
        if self.input_waiting() and self.loop.time() - since < MAX_POSTPONE_SECONDS:
            # more messages were read already (the rest of a burst, perhaps): handle them first
            self.timers[uri] = self.loop.call_later(self.debounce / 5, self._debounced, uri, since)
            return
        self.publish(uri)

    def document_text(self, uri: str):
        """(text, version) of an open document, or of the file on disk; None when there is neither."""
        document = self.workspace.get_text_document(uri)
        try:
            return document.source, document.version
        except Exception:  # a request for a document that is neither open nor on disk
            return None

    def client_supports_document_changes(self) -> bool:
        try:
            return bool(self.client_capabilities.workspace.workspace_edit.document_changes)
        except AttributeError:
            return False

    def client_resolves_edits(self) -> bool:
        """The client keeps an action's `data` and asks codeAction/resolve for its `edit` (fixes that move secrets)."""
        try:
            code_action = self.client_capabilities.text_document.code_action
            return bool(code_action.data_support) and "edit" in (code_action.resolve_support.properties or ())
        except (AttributeError, TypeError):
            return False


def _supports_watching(capabilities) -> bool:
    try:
        return bool(capabilities.workspace.did_change_watched_files.dynamic_registration)
    except AttributeError:
        return False


def _position_dict(position) -> dict:
    return {"line": position.line, "character": position.character}


def _range_dict(rng) -> dict:
    return {"start": _position_dict(rng.start), "end": _position_dict(rng.end)}


def _kind_value(kind) -> str:
    return getattr(kind, "value", kind)


def create_server(analyzer: Analyzer | None = None, debounce: float = DEBOUNCE_SECONDS) -> DaprlintServer:
    server = DaprlintServer(analyzer, debounce)

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: DaprlintServer, params: lsp.InitializeParams):
        try:
            encoding = _kind_value(ls.server_capabilities.position_encoding) or "utf-16"
            ls.analyzer.encoding = encoding
            root = params.root_uri or (params.workspace_folders[0].uri if params.workspace_folders else None)
            if root:
                ls.analyzer.root = uri_to_path(root)
            elif params.root_path:
                from pathlib import Path

                ls.analyzer.root = Path(params.root_path)
            ls.watch_files = _supports_watching(params.capabilities)
        except Exception as exc:
            ls.internal_error("initialize", exc)

    @server.feature(lsp.INITIALIZED)
    def initialized(ls: DaprlintServer, params: lsp.InitializedParams):
        """Ask the client to tell us about changes on disk (else didSave and stat checks do)."""
        if not ls.watch_files:
            return
        try:
            watchers = [lsp.FileSystemWatcher(glob_pattern=g) for g in WATCHED_GLOBS]
            ls.register_capability(lsp.RegistrationParams(registrations=[lsp.Registration(
                id="daprlint-watched-files", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=lsp.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))
        except Exception as exc:
            ls.internal_error("registering file watchers", exc)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: DaprlintServer, params: lsp.DidChangeWatchedFilesParams):
        try:
            changes = []
            for change in params.changes:
                path = uri_to_path(change.uri)
                if path is not None:
                    changes.append((str(path), change.type != lsp.FileChangeType.Changed))
            ls.files_changed(changes)
        except Exception as exc:
            ls.internal_error("didChangeWatchedFiles", exc)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: DaprlintServer, params: lsp.DidOpenTextDocumentParams):
        doc = params.text_document
        try:
            if ls.published.pop(doc.uri, None) == (doc.version, doc.text):
                return  # the fast start answered this very open already
            ls.publish(doc.uri, defer=True)
        except Exception as exc:
            ls.internal_error("didOpen", exc)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: DaprlintServer, params: lsp.DidChangeTextDocumentParams):
        try:
            ls.published.pop(params.text_document.uri, None)
            ls.schedule(params.text_document.uri)
        except Exception as exc:
            ls.internal_error("didChange", exc)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=False))
    def did_save(ls: DaprlintServer, params: lsp.DidSaveTextDocumentParams):
        try:
            path = uri_to_path(params.text_document.uri)
            if path is not None:
                ls.analyzer.file_changed(str(path))
            ls.publish(params.text_document.uri)
        except Exception as exc:
            ls.internal_error("didSave", exc)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: DaprlintServer, params: lsp.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        try:
            ls.cancel_timer(uri)
            ls.published.pop(uri, None)
            ls.analyzer.forget(uri)
            ls.send_diagnostics(uri, [], None)
            path = uri_to_path(uri)
            if path is not None:  # the others now read the file on disk, not the buffer
                ls.republish(ls.analyzer.dependents(str(path)))
        except Exception as exc:
            ls.internal_error("didClose", exc)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=True))
    def code_action(ls: DaprlintServer, params: lsp.CodeActionParams):
        try:
            uri = params.text_document.uri
            found = ls.document_text(uri)
            if found is None:
                return None
            text, version = found
            state = ls.analyzer.current(uri, text, version)
            state.version = version
            only = [_kind_value(k) for k in params.context.only] if params.context.only else None
            actions = ls.analyzer.code_actions(state, _range_dict(params.range), only,
                                               ls.client_supports_document_changes(), ls.client_resolves_edits())
            return [ls.structure(a, lsp.CodeAction) for a in actions] or None
        except Exception as exc:
            ls.internal_error("codeAction", exc)
            return None

    @server.feature(lsp.CODE_ACTION_RESOLVE)
    def code_action_resolve(ls: DaprlintServer, action: lsp.CodeAction):
        """A fix that moves secrets: write them to secrets-out first; the edit only after that worked."""
        data = action.data if isinstance(action.data, dict) else {}
        if data.get("kind") != SECRET_FIX:
            return action
        message = "daprlint: the fix was not applied: internal error"
        try:
            uri = data.get("uri")
            found = ls.document_text(uri) if isinstance(uri, str) else None
            if found is None:
                message = "daprlint: the fix was not applied: the document is not open"
            else:
                text, version = found
                state = ls.analyzer.current(uri, text, version)
                state.version = version
                edit, message = ls.analyzer.resolve_secret_fix(state, data, ls.client_supports_document_changes())
                if edit is not None:
                    action.edit = ls.structure(edit, lsp.WorkspaceEdit)
                    return action
        except Exception as exc:
            ls.internal_error("codeAction/resolve", exc)
        action.edit = None
        try:
            ls.show_message(message, lsp.MessageType.Error)
        except Exception:
            pass
        return action

    def answer_at_position(ls: DaprlintServer, params, method: str, result_type):
        """`ls.analyzer.<method>(uri, text, position)` as an LSP result; a failure is logged, never raised."""
        try:
            uri = params.text_document.uri
            found = ls.document_text(uri)
            if found is None:
                return None
            result = getattr(ls.analyzer, method)(uri, found[0], _position_dict(params.position))
            return ls.structure(result, result_type) if result else None
        except Exception as exc:
            ls.internal_error(method, exc)
            return None

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: DaprlintServer, params: lsp.HoverParams):
        return answer_at_position(ls, params, "hover", lsp.Hover)

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[" "]))
    def completion(ls: DaprlintServer, params: lsp.CompletionParams):
        return answer_at_position(ls, params, "completion", lsp.CompletionList)

    return server


def _start_reader(loop: asyncio.AbstractEventLoop, reader: FrameReader, queue: asyncio.Queue,
                  stop: threading.Event) -> None:
    """Read stdin in a daemon thread (it may block until the client goes; it must not keep the process)."""

    def pump():
        while True:
            item = reader.read()
            try:
                handed = asyncio.run_coroutine_threadsafe(queue.put(item), loop)
            except RuntimeError:  # the loop is closed: the server is done
                return
            while True:
                try:
                    handed.result(0.2)
                    break
                except concurrent.futures.TimeoutError:
                    if stop.is_set():
                        return
                except Exception:
                    return
            if item is None:
                return

    threading.Thread(target=pump, name="daprlint-lsp-reader", daemon=True).start()


def run(server: DaprlintServer, reader: FrameReader, wfile, replay: list[tuple[object, bool]] = ()) -> int:
    """Serve until `exit` or end of input; *replay* is what the fast start read from *reader*.

    Each replayed item is (frame, answered): what pygls would answer to an
    answered one again is dropped.
    """
    stop = threading.Event()
    server._stop_event = stop  # what pygls's own start_io sets; shutdown() uses it
    transport = _Transport(wfile)
    server.lsp.connection_made(transport)

    async def main():
        for item, answered in replay:
            transport.muted = answered
            try:
                server.lsp.receive(item, answered)
            finally:
                transport.muted = False
        queue: asyncio.Queue = asyncio.Queue(maxsize=4)
        server.input_waiting = lambda: not queue.empty()
        server.schedule_save()  # what the fast start read goes to the cache too
        _start_reader(server.loop, reader, queue, stop)
        while not stop.is_set() and not transport.gone:
            item = await queue.get()
            if item is None:
                return
            server.lsp.receive(item)

    code = 0
    try:
        server.loop.run_until_complete(main())
        code = 0 if server.lsp._shutdown and not transport.gone else 1
    except SystemExit as exc:  # the `exit` notification: 0 after `shutdown`, 1 without (LSP spec)
        code = exc.code if isinstance(exc.code, int) else 0
    except (ClientGone, BrokenPipeError, KeyboardInterrupt):
        code = 1
    finally:
        stop.set()
        if server._save_timer is not None:  # what was read last still goes to the cache
            server._save_timer.cancel()
            server._save()
        try:
            server.shutdown()
        except Exception:
            pass
    return code

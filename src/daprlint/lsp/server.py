"""The pygls language server: document sync, diagnostics, code actions, hover, completion.

Only this module (and what imports it) needs pygls. The work itself is in
analysis.py, which speaks plain LSP JSON; here those dicts are structured
into lsprotocol types with the server's own converter.
"""
from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import traceback

from lsprotocol import types as lsp
from pygls.server import LanguageServer, aio_readline

from .. import __version__
from .analysis import FIX_ALL_KIND, Analyzer, uri_to_path

DEBOUNCE_SECONDS = 0.3
log = logging.getLogger("daprlint.lsp")


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


class _Transport:
    """pygls's stdout adapter, with a switch to drop what a replayed message would answer twice."""

    def __init__(self, rfile, wfile):
        self.rfile = rfile
        self.wfile = wfile
        self.muted = False

    def close(self):
        self.rfile.close()
        self.wfile.close()

    def write(self, data):
        if self.muted:
            return
        self.wfile.write(data)
        self.wfile.flush()


class DaprlintServer(LanguageServer):
    def __init__(self, analyzer: Analyzer | None = None, debounce: float = DEBOUNCE_SECONDS):
        super().__init__("daprlint", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.analyzer = analyzer or Analyzer()
        self.debounce = debounce
        self.timers: dict[str, asyncio.TimerHandle] = {}
        # diagnostics the fast start already sent: uri -> (version, text)
        self.published: dict[str, tuple] = {}

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

    def publish(self, uri: str) -> None:
        """Lint the document's current text and publish (the latest version only)."""
        self.cancel_timer(uri)
        try:
            document = self.workspace.get_text_document(uri)
            state = self.analyzer.lint(uri, document.source, document.version)
            diagnostics = self.analyzer.diagnostics(state)
            version = document.version
        except Exception as exc:
            self.internal_error("linting", exc)
            diagnostics, version = [{
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                "severity": 1, "source": "daprlint", "code": "INT001",
                "message": f"daprlint could not lint this file: internal error ({type(exc).__name__})"}], None
        self.send_diagnostics(uri, diagnostics, version)

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
        self.timers[uri] = self.loop.call_later(self.debounce, self._debounced, uri)

    def _debounced(self, uri: str) -> None:
        self.timers.pop(uri, None)
        if uri in self.workspace.text_documents:
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
        except Exception as exc:
            ls.internal_error("initialize", exc)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: DaprlintServer, params: lsp.DidOpenTextDocumentParams):
        doc = params.text_document
        try:
            if ls.published.pop(doc.uri, None) == (doc.version, doc.text):
                return  # the fast start answered this very open already
            ls.publish(doc.uri)
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
        except Exception as exc:
            ls.internal_error("didClose", exc)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND]))
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
                                               ls.client_supports_document_changes())
            return [ls.structure(a, lsp.CodeAction) for a in actions] or None
        except Exception as exc:
            ls.internal_error("codeAction", exc)
            return None

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


def run(server: DaprlintServer, rfile, wfile, replay: list[tuple[bytes, bool]] = ()) -> int:
    """Serve over rfile/wfile until `exit` or end of input; *replay* is what the fast start read.

    Each replayed message is (raw bytes, muted): a muted one was answered already,
    so what pygls would answer again is dropped.
    """
    stop = threading.Event()
    server._stop_event = stop  # what pygls's own start_io sets; shutdown() uses it
    transport = _Transport(rfile, wfile)
    server.lsp.connection_made(transport)

    async def main():
        for raw, muted in replay:
            transport.muted = muted
            try:
                server.lsp.data_received(raw)
            finally:
                transport.muted = False
        await aio_readline(server.loop, server.thread_pool_executor, stop, rfile, server.lsp.data_received)

    code = 0
    try:
        server.loop.run_until_complete(main())
        code = 0 if server.lsp._shutdown else 1
    except SystemExit as exc:  # the `exit` notification: 0 after `shutdown`, 1 without (LSP spec)
        code = exc.code if isinstance(exc.code, int) else 0
    except (BrokenPipeError, KeyboardInterrupt):
        code = 1
    finally:
        stop.set()
        try:
            server.shutdown()
        except Exception:
            pass
    return code

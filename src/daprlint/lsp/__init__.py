"""`daprlint server`: a language server over stdio (needs the `daprlint[lsp]` extra).

Diagnostics on open, change (debounced) and save; quick fixes, "fix all"
and "ignore on this line" code actions; hover and completion for the
metadata fields of a component type. See docs/editors.md for editor set-up.

pygls is imported only by server.py, and only once `serve()` runs; the
analysis (analysis.py, text.py) and the framing of stdin (framing.py) are
plain Python. The first diagnostics are sent before pygls is imported
(faststart.py), which keeps the time from spawn to first diagnostics well
under the pygls import time.
"""
from __future__ import annotations

import sys

__all__ = ["serve"]


def serve(stdin=None, stdout=None) -> int:
    """Run the server on stdio until `exit` or end of input; returns the exit code.

    0 after a `shutdown` request (the normal end), 1 when the client exits or
    disappears without one, as the LSP specification asks.
    """
    import importlib.util

    from .. import __version__
    from .analysis import Analyzer, env_flag
    from .framing import FrameReader

    if importlib.util.find_spec("pygls") is None or importlib.util.find_spec("lsprotocol") is None:
        raise ImportError("pygls is not installed")  # cli.py turns this into the 'lsp' extra hint

    reader = FrameReader(stdin or sys.stdin.buffer)  # one reader for both phases: no byte is lost
    wfile = stdout or sys.stdout.buffer
    analyzer = Analyzer()
    replay: list = []
    published: dict = {}
    if env_flag("DAPRLINT_LSP_FAST_START", True):
        from .faststart import FastStart

        fast = FastStart(reader, wfile, analyzer, __version__)
        try:
            fast.run()
        except Exception:  # whatever was read is replayed; pygls takes over
            pass
        replay, published = fast.replay, fast.published

    from .server import create_server, quiet_pygls_logging, run  # the expensive import

    quiet_pygls_logging()
    server = create_server(analyzer)
    server.published.update(published)
    return run(server, reader, wfile, replay)

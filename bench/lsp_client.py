#!/usr/bin/env python3
"""A language-server client over stdio, for the benchmark: edit, then time the diagnostics.

    python bench/lsp_client.py WORKSPACE FILE [--edits 40] [--python PY]

It starts `<python> -m daprlint server` in WORKSPACE, initializes it with
the workspace as root (rootUri and workspaceFolders), opens FILE, waits
until the server answers a request (so pygls has taken over from the fast
start), and then makes --edits edits, one at a time: each is an incremental
`textDocument/didChange` that rewrites the four digits after
gen_repo.PLANTED_MARK in the buffer (the file stays a valid manifest). The
latency of an edit is from writing its didChange to reading the
`textDocument/publishDiagnostics` of that document for that version (or, if
the server sends no version, the first one for the document after it). The
next edit is sent once the previous one's diagnostics came, after --pause.

The JSON-RPC framing is written here (stdlib only): `Content-Length`
headers, one reader thread, requests from the server answered with `null`.
Prints one JSON object (latencies, codes, server peak RSS) on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_repo import CONTEXT_CODES, NO_CONTEXT_CODES, PLANTED_MARK  # noqa: E402


class Client:
    def __init__(self, cmd: list[str], cwd: str, stderr_path: str):
        self._err = open(stderr_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._err)
        self.started = time.perf_counter()
        self.inbox: queue.Queue = queue.Queue()
        self._next_id = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    # -- framing ------------------------------------------------------------
    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put((time.perf_counter(), None))  # the server closed stdout
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii", "replace").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length is None:
                continue
            body = out.read(length)
            now = time.perf_counter()
            try:
                msg = json.loads(body)
            except ValueError:
                continue
            if "method" in msg and "id" in msg:  # a request from the server: answer null
                self._write({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            self.inbox.put((now, msg))

    def _write(self, msg: dict) -> float:
        body = json.dumps(msg).encode("utf-8")
        with self._lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()
            return time.perf_counter()

    def notify(self, method: str, params: dict) -> float:
        return self._write({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict) -> int:
        self._next_id += 1
        self._write({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params})
        return self._next_id

    def wait(self, match, timeout: float) -> tuple[float, dict]:
        """The first message *match* accepts (others are dropped); raises TimeoutError."""
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no answer in time")
            try:
                t, msg = self.inbox.get(timeout=left)
            except queue.Empty:
                raise TimeoutError("no answer in time") from None
            if msg is None:
                raise EOFError("the server closed its output")
            if match(msg):
                return t, msg

    def response(self, rid: int, timeout: float) -> tuple[float, dict]:
        return self.wait(lambda m: m.get("id") == rid and "method" not in m, timeout)

    def diagnostics(self, uri: str, version: int | None, timeout: float) -> tuple[float, dict]:
        def match(m):
            if m.get("method") != "textDocument/publishDiagnostics":
                return False
            p = m.get("params") or {}
            return p.get("uri") == uri and (version is None or p.get("version") in (None, version))
        return self.wait(match, timeout)

    def peak_rss_kib(self) -> int | None:
        try:
            with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except (OSError, ValueError):
            return None
        return None

    def close(self, timeout: float = 10.0) -> None:
        try:
            rid = self.request("shutdown", {})
            self.response(rid, timeout)
            self.notify("exit", {})
        except (OSError, TimeoutError, EOFError, ValueError):
            pass
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._err.close()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def measure(python: str, workspace: str, file: str, edits: int = 40, warmup: int = 3, pause: float = 0.05,
            timeout: float = 30.0, stderr_path: str | None = None) -> dict:
    """Run the edit loop; every time in seconds."""
    workspace = os.path.abspath(workspace)
    path = Path(workspace, file).resolve()
    uri, root_uri = path.as_uri(), Path(workspace).as_uri()
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    line_no = next(i for i, ln in enumerate(lines) if PLANTED_MARK in ln)
    col = lines[line_no].index(PLANTED_MARK) + len(PLANTED_MARK) - 4
    env_err = stderr_path or os.devnull
    client = Client([python, "-m", "daprlint", "server"], workspace, env_err)
    result: dict = {"workspace": workspace, "file": file, "edits": edits, "warmup": warmup}
    try:
        rid = client.request("initialize", {
            "processId": os.getpid(), "rootUri": root_uri, "rootPath": workspace,
            "workspaceFolders": [{"uri": root_uri, "name": os.path.basename(workspace)}],
            "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": True},
                                              "synchronization": {"didSave": True}},
                             "workspace": {"workspaceFolders": True}}})
        client.response(rid, timeout)
        client.notify("initialized", {})
        t_open = client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": 1, "text": text}})
        t_first, first = client.diagnostics(uri, 1, timeout)
        result["first_diagnostics_s"] = t_first - client.started
        result["open_to_diagnostics_s"] = t_first - t_open
        # a request pygls answers: from here on it reads stdin, not the fast start
        rid = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                    "position": {"line": line_no, "character": 4}})
        t_ready, _ = client.response(rid, timeout)
        result["ready_s"] = t_ready - client.started
        latencies: list[float] = []
        last = first
        for n in range(warmup + edits):
            version = n + 2
            digits = f"{(n + 1) % 10000:04d}"
            t_send = client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": {"line": line_no, "character": col},
                                              "end": {"line": line_no, "character": col + 4}},
                                    "text": digits}]})
            t_got, last = client.diagnostics(uri, version, timeout)
            if n >= warmup:
                latencies.append(t_got - t_send)
            else:
                result.setdefault("warmup_s", []).append(t_got - t_send)
            time.sleep(pause)
        codes = sorted({str(d.get("code")) for d in (last.get("params") or {}).get("diagnostics", [])})
        first_codes = sorted({str(d.get("code")) for d in (first.get("params") or {}).get("diagnostics", [])})
        result.update({
            "latencies_s": latencies,
            "median_s": statistics.median(latencies),
            "p95_s": percentile(latencies, 95),
            "min_s": min(latencies), "max_s": max(latencies),
            "codes": codes, "first_codes": first_codes,
            "tree_findings": any(c in codes for c in CONTEXT_CODES),
            "tree_rules_without_context": any(c in codes for c in NO_CONTEXT_CODES),
            "server_peak_rss_kib": client.peak_rss_kib(),
        })
    except (TimeoutError, EOFError, OSError, StopIteration) as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        client.close()
        result["server_exit"] = client.proc.returncode
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workspace")
    ap.add_argument("file", help="path of the document to open, relative to the workspace")
    ap.add_argument("--edits", type=int, default=40)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--stderr", help="where the server's stderr goes (default: discarded)")
    args = ap.parse_args(argv)
    print(json.dumps(measure(args.python, args.workspace, args.file, args.edits, args.warmup,
                             stderr_path=args.stderr), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where SEC001's fix puts the values it removes: `--secrets-out FILE`.

- `*.yaml` / `*.yml`: one Kubernetes `Secret` (stringData) per secret name,
  ready for `kubectl apply -f`.
- `*.json`: the nested JSON that `secretstores.local.file` reads with
  `multiValued: "true"` ({secret name: {key: value}}).

The file is created with mode 0600 and merged with what it holds already.
A key that already holds a different value is an error, never an
overwrite. Inside a git work tree the path must be ignored by git.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from .atomic import atomic_write


class SecretsError(Exception):
    """The secrets file cannot take these values; the message is safe to print."""


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None


def check_not_tracked(path: Path) -> None:
    """Refuse a path inside a git work tree unless git ignores it."""
    folder = path.parent if path.parent.exists() else Path.cwd()
    inside = _git(["rev-parse", "--is-inside-work-tree"], folder)
    if inside is None:
        # no git binary: fall back to looking for a .git folder upward
        if any((p / ".git").exists() for p in (folder.resolve(), *folder.resolve().parents)):
            raise SecretsError(f"refusing to write secrets to {path}: it is inside a git work tree and git is not "
                               "available to check that it is ignored")
        return
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        return
    ignored = _git(["check-ignore", "-q", "--no-index", str(path.resolve())], folder)
    if ignored is None or ignored.returncode != 0:
        raise SecretsError(f"refusing to write secrets to {path}: it is inside a git work tree and not ignored by "
                           "git; add it to .gitignore or choose a path outside the repository")


class SecretsSink:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in (".yaml", ".yml", ".json"):
            raise SecretsError(f"--secrets-out must end in .yaml, .yml or .json, not {suffix or 'nothing'}")
        self.kind = "json" if suffix == ".json" else "yaml"
        check_not_tracked(self.path)
        self.existing = self._read()
        self.pending: dict[str, dict[str, str]] = {}

    def _read(self) -> dict[str, dict[str, str]]:
        if not self.path.exists():
            return {}
        text = self.path.read_text(encoding="utf-8")
        try:
            if self.kind == "json":
                data = json.loads(text or "{}")
                if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
                    raise ValueError
                return {k: {kk: str(vv) for kk, vv in v.items()} for k, v in data.items()}
            import base64

            import yaml

            out: dict[str, dict[str, str]] = {}
            for doc in yaml.safe_load_all(text):
                if not isinstance(doc, dict) or doc.get("kind") != "Secret":
                    continue
                name = str(doc.get("metadata", {}).get("name", ""))
                values = out.setdefault(name, {})
                for k, v in (doc.get("data") or {}).items():
                    values[str(k)] = base64.b64decode(str(v)).decode("utf-8", "replace")
                for k, v in (doc.get("stringData") or {}).items():
                    values[str(k)] = str(v)
            return out
        except Exception:
            raise SecretsError(f"{self.path} exists but is not a secrets file daprlint can merge into") from None

    def value(self, name: str, key: str) -> str | None:
        return self.pending.get(name, {}).get(key, self.existing.get(name, {}).get(key))

    def conflict(self, secrets: dict[str, dict[str, str]]) -> str | None:
        for name, values in secrets.items():
            for key, value in values.items():
                have = self.value(name, key)
                if have is not None and have != value:
                    return f"{self.path} already holds a different value for {name}/{key}"
        return None

    def add(self, secrets: dict[str, dict[str, str]]) -> None:
        for name, values in secrets.items():
            self.pending.setdefault(name, {}).update(values)

    def flush(self) -> None:
        """Write existing + pending values atomically with mode 0600."""
        if not self.pending:
            return
        merged = {k: dict(v) for k, v in self.existing.items()}
        for name, values in self.pending.items():
            merged.setdefault(name, {}).update(values)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(self.path, self._render(merged).encode("utf-8"), mode=0o600)
        self.existing, self.pending = merged, {}

    def _render(self, merged: dict[str, dict[str, str]]) -> str:
        if self.kind == "json":
            return json.dumps(merged, indent=2, sort_keys=True) + "\n"
        import yaml

        docs = [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "type": "Opaque",
                 "stringData": dict(sorted(values.items()))} for name, values in sorted(merged.items())]
        header = "# Written by daprlint --fix (SEC001). Apply with kubectl apply -f; keep this file out of git.\n"
        return header + yaml.safe_dump_all(docs, sort_keys=False, default_flow_style=False, explicit_start=True)


def secrets_file_mode_ok(path: Path) -> bool:
    return (os.stat(path).st_mode & 0o077) == 0

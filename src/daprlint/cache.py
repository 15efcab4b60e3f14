"""A result cache keyed by file content, like ruff's.

The key of a cache file combines the daprlint version, the contents of every
loaded rule pack and the settings, so any change there starts a new cache.
Inside it, each path's entry is used only when the file's content hash
matches, so an edited file is always linted again: a stale cache cannot
hide a finding. Entries hold what reporting needs and never a secret value
(fix payloads for --secrets-out are not stored; --fix and --diff never use
the cache). The cache folder carries a CACHEDIR.TAG and a `.gitignore`.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from . import __version__
from .atomic import atomic_write
from .engine import Engine, FileResult, Finding
from .loader import DecodeError, Source, decode
from .rulekit import Edit, Fix
from .span import Span

MAX_ENTRIES = 200_000


def _finding_to_json(f: Finding) -> list:
    s = f.span
    fix = None
    if f.fix is not None:
        fix = [f.fix.description, f.fix.safety, f.fix.blocked,
               [[e.start, e.end, e.replacement] for e in f.fix.edits]]
    return [s.start, s.end, s.line, s.column, s.end_line, s.end_column, f.code, f.name, f.severity, f.message, fix]


def _finding_from_json(path: str, d: list) -> Finding:
    fix = None
    if d[10] is not None:
        desc, safety, blocked, edits = d[10]
        fix = Fix(desc, tuple(Edit(*e) for e in edits), safety, blocked=blocked)
    return Finding(path, Span(*d[0:6]), d[6], d[7], d[8], d[9], fix)


class ResultCache:
    def __init__(self, folder: Path, engine: Engine):
        self.folder = folder
        settings = engine.settings
        material = json.dumps({
            "version": __version__, "packs": engine.ruleset.fingerprint(), "rules": sorted(engine.rules),
            "severity": settings.severity, "per-file-ignores": settings.per_file_ignores,
            "options": {k: v for k, v in settings.options.items() if k not in ("cache-dir", "secrets-out")},
            "root": str(settings.root),
        }, sort_keys=True, default=str)
        self.key = hashlib.sha256(material.encode()).hexdigest()[:24]
        self.file = folder / f"{self.key}.json"
        self.entries: dict[str, list] = {}
        self.dirty = False
        try:
            self.entries = json.loads(self.file.read_text(encoding="utf-8"))["entries"]
        except (OSError, ValueError, KeyError, TypeError):
            self.entries = {}

    def get(self, path: str, digest: str, data: bytes) -> FileResult | None:
        entry = self.entries.get(path)
        if not entry or entry[0] != digest:
            return None
        result = FileResult(path)
        result.findings = [_finding_from_json(path, d) for d in entry[1]]
        if entry[2]:
            from .tree import Facts

            result.facts = [Facts.from_json(path, f) for f in entry[2]]
        try:
            text, bom = decode(data)
            result.source = Source(path=path, text=text, bom=bom)
        except DecodeError:
            pass
        return result

    def put(self, path: str, digest: str, result: FileResult) -> None:
        if any(f.code == "INT001" for f in result.findings):
            return  # never cache a crash
        self.entries[path] = [digest, [_finding_to_json(f) for f in result.findings],
                              [f.to_json() for f in result.facts]]
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tag = self.folder.parent / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n# daprlint result cache\n")
                (self.folder.parent / ".gitignore").write_text("*\n")
            entries = dict(list(self.entries.items())[-MAX_ENTRIES:])
            atomic_write(self.file, json.dumps({"entries": entries}, separators=(",", ":")).encode())
        except OSError:
            pass  # a cache that cannot be written is no error


def cache_folder(engine: Engine, args) -> Path:
    base = args.cache_dir or engine.options.get("cache-dir") or os.environ.get("DAPRLINT_CACHE_DIR")
    root = Path(base) if base else engine.settings.root / ".daprlint_cache"
    return root / "v1"


def cached_lint(engine: Engine, targets, args, ruleset):
    from .runner import lint_targets

    cache = ResultCache(cache_folder(engine, args), engine)
    results: list[FileResult | None] = []
    misses, digests = [], {}
    for target in targets:
        data, problem = engine.read(target.path, target.explicit)
        if data is None:
            results.append(engine.lint_bytes(target.path, None, problem, target.explicit))
            continue
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        hit = cache.get(target.path, digest, data)
        if hit is None:
            misses.append(target)
            digests[target.path] = digest
        results.append(hit)
    fresh = {r.path: r for r in lint_targets(engine, misses, args.jobs)} if misses else {}
    out = []
    for target, result in zip(targets, results):
        if result is None:
            result = fresh[target.path]
            cache.put(target.path, digests[target.path], result)
        out.append(result)
    cache.save()
    return out

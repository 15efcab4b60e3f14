#!/usr/bin/env python3
"""Faster libraries that do the same work as the current code, measured on a real tree.

    python bench/candidates.py TREE [--repeat 5] [--json OUT]

Run it with the interpreter daprlint runs on (the candidates must be
importable there: `pip install orjson msgspec xxhash blake3 ruamel.yaml.clib`;
a missing one shows `not installed`). What it measures, each the best of
--repeat rounds, in this process:

- **JSON** (the cache stores and the JSON report): `json` against `orjson`
  and `msgspec.json`, loading and dumping the very files a warm daprlint run
  keeps (`--cache-dir` filled by one run on TREE) and the `--format json`
  report of TREE, with the garbage collector off (as cache.py loads). "same bytes" says whether the candidate's compact output
  equals `json.dumps(..., separators=(",", ":"))`'s.
- **content digests**: blake2b (16-byte, from `_blake2`, as cache.py does)
  against `hashlib` md5 / sha1 / sha256, `xxhash` (xxh3_64, xxh3_128, xxh64)
  and `blake3`, over the bytes of every file of TREE.
- **YAML**: PyYAML's `compose_all` with `CSafeLoader` (the parse floor),
  libyaml alone (`yaml.scan` tokens and `yaml.parse` events with the C
  loader), ruamel.yaml's C-backed safe load (`YAML(typ="safe")` with
  ruamel.yaml.clib) and its round-trip compose (pure Python, on a sample,
  scaled), over the files of TREE that mention `dapr.io/` (what daprlint
  composes).
- **import cost** of each module: the best of 5 `python -X importtime -c
  "import re, yaml; import M"` runs (M's cumulative time: what it adds to
  a daprlint run, which imports re and yaml anyway; 0 when M came with them).

Prints Markdown tables on stdout.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import re
import subprocess
import sys
import tempfile
import time


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


PRELOADED = "re, yaml"  # daprlint imports these on every run anyway


def import_us(module: str, repeat: int = 5) -> int | None:
    """What importing *module* adds in a fresh interpreter that has imported PRELOADED, best of *repeat* (µs)."""
    found = []
    for _ in range(repeat):
        p = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {PRELOADED}; import {module}"],
                           capture_output=True, text=True)
        if p.returncode != 0:
            return None
        for line in p.stderr.splitlines():
            m = re.match(r"import time:\s+\d+\s+\|\s+(\d+)\s+\|\s?(\s*)(\S+)$", line)
            if m and m.group(3) == module and not m.group(2):
                found.append(int(m.group(1)))
    return min(found) if found else None


def yaml_files(tree: str) -> list[str]:
    return sorted(os.path.join(d, f) for d, _, fs in os.walk(tree) for f in fs if f.endswith((".yaml", ".yml")))


def table(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                     + ["| " + " | ".join(r) + " |" for r in rows])


def ms(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 1000:.1f} ms"


# --------------------------------------------------------------------------

def json_candidates(tree: str, repeat: int) -> tuple[str, dict]:
    scratch = tempfile.mkdtemp(prefix="daprlint-cand-")
    cache = os.path.join(scratch, "cache")
    report = os.path.join(scratch, "report.json")
    subprocess.run([sys.executable, "-m", "daprlint", "check", "--format", "json", "--output-file", report,
                    "--cache-dir", cache, tree], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    payloads = {}
    for d, _, fs in os.walk(cache):
        for f in sorted(fs):
            if f.endswith(".json"):
                kind = "facts store" if f.endswith(".facts.json") else "tree store" if ".tree." in f else "entries store"
                with open(os.path.join(d, f), "rb") as fh:
                    payloads[f"cache {kind}"] = fh.read()
    if os.path.exists(report):
        with open(report, "rb") as fh:
            payloads["--format json report"] = fh.read()
    libs = {"json": (json.loads, lambda v: json.dumps(v, separators=(",", ":")).encode())}
    try:
        import orjson
        libs["orjson"] = (orjson.loads, orjson.dumps)
    except ImportError:
        pass
    try:
        import msgspec
        libs["msgspec.json"] = (msgspec.json.decode, msgspec.json.encode)
    except ImportError:
        pass
    rows, data = [], {}
    gc.disable()  # as cache.py loads its stores: JSON builds no cycles
    for name, blob in payloads.items():
        value = json.loads(blob)
        reference = libs["json"][1](value)
        for lib, (loads, dumps) in libs.items():
            t_load = best(lambda: loads(blob), repeat)
            t_dump = best(lambda: dumps(value), repeat)
            same = dumps(value) == reference
            equal = loads(blob) == value
            rows.append([name, f"{len(blob) / 1e6:.2f} MB", lib, ms(t_load), ms(t_dump),
                         "yes" if same else "no", "yes" if equal else "NO"])
            data[f"{name}/{lib}"] = {"bytes": len(blob), "load_s": t_load, "dump_s": t_dump, "same_bytes": same}
    gc.enable()
    for lib in ("orjson", "msgspec"):
        if lib not in libs and f"{lib}.json" not in libs:
            rows.append(["-", "-", lib, "not installed", "", "", ""])
    md = table(["payload", "size", "library", "load", "dump (compact)", "same bytes as json", "same value"], rows)
    return md, data


def hash_candidates(tree: str, repeat: int) -> tuple[str, dict]:
    blobs = []
    for p in yaml_files(tree):
        with open(p, "rb") as f:
            blobs.append(f.read())
    total = sum(map(len, blobs))
    fns = {}
    try:
        from _blake2 import blake2b as b2
    except ImportError:
        from hashlib import blake2b as b2
    fns["blake2b-128 (_blake2, current)"] = lambda d: b2(d, digest_size=16).hexdigest()
    import hashlib
    for name in ("md5", "sha1", "sha256"):
        fns[f"hashlib.{name}"] = (lambda n: lambda d: hashlib.new(n, d).hexdigest())(name)
    try:
        import xxhash
        fns["xxhash.xxh3_64"] = lambda d: xxhash.xxh3_64_hexdigest(d)
        fns["xxhash.xxh3_128"] = lambda d: xxhash.xxh3_128_hexdigest(d)
        fns["xxhash.xxh64"] = lambda d: xxhash.xxh64_hexdigest(d)
    except ImportError:
        fns["xxhash"] = None
    try:
        import blake3
        fns["blake3 (128-bit)"] = lambda d: blake3.blake3(d).hexdigest(length=16)
    except ImportError:
        fns["blake3"] = None
    rows, data = [], {}
    base = None
    for name, fn in fns.items():
        if fn is None:
            rows.append([name, "not installed", "", ""])
            continue
        t = best(lambda: [fn(b) for b in blobs], repeat)
        base = base or t
        rows.append([name, ms(t), f"{total / t / 1e6:,.0f} MB/s", f"{t / base:.2f}x"])
        data[name] = t
    md = table(["digest", f"{len(blobs):,} files, {total / 1e6:.1f} MB", "throughput", "vs current"], rows)
    return md, data


def yaml_candidates(tree: str, repeat: int, sample: int = 300) -> tuple[str, dict]:
    import yaml
    texts = []
    for p in yaml_files(tree):
        with open(p, encoding="utf-8", errors="replace") as f:
            text = f.read()
        if "dapr.io/" in text:
            texts.append(text)
    C = yaml.CSafeLoader

    def run(fn, items):
        for t in items:
            try:
                fn(t)
            except Exception:  # a file that does not parse costs what it cost up to the error
                pass
    ways = {
        "PyYAML compose_all, CSafeLoader (parse floor, current)": lambda t: list(yaml.compose_all(t, Loader=C)),
        "libyaml tokens only (yaml.scan, C)": lambda t: sum(1 for _ in yaml.scan(t, Loader=C)),
        "libyaml events only (yaml.parse, C)": lambda t: sum(1 for _ in yaml.parse(t, Loader=C)),
        "PyYAML compose_all, pure-Python SafeLoader": lambda t: list(yaml.compose_all(t, Loader=yaml.SafeLoader)),
    }
    sampled = {"PyYAML compose_all, pure-Python SafeLoader"}
    try:
        from ruamel.yaml import YAML
        safe = YAML(typ="safe")
        rt = YAML(typ="rt")
        import importlib.util
        c_note = ("C (ruamel.yaml.clib)" if importlib.util.find_spec("_ruamel_yaml")
                  else "pure Python (no ruamel.yaml.clib)")
        ways[f"ruamel.yaml safe load_all, {c_note}"] = lambda t: list(safe.load_all(t))
        ways["ruamel.yaml round-trip compose_all (pure Python)"] = lambda t: list(rt.compose_all(t))
        sampled.add("ruamel.yaml round-trip compose_all (pure Python)")
    except ImportError:
        ways["ruamel.yaml"] = None
    rows, data = [], {}
    base = None
    step = max(1, len(texts) // sample)
    for name, fn in ways.items():
        if fn is None:
            rows.append([name, "not installed", "", ""])
            continue
        items = texts[::step] if name in sampled else texts
        t = best(lambda: run(fn, items), 1 if name in sampled else repeat) * len(texts) / len(items)
        base = base or t
        how = f"{len(items)} files, scaled" if name in sampled else f"{len(items)} files"
        rows.append([name, ms(t), f"{t / base:.2f}x", how])
        data[name] = t
    md = table(["YAML work", f"{len(texts):,} files with dapr.io/", "vs current", "measured on"], rows)
    return md, data


def import_costs() -> tuple[str, dict]:
    mods = ["json", "orjson", "msgspec", "_blake2", "hashlib", "xxhash", "blake3", "ruamel.yaml"]
    data = {m: import_us(m) for m in mods}
    rows = [[m, "not installed" if us is None else f"{us / 1000:.1f} ms"] for m, us in data.items()]
    return table(["module", f"import, after `import {PRELOADED}` (cumulative, best of 5)"], rows), data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tree")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", metavar="OUT")
    args = ap.parse_args(argv)
    out, data = [], {}
    for title, fn in (("JSON: the cache stores and the report", lambda: json_candidates(args.tree, args.repeat)),
                      ("Content digests", lambda: hash_candidates(args.tree, args.repeat)),
                      ("YAML", lambda: yaml_candidates(args.tree, args.repeat)),
                      ("Import cost", import_costs)):
        md, d = fn()
        out.append(f"#### {title}\n\n{md}\n")
        data[title] = d
    print("\n".join(out))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

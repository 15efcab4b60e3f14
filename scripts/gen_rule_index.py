"""Write rules/_index.json: the built-in rule modules' metadata and digests.

daprlint imports a built-in rule module only when its rule first runs (or its
doc is read), and knows the rule's code, kinds and the rest from this index
meanwhile (see `packs.INDEX_NAME`). A module whose bytes no longer match its
digest is imported at start-up as before, so a stale index costs time, never
correctness. Run `python scripts/gen_rule_index.py`; `--check` exits 1 when
the committed index is stale (tests/test_rule_index.py runs it).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from daprlint.packs import INDEX_NAME, build_index  # noqa: E402

RULES = REPO / "rules"


def render() -> str:
    return json.dumps(build_index(RULES), indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed index is stale")
    args = parser.parse_args(argv)
    target = RULES / INDEX_NAME
    text = render()
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{target.relative_to(REPO)} is stale: run python scripts/gen_rule_index.py", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

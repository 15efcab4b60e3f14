"""Compare daprlint with ../shared/corpus/labels.jsonl (used by tests/test_corpus.py).

For each labelled file: how many resources the label says miss a region
(AWS001), have a session token without keys (AWS002) and how many inline
secret fields they hold (SEC001 + SEC002), against what daprlint reports.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

CHECKS = {"AWS001": ("AWS001",), "AWS002": ("AWS002",), "SEC001": ("SEC001", "SEC002")}
_FIELD = re.compile(r"^`([^`]+)`")


def label_counts(entry: dict) -> dict:
    res = entry["resources"]
    return {"AWS001": sum(1 for r in res if r.get("missing_region")),
            "AWS002": sum(1 for r in res if r.get("session_token_without_keys")),
            "SEC001": sum(len(r.get("inline_secret_fields") or []) for r in res)}


def run(corpus: Path) -> tuple[int, dict, list]:
    labels = [json.loads(line) for line in (corpus / "labels.jsonl").read_text(encoding="utf-8").splitlines() if line]
    files = [str(corpus / entry["file"]) for entry in labels]
    proc = subprocess.run([sys.executable, "-m", "daprlint", "check", "--isolated", "--no-cache", "--format", "json",
                           *files], capture_output=True, timeout=600)
    report = json.loads(proc.stdout) if proc.stdout else {"findings": []}
    by_file = defaultdict(list)
    for f in report["findings"]:
        by_file[str(Path(f["path"]).resolve().relative_to(corpus.resolve()))].append(f)
    rows = []
    for entry in labels:
        got = by_file.get(entry["file"], [])
        want = label_counts(entry)
        uncertain = any(r.get("uncertain") for r in entry["resources"])
        for check, codes in CHECKS.items():
            mine = [f for f in got if f["code"] in codes]
            if len(mine) != want[check]:
                fields = sorted({m.group(1) for f in mine if (m := _FIELD.match(f["message"]))})
                rows.append({"file": entry["file"], "check": check, "label": want[check], "daprlint": len(mine),
                             "uncertain": uncertain, "daprlint_fields": fields,
                             "label_fields": sorted({x for r in entry["resources"]
                                                     for x in (r.get("inline_secret_fields") or [])})
                             if check == "SEC001" else []})
    return proc.returncode, report, rows


if __name__ == "__main__":  # print the current disagreements, for review
    code, _, rows = run(Path(sys.argv[1]))
    print(json.dumps([r for r in rows if not r["uncertain"]], indent=1))

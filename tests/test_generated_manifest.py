"""rules/generated/MANIFEST.json: what the pack fingerprint reads instead of
stat'ing every generated file (packs.RuleSet.fingerprint).

The manifest only keeps the cache honest if it describes the committed
files, so the first test is the guard against a hand edit of a generated
file; the others check what the fingerprint covers with and without one."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from daprlint import packs

REPO = Path(__file__).resolve().parents[1]
GENERATED = REPO / "rules" / "generated"


def test_the_committed_manifest_describes_every_generated_file():
    on_disk = (GENERATED / packs.MANIFEST_NAME).read_text(encoding="utf-8")
    assert on_disk == packs.build_manifest(GENERATED), (
        "rules/generated/ differs from its manifest: regenerate (scripts/gen_schemas.py, scripts/gen_answers.py) "
        "instead of editing generated files")


def _pack(tmp_path: Path, manifest: bool) -> Path:
    pack = tmp_path / "pack"
    (pack / "generated" / "answers").mkdir(parents=True)
    (pack / "generated" / "answers" / "a.json").write_text('{"a": 1}')
    (pack / "rule_data.json").write_text("{}")
    (pack / "deeper" / "generated").mkdir(parents=True)
    (pack / "deeper" / "generated" / "b.json").write_text('{"b": 1}')
    if manifest:
        (pack / "generated" / packs.MANIFEST_NAME).write_text(packs.build_manifest(pack / "generated"))
    return pack


def _settled(monkeypatch):
    monkeypatch.setattr(packs, "RACY_SECONDS", -3600)  # stats alone, as for files that settled long ago


def _rewrite_keeping_mtime(path: Path, text: str) -> None:
    stamp = path.stat()
    path.write_text(text)
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))


def test_without_a_manifest_every_generated_file_counts(tmp_path, monkeypatch):
    _settled(monkeypatch)
    pack = _pack(tmp_path, manifest=False)
    first = packs.load_packs([pack]).fingerprint()
    _rewrite_keeping_mtime(pack / "generated" / "answers" / "a.json", '{"a": 2}')
    assert packs.load_packs([pack]).fingerprint() != first


def test_with_a_manifest_the_manifest_stands_for_the_generated_folder(tmp_path, monkeypatch):
    _settled(monkeypatch)
    pack = _pack(tmp_path, manifest=True)
    first = packs.load_packs([pack]).fingerprint()
    assert packs.load_packs([pack]).fingerprint() == first
    generated = pack / "generated" / "answers" / "a.json"
    generated.write_text('{"a": 22}')
    # a hand edit the manifest does not record is not seen (the test above guards the built-in pack) ...
    assert packs.load_packs([pack]).fingerprint() == first
    # ... regenerating, which rewrites the manifest, is
    (pack / "generated" / packs.MANIFEST_NAME).write_text(packs.build_manifest(pack / "generated"))
    assert packs.load_packs([pack]).fingerprint() != first


def test_with_a_manifest_every_other_file_still_counts(tmp_path, monkeypatch):
    _settled(monkeypatch)
    pack = _pack(tmp_path, manifest=True)
    first = packs.load_packs([pack]).fingerprint()
    # a folder named `generated` deeper in the pack is not the manifest's folder
    _rewrite_keeping_mtime(pack / "deeper" / "generated" / "b.json", '{"b": 2}')
    second = packs.load_packs([pack]).fingerprint()
    assert second != first
    _rewrite_keeping_mtime(pack / "rule_data.json", '{"x": 1}')
    assert packs.load_packs([pack]).fingerprint() != second


def test_the_manifest_lists_every_file_with_its_size_and_crc(tmp_path):
    import json
    from binascii import crc32

    pack = _pack(tmp_path, manifest=True)
    manifest = json.loads((pack / "generated" / packs.MANIFEST_NAME).read_text())
    data = b'{"a": 1}'
    assert manifest == {"format": packs.MANIFEST_FORMAT, "files": {"answers/a.json": f"{len(data)}:{crc32(data):08x}"}}


def test_sync_manifest_writes_and_checks(tmp_path, capsys):
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import gen_common
    finally:
        sys.path.pop(0)
    pack = _pack(tmp_path, manifest=False)
    generated = pack / "generated"
    assert gen_common.sync_manifest("gen_x", generated, check=True) == 1  # none yet
    assert gen_common.sync_manifest("gen_x", generated, check=False) == 0
    assert gen_common.sync_manifest("gen_x", generated, check=True) == 0
    (generated / "answers" / "a.json").write_text('{"a": 3}')
    assert gen_common.sync_manifest("gen_x", generated, check=True) == 1
    assert "out of date" in capsys.readouterr().err

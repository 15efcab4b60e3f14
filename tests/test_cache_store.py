"""The cache's store files: chunks of one folder's rows, read a folder at a time, never trusted blindly.

A store that is cut short, has a flipped bit or holds anything else reads
as fewer rows (a miss, which only costs a lint), never as an exception or
as a row nobody wrote. What save() keeps from the store before is the
same as if every row had been read and written again.
"""
from __future__ import annotations

import os
import shutil
import types

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import REPO, cache_engine
from daprlint import cache as cache_module
from daprlint.cache import ENTRY_SIZE, MAGIC, ResultCache, _Spool, _Store, stored_rows

NO_FOLDER = types.SimpleNamespace(ensure_folder=lambda: None)  # a _Spool's cache: the folder exists


def _write(path, rows_by_folder: list[tuple[str, list]], kind: str = "entries") -> None:
    spool = _Spool(NO_FOLDER, str(path), kind)
    for folder, rows in rows_by_folder:
        for row in rows:
            spool.add(row, folder)
    spool.finish(None, {})


def _row(path: str, n: int = 0) -> list:
    return [path, bytes(16), (n, 2, 3, 4), 5, [], [(0, 1, 0, 0, 0, 1, "DPR001", "x", "error", f"m{n}", None)],
            ((1, 2),), "", False]


ROWS = [(f"t/d{d}", [_row(f"t/d{d}/f{f}.yaml", d * 10 + f) for f in range(3)]) for d in range(4)]


def test_rows_come_back_by_folder_and_a_folder_is_decoded_only_when_asked_for(tmp_path, monkeypatch):
    path = tmp_path / "s"
    _write(path, ROWS)
    store = _Store(str(path), "entries", ENTRY_SIZE)
    decoded = []
    real = store.rows_of_chunk
    monkeypatch.setattr(store, "rows_of_chunk", lambda n: decoded.append(n) or real(n))
    assert store.rows("t/d2") == {row[0]: row for row in ROWS[2][1]}
    assert decoded == [2]                        # one chunk of four
    assert store.rows("t/d2") and decoded == [2]  # kept decoded
    assert store.rows("t/nowhere") == {}
    assert stored_rows(str(path)) == ("entries", [row for _, rows in ROWS for row in rows])
    assert _Store(str(path), "facts", 3).chunks == []  # another kind of store: nothing
    store.close()


def test_a_chunk_holds_at_most_spool_batch_rows_of_one_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "SPOOL_BATCH", 2)
    path = tmp_path / "s"
    _write(path, ROWS[:2] + ROWS[:1])  # a folder met again later: a second chunk
    store = _Store(str(path), "entries", ENTRY_SIZE)
    assert [(c[0], c[3]) for c in store.chunks] == [("t/d0", 2), ("t/d0", 1), ("t/d1", 2), ("t/d1", 1),
                                                    ("t/d0", 2), ("t/d0", 1)]
    assert store.rows("t/d0") == {row[0]: row for row in ROWS[0][1]}
    store.close()


def test_only_few_folders_stay_decoded(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "FOLDERS_KEPT", 2)
    path = tmp_path / "s"
    _write(path, ROWS)
    store = _Store(str(path), "entries", ENTRY_SIZE)
    for folder, _ in ROWS:
        store.rows(folder)
    assert list(store._decoded) == ["t/d2", "t/d3"]
    store.close()


def _all_rows(path) -> list:
    found = stored_rows(str(path))
    return [] if found is None else found[1]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_damaged_store_reads_as_fewer_rows_never_as_an_error(tmp_path, data):
    path = tmp_path / "s"
    _write(path, ROWS)
    good = path.read_bytes()
    written = [row for _, rows in ROWS for row in rows]
    # "zeros": what a crash can leave of a store that was never fsynced (cache.py: no fsync)
    damage = data.draw(st.sampled_from(["cut", "flip", "append", "replace", "zeros"]))
    if damage == "cut":
        bad = good[:data.draw(st.integers(0, len(good) - 1))]
    elif damage == "flip":
        at, bit = data.draw(st.integers(0, len(good) - 1)), data.draw(st.integers(0, 7))
        bad = good[:at] + bytes([good[at] ^ (1 << bit)]) + good[at + 1:]
    elif damage == "append":
        bad = good + data.draw(st.binary(min_size=1, max_size=64))
    elif damage == "replace":
        at = data.draw(st.integers(0, len(good) - 1))
        bad = good[:at] + data.draw(st.binary(min_size=1, max_size=32)) + good[at + 32:]
    else:
        at, size = data.draw(st.integers(0, len(good) - 1)), data.draw(st.integers(1, 4096))
        bad = good[:at] + bytes(min(size, len(good) - at)) + good[at + size:]
    path.write_bytes(bad)
    rows = _all_rows(path)
    assert all(row in written for row in rows)   # never a row nobody wrote
    store = _Store(str(path), "entries", ENTRY_SIZE)
    for folder, expected in ROWS:
        assert all(row in expected for row in store.rows(folder).values())
    store.close()
    changed = [i for i in range(min(len(bad), len(good))) if bad[i] != good[i]]
    if len(bad) == len(good) and all(i < len(MAGIC) for i in changed):
        assert rows == written                   # the leading MAGIC only names the format
    else:
        assert len(rows) < len(written)          # every other byte is checked
    if damage in ("cut", "append"):
        assert rows == []                        # the index is found from the end


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_any_bytes_at_all_read_as_a_store_without_rows_or_with_rows_someone_wrote(tmp_path, blob):
    path = tmp_path / "s"
    path.write_bytes(blob)
    assert _all_rows(path) == []
    path.write_bytes(MAGIC + blob + MAGIC)
    assert _all_rows(path) == []


def test_a_store_that_is_a_link_or_a_folder_is_not_read(tmp_path):
    real = tmp_path / "real"
    _write(real, ROWS)
    os.symlink(real, tmp_path / "link")
    assert _all_rows(tmp_path / "link") == []
    (tmp_path / "folder").mkdir()
    assert stored_rows(str(tmp_path / "folder")) is None


# -- through ResultCache ---------------------------------------------------------------
@pytest.fixture
def make_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    engine = cache_engine(tmp_path)

    def make():
        return ResultCache(str(tmp_path / "c" / "v1"), engine)
    return make


def _put(cache, path: str, message: str) -> None:
    from daprlint.results import FileResult, Finding
    from daprlint.span import Span

    result = FileResult(path, [Finding(path, Span(0, 1, 0, 0, 0, 1), "DPR001", "x", "error", message)])
    result.digest, result.suppressions = cache_module.digest_of_bytes(message.encode()), []
    cache.put(path, os.stat(__file__), result)


def _messages(cache, paths) -> dict:
    found = {}
    for path in paths:
        entry = cache.entry(path)
        if entry is not None:
            found[path] = [f.message for f in cache.result_of(path, entry).findings]
    return found


def test_save_keeps_the_old_rows_of_other_folders_and_replaces_those_stored_again(make_cache):
    paths = [f"a/{n}.yaml" for n in range(3)] + [f"b/{n}.yaml" for n in range(3)]
    first = make_cache()
    for path in paths:
        _put(first, path, "old")
    first.save()
    second = make_cache()
    _put(second, "b/1.yaml", "new")
    _put(second, "c/0.yaml", "new")
    second.save()
    third = make_cache()
    expected = {path: ["old"] for path in paths} | {"b/1.yaml": ["new"], "c/0.yaml": ["new"]}
    assert _messages(third, paths + ["c/0.yaml"]) == expected
    kind, rows = stored_rows(third.file)
    assert kind == "entries" and sorted(row[0] for row in rows) == sorted(expected)  # no path twice
    assert [row[0] for row in rows][:2] == ["b/1.yaml", "c/0.yaml"]                # newest first


def test_a_cache_saved_twice_keeps_what_came_between(make_cache):
    """The language server saves the same ResultCache whenever it has been idle."""
    cache = make_cache()
    _put(cache, "a/0.yaml", "one")
    cache.save()
    _put(cache, "a/1.yaml", "two")
    cache.save()
    assert _messages(make_cache(), ["a/0.yaml", "a/1.yaml"]) == {"a/0.yaml": ["one"], "a/1.yaml": ["two"]}


def test_a_touched_entry_is_written_with_its_new_stat_key(make_cache, tmp_path):
    cache = make_cache()
    _put(cache, "a/0.yaml", "one")
    cache.save()
    other = tmp_path / "other"
    other.write_text("x")
    cache = make_cache()
    assert cache.entry("a/0.yaml") is not None
    cache.touch("a/0.yaml", os.stat(other))
    cache.save()
    entry = make_cache().entry("a/0.yaml")
    assert entry[cache_module.STAT_KEY] == cache_module.stat_key(os.stat(other))
    assert len(stored_rows(cache.file)[1]) == 1


def test_the_oldest_rows_go_once_a_store_is_full(make_cache, monkeypatch):
    monkeypatch.setattr(cache_module, "MAX_ENTRIES", 4)
    first = make_cache()
    for n in range(3):
        _put(first, f"old/{n}.yaml", "old")
    first.save()
    second = make_cache()
    _put(second, "new/0.yaml", "new")
    _put(second, "new/1.yaml", "new")
    second.save()
    rows = stored_rows(second.file)[1]
    assert [row[0] for row in rows] == ["new/0.yaml", "new/1.yaml"]  # the old folder's chunk would not fit


def test_a_damaged_chunk_is_left_out_when_the_store_is_written_again(make_cache):
    cache = make_cache()
    for folder in "ab":
        _put(cache, f"{folder}/0.yaml", "old")
    cache.save()
    data = bytearray(open(cache.file, "rb").read())
    data[len(MAGIC) + 3] ^= 0xFF  # in the first chunk
    with open(cache.file, "wb") as f:
        f.write(data)
    again = make_cache()
    _put(again, "c/0.yaml", "new")
    again.save()
    assert sorted(row[0] for row in stored_rows(again.file)[1]) == ["b/0.yaml", "c/0.yaml"]


def test_a_warm_run_of_one_file_decodes_one_folder(tmp_path, monkeypatch):
    work = tmp_path / "w"
    for n in range(3):
        shutil.copytree(REPO / "examples" / "good", work / f"app{n}")
    from conftest import run_cli

    cache = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(tmp_path / "home")}
    assert run_cli("check", "--isolated", "--cache-dir", str(cache), str(work), env=env).returncode in (0, 1)
    one = sorted((work / "app1").glob("*.yaml"))[0]
    decoded = []
    real = _Store.rows_of_chunk

    def counting(self, number):
        decoded.append(self.chunks[number][0])
        return real(self, number)

    monkeypatch.setattr(_Store, "rows_of_chunk", counting)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    from daprlint import cli, commands

    monkeypatch.setattr(commands, "_tune_gc", lambda: None)  # not in the test process
    assert cli.main(["check", "--isolated", "--cache-dir", str(cache), str(one)]) in (0, 1)
    assert set(decoded) == {str(work / "app1")}


def test_short_writes_still_give_the_whole_store(tmp_path, monkeypatch):
    whole = tmp_path / "whole"
    _write(whole, ROWS)
    real = os.writev

    def at_most_seven_bytes(fd, parts):
        return real(fd, [b"".join(parts)[:7]])

    monkeypatch.setattr(cache_module, "SPOOL_FLUSH", 1)
    monkeypatch.setattr(cache_module, "_STREAMED", True)
    monkeypatch.setattr(os, "writev", at_most_seven_bytes)
    short = tmp_path / "short"
    spool = _Spool(NO_FOLDER, str(short), "entries")
    for folder, rows in ROWS:
        for row in rows:
            spool.add(row, folder)
    spool.finish(None, {})
    assert short.read_bytes() == whole.read_bytes()

"""The full report does not depend on the cache: `--no-cache`, a run that
writes the cache and a warm run print the same bytes, code frames included.

Two ways they differed: a warm run printed a secret's value where the file
repeats it (a comment, another field's value), because a cached
result carries the secret spans but no values; and frames were missing for
deployment findings on workloads and structure files in one kind of run and
not the other, or for SUP001 on a warm run.

The class behind the first: a secret written quoted (or with escapes) and
repeated plainly in another field was printed in that field's message
(DPR006 quotes a value), cold or warm; redact.secret_values gives the
engine and the frames every spelling of each secret scalar.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, strategies as st

from conftest import run_cli
from daprlint import redact

REPO = Path(__file__).resolve().parents[1]
TREES = ["examples", "tests/fixtures", "tests/fixtures/project"]

PLANTED = "Planted-Secret-0042"
REPEATED = f"""\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: mail  # the password is {PLANTED}
spec:
  type: bindings.smtp
  version: v1
  metadata:
  - name: host
    value: smtp.example.com
  - name: user
    value: "{PLANTED}"
  - name: password
    value: "{PLANTED}"
"""


def _three_runs(tree: Path, cache: Path, *flags: str) -> list[bytes]:
    base = ["check", "--isolated", "--output-format", "full", *flags]
    return [run_cli(*base, "--no-cache", str(tree)).stdout,
            run_cli(*base, "--cache-dir", str(cache), str(tree)).stdout,   # writes the cache
            run_cli(*base, "--cache-dir", str(cache), str(tree)).stdout]   # served from it


@pytest.mark.parametrize("tree", TREES)
def test_the_full_report_is_the_same_with_and_without_the_cache(tree, tmp_path):
    work = tmp_path / "tree"
    shutil.copytree(REPO / tree, work, ignore=shutil.ignore_patterns("__pycache__"))
    cold, writing, warm = _three_runs(work, tmp_path / "cache")
    assert b" | " in cold                                  # code frames were printed
    assert writing == cold
    assert warm == cold


def test_a_secret_repeated_elsewhere_in_the_file_is_masked_in_every_run(tmp_path):
    manifest = tmp_path / "mail.yaml"
    manifest.write_text(REPEATED, encoding="utf-8")
    outputs = _three_runs(manifest, tmp_path / "cache")
    for out in outputs:
        assert b"SEC001" in out and b" | " in out
        assert PLANTED.encode() not in out
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]


SPELLINGS = {  # the secret as redisPassword writes it; enableTLS repeats its value, written plainly
    "plain": "Hunter2Quoted99",
    "single-quoted": "'Hunter2Quoted99'",
    "double-quoted": '"Hunter2Quoted99"',
    "double-quoted-escaped": '"Hunter2\\x51uoted99"',
    "single-quoted-doubled-quote": "'Hunter2''Quoted99'",
}


@pytest.mark.parametrize("spelling", SPELLINGS, ids=list(SPELLINGS))
def test_a_secret_repeated_in_another_field_is_masked_in_messages_and_frames(spelling, tmp_path):
    """DPR006 quotes `enableTLS`'s value, which is the password's: masked in
    every spelling the password may be written in, cold and from the cache."""
    written = SPELLINGS[spelling]
    value = "Hunter2'Quoted99" if "''" in written else "Hunter2Quoted99"
    manifest = tmp_path / "store.yaml"
    manifest.write_text(
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: s\nspec:\n  type: state.redis\n"
        "  version: v1\n  metadata:\n  - name: redisHost\n    value: localhost:6379\n"
        f"  - name: redisPassword\n    value: {written}\n  - name: enableTLS\n    value: \"{value}\"\n",
        encoding="utf-8")
    outputs = _three_runs(manifest, tmp_path / "cache")                       # full: frames and messages
    outputs += [run_cli("check", "--isolated", "--output-format", "concise", *cache, str(manifest)).stdout
                for cache in (["--no-cache"], ["--cache-dir", str(tmp_path / "cache")])]
    for out in outputs:
        assert b"DPR006" in out and b"SEC001" in out
        assert value.encode() not in out, out.decode()


_PIECES = st.sampled_from(["a", "Z", "9", "-", " ", "'", "\\\\", '\\"', "\\x41", "\\u00e9", "\\U0001F600",
                           "\\t", "\\n", "\\0", "\\_", "\\N", "\\L", "\\/", "\\e", "é"])


@given(st.lists(_PIECES, max_size=12).map("".join))
def test_double_quoted_escapes_are_read_as_pyyaml_reads_them(inner):
    scalar = f'"{inner}"'
    assert redact.secret_values(scalar, [(0, len(scalar))]) >= {v for v in [yaml.safe_load(scalar)] if len(v) >= 3}

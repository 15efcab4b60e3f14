"""PyYAML's Reader pattern, seeded cheaply into `re`'s cache (daprlint._yaml_startup)."""
from __future__ import annotations

import ast
import subprocess
import sys

import yaml
from hypothesis import given, strategies as st

from daprlint import _yaml_startup as startup

ALL_CODE_POINTS = "".join(map(chr, range(sys.maxunicode + 1)))


def _positions(pattern: str, text: str) -> list[int]:
    # re.compile(pattern) may return the seeded entry itself: compile past re's cache
    try:
        from re import _compiler  # noqa: PLC0415  (3.11 and later)
    except ImportError:  # 3.10
        import sre_compile as _compiler  # noqa: PLC0415

    return [m.start() for m in _compiler.compile(pattern, 0).finditer(text)]


def test_the_complement_matches_exactly_the_non_printable_code_points():
    original = _positions(startup.PYYAML_NON_PRINTABLE, ALL_CODE_POINTS)
    assert len(original) == 2111  # 29 C0 + DEL + 32 C1 but NEL + 2,048 surrogates + U+FFFE, U+FFFF
    assert _positions(startup.PYYAML_NON_PRINTABLE_COMPLEMENT, ALL_CODE_POINTS) == original


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=sys.maxunicode)))
def test_both_patterns_find_the_same_characters_in_any_text(text):
    assert (_positions(startup.PYYAML_NON_PRINTABLE_COMPLEMENT, text)
            == _positions(startup.PYYAML_NON_PRINTABLE, text))


def test_the_pattern_is_the_one_the_installed_pyyaml_compiles():
    # if PyYAML changes its pattern, the seed no longer applies (and this says so)
    source = open(yaml.reader.__file__, encoding="utf-8").read()
    literal = source.split("NON_PRINTABLE = re.compile(", 1)[1].split(")", 1)[0]
    assert ast.literal_eval(literal) == startup.PYYAML_NON_PRINTABLE  # a str literal, read, never run


_IN_A_FRESH_PROCESS = r"""
import daprlint, yaml
from daprlint import _yaml_startup as startup
print(yaml.reader.Reader.NON_PRINTABLE.pattern == startup.PYYAML_NON_PRINTABLE_COMPLEMENT)
for text in ("a: \x07\n", "a: \ud800\n", "a: \ufffe\n"):
    try:
        yaml.load(text, Loader=yaml.SafeLoader)  # the pure-Python Reader
        print("accepted", ascii(text))
    except yaml.reader.ReaderError:
        print("rejected")
print(yaml.load('a: "tab\there \x85 \ue000 \U0001f600"\n', Loader=yaml.SafeLoader) is not None)
print(startup.seed_reader_pattern())  # yaml.reader is imported: nothing more to do
"""


_WITHOUT_YAML = r"""
import sys, daprlint
print("re" in sys.modules, "yaml" in sys.modules)
import yaml
from daprlint import _yaml_startup as startup
print(yaml.reader.Reader.NON_PRINTABLE.pattern == startup.PYYAML_NON_PRINTABLE_COMPLEMENT)
"""


def test_nothing_is_seeded_until_yaml_is_imported():
    out = subprocess.run([sys.executable, "-c", _WITHOUT_YAML], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True"]


def test_daprlint_seeds_it_and_the_pure_reader_behaves_as_before():
    out = subprocess.run([sys.executable, "-c", _IN_A_FRESH_PROCESS], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "rejected", "rejected", "rejected", "True", "False"]

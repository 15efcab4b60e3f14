"""Import PyYAML without compiling a regex that daprlint never runs.

`import yaml` defines `yaml.reader.Reader`, whose class body compiles
`NON_PRINTABLE`, a negated class of every printable code point
(`[^\\x09\\x0A\\x0D\\x20-\\x7E\\x85\\xA0-\\uD7FF\\uE000-\\uFFFD\\U00010000-\\U0010ffff]`).
CPython's regex compiler sets a bit per code point of those ranges in a
Python loop: 3.5 ms (57 M instructions, callgrind) of every process, a
fifth of linting one file, 2.3% of the 3,000-file repo-shaped bench tree.
Only PyYAML's pure-Python Reader searches with it; daprlint composes with
libyaml's C parser, which checks printable characters itself.

`install()` (daprlint/__init__.py) puts a finder first on `sys.meta_path`
that finds nothing: when `yaml` is first imported it calls
`seed_reader_pattern()`, and from then on does nothing. A run that never
imports PyYAML (a warm cache hit of one named file) neither imports `re`
for it nor compiles anything: seeding up front made that run ~3 ms slower
(CPU medians of 30 alternating runs, the bench's deploy-kustomize file).

`seed_reader_pattern()` puts into `re`'s compile cache, under that exact
pattern, the same set written the other way round: the non-printable code
points as a positive class (`PYYAML_NON_PRINTABLE_COMPLEMENT`, 0.4 ms to
compile). `re.compile` then returns it to PyYAML. tests/test_yaml_startup.py
checks over all 1,114,112 code points that both match exactly the same
ones, so the pure Reader (the fallback without libyaml) behaves as before.

The cache is private to `re` (a dict keyed by (type, pattern, flags) from
3.10 to 3.13; from 3.12 `_compile` moves a hit from `_cache` into its
fast `_cache2`). Where it is not such a dict, nothing is seeded and PyYAML
compiles its own pattern as before. Nothing happens once `yaml` is imported.
"""
from __future__ import annotations

import sys

# yaml/reader.py: Reader.NON_PRINTABLE, verbatim (PyYAML 6.0.4; tests/test_yaml_startup.py
# compares it with the installed copy, so a PyYAML that changes it fails there, not here)
PYYAML_NON_PRINTABLE = "[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]"
# every code point the class above leaves out: C0 controls but tab, LF and CR;
# DEL and the C1 controls but NEL; the surrogates; U+FFFE and U+FFFF
PYYAML_NON_PRINTABLE_COMPLEMENT = "[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uD800-\uDFFF\uFFFE\uFFFF]"


def seed_reader_pattern() -> bool:
    """Seed `re`'s cache before PyYAML is imported; True if it was seeded."""
    if "yaml.reader" in sys.modules:
        return False
    import re

    cache = getattr(re, "_cache", None)
    if type(cache) is not dict:
        return False
    cache[(str, PYYAML_NON_PRINTABLE, 0)] = re.compile(PYYAML_NON_PRINTABLE_COMPLEMENT)
    return True


class _BeforeYaml:
    """A meta path finder that finds nothing; it seeds before the first `import yaml`.

    It stays on sys.meta_path, inert, once it has seeded: removing itself from
    the list importlib is iterating over would make it skip the next finder."""

    seeded = False

    def find_spec(self, name, path=None, target=None):
        if name == "yaml" and not self.seeded:
            self.seeded = True
            seed_reader_pattern()
        return None


def install() -> None:
    """Seed on the first `import yaml` (nothing if PyYAML is imported already)."""
    if "yaml" not in sys.modules and not any(isinstance(f, _BeforeYaml) for f in sys.meta_path):
        sys.meta_path.insert(0, _BeforeYaml())

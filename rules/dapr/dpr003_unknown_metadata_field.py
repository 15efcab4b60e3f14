"""A metadata name is not a field of this component type.

## What it does
Compares each `spec.metadata` name (case-insensitively, as Dapr does) with
the fields Dapr's own `metadata.yaml` lists for the component's type and
version: the component's fields, the fields of its authentication profiles,
the fields daprd reads for every component of a category (`keyPrefix`,
`actorStateStore`, `consumerID`, `direction`, ...), the deprecated AWS
aliases the type still reads, and the names that the component code accepts
although `metadata.yaml` omits them (Azure `spnClientId`, GCP `project_id`,
PostgreSQL `url`, Kafka `authRequired`, ...: `rules/dapr/field-extras.json`,
each with the code that reads it). Names described with a placeholder, such
as Pulsar's `<topic-name>.jsonschema`, match any text in its place.

A name that is none of them is reported, with a suggestion when a known name
is close (`regoin` -> `region`, `reconnectWait` -> `reconnectWaitSeconds`).
An AWS alias on a type that does not read it (`awsRegion` on
`bindings.aws.sqs`) is reported with its replacement. Types and versions
that Dapr's metadata does not describe (no fields at all, or `v2` of a type
it only knows as `v1`) are skipped, and so are
templated names and `initTimeout`/`ignoreErrors` items (DPR008 says where
they belong).

## Why is this bad?
Dapr ignores metadata it does not know, without a word in the log, so a
misspelled field silently falls back to its default. The warning level
reflects that `metadata.yaml` is not exhaustive: a few components read
fields that it does not list. Suppress the finding for such a field.

## Example
```yaml
spec:
  type: state.aws.dynamodb
  version: v1
  metadata:
  - name: regoin
    value: eu-west-1
```
Use instead:
```yaml
  metadata:
  - name: region
    value: eu-west-1
```

## Fix (unsafe)
Renames the field to the suggestion when exactly one known field is close
and that field is not set already. Unsafe: the close name may not be the
one you meant.
"""
import re

from daprlint import dapr
from daprlint.model import is_templated
from daprlint.rulekit import Fix

CODE = "DPR003"
NAME = "unknown-metadata-field"
SEVERITY = "warning"
SUMMARY = "metadata field that Dapr's metadata does not list for this type"
FIX = "unsafe"
KINDS = ("Component",)

EXTRAS = dapr.FIELD_EXTRAS
class Vocabulary:
    """The metadata names one component type and version accepts."""

    __slots__ = ("names", "prefixes", "patterns")

    def __init__(self):
        self.names: dict[str, str] = {}      # lower-cased name -> spelling
        self.prefixes: list[str] = []        # lower-cased
        self.patterns: list = []             # compiled, for `<topic-name>.jsonschema`

    def add(self, name: str) -> None:
        if "<" in name and ">" in name:
            parts = re.split(r"<[^>]*>", name.lower())
            self.patterns.append(re.compile("^" + ".+".join(re.escape(p) for p in parts) + "$"))
        else:
            self.names.setdefault(name.lower(), name)

    def knows(self, key: str) -> bool:
        return key in self.names or key.startswith(tuple(self.prefixes)) or \
            any(p.match(key) for p in self.patterns)


def vocabulary(entry: dict, type_key: str, version: str, data) -> Vocabulary | None:
    """What this type and version accepts; None when Dapr's metadata does not describe them."""
    cache = data.memo(CODE + ".vocabulary")
    key = (type_key, version)
    if key in cache:
        return cache[key]
    versions = entry.get("versions") or {}
    if version not in versions:
        cache[key] = None  # a version Dapr's metadata does not describe (state.cockroachdb v2): unknown fields
        return None
    chosen = [versions[version]]
    if not any(v.get("fields") for v in chosen):
        cache[key] = None  # Dapr's metadata describes no field: nothing to compare with
        return None
    vocab = Vocabulary()
    profiles = set()
    for v in chosen:
        profiles.update(v.get("builtin_profiles") or ())
        for lower, info in v.get("fields", {}).items():
            vocab.add(info.get("name") or lower)
        for profile in v.get("profiles") or ():
            for name in profile.get("fields", ()):
                vocab.add(name)
    for alias in data.json(dapr.AWS)["aliases"]:
        if type_key in alias["accepted_by"]:
            vocab.add(alias["alias"])
    extras = data.json(EXTRAS)
    for name in extras["category_fields"].get(type_key.partition(".")[0], ()):
        vocab.add(name)
    for group in dapr.extra_groups(type_key, {"builtin_profiles": sorted(profiles)}, data):
        for name in list(group.get("aliases", {})) + list(group.get("deprecated", {})) + group.get("names", []):
            vocab.add(name)
        vocab.prefixes += [p.lower() for p in group.get("prefixes", ())]
    cache[key] = vocab
    return vocab


def check(resource, ctx):
    entry = dapr.type_entry(resource, ctx.data)
    if entry is None:
        return
    type_key = resource.type_key
    vocab = vocabulary(entry, type_key, resource.version_key, ctx.data)
    if vocab is None:
        return
    present = {item.key for item in resource.metadata if item.key}
    for item in resource.metadata:
        if item.name is None or not item.name.value.strip() or vocab.knows(item.key):
            continue
        if is_templated(item.name.value) or dapr.is_reference_like(item.name.value):
            continue
        if item.key in _SPEC_FIELDS:
            continue  # DPR008 reports spec fields written as metadata
        shown_name = _printable(item.name.value)
        alias = _foreign_alias(item.key, type_key, ctx.data)
        if alias is not None:
            canonical = alias["canonical"]
            message = f"`{shown_name}` is not read by `{resource.type_name}`: use `{canonical}`"
            fix = _rename(item, canonical) if canonical.lower() not in present else None
            yield ctx.report(item.name_span, message, fix=fix)
            continue
        candidates = _close_cached(item.key, resource, vocab, ctx.data)
        message = f"`{shown_name}` is not a metadata field of `{resource.type_name}` in Dapr's metadata"
        fix = None
        if candidates:
            message += "; did you mean " + " or ".join(f"`{c}`" for c in candidates) + "?"
            if len(candidates) == 1 and candidates[0].lower() not in present:
                fix = _rename(item, candidates[0])
        else:
            message += ", so daprd most likely ignores it"
        yield ctx.report(item.name_span, message, fix=fix)


# spec fields that people write as metadata items; DPR008 says where they go
_SPEC_FIELDS = frozenset({"inittimeout", "ignoreerrors"})


def _foreign_alias(key, type_key, data):
    for alias in data.json(dapr.AWS)["aliases"]:
        if alias["alias"].lower() == key and type_key in alias.get("not_accepted_by", ()):
            return alias
    return None


def _squash(name: str) -> str:
    return name.replace("-", "").replace("_", "").replace(".", "").replace(" ", "")


def _close_cached(key: str, resource, vocab: Vocabulary, data) -> list:
    # difflib is the slow part of this rule, and the same misspelling tends to
    # come back in many files
    memo = data.memo(CODE + ".close")
    memo_key = (resource.type_key, resource.version_key, key)
    if memo_key not in memo:
        memo[memo_key] = _close(key, vocab.names)
    return memo[memo_key]


def _close(key: str, names: dict) -> list:
    """Known spellings that are close to *key* (best first, at most two)."""
    squashed = _squash(key)
    same = [spelling for lower, spelling in names.items() if _squash(lower) == squashed]
    if same:
        return same[:1]
    import difflib

    matches = difflib.get_close_matches(key, list(names), n=2, cutoff=0.8)
    if not matches and len(key) >= 6:
        # a truncated name: `reconnectWait` for `reconnectWaitSeconds`
        longer = [lower for lower in names if lower.startswith(key)]
        matches = longer if len(longer) == 1 else []
    return [names[m] for m in matches]


def _printable(name: str) -> str:
    return name if len(name) <= 60 and "`" not in name else name[:57].replace("`", "'") + "..."


def _rename(item, canonical):
    from daprlint.fixes import replace_scalar

    return Fix(f"rename `{item.name.value}` to `{canonical}`", (replace_scalar(item.name, canonical),), "unsafe")

"""A metadata name that the component does not read in the Dapr release you run.

## What it does
Checks each `spec.metadata` name against what the component reads in the
target Dapr release (`dapr-version`, default the newest release daprlint
knows), from two sources:

- **the Go code** of components-contrib at that release's tag: the names its
  init code decodes (`mapstructure` tags, `mapstructurealiases`, fields
  tagged `mdignore`) or looks up, and the names it takes from each request
  (`docs/data-sources.md`);
- **`metadata.yaml`** of that release: the documented fields, those of its
  authentication profiles and the fields daprd reads for every component of
  a category (`keyPrefix`, `consumerID`, `direction`, ...).

A name the code reads in the target release is never reported, whatever
`metadata.yaml` says (`errorIfNot2XX` on `bindings.http` is read since 1.12
although documented only from 1.15). A name neither documented nor read is
reported with its history where it has one ("`dialTimeout` is not read by
`pubsub.kafka` in Dapr 1.17; it was added in 1.18") and a suggestion when a
known name is close (`regoin` -> `region`). Also reported:

- a documented name the code does not read (`sessionName` of the builtin AWS
  profile on `bindings.aws.s3`: only Kafka and the PostgreSQL family read it);
- a name the code looks up only in another exact spelling (Kafka reads
  `region`, not `Region`, in AWS IAM mode);
- a declared alias the release's decoder ignores (`useAzureAD` on the Redis
  components: `useEntraID` is read);
- an AWS alias on a type that does not read it (`awsRegion` on
  `bindings.aws.sqs`), with its replacement.

Names taken only from each request (`toNumber` of `bindings.twilio.sms`, the
sender of the e-mail bindings) are not reported: daprd also accepts them in
the component. `assumeRoleArn` where the component reads it only for IAM
Roles Anywhere is AWS005's.

Missing data is not evidence. Before 1.16 many registered types have no
`metadata.yaml` (only 62 of the 133 registered in 1.12 have one). For such
a type the code facts decide when they describe it completely; where they
do not (a map handed to a library, keys built at run time), nothing is
reported. A later release's metadata is only advice, and this rule does not
turn advice into findings, not even uncertain ones at a lower severity: the
code facts leave almost no type uncovered, and what remains would be noise.
Where a release has a `metadata.yaml` but the code analysis is incomplete,
the metadata decides, as before ("is not a metadata field of ... (per its
metadata.yaml)"). A type daprd does not register in that release is
DPR002's. Templated names and
`initTimeout`/`ignoreErrors` items (DPR008's) are skipped, and so are
placeholder names such as Pulsar's `<topic-name>.jsonschema`.

## Why is this bad?
Dapr ignores metadata it does not read, without a word in the log, so a
misspelled field, or one your Dapr release does not have yet, silently falls
back to its default.

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
(or the code reads another spelling, or the alias is ignored) and that field
is not set already. Unsafe: the close name may not be the one you meant.
"""
import re

from daprlint import dapr, versions
from daprlint.model import is_templated
from daprlint.rulekit import Fix

CODE = "DPR003"
NAME = "unknown-metadata-field"
SEVERITY = "warning"
SUMMARY = "metadata field that the component does not read in the target Dapr release"
FIX = "unsafe"
KINDS = ("Component",)

EXTRAS = dapr.FIELD_EXTRAS


class Vocabulary:
    """The metadata names one component type and version accepts in one release."""

    __slots__ = ("names", "prefixes", "patterns", "hand", "listed", "reads", "target")

    def __init__(self, target=None):
        self.names: dict[str, str] = {}      # lower-cased name -> spelling
        self.prefixes: list[str] = []        # lower-cased
        self.patterns: list = []             # compiled, for `<topic-name>.jsonschema`
        self.hand: set[str] = set()          # lower-cased names of field-extras.json and aws.json
        self.listed: dict | None = None      # the release's metadata.yaml fields (None: it has none)
        self.reads = None                    # versions.CodeReads (None: no code facts)
        self.target = target

    def add(self, name: str) -> None:
        if "<" in name and ">" in name:
            parts = re.split(r"<[^>]*>", name.lower())
            self.patterns.append(re.compile("^" + ".+".join(re.escape(p) for p in parts) + "$"))
        else:
            self.names.setdefault(name.lower(), name)

    def knows(self, key: str) -> bool:
        return key in self.names or key.startswith(tuple(self.prefixes)) or \
            any(p.match(key) for p in self.patterns)


def vocabulary(entry: dict, type_key: str, version: str, data, target=None) -> Vocabulary | None:
    """What this type and version accepts in the target release (default: the release of a
    versions.pack_data_for view, else the default release); None when neither its metadata.yaml
    nor a complete code analysis describes it there. *entry* (the master-shaped type file) is
    not needed any more; schema_export passes it."""
    t = versions._target(data, target if target is not None else getattr(data, "target", None))
    cache = data.memo(CODE + ".vocabulary")
    key = (type_key, version, t.release)
    if key not in cache:
        cache[key] = _vocabulary(type_key, version, data, t)
    return cache[key]


def _vocabulary(type_key: str, version: str, data, t) -> Vocabulary | None:
    listed = versions.fields(data, type_key, version, t)
    reads = versions.code_reads(data, type_key, version, t)
    if not listed and (reads is None or not reads.complete):
        return None  # missing data is not evidence
    vocab = Vocabulary(t)
    vocab.listed, vocab.reads = listed, reads
    for lower, info in (listed or {}).items():
        if not (reads is not None and reads.complete and info.get("source") != "runtime-builtin"
                and not _read(reads, lower)):
            vocab.add(info.get("name") or lower)  # documented and not known to be ignored
    extras = data.json(EXTRAS)
    hand = list(extras["category_fields"].get(type_key.partition(".")[0], ()))
    if reads is None:  # no code facts: the master data's AWS aliases
        hand += [a["alias"] for a in data.json(dapr.AWS)["aliases"] if type_key in a["accepted_by"]]
    info = versions.version_info(data, type_key, version, t) or {}
    for group in dapr.extra_groups(type_key, info, data, t, version_key=version):
        for name in list(group.get("aliases", {})) + list(group.get("deprecated", {})) + group.get("names", []):
            if "*" in name:
                continue  # a request key pattern (GraphQL `variable:*`): the code group has its prefix
            vocab.add(name)
            if not group["source"].startswith("generated"):
                hand.append(name)
        vocab.prefixes += [p.lower() for p in group.get("prefixes", ())]
    for name in hand:
        vocab.add(name)
    vocab.hand = {n.lower() for n in hand}
    return vocab


def _read(reads, key: str) -> bool:
    read = reads.get(key)
    return read is not None and read.how in versions.READ + ("unverified",)


def check(resource, ctx):
    if resource.type is None:
        return
    t = dapr.target(ctx)
    # spelling -> judged?, per type, version and release: the same names come back in every file
    unread = dapr.per_type(resource, ctx.data, CODE + ".unread", lambda r: {}, t)
    present = None
    for item in resource.metadata:
        if item.name is None:
            continue
        judged = unread.get(item.name.value)
        if judged is None:
            judged = unread[item.name.value] = _judged(item, resource, ctx.data, t)
        if not judged:
            continue
        vocab = vocabulary(None, resource.type_key, resource.version_key, ctx.data, t)
        found = _judge(item, resource, vocab, ctx.data) if vocab is not None else None
        if found is not None:
            message, rename_to = found
            if present is None:
                present = [i.key for i in resource.metadata if i.key]
            taken = present.count(rename_to.lower()) - (rename_to.lower() == item.key) if rename_to else 1
            fix = _rename(item, rename_to) if not taken else None
            yield ctx.report(item.name_span, message, fix=fix)


def _judged(item, resource, data, t) -> bool:
    """Whether the item's name is one to judge: a name (no spec field, template or reference)
    that the target release does not read. Depends on the spelling, type, version and release
    only (check keeps the answer for the run)."""
    name = item.name.value
    if not name.strip() or item.key in _SPEC_FIELDS:
        return False  # DPR008 reports spec fields written as metadata
    if is_templated(name) or dapr.is_reference_like(name):
        return False
    # read, or nothing to compare with: the common case needs no vocabulary
    return dapr.reads_name(resource, name, data, t) is False


# spec fields that people write as metadata items; DPR008 says where they go
_SPEC_FIELDS = frozenset({"inittimeout", "ignoreerrors"})


def _judge(item, resource, vocab: Vocabulary, data):
    """(message, name to rename to or None) for an item the release does not read, else None."""
    key, spelling, reads = item.key, item.name.value, vocab.reads
    where = f"`{resource.type_name}` in Dapr {_release(vocab.target)}"
    shown_name = _printable(spelling)
    if key in vocab.hand:
        return None
    read = reads.get(spelling) if reads is not None else None
    if read is not None and read.how in versions.READ:
        if read.spellings and spelling not in read.spellings:
            exact = sorted(read.spellings)[0]
            return (f"`{shown_name}` is not read by {where}: the code looks the name up exact-case, "
                    f"as `{exact}`", exact)
        return None
    if read is not None and read.how == "unverified":
        return None
    if read is not None and read.how == "ignored-alias":
        return (f"`{shown_name}` is not read by {where}: it is declared as an alias of `{read.canonical}`, "
                f"but the component's decoder ignores that alias; use `{read.canonical}`", read.canonical)
    complete = reads is not None and reads.complete
    listed = vocab.listed or {}
    if key in listed:
        if not complete or listed[key].get("source") == "runtime-builtin":
            return None  # documented, and the code analysis cannot say otherwise
        what = " (in an authentication profile)" if listed[key].get("source") == "profile" else ""
        return (f"`{shown_name}` is in the metadata.yaml of `{resource.type_name}`{what}, but the component's "
                f"code in Dapr {_release(vocab.target)} does not read it, so daprd ignores it", None)
    if vocab.knows(key):
        return None
    if vocab.target.newer_than_known and _at_master(data, resource, key):
        return None  # probably new in the release you run: the newest data is only advice
    alias = _foreign_alias(key, resource.type_key, data)
    if alias is not None:
        return f"`{shown_name}` is not read by {where}: use `{alias['canonical']}`", alias["canonical"]
    return _unknown(key, shown_name, where, resource, vocab, data, complete)


def _unknown(key, shown_name, where, resource, vocab, data, complete):
    history = versions.field_history(data, resource.type_key, resource.version_key, key)
    t = vocab.target
    after = lambda releases: [r for r in releases if versions.release_key(r) > t.key]  # noqa: E731
    before = lambda releases: [r for r in releases if versions.release_key(r) < t.key]  # noqa: E731
    read_later, listed_later = after(history["read"]), after(history["listed"])
    # the code gaining the read in a later release is evidence even where this release's analysis
    # is incomplete
    confident = complete or bool(read_later)
    head = f"`{shown_name}` is not read by {where}" if confident else \
        f"`{shown_name}` is not a metadata field of {where} (per its metadata.yaml)"
    later = sorted(set(read_later) | set(listed_later), key=versions.release_key)
    earlier = sorted(set(before(history["read"])) | set(before(history["listed"])), key=versions.release_key)
    renamed = history["renamed_to"]
    if renamed and earlier and not later:
        return f"{head}: it was renamed to `{renamed}`", renamed
    if later:
        since = later[0]
        tail = "only the unreleased components-contrib master reads it" if since == versions.MASTER else \
            f"it was added in {since}"
        return f"{head}; {tail}", None
    if earlier:
        return f"{head}; it was read up to Dapr {earlier[-1]}", None
    candidates = _close_cached(key, resource, vocab, data)
    if candidates:
        message = f"{head}; did you mean " + " or ".join(f"`{c}`" for c in candidates) + "?"
        return message, candidates[0] if len(candidates) == 1 else None
    return head + (", so daprd ignores it" if complete else ", so daprd most likely ignores it"), None


def _release(t) -> str:
    return str(t.release)


def _at_master(data, resource, key) -> bool:
    history = versions.field_history(data, resource.type_key, resource.version_key, key)
    return versions.MASTER in history["read"] or versions.MASTER in history["listed"]


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
    memo_key = (resource.type_key, resource.version_key, vocab.target.release, key)
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

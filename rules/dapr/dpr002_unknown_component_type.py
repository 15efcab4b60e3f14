"""`spec.type` is not a component type that daprd registers.

## What it does
Looks up `spec.type` in the list of types daprd registers in the target
Dapr release (`dapr-version`, default the newest release daprlint knows):
its own `cmd/daprd/components` files at that release's tag, including legacy
aliases such as `pubsub.snssqs` or `state.postgres`. A type registered in
another release says when: "`pubsub.azure.servicebusqueues` is not
registered by daprd 1.15: it is registered from 1.16 on" (suggesting the
name the same component has there, `pubsub.azure.servicebus.queues`), or
"`pubsub.natsstreaming` ... was removed in Dapr 1.13". It matches the way daprd does: the
category prefix (`state`, `pubsub`, `bindings`, ...) case-sensitively and the
rest of the name case-insensitively. A close registered name is suggested,
for example `secretstores.aws.secretmanager` for
`secretstores.aws.secretsmanager` (the metadata of that component carries
the plural spelling, daprd registers the singular one).

A type in a known category that is neither registered nor close to a
registered name may be a pluggable component (daprd registers those at
start-up from their Unix sockets), so it is reported only when it is a
name Dapr's metadata uses without registering it (`crypto.jwks`,
`bindings.kitex`) or a component Dapr removed (`bindings.twitter`,
`pubsub.hazelcast`, `pubsub.natsstreaming`). An unknown category is always
reported: pluggable components use the same categories. Templated types
(`{{ .Values.type }}`) and placeholders (`state.<DATABASE>`) are not judged.

## Why is this bad?
daprd cannot create the component: it fails with `couldn't find ... ` or
`incorrect type`, and unless `spec.ignoreErrors` is true the sidecar does
not start. On Kubernetes the manifest is accepted by the API server, so the
mistake only shows up in the sidecar's log.

## Example
```yaml
spec:
  type: secretstores.aws.secretsmanager
  version: v1
```
Use instead:
```yaml
spec:
  type: secretstores.aws.secretmanager
  version: v1
```

## Fix (unsafe)
Replaces the type with the suggested one when exactly one registered type
is close. Unsafe: the suggestion may not be the component you meant.
"""
import re

from daprlint import dapr, versions
from daprlint.redact import shown
from daprlint.rulekit import Fix

CODE = "DPR002"
NAME = "unknown-component-type"
SEVERITY = "error"
SUMMARY = "spec.type is not a component type daprd registers"
FIX = "unsafe"
KINDS = ("Component",)

# Components Dapr has removed: type -> why (the release that removed it)
REMOVED = {
    "bindings.twitter": "removed in Dapr 1.11 (dapr/components-contrib#2597)",
    "pubsub.hazelcast": "removed in Dapr 1.11 (dapr/components-contrib#2597)",
    "pubsub.natsstreaming": "removed in Dapr 1.13 (dapr/components-contrib#3150); use pubsub.jetstream",
}
_PLACEHOLDER = re.compile(r"<[^>]*>|\[[^\]]*\]|\.\.\.")

def _categories(data):
    memo = data.memo(CODE)
    if "categories" not in memo:
        memo["categories"] = frozenset(data.json(dapr.TYPES)["categories"])
    return memo["categories"]


def _registered(data, t):
    """The names daprd registers in the target release, sorted (for suggestions), once a run."""
    memo = data.memo(CODE)
    if t.release not in memo:
        history = data.json(versions.TYPES)["types"]
        memo[t.release] = tuple(sorted(name for name in history if versions.is_registered(data, name, t)))
    return memo[t.release]


def check(resource, ctx):
    scalar = resource.type
    if scalar is None:
        return
    t = dapr.target(ctx)
    categories = _categories(ctx.data)
    value = scalar.value
    category, dot, rest = value.partition(".")
    if category in categories and dot and versions.is_registered(ctx.data, f"{category}.{rest.lower()}", t):
        return  # the common case: a registered type (one lookup, not the whole table)
    registered = _registered(ctx.data, t)
    if not value.strip() or dapr.is_reference_like(value) or _PLACEHOLDER.search(value):
        return
    suggestion = _suggest_cached(value, registered, ctx.data, t)
    if category not in categories or not dot:
        if category == "exporters":
            what = ("`exporters` components were removed from Dapr; "
                    "configure tracing in a Configuration's `spec.tracing`")
        elif category.lower() in categories and dot:
            what = (f"its category `{category}` must be lower-case `{category.lower()}` "
                    "(daprd matches the category case-sensitively)")
        else:
            what = f"`{_short(category)}` is not a component category ({', '.join(sorted(categories))})"
        message = f"`spec.type` {shown(value)} is not a type daprd knows: {what}"
    else:
        key = f"{category}.{rest.lower()}"
        entry = _entry(ctx.data, key)
        since = versions.registered_since(ctx.data, key)
        if since is not None:  # registered in another release
            message, suggestion = _other_release(value, key, since, ctx.data, t)
        elif key in REMOVED:
            message = f"`spec.type` {shown(value)} is not a component type daprd registers: it was {REMOVED[key]}"
        elif entry is not None:
            registered_as = _registered_name_of(ctx.data, key)
            if registered_as:
                message = (f"`spec.type` {shown(value)} is the name of this component in Dapr's metadata, "
                           "but daprd registers it under another name")
                suggestion = registered_as
            else:
                message = (f"`spec.type` {shown(value)} is described in Dapr's metadata, "
                           "but daprd does not register it")
        elif suggestion is not None:
            message = (f"`spec.type` {shown(value)} is not a component type daprd {t.release} registers "
                       "(nor, probably, a pluggable component)")
        else:
            return  # possibly a pluggable component: daprd learns those from their sockets
    fix = None
    if suggestion is not None:
        message += f"; did you mean `{suggestion}`?"
        fix = Fix(f"replace the type with `{suggestion}`",
                  (_replace(scalar, suggestion),), "unsafe")
    yield ctx.report(scalar.span, message, fix=fix)


def _other_release(value, key, since, data, t):
    """(message, suggestion) for a type daprd registers in another release than the target."""
    entry = data.json(versions.TYPES)["types"][key]
    head = f"`spec.type` {shown(value)} is not registered by daprd {t.release}"
    if versions.release_key(since) > t.key:
        when = "only by the unreleased master builds" if since == versions.MASTER else f"from {since} on"
        message = f"{head}: it is registered {when}"
    else:
        message = f"{head}: it was " + REMOVED.get(key, f"removed in Dapr {entry['until']}")
    canonical = entry.get("canonical", key)  # the same component under its other name, if there
    suggestion = canonical if canonical != key and versions.is_registered(data, canonical, t) else None
    return message, suggestion


def _registered_name_of(data, metadata_type):
    """The registered type whose metadata is *metadata_type* (`crypto.jwks` -> `crypto.dapr.jwks`)."""
    found = sorted(t for t, e in dapr.type_index(data).items()
                   if e.get("registered") and e.get("metadata_type") == metadata_type and not e.get("alias_of"))
    return found[0] if len(found) == 1 else None


def _entry(data, key):
    return dapr.type_index(data).get(key)


def _suggest_cached(value, registered, data, t):
    # difflib over every registered type is slow; a typo tends to repeat across files
    memo = data.memo(CODE + ".suggest")
    key = (value, t.release)
    if key not in memo:
        memo[key] = _suggest(value, registered)
    return memo[key]


def _suggest(value, registered):
    """The single closest registered type, if one is clearly close."""
    import difflib

    lowered = value.strip().lower()
    if lowered in registered:
        return lowered  # only the category's case is wrong
    matches = difflib.get_close_matches(lowered, registered, n=2, cutoff=0.85)
    if not matches:
        return None
    if len(matches) > 1:
        first = difflib.SequenceMatcher(None, lowered, matches[0]).ratio()
        second = difflib.SequenceMatcher(None, lowered, matches[1]).ratio()
        if first - second < 0.02:
            return None  # two equally good candidates: don't pick one
    return matches[0]


def _short(text):
    return text if len(text) <= 40 and text.replace("-", "").replace("_", "").isalnum() else "this prefix"


def _replace(scalar, value):
    from daprlint.fixes import replace_scalar

    return replace_scalar(scalar, value)

"""What changes for a tree when its cluster moves from one Dapr release to another.

`daprlint upgrade --from 1.14 --to 1.16 PATH...` is a report, not a fix: for each Component it
lists the metadata names that start or stop being read (dapr.reads_name, the answer DPR003
gives, for both releases), the renames of metadata.yaml that the move crosses, and a type that
daprd starts or stops registering; for each workload, the `dapr.io/*` annotations the injector
starts or stops reading, legacy names that get replaced, and the annotations whose behaviour
changes for the value written there (the checks daprd or the injector apply, their defaults,
what an empty value means). A change carries a fix only where the rename is certain: a
metadata.yaml rename (gen_releases.RENAMES, checked in the code) whose new name the target
release reads.

`changes()` is pure: model objects (model.Resource, workloads.Workload) and the pack data in,
`Change`s out. `render()` formats them; `main()` is the command line (reads the files named,
prints the report; exit 0, or 2 on a usage error).
"""
from __future__ import annotations

from collections import namedtuple

from . import dapr, versions

TYPE_GONE, TYPE_NEW = "type-unregistered", "type-registered"
FIELD_STOPS, FIELD_STARTS, FIELD_RENAMED = "field-stops-being-read", "field-starts-being-read", "field-renamed"
ANNOTATION_STOPS, ANNOTATION_STARTS = "annotation-stops-being-read", "annotation-starts-being-read"
ANNOTATION_REPLACED, ANNOTATION_CHANGES = "annotation-replaced", "annotation-behaviour-changes"


class Change(namedtuple("Change", "kind path span subject message fix")):
    """One difference the move makes for one manifest: kind (the constants above), path and span
    of what it is about, subject (the type, name or annotation key), message, fix (a rulekit.Fix
    or None)."""
    __slots__ = ()


def changes(resources, workloads, data, old, new) -> list[Change]:
    """Every change for these Components and workloads when daprd moves from *old* to *new*
    (versions.Target or version strings), in file order."""
    old, new = versions.resolve(data, old) if isinstance(old, str) else old, \
        versions.resolve(data, new) if isinstance(new, str) else new
    out = []
    for resource in resources:
        if resource.kind_name == "Component" and resource.type is not None:
            out += _component_changes(resource, data, old, new)
    for workload in workloads:
        out += _workload_changes(workload, data, old, new)
    return sorted(out, key=lambda c: (c.path, c.span.start, c.kind))


# -- components --------------------------------------------------------------------
def _component_changes(resource, data, old, new) -> list[Change]:
    type_name = resource.type_name
    was, now = versions.is_registered(data, type_name, old), versions.is_registered(data, type_name, new)
    out = []
    if was != now:
        kind = TYPE_NEW if now else TYPE_GONE
        verb = "registers" if now else "no longer registers"
        out.append(Change(kind, resource.path, resource.type.span, type_name,
                          f"daprd {new.release} {verb} `{type_name}` (daprd {old.release} "
                          f"{'did not' if now else 'did'})", None))
    if not (was and now):
        return out  # the component does not load in one of them: its fields do not matter there
    renames = versions.renames(data, resource.type_key, resource.version_key, new)
    present = {item.key for item in resource.metadata if item.key}
    for item in resource.metadata:
        if item.name is None or not item.name.value.strip() or dapr.is_reference_like(item.name.value):
            continue
        spelling = item.name.value
        before = dapr.reads_name(resource, spelling, data, old)
        after = dapr.reads_name(resource, spelling, data, new)
        rename = renames.get(item.key)
        if rename is not None and versions.release_key(rename["since"]) > old.key:
            out.append(_renamed(resource, item, rename, new, present))
        elif before is True and after is False:
            out.append(Change(FIELD_STOPS, resource.path, item.name_span, spelling,
                              f"`{spelling}` is read by `{type_name}` in Dapr {old.release}, not in {new.release}: "
                              "daprd will ignore it", None))
        elif before is False and after is True:
            out.append(Change(FIELD_STARTS, resource.path, item.name_span, spelling,
                              f"`{spelling}` is ignored by `{type_name}` in Dapr {old.release} and read in "
                              f"{new.release}: its value starts to apply", None))
    return out


def _renamed(resource, item, rename, new, present) -> Change:
    spelling, target = item.name.value, rename["new"]
    still = "still reads the old name" if rename["read"] else "no longer reads the old name"
    message = (f"`{spelling}` of `{resource.type_name}` was renamed to `{target}` in Dapr {rename['since']}; "
               f"Dapr {new.release} {still}")
    fix = None
    if target.lower() not in present:
        from .fixes import replace_scalar
        from .rulekit import Fix

        fix = Fix(f"rename `{spelling}` to `{target}`", (replace_scalar(item.name, target),), "safe")
    return Change(FIELD_RENAMED, resource.path, item.name_span, spelling, message, fix)


# -- workloads ---------------------------------------------------------------------
def _workload_changes(workload, data, old, new) -> list[Change]:
    out = []
    for annotation in workload.annotations:
        key = annotation.name
        if not key.startswith("dapr.io/"):
            continue
        before, after = versions.annotation(data, key, old), versions.annotation(data, key, new)
        if before is None and after is None:
            continue  # unknown in both: ANN001's
        if after is None:
            out.append(_change(ANNOTATION_STOPS, workload, annotation,
                               f"the injector of Dapr {new.release} no longer reads `{key}` (Dapr {old.release} does)"))
            continue
        if before is None:
            out.append(_change(ANNOTATION_STARTS, workload, annotation,
                               f"`{key}` is read from Dapr {after['since']} on: ignored by {old.release}, "
                               f"applied by {new.release}"))
            continue
        since = after.get("replaced_since")
        if after.get("replaced_by") and since and old.key < versions.release_key(since) <= new.key:
            out.append(_change(ANNOTATION_REPLACED, workload, annotation,
                               f"`{key}` is replaced by `{after['replaced_by']}` in Dapr {since}"))
        for text in _behaviour(annotation, before, after, data, old, new):
            out.append(_change(ANNOTATION_CHANGES, workload, annotation, text))
    enabled = next((a for a in workload.annotations if a.name == "dapr.io/enabled"), None)
    if enabled is not None:
        defaults = _changed_defaults({a.name for a in workload.annotations}, data, old, new)
        if defaults:
            out.append(_change(ANNOTATION_CHANGES, workload, enabled,
                               f"defaults that change for this pod from Dapr {old.release} to {new.release} "
                               f"(not set here): " + ", ".join(defaults)))
    return out


def _changed_defaults(written: set, data, old, new) -> list[str]:
    """`key old -> new` for the annotations not written whose default the move changes."""
    out = []
    for key in sorted(versions.annotation_keys(data, old) & versions.annotation_keys(data, new)):
        if key in written:
            continue
        a, b = versions.annotation(data, key, old).get("default"), versions.annotation(data, key, new).get("default")
        if a != b:
            out.append(f"`{key}` {a!r} -> {b!r}")
    return out


def _change(kind, workload, annotation, message) -> Change:
    return Change(kind, workload.path, annotation.span, annotation.name, message, None)


def _behaviour(annotation, before, after, data, old, new) -> list[str]:
    """What the move changes for the value written in this annotation."""
    key, value = annotation.name, annotation.value
    text = value.value if value is not None else None
    out = []
    if text == "":
        was, now = versions.empty_annotation_value(data, old), versions.empty_annotation_value(data, new)
        if was != now:
            out.append(f"an empty `{key}` is {_EMPTY[was]} in Dapr {old.release} and {_EMPTY[now]} in {new.release}")
    elif text is not None and not dapr.is_reference_like(text):
        for was, now in _verdicts(text, before, after, data):
            out.append(f"`{key}: {_short(text)}` {was} in Dapr {old}, and {now.replace('is ', '', 1)} in {new}")
    return out


_EMPTY = {"unset": "ignored (the default applies)", "applied": "applied as an empty value"}


def _verdicts(text: str, before: dict, after: dict, data):
    """(old verdict, new verdict) for each component (injector, operator, daprd) whose value checks
    give *text* another verdict after the move (only the checks this module can evaluate)."""
    def verdicts(info):
        out = {}
        for v in info["validation"]:
            check = _CHECKS.get(v.get("check"))
            if check is not None:
                ok, failure = out.get(v["by"], (True, None))
                passed = check(text, data)
                out[v["by"]] = (ok and passed, failure if passed else (v.get("on_failure") or failure))
        return out

    was, now = verdicts(before), verdicts(after)
    for by in sorted(set(was) & set(now)):
        (a, a_why), (b, b_why) = was[by], now[by]
        if a != b:
            yield _verdict(by, a, a_why), _verdict(by, b, b_why)


def _verdict(by: str, ok: bool, why) -> str:
    return f"is accepted by the {by}" if ok else f"is not accepted by the {by}" + (
        f" ({why.replace('-', ' ')})" if why else "")


def _truthy(text: str, data) -> bool:
    return text.strip().lower() in versions.truthy_values(data)


_CHECKS = {  # the annotation value checks of releases/annotations.json this module evaluates
    "truthy": _truthy,
    "equals-fold:true": lambda text, data: text.lower() == "true",
}


def _short(text: str) -> str:
    from .redact import shown

    return shown(text) if len(text) <= 40 else shown(text[:37]) + "..."


# -- output ------------------------------------------------------------------------
def render(found: list[Change], old, new, fmt: str = "text") -> str:
    """The report: one line per change (`path:line:col: kind message`, `[*]` when a certain rename
    can be applied), then a summary line; or JSON (fmt "json")."""
    if fmt == "json":
        import json

        return json.dumps({"from": str(old), "to": str(new), "changes": [
            {"path": c.path, "line": c.span.line + 1, "column": c.span.column + 1, "kind": c.kind,
             "subject": c.subject, "message": c.message,
             "fix": None if c.fix is None else {"safety": c.fix.safety, "description": c.fix.description}}
            for c in found]}, indent=1) + "\n"
    lines = [f"{c.path}:{c.span.line + 1}:{c.span.column + 1}: {c.kind}{' [*]' if c.fix else ''} {c.message}"
             for c in found]
    fixable = sum(1 for c in found if c.fix is not None)
    noun = "change" if len(found) == 1 else "changes"
    tail = f" ({fixable} certain rename{'s' if fixable != 1 else ''} marked [*])" if fixable else ""
    lines.append(f"Dapr {old} -> {new}: {len(found)} {noun}{tail}.")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """`daprlint upgrade --from V --to V [--format text|json] PATH...`."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="daprlint upgrade", description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="old", required=True, metavar="V", help="the Dapr release you run now")
    parser.add_argument("--to", dest="new", required=True, metavar="V", help="the Dapr release you move to")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    args = parser.parse_args(argv)
    from .packs import load_packs

    data = load_packs().data
    try:
        old, new = versions.resolve(data, args.old), versions.resolve(data, args.new)
    except ValueError as exc:
        print(f"daprlint upgrade: error: {exc}", file=sys.stderr)
        return 2
    resources, workloads = _read(args.paths)
    sys.stdout.write(render(changes(resources, workloads, data, old, new), old, new, args.format))
    return 0


def _read(paths):
    """The Dapr resources and workloads of the YAML files under *paths* (unreadable files skipped)."""
    from . import loader, model
    from .discover import discover
    from .workloads import workloads_of

    resources, workloads = [], []
    for target in discover(paths, []):
        try:
            with open(target.path, "rb") as fh:
                source = loader.load_bytes(target.path, fh.read())
        except (OSError, loader.DecodeError):
            continue
        resources += model.resources_of(target.path, source.documents)
        workloads += workloads_of(target.path, source.documents)
    return resources, workloads

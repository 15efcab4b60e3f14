"""A metadata field that this component type requires is missing.

## What it does
Checks that every field the `metadata.yaml` of the target Dapr release
(`dapr-version`, default the newest release daprlint knows) marks
`required` for the component's type and version is set. Names match
case-insensitively; an empty or `null` value counts as missing, a
`secretKeyRef`, an `envRef` or a template counts as set, and so does an
alias the component's code reads in that release (`awsRegion`, `container`
for `containerName`, `url` for PostgreSQL's `connectionString`, Kafka's
legacy `authRequired` for `authType`, ...: the generated code data and
`rules/dapr/field-extras.json`). A release without a `metadata.yaml` for the
type (many before 1.16) has nothing to check: missing data is not evidence.

What the code says wins over the documentation: a field the code also takes
from each request is not required at init (`toNumber` of
`bindings.twilio.sms`, the recipients of the e-mail bindings), nor is one
its code does not read at all (`objectKey` of `bindings.alicloud.oss`;
DPR003 reports it when it is set). A `required` flag that a later
`metadata.yaml` drops is read as a documentation fix (pub/sub Redis
`redisPassword`, "required" in 1.12-1.14 only).

Fields that only matter for one binding direction (`binding: {input: true}`
in the metadata) are checked only when `direction` says the binding is used
that way. Fields with a default value are not required in practice, nor are
the fields an output binding also takes from each request (`emailTo` of
`bindings.smtp`) or that daprd fills in (`consumerID` of pub/sub
components), and a field is satisfied by its documented alternative
(`vaultTokenMountPath` for `vaultToken`, PostgreSQL `host` for
`connectionString`). Types daprd does not register are left to DPR002.

Authentication profiles: a field that every profile of the type requires
(Kafka's `authType`) is required. Otherwise a profile is only checked once
it is started: when one of its fields is set, or written with an empty or
`null` value (`accountSid: null` says which profile you meant), but no
profile is complete, the closest profile's missing fields are reported.
Profiles that all come from builtin profiles (1.14's Redis lists only Azure
AD ones) are optional: the component's own authentication is not described. A type with a
profile that requires nothing (AWS "Credentials from Environment
Variables") never fails this check, and neither do the four AWS bindings
with their own profile nor the GCP components: they also use the SDK's
default credential chain (DAPR-FACTS C.2; Application Default Credentials).
Profiles about transport security ("TLS Authentication", "mTLS
Authentication") are optional additions and are not checked. `region` of
AWS components is left to AWS001.

## Why is this bad?
The component fails to initialise (`missing ... field`), which stops daprd
unless `spec.ignoreErrors` is true, or it starts with a default that is not
what you meant.

## Example
```yaml
spec:
  type: state.aws.dynamodb
  version: v1
  metadata:
  - name: region
    value: eu-west-1
```
Use instead:
```yaml
  metadata:
  - name: table
    value: orders
  - name: region
    value: eu-west-1
```
"""
import re

from daprlint import dapr, versions

CODE = "DPR004"
NAME = "missing-required-field"
SEVERITY = "error"
SUMMARY = "required metadata field is missing"
FIX = "none"
KINDS = ("Component",)
SKIP_PARTIAL = True  # a kustomize patch sets only what it changes

EXTRAS = dapr.FIELD_EXTRAS
_IMPLICIT_CREDENTIALS = ("bindings.gcp.", "pubsub.gcp.", "secretstores.gcp.", "state.gcp.")
_TLS_PROFILE = re.compile(r"\bm?tls\b", re.I)


def check(resource, ctx):
    if resource.type is None:
        return
    t = dapr.target(ctx)
    plan = dapr.per_type(resource, ctx.data, CODE,
                         lambda r: _make_plan(r.type_key, r.version_key, None, ctx.data, t), t, plan_from_answers)
    if plan is None:
        return
    present = _present(resource, plan)
    direction = _direction(resource) if plan["directional"] else None
    reported = set()
    for key, name, binding in plan["required"]:
        if key in present or key in reported or not _applies_to(binding, direction):
            continue
        others = plan["alternatives"].get(key, ())
        reported.update(o.lower() for o in others)
        what = f"`{name}`" + "".join(f" or `{o}`" for o in others)
        yield ctx.report(resource.type.span,
                         f"`{resource.type_name}` requires the metadata field {what}, which is missing or empty")
    if not plan["profiles"]:
        return
    best = None
    common = plan["common"]
    named = _named(resource, plan)
    for title, needed in plan["profiles"]:
        missing = [n for n in needed if n.lower() not in present]
        if not missing:
            return
        # a profile is started by a field that has a value, or that is named with none (`accountSid: null`)
        started = any(n.lower() in present or n.lower() in named for n in needed if n.lower() not in common)
        if started and (best is None or len(missing) < len(best[1])):
            best = (title, missing)
    if best is None:
        return  # no profile started: the component may run without credentials
    title, missing = best
    missing = [m for m in missing if m.lower() not in common]  # reported above
    if missing:
        names = ", ".join(f"`{m}`" for m in missing)
        yield ctx.report(resource.type.span,
                         f"`{resource.type_name}`: the authentication profile '{title}' is incomplete, "
                         f"it also needs {names}")


def _make_plan(type_key, version_key, index, data, target=None):
    """What this type and version requires in the target release (default: the release of a
    versions.pack_data_for view, else the default one); None when nothing can be checked: the
    type or version is not registered there (DPR002's), or that release has no metadata.yaml
    for it (missing data is not evidence). *index* is not needed any more (schema_export passes it)."""
    t = versions._target(data, target if target is not None else getattr(data, "target", None))
    info = versions.type_info(data, type_key, t)
    if info is None or version_key not in info["versions"]:
        return None  # DPR002 reports unknown types; an unknown version leaves nothing reliable to check
    version = versions.version_info(data, type_key, version_key, t)
    fields = versions.fields(data, type_key, version_key, t)
    if version is None or not fields:
        return None
    reads = versions.code_reads(data, type_key, version_key, t)
    groups = dapr.extra_groups(type_key, version, data, t, version_key=version_key)
    not_required = {n.lower() for g in groups for n in g.get("not_required", ())}
    not_required |= {n.lower() for n in data.json(EXTRAS)["category_not_required"].get(type_key.partition(".")[0], ())}
    candidates = {k for k, f in fields.items() if f.get("required")}  # only these can be reported
    candidates |= {n.lower() for p in version.get("profiles") or () for n in p.get("required", ())}
    not_required |= _not_init_fields(candidates, reads)
    if _is_aws_type(type_key, data):
        not_required.add("region")  # AWS001
    required = []
    for key, info in fields.items():
        if not info.get("required") or info.get("source") not in ("component", "binding"):
            continue
        if info.get("default") not in (None, "") or key in not_required or _relaxed_later(data, type_key, version_key, key):
            continue
        required.append((key, info.get("name") or key, info.get("binding")))
    profiles = _profiles(version, type_key, data)
    common = set()
    if len(profiles) > 1:
        common = set.intersection(*(set(n.lower() for n in p.get("required", ())) for p in profiles))
        spelled = {n.lower(): n for p in profiles for n in p.get("required", ())}
        known = {r[0] for r in required}
        required += [(k, spelled[k], None) for k in sorted(common) if k not in not_required and k not in known]
    aliases = {}
    if reads is None:  # no code facts: the master data's AWS aliases
        for alias in data.json(dapr.AWS)["aliases"]:
            if type_key in alias["accepted_by"]:
                aliases.setdefault(alias["alias"].lower(), set()).add(alias["canonical"].lower())
    for key, info in fields.items():  # "Deprecated alias for `connectionString`" (1.12's PostgreSQL `url`)
        match = dapr.REPLACEMENT.search(info.get("description") or "") if info.get("deprecated") else None
        if match:
            aliases.setdefault(key, set()).add(match.group(1).rstrip(".").lower())
    alternatives = {}
    for group in groups:
        for alias, canonical in group.get("aliases", {}).items():
            aliases.setdefault(alias.lower(), set()).add(canonical.lower())
        for alias, info in group.get("deprecated", {}).items():
            if info.get("sets") or info.get("use"):
                aliases.setdefault(alias.lower(), set()).add((info.get("sets") or info["use"]).lower())
        for field, others in group.get("alternatives", {}).items():
            alternatives[field.lower()] = tuple(others)
            for other in others:
                aliases.setdefault(other.lower(), set()).add(field.lower())
    return {
        "required": required,
        "directional": any(r[2] for r in required),
        "profiles": [(p.get("title", "profile"), [n for n in p.get("required", ()) if n.lower() not in not_required])
                     for p in profiles],
        "common": common,
        "aliases": aliases,
        "alternatives": alternatives,
    }


def plan_to_json(plan):
    """_make_plan's answer in the form scripts/gen_answers.py writes (sets as sorted lists)."""
    if plan is None:
        return None
    return {**plan, "common": sorted(plan["common"]),
            "aliases": {alias: sorted(sets) for alias, sets in plan["aliases"].items()}}


def plan_from_answers(entry):
    """The plan from its generated form: plan_to_json undone, tuples and sets as _make_plan has them."""
    plan = entry[CODE]
    if plan is None:
        return None
    return {"required": [tuple(r) for r in plan["required"]], "directional": plan["directional"],
            "profiles": [tuple(p) for p in plan["profiles"]], "common": set(plan["common"]),
            "aliases": {alias: set(sets) for alias, sets in plan["aliases"].items()},
            "alternatives": {field: tuple(others) for field, others in plan["alternatives"].items()}}


def _relaxed_later(data, type_key, version_key, key) -> bool:
    """A required flag that the newest metadata.yaml listing the field no longer sets: a
    documentation fix (pubsub.redis `redisPassword`, required in 1.12-1.14 only; the settings
    code never required it), not a requirement of the older release."""
    newest = versions.newest_field_info(data, type_key, version_key, key)
    return newest is not None and not newest["required"]


def _not_init_fields(fields, reads) -> set:
    """The fields (lower-cased names) the target's code does not need at init: those it also
    takes from each request (the recipient of an SMS or e-mail) and, where the analysis is
    complete, those it does not read at all (DPR003 reports them when they are set)."""
    if reads is None:
        return set()
    out = set()
    for key in fields:
        read = reads.get(key)
        if read is not None and (read.per_request or read.how == "request"):
            out.add(key)
        elif reads.complete and (read is None or read.how not in versions.READ + ("unverified",)):
            out.add(key)
    return out


def _profiles(version, type_key, data):
    """The authentication profiles that must be complete (empty when one of them needs nothing)."""
    if type_key in data.json(dapr.AWS)["own_profile_types"] or type_key.startswith(_IMPLICIT_CREDENTIALS):
        return []
    profiles = [p for p in version.get("profiles") or () if not _TLS_PROFILE.search(p.get("title", ""))]
    if any(not [n for n in p.get("required", ()) if n.lower() != "region" or not _is_aws_profile(p)]
           for p in profiles):
        return []
    if profiles and all(str(p.get("source", "")).startswith("builtin:") for p in profiles):
        return []  # only builtin profiles (1.14's Redis: Azure AD only): the component's own auth is not described
    return profiles


def _is_aws_type(type_key, data):
    aws = data.json(dapr.AWS)
    return type_key in aws["builtin_profile_types"] or type_key in aws["own_profile_types"]


def _is_aws_profile(profile):
    return str(profile.get("source", "")).endswith(":aws") or profile.get("title", "").startswith("AWS")


def _present(resource, plan) -> set:
    """Lower-cased field names that have a value, aliases resolved to what they set."""
    present = {item.key for item in resource.metadata if item.key and item.has_value}
    aliases = plan["aliases"]
    for key in present & aliases.keys():
        present.update(aliases[key])
    return present


def _named(resource, plan) -> set:
    """Lower-cased field names that are written, with or without a value (aliases resolved)."""
    named = {item.key for item in resource.metadata if item.key}
    aliases = plan["aliases"]
    for key in named & aliases.keys():
        named.update(aliases[key])
    return named


def _direction(resource):
    """{'input', 'output'} named by `direction`, or None when it is not set."""
    item = resource.first("direction")
    literal = item.literal if item else None
    if literal is None or dapr.is_reference_like(literal.value):
        return None
    return {part.strip().lower() for part in literal.value.split(",") if part.strip()}


def _applies_to(binding, direction) -> bool:
    if not binding:
        return True
    wanted = {d for d in ("input", "output") if binding.get(d)}
    if wanted == {"input", "output"}:
        return True
    return direction is not None and bool(wanted & direction)

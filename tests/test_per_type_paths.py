"""The per-type shortcuts of dapr.py and versions.py give the answers of the long way.

Round five of issue 16 (the corpus copy, whose files hold ~140 component types) made
the work done once per type cheaper: dapr.extra_groups matches the hand-kept groups of
field-extras.json once per (type, builtin profiles), and versions._present/_in skip the
generator for the common entry without gaps. These compare each with its plain path.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daprlint import dapr, versions
from daprlint.packs import PackData, builtin_pack_path

SOME = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RELEASES = ["1.11", "1.12", "1.13", "1.14", "1.15", "1.16", "1.17", "1.17.3", "1.18", "1.19", "master"]
RELEASE = st.sampled_from(RELEASES)
KEYS = st.sampled_from(RELEASES).map(versions.release_key)


def _fresh() -> PackData:
    return PackData([builtin_pack_path()])


# -- versions._present / versions._in: the loops against the plain any() ---------------------
def _present_plain(entry: dict, key: tuple) -> bool:
    if key < versions.release_key(entry["since"]):
        return False
    until = entry.get("until")
    if until is not None and key >= versions.release_key(until):
        return False
    return not any(versions.release_key(a) <= key < versions.release_key(b) for a, b in entry.get("gaps", ()))


def _in_plain(ranges, key: tuple) -> bool:
    return any(versions.release_key(a) <= key and (b is None or key < versions.release_key(b))
               for a, b in ranges or ())


ENTRY = st.fixed_dictionaries({"since": RELEASE}, optional={
    "until": st.one_of(st.none(), RELEASE), "gaps": st.lists(st.tuples(RELEASE, RELEASE), max_size=3)})


@SOME
@given(ENTRY, KEYS)
def test_present_is_the_plain_test(entry, key):
    assert versions._present(entry, key) == _present_plain(entry, key)


@SOME
@given(st.one_of(st.none(), st.lists(st.tuples(RELEASE, st.one_of(st.none(), RELEASE)), max_size=4)), KEYS)
def test_in_is_the_plain_test(ranges, key):
    assert versions._in(ranges, key) == _in_plain(ranges, key)


# -- dapr.extra_groups: the memo of the hand-kept groups against matching them afresh --------
def _hand_groups_plain(type_key: str, version: dict | None, data) -> list[dict]:
    profiles = set((version or {}).get("builtin_profiles") or ())
    return [g for g in data.json(dapr.FIELD_EXTRAS)["groups"]
            if type_key in g.get("types", ()) or g.get("builtin_profile") in profiles
            or type_key.startswith(tuple(g.get("type_prefixes", ())))]


def _type_names() -> list[str]:
    return sorted(dapr.type_index(_fresh()))


TYPE = st.sampled_from(_type_names() + ["state.nosuch", "bindings.aws.unknown", "pubsub.kafka2", ""])
PROFILES = st.lists(st.sampled_from(["aws", "azuread", "gcp", "nosuch"]), max_size=3, unique=True)


@SOME
@given(st.lists(st.tuples(TYPE, st.one_of(st.none(), PROFILES.map(lambda p: {"builtin_profiles": p}))),
                min_size=1, max_size=6))
def test_extra_groups_memo_gives_the_plain_groups(calls):
    data = _fresh()  # one PackData for the whole sequence: later calls hit the memo
    target = versions.resolve(data)
    for type_key, version in calls:
        hand = dapr.extra_groups(type_key, version, data, target, version_key="v1", generated=False)
        assert hand == _hand_groups_plain(type_key, version, data)
        hand.append({"mutated": True})  # a caller's list is its own: the memo stays as it was
        assert dapr.extra_groups(type_key, version, data, target, version_key="v1", generated=False) \
            == _hand_groups_plain(type_key, version, data)
        full = dapr.extra_groups(type_key, version, data, target, version_key="v1")
        code = versions.code_extras(data, type_key, "v1", target)
        assert full == _hand_groups_plain(type_key, version, data) + ([code] if code else [])

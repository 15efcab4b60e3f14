"""Rule selection: every selector resolves to rules or is rejected; none is ignored silently.

The hypothesis tests compare select_rules with the selection as it was
before selectors were checked (OLD below): a selector the new code accepts
selects exactly what it selected before (a rule name, new, selects its
rule), and a selector it rejects selected nothing, or only what the
default would anyway.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from daprlint.config import ConfigError, Settings
from daprlint.packs import load_packs
from daprlint.selection import NEVER_IGNORED, select_rules

RULESET = load_packs()
CODES = sorted(RULESET.rules)
NAMES = sorted(r.name for r in RULESET.rules.values())


def _old(ruleset, select, extend_select, ignore):
    """select_rules before selectors were checked (the algorithm of commit 308f4ca)."""
    def matches(code, selector, opt_in):
        if selector == "ALL":
            return True
        return code == selector if opt_in else code.startswith(selector)

    enabled = set()
    for code, rule in ruleset.rules.items():
        on = not rule.opt_in if select is None else any(matches(code, s, rule.opt_in) for s in select)
        on = on or any(matches(code, s, rule.opt_in) for s in extend_select)
        if any(code.startswith(s) or s == "ALL" for s in ignore) and code not in NEVER_IGNORED:
            on = False
        if on or code in NEVER_IGNORED:
            enabled.add(code)
    return enabled


def _settings(where, text, purpose="select", **fields):
    return Settings(selectors=[(where, purpose, text)], **fields)


def _new(select=None, extend_select=(), ignore=(), text=None, purpose="select"):
    selectors = [("test", purpose, text)] if text is not None else []
    s = Settings(select=None if select is None else list(select), extend_select=list(extend_select),
                 ignore=list(ignore), selectors=selectors)
    return set(select_rules(RULESET, s)), s


selector_text = st.one_of(
    st.sampled_from(CODES),
    st.sampled_from(CODES).map(lambda c: c[:-1]),
    st.sampled_from(CODES).map(lambda c: c.rstrip("0123456789")),
    st.sampled_from(NAMES),
    st.sampled_from(NAMES).map(str.upper),
    st.sampled_from(["ALL", "all", "A", "S", "SCE", "NOPE", "AWS0", "AWS009", "DPR0", "INT", "I", "aws-", "X"]),
    st.text(alphabet="ACDEFILNOPRSTUWXY0123456789-", min_size=1, max_size=8),
)


@hsettings(max_examples=400, deadline=None)
@given(selector_text, st.sampled_from(["select", "extend-select", "ignore"]))
def test_a_selector_is_resolved_as_before_or_rejected(text, where):
    upper = text.strip().upper()
    default = _old(RULESET, None, [], [])
    lists = {"select": ([upper], [], []), "extend-select": (None, [upper], []), "ignore": (None, [], [upper])}[where]
    before = _old(RULESET, *lists)
    purpose = "ignore" if where == "ignore" else "select"
    try:
        after, settings = _new(*lists, text=text, purpose=purpose)
    except ConfigError as exc:
        assert str(exc).startswith("test: ") and len(str(exc)) > 20  # a message, with where it was written
        # rejected: before, it selected nothing (or only what is never ignored), or changed nothing
        if where == "select":
            assert before <= NEVER_IGNORED, (text, before)
        elif where == "extend-select":
            assert before == default, (text, before)
        else:
            assert before == default, (text, before)
        return
    name_code = {r.name.upper(): c for c, r in RULESET.rules.items()}.get(upper)
    if name_code is not None:  # a rule name is its code
        assert after == _old(RULESET, *[[name_code] if x == [upper] else x for x in lists])
    else:
        assert after == before, text
    # and it was not silently ignored: it names rules it can act on
    resolved = name_code or upper
    named = {c for c in CODES if resolved == "ALL" or c.startswith(resolved)}
    assert named - NEVER_IGNORED if where == "ignore" else named & after, text


@hsettings(max_examples=150, deadline=None)
@given(st.lists(selector_text, min_size=1, max_size=4))
def test_per_file_ignores_and_severity_keys_are_checked(texts):
    for text in texts:
        upper = text.strip().upper()
        settings = Settings(per_file_ignores={"x/*": [upper]}, selectors=[("pfi", "ignore", text)])
        try:
            select_rules(RULESET, settings)
        except ConfigError:
            assert not [c for c in CODES if c.startswith(upper)] or all(
                c in NEVER_IGNORED for c in CODES if c.startswith(upper)) or upper == ""
            continue
        ignored = settings.per_file_ignores["x/*"]
        assert ignored and all(any(c.startswith(i) for c in CODES) for i in ignored)  # codes or prefixes now
        settings = Settings(severity={upper: "info"}, selectors=[("sev", "severity", text)])
        try:
            select_rules(RULESET, settings)
        except ConfigError:
            assert upper not in RULESET.rules and upper not in {n.upper() for n in NAMES}
            continue
        assert list(settings.severity) == [{r.name.upper(): c for c, r in RULESET.rules.items()}.get(upper, upper)]


def test_names_become_codes_everywhere():
    settings = Settings(select=["AWS-MISSING-REGION"], extend_select=["AWS-EXPLICIT-CREDENTIALS"],
                        ignore=["SECRET-REF-WITHOUT-STORE"], per_file_ignores={"a/*": ["ALL"], "b/*": ["AWS-INVALID-REGION"]},
                        severity={"UNKNOWN-METADATA-FIELD": "info"},
                        selectors=[("t", "select", "aws-missing-region")])
    enabled = select_rules(RULESET, settings)
    assert {"AWS001", "AWS006"} <= set(enabled) and "AWS002" not in enabled
    assert settings.ignore == ["SEC003"] and settings.severity == {"DPR003": "info"}
    assert settings.per_file_ignores == {"a/*": CODES, "b/*": ["AWS008"]}
    again = dict(enabled)
    assert select_rules(RULESET, settings) == again  # idempotent


def test_opt_in_only_prefix_and_never_ignored_are_rejected_with_the_reason(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    for code, opt_in in (("ORG001", True), ("ORG002", True), ("ORG101", False)):
        (pack / f"{code.lower()}.py").write_text(
            f'CODE = "{code}"\nNAME = "r-{code.lower()}"\nSEVERITY = "info"\nSUMMARY = "s"\nOPT_IN = {opt_in}\n'
            "def check(resource, ctx):\n    return ()\n")
    ruleset = load_packs([pack])
    with pytest.raises(ConfigError, match=r"'ORG0' matches only opt-in rules \(ORG001, ORG002\)"):
        select_rules(ruleset, _settings("--select", "ORG0", select=["ORG0"]))
    assert "ORG001" in select_rules(ruleset, _settings("--select", "ORG001", select=["ORG001"]))
    assert "ORG101" in select_rules(ruleset, _settings("--select", "ORG", select=["ORG"]))
    with pytest.raises(ConfigError, match="'INT001' cannot be ignored"):
        select_rules(ruleset, _settings("cfg: 'ignore'", "int001", "ignore", ignore=["INT001"]))
    with pytest.raises(ConfigError, match=r"^cfg: 'ignore': unknown rule selector 'NOPE'; rule codes start with"):
        select_rules(ruleset, _settings("cfg: 'ignore'", "nope", "ignore", ignore=["NOPE"]))


def test_cli_selection_messages():
    from conftest import FIXTURES, run_cli

    bad = str(FIXTURES / "rules" / "AWS001" / "bad.yaml")
    proc = run_cli("check", "--isolated", "--no-cache", "--select", "aws-missing-region", bad)
    assert proc.returncode == 1 and b"AWS001" in proc.stdout
    proc = run_cli("check", "--isolated", "--no-cache", "--select", "NOPE", bad)
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode().strip() == (
        "daprlint: error: --select: unknown rule selector 'NOPE'; rule codes start with "
        + ", ".join(sorted({r.prefix for r in RULESET.rules.values()})) + " ('daprlint rules' lists them)")

"""Fast paths give the answers of the slow paths they stand in for.

Each shortcut taken for speed (see bench/) is checked here against the
plain computation over the examples, the rule fixtures, ../shared/corpus and
generated inputs.
"""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, SHARED
from daprlint import loader, model
from daprlint.packs import load_packs
from daprlint.rulekit import RuleContext

ROOT = Path(__file__).resolve().parent.parent
RULES = load_packs()


def _manifests():
    roots = [ROOT / "examples", FIXTURES, SHARED / "corpus"]
    for root in roots:
        if root.exists():
            yield from sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def _sec002(text, forced):
    rule = RULES.rules["SEC002"]
    source = loader.parse("x.yaml", text)
    # a backslash in the context text turns the pre-filter off: the full scan
    ctx = RuleContext(path="x.yaml", text=text + "\n#\\" if forced else text, options={}, data=RULES.data)
    found = []
    for resource in model.resources_of("x.yaml", source.documents):
        found += [(d.span, d.message) for d in rule.check(resource, ctx) or ()]
    return found


def test_sec002_prefilter_finds_what_the_full_scan_finds_on_real_files():
    checked = found = 0
    for path in _manifests():
        try:
            text, _ = loader.decode(path.read_bytes())
        except loader.DecodeError:
            continue
        fast = _sec002(text, forced=False)
        assert fast == _sec002(text, forced=True), path
        checked += 1
        found += len(fast)
    assert checked > 20 and found > 0  # the examples alone hold SEC002 findings


CREDENTIALS = st.sampled_from(["AKIAABCDEFGHIJKLMNOP", "ASIA1234567890ABCDEF", "amqp://guest:s3cret@host:5672",
                               "redis://:p4ss-word@cache", "postgres://u:p@db/x",
                               "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----"])


def _styled(value, style):
    if style == "plain":
        return value.replace("\n", " ")
    if style == "single":
        return "'" + value.replace("'", "''").replace("\n", "\n\n      ") + "'"
    if style == "double":
        return '"' + value.replace("\n", "\\n") + '"'
    if style == "folded-plain":
        head, _, tail = value.partition("-")
        return head + "\n      -" + tail if tail else value
    return "|\n      " + value.replace("\n", "\n      ")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CREDENTIALS, st.sampled_from(["plain", "single", "double", "folded-plain", "block"]),
       st.sampled_from(["host", "brokers", "note", "description"]))
def test_sec002_prefilter_agrees_for_every_scalar_style(value, style, name):
    text = ("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\nspec:\n"
            "  type: pubsub.rabbitmq\n  version: v1\n  metadata:\n"
            f"  - name: {name}\n    value: {_styled(value, style)}\n")
    assert _sec002(text, forced=False) == _sec002(text, forced=True)


def _lint_all(engine, paths):
    out = []
    for path in paths:
        result = engine.finalize(engine.lint_bytes(str(path), path.read_bytes()))
        out.append([(f.code, f.span, f.message) for f in result.findings])
    return out


def test_skipping_files_without_dapr_resources_changes_no_finding():
    from daprlint.config import Settings
    from daprlint.engine import Engine

    paths = list(_manifests())
    suite = SHARED / "reference" / "yaml-test-suite"
    if suite.exists():
        paths += sorted(suite.glob("*/in.yaml"))
    fast, full = Engine(RULES, Settings(select=["ALL"])), Engine(RULES, Settings(select=["ALL"]))
    full.skip_non_dapr = False
    assert _lint_all(fast, paths) == _lint_all(full, paths)


def test_files_without_dapr_resources_are_not_parsed():
    from daprlint.config import Settings
    from daprlint.engine import Engine, may_hold_resources

    assert not may_hold_resources("apiVersion: apps/v1\nkind: Deployment\n")
    assert may_hold_resources('apiVersion: "dapr.io/v1alpha1"\n')
    assert may_hold_resources('apiVersion: "dapr\\x2eio/v1alpha1"\n')  # an escape can spell it
    result = Engine(RULES, Settings()).lint_text("x.yaml", "a: [\nkind: Deployment\n")
    assert result.source.documents == [] and result.source.parse_error is None

"""Which rules run: `select`, `extend-select` and `ignore` from the settings.

Selectors are rule codes, code prefixes (`AWS`, `DPR00`), rule names
(`aws-missing-region`, any case) or `ALL`. Opt-in rules run only when
selected by their exact code or name.

Every selector the settings hold (config files and flags, including
`per-file-ignores` values and `severity` keys) is checked here, once the
packs are loaded, because only the packs know the codes: one that names no
rule, or would select nothing, is a ConfigError with a "did you mean". A
selector is never ignored silently. Names are then replaced by their codes
and `ALL` in `per-file-ignores` by every code, so the engine only ever
matches codes and prefixes.
"""
from __future__ import annotations

from .config import ConfigError

TYPE_CHECKING = False  # typing costs ~3 ms at start-up: annotations only
if TYPE_CHECKING:
    from .config import Settings
    from .packs import Rule, RuleSet

INTERNAL_ERROR = "INT001"
NEVER_IGNORED = {INTERNAL_ERROR}


def _matches(code: str, selector: str, opt_in: bool) -> bool:
    if selector == "ALL":
        return True
    if opt_in:
        return code == selector  # opt-in rules need their exact code
    return code.startswith(selector)


def select_rules(ruleset: RuleSet, settings: Settings) -> dict[str, Rule]:
    """The enabled rules; checks and normalises the settings' selectors first (see the module doc)."""
    resolve_selectors(ruleset, settings)
    selectors = settings.select if settings.select is not None else None
    enabled = {}
    for code, rule in ruleset.rules.items():
        if selectors is None:
            on = not rule.opt_in
        else:
            on = any(_matches(code, s, rule.opt_in) for s in selectors)
        on = on or any(_matches(code, s, rule.opt_in) for s in settings.extend_select)
        if any(code.startswith(s) or s == "ALL" for s in settings.ignore) and code not in NEVER_IGNORED:
            on = False
        if on or code in NEVER_IGNORED:
            enabled[code] = rule
    return enabled


class _Known:
    """The codes and names of the loaded rules, for checking selectors."""

    def __init__(self, ruleset: RuleSet):
        self.rules = ruleset.rules
        self.codes = sorted(ruleset.rules)
        self.names = {rule.name.upper(): code for code, rule in ruleset.rules.items()}

    def code_of(self, selector: str) -> str:
        """A name as its code; a code, prefix or ALL unchanged."""
        return self.names.get(selector, selector)

    def matched(self, selector: str) -> list[str]:
        if selector == "ALL":
            return self.codes
        return [c for c in self.codes if c.startswith(selector)] if selector else []

    def problem(self, selector: str, purpose: str) -> str | None:
        """Why *selector* (upper-cased, names resolved) cannot be used for *purpose*; None when it can."""
        matched = self.matched(selector)
        if not matched:
            return f"unknown rule selector {selector!r}" + self._hint(selector)
        if purpose == "severity" and selector not in self.rules:
            return f"{selector!r} is not a rule code: a severity applies to one rule (its code or name)"
        if purpose == "select" and selector not in self.rules and selector != "ALL" and \
                all(self.rules[c].opt_in for c in matched):
            return (f"{selector!r} matches only opt-in rules ({', '.join(matched)}), which run only when selected "
                    "by their exact code")
        if purpose == "ignore" and all(c in NEVER_IGNORED for c in matched):
            return f"{selector!r} cannot be ignored: {', '.join(matched)} reports a rule that crashed"
        return None

    def _hint(self, selector: str) -> str:
        from difflib import get_close_matches  # only on the error path

        families = sorted({self.rules[c].prefix for c in self.codes})
        lowered = {name: name.lower() for name in self.names}
        candidates = self.codes + families + list(lowered) + ["ALL"]
        close = get_close_matches(selector, candidates, n=1, cutoff=0.6)
        if close:
            return f"; did you mean {lowered.get(close[0], close[0])!r}?"
        return f"; rule codes start with {', '.join(families)} ('daprlint rules' lists them)"


def resolve_selectors(ruleset: RuleSet, settings: Settings) -> None:
    """Check every selector of *settings* against the loaded rules (ConfigError
    for the first bad one, naming where it was written), then rewrite names as
    codes in place. Idempotent."""
    known = _Known(ruleset)
    for where, purpose, text in settings.selectors:
        selector = known.code_of(text.strip().upper())
        problem = known.problem(selector, purpose)
        if problem is not None:
            raise ConfigError(f"{where}: {problem}")
    if settings.select is not None:
        settings.select = [known.code_of(s) for s in settings.select]
    settings.extend_select = [known.code_of(s) for s in settings.extend_select]
    settings.ignore = [known.code_of(s) for s in settings.ignore]
    settings.per_file_ignores = {
        glob: [code for s in codes for code in (known.codes if s == "ALL" else [known.code_of(s)])]
        for glob, codes in settings.per_file_ignores.items()}
    settings.severity = {known.code_of(code): level for code, level in settings.severity.items()}

"""Which rules run: `select`, `extend-select` and `ignore` from the settings.

Selectors are rule codes or code prefixes (`AWS`, `DPR00`), or `ALL`.
Opt-in rules run only when selected by their exact code.
"""
from __future__ import annotations

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

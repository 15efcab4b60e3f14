"""Tree rules: the linted paths as one deployment.

Each file's resources are reduced to `Facts` (plain data: kind, name,
namespace, type, scopes, and the names it refers to, each with its
position). Tree rules see only facts, so they work the same with the cache
and with --jobs, and cost grows linearly with the number of resources.

Tree rules run over what was linted together (plus `resources-paths` from
the config, which are read for their facts only). A single file in an
editor therefore never gets "unknown secret store" because its neighbours
were not loaded: the XRF rules also stay silent unless the tree defines at
least one resource of the kind they look for.
"""
from __future__ import annotations

from collections import defaultdict
from ._record import field, record as dataclass

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .model import Resource, Scalar, get, is_templated, text_of
from .rulekit import Diagnostic
from .span import Span


def _loc(scalar: Scalar | None):
    return None if scalar is None else (scalar.value, tuple(_span_tuple(scalar.span)))


def _span_tuple(span: Span):
    return (span.start, span.end, span.line, span.column, span.end_line, span.end_column)


@dataclass(slots=True)
class Ref:
    """A located name: what a resource is called or refers to."""

    value: str
    path: str
    span: Span


@dataclass(slots=True)
class Facts:
    path: str
    kind: str
    api_version: str
    name: Ref | None
    namespace: str
    type: str
    scopes: list[Ref] | None
    secret_store: Ref | None = None
    pubsub: Ref | None = None                                  # Subscription spec.pubsubname
    resiliency_components: list[Ref] = field(default_factory=list)

    @property
    def category(self) -> str:
        return self.type.split(".", 1)[0] if self.type else ""

    def to_json(self) -> list:
        ref = lambda r: None if r is None else [r.value, _span_tuple(r.span)]
        return [self.kind, self.api_version, ref(self.name), self.namespace, self.type,
                None if self.scopes is None else [ref(s) for s in self.scopes], ref(self.secret_store),
                ref(self.pubsub), [ref(r) for r in self.resiliency_components]]

    @classmethod
    def from_json(cls, path: str, data: list) -> "Facts":
        ref = lambda r: None if r is None else Ref(r[0], path, Span(*r[1]))
        kind, api, name, ns, typ, scopes, store, pubsub, targets = data
        return cls(path, kind, api, ref(name), ns, typ, None if scopes is None else [ref(s) for s in scopes],
                   ref(store), ref(pubsub), [ref(r) for r in targets])


def _ref(path: str, scalar: Scalar | None) -> Ref | None:
    if scalar is None or not scalar.value or is_templated(scalar.value):
        return None
    return Ref(scalar.value, path, scalar.span)


def facts_of(resource: Resource) -> Facts:
    path = resource.path
    scopes_node = get(resource.node, "scopes")
    scopes = None
    if isinstance(scopes_node, SequenceNode):
        scopes = [r for r in (_ref(path, Scalar.of(n)) for n in scopes_node.value) if r is not None]
    facts = Facts(
        path=path, kind=resource.kind_name,
        api_version=resource.api_version.value if resource.api_version else "",
        name=_ref(path, resource.name),
        namespace=(resource.namespace.value if resource.namespace and resource.namespace.value else "default"),
        type=resource.type_name.strip(), scopes=scopes,
        secret_store=_ref(path, resource.auth_secret_store),
    )
    if facts.kind == "Subscription":
        facts.pubsub = _ref(path, Scalar.of(get(resource.spec, "pubsubname")))
    elif facts.kind == "Resiliency":
        components = get(get(resource.spec, "targets"), "components")
        if isinstance(components, MappingNode):
            for k, _ in components.value:
                if isinstance(k, ScalarNode):
                    r = _ref(path, Scalar.of(k))
                    if r:
                        facts.resiliency_components.append(r)
    return facts


TREE_SCOPES = ("folder", "tree")


class Tree:
    """All facts, grouped into deployments, for tree rules.

    A deployment is (folder, namespace) by default, because daprd loads one
    resources path (a folder) per run and a repository often keeps several
    independent sets of components side by side. With `tree-scope = "tree"`
    everything linted together is one deployment (grouped by namespace
    only), e.g. a folder tree applied to one cluster. Files from
    `resources-paths` belong to every deployment.
    """

    def __init__(self, facts: list[Facts], shared: list[Facts] = (), scope: str = "folder"):
        import os

        self.facts = facts
        self.groups: dict[tuple[str, str], list[Facts]] = defaultdict(list)
        units: dict[str, str] = {}  # dirname as written -> absolute folder: abspath once per folder, not per file
        for f in facts:
            unit = ""
            if scope == "folder":
                written = os.path.dirname(f.path)
                unit = units.get(written)
                if unit is None:
                    unit = units[written] = os.path.dirname(os.path.abspath(f.path))
            self.groups[(unit, f.namespace)].append(f)
        for key in self.groups:
            # shared facts first: a duplicate is then reported in the linted file, not the context one
            self.groups[key] = [f for f in shared if f.namespace == key[1]] + self.groups[key]

    def components(self, key: tuple[str, str], category: str | None = None) -> list[Facts]:
        return [f for f in self.groups.get(key, ()) if f.kind == "Component" and f.name is not None
                and (category is None or f.category == category)]

    def of_kind(self, kind: str) -> list[Facts]:
        return [f for f in self.facts if f.kind == kind]


@dataclass(slots=True)
class TreeDiagnostic:
    path: str
    diagnostic: Diagnostic


class TreeContext:
    def __init__(self, options, data):
        self.options = options
        self.data = data

    def report(self, ref: Ref, message: str) -> TreeDiagnostic:
        return TreeDiagnostic(ref.path, Diagnostic(ref.span, message))

    def option(self, name, default=None):
        return self.options.get(name, default)


def where(ref: Ref) -> str:
    return f"{ref.path}:{ref.span.line + 1}"


# A suggestion compares the unknown name with every candidate: with a whole
# monorepo in one namespace (tree-scope = "tree") that would make tree rules
# cost (unknown names) x (components), quadratic in the number of files. Past
# this many candidates there is no "did you mean" (the message still names
# the namespace), so the cost stays linear.
MAX_SUGGESTION_CANDIDATES = 200


def name_list(names, limit: int = 8) -> str:
    """`a`, `b`, ... for a message, at most *limit* names and a count of the rest."""
    names = sorted(names)
    shown = ", ".join(f"`{n}`" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def closest_name(ctx: TreeContext, word: str, candidates) -> str | None:
    """`difflib.get_close_matches(word, candidates, n=1)`, memoised per run.

    Same answer, cheaper: a candidate whose upper bound (real_quick_ratio,
    then quick_ratio) is below the best ratio so far cannot win (a tie can:
    get_close_matches breaks ties by the larger string), so its full ratio is
    never computed. Typos repeat across folders, hence the memo."""
    candidates = tuple(candidates)
    if len(candidates) > MAX_SUGGESTION_CANDIDATES:
        return None  # see MAX_SUGGESTION_CANDIDATES
    memo = ctx.data.memo("tree.closest_name")
    key = (word, candidates)
    if key in memo:
        return memo[key]
    import difflib

    cutoff = 0.6  # get_close_matches' default
    best_score, best = -1.0, None
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    for name in candidates:
        matcher.set_seq1(name)
        floor = max(cutoff, best_score)
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            continue
        score = matcher.ratio()
        if score >= cutoff and (score, name) > (best_score, best or ""):
            best_score, best = score, name
    if len(memo) > 50_000:
        memo.clear()  # a long-lived language server must not grow without bound
    memo[key] = best
    return best


def tree_findings(engine, paths: list[str], facts: list[Facts], shared: list[Facts] = ()) -> list:
    """The tree rules' findings, in rule order: only those in *paths* (the
    linted files, in order; *facts* are theirs, *shared* come from
    `resources-paths`). A crashing rule gives an INT001 in the first file.

    A pure function of the facts (and the settings), which is what lets the
    cache store its answer (see cache.py)."""
    from .engine import Finding

    rules = engine._by_scope.get("tree", [])
    if not rules:
        return []
    linted = set(paths)
    tree = Tree(facts, shared, engine.options.get("tree-scope", "folder"))
    ctx = TreeContext(engine.options, engine.ruleset.data)
    found: list[Finding] = []
    for rule in rules:
        try:
            items = list(rule.check(tree, ctx) or ())
        except Exception as exc:
            if paths:
                found.append(engine.internal_error(rule, paths[0], exc))
            continue
        # findings in context-only files are not reported
        found += [engine._finding(rule, item.path, item.diagnostic) for item in items if item.path in linted]
    return found


def add_findings(results, findings) -> None:
    """Append each finding to the result of its file."""
    by_path = {r.path: r for r in results}
    for finding in findings:
        by_path[finding.path].findings.append(finding)


def run_tree_rules(engine, results, context_results=()):
    """Add tree findings to *results* (context results only contribute facts), then finalize them."""
    if engine._by_scope.get("tree"):
        findings = tree_findings(engine, [r.path for r in results], [f for r in results for f in r.facts],
                                 [f for r in context_results for f in r.facts])
        add_findings(results, findings)
    return [engine.finalize(r) for r in results]

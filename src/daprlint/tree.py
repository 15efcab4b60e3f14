"""Deployment rules: run the tree rules over the deployments.

The deployment layer (deployments.py) says which resources load together;
this module runs the rules whose SCOPE is "tree" over them, and gives those
rules their helpers. Rules see only facts (facts.py), so they work the same
with the cache and with --jobs, and cost grows linearly with the number of
resources.

Each tree rule fires only when a deployment holds the facts it needs (the
XRF rules stay silent unless the deployment defines at least one resource
of the kind they look for), so a partial tree stays quiet.
"""
from __future__ import annotations

from ._record import record as dataclass

from .deployments import namespace_of
from .facts import Ref
from .rulekit import Diagnostic


class Tree:
    """The deployments, their resources grouped by namespace, for tree rules.

    `groups` maps (deployment key, namespace) to the Dapr resources of that
    namespace in that deployment, shared (`resources-paths`) ones first, so
    a duplicate is reported in the linted file, not the context one.
    `workloads(key)` and `secrets(key)` give the same grouping for pods and
    Secrets, `deployment(key)` the deployments.Deployment itself.
    """

    def __init__(self, deployments, linted: set | None = None):
        self.deployments = {d.key: d for d in deployments}
        self.groups: dict[tuple[str, str], list] = {}
        self._workloads: dict[tuple[str, str], list] = {}
        self._secrets: dict[tuple[str, str], list] = {}
        # context files first (stable): "already defined at" then points at a committed file
        # and the finding lands in the linted one
        first = (lambda f: f.path in linted) if linted is not None else (lambda f: False)
        for d in deployments:
            for namespace, resources in d.namespaces().items():
                self.groups[(d.key, namespace)] = sorted(resources, key=first)
            for items, into in ((d.workloads, self._workloads), (d.secrets, self._secrets)):
                for item in sorted(items, key=first):
                    key = (d.key, d.namespace_of(item))
                    into.setdefault(key, []).append(item)
                    self.groups.setdefault(key, [])

    def deployment(self, key: tuple[str, str]):
        return self.deployments[key[0]]

    def components(self, key: tuple[str, str], category: str | None = None) -> list:
        return [f for f in self.groups.get(key, ()) if f.kind == "Component" and f.name is not None
                and (category is None or f.category == category)]

    def workloads(self, key: tuple[str, str]) -> list:
        return self._workloads.get(key, [])

    def secrets(self, key: tuple[str, str]) -> list:
        return self._secrets.get(key, [])

    def of_kind(self, kind: str) -> list:
        return [f for d in self.deployments.values() for f in d.resources if f.kind == kind]


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


def tree_findings(engine, paths: list[str], deployments) -> list:
    """The tree rules' findings over *deployments*, in rule order, only those
    in *paths* (the linted files; the others were read as context). The same
    finding from two deployments that share a file is reported once. A
    crashing rule gives an INT001 in the first file.

    A pure function of the facts (and the settings), which is what lets the
    cache store its answer (see cache.py)."""
    rules = engine.rules_of_scope("tree")
    if not rules:
        return []
    linted = set(paths)
    tree = Tree(deployments, linted)
    ctx = TreeContext(engine.options, engine.ruleset.data)
    found = []
    seen = set()
    for rule in rules:
        try:
            items = list(rule.check(tree, ctx) or ())
        except Exception as exc:
            if paths:
                found.append(engine.internal_error(rule, paths[0], exc))
            continue
        for item in items:
            if item.path not in linted:
                continue  # findings in context-only files are not reported
            finding = engine._finding(rule, item.path, item.diagnostic)
            key = (finding.path, tuple(finding.span), finding.code, finding.message)
            if key not in seen:
                seen.add(key)
                found.append(finding)
    return found


def add_findings(results, findings) -> None:
    """Append each finding to the result of its file."""
    by_path = {r.path: r for r in results}
    for finding in findings:
        by_path[finding.path].findings.append(finding)


def run(engine, targets, results, context_targets=(), context=(), shared_targets=(), shared=(), cache=None,
        jobs: int = 1, want_texts: bool = False, root: str | None = None, frames: bool = False):
    """Add the deployment rules' findings to *results* (the linted files;
    *context* and *shared* results, from workspace.py, only contribute
    facts), then finalize every result.

    With a *cache*, the findings are stored under a digest of every file's
    path and content (cache.tree_key): an unchanged tree needs no facts at all."""
    if engine.collects_facts:
        findings = None
        key = None
        everything = list(context) + list(shared)
        if cache is not None:
            from .cache import tree_key

            key = tree_key(results, everything)
            findings = cache.tree_findings(key) if key is not None else None
        if findings is None:
            if cache is not None:
                from .runner import ensure_facts

                ensure_facts(cache, engine, list(targets), results, jobs)
                ensure_facts(cache, engine, list(context_targets), context, jobs)
                ensure_facts(cache, engine, list(shared_targets), shared, jobs)
                key = tree_key(results, everything)
            built = build_deployments(engine, results, context, shared, root)
            findings = tree_findings(engine, [r.path for r in results], built)
            if cache is not None and key is not None:
                cache.put_tree(key, findings)
        add_findings(results, findings)
        if (want_texts or frames) and cache is not None:
            _texts_for_fixes(engine, targets, results, findings, frames)
    return [engine.finalize(r) for r in results]


def build_deployments(engine, results, context=(), shared=(), root: str | None = None):
    """The deployments of the linted and context files (deployments.build with the run's settings)."""
    from . import deployments

    return deployments.build([r.facts for r in list(results) + list(context) if r.facts is not None],
                             [r.facts for r in shared if r.facts is not None],
                             engine.options.get("tree-scope", "folder"), deployments.read_local_file, root,
                             engine.options.get("mode", "kubernetes"))


def _texts_for_fixes(engine, targets, results, findings, frames: bool = False) -> None:
    """Deployment rules may carry fixes too, and SARIF needs the file's text
    for them (code frames, for any finding). If such a file changed since it
    was hashed, its fix is left out of the SARIF and its findings get no
    frame (the run saw the old content)."""
    from .cache import digest_of_bytes
    from .loader import DecodeError, Source, decode

    wanted = {f.path for f in findings if frames or (f.fix is not None and f.fix.edits and not f.fix.blocked)}
    for target, result in zip(targets, results):
        if result.path not in wanted or result.source is not None or result.digest in (None, "-"):
            continue
        data, _ = engine.read(target.path, target.explicit)
        if data is None or digest_of_bytes(data) != result.digest:
            continue
        try:
            text, bom = decode(data)
        except DecodeError:
            continue
        result.source = Source(path=result.path, text=text, bom=bom)

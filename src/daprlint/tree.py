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

import os

from ._record import record as dataclass

from .abspaths import dirname, join
from .deployments import namespace_of
from .rulekit import Diagnostic

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .facts import Ref


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
# Words whose difflib matcher closest_name keeps (~2 kB each: the 100,000-file tree has 1,040 words)
MATCHERS_KEPT = 128


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
    never computed. Typos repeat across folders, hence the memos."""
    candidates = tuple(candidates)
    if len(candidates) > MAX_SUGGESTION_CANDIDATES:
        return None  # see MAX_SUGGESTION_CANDIDATES
    memo = ctx.data.memo("tree.closest_name")
    key = (word, candidates)
    if key in memo:
        return memo[key]
    import difflib

    # each (word, name)'s full ratio once a run, and a matcher for the last few words (its set_seq2
    # indexes the word): the same unknown name comes back in folder after folder with other
    # candidates (tree-10000-s42: 4,362 searches, 1,848 of them new, 182 words). A candidate's
    # quick_ratio bound is not kept: at 100,000 files that was 34,000 pairs, +8 MiB of the peak
    ratios = ctx.data.memo("tree.closest_name.ratios")
    matchers = ctx.data.memo("tree.closest_name.matchers")
    cutoff = 0.6  # get_close_matches' default
    best_score, best = -1.0, None
    matcher = None
    size = len(word)
    for name in candidates:
        score = ratios.get((word, name))
        if score is None:
            floor = max(cutoff, best_score)
            total = size + len(name)
            if total and 2.0 * min(size, len(name)) / total < floor:  # real_quick_ratio, without a matcher
                continue
            if matcher is None:
                matcher = matchers.get(word)
                if matcher is None:
                    if len(matchers) >= MATCHERS_KEPT:
                        matchers.clear()
                    matcher = matchers[word] = difflib.SequenceMatcher()
                    matcher.set_seq2(word)
            matcher.set_seq1(name)
            if matcher.quick_ratio() < floor:
                continue
            score = ratios[(word, name)] = matcher.ratio()
        if score >= cutoff and (score, name) > (best_score, best or ""):
            best_score, best = score, name
    if len(memo) > 50_000 or len(ratios) > 50_000:
        memo.clear()  # a long-lived language server must not grow without bound
        ratios.clear()
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
    return _merge(engine, rules, [_rule_findings(engine, rules, set(paths), deployments)], paths[:1])


def _rule_findings(engine, rules, linted: set, deployments) -> tuple[dict, dict]:
    """({rule code: its findings in *linted* files}, {rule code: the exception of a rule that crashed})."""
    tree = Tree(deployments, linted)
    ctx = TreeContext(engine.options, engine.ruleset.data)
    found: dict[str, list] = {}
    crashed: dict[str, Exception] = {}
    for rule in rules:
        try:
            items = list(rule.check(tree, ctx) or ())
        except Exception as exc:
            crashed[rule.code] = exc
            continue
        kept, seen = [], set()
        for item in items:
            if item.path not in linted:
                continue  # findings in context-only files are not reported
            finding = engine._finding(rule, item.path, item.diagnostic)
            key = (finding.path, tuple(finding.span), finding.message)
            if key not in seen:  # two deployments that share a file: once
                seen.add(key)
                kept.append(finding)
        if kept:  # a folder's part is held until the end: no empty list for each rule (_merge reads .get)
            found[rule.code] = kept
    return found, crashed


def _merge(engine, rules, parts: list, first: list[str]) -> list:
    """The findings of *parts* (from _rule_findings over deployments that
    share no file, the last part's crashes first) as tree_findings gives
    them over all of those deployments at once: a rule that crashed anywhere
    has no findings, only an INT001 in the *first* linted file. A finding
    lies in a file of its part's deployments, so no two parts repeat one."""
    found = []
    for rule in rules:
        crash = next((p[1][rule.code] for p in reversed(parts) if rule.code in p[1]), None)
        if crash is not None:
            if first:
                found.append(engine.internal_error(rule, first[0], crash))
            continue
        for part in parts:
            found += part[0].get(rule.code, ())
    return found


def add_findings(results, findings) -> None:
    """Append each finding to the result of its file (a result without
    findings may hold a shared empty tuple: runner._slim)."""
    if not findings:
        return
    wanted = {f.path for f in findings}  # not a dict of every file: 100,000 entries at the run's peak
    by_path = {r.path: r for r in results if r.path in wanted}
    for finding in findings:
        result = by_path[finding.path]
        if type(result.findings) is not list:
            result.findings = list(result.findings)
        result.findings.append(finding)


def run(engine, targets, results, context_targets=(), context=(), shared_targets=(), shared=(), cache=None,
        jobs: int = 1, want_texts: bool = False, root: str | None = None, frames: bool = False, stream=None):
    """Add the deployment rules' findings to *results* (the linted files;
    *context* and *shared* results, from workspace.py, only contribute
    facts), then finalize every result.

    With a *cache*, the findings are stored under a digest of every file's
    path and content (cache.tree_key): an unchanged tree needs no facts at all.
    With a *stream* (FolderStream), the folder deployments it already ran
    are not built again; the rest are built from the facts still held."""
    if engine.collects_facts:
        findings = None
        key = None
        everything = list(context) + list(shared)
        if cache is not None:
            from .cache import tree_key

            key = tree_key(results, everything)
            findings = cache.tree_findings(key) if key is not None else None
        if findings is None:
            parts = []
            rest_targets, rest = list(targets), results
            if stream is not None:
                stream.check_claims(engine, results, list(context) + list(shared), cache, jobs)
                parts = stream.parts()
                kept = [i for i, r in enumerate(results) if not stream.took(r)]
                rest_targets, rest = [targets[i] for i in kept], [results[i] for i in kept]
            if cache is not None:
                from .runner import ensure_facts

                again = (ensure_facts(cache, engine, rest_targets, rest, jobs)
                         + ensure_facts(cache, engine, list(context_targets), context, jobs)
                         + ensure_facts(cache, engine, list(shared_targets), shared, jobs))
                if again:  # a file linted again was read again: its digest may differ
                    if stream is not None:  # put its result back
                        for i, result in zip(kept, rest):
                            results[i] = result
                    key = tree_key(results, list(context) + list(shared))  # ensure_facts replaces in place
            findings = []
            rules = engine.rules_of_scope("tree")
            if rules:
                built = build_deployments(engine, rest, context, shared, root)
                # the linted files of *rest*: a streamed file's facts are in no deployment built here,
                # so its path is not needed (a set of every path: 100,000 at the run's peak)
                parts.append(_rule_findings(engine, rules, {r.path for r in rest}, built))
                findings = _merge(engine, rules, parts, [results[0].path] if results else [])
            if cache is not None and key is not None:
                cache.put_tree(key, findings)
        add_findings(results, findings)
        if (want_texts or frames) and cache is not None:
            _texts_for_fixes(engine, targets, results, findings, frames)
    return [_finalized(engine, r) for r in results]


def _finalized(engine, result):
    """engine.finalize, a result left without findings holding the shared empty
    tuple rather than a list of its own (56 bytes a file, held until the report)."""
    result = engine.finalize(result)
    if not result.findings:
        result.findings = ()
    return result


class _Taken:
    """What a result's facts become once a FolderStream has run its folder:
    facts of nothing (so what reads every result's facts, such as
    workspace.follow_references, finds no reference in it)."""

    __slots__ = ()
    path = ""
    resources = workloads = secrets = ()
    run_file = kustomization = chart = None
    points_at_files = False

    def __reduce__(self):
        return "TAKEN"  # pickled by name: a result from a --jobs worker holds this very object


TAKEN = _Taken()


class FolderStream:
    """The tree stage of fallback folder deployments, run while files are linted.

    Holding every file's facts until the end is most of what a large run
    keeps (about 2 KiB a file, bench/README.md "Round three"). A folder
    deployment (the fallback: the files of one folder) is complete once the
    last linted file of that folder is linted, so its tree rules run then and
    its files' facts are dropped. Every tree rule reads one deployment at a
    time (its groups are keyed by deployment), so the findings of each part,
    merged (_merge), are those of the whole tree at once.

    A folder is left to the end (`run` builds it with the rest) when its
    facts might not make a fallback deployment: it holds a kustomization,
    chart or run file, a kustomization, chart or `dapr.yaml` linted first
    claims one of its files (deployments.claimed_paths), a context file lies
    in it, or a result of it came from the cache without facts. What only the
    end can show (a run file known by its content, a file read because a
    project file points at it) is checked there (check_claims): a folder it
    would change is linted again for its facts and built with the rest.

    Completed folders are run in batches of about BATCH_FILES files: one
    deployments.build and one pass of the tree rules over the batch's folder
    deployments, the findings then split by folder (_parts). A repository of
    one or two files a folder (the corpus: 1,121 files in 696 folders) paid
    that set-up once a folder."""

    BATCH_FILES = 256

    def __init__(self, engine, targets, structure_facts, context_paths, root):
        from collections import Counter

        from . import deployments

        self.engine, self.root = engine, root
        self.rules = engine.rules_of_scope("tree")
        self._cwd = os.getcwd()
        self._folders: dict[str, str] = {}  # a path's folder as written -> absolute (a few per folder)
        self.targets = {}              # folder -> its targets, for linting again (check_claims)
        for t in targets:
            self.targets.setdefault(self._folder(t.path), []).append(t)
        self.left = Counter({folder: len(ts) for folder, ts in self.targets.items()})
        self.blocked = set()
        self.known = {f.path for f in structure_facts}  # the structure files whose claims are blocked
        if structure_facts:
            absolute = [self._absolute(t.path) for t in targets]
            self.blocked = {dirname(p) for p in deployments.claimed_paths(structure_facts, absolute)}
        self.blocked.update(self._folder(p) for p in context_paths)
        self.pending: dict[str, list] = {}
        self.done: dict[str, tuple] = {}   # folder -> (_rule_findings of its deployment, its results)
        self._batch: list[tuple[str, list]] = []  # completed folders not run yet: (folder, results)
        self._batch_files = 0

    def _absolute(self, path: str) -> str:
        return os.path.normpath(join(self._cwd, path))

    def _folder(self, path: str) -> str:
        """The absolute folder of *path*, as deployments.build groups the fallback (normalised)."""
        written = path[:path.rfind(os.sep) + 1]  # os.path.dirname without its call (once a file)
        folder = self._folders.get(written)
        if folder is None:
            folder = self._folders[written] = dirname(self._absolute(path))
        return folder

    def add(self, result, fresh: bool = True) -> None:
        """One linted result, in any order; *fresh*: linted now (not a cache hit without facts)."""
        folder = self._folder(result.path)
        group = self.pending.setdefault(folder, [])
        group.append(result)
        if not fresh:
            self.blocked.add(folder)
        self.left[folder] -= 1
        if self.left[folder] == 0:
            del self.pending[folder]
            if folder not in self.blocked:
                self._run(folder, group)

    def _run(self, folder: str, group: list) -> None:
        if self._structured(group):
            return
        self._batch.append((folder, group))
        self._batch_files += len(group)
        if self._batch_files >= self.BATCH_FILES:
            self.flush()

    def flush(self) -> None:
        """Run the completed folders that wait in the batch."""
        batch, self._batch, self._batch_files = self._batch, [], 0
        if batch:
            for (folder, group), part in zip(batch, self._parts([g for _, g in batch])):
                self._took(folder, part, group)

    @staticmethod
    def _structured(group: list) -> bool:
        """Does a structure file lie in *group* (so its folder is no fallback deployment)?"""
        from .deployments import is_structure

        return any(r.facts is not None and is_structure(r.facts) for r in group)

    def _parts(self, groups: list) -> list:
        """The _rule_findings of each group's folder deployment (no group holds a
        structure file), from one build and one pass of the rules over them all:
        a folder is one deployment, and every tree rule reads one deployment at
        a time. If a rule crashes, each group is run alone, so that its crash
        lands in the part of the folder it crashed on."""
        if len(groups) > 1:
            found, crashed = self._rule_findings_of(groups)
            if not crashed:
                group_of = {r.path: i for i, group in enumerate(groups) for r in group}
                parts = [({}, {}) for _ in groups]
                for code, items in found.items():
                    for finding in items:
                        parts[group_of[finding.path]][0].setdefault(code, []).append(finding)
                return parts
        return [self._rule_findings_of([group]) for group in groups]

    def _rule_findings_of(self, groups: list) -> tuple[dict, dict]:
        from . import deployments

        facts = [r.facts for group in groups for r in group if r.facts is not None]
        built = deployments.build(facts, [], "folder", deployments.read_local_file, self.root,
                                  self.engine.options.get("mode", "kubernetes"))
        return _rule_findings(self.engine, self.rules, {r.path for group in groups for r in group}, built)

    def _took(self, folder: str, part, group: list) -> None:
        self.done[folder] = (part, group)
        for r in group:
            if r.facts is not None:
                r.facts = TAKEN

    def folder_of(self, path: str) -> str:
        return self._folder(path)

    def whole_folders(self, results: list) -> list:
        """In a --jobs worker (a forked copy of this stream): run the folders that
        *results* complete on their own, every file this stream still waits for
        being among them, as add() would run each on its last file:
        [(folder, part)], in that order. Their results' facts become TAKEN,
        so they go back to the parent without them (runner._in_workers). Nothing
        else of this copy changes: each chunk is answered from the state the
        workers started with. A folder whose rules crashed is left to the
        parent (an exception need not pickle), which meets the same crash."""
        members: dict[str, list] = {}
        last: dict[str, int] = {}
        for i, r in enumerate(results):
            folder = self._folder(r.path)
            members.setdefault(folder, []).append(r)
            last[folder] = i
        ready = []
        for folder in sorted(members, key=last.__getitem__):  # add() runs a folder on its last file
            group = members[folder]
            if self.left.get(folder) == len(group) and folder not in self.blocked:
                group = self.pending.get(folder, []) + group
                if not self._structured(group):
                    ready.append((folder, group))
        whole = []
        for (folder, group), part in zip(ready, self._parts([g for _, g in ready])):
            if not part[1]:
                whole.append((folder, part))
                for r in group:
                    if r.facts is not None:
                        r.facts = TAKEN
        return whole

    def adopt(self, results: list, parts) -> None:
        """In the parent: a worker's chunk of *results*, and the folders it ran
        (whole_folders). The rest goes through add(), file by file, so the
        folders complete in the same order as in one process."""
        if not parts:
            for r in results:
                self.add(r)
            return
        ran = dict(parts)
        folders = [self._folder(r.path) for r in results]
        last = {folder: i for i, folder in enumerate(folders)}
        groups: dict[str, list] = {}
        for i, (r, folder) in enumerate(zip(results, folders)):
            if folder not in ran:
                self.add(r)
                continue
            groups.setdefault(folder, []).append(r)
            if last[folder] == i:
                self.left[folder] = 0
                self.flush()  # the folders completed before this one go first, as in one process
                self._took(folder, ran[folder], self.pending.pop(folder, []) + groups.pop(folder))

    @staticmethod
    def took(result) -> bool:
        """Were this result's facts used (and dropped) already?"""
        return result.facts is TAKEN

    def parts(self) -> list:
        self.flush()
        return [part for part, _ in self.done.values()]

    def check_claims(self, engine, results, others, cache=None, jobs: int = 1) -> None:
        """Give back the folders whose deployment the files known only now
        change: claimed by a structure file, or sharing a folder with a file
        read as context (*others*). Their files are linted again for their facts."""
        from . import deployments

        self.flush()
        if not self.done:
            return
        structure = [r.facts for r in list(results) + list(others)
                     if r.facts is not None and deployments.is_structure(r.facts)]
        if {f.path for f in structure} <= self.known and not any(r.facts is not None for r in others):
            return  # the structure files the stream started from, nothing else: their claims were blocked
        streamed = [self._absolute(r.path) for _, group in self.done.values() for r in group]
        wrong = {dirname(p) for p in deployments.claimed_paths(structure, streamed)}
        wrong.update(self._folder(r.path) for r in others if r.facts is not None)
        wrong &= set(self.done)
        if not wrong:
            return
        from .runner import lint_targets

        for folder in wrong:
            _, group = self.done.pop(folder)
            again = {r.path: r.facts for r in lint_targets(engine, self.targets[folder], jobs)}
            for result in group:
                if result.facts is TAKEN:
                    result.facts = again.get(result.path)


def lint_streamed(engine, targets, jobs=1, stdin_name=None, cache=None, want_texts=False, frames=False,
                  context=(), shared=(), root: str | None = None, linted=None):
    """runner.lint_targets, with the folder deployments' tree stage run as
    their folders complete (FolderStream): (results, the stream or None).

    Files whose name says they may describe a deployment (kustomizations,
    charts, `dapr.yaml`) are linted first, so their claims are known before
    any folder is run. Where every deployment needs the whole tree
    (`tree-scope = "tree"`, `resources-paths`, stdin) there is no stream.
    *linted*: {path: result} of targets linted already, with the same
    *want_texts* and *frames* (workspace.Plan.linted): not linted again."""
    from .projectnames import is_structure_name
    from .runner import ensure_facts, lint_targets, lint_unless_linted

    rules = engine.rules_of_scope("tree") if engine.collects_facts else []
    if (not rules or shared or engine.options.get("tree-scope", "folder") != "folder"
            or any(t.path == "-" for t in targets)):
        return lint_unless_linted(engine, targets, linted, jobs, stdin_name, cache, want_texts, frames), None
    first = [i for i, t in enumerate(targets) if is_structure_name(t.path)]
    head = lint_unless_linted(engine, [targets[i] for i in first], linted, jobs, None, cache, want_texts, frames)
    if cache is not None:
        ensure_facts(cache, engine, [targets[i] for i in first], head, jobs)
    stream = FolderStream(engine, targets, [r.facts for r in head if r.facts is not None],
                          [t.path for t in context], root)
    for result in head:
        stream.add(result)
    if not first:  # the usual case: no list of indexes (an int object a file) beside the results
        return lint_targets(engine, targets, jobs, cache=cache, want_texts=want_texts, frames=frames,
                            stream=stream), stream
    taken = set(first)
    tail = iter(lint_targets(engine, [t for i, t in enumerate(targets) if i not in taken], jobs, cache=cache,
                             want_texts=want_texts, frames=frames, stream=stream))
    heads = iter(head)
    return [next(heads) if i in taken else next(tail) for i in range(len(targets))], stream


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
    from .source import DecodeError, Source, decode

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

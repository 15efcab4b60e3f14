"""Lint a list of targets: through the result cache, in one process or in workers.

Per file, the runner asks the cache first (cache.py: a file whose content
is known to be unchanged is served without being parsed, often without
being read), lints the misses and stores what it linted. In one process
that is one pass, file after file: a miss is linted from the bytes read to
hash it, and only its slimmed result is kept. Worker processes are used
only where they win (workers_for: enough files, free cores). Results come
back in input order whatever the number of jobs, so the output is identical.

Why a stale cache cannot hide a finding: an entry is used only for a file
whose content is known to have the entry's digest now (hashed in this run,
or unchanged since it was hashed, by the cache's stat rule). A miss is
linted from the very bytes that are hashed. With --jobs, workers read the
file again, so their result is stored only if the stat rule shows the file
did not change in between (else its digest is unknown: nothing is stored,
and no deployment result either).
"""
from __future__ import annotations

import os
from sys import intern

from .cpu import cores, free_cores
from .discover import Target
from .engine import Engine
from .results import NO_CONTENT, FileResult

# Workers only where they win (bench/README.md, "Speed, round two"): a pool
# costs its start and moving every result back (~40% more CPU in all at 10,000
# files), so below this many files to lint, one process is faster; and a worker
# that finds no free core only adds that cost. DAPRLINT_PARALLEL_THRESHOLD
# sets the threshold and turns the load check off (tests force workers with it).
PARALLEL_THRESHOLD = int(os.environ.get("DAPRLINT_PARALLEL_THRESHOLD", "2000"))
# Files a worker gets at a time, at most. A chunk's results wait whole in the worker and arrive
# whole in the parent: at 100,000 files with 2 workers (6,250 a chunk) the largest process peaked
# at 98.5 MiB, with chunks of 1,000 at 92.5 MiB, in the same time (11.1 s against 11.1-12.7 s).
CHUNK_MAX = 1000
# Chunks shrink as the run goes (guided scheduling): each is about 1/(CHUNK_SHARES * jobs) of the
# files left, and at least CHUNK_MIN, so the last chunks are small and the workers finish together.
# With 16 equal chunks at 10,000 files one worker could be left alone with the last: the two
# workers ran 7.43 G and 7.91 G instructions (callgrind); with shrinking chunks 7.73 G and 7.71 G.
CHUNK_SHARES = 4
CHUNK_MIN = 50
_FORCED = "DAPRLINT_PARALLEL_THRESHOLD" in os.environ
AUTO = "auto"


def jobs_wanted(jobs) -> int:
    """The most processes a run may use: `--jobs N`, or the core count for `--jobs auto`."""
    if jobs == AUTO or jobs is None:
        return cores()
    return max(1, int(jobs))


def workers_for(jobs, files: int) -> int:
    """How many worker processes to lint *files* files with (1: in this one).

    At most *jobs* (`--jobs N`; "auto": the cores), and only for at least
    PARALLEL_THRESHOLD files; then no more than the free cores, rounded (a
    machine whose other work leaves less than 1.5 cores free gets one
    process: two workers sharing one core lose to it; see cpu.py)."""
    wanted = jobs_wanted(jobs)
    if wanted <= 1 or files < PARALLEL_THRESHOLD:
        return 1
    if _FORCED:
        return wanted
    return max(1, min(wanted, int(free_cores() + 0.5)))


_worker_engine: Engine | None = None
_worker_cache = None  # the parent's cache.ResultCache, in a forked worker that encodes its rows


def lint_one(engine: Engine, target: Target, stdin_name: str | None = None) -> FileResult:
    display = (stdin_name or "-") if target.path == "-" else target.path
    # not finalized yet: deployment rules add findings first (see tree.py)
    return engine.lint_path(target.path, target.explicit, display, target.role)


def _init_worker(settings, extra_packs) -> None:
    global _worker_engine
    from .packs import load_packs

    _worker_engine = Engine(load_packs(extra_packs), settings)


_worker_stream = None  # with fork: the parent's tree.FolderStream, as it was when the workers started


def _work(chunk: list[Target], frames: bool = False, fix_texts: bool = True, secrets: bool = True):
    """(the chunk's slimmed results, [(folder, part)] of the folders the worker ran itself, None)."""
    results = [_slim(lint_one(_worker_engine, target), frames, fix_texts, secrets) for target in chunk]
    return results, _worker_stream.whole_folders(results) if _worker_stream is not None else (), None


def _forks() -> bool:
    """Whether workers are forked: then they take their own stat and encode their rows (_work_hashed)."""
    import multiprocessing as mp

    return "fork" in mp.get_all_start_methods()


def _work_hashed(chunk: list[Target], frames: bool = False, fix_texts: bool = True):
    """_work for the cache: each result's digest is of the very bytes the worker
    linted, after a stat of its own; with the parent's cache (forked), the
    entries and facts encoded here (ResultCache.encode), before the tree stage
    of whole folders lets their facts go."""
    from .cache import digest_of_bytes

    engine, cache, results, stored = _worker_engine, _worker_cache, [], []
    for target in chunk:
        path = target.path
        st = _stat(path)
        data, problem = engine.read_stat(path, st) if st is not None else engine.read(path, target.explicit)
        result = _slim(engine.lint_bytes(path, data, problem, target.explicit, target.role), frames, fix_texts)
        result.digest = digest_of_bytes(data) if data is not None else NO_CONTENT
        results.append(result)
        if data is not None and st is not None:
            stored.append((path, st, result, target.role))
    encoded = cache.encode(stored) if cache is not None else None
    return results, _worker_stream.whole_folders(results) if _worker_stream is not None else (), encoded


def _chunks(targets: list[Target], size: int, folder_of=None, shares: int = 0) -> list[list[Target]]:
    """*targets* in chunks of about *size*; with *folder_of*, cut where the folder
    changes (a folder wholly in one chunk has its tree stage run by the worker:
    tree.FolderStream.whole_folders), unless a folder alone passes twice *size*.
    With *shares*, *size* is the largest: each chunk is about 1/*shares* of the
    targets left (chunk_size), so chunks shrink towards CHUNK_MIN."""
    if folder_of is None and not shares:
        return [targets[i:i + size] for i in range(0, len(targets), size)]
    chunks, current, previous, left = [], [], None, len(targets)
    wanted = chunk_size(left, size, shares)
    for target in targets:
        folder = folder_of(target.path) if folder_of is not None else None
        if current and (len(current) >= 2 * wanted or (len(current) >= wanted and (
                folder_of is None or folder != previous))):
            chunks.append(current)
            left -= len(current)
            wanted = chunk_size(left, size, shares)
            current = []
        current.append(target)
        previous = folder
    if current:
        chunks.append(current)
    return chunks


def chunk_size(left: int, largest: int, shares: int) -> int:
    """The size of the next chunk when *left* targets are left (see CHUNK_SHARES)."""
    return min(largest, max(CHUNK_MIN, left // shares)) if shares else largest


_NOTHING = ()  # one shared empty value for the fields most slimmed results leave empty
# a fix's secrets, let go: one read-only mapping (types.MappingProxyType, without importing types)
_NO_SECRETS = type(type.__dict__)({})


def _reported_on_by_deployments(facts) -> bool:
    """Deployment rules report on Dapr resources, and on workloads, Secrets and the
    structure files too (ANN006, XRF006, KUS001, RUN003): such a file keeps its
    text for code frames, as a cached run reads it again for them."""
    return facts is not None and bool(facts.workloads or facts.secrets or facts.run_file is not None
                                      or facts.kustomization is not None or facts.chart is not None)


def _slim(result: FileResult, frames: bool = False, fix_texts: bool = True, secrets: bool = True) -> FileResult:
    """What reporting still needs of a linted file: findings, facts, and the
    text only where a fix is shown (SARIF fix regions: *fix_texts*) or, with
    *frames*, where a finding is or a deployment rule may put one (code frames).
    YAML nodes and texts are most of a run's memory, and nodes are costly to
    pickle for --jobs. Empty lists become one shared empty tuple (a list
    costs 56 bytes a file): nothing appends to them after linting but the
    deployment rules (tree.add_findings), which make a list again.

    Without *secrets* (a run without the cache: nothing reads this file's
    text again), a file whose text is let go lets go of what only masks that
    text too: its secret spans and its findings' secret values (frames and
    diffs use them; no report prints them). The cache keeps both: a later
    frame of a cached file reads its text again (tree._texts_for_fixes)."""
    framed = frames and bool(result.findings or result.resources or _reported_on_by_deployments(result.facts))
    result.resources = _NOTHING
    if not result.findings:  # deployment rules may add some (tree.add_findings makes a list again)
        result.findings = _NOTHING
    if not result.secret_spans:
        result.secret_spans = _NOTHING
    if result.suppressions is not None and not result.suppressions:
        result.suppressions = _NOTHING
    if result.source is not None:
        if framed or (fix_texts and any(f.fix is not None for f in result.findings)):
            result.source.documents = []
        else:
            result.source = None
    for finding in result.findings:  # the same few descriptions, file after file (see results.Finding)
        if finding.fix is not None and type(finding.fix.description) is str:
            finding.fix.description = intern(finding.fix.description)
    if not secrets:
        _drop_secret_spans(result)
    return result


def _without_fix_secrets(result: FileResult) -> FileResult:
    """A fix's secrets are for --secrets-out, which a run without --fix never
    writes: a file whose text is let go (_slim without *secrets*) lets them go
    too (~64 bytes a fix, even empty). In this process: a mappingproxy does not pickle."""
    if result.source is None:
        for finding in result.findings:
            if finding.fix is not None:
                finding.fix.secrets = _NO_SECRETS
    return result


def _in_workers(engine: Engine, targets: list[Target], jobs: int, frames: bool = False,
                fix_texts: bool = True, on_result=None, secrets: bool = True, stream=None,
                cache=None, on_part=None) -> list[FileResult]:
    """Lint *targets* in *jobs* worker processes, results in input order.

    With a *cache* each result has the digest of the bytes its worker linted,
    and *on_part(results, encoded)* gets each chunk's results with the rows
    its (forked) worker encoded for the cache, or None (_work_hashed).

    With *stream* (a tree.FolderStream; fork only), a worker also runs the
    tree stage of each folder that lies wholly in its chunk, and sends back
    that folder's findings instead of its files' facts: facts were ~85% of
    what results cost to pickle and unpickle (1.1 s of CPU at 10,000 files,
    bench/README.md "Round six"), and the parent, which shares the cores with
    the workers, no longer runs those folders' deployments itself."""
    import multiprocessing as mp
    from functools import partial

    global _worker_engine, _worker_stream, _worker_cache
    try:  # forked workers inherit this engine, rule packs loaded and all
        ctx, init, initargs = mp.get_context("fork"), None, ()
        _worker_engine, _worker_cache = engine, cache
    except ValueError:  # no fork (Windows): each worker loads the packs itself
        ctx, init, initargs = mp.get_context(), _init_worker, (engine.settings, engine.settings.rule_packs)
        stream = None
    _worker_stream = stream
    chunks = _chunks(targets, CHUNK_MAX, stream.folder_of if stream is not None else None, CHUNK_SHARES * jobs)
    try:
        with ctx.Pool(jobs, initializer=init, initargs=initargs) as pool:
            results = []
            work = partial(_work_hashed, frames=frames, fix_texts=fix_texts) if cache is not None else \
                partial(_work, frames=frames, fix_texts=fix_texts, secrets=secrets)
            for chunk, (part, folders, encoded) in zip(chunks, pool.imap(work, chunks)):
                _share_paths(part, chunk)
                if not secrets:
                    for r in part:
                        _without_fix_secrets(r)
                results += part
                if on_part is not None:
                    on_part(part, encoded)
                if stream is not None:
                    stream.adopt(part, folders)
                elif on_result is not None:
                    for r in part:
                        on_result(r)
    finally:
        _worker_stream = _worker_cache = None
    return results


def _share_paths(results: list[FileResult], targets: list[Target]) -> None:
    """Give results unpickled from a worker this process's own path strings,
    as one process's results have: the worker's copy was one more string a
    file, held to the report (~10 MiB of the parent's peak at 100,000 files)."""
    for result, target in zip(results, targets):
        path = target.path
        if result.path == path:
            result.path = path
            for finding in result.findings:
                if finding.path == path:
                    finding.path = path


def lint_targets(engine: Engine, targets: list[Target], jobs: int = 1, stdin_name: str | None = None,
                 keep_nodes: bool = False, cache=None, want_texts: bool = False,
                 frames: bool = False, on_result=None, stream=None) -> list[FileResult]:
    """Lint *targets* (through *cache*, a cache.ResultCache, when given).

    *want_texts*: reporting will need the text of files whose findings carry
    a fix (SARIF fix regions), so a cache hit gets its text too; *frames*: it
    will need the text of every file with a finding (code frames).
    *on_result(result, fresh)* is called with each result as soon as it is
    known (fresh: linted in this run, so it carries its facts; in input order
    except for stdin, which is never passed to it). *stream*: a tree.FolderStream
    that takes each result instead of *on_result* (stream.add), and whose folder
    deployments workers may run (_in_workers)."""
    if stream is not None:
        on_result = stream.add
    if cache is not None:
        return _cached(cache, engine, targets, jobs, want_texts, frames, on_result, stream)
    fix_texts = bool(want_texts)
    files = [t for t in targets if t.path != "-"]
    workers = 1 if keep_nodes else workers_for(jobs, len(files))
    if workers <= 1:
        results = []
        for t in targets:
            r = lint_one(engine, t, stdin_name)
            # stdin keeps its text: `helm template` output is mapped back to the chart (commands.py)
            results.append(r if keep_nodes or t.path == "-" else
                           _without_fix_secrets(_slim(r, frames, fix_texts, secrets=False)))
            if on_result is not None and t.path != "-":
                on_result(r)
        return results
    by_path = {r.path: r for r in _in_workers(engine, files, workers, frames, fix_texts, on_result, secrets=False,
                                              stream=stream)}
    return [lint_one(engine, t, stdin_name) if t.path == "-" else by_path[t.path] for t in targets]


def lint_unless_linted(engine: Engine, targets: list[Target], linted: dict | None, jobs: int = 1,
                       stdin_name: str | None = None, cache=None, want_texts: bool = False,
                       frames: bool = False) -> list[FileResult]:
    """lint_targets of *targets*, taking the results in *linted* ({path: result}, linted with
    the same *want_texts* and *frames*: workspace.Plan.linted) instead of linting those again."""
    if not linted:
        return lint_targets(engine, targets, jobs, stdin_name, cache=cache, want_texts=want_texts, frames=frames)
    rest = iter(lint_targets(engine, [t for t in targets if t.path not in linted], jobs, stdin_name, cache=cache,
                             want_texts=want_texts, frames=frames))
    return [linted[t.path] if t.path in linted else next(rest) for t in targets]


# -- through the cache --------------------------------------------------------
class _Item:
    """One file of the run and what is known about it so far."""

    __slots__ = ("target", "path", "stat", "hashed", "result", "hit")

    def __init__(self, target):
        self.target = target
        self.path: str = target.path
        self.stat: os.stat_result | None = None  # taken before any read of this run
        self.hashed: bytes | None = None         # digest of the bytes read to look it up
        self.result: FileResult | None = None    # None: to be linted (result.digest: what it describes)
        self.hit = False                         # result is from the cache

    def to_lint(self) -> None:
        self.hashed = self.result = None
        self.hit = False


def _cached(cache, engine: Engine, targets: list[Target], jobs: int, want_texts: bool,
            frames: bool = False, on_result=None, stream=None) -> list[FileResult]:
    if workers_for(jobs, len(targets)) > 1:  # misses to workers, if there are enough of them
        # only a miss keeps its _Item (stat and digest, for lint_misses); a hit keeps its result
        results, fresh, misses = [], [], []
        # nothing stored yet, and forked workers that take their own stat: no probe (10,000 stats here, ~2% of
        # a run with two workers, before they start)
        probe = cache.holds_entries() or not _forks()
        for target in targets:
            item = _Item(target)
            if probe:
                _probe(cache, engine, item, want_texts, frames, read_misses=False)
            if item.result is None:
                misses.append((len(results), item))
            results.append(item.result)
            fresh.append(not item.hit)
        # no hit (a cold run): the workers run whole folders' tree stage too, as without the cache
        streamed = stream if len(misses) == len(targets) else None
        lint_misses(cache, engine, [item for _, item in misses], jobs, frames, bool(want_texts), streamed)
        for index, item in misses:
            results[index] = item.result
        if on_result is not None and streamed is None:
            for result, new in zip(results, fresh):
                on_result(result, new)
        return results
    # one pass: a miss is linted from the bytes its probe read; nothing but the result is kept
    results = []
    context = want_texts is None
    for target in targets:
        if context:  # most context files are hits by the stat rule: no _Item, no second stat for a miss
            st = _stat(target.path)
            digest = cache.settled_digest(target.path, target.role, st) if st is not None else None
            if digest is not None:
                result = FileResult(target.path)
                result.digest = digest
                results.append(result)
                if on_result is not None:
                    on_result(result, False)
                continue
            item = _Item(target)
            item.stat = st
            data = _probe(cache, engine, item, want_texts, frames, stat_taken=True)
        else:
            item = _Item(target)
            data = _probe(cache, engine, item, want_texts, frames)
        if item.result is None:
            _lint_here(cache, engine, item, frames, data, bool(want_texts))
        results.append(item.result)
        if on_result is not None:
            on_result(item.result, not item.hit)
    return results


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _probe(cache, engine: Engine, item: _Item, want_texts: bool | None, frames: bool = False,
           stat_taken: bool = False, read_misses: bool = True) -> bytes | None:
    """Serve *item* from the cache if its content is known to be unchanged,
    with its text if reporting needs it (*want_texts* None: never, a context file).
    On a miss, the bytes read to look it up (hashed: item.hashed), for linting.
    *stat_taken*: item.stat is already taken (None: the file could not be stat'ed).
    Not *read_misses* (workers lint the misses, and hash what they read): a
    file without an entry is not read here at all (a cold run read every file
    twice, in this process and in a worker: ~0.15 s of the parent's at 10,000 files)."""
    path, entry = item.path, cache.entry(item.path, item.target.role)
    if not stat_taken:
        item.stat = _stat(path)
    if entry is None and not read_misses:
        return None
    if entry is not None and item.stat is not None and cache.unchanged_since_read(entry, item.stat):
        _serve(cache, item, entry, want_texts)
        if cache.needs_text(entry, want_texts, frames) and not _read_text(engine, item):
            item.to_lint()
        return None
    if item.stat is not None:
        data, problem = engine.read_stat(path, item.stat)
    else:
        data, problem = engine.read(path, item.target.explicit)
    if data is None:
        item.result = engine.lint_bytes(path, None, problem, item.target.explicit)  # never cached
        item.result.digest = NO_CONTENT
        return None
    item.hashed = cache.digest_of_bytes(data)
    if entry is not None and cache.entry_digest(entry) == item.hashed and item.stat is not None:
        cache.touch(path, item.stat)
        _serve(cache, item, entry, want_texts)
        if cache.needs_text(entry, want_texts, frames) and not _give_text(item, data):
            item.to_lint()
        else:
            return None
    return data


def _serve(cache, item: _Item, entry: list, want_texts: bool | None) -> None:
    """A hit's result; a context file's (*want_texts* None) without its findings, which nothing reports."""
    item.result, item.hit = cache.result_of(item.path, entry, want_texts is not None), True


def _read_text(engine: Engine, item: _Item) -> bool:
    """Give a hit its text, read now; False if the file no longer has the hit's digest."""
    from .cache import digest_of_bytes

    data, _ = engine.read(item.path, item.target.explicit)
    return data is not None and digest_of_bytes(data) == item.result.digest and _give_text(item, data)


def _give_text(item: _Item, data: bytes) -> bool:
    from .source import DecodeError, Source, decode

    try:
        text, bom = decode(data)
    except DecodeError:
        return False
    # finalize() parses the suppressions from this text (result.suppressions stays None)
    item.result.source = Source(path=item.path, text=text, bom=bom)
    return True


def lint_misses(cache, engine: Engine, items: list[_Item], jobs: int, frames: bool = False,
                fix_texts: bool = True, stream=None) -> None:
    """Lint the items the cache could not serve; *stream* (tree.FolderStream) takes each result."""
    misses = [i for i in items if i.result is None]
    workers = workers_for(jobs, len(misses))
    if workers > 1:
        _lint_in_workers(cache, engine, misses, workers, frames, fix_texts, stream)
    else:
        for item in misses:
            if item.stat is None:  # not probed (a cold run meant for workers): the stat goes before the read
                item.stat = _stat(item.path)
            _lint_here(cache, engine, item, frames, None, fix_texts)
            if stream is not None:
                stream.add(item.result)


def _lint_here(cache, engine: Engine, item: _Item, frames: bool = False, data: bytes | None = None,
               fix_texts: bool = True) -> None:
    """Lint the very bytes that are hashed: the entry's digest is exact. *data*:
    the bytes _probe read (and hashed) after taking item.stat; else they are read now."""
    if data is not None and item.hashed is not None:
        problem, digest = None, item.hashed
    else:
        data, problem = engine.read_stat(item.path, item.stat) if item.stat is not None else \
            engine.read(item.path, item.target.explicit)
        digest = cache.digest_of_bytes(data) if data is not None else NO_CONTENT
    item.result = _slim(engine.lint_bytes(item.path, data, problem, item.target.explicit, item.target.role),
                        frames, fix_texts)
    item.result.digest = digest
    if data is not None and item.stat is not None:
        cache.put(item.path, item.stat, item.result, item.target.role)
    if not (frames or fix_texts):
        _without_secrets(item.result)


def _without_secrets(result: FileResult) -> None:
    """What _slim without *secrets* lets go of, once the cache has stored it:
    a run with neither code frames nor SARIF fix regions never reads this
    file's text again in this run (tree._texts_for_fixes does only for
    those), so nothing masks a secret in it (tree-10000-s42 written to a
    new cache: peak RSS 30.9 -> 30.1 MB; 27.1 MB without the cache)."""
    _drop_secret_spans(result)
    _without_fix_secrets(result)


def _drop_secret_spans(result: FileResult) -> None:
    """A file whose text is let go lets go of what only masks that text: its
    secret spans and its findings' secret values."""
    if result.source is None:
        result.secret_spans = _NOTHING
        for finding in result.findings:
            finding.secrets = _NOTHING


def _lint_in_workers(cache, engine: Engine, misses: list[_Item], jobs: int, frames: bool = False,
                     fix_texts: bool = True, stream=None) -> None:
    """Workers read the files (again, for a miss whose entry's digest was
    checked here) and hash what they lint: a result is stored under the
    digest of the very bytes it came from, with a stat taken before that
    read (a file changed in between has a stat the next run does not trust,
    so it is read and hashed again then). Forked workers take that stat and
    encode the rows themselves, and this process writes them (cache.adopt);
    others leave both to this process, with the stat of the probe. *stream*:
    the workers run the tree stage of the folders wholly in their chunk."""
    waiting = iter(misses)

    def store(part: list, encoded) -> None:
        items = [next(waiting) for _ in part]
        if encoded is not None:
            cache.adopt(*encoded)
            return
        for item, result in zip(items, part):  # workers that could not encode (no fork)
            if item.stat is not None and result.digest != NO_CONTENT:
                cache.put(item.path, item.stat, result, item.target.role)

    linted = _in_workers(engine, [i.target for i in misses], jobs, frames, fix_texts, stream=stream, cache=cache,
                         on_part=store)
    for item, result in zip(misses, linted):
        item.result = result


def ensure_facts(cache, engine: Engine, targets: list[Target], results: list[FileResult], jobs: int = 1,
                 only=None) -> int:
    """Give every result its facts: cache hits carry none until the deployment
    rules need them (a deployment hit needs no facts at all). A hit whose
    facts are not stored is linted again, in place. Returns how many were.
    *only(result)*: the results it accepts, and no others."""
    if cache is None:
        return 0
    again = []
    for index, result in enumerate(results):
        if result.facts is not None or result.digest in (None, NO_CONTENT):
            continue
        if only is not None and not only(result):
            continue
        facts = cache.facts_of(result.path, result.digest)
        if facts is None:
            again.append(index)
        else:
            result.facts = facts
    if not again:
        return 0
    items = []
    for index in again:
        item = _Item(targets[index])
        try:
            item.stat = os.stat(item.path)
        except OSError:
            pass
        items.append(item)
    lint_misses(cache, engine, items, jobs)
    for index, item in zip(again, items):
        old = results[index]
        item.result.source = item.result.source or old.source  # a text read for suppressions stays
        results[index] = item.result
    return len(again)

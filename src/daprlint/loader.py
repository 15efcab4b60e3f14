"""Bytes to located YAML nodes.

PyYAML's C composer gives every node a start and end mark (line, column and
code-point index) without building Python objects, which is the cheapest way
to get positions. libyaml bounds nesting depth (1000), and composing never
expands aliases, so a billion-laughs document stays small here; the model
walks nodes iteratively and never follows an alias twice.
"""
from __future__ import annotations

import re

import yaml

from yaml.nodes import ScalarNode, SequenceNode

from yaml.resolver import Resolver

try:  # the C parser is ~10x faster; the pure loader keeps us working without libyaml
    from yaml._yaml import CParser as _BaseLoader
except ImportError:  # pragma: no cover - exercised only on builds without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
# the safe loaders' resolver (CSafeLoader's and SafeLoader's), for the texts not in the memo
_resolve_plain = Resolver().resolve
# plain scalar text -> tag; manifests repeat the same keys and values, and
# PyYAML's resolver tries several regexes per scalar (a third of parse time)
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 8192  # keys and common values; emptied when full, so memory stays bounded


class _Loader(_BaseLoader):
    """The safe loader's composer with a memoised implicit resolver (same tags, tested).

    Safe because the safe loaders register no path resolvers, so a scalar's
    tag depends on its text alone. Composing needs nothing else of
    CSafeLoader: its constructor and resolver state (set up for every file)
    are left out. With the C callables below, a cold run of tree-1000-s42
    took 2,111 M instructions before and 2,071 M after.
    """

    def resolve(self, kind, value, implicit, _get=_PLAIN_TAGS.get):
        if kind is ScalarNode:
            if not implicit[0]:
                return _STR
            tag = _get(value)
            if tag is None:
                tag = _resolve_plain(kind, value, implicit)
                if len(value) <= 64:
                    if len(_PLAIN_TAGS) >= _PLAIN_TAGS_MAX:
                        _PLAIN_TAGS.clear()
                    _PLAIN_TAGS[value] = tag
            return tag
        return _SEQ if kind is SequenceNode else _MAP

    # No path resolvers are registered on the safe loaders, so the composer's
    # calls around every node (descend_resolver(parent, index), ascend_resolver())
    # have nothing to do. C callables that accept those arguments and do nothing
    # we keep: a class attribute that is a type is not bound, so no Python frame
    # is made per node.
    descend_resolver = slice
    ascend_resolver = tuple

from .source import DecodeError, ParseError, Source, decode  # noqa: F401  (DecodeError, decode: loader.* users)
from .span import Span, FILE_START

def _error_span(exc: BaseException, text: str, template: bool = False) -> Span:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context = getattr(exc, "context", None) or ""
    if template and context.startswith("while scanning") and getattr(exc, "context_mark", None) is not None:
        # the token that could not be read starts there; the problem mark is often lines later
        mark = exc.context_mark
    if mark is None:
        return FILE_START
    index = min(max(mark.index, 0), len(text))
    return Span.point(mark.line, mark.column, index)


# Parser messages quote source text (an undefined alias name, a tag); that
# text may be part of a secret (`password: *hunter2`), so long quotes go.
_QUOTED = re.compile(r"'[^']{4,}'|\"[^\"]{4,}\"")


def _problem(exc: BaseException) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        parts = [p for p in (exc.context, exc.problem) if p]
        return _QUOTED.sub("'…'", "; ".join(parts)) or type(exc).__name__
    if isinstance(exc, yaml.reader.ReaderError):
        return "special characters are not allowed in YAML"
    if isinstance(exc, RecursionError):
        return "document is nested too deeply"
    return type(exc).__name__


def parse(path: str, text: str, bom: bool = False) -> Source:
    """Compose every document of *text*; keep those before a syntax error.

    A text with `{{` is read as a Go/Helm template (template.py): the
    prepared text has the same length and line breaks, so every mark is a
    position in *text*; scalars that touch an action then get their
    template text back.
    """
    source = Source(path=path, text=text, bom=bom)
    prepared = None
    if "{{" in text:
        from .template import prepare

        prepared = prepare(text)
        if prepared.actions:
            source.template = prepared
        else:
            prepared = None
    try:
        for node in yaml.compose_all(text if prepared is None else prepared.text, Loader=_Loader):
            source.documents.append(node)
    except Exception as exc:  # any parser failure is a finding, never a crash
        template = prepared is not None or _in_chart_templates(path)
        source.parse_error = ParseError(_problem(exc), _error_span(exc, text, template), template)
    if prepared is not None:
        _restore_template_text(source.documents, prepared, text)
        prepared.bind(source.documents)
    if "<<" in text and source.documents:
        flatten_merge_keys(source.documents)
    return source


_MERGE = "tag:yaml.org,2002:merge"


def flatten_merge_keys(documents: list) -> None:
    """Resolve YAML merge keys (`<<: *base`, `<<: [*a, *b]`) in place, as PyYAML's
    constructor (SafeConstructor.flatten_mapping) and Go's yaml.v2 (so kubectl and
    daprd, through sigs.k8s.io/yaml) do: the merged mappings' pairs come first, so
    a mapping's own keys win (last one wins), and in a list of mappings the first
    wins. Every reader of the nodes (model, schema checks, rules) then sees the
    mapping daprd sees; the nodes keep their marks (in the anchor's text)."""
    from yaml.nodes import MappingNode, SequenceNode

    done: set[int] = set()

    def flatten(node) -> list:
        if id(node) in done:
            return node.value
        done.add(id(node))  # before the merge: a mapping that merges itself ends here
        merged, own = [], []
        for k, v in node.value:
            if k.__class__ is ScalarNode and k.tag == _MERGE:
                for source in reversed(v.value if v.__class__ is SequenceNode else [v]):
                    if source.__class__ is MappingNode:
                        merged += flatten(source)
            else:
                own.append((k, v))
        if merged:
            node.value = merged + own
        elif len(own) != len(node.value):
            node.value = own  # `<<:` with nothing to merge
        return node.value

    stack = list(documents)
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.__class__ is MappingNode:
            if any(k.__class__ is ScalarNode and k.tag == _MERGE for k, _ in node.value):
                flatten(node)
            for k, v in node.value:
                stack.append(v)
        elif node.__class__ is SequenceNode:
            stack.extend(node.value)


def _in_chart_templates(path: str) -> bool:
    """A file under a chart's `templates/` folder (a `Chart.yaml` beside that folder).

    Asked only when a file fails to parse, so the stat calls cost nothing on the way that matters.
    """
    import os

    folder = os.path.dirname(os.path.abspath(path)) if path not in ("", "-") else ""
    while folder and os.path.basename(folder) != "templates":
        parent = os.path.dirname(folder)
        folder = "" if parent == folder else parent
    return bool(folder) and os.path.isfile(os.path.join(os.path.dirname(folder), "Chart.yaml"))


_BREAKS = re.compile("[ \t]*(?:\r\n|[\r\n\x85\u2028\u2029])[ \t]*")


def _restore_template_text(documents: list, prepared, text: str) -> None:
    """Every scalar that touches an action gets the template's own text as its value.

    Marks stay. The value is the scalar's source text: without the quotes of
    a quoted scalar, with lines joined by one space as YAML folds them; a
    block scalar keeps its lines, less their common indentation. Rules see
    `{{ … }}` in it and judge nothing (model.is_templated).
    """
    from bisect import bisect_right

    actions = prepared.actions
    starts = [a.start for a in actions]
    first, last = actions[0].start, max(a.end for a in actions)
    ptext = prepared.text
    seen: set[int] = set()  # collections only: a scalar reached twice through an alias is restored twice, alike
    stack = list(documents)
    pop, push, scalar, sequence = stack.pop, stack.extend, ScalarNode, SequenceNode
    while stack:
        node = pop()
        cls = node.__class__
        if cls is scalar:
            start, end = node.start_mark.index, node.end_mark.index
            if end <= first or start >= last:
                continue
            if node.style in ("|", ">"):  # a block scalar's span ends after its trailing blank lines
                end = start + len(ptext[start:end].rstrip())
            i = bisect_right(starts, end - 1) - 1
            if end > start and i >= 0 and actions[i].end > start:
                touched = prepared.actions_in(start, end)  # a multi-line action reaches past the scalar
                node.value = _source_value(text[min(start, touched[0].start):max(end, touched[-1].end)], node.style)
        elif id(node) not in seen:
            seen.add(id(node))
            if cls is sequence:
                push(node.value)
            else:
                for pair in node.value:
                    push(pair)


def _source_value(raw: str, style: str | None) -> str:
    if style in ("|", ">"):
        lines = raw.splitlines()[1:]
        indent = min((len(line) - len(line.lstrip(" ")) for line in lines if line.strip()), default=0)
        return "".join(line[indent:] + "\n" for line in lines)
    if style in ("'", '"') and len(raw) >= 2 and raw[0] == style and raw[-1] == style:
        raw = raw[1:-1]
    return _BREAKS.sub(" ", raw)


def load_bytes(path: str, data: bytes) -> Source:
    """Decode and parse; raises DecodeError for non-text input."""
    text, bom = decode(data)
    return parse(path, text, bom)

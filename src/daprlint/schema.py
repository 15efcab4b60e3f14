"""JSON Schema checks run directly on YAML nodes.

The `jsonschema` package is the reference implementation, but it costs
~73 ms to import and ~240 µs per document. This validator covers the subset
of keywords the rule-pack schemas use, walks the located nodes (so every
error has its span for free) and needs no conversion to Python objects.
A schema that uses any other keyword is validated with `jsonschema` instead
(imported lazily). tests/test_schema.py checks both agree over the corpus.

The hot path is generated Python (_FastCode), compiled function by function
as resources reach it: a large CRD (Configuration: 180 schema nodes) costs
only the part a run's resources use. `fast_check` answers, in the same walk,
whether every key of a closed object is declared, which is all DPR011 needs
to know of a valid resource (structure.schema_findings; tests/test_one_walk.py
holds it to the unknown-field walk).
"""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache

TYPE_CHECKING = False  # typing costs ~3 ms at start-up: annotations only
if TYPE_CHECKING:
    from pathlib import Path  # a base is a str or a Path; pathlib itself costs 2-6 ms at start-up
    from typing import Any, Iterator

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .span import Span

ANNOTATIONS = {"$schema", "$id", "$comment", "title", "description", "default", "examples", "example",
               "format", "x-daprlint", "$defs", "definitions", "readOnly", "writeOnly", "deprecated"}
SUPPORTED = {"type", "properties", "required", "items", "enum", "const", "pattern", "additionalProperties",
             "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "minimum", "maximum", "$ref", "allOf",
             "anyOf", "oneOf", "minProperties", "propertyNames", "not"}

_TAG_TYPES = {
    "tag:yaml.org,2002:str": ("string",),
    "tag:yaml.org,2002:int": ("integer", "number"),
    "tag:yaml.org,2002:float": ("number",),
    "tag:yaml.org,2002:bool": ("boolean",),
    "tag:yaml.org,2002:null": ("null",),
}


class Unsupported(Exception):
    pass


def node_types(node: Node) -> tuple[str, ...]:
    if isinstance(node, MappingNode):
        return ("object",)
    if isinstance(node, SequenceNode):
        return ("array",)
    return _TAG_TYPES.get(node.tag, ("string",))


def to_python(node: Node, _depth: int = 0) -> Any:
    """A node as JSON-like data (only for the jsonschema fallback and tests)."""
    import yaml

    if _depth > 200:
        raise Unsupported("too deep")
    if isinstance(node, MappingNode):
        return {str(to_python(k, _depth + 1)): to_python(v, _depth + 1) for k, v in node.value}
    if isinstance(node, SequenceNode):
        return [to_python(v, _depth + 1) for v in node.value]
    value = node.value
    kind = node_types(node)[0]
    try:
        if kind == "integer":
            return int(yaml.safe_load(value))
        if kind == "number":
            return float(yaml.safe_load(value))
        if kind == "boolean":
            return bool(yaml.safe_load(value))
    except Exception:
        return value
    if kind == "null":
        return None
    return value


def _pointer(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "document"


class _Plan:
    """One schema node, compiled: only the constraints it has, looked up once."""

    __slots__ = ("types", "enum", "const", "pattern", "min_length", "max_length", "minimum", "maximum",
                 "required", "required_msg", "min_properties", "props", "extra", "names", "items", "min_items",
                 "max_items", "all_of", "any_of", "one_of", "not_", "false", "trivial", "messages", "unique",
                 "known", "closed")


def _enum_text(v) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)


def declared_properties(schema: dict) -> dict:
    """The properties an object schema declares, with those of its allOf/anyOf/oneOf
    branches (the first schema of a name wins): what an unknown-key check calls known."""
    props = dict(schema.get("properties") or {})
    for keyword in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(keyword, ()):
            if isinstance(branch, dict):
                for name, sub in declared_properties(branch).items():
                    props.setdefault(name, sub)
    return props


class NodeValidator:
    def __init__(self, schema: dict, base: str | Path | None = None, ignore_required: bool = False,
                 root_keys: dict[str, frozenset] | None = None):
        """*ignore_required*: judge a partial document (a kustomize patch): no field is missing.
        *root_keys*: for fast_check, the keys allowed in some properties of the root instead of
        their schema's (`metadata`: the Kubernetes ObjectMeta fields), not judged below them."""
        self.root = schema
        self.base = base
        self.ignore_required = ignore_required
        self.root_keys = root_keys or {}
        self._check_supported(schema, set())
        self._plans: dict[int, _Plan] = {}
        self.plan = self._compile(schema)

    def _resolve(self, ref: str) -> dict:
        target, _, pointer = ref.partition("#")
        doc = self.root
        if target:
            if self.base is None:
                raise Unsupported(ref)
            doc = _load_json(_beside(self.base, target))
        for part in [p for p in pointer.split("/") if p]:
            doc = doc[part.replace("~1", "/").replace("~0", "~")]
        return doc

    def _check_supported(self, schema: Any, seen: set) -> None:
        if not isinstance(schema, dict) or id(schema) in seen:
            return
        seen.add(id(schema))
        for key, value in schema.items():
            if key.startswith("x-") or key in ANNOTATIONS:
                if key in ("$defs", "definitions"):
                    for sub in value.values():
                        self._check_supported(sub, seen)
                continue
            if key not in SUPPORTED:
                raise Unsupported(key)
            if key == "$ref":
                self._check_supported(self._resolve(value), seen)
            elif key in ("properties",):
                for sub in value.values():
                    self._check_supported(sub, seen)
            elif key in ("allOf", "anyOf", "oneOf"):
                for sub in value:
                    self._check_supported(sub, seen)
            elif key in ("items", "additionalProperties", "propertyNames", "not"):
                self._check_supported(value, seen)

    def _compile(self, schema) -> _Plan:
        if isinstance(schema, dict) and id(schema) in self._plans:
            return self._plans[id(schema)]
        plan = _Plan()
        for slot in _Plan.__slots__:
            setattr(plan, slot, None)
        plan.false = schema is False
        plan.trivial = schema is True or schema == {}
        if not isinstance(schema, dict):
            return plan
        self._plans[id(schema)] = plan
        all_of = [self._compile(s) for s in schema.get("allOf", ())]
        if "$ref" in schema:
            all_of.insert(0, self._compile(self._resolve(schema["$ref"])))
        plan.all_of = all_of or None
        t = schema.get("type")
        plan.types = None if t is None else tuple(t if isinstance(t, list) else [t])
        plan.enum = None if "enum" not in schema else (frozenset(_enum_text(v) for v in schema["enum"]), schema["enum"])
        plan.const = None if "const" not in schema else str(schema["const"])
        plan.pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
        plan.min_length, plan.max_length = schema.get("minLength"), schema.get("maxLength")
        plan.minimum, plan.maximum = schema.get("minimum"), schema.get("maximum")
        plan.required = None if self.ignore_required else (tuple(schema.get("required", ())) or None)
        # x-daprlint-messages: {keyword: message} replaces a keyword's default message
        plan.messages = schema.get("x-daprlint-messages") or None
        plan.required_msg = (plan.messages or {}).get("required", "is missing the required field '{name}'")
        plan.unique = bool(schema.get("uniqueItems")) or None
        plan.min_properties = schema.get("minProperties")
        plan.props = {k: self._compile(v) for k, v in schema.get("properties", {}).items()} or None
        extra = schema.get("additionalProperties", True)
        plan.extra = extra if isinstance(extra, bool) else self._compile(extra)
        plan.names = self._compile(schema["propertyNames"]) if "propertyNames" in schema else None
        plan.items = self._compile(schema["items"]) if "items" in schema else None
        plan.min_items, plan.max_items = schema.get("minItems"), schema.get("maxItems")
        plan.any_of = [self._compile(s) for s in schema["anyOf"]] if "anyOf" in schema else None
        plan.one_of = [self._compile(s) for s in schema["oneOf"]] if "oneOf" in schema else None
        plan.not_ = self._compile(schema["not"]) if "not" in schema else None
        # for fast_check: an object schema with properties and no additionalProperties is closed
        known = declared_properties(schema)
        plan.known = frozenset(known) or None
        plan.closed = (bool(known) and schema.get("additionalProperties") is None) or None
        return plan

    def errors(self, node: Node, plan: _Plan | None = None, path: tuple = ()) -> Iterator[tuple[Node, tuple, str]]:
        """(node, instance path, message) for every error under *node*."""
        for issue in self.issues(node, plan, path):
            yield issue.node, issue.path, issue.message

    def issues(self, node: Node, plan: _Plan | None = None, path: tuple = ()) -> Iterator[Issue]:
        """Every error under *node* as an Issue: errors() plus the keyword that failed
        (and, for `required`, the missing name), for rules that judge errors by kind."""
        plan = self.plan if plan is None else plan
        if plan.trivial:
            return
        if plan.false:
            yield Issue(node, path, "false", "is not allowed here")
            return
        if plan.all_of:
            for sub in plan.all_of:
                yield from self.issues(node, sub, path)
        say = plan.messages.get if plan.messages else _no_message
        types = node_types(node)
        if plan.types is not None and not any(t in types for t in plan.types):
            yield Issue(node, path, "type", say("type") or
                        f"should be {' or '.join(_article(t) for t in plan.types)}, not {_article(types[0])}",
                        expected=plan.types)
            return
        is_scalar = isinstance(node, ScalarNode)
        if plan.enum is not None and _scalar(node) not in plan.enum[0]:
            yield Issue(node, path, "enum", say("enum") or f"must be one of {', '.join(map(str, plan.enum[1]))}")
        if plan.const is not None and _scalar(node) != plan.const:
            yield Issue(node, path, "const", say("const") or f"must be {plan.const}")
        if is_scalar and "string" in types:
            if plan.pattern is not None and not plan.pattern.search(node.value):
                yield Issue(node, path, "pattern", say("pattern") or f"does not match the pattern {plan.pattern.pattern}")
            if plan.min_length is not None and len(node.value) < plan.min_length:
                yield Issue(node, path, "minLength", say("minLength") or (
                    "must not be empty" if plan.min_length == 1 else f"is shorter than {plan.min_length}"))
            if plan.max_length is not None and len(node.value) > plan.max_length:
                yield Issue(node, path, "maxLength", say("maxLength") or f"is longer than {plan.max_length} characters")
        if is_scalar and "number" in types and (plan.minimum is not None or plan.maximum is not None):
            try:
                number = float(node.value.replace("_", ""))
            except ValueError:
                number = None
            if number is not None and plan.minimum is not None and number < plan.minimum:
                yield Issue(node, path, "minimum", say("minimum") or f"must be at least {plan.minimum}")
            if number is not None and plan.maximum is not None and number > plan.maximum:
                yield Issue(node, path, "maximum", say("maximum") or f"must be at most {plan.maximum}")
        if isinstance(node, MappingNode):
            yield from self._object_issues(node, plan, path, say)
        elif isinstance(node, SequenceNode):
            if plan.min_items is not None and len(node.value) < plan.min_items:
                yield Issue(node, path, "minItems", say("minItems") or f"needs at least {plan.min_items} item(s)")
            if plan.max_items is not None and len(node.value) > plan.max_items:
                yield Issue(node, path, "maxItems", say("maxItems") or f"allows at most {plan.max_items} item(s)")
            if plan.unique and _has_duplicates(node.value):
                yield Issue(node, path, "uniqueItems", say("uniqueItems") or "has the same item more than once")
            if plan.items is not None and not plan.items.trivial:
                clear = self._clear_of(plan.items)
                for i, item in enumerate(node.value):
                    if clear is None or not clear(item):
                        yield from self.issues(item, plan.items, path + (i,))
        if plan.any_of is not None and not any(self._valid(node, s) for s in plan.any_of):
            yield Issue(node, path, "anyOf", say("anyOf") or "does not match any allowed form")
        if plan.one_of is not None and sum(self._valid(node, s) for s in plan.one_of) != 1:
            yield Issue(node, path, "oneOf", say("oneOf") or "must match exactly one allowed form")
        if plan.not_ is not None and self._valid(node, plan.not_):
            yield Issue(node, path, "not", say("not") or "is not allowed in this form")

    # The generated code is compiled one function at a time, as resources first reach it (~0.25 ms
    # a function here; a first Component compiles 13 of its schema's 33, 3.3 ms), and then walks a
    # small Component in ~10 µs against valid()'s ~55 µs: a run that sees a kind a few times walks
    # it with valid(), and compiles it once it is seen more often.
    COMPILE_AFTER = 50

    def fast_valid(self, node: Node) -> bool:
        """valid(), as generated code: the hot path of schema rules (see _FastCode). The first
        COMPILE_AFTER calls answer with valid() itself (the same answers: tests/test_schema.py)."""
        fn = self.__dict__.get("_fast")
        if fn is None:
            uses = self._uses = self.__dict__.get("_uses", 0) + 1
            if uses <= self.COMPILE_AFTER:
                return self.valid(node)
            self._build()
            fn = self._fast
        return fn(node)

    def fast_check(self, node: Node) -> tuple[bool, bool]:
        """(valid, closed) in one generated walk: *valid* is fast_valid(node); *closed*, when
        valid, says that every key of a closed object (properties and no additionalProperties;
        root_keys where given) is a declared property, everywhere an unknown-key walk goes
        (structure._Walk: DPR011). False means "not known": walk for unknown keys. Before the
        code is compiled (COMPILE_AFTER) closed is always False. One walk instead of two:
        schema rules and DPR011 on tree-1000-s42 (see structure.schema_findings)."""
        fn = self.__dict__.get("_closed")
        if fn is None:
            if self.__dict__.get("_fast") is None:
                uses = self._uses = self.__dict__.get("_uses", 0) + 1
                if uses <= self.COMPILE_AFTER:
                    return self.valid(node), False
            self._build()
            fn = self._closed
        flag = self._open_keys
        flag.clear()
        valid = fn(node)
        return valid, valid and not flag

    def _build(self) -> None:
        if self.__dict__.get("_fast") is None:
            code = _FastCode(self)
            self._fast = code.build()
            self._closed = code.build_closed()
            self._open_keys = code.env["_OPEN"]
            self._code = code

    def _valid(self, node: Node, plan: _Plan) -> bool:
        return next(self.errors(node, plan), None) is None

    def valid(self, node: Node, plan: _Plan | None = None) -> bool:
        """The fast path: a plain boolean walk; errors() runs only when this fails."""
        plan = self.plan if plan is None else plan
        if plan.trivial:
            return True
        if plan.false:
            return False
        if plan.all_of:
            for sub in plan.all_of:
                if not self.valid(node, sub):
                    return False
        cls = type(node)
        if plan.types is not None:
            types = node_types(node)
            for t in plan.types:
                if t in types:
                    break
            else:
                return False
        if cls is MappingNode:
            props = plan.props
            extra = plan.extra
            if plan.required or plan.min_properties is not None:
                names = {k.value for k, _ in node.value if type(k) is ScalarNode}
                if plan.required:
                    for name in plan.required:
                        if name not in names:
                            return False
                if plan.min_properties is not None and len(node.value) < plan.min_properties:
                    return False
            if props or extra is not True or plan.names is not None:
                for k, v in node.value:
                    sub = props.get(k.value if type(k) is ScalarNode else "?") if props else None
                    if sub is not None:
                        if not sub.trivial and not self.valid(v, sub):
                            return False
                    elif extra is False:
                        return False
                    elif extra is not True and not self.valid(v, extra):
                        return False
                    if plan.names is not None and not self.valid(k, plan.names):
                        return False
        elif cls is SequenceNode:
            if plan.min_items is not None and len(node.value) < plan.min_items:
                return False
            if plan.max_items is not None and len(node.value) > plan.max_items:
                return False
            if plan.unique and _has_duplicates(node.value):
                return False
            if plan.items is not None and not plan.items.trivial:
                for item in node.value:
                    if not self.valid(item, plan.items):
                        return False
        elif (plan.enum is not None or plan.const is not None or plan.pattern is not None
              or plan.min_length is not None or plan.max_length is not None or plan.minimum is not None
              or plan.maximum is not None):
            return next(self.errors(node, plan), None) is None
        if plan.any_of is not None or plan.one_of is not None or plan.not_ is not None:
            return next(self.errors(node, plan), None) is None
        return True

    def _clear_of(self, plan: _Plan):
        """The generated function of *plan*, if the fast path has compiled it (None if not): a
        child it finds valid has no issue, so issues() does not walk it. Only functions already
        compiled: compiling one costs more than the walks it saves (see bench/README.md)."""
        code = self.__dict__.get("_code")
        return None if code is None else code.compiled(plan)

    def _object_issues(self, node: MappingNode, plan: _Plan, path: tuple, say):
        keys: dict[str, tuple[Node, Node]] = {}
        for k, v in node.value:
            keys[k.value if isinstance(k, ScalarNode) else "?"] = (k, v)
        if plan.required:
            for name in plan.required:
                if name not in keys:
                    yield Issue(node, path, "required", plan.required_msg.format(name=name), name)
        if plan.min_properties is not None and len(keys) < plan.min_properties:
            yield Issue(node, path, "minProperties", say("minProperties") or "must not be empty")
        props = plan.props or {}
        extra = plan.extra
        if not props and extra is True and plan.names is None:
            return
        for name, (k, v) in keys.items():
            sub = props.get(name)
            if sub is not None:
                if not sub.trivial:
                    clear = self._clear_of(sub)
                    if clear is None or not clear(v):
                        yield from self.issues(v, sub, path + (name,))
            elif extra is False:
                yield Issue(k, path + (name,), "additionalProperties", say("additionalProperties") or
                            "is not a known field here", name)
            elif extra is not True:
                clear = self._clear_of(extra)
                if clear is None or not clear(v):
                    yield from self.issues(v, extra, path + (name,))
            if plan.names is not None and isinstance(k, ScalarNode):
                yield from self.issues(k, plan.names, path + (name,))


class Issue:
    """One schema error: where (node and instance path), which keyword failed, the message;
    `name` is the missing field of a `required` error (or the unexpected one), `expected`
    the types a `type` error wanted."""

    __slots__ = ("node", "path", "keyword", "message", "name", "expected")

    def __init__(self, node: Node, path: tuple, keyword: str, message: str, name: str | None = None,
                 expected: tuple | None = None):
        self.node, self.path, self.keyword, self.message, self.name = node, path, keyword, message, name
        self.expected = expected

    def __repr__(self) -> str:
        return f"Issue({_pointer(self.path)!r}, {self.keyword!r}, {self.message!r})"


def _no_message(keyword: str) -> None:
    return None


def _has_duplicates(items: list) -> bool:
    """uniqueItems: two items with the same JSON value."""
    seen = set()
    for item in items:
        try:
            value = json.dumps(to_python(item), sort_keys=True)
        except (Unsupported, TypeError, ValueError):
            return False  # too deep to compare: not judged
        if value in seen:
            return True
        seen.add(value)
    return False


class _FastCode:
    """valid() compiled to Python source: one function per schema node.

    The interpreted valid() looks up every constraint of a plan at every YAML
    node; here each function holds only the checks its schema node has, and
    children with no constraint are not visited. Anything beyond types,
    properties, required, items and counts (enum, pattern, anyOf, ...) is
    answered by the interpreted errors(), so the two cannot disagree there;
    tests/test_schema.py compares both with the jsonschema package.
    """

    def __init__(self, validator: "NodeValidator"):
        self.validator = validator
        self.names: dict = {}
        self.refs: dict[str, list[tuple[dict, str]]] = {}  # a stand-in's places in property tables
        self.keep: list[_Plan] = []  # merged plans: alive while their ids name functions
        self.env: dict[str, Any] = {
            "_OPEN": [],  # fast_check: non-empty once a key was not judged closed (see _closed_function)
            "MappingNode": MappingNode, "SequenceNode": SequenceNode, "ScalarNode": ScalarNode,
            "_KNOWN_TAGS": frozenset(_TAG_TYPES), "_MISSING": object(), "_STR": "tag:yaml.org,2002:str",
            "_errors_ok": lambda node, plan: next(validator.errors(node, plan), None) is None,
            "_has_duplicates": _has_duplicates, "_true": lambda node: True,
        }

    def build(self):
        return self.env[self._function(self.validator.plan)]

    # Each function is written and compiled on its first call: a run reaches a few of a
    # large CRD's schema nodes (Configuration: 180, the corpus's Configurations ~30), and
    # compile() of all of them up front was most of the cost of the fast path (corpus-copy:
    # see bench/README.md round six).
    def _lazy(self, name: str, make_lines) -> str:
        env = self.env

        def first_call(node):
            fn = env[name]
            if fn is first_call:
                fn = self._install(name, make_lines())
            return fn(node)

        env[name] = first_call
        return name

    def _install(self, name: str, lines: list[str]):
        source = f"def {name}(node):\n" + "\n".join("    " + line for line in lines)
        exec(compile(source, "<daprlint schema fast path>", "exec"), self.env)
        fn = self.env[name]
        for table, key in self.refs.pop(name, ()):
            table[key] = fn
        return fn

    def _table(self, props: dict[str, str]) -> str:
        """A property table (key -> function, None for one that accepts anything) as a constant."""
        table = {}
        for key, fn in props.items():
            table[key] = None if fn == "_true" else self.env[fn]
            if fn != "_true":
                self.refs.setdefault(fn, []).append((table, key))
        return self._const(table)

    # -- fast_check: validity and closed objects in one walk -------------------------------
    def build_closed(self):
        """The function of fast_check (after build(): it calls the functions build() made).
        Each returns what the plain function returns; a key that is not a declared
        property of a closed object, or a place this code does not judge, appends to
        _OPEN instead of stopping the walk (the schema errors still decide the answer)."""
        return self.env[self._closed_function(self.validator.plan, True)]

    def _closed_function(self, plan: _Plan, keys) -> str:
        """*keys*: True (the plan's own properties are the known keys, children judged too),
        None (no closed check here or below: the plain function) or a frozenset (these keys,
        nothing below)."""
        if keys is None or plan.trivial or keys is True and not _judged(plan):
            return self._function(plan)
        name_key = (id(plan), keys if keys is True else tuple(sorted(keys)))
        if name_key in self.names:
            return self.names[name_key]
        name = self.names[name_key] = f"_k{len(self.names)}"
        return self._lazy(name, lambda: self._closed_body(plan, keys))

    def _closed_body(self, plan: _Plan, keys) -> list[str]:
        plain = self._function(plan)
        if plan.false or plan.all_of or any(x is not None for x in (plan.enum, plan.const, plan.minimum, plan.maximum)):
            # not judged in one pass: the plain answer, and a walk for unknown keys
            return [f"if not {plain}(node): return False", "_OPEN.append(1)", "return True"]
        lines = ["cls = node.__class__"]
        if plan.types is not None:
            lines.append(f"if not ({self._type_test(plan.types)}): return False")
        lines += self._string(plan)
        if keys is True and plan.closed:
            # the plain checks, a key outside the properties (unknown, or only a branch's) flagged
            root = plan is self.validator.plan
            lines += self._mapping(plan, child=self._root_keys if root else _ALL_KEYS, unknown="_OPEN.append(1)")
        else:
            lines += self._key_counts(plan, plan.required or ())
            lines += self._closed_mapping(plan, keys)
        child = True if keys is True else None
        lines += self._sequence(plan, lambda items: self._closed_item_check(items, child))
        lines += self._combinators(plan)
        lines.append("return True")
        return lines

    def _closed_mapping(self, plan: _Plan, keys) -> list[str]:
        """The key loop: every value judged as the plain function judges it; the keys
        checked against the known ones where the object is closed (as structure._Walk)."""
        props = plan.props or {}
        extra = plan.extra
        closed = keys is not True or plan.closed
        if not closed and not props and extra is True and plan.names is None:
            return []
        if keys is True and plan is self.validator.plan:
            children = {k: self._closed_function(v, self._root_keys(k)) for k, v in props.items()}
        else:
            child = True if keys is True and closed else None
            children = {k: self._closed_function(v, child) for k, v in props.items()}
        table = self._table(children)
        lines = ["if cls is MappingNode:"]
        if keys is True and not closed and props and isinstance(extra, _Plan):
            lines.append("    _OPEN.append(1)")  # the walk judges every value by additionalProperties
        lines += ["    for k, v in node.value:", "        key = k.value if k.__class__ is ScalarNode else '?'"]
        if closed:
            allowed = self._const(plan.known if keys is True else keys)
            lines.append(f"        if key not in {allowed}: _OPEN.append(1)")  # an unknown key: DPR011 walks
        lines += [f"        check = {table}.get(key, _MISSING)",
                  "        if check is not _MISSING:",
                  "            if check is not None and not check(v): return False"]
        if extra is False:
            lines.append("        else: return False")
        elif extra is not True:
            lines.append(f"        elif not {self._closed_function(extra, True if keys is True else None)}(v): "
                         "return False")
        branch_only = set(plan.known or ()) - set(props)
        if keys is True and closed and branch_only:
            # a property only an anyOf/oneOf branch declares: the walk judges its value
            lines.append(f"        if key in {self._const(frozenset(branch_only))}: _OPEN.append(1)")
        if plan.names is not None:
            lines.append(f"        if not {self._function(plan.names)}(k): return False")
        return lines

    def _root_keys(self, name: str | None):
        keys = self.validator.root_keys.get(name) if name is not None else None
        return True if keys is None else frozenset(keys)

    def _const(self, value) -> str:
        name = f"_c{len(self.env)}"
        self.env[name] = value
        return name

    def compiled(self, plan: _Plan):
        """A compiled function that answers valid() for *plan*, else None (nothing is made here):
        fast_check's own (it returns what the plain function returns: build_closed), or the plain one."""
        for key in ((id(plan), True), id(plan)):
            name = self.names.get(key)
            if name is not None:
                fn = self.env[name]
                if fn.__name__ == name:
                    return fn
        return None  # not compiled: "_true", a first_call not yet run, or never named

    def _function(self, plan: _Plan) -> str:
        if plan.trivial:
            return "_true"
        if id(plan) in self.names:
            return self.names[id(plan)]
        if _accepts_anything(plan):  # only annotations: nothing to check
            self.names[id(plan)] = "_true"
            return "_true"
        name = self.names[id(plan)] = f"_v{len(self.names)}"
        return self._lazy(name, lambda: self._body(plan))

    def _body(self, plan: _Plan) -> list[str]:
        if plan.false:
            return ["return False"]
        if plan.all_of:
            merged = _merge([plan], self.keep)
            if merged is not None:  # one walk instead of one per allOf branch
                plan = merged
        plan_ref = self._const(plan)
        lines = []
        for sub in plan.all_of or ():
            lines.append(f"if not {self._function(sub)}(node): return False")
        lines.append("cls = node.__class__")
        if plan.types is not None:
            lines.append(f"if not ({self._type_test(plan.types)}): return False")
        if any(x is not None for x in (plan.enum, plan.const, plan.minimum, plan.maximum)):
            lines.append(f"return _errors_ok(node, {plan_ref})")  # as the interpreted path says (any node class)
            return lines
        lines += self._string(plan) + self._mapping(plan) + self._sequence(plan) + self._combinators(plan)
        lines.append("return True")
        return lines

    def _string(self, plan: _Plan) -> list[str]:
        """pattern and lengths, on a scalar that node_types() calls a string (str or unknown tag)."""
        if plan.pattern is None and plan.min_length is None and plan.max_length is None:
            return []
        lines = ["if cls is ScalarNode and (node.tag == _STR or node.tag not in _KNOWN_TAGS):", "    text = node.value"]
        if plan.pattern is not None:
            lines.append(f"    if {self._const(plan.pattern)}.search(text) is None: return False")
        if plan.min_length is not None:
            lines.append(f"    if len(text) < {plan.min_length}: return False")
        if plan.max_length is not None:
            lines.append(f"    if len(text) > {plan.max_length}: return False")
        return lines

    def _combinators(self, plan: _Plan) -> list[str]:
        """anyOf, oneOf and not through the branches' own fast functions (each is valid())."""
        lines = []
        if plan.any_of is not None:
            tests = " or ".join(f"{self._function(sub)}(node)" for sub in plan.any_of) or "False"
            lines.append(f"if not ({tests}): return False")
        if plan.one_of is not None:
            tests = " + ".join(f"bool({self._function(sub)}(node))" for sub in plan.one_of) or "0"
            lines.append(f"if ({tests}) != 1: return False")
        if plan.not_ is not None:
            lines.append(f"if {self._function(plan.not_)}(node): return False")
        return lines

    def _type_test(self, types: tuple, var: str = "node", cls: str = "cls") -> str:
        tests = []
        if "object" in types:
            tests.append(f"{cls} is MappingNode")
        if "array" in types:
            tests.append(f"{cls} is SequenceNode")
        tags = frozenset(tag for tag, names in _TAG_TYPES.items() if any(t in names for t in types))
        scalar = f"{var}.tag in {self._const(tags)}"
        if "string" in types:  # unknown tags count as strings (node_types)
            scalar = f"({scalar} or {var}.tag not in _KNOWN_TAGS)"
        if tags or "string" in types:
            tests.append(f"({cls} is ScalarNode and {scalar})")
        return " or ".join(tests) or "False"

    def _test(self, plan: _Plan, var: str) -> str:
        """An expression that is valid(var, plan): inline for a bare type check, else a call."""
        fn = self._function(plan)
        if fn == "_true":
            return "True"
        bare = (plan.types is not None and not plan.false and not plan.all_of and _only_types(plan))
        if bare:
            return self._type_test(plan.types, var, f"{var}.__class__")
        return f"{fn}({var})"

    def _mapping(self, plan: _Plan, child=None, unknown: str = "pass") -> list[str]:
        """The checks of a mapping. For fast_check (see _closed_body): *child* gives the
        `keys` of each property's closed function, *unknown* the statement for a key
        that is not a property when anything else is allowed."""
        if child is None:
            def test(key, sub):
                return self._test(sub, "v")

            def function(key, sub):
                return self._function(sub)
        else:
            def function(key, sub):
                return self._closed_function(sub, child(key))

            def test(key, sub):
                fn = function(key, sub)
                return self._test(sub, "v") if fn == self._function(sub) else f"{fn}(v)"
        extra = plan.extra
        props = plan.props or {}
        walk = bool(props or extra is not True or plan.names is not None or unknown != "pass")
        required = plan.required or ()
        # required fields seen in the walk over the keys itself (one pass, no set of the names); a
        # non-scalar key walks as '?', so a field named '?' keeps the set
        flags = walk and bool(required) and len(props) <= 12 and "?" not in required
        lines = self._key_counts(plan, () if flags else required)
        if not walk:
            return lines
        seen = {name: f"seen{i}" for i, name in enumerate(dict.fromkeys(required))} if flags else {}
        lines.append("if cls is MappingNode:")
        lines += [f"    {flag} = False" for flag in seen.values()]
        lines += ["    for k, v in node.value:", "        key = k.value if k.__class__ is ScalarNode else '?'"]
        otherwise = unknown if extra is True else self._extra_check(extra, None if child is None else child(None))
        if len(props) > 12:  # a dict lookup beats a long if/elif chain
            table = self._table({k: function(k, v) for k, v in props.items()})
            lines += [f"        check = {table}.get(key, _MISSING)",
                      "        if check is not _MISSING:",
                      "            if check is not None and not check(v): return False",
                      "        else:", "            " + otherwise]
        else:
            branches = [(key, test(key, sub)) for key, sub in props.items()]
            branches += [(name, None) for name in seen if name not in props]  # required, checked as extra
            keyword = "if"
            for key, test in branches:
                check = otherwise if test is None else "pass" if test == "True" else f"if not ({test}): return False"
                if check == "pass" and otherwise == "pass" and key not in seen:
                    continue  # the same as any other key: no branch
                lines.append(f"        {keyword} key == {key!r}:")
                if key in seen:
                    lines.append(f"            {seen[key]} = True")
                lines.append("            " + check)
                keyword = "elif"
            if keyword == "elif":
                lines += ["        else:", "            " + otherwise]
            elif otherwise != "pass":
                lines.append("        " + otherwise)
        if plan.names is not None:
            lines.append(f"        if not {self._function(plan.names)}(k): return False")
        lines += [f"    if not {flag}: return False" for flag in seen.values()]
        return lines

    def _extra_check(self, extra, keys=None) -> str:
        if extra is True:
            return "pass"
        if extra is False:
            return "return False"
        fn = self._closed_function(extra, keys) if keys is not None else None
        if fn is None or fn == self._function(extra):
            return f"if not ({self._test(extra, 'v')}): return False"
        return f"if not {fn}(v): return False"

    @staticmethod
    def _key_counts(plan: _Plan, required) -> list[str]:
        """A mapping's *required* names checked on the set of its keys, and minProperties."""
        if not required and plan.min_properties is None:
            return []
        lines = ["if cls is MappingNode:"]
        if required:
            lines.append("    names = {k.value for k, _ in node.value if k.__class__ is ScalarNode}")
            lines += [f"    if {name!r} not in names: return False" for name in required]
        if plan.min_properties is not None:
            lines.append(f"    if len(node.value) < {plan.min_properties}: return False")
        return lines

    def _sequence(self, plan: _Plan, item_check=None) -> list[str]:
        """A sequence's checks; *item_check(items plan)*: the statement that judges one item
        (None: nothing to judge), by default the plain test (fast_check passes its own)."""
        checks = []
        if plan.min_items is not None:
            checks.append(f"    if len(node.value) < {plan.min_items}: return False")
        if plan.max_items is not None:
            checks.append(f"    if len(node.value) > {plan.max_items}: return False")
        if plan.unique:
            checks.append("    if _has_duplicates(node.value): return False")
        if plan.items is not None and not plan.items.trivial:
            check = (item_check or self._item_check)(plan.items)
            if check is not None:
                checks += ["    for item in node.value:", f"        {check}"]
        return ["if cls is SequenceNode:"] + checks if checks else []

    def _item_check(self, items: _Plan) -> str | None:
        test = self._test(items, "item")
        return None if test == "True" else f"if not ({test}): return False"

    def _closed_item_check(self, items: _Plan, keys) -> str | None:
        fn = self._closed_function(items, keys)
        return None if fn == "_true" else f"if not {fn}(item): return False"


_MERGE_BLOCKERS = ("enum", "const", "pattern", "min_length", "max_length", "minimum", "maximum", "names",
                   "any_of", "one_of", "not_", "unique")


def _blank() -> _Plan:
    plan = _Plan()
    for slot in _Plan.__slots__:
        setattr(plan, slot, None)
    plan.false = plan.trivial = False
    plan.extra = True
    return plan


def _flatten(plans, out, depth=0):
    for plan in plans:
        if depth > 20:
            return False
        if plan.trivial:
            continue
        if plan.all_of and not _flatten(plan.all_of, out, depth + 1):
            return False
        out.append(plan)
    return True


def _merge(plans: list[_Plan], keep: list[_Plan]) -> _Plan | None:
    """One plan that accepts exactly what all *plans* accept (an allOf), or
    None when they use anything but types, properties, required, items and
    counts, or disagree on types (then the allOf is walked branch by branch)."""
    parts: list[_Plan] = []
    if not _flatten(plans, parts):
        return None
    merged = _blank()
    keep.append(merged)
    types = {frozenset(p.types) for p in parts if p.types is not None}
    if len(types) > 1:
        return None
    props: dict[str, list[_Plan]] = {}
    items: list[_Plan] = []
    for p in parts:
        if p.false or p.extra is not True or any(getattr(p, b) is not None for b in _MERGE_BLOCKERS):
            return None
        merged.types = merged.types or p.types
        merged.required = tuple(dict.fromkeys((merged.required or ()) + (p.required or ()))) or None
        merged.min_properties = _bound(max, merged.min_properties, p.min_properties)
        merged.min_items = _bound(max, merged.min_items, p.min_items)
        merged.max_items = _bound(min, merged.max_items, p.max_items)
        for key, sub in (p.props or {}).items():
            props.setdefault(key, []).append(sub)
        if p.items is not None:
            items.append(p.items)
    merged.props = {key: _combine(subs, keep) for key, subs in props.items()} or None
    merged.items = _combine(items, keep) if items else None
    merged.trivial = not parts
    return merged


def _combine(subs: list[_Plan], keep: list[_Plan]) -> _Plan:
    if len(subs) == 1:
        return subs[0]
    merged = _merge(subs, keep)
    if merged is None:  # still correct, just walked once per branch
        merged = _blank()
        merged.all_of = subs
        keep.append(merged)
    return merged


def _bound(pick, a, b):
    return b if a is None else a if b is None else pick(a, b)


def _only_types(plan: _Plan) -> bool:
    """The plan checks nothing but the node's type."""
    return plan.extra is True and all(getattr(plan, slot) is None for slot in _CHECKS if slot != "types")


def _ALL_KEYS(name: str | None) -> bool:
    """Below a closed object every value is judged closed too (_closed_function's keys=True)."""
    return True


_CHECKS = tuple(slot for slot in _Plan.__slots__ if slot not in (
    "extra", "false", "trivial", "required_msg", "messages", "known", "closed"))


def _accepts_anything(plan: _Plan) -> bool:
    """The plan has no constraint (its schema only annotates): any node is valid."""
    if plan.false or plan.extra is not True:
        return False
    for slot in _CHECKS:
        value = getattr(plan, slot)
        if value is not None and not (slot == "items" and value.trivial):
            return False
    return True


def _judged(plan: _Plan) -> bool:
    """An unknown-key walk looks at the plan's keys or goes below it: a closed object, an
    additionalProperties schema, items (structure._Walk.mapping and node)."""
    return bool(plan.closed) or isinstance(plan.extra, _Plan) or plan.items is not None


def _scalar(node: Node) -> str | None:
    if not isinstance(node, ScalarNode):
        return None
    if node.tag.endswith(":bool"):
        return node.value.lower() in ("true", "yes", "on", "y") and "true" or "false"
    return node.value


def _article(t: str) -> str:
    return {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
            "number": "a number", "boolean": "true or false", "null": "empty"}.get(t, t)


@lru_cache(maxsize=None)
def _load_json(path: str) -> Any:
    with open(path, encoding="utf-8") as f:
        return json.loads(f.read())


def _beside(base: str | Path, target: str) -> str:
    """The real path of *target* relative to the folder of the schema file *base*
    (what `(Path(base).parent / target).resolve()` gives)."""
    return os.path.realpath(os.path.join(os.path.dirname(os.fspath(base)), target))


def jsonschema_errors(schema: dict, base: str | Path | None, instance: Any) -> Iterator[tuple[tuple, str]]:
    """Reference validation with the jsonschema package (slow path)."""
    import jsonschema
    from referencing import Registry, Resource

    def retrieve(uri: str):
        return Resource.from_contents(_load_json(_beside(base, uri)))

    registry = Registry(retrieve=retrieve) if base else Registry()
    validator = jsonschema.Draft202012Validator(schema, registry=registry)
    for error in validator.iter_errors(instance):
        # error.message quotes the instance, which may be a secret: never use it
        yield tuple(error.absolute_path), f"fails the schema's '{error.validator}' check"


def _node_at(node: Node, path: tuple) -> Node:
    for part in path:
        if isinstance(node, MappingNode):
            for k, v in node.value:
                if isinstance(k, ScalarNode) and k.value == part:
                    node = v
                    break
            else:
                return node
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return node
    return node


def schema_check(schema: dict, origin: str | Path, meta: dict):
    """Turn a schema rule into a check(resource, ctx) function."""
    api_versions = meta.get("api-versions")
    try:
        full: NodeValidator | None = NodeValidator(schema, origin)
    except Unsupported:
        full = None
    partial: list = []  # the validator for kustomize patches, made on first use

    def check(resource, ctx):
        if api_versions and (resource.api_version is None or resource.api_version.value not in api_versions):
            return
        validator = full
        if resource.partial and full is not None:
            if not partial:
                partial.append(NodeValidator(schema, origin, ignore_required=True))
            validator = partial[0]
        elif resource.partial:
            return  # no node validator: the jsonschema fallback cannot leave `required` out
        if validator is not None:
            if validator.fast_valid(resource.node):
                return
            errors = ((n, p, m) for n, p, m in validator.errors(resource.node))
        else:
            errors = ((_node_at(resource.node, p), p, m) for p, m in
                      jsonschema_errors(schema, origin, to_python(resource.node)))
        seen = set()
        for node, path, message in errors:
            key = (path, message)
            if key in seen or resource.unknown(node):  # `{{ … }}` in a typed field: rendering decides
                continue
            seen.add(key)
            yield ctx.report(Span.of(node), f"`{_pointer(path)}` {message}")

    return check

"""JSON Schema checks run directly on YAML nodes.

The `jsonschema` package is the reference implementation, but it costs
~73 ms to import and ~240 µs per document. This validator covers the subset
of keywords the rule-pack schemas use, walks the located nodes (so every
error has its span for free) and needs no conversion to Python objects.
A schema that uses any other keyword is validated with `jsonschema` instead
(imported lazily). tests/test_schema.py checks both agree over the corpus.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .span import Span

ANNOTATIONS = {"$schema", "$id", "$comment", "title", "description", "default", "examples", "example",
               "format", "x-daprlint", "$defs", "definitions", "readOnly", "writeOnly", "deprecated"}
SUPPORTED = {"type", "properties", "required", "items", "enum", "const", "pattern", "additionalProperties",
             "minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum", "$ref", "allOf",
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


class NodeValidator:
    def __init__(self, schema: dict, base: Path | None = None):
        self.root = schema
        self.base = base
        self._check_supported(schema, set())

    def _resolve(self, ref: str) -> dict:
        target, _, pointer = ref.partition("#")
        doc = self.root
        if target:
            if self.base is None:
                raise Unsupported(ref)
            doc = _load_json(str((self.base.parent / target).resolve()))
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

    def errors(self, node: Node, schema: dict | None = None, path: tuple = ()) -> Iterator[tuple[Node, tuple, str]]:
        schema = self.root if schema is None else schema
        if schema is True or schema == {}:
            return
        if schema is False:
            yield node, path, "is not allowed here"
            return
        if "$ref" in schema:
            yield from self.errors(node, self._resolve(schema["$ref"]), path)
        types = node_types(node)
        expected = schema.get("type")
        if expected is not None:
            allowed = expected if isinstance(expected, list) else [expected]
            if not any(t in types for t in allowed):
                yield node, path, f"should be {' or '.join(_article(t) for t in allowed)}, not {_article(types[0])}"
                return
        if "enum" in schema and _scalar(node) not in [str(v).lower() if isinstance(v, bool) else str(v) for v in schema["enum"]]:
            yield node, path, f"must be one of {', '.join(map(str, schema['enum']))}"
        if "const" in schema and _scalar(node) != str(schema["const"]):
            yield node, path, f"must be {schema['const']}"
        if isinstance(node, ScalarNode) and "string" in types:
            if "pattern" in schema and not re.search(schema["pattern"], node.value):
                yield node, path, f"does not match the pattern {schema['pattern']}"
            if "minLength" in schema and len(node.value) < schema["minLength"]:
                yield node, path, "must not be empty" if schema["minLength"] == 1 else f"is shorter than {schema['minLength']}"
            if "maxLength" in schema and len(node.value) > schema["maxLength"]:
                yield node, path, f"is longer than {schema['maxLength']} characters"
        if isinstance(node, ScalarNode) and "number" in types:
            try:
                number = float(node.value.replace("_", ""))
            except ValueError:
                number = None
            if number is not None and "minimum" in schema and number < schema["minimum"]:
                yield node, path, f"must be at least {schema['minimum']}"
            if number is not None and "maximum" in schema and number > schema["maximum"]:
                yield node, path, f"must be at most {schema['maximum']}"
        if isinstance(node, MappingNode):
            yield from self._object_errors(node, schema, path)
        if isinstance(node, SequenceNode):
            if "minItems" in schema and len(node.value) < schema["minItems"]:
                yield node, path, f"needs at least {schema['minItems']} item(s)"
            if "maxItems" in schema and len(node.value) > schema["maxItems"]:
                yield node, path, f"allows at most {schema['maxItems']} item(s)"
            if "items" in schema:
                for i, item in enumerate(node.value):
                    yield from self.errors(item, schema["items"], path + (i,))
        for sub in schema.get("allOf", ()):
            yield from self.errors(node, sub, path)
        if "anyOf" in schema and not any(self._valid(node, s) for s in schema["anyOf"]):
            yield node, path, "does not match any allowed form"
        if "oneOf" in schema and sum(self._valid(node, s) for s in schema["oneOf"]) != 1:
            yield node, path, "must match exactly one allowed form"
        if "not" in schema and self._valid(node, schema["not"]):
            yield node, path, "is not allowed in this form"

    def _valid(self, node: Node, schema: dict) -> bool:
        return next(self.errors(node, schema), None) is None

    def _object_errors(self, node: MappingNode, schema: dict, path: tuple):
        keys: dict[str, tuple[Node, Node]] = {}
        for k, v in node.value:
            keys[str(k.value) if isinstance(k, ScalarNode) else "?"] = (k, v)
        custom = schema.get("x-daprlint-messages", {})
        for name in schema.get("required", ()):
            if name not in keys:
                yield node, path, custom.get("required", "is missing the required field '{name}'").format(name=name)
        if "minProperties" in schema and len(keys) < schema["minProperties"]:
            yield node, path, "must not be empty"
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for name, (k, v) in keys.items():
            if name in props:
                yield from self.errors(v, props[name], path + (name,))
            elif extra is False:
                yield k, path + (name,), "is not a known field here"
            elif isinstance(extra, dict):
                yield from self.errors(v, extra, path + (name,))
            if "propertyNames" in schema and isinstance(k, ScalarNode):
                yield from self.errors(k, schema["propertyNames"], path + (name,))


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
    return json.loads(Path(path).read_text(encoding="utf-8"))


def jsonschema_errors(schema: dict, base: Path | None, instance: Any) -> Iterator[tuple[tuple, str]]:
    """Reference validation with the jsonschema package (slow path)."""
    import jsonschema
    from referencing import Registry, Resource

    def retrieve(uri: str):
        return Resource.from_contents(_load_json(str((base.parent / uri).resolve())))

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


def schema_check(schema: dict, origin: Path, meta: dict):
    """Turn a schema rule into a check(resource, ctx) function."""
    api_versions = meta.get("api-versions")
    try:
        validator: NodeValidator | None = NodeValidator(schema, origin)
    except Unsupported:
        validator = None

    def check(resource, ctx):
        if api_versions and (resource.api_version is None or resource.api_version.value not in api_versions):
            return
        if validator is not None:
            errors = ((n, p, m) for n, p, m in validator.errors(resource.node))
        else:
            errors = ((_node_at(resource.node, p), p, m) for p, m in
                      jsonschema_errors(schema, origin, to_python(resource.node)))
        seen = set()
        for node, path, message in errors:
            key = (path, message)
            if key in seen:
                continue
            seen.add(key)
            yield ctx.report(Span.of(node), f"`{_pointer(path)}` {message}")

    return check

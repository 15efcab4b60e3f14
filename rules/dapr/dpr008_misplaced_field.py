"""A field sits at a level where Dapr does not read it.

## What it does
Reports fields that daprd silently ignores because of where they are:

- `auth` or `scopes` under `spec` (they belong at the top level, next to
  `spec`), on every kind that has them (Component, HTTPEndpoint, Resiliency,
  Subscription, MCPServer, WorkflowAccessPolicy), or under `metadata`;
- in a Component, `type`, `version`, `ignoreErrors` or `initTimeout` at the
  top level instead of under `spec`, a top-level `metadata` list of
  `name`/`value` items (they belong under `spec.metadata`), and `spec.name`
  (the name is `metadata.name`);
- a Component metadata item named `initTimeout` or `ignoreErrors`, which are
  `spec` fields (unless the component's own metadata has such a field).

## Why is this bad?
Manifests are decoded with Go's `encoding/json`, which drops unknown
fields. A misplaced `auth.secretStore` means `secretKeyRef` is resolved from
the default store (or, self-hosted, not at all); misplaced `scopes` make the
component visible to every app; a misplaced `initTimeout` keeps the 5s
default.

## Example
```yaml
spec:
  type: pubsub.redis
  version: v1
  metadata: []
  scopes:
  - checkout
```
Use instead:
```yaml
spec:
  type: pubsub.redis
  version: v1
  metadata: []
scopes:
- checkout
```

## Fix (unsafe)
Moves `spec.auth` and `spec.scopes` to the top level: their lines are cut
and pasted, re-indented, at the end of the document; every other byte is
kept. There is no fix when the top level already has that field, when the
block shares a line with other YAML, or when it is not a mapping (`auth`) or
a list of names (`scopes`).
"""
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from daprlint import structure
from daprlint.rulekit import Edit, Fix

CODE = "DPR008"
NAME = "misplaced-field"
SEVERITY = "error"
SUMMARY = "field at a level where Dapr ignores it"
FIX = "unsafe"
KINDS = ("Component", "HTTPEndpoint", "Resiliency", "Subscription", "MCPServer", "WorkflowAccessPolicy")

_SPEC_FIELDS = frozenset({"inittimeout", "ignoreerrors"})
_HINTS = {"auth": "so `secretKeyRef` is not resolved from that store", "scopes": "so every app gets this resource"}


def check(resource, ctx):
    top = resource.node
    # which keys are misplaced is daprlint.structure's (DPR001, DPR010 and DPR011 leave them to this rule)
    for moved in structure.misplaced(resource):
        key, value = moved.key, moved.value
        where = moved.path[0] if len(moved.path) > 1 else ""
        if where == "spec" and moved.belongs == ("metadata", "name"):
            yield ctx.report(_key_span(key), "`spec.name` is ignored: the component's name is `metadata.name`")
        elif where == "spec":
            name = moved.belongs[0]
            top_keys = {k.value.lower() for k, _ in top.value if isinstance(k, ScalarNode)}
            fix = None if name in top_keys else _move_to_top(ctx.text, top, resource.spec, key, value, name)
            yield ctx.report(_key_span(key), f"`spec.{key.value}` is ignored, {_HINTS[name]}: it belongs at the "
                                             "top level, next to `spec`", fix=fix)
        elif where == "metadata":
            yield ctx.report(_key_span(key), f"`metadata.{key.value}` is ignored: it belongs at the top level, "
                                            "next to `spec`")
        elif moved.belongs == ("spec", "metadata"):
            yield ctx.report(_key_span(key), "these metadata items are at the top level, where daprd cannot read "
                                            "them: they belong under `spec.metadata`")
        else:
            yield ctx.report(_key_span(key), f"top-level `{key.value}` is ignored: it belongs under `spec`")
    if resource.kind_name != "Component":
        return
    for item in resource.metadata:
        if item.key in _SPEC_FIELDS and not _component_field(resource, item.key, ctx):
            spec_name = "initTimeout" if item.key == "inittimeout" else "ignoreErrors"
            yield ctx.report(item.name_span, f"`{item.name.value}` is a `spec` field, not component metadata: "
                                             f"write `spec.{spec_name}`")


def _key_span(node):
    from daprlint.span import Span

    return Span.of(node)


def _component_field(resource, key, ctx):
    from daprlint import dapr

    return dapr.field_info(resource, key, ctx.data) is not None


# -- the fix: cut the block's lines, paste them at top-level indentation ----------
def _move_to_top(text, top, spec, key, value, name):
    from daprlint.fixes import line_end, line_start
    from daprlint.span import LINE_BREAK

    description = f"move `spec.{key.value}` to the top level"
    if top.flow_style or spec.flow_style or not _movable(value, name):
        return None
    start = line_start(key.start_mark)
    if text[start:key.start_mark.index].strip():
        return None  # something precedes the key on its line
    last = _end_index(value)
    if last is None:
        return None
    block_end = line_end(text, last)
    if text[last:block_end].strip() and not text[last:block_end].strip().startswith("#"):
        return None  # more YAML follows on the block's last line
    if any(m.group() not in ("\n", "\r\n") for m in LINE_BREAK.finditer(text, start, len(text))):
        return None  # lone CRs or Unicode line separators: the lines below are split on LF
    indent = key.start_mark.column
    lines = text[start:block_end].split("\n")
    moved = []
    for line in lines:
        body = line.rstrip("\r")
        if body.strip() and len(body) - len(body.lstrip(" ")) < indent:
            return None
        moved.append(line[indent:] if body.strip() else line[min(indent, len(body) - len(body.lstrip(" "))):])
    top_key = top.value[0][0]
    target = " " * top_key.start_mark.column
    block = [target + line if line.rstrip("\r").strip() else line for line in moved]
    top_end = _end_index(top)
    if top_end is None:
        return None
    doc_end = line_end(text, top_end)
    if doc_end <= block_end:
        return Fix(description, (Edit(start, block_end, "\n".join(block)),), "unsafe")
    nl = "\r\n" if text[block_end:block_end + 2] == "\r\n" else "\n"
    cut_end = block_end + len(nl) if text.startswith(nl, block_end) else block_end
    if cut_end == block_end:
        return None
    pasted = nl + nl.join(line.rstrip("\r") for line in block)
    return Fix(description, (Edit(start, cut_end, ""), Edit(doc_end, doc_end, pasted)), "unsafe")


def _movable(value, name):
    if name == "auth":
        return isinstance(value, MappingNode)
    return isinstance(value, SequenceNode) and all(isinstance(v, ScalarNode) for v in value.value)


def _end_index(node):
    """Where the node's last token ends (None for block scalars, which own their trailing lines)."""
    while True:
        if isinstance(node, ScalarNode):
            return None if node.style in ("|", ">") else node.end_mark.index
        if getattr(node, "flow_style", False):
            return node.end_mark.index
        if isinstance(node, MappingNode) and node.value:
            node = node.value[-1][1]
        elif isinstance(node, SequenceNode) and node.value:
            node = node.value[-1]
        else:
            return node.end_mark.index

"""Edit builders for rule fixes: small text splices at loader spans.

Every fix is a tuple of Edits on the original text; nothing outside them
changes. New structure is written in the file's own indentation and
newline style.
"""
from __future__ import annotations

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .model import Resource, Scalar, get, get_key
from .rulekit import Edit, Fix
from .span import LINE_BREAK


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def quote_like(node: ScalarNode, value: str) -> str:
    if node.style == "'":
        return "'" + value.replace("'", "''") + "'"
    if node.style == '"':
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def replace_scalar(scalar: Scalar, value: str) -> Edit:
    """Replace a plain or quoted scalar, keeping its quoting style."""
    return Edit(scalar.span.start, scalar.span.end, quote_like(scalar.node, value))


def line_end(text: str, index: int) -> int:
    """Where the line holding *index* ends (before its line break)."""
    found = LINE_BREAK.search(text, index)
    return found.start() if found else len(text)


def line_start(mark) -> int:
    """Where the line of a YAML mark starts (marks count columns as YAML sees lines)."""
    return mark.index - mark.column


def _last_scalar(node: Node) -> ScalarNode | None:
    while not isinstance(node, ScalarNode):
        if isinstance(node, MappingNode) and node.value:
            node = node.value[-1][1]
        elif isinstance(node, SequenceNode) and node.value:
            node = node.value[-1]
        else:
            return None
    return node


def _block_item_indent(text: str, item: Node) -> tuple[str, str] | None:
    """(dash indent, key indent) of a block sequence item, from its line."""
    start = line_start(item.start_mark)
    prefix = text[start:item.start_mark.index]
    stripped = prefix.rstrip()
    if not stripped.endswith("-") or stripped[:-1].strip():
        return None
    dash_col = len(stripped) - 1
    return " " * dash_col, " " * (item.start_mark.index - start)


def _after_node(text: str, node: Node) -> int | None:
    last = _last_scalar(node)
    if last is None or last.style in ("|", ">"):
        return None
    return line_end(text, last.end_mark.index)


def insert_metadata_item(resource: Resource, text: str, name: str, value: str) -> tuple[Edit, ...]:
    """Append `- name: N / value: V` to a block `spec.metadata` list."""
    seq = get(resource.spec, "metadata")
    if not isinstance(seq, SequenceNode) or seq.flow_style or not seq.value:
        return ()
    last = seq.value[-1]
    if not isinstance(last, MappingNode) or last.flow_style:
        return ()
    indents = _block_item_indent(text, last)
    at = _after_node(text, last)
    if indents is None or at is None:
        return ()
    dash, key = indents
    nl = newline_of(text)
    return (Edit(at, at, f"{nl}{dash}- name: {name}{nl}{key}value: {value}"),)


def add_value(text: str, item, value: str) -> tuple[Edit, ...]:
    """Give a block metadata item that has only a `name` the line `value: V`."""
    node = item.node
    if node.flow_style or item.name is None or len(node.value) != 1:
        return ()
    at = _after_node(text, node)
    if at is None:
        return ()
    indent = " " * node.value[0][0].start_mark.column
    return (Edit(at, at, f"{newline_of(text)}{indent}value: {value}"),)


def secret_ref_fix(resource: Resource, item, ctx) -> Fix:
    """SEC001: value -> secretKeyRef, with the value moved to --secrets-out."""
    description = f"move `{item.name.value}` to a secret store and reference it with secretKeyRef"
    component = resource.name.value if resource.name else "component"
    secret_name = str(ctx.option("secret-name") or "{component}-secrets").replace("{component}", component)
    store = str(ctx.option("secret-store") or "kubernetes")
    if not ctx.option("secrets-out"):
        return Fix(description, (), "unsafe",
                   blocked="pass --secrets-out FILE (or set secrets-out) so the removed value is kept")
    edits = _value_to_ref(ctx.text, item, secret_name)
    if edits is None:
        return Fix(description, (), "unsafe", blocked="this layout cannot be rewritten safely; edit it by hand")
    if resource.auth_secret_store is None and get(resource.node, "auth") is None:
        auth = _insert_auth(ctx.text, resource, store)
        if auth is not None:
            edits = edits + (auth,)
    return Fix(description, edits, "unsafe", secrets={secret_name: {item.name.value: item.literal.value}})


def _value_to_ref(text: str, item, secret_name: str) -> tuple[Edit, ...] | None:
    node = item.node
    key = get_key(node, "value")
    value = get(node, "value")
    if key is None or value is None or not isinstance(value, ScalarNode):
        return None
    ref_name = secret_name
    ref_key = item.name.value
    if node.flow_style:
        return (Edit(key.start_mark.index, value.end_mark.index,
                     f"secretKeyRef: {{name: {ref_name}, key: {ref_key}}}"),)
    if value.style in ("|", ">") or key.start_mark.line != value.start_mark.line or \
            value.end_mark.line != value.start_mark.line:
        return None
    nl = newline_of(text)
    indent = " " * key.start_mark.column
    return (Edit(key.start_mark.index, value.end_mark.index,
                 f"secretKeyRef:{nl}{indent}  name: {ref_name}{nl}{indent}  key: {ref_key}"),)


def _insert_auth(text: str, resource: Resource, store: str) -> Edit | None:
    spec_key = get_key(resource.node, "spec")
    if spec_key is None or resource.node.flow_style:
        return None
    start = line_start(spec_key.start_mark)
    if text[start:spec_key.start_mark.index].strip():
        return None  # `spec` is not first on its line
    indent = " " * spec_key.start_mark.column
    nl = newline_of(text)
    return Edit(start, start, f"{indent}auth:{nl}{indent}  secretStore: {store}{nl}")

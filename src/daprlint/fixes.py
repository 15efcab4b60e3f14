"""Edit builders for rule fixes: small text splices at loader spans.

Every fix is a tuple of Edits on the original text; nothing outside them
changes. New structure is written in the file's own indentation and line
break (the first one the file uses: LF, CRLF, a lone CR, NEL, LS or PS, as
YAML counts them, see span.LINE_BREAK).

Every scalar a builder writes goes through `yaml_scalar`, which picks the
first spelling (plain, then single-quoted, then double-quoted with escapes)
that PyYAML reads back as exactly that string with the `str` tag, both in a
block mapping and in a flow mapping. Plain style is further kept from
anything another YAML reader could take for a non-string: a leading digit,
sign or dot (YAML 1.2's `0o17` is a number in go-yaml v3, a string in
PyYAML's 1.1) and go-yaml v2's `y`/`n` booleans. So `cart #1: x-secrets`
becomes `'cart #1: x-secrets'`, not a key `cart` with a comment.
"""
from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .model import Resource, Scalar, get, get_key
from .rulekit import Edit, Fix
from .span import LINE_BREAK

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_PLAIN_UNSAFE_FIRST = frozenset("-+.0123456789")
_OTHER_READERS_BOOLS = frozenset({"y", "n"})  # go-yaml v2 (sigs.k8s.io/yaml) reads these as booleans
_READS_BACK: dict[tuple[str, bool], str | None] = {}
_READS_BACK_MAX = 4096
_ESCAPES = {"\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
            "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\", "\x85": "\\N", "\u2028": "\\L",
            "\u2029": "\\P"}


def newline_of(text: str) -> str:
    """The file's own line break: the first one it uses (LF when it has none)."""
    found = LINE_BREAK.search(text)
    return found.group() if found else "\n"


def _printable(ch: str) -> bool:
    # YAML's printable set (yaml.reader) less the line breaks, which fold in quoted scalars
    o = ord(ch)
    return (0x20 <= o <= 0x7E or 0xA0 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or o >= 0x10000) \
        and ch not in "\u2028\u2029\ufeff"


def double_quoted(value: str) -> str:
    """A double-quoted YAML scalar that reads back as *value*, whatever it holds."""
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _printable(ch):
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def _candidates(value: str, style: str | None):
    plain = (value and value[0] not in _PLAIN_UNSAFE_FIRST and value.lower() not in _OTHER_READERS_BOOLS
             and all(_printable(ch) for ch in value))
    single = all(_printable(ch) for ch in value)
    if style == '"':
        return [double_quoted(value)]
    ordered = []
    if style != "'" and plain:
        ordered.append(value)
    if single:
        ordered.append("'" + value.replace("'", "''") + "'")
    ordered.append(double_quoted(value))
    return ordered


def _read_back(candidate: str, flow: bool) -> str | None:
    """What YAML reads *candidate* as, when it is one string scalar; None otherwise."""
    key = (candidate, flow)
    if key in _READS_BACK:
        return _READS_BACK[key]
    try:
        doc = yaml.compose(("{k: %s}\n" if flow else "k: %s\n") % candidate, Loader=_Loader)
        node = doc.value[0][1] if isinstance(doc, MappingNode) and len(doc.value) == 1 else None
        found = node.value if isinstance(node, ScalarNode) and node.tag == _STR else None
    except yaml.YAMLError:
        found = None
    if len(_READS_BACK) >= _READS_BACK_MAX:
        _READS_BACK.clear()
    _READS_BACK[key] = found
    return found


def yaml_scalar(value: str, style: str | None = None) -> str:
    """*value* spelled so that YAML reads back exactly this string, in block and flow context.

    *style* is the style to keep when it is safe (`'` or `"`; None or a
    block style prefer plain)."""
    for candidate in _candidates(value, style):
        if _read_back(candidate, False) == value and _read_back(candidate, True) == value:
            return candidate
    raise ValueError("no YAML spelling reads back as this string")  # never: escapes cover every character


def quote_like(node: ScalarNode, value: str) -> str:
    """*value* in *node*'s quoting style when that style reads back as *value*, else the safest one."""
    return yaml_scalar(value, node.style)


_TRAILING_SPACE = " \t\r\n\x85\u2028\u2029"


def replace_scalar(scalar: Scalar, value: str, text: str | None = None) -> Edit:
    """Replace a plain or quoted scalar, keeping its quoting style where it reads back.

    A block scalar (`|`, `>`) becomes a quoted one; its span ends after its
    last line break, so that break is kept (found in *text*; without it an
    LF is written, which the fixer refuses in a file that uses another break)."""
    node = scalar.node
    start, end = node.start_mark.index, node.end_mark.index
    if node.style not in ("|", ">"):
        return Edit(start, end, quote_like(node, value))
    if text is None:
        return Edit(start, end, double_quoted(value) + "\n")
    content_end = end
    while content_end > start + 1 and text[content_end - 1] in _TRAILING_SPACE:
        content_end -= 1
    return Edit(start, content_end, double_quoted(value))


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
    return (Edit(at, at, f"{nl}{dash}- name: {yaml_scalar(name)}{nl}{key}value: {yaml_scalar(value)}"),)


def add_value(text: str, item, value: str) -> tuple[Edit, ...]:
    """Give a block metadata item that has only a `name` the line `value: V`."""
    node = item.node
    if node.flow_style or item.name is None or len(node.value) != 1:
        return ()
    at = _after_node(text, node)
    if at is None:
        return ()
    indent = " " * node.value[0][0].start_mark.column
    return (Edit(at, at, f"{newline_of(text)}{indent}value: {yaml_scalar(value)}"),)


# -- SEC001: value -> secretKeyRef ----------------------------------------------
def secret_store_for(resource: Resource, ctx) -> tuple[str | None, str | None]:
    """(the store `auth.secretStore` should name, or None and why there is none).

    A configured `secret-store` wins. In Kubernetes mode daprd has the
    built-in `kubernetes` store. In self-hosted mode it has none (dapr
    v1.18.3 pkg/runtime/runtime.go appendBuiltinSecretStore adds it only in
    Kubernetes mode): the one secret store the file defines (`ctx.resources`,
    when the engine gives the rule its file's resources), else no store."""
    configured = ctx.option("secret-store")
    if configured:
        return str(configured), None
    if ctx.option("mode") != "self-hosted":
        return "kubernetes", None
    namespace = resource.namespace.value if resource.namespace else None
    stores = sorted({r.name.value for r in (getattr(ctx, "resources", None) or ())
                     if r is not resource and r.kind_name == "Component" and r.name is not None
                     and r.type_key.startswith("secretstores.")
                     and (r.namespace.value if r.namespace else None) == namespace})
    if len(stores) == 1:
        return stores[0], None
    if stores:
        return None, (f"this file defines {len(stores)} secret stores ({', '.join(stores)}): set `secret-store` "
                      "(or pass --secret-store NAME) to the one that holds the value")
    return None, ("self-hosted mode has no built-in `kubernetes` secret store: set `secret-store` (or pass "
                  "--secret-store NAME) to the store that will hold the value")


def secret_ref_fix(resource: Resource, item, ctx) -> Fix:
    """SEC001: value -> secretKeyRef, with the value moved to --secrets-out.

    `Fix.secrets` is keyed by (namespace or None, secret name): the Secret
    must live in the namespace of the component that references it."""
    description = f"move `{item.name.value}` to a secret store and reference it with secretKeyRef"
    component = resource.name.value if resource.name else "component"
    secret_name = str(ctx.option("secret-name") or "{component}-secrets").replace("{component}", component)
    if not ctx.option("secrets-out"):
        return Fix(description, (), "unsafe",
                   blocked="pass --secrets-out FILE (or set secrets-out) so the removed value is kept")
    edits = _value_to_ref(ctx.text, item, secret_name)
    if edits is None:
        return Fix(description, (), "unsafe", blocked="this layout cannot be rewritten safely; edit it by hand")
    if resource.auth_secret_store is None:
        store, why_not = secret_store_for(resource, ctx)
        if store is None:
            return Fix(description, (), "unsafe", blocked=why_not)
        auth = _insert_auth(ctx.text, resource, store) if get(resource.node, "auth") is None else None
        if auth is None and ctx.option("mode") == "self-hosted":
            # without auth.secretStore a self-hosted daprd resolves nothing (the value would be lost to it)
            return Fix(description, (), "unsafe",
                       blocked=f"add `auth.secretStore: {store}` by hand; this layout cannot take it safely")
        if auth is not None:
            edits = edits + (auth,)
    namespace = resource.namespace.value if resource.namespace and resource.namespace.value else None
    return Fix(description, edits, "unsafe", secrets={(namespace, secret_name): {item.name.value: item.literal.value}})


def _value_to_ref(text: str, item, secret_name: str) -> tuple[Edit, ...] | None:
    node = item.node
    key = get_key(node, "value")
    value = get(node, "value")
    if key is None or value is None or not isinstance(value, ScalarNode):
        return None
    ref_name = yaml_scalar(secret_name)
    ref_key = yaml_scalar(item.name.value)
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
    return Edit(start, start, f"{indent}auth:{nl}{indent}  secretStore: {yaml_scalar(store)}{nl}")

"""Where SEC001's fix puts the values it removes: `--secrets-out FILE`.

- `*.yaml` / `*.yml`: Kubernetes `Secret` documents (stringData), one per
  (namespace, secret name), ready for `kubectl apply -f`. A Secret gets the
  namespace of the components that reference it (the operator resolves a
  secretKeyRef from the component's own namespace), so two namespaces mean
  two Secrets.
- `*.json`: the nested JSON that `secretstores.local.file` reads with
  `multiValued: "true"` ({secret name: {key: value}}); it has no namespaces.

The promises, in the order they are checked:

1. Nothing is written through a link: a symbolic link (the file or any
   folder on its path) or a hard-linked file is refused (atomic.py walks the
   path with O_NOFOLLOW).
2. Nothing is written where git would commit it: starting from the target's
   nearest existing folder, a path that `git ls-files` lists (tracked) or
   that `git check-ignore` (with the index, so a tracked file is never
   "ignored") does not ignore is refused. Without git, a `.git` upward is
   refused. GIT_DIR and friends are dropped from git's environment, so the
   answer is about the repository the path is in.
3. Nothing is merged destructively: an existing file is edited, not
   rewritten. New keys go to the matching Secret (its `stringData`, else its
   base64 `data`, else a new `stringData`), or a new document is appended;
   JSON members are spliced in. Every other byte stays, and the result is
   re-read and compared with the old content plus the additions (JSON with
   its types). A file that cannot be merged that way is an error and the
   fix is not applied. A key that already holds a different value is an
   error, never an overwrite.
4. Nothing is lost to a concurrent run: `flush()` takes an exclusive
   `flock` on the file's folder (the file itself is replaced, so a lock on
   it would not hold), re-reads the file, re-checks conflicts and merges
   under the lock. The file is written atomically (fsync of the file and of
   the folder) before the fixer replaces any manifest.
5. A new file is created with mode 0600 and new folders with 0700; an
   existing file keeps its mode.

Secret values are never put in an error message.
"""
from __future__ import annotations

import base64
import json
import os
import re
import subprocess
from pathlib import Path

from . import atomic
from .atomic import atomic_write
from .span import LINE_BREAK

# Kubernetes object names (a DNS-1123 subdomain), namespaces (a label) and Secret keys
_K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_K8S_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_K8S_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_GIT_ENV_DROPPED = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CEILING_DIRECTORIES", "GIT_COMMON_DIR",
                    "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE", "GIT_PREFIX")
HEADER = "# Written by daprlint --fix (SEC001). Apply with kubectl apply -f; keep this file out of git."


class SecretsError(Exception):
    """The secrets file cannot take these values; the message is safe to print."""


def normalize(secrets: dict) -> dict[tuple[str | None, str], dict[str, str]]:
    """{(namespace or None, name): {key: value}}; a plain name key means no namespace."""
    out: dict[tuple[str | None, str], dict[str, str]] = {}
    for name, values in secrets.items():
        key = tuple(name) if isinstance(name, tuple) else (None, name)
        out.setdefault(key, {}).update(values)
    return out


# -- git ----------------------------------------------------------------------
def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess | None:
    env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV_DROPPED}
    env["GIT_DISCOVERY_ACROSS_FILESYSTEM"] = "1"
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=20, env=env)
    except (OSError, subprocess.TimeoutExpired):
        return None


def _nearest_existing(path: Path) -> Path:
    for folder in path.parents:
        if folder.is_dir():
            return folder
    return Path(path.anchor or ".")


def check_not_tracked(path: Path) -> None:
    """Refuse a path that git tracks, or that git would show as untracked."""
    target = Path(os.path.abspath(path))
    folder = _nearest_existing(target)
    has_dot_git = any((p / ".git").exists() for p in (folder, *folder.parents))
    inside = _git(["rev-parse", "--is-inside-work-tree"], folder)
    if inside is None or inside.returncode != 0:
        if has_dot_git:
            raise SecretsError(f"refusing to write secrets to {path}: it may be inside a git work tree and git "
                               "could not check that it ignores the path")
        return
    if inside.stdout.strip() != b"true":
        return  # inside a .git folder or a bare repository: nothing there is committed
    rel = os.path.relpath(target, folder)
    tracked = _git(["--literal-pathspecs", "ls-files", "-z", "--", rel], folder)  # check-ignore takes paths as they are
    if tracked is None or tracked.returncode != 0:
        raise SecretsError(f"refusing to write secrets to {path}: git could not say whether it tracks the path")
    if tracked.stdout:
        raise SecretsError(f"refusing to write secrets to {path}: git tracks this file, so the secrets would be "
                           "committed; choose a path outside the repository")
    ignored = _git(["check-ignore", "-q", "--", rel], folder)
    if ignored is None or ignored.returncode not in (0, 1):
        raise SecretsError(f"refusing to write secrets to {path}: git could not say whether it ignores the path")
    if ignored.returncode == 1:
        raise SecretsError(f"refusing to write secrets to {path}: it is inside a git work tree and not ignored by "
                           "git, so it would show as untracked; add it to .gitignore or choose a path outside "
                           "the repository")


# -- reading and editing the two formats --------------------------------------
def _line_break(text: str, pattern=LINE_BREAK) -> str:
    found = pattern.search(text)
    return found.group() if found else "\n"


def _same(have, value: str) -> bool:
    return have == value.encode("utf-8") if isinstance(have, bytes) else (isinstance(have, str) and have == value)


class _YamlSecrets:
    """The Secret documents of a YAML file, with the nodes needed to edit them."""

    def __init__(self, path: Path, text: str):
        import yaml

        from .loader import _Loader

        self.path, self.text = path, text
        self.values: dict[tuple, dict] = {}
        self.docs: dict[tuple, object] = {}
        self.unmergeable: dict[tuple, str] = {}
        try:
            self.nodes = list(yaml.compose_all(text, Loader=_Loader))
        except yaml.YAMLError:
            raise SecretsError(f"{path} is not valid YAML; daprlint cannot merge secrets into it") from None
        for node in self.nodes:
            self._read_document(node)

    def _read_document(self, node) -> None:
        from yaml.nodes import MappingNode, SequenceNode

        from .model import get, text_of

        if not isinstance(node, MappingNode):
            return
        kind = text_of(get(node, "kind"))
        if kind in ("List", "SecretList"):
            items = get(node, "items")
            for item in items.value if isinstance(items, SequenceNode) else ():
                key = self._read_secret(item)
                if key is not None:
                    self.unmergeable[key] = "it is an item of a List"
            return
        key = self._read_secret(node)
        if key is None:
            return
        if key in self.docs:
            self.unmergeable[key] = "the file holds two Secrets of that name"
        self.docs[key] = node

    def _read_secret(self, node):
        from yaml.nodes import MappingNode, ScalarNode

        from .model import get, text_of

        if not isinstance(node, MappingNode) or text_of(get(node, "kind")) != "Secret":
            return None
        meta = get(node, "metadata")
        name = text_of(get(meta, "name"))
        if name is None:
            return None
        key = (text_of(get(meta, "namespace")) or None, name)
        values: dict = {}
        for section in ("data", "stringData"):  # stringData wins over data, as the API server merges them
            mapping = get(node, section)
            if mapping is None:
                continue
            if not isinstance(mapping, MappingNode) or _has_duplicates(node) or _has_duplicates(mapping):
                self.unmergeable[key] = f"its `{section}` is not a plain mapping"
                continue
            for k, v in mapping.value:
                if not isinstance(k, ScalarNode) or not isinstance(v, ScalarNode):
                    self.unmergeable[key] = f"its `{section}` holds a structure"
                    continue
                if section == "stringData":
                    values[k.value] = v.value
                    continue
                try:
                    values[k.value] = base64.b64decode("".join(v.value.split()), validate=True)
                except ValueError:
                    self.unmergeable[key] = "its `data` holds a value that is not base64"
        self.values.setdefault(key, {}).update(values)
        return key

    # -- editing
    def add(self, additions: dict[tuple, dict[str, str]]) -> str:
        from yaml.nodes import MappingNode

        from .model import get

        nl = _line_break(self.text)
        edits, new_docs, expected = [], [], {}
        for key, values in additions.items():
            if key in self.unmergeable:
                raise SecretsError(f"{self.path}: the Secret `{key[1]}` cannot be merged safely "
                                   f"({self.unmergeable[key]}); add the keys by hand")
            node = self.docs.get(key)
            if node is None:
                new_docs.append(_render_secret(key, values, nl))
                continue
            if node.flow_style:
                raise SecretsError(f"{self.path}: the Secret `{key[1]}` is a flow mapping; daprlint cannot merge "
                                   "into it safely")
            string_data, data = get(node, "stringData"), get(node, "data")
            if isinstance(string_data, MappingNode):
                section, entries = "stringData", dict(values)
            elif isinstance(data, MappingNode):
                section = "data"
                entries = {k: base64.b64encode(v.encode("utf-8")).decode("ascii") for k, v in values.items()}
            else:
                section, entries = None, dict(values)
            edits.append(self._insert(node, section, entries, nl))
            expected[id(node)] = (section or "stringData", section is None, entries)
        text = self.text
        for at, insertion in sorted(edits, reverse=True):
            text = text[:at] + insertion + text[at:]
        if new_docs:
            if not text.strip():
                text = text + HEADER + nl
            elif not LINE_BREAK.search(text[-1:] or "x"):
                text += nl
            text += "".join(new_docs)
        self._verify(text, expected, additions)
        return text

    def _insert(self, doc, section: str | None, entries: dict[str, str], nl: str) -> tuple[int, str]:
        from yaml.nodes import MappingNode

        from .fixes import yaml_scalar
        from .model import get

        mapping = doc if section is None else get(doc, section)
        if section is not None and mapping.flow_style:
            close = mapping.end_mark.index - 1
            if self.text[close:close + 1] != "}":
                raise SecretsError(f"{self.path}: cannot find where `{section}` ends")
            parts = [f"{yaml_scalar(k)}: {yaml_scalar(v)}" for k, v in entries.items()]
            return close, (", " if mapping.value else "") + ", ".join(parts)
        if not isinstance(mapping, MappingNode) or not mapping.value:
            raise SecretsError(f"{self.path}: cannot find where to add keys")
        indent = " " * mapping.value[0][0].start_mark.column
        if section is None:  # a new `stringData` at the document's level
            lines = [f"{indent}stringData:"] + [f"{indent}  {yaml_scalar(k)}: {yaml_scalar(v)}"
                                                for k, v in entries.items()]
        else:
            lines = [f"{indent}{yaml_scalar(k)}: {yaml_scalar(v)}" for k, v in entries.items()]
        at, line_start = self._after(mapping)
        if line_start:
            return at, "".join(line + nl for line in lines)
        return at, "".join(nl + line for line in lines)

    def _after(self, node) -> tuple[int, bool]:
        """Where the text of *node* ends: (index, whether that is the start of a line)."""
        from yaml.nodes import MappingNode, ScalarNode, SequenceNode

        from .fixes import line_end

        while isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style:
            if not node.value:
                raise SecretsError(f"{self.path}: cannot find where a Secret ends")
            child = node.value[-1][1] if isinstance(node, MappingNode) else node.value[-1]
            if child.start_mark.index < node.start_mark.index:
                raise SecretsError(f"{self.path}: cannot find where a Secret ends (an alias?)")
            node = child
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            if node.end_mark.column != 0:
                raise SecretsError(f"{self.path}: cannot find where a Secret ends")
            return node.end_mark.index, True
        return line_end(self.text, node.end_mark.index), False

    def _verify(self, new_text: str, expected: dict, additions: dict) -> None:
        """The new text holds the old documents unchanged plus exactly the additions."""
        import yaml

        from .loader import _Loader

        try:
            new_nodes = list(yaml.compose_all(new_text, Loader=_Loader))
        except yaml.YAMLError:
            new_nodes = None
        appended = [k for k in additions if k not in self.docs]
        ok = new_nodes is not None and len(new_nodes) == len(self.nodes) + len(appended)
        for old, new in zip(self.nodes, new_nodes or ()):
            if not ok:
                break
            want = _data(old)
            if id(old) in expected:
                want = _extended(want, *expected[id(old)])
            ok = _data(new) == want
        for key, new in zip(appended, (new_nodes or [])[len(self.nodes):]):
            ok = ok and _data(new) == _secret_data(key, additions[key])
        if not ok:
            raise SecretsError(f"{self.path}: daprlint cannot merge secrets into this file without changing what "
                               "it holds; add them by hand or choose another file")


def _has_duplicates(mapping) -> bool:
    from yaml.nodes import ScalarNode

    keys = [k.value for k, _ in mapping.value if isinstance(k, ScalarNode)]
    return len(keys) != len(set(keys))


def _render_secret(key: tuple, values: dict[str, str], nl: str) -> str:
    from .fixes import yaml_scalar

    namespace, name = key
    lines = ["---", "apiVersion: v1", "kind: Secret", "metadata:", f"  name: {yaml_scalar(name)}"]
    if namespace is not None:
        lines.append(f"  namespace: {yaml_scalar(namespace)}")
    lines += ["type: Opaque", "stringData:"] + [f"  {yaml_scalar(k)}: {yaml_scalar(v)}" for k, v in values.items()]
    return "".join(line + nl for line in lines)


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"


def _s(value: str):
    return ("s", _STR, value)


def _data(node, memo=None, busy=None):
    """A node's content without styles or marks (aliases once; a recursive alias is refused)."""
    from yaml.nodes import MappingNode, ScalarNode

    memo = {} if memo is None else memo
    busy = set() if busy is None else busy
    if id(node) in memo:
        return memo[id(node)]
    if id(node) in busy:
        raise SecretsError("the secrets file holds a recursive alias; daprlint cannot merge into it")
    busy.add(id(node))
    if isinstance(node, ScalarNode):
        out = ("s", node.tag, node.value)
    elif isinstance(node, MappingNode):
        out = ("m", node.tag, tuple((_data(k, memo, busy), _data(v, memo, busy)) for k, v in node.value))
    else:
        out = ("q", node.tag, tuple(_data(c, memo, busy) for c in node.value))
    busy.discard(id(node))
    memo[id(node)] = out
    return out


def _extended(doc, section: str, new_section: bool, entries: dict[str, str]):
    pairs = tuple((_s(k), _s(v)) for k, v in entries.items())
    if new_section:
        return doc[:2] + (doc[2] + ((_s(section), ("m", _MAP, pairs)),),)
    top = list(doc[2])
    for i in range(len(top) - 1, -1, -1):  # the last one is the one in force
        if top[i][0] == _s(section):
            mapping = top[i][1]
            top[i] = (top[i][0], mapping[:2] + (mapping[2] + pairs,))
            break
    return doc[:2] + (tuple(top),)


def _secret_data(key: tuple, values: dict[str, str]):
    namespace, name = key
    meta = ((_s("name"), _s(name)),) + (((_s("namespace"), _s(namespace)),) if namespace is not None else ())
    return ("m", _MAP, ((_s("apiVersion"), _s("v1")), (_s("kind"), _s("Secret")), (_s("metadata"), ("m", _MAP, meta)),
                        (_s("type"), _s("Opaque")),
                        (_s("stringData"), ("m", _MAP, tuple((_s(k), _s(v)) for k, v in values.items())))))


_JSON_BREAK = re.compile(r"\r\n|\r|\n")
_JSON_SPACE = " \t\r\n"


class _JsonSecrets:
    """The members of a local-file-store JSON object, with their positions."""

    def __init__(self, path: Path, text: str):
        self.path, self.text = path, text
        self.values: dict[tuple, dict] = {}
        self.unmergeable: dict[tuple, str] = {}
        self.data: dict = {}
        self.members: list[tuple[str, int, int, int]] = []
        self.open = self.close = -1
        if not text.strip():
            return
        duplicates = []

        def pairs(items):
            if len({k for k, _ in items}) != len(items):
                duplicates.append(True)
            return dict(items)

        try:
            self.data = json.loads(text, object_pairs_hook=pairs)
        except ValueError:
            raise SecretsError(f"{path} is not valid JSON; daprlint cannot merge secrets into it") from None
        if not isinstance(self.data, dict) or duplicates:
            raise SecretsError(f"{path} is not a JSON object without duplicate keys; daprlint cannot merge secrets "
                               "into it")
        self.open = self._skip(0)
        self.members, self.close = self._scan(self.open)
        for name, value in self.data.items():
            if isinstance(value, dict):
                self.values[(None, name)] = dict(value)
            else:
                self.unmergeable[(None, name)] = "it is not a JSON object"

    def _skip(self, i: int) -> int:
        while i < len(self.text) and self.text[i] in _JSON_SPACE:
            i += 1
        return i

    def _scan(self, i: int) -> tuple[list[tuple[str, int, int, int]], int]:
        """The members of the object at *i*: (key, key start, value start, value end), and its `}`."""
        decoder = json.JSONDecoder()
        members = []
        i = self._skip(i + 1)
        if self.text[i] == "}":
            return members, i
        while True:
            key_start = self._skip(i)
            key, i = decoder.raw_decode(self.text, key_start)
            i = self._skip(i)
            value_start = self._skip(i + 1)
            _, value_end = decoder.raw_decode(self.text, value_start)
            members.append((key, key_start, value_start, value_end))
            i = self._skip(value_end)
            if self.text[i] == "}":
                return members, i
            i += 1  # the comma

    def add(self, additions: dict[tuple, dict[str, str]]) -> str:
        if not self.text.strip():
            merged = {name: dict(values) for (_, name), values in additions.items()}
            text = self.text + json.dumps(merged, indent=2, ensure_ascii=False) + "\n"
            self._verify(text, additions)
            return text
        nl = _line_break(self.text, _JSON_BREAK)
        edits, new_members = [], []
        for key, values in additions.items():
            if key in self.unmergeable:
                raise SecretsError(f"{self.path}: `{key[1]}` cannot take keys ({self.unmergeable[key]})")
            member = next((m for m in reversed(self.members) if m[0] == key[1]), None)
            items = [(json.dumps(k, ensure_ascii=False), json.dumps(v, ensure_ascii=False)) for k, v in values.items()]
            if member is None:
                new_members.append((json.dumps(key[1], ensure_ascii=False), items))
                continue
            inner, close = self._scan(member[2])
            edits.append(self._insert(member[2], inner, close, [f"{k}: {v}" for k, v in items], nl))
        if new_members:
            layout = self._layout(self.open, self.members)
            rendered = []
            for name, items in new_members:
                if layout is None:
                    rendered.append(f"{name}: {{" + ", ".join(f"{k}: {v}" for k, v in items) + "}")
                else:
                    inner = layout + (layout or "  ")
                    body = ("," + nl).join(f"{inner}{k}: {v}" for k, v in items)
                    rendered.append(f"{name}: {{{nl}{body}{nl}{layout}}}")
            edits.append(self._insert(self.open, self.members, self.close, rendered, nl))
        text = self.text
        for at, insertion in sorted(edits, reverse=True):
            text = text[:at] + insertion + text[at:]
        self._verify(text, additions)
        return text

    def _layout(self, open_at: int, members) -> str | None:
        """The indentation of an object's members when each is on its own line, else None."""
        if not members:
            return None
        last_key = members[-1][1]
        line_start = max(self.text.rfind("\n", 0, last_key), self.text.rfind("\r", 0, last_key)) + 1
        indent = self.text[line_start:last_key]
        return indent if line_start > open_at and not indent.strip(" \t") else None

    def _insert(self, open_at: int, members, close: int, parts: list[str], nl: str) -> tuple[int, str]:
        if not members:
            return open_at + 1, ", ".join(parts)
        indent = self._layout(open_at, members)
        if indent is None:
            return members[-1][3], "".join(", " + p for p in parts)
        return members[-1][3], "".join("," + nl + indent + p for p in parts)

    def _verify(self, new_text: str, additions: dict) -> None:
        expected = json.loads(self.text) if self.text.strip() else {}
        for (_, name), values in additions.items():
            expected.setdefault(name, {}).update(values)
        try:
            ok = _same_json(json.loads(new_text), expected)
        except ValueError:
            ok = False
        if not ok:
            raise SecretsError(f"{self.path}: daprlint cannot merge secrets into this file without changing what "
                               "it holds; add them by hand or choose another file")


def _same_json(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b))
    return a == b or (a != a and b != b)


# -- the sink -------------------------------------------------------------------
class SecretsSink:
    """Collects the values SEC001's fix moves out and writes them to the secrets file.

    The fixer (and the language server) calls `conflict(secrets)` before it
    applies a fix, `add(secrets)` once applied, and `flush()` before it
    replaces the manifest; `discard()` forgets values whose manifest was not
    written. *secrets* is `Fix.secrets`: {(namespace, name) or name: {key: value}}.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in (".yaml", ".yml", ".json"):
            raise SecretsError(f"--secrets-out must end in .yaml, .yml or .json, not {suffix or 'nothing'}")
        self.kind = "json" if suffix == ".json" else "yaml"
        try:
            atomic.check_target(self.path)
        except atomic.WriteRefused as exc:
            raise SecretsError(f"refusing to write secrets: {exc}") from None
        except OSError as exc:
            raise SecretsError(f"cannot use {self.path} for secrets: {exc.strerror}") from None
        check_not_tracked(self.path)
        text = self._read_path()
        self.existing = self._parse(text).values if text is not None else {}
        self.pending: dict[tuple, dict[str, str]] = {}

    def _key(self, key: tuple) -> tuple:
        return (None, key[1]) if self.kind == "json" else key

    def _parse(self, text: str):
        return (_JsonSecrets if self.kind == "json" else _YamlSecrets)(self.path, text)

    def _read_path(self) -> str | None:
        try:
            data, _ = atomic.read_no_follow(self.path)
        except FileNotFoundError:
            return None
        except atomic.WriteRefused as exc:
            raise SecretsError(f"refusing to write secrets: {exc}") from None
        except OSError as exc:
            raise SecretsError(f"cannot read {self.path}: {exc.strerror}") from None
        return self._decode(data)

    def _decode(self, data: bytes) -> str:
        from .loader import DecodeError, decode

        try:
            text, self._bom = decode(data)
        except DecodeError:
            raise SecretsError(f"{self.path} is not UTF-8 text; daprlint cannot merge secrets into it") from None
        return text

    def _held(self, name: str, key: str, namespace: str | None):
        where = self._key((namespace, name))
        for source in (self.pending, self.existing):
            values = source.get(where, {})
            if key in values:
                return True, values[key]
        return False, None

    def value(self, name: str, key: str, namespace: str | None = None):
        """The value (str, bytes from a Secret's `data`, any JSON value) held for *key*, or None."""
        return self._held(name, key, namespace)[1]

    def conflict(self, secrets: dict) -> str | None:
        """Why these values cannot go to the file (a name it cannot hold, a different value), or None."""
        for (namespace, name), values in normalize(secrets).items():
            if self.kind == "yaml":
                bad = _kubernetes_name_problem(namespace, name, values)
                if bad:
                    return bad
            for key, value in values.items():
                held, have = self._held(name, key, namespace)
                if held and not _same(have, value):
                    return f"{self.path} already holds a different value for {name}/{key}"
        return None

    def add(self, secrets: dict) -> None:
        for key, values in normalize(secrets).items():
            self.pending.setdefault(self._key(key), {}).update(values)

    def discard(self) -> None:
        """Forget the values added since the last flush (their manifest keeps them)."""
        self.pending = {}

    def flush(self) -> None:
        """Merge the pending values into the file, under an exclusive lock, and fsync it."""
        if not self.pending:
            return
        try:
            folder_fd = _locked_folder(self.path)
        except atomic.WriteRefused as exc:
            raise SecretsError(f"refusing to write secrets: {exc}") from None
        except OSError as exc:
            raise SecretsError(f"cannot write {self.path}: {exc.strerror}") from None
        try:
            self._merge_locked(folder_fd)
        finally:
            if folder_fd is not None:
                os.close(folder_fd)  # releases the lock

    def _merge_locked(self, folder_fd: int | None) -> None:
        self._bom = False
        text = self._read_path()  # what the file holds now, whoever wrote it since we started
        current = self._parse(text or "")
        additions: dict[tuple, dict[str, str]] = {}
        for key, values in self.pending.items():
            have = current.values.get(key, {})
            for k, v in values.items():
                if k in have and not _same(have[k], v):
                    raise SecretsError(f"{self.path} already holds a different value for {key[1]}/{k} "
                                       "(written by another run)")
                if k not in have:
                    additions.setdefault(key, {})[k] = v
        if additions:
            new_text = current.add(additions)
            data = (b"\xef\xbb\xbf" if self._bom else b"") + new_text.encode("utf-8")
            try:
                if folder_fd is not None:
                    _same_folder(folder_fd, self.path)
                # the write walks the path again (O_NOFOLLOW); the folder was just checked to be the locked one
                atomic_write(self.path, data, mode=0o600 if text is None else None)
            except atomic.WriteRefused as exc:
                raise SecretsError(f"refusing to write secrets: {exc}") from None
            except OSError as exc:
                raise SecretsError(f"cannot write {self.path}: {exc.strerror}") from None
            current = self._parse(new_text)
        self.existing, self.pending = current.values, {}


def _locked_folder(path: Path) -> int | None:
    """The secrets file's folder (made 0700 when missing), locked; None where folders cannot be locked."""
    if not atomic._DIR_FD:  # pragma: no cover - Windows
        os.makedirs(path.parent if str(path.parent) else ".", 0o700, exist_ok=True)
        return None
    folder_fd, _ = atomic.open_folder(path, create_mode=0o700)
    try:
        _lock(folder_fd)
    except BaseException:
        os.close(folder_fd)
        raise
    return folder_fd


def _same_folder(folder_fd: int, path: Path) -> None:
    """Refuse when the folder at *path* is no longer the one locked (it was moved or replaced)."""
    held = os.fstat(folder_fd)
    now = os.stat(path.parent if str(path.parent) else ".", follow_symlinks=False)
    if (held.st_dev, held.st_ino) != (now.st_dev, now.st_ino):
        raise SecretsError(f"{path.parent} changed while daprlint held its lock; nothing was written")


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks on folders
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _kubernetes_name_problem(namespace: str | None, name: str, values: dict) -> str | None:
    if len(name) > 253 or not _K8S_NAME.match(name):
        return (f"`{name}` is not a valid Kubernetes Secret name (lower-case letters, digits, '-' and '.'); "
                "set `secret-name` (or --secret-name TEMPLATE)")
    if namespace is not None and (len(namespace) > 63 or not _K8S_LABEL.match(namespace)):
        return f"`{namespace}` is not a valid Kubernetes namespace"
    bad = next((k for k in values if not _K8S_KEY.match(k)), None)
    if bad is not None:
        return f"`{bad}` is not a valid key for a Kubernetes Secret (letters, digits, '-', '_' and '.')"
    return None


def secrets_file_mode_ok(path: Path) -> bool:
    return (os.stat(path).st_mode & 0o077) == 0

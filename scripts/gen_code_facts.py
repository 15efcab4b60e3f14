#!/usr/bin/env python3
"""Which metadata fields each Dapr component's Go code really reads, at every release.

metadata.yaml history is not code history (``errorIfNot2XX`` is read by ``bindings/http/http.go``
since 1.12 but listed in its metadata.yaml only from 1.15). This generator reads the Go source of
dapr/components-contrib at each release tag daprlint targets (and master), finds the packages that
daprd (dapr/dapr ``cmd/daprd/components/*.go`` at the matching tag) registers for each spec.type,
and records the metadata keys their code reads at component init and per request.

Inputs: bare git mirrors, read with ``git ls-tree``/``git cat-file`` only (no checkout, no Go toolchain):

* ``/work/.mirror/dapr+components-contrib/repo``  the release tags in RELEASES and master (HEAD)
* ``/work/.mirror/dapr+dapr/repo``                the dapr tag of the same minor (and master)
* ``/work/.mirror/dapr+kit/repo``                 kit at the version in components-contrib's go.mod:
                                                  its struct types, and how its DecodeMetadata resolves aliases
* ``<repo>/../shared/reference/dapr-releases``    (``--reference``) metadata.yaml per minor, for the cross-check

Output: ``scripts/data/contrib-code-fields.json`` (sorted keys, byte-for-byte deterministic; ``--check``
only compares). ``--summary`` prints the coverage and AWS tables of ``docs/data-sources.md``.

How (docs/data-sources.md has the method, the output format and the parser's limits):

1. A Go front end written for this script: a lexer with Go's semicolon insertion and a recursive-descent
   parser for declarations, types, statements and expressions (no type checker).
2. An abstract interpreter. Roots: the functions of the component package that take a contrib metadata
   or request value (``bindings.Metadata``, ``*bindings.InvokeRequest`` ...) and the exported methods of
   the types the registered constructors return. It follows values through locals, struct fields (one
   abstract heap cell per struct type and field), calls into components-contrib packages (each callee is
   analysed with the abstract values of its arguments) and returns; bool options that a component never
   sets prune the branches they guard. It records ``DecodeMetadata``/``Properties.Decode``/kit
   ``config.Decode``/``mapstructure.Decode``/``json.Unmarshal``/``retry.DecodeConfigWithPrefix`` targets
   (whose ``mapstructure``/``json`` tags are then expanded, with squash and aliases as that release's
   decoder implements them), ``m["key"]`` reads (exact case), ``GetMetadataProperty``-style reads
   (case-insensitive; later keys are aliases), key patterns of range loops (``strings.HasPrefix``/
   ``HasSuffix``) and reads guarded by a predicate call (``if isX509Auth(props) {...}``).
3. The origin of every map decides init versus per-request: ``X.Properties`` of a component ``Metadata``
   is read at init, ``req.Metadata`` of a ``...Request`` per request.

Facts are derived from Dapr's Apache-2.0 code; no Go code is copied. Standard library only (PyYAML
for the metadata.yaml cross-check).

Usage: python scripts/gen_code_facts.py [--check] [--summary] [--reference DIR] [--output FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "scripts" / "data" / "contrib-code-fields.json"
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference"
MIRRORS = Path("/work/.mirror")
CONTRIB_MIRROR = MIRRORS / "dapr+components-contrib" / "repo"
DAPR_MIRROR = MIRRORS / "dapr+dapr" / "repo"
KIT_MIRROR = MIRRORS / "dapr+kit" / "repo"

CONTRIB_MODULE = "github.com/dapr/components-contrib"
DAPR_MODULE = "github.com/dapr/dapr"
KIT_MODULE = "github.com/dapr/kit"

# The releases daprlint targets (dapr-releases/SOURCE.md): minor -> (contrib tag, dapr tag).
# "master" is each mirror's HEAD (contrib c23900d2, dapr d8450742 as stored for this work).
RELEASES = {
    "1.12": ("v1.12.9", "v1.12.5"),
    "1.13": ("v1.13.3", "v1.13.6"),
    "1.14": ("v1.14.7", "v1.14.5"),
    "1.15": ("v1.15.7", "v1.15.14"),
    "1.16": ("v1.16.13", "v1.16.19"),
    "1.17": ("v1.17.8", "v1.17.13"),
    "1.18": ("v1.18.4", "v1.18.3"),
    "master": ("HEAD", "HEAD"),
}
MINORS = list(RELEASES)


# ==================================================================================================
# git access (one long-lived `git cat-file --batch` per mirror)

class GitRepo:
    def __init__(self, path: Path):
        self.path = path
        self._batch = None
        self._trees: dict[str, dict[str, str]] = {}

    def run(self, *args: str) -> str:
        return subprocess.run(["git", "-C", str(self.path), *args], check=True,
                              capture_output=True, text=True).stdout

    def commit(self, rev: str) -> str:
        return self.run("rev-parse", rev + "^{commit}").strip()

    def tree(self, rev: str) -> dict[str, str]:
        """path -> blob sha of every file at rev."""
        if rev not in self._trees:
            files = {}
            for line in self.run("ls-tree", "-r", "--full-tree", rev).splitlines():
                meta, path = line.split("\t", 1)
                mode, kind, sha = meta.split()
                if kind == "blob":
                    files[path] = sha
            self._trees[rev] = files
        return self._trees[rev]

    def blob(self, sha: str) -> bytes:
        if self._batch is None:
            self._batch = subprocess.Popen(["git", "-C", str(self.path), "cat-file", "--batch"],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._batch.stdin.write(sha.encode() + b"\n")
        self._batch.stdin.flush()
        header = self._batch.stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            raise KeyError(sha)
        data = self._batch.stdout.read(int(header[2]))
        self._batch.stdout.read(1)
        return data

    def show(self, rev: str, path: str) -> str | None:
        sha = self.tree(rev).get(path)
        return None if sha is None else self.blob(sha).decode("utf-8", "replace")


# ==================================================================================================
# Go lexer (tokens with Go's automatic semicolon insertion)

_TOKEN_RE = re.compile(r"""
    (?P<nl>\n)
  | (?P<ws>[ \t\r\f\v]+)
  | (?P<lcomment>//[^\n]*)
  | (?P<bcomment>/\*.*?\*/)
  | (?P<raw>`[^`]*`)
  | (?P<str>"(?:\\.|[^"\\\n])*")
  | (?P<rune>'(?:\\.|[^'\\\n])+')
  | (?P<num>(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?
             |[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?|\.[0-9][0-9_]*(?:[eE][+-]?[0-9_]+)?)i?)
  | (?P<ident>[^\W\d]\w*)
  | (?P<op><<=|>>=|&\^=|\.\.\.|&&|\|\||<-|\+\+|--|==|!=|<=|>=|:=|\+=|-=|\*=|/=|%=|&=|\|=|\^=|<<|>>|&\^
           |[-+*/%&|^<>=!()\[\]{},;.:~])
""", re.S | re.X)

_KEYWORDS = frozenset("""break case chan const continue default defer else fallthrough for func go goto
    if import interface map package range return select struct switch type var""".split())
_SEMI_AFTER_KW = frozenset({"break", "continue", "fallthrough", "return"})
_SEMI_AFTER_OP = frozenset({"++", "--", ")", "]", "}"})


@dataclass(slots=True)
class Tok:
    kind: str   # ident, kw, str, num, rune, op, ;, eof
    val: str
    line: int


def go_unquote(lit: str) -> str:
    if lit.startswith("`"):
        return lit[1:-1].replace("\r", "")
    body = lit[1:-1]
    if "\\" not in body:
        return body
    out, i = [], 0
    simple = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "a": "\a",
              "b": "\b", "f": "\f", "v": "\v"}
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = body[i + 1]
        if n in simple:
            out.append(simple[n])
            i += 2
        elif n == "x":
            out.append(chr(int(body[i + 2:i + 4], 16)))
            i += 4
        elif n == "u":
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        elif n == "U":
            out.append(chr(int(body[i + 2:i + 10], 16)))
            i += 10
        else:  # octal
            out.append(chr(int(body[i + 1:i + 4], 8)))
            i += 4
    return "".join(out)


def tokenize(src: str) -> list[Tok]:
    toks: list[Tok] = []
    line = 1
    pos = 0
    n = len(src)

    def want_semi() -> bool:
        if not toks:
            return False
        t = toks[-1]
        return (t.kind in ("ident", "str", "num", "rune") or (t.kind == "kw" and t.val in _SEMI_AFTER_KW)
                or (t.kind == "op" and t.val in _SEMI_AFTER_OP))

    while pos < n:
        m = _TOKEN_RE.match(src, pos)
        if not m:
            raise SyntaxError(f"line {line}: unexpected {src[pos:pos + 20]!r}")
        kind = m.lastgroup
        text = m.group()
        pos = m.end()
        if kind == "nl" or (kind == "bcomment" and "\n" in text):
            if want_semi():
                toks.append(Tok(";", "\n", line))
            line += text.count("\n")
            continue
        if kind in ("ws", "lcomment", "bcomment"):
            continue
        if kind == "raw":
            toks.append(Tok("str", text, line))
            line += text.count("\n")
            continue
        if kind == "ident":
            toks.append(Tok("kw" if text in _KEYWORDS else "ident", text, line))
        elif kind == "op":
            toks.append(Tok(";" if text == ";" else "op", text, line))
        else:
            toks.append(Tok(kind, text, line))
    if want_semi():
        toks.append(Tok(";", "\n", line))
    toks.append(Tok("eof", "", line))
    return toks


# ==================================================================================================
# Go parser (declarations, types, statements, expressions; no type checking)
#
# Nodes are tuples (kind, line, ...):
#   expressions  id name | str value | lit raw | sel x name | idx x [i..] | slice x [parts] |
#                call fun [args] ellipsis | comp type [(key|None, value)] | un op x | bin op x y |
#                flit functype body | assert x type|None | type typeast | clit [(key, value)]
#   types        tname pkg|None name [targs] | ptr T | slicet T | arrayt len T | mapt K V | chant T |
#                funct [params] [results] | structt [Field] | ifacet | ellipsist T
#   statements   block [s] | expr x | assign [lhs] op [rhs] | incdec x | send ch v |
#                var [names] type|None [values] | if init cond then else | for init cond post body |
#                range key value x body | switch init tag [(exprs|None, [s])] |
#                tswitch init name x [(types|None, [s])] | select [(stmt|None, [s])] | go call |
#                defer call | return [x] | label name s | branch kw | empty

@dataclass(slots=True)
class Field:
    names: list        # [] for an embedded field
    type: tuple
    tag: str
    line: int


@dataclass(slots=True)
class TypeDecl:
    name: str
    type: tuple
    file: str
    line: int


@dataclass(slots=True)
class FuncDecl:
    name: str
    recv: tuple | None      # (name|None, type)
    params: list            # [(name|None, type)]
    results: list
    toks: list
    body: tuple | None      # (start, end) token indices of the body braces
    file: str
    line: int
    _parsed: list | None = None

    def statements(self) -> list:
        if self._parsed is None:
            if self.body is None:
                self._parsed = []
            else:
                p = Parser(self.toks, self.body[0])
                self._parsed = p.block()[2]
        return self._parsed


@dataclass
class GoFile:
    path: str
    package: str
    imports: dict           # alias -> import path ("_" and "." imports dropped)
    consts: dict            # name -> expr
    vars: dict              # name -> (type|None, expr|None)
    types: dict             # name -> TypeDecl
    funcs: list             # [FuncDecl]
    build: str = ""         # //go:build expression ("" = none)


class Parser:
    def __init__(self, toks: list, pos: int = 0):
        self.toks = toks
        self.pos = pos
        self.nolit = False   # inside an if/for/switch header: `T{` is not a composite literal

    # --- token helpers ---
    @property
    def tok(self) -> Tok:
        return self.toks[self.pos]

    def peek(self, k: int = 1) -> Tok:
        return self.toks[min(self.pos + k, len(self.toks) - 1)]

    def next(self) -> Tok:
        t = self.toks[self.pos]
        self.pos += 1
        return t

    def is_op(self, val: str) -> bool:
        t = self.tok
        return t.kind == "op" and t.val == val

    def is_kw(self, val: str) -> bool:
        t = self.tok
        return t.kind == "kw" and t.val == val

    def expect_op(self, val: str) -> Tok:
        t = self.next()
        if t.kind != "op" or t.val != val:
            raise SyntaxError(f"line {t.line}: expected {val!r}, got {t.val!r}")
        return t

    def skip_semis(self):
        while self.tok.kind == ";":
            self.pos += 1

    def skip_balanced(self, open_: str, close: str) -> int:
        """At `open_`; returns the index of the matching `close` and moves past it."""
        depth = 0
        while True:
            t = self.next()
            if t.kind == "eof":
                raise SyntaxError("unbalanced " + open_)
            if t.kind == "op":
                if t.val == open_:
                    depth += 1
                elif t.val == close:
                    depth -= 1
                    if depth == 0:
                        return self.pos - 1

    # --- file ---
    def file(self, path: str) -> GoFile:
        self.skip_semis()
        if not self.is_kw("package"):
            raise SyntaxError("no package clause")
        self.next()
        pkg = self.next().val
        f = GoFile(path, pkg, {}, {}, {}, {}, [])
        self.skip_semis()
        while self.is_kw("import"):
            self.next()
            if self.is_op("("):
                self.next()
                self.skip_semis()
                while not self.is_op(")"):
                    self._import_spec(f)
                    self.skip_semis()
                self.next()
            else:
                self._import_spec(f)
            self.skip_semis()
        while self.tok.kind != "eof":
            t = self.tok
            if t.kind == "kw" and t.val == "func":
                f.funcs.append(self.func_decl(path))
            elif t.kind == "kw" and t.val in ("const", "var"):
                self.next()
                for names, typ, values, line in self.value_specs(t.val == "const"):
                    for i, name in enumerate(names):
                        val = values[i] if i < len(values) else None
                        if t.val == "const":
                            if val is not None:
                                f.consts[name] = val
                        else:
                            f.vars[name] = (typ, val)
            elif t.kind == "kw" and t.val == "type":
                self.next()
                for td in self.type_specs(path):
                    f.types[td.name] = td
            else:
                raise SyntaxError(f"line {t.line}: unexpected top-level {t.val!r}")
            self.skip_semis()
        return f

    def _import_spec(self, f: GoFile):
        alias = None
        if self.tok.kind == "ident" or self.is_op("."):
            alias = self.next().val
        path = go_unquote(self.next().val)
        if alias in ("_", "."):
            return
        f.imports[alias or import_default_name(path)] = path

    def value_specs(self, is_const: bool):
        """const/var specs: yields (names, type, values, line); const groups repeat the last values."""
        specs = []
        if self.is_op("("):
            self.next()
            self.skip_semis()
            last = (None, [])
            while not self.is_op(")"):
                names, typ, values, line = self._value_spec()
                if is_const and not values:
                    typ, values = last
                elif is_const:
                    last = (typ, values)
                specs.append((names, typ, values, line))
                self.skip_semis()
            self.next()
        else:
            specs.append(self._value_spec())
        return specs

    def _value_spec(self):
        line = self.tok.line
        names = [self.next().val]
        while self.is_op(","):
            self.next()
            names.append(self.next().val)
        typ = None
        if not self.is_op("=") and self.tok.kind != ";" and not self.is_op(")"):
            typ = self.type()
        values = []
        if self.is_op("="):
            self.next()
            values = self.expr_list()
        return names, typ, values, line

    def type_specs(self, path: str) -> list:
        out = []
        if self.is_op("("):
            self.next()
            self.skip_semis()
            while not self.is_op(")"):
                out.append(self._type_spec(path))
                self.skip_semis()
            self.next()
        else:
            out.append(self._type_spec(path))
        return out

    def _type_spec(self, path: str) -> TypeDecl:
        line = self.tok.line
        name = self.next().val
        if self.is_op("[") and self._looks_like_tparams():
            self.skip_balanced("[", "]")
        if self.is_op("="):
            self.next()
        return TypeDecl(name, self.type(), path, line)

    def _looks_like_tparams(self) -> bool:
        a, b = self.peek(1), self.peek(2)
        if a.kind != "ident":
            return False
        return not (b.kind == "op" and b.val == "]")

    def func_decl(self, path: str) -> FuncDecl:
        line = self.next().line  # func
        recv = None
        if self.is_op("("):
            params = self.params()
            recv = params[0] if params else None
        name = self.next().val
        if self.is_op("["):
            self.skip_balanced("[", "]")
        params = self.params()
        results = self.results()
        body = None
        if self.is_op("{"):
            start = self.pos
            end = self.skip_balanced("{", "}")
            body = (start, end)
        return FuncDecl(name, recv, params, results, self.toks, body, path, line)

    # --- types ---
    def params(self) -> list:
        self.expect_op("(")
        entries = []   # ("name", name) | ("named", name, type) | ("type", type)
        saved, self.nolit = self.nolit, False
        self.skip_semis()
        while not self.is_op(")"):
            t, n = self.tok, self.peek()
            if t.kind == "ident" and n.kind in ("op", ";") and n.val in (",", ")", "\n"):
                self.next()
                entries.append(("name", t.val))
            elif t.kind == "ident" and not (n.kind == "op" and n.val == "."):
                self.next()
                entries.append(("named", t.val, self.type()))
            else:
                entries.append(("type", self.type()))
            if self.is_op(","):
                self.next()
            self.skip_semis()
        self.next()
        self.nolit = saved
        if not any(e[0] == "named" for e in entries):
            return [(None, ("tname", 0, None, e[1], []) if e[0] == "name" else e[1]) for e in entries]
        out, pending = [], []
        for e in entries:
            if e[0] == "name":
                pending.append(e[1])
            elif e[0] == "named":
                for p in pending:
                    out.append((p, e[2]))
                pending = []
                out.append((e[1], e[2]))
            else:
                out.append((None, e[1]))
        return out

    def results(self) -> list:
        if self.is_op("("):
            return self.params()
        t = self.tok
        if t.kind in ("ident",) or (t.kind == "op" and t.val in ("*", "[", "<-")) or (
                t.kind == "kw" and t.val in ("map", "chan", "func", "struct", "interface")):
            return [(None, self.type())]
        return []

    def type(self) -> tuple:
        t = self.tok
        line = t.line
        if t.kind == "ident":
            self.next()
            pkg, name = None, t.val
            if self.is_op(".") and self.peek().kind == "ident":
                self.next()
                pkg, name = name, self.next().val
            targs = []
            if self.is_op("[") and not (self.peek().kind == "op" and self.peek().val == "]"):
                self.next()
                while not self.is_op("]"):
                    targs.append(self.type())
                    if self.is_op(","):
                        self.next()
                self.next()
            return ("tname", line, pkg, name, targs)
        if t.kind == "op":
            if t.val == "*":
                self.next()
                return ("ptr", line, self.type())
            if t.val == "(":
                self.next()
                typ = self.type()
                self.expect_op(")")
                return typ
            if t.val == "[":
                self.next()
                if self.is_op("]"):
                    self.next()
                    return ("slicet", line, self.type())
                if self.is_op("..."):
                    self.next()
                    length = ("lit", line, "...")
                else:
                    length = self.expr()
                self.expect_op("]")
                return ("arrayt", line, length, self.type())
            if t.val == "...":
                self.next()
                return ("ellipsist", line, self.type())
            if t.val == "<-":
                self.next()
                self.next()  # chan
                return ("chant", line, self.type())
            if t.val == "~":
                self.next()
                return self.type()
        if t.kind == "kw":
            if t.val == "map":
                self.next()
                self.expect_op("[")
                k = self.type()
                self.expect_op("]")
                return ("mapt", line, k, self.type())
            if t.val == "chan":
                self.next()
                if self.is_op("<-"):
                    self.next()
                return ("chant", line, self.type())
            if t.val == "func":
                self.next()
                params = self.params()
                return ("funct", line, params, self.results())
            if t.val == "struct":
                self.next()
                return ("structt", line, self.struct_fields())
            if t.val == "interface":
                self.next()
                self.skip_balanced("{", "}")
                return ("ifacet", line)
        raise SyntaxError(f"line {line}: expected a type, got {t.val!r}")

    def struct_fields(self) -> list:
        self.expect_op("{")
        saved, self.nolit = self.nolit, False
        fields = []
        self.skip_semis()
        while not self.is_op("}"):
            line = self.tok.line
            t, n = self.tok, self.peek()
            if t.kind == "op" and t.val == "*":
                names, typ = [], self.type()
            elif t.kind == "ident" and (n.kind == ";" or n.kind == "str" or (n.kind == "op" and n.val in (".", "}"))):
                names, typ = [], self.type()
            else:
                names = [self.next().val]
                while self.is_op(","):
                    self.next()
                    names.append(self.next().val)
                typ = self.type()
            tag = ""
            if self.tok.kind == "str":
                tag = go_unquote(self.next().val)
            fields.append(Field(names, typ, tag, line))
            self.skip_semis()
        self.next()
        self.nolit = saved
        return fields

    # --- statements ---
    def block(self) -> tuple:
        line = self.expect_op("{").line
        saved, self.nolit = self.nolit, False
        stmts = self.stmt_list()
        self.expect_op("}")
        self.nolit = saved
        return ("block", line, stmts)

    def stmt_list(self) -> list:
        out = []
        self.skip_semis()
        while not self.is_op("}") and not self.is_kw("case") and not self.is_kw("default") \
                and self.tok.kind != "eof":
            out.append(self.stmt())
            self.skip_semis()
        return out

    def stmt(self) -> tuple:
        t = self.tok
        line = t.line
        if t.kind == "kw":
            v = t.val
            if v in ("var", "const"):
                self.next()
                specs = self.value_specs(v == "const")
                stmts = [("var", s[3], s[0], s[1], s[2]) for s in specs]
                return stmts[0] if len(stmts) == 1 else ("block", line, stmts)
            if v == "type":
                self.next()
                return ("typedecl", line, self.type_specs(""))
            if v == "if":
                return self.if_stmt()
            if v == "for":
                return self.for_stmt()
            if v == "switch":
                return self.switch_stmt()
            if v == "select":
                return self.select_stmt()
            if v in ("go", "defer"):
                self.next()
                return (v, line, self.expr())
            if v == "return":
                self.next()
                exprs = [] if (self.tok.kind == ";" or self.is_op("}")) else self.expr_list()
                return ("return", line, exprs)
            if v in ("break", "continue", "goto", "fallthrough"):
                self.next()
                if self.tok.kind == "ident":
                    self.next()
                return ("branch", line, v)
        if t.kind == "op" and t.val == "{":
            return self.block()
        if t.kind == ";":
            return ("empty", line)
        if t.kind == "ident" and self.peek().kind == "op" and self.peek().val == ":" :
            self.next()
            self.next()
            self.skip_semis()
            if self.is_op("}"):
                return ("label", line, t.val, ("empty", line))
            return ("label", line, t.val, self.stmt())
        return self.simple_stmt()

    def simple_stmt(self, range_ok: bool = False) -> tuple:
        line = self.tok.line
        if range_ok and self.is_kw("range"):
            self.next()
            return ("range", line, None, None, self.expr(), None)
        lhs = self.expr_list()
        t = self.tok
        if t.kind == "op":
            if t.val in (":=", "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "&^="):
                self.next()
                if range_ok and self.is_kw("range") and t.val in (":=", "="):
                    self.next()
                    x = self.expr()
                    key = lhs[0] if lhs else None
                    value = lhs[1] if len(lhs) > 1 else None
                    return ("range", line, key, value, x, None)
                return ("assign", line, lhs, t.val, self.expr_list())
            if t.val in ("++", "--"):
                self.next()
                return ("incdec", line, lhs[0])
            if t.val == "<-":
                self.next()
                return ("send", line, lhs[0], self.expr())
        return ("expr", line, lhs[0])

    def _header(self):
        saved, self.nolit = self.nolit, True
        return saved

    def if_stmt(self) -> tuple:
        line = self.next().line
        saved = self._header()
        init, cond = None, None
        if self.tok.kind != ";":
            cond = self.simple_stmt()
        if self.tok.kind == ";":
            self.next()
            init, cond = cond, self.simple_stmt()
        self.nolit = saved
        then = self.block()
        els = None
        if self.is_kw("else"):
            self.next()
            els = self.if_stmt() if self.is_kw("if") else self.block()
        cond_expr = cond[2] if cond and cond[0] == "expr" else None
        return ("if", line, init, cond_expr, then, els)

    def for_stmt(self) -> tuple:
        line = self.next().line
        saved = self._header()
        init = cond = post = None
        if not self.is_op("{"):
            first = None if self.tok.kind == ";" else self.simple_stmt(range_ok=True)
            if first is not None and first[0] == "range":
                self.nolit = saved
                body = self.block()
                return ("range", line, first[2], first[3], first[4], body)
            if self.tok.kind == ";":
                self.next()
                init = first
                if self.tok.kind != ";":
                    c = self.simple_stmt()
                    cond = c[2] if c[0] == "expr" else None
                self.next() if self.tok.kind == ";" else None
                if not self.is_op("{"):
                    post = self.simple_stmt()
            else:
                cond = first[2] if first and first[0] == "expr" else None
        self.nolit = saved
        body = self.block()
        return ("for", line, init, cond, post, body)

    def switch_stmt(self) -> tuple:
        line = self.next().line
        saved = self._header()
        init = tag = None
        if not self.is_op("{"):
            first = None if self.tok.kind == ";" else self.simple_stmt()
            if self.tok.kind == ";":
                self.next()
                init = first
                tag = None if self.is_op("{") else self.simple_stmt()
            else:
                tag = first
        self.nolit = saved
        # type switch?
        ts_name, ts_x = None, None
        if tag is not None:
            if tag[0] == "assign" and tag[3] == ":=" and len(tag[4]) == 1 and tag[4][0][0] == "assert" \
                    and tag[4][0][3] is None:
                ts_name, ts_x = tag[2][0][2], tag[4][0][2]
            elif tag[0] == "expr" and tag[2][0] == "assert" and tag[2][3] is None:
                ts_x = tag[2][2]
        self.expect_op("{")
        clauses = []
        self.skip_semis()
        while not self.is_op("}"):
            if self.is_kw("case"):
                self.next()
                if ts_x is not None:
                    exprs = [self.type()]
                    while self.is_op(","):
                        self.next()
                        exprs.append(self.type())
                else:
                    exprs = self.expr_list()
            else:
                self.next()  # default
                exprs = None
            self.expect_op(":")
            clauses.append((exprs, self.stmt_list()))
        self.next()
        if ts_x is not None:
            return ("tswitch", line, init, ts_name, ts_x, clauses)
        tag_expr = tag[2] if tag is not None and tag[0] == "expr" else None
        return ("switch", line, init, tag_expr, clauses)

    def select_stmt(self) -> tuple:
        line = self.next().line
        self.expect_op("{")
        clauses = []
        self.skip_semis()
        while not self.is_op("}"):
            if self.is_kw("case"):
                self.next()
                comm = self.simple_stmt()
            else:
                self.next()
                comm = None
            self.expect_op(":")
            clauses.append((comm, self.stmt_list()))
        self.next()
        return ("select", line, clauses)

    # --- expressions ---
    _PREC = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
             "+": 4, "-": 4, "|": 4, "^": 4, "*": 5, "/": 5, "%": 5, "<<": 5, ">>": 5, "&": 5, "&^": 5}

    def expr_list(self) -> list:
        out = [self.expr()]
        while self.is_op(","):
            self.next()
            out.append(self.expr())
        return out

    def expr(self, prec: int = 1) -> tuple:
        x = self.unary()
        while True:
            t = self.tok
            p = self._PREC.get(t.val) if t.kind == "op" else None
            if p is None or p < prec:
                return x
            self.next()
            y = self.expr(p + 1)
            x = ("bin", t.line, t.val, x, y)

    def unary(self) -> tuple:
        t = self.tok
        if t.kind == "op" and t.val in ("+", "-", "!", "^", "*", "&", "<-", "~"):
            self.next()
            return ("un", t.line, t.val, self.unary())
        return self.primary()

    def primary(self) -> tuple:
        x = self.operand()
        while True:
            t = self.tok
            if t.kind != "op":
                return x
            if t.val == ".":
                self.next()
                if self.is_op("("):
                    self.next()
                    if self.is_kw("type"):
                        self.next()
                        typ = None
                    else:
                        typ = self.type()
                    self.expect_op(")")
                    x = ("assert", t.line, x, typ)
                else:
                    x = ("sel", t.line, x, self.next().val)
            elif t.val == "[":
                self.next()
                saved, self.nolit = self.nolit, False
                parts, is_slice = [], False
                cur = None
                while not self.is_op("]"):
                    if self.is_op(":"):
                        self.next()
                        parts.append(cur)
                        cur = None
                        is_slice = True
                        continue
                    cur = self.type_or_expr()
                    if self.is_op(","):
                        self.next()
                        parts.append(cur)
                        cur = None
                parts.append(cur)
                self.next()
                self.nolit = saved
                x = ("slice", t.line, x, parts) if is_slice else ("idx", t.line, x, [p for p in parts if p])
            elif t.val == "(":
                self.next()
                saved, self.nolit = self.nolit, False
                args, ellipsis = [], False
                self.skip_semis()
                while not self.is_op(")"):
                    args.append(self.type_or_expr())
                    if self.is_op("..."):
                        self.next()
                        ellipsis = True
                    if self.is_op(","):
                        self.next()
                    self.skip_semis()
                self.next()
                self.nolit = saved
                x = ("call", t.line, x, args, ellipsis)
            elif t.val == "{" and self._complit_ok(x):
                x = ("comp", t.line, x, self.complit_body())
            else:
                return x

    def _complit_ok(self, x: tuple) -> bool:
        k = x[0]
        if k == "type":
            return True
        if k in ("id", "sel", "idx"):
            if k == "sel" and x[2][0] != "id":
                return False
            return not self.nolit
        return False

    def complit_body(self) -> list:
        self.expect_op("{")
        saved, self.nolit = self.nolit, False
        elts = []
        self.skip_semis()
        while not self.is_op("}"):
            v = self.element()
            if self.is_op(":"):
                self.next()
                k, v = v, self.element()
                elts.append((k, v))
            else:
                elts.append((None, v))
            if self.is_op(","):
                self.next()
            self.skip_semis()
        self.next()
        self.nolit = saved
        return elts

    def element(self) -> tuple:
        if self.is_op("{"):
            line = self.tok.line
            return ("clit", line, self.complit_body())
        return self.expr()

    def type_or_expr(self) -> tuple:
        t = self.tok
        if t.kind == "kw" and t.val in ("map", "chan", "struct", "interface") or (
                t.kind == "op" and t.val == "[") :
            return self.primary()
        if t.kind == "kw" and t.val == "func":
            return self.primary()
        return self.expr()

    def operand(self) -> tuple:
        t = self.tok
        line = t.line
        if t.kind == "ident":
            self.next()
            return ("id", line, t.val)
        if t.kind == "str":
            self.next()
            return ("str", line, go_unquote(t.val))
        if t.kind in ("num", "rune"):
            self.next()
            return ("lit", line, t.val)
        if t.kind == "op" and t.val == "(":
            self.next()
            saved, self.nolit = self.nolit, False
            x = self.type_or_expr()
            self.expect_op(")")
            self.nolit = saved
            return x
        if t.kind == "kw" and t.val == "func":
            self.next()
            params = self.params()
            results = self.results()
            ftype = ("funct", line, params, results)
            if self.is_op("{"):
                saved, self.nolit = self.nolit, False
                body = self.block()
                self.nolit = saved
                return ("flit", line, ftype, body)
            return ("type", line, ftype)
        if (t.kind == "op" and t.val in ("[", "*")) or (t.kind == "kw" and t.val in (
                "map", "chan", "struct", "interface")):
            return ("type", line, self.type())
        raise SyntaxError(f"line {line}: unexpected {t.val!r} in expression")


def import_default_name(path: str) -> str:
    """The package name Go would use for an import without an alias (a guess for non-Dapr paths)."""
    parts = path.split("/")
    name = parts[-1]
    if re.fullmatch(r"v\d+", name) and len(parts) > 1:
        name = parts[-2]
    name = re.sub(r"\.v\d+$", "", name)
    name = re.sub(r"^go-", "", name)
    name = re.sub(r"[-.]go$", "", name)
    return name.replace("-", "").replace(".", "")


_BUILD_RE = re.compile(r"^//go:build (.+)$", re.M)


def parse_go(src: str, path: str) -> GoFile:
    toks = tokenize(src)
    f = Parser(toks).file(path)
    head = src.split("\npackage ", 1)[0]
    m = _BUILD_RE.search(head)
    f.build = m.group(1).strip() if m else ""
    return f


# ==================================================================================================
# Packages of one components-contrib revision

_GOOS_GOARCH = re.compile(r"_(windows|darwin|freebsd|netbsd|openbsd|solaris|plan9|aix|dragonfly|illumos|"
                          r"js|wasip1|android|ios|arm|arm64|386|ppc64|ppc64le|s390x|mips\w*|riscv64|wasm)\.go$")
_BUILD_TRUE = {"linux", "amd64", "unix", "gc", "cgo", "allcomponents", "stablecomponents"}


def build_ok(expr: str) -> bool:
    """Evaluate a //go:build expression for linux/amd64 with daprd's component tags."""
    if not expr:
        return True
    py = re.sub(r"[A-Za-z_][\w.]*", lambda m: " True " if (m.group() in _BUILD_TRUE or m.group().startswith("go1."))
                else " False ", expr)
    py = py.replace("&&", " and ").replace("||", " or ").replace("!", " not ")
    try:
        return bool(eval(py, {"__builtins__": {}}, {}))  # noqa: S307 - only True/False/and/or/not/()
    except SyntaxError:
        return True


@dataclass
class Package:
    dir: str
    name: str
    files: list
    consts: dict = field(default_factory=dict)     # name -> (expr, GoFile)
    vars: dict = field(default_factory=dict)       # name -> (type, expr, GoFile)
    types: dict = field(default_factory=dict)      # name -> (TypeDecl, GoFile)
    funcs: dict = field(default_factory=dict)      # name -> FuncDecl
    methods: dict = field(default_factory=dict)    # (recv type name, name) -> FuncDecl
    file_of: dict = field(default_factory=dict)    # FuncDecl id -> GoFile

    @classmethod
    def build(cls, dir_: str, files: list) -> "Package":
        pkg = cls(dir_, files[0].package if files else "", files)
        for f in files:
            for k, v in f.consts.items():
                pkg.consts.setdefault(k, (v, f))
            for k, (t, v) in f.vars.items():
                pkg.vars.setdefault(k, (t, v, f))
            for k, td in f.types.items():
                pkg.types.setdefault(k, (td, f))
            for fn in f.funcs:
                pkg.file_of[id(fn)] = f
                if fn.recv is None:
                    pkg.funcs.setdefault(fn.name, fn)
                else:
                    rt = fn.recv[1]
                    while rt[0] == "ptr":
                        rt = rt[2]
                    if rt[0] == "tname":
                        pkg.methods.setdefault((rt[3], fn.name), fn)
        return pkg


# Category root packages of components-contrib: their Metadata/Base types carry the component's
# init metadata in .Properties; every other struct of theirs with a Metadata map is a request.
CATEGORY_DIRS = frozenset({"bindings", "pubsub", "state", "secretstores", "lock", "configuration", "crypto",
                           "middleware", "nameresolution", "conversation", "workflows", "metadata"})
KIT_METADATA = KIT_MODULE + "/metadata"
KIT_DIR_PREFIX = "@kit/"   # kit packages are parsed for their types only (calls into kit are recognised)
BUILTIN_TYPES = frozenset("""bool string int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr
    float32 float64 complex64 complex128 byte rune error any""".split())


class Program:
    """Lazily parsed packages of one components-contrib revision (parse results shared by blob)."""

    _parse_cache: dict = {}

    def __init__(self, repo: GitRepo, rev: str, kit: GitRepo | None = None, kit_rev: str | None = None):
        self.repo = repo
        self.rev = rev
        self.tree = repo.tree(rev)
        self.kit, self.kit_rev = kit, kit_rev
        self.kit_tree = kit.tree(kit_rev) if kit is not None else {}
        self.dirs: dict[str, list[str]] = defaultdict(list)
        for tree, prefix in ((self.tree, ""), (self.kit_tree, KIT_DIR_PREFIX)):
            for path in tree:
                if path.endswith(".go") and not path.endswith("_test.go"):
                    d = path.rsplit("/", 1)[0] if "/" in path else ""
                    self.dirs[prefix + d].append(prefix + path)
        self._pkgs: dict[str, Package | None] = {}
        self.anon_structs: dict = {}
        self.parse_errors: list = []

    def package(self, dir_: str) -> Package | None:
        if dir_ not in self._pkgs:
            files = []
            for path in sorted(self.dirs.get(dir_, [])):
                if _GOOS_GOARCH.search(path):
                    continue
                repo, tree, rel = (self.kit, self.kit_tree, path[len(KIT_DIR_PREFIX):]) \
                    if path.startswith(KIT_DIR_PREFIX) else (self.repo, self.tree, path)
                sha = tree[rel]
                f = self._parse_cache.get(sha)
                if f is None:
                    try:
                        f = parse_go(repo.blob(sha).decode("utf-8", "replace"), path)
                    except (SyntaxError, IndexError, ValueError) as exc:
                        self.parse_errors.append(f"{path}: {exc}")
                        continue
                    self._parse_cache[sha] = f
                elif f.path != path:  # same blob at another path (moved file)
                    f = parse_go(repo.blob(sha).decode("utf-8", "replace"), path)
                if build_ok(f.build):
                    files.append(f)
            main = [f for f in files if f.package != "main"]
            self._pkgs[dir_] = Package.build(dir_, main) if main else None
        return self._pkgs[dir_]

    @staticmethod
    def contrib_dir(import_path: str) -> str | None:
        if import_path == CONTRIB_MODULE:
            return ""
        if import_path.startswith(CONTRIB_MODULE + "/"):
            return import_path[len(CONTRIB_MODULE) + 1:]
        return None

    # --- types ---
    def resolve_type(self, t: tuple | None, pkg: Package, gofile: GoFile | None) -> tuple | None:
        """Type AST -> type ref: (named, dir, name) | (ext, path, name) | (builtin, name) |
        (anon, key) | (slice, ref) | (map, ref, ref) | None."""
        if t is None:
            return None
        k = t[0]
        if k == "tname":
            q, name = t[2], t[3]
            if q is None:
                if name in BUILTIN_TYPES and name not in pkg.types:
                    return ("builtin", name)
                return ("named", pkg.dir, name)
            path = gofile.imports.get(q) if gofile else None
            if path is None:
                return None
            d = self.contrib_dir(path)
            if d is None and path.startswith(KIT_MODULE + "/"):
                d = KIT_DIR_PREFIX + path[len(KIT_MODULE) + 1:]
            return ("named", d, name) if d is not None else ("ext", path, name)
        if k in ("ptr", "ellipsist"):
            return self.resolve_type(t[2], pkg, gofile)
        if k == "slicet" or k == "arrayt":
            return ("slice", self.resolve_type(t[-1], pkg, gofile))
        if k == "mapt":
            return ("map", self.resolve_type(t[2], pkg, gofile), self.resolve_type(t[3], pkg, gofile))
        if k == "structt":
            key = (pkg.dir, gofile.path if gofile else "", t[1], id(t))
            self.anon_structs[key] = (t, pkg, gofile)
            return ("anon", key)
        return None

    def type_decl(self, ref: tuple | None):
        """(struct AST | other type AST, Package, GoFile, name) for a named/anon type ref."""
        seen = 0
        while ref is not None and seen < 10:
            seen += 1
            if ref[0] == "anon":
                t, pkg, f = self.anon_structs[ref[1]]
                return t, pkg, f, None
            if ref[0] != "named":
                return None
            pkg = self.package(ref[1])
            if pkg is None or ref[2] not in pkg.types:
                return None
            td, f = pkg.types[ref[2]]
            if td.type[0] == "tname":  # type X Y / type X = Y: follow
                nxt = self.resolve_type(td.type, pkg, f)
                if nxt == ref:
                    return None
                ref = nxt
                continue
            if td.type[0] == "ptr":
                ref = self.resolve_type(td.type, pkg, f)
                continue
            return td.type, pkg, f, ref[2]
        return None

    def struct_fields(self, ref):
        """[(Field, Package, GoFile)] of a struct type ref, or None."""
        d = self.type_decl(ref)
        if d is None or d[0][0] != "structt":
            return None
        t, pkg, f, _ = d
        return [(fl, pkg, f) for fl in t[2]]

    def field_type(self, ref, name: str, depth: int = 0):
        """Type ref of field `name` of struct `ref` (promoted through embedded fields), and the
        struct type that declares it."""
        fields = self.struct_fields(ref)
        if fields is None or depth > 6:
            return None, None
        for fl, pkg, f in fields:
            if name in fl.names:
                return self.resolve_type(fl.type, pkg, f), ref
        for fl, pkg, f in fields:
            if not fl.names:
                emb = self.resolve_type(fl.type, pkg, f)
                if embedded_name(fl.type) == name:
                    return emb, ref
                got = self.field_type(emb, name, depth + 1)
                if got[0] is not None:
                    return got
        return None, None

    def method(self, ref, name: str, depth: int = 0):
        """FuncDecl of method `name` on type `ref` (or promoted from an embedded field)."""
        if ref is None or ref[0] != "named" or depth > 6:
            return None
        pkg = self.package(ref[1])
        if pkg is None:
            return None
        fn = pkg.methods.get((ref[2], name))
        if fn is not None:
            return fn
        for fl, fpkg, f in self.struct_fields(ref) or []:
            if not fl.names:
                got = self.method(self.resolve_type(fl.type, fpkg, f), name, depth + 1)
                if got is not None:
                    return got
        return None


    def methods_of(self, ref, depth: int = 0) -> list:
        """[(FuncDecl, Package)] of type ref's methods, promoted ones included (outer ones win)."""
        if ref is None or ref[0] != "named" or depth > 6:
            return []
        pkg = self.package(ref[1])
        if pkg is None:
            return []
        out = [(fn, pkg) for (tname, _), fn in sorted(pkg.methods.items()) if tname == ref[2]]
        seen = {fn.name for fn, _ in out}
        for fl, fpkg, f in self.struct_fields(ref) or []:
            if not fl.names:
                for fn, mpkg in self.methods_of(self.resolve_type(fl.type, fpkg, f), depth + 1):
                    if fn.name not in seen:
                        seen.add(fn.name)
                        out.append((fn, mpkg))
        return out


def embedded_name(t: tuple) -> str | None:
    while t[0] == "ptr":
        t = t[2]
    return t[3] if t[0] == "tname" else None


def type_str(t: tuple | None) -> str:
    """Go spelling of a type AST (for go_type)."""
    if t is None:
        return "?"
    k = t[0]
    if k == "tname":
        base = f"{t[2]}.{t[3]}" if t[2] else t[3]
        return base + (f"[{', '.join(type_str(a) for a in t[4])}]" if t[4] else "")
    if k == "ptr":
        return "*" + type_str(t[2])
    if k == "slicet":
        return "[]" + type_str(t[2])
    if k == "arrayt":
        return "[...]" + type_str(t[3])
    if k == "mapt":
        return f"map[{type_str(t[2])}]{type_str(t[3])}"
    if k == "chant":
        return "chan " + type_str(t[2])
    if k == "funct":
        return "func(...)"
    if k == "structt":
        return "struct{...}"
    if k == "ifacet":
        return "interface{...}"
    if k == "ellipsist":
        return "..." + type_str(t[2])
    return "?"


def parse_tag(tag: str) -> dict:
    """Go struct tag `k:"v" k2:"v2"` -> {k: v}."""
    out = {}
    for m in re.finditer(r'([A-Za-z_][\w-]*):"((?:\\.|[^"\\])*)"', tag):
        out.setdefault(m.group(1), m.group(2))
    return out


# ==================================================================================================
# Abstract interpreter
#
# Values: unknown | obj (a value of a known static type) | map (a metadata map: origin init, req or
# runtime) | bytes (json.Marshal of a metadata map) | str / strs / dict (constants) | func | type |
# rangekey (the key variable of `for k := range metadataMap`; const "lower" after strings.ToLower).
#
# Events (tuples, gate = frozenset of keys whose predicate guards the event, always last):
#   ("read", key, origin, mode, exact, group, file, line, gate)   mode: index|getprop|prefix|range-eq
#   ("decode", typeref, origin, decoder, file, line, gate)        decoder: kit|contrib|mapstructure|json
#   ("doc", typeref, file, line, gate)                           GetMetadataInfoFromStructType(...)
#   ("escape", callee, origin, file, line, gate)                 a metadata map left for code we do not read
#   ("iterate", origin, file, line, gate) / ("dynread", origin, file, line, gate)

@dataclass(frozen=True, slots=True)
class Val:
    kind: str
    origin: frozenset = frozenset()
    typ: tuple | None = None
    const: object = None


UNKNOWN = Val("unknown")
UNKNOWN_BOOL = Val("bool")   # a bool value that is not a constant
_RANK = {"map": 6, "bytes": 5, "rangekey": 5, "dictkey": 4, "dict": 4, "strs": 4, "str": 3, "obj": 2, "func": 2, "type": 2,
         "unknown": 0}


def join(a: Val | None, b: Val | None) -> Val:
    if a is None:
        return b or UNKNOWN
    if b is None or a == b:
        return a
    if a.kind == "bool" or b.kind == "bool":  # a bool is a known constant only if every value agrees
        return UNKNOWN_BOOL
    if a.kind == b.kind and a.kind in ("map", "bytes", "rangekey"):
        return Val(a.kind, a.origin | b.origin, a.typ or b.typ, a.const)
    if _RANK.get(b.kind, 0) > _RANK.get(a.kind, 0):
        return Val(b.kind, b.origin, b.typ or a.typ, b.const)
    if a.typ is None and b.typ is not None and a.kind in ("obj", "map", "unknown"):
        return Val(a.kind if a.kind != "unknown" else "obj", a.origin, b.typ, a.const)
    return a


def with_gate(ev: tuple, gate: frozenset) -> tuple:
    return ev if not gate or gate <= ev[-1] else ev[:-1] + (ev[-1] | gate,)


class Frame:
    __slots__ = ("pkg", "gofile", "fn", "env", "returns", "results", "events", "gate")

    def __init__(self, pkg, gofile, fn):
        self.pkg, self.gofile, self.fn = pkg, gofile, fn
        self.env: dict = {}
        self.returns: list = []
        self.results: list = []
        self.events: set = set()
        self.gate: frozenset = frozenset()


_BUILTIN_FUNCS = frozenset("""len cap copy delete panic print println close min max clear complex real imag
    recover""".split())
_JSON_PATHS = frozenset({"encoding/json", "github.com/json-iterator/go", "github.com/goccy/go-json"})
MAX_DEPTH = 16


class Analyzer:
    """Follows one component package's metadata maps through the packages it calls."""

    def __init__(self, prog: Program, comp_dir: str):
        self.prog = prog
        self.comp_dir = comp_dir
        self.heap: dict = {}
        self.heap_types: set = set()
        self.memo: dict = {}
        self.stack: list = []
        self.changed = False
        self.force = False   # descend into every call (used to find what constructors return)
        self._cond_value = None
        self._reach: dict = {}
        self._globals: dict = {}

    # --- driver ---
    def run(self, ctors=()) -> set:
        """Events of every root: functions of the component package that take a metadata or request
        value, and the methods of the concrete types its registered constructors return."""
        pkg = self.prog.package(self.comp_dir)
        if pkg is None:
            return set()
        roots = {id(fn): (fn, pkg, None) for fn in list(pkg.funcs.values()) + list(pkg.methods.values())
                 if self._is_root(fn, pkg)}
        component_types = set(self.constructed_types(pkg, ctors))
        component_types |= {("named", pkg.dir, t) for (t, m) in pkg.methods if m == "Init"}
        for typ in sorted(component_types):
            for fn, mpkg in self.prog.methods_of(typ):
                if fn.name[:1].isupper() or self._is_root(fn, mpkg):  # what daprd calls, and metadata takers
                    roots.setdefault(id(fn), (fn, mpkg, typ))
        ordered = sorted(roots.values(), key=lambda r: (r[0].file, r[0].line))
        ctor_fns = [pkg.funcs[n] for n in ctors if n in pkg.funcs]
        events: set = set()
        for _ in range(8):
            self.changed = False
            self.memo.clear()
            events = set()
            self.force = True  # constructors: record which concrete types their struct fields hold
            for fn in ctor_fns:
                self.call(fn, pkg, None, [None] * len(fn.params), False)
            self.force = False
            self.memo.clear()
            for fn, fpkg, typ in ordered:
                recv = None
                if fn.recv is not None:
                    recv = Val("obj", typ=typ or self.prog.resolve_type(fn.recv[1], fpkg, fpkg.file_of[id(fn)]))
                _, evs = self.call(fn, fpkg, recv, [None] * len(fn.params), False)
                events |= evs
            if not self.changed:
                break
        return events

    def constructed_types(self, pkg: Package, ctors) -> list:
        """Concrete struct types the constructors return (followed through every call they make)."""
        probe = Analyzer(self.prog, self.comp_dir)
        probe.force = True
        out = []
        for name in ctors:
            fn = pkg.funcs.get(name)
            if fn is None:
                continue
            rets, _ = probe.call(fn, pkg, None, [None] * len(fn.params), False)
            for v in rets[:1]:
                if v.typ is not None and v.typ[0] == "named" and self.prog.struct_fields(v.typ) is not None:
                    out.append(v.typ)
        return sorted(set(out))

    def _is_root(self, fn: FuncDecl, pkg: Package) -> bool:
        if fn.name == "GetComponentMetadata":
            return True
        f = pkg.file_of[id(fn)]
        return any(self.is_special(self.prog.resolve_type(t, pkg, f)) for _, t in fn.params)

    def is_special(self, typ) -> bool:
        if not typ or typ[0] != "named" or typ[1] not in CATEGORY_DIRS:
            return False
        if typ[2] in ("Metadata", "Base"):
            return True
        ft, _ = self.prog.field_type(typ, "Metadata")
        return ft is not None and ft[0] == "map"

    def holds_concrete(self, owner, fname: str, v: Val) -> bool:
        """An interface-typed struct field assigned a value of a concrete struct type."""
        if v.kind != "obj" or v.typ is None or v.typ[0] != "named" or self.prog.struct_fields(v.typ) is None:
            return False
        ft, _ = self.prog.field_type(owner, fname)
        d = self.prog.type_decl(ft) if ft is not None else None
        return d is not None and d[0][0] == "ifacet"

    def interesting(self, v: Val | None) -> bool:
        if v is None:
            return False
        if v.kind in ("map", "bytes", "rangekey", "dictkey"):
            return True
        return v.kind == "obj" and v.typ is not None and (self.is_special(v.typ) or self.reaches_heap(v.typ))

    def reaches_heap(self, typ) -> bool:
        """Whether a value of typ can lead (through its fields) to a struct field that holds metadata."""
        if not self.heap_types:
            return False
        key = (typ, len(self.heap_types))
        hit = self._reach.get(key)
        if hit is None:
            hit = False
            todo, seen = [(typ, 0)], set()
            while todo and not hit:
                t, depth = todo.pop()
                if t is None or t in seen or depth > 4:
                    continue
                seen.add(t)
                if t in self.heap_types:
                    hit = True
                    break
                if t[0] in ("slice",):
                    todo.append((t[1], depth))
                    continue
                if t[0] == "map":
                    todo.append((t[2], depth))
                    continue
                for fl, fpkg, f in self.prog.struct_fields(t) or []:
                    ft = self.prog.resolve_type(fl.type, fpkg, f)
                    if ft is not None:
                        todo.append((ft, depth + 1))
            self._reach[key] = hit
        return hit

    def rtype(self, fr: Frame, t):
        """resolve_type that also knows the function's local type declarations."""
        if t is not None and t[0] == "tname" and t[2] is None and t[3] in fr.env and fr.env[t[3]].kind == "type":
            return fr.env[t[3]].typ
        if t is not None and t[0] == "ptr":
            return self.rtype(fr, t[2])
        return self.prog.resolve_type(t, fr.pkg, fr.gofile)

    # --- calls ---
    def call(self, fn: FuncDecl, pkg: Package, recv: Val | None, args: list, ellipsis: bool):
        key = (id(fn), recv, tuple(args), ellipsis)
        if key in self.memo:
            return self.memo[key]
        if id(fn) in self.stack or len(self.stack) >= MAX_DEPTH:
            return [], frozenset()
        self.stack.append(id(fn))
        fr = Frame(pkg, pkg.file_of[id(fn)], fn)
        if fn.recv is not None and fn.recv[0]:
            rt = self.prog.resolve_type(fn.recv[1], pkg, fr.gofile)
            fr.env[fn.recv[0]] = join(recv, Val("obj", typ=rt))
        self._bind_params(fr, fn.params, args, ellipsis)
        for name, t in fn.results:
            if name:
                fr.env[name] = Val("obj", typ=self.prog.resolve_type(t, pkg, fr.gofile))
                fr.results.append(name)
        try:
            self.exec_list(fr, fn.statements())
        finally:
            self.stack.pop()
        declared = [Val("obj", typ=self.prog.resolve_type(t, pkg, fr.gofile)) for _, t in fn.results]
        rets = [join(r, declared[i]) if i < len(declared) and r.kind == "unknown" else r
                for i, r in enumerate(fr.returns)] or declared
        out = (rets, frozenset(fr.events))
        self.memo[key] = out
        return out

    def _bind_params(self, fr: Frame, params: list, args: list, ellipsis: bool):
        n = len(params)
        for i, (name, t) in enumerate(params):
            declared = Val("obj", typ=self.prog.resolve_type(t, fr.pkg, fr.gofile))
            if t[0] == "ellipsist" and i == n - 1 and not ellipsis:
                rest = [a for a in args[i:] if a is not None]
                if rest and all(a.kind == "str" for a in rest):
                    v = Val("strs", const=tuple(a.const for a in rest))
                elif rest and any(self.interesting(a) for a in rest):
                    v = next(a for a in rest if self.interesting(a))
                else:
                    v = declared
            else:
                v = args[i] if i < len(args) and args[i] is not None else None
                v = join(v, declared) if v is not None and v.kind in ("obj", "unknown", "map") else (v or declared)
            if name:
                fr.env[name] = v

    # --- statements ---
    def exec_list(self, fr: Frame, stmts: list) -> bool:
        """Runs statements in order; True when the list certainly returns (what follows is dead)."""
        for s in stmts:
            if self.exec(fr, s):
                return True
        return False

    def exec(self, fr: Frame, s: tuple) -> bool:
        k = s[0]
        if k == "block":
            return self.exec_list(fr, s[2])
        if k == "if":
            return self.exec_if(fr, s)
        if k == "expr":
            self.eval(fr, s[2])
        elif k == "assign":
            self.exec_assign(fr, s)
        elif k == "var":
            _, _, names, typ, values = s
            rt = self.rtype(fr, typ) if typ else None
            vals = self.eval_multi(fr, values[0], len(names)) if len(values) == 1 and len(names) > 1 else \
                [self.eval(fr, v) for v in values]
            for i, name in enumerate(names):
                v = vals[i] if i < len(vals) else UNKNOWN
                if rt is not None:
                    v = join(v, Val("obj", typ=rt)) if v.kind in ("obj", "unknown", "map") else v
                if name != "_":
                    fr.env[name] = v
        elif k == "typedecl":  # local types: struct types become anonymous type refs of this frame
            for td in s[2]:
                fr.env[td.name] = Val("type", typ=self.rtype(fr, td.type))
        elif k == "for":
            _, _, init, cond, post, body = s
            if init:
                self.exec(fr, init)
            if cond:
                self.eval(fr, cond)
            if post:
                self.exec(fr, post)
            self.exec(fr, body)
        elif k == "range":
            self.exec_range(fr, s)
        elif k == "switch":
            _, _, init, tag, clauses = s
            if init:
                self.exec(fr, init)
            tv = self.eval(fr, tag) if tag is not None else None
            for exprs, body in clauses:
                dead = bool(exprs) and tag is None
                for e in exprs or []:
                    ev = self.eval(fr, e)
                    if tv is not None:
                        self._compare(fr, tv, ev, e[1])
                    dead = dead and ev.kind == "bool" and ev.const is False
                if not dead:
                    self.exec_list(fr, body)
        elif k == "tswitch":
            _, _, init, name, x, clauses = s
            if init:
                self.exec(fr, init)
            xv = self.eval(fr, x)
            for types, body in clauses:
                if name:  # `switch v := x.(type)`: v has the case's type when the case names one
                    if types and len(types) == 1:
                        fr.env[name] = join(Val("obj", typ=self.rtype(fr, types[0])), xv if xv.kind == "map" else None)
                    else:
                        fr.env[name] = xv
                self.exec_list(fr, body)
        elif k == "select":
            for comm, body in s[2]:
                if comm is not None:
                    self.exec(fr, comm)
                self.exec_list(fr, body)
        elif k in ("go", "defer"):
            self.eval(fr, s[2])
        elif k == "return":
            exprs = s[2]
            if not exprs and fr.results:
                vals = [fr.env.get(n, UNKNOWN) for n in fr.results]
            elif len(exprs) == 1 and len(fr.fn.results) > 1:
                vals = self.eval_multi(fr, exprs[0], len(fr.fn.results))
            else:
                vals = [self.eval(fr, e) for e in exprs]
            for i, v in enumerate(vals):
                if i < len(fr.returns):
                    fr.returns[i] = join(fr.returns[i], v)
                else:
                    fr.returns.append(v)
            return True
        elif k == "label":
            return self.exec(fr, s[3])
        elif k in ("incdec",):
            self.eval(fr, s[2])
        elif k == "send":
            self.eval(fr, s[2])
            self.eval(fr, s[3])

    def exec_assign(self, fr: Frame, s: tuple):
        _, _, lhs, op, rhs = s
        if op not in ("=", ":="):
            for x in lhs + rhs:
                self.eval(fr, x)
            return
        if len(rhs) == 1 and len(lhs) > 1:
            vals = self.eval_multi(fr, rhs[0], len(lhs))
        else:
            vals = [self.eval(fr, r) for r in rhs]
        for i, target in enumerate(lhs):
            self.assign(fr, target, vals[i] if i < len(vals) else UNKNOWN, op == ":=")

    def assign(self, fr: Frame, target: tuple, v: Val, define: bool):
        k = target[0]
        if k == "id":
            name = target[2]
            if name == "_":
                return
            old = fr.env.get(name)
            fr.env[name] = v if (define or old is None) else join(old, v)
        elif k == "sel":
            xv = self.eval(fr, target[2])
            if xv.typ is not None:
                ft, owner = self.prog.field_type(xv.typ, target[3])
                if ft == ("builtin", "bool"):
                    self.store(owner or xv.typ, target[3], v if v.kind == "bool" else UNKNOWN_BOOL)
                elif self.interesting(v) or self.holds_concrete(owner or xv.typ, target[3], v):
                    self.store(owner or xv.typ, target[3], v)
        elif k == "idx":
            self.eval(fr, target[2], no_read=True)
            for i in target[3]:
                self.eval(fr, i)
        elif k == "un":
            self.assign(fr, target[3], v, define)
        else:
            self.eval(fr, target)

    def store(self, typ: tuple, fname: str, v: Val):
        key = (typ, fname)
        old = self.heap.get(key)
        new = join(old, v) if old is not None else v
        if new != old:
            self.heap[key] = new
            self.heap_types.add(typ)
            self.changed = True

    def exec_if(self, fr: Frame, s: tuple) -> bool:
        _, _, init, cond, then, els = s
        if init:
            self.exec(fr, init)
        before = set(fr.events)
        self._cond_value = None
        if cond is not None:
            v = self.eval(fr, cond)
            self._cond_value = v.const if v.kind == "bool" else None
        gate = frozenset()
        if cond is not None and self._has_call(cond):
            window = fr.events - before
            gate = frozenset(e[1] for e in window if e[0] == "read")
            if gate:
                for e in window:
                    fr.events.discard(e)
                    fr.events.add(with_gate(e, gate))
        cv = self._cond_value
        saved = fr.gate
        fr.gate = saved | gate
        then_returns = else_returns = False
        if cv is not False:  # a condition that is constant false (options the component never sets)
            then_returns = self.exec(fr, then)
        fr.gate = saved
        if els is not None and cv is not True:
            else_returns = self.exec(fr, els)
        if cv is True:
            return then_returns
        if cv is False:
            return else_returns
        return then_returns and else_returns

    @staticmethod
    def _has_call(e: tuple) -> bool:
        if e[0] == "call":
            return True
        if e[0] == "un" and e[2] == "!":
            return Analyzer._has_call(e[3])
        if e[0] == "bin" and e[2] == "&&":
            return Analyzer._has_call(e[3]) or Analyzer._has_call(e[4])
        return False

    def exec_range(self, fr: Frame, s: tuple):
        _, line, key, value, x, body = s
        xv = self.eval(fr, x)
        kv, vv = UNKNOWN, UNKNOWN
        if xv.kind == "map":
            for o in sorted(xv.origin):
                fr.events.add(("iterate", o, fr.fn.file, line, fr.gate))
            kv = Val("rangekey", origin=xv.origin)
        elif xv.kind == "dict":  # for old, new := range map[string]string{"oldKey": "newKey"}
            kv = Val("dictkey", const=xv.const)
            vv = Val("strs", const=tuple(v for _, v in xv.const if isinstance(v, str)))
        elif xv.kind == "strs":
            vv = Val("strs", const=xv.const)
        elif xv.typ is not None:
            if xv.typ[0] == "slice":
                vv = Val("obj", typ=xv.typ[1])
            elif xv.typ[0] == "map":
                kv, vv = Val("obj", typ=xv.typ[1]), Val("obj", typ=xv.typ[2])
        if key is not None:
            self.assign(fr, key, kv, True)
        if value is not None:
            self.assign(fr, value, vv, True)
        self.exec(fr, body)

    # --- events ---
    def read(self, fr: Frame, mapval: Val, key: str, mode: str, exact: bool, line: int, group=None):
        for o in sorted(mapval.origin):
            fr.events.add(("read", key, o, mode, exact, group, fr.fn.file, line, fr.gate))

    def _compare(self, fr: Frame, a: Val, b: Val, line: int):
        if b.kind == "rangekey":
            a, b = b, a
        if a.kind == "rangekey" and b.kind in ("str", "strs"):
            for key in (b.const,) if b.kind == "str" else b.const:
                if key:  # `k == ""` only rejects empty keys
                    self.read(fr, a, key, "range-eq", a.const != "lower", line)

    # --- expressions ---
    def eval_multi(self, fr: Frame, e: tuple, n: int) -> list:
        vals = self.eval_call(fr, e) if e[0] == "call" else [self.eval(fr, e)]  # v, ok := m[k] / x.(T)
        return (vals + [UNKNOWN] * n)[:n]

    def eval(self, fr: Frame, e: tuple | None, no_read: bool = False) -> Val:
        if e is None:
            return UNKNOWN
        k = e[0]
        if k == "id":
            return self.eval_ident(fr, e[2])
        if k == "str":
            return Val("str", const=e[2])
        if k == "lit":
            return UNKNOWN
        if k == "sel":
            return self.eval_sel(fr, e)
        if k == "idx":
            return self.eval_index(fr, e, no_read)
        if k == "call":
            vals = self.eval_call(fr, e)
            return vals[0] if vals else UNKNOWN
        if k == "comp":
            return self.eval_comp(fr, e)
        if k == "un":
            v = self.eval(fr, e[3])
            if e[2] == "!" and v.kind == "bool":
                return v if v.const is None else Val("bool", const=not v.const)
            return v if e[2] in ("&", "*") else UNKNOWN
        if k == "bin":
            a, b = self.eval(fr, e[3]), self.eval(fr, e[4])
            if e[2] in ("&&", "||"):
                consts = [x.const if x.kind == "bool" else None for x in (a, b)]
                stop = e[2] == "||"  # the value that decides the result on its own
                if stop in consts:
                    return Val("bool", const=stop)
                if consts == [not stop, not stop]:
                    return Val("bool", const=not stop)
                return UNKNOWN_BOOL
            if e[2] in ("==", "!="):
                self._compare(fr, a, b, e[1])
            if e[2] == "+" and a.kind == "str" and b.kind == "str":
                return Val("str", const=a.const + b.const)
            return UNKNOWN
        if k == "flit":
            self.eval_funclit(fr, e, [])
            return Val("func")
        if k == "assert":
            v = self.eval(fr, e[2])
            if e[3] is not None:
                rt = self.rtype(fr, e[3])
                return join(v, Val("obj", typ=rt)) if v.kind in ("unknown", "obj", "map") else v
            return v
        if k == "slice":
            v = self.eval(fr, e[2])
            for p in e[3]:
                self.eval(fr, p)
            return v
        if k == "clit":
            for kk, vv in e[2]:
                self.eval(fr, kk)
                self.eval(fr, vv)
            return UNKNOWN
        if k == "type":
            return Val("type", typ=self.rtype(fr, e[2]))
        return UNKNOWN

    def eval_ident(self, fr: Frame, name: str) -> Val:
        if name in fr.env:
            return fr.env[name]
        if name in ("true", "false") and name not in fr.pkg.consts and name not in fr.pkg.vars:
            return Val("bool", const=name == "true")
        return self.pkg_member(fr.pkg, name)

    def pkg_member(self, pkg: Package, name: str) -> Val:
        key = (pkg.dir, name)
        if key in self._globals:
            return self._globals[key]
        self._globals[key] = UNKNOWN  # cycle guard
        v = UNKNOWN
        if name in pkg.consts:
            expr, f = pkg.consts[name]
            v = self.const_eval(pkg, f, expr)
        elif name in pkg.vars:
            t, expr, f = pkg.vars[name]
            v = self.const_eval(pkg, f, expr) if expr is not None else UNKNOWN
            if v.kind == "unknown" and t is not None:
                v = Val("obj", typ=self.prog.resolve_type(t, pkg, f))
        elif name in pkg.funcs:
            v = Val("func", const=(pkg.dir, name))
        elif name in pkg.types:
            v = Val("type", typ=("named", pkg.dir, name))
        self._globals[key] = v
        return v

    def const_eval(self, pkg: Package, f: GoFile, expr: tuple) -> Val:
        """Package-level constants and map/slice literals of strings, evaluated without events."""
        fr = Frame(pkg, f, FuncDecl("<init>", None, [], [], [], None, f.path, 0))
        return self.eval(fr, expr)

    def eval_sel(self, fr: Frame, e: tuple) -> Val:
        x, name = e[2], e[3]
        if x[0] == "id" and x[2] not in fr.env and x[2] in fr.gofile.imports:
            return self.qualified(fr.gofile.imports[x[2]], name)
        return self.select(self.eval(fr, x), name)

    def qualified(self, path: str, name: str) -> Val:
        d = Program.contrib_dir(path)
        if d is not None:
            pkg = self.prog.package(d)
            if pkg is not None:
                return self.pkg_member(pkg, name)
            return UNKNOWN
        return Val("func", const=("ext", path, name))

    def select(self, v: Val, name: str) -> Val:
        typ = v.typ
        if typ is None or typ[0] not in ("named", "anon"):
            return UNKNOWN
        if typ[0] == "named" and typ[1] in CATEGORY_DIRS:
            if typ[2] in ("Metadata", "Base"):
                if name == "Properties":
                    return Val("map", frozenset({"runtime" if typ[1] == "nameresolution" else "init"}))
                if name == "Configuration" and typ[1] == "nameresolution":
                    return Val("map", frozenset({"init"}))
            elif name == "Metadata":
                ft, _ = self.prog.field_type(typ, "Metadata")
                if ft is not None and ft[0] == "map":
                    return Val("map", frozenset({"req"}))
        ft, owner = self.prog.field_type(typ, name)
        h = self.heap.get((owner or typ, name))
        if ft == ("builtin", "bool"):
            return h if h is not None else UNKNOWN_BOOL
        out = Val("obj", typ=ft) if ft is not None else UNKNOWN
        if h is not None:
            out = join(h, out)
        return out

    def eval_index(self, fr: Frame, e: tuple, no_read: bool) -> Val:
        xv = self.eval(fr, e[2])
        idx = [self.eval(fr, i) for i in e[3]]
        if len(idx) != 1:
            return xv if xv.kind == "func" else UNKNOWN
        kv = idx[0]
        if xv.kind == "map":
            if not no_read:
                if kv.kind == "str":
                    self.read(fr, xv, kv.const, "index", True, e[1])
                elif kv.kind == "strs":
                    for key in kv.const:
                        self.read(fr, xv, key, "index", True, e[1])
                elif kv.kind == "dictkey":  # the old key of an upgrade table is an alias of the new one
                    for old, new in kv.const:
                        self.read(fr, xv, old, "index", True, e[1], (new, old) if isinstance(new, str) else None)
                else:
                    for o in sorted(xv.origin):
                        fr.events.add(("dynread", o, fr.fn.file, e[1], fr.gate))
            return UNKNOWN
        if xv.kind == "dict" and kv.kind == "str":
            for k, v in xv.const:
                if k == kv.const:
                    return Val("strs", const=v) if isinstance(v, tuple) else Val("str", const=v)
            return UNKNOWN
        if xv.kind == "strs":
            return UNKNOWN
        if xv.kind == "func":
            return xv  # generic instantiation
        if xv.typ is not None:
            if xv.typ[0] == "slice":
                return Val("obj", typ=xv.typ[1])
            if xv.typ[0] == "map":
                return Val("obj", typ=xv.typ[2])
        return UNKNOWN

    def eval_comp(self, fr: Frame, e: tuple) -> Val:
        _, line, tnode, elts = e
        typ = None
        if tnode[0] == "type":
            typ = self.rtype(fr, tnode[2])
        elif tnode[0] in ("id", "sel", "idx"):
            tv = self.eval(fr, tnode if tnode[0] != "idx" else tnode[2])
            typ = tv.typ if tv.kind == "type" else None
        is_struct = typ is not None and typ[0] in ("named", "anon") and self.prog.struct_fields(typ) is not None
        strs, pairs = [], []
        set_fields = set()
        for key, val in elts:
            vv = self.eval(fr, val) if val[0] != "clit" else self._clit_strs(fr, val)
            if is_struct and key is not None and key[0] == "id":
                ft, owner = self.prog.field_type(typ, key[2])
                set_fields.add(key[2])
                if ft == ("builtin", "bool"):
                    self.store(owner or typ, key[2], vv if vv.kind == "bool" else UNKNOWN_BOOL)
                elif self.interesting(vv) or self.holds_concrete(owner or typ, key[2], vv):
                    self.store(owner or typ, key[2], vv)
                continue
            kv = self.eval(fr, key) if key is not None else None
            if kv is not None and kv.kind == "str" and vv.kind in ("str", "strs"):
                pairs.append((kv.const, vv.const))
            elif key is None and vv.kind == "str":
                strs.append(vv.const)
        if is_struct:  # bool fields a keyed literal leaves out are false
            keyed = all(k is not None for k, _ in elts)
            for fl, fpkg, f in self.prog.struct_fields(typ):
                if self.prog.resolve_type(fl.type, fpkg, f) == ("builtin", "bool"):
                    for name in fl.names:
                        if name not in set_fields:
                            self.store(typ, name, Val("bool", const=False) if keyed else UNKNOWN_BOOL)
        if typ is not None and typ[0] == "map" and pairs and len(pairs) == len(elts):
            return Val("dict", const=tuple(pairs))
        if typ is not None and typ[0] == "slice" and elts and len(strs) == len(elts):
            return Val("strs", const=tuple(strs))
        return Val("obj", typ=typ)

    def _clit_strs(self, fr: Frame, e: tuple) -> Val:
        vals = [self.eval(fr, v) for _, v in e[2]]
        if vals and all(v.kind == "str" for v in vals):
            return Val("strs", const=tuple(v.const for v in vals))
        return UNKNOWN

    def eval_funclit(self, fr: Frame, e: tuple, args: list):
        ftype, body = e[2], e[3]
        saved_returns, saved_results = fr.returns, fr.results
        fr.returns, fr.results = [], []
        saved_env = dict(fr.env)
        self._bind_params(fr, ftype[2], args, False)
        self.exec(fr, body)
        rets = fr.returns
        # closures share captured variables; parameters go out of scope again
        for name, _ in ftype[2]:
            if name:
                if name in saved_env:
                    fr.env[name] = saved_env[name]
                else:
                    fr.env.pop(name, None)
        fr.returns, fr.results = saved_returns, saved_results
        return rets

    # --- calls (recognised helpers, components-contrib functions, everything else) ---
    def eval_call(self, fr: Frame, e: tuple) -> list:
        _, line, fun, args, ellipsis = e
        while fun[0] == "idx" and fun[2][0] in ("id", "sel"):  # generic instantiation f[T](...)
            fun = fun[2]
        if fun[0] == "flit":
            vals = [self.eval(fr, a) for a in args]
            return self.eval_funclit(fr, fun, vals) or [UNKNOWN]
        if fun[0] == "type":
            vals = [self.eval(fr, a) for a in args]
            return [self.convert(vals[0] if vals else UNKNOWN, self.prog.resolve_type(fun[2], fr.pkg, fr.gofile))]
        if fun[0] == "id" and fun[2] not in fr.env and fun[2] not in fr.pkg.funcs:
            name = fun[2]
            if name == "new" and args:
                return [Val("obj", typ=self.rtype(fr, self._as_type(args[0])))]
            if name == "make" and args:
                for a in args[1:]:
                    self.eval(fr, a)
                return [Val("obj", typ=self.rtype(fr, self._as_type(args[0])))]
            if name == "append":
                vals = [self.eval(fr, a) for a in args]
                return [vals[0] if vals else UNKNOWN]
            if name in _BUILTIN_FUNCS:
                for a in args:
                    self.eval(fr, a)
                return [UNKNOWN]
            if name in BUILTIN_TYPES and name not in fr.pkg.types:
                vals = [self.eval(fr, a) for a in args]
                return [vals[0] if vals and vals[0].kind in ("str", "rangekey", "map", "bytes") else UNKNOWN]

        # the callee
        recv = None
        target = None  # ("contrib", FuncDecl, Package) | ("ext", path, name) | ("method-ext", name)
        if fun[0] == "id":
            fv = self.eval_ident(fr, fun[2])
            target = self._func_target(fv)
            if fv.kind == "type":
                vals = [self.eval(fr, a) for a in args]
                return [self.convert(vals[0] if vals else UNKNOWN, fv.typ)]
        elif fun[0] == "sel":
            x, mname = fun[2], fun[3]
            if x[0] == "id" and x[2] not in fr.env and x[2] in fr.gofile.imports:
                fv = self.qualified(fr.gofile.imports[x[2]], mname)
                if fv.kind == "type":
                    vals = [self.eval(fr, a) for a in args]
                    return [self.convert(vals[0] if vals else UNKNOWN, fv.typ)]
                target = self._func_target(fv)
            else:
                recv = self.eval(fr, x)
                fn = self.prog.method(recv.typ, mname) if recv.typ is not None else None
                if fn is not None:
                    target = ("contrib", fn, self.prog.package(self._decl_dir(recv.typ, mname)))
                else:
                    target = ("method", mname)
        else:
            self.eval(fr, fun)
        vals = [self.eval(fr, a) for a in args]
        if target is None:
            return [UNKNOWN]
        if target[0] == "contrib" and target[2].dir.startswith(KIT_DIR_PREFIX):
            target = ("ext", KIT_MODULE + "/" + target[2].dir[len(KIT_DIR_PREFIX):], target[1].name)
        if target[0] == "contrib":
            fn, pkg = target[1], target[2]
            special = self.recognise(fr, pkg.dir, fn.name, recv, vals, args, line)
            if special is not None:
                return special
            if self.force or self.interesting(recv) or any(self.interesting(v) for v in vals):
                rets, evs = self.call(fn, pkg, recv, vals, ellipsis)
                for ev in evs:
                    fr.events.add(with_gate(ev, fr.gate))
                self._group_coalesce(fr, fn.name, args)
                return rets or [UNKNOWN]
            self._group_coalesce(fr, fn.name, args)
            f = pkg.file_of[id(fn)]
            return [Val("obj", typ=self.prog.resolve_type(t, pkg, f)) for _, t in fn.results] or [UNKNOWN]
        if target[0] == "ext":
            special = self.recognise(fr, target[1], target[2], recv, vals, args, line)
            if special is not None:
                return special
            for a, v in zip(args, vals):
                if a[0] == "un" and a[2] == "&":
                    self.set_externally(v.typ)
            self._group_coalesce(fr, target[2], args)
            self._escape(fr, target[1] + "." + target[2], vals, line)
            return [UNKNOWN]
        # a method we cannot resolve statically (interface, external type)
        mname = target[1]
        special = self.recognise(fr, None, mname, recv, vals, args, line)
        if special is not None:
            return special
        if any(self.interesting(v) for v in vals):
            fn, pkg = self._fallback_method(fr, mname, len(vals))
            if fn is not None:
                rets, evs = self.call(fn, pkg, None, vals, ellipsis)
                for ev in evs:
                    fr.events.add(with_gate(ev, fr.gate))
                return rets or [UNKNOWN]
            self._escape(fr, "." + mname, vals, line)
        return [UNKNOWN]

    @staticmethod
    def _as_type(e: tuple) -> tuple:
        if e[0] == "type":
            return e[2]
        if e[0] == "id":
            return ("tname", e[1], None, e[2], [])
        if e[0] == "sel" and e[2][0] == "id":
            return ("tname", e[1], e[2][2], e[3], [])
        if e[0] == "un" and e[2] == "*":
            return ("ptr", e[1], Analyzer._as_type(e[3]))
        if e[0] == "idx":
            return Analyzer._as_type(e[2])
        return ("tname", e[1], None, "?", [])

    def _decl_dir(self, typ, mname: str) -> str:
        """Package dir that declares method mname for typ (promoted methods live elsewhere)."""
        fn = self.prog.method(typ, mname)
        for d in (typ[1],) if typ and typ[0] == "named" else ():
            pkg = self.prog.package(d)
            if pkg is not None and id(fn) in pkg.file_of:
                return d
        for d, pkg in self.prog._pkgs.items():
            if pkg is not None and id(fn) in pkg.file_of:
                return d
        return typ[1]

    def _func_target(self, fv: Val):
        if fv.kind != "func" or fv.const is None:
            return None
        if fv.const[0] == "ext":
            return fv.const
        d, name = fv.const
        pkg = self.prog.package(d)
        return ("contrib", pkg.funcs[name], pkg) if pkg is not None and name in pkg.funcs else None

    def _fallback_method(self, fr: Frame, mname: str, nargs: int):
        """A method call on an interface or unknown receiver: use the one components-contrib method of
        that name in this package or the components-contrib packages its file imports, if unique."""
        cands = []
        dirs = [fr.pkg.dir] + sorted({d for p in fr.gofile.imports.values()
                                      if (d := Program.contrib_dir(p)) is not None and d not in CATEGORY_DIRS})
        for d in dirs:
            pkg = self.prog.package(d)
            if pkg is None:
                continue
            for (_, name), fn in sorted(pkg.methods.items()):
                if name == mname and len(fn.params) == nargs:
                    cands.append((fn, pkg))
        return cands[0] if len(cands) == 1 else (None, None)

    def convert(self, v: Val, typ) -> Val:
        if v.kind in ("map", "bytes", "str", "strs", "rangekey"):
            return Val(v.kind, v.origin, typ if v.kind == "map" else v.typ, v.const)
        return Val("obj", typ=typ)

    def _escape(self, fr: Frame, callee: str, vals: list, line: int):
        for v in vals:
            if v.kind in ("map", "bytes"):
                for o in sorted(v.origin):
                    fr.events.add(("escape", callee, o, fr.fn.file, line, fr.gate))

    def _group_coalesce(self, fr: Frame, name: str, args: list):
        """awsAuth.Coalesce(m["a"], m["b"]): the later keys are aliases of the first."""
        if name != "Coalesce":
            return
        keys = []
        for a in args:
            if a[0] == "idx" and len(a[3]) == 1:
                kv = self.eval(fr, a[3][0])
                if kv.kind == "str":
                    keys.append(kv.const)
        if len(keys) < 2:
            return
        group = tuple(keys)
        for ev in list(fr.events):
            if ev[0] == "read" and ev[1] in keys and ev[3] == "index" and ev[5] is None:
                fr.events.discard(ev)
                fr.events.add(ev[:5] + (group,) + ev[6:])

    def recognise(self, fr: Frame, where, name: str, recv: Val | None, vals: list, args: list, line: int):
        """Helpers whose effect is known: kit/contrib metadata decoding and property lookups,
        json, mapstructure, reflect.TypeOf, strings on range keys. Returns the call's values or None."""
        is_md = where in (KIT_METADATA, "metadata")
        v0 = vals[0] if vals else UNKNOWN
        if where == "metadata" and name == "GetProperty" and recv is not None and self.is_special(recv.typ):
            self._getprop(fr, self.select(recv, "Properties"), vals, line)  # contrib metadata.Base.GetProperty
            return [UNKNOWN, UNKNOWN]
        if recv is not None and recv.kind == "map" and where in (None, KIT_METADATA):
            if name in ("GetProperty", "GetPropertyWithMatchedKey"):
                self._getprop(fr, recv, vals, line)
                return [UNKNOWN, UNKNOWN, UNKNOWN]
            if name == "Decode" and vals:
                self._decode(fr, recv, v0, "kit", line)
                return [UNKNOWN]
        if is_md and name == "DecodeMetadata" and len(vals) >= 2:
            self._decode(fr, v0, vals[1], "kit" if where == KIT_METADATA else "contrib", line)
            return [UNKNOWN]
        if is_md and name in ("GetMetadataProperty", "GetMetadataPropertyWithMatchedKey") and vals:
            self._getprop(fr, v0, vals[1:], line)
            return [UNKNOWN, UNKNOWN, UNKNOWN]
        if where == "metadata" and name == "GetMetadataInfoFromStructType" and vals:
            if v0.typ is not None:
                fr.events.add(("doc", v0.typ, fr.fn.file, line, fr.gate))
            return [UNKNOWN]
        if where in _JSON_PATHS:
            if name == "Marshal" and v0.kind == "map":
                return [Val("bytes", v0.origin), UNKNOWN]
            if name == "Unmarshal" and len(vals) >= 2:
                if v0.kind == "bytes":
                    self._decode(fr, Val("map", v0.origin), vals[1], "json", line)
                return [UNKNOWN]
        if where and where.split("/")[-1] in ("mapstructure", "v2") and "mapstructure" in where \
                and name in ("Decode", "WeakDecode") and len(vals) >= 2:
            self._decode(fr, v0, vals[1], "mapstructure", line)
            return [UNKNOWN]
        if where == KIT_MODULE + "/config" and name == "Normalize":
            return [v0, UNKNOWN]
        if where == KIT_MODULE + "/config" and name == "Decode" and len(vals) >= 2:
            self._decode(fr, v0, vals[1], "mapstructure", line)
            return [UNKNOWN]
        if where == KIT_MODULE + "/retry" and name in ("DecodeConfig", "DecodeConfigWithPrefix") and len(vals) >= 2:
            prefix = vals[2].const if len(vals) > 2 and vals[2].kind == "str" else ""
            self._decode(fr, vals[1], v0, "retry:" + prefix if prefix else "mapstructure", line)
            return [UNKNOWN]
        if where == "reflect" and name in ("TypeOf", "ValueOf"):
            return [Val("obj", typ=v0.typ)]
        if where == "strings" and v0.kind == "rangekey":
            if name in ("ToLower", "ToUpper"):
                return [Val("rangekey", v0.origin, None, "lower")]
            if name in ("TrimSpace",):
                return [v0]
            if len(vals) >= 2 and vals[1].kind in ("str", "strs"):
                for key in (vals[1].const,) if vals[1].kind == "str" else vals[1].const:
                    if name in ("HasPrefix", "CutPrefix", "TrimPrefix"):
                        self.read(fr, v0, key + "*", "pattern", v0.const != "lower", line)
                    elif name in ("HasSuffix", "CutSuffix", "TrimSuffix"):
                        self.read(fr, v0, "*" + key, "pattern", v0.const != "lower", line)
                    elif name == "EqualFold":
                        self.read(fr, v0, key, "range-eq", False, line)
                return [UNKNOWN, UNKNOWN]
        if where == "maps" and name == "Clone":
            return [v0]
        return None

    def _getprop(self, fr: Frame, m: Val, keyvals: list, line: int):
        keys = []
        for v in keyvals:
            if v.kind == "str":
                keys.append(v.const)
            elif v.kind == "strs":
                keys.extend(v.const)
        if m.kind not in ("map",):
            if m.kind == "obj" and self.is_special(m.typ):
                m = self.select(m, "Properties")
            else:
                return
        if not keys:
            for o in sorted(m.origin):
                fr.events.add(("dynread", o, fr.fn.file, line, fr.gate))
            return
        group = tuple(keys) if len(keys) > 1 else None
        for k in keys:
            self.read(fr, m, k, "getprop", False, line, group)

    def set_externally(self, typ, depth: int = 0):
        """A struct that code we do not follow fills in (a decoder, an external call): its bools are unknown."""
        if typ is None or depth > 4:
            return
        for fl, fpkg, f in self.prog.struct_fields(typ) or []:
            ft = self.prog.resolve_type(fl.type, fpkg, f)
            if ft == ("builtin", "bool"):
                for name in fl.names:
                    self.store(typ, name, UNKNOWN_BOOL)
            elif not fl.names or "squash" in parse_tag(fl.tag).get("mapstructure", ""):
                self.set_externally(ft, depth + 1)

    def _decode(self, fr: Frame, src: Val, dst: Val, decoder: str, line: int):
        self.set_externally(dst.typ)
        if src.kind == "obj" and self.is_special(src.typ):  # DecodeMetadata(meta, ...) uses meta.Properties
            src = self.select(src, "Properties")
        if src.kind != "map":
            return
        for o in sorted(src.origin):
            fr.events.add(("decode", dst.typ, o, decoder, fr.fn.file, line, fr.gate))


# ==================================================================================================
# daprd registrations (dapr/dapr cmd/daprd/components/*.go)

def walk(node):
    """Every tuple node below node (expressions and statements)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, tuple):
            if n and isinstance(n[0], str):
                yield n
            stack.extend(x for x in n if isinstance(x, (tuple, list)))
        elif isinstance(n, list):
            stack.extend(n)


def _loader_prefixes(dapr: GitRepo, rev: str) -> dict:
    """import path of a dapr component loader package -> spec.type prefix (createFullName)."""
    out = {}
    for path in sorted(dapr.tree(rev)):
        if not (path.startswith("pkg/components/") and path.endswith("/registry.go")):
            continue
        src = dapr.show(rev, path)
        m = re.search(r'func createFullName\(name string\) string \{\s*return strings\.ToLower\("([^"]+)"', src)
        if m:
            out[DAPR_MODULE + "/" + path.rsplit("/", 1)[0]] = m.group(1)
    return out


def daprd_registrations(dapr: GitRepo, rev: str) -> dict:
    """spec.type -> {"file", "methods", "versions": {version: set((contrib dir, constructor name))}}."""
    prefixes = _loader_prefixes(dapr, rev)
    out: dict = {}
    for path in sorted(dapr.tree(rev)):
        if not (path.startswith("cmd/daprd/components/") and path.endswith(".go")) or path.endswith("_test.go"):
            continue
        f = parse_go(dapr.show(rev, path), path)
        contrib_aliases = {a: Program.contrib_dir(p) for a, p in f.imports.items()
                           if Program.contrib_dir(p) is not None}
        for fn in f.funcs:
            for node in walk(fn.statements()):
                if node[0] != "call" or node[2][0] != "sel":
                    continue
                method, recvx = node[2][3], node[2][2]
                if not method.startswith("Register") or recvx[0] != "sel" or recvx[3] != "DefaultRegistry":
                    continue
                loader = recvx[2]
                prefix = prefixes.get(f.imports.get(loader[2], "")) if loader[0] == "id" else None
                if prefix is None:
                    continue
                args = node[3]
                if method == "RegisterComponentWithVersions":
                    names = [args[0][2]] if args and args[0][0] == "str" else []
                    versions = _versioning(args[1], contrib_aliases) if len(args) > 1 else {}
                else:
                    names = [a[2] for a in args[1:] if a[0] == "str"]
                    versions = {"v1": _refs_in(args[0], contrib_aliases)} if args else {}
                for name in names:
                    st = (prefix + name).lower()
                    ent = out.setdefault(st, {"file": path, "methods": set(), "versions": {}})
                    ent["methods"].add(method)
                    for v, dirs in versions.items():
                        ent["versions"].setdefault(v, set()).update(dirs)
    return out


def _refs_in(expr, contrib_aliases: dict) -> set:
    """(contrib dir, identifier) of every `alias.Name` in a registration's constructor expression."""
    return {(contrib_aliases[n[2][2]], n[3]) for n in walk(expr)
            if n[0] == "sel" and n[2][0] == "id" and n[2][2] in contrib_aliases}


def _versioning(lit, contrib_aliases: dict) -> dict:
    """components.Versioning{Preferred: {Version, Constructor}, Deprecated/Others: [...]}."""
    out = {}
    for n in walk(lit):
        if n[0] not in ("comp", "clit"):
            continue
        elts = n[3] if n[0] == "comp" else n[2]
        keyed = {k[2]: v for k, v in elts if k is not None and k[0] == "id"}
        if "Version" in keyed and "Constructor" in keyed and keyed["Version"][0] == "str":
            out.setdefault(keyed["Version"][2], set()).update(_refs_in(keyed["Constructor"], contrib_aliases))
    return out


def category_of(spec_type: str) -> str:
    return spec_type.split(".", 1)[0]


# ==================================================================================================
# From events to fields

def alias_mode(src: str | None) -> str:
    """How a DecodeMetadata implementation resolves mapstructurealiases (read from its source):
    'squash' (top level and through fields tagged exactly `mapstructure:",squash"`), 'top' (top-level
    fields only) or 'none'."""
    if not src or "mapstructurealiases" not in src:
        return "none"
    m = re.search(r"func resolveAliases\w*\(.*?\n}\n", src, re.S)
    body = src[m.start():] if m else src
    return "squash" if '",squash"' in body else "top"


@dataclass
class FieldRec:
    name: str
    sources: set = field(default_factory=set)
    files: set = field(default_factory=set)
    go_types: set = field(default_factory=set)
    aliases: set = field(default_factory=set)
    aliases_not_resolved: set = field(default_factory=set)
    exact_case: set = field(default_factory=set)
    case_folded: set = field(default_factory=set)  # lower-cased spellings some case-insensitive read takes
    mdignore: bool = False
    mdonly: set = field(default_factory=set)
    mddeprecated: bool = False
    gates: list = field(default_factory=list)   # one frozenset per source occurrence (empty = ungated)


def expand_struct(prog: Program, typ, decoder: str, modes: dict, depth: int = 0, alias_ok: bool = True,
                  out: list | None = None, seen: frozenset = frozenset()) -> list | None:
    """Fields the decoder fills from a flat map: [(key, spelling, field, struct name, file, aliases effective,
    aliases declared)] or None when the struct is not found."""
    if out is None:
        out = []
    fields = prog.struct_fields(typ)
    if fields is None or typ in seen or depth > 8:
        return None if depth == 0 else out
    seen = seen | {typ}
    decl = prog.type_decl(typ)
    sname = decl[3] if decl else None
    json_mode = decoder == "json"
    prefix = decoder[len("retry:"):] if decoder.startswith("retry:") else ""
    base = "kit" if decoder in ("kit",) else decoder
    amode = modes.get(base, "none")
    for fl, pkg, f in fields:
        gname = fl.names[0] if fl.names else embedded_name(fl.type)
        names = fl.names or [gname]
        tags = parse_tag(fl.tag)
        for name in names:
            if not name:
                continue
            exported = name[0].isupper()
            if not exported and (fl.names or json_mode):
                continue  # unexported fields are never set; unexported embedded structs may be squashed
            if json_mode:
                jt = tags.get("json", "")
                jname = jt.split(",")[0]
                if jname == "-":
                    continue
                if not fl.names and not jname:
                    expand_struct(prog, prog.resolve_type(fl.type, pkg, f), decoder, modes, depth + 1, False, out, seen)
                    continue
                out.append((jname or name, jname or name, fl, sname, f.path, (), ()))
                continue
            ms = tags.get("mapstructure", "")
            parts = ms.split(",") if ms else [""]
            mname, opts = parts[0], parts[1:]
            if mname == "-":
                continue
            if "squash" in opts:
                ok = alias_ok and amode == "squash" and ms == ",squash" and exported
                expand_struct(prog, prog.resolve_type(fl.type, pkg, f), decoder, modes, depth + 1, ok, out, seen)
                continue
            if not exported:
                continue
            if not fl.names:
                continue  # embedded without squash: mapstructure wants a nested map under the type name
            key = mname or name
            declared = tuple(a for a in tags.get("mapstructurealiases", "").split(",") if a)
            effective = declared if (declared and ms and alias_ok and amode != "none" and
                                     (depth == 0 or amode == "squash")) else ()
            spelled = key
            if not mname:  # no tag: mapstructure matches the Go name; prefer a json spelling of the same key
                jname = tags.get("json", "").split(",")[0]
                spelled = jname if jname and jname.lower() == name.lower() else lower_camel(name)
            if prefix:
                key = spelled = prefix + spelled[:1].upper() + spelled[1:]
            out.append((key, spelled, fl, sname, f.path, effective, declared))
    return out


def lower_camel(go_name: str) -> str:
    """Display spelling of an untagged Go field name (matching is case-insensitive anyway):
    AccountKey -> accountKey, ServiceURL -> serviceURL, AWSRegion -> awsRegion, ID -> id."""
    m = re.match(r"[A-Z]+", go_name)
    if not m:
        return go_name
    run = m.group()
    if len(run) == len(go_name) or len(run) == 1:
        return go_name[:len(run)].lower() + go_name[len(run):]
    return run[:-1].lower() + go_name[len(run) - 1:]


def doc_struct_keys(prog: Program, typ, category: str, depth: int = 0) -> set:
    """Field names components-contrib's metadata analyzer (GetMetadataInfoFromStructType) lists."""
    out = set()
    fields = prog.struct_fields(typ)
    if fields is None or depth > 8:
        return out
    for fl, pkg, f in fields:
        tags = parse_tag(fl.tag)
        ms = tags.get("mapstructure", "")
        if ms == "-":
            continue
        only = tags.get("mdonly")
        if only and category not in only.split(","):
            continue
        parts = ms.split(",")
        if not fl.names:
            name = embedded_name(fl.type)
            if not name or not name[0].isupper():
                continue  # the analyzer skips unexported fields before looking at squash
            if len(parts) > 1 and parts[-1] == "squash":
                out |= doc_struct_keys(prog, prog.resolve_type(fl.type, pkg, f), category, depth + 1)
                continue
            name = embedded_name(fl.type)
            if name and name[0].isupper():
                out.add((parts[0] or name).lower())
            continue
        for name in fl.names:
            if name[0].isupper():
                out.add((parts[0] or name).lower())
    return out


class PackageFacts:
    """Init-time and per-request fields of one component package at one revision."""

    def __init__(self, prog: Program, comp_dir: str, category: str, modes: dict, ctors: list = ()):
        self.init: dict[str, FieldRec] = {}
        self.request: dict[str, FieldRec] = {}
        self.runtime: set = set()
        self.decoded: set = set()      # (struct, file) decoded at init
        self.doc: set = set()          # doc struct keys (lower-case)
        self.escapes: set = set()
        self.unresolved: set = set()   # decode targets we could not find
        self.dynamic = 0
        self.iterates: set = set()
        events = Analyzer(prog, comp_dir).run(ctors)
        for ev in sorted(events, key=repr):
            kind = ev[0]
            if kind == "read":
                _, key, origin, mode, exact, group, file, line, gate = ev
                self._read(key, origin, mode, exact, group, file, gate)
            elif kind == "decode":
                _, typ, origin, decoder, file, line, gate = ev
                self._decode(prog, typ, origin, decoder, file, line, gate, modes)
            elif kind == "doc":
                self.doc |= doc_struct_keys(prog, ev[1], category)
            elif kind == "escape" and ev[2] == "init":
                self.escapes.add((ev[1], ev[3]))
            elif kind == "dynread" and ev[1] == "init":
                self.dynamic += 1
            elif kind == "iterate" and ev[1] == "init":
                self.iterates.add(ev[2])

    def _table(self, origin: str):
        return {"init": self.init, "req": self.request}.get(origin)

    def _rec(self, table: dict, key: str, spelling: str) -> FieldRec:
        lk = key.lower()
        rec = table.get(lk)
        if rec is None:
            rec = table[lk] = FieldRec(spelling)
        elif rec.name == rec.name.lower() and spelling != spelling.lower():
            rec.name = spelling  # a case-folded comparison spelled it in lower case
        return rec

    def _read(self, key, origin, mode, exact, group, file, gate):
        if origin == "runtime":
            self.runtime.add(key)
            return
        table = self._table(origin)
        if table is None:
            return
        if group and group[0].lower() != key.lower():
            canonical = group[0]
            rec = self._rec(table, canonical, canonical)
            rec.aliases.add(key)
            rec.sources.add("property-read")
            rec.files.add(file)
            self._note_case(rec, key, exact)
            rec.gates.append(gate - {key})
            return
        rec = self._rec(table, key, key)
        rec.sources.add("pattern-read" if mode == "pattern" else "property-read")
        rec.files.add(file)
        self._note_case(rec, key, exact)
        rec.gates.append(gate - {key})

    @staticmethod
    def _note_case(rec: FieldRec, spelling: str, exact: bool):
        (rec.exact_case.add(spelling) if exact else rec.case_folded.add(spelling.lower()))

    def _decode(self, prog, typ, origin, decoder, file, line, gate, modes):
        table = self._table(origin)
        if table is None:
            return
        fields = expand_struct(prog, typ, decoder, modes) if typ is not None else None
        if fields is None:
            self.unresolved.add((repr(typ), file, line) if origin == "init" else ("req", file, line))
            return
        if origin == "init" and typ is not None:
            self.decoded.add((typ[2] if typ[0] == "named" else "struct{...}", file))
        for key, spelled, fl, sname, sfile, effective, declared in fields:
            rec = self._rec(table, key, spelled)
            rec.sources.add("struct" if decoder != "json" else "struct-json")
            rec.files.add(sfile)
            rec.go_types.add(type_str(fl.type))
            rec.aliases |= set(effective)
            rec.aliases_not_resolved |= set(declared) - set(effective)
            tags = parse_tag(fl.tag)
            if tags.get("mdignore", "").lower() in ("true", "1", "yes", "y", "on", "t"):
                rec.mdignore = True
            if tags.get("mdonly"):
                rec.mdonly |= set(tags["mdonly"].split(","))
            if tags.get("mddeprecated", "").lower() in ("true", "1", "yes"):
                rec.mddeprecated = True
            if decoder.startswith("retry:"):
                rec.exact_case.add(spelled)
            rec.gates.append(gate - {key})


# ==================================================================================================
# One minor

def kit_rev_for(contrib: GitRepo, rev: str, kit: GitRepo) -> tuple[str, str]:
    """(kit version in components-contrib's go.mod, kit commit used; HEAD when not in the mirror)."""
    gomod = contrib.show(rev, "go.mod") or ""
    m = re.search(r"^\s*github\.com/dapr/kit (\S+)", gomod, re.M)
    version = m.group(1) if m else ""
    for cand in (version, version.rsplit("-", 1)[-1] if "-" in version else None):
        if not cand:
            continue
        try:
            return version, kit.commit(cand)
        except subprocess.CalledProcessError:
            continue
    return version, kit.commit("HEAD")


@dataclass
class MinorFacts:
    minor: str
    sources: dict
    modes: dict
    registrations: dict
    packages: dict          # contrib dir -> PackageFacts (None when the dir does not exist)
    parse_errors: list


def analyse_minor(minor: str, contrib: GitRepo, dapr: GitRepo, kit: GitRepo) -> MinorFacts:
    ctag, dtag = RELEASES[minor]
    kit_version, kit_commit = kit_rev_for(contrib, ctag, kit)
    prog = Program(contrib, ctag, kit, kit_commit)
    contrib_utils = contrib.show(ctag, "metadata/utils.go") or ""
    modes = {
        "kit": alias_mode(kit.show(kit_commit, "metadata/utils.go")),
        "contrib": alias_mode(contrib_utils) if "func DecodeMetadata(" in contrib_utils else "none",
        "mapstructure": "none",
        "json": "none",
    }
    regs = daprd_registrations(dapr, dtag)
    ctors: dict = defaultdict(set)
    category: dict = {}
    for st in sorted(regs):
        for refs in regs[st]["versions"].values():
            for d, name in refs:
                ctors[d].add(name)
                category.setdefault(d, category_of(st))
    packages: dict = {}
    for d in sorted(ctors):
        packages[d] = PackageFacts(prog, d, category[d], modes, sorted(ctors[d])) if prog.package(d) else None
    sources = {
        "components-contrib": {"tag": ctag if ctag != "HEAD" else "master", "commit": contrib.commit(ctag)},
        "dapr": {"tag": dtag if dtag != "HEAD" else "master", "commit": dapr.commit(dtag)},
        "kit": {"go_mod": kit_version, "commit": kit_commit},
    }
    return MinorFacts(minor, sources, modes, regs, packages, sorted(set(prog.parse_errors)))


# ==================================================================================================
# All minors -> the committed JSON

TRUTHY = ("true", "1", "yes", "y", "on", "t")


def _add(d: dict, key, minor: str):
    d.setdefault(key, [])
    if minor not in d[key]:
        d[key].append(minor)


def merge_package_facts(facts: list) -> PackageFacts | None:
    facts = [f for f in facts if f is not None]
    if not facts:
        return None
    if len(facts) == 1:
        return facts[0]
    out = PackageFacts.__new__(PackageFacts)
    out.init, out.request, out.runtime = {}, {}, set()
    out.decoded, out.doc, out.escapes, out.unresolved, out.iterates = set(), set(), set(), set(), set()
    out.dynamic = 0
    for f in facts:
        for table, src in ((out.init, f.init), (out.request, f.request)):
            for k, rec in src.items():
                if k not in table:
                    table[k] = FieldRec(rec.name)
                t = table[k]
                t.sources |= rec.sources
                t.files |= rec.files
                t.go_types |= rec.go_types
                t.aliases |= rec.aliases
                t.aliases_not_resolved |= rec.aliases_not_resolved
                t.exact_case |= rec.exact_case
                t.case_folded |= rec.case_folded
                t.mdignore |= rec.mdignore
                t.mdonly |= rec.mdonly
                t.mddeprecated |= rec.mddeprecated
                t.gates += rec.gates
        out.runtime |= f.runtime
        out.decoded |= f.decoded
        out.doc |= f.doc
        out.escapes |= f.escapes
        out.unresolved |= f.unresolved
        out.iterates |= f.iterates
        out.dynamic += f.dynamic
    return out


def _exact_only(rec: FieldRec) -> set:
    """Spellings (name or alias) that only an exact-case lookup reads."""
    ci = "struct" in rec.sources or "struct-json" in rec.sources
    if ci:
        return set()
    # m["assumeRoleArn"] beside GetMetadataProperty(m, "assumeRoleArn"): any spelling is read
    return {sp for sp in rec.exact_case if sp.lower() not in rec.case_folded}


def _only_with(rec: FieldRec) -> frozenset | None:
    if not rec.gates or any(not g for g in rec.gates):
        return None
    common = frozenset.intersection(*rec.gates)
    return common or None


def build_types(all_minors: dict) -> dict:
    """spec.type -> version -> merged facts across minors (lists of minors everywhere)."""
    types: dict = {}
    for minor in MINORS:
        mf = all_minors.get(minor)
        if mf is None:
            continue
        for st, reg in sorted(mf.registrations.items()):
            tent = types.setdefault(st, {"registered": [], "versions": {}})
            _append(tent["registered"], minor)
            for version, refs in sorted(reg["versions"].items()):
                vent = tent["versions"].setdefault(version, {"registered": [], "packages": {}, "fields": {},
                                                             "request_fields": {}, "patterns": {},
                                                             "incomplete": {}})
                _append(vent["registered"], minor)
                dirs = sorted({d for d, _ in refs})
                for d in dirs:
                    _add(vent["packages"], d, minor)
                pf = merge_package_facts([mf.packages.get(d) for d in dirs])
                if pf is None:
                    if dirs:
                        vent["incomplete"].setdefault(minor, []).append("package not found: " + ", ".join(dirs))
                    else:
                        vent["incomplete"].setdefault(minor, []).append("not implemented in components-contrib")
                    continue
                _merge_fields(vent, pf, minor)
    return types


def _merge_fields(vent: dict, pf: PackageFacts, minor: str):
    for k, rec in sorted(pf.init.items()):
        if rec.sources == {"pattern-read"}:
            ent = vent["patterns"].setdefault(rec.name, {"init": [], "files": []})
            _append(ent["init"], minor)
            ent["files"] = sorted(set(ent["files"]) | rec.files)
            continue
        ent = vent["fields"].setdefault(k, {"name": rec.name})
        _field_entry(ent, rec, minor, "init")
        if k in pf.request:
            _append(ent.setdefault("request", []), minor)
    for k, rec in sorted(pf.request.items()):
        if k in pf.init:
            continue
        ent = vent["request_fields"].setdefault(k, {"name": rec.name})
        _field_entry(ent, rec, minor, "request")
    notes = []
    for callee, file in sorted(pf.escapes):
        notes.append(f"metadata map passed to {callee} ({file})")
    if pf.dynamic:
        notes.append(f"{pf.dynamic} read(s) with a key computed at run time")
    for typ, file, line in sorted(pf.unresolved):
        if typ != "req":
            notes.append(f"decode target not found: {typ} ({file}:{line})")
    for file in sorted(pf.iterates):
        notes.append(f"iterates over all properties ({file})")
    accepted = set(pf.init) | {a.lower() for rec in pf.init.values() for a in rec.aliases}
    undecoded = sorted(pf.doc - accepted)
    if undecoded:  # GetComponentMetadata's struct names a field no decoder fills under that name
        notes.append("GetComponentMetadata struct fields not read under that name: " + ", ".join(undecoded))
    if notes:
        vent["incomplete"][minor] = notes


def _append(lst: list, minor: str):
    if minor not in lst:
        lst.append(minor)


def _field_entry(ent: dict, rec: FieldRec, minor: str, kind: str):
    ent["name"] = _preferred_name(rec, ent.get("name"))
    _append(ent.setdefault(kind, []), minor)
    ent["sources"] = sorted(set(ent.get("sources", [])) | rec.sources)
    ent["files"] = sorted(set(ent.get("files", [])) | rec.files)
    for t in sorted(rec.go_types):
        _add(ent.setdefault("go_type", {}), t, minor)
    for a in sorted(rec.aliases):
        _add(ent.setdefault("aliases", {}), a, minor)
    for a in sorted(rec.aliases_not_resolved):
        _add(ent.setdefault("aliases_unresolved", {}), a, minor)
    for sp in sorted(_exact_only(rec)):
        _add(ent.setdefault("exact_case", {}), sp, minor)
    if rec.mdignore:
        _append(ent.setdefault("mdignore", []), minor)
    if rec.mddeprecated:
        _append(ent.setdefault("mddeprecated", []), minor)
    for c in sorted(rec.mdonly):
        _add(ent.setdefault("mdonly", {}), c, minor)
    ow = _only_with(rec) if kind == "init" else None
    if ow:
        _add(ent.setdefault("only_with", {}), ",".join(sorted(ow)), minor)


def _preferred_name(rec: FieldRec, old: str | None) -> str:
    """The newest minor's spelling; a lower-cased spelling (from a case-folded comparison) never wins."""
    if old and rec.name == rec.name.lower() and old != old.lower():
        return old
    return rec.name


# ==================================================================================================
# Cross-check with metadata.yaml (../shared/reference/dapr-releases)

# metadata.yaml fields that the code does read but this parser cannot see. Keep this list short:
# every entry says why. The generator fails when an entry no longer matches anything.
KNOWN_PARSER_MISSES = [
    {
        "types": ["nameresolution.consul", "nameresolution.hashicorp.consul"],
        "fields": ["address", "allowStale", "caFile", "certFile", "datacenter", "insecureSkipVerify", "keyFile",
                   "namespace", "partition", "password", "queryDatacenter", "queryToken", "queryWaitTime",
                   "requireConsistent", "scheme", "tlsAddress", "token", "tokenFile", "username", "waitTime"],
        "reason": "nested configuration: nameresolution/hashicorp/consul/configuration.go json-decodes the "
                  "Configuration into intermediateConfig, whose Client/QueryOptions members are structs of the "
                  "Consul API (github.com/hashicorp/consul/api, not parsed); only the top-level keys are recorded",
    },
]


def _load_yaml(path: Path):
    import yaml  # only the cross-check needs PyYAML
    text = "\n".join(line.rstrip() for line in path.read_text(encoding="utf-8").split("\n"))
    return yaml.safe_load(text)


def metadata_yaml_fields(ref: Path, minor: str) -> dict:
    """metadata key (`<spec.type prefix>.<name>@<version>`, lower case) -> (path, {lower name: (name, from)})."""
    hist = json.loads((ref / "dapr-releases" / "metadata-field-history.json").read_text(encoding="utf-8"))["files"]
    root = ref / "dapr-releases" / "components-metadata" / minor
    builtin = _load_yaml(root / ".build-tools" / "builtin-authentication-profiles.yaml") or {}
    out = {}
    for path, ent in sorted(hist.items()):
        if minor not in ent["(file)"]:
            continue
        y = _load_yaml(root / path)
        prefix = "middleware.http" if y["type"] == "middleware" else y["type"]
        fields: dict = {}
        for f in y.get("metadata") or []:
            fields.setdefault(f["name"].lower(), (f["name"], "metadata"))
        for prof in y.get("authenticationProfiles") or []:
            for f in prof.get("metadata") or []:
                fields.setdefault(f["name"].lower(), (f["name"], "authenticationProfiles"))
        for b in y.get("builtinAuthenticationProfiles") or []:
            for prof in builtin.get(b["name"], []):
                for f in prof.get("metadata") or []:
                    fields.setdefault(f["name"].lower(), (f["name"], "builtin:" + b["name"]))
        out[f"{prefix}.{y['name']}@{y['version']}".lower()] = (path, fields)
    return out


def _code_names(vent: dict, minor: str):
    init, req = set(), set()
    for k, e in vent["fields"].items():
        if minor in e.get("init", []):
            init.add(k)
            init |= {a.lower() for a, ms in e.get("aliases", {}).items() if minor in ms}
    for k, e in vent["request_fields"].items():
        if minor in e.get("request", []):
            req.add(k)
    patterns = {p.lower() for p, e in vent["patterns"].items() if minor in e["init"]}
    return init, req, patterns


def _pattern_match(name: str, patterns: set) -> bool:
    lname = re.sub(r"<[^>]+>", "*", name.lower())
    for p in patterns:
        if lname == p or (p.endswith("*") and lname.startswith(p[:-1]) and "*" not in p[:-1]) or \
                (p.startswith("*") and lname.endswith(p[1:]) and "*" not in p[1:]):
            return True
    return False


def _parser_miss(st: str, name: str) -> bool:
    return any(st in e["types"] and name in e["fields"] for e in KNOWN_PARSER_MISSES)


def crosscheck(types: dict, ref: Path) -> dict:
    """Adds "metadata_yaml" to every version entry; returns the per-minor summary."""
    summary = {}
    used_misses = set()
    for minor in MINORS:
        if minor == "master":
            continue
        reg_ref = json.loads((ref / "dapr-releases" / "daprd-component-types" / f"{minor}.json").read_text())["types"]
        md_files = metadata_yaml_fields(ref, minor)
        row = defaultdict(int)
        for st in sorted(types):
            if minor not in types[st]["registered"]:
                continue
            row["types"] += 1
            for version, vent in sorted(types[st]["versions"].items()):
                if minor not in vent["registered"]:
                    continue
                init, req, patterns = _code_names(vent, minor)
                implemented = any(minor in ms for ms in vent["packages"].values())
                row["type_versions"] += 1
                row["implemented"] += implemented
                row["with_fields"] += bool(init or patterns)
                row["code_fields"] += sum(1 for e in vent["fields"].values() if minor in e.get("init", []))
                keys = [k for k in (reg_ref.get(st) or {}).get("metadata_yaml_keys", [])
                        if k.endswith("@" + version)]
                md: dict = {}
                for key in keys:
                    if key.lower() in md_files:
                        path, fields = md_files[key.lower()]
                        _add(vent.setdefault("metadata_yaml", {}).setdefault("files", {}), path, minor)
                        md.update(fields)
                if not keys:
                    continue
                row["with_metadata_yaml"] += 1
                row["md_fields"] += len(md)
                blocked = any(n.startswith("metadata map passed") or "computed at run time" in n
                              for n in vent["incomplete"].get(minor, []))
                for lk, (name, origin) in sorted(md.items()):
                    if lk in init or _pattern_match(name, patterns):
                        row["md_in_code"] += 1
                        continue
                    if lk in req:
                        status = "request-only"
                    elif _parser_miss(st, name):
                        status = "parser-miss"
                        used_misses.add((st, name))
                    elif origin.startswith("builtin:"):
                        status = "not-read-builtin-profile"
                    else:
                        status = "not-read-unverified" if blocked else "not-read"
                    row["md_" + status] += 1
                    ent = vent.setdefault("metadata_yaml", {}).setdefault("not_in_code", {}).setdefault(
                        lk, {"name": name, "from": origin})
                    _add(ent, status, minor)
                for lk, e in vent["fields"].items():
                    if minor not in e.get("init", []) or lk in md:
                        continue
                    if minor in e.get("mdignore", []):
                        row["code_only_mdignore"] += 1
                    elif any(a.lower() in md for a, ms in e.get("aliases", {}).items() if minor in ms):
                        row["code_only_alias"] += 1
                    else:
                        row["code_only_undocumented"] += 1
        summary[minor] = dict(sorted(row.items()))
    stale = [(st, f) for e in KNOWN_PARSER_MISSES for st in e["types"] for f in e["fields"]
             if (st, f) not in used_misses]
    if stale:
        raise SystemExit(f"KNOWN_PARSER_MISSES entries that match nothing: {stale}")
    return summary


# ==================================================================================================
# Output

def dump(obj, depth: int = 0) -> str:
    """JSON with sorted keys: nested objects one key per line, small leaves on one line."""
    flat = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
    if not isinstance(obj, dict) or not obj or (len(flat) <= 110 and depth > 0) or depth >= 6:
        return flat
    pad = " " * (depth + 1)
    items = [f'{pad}{json.dumps(k, ensure_ascii=False)}: {dump(obj[k], depth + 1)}' for k in sorted(obj)]
    return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"


def _prune(vent: dict) -> dict:
    return {k: v for k, v in vent.items() if v not in ({}, [])}


def build_output(minors: list, ref: Path | None) -> tuple[dict, dict]:
    contrib, dapr, kit = GitRepo(CONTRIB_MIRROR), GitRepo(DAPR_MIRROR), GitRepo(KIT_MIRROR)
    facts = {m: analyse_minor(m, contrib, dapr, kit) for m in minors}
    types = build_types(facts)
    summary = crosscheck(types, ref) if ref is not None else {}
    out_types = {}
    for st, tent in sorted(types.items()):
        out_types[st] = {"registered": tent["registered"],
                         "versions": {v: _prune(ve) for v, ve in sorted(tent["versions"].items())}}
    errors = sorted({e for mf in facts.values() for e in mf.parse_errors})
    data = {
        "$comment": ("Generated by scripts/gen_code_facts.py from the Go code of dapr/components-contrib and "
                     "dapr/dapr at each release tag (see docs/data-sources.md); do not edit. Keys of 'fields' "
                     "are lower-cased metadata names (daprd matches them case-insensitively unless a spelling is "
                     "listed in 'exact_case'); every list of minors says where the fact holds."),
        "generated_by": "scripts/gen_code_facts.py",
        "minors": minors,
        "sources": {m: facts[m].sources for m in minors},
        "decoders": {m: {k: v for k, v in facts[m].modes.items() if k in ("kit", "contrib")} for m in minors},
        "known_parser_misses": KNOWN_PARSER_MISSES,
        "parse_errors": errors,
        "summary": summary,
        "types": out_types,
    }
    return data, summary


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed file, write nothing")
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    ap.add_argument("--output", type=Path, default=OUT)
    ap.add_argument("--summary", action="store_true", help="print the coverage table (markdown)")
    args = ap.parse_args(argv)
    ref = args.reference if (args.reference / "dapr-releases").is_dir() else None
    if ref is None:
        print(f"error: {args.reference}/dapr-releases not found (needed for the metadata.yaml cross-check)",
              file=sys.stderr)
        return 2
    data, summary = build_output(MINORS, ref)
    text = dump(data) + "\n"
    if args.summary:
        print(summary_markdown(summary))
        print()
        print(aws_role_markdown(data["types"]))
    if args.check:
        old = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if old != text:
            print(f"{args.output} is out of date: run scripts/gen_code_facts.py", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text)} bytes, {len(data['types'])} spec.types)")
    return 0


SUMMARY_COLUMNS = [
    ("types", "spec.types"), ("type_versions", "type@versions"), ("implemented", "in contrib"),
    ("with_fields", "with init fields"), ("code_fields", "init fields in code"),
    ("with_metadata_yaml", "with metadata.yaml"), ("md_fields", "fields in metadata.yaml"),
    ("md_in_code", "metadata.yaml & code"), ("code_only_mdignore", "code only: mdignore"),
    ("code_only_alias", "code only: alias"), ("code_only_undocumented", "code only: undocumented"),
    ("md_request-only", "metadata.yaml only: per request"), ("md_not-read", "metadata.yaml only: not read"),
    ("md_not-read-builtin-profile", "… builtin profile not read"),
    ("md_not-read-unverified", "… unverified"), ("md_parser-miss", "… parser miss"),
]


def summary_markdown(summary: dict) -> str:
    head = "| minor | " + " | ".join(label for _, label in SUMMARY_COLUMNS) + " |"
    sep = "|---" * (len(SUMMARY_COLUMNS) + 1) + "|"
    rows = [f"| {m} | " + " | ".join(str(row.get(k, 0)) for k, _ in SUMMARY_COLUMNS) + " |"
            for m, row in summary.items()]
    return "\n".join([head, sep, *rows])


def _field_status(vent: dict, key: str, minor: str) -> str:
    """One minor: 'yes', 'RA' (only inside the IAM Roles Anywhere check, i.e. together with
    trustAnchorArn and trustProfileArn), 'with a+b', 'alias' (accepted as an alias) or '-'."""
    e = vent.get("fields", {}).get(key)
    if e is not None and minor in e.get("init", []):
        for keys, ms in e.get("only_with", {}).items():
            if minor in ms:
                return "RA" if keys == "trustAnchorArn,trustProfileArn" else "with " + keys.replace(",", "+")
        return "yes"
    for fe in vent.get("fields", {}).values():
        if minor in fe.get("init", []) and any(a.lower() == key and minor in ms
                                               for a, ms in fe.get("aliases", {}).items()):
            return "alias"
    return "-"


def aws_role_markdown(types: dict) -> str:
    """assumeRoleArn / sessionName at init, per AWS-authenticating type and minor."""
    rows = []
    for st, tent in sorted(types.items()):
        for version, vent in sorted(tent["versions"].items()):
            fields = vent.get("fields", {})
            if not any(k in fields for k in ("assumerolearn", "awsiamrolearn", "sessiontoken", "awsregion")):
                continue
            cells = [f"{_field_status(vent, 'assumerolearn', m)} / {_field_status(vent, 'sessionname', m)}"
                     if m in vent.get("registered", []) else "" for m in MINORS]
            rows.append(f"| {st} {version} | " + " | ".join(cells) + " |")
    head = "| spec.type (assumeRoleArn / sessionName) | " + " | ".join(MINORS) + " |"
    return "\n".join([head, "|---" * (len(MINORS) + 1) + "|", *rows])


if __name__ == "__main__":
    sys.exit(main())

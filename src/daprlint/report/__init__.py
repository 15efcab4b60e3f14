"""Reporters: findings in, text out. Messages were redacted by the engine.

Every format is a function `render(findings, summary, ctx) -> str`
(`get_reporter(name)` imports only the one asked for). The context keys:

- `version`, `rules` ({code: packs.Rule}): always given;
- `colour` (bool): ANSI colour, only on a terminal;
- `diff` (bool): the run was `--diff`, so fixes were not written;
- `texts` ({path: text}): file texts for code frames and SARIF fix regions;
  a file without its text is reported without a frame;
- `secret_spans` ({path: [(start, end), ...]}, from FileResult.secret_spans):
  code-point spans of every scalar whose value is a secret; frames mask
  them, and without this key `full` prints no frames at all (see `full`);
- `statistics`, `show_fixes`, `quiet` (bool): what `--statistics`,
  `--show-fixes` and `--quiet` ask of the text formats and JSON;
- `applied_fixes` ([(path, code), ...]): the fixes `--fix` applied (or
  `--diff` would apply), one entry per fix, for `--show-fixes`.

Text formats: `full` (code frames, the default as in ruff), `concise` (one
line per finding) and `text`, the old name of `concise`.
"""
from __future__ import annotations

from .._record import field, record as dataclass

FORMATS = ("full", "concise", "text", "json", "sarif", "github")
DOCS = "https://github.com/daprlint/daprlint/blob/main/docs/rules.md#"


@dataclass
class Summary:
    files: int = 0
    findings: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    fixable: int = 0          # fixes --fix applies with the flags given
    unsafe_fixable: int = 0   # more that --unsafe-fixes would enable ("hidden")
    fixed: int = 0
    suppressed: int = 0
    by_code: dict = field(default_factory=dict)
    unsafe_fixes: bool = False  # the run's --unsafe-fixes (decides `[*]`); not in as_dict()

    def as_dict(self) -> dict:
        return {"files": self.files, "findings": self.findings, "errors": self.errors, "warnings": self.warnings,
                "infos": self.infos, "fixable": self.fixable, "unsafe_fixable": self.unsafe_fixable,
                "fixed": self.fixed, "suppressed": self.suppressed, "by_code": dict(sorted(self.by_code.items()))}


def fix_available(fix) -> bool:
    """The fix can be applied at all (given the flags its safety needs)."""
    return fix is not None and bool(fix.edits) and not fix.blocked


def fix_applies(fix, unsafe: bool) -> bool:
    """`--fix` applies this fix with the run's `--unsafe-fixes` setting: what `[*]` means."""
    return fix_available(fix) and (fix.safety == "safe" or unsafe)


def fix_key(finding):
    """Two findings whose fixes make the same edits in one file are one fix."""
    return finding.path, frozenset(finding.fix.edits)


def summarize(findings, files: int, fixed: int = 0, suppressed: int = 0, unsafe: bool = False) -> Summary:
    """The counts of *findings*. Two findings of one file whose fixes make the
    same edits count as one fix (fix_key). A file's findings come one after
    the other, so only the current file's fix keys are held (a set of every
    fix's edits was ~270 bytes a fix at the run's peak); a file with fix keys
    seen again later (findings of `helm template` output moved onto the
    chart's templates) makes the count start again with every key held."""
    if not isinstance(findings, (list, tuple)):
        findings = list(findings)  # it may be read twice
    try:
        return _summarize(findings, files, fixed, suppressed, unsafe, by_file=True)
    except _SeenAgain:
        return _summarize(findings, files, fixed, suppressed, unsafe, by_file=False)


class _SeenAgain(Exception):
    pass


def _summarize(findings, files: int, fixed: int, suppressed: int, unsafe: bool, by_file: bool) -> Summary:
    s = Summary(files=files, fixed=fixed, suppressed=suppressed, unsafe_fixes=unsafe)
    counted: set = set()
    path, done = None, set()
    for f in findings:
        if by_file and f.path != path:
            if f.path in done:
                raise _SeenAgain
            if counted:  # a file with no fix key cannot repeat one later
                done.add(path)
            path = f.path
            counted.clear()
        s.findings += 1
        s.by_code[f.code] = s.by_code.get(f.code, 0) + 1
        if f.severity == "error":
            s.errors += 1
        elif f.severity == "warning":
            s.warnings += 1
        else:
            s.infos += 1
        if fix_available(f.fix):
            key = fix_key(f)
            if key in counted:
                continue
            counted.add(key)
            if f.fix.safety == "safe" or unsafe:
                s.fixable += 1
            else:
                s.unsafe_fixable += 1
    return s


def fix_json(fix) -> dict | None:
    """`{"safety", "description", "applicable"}`, plus `"note"` (why not
    applicable) when the fix is blocked; see docs/output.md."""
    if fix is None:
        return None
    out = {"safety": fix.safety, "description": fix.description, "applicable": fix_available(fix)}
    if fix.blocked:
        out["note"] = fix.blocked
    return out


def docs_urls(rules) -> dict:
    """{code: documentation URL} for the built-in rules; a rule from another
    pack has no page in daprlint's docs (`daprlint explain CODE` shows it)."""
    from ..packs import builtin_pack_folder

    builtin = builtin_pack_folder()  # a str: no pathlib at start-up
    return {code: DOCS + code.lower() for code, rule in rules.items() if rule.pack == builtin}


def pretty_json(value, flat: tuple[str, ...] = ()) -> str:
    """*value* (string keys only) laid out as `json.dumps(value, indent=2,
    ensure_ascii=False)` does, except that each item under a key in *flat*
    (a list, or any iterable: a generator keeps one item's dict alive at a
    time) takes one line. Lone surrogates (undecodable file-name bytes)
    become `\\udcXX` escapes, so the text is always valid UTF-8.

    json's indent= encoder is pure Python; the items go through the C
    encoder: 2-3x faster and far lighter on memory with thousands of
    findings, and a line per finding still reads (and greps) well.
    """
    return "".join(pretty_json_parts(value, flat))


def pretty_json_parts(value, flat: tuple[str, ...] = (), encoded: tuple[str, ...] = ()):
    """pretty_json's text in pieces, one per item under a *flat* key: a
    report of 100,000 findings is written piece by piece, never held whole
    (nor as the list of its lines). No piece ends inside a JSON string, so
    each is escaped on its own (json_text) as the whole text would be.
    The items under a key in *encoded* (also in *flat*) are JSON texts
    already, as the encoder below writes them: they are written as given."""
    import json

    from .escape import json_text

    encode = json.JSONEncoder(ensure_ascii=False).encode

    def dump(value, pad: str):
        if isinstance(value, dict) and value:
            inner = pad + "  "
            sep = "{\n"
            for key, item in value.items():
                yield f"{sep}{inner}{encode(key)}: "
                if key in flat and (isinstance(item, (list, tuple)) or hasattr(item, "__next__")):
                    before = f"[\n{inner}  "
                    as_given = key in encoded
                    for v in item:
                        yield before + (v if as_given else encode(v))
                        before = f",\n{inner}  "
                    yield "[]" if before.startswith("[") else f"\n{inner}]"
                else:
                    yield from dump(item, inner)
                sep = ",\n"
            yield f"\n{pad}}}"
        elif isinstance(value, list) and value:
            inner = pad + "  "
            sep = "[\n"
            for item in value:
                yield sep + inner
                yield from dump(item, inner)
                sep = ",\n"
            yield f"\n{pad}]"
        else:
            yield encode(value)

    for part in dump(value, ""):
        yield json_text(part)


def get_reporter(name: str):
    """The render function of one format; only that reporter is imported."""
    if name in ("text", "concise"):
        from .text import render
    elif name == "full":
        from .full import render
    elif name == "json":
        from .json_report import render
    elif name == "sarif":
        from .sarif import render
    elif name == "github":
        from .github import render
    else:
        raise KeyError(name)
    return render

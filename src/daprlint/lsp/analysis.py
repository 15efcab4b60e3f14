"""What the language server knows, without pygls: lint results as LSP JSON.

Everything here takes and returns plain LSP-shaped dicts (camelCase keys,
ranges in the negotiated position encoding), so the pygls server and the
fast start path (faststart.py) send exactly the same messages. Nothing here
logs or returns a metadata value: messages were redacted by the engine, and
hover/completion only show Dapr's field documentation.

A fix that moves values out of the file (SEC001: `fix.secrets`) is offered
only when `secrets-out` is set and the client resolves code actions; the
action carries no edit, only where its finding is (`data`). resolve_secret_fix
writes the values through secrets_out.SecretsSink (conflict check, add,
flush: the same calls and locking as `--fix`) and returns the edit only
after the flush succeeded. "Fix all" never takes such a fix.

Hover and completion answer for the configured Dapr release (`dapr-version`,
default the newest one daprlint knows) from dapr.field_table: completion
offers the fields that release's metadata.yaml lists and its component code
reads (not `sessionName` on `bindings.aws.s3`); hover also describes the
unread ones, saying so. deprecations() asks the functions AWS004 and DPR005
ask (dapr.deprecated_fields, dapr.deprecated_aws_aliases), so a field is
"deprecated" in the editor exactly when a rule reports it.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

from .._record import field, record
from .text import UTF16, LineIndex, pos_tuple, ranges_touch

SOURCE = "daprlint"
# A document opened in a project not read yet: past this many context files to lint from disk
# (~3 ms each), its per-file diagnostics go out first and the deployment findings follow.
DEFER_ABOVE = 16
DOCS_URL = "https://github.com/daprlint/daprlint/blob/main/docs/rules.md#"
FIX_ALL_KIND = "source.fixAll.daprlint"
SECRET_FIX = "daprlint.secretFix"  # data.kind of a code action whose edit waits for codeAction/resolve
QUICKFIX = "quickfix"
SEVERITY = {"error": 1, "warning": 2, "info": 3}  # DiagnosticSeverity
TAG_UNNECESSARY, TAG_DEPRECATED = 1, 2           # DiagnosticTag
COMPLETION_FIELD = 5                             # CompletionItemKind.Field
COMPLETION_DEPRECATED = 1                        # CompletionItemTag.Deprecated
NOT_IGNORABLE = {"INT001", "SUP001"}  # never suppressed / reported after suppression

_COMMENT_OR_BLANK = re.compile(r"^\s*(#.*)?$")
_KEY_LINE = re.compile(r"^(\s*)([A-Za-z_][\w.-]*)\s*:\s*(#.*)?$")


def uri_to_path(uri: str) -> Path | None:
    """A file: URI as a local path; None for untitled: and other schemes."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if re.match(r"^/[A-Za-z]:", path):  # file:///c:/x on Windows
        path = path[1:]
    if parsed.netloc and parsed.netloc != "localhost":
        path = f"//{parsed.netloc}{path}"
    return Path(path)


def doc_link(code: str) -> str:
    return DOCS_URL + code.lower()


@record
class DocState:
    """The last lint of one buffer."""

    uri: str
    version: int | None
    index: LineIndex
    findings: list = field(default_factory=list)
    source: object = None        # loader.Source
    resources: list = field(default_factory=list)
    problem: str | None = None   # a configuration error: one diagnostic at 0:0
    problem_severity: int = 1
    engine: object = None
    # deployment findings: the per-file findings before they were joined and finalized,
    # the buffer's facts, its role and every path the deployment findings were computed from
    own: list = field(default_factory=list)
    facts: object = None
    role: str = ""
    path: str | None = None      # absolute, as the findings name it (None: not a file)
    used: set = field(default_factory=set)
    root: str | None = None      # the project root (None: no deployment findings)
    deferred: object = None      # a project.Plan whose deployment findings are still to come
    notices: list = field(default_factory=list)  # config notices (an untrusted pack not loaded), at 0:0

    @property
    def text(self) -> str:
        return self.index.buffer


@record
class ParseView:
    index: LineIndex
    resources: list
    parse_error: object


class Analyzer:
    """Engines per configuration file, and per-document lint state."""

    def __init__(self, encoding: str = UTF16, root: Path | None = None):
        self.encoding = encoding
        self.root = root
        self._rulesets: dict[tuple, object] = {}
        self._engines: dict[tuple, object] = {}
        self._projects: dict[int, object] = {}  # id(engine) -> project.ProjectFacts
        self.states: dict[str, DocState] = {}
        self._good: dict[str, ParseView] = {}  # last parse without a syntax error
        self._notice_uri: dict[str, str] = {}  # each config notice shows on the first document it came up for

    # -- configuration ---------------------------------------------------
    def _ruleset(self, packs: list[Path]):
        from ..packs import load_packs

        key = tuple(packs)  # packs.PackRef: the path and who named it (trust), not the path alone
        if key not in self._rulesets:
            self._rulesets[key] = load_packs(list(packs))
        return self._rulesets[key]

    def engine_for(self, path: Path | None):
        """The engine for a document; raises ConfigError / PackError."""
        from ..config import PACKS_ENV, find_config, load_settings, user_config_path
        from ..engine import Engine

        start = path if path is not None else self.root
        config = find_config(start) if start is not None else None
        # the user config and DAPRLINT_RULE_PACKS are settings too: a change to them makes a new engine
        key = (str(config), _stamp(config), _stamp(user_config_path()), os.environ.get(PACKS_ENV, ""))
        engine = self._engines.get(key)
        if engine is None:
            settings = load_settings(config)
            engine = Engine(self._ruleset(settings.rule_packs), settings)
            engine.skip_non_dapr = False  # hover, completion and comment placement need every file's nodes
            self._engines = {k: v for k, v in self._engines.items() if k[0] != key[0]}
            self._engines[key] = engine
            live = {id(e) for e in self._engines.values()}
            self._projects = {k: v for k, v in self._projects.items() if k in live}
        return engine

    def projects_for(self, engine):
        """The deployment context kept for one engine (project.ProjectFacts)."""
        from .project import ProjectFacts

        projects = self._projects.get(id(engine))
        if projects is None:
            projects = self._projects[id(engine)] = ProjectFacts(engine)
        projects.workspace_root = str(self.root) if self.root is not None else None
        return projects

    def _data(self, uri: str):
        state = self.states.get(uri)
        if state is not None and state.engine is not None:
            return state.engine.ruleset.data
        try:
            return self.engine_for(uri_to_path(uri)).ruleset.data
        except Exception:  # a broken config still allows hover from the built-in data
            return self._ruleset([]).data

    # -- linting ---------------------------------------------------------
    def lint(self, uri: str, text: str, version: int | None, defer_above: int | None = None) -> DocState:
        """Lint a buffer: its per-file findings and the deployment findings that land in it.

        *defer_above*: when more context files than this must be read from disk first (a
        project opened for the first time), the state holds only the per-file findings, without
        SUP001 (a suppression may be for a deployment finding), and `state.deferred` is set:
        complete() then adds the deployment findings. The first diagnostics do not wait."""
        from ..config import ConfigError
        from ..packs import PackError

        index = LineIndex(text, self.encoding)
        state = DocState(uri, version, index)
        path = uri_to_path(uri)
        try:
            engine = self.engine_for(path)
        except (ConfigError, PackError) as exc:
            state.problem = f"daprlint configuration error: {exc}"
            self.states[uri] = state
            return state
        state.engine = engine
        state.path = os.path.abspath(str(path)) if path is not None else None
        for notice in engine.settings.notices:  # shown once: on the first document it came up for
            if self._notice_uri.setdefault(notice, uri) == uri:
                state.notices.append(notice)
        size = len(index.body.encode("utf-8", "surrogatepass"))
        if size > engine.max_file_size:
            state.problem = (f"daprlint skipped this file: {size} bytes, over the {engine.max_file_size}-byte "
                             "limit (max-file-size in config)")
            state.problem_severity = 3
            self.states[uri] = state
            return state
        plan, trouble = self._plan(state)
        if plan is not None:
            state.role = self.projects_for(engine).role_of(plan, state.path)
        result = engine.lint_text(state.path or uri, index.body, bool(index.bom), explicit=True, role=state.role)
        state.own = result.findings + trouble
        state.facts = result.facts
        state.source = result.source
        state.resources = result.resources
        if result.source is not None and result.source.parse_error is None:
            self._good[uri] = ParseView(index, result.resources, None)
        self.states[uri] = state
        if plan is not None and defer_above is not None and \
                self.projects_for(engine).unread(plan, self._buffers(uri)) > defer_above:
            self._judge(state, None)
            state.findings = [f for f in state.findings if f.code != "SUP001"]
            state.deferred = plan
            return state
        self._judge(state, plan)
        return state

    def complete(self, uri: str, state: DocState) -> bool:
        """Add the deployment findings that lint(defer_above=...) left out; False if there is
        nothing to add (or *state* is no longer the document's latest lint)."""
        if self.states.get(uri) is not state or state.deferred is None:
            return False
        plan, state.deferred = state.deferred, None
        self._judge(state, plan)
        return True

    def _plan(self, state: DocState):
        """(project.Plan or None, [INT001] if working out the deployment failed)."""
        if state.path is None or not state.engine.collects_facts:
            return None, []
        try:
            return self.projects_for(state.engine).plan(state.path, self._buffers(state.uri)), []
        except Exception as exc:  # the per-file findings still show; the bug is named, not its input
            return None, [_internal_error(state.path, exc)]

    def _buffers(self, uri: str) -> dict:
        """{absolute path: facts} of the other open documents: they count instead of the disk."""
        return {s.path: s.facts for u, s in self.states.items()
                if u != uri and s.path is not None and s.facts is not None}

    def _judge(self, state: DocState, plan) -> None:
        """state.findings: the per-file findings and the deployment findings in this file, finalized
        as `check` finalizes them (per-file ignores, suppressions, SUP001)."""
        from ..engine import parse_suppressions
        from ..results import FileResult

        found = list(state.own)
        state.used, state.root, state.deferred = set(), None, None
        if plan is not None and state.facts is not None:
            state.root = plan.root
            try:
                extra, state.used = self.projects_for(state.engine).findings(
                    state.path, state.facts, plan, self._buffers(state.uri))
            except Exception as exc:
                extra = [_internal_error(state.path, exc)]
            found += extra
        result = FileResult(state.path or state.uri, findings=found, source=state.source,
                            suppressions=parse_suppressions(state.index.body))
        state.findings = state.engine.finalize(result).findings

    def refresh(self, uri: str) -> bool:
        """Judge an open document again after a file of its deployment changed; True if its
        diagnostics changed. Its own lint is kept unless its role changed (a patch now, or no longer)."""
        state = self.states.get(uri)
        if state is None or state.problem is not None or state.path is None or not state.engine.collects_facts:
            return False
        before = self.diagnostics(state)
        plan, trouble = self._plan(state)
        if trouble or (plan is not None and self.projects_for(state.engine).role_of(plan, state.path) != state.role):
            self.lint(uri, state.text, state.version)
        else:
            self._judge(state, plan)
        return self.diagnostics(self.states[uri]) != before

    def dependents(self, path: str, listing: bool = False) -> list[str]:
        """The open documents (other than *path*'s) whose deployment findings may depend on *path*:
        those that read it, and with *listing* (files created or deleted) every one of its project."""
        path = os.path.abspath(path)
        found = []
        for uri, state in self.states.items():
            if state.path == path or state.root is None:
                continue
            if path in state.used or (listing and _under(path, state.root)):
                found.append(uri)
        return found

    def file_changed(self, path: str, listing: bool = False) -> None:
        """*path* changed on disk (a save, a watched-file event): forget what was read of it."""
        path = os.path.abspath(path)
        for projects in self._projects.values():
            projects.changed(path, listing)

    def save_caches(self) -> None:
        for projects in list(self._projects.values()):
            projects.save()

    def take_notes(self) -> list[str]:
        """What the deployment layer has to say once (a project too large, a cache folder not used)."""
        notes = []
        for projects in self._projects.values():
            notes += projects.notes
            projects.notes = []
        return notes

    def current(self, uri: str, text: str, version: int | None) -> DocState:
        """The lint of exactly this text (re-linted when a debounced change is pending)."""
        state = self.states.get(uri)
        if state is not None and state.text == text and state.index.encoding == self.encoding:
            return state
        return self.lint(uri, text, version)

    def forget(self, uri: str) -> None:
        self.states.pop(uri, None)
        self._good.pop(uri, None)

    # -- diagnostics -----------------------------------------------------
    def diagnostics(self, state: DocState) -> list[dict]:
        zero = {"line": 0, "character": 0}
        if state.problem is not None:
            return [{"range": {"start": zero, "end": zero},
                     "severity": state.problem_severity, "source": SOURCE,
                     "message": state.problem}]
        notices = [{"range": {"start": zero, "end": zero}, "severity": SEVERITY["info"], "source": SOURCE,
                    "message": f"daprlint {notice}"} for notice in state.notices]
        return notices + [self._diagnostic(state, f) for f in state.findings]

    def _diagnostic(self, state: DocState, finding) -> dict:
        diag = {
            "range": state.index.body_range(finding.span.start, finding.span.end),
            "severity": SEVERITY.get(finding.severity, 1),
            "code": finding.code,
            "codeDescription": {"href": doc_link(finding.code)},
            "source": SOURCE,
            "message": finding.message,
        }
        if finding.code == "SUP001":
            diag["tags"] = [TAG_UNNECESSARY]
        elif "deprecated" in (finding.name or ""):
            diag["tags"] = [TAG_DEPRECATED]
        return diag

    # -- code actions ----------------------------------------------------
    def code_actions(self, state: DocState, request_range: dict, only: list[str] | None = None,
                     document_changes: bool = False, resolve_edits: bool = False) -> list[dict]:
        """Quick fixes, ignores and "fix all"; *resolve_edits*: the client asks codeAction/resolve for edits."""
        if state.problem is not None:
            return []
        actions: list[dict] = []
        ignores: list[dict] = []
        seen_ignores: set = set()
        for finding in state.findings:
            diag = self._diagnostic(state, finding)
            if not ranges_touch(diag["range"], request_range):
                continue
            fix = finding.fix
            if _wanted(QUICKFIX, only) and _applicable(fix):
                action = self._fix_action(state, finding, diag, document_changes, resolve_edits)
                if action is not None:
                    actions.append(action)
            line = diag["range"]["start"]["line"]
            if _wanted(QUICKFIX, only) and finding.code not in NOT_IGNORABLE and (line, finding.code) not in seen_ignores:
                seen_ignores.add((line, finding.code))
                edit = self._ignore_edit(state, finding)
                if edit is not None:
                    ignores.append({
                        "title": f"Ignore {finding.code} on this line",
                        "kind": QUICKFIX,
                        "diagnostics": [diag],
                        "edit": self._workspace_edit(state, [edit], document_changes),
                    })
        actions.extend(ignores)
        if _wanted(FIX_ALL_KIND, only):
            edits = self.fix_all_edits(state)
            if edits:
                actions.append({
                    "title": "Fix all safe fixes in this file",
                    "kind": FIX_ALL_KIND,
                    "edit": self._workspace_edit(state, edits, document_changes),
                })
        return actions

    def _fix_action(self, state: DocState, finding, diag: dict, document_changes: bool,
                    resolve_edits: bool) -> dict | None:
        fix = finding.fix
        unsafe = fix.safety != "safe"
        action = {
            "title": f"Fix {finding.code}: {fix.description}" + (" (unsafe)" if unsafe else ""),
            "kind": QUICKFIX,
            "diagnostics": [diag],
            "isPreferred": not unsafe,
        }
        if not fix.secrets:
            action["edit"] = self._workspace_edit(state, [self._text_edit(state, e) for e in fix.edits],
                                                  document_changes)
            return action
        target = self.secrets_path(state)
        if target is None or not resolve_edits:
            return None  # the edit would drop the values: offered only where they can be written first
        action["title"] += f", saving the value to {target.name}"
        action["data"] = {"kind": SECRET_FIX, "uri": state.uri, "version": state.version,
                          "code": finding.code, "start": finding.span.start, "end": finding.span.end}
        return action

    @staticmethod
    def secrets_path(state: DocState) -> Path | None:
        """`secrets-out` of the document's configuration; a relative path is taken from the config's folder."""
        engine = state.engine
        value = engine.options.get("secrets-out") if engine is not None else None
        if not value:
            return None
        path = Path(value).expanduser()
        return path if path.is_absolute() else engine.settings.root / path

    def resolve_secret_fix(self, state: DocState, data: dict, document_changes: bool = False):
        """(workspace edit, None) once the fix's values are flushed to secrets-out; else (None, message).

        The message names the file and the secret's name and key, never a value.
        """
        from ..secrets_out import SecretsError, SecretsSink

        if data.get("version") != state.version:
            return None, "daprlint: the fix was not applied: the document changed; ask for the fix again"
        finding = next((f for f in state.findings if f.code == data.get("code") and f.span.start == data.get("start")
                        and f.span.end == data.get("end")), None)
        fix = finding.fix if finding is not None else None
        if not _applicable(fix) or not fix.secrets:
            return None, "daprlint: the fix was not applied: it no longer applies to this document"
        target = self.secrets_path(state)
        if target is None:
            return None, "daprlint: the fix was not applied: set secrets-out in the daprlint configuration"
        why = f"daprlint: {finding.code} fix not applied"
        if not target.parent.is_dir():
            # secrets_out.check_not_tracked asks git from the cwd when the folder is missing, and
            # a server's cwd is the editor's: only an existing folder gets the right answer
            return None, f"{why}: {target.parent} does not exist; create it, then ask for the fix again"
        try:
            sink = SecretsSink(target)
            conflict = sink.conflict(fix.secrets)
            if conflict:
                return None, f"{why}: {conflict}"
            sink.add(fix.secrets)
            sink.flush()
        except SecretsError as exc:
            return None, f"{why}: {exc}"
        except OSError as exc:
            return None, f"{why}: cannot write {target}: {exc.strerror or type(exc).__name__}"
        except Exception as exc:  # the message of anything else might quote a value
            return None, f"{why}: internal error ({type(exc).__name__}) writing {target}"
        edits = [self._text_edit(state, e) for e in fix.edits]
        return self._workspace_edit(state, edits, document_changes), None

    def fix_all_edits(self, state: DocState) -> list[dict]:
        """Every safe fix whose edits overlap no fix taken before it (a fix is all or nothing).

        A fix that moves values out of the file never goes in: its values must be written first.
        """
        taken: list = []
        for finding in sorted(state.findings, key=lambda f: (f.span.start, f.code)):
            fix = finding.fix
            if not _applicable(fix) or fix.safety != "safe" or fix.secrets:
                continue
            if any(_conflict(e, t) for e in fix.edits for t in taken) or _self_conflict(fix.edits):
                continue
            taken.extend(fix.edits)
        return [self._text_edit(state, e) for e in sorted(taken, key=lambda e: (e.start, e.end))]

    def _text_edit(self, state: DocState, edit) -> dict:
        return {"range": state.index.body_range(edit.start, edit.end), "newText": edit.replacement}

    def _workspace_edit(self, state: DocState, edits: list[dict], document_changes: bool) -> dict:
        if document_changes:
            return {"documentChanges": [{"textDocument": {"uri": state.uri, "version": state.version},
                                         "edits": edits}]}
        return {"changes": {state.uri: edits}}

    def _ignore_edit(self, state: DocState, finding) -> dict | None:
        """`# daprlint: ignore[CODE]` at the end of the finding's line, or CODE
        added to the one there; None where such a comment is not safe (see noqa.Placer)."""
        from ..noqa import ignore_on_line

        if state.source is None:
            return None
        edit = ignore_on_line(state.index.body, state.source, finding.span.line, finding.code)
        return self._text_edit(state, edit) if edit is not None else None

    # -- parsing for hover and completion ---------------------------------
    def parse_view(self, uri: str, text: str) -> ParseView:
        from .. import loader, model

        state = self.states.get(uri)
        if state is not None and state.text == text and state.source is not None:
            return ParseView(state.index, state.resources, state.source.parse_error)
        index = LineIndex(text, self.encoding)
        source = loader.parse(uri, index.body)
        resources = list(model.resources_of(uri, source.documents, source.template))
        view = ParseView(index, resources, source.parse_error)
        if source.parse_error is None:
            self._good[uri] = view
        return view

    def _target(self, uri: str, data):
        """The Dapr release the rules check this document against (versions.Target)."""
        from .. import versions

        state = self.states.get(uri)
        engine = state.engine if state is not None else None
        try:
            engine = engine or self.engine_for(uri_to_path(uri))
            configured = engine.options.get("dapr-version")
        except Exception:  # a broken config: the default release, as hover uses the built-in data
            configured = None
        try:
            return versions.resolve(data, configured)
        except ValueError:
            return versions.resolve(data)

    def _field_table(self, uri: str, data, resource, include_unread: bool = False) -> tuple[str, str, dict] | None:
        """(type, version, fields) of a Component in the target release; None when unknown."""
        from .. import dapr

        if resource.kind_name != "Component" or resource.type is None:
            return None
        try:
            fields = dapr.field_table(resource, data, self._target(uri, data), include_unread=include_unread)
        except Exception:
            return None
        if not fields:
            return None
        return resource.type_key, resource.version_key, fields

    # -- hover -----------------------------------------------------------
    def hover(self, uri: str, text: str, position) -> dict | None:
        view = self.parse_view(uri, text)
        at = view.index.body_offset(position)
        found = _item_at(view.resources, at)
        if found is None and view.parse_error is not None and uri in self._good:
            good = self._good[uri]
            found = _item_at(good.resources, at)
            if found is not None:  # a stale parse: only when that name is still where it was
                span = found[1].name.span
                if view.index.body[span.start:span.end] != good.index.body[span.start:span.end]:
                    found = None
        if found is None:
            return None
        resource, item = found
        data = self._data(uri)
        table = self._field_table(uri, data, resource, include_unread=True)
        if table is None:
            return None
        type_name, version, fields = table
        info = _shown_field(item.key, item.name.value, fields, deprecations(resource, data, self._target(uri, data)))
        if info is None:
            return None
        span = item.name.span
        return {"contents": {"kind": "markdown", "value": field_markdown(info, type_name, version)},
                "range": view.index.body_range(span.start, span.end)}

    # -- completion ------------------------------------------------------
    def completion(self, uri: str, text: str, position) -> dict | None:
        index = LineIndex(text, self.encoding)
        line, _ = pos_tuple(position)
        if not 0 <= line < index.line_count:
            return None
        cursor = index.offset(position)
        line_start = index.starts[line]
        prefix = index.buffer[line_start:cursor]
        context = _metadata_context(index, line, prefix)  # text only: cheap, so it goes first
        if context is None:
            return None
        mode, word_start = context
        view = self.parse_view(uri, text)
        resource, current = self._resource_at(uri, view, cursor - index.bom, line)
        if resource is None:
            return None
        data = self._data(uri)
        table = self._field_table(uri, data, resource)
        if table is None:
            return None
        _type, _version, fields = table
        deprecated = deprecations(resource, data, self._target(uri, data))
        present = set()
        if current:  # names set elsewhere in this component (a stale parse may be wrong: skip it)
            for item in resource.metadata:
                if item.key and item.name is not None and index.line_of_body_offset(item.name.span.start) != line:
                    present.add(item.key)
        word_end = cursor + re.match(r"[\w.-]*", index.buffer[cursor:index.content_ends[line]]).end()
        edit_range = {"start": index.position(line_start + word_start), "end": index.position(word_end)}
        items = []
        for key, info in fields.items():
            if key in present:
                continue
            info = _shown_field(key, info.get("name") or key, fields, deprecated)
            name = info.get("name") or key
            if mode == "item":
                new_text = f"name: {name}"
            elif mode == "blank":
                new_text = f"- name: {name}"
            elif mode == "after-colon":
                new_text = f" {name}"
            else:
                new_text = name
            rank = (0 if info.get("required") else 1) + (2 if info.get("deprecated") else 0)
            item = {
                "label": name,
                "kind": COMPLETION_FIELD,
                "detail": field_detail(info),
                "documentation": {"kind": "markdown", "value": field_markdown(info, None, None, title=False)},
                "sortText": f"{rank}{name.lower()}",
                "filterText": name,
                "textEdit": {"range": edit_range, "newText": new_text},
            }
            if info.get("deprecated"):
                item["tags"] = [COMPLETION_DEPRECATED]
            items.append(item)
        items.sort(key=lambda i: i["sortText"])
        return {"isIncomplete": False, "items": items}

    def _resource_at(self, uri: str, view: ParseView, at: int, line: int):
        """(resource, from the current parse?) for a body offset; a stale parse when this one is broken."""
        best = None
        for resource in view.resources:
            if resource.node.start_mark.index <= at:
                best = resource
        if best is not None and not _separator_between(view.index, best.node.start_mark.index, line):
            return best, True
        if view.parse_error is not None and uri in self._good:
            good = self._good[uri]
            best = None
            for resource in good.resources:
                if good.index.line_of_body_offset(resource.node.start_mark.index) <= line:
                    best = resource
            if best is not None:
                return best, False
        return None, False


def deprecations(resource, data, target) -> dict[str, str | None]:
    """Lower-cased name -> replacement (None: Dapr names none) of each name AWS004 or DPR005 reports
    for this component's type and version in the target release, read as those rules read it."""
    from .. import dapr

    found = {key: use for key, (use, _rename, _how) in dapr.deprecated_fields(resource, data, target).items()}
    if dapr.is_aws(resource, data) or resource.type_key in data.json(dapr.AWS)["conditional"]:
        for alias in dapr.deprecated_aws_aliases(resource, data, target):  # AWS004
            found[alias["alias"].lower()] = alias["canonical"]
    return found


def _shown_field(key: str, name: str, fields: dict, deprecated: dict) -> dict | None:
    """A field's data with the rules' verdict on deprecation; an alias the table lacks shows its canonical field."""
    info = fields.get(key)
    replacement = deprecated.get(key)
    if info is None:
        canonical = fields.get(replacement.lower()) if replacement else None
        if canonical is None:
            return None
        info = {**canonical, "name": name,
                "description": f"A deprecated name of `{replacement}`. {canonical.get('description') or ''}".strip()}
    return {**info, "deprecated": key in deprecated, "replacement": replacement}


def _stamp(path: Path | None):
    """What says a config file changed: (mtime, size), or None when there is none."""
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _wanted(kind: str, only) -> bool:
    return not only or any(kind == o or kind.startswith(o + ".") for o in only)


def _applicable(fix) -> bool:
    return fix is not None and bool(fix.edits) and fix.blocked is None


def _conflict(a, b) -> bool:
    """Edits that overlap, or that both start at one offset (their order would be a guess)."""
    return (a.start < b.end and b.start < a.end) or a.start == b.start


def _self_conflict(edits) -> bool:
    return any(_conflict(a, b) for i, a in enumerate(edits) for b in edits[i + 1:])


def _item_at(resources, at: int):
    for resource in resources:
        for item in resource.metadata:
            if item.name is not None and item.name.span.start <= at <= item.name.span.end:
                return resource, item
    return None


def _yes(value) -> str:
    return "yes" if value else "no"


def _deprecated_text(info: dict) -> str:
    if not info.get("deprecated"):
        return "no"
    return f"yes — use {_code(info['replacement'])}" if info.get("replacement") else "yes"


def field_detail(info: dict) -> str:
    parts = [info.get("type") or "string"]
    for flag in ("required", "sensitive", "deprecated"):
        if info.get(flag):
            parts.append(flag)
    return " · ".join(parts)


def _code(value) -> str:
    text = str(value).replace("`", "'")
    return f"`{text}`"


def field_markdown(info: dict, type_name: str | None, version: str | None, title: bool = True) -> str:
    """A field's documentation from Dapr's metadata (never the manifest's value)."""
    lines = []
    if title:
        heading = f"**`{info.get('name')}`**"
        if type_name:
            heading += f" — `{type_name}` {version}"
        lines += [heading, ""]
    description = (info.get("description") or "").strip()
    if description:
        lines += [description, ""]
    allowed = info.get("allowedValues")
    lines += [
        f"- **Type:** {_code(info['type']) if info.get('type') else 'string'}",
        f"- **Default:** {_code(info['default']) if info.get('default') not in (None, '') else '—'}",
        f"- **Required:** {_yes(info.get('required'))}",
        f"- **Sensitive:** {'yes — use `secretKeyRef`' if info.get('sensitive') else 'no'}",
        f"- **Deprecated:** {_deprecated_text(info)}",
        f"- **Allowed values:** {', '.join(_code(v) for v in allowed) if allowed else 'any'}",
    ]
    return "\n".join(lines)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _metadata_context(index: LineIndex, line: int, prefix: str) -> tuple[str, int] | None:
    """(mode, column where the replaced word starts) when the cursor is in a `spec.metadata` item."""
    rest = index.line_text(line)[len(prefix):]
    if rest.strip() and not rest.lstrip().startswith("#"):
        tail_ok = re.match(r"^[\w.-]*['\"]?\s*(#.*)?$", rest) is not None
        if not tail_ok:
            return None
    match = re.match(r"^(\s*)-(\s*)name:(\s*)(['\"]?)([\w.-]*)$", prefix)
    if match:
        dash = len(match.group(1))
        mode = "after-colon" if not match.group(3) and not match.group(4) else "value"
        return (mode, match.start(5)) if _in_metadata(index, line, dash) else None
    match = re.match(r"^(\s*)name:(\s*)(['\"]?)([\w.-]*)$", prefix)
    if match:
        key_col = len(match.group(1))
        dash_line = _item_dash_line(index, line, key_col)
        if dash_line is None:
            return None
        mode = "after-colon" if not match.group(2) and not match.group(3) else "value"
        return (mode, match.start(4)) if _in_metadata(index, dash_line, _indent(index.line_text(dash_line))) else None
    match = re.match(r"^(\s*)-(\s*)([\w.-]*)$", prefix)
    if match:
        if not match.group(2) and not match.group(3):
            return None  # `-|`: wait for the space
        return ("item", match.start(3)) if _in_metadata(index, line, len(match.group(1))) else None
    if prefix.strip() == "" and not rest.strip():
        return ("blank", len(prefix)) if _in_metadata(index, line, len(prefix)) else None
    return None


def _meaningful(index: LineIndex, line: int) -> bool:
    return _COMMENT_OR_BLANK.match(index.line_text(line)) is None


def _item_dash_line(index: LineIndex, line: int, key_col: int) -> int | None:
    """The `- ` line of the list item whose keys sit at *key_col*."""
    for number in range(line - 1, -1, -1):
        if not _meaningful(index, number):
            continue
        text = index.line_text(number)
        indent = _indent(text)
        if indent >= key_col:
            continue
        match = re.match(r"^(\s*)-(\s+)\S", text)
        if match and match.end() - 1 == key_col:
            return number
        return None
    return None


def _parent_line(index: LineIndex, line: int, column: int, item: bool = True) -> int | None:
    """The key line owning something at *column* on *line* (a block list *item* may sit at its key's column)."""
    for number in range(line - 1, -1, -1):
        if not _meaningful(index, number):
            continue
        text = index.line_text(number)
        if text.startswith(("---", "...")):
            return None
        indent = _indent(text)
        if indent < column or (item and indent == column and not text.lstrip().startswith("-")):
            return number
    return None


def _in_metadata(index: LineIndex, line: int, dash_col: int) -> bool:
    """Whether a list item with its dash at *dash_col* on *line* belongs to `spec.metadata`."""
    owner = _parent_line(index, line, dash_col)
    if owner is None:
        return False
    match = _KEY_LINE.match(index.line_text(owner))
    if not match or match.group(2) != "metadata" or len(match.group(1)) > dash_col:
        return False
    spec = _parent_line(index, owner, len(match.group(1)), item=False)
    if spec is None:
        return False
    match_spec = _KEY_LINE.match(index.line_text(spec))
    return bool(match_spec and match_spec.group(2) == "spec" and len(match_spec.group(1)) < len(match.group(1)))


def _separator_between(index: LineIndex, body_offset: int, line: int) -> bool:
    first = index.line_of_body_offset(body_offset)
    return any(index.line_text(n).startswith("---") for n in range(first + 1, line + 1))


def _under(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip(os.sep) + os.sep)


def _internal_error(path: str, exc: Exception):
    from ..results import Finding
    from ..span import FILE_START

    return Finding(path, FILE_START, "INT001", "internal-error", "error",
                   f"internal error in the deployment checks ({type(exc).__name__}); the per-file rules still "
                   "ran. Please report this with the manifest's structure (not its values).")


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() not in ("0", "false", "no", "off", "")

"""`check --add-noqa` (daprlint.noqa): where comments go, that they change
nothing else, that `check` then reports nothing and a second run changes
nothing; the placement the language server shares; the golden run."""
from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, run_cli
from daprlint import noqa, tree, workspace
from daprlint.cli import CHECK_OPTIONS
from daprlint.config import Settings
from daprlint.discover import discover
from daprlint.engine import Engine
from daprlint.loader import parse
from daprlint.packs import load_packs
from daprlint.runner import lint_targets

RULES = load_packs()
GOLDEN = REPO / "tests" / "golden"
CLI_HAS_FLAG = any("--add-noqa" in flags for _group, flags, _kw in CHECK_OPTIONS)
needs_cli = pytest.mark.skipif(not CLI_HAS_FLAG, reason="needs the --add-noqa flag in cli.py/commands.py "
                                                        "(the patch in the noqa branch's report)")

HEAD = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: {type}\n" \
       "  version: v1\n  metadata:\n"


def component(items: str, type_: str = "state.aws.dynamodb", name: str = "c") -> str:
    return HEAD.format(name=name, type=type_) + items


def run_check(folder: Path, engine: Engine | None = None, settings_: Settings | None = None):
    """What `daprlint check FOLDER` does (a folder run: no context files): targets and finalized results."""
    engine = engine or Engine(RULES, settings_ or Settings())
    targets = workspace.plan(engine, discover([str(folder)], [], True)).targets
    results = lint_targets(engine, targets)
    return targets, tree.run(engine, targets, results, root=str(folder))


def add_noqa(folder: Path, settings_: Settings | None = None) -> noqa.NoqaRun:
    engine = noqa.NoqaEngine(RULES, settings_ or Settings())
    targets, results = run_check(folder, engine)
    return noqa.add_noqa(engine, targets, results)


def findings(folder: Path, settings_: Settings | None = None) -> list:
    return [f for r in run_check(folder, settings_=settings_)[1] for f in r.findings]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def only_insertions(old: str, new: str) -> bool:
    """Whether *new* is *old* with text inserted (nothing removed or replaced): *old* is a subsequence of *new*."""
    rest = iter(new)
    return all(ch in rest for ch in old)


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


# -- the whole run --------------------------------------------------------------
def test_examples_then_check_reports_nothing_and_a_second_run_changes_nothing(tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(REPO / "examples" / "bad", folder)
    before = snapshot(folder)
    run = add_noqa(folder)
    assert run.comments > 30 and len(run.written) >= 30
    # left: the stale suppression of SUP001's folder, which no comment can hide, and YML002's
    # UTF-16 file, which no comment can be written into
    assert [(f.code, why) for f, why in run.left] == [
        ("SUP001", "an unused suppression is not suppressed: remove that comment"),
        ("YML002", "YML002 is never suppressed")]
    assert noqa.exit_code(run) == 1
    assert [(Path(f.path).parent.name, f.code) for f in findings(folder)] == [
        ("SUP001-unused-suppression", "SUP001"), ("YML002-unreadable-file", "YML002")]
    after = snapshot(folder)
    for name, data in after.items():
        if data != before[name]:  # the UTF-16 file is left as it is (it does not decode as UTF-8)
            assert only_insertions(before[name].decode(), data.decode()), name
    again = add_noqa(folder)
    assert again.comments == 0 and snapshot(folder) == after


def test_item_findings_share_one_comment_on_the_name_line(tmp_path):
    path = write(tmp_path, "c.yaml", component("  - name: table\n    value: t\n"
                                               "  - name: awsRegion\n    value: eu-west-1b\n"))
    run = add_noqa(tmp_path)
    assert run.left == [] and noqa.exit_code(run) == 0
    lines = path.read_text().splitlines()
    assert "  - name: awsRegion  # daprlint: ignore[AWS004, AWS008]" in lines
    assert sum("daprlint:" in line for line in lines) == 1
    assert findings(tmp_path) == []


def test_an_existing_ignore_gets_the_new_codes(tmp_path):
    path = write(tmp_path, "c.yaml", component("  - name: region\n    value: eu-west-1\n"
                                               "  - name: awsRegion  # daprlint: ignore[AWS008]\n"
                                               "    value: eu-west-1b\n"))
    run = add_noqa(tmp_path)
    assert run.left == []
    assert "  - name: awsRegion  # daprlint: ignore[AWS008, AWS004]" in path.read_text().splitlines()
    assert findings(tmp_path) == []


def test_a_file_wide_comment_on_the_line_is_left_alone(tmp_path):
    text = component("  - name: region\n    value: eu-west-1\n"
                     "  - name: awsRegion  # daprlint: ignore-file[AWS008]\n    value: eu-west-1b\n")
    path = write(tmp_path, "c.yaml", text)
    assert add_noqa(tmp_path).left == []
    new = path.read_text()
    assert "  # daprlint: ignore[AWS004]\n  - name: awsRegion  # daprlint: ignore-file[AWS008]\n" in new
    assert only_insertions(text, new) and findings(tmp_path) == []


def test_a_syntax_error_gets_an_own_line_comment_above_it(tmp_path):
    shutil.copy(REPO / "examples" / "bad" / "YML001-yaml-syntax-error" / "mail.yaml", tmp_path)
    assert [f.code for f in findings(tmp_path)] == ["YML001"]
    assert add_noqa(tmp_path).left == []
    assert "  - name: emailFrom\n    # daprlint: ignore[YML001]\n    value: *****" in \
        (tmp_path / "mail.yaml").read_text()
    assert findings(tmp_path) == []


def test_a_file_yaml_cannot_read_gets_its_comment_on_top(tmp_path):
    path = write(tmp_path, "c.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\x0c\n")
    assert [(f.code, f.span.line) for f in findings(tmp_path)] == [("YML001", 0)]
    assert add_noqa(tmp_path).left == []
    assert path.read_text().startswith("# daprlint: ignore[YML001]\napiVersion:")
    assert findings(tmp_path) == []


def test_deployment_findings_are_suppressed_in_their_files(tmp_path):
    for folder in sorted((REPO / "examples" / "bad").glob("XRF*")):
        shutil.copytree(folder, tmp_path / "x" / folder.name)
    codes = {f.code for f in findings(tmp_path)}
    assert {f"XRF00{n}" for n in range(1, 10)} <= codes
    assert add_noqa(tmp_path).left == []
    assert findings(tmp_path) == []


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\x85", "\u2028", "\u2029"])
@pytest.mark.parametrize("bom", [False, True])
def test_bytes_are_kept(tmp_path, newline, bom):
    text = ("# a manifest   \n" + component("  - name: table   \n    value: t\t\n  - name: awsRegion\n"
                                            "    value: |\n      eu-west-1b\n\n  - name: redisPassword\n"
                                            "    value: \"multi\n      line\"")).replace("\n", newline)
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    path = write(tmp_path, "c.yaml", data)
    run = add_noqa(tmp_path)
    assert run.left == [] and findings(tmp_path) == []
    new = path.read_bytes()
    assert new.startswith(b"\xef\xbb\xbf") == bom
    decoded = new.decode("utf-8-sig")
    assert only_insertions(text, decoded)
    assert decoded.endswith('line"')  # still no final newline
    assert "  - name: table   \n".replace("\n", newline) in decoded  # trailing blanks kept
    assert set(noqa.LINE_BREAK.findall(decoded)) == {newline}
    assert list(yaml.load_all(text, Loader=yaml.CSafeLoader)) == list(yaml.load_all(decoded, Loader=yaml.CSafeLoader))


def test_a_comment_never_takes_the_finding_of_an_existing_one(tmp_path):
    # the comment on `bogusB`'s line suppresses its DPR003; a comment for bogusA's DPR003
    # on bogusA's line must not be read first for that finding (SUP001 would follow)
    text = component("  - name: redisHost\n    value: h\n  - name: bogusA\n    value: a\n"
                     "  - name: bogusB  # daprlint: ignore[DPR003]\n    value: b\n", "state.redis")
    path = write(tmp_path, "c.yaml", text)
    run = add_noqa(tmp_path)
    left = Counter((f.code, f.span.line) for f, _ in run.left)
    assert Counter((f.code, f.span.line) for f in findings(tmp_path)) == left  # exactly what was left
    assert "SUP001" not in {f.code for f in findings(tmp_path)}
    assert only_insertions(text, path.read_text())


def test_rule_crashes_stay_and_exit_2(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "boom.py").write_text('"""Boom."""\nCODE = "BOO001"\nNAME = "boom"\nSEVERITY = "error"\n'
                                  'SUMMARY = "boom"\nKINDS = ("Component",)\n\n'
                                  'def check(resource, ctx):\n    raise ValueError("no")\n')
    folder = tmp_path / "m"
    folder.mkdir()
    write(folder, "c.yaml", component("  - name: table\n    value: t\n  - name: region\n    value: eu-west-1\n"))
    ruleset = load_packs([pack])
    engine = noqa.NoqaEngine(ruleset, Settings(rule_packs=[pack]))
    targets, results = run_check(folder, engine)
    run = noqa.add_noqa(engine, targets, results)
    assert [(f.code, why) for f, why in run.left] == [("INT001", "INT001 is never suppressed")]
    assert noqa.exit_code(run) == 2


def test_links_are_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    text = component("  - name: table\n    value: t\n")
    write(real, "target.yaml", text)
    linted = tmp_path / "linted"
    linted.mkdir()
    os.symlink(real / "target.yaml", linted / "link.yaml")
    os.link(real / "target.yaml", real / "hard.yaml")
    for folder in (linted, real):
        run = add_noqa(folder)
        assert run.written == {} and run.left
        assert all("link" in why and why.startswith("not written") for _f, why in run.left), run.left
    assert (real / "target.yaml").read_text() == text


def test_a_file_changed_on_disk_is_not_written(tmp_path):
    path = write(tmp_path, "c.yaml", "a: 1\n")
    from daprlint.atomic import read_no_follow

    data, st_before = read_no_follow(path)
    path.write_text("a: 2\n")
    assert noqa._write(str(path), data, st_before, "a: 1  # x\n", False) == \
        "not written: the file changed on disk while daprlint worked"
    assert path.read_text() == "a: 2\n"


def test_per_file_ignores_and_selection_are_respected(tmp_path):
    text = component("  - name: table\n    value: t\n")
    write(tmp_path, "c.yaml", text)
    settings_ = Settings(per_file_ignores={"*.yaml": ["AWS001"]})
    assert add_noqa(tmp_path, settings_).comments == 0
    assert (tmp_path / "c.yaml").read_text() == text


# -- where a comment may go (noqa.Placer) -----------------------------------------
def placer(text: str) -> noqa.Placer:
    return noqa.Placer(text, parse("x.yaml", text))


def apply(text: str, edit) -> str:
    return text[:edit.start] + edit.replacement + text[edit.end:]


def test_trailing_comment_keeps_trailing_blanks_unless_asked():
    text = "a: 1   \nb: 2\n"
    edit = placer(text).trailing(0, ["X001"])
    assert apply(text, edit) == "a: 1  # daprlint: ignore[X001]   \nb: 2\n"
    edit = placer(text).trailing(0, ["X001"], trim_space=True)
    assert apply(text, edit) == "a: 1  # daprlint: ignore[X001]\nb: 2\n"


@pytest.mark.parametrize("text, line", [
    ('a: "one\n  two"\nb: 1\n', 0),       # a double-quoted scalar goes on
    ("a: 'one\n  two'\nb: 1\n", 0),
    ("a: one\n  two\nb: 1\n", 0),          # so does a plain one
    ("a: |\n  one\n  two\nb: 1\n", 1),     # a block scalar's body
    ("a: 1\n# just a comment\nb: 2\n", 1),
    ("a: 1\n\nb: 2\n", 1),
    ("a: 1\n---\nb: 2\n", 1),
    ("a: 1\n...\n---\nb: 2\n", 1),
    ("%YAML 1.1\n---\na: 1\n", 0),
])
def test_no_trailing_comment_where_it_would_not_be_one(text, line):
    assert placer(text).trailing(line, ["X001"]) is None


def test_block_scalar_header_takes_a_comment():
    text = "a: |\n  one\nb: 1\n"
    new = apply(text, placer(text).trailing(0, ["X001"]))
    assert new == "a: |  # daprlint: ignore[X001]\n  one\nb: 1\n" and yaml.safe_load(new) == yaml.safe_load(text)


@pytest.mark.parametrize("text, line, expected", [
    ("a: 1\n# c\nb: 2\n", 1, "a: 1\n# daprlint: ignore[X001]\n# c\nb: 2\n"),
    ("a:\n  b: 1\n  ---x: 2\n", 2, "a:\n  b: 1\n  # daprlint: ignore[X001]\n  ---x: 2\n"),
    ("a: 1\r\n---\r\nb: 2\r\n", 1, "a: 1\r\n# daprlint: ignore[X001]\r\n---\r\nb: 2\r\n"),
    ("a: 1\x85b: 2", 1, "a: 1\x85# daprlint: ignore[X001]\x85b: 2"),
])
def test_own_line_comment_above_at_the_line_indentation(text, line, expected):
    assert apply(text, placer(text).own_line_above(line, ["X001"])) == expected


def test_own_line_comment_never_inside_a_scalar():
    text = 'a: "one\n  two"\nb: |\n  x\n  y\nc: 1\n'
    p = placer(text)
    assert p.own_line_above(1, ["X001"]) is None   # inside the quoted scalar
    assert p.own_line_above(4, ["X001"]) is None   # inside the block scalar's body
    assert p.own_line_above(5, ["X001"]) is not None


def test_own_line_comment_extends_the_one_above():
    text = "a: 1\n# daprlint: ignore[B002]\nb: 2\n"
    assert apply(text, placer(text).own_line_above(2, ["A001"])) == "a: 1\n# daprlint: ignore[B002, A001]\nb: 2\n"


@pytest.mark.parametrize("comment", ["# daprlint: ignore", "# daprlint: ignore[]", "# daprlint: ignore-file[B002]"])
def test_bare_and_file_wide_comments_get_no_codes(comment):
    text = f"a: 1  {comment}\n"
    assert placer(text).trailing(0, ["A001"]) is None


def test_ignore_text_inside_a_scalar_is_not_extended():
    text = 'a: "x # daprlint: ignore[B002]"\n'
    assert placer(text).trailing(0, ["A001"]) is None


def test_nothing_after_a_syntax_error_is_touched():
    text = 'a: 1\nb: "open\nc: 2\n'
    p = placer(text)
    assert p.trailing(0, ["X001"]) is not None
    assert p.own_line_above(1, ["X001"]) is not None  # before the open quote
    assert p.own_line_above(2, ["X001"]) is None      # inside it (the scan stops at its start)


@pytest.mark.parametrize("text, line", [
    ("a: 1\n{{- if .Values.x }}\nb: 2\n{{- end }}\n", 0),    # `{{-` would pull the comment's break away
    ("a: {{ .Values.a -}}\nb: 2\n", 0),                      # `-}}` would glue the comment to the value
    ("a: {{ .Values.a\n  | quote }}\nb: 2\n", 0),            # inside an action
])
def test_templates_trim_whitespace_around_actions(text, line):
    assert placer(text).trailing(line, ["X001"]) is None


def test_templates_own_line_comments_respect_trimming():
    text = "a: 1\n{{- if .Values.x }}\nb: 2\n{{- end }}\n"
    p = placer(text)
    assert p.own_line_above(1, ["X001"]) is None  # `{{-` trims the break before it
    assert apply(text, p.own_line_above(2, ["X001"])) == \
        "a: 1\n{{- if .Values.x }}\n# daprlint: ignore[X001]\nb: 2\n{{- end }}\n"


def test_language_server_edit_replaces_trailing_blanks():
    text = component("  - name: region\n    value: eu-west-1b   \n")
    edit = noqa.ignore_on_line(text, parse("x.yaml", text), text.count("\n") - 1, "AWS008")
    assert apply(text, edit).endswith("    value: eu-west-1b  # daprlint: ignore[AWS008]\n")


def test_item_ranges_follow_the_engine():
    from daprlint import model
    from daprlint.engine import Suppression, _extend_to_items
    from daprlint.span import FILE_START

    text = component("  - name: a\n    value: |\n      x\n\n  - {name: b, value: c}\n  - name: d\n"
                     "    secretKeyRef:\n      name: s\n      key: k\n")
    resources = list(model.resources_of("x.yaml", parse("x.yaml", text).documents))
    ranges = noqa.item_ranges(resources)
    assert ranges
    for line in range(text.count("\n") + 1):
        probe = Suppression(line, False, False, (), FILE_START, line)
        _extend_to_items([probe], resources)
        assert ranges.get(line, line) == probe.last_line


# -- properties -------------------------------------------------------------
TYPES = ["state.aws.dynamodb", "bindings.aws.s3", "state.redis", "state.no-such-type", "pubsub.kafka"]
NAMES = ["region", "awsRegion", "table", "redisHost", "redisPassword", "bogusField", "enableTLS", "accessKey",
         "sessionToken", "bucket"]
VALUES = ["eu-west-1b", "us-east-1", "maybe", '"quoted"', "'single'", '"two\n      lines"', "plain\n      more",
          "|\n      block\n      body", ">-\n      folded", "AKIAABCDEFGHIJKLMNOP", '""', "{{ .Values.x }}"]
COMMENTS = ["", "  # note", "  # daprlint: nothing", "   ", "  # daprlint: ignore[DPR003]", "  # daprlint: ignore"]
TOP = ["  initTimeout: 5x", '  initTimeout: "5\n    x"', "  initTimeout: 5\n    x", "  ignoreErrors: true",
       "{{- if .Values.on }}", "{{- end }}", "  # daprlint: ignore[AWS001]", "  bogusTop: 1"]


@st.composite
def trees(draw):
    files = {}
    for index in range(draw(st.integers(1, 2))):
        docs = []
        for n in range(draw(st.integers(1, 3))):
            lines = [draw(st.sampled_from(["# head", "", "---"])),
                     "apiVersion: dapr.io/v1alpha1", "kind: Component", "metadata:",
                     f"  name: c{draw(st.integers(0, 2))}" + draw(st.sampled_from(COMMENTS)),
                     "spec:", f"  type: {draw(st.sampled_from(TYPES))}" + draw(st.sampled_from(COMMENTS)),
                     "  version: v1"]
            lines += draw(st.lists(st.sampled_from(TOP), max_size=2))
            lines.append("  metadata:")
            for _ in range(draw(st.integers(0, 5))):
                name, value = draw(st.sampled_from(NAMES)), draw(st.sampled_from(VALUES))
                if draw(st.integers(0, 4)) == 0:
                    lines.append(draw(st.sampled_from(["  # about the next item", "", "  - name: x\n    value: y"])))
                if "\n" not in value and draw(st.booleans()):
                    lines.append(f"  - {{name: {name}, value: {value}}}" + draw(st.sampled_from(COMMENTS)))
                else:
                    lines.append(f"  - name: {name}" + draw(st.sampled_from(COMMENTS)))
                    lines.append(f"    value: {value}" + ("" if "\n" in value else draw(st.sampled_from(COMMENTS))))
            if draw(st.integers(0, 6)) == 0:
                lines.append("  - name: broken\n    value: *****")  # YML001
            docs.append("\n".join(lines))
        text = "\n---\n".join(docs) + draw(st.sampled_from(["\n", "", "\n\n"]))
        text = text.replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r", "\x85", "\u2028"])))
        data = (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode()
        files[f"f{index}.yaml"] = data
    return files


@settings(max_examples=int(os.environ.get("DAPRLINT_NOQA_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(trees())
def test_add_noqa_properties(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("noqa")
    for name, data in files.items():
        write(folder, name, data)
    run = add_noqa(folder)
    # the checks of a new text never had to refuse a plan: the placement is right by itself
    assert not [why for _f, why in run.left if why.startswith("a comment would change")], run.left
    assert all(f.code in noqa.NOT_SUPPRESSIBLE or why == noqa.NO_PLACE for f, why in run.left)
    left = Counter((Path(f.path).name, f.code) for f, _ in run.left)
    assert Counter((Path(f.path).name, f.code) for f in findings(folder)) == left  # check: only what was left
    after = snapshot(folder)
    for name, data in files.items():
        old, new = data.decode("utf-8-sig"), after[name].decode("utf-8-sig")
        assert after[name].startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
        assert only_insertions(old, new)
        assert set(noqa.LINE_BREAK.findall(new)) <= set(noqa.LINE_BREAK.findall(old)) | {"\n"}
        if "{{" not in old:
            try:
                expected = list(yaml.load_all(old, Loader=yaml.CSafeLoader))
            except yaml.YAMLError:
                continue
            assert list(yaml.load_all(new, Loader=yaml.CSafeLoader)) == expected
    again = add_noqa(folder)
    assert again.comments == 0 and snapshot(folder) == after


# -- the command line ---------------------------------------------------------
def _golden(name: str, data: bytes) -> None:
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_bytes(data)
    assert data.decode() == golden.read_text(encoding="utf-8")


@needs_cli
def test_golden_add_noqa(tmp_path):
    shutil.copytree(REPO / "examples" / "bad", tmp_path / "bad")
    proc = run_cli("check", "--add-noqa", "--show-fixes", "--no-cache", "bad", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr.decode()  # SUP001's stale suppression and YML002's file stay
    _golden("examples-bad.add-noqa", proc.stdout)
    expected_root = GOLDEN / "examples-noqa"
    manifests = {rel: data for rel, data in snapshot(tmp_path / "bad").items() if rel.endswith((".yaml", ".yml"))}
    if os.environ.get("UPDATE_GOLDEN"):  # the manifests only: the rule packs and configs are not output
        shutil.rmtree(expected_root, ignore_errors=True)
        for rel, data in manifests.items():
            (expected_root / rel).parent.mkdir(parents=True, exist_ok=True)
            (expected_root / rel).write_bytes(data)
    assert manifests == snapshot(expected_root)
    check = run_cli("check", "--output-format", "concise", "--no-cache", "bad", cwd=tmp_path)
    assert check.stdout.decode().splitlines()[:2] == [
        "bad/SUP001-unused-suppression/bucket.yaml:9:26: SUP001 unused suppression: no AWS001 to ignore here",
        "bad/YML002-unreadable-file/statestore.yaml:1:1: YML002 file is UTF-16-encoded (BOM found); Dapr manifests "
        "must be UTF-8, re-save it as UTF-8"]
    assert check.stdout.decode().count("\n") == 3  # those findings and the summary
    before_again = snapshot(tmp_path / "bad")
    again = run_cli("check", "--add-noqa", "--no-cache", "bad", cwd=tmp_path)
    assert again.stdout.decode().startswith("Added 0 suppression comments to 0 files.\n")
    assert snapshot(tmp_path / "bad") == before_again  # the second run changed nothing


@needs_cli
def test_add_noqa_with_all_suppressed_exits_0_and_with_the_cache(tmp_path):
    write(tmp_path, "c.yaml", component("  - name: table\n    value: t\n"))
    proc = run_cli("check", "--add-noqa", "c.yaml", cwd=tmp_path)  # the result cache is used
    assert (proc.returncode, proc.stdout) == (0, b"Added 1 suppression comment to 1 file.\n"), proc.stderr
    proc = run_cli("check", "c.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout


@needs_cli
@pytest.mark.parametrize("args, message", [
    (["c.yaml", "--fix"], "--add-noqa cannot be combined with --fix"),
    (["c.yaml", "--diff"], "--add-noqa cannot be combined with --diff"),
    (["c.yaml", "--watch"], "--add-noqa cannot be combined with --watch"),
    (["-", "--stdin-filename", "x.yaml"], "--add-noqa needs files and folders, not stdin"),
])
def test_add_noqa_refuses_other_modes(tmp_path, args, message):
    write(tmp_path, "c.yaml", component("  - name: table\n    value: t\n"))
    proc = run_cli("check", "--add-noqa", *args, cwd=tmp_path, input=b"")
    assert proc.returncode == 2 and message in proc.stderr.decode()


@needs_cli
def test_add_noqa_writes_no_link(tmp_path):
    write(tmp_path, "real.yaml", component("  - name: table\n    value: t\n"))
    os.symlink("real.yaml", tmp_path / "link.yaml")
    proc = run_cli("check", "--add-noqa", "--no-cache", "link.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    assert "link.yaml is a symbolic link" in proc.stdout.decode()
    assert "daprlint:" not in (tmp_path / "real.yaml").read_text()

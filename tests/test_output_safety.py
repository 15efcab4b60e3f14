"""What the reporters print is safe: never a secret, never a control
sequence, always valid UTF-8.

- Secret values planted in every spelling YAML allows (plain, quoted with
  escapes, `''`, line continuations, folded plain scalars, block scalars,
  anchors and aliases, merge keys, flow mappings, a suppressed finding, a
  name equal to a value) appear in no format: concise and full text with
  and without colour, JSON, SARIF, GitHub, statistics and show-fixes.
- Names (file names, metadata names) with newlines, ESC, bidi controls or
  `::workflow-command::` text print as escapes.
- File names that are not UTF-8 give valid UTF-8 in every format.
- Redaction masks values, never names or the message's own words.
"""
from __future__ import annotations

import json
import os
import re
import urllib.parse

import pytest
from hypothesis import given, settings, strategies as st

from conftest import FIXTURES, run_cli
from daprlint import redact
from daprlint.redact import MASK, masked, scrub, scrub_message, shown
from daprlint.report.escape import json_text, printable
from daprlint.report.style import BLUE, BOLD, CYAN, RESET, SEVERITY
from report_harness import lint, render

SPELLINGS = r'''apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: spellings
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost   # was AKIAPLANTEDCOMMENT12
    value: redis:6379
  - name: redisPassword
    value: "Planted\x2dEscape\u0041Tail1001"
  - name: sentinelPassword
    value: 'Planted''QuoteTail1002'
  - name: password
    value: "PlantedContinued\
      Tail1003"
  - name: token
    value: PlantedFolded
      Tail1004
  - name: secretKey
    value: |
      PlantedLiteralTail1005
      second line of the secret
  - name: accessKey
    value: >-
      PlantedFoldedBlock
      Tail1006
  - &cred
    name: clientKey
    value: &val PlantedAnchorTail1007
  - name: clientSecret
    value: *val
  - <<: *cred
    name: masterKey
  - name: PlantedNameTwin1008
    value: x
  - name: apiToken
    value: PlantedNameTwin1008
  - {name: sessionToken, value: "PlantedFlowTail1009"}
  - name: connectionString
    value: "host=db password=PlantedConnTail1010"   # daprlint: ignore[SEC001]
  - name: queueDepth
    value: postgres://app:PlantedUrlTail1011@db:5432/app
'''
TWIN = "PlantedNameTwin1008"  # a secret value that is also a metadata name: the name stays readable
# the value of an item whose name is a mapping: dapr.secret_spans takes it for a secret
ODD_SHAPE = "PlantedOddShape0007"
MARKERS = [f"Tail10{n:02d}" for n in range(1, 12) if n != 8] + ["AKIAPLANTEDCOMMENT12"]


def fixture_values() -> set[str]:
    text = (FIXTURES / "secrets" / "planted.yaml").read_text()
    values = set(re.findall(r"Planted[A-Za-z]+\d{4}", text)) | set(re.findall(r"AKIA[A-Z0-9]{16}", text))
    assert len(values) >= 8
    return values


def assert_no_secret(out: str) -> None:
    leaked = [m for m in MARKERS if m in out] + sorted(v for v in fixture_values() - {ODD_SHAPE} if v in out)
    assert not leaked, f"secret values leaked: {leaked}"
    assert TWIN not in out.replace(f"`{TWIN}`", ""), "the twin appears other than as a name in backticks"


@pytest.fixture
def planted(tmp_path, monkeypatch):
    (tmp_path / "spellings.yaml").write_text(SPELLINGS, encoding="utf-8")
    (tmp_path / "planted.yaml").write_bytes((FIXTURES / "secrets" / "planted.yaml").read_bytes())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def every_output(findings, summary, ctx) -> dict[str, str]:
    applied = [(f.path, f.code) for f in findings if f.fix is not None]
    outputs = {}
    for colour in (False, True):
        for fmt in ("full", "concise"):
            for extra in ({}, {"statistics": True}, {"show_fixes": True},
                          {"show_fixes": True, "applied_fixes": applied}):
                name = f"{fmt}{'+colour' if colour else ''}{''.join('+' + k for k in extra)}"
                outputs[name] = render(fmt, findings, summary, ctx, colour=colour, **extra)
    for fmt in ("json", "sarif", "github"):
        outputs[fmt] = render(fmt, findings, summary, ctx)
    outputs["json+statistics"] = render("json", findings, summary, ctx, statistics=True)
    return outputs


@pytest.mark.parametrize("message_scrub", ["scrub", "scrub_message"])
@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe-fixes"])
def test_no_planted_secret_in_any_format(planted, monkeypatch, message_scrub, unsafe):
    """Both the engine as it is (redact.scrub on messages) and as the report's
    patch makes it (redact.scrub_message)."""
    monkeypatch.setattr(redact, "scrub", getattr(redact, message_scrub))
    options = {"secrets-out": str(planted / "out" / "secrets.yaml")} if unsafe else {}
    findings, summary, ctx = lint("spellings.yaml", "planted.yaml", options=options, unsafe=unsafe)
    codes = {f.code for f in findings}
    assert {"SEC001", "SEC002", "DPR003"} <= codes
    assert sum(f.code == "SEC001" for f in findings if f.path == "spellings.yaml") >= 10
    for name, out in every_output(findings, summary, ctx).items():
        assert_no_secret(out)
        out.encode("utf-8")
        if name.startswith("full") and "statistics" not in name and "colour" not in name:
            assert " | " in out and MASK in out


def test_frames_mask_secrets_that_no_reported_finding_carries(planted):
    """The suppressed SEC001 value is a context line of another finding's frame."""
    findings, summary, ctx = lint("spellings.yaml")
    assert not [f for f in findings if f.code == "SEC001" and f.span.line == 40]
    out = render("full", findings, summary, ctx)
    assert '    value: ********   # daprlint: ignore[SEC001]' in out
    assert_no_secret(out)


def test_frames_mask_the_secrets_of_reported_findings_without_secret_spans(planted):
    """ctx["secret_spans"] is what protects every secret; without it the
    frames still mask what the report's own findings carry."""
    text = SPELLINGS.replace("   # daprlint: ignore[SEC001]", "")
    (planted / "spellings.yaml").write_text(text, encoding="utf-8")
    findings, summary, ctx = lint("spellings.yaml", secret_spans=False)
    assert ctx["secret_spans"] == {}
    assert_no_secret(render("full", findings, summary, ctx))


def test_the_value_of_an_item_without_a_string_name_is_masked_in_frames(planted):
    """No rule can tell whether `- name: {name: weird}` names a sensitive field,
    so its value must be taken for a secret."""
    findings, summary, ctx = lint("planted.yaml")
    out = render("full", findings, summary, ctx)
    assert "{name: weird}" in out  # the item is in a frame
    assert ODD_SHAPE not in out


def test_a_multi_line_secret_is_masked_on_every_line(planted):
    findings, summary, ctx = lint("spellings.yaml")
    out = render("full", findings, summary, ctx)
    frame = out[out.index("spellings.yaml:22:12: SEC001"):]
    frame = frame[:frame.index("\n\n")]
    assert "22 |     value: ********\n" in frame
    assert "23 | ********\n" in frame and "24 | ********\n" in frame
    assert "second line" not in out


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_no_planted_secret_from_the_command_line(planted, fmt):
    sarif = planted / "also.sarif"
    proc = run_cli("check", "--isolated", "--no-cache", "--extend-select", "ALL", "--format", fmt,
                   "--output-sarif", str(sarif), "spellings.yaml", "planted.yaml", cwd=planted)
    assert proc.returncode == 1, proc.stderr
    for out in (proc.stdout, proc.stderr, sarif.read_bytes()):
        assert_no_secret(out.decode("utf-8"))


# -- names reach the terminal as escapes -------------------------------------
HOSTILE_NAME = "evil\n::error file=x::pwned\x1b[31m\u202e.yaml"
HOSTILE_YAML = ('apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: h\nspec:\n'
                '  type: state.redis\n  version: v1\n  metadata:\n  - name: redisHost\n    value: r:6379\n'
                '  - name: "a\\e[2Jb\\n::warning file=y::injected\\u202e\\u0085c"  # bidi \u202e in a comment\n'
                '    value: x\n')


@pytest.fixture
def hostile(tmp_path):
    folder = tmp_path / "tree"
    folder.mkdir()
    (folder / HOSTILE_NAME).write_text(HOSTILE_YAML, encoding="utf-8")
    return folder


def test_text_output_escapes_names(hostile):
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "text", str(hostile))
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout.decode("utf-8")
    assert "\x1b" not in out and "\u202e" not in out and "\x85" not in out
    lines = out.splitlines()
    findings = lines[:-1]
    assert findings and all(line.startswith(str(hostile) + "/evil\\n::error file=x::pwned\\x1b[31m\\u202e.yaml:")
                            for line in findings)
    assert any("`a\\x1b[2Jb\\n::warning file=y::injected\\u202e\\x85c`" in line for line in findings)


def test_github_output_starts_no_second_command(hostile):
    proc = run_cli("check", "--isolated", "--no-cache", "--format", "github", str(hostile))
    out = proc.stdout.decode("utf-8")
    report = json.loads(run_cli("check", "--isolated", "--no-cache", "--format", "json", str(hostile)).stdout)
    lines = out.split("\n")
    assert lines[-1] == "" and len(lines) - 1 == len(report["findings"])
    command = re.compile(r"^::(error|warning|notice) file=[^,:]*,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,"
                         r"title=[^,:]*::[^\r\n]*$")
    assert all(command.match(line) for line in lines[:-1])
    assert "\x1b" not in out and "\u202e" not in out and "\x85" not in out


LEGACY_YAML = HOSTILE_YAML.replace("# bidi", "# ##[error]legacy in a comment; bidi").replace(
    "  - name: redisHost\n", "  - name: redisHost\n  - name: x##[stop-commands]token\n    value: x\n", 1)


def runner_commands(out: str, ours: bool = False) -> list[str]:
    """Lines a GitHub runner would act on: `::` at the start after blanks
    (TryParseV2), `##[` anywhere (the legacy TryParse). *ours*: the github
    format's own `::error`/`::warning`/`::notice` lines are expected."""
    own = re.compile(r"^::(error|warning|notice) file=")
    return [line for line in out.splitlines() if "##[" in line or (
        line.lstrip().startswith("::") and not (ours and own.match(line)))]


@pytest.mark.parametrize("name", ["::error file=a::pwned.yaml", "##[error]legacy.yaml", " ::warning::blank.yaml",
                                  "\u00a0::notice::nbsp.yaml", "x##[add-mask]y.yaml"])
def test_no_output_line_holds_a_workflow_command(tmp_path, monkeypatch, name):
    """A GitHub runner acts on `::command::` starting a line (after blanks),
    and on the legacy `##[command]` anywhere in one (`##[stop-commands]` would
    silence every annotation after it). Neither comes out of a file name, a
    metadata name, a message or a frame, in any format."""
    (tmp_path / name).write_text(LEGACY_YAML, encoding="utf-8")
    for fmt in ("text", "json", "sarif", "github"):
        for args in ([name], ["."]):
            proc = run_cli("check", "--isolated", "--no-cache", "--format", fmt, *args, cwd=tmp_path)
            assert proc.returncode == 1, proc.stderr
            out = proc.stdout.decode("utf-8")
            assert not runner_commands(out, ours=fmt == "github"), fmt
            if fmt == "json":  # the strings themselves are unchanged
                report = json.loads(out)
                assert any("##[stop-commands]" in f["message"] for f in report["findings"])
                assert {os.path.basename(f["path"]) for f in report["findings"]} == {name}
    monkeypatch.chdir(tmp_path)
    findings, summary, ctx = lint(name)
    for fmt, out in every_output(findings, summary, ctx).items():
        assert not runner_commands(out, ours=fmt == "github"), fmt
    frames = render("full", findings, summary, ctx)
    assert "# #\\x23[error]legacy in a comment" in frames


def test_frames_escape_the_lines_they_show(hostile, monkeypatch):
    monkeypatch.chdir(hostile)
    out = render("full", *lint(HOSTILE_NAME), colour=True)
    for sequence in (*SEVERITY.values(), BOLD, BLUE, CYAN, RESET):
        out = out.replace(sequence, "")
    assert "\x1b" not in out and "\u202e" not in out and "\x85" not in out
    assert '  - name: "a\\e[2Jb\\n::warning file=y::injected\\u202e\\u0085c"  # bidi \\u202e in a comment' in out


def test_a_raw_control_character_in_a_file_is_escaped_in_its_frame(tmp_path, monkeypatch):
    """YAML rejects such a file at its start (no frame), but a rule pack may
    point into it: the frame escapes the line and keeps the caret under the span."""
    from daprlint.engine import Finding
    from daprlint.report import summarize
    from daprlint.span import Span

    text = "a: 1\nx: a\x1b[2J\x07b\tc\n"
    f = Finding("esc.yaml", Span(13, 14, 1, 8, 1, 9), "TEAM001", "team", "error", "bell\x07")
    out = render("full", [f], summarize([f], 1), {"texts": {"esc.yaml": text}, "secret_spans": {}})
    assert "\x1b" not in out and "\x07" not in out
    assert "2 | x: a\\x1b[2J\\x07b    c\n" in out  # the tab: to the next 4-column stop
    assert "  | " + " " * 11 + "^^^^ TEAM001\n" in out  # under the whole escape
    assert out.startswith("esc.yaml:2:9: TEAM001 bell\\x07\n")


# -- file names that are not UTF-8 -------------------------------------------
RAW_NAME = b"bad\xff\xfe.yaml"
AWS_BAD = ("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: s3\nspec:\n  type: bindings.aws.s3\n"
           "  version: v1\n  metadata:\n  - name: bucket\n    value: b\n  - name: awsRegion\n    value: us-east-1\n")


@pytest.fixture
def undecodable(tmp_path):
    folder = tmp_path / "tree"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), RAW_NAME), "w", encoding="utf-8") as f:
        f.write(AWS_BAD)
    return folder


@pytest.mark.parametrize("locale", ["C.UTF-8", "C"])  # stdout errors: strict, and surrogateescape
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_a_file_name_that_is_not_utf8(undecodable, fmt, locale):
    proc = run_cli("check", "--isolated", "--no-cache", "--format", fmt, str(undecodable),
                   env={"LC_ALL": locale, "LANG": locale, "PYTHONIOENCODING": ""})
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout.decode("utf-8")  # strict: valid UTF-8 or this raises
    if fmt == "json":
        paths = {f["path"] for f in json.loads(out)["findings"]}
        assert {os.fsencode(p) for p in paths} == {os.path.join(os.fsencode(undecodable), RAW_NAME)}
        assert "\\udcff\\udcfe" in out
    elif fmt == "sarif":
        run = json.loads(out)["runs"][0]
        uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"] for loc in r["locations"]}
        assert len(uris) == 1 and urllib.parse.unquote_to_bytes(uris.pop()).endswith(b"/" + RAW_NAME)
        assert "bad%FF%FE.yaml" in out
    else:
        assert "bad\\xff\\xfe.yaml" in out


def test_every_text_format_encodes_an_undecodable_name(undecodable, monkeypatch):
    monkeypatch.chdir(undecodable)
    findings, summary, ctx = lint(".", extend_select=())
    assert findings and all("\udcff" in f.path for f in findings)
    for name, out in every_output(findings, summary, ctx).items():
        out.encode("utf-8")  # strict
        if name not in ("json", "sarif", "json+statistics"):
            assert "\\xff\\xfe" in out or "statistics" in name, name


# -- redaction: values masked, names and words kept --------------------------
def test_scrub_message_keeps_names_equal_to_or_containing_the_secret():
    message = "`password` holds an inline secret (********); use secretKeyRef"
    assert scrub_message(message, ["password"]) == message
    message = "`redisPassword` holds an inline secret (********); use secretKeyRef"
    assert scrub_message(message, ["redis"]) == message
    assert scrub_message(message, ["Key"]) == message  # a word of the message, inside a longer word


def test_scrub_message_masks_the_value_in_every_spelling_shown_gives():
    for secret in ("hunter2", "it's a \\ secret\n", "x" * 200, "tab\there"):
        message = f"`field`: {shown(secret)} is not a number"
        assert scrub_message(message, [secret]) == f"`field`: {MASK} is not a number"
    assert scrub_message("left hunter2 here and `hunter2x`", ["hunter2"]) == f"left {MASK} here and `hunter2x`"


def test_credential_shapes_are_masked_even_as_names():
    assert scrub_message("`AKIAABCDEFGHIJKLMNOP` is not a metadata field", []) == \
        "`AKIA…********` is not a metadata field"
    assert scrub("# was `hunter2`\n", ["hunter2"]) == f"# was `{MASK}`\n"  # free text: names too


def test_shown_quotes_plain_text_readably_and_masks_credential_shapes():
    assert shown("[aws_region]") == "'[aws_region]'"
    assert shown("eu-west-1") == "'eu-west-1'"
    assert shown("it's") == '"it\'s"'
    assert shown("a\nb\x1b[2J\u202e") == "'a\\nb\\x1b[2J\\u202e'"
    assert shown("v" * 100) == "'" + "v" * 60 + "…'"
    assert shown("AKIAABCDEFGHIJKLMNOP") == "AKIA…" + MASK
    assert shown("postgres://u:pw@db") == masked("postgres://u:pw@db") == MASK


def test_a_region_placeholder_is_not_judged(tmp_path):
    """`[aws_region]` is a placeholder: no rule reports it, so it is neither shown nor masked."""
    path = tmp_path / "c.yaml"
    path.write_text(AWS_BAD.replace("  - name: awsRegion\n    value: us-east-1\n",
                                    '  - name: region\n    value: "[aws_region]"\n'), encoding="utf-8")
    proc = run_cli("check", "--isolated", "--no-cache", str(path))
    assert "AWS008" not in proc.stdout.decode() and "aws_region" not in proc.stdout.decode()


NAMES_EQUAL_VALUES = ("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: c\nspec:\n"
                      "  type: state.redis\n  version: v1\n  metadata:\n  - name: redisHost\n    value: r:6379\n"
                      "  - name: redisPassword\n    value: redis\n  - name: password\n    value: password\n")
EXPECTED_MESSAGES = ["`redisPassword` holds an inline secret (********); use secretKeyRef",
                     "`password` holds an inline secret (********); use secretKeyRef"]


def test_names_equal_to_values_stay_readable_with_scrub_message(tmp_path, monkeypatch):
    """What the engine reports once it calls redact.scrub_message (the report's patch)."""
    monkeypatch.setattr(redact, "scrub", scrub_message)
    (tmp_path / "c.yaml").write_text(NAMES_EQUAL_VALUES, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    findings, summary, ctx = lint("c.yaml", extend_select=())
    assert [f.message for f in findings if f.code == "SEC001"] == EXPECTED_MESSAGES
    out = render("full", findings, summary, ctx)
    assert "    value: ********\n" in out and "value: redis\n" not in out


def test_names_equal_to_values_stay_readable_from_the_command_line(tmp_path):
    (tmp_path / "c.yaml").write_text(NAMES_EQUAL_VALUES, encoding="utf-8")
    report = json.loads(run_cli("check", "--isolated", "--no-cache", "--format", "json", "c.yaml",
                                cwd=tmp_path).stdout)
    assert [f["message"] for f in report["findings"] if f["code"] == "SEC001"] == EXPECTED_MESSAGES


# -- properties ---------------------------------------------------------------
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF)))
def test_printable_leaves_nothing_a_terminal_acts_on(text):
    for variant in (text, f"##[{text}", f"#{text}##[stop-commands]#"):
        out = printable(variant)
        assert not UNSAFE.search(out) and "##[" not in out
        out.encode("utf-8")
        if variant.isprintable() and "##[" not in variant:
            assert out == variant


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF)))
def test_json_text_is_utf8_and_round_trips(text):
    for variant in (text, f"\\##[{text}###[", f"{text}##[add-mask]"):
        encoded = json_text(json.dumps({"path": variant}, ensure_ascii=False))
        encoded.encode("utf-8")
        assert "##[" not in encoded
        assert json.loads(encoded)["path"] == variant


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_characters="`"), min_size=3))
def test_a_secret_shown_in_a_message_never_survives_scrub_message(secret):
    template = ("`field`: ", " is not a number")
    message = template[0] + shown(secret) + template[1]
    out = scrub_message(message, [secret])
    assert shown(secret) not in out or shown(secret) == masked(secret)
    if not any(secret in part for part in (*template, masked(secret), "AKIA…")):
        assert secret not in out
    assert shown(secret).isprintable() and "\n" not in shown(secret)

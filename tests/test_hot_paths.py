"""The shortcuts of the cold run's hot paths give the answers of the long way.

Each speed-up of the per-file work (a memo kept for the run or for the last
file, a cheap test in front of a regex, generated code compiled late) has a
plain path it replaces; these compare the two on arbitrary input.
"""
from __future__ import annotations

import re

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daprlint import loader, model, redact, workloads
from daprlint.config import Settings
from daprlint.dapr import is_reference_like, secret_spans
from daprlint.engine import Engine
from daprlint.packs import load_packs
from daprlint.schema import NodeValidator

RULES = load_packs()
SOME = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- redact: the substring gate in front of the credential-shape regexes ------------------
def _mask_shapes_always(text: str) -> str:
    """_mask_shapes without its gate: the three substitutions, always."""
    text = redact.AWS_KEY_ID.sub(lambda m: m.group(1)[:4] + "…" + redact.MASK, text)
    text = redact.URL_CREDENTIALS.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:{redact.MASK}@", text)
    return redact.PEM_PRIVATE_KEY.sub("-----BEGIN PRIVATE KEY----- " + redact.MASK, text)


PIECES = st.sampled_from(["AKIA", "ASIA", "AGPA", "AROA", "AIDA", "ANPA", "A", "KIA", "NPA", "ABCDEFGHIJKLMNOP",
                          "0123456789", "://", "https", "user", ":", "@", "/", "-----BEGIN ", "RSA ", "PRIVATE KEY",
                          "-----", " ", "`", "x", "é", "\n"])


@SOME
@given(st.lists(PIECES, max_size=12).map("".join))
def test_messages_without_a_shape_substring_are_left_as_they_are(text):
    assert redact._mask_shapes(text) == _mask_shapes_always(text)
    assert redact.scrub_message(text) == _mask_shapes_always(text)


@SOME
@given(st.lists(PIECES, max_size=12).map("".join))
def test_the_key_id_prefix_search_is_the_six_substring_tests(text):
    prefixes = ("AKIA", "ASIA", "AROA", "AIDA", "ANPA", "AGPA")
    assert (redact.KEY_ID_PREFIX.search(text) is not None) is any(p in text for p in prefixes)


def _scrub_message_long_way(text: str, secrets) -> str:
    """scrub_message as it was before prepared_secrets: each secret's spelling and mask per message."""
    for secret in sorted({s for s in secrets if s and len(s) >= redact._MIN_SECRET}, key=len, reverse=True):
        spelled, mask = redact.shown(secret), redact.masked(secret)
        if spelled != mask and spelled in text:
            text = text.replace(spelled, mask)
        if secret in text:
            text = redact._mask_values(text, secret, mask)
    return redact._mask_shapes(text)


SECRET_PIECES = st.sampled_from(["pw", "hunter2", "AKIAABCDEFGHIJKLMNOP", "a'b", "x\\y", "\n", "`", "secret",
                                 "password", "é", " ", "1", "://u:p@"])


@SOME
@given(st.lists(st.one_of(PIECES, SECRET_PIECES), max_size=14).map("".join),
       st.lists(st.lists(SECRET_PIECES, min_size=1, max_size=3).map("".join), max_size=4))
def test_secrets_prepared_once_a_file_scrub_as_each_message_alone(text, secrets):
    message = f"`{secrets[0] if secrets else 'x'}` holds {text} ({redact.shown(text)})"
    prepared = redact.prepared_secrets(secrets)
    assert redact.scrub_message_with(message, prepared) == _scrub_message_long_way(message, secrets)
    assert redact.scrub_message(message, secrets) == _scrub_message_long_way(message, secrets)


# -- dapr.is_reference_like: the brace gate ----------------------------------------------
_ENV = re.compile(r"\s*\$(?:[A-Za-z_]\w*|\([A-Za-z_]\w*\))\s*")


def _reference_like_long_way(text: str) -> bool:
    return (model.is_templated(text) or "${" in text
            or any(tag in text for tag in ("{uuid}", "{podName}", "{namespace}", "{appID}"))
            or ("$" in text and _ENV.fullmatch(text) is not None))


@SOME
@given(st.lists(st.sampled_from(["{", "}", "{{", "}}", "$", "${", "(", ")", "VAR", "{uuid}", "{appID}", " ", "a",
                                 ".Values.x", "podName", "{namespace}"]), max_size=8).map("".join))
def test_is_reference_like_agrees_with_the_long_way(text):
    assert is_reference_like(text) is _reference_like_long_way(text)


# -- workloads: the mappings of the last documents list ----------------------------------
KINDS = st.sampled_from(["Deployment", "Pod", "CronJob", "Secret", "SealedSecret", "List", "Component", "Service"])


def _document(kind, name, annotated, items):
    doc = {"apiVersion": "v1", "kind": kind, "metadata": {"name": name}}
    if kind == "List":
        doc["items"] = [{"kind": "Secret", "metadata": {"name": f"{name}-{i}"}, "data": {"k": "dg=="}}
                        for i in range(items)]
    elif kind == "Secret":
        doc["data"] = {f"k{i}": "dg==" for i in range(items)}
    elif annotated:
        pod = {"metadata": {"annotations": {"dapr.io/enabled": "true", "dapr.io/app-id": name}}}
        doc["spec"] = {"template": pod} if kind != "Pod" else {}
        if kind == "Pod":
            doc["metadata"].update(pod["metadata"])
    return doc


DOCUMENTS = st.lists(st.builds(_document, KINDS, st.text("abc", min_size=1, max_size=3), st.booleans(),
                               st.integers(0, 2)), max_size=4)


def _answers(path, documents):
    return ([(w.kind_name, w.name.value if w.name else None, [a.name for a in w.annotations])
             for w in workloads.workloads_of(path, documents)],
            [(s.kind, s.name.value if s.name else None, s.keys) for s in workloads.secrets_of(path, documents)],
            [n.value for n in workloads.secret_value_nodes(documents)])


@SOME
@given(DOCUMENTS, DOCUMENTS)
def test_workload_answers_are_the_same_with_the_last_file_remembered(first, second):
    one = loader.parse("a.yaml", yaml.safe_dump_all(first) if first else "").documents
    two = loader.parse("b.yaml", yaml.safe_dump_all(second) if second else "").documents
    workloads._last = (None, -1, ())
    fresh_two = _answers("b.yaml", two)
    workloads._last = (None, -1, ())
    fresh_one = _answers("a.yaml", one)
    assert _answers("a.yaml", one) == fresh_one  # asked again: from the remembered mappings
    assert _answers("b.yaml", two) == fresh_two  # another list: worked out anew
    grown = list(two)
    _answers("grown.yaml", grown)
    grown += one  # the list remembered, grown since it was asked about: worked out anew
    assert _answers("grown.yaml", grown) == _answers("grown.yaml", list(grown))


# -- per-run memos of the rules: a warm run gives a cold run's findings ------------------
TYPES = st.sampled_from(["state.redis", "bindings.aws.s3", "pubsub.kafka", "state.postgresql",
                         "secretstores.local.file",
                         "state.aws.dynamodb", "bindings.cron", "nosuch.type"])
NAMES = st.sampled_from(["redisHost", "redisPassword", "region", "awsRegion", "accessKey", "secretKey", "useAWSIAM",
                         "schedule", "authType", "RedisHost", "{{ .Values.n }}", "${NAME}", "$VAR", "initTimeout",
                         "connectionString", "nosuchfield", "redishots", "assumeRoleArn", "trustAnchorArn", ""])
VALUES = st.sampled_from(["localhost:6379", "true", "us-east-1", "AKIAABCDEFGHIJKLMNOP", "p4ssw0rd!", "", "30s"])


def _component(type_, items, version):
    lines = ["apiVersion: dapr.io/v1alpha1", "kind: Component", "metadata:", "  name: c", "spec:",
             f"  type: {type_}", f"  version: {version}", "  metadata:"]
    for name, value in items:
        lines += [f"  - name: {name!r}", f"    value: {value!r}"]
    return "\n".join(lines) + "\n"


def _findings(engine, text):
    result = engine.finalize(engine.lint_text("c.yaml", text))
    return [(f.code, f.span, f.message) for f in result.findings], result.secret_spans


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(TYPES, st.lists(st.tuples(NAMES, VALUES), max_size=6), st.sampled_from(["v1", "v2"])),
                min_size=1, max_size=4))
def test_rules_give_a_cold_runs_findings_when_their_memos_are_warm(components):
    warm = Engine(load_packs(), Settings())
    texts = [_component(*c) for c in components]
    for text in texts:  # fills the per-run memos
        _findings(warm, text)
    for text in texts:
        cold = Engine(load_packs(), Settings())  # a fresh PackData: empty memos
        assert _findings(warm, text) == _findings(cold, text)


def test_secret_spans_of_a_file_with_secrets_and_workloads():
    text = ("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: hunter22}\n---\n"
            + _component("state.redis", [("redisPassword", "p4ssw0rd!"), ("redisHost", "localhost")], "v1"))
    source = loader.parse("f.yaml", text)
    resources = list(model.resources_of("f.yaml", source.documents))
    spans = secret_spans(source.documents, resources, RULES.data, text)
    assert sorted(text[s:e] for s, e in spans) == ["'p4ssw0rd!'", "hunter22"]  # a scalar's span has its quotes


# -- schema: generated code for required fields, compiled after COMPILE_AFTER calls ------
PROPS = st.sampled_from(["name", "value", "?", "type", "key"])


@st.composite
def object_schemas(draw):
    props = draw(st.lists(PROPS, unique=True, max_size=4))
    schema = {"type": "object", "properties": {p: draw(st.sampled_from([{}, {"type": "string"}, {"type": "integer"}]))
                                               for p in props}}
    required = draw(st.lists(PROPS, max_size=3))
    if required:
        schema["required"] = required
    extra = draw(st.sampled_from([None, False, {"type": "string"}]))
    if extra is not None:
        schema["additionalProperties"] = extra
    return schema


MAPPINGS = st.lists(st.tuples(st.one_of(PROPS, st.just("[a, b]"), st.just("other")),
                              st.sampled_from(["x", "1", "null", "[1]", "{a: 1}"])), max_size=5)


def _node(pairs):
    text = "{" + ", ".join(f"{k}: {v}" if not k.startswith("[") else f"? {k} : {v}" for k, v in pairs) + "}"
    return yaml.compose(text)


@SOME
@given(object_schemas(), st.lists(MAPPINGS, min_size=1, max_size=4))
def test_generated_required_checks_agree_with_the_interpreted_walk(schema, nodes):
    compiled = NodeValidator(schema)
    compiled.COMPILE_AFTER = 0
    for pairs in nodes:
        node = _node(pairs)
        assert compiled.fast_valid(node) is compiled.valid(node), (schema, pairs)


def test_a_schema_is_compiled_after_compile_after_calls_and_answers_alike():
    schema = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}},
              "additionalProperties": False}
    late = NodeValidator(schema)
    nodes = [yaml.compose(t) for t in ("{name: a}", "{value: 1}", "{name: [1]}", "{}", "{name: a, x: 1}")]
    answers = [late.valid(n) for n in nodes]
    for round_ in range(late.COMPILE_AFTER // len(nodes) + 2):
        assert [late.fast_valid(n) for n in nodes] == answers, round_
    assert "_fast" in late.__dict__  # compiled by now


# -- abspaths: posixpath's basename, dirname and join without their generic checks ------------
PATH_PIECES = st.sampled_from(["/", "//", ".", "..", "a", "b.yaml", "Chart.yaml", "kustomization.yaml", " ", "é"])


@SOME
@given(st.lists(PATH_PIECES, max_size=10).map("".join), st.lists(PATH_PIECES, max_size=6).map("".join))
def test_path_shortcuts_agree_with_posixpath(path, name):
    import posixpath

    from daprlint import abspaths, projectnames

    assert abspaths.basename(path) == posixpath.basename(path)
    assert abspaths.dirname(path) == posixpath.dirname(path)
    assert abspaths.join(path, name) == posixpath.join(path, name)
    base = posixpath.basename(path)
    assert projectnames.is_structure_name(path) == (
        base in projectnames.KUSTOMIZATION_NAMES or base == projectnames.CHART_NAME
        or base in projectnames.RUN_FILE_NAMES)


# -- deployments: a subchart found by its `charts/` folders, not by asking every other chart ---
FOLDERS = st.lists(st.sampled_from(["/r", "/charts", "/a", "/b", "/charts/x", "//charts"]), min_size=1, max_size=5)


@SOME
@given(st.lists(FOLDERS.map("".join), min_size=1, max_size=6, unique=True))
def test_subchart_lookup_agrees_with_asking_every_other_chart(roots):
    from daprlint.deployments import _in_charts_folder_of

    for root in roots:
        every_other = any(root.startswith(other + "/charts/") for other in roots if other != root)
        assert _in_charts_folder_of(root, set(roots)) == every_other


# -- workspace.files_at: one stat and one scandir a folder -----------------------------------
def _files_at_the_long_way(path: str) -> list[str]:
    """files_at as it was: isfile, isdir, listdir and an isfile a name."""
    import os

    if os.path.isfile(path):
        return [path] if path.endswith((".yaml", ".yml")) or os.path.basename(path) == "Kustomization" else []
    if not os.path.isdir(path):
        return []
    try:
        names = sorted(os.listdir(path))
    except OSError:
        return []
    return [os.path.join(path, n) for n in names if (n.endswith((".yaml", ".yml")) or n == "Kustomization")
            and os.path.isfile(os.path.join(path, n))]


ENTRY_NAMES = st.sampled_from(["a.yaml", "b.yml", "Kustomization", "kustomization.yaml", "c.json", "d.YAML",
                               "sub", "e.yaml.bak", ".f.yaml", "g.yml"])
ENTRY_KINDS = st.sampled_from(["file", "folder", "link to a file", "link to a folder", "broken link"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.dictionaries(ENTRY_NAMES, ENTRY_KINDS, max_size=8), st.sampled_from(["", "a.yaml", "Kustomization", "sub",
                                                                             "missing", "c.json"]))
def test_files_at_agrees_with_isfile_isdir_and_listdir(tmp_path_factory, entries, asked):
    import os

    from daprlint.workspace import files_at

    root = tmp_path_factory.mktemp("refs")
    (root / "target.yaml").write_text("x: 1\n")
    (root / "target-folder").mkdir()
    for name, kind in entries.items():
        place = root / name
        if kind == "file":
            place.write_text("x: 1\n")
        elif kind == "folder":
            place.mkdir()
        else:
            os.symlink({"link to a file": root / "target.yaml", "link to a folder": root / "target-folder",
                        "broken link": root / "nowhere"}[kind], place)
    for path in (str(root), str(root / asked) if asked else str(root), str(root) + os.sep):
        assert files_at(path) == _files_at_the_long_way(path)


# -- deployments._resolve: a plain name joined to a normal folder needs no normpath ----------
FOLDERS = st.lists(st.sampled_from(["a", "b.c", "..x", "x..", " ", "k8s", "-"]), max_size=4).map(
    lambda parts: "/" + "/".join(parts))
WRITTEN = st.lists(st.sampled_from(["", ".", "..", "/", "a", "b.yaml", "./", "../", "x/", "c\\d", " ", "~",
                                    "..y", "//"]), max_size=4).map("".join)


@SOME
@given(FOLDERS, WRITTEN)
def test_resolve_agrees_with_normpath_of_the_join(folder, written):
    import os

    from daprlint.deployments import _resolve

    assert os.path.normpath(folder) == folder  # as every caller's base: dirname of an absolute path
    expected = None if (written.startswith("~") or "://" in written) else os.path.normpath(os.path.join(folder,
                                                                                                        written))
    assert _resolve(folder, written) == expected

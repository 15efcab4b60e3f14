"""`daprlint graph`: the deployments drawn as Mermaid and DOT (src/daprlint/graph.py).

The inputs come from the real pipeline over two fixture trees copied into a
git work tree: tests/fixtures/project/ (run file, kustomize, Helm) and
tests/fixtures/graph/ (a kustomize deployment with the broken references the
first lacks); every `# expect:` finding of a deployment rule must be drawn
red with its code. The outputs are checked against goldens and rendered by
the real programs: Graphviz (`dot -Tsvg`) and @mermaid-js/mermaid-cli in
Debian's headless Chromium (tests/mermaid_render.mjs), both installed by
.ci/run; each skips with the reason when its program is missing. Rendered
SVG texts must show every name exactly as written (after control
characters became escapes), which is what the escaping promises.

Regenerate the goldens after an intended change:
UPDATE_GOLDEN=1 pytest tests/test_graph.py
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, REPO, run_cli
from daprlint import graph
from daprlint.deployments import Deployment
from daprlint.facts import Ref, ResourceFacts, SecretFacts, SecretRef, WorkloadFacts
from daprlint.report.escape import printable
from daprlint.results import Finding
from daprlint.span import Span

GOLDEN = REPO / "tests" / "golden"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+[0-9]+)\s*@\s*(.+?)\s*$")
NODE_MODULES = REPO / ".ci" / "node" / "node_modules"
CHROMIUM = "/usr/bin/chromium"
SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"


# -- the pipeline of `daprlint graph`, in process --------------------------------
def pipeline(*paths: str, options: tuple = ()) -> tuple[list, list]:
    """(deployments to draw, findings) as commands.cmd_graph computes them, in the current folder."""
    from daprlint import cli, tree, workspace
    from daprlint.commands import Engine, discover, load_packs, settings_from_args
    from daprlint.runner import lint_targets

    args = cli._fast_check_args(["check", "--isolated", "--no-cache", *options, *paths])
    config = settings_from_args(args)
    engine = Engine(load_packs(config.rule_packs), config)
    plan = workspace.plan(engine, discover(args.paths, config.exclude, True, root=str(config.root)))
    results = lint_targets(engine, plan.targets)
    context = lint_targets(engine, plan.context)
    shared = lint_targets(engine, plan.shared)
    more_targets, more = workspace.follow_references(
        engine, [r.facts for r in results + context + shared if r.facts is not None],
        plan.targets + plan.context + plan.shared)
    root = workspace.project_root(plan.targets[0].path, None)
    built = tree.build_deployments(engine, results, context + more, shared, root)
    results = tree.run(engine, plan.targets, results, plan.context + more_targets, context + more, plan.shared,
                       shared, None, 1, False, root)
    return graph.drawn(built, {r.path for r in results}), [f for r in results for f in r.findings]


def _git_init(root: Path) -> None:
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", "init", "-q", str(root)], check=True, env=env)


def _tree(tmp_path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    _git_init(root)
    return root


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    root = _tree(tmp_path, "project")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def broken(tmp_path, monkeypatch) -> Path:
    root = _tree(tmp_path, "graph")
    monkeypatch.chdir(root)
    return root


def expected(root: Path) -> list[tuple[str, int, str]]:
    """The `# expect:` marks of the deployment rules: (path, line, code)."""
    found = []
    for path in sorted(root.rglob("*.y*ml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = EXPECT.search(line)
            if m and m.group(1) in graph.CODES:
                found.append((str(path.relative_to(root)), number, m.group(1)))
    return found


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed (UPDATE_GOLDEN=1 regenerates it)"


# -- the real renderers ----------------------------------------------------------
def render_dot(text: str) -> str:
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz's dot is not installed (.ci/run installs Debian's graphviz)")
    proc = subprocess.run([dot, "-Tsvg"], input=text.encode(), capture_output=True, timeout=120)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr.decode(errors="replace")
    return proc.stdout.decode()


def mermaid_renderer() -> tuple[list[str] | None, str]:
    node = shutil.which("node")
    if node is None:
        return None, "node is not installed (.ci/run installs it)"
    if not (NODE_MODULES / "@mermaid-js" / "mermaid-cli").is_dir():
        return None, f"@mermaid-js/mermaid-cli is not installed in {NODE_MODULES} (run .ci/run)"
    if not os.access(CHROMIUM, os.X_OK):
        return None, f"{CHROMIUM} is missing (.ci/run installs Debian's chromium)"
    return [node, str(REPO / "tests" / "mermaid_render.mjs"), str(NODE_MODULES), CHROMIUM], ""


def render_mermaid(texts: list[str], folder: Path) -> list[str]:
    """The SVG of each diagram, by mermaid-cli's renderMermaid in one headless Chromium."""
    command, why = mermaid_renderer()
    if command is None:
        pytest.skip(why)
    diagrams = folder / "diagrams.json"
    diagrams.write_text(json.dumps(texts), encoding="utf-8")
    proc = subprocess.run(command + [str(diagrams)], stdin=subprocess.DEVNULL, capture_output=True, timeout=600,
                          env={**os.environ, "NODE_NO_WARNINGS": "1"})
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    results = json.loads(proc.stdout)
    errors = [(i, r["error"]) for i, r in enumerate(results) if "error" in r]
    assert not errors, errors
    return [r["svg"] for r in results]


def dot_texts(svg: str) -> list[str]:
    """Each line Graphviz drew (one <text> per label line)."""
    return ["".join(e.itertext()) for e in ET.fromstring(svg).iter(f"{SVG}text")]


def mermaid_texts(svg: str) -> list[str]:
    """Each line mermaid drew: the HTML labels' paragraphs, split at their <br> (mermaid's line breaks)."""
    lines = []
    for p in ET.fromstring(svg).iter(f"{XHTML}p"):
        current = [p.text or ""]
        for child in p:
            if child.tag == f"{XHTML}br":
                current.append(child.tail or "")
            else:
                current[-1] += "".join(child.itertext()) + (child.tail or "")
        lines += current
    return lines


def shown(text: str) -> str:
    """A label line as a reader sees it: control characters escaped; HTML collapses white space."""
    return " ".join(printable(text).split())


def drawn_lines(g: graph.Graph) -> set[str]:
    lines = {c for c in _titles(g.clusters)}
    for node in g.nodes.values():
        lines.update(graph._label(node))
    lines.update(graph._edge_label(e) for e in g.edges)
    return {shown(line) for line in lines}


def _titles(clusters):
    for c in clusters:
        yield c.title
        yield from _titles(c.clusters)


def red_edges(g: graph.Graph) -> list[tuple[str, str, str]]:
    return sorted((e.label, ", ".join(e.codes), e.target) for e in g.edges if e.codes)


# -- what the graph says about the fixture trees ---------------------------------
def test_every_deployment_finding_of_the_project_is_drawn_red_with_its_code(project):
    deployments, findings = pipeline(".")
    g = graph.build(deployments, findings)
    drawn_codes = sorted([c for e in g.edges for c in e.codes] + [c for n in g.nodes.values() for c in n.codes])
    assert drawn_codes == sorted(code for *_, code in expected(project))
    assert not [n for n in g.nodes.values() if n.lines[0] == "findings not drawn"]
    labels = {(e.label, tuple(e.codes)) for e in g.edges}
    assert {("secretKeyRef passwrd", ("XRF007",)), ("dapr.io/config", ("XRF006",)), ("scopes", ("XRF008",)),
            ("retry", ("XRF009",)), ("configFilePath", ("RUN003",))} <= labels


def test_the_broken_tree_draws_each_code_where_it_belongs(broken):
    deployments, findings = pipeline(".")
    assert sorted((f.code for f in findings if f.code in graph.CODES)) == sorted(c for *_, c in expected(broken))
    g = graph.build(deployments, findings)
    nodes = g.nodes
    by_edge = {(e.label, ", ".join(e.codes)): (nodes[e.source], nodes[e.target]) for e in g.edges if e.codes}
    assert set(by_edge) == {("auth.secretStore", "XRF001"), ("pubsubname", "XRF002"), ("target", "XRF004"),
                            ("scopes", "XRF005"), ("kustomize resource", "KUS001")}
    source, target = by_edge[("auth.secretStore", "XRF001")]
    assert source.lines[:2] == ["cache", "state.redis"] and target.lines == ["vualt", "secret store not defined"]
    assert target.dangling and target.red
    source, target = by_edge[("scopes", "XRF005")]
    assert source.lines[0] == "worker" and target.lines[:2] == ["audit", "Subscription"] and not source.dangling
    source, target = by_edge[("kustomize resource", "KUS001")]
    assert source.lines == ["deploy/kustomization.yaml", "kustomization"] and target.lines[0] == "gone.yaml"
    # ANN006 and XRF003 sit on nodes: one app node for the two workloads, the second `cache`
    web = next(n for n in nodes.values() if n.lines[0] == "web")
    assert web.codes == ["ANN006"] and web.lines[1:] == ["Deployment web", "Deployment web-canary"]
    caches = [n for n in nodes.values() if n.lines[0] == "cache"]
    assert [n.codes for n in caches] == [[], ["XRF003"]]


def test_scopes_connect_apps_and_an_unscoped_component_says_every_app(broken):
    g = graph.build(*pipeline("."))
    nodes = g.nodes
    scopes = sorted((nodes[e.source].lines[0], nodes[e.target].lines[0]) for e in g.edges if e.label.startswith("scopes"))
    assert scopes == [("web", "audit"), ("web", "events"), ("worker", "audit")]
    vault = next(n for n in nodes.values() if n.lines[0] == "vault")
    assert vault.shape == "store" and vault.lines[-1] == "every app in the namespace"
    events = next(n for n in nodes.values() if n.lines[0] == "events")
    assert "every app in the namespace" not in events.lines
    titles = list(_titles(g.clusters))
    assert titles[:2] == ["kustomize: kustomization deploy/kustomization.yaml (namespace `shop`)", "namespace shop"]
    assert {"apps", "state", "secretstores", "pubsub", "Resiliency", "secrets"} <= set(titles)
    # the Subscriptions sit with the pub/sub components
    pubsub = next(c for c in _all_clusters(g.clusters) if c.title == "pubsub")
    assert sorted(nodes[n].lines[0] for n in pubsub.nodes) == ["audit", "events", "evnets", "orders"]


def _all_clusters(clusters):
    for c in clusters:
        yield c
        yield from _all_clusters(c.clusters)


def test_a_run_file_deployment_ignores_namespaces_and_draws_its_apps(project):
    deployments, findings = pipeline(".")
    run = next(d for d in deployments if d.kind == "run-file")
    g = graph.build([run], findings)
    assert [c.title for c in g.clusters[0].clusters][0] == "apps"  # no namespace cluster
    apps = sorted(n.lines for n in g.nodes.values() if n.shape == "app")
    assert apps == [["checkout", "app of run file dapr.yaml"], ["orders", "app of run file dapr.yaml"],
                    ["ordres", "app ID that nothing declares"]]


def test_a_finding_no_reference_carries_is_listed_not_lost(project):
    deployments, findings = pipeline(".")
    stray = Finding("resources/statestore.yaml", Span(0, 0, 0, 0, 0, 0), "XRF005", "scope-mismatch", "error", "m")
    g = graph.build(deployments, findings + [stray])
    note = next(n for n in g.nodes.values() if n.lines[0] == "findings not drawn")
    assert note.lines[1:] == ["XRF005 at resources/statestore.yaml:1:1"] and note.red
    assert note.id in g.loose


def test_other_findings_are_not_drawn(project):
    deployments, findings = pipeline(".")
    assert {"ANN001", "ANN002"} <= {f.code for f in findings}
    g = graph.build(deployments, findings)
    codes = {c for e in g.edges for c in e.codes} | {c for n in g.nodes.values() for c in n.codes}
    assert codes <= graph.CODES


def test_stores_secrets_and_workloads_without_app_ids():
    """The built-in kubernetes store; a broken secret of a local file store; workloads with no app ID or sidecar."""
    path = "c.yaml"
    d = Deployment("tree:x", "tree", "the tree", mode="kubernetes")
    files = ResourceFacts(path, "Component", "dapr.io/v1alpha1", _ref("files", path, 1), "", "secretstores.local.file",
                          None)
    state = ResourceFacts(path, "Component", "dapr.io/v1alpha1", _ref("state", path, 2), "", "state.redis", None,
                          secret_store=_ref("files", path, 3))
    state.secret_refs = [SecretRef("redisPassword", _ref("redis", path, 4), _ref("pasword", path, 5)),
                         SecretRef("redisUser", _ref("redis", path, 6), None)]
    blob = ResourceFacts(path, "Component", "dapr.io/v1alpha1", _ref("blob", path, 7), "", "bindings.azure.blobstorage",
                         None, secret_store=_ref("kubernetes", path, 8))
    blob.secret_refs = [SecretRef("accountKey", _ref("azure", path, 9), _ref("key", path, 10))]
    d.resources = [state, blob, files]
    d.workloads = [WorkloadFacts(path, "Job", _ref("batch", path, 11), "", "true", None, False, None),
                   WorkloadFacts(path, "Deployment", _ref("off", path, 12), "", "false", _ref("off", path, 13), True,
                                 None)]
    broken_key = Finding(path, state.secret_refs[0].key.span, "XRF007", "unknown-secret", "error", "m")
    g = graph.build([d], [broken_key])
    nodes = g.nodes
    edges = {(nodes[e.source].lines[0], e.label, nodes[e.target].lines[0]): e for e in g.edges}
    assert set(edges) == {("state", "auth.secretStore", "files"), ("state", "secretKeyRef pasword", "redis"),
                          ("blob", "auth.secretStore", "kubernetes"), ("blob", "secretKeyRef key", "azure")}
    assert edges[("state", "secretKeyRef pasword", "redis")].codes == ["XRF007"]  # the good ref is not drawn
    assert nodes[edges[("state", "secretKeyRef pasword", "redis")].target].lines == ["redis", "secret of store files"]
    kubernetes = nodes[edges[("blob", "auth.secretStore", "kubernetes")].target]
    assert kubernetes.lines == ["kubernetes", "built-in secret store"] and not kubernetes.dangling
    azure = edges[("blob", "secretKeyRef key", "azure")]
    assert azure.unresolved and not azure.codes and nodes[azure.target].lines == ["azure", "Secret not in the tree"]
    assert sorted(n.lines for n in nodes.values() if n.shape == "app") == [
        ["(no app ID)", "Job batch"], ["off", "Deployment off (no sidecar: dapr.io/enabled is not true)"]]
    assert [n.lines[0] for n in nodes.values() if n.shape == "store"] == ["files", "kubernetes"]
    assert 'style=dashed, color="#757575"' in graph.to_dot(g) and "-.->" in graph.to_mermaid(g)


def test_choosing_deployments(project):
    deployments, _ = pipeline(".")
    keys = [d.key for d in deployments]
    assert [d.kind for d in graph.drawn(deployments, wanted=["kustomize:"])] == ["kustomize"]
    assert graph.drawn(deployments, wanted=[keys[-1]]) == [deployments[-1]]
    assert graph.drawn(deployments, wanted=["run-file", "helm"]) == [d for d in deployments
                                                                      if d.kind in ("run-file", "helm")]
    with pytest.raises(ValueError, match="no deployment matches `nope`; the deployments are: helm:"):
        graph.drawn(deployments, wanted=["nope"])
    assert graph.drawn(deployments, linted=set()) == [d for d in deployments if d.missing]


# -- goldens and determinism -------------------------------------------------------
@pytest.mark.parametrize("fmt", graph.FORMATS)
def test_golden(project, fmt):
    text = graph.render(*pipeline("."), fmt)
    check_golden(f"graph-project.{'mmd' if fmt == 'mermaid' else 'dot'}", text)
    assert graph.render(*pipeline("."), fmt) == text


def test_the_order_of_files_and_resources_does_not_change_the_picture(broken):
    deployments, findings = pipeline(".")
    before = {fmt: graph.render(deployments, findings, fmt) for fmt in graph.FORMATS}
    shuffler = random.Random(5)
    for d in deployments:
        for items in (d.resources, d.workloads, d.secrets, d.missing):
            shuffler.shuffle(items)
    shuffler.shuffle(findings)
    assert {fmt: graph.render(deployments, findings, fmt) for fmt in graph.FORMATS} == before


def test_unknown_format():
    with pytest.raises(ValueError, match="mermaid, dot"):
        graph.render([], [], "svg")


# -- secrets -----------------------------------------------------------------------
def test_no_metadata_value_reaches_the_graph(tmp_path, monkeypatch):
    root = tmp_path / "planted"
    root.mkdir()
    shutil.copy(FIXTURES / "secrets" / "planted.yaml", root / "planted.yaml")
    (root / "secret.yaml").write_text("apiVersion: v1\nkind: Secret\nmetadata:\n  name: planted-secret\n"
                                      "stringData:\n  password: PlantedSecretValue0010\n", encoding="utf-8")
    _git_init(root)
    monkeypatch.chdir(root)
    values = re.findall(r"(?:Planted|AKIAPLANTED)\w+", (root / "planted.yaml").read_text()) + \
        ["PlantedSecretValue0010", "us-east-1", "api.example.com", "db:5432"]
    deployments, findings = pipeline(".")
    for fmt in graph.FORMATS:
        text = graph.render(deployments, findings, fmt)
        assert "planted-db" in text and "bindings.aws.s3" in text and "planted-secret" in text
        assert not [v for v in values if v in text], fmt


def test_no_secret_of_the_project_reaches_the_graph(project):
    for fmt in graph.FORMATS:
        assert "not-a-real-password" not in graph.render(*pipeline("."), fmt)


# -- hostile names -------------------------------------------------------------------
HOSTILE = [
    'quote " and \\" and \\', "new\nline\r\tand \x1b[31m escape", "<b>bold</b> <script>alert(1)</script>",
    "a --> b -- c ==> d -.-> e", "semi; colon: pipe | bar", "end", "subgraph", "graph TD", "flowchart LR",
    "click n1 call alert()", "style n1 fill:red", "classDef x fill:red", "n1:::broken", "%%{init: {'theme':'dark'}}%%",
    "%% comment", "`markdown` **strong** _em_", "#quot; #35; #lt;", "&amp; &lt; &#65;", "\\N \\G \\l \\r \\n \\",
    "digraph { a -> b }", '"]; x [label="', "} subgraph cluster_x {", "[box] (round) {rhombus} >flag]",
    "\u202etxt.exe", "emoji \U0001f680 and \u00e9", "trailing backslash\\", "#", "-", "--", "->",
]


def _ref(value: str, path: str, line: int) -> Ref:
    return Ref(value, path, Span(line * 10, line * 10 + 1, line, 2, line, 3))


def hostile_deployment(names: list[str], key: str = "tree:hostile") -> tuple[Deployment, list[Finding]]:
    """A deployment whose every drawn text (names, types, namespaces, paths, keys) is one of *names*,
    with a broken reference for each name."""
    d = Deployment(key, "tree", f"names {names[0]}", mode="kubernetes")
    findings = []
    for i, name in enumerate(names):
        path, namespace = f"{name}.yaml", f"ns {name}"
        store = _ref(name + " store", path, 2)
        component = ResourceFacts(path, "Component", "dapr.io/v1alpha1", _ref(name, path, 1), namespace, f"state.{name}",
                                  [_ref(name, path, 3), _ref("ghost " + name, path, 4)], secret_store=store)
        component.secret_refs = [SecretRef("password", _ref(name, path, 5), _ref("key " + name, path, 6))]
        subscription = ResourceFacts(path, "Subscription", "dapr.io/v2alpha1", _ref(name + " sub", path, 7), namespace, "", None,
                                     pubsub=_ref(name + " pubsub", path, 8))
        d.resources += [component, subscription]
        d.workloads.append(WorkloadFacts(path, "Deployment", _ref(name, path, 9), namespace, "true",
                                         _ref(name, path, 10), True, _ref(name + " config", path, 11)))
        d.secrets.append(SecretFacts(path, "Secret", _ref(name, path, 12), namespace, ["key"]))
        d.missing.append([_ref(name + " missing", path, 13), f"kustomize resource `{name}` does not exist",
                          "kustomize"])
        for code, ref in (("XRF001", store), ("XRF008", component.scopes[1]), ("XRF002", subscription.pubsub),
                          ("XRF007", component.secret_refs[0].key), ("XRF006", d.workloads[-1].config),
                          ("KUS001", d.missing[-1][0])):
            findings.append(Finding(ref.path, ref.span, code, "x", "error", f"message {i}"))
    return d, findings


def _check_dot(deployments, findings) -> None:
    g = graph.build(deployments, findings)
    svg = render_dot(graph.to_dot(g))
    assert drawn_lines(g) <= {shown(t) for t in dot_texts(svg)}
    red = {e.get("id") for e in ET.fromstring(svg).iter(f"{SVG}g") if e.get("class") == "edge"
           and any(p.get("stroke") == graph.RED for p in e.iter(f"{SVG}path"))}
    assert len(red) == len([e for e in g.edges if e.codes])


def test_dot_renders_hostile_names_as_written():
    d, findings = hostile_deployment(HOSTILE)
    _check_dot([d], findings)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(min_size=1, max_size=12).filter(lambda s: s.strip()), min_size=1, max_size=4))
def test_dot_renders_any_names_as_written(names):
    d, findings = hostile_deployment(names)
    _check_dot([d], findings)


def test_the_texts_hold_no_raw_syntax():
    d, findings = hostile_deployment(HOSTILE)
    for fmt in graph.FORMATS:
        text = graph.render([d], findings, fmt)
        string = r'"(?:[^"\\]|\\.)*"' if fmt == "dot" else r'"[^"]*"'  # DOT escapes \" and \\; mermaid none
        outside = re.sub(string, " ", text)  # the syntax: no user text
        assert '"' not in outside, fmt  # every string ends
        assert not [w for w in ("alert", "script", "init", "comment", "cluster_x", "x [label", "fill:red") if w in outside]
    mermaid = graph.render([d], findings, "mermaid")
    assert "%%" not in mermaid and "<script" not in mermaid and "&lt;" not in mermaid and "\\" not in mermaid
    assert "&lt;" not in graph.render([d], findings, "dot").replace("&amp;lt;", "")


# -- the real renderers on the fixture trees -----------------------------------------
def test_dot_renders_the_fixture_trees(project):
    deployments, findings = pipeline(".")
    os.chdir(project.parent)
    more = _tree(project.parent, "graph")
    os.chdir(more)
    more_deployments, more_findings = pipeline(".")
    _check_dot(deployments, findings)
    _check_dot(more_deployments, more_findings)


def test_the_rendered_example_in_docs_is_fresh(project):
    """docs/graph-example.svg is `dot -Tsvg` of the project fixture (regenerated with UPDATE_GOLDEN=1)."""
    svg = render_dot(graph.render(*pipeline("."), "dot"))
    path = REPO / "docs" / "graph-example.svg"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(svg, encoding="utf-8")
    assert dot_texts(svg) == dot_texts(path.read_text(encoding="utf-8"))


def test_the_mermaid_example_in_docs_is_the_golden():
    text = (REPO / "docs" / "graph.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- graph-example:begin -->\n```mermaid\n(.*?)```\n<!-- graph-example:end -->", text, re.S)
    assert block is not None and block.group(1) == (GOLDEN / "graph-project.mmd").read_text(encoding="utf-8")


@pytest.mark.slow
def test_mermaid_cli_renders_the_fixtures_and_hostile_names(project):
    """One Chromium for every diagram: the project, the broken tree, the hostile names and some
    names hypothesis makes up (collected first, then rendered together)."""
    diagrams = []
    deployments, findings = pipeline(".")
    diagrams.append(graph.build(deployments, findings))
    os.chdir(_tree(project.parent, "graph"))
    diagrams.append(graph.build(*pipeline(".")))
    d, hostile_findings = hostile_deployment(HOSTILE)
    diagrams.append(graph.build([d], hostile_findings))
    made_up: list[str] = []

    @settings(max_examples=10, deadline=None, database=None)
    @given(st.lists(st.text(min_size=1, max_size=12).filter(lambda s: s.strip()), min_size=1, max_size=3))
    def collect(names):
        made_up.extend(names)

    collect()
    parts = [hostile_deployment(made_up[i:i + 10], f"tree:{i}") for i in range(0, len(made_up), 10)]
    diagrams.append(graph.build([p[0] for p in parts], [f for p in parts for f in p[1]]))
    svgs = render_mermaid([graph.to_mermaid(g) for g in diagrams], project.parent)
    for g, svg in zip(diagrams, svgs):
        assert drawn_lines(g) <= {shown(t) for t in mermaid_texts(svg)}
        assert svg.count(graph.RED) > 0


# -- the command ---------------------------------------------------------------------
def _needs_command():
    from daprlint import commands

    if not hasattr(commands, "cmd_graph"):
        pytest.skip("the `daprlint graph` subcommand (commands.cmd_graph, the patch in the graph branch's "
                    "report) is not applied yet")


def test_the_command_prints_the_golden(project):
    _needs_command()
    for fmt, name in (("mermaid", "graph-project.mmd"), ("dot", "graph-project.dot")):
        proc = run_cli("graph", "--isolated", "--format", fmt, ".", cwd=project)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.decode() == (GOLDEN / name).read_text(encoding="utf-8")


def test_the_command_picks_deployments_and_writes_a_file(project):
    _needs_command()
    out = project.parent / "out.dot"
    proc = run_cli("graph", "--isolated", "--format", "dot", "--deployment", "kustomize:", "-o", str(out), ".",
                   cwd=project)
    assert proc.returncode == 0 and proc.stdout == b"", proc.stderr
    text = out.read_text(encoding="utf-8")
    assert "kustomize: kustomization" in text and "run file" not in text
    proc = run_cli("graph", "--isolated", "--deployment", "nope", ".", cwd=project)
    assert proc.returncode == 2 and b"no deployment matches `nope`" in proc.stderr


def test_the_command_draws_the_tree_when_the_deployment_rules_are_off(project):
    _needs_command()
    proc = run_cli("graph", "--isolated", "--select", "AWS", "--format", "dot", ".", cwd=project)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode()
    assert "orders-db" in text and "shop-api" in text
    assert graph.RED not in text and "XRF" not in text and "RUN003" not in text


def test_the_graph_module_stays_off_the_check_start_up_path(tmp_path):
    manifest = tmp_path / "c.yaml"
    manifest.write_text((FIXTURES / "project" / "resources" / "statestore.yaml").read_text(), encoding="utf-8")
    code = ("import sys; from daprlint.cli import main; main(['check', '--isolated', '--no-cache', '-q', "
            f"{str(manifest)!r}]); assert 'daprlint.graph' not in sys.modules, 'imported'")
    proc = subprocess.run([os.sys.executable, "-c", code], capture_output=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()

"""`daprlint graph`: a picture of what the sidecar sees.

One cluster per deployment (deployments.py says which files load
together), one per namespace inside it (not for self-hosted daprd, which
ignores namespaces), and inside those:

- **apps**: the app IDs of the run file's apps and of the Dapr-enabled
  workloads (a workload without an app ID is drawn by its kind and name);
- **components**, one cluster per category (`state`, `pubsub`,
  `secretstores`, ...), the Subscriptions with the pub/sub ones, and the
  Resiliency policies, Configurations, Secrets and other Dapr kinds;
- **edges**, from what refers to what it names: `scopes` (app -> the
  resource it may load; an unscoped resource says "every app" instead of
  an edge to each: empty `scopes` admit every app, dapr/dapr
  pkg/apis/common/scoped.go `IsAppScoped` @ v1.18.3), `auth.secretStore`, `secretKeyRef`, `pubsubname`,
  Resiliency targets, `dapr.io/config`, `configFilePath`, and the paths a
  run file or kustomization lists;
- **broken references** in red with the rule code of the finding at that
  reference (XRF001-XRF009, ANN006, RUN003, KUS001), pointing at a dashed
  node for what is not defined. A reference to something outside the tree
  with no finding (a Secret the tree does not hold) is dashed and grey.

A finding is placed by its position: the rules report at the span of the
reference (facts.Ref), so the finding whose path, line and column are those
of a drawn reference colours it. A deployment-rule finding that nothing
drawn carries is listed in a note, so the picture never hides one.

This module is pure: deployments (deployments.Deployment) and findings
(results.Finding) in, Mermaid (`flowchart`) or Graphviz DOT text out,
deterministic (resources sorted by kind, type, name and position; node IDs
numbered in drawing order). Only names, types, kinds and paths are drawn,
never a metadata value, and never a finding's message; every drawn text is
user text, escaped for the format (`_mermaid_text`, `_dot_text`) after
`report.escape.printable` wrote control characters as visible escapes.
Mermaid's renderer refuses a diagram of more than 50,000 characters or 500
edges by default (its `maxTextSize` and `maxEdges`): use DOT for large
trees, or raise them.
"""
from __future__ import annotations

import os

from ._record import field, record

FORMATS = ("mermaid", "dot")
# the deployment rules: their findings sit on the references this graph draws
CODES = frozenset({"XRF001", "XRF002", "XRF003", "XRF004", "XRF005", "XRF006", "XRF007", "XRF008", "XRF009",
                   "ANN006", "RUN003", "KUS001"})
_TRUTHY = ("y", "yes", "true", "t", "on", "1")  # dapr/kit strings.IsTruthy, as deployments.finish reads it
# the order of the clusters inside a namespace, after the apps; other kinds follow, by name
_KIND_ORDER = {"Component": 0, "Subscription": 1, "Resiliency": 2, "Configuration": 3}
RED, GREY = "#c62828", "#757575"


@record(slots=True)
class Node:
    id: str
    shape: str            # app | component | store | secret | resource | source | missing | note
    lines: list           # label lines: the name first, then what it is
    codes: list = field(default_factory=list)   # findings anchored at the node itself
    dangling: bool = False                      # named by a reference, not defined in the deployment
    red: bool = False                           # findings at it, or it is what a broken reference names


@record(slots=True)
class Edge:
    source: str
    target: str
    label: str
    codes: list = field(default_factory=list)   # findings at the reference: drawn red
    unresolved: bool = False                    # the target is outside the tree: drawn dashed


@record(slots=True)
class Cluster:
    id: str
    title: str
    clusters: list = field(default_factory=list)
    nodes: list = field(default_factory=list)   # node IDs


@record(slots=True)
class Graph:
    clusters: list = field(default_factory=list)
    nodes: dict = field(default_factory=dict)   # id -> Node, in drawing order
    edges: list = field(default_factory=list)
    loose: list = field(default_factory=list)   # node IDs outside every cluster


# -- choosing ------------------------------------------------------------------
def drawn(deployments, linted=None, wanted=()) -> list:
    """The deployments to draw: those holding a linted file (or a missing
    path) when *linted* is given, narrowed to the keys in *wanted* (a key,
    or a part of one: `daprlint deployments --format json` lists them).
    Raises ValueError naming the keys when a wanted one matches none."""
    chosen = [d for d in deployments if linted is None or d.missing or any(f in linted for f in d.files)]
    if not wanted:
        return chosen
    picked = []
    for want in wanted:
        exact = [d for d in chosen if d.key == want]
        matches = exact or [d for d in chosen if want in d.key]
        if not matches:
            keys = ", ".join(d.key for d in chosen) or "none"
            raise ValueError(f"no deployment matches `{want}`; the deployments are: {keys}")
        picked += [d for d in matches if d not in picked]
    return [d for d in chosen if d in picked]


# -- building ------------------------------------------------------------------
def build(deployments, findings=()) -> Graph:
    """The graph of *deployments*, with the deployment rules' *findings* on it."""
    builder = _Builder(findings)
    for d in deployments:
        builder.deployment(d)
    builder.unplaced(deployments)
    return builder.graph


def _where(path: str, span) -> tuple:
    return (os.path.normpath(path), span.line, span.column)


class _Builder:
    def __init__(self, findings):
        self.graph = Graph()
        self.findings: dict[tuple, list] = {}
        for f in findings:
            if f.code in CODES:
                self.findings.setdefault(_where(f.path, f.span), []).append(f)
        self.placed: set[int] = set()
        self._ids = {"n": 0, "c": 0}

    # ids and findings
    def _next(self, prefix: str) -> str:
        self._ids[prefix] += 1
        return f"{prefix}{self._ids[prefix]}"

    def codes_at(self, *refs) -> list:
        codes = []
        for ref in refs:
            if ref is None:
                continue
            for f in self.findings.get(_where(ref.path, ref.span), ()):
                self.placed.add(id(f))
                if f.code not in codes:
                    codes.append(f.code)
        return sorted(codes)

    def node(self, cluster, shape: str, lines: list, codes=(), dangling: bool = False) -> str:
        node = Node(self._next("n"), shape, [line for line in lines if line], list(codes), dangling, bool(codes))
        self.graph.nodes[node.id] = node
        (cluster.nodes if cluster is not None else self.graph.loose).append(node.id)
        return node.id

    def edge(self, source: str, target: str, label: str, codes=()) -> None:
        nodes = self.graph.nodes
        if codes:  # what a broken reference names, when it is not defined, is drawn red too
            for end in (nodes[source], nodes[target]):
                end.red = end.red or end.dangling
        self.graph.edges.append(Edge(source, target, label, list(codes), nodes[target].dangling))

    def cluster(self, parent, title: str) -> Cluster:
        c = Cluster(self._next("c"), title)
        (parent.clusters if parent is not None else self.graph.clusters).append(c)
        return c

    # a deployment
    def deployment(self, d) -> None:
        top = self.cluster(None, f"{d.kind}: {d.reason}")
        sources: dict[str, str] = {}
        groups = _groups(d)
        for namespace in sorted(groups):
            parent = top if d.flat_namespace else self.cluster(top, f"namespace {namespace}")
            _Namespace(self, d, parent, groups[namespace]).draw()
        for ref, message, kind in sorted(d.missing, key=lambda m: _where(m[0].path, m[0].span)):
            source = self._source(top, sources, ref.path, "run file" if kind == "run-file" else "kustomization")
            what = message.split("`", 1)[0].strip() or "path"
            target = self.node(top, "missing", [ref.value, "does not exist"], dangling=True)
            self.edge(source, target, what, self.codes_at(ref))
        for ref, _shown, holds in sorted(d.config_files, key=lambda c: _where(c[0].path, c[0].span)):
            source = self._source(top, sources, ref.path, "run file")
            what = "holds no Configuration" if holds is False else "config file"
            target = self.node(top, "missing" if holds is False else "resource", [ref.value, what],
                               dangling=holds is False)
            self.edge(source, target, "configFilePath", self.codes_at(ref))
        if d.notes:
            self.node(top, "note", ["incomplete"] + sorted(set(d.notes)))
        if not top.nodes and not top.clusters:
            self.node(top, "note", ["no Dapr resources read"])

    def _source(self, top, sources: dict, path: str, what: str) -> str:
        if path not in sources:
            sources[path] = self.node(top, "source", [path, what])
        return sources[path]

    def unplaced(self, deployments) -> None:
        """A note for each drawn deployment's findings that no drawn reference carries."""
        paths = set()
        for d in deployments:
            paths.update(os.path.normpath(p) for p in d.files)
            paths.update(os.path.normpath(r.path) for r in d.app_ids.values())
            paths.update(os.path.normpath(m[0].path) for m in d.missing)
        left = sorted((f.path, f.span.line, f.span.column, f.code) for found in self.findings.values() for f in found
                      if id(f) not in self.placed and os.path.normpath(f.path) in paths)
        if left:
            lines = [f"{code} at {path}:{line + 1}:{column + 1}" for path, line, column, code in left]
            self.node(None, "note", ["findings not drawn"] + lines, sorted({c for *_, c in left}))


def _groups(d) -> dict[str, dict]:
    """{namespace: {"resources", "workloads", "secrets"}} of a deployment ("" for all when flat)."""
    groups: dict[str, dict] = {}
    for what in ("resources", "workloads", "secrets"):
        for item in getattr(d, what):
            namespace = "" if d.flat_namespace else d.namespace_of(item)
            groups.setdefault(namespace, {"resources": [], "workloads": [], "secrets": []})[what].append(item)
    if not groups and d.flat_namespace:  # a run file's apps, with no resources
        groups[""] = {"resources": [], "workloads": [], "secrets": []}
    return groups


def _name(ref) -> str:
    return ref.value if ref is not None else "(templated name)"


def _sort_key(f) -> tuple:
    span = f.name.span if f.name is not None else None
    return (_KIND_ORDER.get(f.kind, 9), f.kind, f.type.lower(), _name(f.name), f.path,
            span.line if span else -1, span.column if span else -1)


class _Namespace:
    """Draws one namespace of a deployment: its nodes, then the references between them."""

    def __init__(self, builder: _Builder, d, parent: Cluster, group: dict):
        self.b, self.d, self.parent = builder, d, parent
        self.resources = sorted(group["resources"], key=_sort_key)
        self.workloads = sorted(group["workloads"], key=lambda w: (w.path, _name(w.name), w.kind))
        self.secrets = sorted(group["secrets"], key=lambda s: (s.name.value, s.path, s.kind))
        self.clusters: dict[str, Cluster] = {}
        self.apps: dict[str, str] = {}           # app ID -> node
        self.of_workload: dict[int, str] = {}    # id(workload) -> node
        self.of_resource: dict[int, str] = {}    # id(resource fact) -> node
        self.components: dict[str, object] = {}  # name -> the first Component fact of that name
        self.by_kind: dict[tuple, str] = {}      # (kind, name) -> node of the first such resource
        self.secret_nodes: dict[str, str] = {}
        self.dangling: dict[tuple, str] = {}

    def cluster(self, title: str) -> Cluster:
        if title not in self.clusters:
            self.clusters[title] = self.b.cluster(self.parent, title)
        return self.clusters[title]

    def draw(self) -> None:
        self._apps()
        for f in self.resources:
            self._resource(f)
        for s in self.secrets:
            self.secret_nodes.setdefault(s.name.value, self.b.node(self.cluster("secrets"), "secret",
                                                                   [s.name.value, s.kind]))
        for f in self.resources:
            self._references(f)
        for w in self.workloads:
            if w.config is not None:
                target = self._named("Configuration", w.config.value)
                self.b.edge(self.of_workload[id(w)], target, "dapr.io/config", self.b.codes_at(w.config))

    # nodes
    def _apps(self) -> None:
        declared = []  # the run file's apps (a workload's app ID is drawn with the workload)
        if self.d.kind == "run-file":
            from_workloads = {id(w.app_id) for w in self.workloads}
            declared = [(app, ref) for app, ref in sorted(self.d.app_ids.items()) if id(ref) not in from_workloads]
        apps = self.cluster("apps") if declared or self.workloads else None
        for app, ref in declared:
            self.apps[app] = self.b.node(apps, "app", [app, f"app of run file {ref.path}"])
        for w in self.workloads:
            what = f"{w.kind} {_name(w.name)}"
            if w.enabled is None or w.enabled.strip().lower() not in _TRUTHY:
                what += " (no sidecar: dapr.io/enabled is not true)"
            codes = self.b.codes_at(w.app_id)
            if w.app_id is None or not w.app_id_known:
                self.of_workload[id(w)] = self.b.node(apps, "app", ["(no app ID)", what], codes)
                continue
            known = self.apps.get(w.app_id.value)
            if known is None:
                known = self.apps[w.app_id.value] = self.b.node(apps, "app", [w.app_id.value, what], codes)
            else:
                node = self.b.graph.nodes[known]
                node.lines.append(what)
                node.codes = sorted(set(node.codes) | set(codes))
                node.red = bool(node.codes)
            self.of_workload[id(w)] = known

    def _resource(self, f) -> None:
        name = _name(f.name)
        if f.kind == "Component":
            title = f.category or "(no type)"
            lines = [name, f.type or "(no type)"]
        else:
            title = "pubsub" if f.kind == "Subscription" else f.kind
            lines = [name, f.kind]
        if f.kind in ("Component", "Subscription", "Resiliency", "HTTPEndpoint") and not f.scopes:
            lines.append("every app" if self.d.flat_namespace else "every app in the namespace")
        shape = "store" if f.kind == "Component" and f.category == "secretstores" else (
            "component" if f.kind == "Component" else "resource")
        node = self.of_resource[id(f)] = self.b.node(self.cluster(title), shape, lines, self.b.codes_at(f.name))
        if f.name is not None:
            if f.kind == "Component":
                self.components.setdefault(f.name.value, f)
            self.by_kind.setdefault((f.kind, f.name.value), node)

    def _component(self, name: str, category: str | None, title: str, what: str) -> str:
        f = self.components.get(name)
        if f is not None and (category is None or f.category == category):
            return self.of_resource[id(f)]
        return self._missing(("Component", category, name), title, [name, what], "component")

    def _named(self, kind: str, name: str) -> str:
        found = self.by_kind.get((kind, name))
        return found if found is not None else self._missing((kind, name), kind, [name, f"{kind} not defined"],
                                                             "resource")

    def _missing(self, key: tuple, title: str | None, lines: list, shape: str) -> str:
        """One dashed node per thing named and not defined (two references to it share it)."""
        if key not in self.dangling:
            cluster = self.cluster(title) if title else self.parent
            self.dangling[key] = self.b.node(cluster, shape, lines, dangling=True)
        return self.dangling[key]

    def _app(self, name: str) -> str:
        known = self.apps.get(name)
        if known is not None:
            return known
        return self._missing(("app", name), "apps", [name, "app ID that nothing declares"], "app")

    # edges
    def _references(self, f) -> None:
        node = self.of_resource[id(f)]
        b = self.b
        for ref in f.scopes or ():
            b.edge(self._app(ref.value), node, "scopes", b.codes_at(ref))
        store = f.secret_store
        if store is not None:
            if store.value.lower() == "kubernetes" and "kubernetes" not in self.components:
                target = self._missing(("store", "kubernetes"), "secretstores",
                                       ["kubernetes", "built-in secret store"], "store")
                b.graph.nodes[target].dangling = False  # built in: defined, just not in the tree
            else:
                target = self._component(store.value, "secretstores", "secretstores", "secret store not defined")
            b.edge(node, target, "auth.secretStore", b.codes_at(store))
        self._secret_refs(f, node)
        if f.kind == "Subscription" and f.pubsub is not None:
            target = self._component(f.pubsub.value, "pubsub", "pubsub", "pub/sub not defined")
            b.edge(node, target, "pubsubname", b.codes_at(f.pubsub))
        for ref in f.resiliency_components:
            b.edge(node, self._component(ref.value, None, None, "component not defined"), "target",
                   b.codes_at(ref))
        for ref in f.resiliency_apps:
            b.edge(node, self._app(ref.value), "target", b.codes_at(ref))
        for kind, ref in f.policy_refs:
            codes = b.codes_at(ref)
            if codes:  # a defined policy is part of its Resiliency: only an undefined one is drawn
                target = self._missing(("policy", id(f), kind, ref.value), None,
                                       [ref.value, f"{kind} policy not defined"], "resource")
                b.edge(node, target, kind, codes)

    def _secret_refs(self, f, node: str) -> None:
        store = f.secret_store.value if f.secret_store is not None else ""
        kubernetes = self.d.mode == "kubernetes" and store.lower() in ("", "kubernetes")
        for ref in f.secret_refs:
            codes = self.b.codes_at(ref.name, ref.key)
            label = "secretKeyRef" + (f" {ref.key.value}" if ref.key is not None else "")
            if kubernetes:
                target = self.secret_nodes.get(ref.name.value) or self._missing(
                    ("Secret", ref.name.value), "secrets", [ref.name.value, "Secret not in the tree"], "secret")
            elif codes:  # a secret inside another store (a local file): drawn only when it is broken
                target = self._missing(("secret", store, ref.name.value), None,
                                       [ref.name.value, f"secret of store {store}"], "secret")
            else:
                continue
            self.b.edge(node, target, label, codes)


# -- writing -------------------------------------------------------------------
def render(deployments, findings=(), fmt: str = "mermaid") -> str:
    """The picture of *deployments* as Mermaid or DOT text."""
    graph = build(deployments, findings)
    if fmt == "mermaid":
        return to_mermaid(graph)
    if fmt == "dot":
        return to_dot(graph)
    raise ValueError(f"unknown graph format {fmt!r}: {', '.join(FORMATS)}")


def _label(node: Node) -> list[str]:
    lines = list(node.lines)
    if node.codes:
        lines.append(", ".join(node.codes))
    return lines


def _edge_label(edge: Edge) -> str:
    return f"{edge.label}: {', '.join(edge.codes)}" if edge.codes else edge.label


def _printable(text: str) -> str:
    from .report.escape import printable

    return printable(text)


# Mermaid: every drawn text is a quoted string (so no keyword, arrow, `;`
# or bracket in it is read as syntax) in which mermaid's entity codes
# (`#name;`, `#number;`) stand for what could end the string (`"`), start
# HTML (`<`, `&`), markdown (a leading backtick), a directive anywhere in
# the text (`%%{init: ...}%%`) or a line break (`\n`), and for `#` itself.
# Lines are joined by a real newline inside the string: with `<br/>`
# mermaid also reads a `\n` written as entities as a line break.
_MERMAID_ESCAPES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;", "%": "#37;",
                    "\\": "#92;"}
_MERMAID_SHAPES = {"app": ("([", "])"), "store": ("[(", ")]"), "secret": ("[/", "/]"), "source": ("{{", "}}"),
                   "note": ("[", "]"), "missing": ("[", "]"), "component": ("[", "]"), "resource": ("[", "]")}


def _mermaid_text(text: str) -> str:
    return "".join(_MERMAID_ESCAPES.get(ch, ch) for ch in _printable(text))


def _mermaid_lines(lines: list[str]) -> str:
    return '"' + "\n".join(_mermaid_text(line) for line in lines) + '"'


def to_mermaid(graph: Graph) -> str:
    out = ["flowchart LR",
           f"  classDef broken stroke:{RED},stroke-width:2px,color:{RED}",
           "  classDef dangling stroke-dasharray:5 3",
           f"  classDef brokenDangling stroke:{RED},stroke-width:2px,color:{RED},stroke-dasharray:5 3",
           "  classDef note fill:#fff8e1,stroke:#f9a825"]

    def node_line(node_id: str, indent: str) -> str:
        node = graph.nodes[node_id]
        start, end = _MERMAID_SHAPES[node.shape]
        return f"{indent}{node_id}{start}{_mermaid_lines(_label(node))}{end}"

    def cluster(c: Cluster, indent: str) -> None:
        out.append(f"{indent}subgraph {c.id}[{_mermaid_lines([c.title])}]")
        for inner in c.clusters:
            cluster(inner, indent + "  ")
        out.extend(node_line(n, indent + "  ") for n in c.nodes)
        out.append(f"{indent}end")

    for c in graph.clusters:
        cluster(c, "  ")
    out.extend(node_line(n, "  ") for n in graph.loose)
    red, dashed = [], []
    for index, edge in enumerate(graph.edges):
        arrow = "==>" if edge.codes else ("-.->" if edge.unresolved else "-->")
        out.append(f"  {edge.source} {arrow}|{_mermaid_lines([_edge_label(edge)])}| {edge.target}")
        (red if edge.codes else dashed if edge.unresolved else []).append(str(index))
    if red:
        out.append(f"  linkStyle {','.join(red)} stroke:{RED},color:{RED},stroke-width:2px")
    if dashed:
        out.append(f"  linkStyle {','.join(dashed)} stroke:{GREY},color:{GREY}")
    classes: dict[str, list] = {}
    for node in graph.nodes.values():
        name = ("brokenDangling" if node.dangling else "broken") if node.red else (
            "dangling" if node.dangling else "note" if node.shape == "note" else None)
        if name:
            classes.setdefault(name, []).append(node.id)
    for name in ("broken", "brokenDangling", "dangling", "note"):
        if name in classes:
            out.append(f"  class {','.join(classes[name])} {name}")
    return "\n".join(out) + "\n"


# DOT: every drawn text is a double-quoted string; a backslash is doubled
# (it would start an escape such as \N or \l), `&` is written `&amp;`
# (Graphviz reads entities such as `&lt;` in any label) and the lines are
# joined by \n.
_DOT_SHAPES = {"app": "ellipse", "store": "cylinder", "secret": "note", "source": "folder", "note": "note",
               "missing": "box", "component": "box", "resource": "box"}


def _dot_text(text: str) -> str:
    return _printable(text).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")


def _dot_lines(lines: list[str]) -> str:
    return '"' + "\\n".join(_dot_text(line) for line in lines) + '"'


def to_dot(graph: Graph) -> str:
    out = ["digraph daprlint {",
           '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, labeljust=l, newrank=true];',
           '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];',
           '  edge [fontname="Helvetica", fontsize=10];']

    def node_line(node_id: str, indent: str) -> str:
        node = graph.nodes[node_id]
        attrs = [f"label={_dot_lines(_label(node))}", f"shape={_DOT_SHAPES[node.shape]}"]
        style = ["rounded"] if node.shape in ("component", "resource", "missing") else []
        if node.dangling:
            style.append("dashed")
        if node.shape == "note":
            style.append("filled")
            attrs.append('fillcolor="#fff8e1"')
        if node.red:
            attrs += [f'color="{RED}"', f'fontcolor="{RED}"', "penwidth=2"]
        attrs.append(f'style="{",".join(style)}"')
        return f"{indent}{node_id} [{', '.join(attrs)}];"

    def cluster(c: Cluster, indent: str) -> None:
        out.append(f"{indent}subgraph cluster_{c.id} {{")
        out.append(f"{indent}  label={_dot_lines([c.title])};")
        for inner in c.clusters:
            cluster(inner, indent + "  ")
        out.extend(node_line(n, indent + "  ") for n in c.nodes)
        out.append(f"{indent}}}")

    for c in graph.clusters:
        cluster(c, "  ")
    out.extend(node_line(n, "  ") for n in graph.loose)
    for edge in graph.edges:
        attrs = [f"label={_dot_lines([_edge_label(edge)])}"]
        if edge.codes:
            attrs += [f'color="{RED}"', f'fontcolor="{RED}"', "penwidth=2"]
        elif edge.unresolved:
            attrs += ["style=dashed", f'color="{GREY}"', f'fontcolor="{GREY}"']
        out.append(f"  {edge.source} -> {edge.target} [{', '.join(attrs)}];")
    out.append("}")
    return "\n".join(out) + "\n"

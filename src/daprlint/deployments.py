"""The deployment layer: which resources load together, and why.

Dapr does not fail one file at a time: it fails at the deployment, the set
of resources one sidecar loads, with the app IDs that load them and the
Secrets they reference. This module works those sets out from the facts of
every file (facts.FileFacts), from the project's own files:

- **Run files** (`dapr run -f dapr.yaml`): each app loads its resources
  paths, resolved as the Dapr CLI does (dapr/cli pkg/runfileconfig, see
  `rules/generated` run-file data): app `resourcesPaths` (relative to the
  app's `appDirPath`) > `<appDirPath>/.dapr/resources` > `common`
  (relative to the run file) > `~/.dapr/components` (outside the tree: the
  deployment is then incomplete). daprd reads the YAML files directly in
  each folder. Apps that load the same folders form one deployment; every
  app ID of the run file is a known app ID. Self-hosted daprd ignores
  `metadata.namespace` (DAPR-FACTS A.3), so namespaces do not split it.
- **kustomize** (`kustomization.yaml`, `.yml`, `Kustomization`): a
  kustomization that no other one includes is a deployment of its
  `resources` (files, and folders with their own kustomization, followed
  recursively). Its `namespace:` is set on everything it includes, as
  kustomize's namespace transformer does (it overrides `metadata.namespace`:
  the tool's behaviour wins over a simpler reading). Files under `patches`,
  `patchesStrategicMerge` and `patchesJson6902` are patches: linted as
  partial resources (role "patch"), not members. Remote or missing entries
  make the deployment incomplete. `secretGenerator` entries define Secrets.
- **Helm charts**: a folder with `Chart.yaml` is one deployment of its
  `templates/` (and its subcharts' templates).
- **The fallback**: one folder (daprd loads one resources path, a folder,
  per run, and repositories keep independent sets side by side), or the
  whole tree with `tree-scope = "tree"`.

Within a deployment, resources group by namespace (`metadata.namespace`,
then kustomize's, then `default`). Files under `resources-paths` join every
deployment. Nothing here runs rules (tree.py does) or reads YAML (the
engine did); it only looks at paths (existence, folders) and reads the JSON
file of a `secretstores.local.file` store (its keys, never printed).
"""
from __future__ import annotations

import os

from .abspaths import Absolute, basename, dirname, join
from bisect import bisect_left
from collections import defaultdict

from ._record import field, record

TREE_SCOPES = ("folder", "tree")
DEFAULT_NAMESPACE = "default"
LOCAL_FILE_MAX_BYTES = 5 * 1024 * 1024


@record(slots=True)
class Deployment:
    key: str                 # stable and unique: what the report and the cache name it by
    kind: str                # "run-file" | "kustomize" | "helm" | "folder" | "tree"
    reason: str              # why these files load together, for `daprlint deployments`
    files: list[str] = field(default_factory=list)
    resources: list = field(default_factory=list)   # facts.ResourceFacts, shared (context) ones first
    workloads: list = field(default_factory=list)   # facts.WorkloadFacts
    secrets: list = field(default_factory=list)     # facts.SecretFacts
    app_ids: dict = field(default_factory=dict)     # app ID -> facts.Ref where it is declared
    # every dapr-enabled workload has a known app ID (else "unknown app ID" checks stay quiet)
    app_ids_complete: bool = True
    complete: bool = True    # nothing remote, missing or outside the tree
    notes: list = field(default_factory=list)       # why it is incomplete
    flat_namespace: bool = False                    # self-hosted: namespaces do not split it
    mode: str = "kubernetes"                        # how it is deployed: "kubernetes" or "self-hosted"
    namespace_override: dict = field(default_factory=dict)  # id(fact) -> namespace set by kustomize
    missing: list = field(default_factory=list)     # [facts.Ref, message, "run-file" | "kustomize"]
    config_files: list = field(default_factory=list)  # [facts.Ref, shown path, holds a Configuration?]
    local_secret_files: dict = field(default_factory=dict)  # id(store fact) -> {secret: keys | None} | None

    def namespace_of(self, fact) -> str:
        if self.flat_namespace:
            return DEFAULT_NAMESPACE
        return self.namespace_override.get(id(fact)) or fact.namespace or DEFAULT_NAMESPACE

    def namespaces(self) -> dict[str, list]:
        """The resources of each namespace, in order."""
        groups: dict[str, list] = defaultdict(list)
        for r in self.resources:
            groups[self.namespace_of(r)].append(r)
        return groups

    def add(self, file_facts, namespace: str = "") -> None:
        """Add a file's resources (once: two bases may include the same file)."""
        if file_facts.path in self.files:
            return
        self.files.append(file_facts.path)
        for group, items in ((self.resources, file_facts.resources), (self.workloads, file_facts.workloads),
                             (self.secrets, file_facts.secrets)):
            group.extend(items)
            if namespace:
                for item in items:
                    self.namespace_override[id(item)] = namespace


def namespace_of(resource) -> str:
    """The namespace a resource asks for (no deployment context)."""
    return resource.namespace or DEFAULT_NAMESPACE


class _Index:
    """The known files, by absolute path and by folder; the charts and run
    files among them, in path order. A tree of thousands of files holds
    hundreds of charts: asking every file about every chart was quadratic
    (~1 s of a 3,000-file repo's profiled run)."""

    def __init__(self, file_facts: list):
        self.by_path: dict[str, object] = {}
        self.by_folder: dict[str, list[str]] = defaultdict(list)
        self.absolute = absolute_of = Absolute()
        for facts in file_facts:
            absolute = absolute_of(facts.path)
            if absolute not in self.by_path:
                self.by_path[absolute] = facts
                self.by_folder[dirname(absolute)].append(absolute)
        self.charts = sorted(p for p, f in self.by_path.items() if f.chart is not None)
        self.run_files = sorted(p for p, f in self.by_path.items() if f.run_file is not None)
        self._sorted: list[str] | None = None

    def under(self, folder: str) -> list[str]:
        """The known paths below *folder*, in sorted order: those from the
        folder's prefix up to (not including) the prefix with its separator
        raised by one code point."""
        if self._sorted is None:
            self._sorted = sorted(self.by_path)
        prefix = folder.rstrip(os.sep) + os.sep
        beyond = prefix[:-1] + chr(ord(os.sep) + 1)
        return self._sorted[bisect_left(self._sorted, prefix):bisect_left(self._sorted, beyond)]


def _resolve(base: str, written: str) -> str | None:
    """*written* relative to *base* (an absolute, normal path); None for what lies outside the
    tree (`~`, URLs). A plain name (no separator, not `.` or `..`) joined to a normal path is
    normal already: kustomizations list their files so, a thousand at a time."""
    if written.startswith("~") or "://" in written or written.startswith(("github.com/", "git@")):
        return None
    if _PLAIN_NAMES and "/" not in written and written not in _DOTS:
        return join(base, written)
    return os.path.normpath(join(base, written))


_PLAIN_NAMES = os.sep == "/" and os.altsep is None  # elsewhere a name may hold a drive: normpath decides
_DOTS = ("", ".", "..")


# -- roles -------------------------------------------------------------------
def roles(file_facts: list) -> dict[str, str]:
    """{absolute path: "patch"} for every file a kustomization lists as a patch."""
    found, absolute_of = {}, Absolute()
    for facts in file_facts:
        k = facts.kustomization
        if k is None:
            continue
        base = dirname(absolute_of(facts.path))
        for ref in k.patches:
            target = _resolve(base, ref.value)
            if target is not None:
                found[target] = "patch"
    return found


# -- building ------------------------------------------------------------------
def build(file_facts: list, shared: list = (), scope: str = "folder", read_file=None,
          root: str | None = None, mode: str = "kubernetes") -> list[Deployment]:
    """The deployments of *file_facts* (facts.FileFacts of the linted and
    context files, in order); *shared* (from `resources-paths`) join each.
    *read_file(path) -> bytes | None* reads a local secret store's JSON file
    if it lies under *root* (no root or no read_file: none is read)."""
    index = _Index(file_facts)
    claimed: set[str] = set()
    # without a chart, kustomization or run file there is nothing to structure (a folder of tree.FolderStream)
    found = _structured(index, claimed) if any(is_structure(f) for f in file_facts) else []
    found += _fallback(index, file_facts, claimed, scope)
    shared_facts = list(shared)
    for deployment in found:
        _add_shared(deployment, shared_facts)
        if read_file is not None and root is not None:
            _local_secret_files(deployment, read_file, os.path.abspath(root))
        # a run file is `dapr run` (self-hosted); kustomize and Helm apply to a cluster; the rest as configured
        deployment.mode = {"run-file": "self-hosted", "kustomize": "kubernetes", "helm": "kubernetes"}.get(
            deployment.kind, mode)
    finish(found)
    return found


def _structured(index: _Index, claimed: set) -> list[Deployment]:
    """The Helm, kustomize and run-file deployments; what they take goes into *claimed*."""
    return _helm(index, claimed) + _kustomize(index, claimed) + _run_files(index, claimed)


def is_structure(file_facts) -> bool:
    """Does this file make a deployment of other files (a kustomization, a chart, a run file)?"""
    return file_facts.kustomization is not None or file_facts.run_file is not None or file_facts.chart is not None


class _PathOnly:
    """A file known by its path alone: what a structure file could take, before it is linted."""

    __slots__ = ("path",)
    resources = workloads = secrets = ()
    run_file = kustomization = chart = None

    def __init__(self, path: str):
        self.path = path


def claimed_paths(structure_facts: list, paths) -> set[str]:
    """The absolute paths that the Helm, kustomize and run-file deployments of
    *structure_facts* take, if the files at *paths* exist: what build() would
    claim, so none of those files lands in a fallback deployment. A file
    linted later may yet make more claims (a run file is known by its content)."""
    if not structure_facts:
        return set()
    claimed: set[str] = set()
    _structured(_Index(list(structure_facts) + [_PathOnly(p) for p in paths]), claimed)
    return claimed


def _add_shared(deployment: Deployment, shared: list) -> None:
    if not shared:
        return
    resources = [r for f in shared for r in f.resources]
    deployment.resources[:0] = resources  # first: a duplicate is reported in the linted file
    deployment.secrets[:0] = [s for f in shared for s in f.secrets]


def _helm(index: _Index, claimed: set) -> list[Deployment]:
    found = []
    roots = {dirname(path) for path in index.charts}
    for path in index.charts:
        facts = index.by_path[path]
        root = dirname(path)
        if _in_charts_folder_of(root, roots):
            continue  # a subchart renders with its parent
        name = facts.chart or basename(root)
        d = Deployment(f"helm:{root}", "helm", f"Helm chart `{name}` ({facts.path}): its templates render together")
        members = [p for p in index.under(join(root, "templates"))]
        members += [p for p in index.under(join(root, "charts")) if f"{os.sep}templates{os.sep}" in p]
        for member in sorted(members):
            d.add(index.by_path[member])
            claimed.add(member)
        found.append(d)
    return found


def _in_charts_folder_of(root: str, roots: set[str]) -> bool:
    """Whether the chart in *root* lies in the `charts/` folder of another chart
    in *roots*: each `/charts/` in the path is looked up, not each other chart
    (a tree of hundreds of charts asked charts-squared questions)."""
    marker = os.sep + "charts" + os.sep
    at = root.find(marker)
    while at >= 0:
        if root[:at] in roots:
            return True
        at = root.find(marker, at + 1)
    return False


def _kustomize(index: _Index, claimed: set) -> list[Deployment]:
    kustomizations = {dirname(p): p for p, f in index.by_path.items() if f.kustomization is not None}
    included: set[str] = set()
    for folder, path in kustomizations.items():
        for ref in index.by_path[path].kustomization.resources:
            target = _resolve(folder, ref.value)
            if target in kustomizations:
                included.add(target)
    found = []
    for folder, path in sorted(kustomizations.items()):
        if folder in included:
            continue
        facts = index.by_path[path]
        namespace = facts.kustomization.namespace
        reason = f"kustomization {facts.path}" + (f" (namespace `{namespace}`)" if namespace else "")
        d = Deployment(f"kustomize:{folder}", "kustomize", reason)
        _include(d, index, kustomizations, folder, namespace, claimed, set())
        found.append(d)
    return found


def _include(d: Deployment, index: _Index, kustomizations: dict, folder: str, namespace: str, claimed: set,
             visiting: set) -> None:
    """Add the resources of the kustomization in *folder*; an outer namespace wins over an inner one."""
    if folder in visiting:
        d.complete = False
        d.notes.append(f"kustomization cycle at {folder}")
        return
    visiting = visiting | {folder}
    path = kustomizations[folder]
    k = index.by_path[path].kustomization
    namespace = namespace or k.namespace
    claimed.add(path)
    for name, keys in k.secret_generators:
        from .facts import SecretFacts

        secret = SecretFacts(path, "secretGenerator", name, "", keys)
        d.secrets.append(secret)
        if namespace:
            d.namespace_override[id(secret)] = namespace
    for ref in k.resources:
        target = _resolve(folder, ref.value)
        if target is None:
            d.complete = False
            d.notes.append(f"{ref.value} is remote or outside the tree")
        elif target in kustomizations:
            _include(d, index, kustomizations, target, namespace, claimed, visiting)
        elif target in index.by_path:
            d.add(index.by_path[target], namespace)
            claimed.add(target)
        elif os.path.isdir(target):
            d.complete = False
            d.notes.append(f"{ref.value} is a folder without a kustomization")
        else:
            d.complete = False
            d.missing.append([ref, f"kustomize resource `{ref.value}` does not exist", "kustomize"])
    for ref in k.patches:
        target = _resolve(folder, ref.value)
        if target is not None:
            claimed.add(target)


def _run_files(index: _Index, claimed: set) -> list[Deployment]:
    found = []
    for path in index.run_files:
        facts = index.by_path[path]
        run = facts.run_file
        run_dir = dirname(path)
        loads: dict[tuple, list] = {}   # resources folders -> [(app ID, Ref or None)]
        missing, notes, configs = [], [], []
        app_ids: dict[str, object] = {}
        for app in run.apps:
            app_dir = _resolve(run_dir, app.app_dir.value) if app.app_dir is not None else None
            if app.app_dir is not None and app_dir is not None and not os.path.isdir(app_dir):
                missing.append([app.app_dir, f"appDirPath `{app.app_dir.value}` does not exist", "run-file"])
            app_id = app.app_id.value if app.app_id is not None else (
                os.path.basename(app_dir) if app_dir else None)
            if app_id:
                app_ids.setdefault(app_id, app.app_id or app.app_dir)
            folders, why = _app_resources(app, app_dir, run, run_dir, missing)
            if why:
                notes.append(why)
            loads.setdefault(tuple(folders), []).append(app_id)
            config = _app_config(app, app_dir, run, run_dir)
            if config is not None:
                ref, target = config
                if not os.path.exists(target):
                    missing.append([ref, f"configFilePath `{ref.value}` does not exist", "run-file"])
                else:
                    held = index.by_path.get(target)
                    configs.append([ref, target, None if held is None else
                                    any(r.kind == "Configuration" for r in held.resources)])
        for folders, apps in loads.items():
            shown = ", ".join(f"`{a}`" for a in apps if a) or "no app ID"
            where_ = ", ".join(os.path.relpath(f) for f in folders) or "~/.dapr/components"
            d = Deployment(f"run-file:{path}:{':'.join(folders)}", "run-file",
                           f"run file {facts.path}: app {shown} load {where_}", flat_namespace=True)
            d.app_ids = dict(app_ids)
            d.missing, d.config_files, d.notes = list(missing), list(configs), list(notes)
            d.complete = not notes
            for folder in folders:
                for member in sorted(index.by_folder.get(folder, ())):
                    d.add(index.by_path[member])
                    claimed.add(member)
            missing = []  # each missing path is reported once, with the first deployment of the run file
            found.append(d)
        claimed.add(path)
    return found


def _app_resources(app, app_dir, run, run_dir, missing) -> tuple[list[str], str | None]:
    """The folders an app loads, by the CLI's precedence, and why none are known (if so)."""
    if app.resources and app_dir is not None:
        folders = []
        for ref in app.resources:
            target = _resolve(app_dir, ref.value)
            if target is None:
                return folders, f"{ref.value} is outside the tree"
            if not os.path.isdir(target):
                missing.append([ref, f"resources path `{ref.value}` does not exist", "run-file"])
            folders.append(target)
        return folders, None
    if app_dir is not None and os.path.isdir(os.path.join(app_dir, ".dapr", "resources")):
        return [os.path.join(app_dir, ".dapr", "resources")], None
    if run.common_resources:
        folders = []
        for ref in run.common_resources:
            target = _resolve(run_dir, ref.value)
            if target is None:
                return folders, f"{ref.value} is outside the tree"
            if not os.path.isdir(target):
                missing.append([ref, f"resources path `{ref.value}` does not exist", "run-file"])
            folders.append(target)
        return folders, None
    return [], "an app loads ~/.dapr/components (outside the tree)"


def _app_config(app, app_dir, run, run_dir):
    """(Ref, absolute path) of the Configuration file an app loads, by the CLI's precedence."""
    if app.config is not None and app_dir is not None:
        target = _resolve(app_dir, app.config.value)
        return (app.config, target) if target else None
    if app_dir is not None and os.path.isfile(os.path.join(app_dir, ".dapr", "config.yaml")):
        return None  # the default file: nothing written to check
    if run.common_config is not None:
        target = _resolve(run_dir, run.common_config.value)
        return (run.common_config, target) if target else None
    return None


def _fallback(index: _Index, file_facts: list, claimed: set, scope: str) -> list[Deployment]:
    units: dict[str, Deployment] = {}
    for facts in file_facts:
        absolute = index.absolute(facts.path)
        if absolute in claimed or index.by_path.get(absolute) is not facts:
            continue
        if not (facts.resources or facts.workloads or facts.secrets):
            continue
        if scope == "tree":
            key, kind, reason = "tree", "tree", "tree-scope = \"tree\": every linted file is one deployment"
        else:
            folder = dirname(absolute)
            key, kind, reason = f"folder:{folder}", "folder", "files in one folder (the fallback)"
        unit = units.get(key)
        if unit is None:
            unit = units[key] = Deployment(key, kind, reason)
        unit.add(facts)
    return list(units.values())


def finish(deployments: list[Deployment]) -> None:
    """App IDs from the workloads of each deployment (run-file apps were added when it was built)."""
    for d in deployments:
        for w in d.workloads:
            if w.enabled is None or not _truthy(w.enabled):
                continue
            if not w.app_id_known:
                d.app_ids_complete = False
            elif w.app_id is not None:
                d.app_ids.setdefault(w.app_id.value, w.app_id)


def _truthy(value: str) -> bool:
    """dapr/kit strings.IsTruthy, which the injector applied to dapr.io/enabled before 1.17.3."""
    return value.strip().lower() in ("y", "yes", "true", "t", "on", "1")


# -- secretstores.local.file ---------------------------------------------------
def _local_secret_files(d: Deployment, read_file, root: str) -> None:
    """daprd opens `secretsFile` relative to its working folder, which daprlint
    cannot know: the component's folder and the current one are tried."""
    for r in d.resources:
        if r.local_file is None or r.local_file[0] is None:
            continue
        written = r.local_file[0].value
        base_dirs = [os.path.dirname(os.path.abspath(r.path)), os.getcwd()]
        for base in base_dirs:
            target = _resolve(base, written)
            if target is None:
                break
            if not target.startswith(root.rstrip(os.sep) + os.sep):
                continue  # never read outside the project
            data = read_file(target)
            if data is not None:
                d.local_secret_files[id(r)] = _local_file_secrets(data, r.local_file[1], r.local_file[2])
                break


def _local_file_secrets(data: bytes, separator: str | None, multi_valued: str | None) -> dict | None:
    """{secret name: keys, or None for any key}, as secretstores.local.file reads its JSON
    (components-contrib secretstores/local/file/filestore.go @ c23900d2: nested keys are
    joined with `nestedSeparator` (default ":"); with `multiValued`, each top-level key is a
    secret and a nested object's flattened keys are its keys; a string value's key is its name)."""
    import json

    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(document, dict):
        return None
    sep = separator or ":"

    def flatten(value, prefix: str, out: list) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                flatten(v, f"{prefix}{sep}{k}" if prefix else str(k), out)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                flatten(v, f"{prefix}{sep}{i}" if prefix else str(i), out)
        else:
            out.append(prefix)

    if multi_valued is not None and multi_valued.strip().lower() in ("true", "1", "t"):
        secrets = {}
        for k, v in document.items():
            if isinstance(v, str):
                secrets[k] = [k]
            elif isinstance(v, dict):
                keys: list = []
                flatten(v, "", keys)
                secrets[k] = keys
        return secrets
    names: list = []
    flatten(document, "", names)
    return {n: [n] for n in names}


def read_local_file(path: str) -> bytes | None:
    """A local secret store's JSON file: a regular file (not a link), within the size limit."""
    import stat

    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > LOCAL_FILE_MAX_BYTES:
            return None
        with open(path, "rb") as f:
            return f.read(LOCAL_FILE_MAX_BYTES + 1)
    except OSError:
        return None


# -- what to read besides the linted files ---------------------------------------
def referenced_paths(file_facts: list) -> set[str]:
    """Absolute paths the project files point at (kustomize resources and
    patches, run-file resources folders' files are found by folder)."""
    wanted, absolute_of = set(), Absolute()
    for facts in file_facts:
        base = dirname(absolute_of(facts.path))
        if facts.kustomization is not None:
            for ref in facts.kustomization.resources + facts.kustomization.patches:
                target = _resolve(base, ref.value)
                if target is not None:
                    wanted.add(target)
        if facts.run_file is not None:
            for app in facts.run_file.apps:
                app_dir = _resolve(base, app.app_dir.value) if app.app_dir is not None else None
                for ref in app.resources:
                    if app_dir is not None:
                        target = _resolve(app_dir, ref.value)
                        if target is not None:
                            wanted.add(target)
                if app_dir is not None:
                    wanted.add(os.path.join(app_dir, ".dapr", "resources"))
            for ref in facts.run_file.common_resources:
                target = _resolve(base, ref.value)
                if target is not None:
                    wanted.add(target)
    return wanted

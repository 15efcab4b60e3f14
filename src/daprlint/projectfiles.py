"""The files that say what a deployment is, built from YAML nodes.

- Run files (`dapr run -f dapr.yaml`): a top-level mapping with `version`
  and an `apps` list (the Dapr CLI parses it with yaml.v2, non-strict, keys
  case-sensitive: dapr/cli pkg/runfileconfig, see
  rules/generated data from run-file-fields.json).
- kustomize files (`kustomization.yaml`, `.yml`, `Kustomization`).
- Helm charts (`Chart.yaml`).

Only names, paths and their positions are kept; the deployment layer
(deployments.py) resolves the paths.
"""
from __future__ import annotations

import os

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .abspaths import basename
from .model import Scalar, keys_of
from .projectnames import CHART_NAME, is_kustomization_name

class RunApp:
    __slots__ = ("node", "fields", "app_id", "app_dir", "resources_paths", "config_file")

    def __init__(self, node: MappingNode):
        self.node = node
        self.fields = keys_of(node)
        self.app_id = Scalar.of(self.fields.get("appID"))
        self.app_dir = Scalar.of(self.fields.get("appDirPath"))
        self.resources_paths = _paths(self.fields)
        self.config_file = Scalar.of(self.fields.get("configFilePath"))


def _paths(fields: dict) -> list[Scalar]:
    """`resourcesPaths` entries and then `resourcesPath`, as the CLI joins them."""
    found = []
    seq = fields.get("resourcesPaths")
    if seq.__class__ is SequenceNode:
        found += [s for s in (Scalar.of(n) for n in seq.value) if s is not None and s.value]
    single = Scalar.of(fields.get("resourcesPath"))
    if single is not None and single.value:
        found.append(single)
    return found


class RunFile:
    """A `dapr.yaml` multi-app run file."""

    __slots__ = ("path", "node", "fields", "common", "common_fields", "apps", "memo")

    def __init__(self, path: str, node: MappingNode):
        self.path, self.node = path, node
        self.fields = keys_of(node)
        self.common = self.fields.get("common")
        self.common_fields = keys_of(self.common)
        apps = self.fields.get("apps")
        self.apps = [RunApp(n) for n in apps.value if n.__class__ is MappingNode] \
            if apps.__class__ is SequenceNode else []
        self.memo: dict = {}

    @property
    def common_resources_paths(self) -> list[Scalar]:
        return _paths(self.common_fields)

    @property
    def common_config_file(self) -> Scalar | None:
        return Scalar.of(self.common_fields.get("configFilePath"))


def run_file_of(path: str, documents: list[Node]) -> RunFile | None:
    """The run file in these documents: the first mapping with `apps` (a list) and `version`."""
    for doc in documents:
        fields = keys_of(doc)
        if fields.get("apps").__class__ is SequenceNode and "version" in fields:
            return RunFile(path, doc)
    return None


class Kustomization:
    """The parts of a kustomization that decide what it deploys."""

    __slots__ = ("path", "namespace", "resources", "patches", "secret_generators")

    def __init__(self, path: str, namespace: Scalar | None, resources: list[Scalar], patches: list[Scalar],
                 secret_generators: list[tuple[Scalar, list[str] | None]]):
        self.path, self.namespace = path, namespace
        self.resources = resources      # files and folders (bases, components), in order
        self.patches = patches          # files that patch other resources
        self.secret_generators = secret_generators  # (name, keys or None when unknowable)


def _scalars(node: Node | None) -> list[Scalar]:
    if node.__class__ is not SequenceNode:
        return []
    return [s for s in (Scalar.of(n) for n in node.value) if s is not None and s.value]


def _patch_paths(fields: dict) -> list[Scalar]:
    found = []
    for key in ("patches", "patchesJson6902"):
        seq = fields.get(key)
        if seq.__class__ is SequenceNode:
            for entry in seq.value:
                if entry.__class__ is MappingNode:
                    p = Scalar.of(keys_of(entry).get("path"))
                    if p is not None and p.value:
                        found.append(p)
                elif entry.__class__ is ScalarNode and entry.value and "\n" not in entry.value:
                    found.append(Scalar(entry.value, entry))
    # patchesStrategicMerge: file paths, or inline YAML documents (multi-line strings)
    found += [s for s in _scalars(fields.get("patchesStrategicMerge")) if "\n" not in s.value]
    return found


def _generated_secret_keys(entry: dict) -> list[str] | None:
    keys: list[str] = []
    for literal in _scalars(entry.get("literals")):
        keys.append(literal.value.split("=", 1)[0])
    for file in _scalars(entry.get("files")):
        key, eq, rest = file.value.partition("=")
        keys.append(key if eq else os.path.basename(file.value))
    if _scalars(entry.get("envs")) or Scalar.of(entry.get("env")):
        return None  # keys come from an env file daprlint does not read
    return keys


def kustomization_of(path: str, documents: list[Node]) -> Kustomization | None:
    if not documents or not is_kustomization_name(path):
        return None
    fields = keys_of(documents[0])
    resources = _scalars(fields.get("resources")) + _scalars(fields.get("bases")) + \
        _scalars(fields.get("components"))
    generators = []
    seq = fields.get("secretGenerator")
    if seq.__class__ is SequenceNode:
        for entry in seq.value:
            entry_fields = keys_of(entry)
            name = Scalar.of(entry_fields.get("name"))
            if name is not None and name.value:
                generators.append((name, _generated_secret_keys(entry_fields)))
    return Kustomization(path, Scalar.of(fields.get("namespace")), resources, _patch_paths(fields), generators)


def chart_of(path: str, documents: list[Node]) -> str | None:
    """A Helm chart's name ("" when it has none) for its `Chart.yaml`; None for other files."""
    if not path.endswith(CHART_NAME) or basename(path) != CHART_NAME:
        return None
    name = Scalar.of(keys_of(documents[0]).get("name")) if documents else None
    return name.value if name is not None else ""

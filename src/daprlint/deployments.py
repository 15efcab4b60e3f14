"""The deployment layer: which resources load together, and why.

Dapr does not fail one file at a time: it fails at the deployment, the set
of resources one sidecar loads. This module works that set out from the
facts of every file (facts.FileFacts) and says why it formed each one:

- `tree`: everything linted together (`tree-scope = "tree"`);
- `folder`: the fallback, one folder (daprd loads one resources path, a
  folder, per run, and repositories keep independent sets side by side).

Within a deployment, resources group by namespace (`metadata.namespace`,
else `default`). Files under `resources-paths` belong to every deployment.
Nothing here runs rules (tree.py does) or reads YAML (the engine did).
"""
from __future__ import annotations

import os
from collections import defaultdict

from ._record import field, record

TREE_SCOPES = ("folder", "tree")
DEFAULT_NAMESPACE = "default"


@record(slots=True)
class Deployment:
    key: str                 # stable and unique: what the tree findings cache and the report name it by
    kind: str                # "folder" | "tree"
    reason: str              # why these files load together, for `daprlint deployments`
    files: list[str] = field(default_factory=list)
    resources: list = field(default_factory=list)  # facts.ResourceFacts, shared (context) ones first

    def namespaces(self) -> dict[str, list]:
        """The resources of each namespace, in order."""
        groups: dict[str, list] = defaultdict(list)
        for r in self.resources:
            groups[namespace_of(r)].append(r)
        return groups


def namespace_of(resource) -> str:
    return resource.namespace or DEFAULT_NAMESPACE


def build(file_facts: list, shared: list = (), scope: str = "folder") -> list[Deployment]:
    """The deployments of *file_facts* (facts.FileFacts of the linted and
    context files, in order); *shared* (from `resources-paths`) join each."""
    units: dict[str, Deployment] = {}
    folders: dict[str, str] = {}  # dirname as written -> absolute folder: abspath once per folder, not per file
    shared_resources = [r for f in shared for r in f.resources]
    for facts in file_facts:
        if scope == "tree":
            key, kind, reason = "tree", "tree", "tree-scope = \"tree\": every linted file is one deployment"
        else:
            written = os.path.dirname(facts.path)
            folder = folders.get(written)
            if folder is None:
                folder = folders[written] = os.path.dirname(os.path.abspath(facts.path))
            key, kind, reason = f"folder:{folder}", "folder", "files in one folder (the fallback)"
        unit = units.get(key)
        if unit is None:
            unit = units[key] = Deployment(key, kind, reason, resources=list(shared_resources))
        unit.files.append(facts.path)
        unit.resources.extend(facts.resources)
    return list(units.values())

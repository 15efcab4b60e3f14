"""The names and marks of the files that say what a deployment is.

Apart from projectfiles.py, which reads them from YAML nodes (and so imports
PyYAML): discovery and the deployment layer sort files by these names on
every run, also one whose files are all cache hits.
"""
from __future__ import annotations

from .abspaths import basename

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
CHART_NAME = "Chart.yaml"
RUN_FILE_NAMES = ("dapr.yaml", "dapr.yml")
STRUCTURE_NAMES = (*KUSTOMIZATION_NAMES, CHART_NAME, *RUN_FILE_NAMES)


def is_structure_name(path: str) -> bool:
    """Files whose name alone says they describe a deployment (parsed first)."""
    return path.endswith(STRUCTURE_NAMES) and basename(path) in STRUCTURE_NAMES  # endswith: no call for most


def is_kustomization_name(path: str) -> bool:
    return path.endswith(KUSTOMIZATION_NAMES) and basename(path) in KUSTOMIZATION_NAMES  # endswith: no call for most


def may_be_run_file(text: str) -> bool:
    """Every app of a run file needs `appDirPath` (the CLI's one required app key)."""
    return "apps" in text and "appDirPath" in text

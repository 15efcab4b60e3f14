"""ANN001's "did you mean" compares annotation names without the `dapr.io/` every one of them
shares: a typo of any annotation the injector reads suggests that annotation, and a name that is
like none of them suggests nothing (with the prefix counted, `dapr.io/owner-team` suggested
`dapr.io/log-level`)."""
from __future__ import annotations

import json

from conftest import REPO, run_cli

ANNOTATIONS = json.loads((REPO / "rules/generated/releases/annotations.json").read_text())


def _known_1_18() -> list[str]:
    entries = ANNOTATIONS["annotations"]
    return sorted(key for key, entry in entries.items()
                  if float(entry.get("since", "1.12")[2:]) <= 18 and "until" not in entry)


def _messages(tmp_path, keys: list[str]) -> dict[str, str]:
    lines = "".join(f'        {key}: "x"\n' for key in keys)
    (tmp_path / "d.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  template:\n    metadata:\n"
        "      annotations:\n        dapr.io/enabled: \"true\"\n        dapr.io/app-id: shop\n" + lines)
    proc = run_cli("check", "--isolated", "--no-cache", "--select", "ANN001", "--output-format", "json",
                   str(tmp_path / "d.yaml"))
    found = json.loads(proc.stdout)["findings"]
    return {f["message"].split("`")[1]: f["message"] for f in found}


def test_a_typo_of_every_annotation_suggests_it(tmp_path):
    known = _known_1_18()
    assert len(known) > 30
    typos = {}
    for key in known:
        name = key[len("dapr.io/"):]
        if len(name) < 6:
            continue
        typo = "dapr.io/" + name[:-2] + name[-1]  # the second-to-last letter dropped
        if typo not in known:
            typos[typo] = key
    messages = _messages(tmp_path, list(typos))
    assert set(messages) == set(typos)
    for typo, key in typos.items():
        assert "did you mean `dapr.io/" in messages[typo], typo  # some suggestion for every typo
    right = sum(f"did you mean `{key}`" in messages[typo] for typo, key in typos.items())
    assert right >= 0.9 * len(typos), (right, len(typos))


def test_names_like_no_annotation_get_no_suggestion(tmp_path):
    messages = _messages(tmp_path, ["dapr.io/owner-team", "dapr.io/team", "dapr.io/cost-center", "dapr.io/x"])
    assert len(messages) == 4
    assert not [m for m in messages.values() if "did you mean" in m], messages

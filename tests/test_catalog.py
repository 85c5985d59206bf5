"""A workspace's own check files: every mistake is refused with its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from platform_maturity.checks.catalog import load_catalog
from platform_maturity.collectors.registry import check_functions
from platform_maturity.domain.errors import UserError

GOOD = """\
id: k8s.team-replicas
title: Workloads keep three replicas
source: kubernetes
goals: [R.A.1]
severity: medium
target: workload
looks_at: spec.replicas of every workload.
remediation: Run at least three replicas.
schema:
  type: object
  required: [spec]
  properties:
    spec: {type: object, required: [replicas], properties: {replicas: {minimum: 3}}}
"""

CASES = {
    "unknown goal": (GOOD.replace("[R.A.1]", "[R.A.99]"), "unknown goal", "goals", 4),
    "invalid schema": (
        GOOD.replace("{minimum: 3}", "{minimum: three}"),
        "JSON Schema is invalid",
        "schema",
        9,
    ),
    "unsupported keyword": (
        GOOD + "  prefixItems: [{type: string}]\n",
        "prefixItems",
        "schema",
        9,
    ),
    "unknown function": (
        GOOD.split("schema:")[0] + "function: no_such_function\n",
        "function that does not exist",
        "function",
        9,
    ),
    "two matchers": (
        GOOD + "function: pdb_covers_workload\n",
        "exactly one of schema, function or detectors",
        None,
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_check_file_is_refused_with_its_location(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text, message, field, line = CASES[case]
    path = tmp_path / "kubernetes" / "team-replicas.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as raised:
        load_catalog(extra=[tmp_path], functions=check_functions(), cache_dir=tmp_path / "c")
    error = raised.value
    assert message in str(error)
    assert error.file == str(path)
    if field is not None:
        assert error.field == field and error.line == line


def test_a_check_id_used_twice_names_both_files(tmp_path: Path) -> None:
    for name in ("a", "b"):
        folder = tmp_path / name / "kubernetes"
        folder.mkdir(parents=True)
        (folder / "replicas.yaml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(UserError) as raised:
        load_catalog(extra=[tmp_path / "a", tmp_path / "b"])
    assert "used twice" in str(raised.value) and str(tmp_path / "a") in str(raised.value)


def test_a_good_workspace_check_runs_compiled(tmp_path: Path) -> None:
    path = tmp_path / "kubernetes" / "team-replicas.yaml"
    path.parent.mkdir()
    path.write_text(GOOD, encoding="utf-8")
    catalog = load_catalog(extra=[tmp_path], cache_dir=tmp_path / "c")
    validator = catalog.validator(catalog.get("k8s.team-replicas"))
    assert validator.is_valid({"spec": {"replicas": 3}})
    assert not validator.is_valid({"spec": {"replicas": 2}})
    assert not validator.is_valid({"spec": {}})

"""A workspace's own check files: every mistake is refused with its file, line and field."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from platform_maturity.checks.catalog import load_catalog
from platform_maturity.checks.check_file import CheckFile, EquivalentsFile
from platform_maturity.collectors.registry import check_functions
from platform_maturity.domain.checks import CheckDefinition, Equivalents
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
    "unknown field": (GOOD + "colour: red\n", "unknown field", "colour", 14),
    "unknown equivalent": (
        GOOD + "equivalents: {kubescore: [container-resources]}\n",
        "unknown field",
        "equivalents.kubescore",
        14,
    ),
    "bad id": (GOOD.replace("k8s.team-replicas", "K8S.Team"), "should match pattern", "id", 1),
    "several problems": (
        GOOD.replace("severity: medium", "severity: urgent").replace("kubernetes", "helm"),
        "2 problems in a check file; the first: Input should be 'kubernetes'",
        "source",
        3,
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


def test_a_check_file_names_other_tools_by_their_own_spelling(tmp_path: Path) -> None:
    path = tmp_path / "kubernetes" / "team-replicas.yaml"
    path.parent.mkdir()
    equivalents = "equivalents: {kube-score: [a], kube-linter: [b], polaris: [c]}\n"
    path.write_text(GOOD + equivalents, encoding="utf-8")
    check = load_catalog(extra=[tmp_path]).get("k8s.team-replicas")
    assert check.equivalents == Equivalents(kube_score=("a",), kube_linter=("b",), polaris=("c",))
    assert check.goals == ("R.A.1",) and check.schema_ is not None


def test_the_check_file_format_carries_every_field_of_a_check() -> None:
    """What to_definition copies by name: a field added on one side only is caught here."""
    assert set(CheckFile.model_fields) == {f.name for f in fields(CheckDefinition)}
    assert set(EquivalentsFile.model_fields) == {f.name for f in fields(Equivalents)}


def test_compiled_schema_code_runs_without_fastjsonschema_and_keeps_its_verdicts() -> None:
    """The code takes its exceptions (and a stand-in for Decimal) from the namespace it runs
    in; alternatives (anyOf) still catch a failing branch, and numbers are still numbers."""
    from platform_maturity.checks.validators import SchemaValidator, compile_code

    schema = {
        "type": "object",
        "required": ["spec"],
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "replicas": {"type": "number", "minimum": 2},
                    "mode": {"anyOf": [{"type": "string", "pattern": "^fast"}, {"const": 3}]},
                },
            }
        },
    }
    code = compile_code(schema)
    assert "fastjsonschema" not in code.co_names and "decimal" not in code.co_names
    validator = SchemaValidator(schema, code)
    assert validator.is_valid({"spec": {"replicas": 2.5, "mode": "faster"}})
    assert validator.is_valid({"spec": {"mode": 3}})
    assert not validator.is_valid({"spec": {"mode": "slow"}})
    assert not validator.is_valid({"spec": {"replicas": True}})  # a boolean is no number
    assert not validator.is_valid({"spec": {"replicas": 1}})
    assert not validator.is_valid({})
    # arithmetic with Decimal (multipleOf) keeps the real one
    steps = compile_code({"type": "object", "properties": {"n": {"multipleOf": 0.5}}})
    assert SchemaValidator({}, steps).is_valid({"n": 1.5})
    assert not SchemaValidator({}, steps).is_valid({"n": 1.25})

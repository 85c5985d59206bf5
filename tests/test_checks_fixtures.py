"""Every check has passing and failing fixtures, walked by this one test.

Layout: tests/fixtures/checks/<check id>/pass*.<ext> and fail*.<ext>. A Kubernetes or
Terraform fixture is a file; a repository fixture is a folder, made into a real git
repository (one commit) before it is scanned. A ``pass`` fixture must give the check no
failure; a ``fail`` fixture at least one. An ``undecided`` fixture (optional) must give the
check only undecided verdicts: values it cannot know (set by Terraform, or left to a Helm
chart) must never pass or fail.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from platform_maturity.checks.catalog import load_catalog
from platform_maturity.collectors.base import ScanContext
from platform_maturity.collectors.kubernetes.chart_reasons import AS_SET
from platform_maturity.collectors.registry import check_functions, collectors
from platform_maturity.domain.checks import CheckDefinition
from platform_maturity.domain.observations import Observation
from platform_maturity.framework.loader import load_framework

FIXTURES = Path(__file__).parent / "fixtures" / "checks"
NOW = datetime(2026, 11, 20, tzinfo=UTC)
CATALOG = load_catalog(load_framework(), functions=check_functions())
CHECKS = [c for c in CATALOG.checks if not c.disabled]


def make_git_repository(source: Path, target: Path) -> Path:
    """Copy a fixture folder and commit it, so checks that read git history can run."""
    shutil.copytree(source, target)
    run = lambda *args: subprocess.run(  # noqa: E731
        ["git", *args], cwd=target, check=True, capture_output=True, text=True
    )
    run("init", "-q", "-b", "main")
    run("add", "-A")
    run(
        "-c",
        "user.name=Fixture",
        "-c",
        "user.email=fixture@example.com",
        "-c",
        "commit.gpgsign=false",
        "commit",
        "-q",
        "-m",
        "fixture",
        "--allow-empty",
    )
    return target


def observations_for(check: CheckDefinition, fixture: Path, tmp_path: Path) -> list[Observation]:
    collector = collectors()[check.source]
    if check.source == "repository":
        fixture = make_git_repository(fixture, tmp_path / fixture.name)
    context = ScanContext(catalog=CATALOG, now=NOW, root=fixture.parent)
    inputs = collector.discover([fixture])
    result = collector.collect(inputs, context)
    assert not result.problems, f"{fixture} could not be read: {result.problems}"
    return [o for o in result.observations if o.check_id == check.id]


def results_for(check: CheckDefinition, fixture: Path, tmp_path: Path) -> list[bool | None]:
    return [o.passed for o in observations_for(check, fixture, tmp_path)]


def fixture_cases() -> list[tuple[CheckDefinition, Path]]:
    cases = []
    for check in CHECKS:
        folder = FIXTURES / check.id
        for fixture in sorted(folder.glob("*")) if folder.is_dir() else []:
            if fixture.name.startswith(("pass", "fail", "undecided")):
                cases.append((check, fixture))
    return cases


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_every_check_has_passing_and_failing_fixtures(check: CheckDefinition) -> None:
    folder = FIXTURES / check.id
    names = [p.name for p in folder.glob("*")] if folder.is_dir() else []
    assert any(n.startswith("pass") for n in names), f"{folder}: add a pass fixture"
    assert any(n.startswith("fail") for n in names), f"{folder}: add a fail fixture"


@pytest.mark.parametrize(
    ("check", "fixture"), fixture_cases(), ids=lambda v: v.id if hasattr(v, "id") else v.name
)
def test_fixture_gives_the_expected_verdict(
    check: CheckDefinition, fixture: Path, tmp_path: Path
) -> None:
    verdicts = results_for(check, fixture, tmp_path)
    assert verdicts, f"{check.id} said nothing about {fixture}"
    if fixture.name.startswith("pass"):
        assert all(v is True for v in verdicts), f"{check.id} did not pass {fixture}"
    elif fixture.name.startswith("fail"):
        assert any(v is False for v in verdicts), f"{check.id} found no failure in {fixture}"
    else:
        assert all(v is None for v in verdicts), f"{check.id} decided on {fixture}: {verdicts}"


def _shape(message: str) -> str:
    """A message with its numbers blanked: "runs 1 replica" and "runs 3 replicas" alike."""
    return re.sub(r"\d+", "#", message.removesuffix(AS_SET))


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_failing_findings_do_not_read_like_passing_ones(
    check: CheckDefinition, tmp_path: Path
) -> None:
    """A failure says what is wrong: its message never has the shape of a pass message
    (as "runs at least 1 replica(s)" once had that of "runs at least 3 replica(s)")."""
    messages: dict[bool, set[str]] = {True: set(), False: set()}
    for fixture in sorted((FIXTURES / check.id).glob("*")):
        if fixture.name.startswith(("pass", "fail")):
            for o in observations_for(check, fixture, tmp_path / fixture.name):
                if o.passed is not None:
                    messages[o.passed].add(_shape(o.message))
    assert messages[False], f"{check.id}: no failing finding in its fail fixtures"
    alike = messages[True] & messages[False]
    assert not alike, f"{check.id}: failures read like passes: {sorted(alike)}"

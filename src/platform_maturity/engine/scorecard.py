"""Build the whole scorecard: every unit, the organization, and the ranked gaps."""

from __future__ import annotations

from datetime import datetime

from platform_maturity.domain.framework import Framework, LookupError_
from platform_maturity.domain.results import GoalResult, PillarResult, ScopeResult, Scorecard
from platform_maturity.engine.evaluate import ORGANIZATION, Facts, evaluate_scope
from platform_maturity.engine.gaps import rank_gaps
from platform_maturity.engine.metrics import metric_result
from platform_maturity.engine.score import pillar_result, scope_result


def _scope(framework: Framework, facts: Facts, scope: str, name: str, now: datetime) -> ScopeResult:
    goal_results = evaluate_scope(framework, facts, scope, now)
    by_pillar: dict[str, list[GoalResult]] = {}
    for result in goal_results:
        by_pillar.setdefault(result.pillar, []).append(result)
    unit = None if scope == ORGANIZATION else scope
    pillars: list[PillarResult] = []
    for pillar in framework.pillars:
        metrics = [
            metric_result(metric, facts.measurements, unit, facts.units, now)
            for metric in pillar.metrics
        ]
        pillars.append(pillar_result(framework, pillar, by_pillar.get(pillar.id, []), metrics))
    return scope_result(framework, scope, name, pillars)


def build_scorecard(
    framework: Framework,
    facts: Facts,
    now: datetime,
    organization_name: str = "Organization",
    only_unit: str | None = None,
) -> Scorecard:
    """The scorecard as of ``now``. With ``only_unit`` the headline scope is that unit."""
    if only_unit is not None and only_unit not in facts.units:
        known = ", ".join(facts.units) or "none"
        raise LookupError_(f"unknown unit {only_unit!r}; units: {known}")
    units = tuple(
        _scope(framework, facts, unit, facts.unit_names.get(unit, unit), now)
        for unit in facts.units
        if only_unit is None or unit == only_unit
    )
    if only_unit is not None:
        headline = units[0]
    else:
        headline = _scope(framework, facts, ORGANIZATION, organization_name, now)
    return Scorecard(
        as_of=now,
        framework_name=framework.name,
        framework_version=framework.version,
        organization=headline,
        units=units,
        gaps=tuple(rank_gaps(framework, headline)),
    )

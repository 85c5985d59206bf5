"""Scores and gated levels for categories, pillars, units and the organization."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from platform_maturity.domain.framework import Framework, Pillar
from platform_maturity.domain.records import Outcome
from platform_maturity.domain.results import (
    CategoryResult,
    GoalResult,
    MetricResult,
    NextLevel,
    PillarResult,
    ScopeResult,
)

PASSING = (Outcome.MET, Outcome.WAIVED)
EXCLUDED = (Outcome.NOT_APPLICABLE, Outcome.WAIVED)


def score(goals: Sequence[GoalResult], credits: Mapping[str, float]) -> float | None:
    """Weighted share of credit, 0-100, over goals that are neither N/A nor waived.

    Returns ``None`` when no goal counts (everything is N/A or waived, or there are none).
    """
    counted = [g for g in goals if g.outcome not in EXCLUDED and g.weight > 0]
    total = sum(g.weight for g in counted)
    if total == 0:
        return None
    earned = sum(g.weight * credits.get(g.outcome.value, 0.0) for g in counted)
    return round(100.0 * earned / total, 1)


def gated_level(goals: Sequence[GoalResult], max_level: int) -> int | None:
    """Highest level L such that every applicable goal of level <= L is met or waived.

    ``None`` when no goal applies at all.
    """
    applicable = [g for g in goals if g.outcome != Outcome.NOT_APPLICABLE]
    if not applicable:
        return None
    reached = 0
    for level in range(1, max_level + 1):
        if all(g.outcome in PASSING for g in applicable if g.level <= level):
            reached = level
        else:
            break
    return reached


def next_level(
    goals: Sequence[GoalResult], current: int | None, framework: Framework
) -> NextLevel | None:
    """What the next level still needs: goals at or below it that are not yet met."""
    if current is None or current >= framework.max_level:
        return None
    target = current + 1
    missing = tuple(
        g.code
        for g in goals
        if g.level <= target and g.outcome not in PASSING and g.outcome != Outcome.NOT_APPLICABLE
    )
    return NextLevel(level=target, name=framework.level_name(target), missing=missing)


def coverage(goals: Sequence[GoalResult]) -> float:
    """Share (0-100) of applicable goals whose outcome is known (for every unit, when rolled up)."""
    applicable = [g for g in goals if g.outcome != Outcome.NOT_APPLICABLE]
    if not applicable:
        return 100.0
    known = sum(
        1
        for g in applicable
        if g.outcome != Outcome.UNKNOWN and Outcome.UNKNOWN not in g.unit_outcomes.values()
    )
    return round(100.0 * known / len(applicable), 1)


def pillar_result(
    framework: Framework,
    pillar: Pillar,
    goals: Sequence[GoalResult],
    metrics: Sequence[MetricResult],
) -> PillarResult:
    by_category: dict[str, list[GoalResult]] = {}
    for goal in goals:
        by_category.setdefault(goal.category, []).append(goal)
    categories = []
    for category in pillar.categories:
        cgoals = by_category.get(category.id, [])
        clevel = gated_level(cgoals, framework.max_level)
        categories.append(
            CategoryResult(
                id=category.id,
                name=category.name,
                score=score(cgoals, framework.credits),
                level=clevel,
                level_name=framework.level_name(clevel) if clevel is not None else "Not applicable",
                next_level=next_level(cgoals, clevel, framework),
                goals=tuple(cgoals),
            )
        )
    level = gated_level(goals, framework.max_level)
    counts = Counter(g.outcome.value for g in goals)
    return PillarResult(
        id=pillar.id,
        name=pillar.name,
        weight=pillar.weight,
        score=score(goals, framework.credits),
        level=level,
        level_name=framework.level_name(level) if level is not None else "Not applicable",
        coverage=coverage(goals),
        counts={o.value: counts.get(o.value, 0) for o in Outcome},
        next_level=next_level(goals, level, framework),
        categories=tuple(categories),
        metrics=tuple(metrics),
        metrics_on_target=sum(1 for m in metrics if m.status == "on-target"),
        metrics_with_data=sum(1 for m in metrics if m.status != "no-data"),
    )


def scope_result(
    framework: Framework, scope: str, name: str, pillars: Sequence[PillarResult]
) -> ScopeResult:
    """A unit's (or the organization's) score: pillar scores weighted by pillar weight.

    Its level is the lowest pillar level: every goal up to that level is in place everywhere.
    """
    scored = [(p.score, p.weight) for p in pillars if p.score is not None and p.weight > 0]
    total = sum(w for _, w in scored)
    overall = round(sum(s * w for s, w in scored) / total, 1) if total else None
    levels = [p.level for p in pillars if p.level is not None]
    level = min(levels) if levels else None
    all_goals = [g for p in pillars for c in p.categories for g in c.goals]
    return ScopeResult(
        scope=scope,
        name=name,
        score=overall,
        level=level,
        level_name=framework.level_name(level) if level is not None else "Not applicable",
        coverage=coverage(all_goals),
        next_level=next_level(all_goals, level, framework),
        pillars=tuple(pillars),
        metrics_on_target=sum(p.metrics_on_target for p in pillars),
        metrics_with_data=sum(p.metrics_with_data for p in pillars),
        open_goals=sum(
            1
            for g in all_goals
            if g.outcome in (Outcome.NOT_MET, Outcome.PARTLY_MET, Outcome.UNKNOWN)
        ),
    )

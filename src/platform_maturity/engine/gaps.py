"""The gaps that matter most: what to do next, ranked."""

from __future__ import annotations

from platform_maturity.domain.framework import Framework
from platform_maturity.domain.records import Outcome
from platform_maturity.domain.results import Gap, ScopeResult

OPEN = (Outcome.NOT_MET, Outcome.PARTLY_MET, Outcome.UNKNOWN)
_OUTCOME_ORDER = {Outcome.NOT_MET: 0, Outcome.UNKNOWN: 1, Outcome.PARTLY_MET: 2}


def rank_gaps(framework: Framework, scope: ScopeResult, limit: int | None = None) -> list[Gap]:
    """Open goals, most urgent first.

    Order: goals that block a pillar's next level come first, lower maturity levels before
    higher ones; then heavier weight (goal weight x pillar weight); then not met before
    unknown before partly met; then goals missed by more units; then framework order.
    """
    candidates = []
    order = 0
    for pillar_result in scope.pillars:
        pillar = framework.pillar(pillar_result.id)
        blocking = set(pillar_result.next_level.missing) if pillar_result.next_level else set()
        next_number = pillar_result.next_level.level if pillar_result.next_level else None
        for category in pillar_result.categories:
            for goal in category.goals:
                order += 1
                if goal.outcome not in OPEN:
                    continue
                defn = framework.goal(goal.code)
                missing = tuple(
                    unit for unit, outcome in goal.unit_outcomes.items() if outcome in OPEN
                )
                blocks = next_number if goal.code in blocking else None
                key = (
                    0 if blocks is not None else 1,
                    goal.level,
                    -(goal.weight * pillar.weight),
                    _OUTCOME_ORDER[goal.outcome],
                    -len(missing),
                    order,
                )
                candidates.append((key, goal, defn.how, pillar_result, missing, blocks))
    candidates.sort(key=lambda item: item[0])
    if limit is not None:
        candidates = candidates[:limit]
    return [
        Gap(
            rank=index,
            code=goal.code,
            pillar=pillar_result.id,
            pillar_name=pillar_result.name,
            level=goal.level,
            statement=goal.statement,
            how=how,
            outcome=goal.outcome,
            units_missing=missing,
            blocks_level=blocks,
        )
        for index, (_, goal, how, pillar_result, missing, blocks) in enumerate(candidates, 1)
    ]

"""What improved and what regressed between two scorecards."""

from __future__ import annotations

from platform_maturity.domain.records import Outcome
from platform_maturity.domain.results import GoalChange, PillarChange, ScopeResult, ScorecardDiff

# Higher is better. N/A sits apart: a change to or from it is neither gain nor loss.
RANK = {
    Outcome.UNKNOWN: 0,
    Outcome.NOT_MET: 1,
    Outcome.PARTLY_MET: 2,
    Outcome.WAIVED: 3,
    Outcome.MET: 4,
}


def diff_scopes(
    before_name: str, before: ScopeResult, after_name: str, after: ScopeResult
) -> ScorecardDiff:
    old_pillars = {p.id: p for p in before.pillars}
    pillars = []
    improved: list[GoalChange] = []
    regressed: list[GoalChange] = []
    old_goals = {g.code: g for p in before.pillars for c in p.categories for g in c.goals}
    for pillar in after.pillars:
        old = old_pillars.get(pillar.id)
        pillars.append(
            PillarChange(
                pillar=pillar.id,
                name=pillar.name,
                score_before=old.score if old else None,
                score_after=pillar.score,
                level_before=old.level if old else None,
                level_after=pillar.level,
            )
        )
        for category in pillar.categories:
            for goal in category.goals:
                prior = old_goals.get(goal.code)
                if prior is None or prior.outcome == goal.outcome:
                    continue
                a, b = RANK.get(prior.outcome), RANK.get(goal.outcome)
                if a is None or b is None:
                    continue
                change = GoalChange(
                    code=goal.code,
                    pillar=pillar.id,
                    statement=goal.statement,
                    before=prior.outcome,
                    after=goal.outcome,
                    direction="improved" if b > a else "regressed",
                )
                (improved if b > a else regressed).append(change)
    return ScorecardDiff(
        before=before_name,
        after=after_name,
        score_before=before.score,
        score_after=after.score,
        pillars=tuple(pillars),
        improved=tuple(improved),
        regressed=tuple(regressed),
    )

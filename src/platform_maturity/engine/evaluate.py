"""Goal outcomes for one unit or for the whole organization."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from platform_maturity.domain.framework import Framework, Goal
from platform_maturity.domain.records import Answer, Measurement, Observation, Outcome, Waiver
from platform_maturity.domain.results import GoalResult

ORGANIZATION = "organization"


@dataclass(frozen=True)
class Facts:
    """Everything the engine reads, already filtered to what existed at ``now``."""

    answers: Sequence[Answer] = ()
    waivers: Sequence[Waiver] = ()
    measurements: Sequence[Measurement] = ()
    observations: Sequence[Observation] = ()
    units: Sequence[str] = ()
    unit_names: Mapping[str, str] = field(default_factory=dict)


def latest_answers(
    answers: Iterable[Answer], now: datetime
) -> dict[tuple[str, str | None], Answer]:
    """The newest answer per (goal, unit) given at or before ``now``."""
    result: dict[tuple[str, str | None], Answer] = {}
    for answer in answers:
        if answer.answered_at > now:
            continue
        key = (answer.goal_code, answer.unit)
        current = result.get(key)
        if current is None or answer.answered_at >= current.answered_at:
            result[key] = answer
    return result


def active_waivers(
    waivers: Iterable[Waiver], now: datetime
) -> dict[tuple[str, str | None], Waiver]:
    return {(w.goal_code, w.unit): w for w in waivers if w.active(now)}


def _result(goal: Goal, outcome: Outcome, source: str, **extra: object) -> GoalResult:
    return GoalResult(
        code=goal.code,
        pillar=goal.pillar,
        category=goal.category,
        level=goal.level,
        weight=goal.weight,
        statement=goal.statement,
        outcome=outcome,
        source=source,
        **extra,
    )


def evaluate_goal(
    goal: Goal,
    unit: str | None,
    answers: Mapping[tuple[str, str | None], Answer],
    waivers: Mapping[tuple[str, str | None], Waiver],
) -> GoalResult:
    """Outcome of ``goal`` for ``unit`` (``None``: organization-wide answers only).

    Order: out of scope, then the unit's own answer (falling back to the organization-wide
    answer), then an active waiver for anything not met, then unknown.
    """
    if not goal.in_scope:
        return _result(
            goal, Outcome.NOT_APPLICABLE, "out-of-scope", reason=goal.out_of_scope_reason
        )
    answer = answers.get((goal.code, unit)) if unit is not None else None
    if answer is None:
        answer = answers.get((goal.code, None))
    waiver = waivers.get((goal.code, unit)) if unit is not None else None
    if waiver is None:
        waiver = waivers.get((goal.code, None))
    details: dict[str, object] = {}
    if answer is not None:
        details = {
            "note": answer.note,
            "reason": answer.reason,
            "evidence_url": answer.evidence_url,
            "answered_at": answer.answered_at,
        }
        if answer.status in (Outcome.MET, Outcome.NOT_APPLICABLE):
            return _result(goal, answer.status, "answer", **details)
    if waiver is not None:
        details["reason"] = (
            f"waived until {waiver.expires_at:%Y-%m-%d}: {waiver.reason}"
            if (waiver.expires_at)
            else f"waived: {waiver.reason}"
        )
        return _result(goal, Outcome.WAIVED, "waiver", **details)
    if answer is not None:
        return _result(goal, answer.status, "answer", **details)
    return _result(goal, Outcome.UNKNOWN, "none")


def combine(outcomes: Mapping[str, Outcome]) -> Outcome:
    """The organization's outcome for a goal from its units' outcomes.

    Not applicable and waived units are left out. Met only when every remaining unit has
    met it; not met when none has met it even in part; partly met otherwise. Units with
    no answer keep the goal from counting as met.
    """
    relevant = [o for o in outcomes.values() if o not in (Outcome.NOT_APPLICABLE, Outcome.WAIVED)]
    if not relevant:
        if outcomes and all(o == Outcome.WAIVED for o in outcomes.values()):
            return Outcome.WAIVED
        if outcomes and Outcome.WAIVED in outcomes.values():
            return Outcome.WAIVED
        return Outcome.NOT_APPLICABLE if outcomes else Outcome.UNKNOWN
    known = [o for o in relevant if o != Outcome.UNKNOWN]
    if not known:
        return Outcome.UNKNOWN
    if len(known) == len(relevant) and all(o == Outcome.MET for o in known):
        return Outcome.MET
    if all(o == Outcome.NOT_MET for o in known):
        return Outcome.NOT_MET
    return Outcome.PARTLY_MET


def evaluate_scope(
    framework: Framework, facts: Facts, scope: str, now: datetime
) -> list[GoalResult]:
    """Goal results for a unit slug, or for ``ORGANIZATION``."""
    answers = latest_answers(facts.answers, now)
    waivers = active_waivers(facts.waivers, now)
    results: list[GoalResult] = []
    for goal in framework.goals():
        if scope != ORGANIZATION:
            results.append(evaluate_goal(goal, scope, answers, waivers))
            continue
        org_level = evaluate_goal(goal, None, answers, waivers)
        if not facts.units or org_level.source == "out-of-scope":
            results.append(org_level)
            continue
        per_unit = {u: evaluate_goal(goal, u, answers, waivers).outcome for u in facts.units}
        combined = combine(per_unit)
        # an organization-wide waiver's reason shows only where the waiver is what counts
        keeps_reason = org_level.source == "answer" or combined == Outcome.WAIVED
        results.append(
            _result(
                goal,
                combined,
                "units",
                unit_outcomes=per_unit,
                note=org_level.note,
                reason=org_level.reason if keeps_reason else None,
                evidence_url=org_level.evidence_url,
                answered_at=org_level.answered_at,
            )
        )
    return results

"""Goal outcomes for one unit or for the whole organization."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from platform_maturity.domain.framework import Framework, Goal
from platform_maturity.domain.records import Answer, Measurement, Observation, Outcome, Waiver
from platform_maturity.domain.results import GoalResult
from platform_maturity.engine.evidence import AutomatedEvidence, automated_evidence

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


def _disagree(answer: Outcome | None, scan: Outcome) -> bool:
    """A person's answer contradicts the scan: one says met, the other does not."""
    if answer is None or answer == Outcome.WAIVED:
        return False
    if answer == Outcome.NOT_APPLICABLE:
        return True  # the scan found subjects the goal applies to
    return (answer == Outcome.MET) != (scan == Outcome.MET)


def with_evidence(
    result: GoalResult,
    automated: AutomatedEvidence | None,
    waiver: Waiver | None,
) -> GoalResult:
    """Let automated evidence decide the outcome; keep the answer beside it.

    Out-of-scope goals stay not applicable. A goal the scan finds not (fully) met still
    counts as waived while a waiver is active.
    """
    if automated is None or result.source == "out-of-scope":
        return result
    outcome = automated.outcome
    reason = result.reason
    if outcome in (Outcome.NOT_MET, Outcome.PARTLY_MET) and waiver is not None:
        outcome = Outcome.WAIVED
        reason = f"waived: {waiver.reason}"
    answered = result.outcome if result.source in ("answer", "units") else None
    if result.source == "units" and result.outcome == Outcome.UNKNOWN:
        answered = None
    return result.model_copy(
        update={
            "outcome": outcome,
            "source": "scan",
            "reason": reason,
            "evidence_summary": automated.summary,
            "evidence_refs": automated.refs,
            "failing_subjects": automated.failing_subjects,
            "answer_outcome": answered,
            "disagreement": _disagree(answered, automated.outcome),
        }
    )


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
    current = [o for o in facts.observations if o.observed_at <= now]
    unit = None if scope == ORGANIZATION else scope
    evidence = automated_evidence(current, unit)
    per_unit_evidence = (
        {u: automated_evidence(current, u) for u in facts.units} if unit is None else {}
    )

    def waiver_for(code: str, who: str | None) -> Waiver | None:
        return (waivers.get((code, who)) if who is not None else None) or waivers.get((code, None))

    results: list[GoalResult] = []
    for goal in framework.goals():
        automated = evidence.get(goal.code)
        if scope != ORGANIZATION:
            result = evaluate_goal(goal, scope, answers, waivers)
            results.append(with_evidence(result, automated, waiver_for(goal.code, scope)))
            continue
        org_level = evaluate_goal(goal, None, answers, waivers)
        if not facts.units or org_level.source == "out-of-scope":
            results.append(with_evidence(org_level, automated, waiver_for(goal.code, None)))
            continue
        answered = {u: evaluate_goal(goal, u, answers, waivers) for u in facts.units}
        per_unit = {
            u: with_evidence(
                answered[u], per_unit_evidence[u].get(goal.code), waiver_for(goal.code, u)
            ).outcome
            for u in facts.units
        }
        # what people said, combined; the scan (if any) then decides beside it
        combined = combine({u: r.outcome for u, r in answered.items()})
        # an organization-wide waiver's reason shows only where the waiver is what counts
        keeps_reason = org_level.source == "answer" or combined == Outcome.WAIVED
        combined_result = _result(
            goal,
            combined,
            "units",
            unit_outcomes=per_unit,
            note=org_level.note,
            reason=org_level.reason if keeps_reason else None,
            evidence_url=org_level.evidence_url,
            answered_at=org_level.answered_at,
        )
        results.append(with_evidence(combined_result, automated, waiver_for(goal.code, None)))
    return results

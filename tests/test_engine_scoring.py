"""The pure engine: goal outcomes, scores, gated levels, coverage, metrics, gaps, diffs."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.framework import (
    Category,
    Evidence,
    Framework,
    Goal,
    Level,
    Metric,
    Pillar,
)
from platform_maturity.domain.records import Answer, Measurement, Outcome, Waiver
from platform_maturity.domain.results import (
    CategoryResult,
    GoalResult,
    MetricResult,
    NextLevel,
    PillarResult,
    ScopeResult,
)
from platform_maturity.engine.diff import diff_scopes
from platform_maturity.engine.evaluate import (
    ORGANIZATION,
    Facts,
    active_waivers,
    combine,
    evaluate_goal,
    evaluate_scope,
    latest_answers,
)
from platform_maturity.engine.gaps import rank_gaps
from platform_maturity.engine.metrics import metric_result
from platform_maturity.engine.score import (
    coverage,
    gated_level,
    next_level,
    pillar_result,
    scope_result,
    score,
)
from platform_maturity.engine.scorecard import build_scorecard
from platform_maturity.framework.loader import load_framework

MET = Outcome.MET
PARTLY = Outcome.PARTLY_MET
NOT_MET = Outcome.NOT_MET
NA = Outcome.NOT_APPLICABLE
UNKNOWN = Outcome.UNKNOWN
WAIVED = Outcome.WAIVED

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
CREDITS = {"met": 1.0, "partly_met": 0.5, "not_met": 0.0, "unknown": 0.0}
LEVELS = tuple(
    Level(number=n, name=name, description=f"Level {n}.")
    for n, name in enumerate(("Foundational", "Standardized", "Automated", "Optimized"), 1)
)

# ---- builders ----------------------------------------------------------------------------


def day(offset: float) -> datetime:
    """``NOW`` shifted by ``offset`` days (negative: in the past)."""
    return NOW + timedelta(days=offset)


def make_goal(
    code: str,
    level: int = 1,
    weight: float = 1.0,
    *,
    pillar: str = "delivery",
    category: str = "pipelines",
    in_scope: bool = True,
    reason: str | None = None,
) -> Goal:
    return Goal(
        code=code,
        level=level,
        weight=weight,
        statement=f"Goal {code} is in place.",
        why="Because it matters.",
        how=f"Put {code} in place.",
        evidence=Evidence(question=f"Is {code} in place?"),
        pillar=pillar,
        category=category,
        in_scope=in_scope,
        out_of_scope_reason=reason,
    )


def make_pillar(
    pid: str,
    prefix: str,
    categories: Mapping[str, Sequence[tuple[str, int, float] | Goal]],
    weight: float = 1.0,
    metrics: Sequence[Metric] = (),
) -> Pillar:
    """A pillar from ``{category: [(code, level, weight) | Goal, ...]}``."""
    return Pillar(
        id=pid,
        name=pid.replace("-", " ").title(),
        prefix=prefix,
        weight=weight,
        description=f"The {pid} pillar.",
        metrics=tuple(metrics),
        categories=tuple(
            Category(
                id=cid,
                name=cid.title(),
                goals=tuple(
                    g
                    if isinstance(g, Goal)
                    else make_goal(g[0], g[1], g[2], pillar=pid, category=cid)
                    for g in goals
                ),
            )
            for cid, goals in categories.items()
        ),
    )


def make_framework(*pillars: Pillar) -> Framework:
    return Framework(
        name="Test", version="1", levels=LEVELS, credits=CREDITS, pillars=pillars, kpis=()
    )


def make_metric(
    mid: str = "delivery.lead-time",
    unit: str = "h",
    target: str = "< 1 day",
    tolerance: float | None = None,
) -> Metric:
    return Metric.model_validate(
        {
            "id": mid,
            "name": "Lead time",
            "description": "Merge to production.",
            "unit": unit,
            "direction": "lower",
            "target": target,
            "tolerance": tolerance,
            "pillar": mid.split(".")[0],
        }
    )


def result(
    code: str,
    outcome: Outcome,
    level: int = 1,
    weight: float = 1.0,
    *,
    pillar: str = "delivery",
    category: str = "pipelines",
    unit_outcomes: Mapping[str, Outcome] | None = None,
) -> GoalResult:
    return GoalResult(
        code=code,
        pillar=pillar,
        category=category,
        level=level,
        weight=weight,
        statement=f"Goal {code} is in place.",
        outcome=outcome,
        source="answer",
        unit_outcomes=dict(unit_outcomes or {}),
    )


def answer(
    code: str,
    status: Outcome,
    unit: str | None = None,
    at: float = -1,
    **extra: str,
) -> Answer:
    return Answer(goal_code=code, unit=unit, status=status, answered_at=day(at), **extra)


def waiver(
    code: str, unit: str | None = None, created: float = -10, expires: float | None = 30
) -> Waiver:
    return Waiver(
        goal_code=code,
        unit=unit,
        reason="Migration planned next quarter.",
        owner="platform-team",
        created_at=day(created),
        expires_at=None if expires is None else day(expires),
    )


def measure(
    value: float, unit: str | None = None, at: float = -1, metric: str = "delivery.lead-time"
) -> Measurement:
    return Measurement(metric_id=metric, unit=unit, value=value, measured_at=day(at))


# ---- answers and waivers as of a date ----------------------------------------------------


def test_latest_answers_keeps_newest_per_goal_and_unit() -> None:
    answers = [
        answer("D.P.1", NOT_MET, "payments", at=-5),
        answer("D.P.1", MET, "payments", at=-2),
        answer("D.P.1", PARTLY, "payments", at=+1),  # after NOW: ignored
        answer("D.P.1", PARTLY, None, at=-3),
        answer("D.P.2", NA, "search", at=-1),
    ]
    latest = latest_answers(answers, NOW)
    assert {key: a.status for key, a in latest.items()} == {
        ("D.P.1", "payments"): MET,
        ("D.P.1", None): PARTLY,
        ("D.P.2", "search"): NA,
    }


@pytest.mark.parametrize(
    ("created", "expires", "active"),
    [
        (-10, 30, True),
        (-10, None, True),
        (0, 30, True),  # created at NOW
        (-10, 0, False),  # expires at NOW
        (-10, -1, False),  # expired
        (1, 30, False),  # created later
    ],
)
def test_waiver_active(created: float, expires: float | None, active: bool) -> None:
    w = waiver("D.P.1", "payments", created=created, expires=expires)
    assert w.active(NOW) is active
    assert (("D.P.1", "payments") in active_waivers([w], NOW)) is active


# ---- evaluate_goal -----------------------------------------------------------------------

UNIT = "payments"


@pytest.mark.parametrize(
    ("unit", "in_scope", "answers", "waivers", "outcome", "source"),
    [
        pytest.param(UNIT, True, [], [], UNKNOWN, "none", id="no-answer"),
        pytest.param(UNIT, True, [answer("D.P.1", MET, UNIT)], [], MET, "answer", id="met"),
        pytest.param(
            UNIT, True, [answer("D.P.1", PARTLY, UNIT)], [], PARTLY, "answer", id="partly"
        ),
        pytest.param(
            UNIT, True, [answer("D.P.1", NOT_MET, UNIT)], [], NOT_MET, "answer", id="not-met"
        ),
        pytest.param(UNIT, True, [answer("D.P.1", NA, UNIT)], [], NA, "answer", id="n/a"),
        pytest.param(
            UNIT, True, [answer("D.P.1", MET, None)], [], MET, "answer", id="org-answer-fallback"
        ),
        pytest.param(
            UNIT, True, [answer("D.P.1", NA, None)], [], NA, "answer", id="org-n/a-fallback"
        ),
        pytest.param(
            UNIT,
            True,
            [answer("D.P.1", MET, None), answer("D.P.1", NOT_MET, UNIT)],
            [],
            NOT_MET,
            "answer",
            id="unit-answer-beats-org-answer",
        ),
        pytest.param(
            UNIT,
            True,
            [answer("D.P.1", NOT_MET, None), answer("D.P.1", MET, UNIT)],
            [],
            MET,
            "answer",
            id="unit-met-beats-org-not-met",
        ),
        pytest.param(
            UNIT,
            True,
            [answer("D.P.1", MET, "search")],
            [],
            UNKNOWN,
            "none",
            id="other-unit-answer-ignored",
        ),
        pytest.param(
            UNIT,
            True,
            [answer("D.P.2", MET, UNIT)],
            [],
            UNKNOWN,
            "none",
            id="other-goal-answer-ignored",
        ),
        pytest.param(
            None,
            True,
            [answer("D.P.1", MET, UNIT)],
            [],
            UNKNOWN,
            "none",
            id="org-scope-ignores-unit-answers",
        ),
        pytest.param(
            None,
            True,
            [answer("D.P.1", PARTLY, None)],
            [],
            PARTLY,
            "answer",
            id="org-scope-org-answer",
        ),
        pytest.param(
            UNIT,
            True,
            [answer("D.P.1", MET, UNIT, at=-5), answer("D.P.1", NOT_MET, UNIT, at=-1)],
            [],
            NOT_MET,
            "answer",
            id="newest-answer-wins",
        ),
        pytest.param(
            UNIT,
            True,
            [answer("D.P.1", NOT_MET, UNIT, at=-5), answer("D.P.1", MET, UNIT, at=2)],
            [],
            NOT_MET,
            "answer",
            id="future-answer-ignored",
        ),
        pytest.param(
            UNIT,
            True,
            [answer("D.P.1", NOT_MET, UNIT)],
            [waiver("D.P.1", UNIT)],
            WAIVED,
            "waiver",
            id="waiver-covers-not-met",
        ),
        pytest.param(
            UNIT,
            True,
            [answer("D.P.1", PARTLY, UNIT)],
            [waiver("D.P.1", UNIT)],
            WAIVED,
            "waiver",
            id="waiver-covers-partly-met",
        ),
        pytest.param(
            UNIT, True, [], [waiver("D.P.1", UNIT)], WAIVED, "waiver", id="waiver-covers-unknown"
        ),
        pytest.param(
            UNIT,
            True,
            [answer("D.P.1", MET, UNIT)],
            [waiver("D.P.1", UNIT)],
            MET,
            "answer",
            id="met-stays-met-despite-waiver",
        ),
        pytest.param(
            UNIT,
            True,
            [answer("D.P.1", NA, UNIT)],
            [waiver("D.P.1", UNIT)],
            NA,
            "answer",
            id="n/a-stays-n/a-despite-waiver",
        ),
        pytest.param(
            UNIT,
            True,
            [answer("D.P.1", NOT_MET, UNIT)],
            [waiver("D.P.1", UNIT, expires=None)],
            WAIVED,
            "waiver",
            id="waiver-without-expiry",
        ),
        pytest.param(
            UNIT,
            True,
            [answer("D.P.1", NOT_MET, UNIT)],
            [waiver("D.P.1", UNIT, expires=-1)],
            NOT_MET,
            "answer",
            id="waiver-expired",
        ),
        pytest.param(
            UNIT,
            True,
            [],
            [waiver("D.P.1", UNIT, expires=-1)],
            UNKNOWN,
            "none",
            id="waiver-expired-no-answer",
        ),
        pytest.param(
            UNIT,
            True,
            [answer("D.P.1", NOT_MET, UNIT)],
            [waiver("D.P.1", UNIT, expires=0)],
            NOT_MET,
            "answer",
            id="waiver-expiring-now",
        ),
        pytest.param(
            UNIT,
            True,
            [answer("D.P.1", NOT_MET, UNIT)],
            [waiver("D.P.1", UNIT, created=1)],
            NOT_MET,
            "answer",
            id="waiver-not-yet-created",
        ),
        pytest.param(
            UNIT,
            True,
            [answer("D.P.1", NOT_MET, UNIT)],
            [waiver("D.P.1", None)],
            WAIVED,
            "waiver",
            id="org-waiver-covers-unit",
        ),
        pytest.param(
            UNIT,
            True,
            [answer("D.P.1", NOT_MET, UNIT)],
            [waiver("D.P.1", "search")],
            NOT_MET,
            "answer",
            id="other-unit-waiver-ignored",
        ),
        pytest.param(
            None,
            True,
            [answer("D.P.1", NOT_MET, None)],
            [waiver("D.P.1", UNIT)],
            NOT_MET,
            "answer",
            id="org-scope-ignores-unit-waiver",
        ),
        pytest.param(
            None,
            True,
            [answer("D.P.1", NOT_MET, None)],
            [waiver("D.P.1", None)],
            WAIVED,
            "waiver",
            id="org-scope-org-waiver",
        ),
        pytest.param(
            UNIT, False, [answer("D.P.1", MET, UNIT)], [], NA, "out-of-scope", id="out-of-scope"
        ),
        pytest.param(
            UNIT,
            False,
            [answer("D.P.1", NOT_MET, UNIT)],
            [waiver("D.P.1", UNIT)],
            NA,
            "out-of-scope",
            id="out-of-scope-beats-waiver",
        ),
        pytest.param(None, False, [], [], NA, "out-of-scope", id="out-of-scope-org"),
    ],
)
def test_evaluate_goal(
    unit: str | None,
    in_scope: bool,
    answers: list[Answer],
    waivers: list[Waiver],
    outcome: Outcome,
    source: str,
) -> None:
    goal = make_goal("D.P.1", 2, 3.0, in_scope=in_scope, reason=None if in_scope else "No CI here.")
    got = evaluate_goal(goal, unit, latest_answers(answers, NOW), active_waivers(waivers, NOW))
    assert (got.outcome, got.source) == (outcome, source)
    assert (got.code, got.pillar, got.category, got.level, got.weight) == (
        "D.P.1",
        "delivery",
        "pipelines",
        2,
        3.0,
    )


def test_evaluate_goal_details() -> None:
    goal = make_goal("D.P.1")
    given = answer("D.P.1", PARTLY, UNIT, note="Half the repos.", evidence_url="https://ci.example")
    got = evaluate_goal(goal, UNIT, latest_answers([given], NOW), {})
    assert (got.note, got.evidence_url, got.answered_at) == (
        "Half the repos.",
        "https://ci.example",
        given.answered_at,
    )
    waived = evaluate_goal(
        goal,
        UNIT,
        latest_answers([given], NOW),
        active_waivers([waiver("D.P.1", UNIT, expires=30)], NOW),
    )
    assert waived.reason == "waived until 2026-07-30: Migration planned next quarter."
    assert waived.note == "Half the repos."
    forever = evaluate_goal(goal, UNIT, {}, active_waivers([waiver("D.P.1", expires=None)], NOW))
    assert forever.reason == "waived: Migration planned next quarter."
    out = evaluate_goal(make_goal("D.P.1", in_scope=False, reason="No CI here."), UNIT, {}, {})
    assert out.reason == "No CI here."


# ---- combine: the organization from its units --------------------------------------------


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ({}, UNKNOWN),
        ({"a": MET}, MET),
        ({"a": MET, "b": MET}, MET),
        ({"a": MET, "b": MET, "c": MET}, MET),
        ({"a": MET, "b": PARTLY}, PARTLY),
        ({"a": MET, "b": NOT_MET}, PARTLY),
        ({"a": PARTLY, "b": PARTLY}, PARTLY),
        ({"a": PARTLY, "b": NOT_MET}, PARTLY),
        ({"a": NOT_MET}, NOT_MET),
        ({"a": NOT_MET, "b": NOT_MET}, NOT_MET),
        # units that have not answered
        ({"a": UNKNOWN}, UNKNOWN),
        ({"a": UNKNOWN, "b": UNKNOWN}, UNKNOWN),
        ({"a": MET, "b": UNKNOWN}, PARTLY),
        ({"a": MET, "b": MET, "c": UNKNOWN}, PARTLY),
        ({"a": PARTLY, "b": UNKNOWN}, PARTLY),
        ({"a": NOT_MET, "b": UNKNOWN}, NOT_MET),
        # N/A and waived units are left out
        ({"a": MET, "b": NA}, MET),
        ({"a": NOT_MET, "b": NA}, NOT_MET),
        ({"a": PARTLY, "b": NA}, PARTLY),
        ({"a": UNKNOWN, "b": NA}, UNKNOWN),
        ({"a": MET, "b": WAIVED}, MET),
        ({"a": NOT_MET, "b": WAIVED}, NOT_MET),
        ({"a": UNKNOWN, "b": WAIVED}, UNKNOWN),
        ({"a": MET, "b": WAIVED, "c": NA}, MET),
        ({"a": MET, "b": NOT_MET, "c": WAIVED, "d": NA, "e": UNKNOWN}, PARTLY),
        # nothing left
        ({"a": NA}, NA),
        ({"a": NA, "b": NA}, NA),
        ({"a": WAIVED}, WAIVED),
        ({"a": WAIVED, "b": WAIVED}, WAIVED),
        ({"a": WAIVED, "b": NA}, WAIVED),
    ],
)
def test_combine(outcomes: dict[str, Outcome], expected: Outcome) -> None:
    assert combine(outcomes) == expected


def test_evaluate_scope_organization_combines_units() -> None:
    framework = make_framework(
        make_pillar(
            "delivery",
            "D",
            {
                "pipelines": [
                    ("D.P.1", 1, 1.0),
                    ("D.P.2", 1, 1.0),
                    make_goal("D.P.3", in_scope=False, reason="Not ours."),
                ]
            },
        )
    )
    facts = Facts(
        answers=[
            answer("D.P.1", MET, None, note="Org-wide", evidence_url="https://wiki"),
            answer("D.P.1", NOT_MET, "b"),
            answer("D.P.2", MET, "a"),
            answer("D.P.3", MET, None),
        ],
        waivers=[waiver("D.P.2", "b")],
        units=("a", "b"),
    )
    org = {r.code: r for r in evaluate_scope(framework, facts, ORGANIZATION, NOW)}
    assert org["D.P.1"].outcome == PARTLY
    assert org["D.P.1"].source == "units"
    assert org["D.P.1"].unit_outcomes == {"a": MET, "b": NOT_MET}
    assert (org["D.P.1"].note, org["D.P.1"].evidence_url) == ("Org-wide", "https://wiki")
    assert org["D.P.2"].outcome == MET
    assert org["D.P.2"].unit_outcomes == {"a": MET, "b": WAIVED}
    assert (org["D.P.3"].outcome, org["D.P.3"].source) == (NA, "out-of-scope")
    assert org["D.P.3"].unit_outcomes == {}
    unit_b = {r.code: r.outcome for r in evaluate_scope(framework, facts, "b", NOW)}
    assert unit_b == {"D.P.1": NOT_MET, "D.P.2": WAIVED, "D.P.3": NA}


def test_combined_result_does_not_claim_an_unused_waiver() -> None:
    framework = make_framework(make_pillar("delivery", "D", {"pipelines": [("D.P.1", 1, 1.0)]}))
    facts = Facts(
        answers=[answer("D.P.1", MET, "a"), answer("D.P.1", MET, "b")],
        waivers=[waiver("D.P.1", None)],
        units=("a", "b"),
    )
    (org,) = evaluate_scope(framework, facts, ORGANIZATION, NOW)
    assert org.outcome == MET
    assert org.reason is None or "waived" not in org.reason


def test_evaluate_scope_organization_without_units_uses_org_answers() -> None:
    framework = make_framework(
        make_pillar("delivery", "D", {"pipelines": [("D.P.1", 1, 1.0), ("D.P.2", 1, 1.0)]})
    )
    facts = Facts(answers=[answer("D.P.1", PARTLY, None), answer("D.P.2", MET, "a")])
    org = {
        r.code: (r.outcome, r.source) for r in evaluate_scope(framework, facts, ORGANIZATION, NOW)
    }
    assert org == {"D.P.1": (PARTLY, "answer"), "D.P.2": (UNKNOWN, "none")}


# ---- score -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("goals", "expected"),
    [
        pytest.param([], None, id="no-goals"),
        pytest.param([(MET, 1)], 100.0, id="met"),
        pytest.param([(PARTLY, 1)], 50.0, id="partly-half-credit"),
        pytest.param([(NOT_MET, 1)], 0.0, id="not-met"),
        pytest.param([(UNKNOWN, 1)], 0.0, id="unknown-counts-zero"),
        pytest.param([(MET, 1), (NOT_MET, 1)], 50.0, id="half"),
        pytest.param([(MET, 3), (NOT_MET, 1)], 75.0, id="weights"),
        pytest.param([(MET, 1), (PARTLY, 2), (NOT_MET, 1)], 50.0, id="weighted-partly"),
        pytest.param([(MET, 1), (UNKNOWN, 1), (UNKNOWN, 2)], 25.0, id="unknowns-dilute"),
        pytest.param([(MET, 1), (NA, 5)], 100.0, id="n/a-excluded"),
        pytest.param([(MET, 1), (WAIVED, 5), (NOT_MET, 1)], 50.0, id="waived-excluded"),
        pytest.param([(NA, 1), (WAIVED, 1)], None, id="all-excluded"),
        pytest.param([(MET, 0), (NOT_MET, 1)], 0.0, id="zero-weight-ignored"),
        pytest.param([(MET, 0)], None, id="only-zero-weight"),
        pytest.param([(MET, 1), (MET, 1), (NOT_MET, 1)], 66.7, id="rounded-up"),
        pytest.param([(PARTLY, 1), (NOT_MET, 2)], 16.7, id="rounded-partly"),
        pytest.param([(MET, 1)] + [(NOT_MET, 1)] * 2, 33.3, id="rounded-down"),
        # 100 x 1.25 / 4 = 31.25: Python rounds a tie to the even digit
        pytest.param([(MET, 0.5), (PARTLY, 1.5), (NOT_MET, 2)], 31.2, id="fractional-weights"),
    ],
)
def test_score(goals: list[tuple[Outcome, float]], expected: float | None) -> None:
    results = [result(f"D.P.{i}", o, weight=w) for i, (o, w) in enumerate(goals, 1)]
    assert score(results, CREDITS) == expected


def test_score_uses_the_framework_credits() -> None:
    results = [result("D.P.1", PARTLY), result("D.P.2", UNKNOWN), result("D.P.3", MET)]
    assert score(results, {"met": 1.0, "partly_met": 0.25}) == 41.7
    assert score(results, {"met": 1.0, "partly_met": 0.5, "unknown": 0.5}) == 66.7


# ---- gated levels ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("goals", "expected"),
    [
        pytest.param([], None, id="no-goals"),
        pytest.param([(NA, 1), (NA, 3)], None, id="all-n/a"),
        pytest.param([(MET, 1)], 4, id="all-met-reaches-top"),
        pytest.param([(MET, 1), (MET, 2), (MET, 3), (MET, 4)], 4, id="every-level-met"),
        pytest.param([(NOT_MET, 1), (MET, 2), (MET, 3)], 0, id="level-1-gap-blocks-all"),
        pytest.param([(MET, 1), (NOT_MET, 2)], 1, id="level-2-gap"),
        pytest.param([(MET, 1), (MET, 2), (PARTLY, 3), (MET, 4)], 2, id="partly-blocks"),
        pytest.param([(MET, 1), (UNKNOWN, 1)], 0, id="unknown-blocks"),
        pytest.param([(MET, 1), (MET, 2), (UNKNOWN, 3)], 2, id="unknown-blocks-level-3"),
        pytest.param([(MET, 1), (WAIVED, 2), (NOT_MET, 3)], 2, id="waived-passes"),
        pytest.param([(WAIVED, 1), (WAIVED, 2)], 4, id="all-waived"),
        pytest.param([(NA, 1), (MET, 2), (NOT_MET, 3)], 2, id="n/a-ignored"),
        pytest.param([(MET, 1), (NA, 2), (NOT_MET, 3)], 2, id="n/a-ignored-middle"),
        pytest.param([(NOT_MET, 3)], 2, id="levels-without-goals-do-not-block"),
        pytest.param([(MET, 1), (NOT_MET, 4)], 3, id="only-level-4-missing"),
    ],
)
def test_gated_level(goals: list[tuple[Outcome, int]], expected: int | None) -> None:
    results = [result(f"D.P.{i}", o, level=lv) for i, (o, lv) in enumerate(goals, 1)]
    assert gated_level(results, 4) == expected


def test_gated_level_respects_max_level() -> None:
    assert gated_level([result("D.P.1", MET)], 2) == 2


@pytest.mark.parametrize(
    ("goals", "current", "expected"),
    [
        pytest.param([(MET, 1)], None, None, id="no-level"),
        pytest.param([(MET, 1)], 4, None, id="at-top"),
        pytest.param(
            [(PARTLY, 1), (NOT_MET, 1), (MET, 1), (NOT_MET, 2)],
            0,
            (1, "Foundational", ("D.P.1", "D.P.2")),
            id="from-0",
        ),
        pytest.param(
            [(MET, 1), (UNKNOWN, 2), (NA, 2), (WAIVED, 2), (NOT_MET, 3)],
            1,
            (2, "Standardized", ("D.P.2",)),
            id="from-1",
        ),
        pytest.param(
            [(MET, 1), (MET, 2), (NOT_MET, 3), (PARTLY, 3), (NOT_MET, 4)],
            2,
            (3, "Automated", ("D.P.3", "D.P.4")),
            id="from-2",
        ),
        pytest.param([(MET, 1), (NOT_MET, 4)], 3, (4, "Optimized", ("D.P.2",)), id="from-3"),
    ],
)
def test_next_level(
    goals: list[tuple[Outcome, int]],
    current: int | None,
    expected: tuple[int, str, tuple[str, ...]] | None,
) -> None:
    results = [result(f"D.P.{i}", o, level=lv) for i, (o, lv) in enumerate(goals, 1)]
    got = next_level(
        results, current, make_framework(make_pillar("delivery", "D", {"p": [("D.P.1", 1, 1)]}))
    )
    if expected is None:
        assert got is None
    else:
        assert got == NextLevel(level=expected[0], name=expected[1], missing=expected[2])


# ---- coverage ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ([], 100.0),
        ([NA, NA], 100.0),
        ([MET], 100.0),
        ([UNKNOWN], 0.0),
        ([MET, UNKNOWN], 50.0),
        ([WAIVED, UNKNOWN, UNKNOWN], 33.3),
        ([NOT_MET, PARTLY, NA], 100.0),
        ([MET, NOT_MET, UNKNOWN, NA], 66.7),
    ],
)
def test_coverage(outcomes: list[Outcome], expected: float) -> None:
    assert coverage([result(f"D.P.{i}", o) for i, o in enumerate(outcomes, 1)]) == expected


@pytest.mark.parametrize(
    ("outcome", "units", "known"),
    [
        (MET, {"a": MET, "b": MET}, True),
        (PARTLY, {"a": MET, "b": NOT_MET}, True),
        (MET, {"a": MET, "b": WAIVED, "c": NA}, True),
        (PARTLY, {"a": MET, "b": UNKNOWN}, False),
        (NOT_MET, {"a": NOT_MET, "b": UNKNOWN}, False),
        (UNKNOWN, {"a": UNKNOWN}, False),
        (WAIVED, {"a": WAIVED, "b": NA}, True),
    ],
)
def test_coverage_of_a_combined_goal_needs_every_unit(
    outcome: Outcome, units: dict[str, Outcome], known: bool
) -> None:
    goals = [result("D.P.1", outcome, unit_outcomes=units), result("D.P.2", MET)]
    assert coverage(goals) == (100.0 if known else 50.0)


# ---- pillar and scope results ------------------------------------------------------------


def _pillar(
    pid: str,
    score_: float | None,
    level: int | None,
    weight: float = 1.0,
    goals: Sequence[GoalResult] = (),
) -> PillarResult:
    return PillarResult(
        id=pid,
        name=pid.title(),
        weight=weight,
        score=score_,
        level=level,
        level_name="",
        coverage=100.0,
        counts={},
        next_level=None,
        categories=(
            CategoryResult(
                id="c", name="C", score=score_, level=level, level_name="", goals=tuple(goals)
            ),
        ),
        metrics=(),
    )


@pytest.mark.parametrize(
    ("pillars", "expected_score", "expected_level", "level_name"),
    [
        pytest.param([(50.0, 1, 1.0), (80.0, 2, 2.0)], 70.0, 1, "Foundational", id="weighted"),
        pytest.param([(50.0, 3, 1.0), (80.0, 3, 1.0)], 65.0, 3, "Automated", id="equal-weights"),
        pytest.param(
            [(50.0, 2, 1.0), (None, None, 5.0)],
            50.0,
            2,
            "Standardized",
            id="no-score-no-level-skipped",
        ),
        pytest.param(
            [(50.0, 1, 0.0), (80.0, 3, 1.0)],
            80.0,
            1,
            "Foundational",
            id="zero-weight-scores-nothing-but-its-level-counts",
        ),
        pytest.param([(100.0, 4, 1.0), (0.0, 0, 1.0)], 50.0, 0, "Not started", id="level-0"),
        pytest.param([(None, None, 1.0)], None, None, "Not applicable", id="nothing-applies"),
        pytest.param([], None, None, "Not applicable", id="no-pillars"),
        pytest.param([(33.3, 1, 1.0), (66.7, 1, 2.0)], 55.6, 1, "Foundational", id="rounded"),
    ],
)
def test_scope_result(
    pillars: list[tuple[float | None, int | None, float]],
    expected_score: float | None,
    expected_level: int | None,
    level_name: str,
) -> None:
    framework = make_framework(make_pillar("delivery", "D", {"p": [("D.P.1", 1, 1)]}))
    prs = [_pillar(f"p{i}", s, lv, w) for i, (s, lv, w) in enumerate(pillars)]
    got = scope_result(framework, "payments", "Payments", prs)
    assert (got.scope, got.name) == ("payments", "Payments")
    assert got.score == expected_score
    assert got.level == expected_level
    assert got.level_name == level_name


def test_scope_result_coverage_counts_every_goal() -> None:
    framework = make_framework(make_pillar("delivery", "D", {"p": [("D.P.1", 1, 1)]}))
    prs = [
        _pillar("a", 50.0, 1, goals=[result("A.C.1", MET), result("A.C.2", UNKNOWN)]),
        _pillar(
            "b",
            50.0,
            1,
            goals=[result("B.C.1", NA), result("B.C.2", NOT_MET), result("B.C.3", UNKNOWN)],
        ),
    ]
    assert scope_result(framework, ORGANIZATION, "Org", prs).coverage == 50.0


def test_pillar_result() -> None:
    pillar = make_pillar(
        "delivery",
        "D",
        {
            "pipelines": [("D.P.1", 1, 1.0), ("D.P.2", 2, 2.0)],
            "releases": [("D.R.1", 1, 1.0), ("D.R.2", 2, 1.0)],
            "empty-ish": [("D.E.1", 3, 1.0)],
        },
        weight=2.0,
    )
    framework = make_framework(pillar)
    goals = [
        result("D.P.1", MET, 1, 1.0, category="pipelines"),
        result("D.P.2", PARTLY, 2, 2.0, category="pipelines"),
        result("D.R.1", MET, 1, 1.0, category="releases"),
        result("D.R.2", WAIVED, 2, 1.0, category="releases"),
        result("D.E.1", NA, 3, 1.0, category="empty-ish"),
    ]
    metric = MetricResult(
        id="m",
        name="M",
        unit="h",
        target="< 1 day",
        value=None,
        measured_at=None,
        status="no-data",
        basis="no data",
    )
    got = pillar_result(framework, pillar, goals, [metric])
    assert (got.id, got.name, got.weight) == ("delivery", "Delivery", 2.0)
    assert got.score == 75.0  # (1 + 2 x 0.5 + 1) / 4; D.R.2 waived and D.E.1 N/A left out
    assert got.level == 1
    assert got.level_name == "Foundational"
    assert got.coverage == 100.0
    assert got.counts == {
        "met": 2,
        "partly_met": 1,
        "not_met": 0,
        "not_applicable": 1,
        "unknown": 0,
        "waived": 1,
    }
    assert got.next_level == NextLevel(level=2, name="Standardized", missing=("D.P.2",))
    assert [(c.id, c.score, c.level) for c in got.categories] == [
        ("pipelines", 66.7, 1),
        ("releases", 100.0, 4),
        ("empty-ish", None, None),
    ]
    assert got.metrics == (metric,)


# ---- metrics -----------------------------------------------------------------------------

UNITS = ("payments", "search")


@pytest.mark.parametrize(
    ("scope", "measurements", "value", "status", "basis", "measured"),
    [
        pytest.param(
            "payments",
            [measure(20, "payments")],
            20.0,
            "on-target",
            "measured (manual)",
            -1,
            id="unit-on-target",
        ),
        pytest.param(
            "payments",
            [measure(25, "payments")],
            25.0,
            "off-target",
            "measured (manual)",
            -1,
            id="unit-off-target",
        ),
        pytest.param(
            "payments",
            [measure(24, "payments")],
            24.0,
            "off-target",
            "measured (manual)",
            -1,
            id="unit-on-the-boundary",
        ),
        pytest.param(
            "payments",
            [measure(30, "payments", at=-5), measure(20, "payments", at=-2)],
            20.0,
            "on-target",
            "measured (manual)",
            -2,
            id="latest-wins",
        ),
        pytest.param(
            "payments",
            [measure(20, "payments", at=-2), measure(30, "payments", at=1)],
            20.0,
            "on-target",
            "measured (manual)",
            -2,
            id="future-ignored",
        ),
        pytest.param("payments", [], None, "no-data", "no data", None, id="no-data"),
        pytest.param(
            "payments",
            [measure(20, "search")],
            None,
            "no-data",
            "no data",
            None,
            id="other-unit-ignored",
        ),
        pytest.param(
            "payments",
            [measure(20, None)],
            None,
            "no-data",
            "no data",
            None,
            id="unit-does-not-use-org-value",
        ),
        pytest.param(
            "payments",
            [measure(20, "payments", metric="delivery.other")],
            None,
            "no-data",
            "no data",
            None,
            id="other-metric-ignored",
        ),
        pytest.param(
            None,
            [measure(30, None, at=-3), measure(10, "payments"), measure(10, "search")],
            30.0,
            "off-target",
            "measured (manual)",
            -3,
            id="org-own-value-first",
        ),
        pytest.param(
            None,
            [measure(20, "payments", at=-2), measure(30, "search", at=-1)],
            25.0,
            "off-target",
            "mean of 2 unit(s)",
            -1,
            id="org-mean-off",
        ),
        pytest.param(
            None,
            [measure(20, "payments"), measure(26, "search")],
            23.0,
            "on-target",
            "mean of 2 unit(s)",
            -1,
            id="org-mean-on",
        ),
        pytest.param(
            None,
            [
                measure(40, "payments", at=-9),
                measure(20, "payments", at=-4),
                measure(26, "search", at=-6),
                measure(99, "search", at=3),
            ],
            23.0,
            "on-target",
            "mean of 2 unit(s)",
            -4,
            id="org-mean-of-latest",
        ),
        pytest.param(
            None,
            [measure(20, "payments")],
            20.0,
            "on-target",
            "mean of 1 unit(s)",
            -1,
            id="org-mean-of-units-with-data",
        ),
        pytest.param(
            None,
            [measure(10, "payments"), measure(10, "search"), measure(11, "ops")],
            10.0,
            "on-target",
            "mean of 2 unit(s)",
            -1,
            id="unlisted-unit-ignored",
        ),
        pytest.param(
            None,
            [measure(20, "payments", at=1)],
            None,
            "no-data",
            "no data",
            None,
            id="org-future-only",
        ),
    ],
)
def test_metric_result(
    scope: str | None,
    measurements: list[Measurement],
    value: float | None,
    status: str,
    basis: str,
    measured: float | None,
) -> None:
    got = metric_result(make_metric(), measurements, scope, UNITS, NOW)
    assert (got.value, got.status, got.basis) == (value, status, basis)
    assert got.measured_at == (None if measured is None else day(measured))
    assert (got.id, got.name, got.unit, got.target) == (
        "delivery.lead-time",
        "Lead time",
        "h",
        "< 1 day",
    )


def test_metric_result_org_without_units_has_no_data() -> None:
    got = metric_result(make_metric(), [measure(20, "payments")], None, (), NOW)
    assert got.status == "no-data"


def test_metric_result_org_mean_is_rounded() -> None:
    units = ("a", "b", "c")
    data = [measure(10, "a"), measure(10, "b"), measure(11, "c")]
    assert metric_result(make_metric(), data, None, units, NOW).value == 10.3333


@pytest.mark.parametrize(
    ("metric", "value", "status"),
    [
        (make_metric("delivery.ready", "ratio", ">= 95 percent"), 0.96, "on-target"),
        (make_metric("delivery.ready", "ratio", ">= 95 percent"), 0.90, "off-target"),
        (make_metric("delivery.share", "percent", "~ 30 percent", 5), 34.0, "on-target"),
        (make_metric("delivery.share", "percent", "~ 30 percent", 5), 36.0, "off-target"),
        (make_metric("delivery.ci", "s", "< 5 min"), 290.0, "on-target"),
        (make_metric("delivery.ci", "s", "< 5 min"), 310.0, "off-target"),
    ],
)
def test_metric_result_converts_units(metric: Metric, value: float, status: str) -> None:
    got = metric_result(
        metric, [measure(value, "payments", metric=metric.id)], "payments", UNITS, NOW
    )
    assert got.status == status


# ---- gaps --------------------------------------------------------------------------------


def _scope(framework: Framework, goals: Sequence[GoalResult]) -> ScopeResult:
    pillars = [
        pillar_result(framework, p, [g for g in goals if g.pillar == p.id], [])
        for p in framework.pillars
    ]
    return scope_result(framework, ORGANIZATION, "Org", pillars)


def _gap_framework() -> Framework:
    return make_framework(
        make_pillar(
            "alpha",
            "A",
            {
                "x": [
                    (f"A.X.{i}", lv, w)
                    for i, (lv, w) in enumerate(
                        [(1, 1), (1, 1), (2, 1), (2, 3), (2, 1), (3, 1), (2, 1), (2, 1)], 1
                    )
                ]
            },
            weight=1.0,
        ),
        make_pillar(
            "beta",
            "B",
            {
                "x": [
                    (f"B.X.{i}", lv, w)
                    for i, (lv, w) in enumerate([(1, 1), (2, 1), (2, 1), (3, 1), (2, 0.5)], 1)
                ]
            },
            weight=2.0,
        ),
    )


def test_rank_gaps_order() -> None:
    framework = _gap_framework()
    outcomes = {
        "A.X.1": MET,
        "A.X.2": NOT_MET,
        "A.X.3": NOT_MET,
        "A.X.4": PARTLY,
        "A.X.5": UNKNOWN,
        "A.X.6": NOT_MET,
        "A.X.7": WAIVED,
        "A.X.8": NA,
        "B.X.1": MET,
        "B.X.2": NOT_MET,
        "B.X.3": PARTLY,
        "B.X.4": NOT_MET,
        "B.X.5": UNKNOWN,
    }
    goals = [
        result(g.code, outcomes[g.code], g.level, g.weight, pillar=g.pillar, category=g.category)
        for g in framework.goals()
    ]
    gaps = rank_gaps(framework, _scope(framework, goals))
    assert [(g.rank, g.code, g.blocks_level) for g in gaps] == [
        (1, "A.X.2", 1),  # blocks alpha's level 1
        (2, "B.X.2", 2),  # blocks beta's level 2; weight 1 x 2, not met
        (3, "B.X.3", 2),  # same, partly met
        (4, "B.X.5", 2),  # same, weight 0.5 x 2
        (5, "A.X.4", None),  # level 2, weight 3
        (6, "A.X.3", None),  # level 2, weight 1, not met
        (7, "A.X.5", None),  # level 2, weight 1, unknown
        (8, "B.X.4", None),  # level 3, weight 1 x 2
        (9, "A.X.6", None),  # level 3, weight 1 x 1
    ]
    first = gaps[0]
    assert (first.pillar, first.pillar_name, first.level, first.outcome) == (
        "alpha",
        "Alpha",
        1,
        NOT_MET,
    )
    assert first.how == "Put A.X.2 in place."
    assert [g.code for g in rank_gaps(framework, _scope(framework, goals), limit=3)] == [
        "A.X.2",
        "B.X.2",
        "B.X.3",
    ]


def test_rank_gaps_prefers_goals_more_units_miss() -> None:
    framework = make_framework(
        make_pillar("alpha", "A", {"x": [("A.X.1", 2, 1), ("A.X.2", 2, 1), ("A.X.3", 2, 1)]})
    )
    goals = [
        result(
            "A.X.1",
            NOT_MET,
            2,
            pillar="alpha",
            category="x",
            unit_outcomes={"a": NOT_MET, "b": MET, "c": WAIVED},
        ),
        result(
            "A.X.2",
            NOT_MET,
            2,
            pillar="alpha",
            category="x",
            unit_outcomes={"a": NOT_MET, "b": PARTLY, "c": UNKNOWN, "d": NA},
        ),
        result(
            "A.X.3",
            NOT_MET,
            2,
            pillar="alpha",
            category="x",
            unit_outcomes={"a": NOT_MET, "b": NOT_MET},
        ),
    ]
    gaps = rank_gaps(framework, _scope(framework, goals))
    assert [(g.code, g.units_missing) for g in gaps] == [
        ("A.X.2", ("a", "b", "c")),
        ("A.X.3", ("a", "b")),
        ("A.X.1", ("a",)),
    ]
    # level 1 has no goals, so the pillar is at level 1 and all three block level 2
    assert {g.blocks_level for g in gaps} == {2}


def test_rank_gaps_none_when_all_met() -> None:
    framework = make_framework(make_pillar("alpha", "A", {"x": [("A.X.1", 1, 1)]}))
    goals = [result("A.X.1", MET, pillar="alpha", category="x")]
    assert rank_gaps(framework, _scope(framework, goals)) == []


# ---- diff --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "direction"),
    [
        (UNKNOWN, MET, "improved"),
        (UNKNOWN, NOT_MET, "improved"),
        (NOT_MET, PARTLY, "improved"),
        (PARTLY, MET, "improved"),
        (NOT_MET, WAIVED, "improved"),
        (WAIVED, MET, "improved"),
        (MET, NOT_MET, "regressed"),
        (MET, PARTLY, "regressed"),
        (MET, WAIVED, "regressed"),
        (WAIVED, NOT_MET, "regressed"),
        (PARTLY, UNKNOWN, "regressed"),
        (MET, MET, None),
        (NOT_MET, NOT_MET, None),
        (MET, NA, None),
        (NA, NOT_MET, None),
        (NA, NA, None),
    ],
)
def test_diff_goal_direction(before: Outcome, after: Outcome, direction: str | None) -> None:
    framework = make_framework(make_pillar("delivery", "D", {"pipelines": [("D.P.1", 1, 1)]}))
    old = _scope(framework, [result("D.P.1", before)])
    new = _scope(framework, [result("D.P.1", after)])
    diff = diff_scopes("2026-Q1", old, "2026-Q2", new)
    changes = [*diff.improved, *diff.regressed]
    if direction is None:
        assert changes == []
    else:
        assert len(changes) == 1
        change = changes[0]
        assert (change.code, change.pillar, change.before, change.after, change.direction) == (
            "D.P.1",
            "delivery",
            before,
            after,
            direction,
        )
        assert change in (diff.improved if direction == "improved" else diff.regressed)


def test_diff_scopes_pillars_and_scores() -> None:
    framework = make_framework(
        make_pillar("delivery", "D", {"pipelines": [("D.P.1", 1, 1), ("D.P.2", 2, 1)]}),
    )
    old = _scope(framework, [result("D.P.1", NOT_MET), result("D.P.2", MET, 2)])
    wider = make_framework(
        make_pillar(
            "delivery", "D", {"pipelines": [("D.P.1", 1, 1), ("D.P.2", 2, 1), ("D.P.3", 1, 1)]}
        ),
        make_pillar("run", "R", {"ops": [("R.O.1", 1, 1)]}),
    )
    new = _scope(
        wider,
        [
            result("D.P.1", MET),
            result("D.P.2", PARTLY, 2),
            result("D.P.3", NOT_MET),
            result("R.O.1", MET, pillar="run", category="ops"),
        ],
    )
    diff = diff_scopes("before", old, "after", new)
    assert (diff.before, diff.after, diff.score_before, diff.score_after) == (
        "before",
        "after",
        50.0,
        75.0,
    )
    assert [
        (p.pillar, p.score_before, p.score_after, p.level_before, p.level_after)
        for p in diff.pillars
    ] == [("delivery", 50.0, 50.0, 0, 0), ("run", None, 100.0, None, 4)]
    assert [c.code for c in diff.improved] == ["D.P.1"]
    assert [c.code for c in diff.regressed] == ["D.P.2"]  # D.P.3 is new: neither


# ---- build_scorecard end to end ----------------------------------------------------------


def _two_pillar_framework() -> Framework:
    return make_framework(
        make_pillar("build", "B", {"ci": [("B.C.1", 1, 1.0), ("B.C.2", 2, 1.0)]}, weight=1.0),
        make_pillar(
            "run",
            "R",
            {
                "ops": [
                    ("R.O.1", 1, 2.0),
                    make_goal(
                        "R.O.2",
                        1,
                        pillar="run",
                        category="ops",
                        in_scope=False,
                        reason="No on-call.",
                    ),
                    ("R.O.3", 2, 1.0),
                ]
            },
            weight=3.0,
            metrics=[make_metric("run.uptime", "percent", ">= 99.9 percent")],
        ),
    )


def _two_unit_facts() -> Facts:
    return Facts(
        answers=[
            answer("B.C.1", MET, None),
            answer("B.C.2", MET, "alpha"),
            answer("B.C.2", PARTLY, "beta"),
            answer("R.O.1", MET, "alpha"),
            answer("R.O.1", NOT_MET, "beta"),
            answer("R.O.2", MET, None),
            answer("R.O.3", MET, "beta"),
        ],
        waivers=[waiver("R.O.1", "beta")],
        measurements=[
            measure(99.95, "alpha", metric="run.uptime"),
            measure(99.5, "beta", metric="run.uptime"),
        ],
        units=("alpha", "beta"),
        unit_names={"alpha": "Team Alpha"},
    )


def test_build_scorecard_two_units() -> None:
    framework = _two_pillar_framework()
    card = build_scorecard(framework, _two_unit_facts(), NOW, organization_name="ACME")
    assert (card.as_of, card.framework_name, card.framework_version) == (NOW, "Test", "1")

    alpha, beta = card.units
    org = card.organization
    assert [(s.scope, s.name) for s in (alpha, beta, org)] == [
        ("alpha", "Team Alpha"),
        ("beta", "beta"),
        ("organization", "ACME"),
    ]

    def pillars(s: ScopeResult) -> list[tuple[str, float | None, int | None, float]]:
        return [(p.id, p.score, p.level, p.coverage) for p in s.pillars]

    # alpha: build 100 (level 4: no goals above 2); run: R.O.1 met (w2), R.O.3 unknown (w1)
    assert pillars(alpha) == [("build", 100.0, 4, 100.0), ("run", 66.7, 1, 50.0)]
    assert (alpha.score, alpha.level, alpha.level_name, alpha.coverage) == (
        75.0,
        1,
        "Foundational",
        75.0,  # (100 x 1 + 66.7 x 3) / 4 = 75.025
    )
    # beta: build (1 + 0.5) / 2; run: R.O.1 waived, R.O.2 out of scope, R.O.3 met
    assert pillars(beta) == [("build", 75.0, 1, 100.0), ("run", 100.0, 4, 100.0)]
    assert (beta.score, beta.level, beta.coverage) == (93.8, 1, 100.0)  # (75 + 300) / 4
    # organization: B.C.2 and R.O.3 partly met, R.O.1 met (beta waived), R.O.2 N/A
    # R.O.3 is partly met, but alpha has not answered it: not known for coverage
    assert pillars(org) == [("build", 75.0, 1, 100.0), ("run", 83.3, 1, 50.0)]
    # (75 x 1 + 83.3 x 3) / 4 = 81.225
    assert (org.score, org.level, org.level_name, org.coverage) == (81.2, 1, "Foundational", 75.0)
    run = org.pillars[1]
    assert run.counts["not_applicable"] == 1
    assert {g.code: g.outcome for g in run.categories[0].goals} == {
        "R.O.1": MET,
        "R.O.2": NA,
        "R.O.3": PARTLY,
    }
    assert run.next_level == NextLevel(level=2, name="Standardized", missing=("R.O.3",))

    uptime = {s.scope: s.pillars[1].metrics[0] for s in (alpha, beta, org)}
    assert {k: (m.value, m.status) for k, m in uptime.items()} == {
        "alpha": (99.95, "on-target"),
        "beta": (99.5, "off-target"),
        "organization": (99.725, "off-target"),
    }
    assert uptime["organization"].basis == "mean of 2 unit(s)"

    assert [(g.rank, g.code, g.blocks_level, g.outcome, g.units_missing) for g in card.gaps] == [
        (1, "R.O.3", 2, PARTLY, ("alpha",)),  # weight 1 x pillar weight 3
        (2, "B.C.2", 2, PARTLY, ("beta",)),
    ]


def test_build_scorecard_only_unit() -> None:
    framework = _two_pillar_framework()
    card = build_scorecard(framework, _two_unit_facts(), NOW, only_unit="beta")
    assert [u.scope for u in card.units] == ["beta"]
    assert card.organization.scope == "beta"
    assert card.organization.score == 93.8
    assert [(g.code, g.blocks_level, g.units_missing) for g in card.gaps] == [("B.C.2", 2, ())]


def test_build_scorecard_without_units() -> None:
    framework = _two_pillar_framework()
    facts = Facts(answers=[answer("B.C.1", MET, None), answer("R.O.1", PARTLY, None)])
    card = build_scorecard(framework, facts, NOW)
    assert card.units == ()
    assert [(p.score, p.level) for p in card.organization.pillars] == [(50.0, 1), (33.3, 0)]
    assert card.organization.score == 37.5  # (50 x 1 + 33.3 x 3) / 4 = 37.475
    assert card.organization.coverage == 50.0


def test_build_scorecard_unknown_only_unit_is_a_clear_error() -> None:
    framework = _two_pillar_framework()
    with pytest.raises((UserError, LookupError, ValueError), match="nope"):
        build_scorecard(framework, _two_unit_facts(), NOW, only_unit="nope")


# ---- the worked example in docs/scoring.md -----------------------------------------------

DOCS = Path(__file__).resolve().parents[1] / "docs" / "scoring.md"


def _worked_example_pillar_yaml() -> str:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Worked example", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match, "docs/scoring.md: the worked example has lost its YAML block"
    return match.group(1)


def _worked_example_framework(tmp_path: Path) -> Framework:
    root = tmp_path / "framework"
    (root / "pillars").mkdir(parents=True)
    (root / "measures").mkdir()
    levels = "\n".join(
        f"  - number: {lv.number}\n    name: {lv.name}\n    description: {lv.description}"
        for lv in LEVELS
    )
    (root / "framework.yaml").write_text(
        textwrap.dedent("""\
            name: Worked example
            version: "1"
            levels:
            {levels}
            credits:
              met: 1.0
              partly_met: 0.5
              not_met: 0.0
              unknown: 0.0
        """).format(levels=levels),
        encoding="utf-8",
    )
    (root / "measures" / "kpis.yaml").write_text("kpis: []\n", encoding="utf-8")
    (root / "pillars" / "delivery.yaml").write_text(_worked_example_pillar_yaml(), encoding="utf-8")
    return load_framework(root)


def _on(date: str) -> datetime:
    return datetime.fromisoformat(date).replace(tzinfo=UTC)


def test_worked_example_from_docs(tmp_path: Path) -> None:
    framework = _worked_example_framework(tmp_path)
    as_of = _on("2026-06-30")
    given = _on("2026-06-01")
    facts = Facts(
        answers=[
            Answer(goal_code="D.P.1", status=MET, answered_at=given),
            Answer(goal_code="D.P.2", unit="payments", status=MET, answered_at=given),
            Answer(goal_code="D.P.2", unit="search", status=PARTLY, answered_at=given),
            Answer(goal_code="D.P.3", unit="payments", status=PARTLY, answered_at=given),
            Answer(goal_code="D.P.3", unit="search", status=MET, answered_at=given),
            Answer(goal_code="D.R.1", status=MET, answered_at=given),
            Answer(goal_code="D.R.1", unit="search", status=NOT_MET, answered_at=given),
            Answer(goal_code="D.R.2", unit="payments", status=NOT_MET, answered_at=given),
            Answer(goal_code="D.R.2", unit="search", status=NA, answered_at=given),
            Answer(goal_code="D.R.3", unit="search", status=NOT_MET, answered_at=given),
        ],
        waivers=[
            Waiver(
                goal_code="D.R.2",
                unit="payments",
                reason="Flags arrive with the new SDK.",
                owner="payments-lead",
                created_at=_on("2026-04-01"),
                expires_at=_on("2026-12-31"),
            ),
            Waiver(
                goal_code="D.R.3",
                unit="search",
                reason="Canary tooling under review.",
                owner="search-lead",
                created_at=_on("2026-01-01"),
                expires_at=_on("2026-03-31"),
            ),
        ],
        measurements=[
            Measurement(
                metric_id="delivery.lead-time",
                unit="payments",
                value=40,
                measured_at=_on("2026-05-01"),
            ),
            Measurement(
                metric_id="delivery.lead-time",
                unit="payments",
                value=20,
                measured_at=_on("2026-06-15"),
            ),
            Measurement(
                metric_id="delivery.lead-time",
                unit="payments",
                value=10,
                measured_at=_on("2026-07-15"),
            ),
            Measurement(
                metric_id="delivery.lead-time",
                unit="search",
                value=30,
                measured_at=_on("2026-06-20"),
            ),
        ],
        units=("payments", "search"),
        unit_names={"payments": "payments", "search": "search"},
    )
    card = build_scorecard(framework, facts, as_of)
    payments, search = card.units
    org = card.organization
    scopes = {"payments": payments, "search": search, "organization": org}

    # outcomes, per unit and combined
    outcomes = {
        name: {g.code: g.outcome for c in s.pillars[0].categories for g in c.goals}
        for name, s in scopes.items()
    }
    assert outcomes == {
        "payments": {
            "D.P.1": MET,
            "D.P.2": MET,
            "D.P.3": PARTLY,
            "D.R.1": MET,
            "D.R.2": WAIVED,
            "D.R.3": UNKNOWN,
        },
        "search": {
            "D.P.1": MET,
            "D.P.2": PARTLY,
            "D.P.3": MET,
            "D.R.1": NOT_MET,
            "D.R.2": NA,
            "D.R.3": NOT_MET,
        },
        "organization": {
            "D.P.1": MET,
            "D.P.2": PARTLY,
            "D.P.3": PARTLY,
            "D.R.1": PARTLY,
            "D.R.2": WAIVED,
            "D.R.3": NOT_MET,
        },
    }

    # scores, levels, coverage, next level, metric
    expected = {
        # scope: (pillar score, pipelines, releases, level, level name, category levels,
        #         coverage, next level, missing, lead time, status)
        "payments": (
            78.6,
            87.5,
            66.7,
            1,
            "Foundational",
            (1, 2),
            83.3,
            2,
            ("D.P.3",),
            20.0,
            "on-target",
        ),
        "search": (
            42.9,
            75.0,
            0.0,
            0,
            "Not started",
            (0, 0),
            100.0,
            1,
            ("D.P.2", "D.R.1"),
            30.0,
            "off-target",
        ),
        "organization": (
            50.0,
            62.5,
            33.3,
            0,
            "Not started",
            (0, 0),
            83.3,
            1,
            ("D.P.2", "D.R.1"),
            25.0,
            "off-target",
        ),
    }
    for name, scope in scopes.items():
        pillar = scope.pillars[0]
        pipelines, releases = pillar.categories
        assert pillar.next_level is not None
        metric = pillar.metrics[0]
        got = (
            pillar.score,
            pipelines.score,
            releases.score,
            pillar.level,
            pillar.level_name,
            (pipelines.level, releases.level),
            pillar.coverage,
            pillar.next_level.level,
            pillar.next_level.missing,
            metric.value,
            metric.status,
        )
        assert got == expected[name], name
        # one pillar of weight 1: the scope is the pillar
        assert (scope.score, scope.level, scope.coverage) == (
            pillar.score,
            pillar.level,
            pillar.coverage,
        )

    # the pillar-weight illustration: Delivery 50.0 (weight 1) and a pillar at 80.0 (weight 2)
    other = _pillar("other", 80.0, 1, weight=2.0)
    assert scope_result(framework, ORGANIZATION, "Org", [org.pillars[0], other]).score == 70.0

    # the organization's gaps
    assert [
        (g.rank, g.code, g.blocks_level, g.level, g.outcome, g.units_missing) for g in card.gaps
    ] == [
        (1, "D.P.2", 1, 1, PARTLY, ("search",)),
        (2, "D.R.1", 1, 1, PARTLY, ("search",)),
        (3, "D.P.3", None, 2, PARTLY, ("payments",)),
        (4, "D.R.3", None, 3, NOT_MET, ("payments", "search")),
    ]

    # the summary table of the page says the same
    doc = DOCS.read_text(encoding="utf-8")
    for row in (
        "| Delivery score | 78.6 | 42.9 | 50.0 |",
        "| Pipelines score | 87.5 | 75.0 | 62.5 |",
        "| Releases score | 66.7 | 0.0 | 33.3 |",
        "| Level | 1 Foundational | 0 Not started | 0 Not started |",
        "| Coverage | 83.3 | 100.0 | 83.3 |",
        "| Lead time | 20 h, on target | 30 h, off target | 25 h, off target |",
        "| 1 | D.P.2 | 1 | 1 | 2 | partly met | search |",
        "| 2 | D.R.1 | 1 | 1 | 2 | partly met | search |",
        "| 3 | D.P.3 | — | 2 | 1 | partly met | payments |",
        "| 4 | D.R.3 | — | 3 | 1 | not met | payments, search |",
    ):
        assert row in doc, f"docs/scoring.md lost the row {row!r}"

"""Automated evidence from the backlog itself for the scorecard.

The backlog decides the organization's outcome of the goals about a central, scored
security backlog with deadlines and regular reviews (C.S.1, C.S.2, C.S.3, C.S.5, C.S.6)
and about fixing serious dependency vulnerabilities within the deadline (S.S.9), and it
measures SLA attainment, remediation time of the top band and the review interval.
Messages carry counts and item keys only, never titles: the backlog is restricted.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from platform_maturity.domain.backlog import OPEN_STATES, ItemState
from platform_maturity.domain.records import Measurement, Observation
from platform_maturity.engine.backlog.attainment import YEAR, last_twelve_months
from platform_maturity.engine.backlog.views import Backlog

COLLECTOR = "backlog"
VERSION = "1"
SUBJECT = "security-backlog"
REVIEW_WITHIN_DAYS = 31  # "once or twice a month", the review-interval metric's target
POSTMORTEM_GRACE = timedelta(days=14)  # time to write one after the item is resolved

ATTAINMENT_METRICS = ("coordination.security-sla-attainment", "security.backlog-sla-attainment")
REMEDIATION_METRIC = "security.critical-vulnerability-remediation-time"
REVIEW_METRIC = "coordination.security-backlog-review-interval"


def _observation(
    check: str,
    goals: tuple[str, ...],
    passed: bool | None,
    message: str,
    moment: datetime,
    subject: str = SUBJECT,
) -> Observation:
    return Observation(
        collector=COLLECTOR,
        collector_version=VERSION,
        check_id=f"backlog.{check}",
        subject=subject,
        goal_codes=goals,
        passed=passed,
        message=message,
        observed_at=moment,
    )


def backlog_observations(
    backlog: Backlog, moment: datetime, postmortem_subjects: frozenset[str]
) -> list[Observation]:
    """Goal evidence as of ``moment``. ``postmortem_subjects``: ids of items that have a
    postmortem naming a platform gap and a cost."""
    items = [i for i in backlog.items if i.reported_at <= moment]
    if not items:
        return []
    result = [
        _observation(
            "central",
            ("C.S.1",),
            True,
            f"{len(items)} item(s) in one backlog; restricted in the store and left out of"
            " exports and reports unless asked",
            moment,
        )
    ]
    cadence = timedelta(days=backlog.policy.review.cadence_days)
    states = {id(i): backlog.status(i, moment).state for i in items}
    waiting = [
        i for i in items if states[id(i)] == ItemState.NEW and moment - i.reported_at > cadence
    ]
    scored = sum(1 for i in items if i.triaged_at is not None and i.triaged_at <= moment)
    if waiting or scored:
        result.append(
            _observation(
                "scored",
                ("C.S.2",),
                not waiting,
                f"{len(waiting)} item(s) unscored for more than {cadence.days} days"
                if waiting
                else f"{scored} item(s) scored risk × impact; none waits past a review cycle",
                moment,
            )
        )
    last = backlog.last_review(moment)
    if last is None:
        result.append(
            _observation("reviewed", ("C.S.3",), False, "no backlog review recorded", moment)
        )
    else:
        days = (moment - last.held_at).total_seconds() / 86400
        result.append(
            _observation(
                "reviewed",
                ("C.S.3",),
                days <= REVIEW_WITHIN_DAYS,
                f"SLA bands defined; last review {days:.0f} days ago"
                f" (within {REVIEW_WITHIN_DAYS} days is the goal)",
                moment,
            )
        )
    recent = [i for i in items if moment - i.reported_at <= YEAR]
    automatic = [i for i in recent if i.channel in ("import", "intake")]
    result.append(
        _observation(
            "intake",
            ("C.S.5",),
            bool(automatic),
            f"{len(automatic)} of {len(recent)} item(s) of the last year arrived through scanner"
            " imports or the intake; deadlines are tracked per item"
            if automatic
            else "no item of the last year arrived through a scanner import or the intake",
            moment,
        )
    )
    threshold = backlog.policy.postmortem_min_severity
    for item in items:
        severity = item.severity
        if severity is None or severity < threshold or item.resolved_at is None:
            continue
        if states[id(item)] != ItemState.RESOLVED or moment - item.resolved_at < POSTMORTEM_GRACE:
            continue
        has = str(item.id) in postmortem_subjects
        result.append(
            _observation(
                "postmortem",
                ("C.S.6",),
                has,
                f"severity {severity} ≥ {threshold}: "
                + ("postmortem names the platform gap and the cost" if has else "no postmortem"),
                moment,
                subject=item.key,
            )
        )
    lowest = backlog.policy.sla_policy.ordered()[0].name
    for item in items:
        if item.finding is None or item.finding.package is None:
            continue
        status = backlog.status(item, moment)
        if status.band is None or status.band.name == lowest:
            continue
        if (
            status.state == ItemState.RESOLVED
            and item.resolved_at
            and moment - item.resolved_at <= YEAR
        ):
            passed: bool | None = bool(status.within_sla)
            what = "fixed within its deadline" if passed else "fixed after its deadline"
        elif status.state in OPEN_STATES and status.breached:
            passed, what = False, "open past its deadline"
        else:
            continue
        result.append(
            _observation(
                "dependency-sla",
                ("S.S.9",),
                passed,
                f"{item.finding.package} ({status.band.name}): {what}",
                moment,
                subject=item.key,
            )
        )
    return result


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def backlog_measurements(backlog: Backlog, moment: datetime) -> list[Measurement]:
    """SLA attainment (last twelve months), top-band remediation time (p90), review interval."""
    result: list[Measurement] = []

    def add(metric: str, value: float, note: str) -> None:
        result.append(
            Measurement(
                metric_id=metric,
                value=round(value, 2),
                measured_at=moment,
                source="backlog",
                note=note,
            )
        )

    window = last_twelve_months(backlog, moment)
    if window.attainment_percent is not None:
        note = (
            f"{window.resolved_within_sla} of {window.resolved} resolved within SLA, last 12 months"
        )
        for metric in ATTAINMENT_METRICS:
            add(metric, window.attainment_percent, note)
    top = backlog.policy.sla_policy.ordered()[-1].name
    days = []
    for item in backlog.items:
        if item.resolved_at is None or not (moment - YEAR <= item.resolved_at <= moment):
            continue
        status = backlog.status(item, moment)
        if (
            status.state == ItemState.RESOLVED
            and status.band is not None
            and status.band.name == top
        ):
            days.append(status.age_days)
    if days:
        add(
            REMEDIATION_METRIC, _p90(days), f"p90 of {len(days)} {top}-band item(s), last 12 months"
        )
    last = backlog.last_review(moment)
    if last is not None:
        add(
            REVIEW_METRIC,
            (moment - last.held_at).total_seconds() / 86400,
            f"last review {last.held_at:%Y-%m-%d}",
        )
    return result

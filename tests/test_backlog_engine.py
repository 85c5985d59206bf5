"""The backlog engine, pure: policy validation, SLA clocks, workflow, attainment, expected
loss, the review agenda, evidence rows, scorecard evidence, re-import plans, suggestions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from platform_maturity.domain.backlog import (
    Acceptance,
    BacklogItem,
    Finding,
    ItemSource,
    ItemState,
    Review,
    StoredFinding,
    Suggestion,
)
from platform_maturity.domain.backlog_policy import REACHABLE, SecurityBacklogPolicy, SlaPolicy
from platform_maturity.domain.backlog_settings import BacklogSettings, effective_policy
from platform_maturity.domain.errors import UserError
from platform_maturity.engine.backlog import workflow
from platform_maturity.engine.backlog.attainment import (
    attainment,
    loss_summary,
    quarter_of,
    quarters,
)
from platform_maturity.engine.backlog.evidence import backlog_measurements, backlog_observations
from platform_maturity.engine.backlog.reimport import plan_import
from platform_maturity.engine.backlog.review import agenda, evidence_rows
from platform_maturity.engine.backlog.sla import sla_status, state_at
from platform_maturity.engine.backlog.suggest import suggest
from platform_maturity.engine.backlog.views import Backlog, item_view
from platform_maturity.framework.loader import load_framework

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BASE: dict[str, Any] = load_framework().measures["security-backlog"]
POLICY = SecurityBacklogPolicy.model_validate(BASE)


def day(n: float) -> datetime:
    """``n`` days before NOW."""
    return NOW - timedelta(days=n)


def item(
    id_: int = 1, *, reported: float = 30, risk: int | None = 2, impact: int | None = 3, **kw: Any
) -> BacklogItem:
    values: dict[str, Any] = {
        "id": id_,
        "title": f"item {id_}",
        "component": "web",
        "source": ItemSource.AUDIT,
        "risk": risk,
        "impact": impact,
        "state": ItemState.TRIAGED if risk else ItemState.NEW,
        "policy_version": 1 if risk else None,
        "reported_at": day(reported),
        "sla_started_at": day(reported),
        "triaged_at": day(reported - 1) if risk else None,
        "created_at": day(reported),
        "updated_at": day(reported),
    }
    values.update(kw)
    return BacklogItem(**values)


def backlog(*items: BacklogItem, reviews: tuple[Review, ...] = ()) -> Backlog:
    return Backlog(items=items, policy=POLICY, versions={1: POLICY.sla_policy}, reviews=reviews)


# ---- the policy -------------------------------------------------------------------------


def test_builtin_policy_bands_cover_every_severity_once() -> None:
    bands = POLICY.sla_policy
    for severity in range(1, 26):
        assert sum(b.contains(severity) for b in bands.bands) == 1
    assert [b.name for b in bands.ordered()] == ["low", "medium", "high"]
    # upstream's example put 5 in two bands; ours puts it in low only
    assert bands.band_for(5).name == "low" and bands.band_for(6).name == "medium"
    assert len(REACHABLE) == 14 and 7 not in REACHABLE
    assert bands.cells(bands.band_for(16)) == [(4, 4), (4, 5), (5, 4), (5, 5)]


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ([(1, 6), (5, 16), (16, 26)], "overlap (severity 5 is in both)"),
        ([(1, 6), (7, 16), (16, 26)], "severities 6 to 6 belong to no band"),
        ([(2, 6), (6, 26)], "severities 1 to 1 belong to no band"),
        ([(1, 6), (6, 20)], "severities 20 to 25 belong to no band"),
        ([(1, 6), (6, 6)], "min (6) must be below max_exclusive"),
    ],
)
def test_invalid_bands_are_refused_with_the_reason(
    bands: list[tuple[int, int]], message: str
) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        SlaPolicy.model_validate(
            {
                "bands": [
                    {"name": f"b{i}", "min": lo, "max_exclusive": hi, "resolve_within_days": 30}
                    for i, (lo, hi) in enumerate(bands)
                ]
            }
        )


def test_expected_annual_loss_worked_example() -> None:
    """docs/backlog.md: risk 3 (35 %) × impact 3 (100k-1M, expected 550k) = 192,500 a year."""
    assert POLICY.impact_scale.range(3) == (100_000.0, 1_000_000.0)
    assert POLICY.impact_scale.expected_amount(3) == 550_000.0
    assert POLICY.expected_annual_loss(3, 3) == pytest.approx(192_500.0)
    assert POLICY.impact_scale.expected_amount(5) == 20_000_000.0  # open-ended: stated
    assert POLICY.expected_annual_loss(1, 1) == pytest.approx(0.02 * 5_000)


def test_workspace_settings_adjust_money_ranges_bands_and_currency() -> None:
    settings = BacklogSettings.model_validate(
        {
            "currency": "EUR",
            "impact_levels": [
                {"value": 1, "max_amount": 5000},
                {"value": 5, "expected_amount": 50_000_000},
            ],
            "sla_bands": [
                {"name": "low", "min": 1, "max_exclusive": 9, "resolve_within_days": 180},
                {
                    "name": "high",
                    "min": 9,
                    "max_exclusive": 26,
                    "resolve_within_days": 14,
                    "start_within_days": 1,
                },
            ],
            "review_cadence_days": 30,
        }
    )
    policy = effective_policy(BASE, settings, "USD")
    assert policy.currency == "EUR" and policy.review.cadence_days == 30
    assert policy.impact_scale.range(2) == (5000.0, 100_000.0)
    assert policy.sla_policy.band_for(9).name == "high"
    with pytest.raises(ValidationError, match="max_amount must be above"):
        effective_policy(
            BASE, BacklogSettings(impact_levels=[{"value": 2, "max_amount": 5}]), "USD"
        )  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="overlap"):
        BacklogSettings.model_validate(
            {
                "sla_bands": [
                    {"name": "a", "min": 1, "max_exclusive": 10, "resolve_within_days": 9},
                    {"name": "b", "min": 5, "max_exclusive": 26, "resolve_within_days": 9},
                ]
            }
        )


# ---- SLA clocks -------------------------------------------------------------------------


def test_deadlines_run_from_the_report_under_the_items_policy_version() -> None:
    high = item(risk=4, impact=4, reported=10, started_at=day(9.5))
    status = sla_status(high, NOW, {1: POLICY.sla_policy}, POLICY.sla_policy)
    assert status.band is not None and status.band.name == "high"
    assert status.start_due == day(9) and status.resolve_due == day(-20)
    assert not status.breached and status.open
    # a later, stricter policy does not change an item triaged under version 1
    strict = SlaPolicy.model_validate(
        {"bands": [{"name": "all", "min": 1, "max_exclusive": 26, "resolve_within_days": 1}]}
    )
    again = sla_status(high, NOW, {1: POLICY.sla_policy, 2: strict}, strict)
    assert again.resolve_due == day(-20)


@pytest.mark.parametrize(
    ("changes", "breached", "start_late", "within"),
    [
        ({"risk": 4, "impact": 4, "reported": 10}, True, True, None),  # never started
        ({"risk": 4, "impact": 4, "reported": 10, "started_at": day(5)}, True, True, None),
        ({"risk": 2, "impact": 3, "reported": 100}, True, False, None),  # medium: 90 days
        ({"risk": 2, "impact": 3, "reported": 80}, False, False, None),
        (
            {
                "risk": 2,
                "impact": 3,
                "reported": 100,
                "state": ItemState.RESOLVED,
                "resolved_at": day(20),
            },
            False,
            False,
            True,
        ),
        (
            {
                "risk": 2,
                "impact": 3,
                "reported": 100,
                "state": ItemState.RESOLVED,
                "resolved_at": day(1),
            },
            False,
            False,
            False,
        ),
        (
            {
                "risk": 5,
                "impact": 5,
                "reported": 20,
                "state": ItemState.RESOLVED,
                "started_at": day(19.5),
                "resolved_at": day(1),
            },
            False,
            False,
            True,
        ),
        (
            {
                "risk": 5,
                "impact": 5,
                "reported": 20,
                "state": ItemState.RESOLVED,
                "started_at": day(15),
                "resolved_at": day(1),
            },
            False,
            False,
            False,
        ),
        (
            {"risk": None, "impact": None, "reported": 400},
            False,
            False,
            None,
        ),  # unscored: no deadline yet
    ],
)
def test_breaches_and_within_sla(
    changes: dict[str, Any], breached: bool, start_late: bool, within: bool | None
) -> None:
    status = sla_status(item(**changes), NOW, {1: POLICY.sla_policy}, POLICY.sla_policy)
    assert status.breached == breached
    assert status.start_breached == start_late
    assert status.within_sla == within


def test_an_expired_acceptance_reopens_and_restarts_the_clock() -> None:
    accepted = item(
        risk=2,
        impact=3,
        reported=200,
        state=ItemState.RISK_ACCEPTED,
        acceptance=Acceptance(
            approver="cfo", reason="compensating control", accepted_at=day(150), expires_at=day(10)
        ),
    )
    assert state_at(accepted, day(50)) == ItemState.RISK_ACCEPTED
    assert state_at(accepted, NOW) == ItemState.TRIAGED
    status = sla_status(accepted, NOW, {}, POLICY.sla_policy)
    assert status.resolve_due == day(10) + timedelta(days=90) and not status.breached
    reopened = workflow.expired_acceptance(accepted, NOW)
    assert reopened is not None and reopened.state == ItemState.TRIAGED
    assert reopened.sla_started_at == day(10)
    assert workflow.expired_acceptance(accepted, day(50)) is None


def test_state_at_reads_history_from_the_dates() -> None:
    done = item(reported=40, state=ItemState.RESOLVED, started_at=day(20), resolved_at=day(10))
    assert state_at(done, day(41)) is None
    assert state_at(done, day(39.5)) == ItemState.NEW
    assert state_at(done, day(38.5)) == ItemState.TRIAGED
    assert state_at(done, day(15)) == ItemState.IN_PROGRESS
    assert state_at(done, day(5)) == ItemState.RESOLVED
    assert state_at(item(risk=None, impact=None), NOW) == ItemState.NEW


# ---- the workflow -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "to", "ok"),
    [
        (ItemState.NEW, ItemState.TRIAGED, True),
        (ItemState.NEW, ItemState.IN_PROGRESS, False),
        (ItemState.TRIAGED, ItemState.IN_PROGRESS, True),
        (ItemState.IN_PROGRESS, ItemState.RESOLVED, True),
        (ItemState.RESOLVED, ItemState.IN_PROGRESS, False),
        (ItemState.RESOLVED, ItemState.TRIAGED, True),
        (ItemState.DUPLICATE, ItemState.TRIAGED, False),
        (ItemState.INVALID, ItemState.NEW, True),
        (ItemState.RISK_ACCEPTED, ItemState.IN_PROGRESS, True),
    ],
)
def test_transitions_the_workflow_allows(start: ItemState, to: ItemState, ok: bool) -> None:
    subject = item(state=start)
    if ok:
        workflow.check_transition(subject, to)
    else:
        with pytest.raises(UserError, match=f"cannot move to {to.label}") as caught:
            workflow.check_transition(subject, to)
        assert caught.value.hint and "it can move to" in caught.value.hint


def test_transitions_set_their_dates_and_need_their_details() -> None:
    new = item(risk=None, impact=None)
    with pytest.raises(UserError, match="no risk and impact yet"):
        workflow.check_transition(new, ItemState.TRIAGED)
    triaged = item(reported=5)
    started = workflow.transition(triaged, ItemState.IN_PROGRESS, NOW)
    assert started.started_at == NOW
    resolved = workflow.transition(started, ItemState.RESOLVED, NOW, note="patched")
    assert resolved.resolved_at == NOW and resolved.resolution == "patched"
    reopened = workflow.transition(resolved, ItemState.TRIAGED, NOW + timedelta(days=1))
    assert reopened.resolved_at is None and reopened.sla_started_at == NOW + timedelta(days=1)
    with pytest.raises(UserError, match="names the item it duplicates"):
        workflow.transition(triaged, ItemState.DUPLICATE, NOW)
    with pytest.raises(UserError, match="cannot duplicate itself"):
        workflow.transition(triaged, ItemState.DUPLICATE, NOW, duplicate_of=1)
    with pytest.raises(UserError, match="say why"):
        workflow.transition(triaged, ItemState.INVALID, NOW)


def test_risk_acceptance_needs_approver_reason_and_expiry_within_a_year() -> None:
    subject = item()
    accepted = workflow.accept(subject, "cfo", "WAF rule blocks it", NOW + timedelta(days=60), NOW)
    assert accepted.state == ItemState.RISK_ACCEPTED and accepted.acceptance is not None
    for approver, reason, expires, message in (
        ("", "reason", NOW + timedelta(days=9), "approver"),
        ("cfo", "", NOW + timedelta(days=9), "reason"),
        ("cfo", "why", NOW - timedelta(days=1), "in the past"),
        ("cfo", "why", NOW + timedelta(days=400), "at most a year"),
    ):
        with pytest.raises(UserError, match=message):
            workflow.accept(subject, approver, reason, expires, NOW)
    # ending an acceptance early shortens it to that moment
    ended = workflow.transition(accepted, ItemState.TRIAGED, NOW + timedelta(days=5))
    assert ended.acceptance is not None and ended.acceptance.expires_at == NOW + timedelta(days=5)


# ---- attainment, loss, agenda, evidence -------------------------------------------------


def _history() -> Backlog:
    return backlog(
        item(
            1, risk=2, impact=3, reported=200, state=ItemState.RESOLVED, resolved_at=day(150)
        ),  # in SLA
        item(
            2, risk=2, impact=3, reported=200, state=ItemState.RESOLVED, resolved_at=day(60)
        ),  # late
        item(
            3,
            risk=4,
            impact=4,
            reported=40,
            state=ItemState.RESOLVED,
            started_at=day(39.8),
            resolved_at=day(20),
        ),
        item(4, risk=4, impact=5, reported=45),  # high, open, breached
        item(5, risk=1, impact=2, reported=10),  # low, open
        item(
            6,
            risk=None,
            impact=None,
            reported=3,
            suggestion=Suggestion(risk=3, impact=3, basis="CVSS 8.1"),
        ),
        item(
            7,
            risk=3,
            impact=2,
            reported=100,
            state=ItemState.RISK_ACCEPTED,
            acceptance=Acceptance(
                approver="cto",
                reason="isolated",
                accepted_at=day(50),
                expires_at=NOW + timedelta(days=5),
            ),
        ),
        item(
            8,
            risk=2,
            impact=2,
            reported=30,
            state=ItemState.DUPLICATE,
            closed_at=day(29),
            duplicate_of=5,
        ),
    )


def test_attainment_per_period_and_band() -> None:
    period = attainment(_history(), day(365), NOW, "year")
    assert (period.resolved, period.resolved_within_sla, period.attainment_percent) == (3, 2, 66.7)
    assert (period.open_at_end, period.open_in_breach_at_end, period.untriaged_at_end) == (3, 1, 1)
    bands = {b.band: b for b in period.bands}
    assert (bands["medium"].resolved, bands["medium"].resolved_within_sla) == (2, 1)
    assert bands["medium"].mean_days_to_remediate == pytest.approx((50 + 140) / 2)
    assert (bands["high"].open, bands["high"].open_in_breach, bands["high"].oldest_age_days) == (
        1,
        1,
        45.0,
    )
    assert bands["low"].median_age_days == 10.0
    quarter = attainment(_history(), *quarter_of(day(60))[1:], "Q3")
    assert quarter.resolved == 1 and quarter.attainment_percent == 0.0


def test_quarters_end_at_now() -> None:
    labels = [q[0] for q in quarters(NOW, 3)]
    assert labels == ["2026-Q2", "2026-Q3", "2026-Q4 to date"]
    assert quarters(NOW, 1)[0][2] == NOW


def test_expected_loss_of_open_and_accepted_items() -> None:
    loss = loss_summary(_history(), NOW)
    assert loss.open_total == pytest.approx(0.65 * 20_000_000 + 0.02 * 55_000)
    assert loss.accepted_total == pytest.approx(0.35 * 55_000)
    assert loss.unscored == 1 and loss.currency == "USD"
    assert loss.by_band["high"] == pytest.approx(0.65 * 20_000_000)


def test_the_review_agenda() -> None:
    result = agenda(_history(), NOW, "Org")
    assert [v.key for v in result.to_triage] == ["SEC-6"]
    assert [v.key for v in result.breaches] == ["SEC-4"]
    assert [v.key for v in result.expiring_acceptances] == ["SEC-7"]
    assert result.next_review == NOW + timedelta(days=14)
    assert result.overdue_cost == pytest.approx(0.65 * 20_000_000 / 365 * 15, rel=1e-3)
    assert result.to_triage[0].suggested == "risk 3 × impact 3 = 9 (CVSS 8.1)"
    soon = agenda(backlog(item(9, risk=2, impact=3, reported=85)), NOW, "Org")
    assert [v.key for v in soon.due_before_next] == ["SEC-9"]


def test_evidence_rows_for_auditors() -> None:
    rows = {r.key: r for r in evidence_rows(_history(), day(100), NOW)}
    assert "SEC-1" not in rows  # resolved before the period
    assert rows["SEC-2"].outcome == "resolved late" and rows["SEC-2"].days_overdue == pytest.approx(
        50.0
    )
    assert rows["SEC-3"].outcome == "resolved within SLA"
    assert rows["SEC-4"].outcome == "open in breach"
    assert rows["SEC-6"].outcome == "awaiting triage"
    assert rows["SEC-7"].outcome == "risk accepted" and rows["SEC-7"].accepted_by == "cto"
    assert rows["SEC-8"].outcome == "closed as duplicate"


def test_scorecard_evidence_from_the_backlog() -> None:
    reviewed = Review(held_at=day(9), recorded_by="x")
    observations = {
        o.check_id: o
        for o in backlog_observations(
            backlog(*_history().items, reviews=(reviewed,)), NOW, frozenset({"3"})
        )
    }
    assert observations["backlog.central"].passed and observations[
        "backlog.central"
    ].goal_codes == ("C.S.1",)
    assert observations["backlog.scored"].passed  # SEC-6 waits 3 days only
    assert observations["backlog.reviewed"].passed
    assert observations["backlog.intake"].passed is False  # nothing imported
    assert (
        observations["backlog.postmortem"].passed
        and observations["backlog.postmortem"].subject == "SEC-3"
    )
    stale = backlog_observations(
        backlog(item(1, risk=None, impact=None, reported=40)), NOW, frozenset()
    )
    assert {o.check_id: o.passed for o in stale}["backlog.scored"] is False
    assert {o.check_id: o.passed for o in stale}["backlog.reviewed"] is False
    assert backlog_observations(backlog(), NOW, frozenset()) == []
    values = {
        m.metric_id: m.value
        for m in backlog_measurements(backlog(*_history().items, reviews=(reviewed,)), NOW)
    }
    assert values["coordination.security-sla-attainment"] == 66.7
    assert values["security.critical-vulnerability-remediation-time"] == pytest.approx(20.0)
    assert values["coordination.security-backlog-review-interval"] == pytest.approx(9.0)


def test_dependency_findings_evidence_s_s_9() -> None:
    def with_package(id_: int, **kw: Any) -> BacklogItem:
        finding = StoredFinding(
            item_id=id_,
            fingerprint=f"f{id_}",
            format="trivy",
            tool="Trivy",
            target="img",
            rule="CVE-1",
            title="t",
            package="openssl",
            first_seen_at=day(1),
            last_seen_at=day(1),
        )
        return item(id_, finding=finding, channel="import", **kw)

    found = backlog_observations(
        backlog(
            with_package(
                1, risk=2, impact=3, reported=100, state=ItemState.RESOLVED, resolved_at=day(50)
            ),
            with_package(2, risk=4, impact=4, reported=50),
            with_package(3, risk=1, impact=1, reported=500),  # low band: not serious
        ),
        NOW,
        frozenset(),
    )
    verdicts = {o.subject: o.passed for o in found if o.check_id == "backlog.dependency-sla"}
    assert verdicts == {"SEC-1": True, "SEC-2": False}
    assert {o.check_id: o.passed for o in found}["backlog.intake"] is True


# ---- imports ----------------------------------------------------------------------------


def _finding(fp: str, status: str = "open", **kw: Any) -> Finding:
    return Finding(
        fingerprint=fp,
        format="trivy",
        tool="Trivy",
        target="img",
        rule="CVE",
        title="t",
        status=status,
        **kw,
    )


def _stored(fp: str, item_id: int) -> StoredFinding:
    return StoredFinding(
        **_finding(fp).model_dump(), item_id=item_id, first_seen_at=day(9), last_seen_at=day(9)
    )


def test_reimport_plan_creates_updates_fixes_reopens_and_skips() -> None:
    known = {"a": _stored("a", 1), "b": _stored("b", 2), "c": _stored("c", 3)}
    states = {
        1: ItemState.TRIAGED,
        2: ItemState.RESOLVED,
        3: ItemState.NEW,
        4: ItemState.IN_PROGRESS,
    }
    same_target = [known["a"], known["b"], known["c"], _stored("d", 4)]
    plan = plan_import(
        [
            _finding("a"),
            _finding("a"),
            _finding("b"),
            _finding("c", "fixed"),
            _finding("new"),
            _finding("old", "fixed"),
        ],
        known,
        states,
        same_target,
        complete=True,
    )
    assert [f.fingerprint for f in plan.create] == ["new"]
    assert [f.fingerprint for f in plan.skipped] == ["old"]
    assert [s.fingerprint for s, _ in plan.reopen] == ["b"]
    assert sorted(s.fingerprint for s in plan.fix) == ["c", "d"]
    assert plan.repeated == 1
    partial = plan_import([_finding("a")], known, states, same_target, complete=False)
    assert partial.fix == []  # a page of alerts does not prove the others fixed


@pytest.mark.parametrize(
    ("finding", "expected"),
    [
        (_finding("x", severity="critical"), (4, 4, "Trivy severity critical")),
        (_finding("x", cvss_score=7.2), (3, 3, "CVSS 7.2")),
        (_finding("x", severity="low", epss=0.6), (5, 1, "Trivy severity low, EPSS 60.00 %")),
        (
            _finding("x", severity="medium", known_exploited=True),
            (5, 3, "Trivy severity medium, known exploited"),
        ),
        (_finding("x"), None),
    ],
)
def test_suggestions(finding: Finding, expected: tuple[int, int, str] | None) -> None:
    result = suggest(finding, POLICY.suggestions, "Trivy")
    assert (result and (result.risk, result.impact, result.basis)) == expected


def test_item_view_for_lists() -> None:
    view = item_view(_history(), _history().items[3], NOW)
    assert view.breached and view.band == "high"
    assert (
        view.breach
        == "work not started, 44 d past the start deadline; 15 d past the resolution deadline"
    )
    assert view.expected_annual_loss == pytest.approx(13_000_000)


def test_the_worked_example_in_the_docs_holds() -> None:
    """docs/backlog.md states these numbers; they must be what the engine computes."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "backlog.md").read_text()
    sql = POLICY.expected_annual_loss(3, 3)
    key = POLICY.expected_annual_loss(5, 4)
    assert f"= **{sql:,.0f} USD**" in text and f"= {key:,.0f} USD a year" in text
    assert f"{POLICY.risk_scale.level(3).probability_percent:g} %" in text

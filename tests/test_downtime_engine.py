"""The pure downtime engine: intervals from results and signals, uptime, incidents,
escalation, money figures, KPI records and scorecard evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from platform_maturity.domain.downtime import DowntimeSettings, EscalationLevel, Method
from platform_maturity.domain.incidents import (
    Incident,
    Interval,
    Notification,
    NotificationEvent,
    Severity,
)
from platform_maturity.domain.probes import ProbeResult, Signal, SignalKind, load_probes
from platform_maturity.engine.downtime.evidence import downtime_evidence, flow_coverage
from platform_maturity.engine.downtime.incidents import (
    incident_cost,
    kpi_records,
    notifications_due,
    plan_incidents,
    severity_of,
)
from platform_maturity.engine.downtime.intervals import (
    Thresholds,
    compute_downtime,
    flows_down,
    probe_intervals,
    signal_intervals,
)
from platform_maturity.engine.downtime.uptime import day_bars, system_uptime, uptime

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
SETTINGS = DowntimeSettings.model_validate(
    {
        "responder_rate_per_hour": 150,
        "components": [
            {
                "id": "auth",
                "name": "Authentication",
                "owner": "ines@example.com",
                "revenue_per_minute": 200,
                "escalation": [
                    {"notify": ["ines@example.com"], "after_minutes": 0},
                    {"notify": ["lead@example.com"], "after_minutes": 10},
                ],
                "flows": [
                    {
                        "id": "login",
                        "name": "Log in",
                        "latency_budget_ms": 500,
                        "revenue_share": 0.75,
                    },
                    {
                        "id": "logout",
                        "name": "Log out",
                        "latency_budget_ms": 500,
                        "revenue_share": 0.25,
                    },
                ],
            },
            {
                "id": "feed",
                "name": "Feed",
                "flows": [
                    {
                        "id": "read",
                        "name": "Read",
                        "latency_budget_ms": 800,
                        "detection": ["user-report"],
                    }
                ],
            },
        ],
        "probes": [
            {
                "name": "login",
                "flow": "auth/login",
                "url": "http://127.0.0.1:9/",
                "conditions": ["[STATUS] == 200"],
            },
            {
                "name": "health",
                "url": "http://127.0.0.1:9/h",
                "health": {"parts": {"db": ["feed"]}},
            },
        ],
    }
)


def results(
    pattern: str, probe: str = "login", flow: str | None = "login", start: datetime = T0
) -> list[ProbeResult]:
    """One result a minute: '.' passes, 'x' fails."""
    return [
        ProbeResult(
            probe=probe,
            component="auth",
            flow=flow,
            method=Method.SYNTHETIC,
            at=start + i * MIN,
            ok=ch == ".",
            error=None if ch == "." else "[STATUS] (503) == 200",
        )
        for i, ch in enumerate(pattern)
    ]


TH = Thresholds(failures=3, successes=2, runtime=3, user_reports=2, window=timedelta(minutes=5))


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("....", []),
        ("..xx..", []),  # two failures are not enough
        ("..xxx..", [(2, 4, 5)]),  # started at the first failure, detected at the third
        ("..xxxx.x...", [(2, 4, 8)]),  # a single success does not end it
        ("..xxx", [(2, 4, None)]),  # still down
        ("xxx..xxx..", [(0, 2, 3), (5, 7, 8)]),
    ],
)
def test_thresholds_of_consecutive_failures_and_successes(
    pattern: str, expected: list[tuple[int, int, int | None]]
) -> None:
    got = probe_intervals(results(pattern), TH)
    assert [
        (
            int((i.started - T0) / MIN),
            int((i.detected - T0) / MIN),
            None if i.ended is None else int((i.ended - T0) / MIN),
        )
        for i in got
    ] == expected


def test_runtime_signals_need_a_burst_within_the_window() -> None:
    def signal(minute: int) -> Signal:
        return Signal(kind=SignalKind.RUNTIME, component="auth", flow="login", at=T0 + minute * MIN)

    assert signal_intervals([signal(0), signal(10), signal(20)], TH) == []
    burst = signal_intervals([signal(0), signal(1), signal(2), signal(3)], TH)
    assert len(burst) == 1
    assert burst[0].started == T0 and burst[0].detected == T0 + 2 * MIN
    assert burst[0].ended == T0 + 8 * MIN  # one window after the last
    assert burst[0].method is Method.RUNTIME


def test_merged_downtime_keeps_the_method_that_detected_it_first() -> None:
    reports = [
        Signal(kind=SignalKind.USER_REPORT, component="auth", flow="login", at=T0 + m * MIN)
        for m in (3, 4)
    ]
    down = compute_downtime(results("xxxxx...."), reports, TH, T0 + 20 * MIN)
    (interval,) = down.components["auth"]
    assert interval.method is Method.SYNTHETIC  # detected at minute 2, users at minute 4
    assert interval.methods == (Method.SYNTHETIC, Method.USER_REPORT)
    late = compute_downtime(results("xxxxx....", start=T0 + 3 * MIN), reports, TH, T0 + 20 * MIN)
    assert late.components["auth"][0].method is Method.USER_REPORT
    assert flows_down(down, interval, T0 + 20 * MIN) == ("login",)


def test_uptime_counts_only_monitored_time_and_the_union_for_the_system() -> None:
    a = Interval(
        component="auth", started=T0, detected=T0, ended=T0 + 60 * MIN, method=Method.SYNTHETIC
    )
    b = Interval(
        component="feed",
        started=T0 + 30 * MIN,
        detected=T0 + 30 * MIN,
        ended=T0 + 90 * MIN,
        method=Method.HEALTHCHECK,
    )
    start, end = T0 - timedelta(days=1), T0 + timedelta(days=1)
    now = end
    row = uptime([a], start, end, now, start, 99.9, "auth")
    assert row.minutes_down == 60 and row.percent == pytest.approx(100 * (1 - 60 / 2880), abs=1e-4)
    assert row.meets_target is False
    assert uptime([], start, end, now, None, 99.9).percent is None
    assert uptime([a], start, end, now, T0 + timedelta(hours=12), 99.9).minutes_down == 0
    system = system_uptime({"auth": [a], "feed": [b]}, start, end, now, start, 99.9)
    assert system.minutes_down == 90  # 12:00-13:30, overlaps counted once
    bars = day_bars([a], 3, T0 + timedelta(hours=1), T0 - timedelta(hours=30))
    assert [b.state for b in bars] == ["none", "up", "down"]
    assert bars[-1].minutes_down == 60


def test_incidents_open_for_components_down_and_resolve_when_up() -> None:
    components = {c.id: c for c in SETTINGS.components}
    down = Interval(component="auth", started=T0, detected=T0 + 2 * MIN, method=Method.SYNTHETIC)
    plan = plan_incidents([down], [], [], components, {("auth", T0): ("login",)})
    assert [(o.title, o.severity) for o in plan.open] == [
        ("Authentication: Log in failing", Severity.SEV2)
    ]
    assert severity_of(components["auth"], ["login", "logout"]) is Severity.SEV1
    open_incident = Incident(
        id=4, title="x x x", component="auth", started=T0, detected=T0 + 2 * MIN
    )
    again = plan_incidents([down], [], [open_incident], components, {})
    assert again.open == [] and again.resolve == []
    ended = down.model_copy(update={"ended": T0 + 30 * MIN})
    done = plan_incidents([], [ended], [open_incident], components, {})
    assert [(r.incident_id, r.at) for r in done.resolve] == [(4, T0 + 30 * MIN)]
    manual = open_incident.model_copy(update={"automatic": False})
    assert plan_incidents([], [ended], [manual], components, {}).resolve == []


def test_escalation_follows_the_chain_until_acknowledged() -> None:
    chain = [
        EscalationLevel(notify=["a@example.com", "webhook:ops"], after_minutes=0),
        EscalationLevel(notify=["b@example.com"], after_minutes=10),
        EscalationLevel(notify=["c@example.com"], after_minutes=30),
    ]
    incident = Incident(id=1, title="down down", component="auth", started=T0, detected=T0)
    first = notifications_due(incident, chain, [], T0)
    assert [(d.event, d.level, d.targets) for d in first] == [
        (NotificationEvent.STARTED, 0, ("a@example.com", "webhook:ops"))
    ]
    sent = [
        Notification(
            incident_id=1, event=NotificationEvent.STARTED, level=0, target=t, at=T0, ok=True
        )
        for t in first[0].targets
    ]
    assert notifications_due(incident, chain, sent, T0 + 9 * MIN) == []
    at_12 = notifications_due(incident, chain, sent, T0 + 12 * MIN)
    assert [(d.level, d.targets) for d in at_12] == [(1, ("b@example.com",))]
    acked = incident.model_copy(update={"acknowledged": T0 + 11 * MIN})
    assert notifications_due(acked, chain, sent, T0 + 40 * MIN) == []
    sent.append(
        Notification(
            incident_id=1,
            event=NotificationEvent.ESCALATED,
            level=1,
            target="b@example.com",
            at=T0,
            ok=False,
            error="x",
        )
    )
    resolved = incident.model_copy(update={"resolved": T0 + 50 * MIN})
    (bye,) = notifications_due(resolved, chain, sent, T0 + 50 * MIN)
    assert bye.event is NotificationEvent.RESOLVED
    assert set(bye.targets) == {"a@example.com", "webhook:ops", "b@example.com"}


def test_the_money_figure_is_revenue_lost_plus_responder_time() -> None:
    component = SETTINGS.component("auth")
    incident = Incident(
        id=2,
        title="login down",
        component="auth",
        flows=("login",),
        started=T0,
        detected=T0 + 5 * MIN,
        resolved=T0 + 65 * MIN,
    )
    cost = incident_cost(incident, component, 150, T0 + 70 * MIN, responders=2)
    assert cost.minutes == 65
    assert cost.lost_revenue == pytest.approx(200 * 65 * 0.75)
    assert cost.responder_hours == 2.0  # two people from detection (5) to resolution (65)
    assert cost.response_cost == 300
    assert cost.total == pytest.approx(200 * 65 * 0.75 + 300)
    assert incident_cost(incident, None, 0, T0 + 70 * MIN).total == 0


def test_incidents_project_to_plain_records_for_the_kpi_engine() -> None:
    incident = Incident(
        id=3,
        title="feed down",
        component="feed",
        severity=Severity.SEV1,
        started=T0,
        detected=T0 + 4 * MIN,
        acknowledged=T0 + 6 * MIN,
        resolved=T0 + 30 * MIN,
        method=Method.HEALTHCHECK,
    )
    (record,) = kpi_records([incident, incident.model_copy(update={"id": None})])
    assert record.model_dump() == {
        "id": "INC-3",
        "component": "feed",
        "severity": "sev1",
        "started": T0,
        "detected": T0 + 4 * MIN,
        "acknowledged": T0 + 6 * MIN,
        "mitigated": None,
        "resolved": T0 + 30 * MIN,
        "detection_method": "healthcheck",
    }


def test_scorecard_evidence_from_coverage_ownership_and_incidents() -> None:
    probes, problems = load_probes(SETTINGS)
    assert not problems
    coverage = {(c.component, c.flow): c for c in flow_coverage(SETTINGS, probes)}
    assert coverage[("auth", "login")].synthetic
    assert not coverage[("auth", "logout")].synthetic and coverage[("auth", "logout")].methods == ()
    assert coverage[("feed", "read")].methods == (Method.HEALTHCHECK, Method.USER_REPORT)
    incidents = [
        Incident(
            id=1,
            title="a a a",
            component="auth",
            started=T0,
            detected=T0 + 4 * MIN,
            acknowledged=T0 + 6 * MIN,
            resolved=T0 + 30 * MIN,
            method=Method.SYNTHETIC,
        ),
        Incident(
            id=2,
            title="b b b",
            component="feed",
            started=T0,
            detected=T0 + 20 * MIN,
            resolved=T0 + 40 * MIN,
            method=Method.USER_REPORT,
            automatic=False,
        ),
    ]
    observations, measurements = downtime_evidence(
        SETTINGS, probes, incidents, frozenset({1}), None, T0 + timedelta(days=1)
    )
    values = {m.metric_id: m.value for m in measurements}
    assert values["observability.synthetic-coverage"] == pytest.approx(33.33)
    assert values["observability.mean-time-to-detect"] == 12
    assert values["observability.monitor-detected-bugs"] == 50
    assert values["coordination.on-call-acknowledgement-time"] == 2
    assert values["coordination.postmortem-completion"] == 50
    verdicts = {o.check_id: o.passed for o in observations}
    assert verdicts == {
        "downtime.synthetic-coverage": False,
        "downtime.ownership": False,  # feed has no owner and nobody to notify
        "downtime.escalation": False,
        "downtime.timelines": True,
    }
    assert downtime_evidence(DowntimeSettings(), [], [], frozenset(), None, T0) == ([], [])


def test_downtime_over_between_two_looks_still_gets_an_incident_once() -> None:
    components = {c.id: c for c in SETTINGS.components}
    over = Interval(
        component="feed",
        started=T0,
        detected=T0 + 2 * MIN,
        ended=T0 + 9 * MIN,
        method=Method.HEALTHCHECK,
    )
    plan = plan_incidents([], [over], [], components, {})
    assert [(o.interval.ended, o.title) for o in plan.open] == [(T0 + 9 * MIN, "Feed is down")]
    recorded = Incident(
        id=7,
        title="Feed is down",
        component="feed",
        started=T0,
        detected=T0 + 2 * MIN,
        resolved=T0 + 9 * MIN,
    )
    assert plan_incidents([], [over], [recorded], components, {}).open == []
    # nobody was told while it lasted: the first level hears that it is over
    chain = [EscalationLevel(notify=["a@example.com"], after_minutes=0)]
    (due,) = notifications_due(recorded, chain, [], T0 + 10 * MIN)
    assert (due.event, due.targets) == (NotificationEvent.RESOLVED, ("a@example.com",))

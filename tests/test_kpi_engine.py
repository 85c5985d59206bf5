"""The pure KPI engine: definitions, statistics, exclusions, periods and trends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from platform_maturity.domain.events import (
    CostLine,
    Deployment,
    EventSet,
    Headcount,
    Incident,
    MttdSample,
    PipelineRun,
    PullRequest,
    RecoveryDrill,
    SliWindow,
    WorkItem,
)
from platform_maturity.domain.kpi_mapping import KpiMapping
from platform_maturity.engine.kpi import compute as c
from platform_maturity.engine.kpi.periods import Quarter, last_quarters, parse_quarter, quarter_of
from platform_maturity.engine.kpi.report import kpi_report
from platform_maturity.engine.kpi.stats import describe, percentile, wilson
from platform_maturity.framework.loader import load_framework

UTC_ZONE = ZoneInfo("UTC")
Q = Quarter(2026, 2)
W = c.Window(Q.name, Q.start(UTC_ZONE), Q.end(UTC_ZONE))
T0 = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def item(
    n: int, kind: str, created: datetime, completed: datetime | None = None, **kw: object
) -> WorkItem:
    return WorkItem(
        source="t",
        source_id=str(n),
        key=f"K-{n}",
        kind=kind,  # type: ignore[arg-type]
        created_at=created,
        completed_at=completed,
        first_completed_at=completed,
        status_category="done" if completed else "todo",
        resolution="done" if completed else None,
        **kw,  # type: ignore[arg-type]
    )


# ----------------------------------------------------------------------------- statistics


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([1.0], 50, 1.0),
        ([1.0, 2.0], 50, 1.5),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
        ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 90, 9.1),
        ([5.0, 1.0, 3.0], 0, 1.0),
        ([5.0, 1.0, 3.0], 100, 5.0),
    ],
)
def test_percentile_interpolates_linearly(values: list[float], q: float, expected: float) -> None:
    assert percentile(sorted(values), q) == pytest.approx(expected)


def test_describe_reports_n_mean_median_p90() -> None:
    stats = describe([4.0, 1.0, 10.0, 2.0, 3.0])
    assert (stats.n, stats.mean, stats.median, stats.min, stats.max) == (5, 4.0, 3.0, 1.0, 10.0)
    assert stats.p90 == pytest.approx(7.6)
    assert describe([]).n == 0 and describe([]).mean is None


def test_wilson_interval() -> None:
    low, high = wilson(5, 100)  # type: ignore[misc]
    assert low == pytest.approx(0.0215, abs=1e-3) and high == pytest.approx(0.1118, abs=1e-3)
    assert wilson(0, 0) is None


# ----------------------------------------------------------------------------- periods


def test_quarters_in_the_organization_time_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    q = parse_quarter("2026-q1")
    assert q.start(berlin) == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
    assert q.end(berlin) == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)  # summer time started
    assert quarter_of(datetime(2026, 3, 31, 22, 30, tzinfo=UTC), berlin).name == "2026-Q2"
    assert [x.name for x in last_quarters(Quarter(2026, 1), 3)] == ["2025-Q3", "2025-Q4", "2026-Q1"]
    with pytest.raises(Exception, match="not a quarter"):
        parse_quarter("2026-5")


# ----------------------------------------------------------------------------- change failure rate


def test_change_failure_rate_counts_bugs_opened_over_features_completed() -> None:
    features = [
        item(i, "feature", T0 - timedelta(days=30), T0 + timedelta(days=i)) for i in range(10)
    ]
    bugs = [
        item(100, "bug", T0, found_in="production"),
        item(101, "bug", T0, found_in="qa"),
        item(102, "bug", T0),
        replace(item(103, "bug", T0, T0 + timedelta(hours=1)), resolution="duplicate"),
        item(104, "bug", T0, is_bot=True),
        replace(item(105, "bug", T0, T0), resolution="not_planned"),
        item(106, "bug", T0, reopened=2),
    ]
    period = c.change_failure_rate(W, bugs, features)
    assert (period.numerator, period.denominator) == (4, 10)
    assert period.value == pytest.approx(40.0)
    split = {b.label: b.numerator for b in period.breakdowns}
    assert split == {"caught by QA": 1, "found in production": 1, "not labelled": 2}
    reasons = {e.reason: e.count for e in period.excluded}
    assert reasons == {
        "duplicate bug report": 1,
        "opened by a bot": 1,
        "bug closed as not planned / invalid": 1,
    }
    assert any("reopened" in w for w in period.warnings)
    assert any("small sample" in w for w in period.warnings)


def test_change_failure_rate_is_undefined_without_completed_features() -> None:
    period = c.change_failure_rate(W, [item(1, "bug", T0)], [])
    assert period.value is None and "undefined" in (period.note or "")


def test_deployment_based_change_failure_rate() -> None:
    def dep(n: int, status: str, production: bool = True, failed: bool = False) -> Deployment:
        return Deployment(
            "t", str(n), "svc", "prod", production, status, T0, T0, failed_change=failed
        )

    deployments = [
        dep(1, "success"),
        dep(2, "failure"),
        dep(3, "success", failed=True),
        dep(4, "success"),
        dep(5, "success", production=False),
        dep(6, "in_progress"),
    ]
    incidents = [Incident("t", "i1", "x", T0, deployment_id="4")]
    period = c.change_failure_rate_deployments(W, deployments, incidents)
    assert (period.numerator, period.denominator, period.value) == (3, 4, 75.0)


# ----------------------------------------------------------------------------- MTTR, MTTD


def test_mean_time_to_respond_per_severity_with_exclusions() -> None:
    done = [
        item(1, "bug", T0, T0 + timedelta(hours=2), severity="S1", found_in="production"),
        item(2, "bug", T0, T0 + timedelta(hours=4), severity="S1"),
        item(3, "bug", T0, T0 + timedelta(hours=30), severity="S3", reopened=1),
        item(4, "bug", T0, T0 + timedelta(hours=1), found_in="qa"),
        replace(item(5, "bug", T0, T0 + timedelta(hours=1)), resolution="duplicate"),
        item(6, "bug", T0 + timedelta(hours=5), T0, severity="S2"),  # closed before opened
        item(7, "feature", T0, T0 + timedelta(hours=9)),
    ]
    still_open = [item(8, "bug", T0)]
    incidents = [Incident("pd", "a", "x", T0, "S1", resolved_at=T0 + timedelta(minutes=30))]
    period = c.mean_time_to_respond(W, done, still_open, incidents, incidents)
    assert period.stats is not None and period.stats.n == 3
    assert period.value == pytest.approx(12.0)
    rows = {b.label: b.value for b in period.breakdowns}
    assert rows == {"bugs · S1": 3.0, "bugs · S3": 30.0, "incidents · S1": 0.5}
    reasons = {e.reason: e.count for e in period.excluded}
    assert reasons["caught by QA before production"] == 1
    assert reasons["duplicate bug report"] == 1
    assert reasons["still open at the end of the period"] == 1
    assert reasons["ends before it starts (clock skew or back-filled)"] == 1


def test_mean_time_to_detect_from_the_sample() -> None:
    samples = [
        MttdSample(Q.name, "t", str(i), f"K-{i}", "", T0, T0 + timedelta(hours=i))
        for i in range(1, 5)
    ] + [MttdSample(Q.name, "t", "x", "K-x", "", None, T0)]
    period = c.mean_time_to_detect(W, samples)
    assert period.value == pytest.approx(2.5) and period.stats and period.stats.n == 4
    assert {e.reason for e in period.excluded} == {"sampled bug not filled in yet"}
    assert any("20-25" in w for w in period.warnings)
    assert "sample-mttd" in (c.mean_time_to_detect(W, []).note or "")


# ----------------------------------------------------------------------------- latency, velocity


def test_development_latency_from_in_progress_to_released() -> None:
    done = [
        item(1, "feature", T0, T0 + timedelta(days=3), started_at=T0 + timedelta(days=1)),
        item(2, "feature", T0, T0 + timedelta(days=5), started_at=T0),
        item(3, "feature", T0, T0 + timedelta(days=5)),  # no start known
        item(4, "bug", T0, T0 + timedelta(days=5), started_at=T0),
    ]
    period = c.development_latency(W, done)
    assert period.value == pytest.approx(3.5)
    assert [e.reason for e in period.excluded] == [
        "no in-progress time (import the status history)"
    ]
    velocity = c.velocity(W, done)
    assert velocity.value == 4.0


def test_error_and_latency_rates_sum_counts_not_percentages() -> None:
    windows = [
        SliWindow("api", "error", T0, T0, 10, 1000),
        SliWindow("api", "error", T0, T0, 0, 1000),
        SliWindow("batch", "error", T0, T0, 5, 10),
        SliWindow("api", "latency", T0, T0, 30, 2000, 1.0),
    ]
    errors = c.sli_rate(W, windows, "error")
    assert errors.value == pytest.approx(100 * 15 / 2010)  # not the mean of 0.5 % and 50 %
    assert {b.label: b.value for b in errors.breakdowns} == {"api": 0.5, "batch": 50.0}
    assert c.sli_rate(W, windows, "latency").value == pytest.approx(1.5)


def test_recovery_time_objective_and_drill_age() -> None:
    drills = [
        RecoveryDrill(
            "a", T0 - timedelta(days=200), T0 - timedelta(days=200) + timedelta(hours=6), True
        ),
        RecoveryDrill("b", T0, T0 + timedelta(hours=3), True),
        RecoveryDrill("c", T0 + timedelta(days=1), None, False),
    ]
    period = c.recovery_time(W, drills, NOW)
    assert period.value == pytest.approx(3.0)
    rows = {b.label: b.value for b in period.breakdowns}
    assert rows["drills in the last 12 months"] == 3
    assert rows["days since the last successful drill"] == pytest.approx(
        (NOW - T0).total_seconds() / 86400
    )
    assert period.excluded[0].count == 1
    old = c.recovery_time(W, drills[:1], NOW)
    assert any("90 days" in w for w in old.warnings)


def test_cost_per_developer_and_user_by_bucket() -> None:
    mapping = KpiMapping()
    may = datetime(2026, 5, 1, tzinfo=UTC)
    june = datetime(2026, 6, 1, tzinfo=UTC)

    def line(
        n: int, start: datetime, cost: float, category: str, charge: str = "Usage", **kw: object
    ) -> CostLine:
        return CostLine(
            "f",
            str(n),
            start,
            start,
            cost * 2,
            cost,
            "USD",
            charge,
            service_category=category,
            **kw,
        )  # type: ignore[arg-type]

    costs = [
        line(1, may, 1000, "Compute"),
        line(2, june, 1200, "Compute"),
        line(3, may, 300, "Developer Tools"),
        line(4, june, 100, "Other", tags=(("cost-scaling", "developer"),)),
        line(5, may, 50, "Other"),
        line(6, may, 99, "Other", charge="Tax"),
        replace(line(7, may, 70, "Compute"), currency="EUR"),
    ]
    heads = [Headcount(date(2026, 5, 1), 10, 1000), Headcount(date(2026, 6, 1), 30, 3000)]
    dev = c.costs_per_head(W, costs, heads, mapping, "developer", Q.months(), "USD")
    assert dev.value == pytest.approx((400 / 2) / 20)  # monthly developer cost ÷ mean developers
    user = c.costs_per_head(W, costs, heads, mapping, "user", Q.months(), "USD")
    assert user.value == pytest.approx((2200 / 2) / 2000)
    assert {e.reason for e in dev.excluded} == {"Tax lines", "billed in EUR, not USD"}
    billed = KpiMapping.model_validate({"costs": {"measure": "billed"}})
    assert c.costs_per_head(
        W, costs, heads, billed, "user", Q.months(), "USD"
    ).value == pytest.approx(2 * (2200 / 2) / 2000)


def test_uptime_merges_overlapping_outages() -> None:
    incidents = [
        Incident("t", "1", "", T0, "S1", resolved_at=T0 + timedelta(hours=2)),
        Incident("t", "2", "", T0 + timedelta(hours=1), "S1", resolved_at=T0 + timedelta(hours=3)),
        Incident("t", "3", "", T0, "S3", resolved_at=T0 + timedelta(hours=30)),
    ]
    up, n = c.uptime_percent(W, incidents)  # type: ignore[misc]
    length = (W.end - W.start).total_seconds()
    assert up == pytest.approx(100 * (1 - 3 * 3600 / length)) and n == 2


# ----------------------------------------------------------------------------- the whole report


def test_report_has_every_kpi_with_targets_trends_and_pillar_metrics() -> None:
    framework = load_framework()
    items = []
    for q_index, q in enumerate(last_quarters(Q, 3)):
        start = q.start(UTC_ZONE)
        for n in range(20):
            items.append(
                item(
                    1000 * q_index + n,
                    "feature",
                    start,
                    start + timedelta(days=10),
                    started_at=start + timedelta(days=2 + q_index),
                )
            )
        for n in range(6 - 2 * q_index):
            items.append(
                item(
                    1000 * q_index + 500 + n,
                    "bug",
                    start + timedelta(days=1),
                    found_in="production",
                )
            )
    prs = [PullRequest("g", "1", "r", 1, T0, merged_at=T0 + timedelta(hours=12))]
    runs = [
        PipelineRun(
            "g",
            "r1",
            "CI",
            "ci",
            T0,
            started_at=T0,
            finished_at=T0 + timedelta(minutes=4),
            conclusion="success",
        )
    ]
    report = kpi_report(
        framework,
        KpiMapping(),
        EventSet(work_items=items, pull_requests=prs, runs=runs),
        Q,
        UTC_ZONE,
        NOW,
        "Org",
        "USD",
        quarters=3,
    )
    ids = [k.id for k in report.kpis]
    assert ids == [
        "change-failure-rate",
        "change-failure-rate-deployments",
        "mean-time-to-detect",
        "mean-time-to-respond",
        "error-rate",
        "latency-target-miss-rate",
        "recovery-time-objective",
        "development-velocity",
        "development-latency",
        "cost-per-developer",
        "cost-per-user",
    ]
    cfr = report.kpis[0]
    assert [p.value for p in cfr.history] == [30.0, 20.0, 10.0]
    assert (cfr.trend, cfr.improving, cfr.target, cfr.met) == ("down", True, "< 5 %", False)
    assert cfr.target_metric == "resiliency.change-failure-rate"
    latency = report.kpis[8]
    assert [p.value for p in latency.history] == [8.0, 7.0, 6.0]
    metrics = {m.metric_id: m for m in report.pillar_metrics}
    assert metrics["automation.pr-merge-latency"].value == pytest.approx(0.5)
    assert metrics["automation.ci-pipeline-duration"].value == pytest.approx(4.0)
    assert metrics["automation.ci-pipeline-duration"].met is True
    assert metrics["resiliency.change-failure-rate"].value == pytest.approx(10.0)
    unit_report = kpi_report(
        framework,
        KpiMapping(),
        EventSet(work_items=items),
        Q,
        UTC_ZONE,
        NOW,
        "Org",
        "USD",
        unit="x",
    )
    assert unit_report.kpis[0].current.value is None and unit_report.scope == "x"

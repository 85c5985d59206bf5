"""SLA attainment per period, aging and time to remediate per band, expected loss."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from statistics import mean, median

from platform_maturity.domain.backlog import OPEN_STATES, ItemState
from platform_maturity.domain.backlog_results import Attainment, BandStats, LossSummary
from platform_maturity.engine.backlog.views import Backlog

YEAR = timedelta(days=365)


def quarter_of(moment: datetime) -> tuple[str, datetime, datetime]:
    """The calendar quarter holding ``moment``: its label, first instant and end (exclusive)."""
    q = (moment.month - 1) // 3
    start = datetime(moment.year, 3 * q + 1, 1, tzinfo=UTC)
    end = datetime(moment.year + (q == 3), (3 * q + 3) % 12 + 1, 1, tzinfo=UTC)
    return f"{moment.year}-Q{q + 1}", start, end


def quarters(moment: datetime, count: int) -> list[tuple[str, datetime, datetime]]:
    """The ``count`` quarters up to the one holding ``moment`` (which ends at ``moment``)."""
    result = []
    label, start, end = quarter_of(moment)
    result.append((f"{label} to date", start, min(end, moment)))
    for _ in range(count - 1):
        label, start, end = quarter_of(start - timedelta(seconds=1))
        result.append((label, start, end))
    return list(reversed(result))


def attainment(backlog: Backlog, start: datetime, end: datetime, label: str) -> Attainment:
    """Items resolved in ``[start, end)`` against their SLA, and what was open at ``end``."""
    policy = backlog.policy.sla_policy
    order = [b.name for b in policy.ordered()]
    labels = {b.name: (b.label, b.deadline_text) for b in policy.bands}
    ages: dict[str, list[float]] = {}
    breached: dict[str, int] = {}
    fixed: dict[str, list[tuple[bool, float]]] = {}
    resolved = within = open_at_end = breached_at_end = untriaged = 0
    for item in backlog.items:
        status = backlog.status(item, end)
        band = status.band.name if status.band else None
        if band is not None and band not in order:
            order.append(band)
        if status.state in OPEN_STATES:
            open_at_end += 1
            if status.state == ItemState.NEW or band is None:
                untriaged += 1
                continue
            ages.setdefault(band, []).append(status.age_days)
            if status.breached:
                breached_at_end += 1
                breached[band] = breached.get(band, 0) + 1
        elif (
            status.state == ItemState.RESOLVED
            and item.resolved_at is not None
            and start <= item.resolved_at < end
        ):
            resolved += 1
            ok = bool(status.within_sla)
            within += ok
            if band is not None:
                fixed.setdefault(band, []).append((ok, status.age_days))
    bands = []
    for name in order:
        open_ages = ages.get(name, [])
        done = fixed.get(name, [])
        label_text, deadline = labels.get(name, (name, "(an earlier policy)"))
        bands.append(
            BandStats(
                band=name,
                label=label_text,
                deadline=deadline,
                open=len(open_ages),
                open_in_breach=breached.get(name, 0),
                median_age_days=round(median(open_ages), 1) if open_ages else None,
                oldest_age_days=round(max(open_ages), 1) if open_ages else None,
                resolved=len(done),
                resolved_within_sla=sum(ok for ok, _ in done),
                mean_days_to_remediate=round(mean(d for _, d in done), 1) if done else None,
            )
        )
    return Attainment(
        label=label,
        start=start,
        end=end,
        resolved=resolved,
        resolved_within_sla=within,
        attainment_percent=round(100.0 * within / resolved, 1) if resolved else None,
        open_at_end=open_at_end,
        open_in_breach_at_end=breached_at_end,
        untriaged_at_end=untriaged,
        bands=tuple(bands),
    )


def last_twelve_months(backlog: Backlog, moment: datetime) -> Attainment:
    """The usual observation window of a SOC 2 Type II audit, ending at ``moment``."""
    return attainment(backlog, moment - YEAR, moment, "last 12 months")


def quarterly_trend(backlog: Backlog, moment: datetime, count: int = 5) -> tuple[Attainment, ...]:
    return tuple(attainment(backlog, s, e, label) for label, s, e in quarters(moment, count))


def loss_summary(backlog: Backlog, moment: datetime) -> LossSummary:
    open_total = accepted_total = 0.0
    by_band: dict[str, float] = {b.name: 0.0 for b in backlog.policy.sla_policy.ordered()}
    unscored = 0
    for item in backlog.items:
        status = backlog.status(item, moment)
        loss = backlog.loss(item)
        if status.state in OPEN_STATES:
            if loss is None:
                unscored += 1
                continue
            open_total += loss
            if status.band is not None:
                by_band[status.band.name] = by_band.get(status.band.name, 0.0) + loss
        elif status.state == ItemState.RISK_ACCEPTED and loss is not None:
            accepted_total += loss
    return LossSummary(
        currency=backlog.policy.currency,
        open_total=round(open_total, 2),
        accepted_total=round(accepted_total, 2),
        by_band={k: round(v, 2) for k, v in by_band.items()},
        unscored=unscored,
    )

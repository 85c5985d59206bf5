"""Display strings and charts of the security backlog, shared by Markdown and HTML.

Formatting only: every number comes from the engine's results (agenda, attainment,
security section); this module turns them into text, CSS classes and chart geometry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from platform_maturity.domain.backlog import ItemState
from platform_maturity.domain.backlog_results import (
    Agenda,
    Attainment,
    ItemView,
    LossSummary,
    SecuritySection,
)
from platform_maturity.reports.charts import BarChart, BarDatum, bar_chart

DASH = "—"


def money(amount: float | None, currency: str) -> str:
    """``9,500 USD``, ``192.5k USD``, ``12.3M USD``, ``10M USD``."""
    if amount is None:
        return DASH
    if amount >= 1_000_000:
        return f"{_one_decimal(amount / 1_000_000)}M {currency}".strip()
    if amount >= 10_000:
        return f"{_one_decimal(amount / 1000)}k {currency}".strip()
    return f"{amount:,.0f} {currency}".strip()


def _one_decimal(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def percent(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f} %"


@dataclass(frozen=True)
class ItemRow:
    key: str
    title: str
    component: str
    owner: str
    state: str
    severity: str  # "12 (medium)", "~9 suggested", "?"
    band: str  # CSS class: low, medium, high, none
    due: str
    due_class: str  # late, soon, ok, none
    loss: str
    note: str  # breach reason, suggestion or acceptance


def item_row(view: ItemView, moment: datetime, currency: str) -> ItemRow:
    if view.severity is not None:
        severity = f"{view.severity} ({view.band})"
    elif view.suggested_severity:
        severity = f"~{view.suggested_severity} suggested"
    else:
        severity = "?"
    due, due_class = DASH, "none"
    if view.state == ItemState.RISK_ACCEPTED and view.acceptance_expires:
        due, due_class = f"until {view.acceptance_expires:%Y-%m-%d}", "soon"
    elif view.next_due is not None:
        days = view.days_left or 0.0
        if view.overdue_days is not None:
            due, due_class = f"{view.overdue_days:.0f} d late", "late"
        elif view.breached:
            due, due_class = f"started late; due {view.next_due:%Y-%m-%d}", "late"
        else:
            due, due_class = (
                f"{view.next_due:%Y-%m-%d} ({days:.0f} d)",
                "soon" if days < 7 else "ok",
            )
    elif view.state == ItemState.NEW:
        due, due_class = f"waiting {view.age_days:.0f} d", "soon" if view.age_days > 14 else "ok"
    note = view.breach or ""
    if view.state == ItemState.NEW and view.suggested:
        note = f"suggested: {view.suggested}"
    elif view.state == ItemState.RISK_ACCEPTED and view.acceptance:
        note = view.acceptance
    return ItemRow(
        key=view.key,
        title=view.title,
        component=view.component,
        owner=view.owner or DASH,
        state=view.state.label,
        severity=severity,
        band=view.band or "none",
        due=due,
        due_class=due_class,
        loss=money(view.expected_annual_loss, currency) if view.expected_annual_loss else DASH,
        note=note,
    )


@dataclass(frozen=True)
class BandRow:
    band: str
    label: str
    deadline: str
    open: int
    breached: int
    median_age: str
    oldest: str
    resolved: str  # "5 of 6 in SLA"
    mttr: str


@dataclass(frozen=True)
class AttainmentView:
    label: str
    percent: str
    resolved: int
    within: int
    breached: int
    untriaged: int
    bands: tuple[BandRow, ...]
    chart: BarChart | None  # per quarter
    quarters: tuple[tuple[str, str, str, int], ...]  # label, percent, "within/resolved", breaches


def _days(value: float | None) -> str:
    return DASH if value is None else f"{value:.0f} d"


def attainment_view(period: Attainment, trend: Sequence[Attainment]) -> AttainmentView:
    bands = tuple(
        BandRow(
            band=b.band,
            label=b.label,
            deadline=b.deadline,
            open=b.open,
            breached=b.open_in_breach,
            median_age=_days(b.median_age_days),
            oldest=_days(b.oldest_age_days),
            resolved=f"{b.resolved_within_sla} of {b.resolved}" if b.resolved else DASH,
            mttr=_days(b.mean_days_to_remediate),
        )
        for b in period.bands
    )
    chart = None
    if trend:
        chart = bar_chart(
            [
                BarDatum(
                    label=q.label,
                    value=q.attainment_percent,
                    note=f"{q.resolved_within_sla}/{q.resolved} in SLA"
                    f" · {q.open_in_breach_at_end} late",
                )
                for q in trend
            ],
            label_width=150.0,
            note_width=150.0,
        )
    return AttainmentView(
        label=period.label,
        percent=percent(period.attainment_percent),
        resolved=period.resolved,
        within=period.resolved_within_sla,
        breached=period.open_in_breach_at_end,
        untriaged=period.untriaged_at_end,
        bands=bands,
        chart=chart,
        quarters=tuple(
            (
                q.label,
                percent(q.attainment_percent),
                f"{q.resolved_within_sla}/{q.resolved}",
                q.open_in_breach_at_end,
            )
            for q in trend
        ),
    )


@dataclass(frozen=True)
class LossView:
    open_total: str
    accepted_total: str
    unscored: int
    chart: BarChart | None  # share of the open total per band
    rows: tuple[tuple[str, str, str], ...]  # band, money, share


def loss_view(loss: LossSummary) -> LossView:
    total = loss.open_total
    rows = tuple(
        (band, money(amount, loss.currency), percent(100 * amount / total) if total else DASH)
        for band, amount in loss.by_band.items()
    )
    chart = None
    if total:
        chart = bar_chart(
            [
                BarDatum(
                    label=band,
                    value=100 * amount / total,
                    note=money(amount, loss.currency),
                )
                for band, amount in loss.by_band.items()
            ],
            label_width=110.0,
            note_width=120.0,
        )
    return LossView(
        open_total=money(loss.open_total, loss.currency),
        accepted_total=money(loss.accepted_total, loss.currency),
        unscored=loss.unscored,
        chart=chart,
        rows=rows,
    )


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    hint: str
    rows: tuple[ItemRow, ...]
    empty: str


@dataclass(frozen=True)
class AgendaView:
    title: str
    organization: str
    generated_at: datetime
    next_review: datetime
    last_review: datetime | None
    cadence_days: int
    sections: tuple[Section, ...]
    open_by_band: tuple[tuple[str, int], ...]
    loss: LossView
    attainment: AttainmentView
    overdue_cost: str | None


def agenda_view(agenda: Agenda) -> AgendaView:
    def rows(views: Sequence[ItemView]) -> tuple[ItemRow, ...]:
        return tuple(item_row(v, agenda.generated_at, agenda.currency) for v in views)

    sections = (
        Section(
            "triage",
            "New items to triage",
            "Score risk and impact together, with the people who know the system and the"
            " business; a scanner's suggestion is only a starting point.",
            rows(agenda.to_triage),
            "Nothing waits for triage.",
        ),
        Section(
            "breaches",
            "SLA breaches",
            "For each: fix now (and say by when), accept the risk with an approver and an"
            " expiry, or score it again if the facts changed.",
            rows(agenda.breaches),
            "No open item is past its deadline.",
        ),
        Section(
            "due",
            f"Due before the next review ({agenda.next_review:%Y-%m-%d})",
            "Confirm each has an owner and will make its deadline.",
            rows(agenda.due_before_next),
            "Nothing falls due before the next review.",
        ),
        Section(
            "expiring",
            "Accepted risks about to expire",
            "Renew with a reason and a new expiry, or plan the fix.",
            rows(agenda.expiring_acceptances),
            "No accepted risk expires before the next review.",
        ),
    )
    return AgendaView(
        title=f"Security backlog review — {agenda.organization}",
        organization=agenda.organization,
        generated_at=agenda.generated_at,
        next_review=agenda.next_review,
        last_review=agenda.last_review,
        cadence_days=agenda.cadence_days,
        sections=sections,
        open_by_band=tuple(agenda.open_by_band.items()),
        loss=loss_view(agenda.loss),
        attainment=attainment_view(agenda.attainment, agenda.trend),
        overdue_cost=money(agenda.overdue_cost, agenda.currency) if agenda.overdue_cost else None,
    )


@dataclass(frozen=True)
class SecurityView:
    open: int
    untriaged: int
    last_review: datetime | None
    attainment: AttainmentView
    loss: LossView
    breaches: tuple[ItemRow, ...]
    exposure: tuple[ItemRow, ...]
    gap_costs: tuple[tuple[str, str], ...]


def security_view(section: SecuritySection) -> SecurityView:
    return SecurityView(
        open=section.open,
        untriaged=section.untriaged,
        last_review=section.last_review,
        attainment=attainment_view(section.attainment, section.trend),
        loss=loss_view(section.loss),
        breaches=tuple(item_row(v, section.as_of, section.currency) for v in section.breaches),
        exposure=tuple(item_row(v, section.as_of, section.currency) for v in section.top_exposure),
        gap_costs=section.gap_costs,
    )

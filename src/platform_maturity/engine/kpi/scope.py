"""One unit's share of the events, and which KPIs must stay organization-wide.

Work items, pull requests, runs, deployments and incidents say their unit (from
``kpi.units`` or the source). MTTD samples follow their work item. Costs say it through
``kpi.costs.unit_tag``, SLI windows through their subsystem (``unit`` of the subsystem, else
``kpi.units``), recovery drills and head counts when recorded with a unit. Where the unit
has none of its own but some records belong to no unit, the KPI shows the organization's
value (all records, the organization's head counts), labelled organization-wide: never as
the unit's own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from platform_maturity.domain.events import EventSet
from platform_maturity.domain.kpi_mapping import KpiMapping
from platform_maturity.domain.kpi_results import Scope

T = TypeVar("T")

# KPI ids by the kind of record they read, for the kinds a unit may not be known for
SCOPED_KPIS: dict[str, tuple[str, ...]] = {
    "sli": ("error-rate", "latency-target-miss-rate"),
    "drills": ("recovery-time-objective",),
    "costs": ("cost-per-developer", "cost-per-user"),
}
NOTES = {
    "sli": "the organization's value: no subsystem is the unit's, and {n} SLI window(s)"
    " belong to no unit (kpi.prometheus.subsystems[].unit or kpi.units)",
    "drills": "the organization's value: no recovery drill was recorded for the unit, and"
    " {n} belong to no unit ('maturity kpi drill --unit')",
    "costs": "the organization's value: no cost line carries the unit's tag, and {n} belong"
    " to no unit (kpi.costs.unit_tag)",
}


@dataclass(frozen=True)
class UnitScope:
    """The events a unit's report reads, with the KPIs left organization-wide and why."""

    events: EventSet
    unit: str | None = None  # None: the organization's report
    organization: dict[str, str] = field(default_factory=dict)  # KPI id -> reason

    def scope_of(self, kpi_id: str) -> tuple[Scope, str | None]:
        if self.unit is None:
            return "organization", None
        note = self.organization.get(kpi_id)
        return ("organization", note) if note is not None else ("unit", None)


def _pick(records: Sequence[T], owner: Callable[[T], str | None], unit: str) -> tuple[list[T], int]:
    """The unit's own records; or, when it has none and some records belong to no unit,
    all of them with that count: the KPI is then the organization's, labelled so."""
    own: list[T] = []
    nobody = 0
    for record in records:
        found = owner(record)
        if found == unit:
            own.append(record)
        elif found is None:
            nobody += 1
    if own or not nobody:
        return own, 0
    return list(records), nobody


def unit_scope(events: EventSet, unit: str, mapping: KpiMapping) -> UnitScope:
    """The unit's events; organization-wide ones where the unit's cannot be told apart."""
    work_items = [x for x in events.work_items if x.unit == unit]
    table = events.work_table
    keys = {(x.source, x.source_id) for x in work_items}
    sli, sli_n = _pick(events.sli, lambda s: mapping.subsystem_unit(s.subsystem), unit)
    drills, drills_n = _pick(events.drills, lambda d: d.unit, unit)
    costs, costs_n = _pick(events.costs, lambda c: mapping.cost_unit(c.tags), unit)
    organization = {
        kpi_id: NOTES[kind].format(n=n)
        for kind, n in (("sli", sli_n), ("drills", drills_n), ("costs", costs_n))
        if n
        for kpi_id in SCOPED_KPIS[kind]
    }
    # a unit's costs go with the unit's head counts, the organization's with its own
    heads_of = None if costs_n else unit
    scoped = replace(
        events,
        work_items=work_items,
        pull_requests=[x for x in events.pull_requests if x.unit == unit],
        runs=[x for x in events.runs if x.unit == unit],
        deployments=[x for x in events.deployments if x.unit == unit],
        incidents=[x for x in events.incidents if x.unit == unit],
        work_table=None if table is None else table.where(table.unit.equals(unit)),
        # a sample follows its work item: by the item's record, or the unit the store read
        mttd=[s for s in events.mttd if s.unit == unit or (s.source, s.source_id) in keys],
        sli=sli,
        drills=drills,
        costs=costs,
        headcounts=[h for h in events.headcounts if h.unit == heads_of],
    )
    return UnitScope(scoped, unit, organization)


def organization_events(events: EventSet) -> EventSet:
    """The organization's report: every record, but only the organization's head counts."""
    if all(h.unit is None for h in events.headcounts):
        return events
    return replace(events, headcounts=[h for h in events.headcounts if h.unit is None])

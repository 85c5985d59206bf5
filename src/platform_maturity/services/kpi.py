"""KPI use cases: compute the report, record pillar metrics, MTTD samples, drills, head counts."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.orm import Session

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.events import Incident, MttdSample, RecoveryDrill
from platform_maturity.domain.kpi_results import KpiReport
from platform_maturity.domain.records import Measurement
from platform_maturity.engine.kpi.periods import Quarter, parse_quarter, quarter_of
from platform_maturity.engine.kpi.report import kpi_report
from platform_maturity.importers.common import parse_time
from platform_maturity.services.kpi_import import import_context
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import event_repo, repo
from platform_maturity.store.db import Database
from platform_maturity.store.models import MeasurementRow

MEASUREMENT_SOURCE = "kpi"
SAMPLE_MIN, SAMPLE_MAX = 20, 25


def resolve_quarter(workspace: Workspace, text: str | None, now: datetime) -> Quarter:
    if text:
        return parse_quarter(text)
    return quarter_of(now, import_context(workspace).timezone)


def build_kpi_report(
    workspace: Workspace,
    database: Database,
    now: datetime,
    quarter: str | None = None,
    unit: str | None = None,
    quarters: int = 4,
) -> KpiReport:
    slug = workspace.unit(unit)
    context = import_context(workspace)
    with database.transaction() as session:
        events = event_repo.load_events(session, table=True)
        events.incidents.extend(_native_incidents(workspace, session))
    return kpi_report(
        workspace.framework,
        workspace.config.kpi,
        events,
        resolve_quarter(workspace, quarter, now),
        context.timezone,
        now,
        workspace.config.organization.name,
        workspace.config.organization.currency,
        quarters=quarters,
        unit=slug,
    )


def _native_incidents(workspace: Workspace, session: Session) -> list[Incident]:
    """The incidents the watcher opened from downtime, beside the imported ones."""
    from platform_maturity.engine.downtime.incidents import kpi_records
    from platform_maturity.engine.kpi.native import native_incidents
    from platform_maturity.store.downtime_queries import list_incidents

    units = {c.id: c.unit for c in workspace.config.downtime.components}
    return native_incidents(kpi_records(list_incidents(session)), units)


def kpi_section(
    workspace: Workspace, database: Database, now: datetime, unit: str | None
) -> KpiReport | None:
    """The KPI report for the report's section, or None when nothing was imported yet."""
    with database.transaction() as session:
        if not event_repo.has_events(session) and not _native_incidents(workspace, session):
            return None
    return build_kpi_report(workspace, database, now, None, unit)


def record_pillar_metrics(database: Database, report: KpiReport, actor: str, now: datetime) -> int:
    """Store the pillar metrics the KPI data gives, at the end of the report's quarter.

    Values computed before for the same quarter are replaced, so running it again adds
    nothing new.
    """
    at = min(report.end - timedelta(seconds=1), now)
    with database.transaction() as session:
        session.execute(
            delete(MeasurementRow).where(
                MeasurementRow.source == MEASUREMENT_SOURCE,
                MeasurementRow.measured_at >= report.start,
                MeasurementRow.measured_at < report.end,
                MeasurementRow.unit.is_(None),
            )
        )
        for value in report.pillar_metrics:
            repo.add_measurement(
                session,
                Measurement(
                    metric_id=value.metric_id,
                    value=round(value.value, 6),
                    measured_at=at,
                    source=MEASUREMENT_SOURCE,
                    note=f"from imported data, {value.period}, n={value.n}",
                ),
                actor,
                now,
            )
    return len(report.pillar_metrics)


# ----------------------------------------------------------------------------- MTTD sample


def draw_mttd_sample(
    workspace: Workspace,
    database: Database,
    quarter_text: str | None,
    now: datetime,
    size: int = SAMPLE_MAX,
    seed: int | None = None,
) -> tuple[str, list[MttdSample], int]:
    """Draw production bugs opened in the quarter for the detection-time analysis.

    The draw is reproducible (seeded by the quarter unless ``seed`` is given). Bugs already
    in the quarter's sample stay; only the missing number is drawn. Detection time is
    pre-filled with the ticket's creation; people fill in when the defect was deployed.
    Returns the quarter, the whole sample and how many bugs were added.
    """
    if not SAMPLE_MIN <= size <= SAMPLE_MAX:
        raise UserError(
            "sample size out of range",
            field="--size",
            value=size,
            hint=f"The framework suggests {SAMPLE_MIN} to {SAMPLE_MAX} bugs a quarter.",
        )
    quarter = resolve_quarter(workspace, quarter_text, now)
    zone = import_context(workspace).timezone
    start, end = quarter.start(zone), quarter.end(zone)
    with database.transaction() as session:
        items = event_repo.load_work_items(session)
        taken = event_repo.mttd_quarter_keys(session, quarter.name)
        population = sorted(
            (
                i
                for i in items
                if i.kind == "bug"
                and i.found_in == "production"
                and start <= i.created_at < end
                and i.resolution not in ("duplicate", "not_planned")
                and not i.is_bot
                and i.key not in taken
            ),
            key=lambda i: (i.source, i.source_id),
        )
        wanted = max(0, size - len(taken))
        rng = random.Random(seed if seed is not None else quarter.name)
        drawn = rng.sample(population, min(wanted, len(population)))
        new = [
            MttdSample(
                quarter=quarter.name,
                source=i.source,
                source_id=i.source_id,
                key=i.key,
                title=i.title,
                detected_at=i.created_at,
            )
            for i in sorted(drawn, key=lambda i: i.created_at)
        ]
        event_repo.save_mttd_samples(session, new, now)
        sample = [s for s in event_repo.load_events(session).mttd if s.quarter == quarter.name]
    return quarter.name, sample, len(new)


WORKSHEET_COLUMNS = ("quarter", "key", "title", "deployed_at", "detected_at", "note")


def mttd_worksheet(sample: list[MttdSample]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(WORKSHEET_COLUMNS)
    for s in sample:
        writer.writerow(
            [
                s.quarter,
                s.key,
                s.title,
                s.deployed_at.isoformat() if s.deployed_at else "",
                s.detected_at.isoformat() if s.detected_at else "",
                s.note or "",
            ]
        )
    return out.getvalue()


def fill_mttd_sample(workspace: Workspace, database: Database, path: Path) -> int:
    """Read a filled-in worksheet; all rows are checked before any is stored."""
    from platform_maturity.importers.common import csv_rows

    zone = import_context(workspace).timezone
    _, rows = csv_rows(
        path,
        ("quarter", "key", "deployed_at", "detected_at"),
        "an MTTD worksheet",
        "Use the CSV that 'maturity kpi sample-mttd --out FILE' writes.",
    )
    updates = []
    for row in rows:
        quarter = parse_quarter(row.get("quarter") or "").name
        key = row.get("key") or ""
        deployed = parse_time(
            row.get("deployed_at"), zone, file=str(path), line=row.line, field="deployed_at"
        )
        detected = parse_time(
            row.get("detected_at"), zone, file=str(path), line=row.line, field="detected_at"
        )
        updates.append((row.line, quarter, key, deployed, detected, row.get("note")))
    with database.transaction() as session:
        count = 0
        for line, quarter, key, deployed, detected, note in updates:
            if not event_repo.update_mttd_sample(session, quarter, key, deployed, detected, note):
                raise UserError(
                    "not in the quarter's sample",
                    file=str(path),
                    line=line,
                    field="key",
                    value=key,
                    hint="Only bugs drawn by 'maturity kpi sample-mttd' can be filled in.",
                )
            count += 1
    return count


# ----------------------------------------------------------------------------- drills, heads


def record_drill(
    database: Database,
    started_at: datetime,
    restored_at: datetime | None,
    success: bool,
    scenario: str,
    notes: str | None,
    unit: str | None = None,
) -> bool:
    """Record a drill of the whole organization, or of one unit (a validated slug)."""
    if restored_at is not None and restored_at < started_at:
        raise UserError(
            "the recovery ends before it starts",
            field="--restored",
            value=restored_at.isoformat(),
            hint="--restored is when normal operation resumed, after --started.",
        )
    drill = RecoveryDrill(
        source_id=f"drill@{started_at.isoformat()}" + (f"@{unit}" if unit else ""),
        started_at=started_at,
        restored_at=restored_at,
        success=success and restored_at is not None,
        scenario=scenario,
        notes=notes,
        unit=unit,
    )
    with database.transaction() as session:
        return event_repo.write_drill(session, drill)


def record_headcount(
    database: Database,
    month: date,
    developers: float | None,
    users: float | None,
    now: datetime,
    unit: str | None = None,
) -> None:
    from platform_maturity.domain.events import Headcount

    if developers is None and users is None:
        raise UserError("give --developers, --users or both")
    with database.transaction() as session:
        event_repo.write_headcounts(session, [Headcount(month, developers, users, unit=unit)], now)

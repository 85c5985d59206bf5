"""Import scanner outputs into the backlog: parse every file first, then one transaction.

A bad file is reported with its line and field and nothing is stored. Findings are
de-duplicated by fingerprint across imports; what a newer complete scan of the same target
no longer lists is resolved with that scan as evidence; what comes back reopens.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from platform_maturity.domain.backlog import (
    BacklogItem,
    Finding,
    ItemSource,
    ItemState,
    ScanImport,
    item_key,
)
from platform_maturity.domain.backlog_policy import SecurityBacklogPolicy
from platform_maturity.domain.errors import UserError
from platform_maturity.engine.backlog import workflow
from platform_maturity.engine.backlog.reimport import plan_import
from platform_maturity.engine.backlog.suggest import suggest
from platform_maturity.importers.findings.base import ScanReport, read_json
from platform_maturity.importers.findings.registry import by_name, detect
from platform_maturity.services.backlog import apply_expiries, backlog_policy
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import backlog_queries as queries
from platform_maturity.store.db import Database

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ParsedFile:
    path: Path
    format: str
    digest: str
    reports: list[ScanReport]


@dataclass(frozen=True)
class ImportResult:
    scan: ScanImport
    file: str
    created: list[str]
    fixed: list[str]
    reopened: list[str]


def parse_files(paths: Sequence[Path], fmt: str, target: str | None) -> list[ParsedFile]:
    """Read and check every file; the first bad one stops everything (nothing is stored)."""
    chosen = None if fmt == "auto" else by_name(fmt)
    parsed = []
    for path in paths:
        if path.is_dir():
            raise UserError(
                "a folder, not a file", file=str(path), hint="Import scanner output files (JSON)."
            )
        doc = read_json(path, chosen.title if chosen else "scanner output")
        importer = chosen or detect(doc)
        doc.format_title = importer.title
        reports = importer.parse(doc, target)
        digest = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
        parsed.append(ParsedFile(path, importer.name, digest, reports))
    return parsed


def short_target(target: str) -> str:
    """A component name from a scan target: ``https://github.com/o/r`` reads ``o/r``."""
    for prefix in ("https://github.com/", "https://gitlab.com/", "https://", "http://"):
        if target.startswith(prefix):
            return target[len(prefix) :].removesuffix(".git")
    return target


def target_key(fmt: str, target: str) -> str:
    return hashlib.sha256(f"{fmt}\x1f{target}".encode()).hexdigest()


@dataclass(frozen=True)
class Assignment:
    """Where new items of an import belong (all optional)."""

    component: str | None = None
    unit: str | None = None
    owner: str | None = None


def _new_item(
    finding: Finding,
    report: ScanReport,
    assignment: Assignment,
    policy: SecurityBacklogPolicy,
    seen: datetime,
    now: datetime,
) -> BacklogItem:
    description = finding.description
    if finding.fixed_version:
        description = f"Fixed in {finding.fixed_version}.\n\n{description}".strip()
    return BacklogItem(
        title=finding.title if len(finding.title) >= 3 else f"{finding.rule}: {finding.title}",
        description=description[:20000],
        component=(assignment.component or short_target(report.target))[:200],
        unit=assignment.unit,
        owner=assignment.owner,
        source=ItemSource.SCANNER,
        channel="import",
        reporter=report.tool[:200],
        reported_at=seen,
        sla_started_at=seen,
        suggestion=suggest(finding, policy.suggestions, report.tool),
        created_at=now,
        updated_at=now,
    )


def _item(session: Session, item_id: int) -> BacklogItem:
    item = queries.get_item(session, item_id)
    assert item is not None, f"finding of a missing item {item_id}"
    return item


def _apply(
    session: Session,
    parsed: ParsedFile,
    report: ScanReport,
    assignment: Assignment,
    policy: SecurityBacklogPolicy,
    actor: str,
    now: datetime,
) -> ImportResult:
    key = target_key(report.format, report.target)
    scanned = min(report.scanned_at or now, now)
    known = queries.findings_by_fingerprint(session, (f.fingerprint for f in report.findings))
    same_target = queries.findings_of_target(session, key) if report.complete else []
    states = queries.item_states(
        session, [f.item_id for f in known.values()] + [f.item_id for f in same_target]
    )
    plan = plan_import(report.findings, known, states, same_target, report.complete)
    scan = ScanImport(
        format=report.format,
        tool=report.tool,
        target=report.target,
        file_name=parsed.path.name,
        digest=parsed.digest,
        scanned_at=scanned,
        imported_at=now,
        actor=actor,
        findings=len(report.findings) - plan.repeated,
    )
    scan_id = queries.add_scan(session, scan, key)
    evidence = f"scan #{scan_id} of {report.target} ({report.tool}, {scanned:%Y-%m-%d})"
    created = []
    for finding in plan.create:
        seen = min(finding.seen_at or scanned, now)
        item = _new_item(finding, report, assignment, policy, seen, now)
        item_id = queries.add_item(session, item, actor, now)
        queries.add_finding(session, item_id, finding, key, scan_id, scanned)
        created.append(item_key(item_id))
    for stored, finding in plan.update:
        queries.refresh_finding(session, stored.fingerprint, finding, scan_id, scanned)
    fixed = []
    for stored in plan.fix:
        item = _item(session, stored.item_id)
        if item.state in (ItemState.RESOLVED, ItemState.DUPLICATE, ItemState.INVALID):
            continue
        why = (
            f"fixed according to {evidence}"
            if stored.fingerprint in {f.fingerprint for f in report.findings}
            else f"not found by {evidence}"
        )
        after = workflow.transition(item, ItemState.RESOLVED, now, note=why)
        queries.save_item(session, item, after, actor, now, "import")
        queries.mark_finding_fixed(session, stored.fingerprint, scan_id)
        fixed.append(item.key)
    reopened = []
    for stored, finding in plan.reopen:
        item = _item(session, stored.item_id)
        after = workflow.transition(item, workflow.reopened_state(item), now)
        queries.save_item(session, item, after, actor, now, "import")
        queries.note(session, item.id or 0, f"found again by {evidence}", actor, now)
        queries.refresh_finding(session, stored.fingerprint, finding, scan_id, scanned)
        reopened.append(item.key)
    for stored, finding in plan.dismissed:
        queries.note(
            session,
            stored.item_id,
            f"{finding.status_note or 'dismissed by the scanner'} ({evidence}); decide with"
            " 'maturity backlog close' or 'maturity backlog accept'",
            actor,
            now,
        )
    counts = {
        "created": len(created),
        "updated": len(plan.update),
        "fixed": len(fixed),
        "reopened": len(reopened),
        "skipped": len(plan.skipped),
    }
    queries.finish_scan(session, scan_id, counts, actor, now)
    return ImportResult(
        scan=scan.model_copy(update={"id": scan_id, **counts}),
        file=str(parsed.path),
        created=created,
        fixed=fixed,
        reopened=reopened,
    )


def import_files(
    workspace: Workspace,
    database: Database,
    paths: Sequence[Path],
    *,
    fmt: str = "auto",
    target: str | None = None,
    component: str | None = None,
    unit: str | None = None,
    owner: str | None = None,
    actor: str,
    now: datetime,
    progress: Progress | None = None,
) -> list[ImportResult]:
    """Import scanner outputs in one transaction; returns what each scan changed."""
    if not paths:
        raise UserError(
            "no files to import", field="FILES", hint="Give scanner output files (JSON)."
        )
    step = progress or (lambda _what, _done, _total: None)
    step("Reading", 0, len(paths))
    assignment = Assignment(component, workspace.unit(unit), owner)
    parsed = parse_files(paths, fmt, target)
    policy = backlog_policy(workspace)
    total = sum(len(p.reports) for p in parsed)
    results: list[ImportResult] = []
    with database.transaction() as session:
        apply_expiries(session, now)
        for file in parsed:
            for report in file.reports:
                step(f"Importing {file.path.name} ({report.target})", len(results), total)
                results.append(_apply(session, file, report, assignment, policy, actor, now))
    step("Done", total, total)
    return results


def list_scans(database: Database) -> list[ScanImport]:
    with database.transaction() as session:
        return queries.list_scans(session)

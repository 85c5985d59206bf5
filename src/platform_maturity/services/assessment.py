"""Recording what people know: answers, waivers and metric values."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.framework import Goal
from platform_maturity.domain.records import (
    Answer,
    AuditEntry,
    Measurement,
    Outcome,
    Waiver,
    parse_answer_status,
)
from platform_maturity.domain.results import MetricResult
from platform_maturity.domain.units import UnitError, parse_quantity
from platform_maturity.engine.evaluate import latest_answers
from platform_maturity.engine.metrics import metric_result
from platform_maturity.framework.yamlsource import read_yaml
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import repo
from platform_maturity.store.db import Database


def resolve_goal(workspace: Workspace, code: str, field: str = "CODE") -> Goal:
    try:
        return workspace.framework.goal(code)
    except KeyError as exc:
        raise UserError(str(exc), field=field, value=code) from None


def parse_status(text: str, field: str = "--status") -> Outcome:
    try:
        return parse_answer_status(text)
    except ValueError as exc:
        raise UserError(str(exc), field=field, value=text) from None


def make_answer(
    workspace: Workspace,
    code: str,
    status: str,
    *,
    unit: str | None,
    note: str | None,
    evidence: str | None,
    reason: str | None,
    at: datetime,
    actor: str,
    now: datetime | None = None,
) -> Answer:
    """Validate one answer. With ``now``, an answer dated in the future is refused."""
    goal = resolve_goal(workspace, code)
    if now is not None and at > now:
        raise UserError(
            "the answer is dated in the future",
            field="--at",
            value=f"{at:%Y-%m-%d %H:%M}",
            hint="Give a date on or before today; answers count from the moment they are true.",
        )
    outcome = parse_status(status)
    if outcome == Outcome.NOT_APPLICABLE and not (reason or note):
        raise UserError(
            "a not-applicable answer needs a reason",
            field="--reason",
            hint="Say why the goal does not apply, e.g. --reason 'no front end'.",
        )
    if evidence and not evidence.startswith(("http://", "https://", "file:", "/")):
        raise UserError(
            "the evidence link must be a URL or an absolute path",
            field="--evidence",
            value=evidence,
        )
    return Answer(
        goal_code=goal.code,
        unit=workspace.unit(unit),
        status=outcome,
        note=note,
        evidence_url=evidence,
        reason=reason,
        answered_at=at,
        answered_by=actor,
    )


def goals_to_assess(
    workspace: Workspace, database: Database, pillar: str | None, unit: str | None, now: datetime
) -> tuple[int, list[Goal]]:
    """The in-scope goals (of one pillar, or all) and those without an answer for ``unit``."""
    framework = workspace.framework
    try:
        chosen = list(framework.pillar(pillar).goals() if pillar else framework.goals())
    except KeyError as exc:
        raise UserError(str(exc), field="--pillar", value=pillar) from None
    goals = [g for g in chosen if g.in_scope]
    with database.transaction() as session:
        answered = latest_answers(repo.list_answers(session), now)
    return len(goals), [g for g in goals if (g.code, unit) not in answered]


def record_answer(database: Database, answer: Answer, actor: str, now: datetime) -> None:
    with database.transaction() as session:
        repo.add_answer(session, answer, actor, now)


def record_waiver(
    workspace: Workspace,
    database: Database,
    code: str,
    *,
    unit: str | None,
    reason: str,
    owner: str,
    expires: datetime | None,
    now: datetime,
    actor: str,
) -> Waiver:
    goal = resolve_goal(workspace, code)
    if not reason.strip():
        raise UserError("a waiver needs a reason", field="--reason")
    if expires is not None and expires <= now:
        raise UserError(
            "the expiry date is in the past",
            field="--expires",
            value=f"{expires:%Y-%m-%d}",
            hint="Give a future date, or leave it out for a waiver that never expires.",
        )
    waiver = Waiver(
        goal_code=goal.code,
        unit=workspace.unit(unit),
        reason=reason,
        owner=owner,
        expires_at=expires,
        created_at=now,
    )
    with database.transaction() as session:
        repo.add_waiver(session, waiver, actor, now)
    return waiver


def make_measurement(
    workspace: Workspace,
    metric_id: str,
    value: str,
    *,
    unit: str | None,
    at: datetime,
    source: str = "manual",
    note: str | None = None,
    now: datetime | None = None,
) -> Measurement:
    """Validate one metric value: known metric, fitting unit, plausible range, not future."""
    try:
        metric = workspace.framework.metric(metric_id)
    except KeyError as exc:
        raise UserError(
            str(exc),
            field="METRIC",
            value=metric_id,
            hint="List metric ids with 'maturity framework show PILLAR'.",
        ) from None
    try:
        quantity = parse_quantity(value, metric.unit)
    except UnitError as exc:
        raise UserError(
            str(exc),
            field="VALUE",
            value=value,
            hint=f"{metric.id} is measured in {metric.unit}; target {metric.target}.",
        ) from None
    low, high = metric.valid_range
    if (low is not None and quantity.value < low) or (high is not None and quantity.value > high):
        shown = f"{low if low is not None else '-inf'} to {high if high is not None else 'inf'}"
        raise UserError(
            f"out of range for this metric ({shown} {metric.unit})",
            field="VALUE",
            value=value,
            hint=f"{metric.id}: {metric.name}; target {metric.target}.",
        )
    if now is not None and at > now:
        raise UserError(
            "the measurement is dated in the future",
            field="--at",
            value=f"{at:%Y-%m-%d %H:%M}",
            hint="Give a date on or before today.",
        )
    return Measurement(
        metric_id=metric.id,
        unit=workspace.unit(unit),
        value=quantity.value,
        measured_at=at,
        source=source,
        note=note,
    )


def record_measurement(
    database: Database, measurement: Measurement, actor: str, now: datetime
) -> None:
    with database.transaction() as session:
        repo.add_measurement(session, measurement, actor, now)


# ---- answers as YAML, reviewed in pull requests ------------------------------------------


def export_answers(workspace: Workspace, database: Database, path: Path, now: datetime) -> int:
    """Write the current answer of every goal and unit as YAML; returns the count."""
    with database.transaction() as session:
        answers = latest_answers(repo.list_answers(session), now)
    entries = []
    for (code, unit), answer in sorted(answers.items(), key=lambda kv: (kv[0][1] or "", kv[0][0])):
        entry: dict[str, Any] = {"code": code, "status": answer.status.value}
        if unit:
            entry["unit"] = unit
        for key in ("note", "reason", "evidence_url"):
            if getattr(answer, key):
                entry[key if key != "evidence_url" else "evidence"] = getattr(answer, key)
        entry["answered_at"] = answer.answered_at.isoformat()
        if answer.answered_by:
            entry["answered_by"] = answer.answered_by
        entries.append(entry)
    text = "# Answers exported by 'maturity answers export'. Edit and re-import with\n"
    text += "# 'maturity answers import FILE'; unchanged entries are skipped.\n"
    text += yaml.safe_dump({"answers": entries}, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return len(entries)


def import_answers(
    workspace: Workspace, database: Database, path: Path, now: datetime, actor: str
) -> tuple[int, int]:
    """Validate every entry first, then store the changed ones in one transaction.

    Returns (recorded, unchanged).
    """
    doc = read_yaml(path)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("answers"), list):
        raise UserError(
            "expected a top-level 'answers:' list",
            file=str(path),
            line=1,
            hint="Create one with 'maturity answers export FILE'.",
        )
    parsed: list[Answer] = []
    seen: dict[tuple[str, str | None], int] = {}
    for index, entry in enumerate(data["answers"]):
        if not isinstance(entry, dict):
            raise UserError(
                "each answer must be a mapping",
                field=f"answers.{index}",
                file=str(path),
                line=doc.line_of(("answers", index)),
            )
        unknown = set(entry) - {
            "code",
            "status",
            "unit",
            "note",
            "reason",
            "evidence",
            "answered_at",
            "answered_by",
        }
        if unknown:
            key = sorted(unknown)[0]
            raise UserError(
                "unknown field",
                field=f"answers.{index}.{key}",
                file=str(path),
                line=doc.line_of(("answers", index, key)),
            )
        try:
            at = _parse_time(entry.get("answered_at"), now)
            answer = make_answer(
                workspace,
                str(entry.get("code", "")),
                str(entry.get("status", "")),
                unit=entry.get("unit"),
                note=entry.get("note"),
                evidence=entry.get("evidence"),
                reason=entry.get("reason"),
                at=at,
                actor=str(entry.get("answered_by") or actor),
                now=now,
            )
        except UserError as exc:
            field = {
                "CODE": "code",
                "--status": "status",
                "--unit": "unit",
                "--reason": "reason",
                "--evidence": "evidence",
                "--at": "answered_at",
            }.get(exc.field or "", exc.field or "")
            raise UserError(
                exc.message,
                file=str(path),
                line=doc.line_of(("answers", index, field)),
                field=f"answers.{index}.{field}",
                value=exc.value,
                hint=exc.hint,
            ) from None
        key = (answer.goal_code, answer.unit)
        if key in seen:
            raise UserError(
                f"a second answer for {answer.goal_code} and "
                f"{answer.unit or 'the organization'} (the first is on line {seen[key]})",
                file=str(path),
                line=doc.line_of(("answers", index)),
                field=f"answers.{index}.code",
                value=entry.get("code"),
                hint="Keep one answer per goal and unit in a file.",
            )
        seen[key] = doc.line_of(("answers", index)) or 0
        parsed.append(answer)
    recorded = unchanged = 0
    with database.transaction() as session:
        current = latest_answers(repo.list_answers(session), now)
        for answer in parsed:
            before = current.get((answer.goal_code, answer.unit))
            if before is not None and _same(before, answer):
                unchanged += 1
                continue
            _add(session, answer, actor, now)
            recorded += 1
    return recorded, unchanged


def _add(session: Session, answer: Answer, actor: str, now: datetime) -> None:
    repo.add_answer(session, answer, actor, now)


def _same(a: Answer, b: Answer) -> bool:
    return (a.status, a.note, a.reason, a.evidence_url) == (
        b.status,
        b.note,
        b.reason,
        b.evidence_url,
    )


def _parse_time(value: object, default: datetime) -> datetime:
    if value is None:
        return default
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            raise UserError("not an ISO date or time", field="answered_at", value=value) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def waivers(database: Database) -> list[Waiver]:
    with database.transaction() as session:
        return repo.list_waivers(session)


def attainment(workspace: Workspace, measurement: Measurement) -> MetricResult:
    """How one recorded value compares with its metric's target (computed by the engine)."""
    metric = workspace.framework.metric(measurement.metric_id)
    return metric_result(metric, [measurement], measurement.unit, (), measurement.measured_at)


def audit_trail(database: Database, limit: int) -> list[AuditEntry]:
    with database.transaction() as session:
        return repo.list_audit(session, limit)

"""The store on SQLite and PostgreSQL: migrations, answers, audit, snapshots, export/restore."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.records import Outcome
from platform_maturity.services import assessment, scorecard, transfer
from platform_maturity.services.workspace import load_workspace, open_store
from platform_maturity.store import repo
from platform_maturity.store.db import SCHEMA_HEAD, current_revision, head_revision, open_database
from platform_maturity.store.models import AnswerRow, AuditEvent
from tests.conftest import NOW


def test_migrations_reach_head_and_are_idempotent(database_url: str) -> None:
    first = open_database(database_url)
    assert current_revision(first.engine) == head_revision()
    first.close()
    again = open_database(database_url)
    assert current_revision(again.engine) == head_revision()
    again.close()


def test_schema_head_names_the_newest_migration() -> None:
    # open_database skips Alembic when the schema is at SCHEMA_HEAD: it must be the real head
    assert SCHEMA_HEAD == head_revision(), "set store.db.SCHEMA_HEAD to the newest migration"


def test_an_older_schema_is_migrated_to_head(database_url: str) -> None:
    from alembic import command

    from platform_maturity.store.db import _alembic_config, make_engine

    engine = make_engine(database_url)
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    assert current_revision(engine) == "0001"
    engine.dispose()
    database = open_database(database_url)
    assert current_revision(database.engine) == SCHEMA_HEAD
    database.close()


def test_answers_are_history_and_audited(workspace_dir: Path) -> None:
    ws = load_workspace(workspace_dir / "maturity.yaml")
    with open_store(ws, NOW, "tester") as db:
        for status, days in (("not_met", 30), ("partly_met", 10), ("met", 1)):
            answer = assessment.make_answer(
                ws,
                "A.E.1",
                status,
                unit="alpha",
                note=None,
                evidence=None,
                reason=None,
                at=NOW - timedelta(days=days),
                actor="tester",
            )
            assessment.record_answer(db, answer, "tester", NOW)
        with db.transaction() as session:
            assert session.scalar(select(func.count()).select_from(AnswerRow)) == 3
            events = [e for e in repo.list_audit(session) if e.action == "answer"]
        assert [(e.old_value, e.new_value) for e in reversed(events)] == [
            (None, "not_met"),
            ("not_met", "partly_met"),
            ("partly_met", "met"),
        ]
        past = scorecard.current_scorecard(ws, db, NOW - timedelta(days=20))
        now_card = scorecard.current_scorecard(ws, db, NOW)

    def outcome(card: object, unit: str) -> Outcome:
        scope = next(u for u in card.units if u.scope == unit)  # type: ignore[attr-defined]
        goals = [g for p in scope.pillars for c in p.categories for g in c.goals]
        return next(g.outcome for g in goals if g.code == "A.E.1")

    assert outcome(past, "alpha") == Outcome.NOT_MET
    assert outcome(now_card, "alpha") == Outcome.MET
    assert outcome(now_card, "beta") == Outcome.UNKNOWN


def test_failed_import_changes_nothing(workspace_dir: Path) -> None:
    ws = load_workspace(workspace_dir / "maturity.yaml")
    bad = workspace_dir / "answers.yaml"
    bad.write_text("answers:\n  - {code: A.E.1, status: met}\n  - code: A.E.2\n    status: maybe\n")
    with open_store(ws, NOW, "tester") as db:
        with pytest.raises(UserError) as caught:
            assessment.import_answers(ws, db, bad, NOW, "tester")
        assert caught.value.line == 4 and caught.value.field == "answers.1.status"
        with db.transaction() as session:
            assert session.scalar(select(func.count()).select_from(AnswerRow)) == 0


def test_snapshot_diff_and_restore_give_identical_scorecards(
    workspace_dir: Path, tmp_path: Path
) -> None:
    ws = load_workspace(workspace_dir / "maturity.yaml")
    with open_store(ws, NOW, "tester") as db:
        for code in ("A.E.1", "A.F.1", "O.B.1"):
            answer = assessment.make_answer(
                ws,
                code,
                "met",
                unit="alpha",
                note="n",
                evidence=None,
                reason=None,
                at=NOW - timedelta(days=40),
                actor="t",
            )
            assessment.record_answer(db, answer, "t", NOW)
        scorecard.create_snapshot(ws, db, "2026-Q3", NOW - timedelta(days=30), NOW, "t")
        answer = assessment.make_answer(
            ws,
            "A.E.1",
            "not_met",
            unit="alpha",
            note=None,
            evidence=None,
            reason=None,
            at=NOW - timedelta(days=2),
            actor="t",
        )
        assessment.record_answer(db, answer, "t", NOW)
        assessment.record_waiver(
            ws,
            db,
            "S.A.1",
            unit="beta",
            reason="later",
            owner="o",
            expires=NOW + timedelta(days=30),
            now=NOW - timedelta(days=1),
            actor="t",
        )
        assessment.record_measurement(
            db,
            assessment.make_measurement(
                ws,
                "automation.pr-open-to-merge-latency"
                if _has(ws, "automation.pr-open-to-merge-latency")
                else next(m.id for m in ws.framework.metrics()),
                "4h",
                unit="alpha",
                at=NOW - timedelta(days=1),
            ),
            "t",
            NOW,
        )
        change = scorecard.diff(ws, db, "2026-Q3", "now", NOW)
        assert [c.code for c in change.regressed] == ["A.E.1"]
        before = scorecard.current_scorecard(ws, db, NOW)
        exported = tmp_path / "state.json"
        transfer.export_state(db, exported, NOW)
        with db.transaction() as session:
            repo.clear_all(session)
        assert scorecard.current_scorecard(ws, db, NOW) != before
        transfer.restore_state(db, exported, NOW, "t")
        assert scorecard.current_scorecard(ws, db, NOW) == before
        assert scorecard.load_snapshot(db, "2026-Q3").organization.score is not None
        with db.transaction() as session:
            audit_count = session.scalar(select(func.count()).select_from(AuditEvent))
        assert audit_count and audit_count > 5
        # restored ids do not collide with new rows
        assessment.record_answer(db, answer, "t", NOW)


def _has(ws: object, metric_id: str) -> bool:
    return any(m.id == metric_id for m in ws.framework.metrics())  # type: ignore[attr-defined]


def test_restore_of_bad_file_keeps_state(workspace_dir: Path, tmp_path: Path) -> None:
    ws = load_workspace(workspace_dir / "maturity.yaml")
    with open_store(ws, NOW, "tester") as db:
        answer = assessment.make_answer(
            ws, "A.E.1", "met", unit=None, note=None, evidence=None, reason=None, at=NOW, actor="t"
        )
        assessment.record_answer(db, answer, "t", NOW)
        broken = tmp_path / "broken.json"
        broken.write_text(
            '{"format": "platform-maturity-state", "version": 1, "tables": '
            '{"answers": [{"id": 1, "goal_code": null}]}}'
        )
        with pytest.raises(UserError, match="required value missing"):
            transfer.restore_state(db, broken, NOW, "t")
        with db.transaction() as session:
            assert len(repo.list_answers(session)) == 1
        not_json = tmp_path / "x.json"
        not_json.write_text("{nope")
        with pytest.raises(UserError) as caught:
            transfer.restore_state(db, not_json, NOW, "t")
        assert caught.value.line == 1


def test_migrations_match_the_models(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import platform_maturity.store.backlog
    import platform_maturity.store.downtime
    import platform_maturity.store.events
    import platform_maturity.store.postmortems  # noqa: F401  (every table joins the metadata)
    from platform_maturity.store.models import Base

    database = open_database(database_url)
    try:
        with database.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        database.close()
    assert differences == [], "write a migration for the model change"


def test_stored_evidence_stays_with_its_observation(database_url: str) -> None:
    """Observations are inserted in bulk and their evidence refers to them by id: each
    observation read back carries its own evidence, scan after scan."""
    from platform_maturity.domain.observations import EvidenceRef, Observation

    def observations(scan: int, count: int) -> list[Observation]:
        return [
            Observation(
                collector="kubernetes",
                collector_version="1",
                check_id=f"k8s.check-{number % 7}",
                subject=f"Deployment/default/app-{number % 11}",
                passed=number % 3 == 0,
                message=f"scan {scan} finding {number}",
                evidence=tuple(
                    EvidenceRef(path=f"s{scan}/f{number}.yaml", line_start=line, line_end=line)
                    for line in range(number % 3)
                ),
                observed_at=NOW,
            )
            for number in range(count)
        ]

    database = open_database(database_url)
    try:
        for scan, count in ((1, 1200), (2, 700)):
            with database.transaction() as session:
                repo.add_scan(
                    session,
                    started_at=NOW,
                    finished_at=NOW,
                    roots=["k8s"],
                    inputs=count,
                    observations=observations(scan, count),
                    problems=0,
                    actor="t",
                )
            with database.transaction() as session:
                stored = repo.latest_observations(session)
            assert len(stored) == count
            for observation in stored:
                number = int(observation.message.rsplit(" ", 1)[1])
                assert observation.message == f"scan {scan} finding {number}"
                assert [e.path for e in observation.evidence] == [f"s{scan}/f{number}.yaml"] * (
                    number % 3
                )
                assert observation.check_id == f"k8s.check-{number % 7}"
    finally:
        database.close()

"""The intake of public security reports, for the web form the web application will serve.

``IntakeService.form_token()`` is put in the form when it is served; ``submit()`` takes what
the form sends back. Every accepted report becomes a ``new`` backlog item (source report,
channel intake) in the same transaction as its log entry; dropped reports are only logged.
Everyone gets the same receipt, so a bot learns nothing from the answer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from platform_maturity.domain.backlog import BacklogItem, ItemSource
from platform_maturity.domain.intake import (
    Counts,
    IntakeReport,
    content_hash,
    describe,
    issue_form_token,
    keyed_hash,
    screen,
    token_time,
    validate,
)
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import backlog_queries as queries
from platform_maturity.store import intake_queries
from platform_maturity.store.db import Database

ACTOR = "intake"


@dataclass(frozen=True)
class Receipt:
    """What the reporter sees: the same for every report that passed validation."""

    reference: str
    message: str


@dataclass(frozen=True)
class IntakeService:
    workspace: Workspace
    database: Database
    secret: bytes  # signs form tokens and keys the hashes of addresses and emails

    def form_token(self, now: datetime) -> str:
        return issue_form_token(self.secret, now)

    def submit(self, report: IntakeReport, client: str | None, now: datetime) -> Receipt:
        """Validate (UserError with the fields to fix), screen, store, and answer alike."""
        settings = self.workspace.config.backlog.intake
        clean = validate(report, settings)
        client_hash = keyed_hash(self.secret, client) if client else None
        email_hash = keyed_hash(self.secret, clean.email) if clean.email else None
        digest = content_hash(clean)
        reference = secrets.token_hex(6).upper()
        with self.database.transaction() as session:
            by_client, by_email, total, same = intake_queries.intake_counts(
                session, now - timedelta(hours=1), client_hash, email_hash, digest
            )
            outcome = screen(
                clean,
                settings,
                token_time(self.secret, clean.form_token),
                now,
                Counts(by_client, by_email, total, same),
            )
            item_id = None
            if outcome == "accepted":
                item_id = queries.add_item(
                    session,
                    BacklogItem(
                        title=clean.title,
                        description=describe(clean),
                        component=clean.component or "not stated",
                        source=ItemSource.REPORT,
                        channel="intake",
                        reporter=(clean.name or "anonymous")
                        + (f" <{clean.email}>" if clean.email else ""),
                        reported_at=now,
                        sla_started_at=now,
                        created_at=now,
                        updated_at=now,
                    ),
                    ACTOR,
                    now,
                )
            intake_queries.log_intake(
                session,
                received_at=now,
                client_hash=client_hash,
                email_hash=email_hash,
                content_hash=digest,
                outcome=outcome,
                reference=reference,
                item_id=item_id,
            )
        days = self.workspace.config.backlog.disclosure.acknowledge_within_days
        return Receipt(
            reference=reference,
            message=f"Thank you. We received your report (reference {reference}) and will"
            f" acknowledge it within {days} day{'s' if days != 1 else ''}.",
        )

"""The demo's downtime history: 90 days of probe results every five minutes, runtime signals
and user reports, five outages (one still going on), their incidents with timelines,
postmortems with money figures, and the status page. Seeded and deterministic."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from platform_maturity.domain.downtime import Method
from platform_maturity.domain.incidents import (
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Interval,
    UpdateKind,
)
from platform_maturity.domain.postmortems import ActionItem
from platform_maturity.domain.probes import ProbeResult, Signal, SignalKind
from platform_maturity.engine.downtime.incidents import opening_updates, severity_of, title_of
from platform_maturity.engine.downtime.intervals import compute_downtime, flows_down
from platform_maturity.services.downtime import record_results, record_signals, thresholds_of
from platform_maturity.services.incidents import write_postmortem, write_postmortem_markdown
from platform_maturity.services.status_page import build_status_pages
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import downtime_queries as queries
from platform_maturity.store.db import Database

DAYS = 90
STEP = timedelta(minutes=5)


@dataclass(frozen=True)
class Outage:
    days_ago: float
    minutes: int
    failing: tuple[str, ...]  # stream keys that fail: probe/component
    reason: str


def _outages(now: datetime) -> list[Outage]:
    return [
        Outage(62.4, 55, ("checkout flow/checkout",), "pay: [STATUS] (504) == 200"),
        Outage(
            35.85,
            130,
            ("search/catalog", "platform health/catalog"),
            "search-index is DEGRADED",
        ),
        Outage(0.02, 40, ("search/catalog",), "took 1840 ms, over the flow's budget of 600 ms"),
    ]


def _results(now: datetime, rng: random.Random) -> list[ProbeResult]:
    streams = [
        ("sign-in flow", "sign-in", "password-login", Method.SYNTHETIC, 420.0),
        ("checkout flow", "checkout", "pay-by-card", Method.SYNTHETIC, 1300.0),
        ("search", "catalog", "search", Method.SYNTHETIC, 240.0),
        ("platform health", "checkout", None, Method.HEALTHCHECK, 35.0),
        ("platform health", "sign-in", None, Method.HEALTHCHECK, 35.0),
        ("platform health", "catalog", None, Method.HEALTHCHECK, 35.0),
    ]
    windows = [
        (
            now - timedelta(days=o.days_ago),
            now - timedelta(days=o.days_ago) + timedelta(minutes=o.minutes),
            o,
        )
        for o in _outages(now)
    ]
    start = now - timedelta(days=DAYS)
    results: list[ProbeResult] = []
    for probe, component, flow, method, typical in streams:
        at = start + timedelta(seconds=rng.randrange(0, 60))
        blip_before = False
        while at <= now:
            key = f"{probe}/{component}"
            failing = next((o for s, e, o in windows if s <= at < e and key in o.failing), None)
            blip = failing is None and not blip_before and rng.random() < 0.002
            duration = round(max(typical * rng.lognormvariate(0, 0.25), 5.0), 1)
            if failing is not None:
                ok, error = False, failing.reason
                duration = round(duration * 3, 1)
            elif blip:
                ok, error = False, "timed out waiting for the response"
            else:
                ok, error = True, None
            results.append(
                ProbeResult(
                    probe=probe,
                    component=component,
                    flow=flow,
                    method=method,
                    at=at.replace(microsecond=0),
                    ok=ok,
                    duration_ms=duration,
                    status="HTTP 200" if ok else "HTTP 503",
                    error=error,
                )
            )
            blip_before = blip
            at += STEP + timedelta(seconds=rng.uniform(-3, 3))
    return results


def _signals(now: datetime, rng: random.Random) -> list[Signal]:
    signals: list[Signal] = []
    outage = now - timedelta(days=62.4) + timedelta(minutes=3)
    for i in range(14):  # application code reports failed card payments during outage 1
        signals.append(
            Signal(
                kind=SignalKind.RUNTIME,
                component="checkout",
                flow="pay-by-card",
                at=(outage + timedelta(minutes=i * 1.5)).replace(microsecond=0),
                source="checkout-api",
                message="card payment failed: upstream timeout",
            )
        )
    reset = now - timedelta(days=12.6)
    for i in range(9):  # password reset mails failing, seen only by the application
        signals.append(
            Signal(
                kind=SignalKind.RUNTIME,
                component="sign-in",
                flow="password-reset",
                at=(reset + timedelta(minutes=i * 2.5 + rng.uniform(0, 0.4))).replace(
                    microsecond=0
                ),
                source="accounts-api",
                message="reset e-mail could not be queued",
            )
        )
    tracking = now - timedelta(days=5.3)
    for i, who in enumerate(
        [
            "support ticket 8812",
            "support ticket 8815",
            "@parcelfan on social",
            "support ticket 8821",
        ]
    ):
        signals.append(
            Signal(
                kind=SignalKind.USER_REPORT,
                component="tracking",
                flow="track-parcel",
                at=(tracking + timedelta(minutes=i * 2)).replace(microsecond=0),
                source=who,
                message="tracking page shows an error",
            )
        )
    return signals


STORY = {
    "checkout": (
        "The payment provider's EU endpoint timed out after a certificate rotation on their side.",
        "Payments were routed to the secondary provider by hand.",
    ),
    "catalog": (
        "A search index rebuild ran out of disk and left the index half-written.",
        "The previous index snapshot was restored.",
    ),
    "sign-in": (
        "The mail queue credentials expired; reset e-mails could not be queued.",
        "The credentials were rotated and the queue drained.",
    ),
    "tracking": (
        "A carrier API change broke the tracking page's parser.",
        "The parser was patched for the new response format.",
    ),
}


def _incident(
    workspace: Workspace,
    interval: Interval,
    flows: tuple[str, ...],
    rng: random.Random,
    now: datetime,
) -> Incident:
    settings = workspace.config.downtime
    component = settings.component(interval.component)
    assert component is not None
    owner = component.owner or "ines.platform@example.com"
    name = component.shown_name
    cause, fix = STORY.get(interval.component, ("Unknown.", "Recovered."))
    ack = interval.detected + timedelta(minutes=rng.randint(2, 9))
    updates = opening_updates(interval, name)
    acknowledged = ack if ack < now else None
    if acknowledged:
        updates.append(
            IncidentUpdate(
                at=ack,
                kind=UpdateKind.ACKNOWLEDGED,
                message=f"Acknowledged by {owner}",
                author=owner,
            )
        )
        identified = ack + timedelta(minutes=rng.randint(4, 12))
        if identified < now:
            updates.append(
                IncidentUpdate(
                    at=identified,
                    kind=UpdateKind.UPDATE,
                    message=cause,
                    status=IncidentStatus.IDENTIFIED,
                    author=owner,
                )
            )
            updates.append(
                IncidentUpdate(
                    at=identified,
                    kind=UpdateKind.UPDATE,
                    message=f"We found the cause of the problems with {name} and are fixing it.",
                    public=True,
                    status=IncidentStatus.IDENTIFIED,
                    author=owner,
                )
            )
    resolved = interval.ended
    if resolved is not None:
        updates.append(
            IncidentUpdate(
                at=resolved,
                kind=UpdateKind.RESOLVED,
                message=fix,
                status=IncidentStatus.RESOLVED,
            )
        )
        updates.append(
            IncidentUpdate(
                at=resolved,
                kind=UpdateKind.UPDATE,
                message=f"{name} is working normally again.",
                public=True,
                status=IncidentStatus.RESOLVED,
            )
        )
    return Incident(
        title=title_of(component, interval.component, flows),
        component=interval.component,
        flows=flows,
        severity=severity_of(component, flows),
        status=IncidentStatus.RESOLVED
        if resolved
        else IncidentStatus.IDENTIFIED
        if len(updates) > 3
        else IncidentStatus.INVESTIGATING,
        started=interval.started,
        detected=interval.detected,
        acknowledged=acknowledged,
        acknowledged_by=owner if acknowledged else None,
        mitigated=resolved,
        resolved=resolved,
        method=interval.method,
        updates=tuple(updates),
    )


@dataclass(frozen=True)
class Story:
    summary: str
    cause: str
    gaps: tuple[str, ...]
    actions: tuple[tuple[str, str, int], ...]  # title, owner, days to do it
    users: int
    responders: int


POSTMORTEMS = {
    "checkout": Story(
        summary="Card payments failed for 55 minutes: the payment provider's EU endpoint"
        " timed out and checkout had no automatic failover.",
        cause="A certificate rotation at the provider broke TLS from our egress proxy, which"
        " pins the provider's intermediate certificate.",
        gaps=("R.A.1", "C.I.5"),
        actions=(
            (
                "Fail over to the secondary payment provider automatically",
                "omar.payments@example.com",
                30,
            ),
            (
                "Alert when the provider's certificate chain changes",
                "ines.platform@example.com",
                14,
            ),
        ),
        users=2300,
        responders=3,
    ),
    "catalog": Story(
        summary="Search returned errors or nothing for two hours overnight while the index"
        " rebuild failed.",
        cause="The nightly index rebuild filled the disk and swapped in a half-written index.",
        gaps=("R.D.1",),
        actions=(
            (
                "Build the index beside the live one; swap only when complete",
                "lea.storefront@example.com",
                21,
            ),
        ),
        users=900,
        responders=2,
    ),
    "tracking": Story(
        summary="Tracking links showed an error for about half an hour; customers told us"
        " before any monitor did.",
        cause="The carrier changed its API response and the tracking parser rejected it.",
        gaps=("O.T.3", "C.I.1"),
        actions=(
            ("Add a synthetic probe for the tracking page", "kofi.data@example.com", 10),
            ("Name an owner and on-call for order tracking", "ines.platform@example.com", 7),
        ),
        users=150,
        responders=1,
    ),
}


def add_downtime_history(
    workspace: Workspace, database: Database, now: datetime, seed: int
) -> None:
    rng = random.Random(seed * 31 + 6)
    results = _results(now, rng)
    signals = _signals(now, rng)
    record_results(database, results)
    record_signals(database, signals)
    downtime = compute_downtime(results, signals, thresholds_of(workspace.config.downtime), now)
    intervals = sorted(
        (i for items in downtime.components.values() for i in items), key=lambda i: i.started
    )
    with database.transaction() as session:
        for interval in intervals:
            incident = _incident(workspace, interval, flows_down(downtime, interval, now), rng, now)
            queries.add_incident(session, incident, "demo", incident.detected)
    for incident in queries_list(database):
        story = POSTMORTEMS.get(incident.component)
        if story is None or incident.resolved is None:
            continue
        written = incident.resolved + timedelta(days=2)
        document = write_postmortem(
            workspace,
            database,
            incident.key,
            summary=story.summary,
            cause=story.cause,
            gaps=list(story.gaps),
            actions=[
                ActionItem(
                    title=title,
                    owner=owner,
                    due=(written + timedelta(days=days)).date(),
                    kind="prevent",
                )
                for title, owner, days in story.actions
            ],
            users_affected=story.users,
            detection_notes=None,
            responders=story.responders,
            responder_hours=None,
            author="ines.platform@example.com",
            now=written,
        )
        write_postmortem_markdown(
            workspace, document, workspace.root / "postmortems" / f"{incident.key}.md"
        )
    build_status_pages(workspace, database, now, workspace.root / "status")


def queries_list(database: Database) -> list[Incident]:
    with database.transaction() as session:
        return queries.list_incidents(session)


def status_page_path(folder: Path) -> Path:
    return folder / "status" / "index.html"

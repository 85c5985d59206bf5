"""The demo organization's security backlog: a year of scanner imports (Trivy, SARIF and
pip-audit outputs written here from ``demo_data/backlog.yaml``), pentest findings entered by
hand, triage, fixes, an accepted risk, a duplicate, reviews, public reports through the
intake and postmortems. Seeded and deterministic."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from platform_maturity.domain.backlog import ItemState
from platform_maturity.domain.intake import IntakeReport
from platform_maturity.services import backlog, backlog_imports, backlog_insights, postmortems
from platform_maturity.services.intake import IntakeService
from platform_maturity.services.workspace import Workspace
from platform_maturity.store.db import Database

DATA = Path(__file__).parent / "demo_data" / "backlog.yaml"
Step = Callable[[str], None]
Event = tuple[float, Callable[[], None]]


@cache
def _data() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return loaded


def _trivy(
    image: str, version: str, at: datetime, vulns: list[list[Any]], secret: bool
) -> dict[str, Any]:
    results: list[dict[str, Any]] = [
        {
            "Target": f"{image}:{version} (debian 12.5)",
            "Class": "os-pkgs",
            "Type": "debian",
            "Vulnerabilities": [
                {
                    "VulnerabilityID": vid,
                    "PkgName": pkg,
                    "InstalledVersion": installed,
                    **({"FixedVersion": fixed} if fixed else {}),
                    "Status": "fixed" if fixed else "will_not_fix",
                    "Severity": severity,
                    "CVSS": {"nvd": {"V3Score": cvss}},
                    "Title": title,
                }
                for vid, pkg, installed, fixed, severity, cvss, title in vulns
            ],
        }
    ]
    if secret:
        results.append(
            {
                "Target": "/srv/app/config/settings.py",
                "Class": "secret",
                "Secrets": [
                    {
                        "RuleID": "aws-access-key-id",
                        "Category": "AWS",
                        "Severity": "CRITICAL",
                        "Title": "AWS Access Key ID",
                        "StartLine": 12,
                        "EndLine": 12,
                    }
                ],
            }
        )
    return {
        "SchemaVersion": 2,
        "CreatedAt": at.isoformat().replace("+00:00", "Z"),
        "ArtifactName": f"{image}:{version}",
        "Results": results,
    }


def _sarif(findings: list[list[Any]], at: datetime) -> dict[str, Any]:
    return {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "CodeQL",
                        "semanticVersion": "2.19.1",
                        "rules": [
                            {
                                "id": rule,
                                "shortDescription": {"text": title},
                                "properties": {"tags": ["security"], "security-severity": score},
                            }
                            for rule, title, score, _, _ in findings
                        ],
                    }
                },
                "invocations": [{"executionSuccessful": True, "startTimeUtc": at.isoformat()}],
                "versionControlProvenance": [
                    {"repositoryUri": "https://github.com/northwind/checkout"}
                ],
                "results": [
                    {
                        "ruleId": rule,
                        "ruleIndex": index,
                        "level": "error",
                        "message": {"text": f"{title} in {path}."},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": path},
                                    "region": {"startLine": line},
                                }
                            }
                        ],
                        "partialFingerprints": {"primaryLocationLineHash": f"{rule}:{path}"},
                    }
                    for index, (rule, title, _, path, line) in enumerate(findings)
                ],
            }
        ],
    }


def _pip_audit(vulns: list[list[Any]]) -> dict[str, Any]:
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for vid, package, installed, fixed, text in vulns:
        found.setdefault((package, installed), []).append(
            {"id": vid, "fix_versions": [fixed], "description": text}
        )
    deps = [{"name": p, "version": v, "vulns": vs} for (p, v), vs in found.items()]
    return {
        "dependencies": [*deps, {"name": "pandas", "version": "2.2.2", "vulns": []}],
        "fixes": [],
    }


class _Demo:
    """The demo's clock, files and the people who triage what the scanners bring in."""

    def __init__(self, ws: Workspace, db: Database, folder: Path, now: datetime, seed: int) -> None:
        self.ws, self.db, self.now = ws, db, now
        self.rng = random.Random(seed * 7919)
        self.scans = folder / "scans"
        self.scans.mkdir(exist_ok=True)
        self.pending: list[tuple[float, str]] = []  # (days ago, item key): triage then
        self.owners: dict[str, str] = _data()["owners"]

    def at(self, days_ago: float) -> datetime:
        return self.now - timedelta(days=days_ago)

    def key(self, fragment: str, days_ago: float) -> str | None:
        views, _ = backlog.list_items(
            self.ws, self.db, backlog.Filters(all=True), self.at(days_ago)
        )
        return next((v.key for v in views if fragment in v.title), None)

    def imported(
        self, name: str, payload: dict[str, Any], days_ago: float, target: str | None, unit: str
    ) -> None:
        path = self.scans / name
        path.write_text(json.dumps(payload, indent=1), encoding="utf-8")
        when = self.at(days_ago)
        results = backlog_imports.import_files(
            self.ws,
            self.db,
            [path],
            target=target,
            unit=unit,
            owner=self.owners[unit],
            actor="ci",
            now=when,
        )
        for key in (k for r in results for k in r.created):
            delay = self.rng.choice((1, 3, 6, 10, 13, 13, 20, 30))  # most at the next review
            if days_ago - delay >= 2:  # else it waits for the next review's agenda
                self.pending.append((days_ago - delay, key))

    def triage_due(self, until_days_ago: float) -> None:
        """Score what waited until ``until_days_ago``; start work on the worst at once."""
        self.pending.sort(key=lambda p: -p[0])
        while self.pending and self.pending[0][0] >= until_days_ago:
            days_ago, key = self.pending.pop(0)
            when = self.at(days_ago)
            item = backlog.get_item(self.db, key)
            if item.state != ItemState.NEW:
                continue
            hint = item.suggestion
            risk = hint.risk if hint else self.rng.randint(2, 3)
            impact = hint.impact if hint else self.rng.randint(2, 3)
            if hint and self.rng.random() < 0.3:  # people disagree with the scanner
                risk = max(1, min(5, risk + self.rng.choice((-1, 1))))
            scored = backlog.triage(
                self.ws, self.db, key, risk=risk, impact=impact, actor="security-review", now=when
            )
            if item.finding and item.finding.package and not item.finding.fixed_version:
                backlog.accept(  # no fix exists: accept for a while, look again then
                    self.db,
                    key,
                    approver="cto@example.com",
                    reason="no fixed version published; the affected code path is unused",
                    expires=when + timedelta(days=150),
                    actor="cto@example.com",
                    now=when,
                )
            elif (scored.severity or 0) >= 16 and self.rng.random() < 0.85:
                start = backlog.Changes(state="in_progress")
                backlog.update(
                    self.ws, self.db, key, start, actor="dev", now=when + timedelta(hours=6)
                )


def create_demo_backlog(
    workspace: Workspace, database: Database, folder: Path, now: datetime, seed: int, step: Step
) -> None:
    """Fill the demo's security backlog with a year of history ending at ``now``."""
    step("Building the security backlog")
    demo = _Demo(workspace, database, folder, now, seed)
    data = _data()
    vulns: list[list[Any]] = data["os_vulns"]

    def image_scans(unit: str, first: float, every: float) -> list[Event]:
        """An image rescanned every ``every`` days; teams fix most findings in time."""
        events: list[Event] = []
        for version, (days_ago, present) in enumerate(
            _simulate(demo.rng, vulns, first, every, lambda v: v[4], lambda v: v[3] is not None), 1
        ):
            payload = _trivy(
                data["images"][unit],
                f"1.{version}.0",
                demo.at(days_ago),
                [vulns[i] for i in present],
                secret=(unit, version) == ("storefront", 1),
            )
            name = f"trivy-{unit}-v{version}.json"
            events.append(
                (days_ago, _import(demo, name, payload, days_ago, data["images"][unit], unit))
            )
        return events

    def code_scans(first: float, every: float) -> list[Event]:
        found: list[list[Any]] = data["code_findings"]
        events: list[Event] = []
        for number, (days_ago, present) in enumerate(
            _simulate(
                demo.rng, found, first, every, lambda f: "HIGH" if float(f[2]) >= 7 else "MEDIUM"
            ),
            1,
        ):
            payload = _sarif([found[i] for i in present], demo.at(days_ago))
            name = f"codeql-checkout-{number}.json"
            events.append((days_ago, _import(demo, name, payload, days_ago, None, "payments")))
        return events

    def pip_scans(first: float, every: float) -> list[Event]:
        found: list[list[Any]] = data["py_vulns"]
        events: list[Event] = []
        for number, (days_ago, present) in enumerate(
            _simulate(demo.rng, found, first, every, lambda _: "MEDIUM"), 1
        ):
            payload = _pip_audit([found[i] for i in present])
            name = f"pip-audit-ingest-{number}.json"
            events.append(
                (days_ago, _import(demo, name, payload, days_ago, "warehouse-ingest", "data"))
            )
        return events

    timeline: list[Event] = [
        *image_scans("storefront", 340, 28),
        *image_scans("payments", 335, 30),
        *image_scans("platform", 250, 35),
        *code_scans(300, 40),
        *pip_scans(280, 45),
        (320, lambda: _pentest(demo, 320)),
        (295, lambda: _duplicate(demo, 295)),
        (220, lambda: _postmortems(demo, 220)),
        (60, lambda: _accept(demo, 60)),
    ]
    for days_ago, title, text in data["reports"]:
        timeline.append((days_ago, _report(demo, days_ago, title, text)))
    for fragment, started, resolved in data["pentest_fixes"]:
        timeline.append((started, _move(demo, fragment, started, ItemState.IN_PROGRESS)))
        timeline.append((resolved, _move(demo, fragment, resolved, ItemState.RESOLVED)))
    reviews = [d for d in range(345, 0, -14) if not 175 < d < 215] + [9]  # a summer gap
    timeline += [(float(d), _review(demo, d)) for d in reviews]
    for days_ago, action in sorted(timeline, key=lambda e: -e[0]):
        demo.triage_due(days_ago)
        action()
    demo.triage_due(1)


FIX_AFTER = {"CRITICAL": 14, "HIGH": 14, "MEDIUM": 45, "LOW": 120}  # days, roughly


def _simulate(
    rng: random.Random,
    catalog: list[list[Any]],
    first: float,
    every: float,
    severity: Callable[[list[Any]], str],
    fixable: Callable[[list[Any]], bool] = lambda _: True,
) -> list[tuple[float, list[int]]]:
    """Scans every ``every`` days from ``first`` days ago: what each one finds. Teams fix
    most findings once they are due (a few slip); new ones appear now and then."""
    present = dict.fromkeys(rng.sample(range(len(catalog)), min(4, len(catalog))), first)
    scans: list[tuple[float, list[int]]] = []
    days_ago = first
    while days_ago > 1:
        for index, found in list(present.items()):
            due = found - days_ago >= FIX_AFTER[severity(catalog[index])]
            if due and fixable(catalog[index]) and rng.random() > 0.3:
                del present[index]
        if scans and rng.random() < 0.7 and len(present) < len(catalog):
            present[rng.choice([i for i in range(len(catalog)) if i not in present])] = days_ago
        scans.append((days_ago, sorted(present)))
        days_ago -= every
    return scans


def _import(
    demo: _Demo, name: str, payload: dict[str, Any], days_ago: float, target: str | None, unit: str
) -> Callable[[], None]:
    return lambda: demo.imported(name, payload, days_ago, target, unit)


def _review(demo: _Demo, days_ago: float) -> Callable[[], None]:
    def record() -> None:
        backlog_insights.record_review(
            demo.db,
            held_at=demo.at(days_ago),
            attendees=["cto@example.com", "ciso@example.com", "ines.platform@example.com"],
            notes="New items scored; breaches and expiring acceptances decided.",
            actor="ines.platform@example.com",
            now=demo.at(days_ago),
        )

    return record


def _pentest(demo: _Demo, days_ago: float) -> None:
    when = demo.at(days_ago)
    for title, component, unit, risk, impact in _data()["pentest"]:
        backlog.add_item(
            demo.ws,
            demo.db,
            title=title,
            component=component,
            source="audit",
            reporter="pentest by Example Security GmbH",
            owner=demo.owners[unit],
            unit=unit,
            risk=risk,
            impact=impact,
            reported_at=when,
            actor="ciso@example.com",
            now=when,
        )


def _report(demo: _Demo, days_ago: float, title: str, text: str) -> Callable[[], None]:
    """A researcher's report through the public intake (the service the web form uses)."""

    def submit() -> None:
        when = demo.at(days_ago)
        service = IntakeService(demo.ws, demo.db, secret=b"demo-intake-secret")
        service.submit(
            IntakeReport(
                title=title,
                description=text,
                component="storefront web",
                email="researcher@example.org",
                name="A. Researcher",
                steps="1. Open the link. 2. Change the number in the URL.",
                form_token=service.form_token(when - timedelta(minutes=9)),
            ),
            client="198.51.100.23",
            now=when,
        )
        key = demo.key(title, days_ago)
        if key and days_ago > 30:  # scored at the next review
            backlog.triage(
                demo.ws,
                demo.db,
                key,
                risk=3,
                impact=4,
                owner=demo.owners["storefront"],
                actor="security-review",
                now=demo.at(days_ago - 2),
            )

    return submit


def _move(demo: _Demo, fragment: str, days_ago: float, to: ItemState) -> Callable[[], None]:
    """Start work on a hand-entered item, or resolve it, when it is ready for that."""

    def move() -> None:
        when = demo.at(days_ago)
        key = demo.key(fragment, days_ago)
        state = backlog.get_item(demo.db, key).state if key else None
        if key and to == ItemState.IN_PROGRESS and state == ItemState.TRIAGED:
            backlog.update(
                demo.ws, demo.db, key, backlog.Changes(state=to.value), actor="dev", now=when
            )
        elif key and to == ItemState.RESOLVED and state == ItemState.IN_PROGRESS:
            backlog.close(
                demo.db, key, as_="resolved", reason="fixed and retested", actor="dev", now=when
            )

    return move


def _duplicate(demo: _Demo, days_ago: float) -> None:
    pentest = demo.key("Clear-text password logging", days_ago)
    scanner = demo.key("Clear-text logging", days_ago)
    if pentest and scanner:
        backlog.close(
            demo.db,
            pentest,
            as_="duplicate",
            duplicate_of=scanner,
            reason="the same finding as CodeQL's",
            actor="ciso@example.com",
            now=demo.at(days_ago),
        )


def _postmortems(demo: _Demo, days_ago: float) -> None:
    when = demo.at(days_ago)
    secret, admin = demo.key("Secret in", days_ago), demo.key("Admin API reachable", days_ago)
    if secret:
        pm = postmortems.add_postmortem(
            demo.ws,
            demo.db,
            secret,
            summary="An AWS access key was baked into the storefront image and pushed.",
            cause="settings.py read the key from a file copied into the image at build time",
            gaps=["S.A.6", "S.A.7"],
            cost="180k",
            actions=[
                postmortems.parse_action(
                    f"Move build secrets to the vault | platform | {demo.at(150):%Y-%m-%d}"
                ),
                postmortems.parse_action(
                    f"Fail CI on secret findings | platform | {demo.at(20):%Y-%m-%d}"
                ),
            ],
            author="ines.platform@example.com",
            now=when,
        )
        postmortems.finish_action(
            demo.db, f"PM-{pm.id}", 1, "ines.platform@example.com", demo.at(160)
        )
    if admin:
        postmortems.add_postmortem(
            demo.ws,
            demo.db,
            admin,
            summary="The admin API accepted password-only logins from the office range.",
            cause="an allow-list exception older than single sign-on",
            gaps=["S.A.3", "S.A.4"],
            cost="60k",
            actions=[
                postmortems.parse_action(
                    f"Admin access only through SSO with MFA | platform | {demo.at(120):%Y-%m-%d}"
                )
            ],
            author="ciso@example.com",
            now=when,
        )


def _accept(demo: _Demo, days_ago: float) -> None:
    key = demo.key("TLS 1.0 still enabled", days_ago)
    if key:
        backlog.accept(
            demo.db,
            key,
            approver="cto@example.com",
            reason="two partners still need TLS 1.0; they move to the new API in December",
            expires=demo.at(-8),
            actor="cto@example.com",
            now=demo.at(days_ago),
        )


def write_review(
    reports: Path, workspace: Workspace, database: Database, now: datetime
) -> list[Path]:
    """The demo's next security review agenda, as Markdown and HTML."""
    from platform_maturity.reports.backlog_pages import (
        render_agenda_html,
        render_agenda_markdown,
    )

    agenda = backlog_insights.review_agenda(workspace, database, now)
    reports.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        ("security-review.html", render_agenda_html(agenda)),
        ("security-review.md", render_agenda_markdown(agenda)),
    ):
        path = reports / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

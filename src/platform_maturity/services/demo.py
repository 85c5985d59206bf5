"""A fictional organization with an uneven history over several quarters. Seeded, deterministic."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.framework import Framework, Metric
from platform_maturity.domain.records import Answer, Measurement, Outcome, Waiver
from platform_maturity.services.demo_backlog import create_demo_backlog
from platform_maturity.services.demo_downtime import add_downtime_history
from platform_maturity.services.demo_evidence import write_evidence
from platform_maturity.services.demo_kpi import create_demo_kpis
from platform_maturity.services.init import templates
from platform_maturity.services.scan import run_scan
from platform_maturity.services.scan_settings import scan_settings
from platform_maturity.services.scorecard import create_snapshot
from platform_maturity.services.workspace import CONFIG_NAME, Workspace, load_workspace, open_store
from platform_maturity.store import repo

ORGANIZATION = "Northwind Parcel (demo)"
DEMO_MARKER = ".maturity-demo"


@dataclass(frozen=True)
class DemoUnit:
    slug: str
    name: str
    owner: str
    description: str
    systems: tuple[tuple[str, tuple[str, ...]], ...]
    final_levels: str  # gated level per pillar reached by now, in pillar order A O S R P I E C


UNITS = (
    DemoUnit(
        "platform",
        "Platform",
        "ines.platform@example.com",
        "Runs the shared Kubernetes clusters, CI/CD and observability stack.",
        (("delivery", ("ci-runners", "deploy-pipeline")), ("observability", ("metrics", "logs"))),
        "33222212",
    ),
    DemoUnit(
        "payments",
        "Payments",
        "omar.payments@example.com",
        "Checkout, payment processing and invoicing.",
        (("checkout", ("cart", "payment-api")), ("billing", ("invoicing",))),
        "22332113",
    ),
    DemoUnit(
        "storefront",
        "Storefront",
        "lea.storefront@example.com",
        "The customer web shop and mobile apps.",
        (("web", ("catalog", "search", "accounts")),),
        "22113211",
    ),
    DemoUnit(
        "data",
        "Data",
        "kofi.data@example.com",
        "Warehouse, pipelines and reporting.",
        (("warehouse", ("ingest", "dbt-models")),),
        "11112121",
    ),
)

QUARTERS = 4


def quarter_ends(now: datetime, count: int) -> list[tuple[str, datetime]]:
    """The last ``count`` calendar quarter ends strictly before ``now``, oldest first."""
    year, quarter = now.year, (now.month - 1) // 3 + 1
    ends: list[tuple[str, datetime]] = []
    for _ in range(count):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        month = quarter * 3
        first_next = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
        ends.append((f"{year}-Q{quarter}", first_next - timedelta(seconds=1)))
    return list(reversed(ends))


def _status(rng: random.Random, p: float) -> Outcome:
    draw = rng.random()
    if draw < p:
        return Outcome.MET
    if draw < p + 0.18:
        return Outcome.PARTLY_MET
    return Outcome.NOT_MET


PILLAR_ORDER = (
    "automation",
    "observability",
    "security",
    "resiliency",
    "performance",
    "immediate-integration",
    "efficiency",
    "coordination",
)


def level_at(unit: DemoUnit, pillar: str, step: int, steps: int) -> int:
    """The level a unit has fully reached in a pillar at ``step``: one level per two quarters."""
    final = int(unit.final_levels[PILLAR_ORDER.index(pillar)]) if pillar in PILLAR_ORDER else 0
    return max(0, final - (steps - 1 - step + 1) // 2)


def generate_answers(
    framework: Framework, moments: list[datetime], rng: random.Random
) -> list[Answer]:
    """Answers per unit over the given moments; maturity grows unevenly over time."""
    answers: list[Answer] = []
    for unit in UNITS:
        previous: dict[str, Outcome] = {}
        for step, moment in enumerate(moments):
            for goal in framework.goals():
                if unit.slug == "data" and goal.category == "frontend-applications":
                    if step == 0:
                        answers.append(
                            Answer(
                                goal_code=goal.code,
                                unit=unit.slug,
                                status=Outcome.NOT_APPLICABLE,
                                reason="The data team ships no browser front end.",
                                answered_at=moment - timedelta(days=20),
                                answered_by=unit.owner,
                            )
                        )
                    continue
                reached = level_at(unit, goal.pillar, step, len(moments))
                before = previous.get(goal.code)
                if goal.level <= reached:
                    status = Outcome.MET  # the level the unit has reached holds everywhere
                else:
                    if goal.code not in previous and rng.random() < 0.35 - 0.08 * step:
                        continue  # not assessed yet: coverage grows quarter by quarter
                    if before == Outcome.MET and rng.random() > 0.05:
                        continue  # met goals mostly stay met
                    if before is not None and rng.random() < 0.55:
                        continue  # a team works on a few gaps each quarter, not on all of them
                    p = 0.38 + 0.04 * step - 0.15 * (goal.level - reached - 1)
                    status = _status(rng, max(0.03, min(0.9, p)))
                if before is not None and status == before:
                    continue
                previous[goal.code] = status
                offset = timedelta(days=rng.randint(5, 40), hours=rng.randint(0, 9))
                answers.append(
                    Answer(
                        goal_code=goal.code,
                        unit=unit.slug,
                        status=status,
                        note=_note(status, rng),
                        answered_at=moment - offset,
                        answered_by=unit.owner,
                        evidence_url=(
                            f"https://wiki.example.com/{unit.slug}/{goal.code}"
                            if status == Outcome.MET and rng.random() < 0.3
                            else None
                        ),
                    )
                )
    return answers


def _note(status: Outcome, rng: random.Random) -> str | None:
    notes: dict[Outcome, list[str | None]] = {
        Outcome.MET: ["Checked in the quarterly review.", "Enforced in CI.", None, None],
        Outcome.PARTLY_MET: [
            "Done for the main services only.",
            "Rolled out to half the repos.",
            "Manual today, automation planned.",
        ],
        Outcome.NOT_MET: ["Not started.", "On the roadmap for next quarter.", None],
    }
    return rng.choice(notes.get(status, [None]))


def _demo_value(metric: Metric, step: int, rng: random.Random) -> float:
    target = metric.parsed_target
    base = target.value if target.value > 0 else 1.0
    noise = rng.uniform(0.85, 1.15)
    if metric.direction == "target":
        drift = (QUARTERS - step) * 3.0 * rng.choice((-1, 1)) + rng.uniform(-2, 2)
        value = target.value + drift
    elif metric.direction == "lower":
        value = base * max(0.5, 2.6 - 0.45 * step) * noise
        if target.value == 0:
            value = max(0.0, round((QUARTERS + 1 - step) * noise * 2))
    else:
        start = 0.62 if metric.unit == "percent" else 0.5
        value = base * min(1.02, start + 0.1 * step) * noise
        if metric.unit == "percent":
            value = min(100.0, value)
    from platform_maturity.domain.units import convert

    return round(convert(value, target.unit, metric.unit), 3)


def generate_measurements(
    framework: Framework, moments: list[datetime], rng: random.Random
) -> list[Measurement]:
    result: list[Measurement] = []
    for step, moment in enumerate(moments):
        for unit in UNITS:
            for metric in framework.metrics():
                if rng.random() < 0.25 - 0.05 * step:
                    continue
                result.append(
                    Measurement(
                        metric_id=metric.id,
                        unit=unit.slug,
                        value=_demo_value(metric, step, rng),
                        measured_at=moment - timedelta(days=rng.randint(1, 10)),
                        source="demo",
                    )
                )
    return result


def demo_waivers(moments: list[datetime]) -> list[Waiver]:
    first, last = moments[0], moments[-1]
    return [
        Waiver(
            goal_code="R.T.7",
            unit="storefront",
            owner="lea.storefront@example.com",
            reason="Chaos experiments start after the checkout migration.",
            expires_at=last + timedelta(days=120),
            created_at=last - timedelta(days=30),
        ),
        Waiver(
            goal_code="S.A.25",
            unit="data",
            owner="kofi.data@example.com",
            reason="Weekly restarts conflict with long warehouse loads; compensating patching.",
            expires_at=first + timedelta(days=150),
            created_at=first - timedelta(days=10),
        ),
        Waiver(
            goal_code="E.C.3",
            unit=None,
            owner="cfo@example.com",
            reason="Commitments are frozen until the cloud contract renewal.",
            expires_at=last + timedelta(days=200),
            created_at=last - timedelta(days=60),
        ),
    ]


def write_demo_config(folder: Path) -> Path:
    text = templates().get_template("demo.yaml.j2").render(name=ORGANIZATION, units=UNITS)
    path = folder / CONFIG_NAME
    path.write_text(text, encoding="utf-8")
    return path


def create_demo(
    folder: Path,
    now: datetime,
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
) -> Workspace:
    """Create (or recreate) the demo workspace in ``folder``."""
    step = progress or (lambda _message: None)
    if folder.exists() and any(folder.iterdir()):
        if not (folder / DEMO_MARKER).exists():
            raise UserError(
                "the folder exists and is not a demo workspace",
                file=str(folder),
                hint="Choose an empty or new folder for the demo.",
            )
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DEMO_MARKER).write_text(
        "created by 'maturity demo'; safe to delete\n", encoding="utf-8"
    )
    workspace = load_workspace(write_demo_config(folder), env={})
    rng = random.Random(seed)
    quarters = quarter_ends(now, QUARTERS)
    moments = [end for _, end in quarters] + [now]
    step("Generating answers and measurements")
    answers = generate_answers(workspace.framework, moments, rng)
    measurements = generate_measurements(workspace.framework, moments, rng)
    with open_store(workspace, quarters[0][1] - timedelta(days=90), "demo") as database:
        step(f"Storing {len(answers):,} answers and {len(measurements):,} measurements")
        with database.transaction() as session:
            for answer in answers:
                repo.add_answer(session, answer, answer.answered_by or "demo", answer.answered_at)
            for measurement in measurements:
                repo.add_measurement(session, measurement, "demo", measurement.measured_at)
            for waiver in demo_waivers(moments):
                repo.add_waiver(session, waiver, waiver.owner, waiver.created_at)
        create_demo_backlog(workspace, database, folder, now, seed, step)
        for name, end in quarters:
            step(f"Snapshot {name}")
            create_snapshot(workspace, database, name, end, end, "demo")
        step("Writing repositories, manifests and Terraform")
        write_evidence(folder)
        step("Scanning them")
        run_scan(scan_settings(workspace), database, [], now, "demo")
        step("Probe history, incidents, postmortems and the status page")
        add_downtime_history(workspace, database, now, seed)
        step("Writing and importing tracker, CI, incident and cost exports")
        create_demo_kpis(folder, workspace, database, now, seed)
    return workspace

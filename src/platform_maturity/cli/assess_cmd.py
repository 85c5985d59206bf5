"""Assessment commands: assess, answer, answers, waive, waivers, measure."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from platform_maturity.cli.common import actor, console, now, parse_when, store
from platform_maturity.domain.records import Outcome
from platform_maturity.domain.units import format_value
from platform_maturity.engine.evaluate import latest_answers
from platform_maturity.engine.metrics import metric_result
from platform_maturity.services import assessment
from platform_maturity.store import repo

answers_app = typer.Typer(
    help="Answers as YAML files, to review in pull requests.", no_args_is_help=True
)
waivers_app = typer.Typer(
    help="Waivers: goals accepted as not met for now, with reason and expiry.", no_args_is_help=True
)

CHOICES = {"m": "met", "p": "partly_met", "n": "not_met", "a": "not_applicable"}


def register(app: typer.Typer) -> None:
    app.command("assess")(assess)
    app.command("answer")(answer)
    app.add_typer(answers_app, name="answers")
    app.command("waive")(waive)
    app.add_typer(waivers_app, name="waivers")
    app.command("measure")(measure)


UnitOpt = Annotated[
    str | None,
    typer.Option(
        "--unit",
        "-u",
        help="Organizational unit (slug); default: the whole organization.",
        show_default=False,
    ),
]


def assess(
    ctx: typer.Context,
    pillar: Annotated[
        str | None, typer.Option("--pillar", "-p", help="Only this pillar.", show_default=False)
    ] = None,
    unit: UnitOpt = None,
) -> None:
    """Answer the goals not yet answered, one at a time; saves after every answer.

    Keys: m met, p partly met, n not met, a not applicable (asks why), s skip, q quit.
    Run it again to resume where you stopped.
    """
    with store(ctx) as (ws, database):
        slug = ws.unit(unit)
        goals = list(ws.framework.pillar(pillar).goals()) if pillar else list(ws.framework.goals())
        goals = [g for g in goals if g.in_scope]
        with database.transaction() as session:
            answered = latest_answers(repo.list_answers(session), now())
        todo = [g for g in goals if (g.code, slug) not in answered]
        out = console()
        scope = slug or "the organization"
        out.print(
            f"{len(goals) - len(todo)} of {len(goals)} goals answered for {scope}; "
            f"{len(todo)} to go."
        )
        for index, goal in enumerate(todo, 1):
            body = Text.assemble(
                (f"{goal.statement}\n\n", "bold"),
                ("Why it matters: ", "cyan"),
                f"{goal.why}\n\n",
                ("Question: ", "cyan"),
                goal.evidence.question,
            )
            out.print(
                Panel(
                    body,
                    title=f"{goal.code} · {goal.pillar} · level {goal.level}",
                    subtitle=f"{index}/{len(todo)}",
                    title_align="left",
                )
            )
            key = typer.prompt("[m]et [p]artly [n]ot met n/[a] [s]kip [q]uit", default="s")
            key = key.strip().lower()[:1]
            if key == "q":
                break
            if key not in CHOICES:
                continue
            reason = None
            if CHOICES[key] == "not_applicable":
                reason = typer.prompt("Why does it not apply?")
            note = typer.prompt("Note (optional)", default="", show_default=False) or None
            evidence = (
                typer.prompt("Evidence link (optional)", default="", show_default=False) or None
            )
            at = now()
            record = assessment.make_answer(
                ws,
                goal.code,
                CHOICES[key],
                unit=slug,
                note=note,
                evidence=evidence,
                reason=reason,
                at=at,
                actor=actor(),
            )
            assessment.record_answer(database, record, actor(), at)
            out.print(f"[green]saved[/] {goal.code}: {Outcome(CHOICES[key]).label}")


def answer(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Goal code (or upstream alias), e.g. A.E.1.")],
    status: Annotated[
        str, typer.Option("--status", "-s", help="met, partly_met, not_met or not_applicable.")
    ],
    unit: UnitOpt = None,
    note: Annotated[str | None, typer.Option(help="Free text.", show_default=False)] = None,
    evidence: Annotated[
        str | None, typer.Option(help="Link to evidence (URL).", show_default=False)
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option(help="Why it does not apply (for not_applicable).", show_default=False),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(help="When this was true (ISO date); default now.", show_default=False),
    ] = None,
) -> None:
    """Record one answer (for scripts); the previous one stays in the audit trail."""
    with store(ctx) as (ws, database):
        when = parse_when(at, "--at") if at else now()
        record = assessment.make_answer(
            ws,
            code,
            status,
            unit=unit,
            note=note,
            evidence=evidence,
            reason=reason,
            at=when,
            actor=actor(),
        )
        assessment.record_answer(database, record, actor(), now())
    console().print(
        f"Recorded {record.goal_code} = {record.status.label} for "
        f"{record.unit or 'the organization'}."
    )


@answers_app.command("export")
def answers_export(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="YAML file to write.")]
) -> None:
    """Write the current answers as YAML."""
    with store(ctx) as (ws, database):
        count = assessment.export_answers(ws, database, file, now())
    console().print(f"Wrote {count} answers to {file}.")


@answers_app.command("import")
def answers_import(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="YAML file to read.")]
) -> None:
    """Read answers from YAML: all validated first, then stored in one transaction."""
    with store(ctx) as (ws, database):
        recorded, unchanged = assessment.import_answers(ws, database, file, now(), actor())
    console().print(f"Imported {file}: {recorded} recorded, {unchanged} unchanged.")


def waive(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Goal code.")],
    reason: Annotated[str, typer.Option(help="Why the gap is accepted for now.")],
    owner: Annotated[str, typer.Option(help="Who owns the decision.")],
    expires: Annotated[
        str | None,
        typer.Option(help="Expiry date (ISO); the waiver stops counting then.", show_default=False),
    ] = None,
    unit: UnitOpt = None,
) -> None:
    """Waive a goal for a unit (or the organization) with a reason, an owner and an expiry."""
    with store(ctx) as (ws, database):
        waiver = assessment.record_waiver(
            ws,
            database,
            code,
            unit=unit,
            reason=reason,
            owner=owner,
            expires=parse_when(expires, "--expires") if expires else None,
            now=now(),
            actor=actor(),
        )
    console().print(
        f"Waived {waiver.goal_code} for {waiver.unit or 'the organization'}"
        + (f" until {waiver.expires_at:%Y-%m-%d}." if waiver.expires_at else ".")
    )


@waivers_app.command("list")
def waivers_list(ctx: typer.Context) -> None:
    """List waivers, active and expired."""
    with store(ctx) as (_, database), database.transaction() as session:
        waivers = repo.list_waivers(session)
    table = Table(title="Waivers", title_justify="left")
    for column in ("Goal", "Unit", "Owner", "Expires", "State", "Reason"):
        table.add_column(column)
    moment = now()
    for w in waivers:
        table.add_row(
            w.goal_code,
            w.unit or "organization",
            w.owner,
            f"{w.expires_at:%Y-%m-%d}" if w.expires_at else "never",
            "active" if w.active(moment) else "expired",
            w.reason,
        )
    console().print(table)


def measure(
    ctx: typer.Context,
    metric: Annotated[str, typer.Argument(help="Metric id, e.g. automation.ci-pipeline-duration.")],
    value: Annotated[str, typer.Argument(help="Value with optional unit: 4h, 30 min, 99.95%.")],
    unit: UnitOpt = None,
    at: Annotated[
        str | None,
        typer.Option(help="When it was measured (ISO date); default now.", show_default=False),
    ] = None,
    note: Annotated[
        str | None, typer.Option(help="Where the number came from.", show_default=False)
    ] = None,
) -> None:
    """Record a metric value; it is converted to the metric's unit and compared with its target."""
    with store(ctx) as (ws, database):
        when = parse_when(at, "--at") if at else now()
        m = assessment.make_measurement(ws, metric, value, unit=unit, at=when, note=note)
        assessment.record_measurement(database, m, actor(), now())
        definition = ws.framework.metric(m.metric_id)
    attainment = metric_result(definition, [m], m.unit, (), m.measured_at)
    status = attainment.status.replace("-", " ")
    console().print(
        f"Recorded {m.metric_id} = {format_value(m.value, definition.unit)} "
        f"({status}: {attainment.target})."
    )

"""Assessment commands: assess, answer, answers, waive, waivers, measure."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from platform_maturity.cli.common import actor, console, now, parse_when, store
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.records import Answer
from platform_maturity.domain.units import format_value
from platform_maturity.services import assessment
from platform_maturity.services.workspace import Workspace

answers_app = typer.Typer(
    help="Answers as YAML files, to review in pull requests.", no_args_is_help=True
)
waivers_app = typer.Typer(
    help="Waivers: goals accepted as not met for now, with reason and expiry.", no_args_is_help=True
)

KEYS = {
    **dict.fromkeys(("m", "met", "y", "yes"), "met"),
    **dict.fromkeys(("p", "partly", "partial", "partly_met", "partly met"), "partly_met"),
    **dict.fromkeys(("n", "no", "not", "not_met", "not met"), "not_met"),
    **dict.fromkeys(("a", "na", "n/a", "not_applicable", "not applicable"), "not_applicable"),
    **dict.fromkeys(("s", "skip", ""), "skip"),
    **dict.fromkeys(("q", "quit", "exit"), "quit"),
}


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
        total, todo = assessment.goals_to_assess(ws, database, pillar, slug, now())
        out = console()
        scope = slug or "the organization"
        out.print(f"{total - len(todo)} of {total} goals answered for {scope}; {len(todo)} to go.")
        saved = 0
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
            choice = _ask_choice()
            if choice == "quit":
                break
            if choice == "skip":
                continue
            record = _ask_details(ws, goal.code, choice, slug)
            assessment.record_answer(database, record, actor(), record.answered_at)
            saved += 1
            out.print(f"[green]saved[/] {goal.code}: {record.status.label}")
        left = len(todo) - saved
        out.print(
            f"Saved {saved} answer(s); {left} goal(s) still unanswered for {scope}."
            + (" Run the same command to continue." if left else "")
        )


def _ask_choice() -> str:
    """One of met, partly_met, not_met, not_applicable, skip or quit; asks again on a typo."""
    while True:
        text = typer.prompt("[m]et [p]artly [n]ot met n/[a] [s]kip [q]uit", default="s")
        choice = KEYS.get(text.strip().lower())
        if choice is not None:
            return choice
        console().print(f"[yellow]{text!r} is not a choice[/]: type m, p, n, a, s or q.")


def _ask_details(ws: Workspace, code: str, status: str, unit: str | None) -> Answer:
    reason = typer.prompt("Why does it not apply?") if status == "not_applicable" else None
    note = typer.prompt("Note (optional)", default="", show_default=False) or None
    while True:
        evidence = typer.prompt("Evidence link (optional)", default="", show_default=False) or None
        try:
            return assessment.make_answer(
                ws,
                code,
                status,
                unit=unit,
                note=note,
                evidence=evidence,
                reason=reason,
                at=now(),
                actor=actor(),
            )
        except UserError as exc:
            console().print(f"[yellow]{exc.message}[/]; try again or leave it empty.")


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
    with store(ctx) as (_, database):
        waivers = assessment.waivers(database)
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
    """Record a metric value; it is converted to the metric's unit and compared with its target.

    'developers' and 'users' record the month's head count for the cost KPIs instead
    (--at gives the month).
    """
    if metric in ("developers", "users"):
        from platform_maturity.cli.kpi_cmd import record_count

        record_count(ctx, metric, value, at)
        return
    with store(ctx) as (ws, database):
        when = parse_when(at, "--at") if at else now()
        m = assessment.make_measurement(ws, metric, value, unit=unit, at=when, note=note, now=now())
        assessment.record_measurement(database, m, actor(), now())
        result = assessment.attainment(ws, m)
    console().print(
        f"Recorded {m.metric_id} = {format_value(m.value, result.unit)} "
        f"({result.status.replace('-', ' ')}: {result.target})."
    )

"""Render a scan in the terminal: the summary table, failures and unreadable inputs."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from platform_maturity.domain.checks import CheckDefinition
from platform_maturity.domain.scans import SEVERITIES, ScanSummary
from platform_maturity.reports.terminal import WIDE, make_table

SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "dim"}


def render_scan_terminal(summary: ScanSummary, console: Console, failures: int = 15) -> None:
    inputs = (
        ", ".join(f"{n} {k} input(s)" for k, n in sorted(summary.inputs.items()) if n)
        or "no inputs"
    )
    stored = "not stored" if summary.scan_id is None else f"#{summary.scan_id}"
    console.print(Text.assemble(("Scan ", "bold"), (stored, "bold cyan"), f" read {inputs}."))
    render_scan_warnings(summary.warnings, console)
    table = make_table(console, "Checks")
    open_ = any(t.undecided for t in summary.tallies)
    longest = max((len(t.check.id) for t in summary.tallies), default=5)
    # with the Open column, goal codes wrap so that check ids stay whole in 80 columns
    table.add_column("Check", overflow="fold", min_width=longest if open_ else None)
    table.add_column("Goals", max_width=6 if open_ and console.width < WIDE else None)
    table.add_column("Pass", justify="right")
    table.add_column("Fail", justify="right")
    table.add_column("Waived", justify="right")
    if open_:  # cannot tell (e.g. values only Terraform or a Helm chart knows)
        table.add_column("Open", justify="right")
    for tally in summary.tallies:
        cells: list[str | Text] = [
            tally.check.id,
            " ".join(tally.check.goals),
            Text(str(tally.passed), style="green" if tally.passed else ""),
            Text(str(tally.failed), style="red" if tally.failed else ""),
            str(tally.waived) if tally.waived else "",
        ]
        if open_:
            cells.append(Text(str(tally.undecided), style="yellow") if tally.undecided else "")
        table.add_row(*cells)
    console.print(table)
    severity = {t.check.id: t.check.severity for t in summary.tallies}
    failing = sorted(
        (o for o in summary.observations if o.passed is False and not o.waived),
        key=lambda o: -SEVERITIES.index(severity.get(o.check_id, "low")),
    )  # most severe first; a stable sort keeps the scan's order within a severity
    if failing:
        more = (
            f"the {failures} most severe of {len(failing)}; --format json or sarif lists all"
            if len(failing) > failures
            else f"{len(failing)}, most severe first"
        )
        shown = make_table(console, f"Failures ({more})")
        shown.add_column("Sev.", no_wrap=True)
        shown.add_column("Where", ratio=2, overflow="fold")
        shown.add_column("Check", ratio=2, overflow="fold")
        shown.add_column("Finding", ratio=3)
        for o in failing[:failures]:
            ref = o.evidence[0] if o.evidence else None
            where = (
                f"{ref.path}:{ref.line_start}"
                if ref and ref.path and ref.line_start
                else (ref.path if ref and ref.path else o.subject)
            )
            level = severity.get(o.check_id, "")
            shown.add_row(
                Text(level, style=SEVERITY_STYLE.get(level, "")),
                where or "",
                o.check_id,
                f"{o.subject}: {o.message}",
            )
        console.print(shown)
    if summary.problems:
        problems = make_table(
            console,
            f"Inputs that could not be read ({len(summary.problems)})",
            title_style="yellow",
        )
        problems.add_column("File", ratio=1, overflow="fold")
        problems.add_column("Problem", ratio=1)
        for p in summary.problems:
            problems.add_row(f"{p.path}:{p.line}" if p.line else p.path, p.message)
        console.print(problems)
    goals = {code for o in summary.observations if o.passed is not None for code in o.goal_codes}
    undecided = sum(t.undecided for t in summary.tallies)
    console.print(
        f"Automated evidence for {len(goals)} goal(s); "
        f"{sum(t.failed for t in summary.tallies)} failing finding(s), "
        + (f"{undecided} open (not decided; each finding says why), " if undecided else "")
        + f"{len(summary.problems)} unreadable input(s). "
        + (
            "'maturity report' shows the scorecard."
            if summary.scan_id is not None
            else "Nothing was stored (--no-store)."
        )
    )


def render_scan_warnings(warnings: Sequence[str], console: Console) -> None:
    for warning in warnings:
        console.print(Text.assemble(("warning: ", "yellow"), warning), soft_wrap=True)


def render_catalog(checks: Sequence[CheckDefinition], console: Console) -> None:
    table = make_table(console, f"Checks ({len(checks)})")
    table.add_column("Check", no_wrap=True)
    table.add_column("Goals")
    table.add_column("Severity")
    table.add_column("Title", ratio=1)
    for check in sorted(checks, key=lambda c: c.id):
        table.add_row(check.id, " ".join(check.goals), check.severity, check.title)
    console.print(table)

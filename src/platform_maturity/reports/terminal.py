"""The scorecard in the terminal, with Rich."""

from __future__ import annotations

from rich import box
from rich.console import Console, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from platform_maturity.domain.records import Outcome
from platform_maturity.domain.results import PillarResult, ScopeResult, ScorecardDiff
from platform_maturity.domain.units import format_value
from platform_maturity.reports.formatting import EvidenceView, evidence_view
from platform_maturity.reports.kpi_terminal import render_kpi_table
from platform_maturity.reports.model import ReportModel

OUTCOME_STYLE = {
    Outcome.MET: "green",
    Outcome.PARTLY_MET: "yellow",
    Outcome.NOT_MET: "red",
    Outcome.UNKNOWN: "bright_black",
    Outcome.WAIVED: "blue",
    Outcome.NOT_APPLICABLE: "bright_black",
}


def _bar(score: float | None, width: int = 10) -> Text:
    if score is None:
        return Text("n/a", style="bright_black")
    filled = round(score / 100 * width)
    style = "green" if score >= 75 else "yellow" if score >= 50 else "red"
    return Text("█" * filled, style=style) + Text("░" * (width - filled), style="bright_black")


def _score(score: float | None) -> str:
    return "—" if score is None else f"{score:.1f}"


def _abbr(name: str) -> str:
    return "".join(word[0] for word in name.split())[:2].upper()


def _cell(score: float | None) -> Text:
    if score is None:
        return Text("—", style="bright_black")
    style = "green" if score >= 75 else "yellow" if score >= 50 else "red"
    return Text(f"{score:.0f}", style=style)


WIDE = 100  # below this many columns, tables drop bars and vertical rules


def make_table(console: Console, title: str, **kwargs: object) -> Table:
    """A table that stays readable in 80 columns (and in pipes, which Rich treats as 80)."""
    narrow = console.width < WIDE
    return Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD,
        pad_edge=not narrow,
        **kwargs,  # type: ignore[arg-type]
    )


def _pillar_row(pillar: PillarResult, wide: bool) -> list[RenderableType]:
    needs = ""
    if pillar.next_level is not None:
        needs = f"{len(pillar.next_level.missing)} for L{pillar.next_level.level}"
    on_target, with_data = pillar.metrics_on_target, pillar.metrics_with_data
    score = (
        _bar(pillar.score) + Text(f" {_score(pillar.score):>5}") if wide else _score(pillar.score)
    )
    return [
        pillar.name,
        score,
        f"{pillar.level} {pillar.level_name}" if pillar.level is not None else "n/a",
        f"{pillar.coverage:.0f}%",
        f"{on_target}/{with_data}" if with_data else "—",
        needs,
    ]


def _level(level: int | None) -> str:
    return "—" if level is None else str(level)


def _delta(before: float | None, after: float | None) -> Text:
    if before is None or after is None:
        return Text("")
    change = after - before
    style = "green" if change > 0 else "red" if change < 0 else ""
    return Text(f"{change:+.1f}", style=style)


def render_diff(changes: ScorecardDiff, console: Console, goals: int = 12) -> None:
    """Pillar scores and levels before and after, then the goals that moved."""
    table = make_table(console, f"Changes: {changes.before} → {changes.after}")
    table.add_column("Pillar", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Δ", justify="right", no_wrap=True)
    table.add_column("Level", justify="right", no_wrap=True)
    for p in changes.pillars:
        table.add_row(
            p.name,
            f"{_score(p.score_before)} → {_score(p.score_after)}",
            _delta(p.score_before, p.score_after),
            f"{_level(p.level_before)} → {_level(p.level_after)}",
        )
    console.print(table)
    for title, moved, style in (
        ("Improved", changes.improved, "green"),
        ("Regressed", changes.regressed, "red"),
    ):
        if not moved or goals == 0:
            continue
        listing = make_table(console, f"{title} ({len(moved)})", title_style=style)
        listing.add_column("Goal", no_wrap=True)
        listing.add_column("Before → after", no_wrap=True)
        listing.add_column("Statement", ratio=1)
        for change in moved[:goals]:
            listing.add_row(
                change.code, f"{change.before.label} → {change.after.label}", change.statement
            )
        console.print(listing)
        if len(moved) > goals:
            console.print(Text(f"… and {len(moved) - goals} more", style="bright_black"))
    console.print(
        Text(f"{len(changes.improved)} goal(s) improved, {len(changes.regressed)} regressed")
    )


def _next_level_line(scope: ScopeResult) -> str:
    if scope.next_level is None:
        return ""
    nxt = scope.next_level
    return f"\nNext: level {nxt.level} {nxt.name} needs {len(nxt.missing)} more goal(s)"


def _metricsmake_table(pillar: PillarResult, console: Console) -> Table:
    table = make_table(console, f"{pillar.name}: metrics")
    table.add_column("Metric", ratio=1)
    table.add_column("Target", no_wrap=True)
    table.add_column("Value", justify="right", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    for m in pillar.metrics:
        value = "—" if m.value is None else format_value(m.value, m.unit)
        style = {"on-target": "green", "off-target": "red"}.get(m.status, "bright_black")
        table.add_row(m.name, m.target, value, Text(m.status.replace("-", " "), style=style))
    return table


def _goalsmake_table(pillar: PillarResult, console: Console) -> Table:
    title = f"{pillar.name}: goals"
    if pillar.next_level is not None:
        title += f" (level {pillar.next_level.level} needs {', '.join(pillar.next_level.missing)})"
    table = make_table(console, title)
    table.add_column("Goal", no_wrap=True)
    table.add_column("Lvl", justify="right")
    table.add_column("Outcome", no_wrap=True)
    table.add_column("Statement", ratio=1)
    table.add_column("Note / evidence", ratio=1)
    for category in pillar.categories:
        for goal in category.goals:
            scan = f"scan: {goal.evidence_summary}" if goal.evidence_summary else None
            refs = ", ".join(goal.evidence_refs[:3]) or None
            disagree = (
                f"people answered {goal.answer_outcome.label}"
                if goal.disagreement and goal.answer_outcome
                else None
            )
            extra = " · ".join(
                x for x in (goal.note, goal.reason, scan, refs, disagree, goal.evidence_url) if x
            )
            table.add_row(
                goal.code,
                str(goal.level),
                Text(goal.outcome.label, style=OUTCOME_STYLE[goal.outcome]),
                goal.statement,
                extra,
            )
    return table


TOP_FAILING = 3  # most-failed checks named per collector


def _evidence_line(view: EvidenceView) -> Text:
    return Text.assemble(
        ("Automated evidence: ", "bold"),
        (f"{view.evidenced} of {view.with_checks}", "bold cyan"),
        f" goals with checks ({view.coverage:.1f} %)",
        (f" · scan of {view.scanned_at:%Y-%m-%d}", "bright_black"),
    )


def _evidence_table(view: EvidenceView, console: Console) -> Table:
    """Per source: subjects, how many fail a check, failed findings, the checks failed most."""
    table = make_table(console, "Automated evidence by source")
    source_width = max((len(mx.noun) for mx in view.matrices), default=6)
    table.add_column("Source", no_wrap=True, min_width=source_width)
    counts = ("Subjects", "Failing", "Failures")
    for header in counts:
        table.add_column(header, justify="right", no_wrap=True, min_width=len(header))
    # the rest of the line, so that long check ids end in "…" instead of being cut off
    used = source_width + sum(len(h) for h in counts) + 3 * (len(counts) + 2)
    table.add_column(
        "Failed most often",
        no_wrap=True,
        overflow="ellipsis",
        max_width=max(12, console.width - used),
    )
    for mx in view.matrices:
        top = sorted((c for c in mx.columns if c.failing), key=lambda c: (-c.failing, c.id))
        table.add_row(
            mx.noun[:1].upper() + mx.noun[1:],
            str(mx.total),
            Text(str(mx.with_failures), style="red" if mx.with_failures else "green"),
            Text(str(mx.failed), style="red" if mx.failed else ""),
            "\n".join(f"{c.failing}× {c.short}" for c in top[:TOP_FAILING]) or "—",
        )
    return table


def render_terminal(
    model: ReportModel, console: Console, top: int = 10, details: bool = False
) -> None:
    """The summary; with ``details`` also every pillar's metrics and goals."""
    card = model.scorecard
    org = card.organization
    headline = Text.assemble(
        (f"{org.name}\n", "bold"),
        ("Score ", ""),
        (_score(org.score), "bold cyan"),
        ("  ·  Level ", ""),
        (f"{org.level} {org.level_name}" if org.level is not None else "n/a", "bold cyan"),
        ("  ·  Coverage ", ""),
        (f"{org.coverage:.0f} %", "bold"),
        (_next_level_line(org), ""),
        (
            f"\n{card.framework_name} {card.framework_version} · as of {card.as_of:%Y-%m-%d}",
            "bright_black",
        ),
    )
    console.print(Panel(headline, title="Platform maturity", title_align="left", expand=False))

    wide = console.width >= WIDE
    table = make_table(console, "Pillars")
    table.add_column("Pillar", no_wrap=True)
    table.add_column("Score", no_wrap=True, justify="left" if wide else "right")
    table.add_column("Level", no_wrap=True)
    table.add_column("Known", justify="right", no_wrap=True)
    table.add_column("Metrics", justify="right", no_wrap=True)
    table.add_column("Next level", no_wrap=True)
    for pillar in org.pillars:
        table.add_row(*_pillar_row(pillar, wide))
    console.print(table)

    if card.units:
        units = make_table(
            console,
            "Units (pillar scores)",
            caption=" · ".join(f"{_abbr(p.name)} {p.name}" for p in org.pillars),
            caption_justify="left",
        )
        units.add_column("Unit", no_wrap=True)
        units.add_column("Score", justify="right")
        units.add_column("Lvl", justify="right")
        for pillar in org.pillars:
            units.add_column(_abbr(pillar.name), justify="right")
        for unit in card.units:
            units.add_row(
                unit.name,
                _score(unit.score),
                str(unit.level) if unit.level is not None else "n/a",
                *[_cell(p.score) for p in unit.pillars],
            )
        console.print(units)

    gaps = make_table(
        console, f"What to do next (top {min(top, len(card.gaps))} of {len(card.gaps)})"
    )
    gaps.add_column("#", justify="right")
    gaps.add_column("Goal", no_wrap=True)
    gaps.add_column("Lvl", justify="right")
    gaps.add_column("Outcome", no_wrap=True)
    gaps.add_column("Goal statement", ratio=1)
    for gap in card.gaps[:top]:
        missing = f" [{len(gap.units_missing)} unit(s)]" if gap.units_missing else ""
        if gap.code in model.gap_costs:
            missing += f" · postmortems: {model.gap_costs[gap.code]}"
        gaps.add_row(
            str(gap.rank),
            gap.code,
            str(gap.level),
            Text(gap.outcome.label, style=OUTCOME_STYLE[gap.outcome]),
            gap.statement + missing,
        )
    console.print(gaps)

    if model.changes is not None:
        render_diff(model.changes, console, goals=0)

    view = evidence_view(model)
    if view is not None:
        console.print(_evidence_line(view))
        if details and view.matrices:
            console.print(_evidence_table(view, console))

    if model.security is not None:
        from platform_maturity.reports.backlog_terminal import render_security_summary

        render_security_summary(model.security, console)
    if model.kpis is not None:
        render_kpi_table(model.kpis, console)

    if details:
        for pillar in org.pillars:
            console.print(_metricsmake_table(pillar, console))
            console.print(_goalsmake_table(pillar, console))
    else:
        off = [m for p in org.pillars for m in p.metrics if m.status == "off-target"]
        if off:
            console.print(
                Text(
                    f"{len(off)} metric(s) off target; 'maturity report --details'"
                    " lists every metric and goal.",
                    style="bright_black",
                )
            )

"""The security backlog in the terminal: lists, one item, the agenda, attainment, the policy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from platform_maturity.domain.backlog import BacklogItem, ItemState
from platform_maturity.domain.backlog_policy import SecurityBacklogPolicy
from platform_maturity.domain.backlog_results import (
    Agenda,
    Attainment,
    ItemView,
    SecuritySection,
)
from platform_maturity.domain.postmortems import Postmortem
from platform_maturity.domain.records import AuditEntry
from platform_maturity.reports.backlog_view import money
from platform_maturity.reports.terminal import make_table

BAND_STYLE = {"low": "green", "medium": "yellow", "high": "red"}
STATE_STYLE = {
    ItemState.NEW: "cyan",
    ItemState.TRIAGED: "",
    ItemState.IN_PROGRESS: "blue",
    ItemState.RESOLVED: "green",
    ItemState.RISK_ACCEPTED: "magenta",
    ItemState.DUPLICATE: "bright_black",
    ItemState.INVALID: "bright_black",
}


def due_text(view: ItemView, moment: datetime) -> Text:
    if view.state not in (ItemState.NEW, ItemState.TRIAGED, ItemState.IN_PROGRESS):
        if view.state == ItemState.RISK_ACCEPTED and view.acceptance_expires:
            return Text(f"until {view.acceptance_expires:%Y-%m-%d}", style="magenta")
        if view.resolved_at is not None:
            ok = view.within_sla
            mark = "" if ok is None else (" ✓" if ok else " late")
            return Text(f"{view.resolved_at:%Y-%m-%d}{mark}", style="green" if ok else "yellow")
        return Text("—", style="bright_black")
    if view.next_due is None:
        return Text(f"triage, {view.age_days:.0f} d", style="cyan")
    days = view.days_left or 0.0
    if view.overdue_days is not None:
        return Text(f"{view.overdue_days:.0f} d late", style="bold red")
    if view.breached:
        return Text("started late", style="red")
    style = "yellow" if days < 7 else ""
    return Text(f"{view.next_due:%Y-%m-%d}", style=style)


def _severity(view: ItemView) -> Text:
    if view.severity is None:
        if view.suggested_severity:
            return Text(f"~{view.suggested_severity}", style="bright_black")
        return Text("?", style="bright_black")
    return Text(f"{view.severity:>2}", style=BAND_STYLE.get(view.band or "", ""))


def render_items(views: Sequence[ItemView], console: Console, moment: datetime, title: str) -> None:
    """Items as a table; below 100 columns the component moves under the title."""
    if not views:
        console.print(Text.assemble((title, "bold"), (": no items match.", "bright_black")))
        return
    wide = console.width >= 100
    table = make_table(console, title)
    table.add_column("Key", no_wrap=True)
    table.add_column("Sev", justify="right", no_wrap=True)
    table.add_column("State", no_wrap=True)
    table.add_column("Due", no_wrap=True)
    if wide:
        table.add_column("Component", no_wrap=True, max_width=28, overflow="ellipsis")
    table.add_column("Title", ratio=1, overflow="fold")
    for v in views:
        cells: list[Text | str] = [
            v.key,
            _severity(v),
            Text(v.state.label, style=STATE_STYLE[v.state]),
            due_text(v, moment),
        ]
        if wide:
            cells += [v.component, v.title]
        else:
            cells.append(Text.assemble(v.title, ("\n" + v.component, "bright_black")))
        table.add_row(*cells)
    console.print(table)


def _pairs(rows: Sequence[tuple[str, str | Text | None]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1)
    for label, value in rows:
        if value:
            grid.add_row(label, value)
    return grid


def render_item(
    item: BacklogItem,
    view: ItemView,
    history: Sequence[AuditEntry],
    postmortems: Sequence[Postmortem],
    policy: SecurityBacklogPolicy,
    console: Console,
    moment: datetime,
    duplicate_key: str | None = None,
) -> None:
    score = None
    if item.risk is not None and item.impact is not None:
        r, i = policy.risk_scale.level(item.risk), policy.impact_scale.level(item.impact)
        score = (
            f"risk {item.risk} ({r.name}) × impact {item.impact} ({i.name}) = {item.severity},"
            f" band {view.band} (policy v{item.policy_version})"
        )
    finding = item.finding
    rows: list[tuple[str, str | Text | None]] = [
        ("State", Text(view.state.label, style=STATE_STYLE[view.state])),
        ("Component", item.component),
        ("Source", f"{item.source.value} ({item.channel})"),
        ("Reporter", item.reporter),
        ("Owner", item.owner),
        ("Unit", item.unit),
        ("Score", score),
        ("Suggested", view.suggested if item.risk is None else None),
        (
            "Expected loss",
            f"{money(view.expected_annual_loss, policy.currency)} a year"
            if view.expected_annual_loss
            else None,
        ),
        ("Reported", f"{item.reported_at:%Y-%m-%d %H:%M}"),
        ("Start by", f"{view.start_due:%Y-%m-%d %H:%M}" if view.start_due else None),
        ("Resolve by", f"{view.resolve_due:%Y-%m-%d %H:%M}" if view.resolve_due else None),
        ("Due", due_text(view, moment)),
        ("Breach", Text(view.breach, style="red") if view.breach else None),
        ("Accepted", view.acceptance),
        ("Duplicate of", duplicate_key),
        ("Resolution", item.resolution),
    ]
    if finding is not None:
        rows += [
            ("Scanner", f"{finding.tool} · {finding.target}"),
            (
                "Finding",
                f"{finding.rule}"
                + (
                    f" in {finding.package} {finding.installed_version or ''}"
                    if finding.package
                    else ""
                ),
            ),
            ("Fixed in", finding.fixed_version),
            ("Location", finding.location),
            (
                "Seen",
                f"{finding.first_seen_at:%Y-%m-%d} – {finding.last_seen_at:%Y-%m-%d}"
                + (
                    f", fixed per scan #{finding.fixed_by_scan_id}"
                    if finding.fixed_by_scan_id
                    else ""
                ),
            ),
            ("Link", finding.url),
        ]
    body: list[Table | Text] = [_pairs(rows)]
    if item.description:
        body.append(Text("\n" + item.description))
    console.print(Panel(Group(*body), title=f"{item.key} · {item.title}", title_align="left"))
    for pm in postmortems:
        console.print(
            Panel(
                _pairs(
                    [
                        ("Summary", pm.summary),
                        ("Cause", pm.proximate_cause),
                        ("Platform gaps", ", ".join(pm.platform_gaps) or "none named"),
                        ("Cost", str(pm.cost) if pm.cost else "not stated"),
                        *(
                            (
                                f"Action {n}",
                                f"{'✓ ' if a.done else ''}{a.title}"
                                + (f" · {a.owner}" if a.owner else "")
                                + (f" · due {a.due}" if a.due else ""),
                            )
                            for n, a in enumerate(pm.action_items, 1)
                        ),
                    ]
                ),
                title=f"Postmortem PM-{pm.id}",
                title_align="left",
            )
        )
    if history:
        table = make_table(console, "History")
        for column in ("When", "Who", "What", "Change"):
            table.add_column(
                column, no_wrap=column != "Change", ratio=1 if column == "Change" else None
            )
        for e in history:
            change = e.new_value or ""
            if e.field:
                change = f"{e.field}: {e.old_value or '—'} → {e.new_value or '—'}"
            table.add_row(f"{e.at:%Y-%m-%d %H:%M}", e.actor, e.action, change)
        console.print(table)


def render_attainment(period: Attainment, trend: Sequence[Attainment], console: Console) -> None:
    percent = "—" if period.attainment_percent is None else f"{period.attainment_percent:.1f} %"
    console.print(
        Text.assemble(
            ("SLA attainment ", "bold"),
            (f"{period.label}: ", ""),
            (percent, "bold cyan"),
            f" ({period.resolved_within_sla} of {period.resolved} resolved within SLA) · ",
            (
                f"{period.open_in_breach_at_end} open in breach",
                "red" if period.open_in_breach_at_end else "green",
            ),
            f" · {period.untriaged_at_end} awaiting triage",
        )
    )
    table = make_table(console, f"Per band ({period.label})")
    for column, justify in (
        ("Band", "left"),
        ("Open", "right"),
        ("Breach", "right"),
        ("Median age", "right"),
        ("Oldest", "right"),
        ("Fixed", "right"),
        ("In SLA", "right"),
        ("MTTR", "right"),
    ):
        table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for b in period.bands:
        table.add_row(
            Text(b.band, style=BAND_STYLE.get(b.band, "")),
            str(b.open),
            Text(str(b.open_in_breach), style="red" if b.open_in_breach else ""),
            "—" if b.median_age_days is None else f"{b.median_age_days:.0f} d",
            "—" if b.oldest_age_days is None else f"{b.oldest_age_days:.0f} d",
            str(b.resolved),
            str(b.resolved_within_sla),
            "—" if b.mean_days_to_remediate is None else f"{b.mean_days_to_remediate:.0f} d",
        )
    console.print(table)
    if trend:
        quarters = make_table(console, "Trend per quarter")
        for column in ("Quarter", "Attainment", "Fixed", "In SLA", "Breach at end"):
            quarters.add_column(
                column, justify="left" if column == "Quarter" else "right", no_wrap=True
            )
        for q in trend:
            quarters.add_row(
                q.label,
                _bar(q.attainment_percent),
                str(q.resolved),
                str(q.resolved_within_sla),
                Text(str(q.open_in_breach_at_end), style="red" if q.open_in_breach_at_end else ""),
            )
        console.print(quarters)


def _bar(percent: float | None, width: int = 10) -> Text:
    if percent is None:
        return Text("—", style="bright_black")
    filled = round(percent / 100 * width)
    style = "green" if percent >= 95 else "yellow" if percent >= 80 else "red"
    return (
        Text("█" * filled, style=style)
        + Text("░" * (width - filled), style="bright_black")
        + Text(f" {percent:5.1f} %")
    )


def render_agenda(agenda: Agenda, console: Console) -> None:
    last = f"{agenda.last_review:%Y-%m-%d}" if agenda.last_review else "never"
    console.print(
        Panel(
            Text.assemble(
                (f"{agenda.organization}\n", "bold"),
                f"Next review {agenda.next_review:%Y-%m-%d} · last review {last} · every"
                f" {agenda.cadence_days} days\n",
                (
                    "Expected annual loss of open items: "
                    + money(agenda.loss.open_total, agenda.currency),
                    "bold",
                ),
                f" · accepted risks {money(agenda.loss.accepted_total, agenda.currency)}",
            ),
            title="Security backlog review",
            title_align="left",
            expand=False,
        )
    )
    sections = (
        (
            "1. New items to triage",
            agenda.to_triage,
            "Score risk and impact together; a suggestion is only the scanner's guess.",
            "Nothing waits for triage.",
        ),
        (
            "2. SLA breaches",
            agenda.breaches,
            "Decide: fix now, accept the risk (approver, expiry), or score it again.",
            "No open item is past its deadline.",
        ),
        (
            f"3. Due before {agenda.next_review:%Y-%m-%d}",
            agenda.due_before_next,
            "Confirm each has an owner and will make it.",
            "Nothing falls due before the next review.",
        ),
        (
            "4. Accepted risks expiring",
            agenda.expiring_acceptances,
            "Renew with a reason, or plan the fix.",
            "No accepted risk expires before the next review.",
        ),
    )
    for title, views, hint, empty in sections:
        if not views:
            console.print(Text.assemble((f"{title}: ", "bold"), (empty, "green")))
            continue
        render_items(views, console, agenda.generated_at, f"{title} ({len(views)})")
        console.print(Text(hint, style="bright_black"))
    if agenda.overdue_cost:
        console.print(
            Text(
                "Expected loss accrued while breached items stayed open: "
                + money(agenda.overdue_cost, agenda.currency),
                style="red",
            )
        )
    render_attainment(agenda.attainment, agenda.trend, console)


def render_policy(policy: SecurityBacklogPolicy, version: int | None, console: Console) -> None:
    risk = make_table(console, "Risk: " + policy.risk_scale.description)
    risk.add_column("Lvl", justify="right", no_wrap=True)
    risk.add_column("Name", no_wrap=True)
    risk.add_column("Chance", justify="right", no_wrap=True)
    risk.add_column("Means", ratio=1)
    for level in policy.risk_scale.levels:
        low, high = level.range_percent
        risk.add_row(str(level.value), level.name, f"{low:g}–{high:g} %", level.description)
    console.print(risk)
    impact = make_table(console, f"Impact: {policy.impact_scale.description} ({policy.currency})")
    impact.add_column("Lvl", justify="right", no_wrap=True)
    impact.add_column("Name", no_wrap=True)
    impact.add_column("Range", justify="right", no_wrap=True)
    impact.add_column("Means", ratio=1)
    for anchor in policy.impact_scale.levels:
        floor, ceiling = policy.impact_scale.range(anchor.value)
        span = (
            f"{money(floor, '')}–{money(ceiling, '')}".replace(" ", "")
            if ceiling
            else f"> {money(floor, '')}".strip()
        )
        impact.add_row(str(anchor.value), anchor.name, span, anchor.description)
    console.print(impact)
    bands = make_table(console, "SLA bands" + (f" (version {version})" if version else ""))
    bands.add_column("Band", no_wrap=True)
    bands.add_column("Severity", no_wrap=True)
    bands.add_column("Deadline", ratio=1)
    for b in policy.sla_policy.ordered():
        bands.add_row(
            Text(b.name, style=BAND_STYLE.get(b.name, "")),
            f"{b.min}–{b.max_exclusive - 1}",
            b.deadline_text,
        )
    console.print(bands)
    grid = Table(
        title="Severity = risk × impact", title_justify="left", show_edge=False, pad_edge=False
    )
    grid.add_column("risk\\impact", justify="right", no_wrap=True)
    for i in range(1, 6):
        grid.add_column(str(i), justify="right", no_wrap=True)
    for r in range(5, 0, -1):
        cells = []
        for i in range(1, 6):
            band = policy.sla_policy.band_for(r * i).name
            cells.append(Text(f"{r * i}", style=BAND_STYLE.get(band, "")))
        grid.add_row(str(r), *cells)
    console.print(grid)
    console.print(
        Text(
            f"Review every {policy.review.cadence_days} days; postmortems from severity"
            f" {policy.postmortem_min_severity}. Expected annual loss = probability × expected"
            " loss of the impact level (docs/backlog.md).",
            style="bright_black",
        )
    )


def render_security_summary(section: SecuritySection, console: Console) -> None:
    """The report's security section in a few lines."""
    a = section.attainment
    percent = "—" if a.attainment_percent is None else f"{a.attainment_percent:.1f} %"
    console.print(
        Text.assemble(
            ("Security backlog: ", "bold"),
            f"{section.open} open ({section.untriaged} to triage) · SLA attainment ",
            (percent, "bold cyan"),
            " (last 12 months) · ",
            (f"{a.open_in_breach_at_end} in breach", "red" if a.open_in_breach_at_end else "green"),
            " · expected annual loss ",
            (money(section.loss.open_total, section.currency), "bold"),
        )
    )
    if section.breaches:
        render_items(section.breaches, console, section.as_of, "SLA breaches")

"""What the HTML and Markdown reports share: the Jinja environment, filters and summary.

Formatting only. Every score, level, coverage and gap comes from the :class:`ReportModel`;
this module turns those numbers into text and picks what a report shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from platform_maturity.domain.records import Outcome
from platform_maturity.domain.results import GoalChange, ScanResult, SubjectResult
from platform_maturity.domain.units import format_value
from platform_maturity.reports.model import ReportModel

TOP_GAPS = 10
MATRIX_ROWS = 60  # subjects shown in one evidence matrix before "and N more"
WIDE_MATRIX = 16  # checks above which a printed matrix is fitted to the page width
MD_MATRIX_COLUMNS = 12  # a Markdown matrix with more checks becomes a list of failures
CHANGES_SHOWN = 12  # improved (and, separately, regressed) goals listed before "and N more"
DASH = "—"
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")


# --------------------------------------------------------------------------- filters


def fmt_score(value: float | None) -> str:
    """A 0-100 score with one decimal: ``72.5``; a dash when there is none."""
    return DASH if value is None else f"{value:.1f}"


def fmt_percent(value: float | None) -> str:
    """``85%``, ``66.7%``."""
    if value is None:
        return DASH
    return f"{value:.1f}".rstrip("0").rstrip(".") + "%"


def fmt_quantity(value: float | None, unit: str) -> str:
    """A metric value with its unit: ``19 h``, ``99.899 %``; a dash when there is no data."""
    return DASH if value is None else format_value(value, unit)


def fmt_datetime(value: datetime | None) -> str:
    """``2026-03-01 12:00 UTC`` (or the UTC offset when not UTC)."""
    if value is None:
        return DASH
    offset = value.utcoffset()
    if offset is None:
        return f"{value:%Y-%m-%d %H:%M}"
    if not offset:
        return f"{value:%Y-%m-%d %H:%M} UTC"
    return f"{value:%Y-%m-%d %H:%M %z}"


def fmt_date(value: datetime | None) -> str:
    return DASH if value is None else f"{value:%Y-%m-%d}"


def _change(before: float | None, after: float | None) -> float | None:
    """``after - before`` as displayed (one decimal); ``None`` when either is unknown."""
    if before is None or after is None:
        return None
    return round(after - before, 1)


def fmt_delta(before: float | None, after: float | None) -> str:
    """The change ``after - before`` of a score: ``+2.5``, ``−1.0``, ``±0``; empty if unknown.

    A filter on the earlier value: ``{{ score_before | fmt_delta(score_after) }}``.
    """
    change = _change(before, after)
    if change is None:
        return ""
    if change > 0:
        return f"+{change:.1f}"
    if change < 0:
        return f"−{abs(change):.1f}"
    return "±0"


def delta_class(before: float | None, after: float | None) -> str:
    """The CSS class of a change: ``up``, ``down`` or ``flat`` (also when unknown)."""
    change = _change(before, after)
    if change is None or change == 0:
        return "flat"
    return "up" if change > 0 else "down"


def fmt_level(number: int | None) -> str:
    return DASH if number is None else f"L{number}"


def score_band(value: float | None) -> str:
    """The heatmap colour band of a score: ``b0`` (lowest) to ``b4`` (highest), or ``none``."""
    if value is None:
        return "none"
    for index, upper in enumerate((20.0, 40.0, 60.0, 80.0)):
        if value < upper:
            return f"b{index}"
    return "b4"


def outcome_class(outcome: Outcome | str) -> str:
    value = outcome.value if isinstance(outcome, Outcome) else str(outcome)
    return "o-" + value.replace("_", "-")


def outcome_label(outcome: Outcome | str) -> str:
    return outcome.label if isinstance(outcome, Outcome) else str(outcome).replace("_", " ")


def web_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) link safe to put in ``href``; otherwise ``None``."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


_BREAK_AFTER = re.compile(r"([./_:-])(?=.)")


def breakable(text: str) -> Markup:
    """HTML text that may wrap after ``. / _ : -`` rather than in the middle of a word."""
    return Markup(_BREAK_AFTER.sub(r"\1<wbr>", str(escape(text))))


# --------------------------------------------------------------------------- Markdown helpers


def md_cell(value: object) -> str:
    """Text safe inside a GitHub-flavoured Markdown table cell."""
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    # Neutralise anything a Markdown renderer could take for raw HTML; keep "< 1 day".
    return _HTML_START.sub("&lt;", text)


_MD_URL_ESCAPES = {" ": "%20", "|": "%7C", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}


def md_url(url: str) -> str:
    """A URL safe as a Markdown link target inside a table cell."""
    return "".join(_MD_URL_ESCAPES.get(ch, ch) for ch in url)


def outcome_counts(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """``(label, count)`` for each outcome present, in the fixed outcome order."""
    return [(o.label, counts[o.value]) for o in Outcome if counts.get(o.value)]


FILTERS: Mapping[str, Callable[..., Any]] = {
    "score": fmt_score,
    "pct": fmt_percent,
    "quantity": fmt_quantity,
    "datetime": fmt_datetime,
    "date": fmt_date,
    "fmt_delta": fmt_delta,
    "delta_class": delta_class,
    "level": fmt_level,
    "band": score_band,
    "outcome_class": outcome_class,
    "outcome_label": outcome_label,
    "web_url": web_url,
    "breakable": breakable,
    "md": md_cell,
    "md_url": md_url,
}


def environment(autoescape: bool) -> jinja2.Environment:
    """A Jinja environment over ``reports/templates`` with the report filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("platform_maturity.reports", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    env.globals.update(outcome_counts=outcome_counts)
    from platform_maturity.reports.kpi_markdown import add_kpi_filters

    return add_kpi_filters(env)


# --------------------------------------------------------------------------- shared summary


@dataclass(frozen=True)
class Summary:
    """Counts shown in the headline, taken from the model (nothing is scored here)."""

    metrics_on_target: int
    metrics_with_data: int
    open_gaps: int
    unit_names: dict[str, str]
    level_names: dict[int, str]
    max_level: int | None
    is_unit_report: bool  # the headline scope is one unit, the only unit in the scorecard


def is_unit_report(model: ReportModel) -> bool:
    """Whether the report is about one unit rather than the whole organization."""
    card = model.scorecard
    return len(card.units) == 1 and card.units[0].scope == card.organization.scope


def summarize(model: ReportModel) -> Summary:
    org = model.scorecard.organization
    return Summary(
        metrics_on_target=org.metrics_on_target,
        metrics_with_data=org.metrics_with_data,
        open_gaps=len(model.scorecard.gaps),
        unit_names={u.scope: u.name for u in model.scorecard.units},
        level_names={lv.number: lv.name for lv in model.levels},
        max_level=max((lv.number for lv in model.levels), default=None),
        is_unit_report=is_unit_report(model),
    )


@dataclass(frozen=True)
class ChangeList:
    """One list of the "Changes since" section, cut to :data:`CHANGES_SHOWN` entries."""

    title: str  # "Improved" or "Regressed"
    shown: tuple[GoalChange, ...]
    total: int

    @property
    def more(self) -> int:
        """How many goals the list leaves out."""
        return self.total - len(self.shown)


def change_lists(model: ReportModel, limit: int = CHANGES_SHOWN) -> tuple[ChangeList, ...]:
    """The improved and the regressed goals, at most ``limit`` of each, in framework order."""
    if model.changes is None:
        return ()
    lists: Sequence[tuple[str, tuple[GoalChange, ...]]] = (
        ("Improved", model.changes.improved),
        ("Regressed", model.changes.regressed),
    )
    return tuple(ChangeList(title, items[:limit], len(items)) for title, items in lists)


# --------------------------------------------------------------------------- automated evidence

# The collectors in report order: (id, matrix title, plural noun of its subjects).
COLLECTORS: tuple[tuple[str, str, str], ...] = (
    ("repository", "Repositories × checks", "repositories"),
    ("kubernetes", "Workloads × checks", "Kubernetes objects"),
    ("terraform", "Terraform resources × checks", "Terraform resources"),
)
MARKS: Mapping[str, str] = {"pass": "✓", "fail": "✗", "waived": "~", "unknown": "?"}
RESULT_WORDS: Mapping[str, str] = {
    "pass": "passed",
    "fail": "failed",
    "waived": "waived",
    "unknown": "undecided",
}
GROUP_MIN = 3  # at least this many checks sharing a first word get one group heading


@dataclass(frozen=True)
class CheckColumn:
    """One column of an evidence matrix: a check with a short header label."""

    id: str
    group: str  # the first word the column shares with its neighbours, or ""
    label: str  # the id without collector prefix and group word
    title: str  # the check's full title (the id when the catalog has none)
    failing: int  # subjects of the whole matrix (also those not shown) failing it
    divider: bool = False  # a rule on its left: a group starts or ends here

    @property
    def short(self) -> str:
        """The id without its collector prefix: ``ci-present`` for ``repo.ci-present``."""
        return f"{self.group}-{self.label}" if self.group else self.label


@dataclass(frozen=True)
class ColumnGroup:
    """Adjacent columns under one heading; ``group`` is "" for a column on its own."""

    group: str
    columns: tuple[CheckColumn, ...]

    @property
    def span(self) -> int:
        return len(self.columns)


@dataclass(frozen=True)
class MatrixCell:
    result: str  # pass | fail | waived | unknown, or "" when the check does not apply
    mark: str
    tip: str  # the cell's title attribute


@dataclass(frozen=True)
class MatrixRow:
    subject: SubjectResult
    name: str  # the subject's own name: repository, workload or resource
    detail: str  # where it is: kind and namespace, or Terraform folder
    unit: str | None  # the unit's display name
    cells: tuple[MatrixCell, ...]

    @property
    def failing(self) -> tuple[str, ...]:
        """The checks this subject fails, without collector prefix, sorted by id."""
        results = self.subject.results
        return tuple(_short_id(c) for c in sorted(results) if results[c] == "fail")


@dataclass(frozen=True)
class EvidenceMatrix:
    """Subjects of one collector × the checks that gave a result for any of them."""

    collector: str
    title: str
    noun: str
    columns: tuple[CheckColumn, ...]
    groups: tuple[ColumnGroup, ...]
    rows: tuple[MatrixRow, ...]  # most failures first, at most MATRIX_ROWS
    total: int  # subjects of this collector
    with_failures: int  # subjects failing at least one check
    passed: int  # passing findings over all subjects
    failed: int  # failing findings over all subjects

    @property
    def more(self) -> int:
        return self.total - len(self.rows)

    @property
    def grouped(self) -> bool:
        return any(g.group for g in self.groups)

    @property
    def wide(self) -> bool:
        """Whether the matrix has so many checks that print squeezes it to the page width."""
        return len(self.columns) > WIDE_MATRIX

    @property
    def md_matrix(self) -> bool:
        """Whether Markdown can show this as a matrix rather than a list of failures."""
        return len(self.columns) <= MD_MATRIX_COLUMNS


@dataclass(frozen=True)
class PillarCoverage:
    """The goals of one pillar that have checks: which of them the scan gave evidence for."""

    id: str
    name: str
    evidenced: tuple[str, ...]
    missing: tuple[str, ...]  # goals with checks that got no evidence


@dataclass(frozen=True)
class EvidenceView:
    """What the "Automated evidence" section shows."""

    scanned_at: datetime
    evidenced: int
    with_checks: int
    coverage: float
    pillars: tuple[PillarCoverage, ...]
    collectors: tuple[tuple[str, int], ...]  # (plural noun, subjects)
    totals: dict[str, int]  # passed, failed, waived, undecided findings over all subjects
    matrices: tuple[EvidenceMatrix, ...]


def subject_parts(subject: str, collector: str, unit: str | None = None) -> tuple[str, str]:
    """A subject's own name and where it lives (the namespace only when it is not the unit).

    ``Deployment/shop/web`` → ``("web", "Deployment in shop")``;
    ``terraform/data:aws_db_instance.main`` → ``("aws_db_instance.main", "terraform/data")``;
    ``repo:web`` → ``("web", "")``.
    """
    if collector == "kubernetes":
        parts = subject.split("/")
        if len(parts) >= 3:
            kind, namespace, name = parts[0], parts[1], "/".join(parts[2:])
            return name, kind if namespace == unit else f"{kind} in {namespace}"
        if len(parts) == 2:
            return parts[1], parts[0]
    head, sep, tail = subject.partition(":")
    if sep and head and tail:
        return tail, "" if head == "repo" else head
    return subject, ""


def _short_id(check_id: str) -> str:
    """``ci-present`` for ``repo.ci-present``."""
    return check_id.split(".", 1)[1] if "." in check_id else check_id


def _group_word(short: str) -> str:
    word, sep, rest = short.partition("-")
    return word if sep and rest else ""


def check_columns(
    check_ids: Sequence[str], titles: Mapping[str, str], failing: Mapping[str, int]
) -> tuple[tuple[CheckColumn, ...], tuple[ColumnGroup, ...]]:
    """Columns sorted by id; checks sharing a first word sit under one group heading."""
    ids = sorted(check_ids)
    words = [_group_word(_short_id(c)) for c in ids]
    counts: dict[str, int] = {}
    for word in words:
        if word:
            counts[word] = counts.get(word, 0) + 1
    runs: list[tuple[str, list[CheckColumn]]] = []
    previous = ""
    for index, (check, word) in enumerate(zip(ids, words, strict=True)):
        short = _short_id(check)
        group = word if word and counts[word] >= GROUP_MIN else ""
        label = short[len(group) + 1 :] if group else short
        divider = index > 0 and group != previous
        column = CheckColumn(
            check, group, label, titles.get(check, check), failing.get(check, 0), divider
        )
        if group and runs and runs[-1][0] == group:
            runs[-1][1].append(column)
        else:
            runs.append((group, [column]))
        previous = group
    columns = tuple(c for _, run in runs for c in run)
    return columns, tuple(ColumnGroup(group, tuple(run)) for group, run in runs)


def _cell(subject: SubjectResult, column: CheckColumn) -> MatrixCell:
    result = subject.results.get(column.id, "")
    if not result:
        return MatrixCell("", "", f"{column.short}: does not apply")
    tip = f"{column.short}: {RESULT_WORDS.get(result, result)}"
    ref = subject.refs.get(column.id)
    if ref:
        tip += f" at {ref}"
    return MatrixCell(result, MARKS.get(result, "?"), tip)


def evidence_matrix(
    collector: str,
    title: str,
    noun: str,
    subjects: Sequence[SubjectResult],
    titles: Mapping[str, str],
    unit_names: Mapping[str, str],
    limit: int = MATRIX_ROWS,
) -> EvidenceMatrix:
    failing: dict[str, int] = {}
    for subject in subjects:
        for check, result in subject.results.items():
            failing[check] = failing.get(check, 0) + (result == "fail")
    columns, groups = check_columns(list(failing), titles, failing)
    ranked = sorted(subjects, key=lambda s: (-s.failed, -s.undecided, s.subject))
    rows = []
    for subject in ranked[:limit]:
        name, detail = subject_parts(subject.subject, collector, subject.unit)
        unit = unit_names.get(subject.unit, subject.unit) if subject.unit else None
        cells = tuple(_cell(subject, c) for c in columns)
        rows.append(MatrixRow(subject, name, detail, unit, cells))
    return EvidenceMatrix(
        collector,
        title,
        noun,
        columns,
        groups,
        tuple(rows),
        total=len(subjects),
        with_failures=sum(1 for s in subjects if s.failed),
        passed=sum(s.passed for s in subjects),
        failed=sum(s.failed for s in subjects),
    )


def _pillar_coverage(model: ReportModel, scan: ScanResult) -> tuple[PillarCoverage, ...]:
    checked = set(scan.goals_with_checks)
    evidenced = set(scan.goals_with_evidence) & checked
    placed: set[str] = set()
    result: list[PillarCoverage] = []
    for pillar in model.scorecard.organization.pillars:
        codes = [g.code for c in pillar.categories for g in c.goals if g.code in checked]
        placed.update(codes)
        if codes:
            result.append(
                PillarCoverage(
                    pillar.id,
                    pillar.name,
                    tuple(c for c in codes if c in evidenced),
                    tuple(c for c in codes if c not in evidenced),
                )
            )
    rest = [c for c in scan.goals_with_checks if c not in placed]
    if rest:
        result.append(
            PillarCoverage(
                "other",
                "Other",
                tuple(c for c in rest if c in evidenced),
                tuple(c for c in rest if c not in evidenced),
            )
        )
    return tuple(result)


def evidence_counts(scan: ScanResult) -> tuple[int, int]:
    """Goals with checks that got evidence, and goals with checks."""
    checked = set(scan.goals_with_checks)
    return len(set(scan.goals_with_evidence) & checked), len(checked)


def evidence_view(model: ReportModel, limit: int = MATRIX_ROWS) -> EvidenceView | None:
    """The "Automated evidence" section, or ``None`` when the model carries no scan."""
    scan = model.scan
    if scan is None:
        return None
    unit_names = {u.scope: u.name for u in model.scorecard.units}
    known = [c for c, _, _ in COLLECTORS]
    extra = sorted({s.collector for s in scan.subjects} - set(known))
    order = [*COLLECTORS, *((c, f"{c.title()} × checks", c) for c in extra)]
    matrices = []
    collectors = []
    for collector, title, noun in order:
        subjects = [s for s in scan.subjects if s.collector == collector]
        if not subjects:
            continue
        collectors.append((noun, len(subjects)))
        matrices.append(
            evidence_matrix(collector, title, noun, subjects, model.check_titles, unit_names, limit)
        )
    evidenced, with_checks = evidence_counts(scan)
    totals = {
        "passed": sum(s.passed for s in scan.subjects),
        "failed": sum(s.failed for s in scan.subjects),
        "waived": sum(s.waived for s in scan.subjects),
        "undecided": sum(s.undecided for s in scan.subjects),
    }
    return EvidenceView(
        scanned_at=scan.scanned_at,
        evidenced=evidenced,
        with_checks=with_checks,
        coverage=scan.coverage,
        pillars=_pillar_coverage(model, scan),
        collectors=tuple(collectors),
        totals=totals,
        matrices=tuple(matrices),
    )


def template_context(model: ReportModel) -> dict[str, object]:
    """What the HTML and Markdown templates both receive."""
    return {
        "model": model,
        "card": model.scorecard,
        "org": model.scorecard.organization,
        "summary": summarize(model),
        "top_gaps": model.scorecard.gaps[:TOP_GAPS],
        "change_lists": change_lists(model),
        "outcomes": list(Outcome),
        "evidence": evidence_view(model),
        "marks": MARKS,
    }

"""The HTML and Markdown reports render the real framework, offline and escaped."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from functools import cache
from html.parser import HTMLParser

import pytest

from platform_maturity.domain.framework import Framework
from platform_maturity.domain.records import Answer, Measurement, Outcome, Waiver
from platform_maturity.domain.results import GoalChange, ScanResult, SubjectResult
from platform_maturity.domain.units import convert
from platform_maturity.engine.diff import diff_scopes
from platform_maturity.engine.evaluate import Facts
from platform_maturity.engine.scorecard import build_scorecard
from platform_maturity.framework.loader import load_framework
from platform_maturity.reports.charts import TrendDatum, trend_chart
from platform_maturity.reports.formatting import (
    CHANGES_SHOWN,
    MATRIX_ROWS,
    check_columns,
    fmt_delta,
    fmt_quantity,
    md_cell,
    summarize,
)
from platform_maturity.reports.html import render_html
from platform_maturity.reports.markdown import render_markdown
from platform_maturity.reports.model import ReportModel, build_report_model
from platform_maturity.reports.render import render

NOW = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)
SNAPSHOTS = (
    ("2025-Q3", datetime(2025, 9, 30, tzinfo=UTC)),
    ("2025-Q4", datetime(2025, 12, 31, tzinfo=UTC)),
    ("2026-02", datetime(2026, 2, 28, tzinfo=UTC)),
)
UNITS = {"payments": "Payments", "search": "Search & Discovery"}
XSS = "<script>alert(1)</script>"
EVIDENCE = "https://example.com/evidence/runbook"


def _answers(framework: Framework, rng: random.Random) -> list[Answer]:
    """Answers that improve over time: each snapshot period re-answers some goals."""
    answers: list[Answer] = []
    statuses = (Outcome.MET, Outcome.PARTLY_MET, Outcome.NOT_MET, Outcome.NOT_APPLICABLE)
    for step, (_, when) in enumerate((*SNAPSHOTS, ("now", NOW - timedelta(days=3)))):
        for goal in framework.goals():
            for unit in UNITS:
                if rng.random() < 0.25 + 0.05 * goal.level:  # higher levels: more unknowns
                    continue
                met = max(0.15, 0.35 + 0.12 * step - 0.08 * goal.level)
                weights = (met, 0.25, 1.0 - met, 0.03)
                status = rng.choices(statuses, weights=weights)[0]
                answers.append(
                    Answer(
                        goal_code=goal.code,
                        unit=unit,
                        status=status,
                        note="checked in review" if rng.random() < 0.1 else None,
                        answered_at=when - timedelta(days=1),
                    )
                )
    codes = [g.code for g in framework.goals()]
    answers.append(
        Answer(
            goal_code=codes[0],
            unit=None,
            status=Outcome.PARTLY_MET,
            note=XSS,
            evidence_url=EVIDENCE,
            answered_at=NOW - timedelta(days=2),
        )
    )
    answers.append(
        Answer(
            goal_code=codes[1],
            unit=None,
            status=Outcome.MET,
            evidence_url="javascript:alert(2)",
            answered_at=NOW - timedelta(days=2),
        )
    )
    return answers


def _measurements(framework: Framework, rng: random.Random) -> list[Measurement]:
    result: list[Measurement] = []
    for metric in framework.metrics():
        target = metric.parsed_target
        base = convert(target.value, target.unit, metric.unit) or 1.0
        for unit in UNITS:
            if rng.random() < 0.3:
                continue
            value = round(base * rng.uniform(0.6, 1.4), 2)
            if metric.unit == "percent":
                value = min(value, 100.0)
            result.append(
                Measurement(
                    metric_id=metric.id,
                    unit=unit,
                    value=value,
                    measured_at=NOW - timedelta(days=rng.randint(1, 20)),
                )
            )
    return result


@cache
def sample_model() -> ReportModel:
    framework = load_framework()
    rng = random.Random(20260401)
    codes = [g.code for g in framework.goals()]
    facts = Facts(
        answers=_answers(framework, rng),
        waivers=[
            Waiver(
                goal_code=codes[5],
                unit="search",
                reason="legacy system, retiring",
                owner="cto",
                expires_at=NOW + timedelta(days=60),
                created_at=NOW - timedelta(days=30),
            )
        ],
        measurements=_measurements(framework, rng),
        units=tuple(UNITS),
        unit_names=UNITS,
    )
    history = [build_scorecard(framework, facts, when, "Acme Corp") for _, when in SNAPSHOTS]
    names = [name for name, _ in SNAPSHOTS]
    card = build_scorecard(framework, facts, NOW, "Acme Corp")
    changes = diff_scopes(names[-1], history[-1].organization, "now", card.organization)
    return build_report_model(framework, "Acme Corp", card, history, names, changes, NOW)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(sample_model())


@pytest.fixture(scope="module")
def parsed(html: str) -> _Collector:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser


def test_html_is_a_document(html: str, parsed: _Collector) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert html.rstrip().endswith("</html>")
    names = [tag for tag, _ in parsed.tags]
    assert names.count("html") == 1 and names.count("body") == 1
    assert "style" in names


def test_two_accessible_charts(parsed: _Collector) -> None:
    svgs = [attrs for tag, attrs in parsed.tags if tag == "svg"]
    assert len(svgs) == 2
    assert all(attrs.get("role") == "img" for attrs in svgs)
    assert sum(1 for tag, _ in parsed.tags if tag == "title") >= 3  # page + one per chart


def test_every_pillar_has_a_section(parsed: _Collector) -> None:
    model = sample_model()
    text = " ".join(parsed.text)
    ids = {attrs.get("id") for _, attrs in parsed.tags}
    links = {attrs.get("href") for tag, attrs in parsed.tags if tag == "a"}
    assert len(model.scorecard.organization.pillars) == 8
    for pillar in model.scorecard.organization.pillars:
        assert pillar.name in text
        assert f"pillar-{pillar.id}" in ids
        assert f"#pillar-{pillar.id}" in links


def test_no_external_resources(html: str, parsed: _Collector) -> None:
    for tag, attrs in parsed.tags:
        for name in ("src", "href", "srcset", "action", "poster", "data"):
            value = attrs.get(name) or ""
            if re.match(r"\s*(https?:)?//", value):
                assert tag == "a" and name == "href", (tag, name, value)
        assert not (tag == "script" and attrs.get("src"))
        assert not (tag == "link" and "stylesheet" in (attrs.get("rel") or ""))
    assert "@import" not in html
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)


def test_evidence_links_only_for_web_urls(parsed: _Collector) -> None:
    hrefs = [attrs.get("href") or "" for tag, attrs in parsed.tags if tag == "a"]
    assert EVIDENCE in hrefs
    assert not any(h.lower().startswith("javascript:") for h in hrefs)


def test_user_text_is_escaped(html: str) -> None:
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Search &amp; Discovery" in html


def test_html_is_deterministic(html: str) -> None:
    assert render_html(sample_model()) == html


def test_markdown_summary_lists_all_pillars() -> None:
    model = sample_model()
    text = render_markdown(model)
    assert text == render_markdown(model)
    lines = text.splitlines()
    start = lines.index("## Pillars")
    table: list[str] = []
    for line in lines[start + 1 :]:
        if table and not line.startswith("|"):
            break
        if line.startswith("|"):
            table.append(line)
    assert table[0].startswith("| Pillar |")
    assert set(table[1].replace("|", "").replace(" ", "")) <= set("-:")
    rows = table[2:]
    assert len(rows) == 8
    for pillar in model.scorecard.organization.pillars:
        assert any(
            row.startswith(f"| [{pillar.name}]") or row.startswith(f"| {pillar.name} ")
            for row in rows
        ), pillar.name
    assert "## What to do next" in text
    assert model.changes is not None
    assert f"## Changes since {model.changes.before}" in text
    assert XSS not in text


def test_without_history_units_or_changes() -> None:
    framework = load_framework()
    answers = [
        Answer(goal_code=g.code, status=Outcome.MET, answered_at=NOW - timedelta(days=1))
        for g in framework.goals()
        if g.level == 1
    ]
    card = build_scorecard(framework, Facts(answers=answers), NOW, "Solo")
    model = build_report_model(framework, "Solo", card, [], [], None, NOW)
    html = render_html(model)
    assert html.count("<svg") == 1
    assert "Not enough history for a trend yet" in html
    assert "Changes since" not in html
    assert 'id="units"' not in html
    text = render_markdown(model)
    assert "Changes since" not in text
    assert "No snapshots yet" in text


def test_trend_needs_two_points() -> None:
    one = [TrendDatum("now", NOW, 50.0)]
    assert trend_chart(one) is None
    chart = trend_chart([TrendDatum("2025-Q4", NOW - timedelta(days=90), 40.0), *one])
    assert chart is not None
    assert [p.label for p in chart.points] == ["2025-Q4", "now"]
    assert chart.points[-1].current and chart.points[-1].label_row == 0
    assert chart.points[0].y > chart.points[1].y  # higher score, higher on the page
    assert chart.line_path.startswith("M")


def test_markdown_cells_are_safe() -> None:
    assert md_cell("a | b\nc") == "a \\| b c"
    assert md_cell("<script>x</script>") == "&lt;script>x&lt;/script>"
    assert md_cell("< 1 day") == "< 1 day"


# ---- trend chart: every point, value and label stays visible ------------------------------


def test_trend_staggers_the_label_of_a_close_earlier_point() -> None:
    chart = trend_chart(
        [
            TrendDatum("2025-Q4", NOW - timedelta(days=365), 38.2),
            TrendDatum("2026-Q1", NOW - timedelta(days=270), 43.6),
            TrendDatum("2026-Q3", NOW - timedelta(days=40), 60.0),
            TrendDatum("now", NOW, 72.5),
        ]
    )
    assert chart is not None
    rows = [p.label_row for p in chart.points]
    assert rows == [0, 0, 1, 0]  # the earlier of the close pair goes one row down
    q3, now = chart.points[2], chart.points[3]
    assert q3.label_y > now.label_y and q3.date_y > now.date_y
    assert chart.height > 300  # room for the second row
    assert all(p.show_value for p in chart.points)
    assert all(p.label_y + 15 <= chart.height for p in chart.points)


def test_trend_keeps_a_snapshot_taken_the_same_day_as_now() -> None:
    chart = trend_chart(
        [
            TrendDatum("2025-Q4", NOW - timedelta(days=180), 40.0),
            TrendDatum("today", NOW - timedelta(hours=2), 70.0),
            TrendDatum("now", NOW, 71.0),
        ]
    )
    assert chart is not None
    today, now = chart.points[1], chart.points[2]
    assert now.x - today.x >= 14.0  # two distinct dots
    assert today.x < now.x
    assert today.show_value and now.show_value
    # the values do not sit on top of each other
    assert abs(today.value_y - now.value_y) >= 14.0 or abs(today.x - now.x) >= 34.0
    assert today.label_row > now.label_row == 0


def test_trend_spreads_points_with_equal_dates() -> None:
    chart = trend_chart([TrendDatum(n, NOW, v) for n, v in (("a", 1.0), ("b", 2.0), ("c", 3.0))])
    assert chart is not None
    xs = [p.x for p in chart.points]
    assert xs == sorted(xs) and len(set(xs)) == 3
    assert [p.label_row for p in chart.points] == [0, 0, 0]


# ---- changes: long lists are cut --------------------------------------------------------


def _changes(count: int, direction: str) -> tuple[GoalChange, ...]:
    before, after = (
        (Outcome.NOT_MET, Outcome.MET)
        if direction == "improved"
        else (Outcome.MET, Outcome.NOT_MET)
    )
    return tuple(
        GoalChange(
            code=f"X.{direction[0]}.{i}",
            pillar="automation",
            statement=f"Goal {i}",
            before=before,
            after=after,
            direction=direction,
        )
        for i in range(count)
    )


def test_changes_show_at_most_twelve_per_list() -> None:
    model = sample_model()
    assert model.changes is not None
    changes = model.changes.model_copy(
        update={"improved": _changes(30, "improved"), "regressed": _changes(13, "regressed")}
    )
    long = model.model_copy(update={"changes": changes})
    assert CHANGES_SHOWN == 12
    html = render_html(long)
    assert "X.i.11" in html and "X.i.12" not in html
    assert "X.r.11" in html and "X.r.12" not in html
    assert "and 18 more improved goals" in html
    assert "and 1 more regressed goal." in html
    text = render_markdown(long)
    assert "### Improved (30)" in text and "### Regressed (13)" in text
    assert "X.i.11" in text and "X.i.12" not in text
    assert "and 18 more improved goals" in text
    assert "and 1 more regressed goal." in text


def test_short_change_lists_are_not_cut() -> None:
    model = sample_model()
    assert model.changes is not None
    changes = model.changes.model_copy(
        update={"improved": _changes(12, "improved"), "regressed": ()}
    )
    short = model.model_copy(update={"changes": changes})
    html = render_html(short)
    assert "X.i.11" in html and " more improved" not in html
    assert "No goals regressed." in html
    assert " more improved" not in render_markdown(short)


@pytest.mark.parametrize(
    ("before", "after", "text"),
    [(40.0, 42.5, "+2.5"), (42.5, 41.5, "−1.0"), (40.0, 40.04, "±0"), (None, 40.0, "")],
)
def test_fmt_delta_is_after_minus_before(
    before: float | None, after: float | None, text: str
) -> None:
    assert fmt_delta(before, after) == text


# ---- a report about one unit ------------------------------------------------------------


def test_unit_report_has_no_heatmap_or_units_missing() -> None:
    framework = load_framework()
    rng = random.Random(7)
    facts = Facts(
        answers=_answers(framework, rng),
        measurements=_measurements(framework, rng),
        units=tuple(UNITS),
        unit_names=UNITS,
    )
    card = build_scorecard(framework, facts, NOW, "Acme Corp", only_unit="payments")
    model = build_report_model(framework, "Acme Corp", card, [], [], None, NOW)
    assert summarize(model).is_unit_report
    assert not summarize(sample_model()).is_unit_report
    html = render_html(model)
    assert 'id="units"' not in html and 'href="#units"' not in html
    assert "Units missing" not in html
    assert "Unit score" in html
    text = render_markdown(model)
    assert "## Units" not in text and "Units missing" not in text
    assert "## What to do next" in text
    full = render_html(sample_model())
    assert 'id="units"' in full and "Units missing" in full
    assert "Units missing" in render_markdown(sample_model())


# ---- metric values ----------------------------------------------------------------------


def test_metric_values_use_format_value() -> None:
    assert fmt_quantity(0.79, "day") == "19 h"
    assert fmt_quantity(99.899, "percent") == "99.899 %"
    assert fmt_quantity(None, "h") == "—"
    model = sample_model()
    html = render_html(model)
    text = render_markdown(model)
    for pillar in model.scorecard.organization.pillars:
        for metric in pillar.metrics:
            if metric.value is not None:
                shown = fmt_quantity(metric.value, metric.unit)
                assert f"<b>{shown}</b>" in html, metric.id
                assert f"| {md_cell(shown)} |" in text, metric.id


# ---- automated evidence: coverage and subject × check matrices ---------------------------


def _subject(
    subject: str,
    collector: str,
    results: dict[str, str],
    unit: str | None = "payments",
    refs: dict[str, str] | None = None,
) -> SubjectResult:
    values = list(results.values())
    return SubjectResult(
        subject=subject,
        collector=collector,
        unit=unit,
        passed=values.count("pass"),
        failed=values.count("fail"),
        waived=values.count("waived"),
        undecided=values.count("unknown"),
        results=results,
        refs=refs or {},
    )


SCAN_SUBJECTS = (
    _subject(
        "repo:web",
        "repository",
        {"repo.ci-present": "pass", "repo.codeowners": "fail", "repo.sbom": "waived"},
        refs={"repo.codeowners": "repos/web/.github:1"},
    ),
    _subject(
        "repo:api",
        "repository",
        {"repo.ci-present": "fail", "repo.codeowners": "fail", "repo.sbom": "unknown"},
        unit="search",
        refs={"repo.ci-present": "repos/api/.gitlab-ci.yml:7"},
    ),
    _subject("repo:docs", "repository", {"repo.ci-present": "pass"}),
    _subject(
        "Deployment/shop/cart",
        "kubernetes",
        {"k8s.container-cpu-limits": "fail", "k8s.workload-pdb": "pass"},
        refs={"k8s.container-cpu-limits": "k8s/cart.yaml:12-30"},
    ),
    _subject(f"PodDisruptionBudget/shop/{XSS}", "kubernetes", {"k8s.pdb-allows": "pass"}),
)


def scan_model(subjects: tuple[SubjectResult, ...] = SCAN_SUBJECTS) -> ReportModel:
    codes = [g.code for g in load_framework().goals()]
    scan = ScanResult(
        scanned_at=NOW - timedelta(hours=2),
        subjects=subjects,
        goals_with_evidence=tuple(codes[:2]),
        goals_with_checks=tuple(codes[:3]),
    )
    titles = {"repo.codeowners": "Repositories name their owners", "repo.sbom": "SBOM <built>"}
    return sample_model().model_copy(update={"scan": scan, "check_titles": titles})


def _matrix(html: str, collector: str) -> str:
    start = html.index(f'id="evidence-{collector}"')
    return html[start : html.index("</table>", start)]


def _rows(matrix: str) -> list[str]:
    body = matrix[matrix.index("<tbody>") : matrix.index("</tbody>")]
    return body.split("<tr>")[1:]


def test_evidence_section_shows_coverage_and_matrices() -> None:
    model = scan_model()
    codes = [g.code for g in load_framework().goals()]
    html = render_html(model)
    assert 'href="#evidence"' in html and 'id="evidence"' in html
    assert "Automated evidence" in html
    assert "2<small> of 3</small>" in html  # goals with checks that got evidence
    section = html[html.index('id="evidence"') :]
    assert f'href="#goal-{codes[0]}"' in section
    assert f'class="chip code missing" href="#goal-{codes[2]}"' in section  # no evidence
    assert "Repositories × checks" in html and "Workloads × checks" in html
    assert "Terraform resources × checks" not in html  # no Terraform subjects scanned

    repos = _matrix(html, "repository")
    assert repos.count('class="chk') == 3  # checks with a result for some repository
    rows = _rows(repos)
    assert len(rows) == 3
    assert [r.split('<span class="name">')[1].split("<")[0] for r in rows] == [
        "api",
        "web",
        "docs",
    ]  # most failures first
    assert repos.count('class="r-fail"') == 3
    assert repos.count('class="r-pass"') == 2
    assert repos.count('class="r-waived"') == 1
    assert repos.count('class="r-unknown"') == 1
    assert rows[2].count('class="mk"') == 3 and rows[2].count("<i ") == 1  # two blanks
    assert 'title="ci-present: failed at repos/api/.gitlab-ci.yml:7"' in repos
    assert 'title="Repositories name their owners (repo.codeowners)"' in repos
    assert "SBOM &lt;built&gt;" in repos

    workloads = _matrix(html, "kubernetes")
    assert len(_rows(workloads)) == 2
    assert workloads.count('class="chk') == 3
    assert "k8s/cart.yaml:12-30" in workloads
    assert XSS not in html


def test_check_columns_group_shared_first_words() -> None:
    failing = {"k8s.container-a": 1, "k8s.container-b": 0, "k8s.container-c": 2, "k8s.pod-x": 0}
    columns, groups = check_columns(list(failing), {}, failing)
    assert [c.label for c in columns] == ["a", "b", "c", "pod-x"]
    assert [(g.group, g.span) for g in groups] == [("container", 3), ("", 1)]
    assert [c.divider for c in columns] == [False, False, False, True]
    assert columns[0].short == "container-a"


def test_large_matrix_shows_the_subjects_with_most_failures() -> None:
    checks = [f"repo.check-{i:02d}" for i in range(20)]
    subjects = tuple(
        _subject(
            f"repo:r{n:03d}",
            "repository",
            {c: "fail" if i < n % 20 else "pass" for i, c in enumerate(checks)},
        )
        for n in range(65)
    )
    model = scan_model(subjects)
    html = render_html(model)
    repos = _matrix(html, "repository")
    rows = _rows(repos)
    assert len(rows) == MATRIX_ROWS == 60
    fails = [int(r.split('class="fails">')[1].split("<")[0] or 0) for r in rows]
    # most failures first; the five left out fail no more checks than any shown
    assert fails == sorted((n % 20 for n in range(65)), reverse=True)[:60]
    assert "…and 5 more repositories with fewer failures." in html
    text = render_markdown(model)
    assert "…and 5 more repositories with fewer failures." in text
    assert "| r019 | Payments | 1 | 19 | failed: check-00, check-01," in text  # a list, no matrix


def test_markdown_has_the_evidence_section() -> None:
    text = render_markdown(scan_model())
    assert "## Automated evidence" in text
    assert "**2 of 3** goals that have checks got evidence" in text
    assert "### Repositories × checks" in text and "### Workloads × checks" in text
    lines = text.splitlines()
    header = lines.index("### Repositories × checks") + 4
    assert lines[header] == "| Subject | Unit | Fail | ci-present | codeowners | sbom |"
    assert lines[header + 1] == "|---|---|--:|:-:|:-:|:-:|"
    assert lines[header + 2] == "| api | Search & Discovery | 2 | ✗ | ✗ | ? |"
    assert lines[header + 3] == "| web | Payments | 1 | ✓ | ✗ | ~ |"
    assert lines[header + 4] == "| docs | Payments | 0 | ✓ |  |  |"
    assert "| cart (Deployment in shop) | Payments | 1 |" in text
    assert XSS not in text


def test_without_scan_there_is_no_evidence_section() -> None:
    model = sample_model()
    assert model.scan is None
    assert 'id="evidence"' not in render_html(model)
    assert "Automated evidence" not in render_html(model)
    assert "Automated evidence" not in render_markdown(model)
    assert "Automated evidence" not in render(model, "terminal", width=110)


def test_terminal_names_coverage_and_details_show_sources() -> None:
    model = scan_model()
    short = render(model, "terminal", width=110, details=False)
    assert "Automated evidence: 2 of 3 goals with checks (66.7 %)" in short
    assert "Automated evidence by source" not in short
    long = render(model, "terminal", width=110, details=True)
    assert "Automated evidence by source" in long
    table = long[long.index("Automated evidence by source") :]
    assert "Repositories" in table and "Kubernetes objects" in table
    assert "2× codeowners" in table

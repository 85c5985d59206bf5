"""The framework data against the upstream pages it was written from.

The upstream Markdown pages (``pillar-*.mdx``) hold two kinds of table: metrics
(Indicator | Business Impact | Ideal Target) and goals (Category | Code | Goal). These
tests parse those tables and prove that our YAML covers every row, keeps categories and
order, resolves every upstream code, and words the goals in its own way.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from platform_maturity.domain.framework import Framework, Goal, LookupError_, Pillar
from platform_maturity.domain.units import convert, dimension, normalize_unit
from platform_maturity.framework.loader import load_framework

SOURCE = Path(__file__).parents[1].parent / "shared" / "framework-source"
UPSTREAM_GOAL_ROWS = 263
UPSTREAM_METRIC_ROWS = 45
AUTHORED = ("efficiency", "coordination")

pytestmark = pytest.mark.skipif(
    not SOURCE.is_dir(),
    reason=f"upstream framework pages not found at {SOURCE} (checkout without ../shared)",
)


@dataclass(frozen=True)
class UpstreamGoal:
    pillar: str
    category: str
    code: str
    text: str
    line: int


@dataclass(frozen=True)
class UpstreamMetric:
    pillar: str
    row: int
    indicator: str
    target: str
    line: int


@dataclass(frozen=True)
class Upstream:
    pillars: tuple[str, ...]
    goals: tuple[UpstreamGoal, ...]
    metrics: tuple[UpstreamMetric, ...]

    def goals_of(self, pillar: str) -> list[UpstreamGoal]:
        return [row for row in self.goals if row.pillar == pillar]

    def metrics_of(self, pillar: str) -> list[UpstreamMetric]:
        return [row for row in self.metrics if row.pillar == pillar]


# ---- parsing the upstream pages ----------------------------------------------------------

_SEPARATOR = re.compile(r"^:?-{3,}:?$")
_FOOTNOTE = re.compile(r"\s*\[\^[^\]]+\]")
_LINK = re.compile(r"\[([^\]]*)\]\((?:<[^>]*>|[^)\s]*)\)")


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body.removeprefix("|").removesuffix("|")
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", body)]


def _tables(path: Path) -> list[list[tuple[int, list[str]]]]:
    """Every Markdown table of ``path`` as rows of (line number, cells), header first."""
    tables: list[list[tuple[int, list[str]]]] = []
    current: list[tuple[int, list[str]]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.lstrip().startswith("|"):
            cells = _cells(line)
            if not all(_SEPARATOR.match(cell) or not cell for cell in cells):
                current.append((number, cells))
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


@cache
def upstream() -> Upstream:
    pillars: list[str] = []
    goals: list[UpstreamGoal] = []
    metrics: list[UpstreamMetric] = []
    for path in sorted(SOURCE.glob("pillar-*.mdx")):
        pillar = path.stem.removeprefix("pillar-")
        pillars.append(pillar)
        for table in _tables(path):
            header = [cell.lower() for cell in table[0][1]]
            rows = table[1:]
            if header[:3] == ["category", "code", "goal"]:
                category = ""
                for line, cells in rows:
                    category = _FOOTNOTE.sub("", cells[0]).strip() or category
                    assert category, f"{path.name}:{line}: goal row before any category"
                    code = cells[1].strip("`").strip()
                    goals.append(UpstreamGoal(pillar, category, code, cells[2], line))
            elif header[0] == "indicator" and "ideal target" in header:
                column = header.index("ideal target")
                for index, (line, cells) in enumerate(rows, start=1):
                    metrics.append(UpstreamMetric(pillar, index, cells[0], cells[column], line))
    return Upstream(tuple(pillars), tuple(goals), tuple(metrics))


_UPSTREAM_TARGET = re.compile(r"^(<=|>=|<|>|~|=)?\s*(\d+(?:\.\d+)?)\s*([A-Za-z%]*)$")


def parse_upstream_target(text: str) -> tuple[str, float, str]:
    r"""Read an upstream target such as ``\< 1 day``, ``>= 99.9%``, ``100%`` or ``0``.

    A bare ``100%`` means "at least 100 percent"; a bare ``0`` means "at most 0" (a count).
    """
    clean = text.replace("\\", "").strip()
    match = _UPSTREAM_TARGET.match(clean)
    assert match, f"cannot read upstream target {text!r}"
    comparator, number, unit_text = match.groups()
    value = float(number)
    unit = normalize_unit(unit_text) if unit_text else "count"
    if comparator is None:
        if unit == "percent" and value == 100:
            comparator = ">="
        elif value == 0:
            comparator = "<="
        else:
            comparator = "="
    return comparator, value, unit


# ---- helpers --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework()


def _upstream_goals(pillar: Pillar) -> list[Goal]:
    return [goal for goal in pillar.goals() if goal.upstream]


def _pairs(framework: Framework) -> list[tuple[UpstreamGoal, Goal]]:
    """Each upstream goal row with the goal of ours that stands for it.

    Rows and goals are paired by category name and position within the category, which
    is exact when the category and order tests pass.
    """
    pairs: list[tuple[UpstreamGoal, Goal]] = []
    for pillar_id in upstream().pillars:
        pillar = framework.pillar(pillar_id)
        ours: dict[str, list[Goal]] = {}
        for category in pillar.categories:
            ours[category.name] = [g for g in category.goals if g.upstream]
        theirs: dict[str, list[UpstreamGoal]] = {}
        for row in upstream().goals_of(pillar_id):
            theirs.setdefault(row.category, []).append(row)
        for name, rows in theirs.items():
            pairs.extend(zip(rows, ours.get(name, []), strict=False))
    return pairs


# Words that carry no wording of their own; dropped before texts are compared so that
# "All developers should X" and "Every developer X" count as the same sentence.
FILLER_WORDS = frozenset(
    {"should", "must", "will", "all", "every", "each", "the", "a", "an", "be", "is", "are"}
)
# Highest allowed difflib ratio between our normalised wording and the upstream goal text.
MAX_SIMILARITY = 0.6


def _normalize(text: str) -> str:
    """Lower-case words only: no Markdown links, code marks, punctuation or filler words."""
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"[`*_\\]", "", text).lower()
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join(word for word in words if word not in FILLER_WORDS)


def _similarity(ours: str, theirs: str) -> float:
    return difflib.SequenceMatcher(None, _normalize(ours), _normalize(theirs)).ratio()


# ---- row counts and coverage -----------------------------------------------------------


def test_upstream_table_row_counts() -> None:
    assert len(upstream().goals) == UPSTREAM_GOAL_ROWS
    assert len(upstream().metrics) == UPSTREAM_METRIC_ROWS


def test_every_upstream_page_is_a_pillar_of_ours(framework: Framework) -> None:
    assert sorted(upstream().pillars) == sorted(p.id for p in framework.pillars)


def test_upstream_codes_per_pillar_match(framework: Framework) -> None:
    for pillar_id in upstream().pillars:
        pillar = framework.pillar(pillar_id)
        ours = Counter(goal.upstream for goal in _upstream_goals(pillar) if goal.upstream)
        theirs = Counter(row.code for row in upstream().goals_of(pillar_id))
        assert ours == theirs, (
            f"{pillar_id}: missing upstream codes {sorted((theirs - ours).elements())},"
            f" extra {sorted((ours - theirs).elements())}"
        )


def test_goal_categories_match_upstream(framework: Framework) -> None:
    for pillar_id in upstream().pillars:
        pillar = framework.pillar(pillar_id)
        ours = {
            category.name: Counter(g.upstream for g in category.goals if g.upstream)
            for category in pillar.categories
        }
        ours = {name: codes for name, codes in ours.items() if codes}
        theirs: dict[str, Counter[str]] = {}
        for row in upstream().goals_of(pillar_id):
            theirs.setdefault(row.category, Counter())[row.code] += 1
        assert ours == theirs, f"{pillar_id}: categories differ from the upstream table"


def test_goals_keep_upstream_order_within_a_category(framework: Framework) -> None:
    for pillar_id in upstream().pillars:
        pillar = framework.pillar(pillar_id)
        theirs: dict[str, list[str]] = {}
        for row in upstream().goals_of(pillar_id):
            theirs.setdefault(row.category, []).append(row.code)
        for category in pillar.categories:
            ours = [g.upstream for g in category.goals if g.upstream]
            if ours:
                assert ours == theirs.get(category.name), f"{pillar_id}/{category.id}: order"


def test_every_upstream_metric_row_has_a_metric_with_the_same_target(
    framework: Framework,
) -> None:
    problems: list[str] = []
    for row in upstream().metrics:
        pillar = framework.pillar(row.pillar)
        matches = [m for m in pillar.metrics if m.upstream_row == row.row]
        if len(matches) != 1:
            problems.append(f"{row.pillar} row {row.row} ({row.indicator}): {len(matches)} metrics")
            continue
        metric = matches[0]
        comparator, value, unit = parse_upstream_target(row.target)
        target = metric.parsed_target
        if dimension(unit) != dimension(target.unit) and {unit, target.unit} != {
            "percent",
            "ratio",
        }:
            problems.append(f"{metric.id}: unit {target.unit} vs upstream {row.target!r}")
            continue
        same_value = math.isclose(convert(value, unit, target.unit), target.value, abs_tol=1e-9)
        if comparator != target.comparator or not same_value:
            problems.append(f"{metric.id}: target {metric.target!r} vs upstream {row.target!r}")
    for pillar in framework.pillars:
        rows = len(upstream().metrics_of(pillar.id))
        for metric in pillar.metrics:
            if metric.upstream_row is not None and metric.upstream_row > rows:
                problems.append(f"{metric.id}: upstream_row {metric.upstream_row} > {rows} rows")
        used = [m.upstream_row for m in pillar.metrics if m.upstream_row is not None]
        if len(used) != len(set(used)):
            problems.append(f"{pillar.id}: an upstream_row is used twice")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\\< 1 day", ("<", 1.0, "day")),
        ("\\< 5 minutes", ("<", 5.0, "min")),
        ("\\< 4 hours", ("<", 4.0, "h")),
        (">= 99.9%", (">=", 99.9, "percent")),
        ("100%", (">=", 100.0, "percent")),
        ("0", ("<=", 0.0, "count")),
        ("\\~ 30%", ("~", 30.0, "percent")),
        ("\\< 200ms", ("<", 200.0, "ms")),
        ("\\< 1s", ("<", 1.0, "s")),
        ("> 95 %", (">", 95.0, "percent")),
        ("\\<= 90 days", ("<=", 90.0, "day")),
    ],
)
def test_parse_upstream_target(text: str, expected: tuple[str, float, str]) -> None:
    assert parse_upstream_target(text) == expected


# ---- codes and lookups ---------------------------------------------------------------------


def test_our_codes_are_unique(framework: Framework) -> None:
    counts = Counter(goal.code for goal in framework.goals())
    assert [code for code, n in counts.items() if n > 1] == []


def test_every_upstream_code_resolves(framework: Framework) -> None:
    problems: list[str] = []
    for row in upstream().goals:
        try:
            goal = framework.goal(row.code)
        except LookupError_:
            goal = None
        if goal is None or goal.pillar != row.pillar:
            try:
                goal = framework.goal(f"{row.pillar}/{row.code}")
            except LookupError_ as exc:
                problems.append(f"{row.pillar}/{row.code}: {exc}")
                continue
        if goal.pillar != row.pillar or goal.upstream != row.code:
            problems.append(f"{row.pillar}/{row.code} resolves to {goal.pillar}/{goal.code}")
    assert not problems, "\n".join(problems)


def test_each_upstream_row_is_reachable_by_our_code(framework: Framework) -> None:
    pairs = _pairs(framework)
    assert len(pairs) == UPSTREAM_GOAL_ROWS
    for row, goal in pairs:
        assert goal.upstream == row.code
        assert framework.goal(goal.code) == goal


def test_shared_codes_resolve_as_documented(framework: Framework) -> None:
    # docs/framework-format.md, "Codes"
    assert (framework.goal("A.D.1").pillar, framework.goal("A.D.1").code) == ("automation", "A.D.1")
    assert framework.goal("immediate-integration/A.D.1").code == "I.D.1"
    assert framework.goal("O.S.3").code == "O.R.3"
    assert framework.goal("S.V.9").upstream == "S.V.8"
    assert framework.goal("S.V.8").code == "S.V.8"
    assert framework.goal("O.E.8").upstream == "O.E.6"
    assert framework.goal("O.F.13").upstream == "O.F.6"
    assert [framework.goal(f"O.R.{n}").upstream for n in (1, 2, 3)] == ["O.S.1", "O.S.2", "O.S.3"]
    assert framework.goal("A.L.1").code == "I.L.1"
    for goal in framework.pillar("immediate-integration").goals():
        assert goal.upstream is not None
        assert goal.upstream.startswith("A.") and goal.code == "I." + goal.upstream[2:]


def test_repeated_upstream_codes_map_to_the_documented_rows(framework: Framework) -> None:
    by_row = {(row.pillar, row.line): goal for row, goal in _pairs(framework)}
    rows = upstream().goals
    second = {
        ("observability", "O.E.6"): "O.E.8",
        ("observability", "O.F.6"): "O.F.13",
        ("security", "S.V.8"): "S.V.9",
    }
    for (pillar, code), ours in second.items():
        lines = [row.line for row in rows if row.pillar == pillar and row.code == code]
        assert len(lines) == 2, f"{pillar} {code} is no longer repeated upstream"
        assert by_row[(pillar, lines[0])].code == code
        assert by_row[(pillar, lines[1])].code == ours
    archival = [row for row in rows if row.category == "Archival"]
    assert [by_row[(row.pillar, row.line)].code for row in archival] == ["O.R.1", "O.R.2", "O.R.3"]


# ---- authored pillars and KPIs ------------------------------------------------------------


@pytest.mark.parametrize("pillar_id", AUTHORED)
def test_authored_pillars_are_complete(framework: Framework, pillar_id: str) -> None:
    pillar = framework.pillar(pillar_id)
    assert pillar.source == "authored"
    assert upstream().goals_of(pillar_id) == [], "upstream now has goals for this pillar"
    assert len(pillar.metrics) >= 6
    assert sum(1 for _ in pillar.goals()) >= 20
    assert pillar.description.strip()
    assert pillar.business_value
    assert pillar.references
    assert all(goal.upstream is None for goal in pillar.goals())
    assert all(metric.upstream_row is None for metric in pillar.metrics)


def test_ten_kpis_with_formula_unit_and_period(framework: Framework) -> None:
    assert len(framework.kpis) == 10
    assert len({kpi.id for kpi in framework.kpis}) == 10
    for kpi in framework.kpis:
        assert kpi.formula.strip(), kpi.id
        assert kpi.unit, kpi.id
        assert kpi.period in ("month", "quarter", "year"), kpi.id


# ---- wording -----------------------------------------------------------------------------


def _too_close(framework: Framework, field: str) -> list[tuple[float, str]]:
    """(ratio, description) of every goal whose ``field`` is as close as MAX_SIMILARITY."""
    found: list[tuple[float, str]] = []
    for row, goal in _pairs(framework):
        text = goal.evidence.question if field == "question" else getattr(goal, field)
        ratio = _similarity(text, row.text)
        if ratio >= MAX_SIMILARITY or _normalize(text) == _normalize(row.text):
            found.append(
                (ratio, f"{goal.code} {field} (ratio {ratio:.3f}): {text!r} ~ {row.text!r}")
            )
    return sorted(found, reverse=True)


def test_normalize_drops_markup_punctuation_and_filler() -> None:
    assert (
        _normalize("All [teams](/docs/x) *should* use `make`, the tool.") == "teams use make tool"
    )
    assert _similarity("All developers should run tests.", "Every developer runs tests") > 0.9


def test_goal_statements_are_not_copies_of_upstream(framework: Framework) -> None:
    too_close = _too_close(framework, "statement")
    assert not too_close, (
        f"{len(too_close)} goal statements are too close to upstream"
        f" (ratio >= {MAX_SIMILARITY}); worst 10:\n" + "\n".join(t for _, t in too_close[:10])
    )


@pytest.mark.parametrize("field", ["why", "how", "question"])
def test_goal_explanations_are_not_copies_of_upstream(framework: Framework, field: str) -> None:
    too_close = _too_close(framework, field)
    assert not too_close, (
        f"{len(too_close)} goal {field} texts are too close to the upstream goal"
        f" (ratio >= {MAX_SIMILARITY}); worst 10:\n" + "\n".join(t for _, t in too_close[:10])
    )

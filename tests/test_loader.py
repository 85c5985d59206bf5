"""The framework loader: the built-in data, precise errors, workspace overrides, lookups."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.framework import (
    Category,
    Evidence,
    Framework,
    Goal,
    Level,
    LookupError_,
    Pillar,
)
from platform_maturity.framework.loader import BUILTIN_ROOT, load_framework
from platform_maturity.framework.yamlsource import parse_yaml

# ---- helpers -----------------------------------------------------------------------------


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based number of the line holding the ``occurrence``-th ``needle`` in ``text``."""
    seen = 0
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found {occurrence} time(s)")


def copy_builtin(tmp_path: Path) -> Path:
    root = tmp_path / "framework"
    shutil.copytree(BUILTIN_ROOT, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


def mutate(root: Path, relative: str, old: str, new: str) -> str:
    """Replace the first ``old`` with ``new`` in ``root/relative``; return the new text."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {relative}; the fixture is out of date"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = textwrap.dedent(text).lstrip("\n")
    path.write_text(body, encoding="utf-8")
    return body


@pytest.fixture(scope="module")
def builtin() -> Framework:
    return load_framework()


# ---- the built-in framework --------------------------------------------------------------


def test_builtin_framework_loads(builtin: Framework) -> None:
    assert len(builtin.pillars) == 8
    assert sum(1 for _ in builtin.goals()) >= 263
    assert [level.name for level in builtin.levels] == [
        "Foundational",
        "Standardized",
        "Automated",
        "Optimized",
    ]
    assert builtin.max_level == 4
    assert builtin.credits["met"] == 1.0
    assert builtin.credits["partly_met"] == 0.5


def test_builtin_pillars_in_report_order(builtin: Framework) -> None:
    assert [p.id for p in builtin.pillars] == [
        "automation",
        "observability",
        "security",
        "resiliency",
        "performance",
        "immediate-integration",
        "efficiency",
        "coordination",
    ]


def test_builtin_goals_are_stamped_and_unique(builtin: Framework) -> None:
    codes = [g.code for g in builtin.goals()]
    assert len(codes) == len(set(codes))
    for pillar in builtin.pillars:
        for category in pillar.categories:
            for goal in category.goals:
                assert goal.pillar == pillar.id
                assert goal.category == category.id
                assert goal.code.startswith(pillar.prefix + ".")
                assert goal.in_scope


def test_builtin_metrics_belong_to_their_pillar(builtin: Framework) -> None:
    for pillar in builtin.pillars:
        for metric in pillar.metrics:
            assert metric.pillar == pillar.id
            assert metric.id.startswith(pillar.id + ".")
            metric.parsed_target  # noqa: B018 - parses without error


def test_builtin_kpis_and_measures(builtin: Framework) -> None:
    assert len(builtin.kpis) == 10
    assert {"downtime", "security-backlog"} <= set(builtin.measures)


# ---- broken copies of the built-in framework ---------------------------------------------

PA1 = "      - code: P.A.1\n        upstream: P.A.1\n        level: 1\n"


def _pa1_statement() -> str:
    """P.A.1's statement block as the built-in file has it (the wording may change)."""
    text = (BUILTIN_ROOT / "pillars" / "performance.yaml").read_text(encoding="utf-8")
    pattern = r"- code: P\.A\.1\n(?:.*\n)*?(        statement: >-\n(?:          .*\n)+)"
    match = re.search(pattern, text)
    assert match, "P.A.1 has no folded statement in performance.yaml"
    return match.group(1)


PA1_STATEMENT = _pa1_statement()


@pytest.mark.parametrize(
    ("file", "old", "new", "needle", "field", "message"),
    [
        pytest.param(
            "performance.yaml",
            PA1,
            PA1.replace("level: 1", "level: high"),
            "level: high",
            "categories.0.goals.0.level",
            "valid integer",
            id="level-not-a-number",
        ),
        pytest.param(
            "performance.yaml",
            PA1,
            PA1.replace("level: 1", "level: 0"),
            "level: 0",
            "categories.0.goals.0.level",
            "greater than or equal to 1",
            id="level-below-one",
        ),
        pytest.param(
            # a level that passes the schema but is not one of framework.yaml's levels is a
            # cross-reference error: it points at the goal (its code line)
            "performance.yaml",
            PA1,
            PA1.replace("level: 1", "level: 7"),
            "code: P.A.1",
            "level",
            "unknown level",
            id="level-not-defined",
        ),
        pytest.param(
            "performance.yaml",
            PA1_STATEMENT,
            "",
            "code: P.A.1",
            "categories.0.goals.0.statement",
            "required field is missing",
            id="missing-statement",
        ),
        pytest.param(
            "performance.yaml",
            "      - code: P.A.1\n",
            "      - code: A.E.1\n",
            "code: A.E.1",
            "code",
            "goal code already used in pillar automation",
            id="duplicate-code-across-pillars",
        ),
        pytest.param(
            "performance.yaml",
            "      - code: P.A.2\n",
            "      - code: P.A.1\n",
            "code: P.A.1#2",
            "code",
            "goal code already used in pillar performance",
            id="duplicate-code-in-pillar",
        ),
        pytest.param(
            "performance.yaml",
            "      - code: P.A.1\n",
            "      - code: Q.A.1\n",
            "code: Q.A.1",
            "code",
            "does not start with the pillar prefix P.",
            id="code-with-other-prefix",
        ),
        pytest.param(
            "performance.yaml",
            "      - code: P.A.1\n",
            "      - code: p.a.1\n",
            "code: p.a.1",
            "categories.0.goals.0.code",
            "should match pattern",
            id="code-pattern",
        ),
        pytest.param(
            "performance.yaml",
            PA1,
            PA1.replace("        level: 1", "        level: 1\n        level: 2"),
            "level: 2",
            "categories.0.goals.0.level",
            "duplicate key 'level'",
            id="duplicate-key",
        ),
        pytest.param(
            "performance.yaml",
            PA1,
            PA1 + "        owner: platform-team\n",
            "owner: platform-team",
            "categories.0.goals.0.owner",
            "unknown field",
            id="unknown-goal-field",
        ),
        pytest.param(
            "performance.yaml",
            "prefix: P\n",
            "prefix: P\ncolour: blue\n",
            "colour: blue",
            "colour",
            "unknown field",
            id="unknown-pillar-field",
        ),
        pytest.param(
            "performance.yaml",
            'target: "< 200 ms"',
            'target: "fast"',
            'target: "fast"',
            "metrics.0.target",
            "must be a comparator",
            id="metric-target-garbage",
        ),
        pytest.param(
            "performance.yaml",
            'target: "< 200 ms"',
            'target: "~ 200 ms"',
            'target: "~ 200 ms"',
            "metrics.0.target",
            "needs a tolerance",
            id="metric-target-tilde-without-tolerance",
        ),
        pytest.param(
            "performance.yaml",
            'target: "< 200 ms"',
            'target: "< 200"',
            'target: "< 200"',
            "metrics.0.target",
            "has no unit",
            id="metric-target-without-unit",
        ),
        pytest.param(
            # a target in another dimension is a cross-reference error: it points at the metric
            "performance.yaml",
            'target: "< 200 ms"',
            'target: "< 200 percent"',
            "- id: performance.ttfb-p90",
            "target",
            "does not fit metric unit ms",
            id="metric-target-other-dimension",
        ),
        pytest.param(
            "performance.yaml",
            "unit: ms\n",
            "unit: hours\n",
            "unit: hours",
            "metrics.0.unit",
            "Input should be",
            id="metric-unknown-unit",
        ),
        pytest.param(
            "performance.yaml",
            "        metrics: [performance.request-latency-p99]\n",
            "        metrics: [performance.no-such-metric]\n",
            "code: P.A.1",
            "metrics",
            "goal names a metric that does not exist",
            id="goal-references-unknown-metric",
        ),
        pytest.param(
            "performance.yaml",
            "        kpis: [cost-per-user]\n",
            "        kpis: [no-such-kpi]\n",
            "code: P.A.2",
            "kpis",
            "goal names a KPI that does not exist",
            id="goal-references-unknown-kpi",
        ),
    ],
)
def test_broken_pillar_errors_name_file_line_field(
    tmp_path: Path, file: str, old: str, new: str, needle: str, field: str, message: str
) -> None:
    root = copy_builtin(tmp_path)
    text = mutate(root, f"pillars/{file}", old, new)
    with pytest.raises(UserError) as caught:
        load_framework(root)
    error = caught.value
    assert error.file is not None
    assert Path(error.file) == root / "pillars" / file
    needle, _, nth = needle.partition("#")
    assert error.line == line_of(text, needle, int(nth or 1))
    assert error.field is not None
    assert field in error.field
    assert message in error.message
    # the rendered message names all three as well
    assert f"{file}:{error.line}" in str(error)
    assert f"field {error.field}" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        pytest.param(
            "        upstream: P.A.1\n        level: 1",
            "        upstream: P.A.1\n      level: 1",
            "      level: 1",
            id="dedented-key",
        ),
        pytest.param(
            "        upstream: P.A.1\n        level: 1",
            "        upstream: P.A.1\n          level: 1",
            "          level: 1",
            id="indented-key",
        ),
        pytest.param(
            'target: "< 200 ms"',
            'target: "< 200 ms',
            'target: "< 200 ms',
            id="unclosed-quote",
        ),
    ],
)
def test_malformed_yaml_names_file_and_line(
    tmp_path: Path, old: str, new: str, needle: str
) -> None:
    root = copy_builtin(tmp_path)
    text = mutate(root, "pillars/performance.yaml", old, new)
    with pytest.raises(UserError, match="not valid YAML") as caught:
        load_framework(root)
    assert caught.value.file is not None
    assert caught.value.file.endswith("performance.yaml")
    if needle != 'target: "< 200 ms':
        assert caught.value.line == line_of(text, needle)
    else:  # an unclosed quote is noticed where the scanner runs out of the string
        assert caught.value.line is not None
        assert caught.value.line >= line_of(text, needle)


def test_duplicate_code_is_reported_where_the_duplicate_is(tmp_path: Path) -> None:
    root = copy_builtin(tmp_path)
    text = mutate(
        root, "pillars/immediate-integration.yaml", "      - code: I.L.1\n", "      - code: P.A.1\n"
    )
    with pytest.raises(UserError, match="already used in pillar performance") as caught:
        load_framework(root)
    assert caught.value.file is not None
    assert caught.value.file.endswith("immediate-integration.yaml")
    assert caught.value.line == line_of(text, "code: P.A.1")


@pytest.mark.parametrize(
    ("file", "old", "new", "needle"),
    [
        pytest.param(
            # performance comes before immediate-integration in report order, after it in
            # file order
            "immediate-integration.yaml",
            "immediate-integration.environment-launch-time",
            "performance.ttfb-p90",
            "- id: performance.ttfb-p90",
            id="duplicate-in-earlier-file",
        ),
        pytest.param(
            "performance.yaml",
            "performance.ttfb-p90",
            "automation.pr-merge-latency",
            "- id: automation.pr-merge-latency",
            id="duplicate-in-later-file",
        ),
    ],
)
def test_duplicate_metric_id_is_reported_where_the_duplicate_is(
    tmp_path: Path, file: str, old: str, new: str, needle: str
) -> None:
    root = copy_builtin(tmp_path)
    path = root / "pillars" / file
    text = path.read_text(encoding="utf-8").replace(old, new)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match="metric id used twice") as caught:
        load_framework(root)
    assert caught.value.file == str(path)
    assert caught.value.line == line_of(text, needle)
    assert caught.value.field == "id"


def test_missing_framework_yaml(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"no framework\.yaml") as caught:
        load_framework(tmp_path)
    assert caught.value.file == str(tmp_path)


# ---- a tiny framework written from scratch -----------------------------------------------

TINY_HEAD = """
    name: Tiny
    version: "1"
    levels:
      - number: 1
        name: Foundational
        description: The basics.
      - number: 2
        name: Standardized
        description: The same everywhere.
    credits:
      met: 1.0
      partly_met: 0.5
"""

TINY_KPIS = """
    kpis:
      - id: lead-time
        name: Lead time
        description: Time from commit to production.
        formula: mean(deploy time - commit time)
        unit: day
        direction: lower
"""

TINY_PILLAR = """
    id: delivery
    name: Delivery
    prefix: D
    weight: 2
    description: Shipping changes safely.
    metrics:
      - id: delivery.lead-time
        name: Lead time
        description: Commit to production.
        unit: h
        direction: lower
        target: "< 1 day"
        kpi: lead-time
    categories:
      - id: pipelines
        name: Pipelines
        goals:
          - code: D.P.1
            level: 1
            statement: Every repository has a pipeline.
            why: Builds must be repeatable.
            how: Add a CI workflow.
            evidence:
              question: Does every repository have a pipeline?
            metrics: [delivery.lead-time]
          - code: D.P.2
            upstream: X.P.2
            level: 2
            weight: 3
            statement: Pipelines share one template.
            why: One fix reaches every team.
            how: Publish a reusable workflow.
            evidence:
              question: Do pipelines use the shared template?
"""


def tiny(tmp_path: Path, pillar: str = TINY_PILLAR) -> tuple[Path, str]:
    root = tmp_path / "tiny"
    write(root / "framework.yaml", TINY_HEAD)
    write(root / "measures" / "kpis.yaml", TINY_KPIS)
    text = write(root / "pillars" / "delivery.yaml", pillar)
    return root, text


def test_tiny_framework_loads(tmp_path: Path) -> None:
    root, _ = tiny(tmp_path)
    framework = load_framework(root)
    assert framework.name == "Tiny"
    assert framework.max_level == 2
    assert [p.id for p in framework.pillars] == ["delivery"]
    assert framework.pillar("delivery").weight == 2.0
    goal = framework.goal("D.P.2")
    assert (goal.pillar, goal.category, goal.level, goal.weight) == (
        "delivery",
        "pipelines",
        2,
        3.0,
    )
    assert framework.goal("X.P.2").code == "D.P.2"
    assert framework.metric("delivery.lead-time").parsed_target.unit == "day"
    assert framework.measures == {}


@pytest.mark.parametrize(
    ("old", "new", "needle", "field"),
    [
        ("    level: 2\n", "    level: 3\n", "code: D.P.2", "level"),
        ("    weight: 3\n", "    weight: -1\n", "weight: -1", "categories.0.goals.1.weight"),
        ("    kpi: lead-time\n", "    kpi: uptime\n", "- id: delivery.lead-time", "kpi"),
        ("delivery.lead-time", "other.lead-time", "- id: other.lead-time", "id"),
        (
            "question: Does every repository have a pipeline?",
            "question: Why?",
            "question: Why?",
            "evidence.question",
        ),
        ("  - id: pipelines", "  - id: Pipelines!", "- id: Pipelines!", "categories.0.id"),
    ],
)
def test_tiny_framework_errors(tmp_path: Path, old: str, new: str, needle: str, field: str) -> None:
    source = textwrap.dedent(TINY_PILLAR)
    assert old in source
    root, text = tiny(tmp_path, source.replace(old, new))
    with pytest.raises(UserError) as caught:
        load_framework(root)
    assert caught.value.file is not None
    assert caught.value.file.endswith("delivery.yaml")
    assert caught.value.line == line_of(text, needle)
    assert caught.value.field is not None
    assert field in caught.value.field


def test_validation_error_lists_every_problem(tmp_path: Path) -> None:
    source = textwrap.dedent(TINY_PILLAR)
    source = source.replace("    level: 1\n", "    level: zero\n").replace("prefix: D", "prefix: d")
    root, text = tiny(tmp_path, source)
    with pytest.raises(UserError) as caught:
        load_framework(root)
    # pydantic may add a follow-on problem for the enclosing list; the two real ones are there
    assert caught.value.message.startswith(f"{len(caught.value.details)} problems in a pillar")
    assert (caught.value.field, caught.value.value) == ("prefix", "d")
    assert any(f"line {line_of(text, 'prefix: d')}: prefix" in d for d in caught.value.details)
    assert any(
        f"line {line_of(text, 'level: zero')}: categories.0.goals.0.level" in d
        for d in caught.value.details
    )


def test_duplicate_key_in_framework_yaml(tmp_path: Path) -> None:
    root, _ = tiny(tmp_path)
    text = write(root / "framework.yaml", TINY_HEAD + "    name: Again\n")
    with pytest.raises(UserError, match="duplicate key 'name'") as caught:
        load_framework(root)
    assert caught.value.file is not None
    assert caught.value.file.endswith("framework.yaml")
    assert caught.value.line == line_of(text, "name: Again")
    assert caught.value.field == "name"


@pytest.mark.parametrize(
    ("text", "path", "line"),
    [
        ("a: 1\nb:\n  c: 2\n  d: [x, y]\n", ("b", "d", 1), 4),
        ("a: 1\nb:\n  c: 2\n", ("b", "c"), 3),
        ("a: 1\nb:\n  c: 2\n", ("b", "missing"), 2),
        ("- x\n- y: 1\n  z: 2\n", (1, "z"), 3),
        ("a: 1\n", ("nowhere",), 1),
    ],
)
def test_parse_yaml_remembers_lines(text: str, path: tuple[str | int, ...], line: int) -> None:
    assert parse_yaml(text, "doc.yaml").line_of(path) == line


# ---- workspace overrides -----------------------------------------------------------------

NEW_GOAL = """
    goals:
      - pillar: automation
        category: developer-env
        code: A.E.99
        level: 2
        weight: 1.5
        statement: Every repository has a devcontainer definition.
        why: New joiners get a working environment in minutes.
        how: Add a .devcontainer folder with the tools pinned.
        evidence:
          question: Does every repository have a devcontainer?
"""

NEW_PILLAR = """
    pillars:
      - id: data-platform
        name: Data Platform
        prefix: DP
        order: 9
        weight: 0.5
        description: Data pipelines run as a product.
        categories:
          - id: ingestion
            name: Ingestion
            goals:
              - code: DP.I.1
                level: 1
                statement: Every pipeline has an owner.
                why: Pipelines nobody owns rot.
                how: Record owners in the catalog.
                evidence:
                  question: Does every pipeline have an owner?
"""


def test_override_adds_a_goal(tmp_path: Path, builtin: Framework) -> None:
    path = tmp_path / "overrides.yaml"
    write(path, NEW_GOAL)
    framework = load_framework(overrides=[path])
    goal = framework.goal("A.E.99")
    assert (goal.pillar, goal.category, goal.level, goal.weight) == (
        "automation",
        "developer-env",
        2,
        1.5,
    )
    category = next(c for c in framework.pillar("automation").categories if c.id == "developer-env")
    assert category.goals[-1].code == "A.E.99"
    assert sum(1 for _ in framework.goals()) == sum(1 for _ in builtin.goals()) + 1


def test_override_adds_a_pillar(tmp_path: Path) -> None:
    path = tmp_path / "overrides.yaml"
    write(path, NEW_PILLAR)
    framework = load_framework(overrides=[path])
    assert len(framework.pillars) == 9
    assert framework.pillars[-1].id == "data-platform"
    pillar = framework.pillar("data-platform")
    assert (pillar.source, pillar.weight, pillar.prefix) == ("workspace", 0.5, "DP")
    assert framework.goal("DP.I.1").pillar == "data-platform"
    assert framework.goal("DP.I.1").category == "ingestion"


@pytest.mark.parametrize(
    ("change", "check"),
    [
        ("- goal: A.E.1\n    level: 3", lambda f: f.goal("A.E.1").level == 3),
        ("- goal: A.E.1\n    weight: 2", lambda f: f.goal("A.E.1").weight == 2.0),
        ("- goal: A.L.1\n    weight: 4", lambda f: f.goal("I.L.1").weight == 4.0),
        (
            "- goal: A.E.1\n    statement: Setting up takes one command.",
            lambda f: f.goal("A.E.1").statement == "Setting up takes one command.",
        ),
        (
            '- metric: automation.pr-merge-latency\n    target: "< 2 day"',
            lambda f: f.metric("automation.pr-merge-latency").target == "< 2 day",
        ),
        (
            '- metric: automation.pr-merge-latency\n    target: "~ 1 day"\n    tolerance: 0.5',
            lambda f: f.metric("automation.pr-merge-latency").parsed_target.tolerance == 0.5,
        ),
        ("- pillar: automation\n    weight: 3", lambda f: f.pillar("automation").weight == 3.0),
        (
            "- pillar: Security\n    order: 0",
            lambda f: f.pillars[0].id == "security",
        ),
    ],
    ids=[
        "goal-level",
        "goal-weight",
        "goal-by-upstream-alias",
        "goal-statement",
        "metric-target",
        "metric-target-with-tolerance",
        "pillar-weight",
        "pillar-order-by-name",
    ],
)
def test_override_changes(tmp_path: Path, change: str, check: object) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text(f"changes:\n  {change}\n", encoding="utf-8")
    framework = load_framework(overrides=[path])
    assert callable(check)
    assert check(framework)


def test_override_change_keeps_other_fields(tmp_path: Path, builtin: Framework) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text("changes:\n  - goal: A.E.1\n    level: 3\n", encoding="utf-8")
    framework = load_framework(overrides=[path])
    before, after = builtin.goal("A.E.1"), framework.goal("A.E.1")
    assert after.model_dump() == {**before.model_dump(), "level": 3}


@pytest.mark.parametrize(("ref", "code"), [("O.F.9", "O.F.9"), ("O.S.3", "O.R.3")])
def test_override_out_of_scope(tmp_path: Path, ref: str, code: str) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text(
        f"out_of_scope:\n  - code: {ref}\n    reason: We ship no such thing.\n", encoding="utf-8"
    )
    framework = load_framework(overrides=[path])
    goal = framework.goal(code)
    assert goal.in_scope is False
    assert goal.out_of_scope_reason == "We ship no such thing."
    assert sum(1 for g in framework.goals() if not g.in_scope) == 1


def test_overrides_apply_in_order(tmp_path: Path) -> None:
    first, second = tmp_path / "one.yaml", tmp_path / "two.yaml"
    first.write_text("changes:\n  - goal: A.E.1\n    weight: 2\n", encoding="utf-8")
    second.write_text(
        "changes:\n  - goal: A.E.1\n    weight: 5\nout_of_scope:\n  - code: A.E.1\n"
        "    reason: Not here.\n",
        encoding="utf-8",
    )
    goal = load_framework(overrides=[first, second]).goal("A.E.1")
    assert (goal.weight, goal.in_scope) == (5.0, False)


def test_overrides_on_a_tiny_framework(tmp_path: Path) -> None:
    root, _ = tiny(tmp_path)
    path = tmp_path / "overrides.yaml"
    write(
        path,
        """
        goals:
          - pillar: delivery
            category: pipelines
            code: D.P.3
            level: 1
            statement: Pipelines run on every push.
            why: Feedback arrives while the change is fresh.
            how: Trigger the workflow on push.
            evidence:
              question: Do pipelines run on every push?
        changes:
          - goal: D.P.1
            weight: 4
        out_of_scope:
          - code: X.P.2
            reason: One team only.
    """,
    )
    framework = load_framework(root, overrides=[path])
    assert [g.code for g in framework.goals()] == ["D.P.1", "D.P.2", "D.P.3"]
    assert framework.goal("D.P.1").weight == 4.0
    assert framework.goal("D.P.2").in_scope is False


@pytest.mark.parametrize(
    ("text", "needle", "field", "message"),
    [
        pytest.param(
            "changes:\n  - goal: A.E.999\n    level: 3\n",
            "goal: A.E.999",
            "changes.0.goal",
            "unknown goal code 'A.E.999'",
            id="change-unknown-goal",
        ),
        pytest.param(
            "changes:\n  - level: 3\n    goal: A.E.1\n  - goal: Z.Z.1\n    weight: 2\n",
            "goal: Z.Z.1",
            "changes.1.goal",
            "unknown goal code 'Z.Z.1'",
            id="second-change-unknown-goal",
        ),
        pytest.param(
            "changes:\n  - metric: automation.nope\n    target: '< 2 day'\n",
            "metric: automation.nope",
            "changes.0.metric",
            "unknown metric",
            id="change-unknown-metric",
        ),
        pytest.param(
            "changes:\n  - pillar: nope\n    weight: 2\n",
            "pillar: nope",
            "changes.0.pillar",
            "unknown pillar",
            id="change-unknown-pillar",
        ),
        pytest.param(
            "changes:\n  - goal: A.E.1\n    code: A.E.2\n",
            "code: A.E.2",
            "changes.0.code",
            "cannot be changed on a goal",
            id="goal-code-unchangeable",
        ),
        pytest.param(
            "changes:\n  - goal: A.E.1\n    pillar: security\n",
            "goal: A.E.1",
            "changes.0",
            "exactly one of goal, metric or pillar",
            id="change-names-two-things",
        ),
        pytest.param(
            "changes:\n  - metric: automation.pr-merge-latency\n    unit: h\n",
            "unit: h",
            "changes.0.unit",
            "cannot be changed on a metric",
            id="metric-unit-unchangeable",
        ),
        pytest.param(
            "changes:\n  - pillar: automation\n    prefix: B\n",
            "prefix: B",
            "changes.0.prefix",
            "cannot be changed on a pillar",
            id="pillar-prefix-unchangeable",
        ),
        pytest.param(
            "changes:\n  - goal: A.E.1\n    level: 0\n",
            "level: 0",
            "level",
            "greater than or equal to 1",
            id="change-invalid-level",
        ),
        pytest.param(
            "changes:\n  - metric: automation.pr-merge-latency\n    target: soon\n",
            "target: soon",
            "target",
            "must be a comparator",
            id="change-invalid-target",
        ),
        pytest.param(
            "goals:\n  - pillar: nope\n    category: developer-env\n    code: A.E.99\n",
            "pillar: nope",
            "goals.0.pillar",
            "unknown pillar",
            id="goal-unknown-pillar",
        ),
        pytest.param(
            "goals:\n  - pillar: automation\n    category: nope\n    code: A.E.99\n",
            "category: nope",
            "goals.0.category",
            "unknown category",
            id="goal-unknown-category",
        ),
        pytest.param(
            textwrap.dedent(NEW_GOAL).replace("A.E.99", "A.E.1"),
            "code: A.E.1",
            "code",
            "goal code already used in pillar automation",
            id="goal-duplicate-code",
        ),
        pytest.param(
            textwrap.dedent(NEW_GOAL).replace("level: 2", "level: 7"),
            "code: A.E.99",
            "level",
            "unknown level",
            id="goal-undefined-level",
        ),
        pytest.param(
            textwrap.dedent(NEW_GOAL).replace(
                "    weight: 1.5\n", "    weight: 1.5\n    owner: me\n"
            ),
            "owner: me",
            "owner",
            "unknown field",
            id="goal-unknown-field",
        ),
        pytest.param(
            textwrap.dedent(NEW_PILLAR).replace("id: data-platform", "id: automation"),
            "id: automation",
            "pillars.0.id",
            "a pillar with this id exists already",
            id="pillar-exists",
        ),
        pytest.param(
            textwrap.dedent(NEW_PILLAR).replace("DP.I.1", "XY.I.1"),
            "code: XY.I.1",
            "code",
            "does not start with the pillar prefix DP.",
            id="pillar-goal-prefix",
        ),
        pytest.param(
            "out_of_scope:\n  - code: O.F.9\n",
            "code: O.F.9",
            "out_of_scope.0",
            "needs a code and a reason",
            id="out-of-scope-without-reason",
        ),
        pytest.param(
            "out_of_scope:\n  - code: O.F.9\n    reason: ''\n",
            "code: O.F.9",
            "out_of_scope.0",
            "needs a code and a reason",
            id="out-of-scope-empty-reason",
        ),
        pytest.param(
            "out_of_scope:\n  - code: Z.Z.9\n    reason: Not ours.\n",
            "code: Z.Z.9",
            "out_of_scope.0.code",
            "unknown goal code 'Z.Z.9'",
            id="out-of-scope-unknown-goal",
        ),
        pytest.param(
            "changes: []\ngoal: A.E.1\n",
            "goal:",
            "goal",
            "unknown section",
            id="unknown-section",
        ),
    ],
)
def test_override_errors_name_file_line_field(
    tmp_path: Path, text: str, needle: str, field: str, message: str
) -> None:
    path = tmp_path / "workspace-overrides.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_framework(overrides=[path])
    error = caught.value
    assert error.file == str(path)
    assert error.line == line_of(text, needle)
    assert error.field is not None
    assert field in error.field
    assert message in error.message


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("changes:\n  - goal: A.E.1\n    level: 7\n", "level: 7"),
        ("changes:\n  - goal: A.E.1\n    metrics: [automation.nope]\n", "metrics:"),
        (
            "changes:\n  - metric: automation.pr-merge-latency\n    target: '< 5 percent'\n",
            "target:",
        ),
    ],
    ids=["goal-level-undefined", "goal-metric-unknown", "metric-target-other-dimension"],
)
def test_override_change_cross_reference_errors_name_the_override(
    tmp_path: Path, text: str, needle: str
) -> None:
    path = tmp_path / "workspace-overrides.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_framework(overrides=[path])
    assert caught.value.file == str(path)
    assert caught.value.line in (line_of(text, needle), 2)


def test_unknown_section_with_block_value_points_at_the_key(tmp_path: Path) -> None:
    path = tmp_path / "workspace-overrides.yaml"
    path.write_text("goal:\n  - code: A.E.1\n", encoding="utf-8")
    with pytest.raises(UserError, match="unknown section") as caught:
        load_framework(overrides=[path])
    assert (caught.value.file, caught.value.line, caught.value.field) == (str(path), 1, "goal")


def test_edited_override_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text("changes:\n  - goal: A.E.1\n    weight: 2\n", encoding="utf-8")
    assert load_framework(overrides=[path]).goal("A.E.1").weight == 2.0
    path.write_text("changes:\n  - goal: A.E.1\n    weight: 30\n", encoding="utf-8")
    assert load_framework(overrides=[path]).goal("A.E.1").weight == 30.0
    assert load_framework().goal("A.E.1").weight == 1.0


def test_override_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="file not found") as caught:
        load_framework(overrides=[tmp_path / "missing.yaml"])
    assert caught.value.file == str(tmp_path / "missing.yaml")


def test_override_must_be_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(UserError, match="expected a mapping") as caught:
        load_framework(overrides=[path])
    assert (caught.value.file, caught.value.line) == (str(path), 1)


# ---- lookups -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "code"),
    [
        ("A.E.1", "A.E.1"),
        ("a.e.1", "A.E.1"),
        (" A.E.1 ", "A.E.1"),
        ("A.L.1", "I.L.1"),
        ("A.D.1", "A.D.1"),
        ("immediate-integration/A.D.1", "I.D.1"),
        ("Immediate Integration/A.D.1", "I.D.1"),
        ("I/A.D.1", "I.D.1"),
        ("immediate-integration/I.D.1", "I.D.1"),
        ("automation/A.D.1", "A.D.1"),
        ("I.D.1", "I.D.1"),
        ("O.S.3", "O.R.3"),
        ("O.S.1", "O.S.1"),
        ("observability/O.R.1", "O.R.1"),
        ("O.E.6", "O.E.6"),
        ("O.E.8", "O.E.8"),
        ("O.F.13", "O.F.13"),
        ("S.V.9", "S.V.9"),
    ],
)
def test_goal_lookup(builtin: Framework, ref: str, code: str) -> None:
    assert builtin.goal(ref).code == code


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("Z.Z.1", "unknown goal code 'Z.Z.1'"),
        ("A.E.999", "unknown goal code"),
        ("", "unknown goal code"),
        ("automation/I.D.1", "pillar automation has no goal 'I.D.1'"),
        ("nope/A.E.1", "unknown pillar 'nope'"),
    ],
)
def test_goal_lookup_unknown(builtin: Framework, ref: str, message: str) -> None:
    with pytest.raises(LookupError_, match=message):
        builtin.goal(ref)
    with pytest.raises(KeyError):
        builtin.goal(ref)


@pytest.mark.parametrize(
    ("ref", "pillar"),
    [
        ("automation", "automation"),
        ("Automation", "automation"),
        ("A", "automation"),
        ("immediate integration", "immediate-integration"),
        ("o", "observability"),
    ],
)
def test_pillar_lookup(builtin: Framework, ref: str, pillar: str) -> None:
    assert builtin.pillar(ref).id == pillar


def test_metric_and_kpi_lookup(builtin: Framework) -> None:
    assert builtin.metric("Automation.PR-Merge-Latency").id == "automation.pr-merge-latency"
    with pytest.raises(LookupError_, match=r"did you mean automation\.pr-merge-latency"):
        builtin.metric("pr-merge")
    assert builtin.kpi("change-failure-rate").unit == "ratio"
    with pytest.raises(LookupError_, match="unknown KPI"):
        builtin.kpi("nope")


def _goal(code: str, pillar: str, upstream: str | None = None) -> Goal:
    return Goal(
        code=code,
        upstream=upstream,
        level=1,
        statement="A statement.",
        why="Because so.",
        how="Do the thing.",
        evidence=Evidence(question="Is it done?"),
        pillar=pillar,
        category="c",
    )


def test_upstream_code_shared_by_two_goals_is_ambiguous() -> None:
    pillars = tuple(
        Pillar(
            id=pid,
            name=pid.title(),
            prefix=prefix,
            description="A pillar.",
            categories=(Category(id="c", name="C", goals=(_goal(f"{prefix}.C.1", pid, "X.C.1"),)),),
        )
        for pid, prefix in (("alpha", "A"), ("beta", "B"))
    )
    framework = Framework(
        name="t",
        version="1",
        levels=(Level(number=1, name="One", description="First."),),
        credits={},
        pillars=pillars,
        kpis=(),
    )
    with pytest.raises(LookupError_, match=r"upstream code of several goals: A\.C\.1"):
        framework.goal("X.C.1")
    assert framework.goal("beta/X.C.1").code == "B.C.1"
    assert framework.goal("alpha/x.c.1").code == "A.C.1"

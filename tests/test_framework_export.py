"""Framework exports: JSON, YAML, the Markdown reference and the AWS Well-Architected lens."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from platform_maturity.domain.framework import Framework
from platform_maturity.framework.loader import load_framework
from platform_maturity.reports.framework_export import (
    FORMATS,
    export,
    export_json,
    export_markdown,
    export_wa_lens,
    export_yaml,
)

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "framework-reference.md"


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework()


# ---- all formats ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_exports_deterministically(framework: Framework, fmt: str) -> None:
    first = export(framework, fmt)
    assert first.strip()
    assert first.endswith("\n")
    assert export(load_framework(), fmt) == first


def test_formats_are_the_documented_four() -> None:
    assert FORMATS == ("json", "yaml", "markdown", "wa-lens")


def test_unknown_format_is_refused(framework: Framework) -> None:
    with pytest.raises(ValueError, match="unknown export format 'xml'; use one of json, yaml"):
        export(framework, "xml")


# ---- JSON and YAML -------------------------------------------------------------------------


def test_json_round_trips_the_whole_framework(framework: Framework) -> None:
    data = json.loads(export_json(framework))
    assert data["name"] == framework.name
    assert data["version"] == framework.version
    assert [level["number"] for level in data["levels"]] == [lv.number for lv in framework.levels]
    assert [p["id"] for p in data["pillars"]] == [p.id for p in framework.pillars]
    assert [k["id"] for k in data["kpis"]] == [k.id for k in framework.kpis]
    goals = [g for p in data["pillars"] for c in p["categories"] for g in c["goals"]]
    assert [g["code"] for g in goals] == [g.code for g in framework.goals()]
    by_code = {g["code"]: g for g in goals}
    assert by_code["I.D.1"]["upstream"] == "A.D.1"
    assert by_code["I.D.1"]["all_aliases"] == ["A.D.1"]
    assert by_code["A.E.1"]["all_aliases"] == []
    metrics = {m["id"]: m for p in data["pillars"] for m in p["metrics"]}
    assert len(metrics) == sum(1 for _ in framework.metrics())
    excess = metrics["performance.excess-compute-capacity-p50"]
    assert excess["target"] == "~ 30 percent"
    assert excess["parsed_target"] == {
        "comparator": "~",
        "value": 30.0,
        "unit": "percent",
        "tolerance": 5.0,
    }
    assert data["kpis"][0]["numerator"]  # KPI extras are kept


def test_json_is_sorted_and_indented(framework: Framework) -> None:
    text = export_json(framework)
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_yaml_holds_the_same_data_as_json(framework: Framework) -> None:
    assert yaml.safe_load(export_yaml(framework)) == json.loads(export_json(framework))


# ---- Markdown reference --------------------------------------------------------------------


def test_markdown_reference_covers_everything(framework: Framework) -> None:
    text = export_markdown(framework)
    assert text.startswith(f"# {framework.name}")
    assert "## Levels" in text
    assert "## Upstream code mapping" in text
    for pillar in framework.pillars:
        assert f"## Pillar: {pillar.name}\n" in text
        for metric in pillar.metrics:
            assert f"| `{metric.id}` |" in text
        for category in pillar.categories:
            assert f"### {pillar.name}: {category.name}\n" in text
    for goal in framework.goals():
        assert f"#### {goal.code}\n" in text
        assert f"| `{goal.code}` |" in text
        if goal.upstream and goal.upstream != goal.code:
            assert f"| {goal.pillar} | `{goal.upstream}` | `{goal.code}` |" in text
    for kpi in framework.kpis:
        assert f"### {kpi.name}" in text
    for ref in framework.pillar("efficiency").references:
        assert f"]({ref.url})" in text
    assert "\n\n\n" not in text


def test_markdown_tables_have_consistent_columns(framework: Framework) -> None:
    table: list[str] = []
    for line in [*export_markdown(framework).splitlines(), ""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            widths = {len(re.split(r"(?<!\\)\|", row)) for row in table}
            assert len(widths) == 1, f"ragged table starting {table[0]!r}"
            table = []


def test_docs_framework_reference_is_current(framework: Framework) -> None:
    current = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
    assert current == export_markdown(framework), "run .venv/bin/python scripts/gen_docs.py"


# ---- AWS Well-Architected lens -----------------------------------------------------------

ID = re.compile(r"^[A-Za-z0-9_]{3,128}$")
RISKS = {"HIGH_RISK", "MEDIUM_RISK", "NO_RISK"}
MAX_BYTES = 500_000
_TOKEN = re.compile(r"\s*(&&|\|\||!|\(|\)|[A-Za-z0-9_]+)")


def _tokens(condition: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    while position < len(condition):
        match = _TOKEN.match(condition, position)
        if match is None:
            if condition[position:].strip():
                raise ValueError(f"bad token at {condition[position:]!r}")
            break
        tokens.append(match.group(1))
        position = match.end()
    return tokens


def evaluate(condition: str, selected: set[str]) -> bool:
    """Evaluate a risk-rule condition (&&, ||, !, parentheses) for a set of chosen ids."""
    tokens = _tokens(condition)
    index = 0

    def peek() -> str | None:
        return tokens[index] if index < len(tokens) else None

    def take() -> str:
        nonlocal index
        token = tokens[index]
        index += 1
        return token

    def disjunction() -> bool:
        value = conjunction()
        while peek() == "||":
            take()
            value = conjunction() or value
        return value

    def conjunction() -> bool:
        value = factor()
        while peek() == "&&":
            take()
            value = factor() and value
        return value

    def factor() -> bool:
        token = take()
        if token == "!":
            return not factor()
        if token == "(":
            value = disjunction()
            if take() != ")":
                raise ValueError("missing )")
            return value
        if not ID.match(token):
            raise ValueError(f"unexpected {token!r}")
        return token in selected

    result = disjunction()
    if index != len(tokens):
        raise ValueError(f"trailing tokens in {condition!r}")
    return result


def risk_of(question: dict[str, Any], selected: set[str]) -> str:
    for rule in question["riskRules"]:
        if rule["condition"] == "default" or evaluate(rule["condition"], selected):
            return str(rule["risk"])
    raise AssertionError("no risk rule applied")


def _text_field(problems: list[str], where: str, value: object, limit: int) -> None:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: missing or empty")
    elif len(value) > limit:
        problems.append(f"{where}: {len(value)} chars > {limit}")


def _resource(problems: list[str], where: str, value: object) -> None:
    if not isinstance(value, dict):
        problems.append(f"{where}: not an object")
        return
    _text_field(problems, f"{where}.displayText", value.get("displayText"), 2048)
    url = value.get("url")
    if url is not None and not re.match(r"^https?://", str(url)):
        problems.append(f"{where}.url: not http(s)")


def _choice_problems(problems: list[str], where: str, question_id: str, choices: Any) -> None:
    if not isinstance(choices, list) or not 1 <= len(choices) <= 15:
        problems.append(f"{where}: needs 1..15 choices")
        return
    ids = [choice.get("id") for choice in choices]
    if len(set(ids)) != len(ids):
        problems.append(f"{where}: choice ids not unique")
    last = choices[-1]
    if last.get("id") != f"{question_id}_no" or last.get("title") != "None of these":
        problems.append(f"{where}: last choice is not '{question_id}_no' 'None of these'")
    if "improvementPlan" in last:
        problems.append(f"{where}: the _no choice has an improvementPlan")
    for choice in choices:
        cwhere = f"{where}/{choice.get('id')}"
        if not ID.match(str(choice.get("id"))):
            problems.append(f"{cwhere}: bad id")
        title = choice.get("title")
        _text_field(problems, f"{cwhere}.title", title, 128)
        if "helpfulResource" in choice:
            _resource(problems, f"{cwhere}.helpfulResource", choice["helpfulResource"])
        if choice is last:
            continue
        if "improvementPlan" not in choice:
            problems.append(f"{cwhere}: no improvementPlan")
        else:
            _resource(problems, f"{cwhere}.improvementPlan", choice["improvementPlan"])
        if isinstance(title, str) and title.endswith("…"):
            # truncated: the full text sits in the helpful resource
            shown = title[:-1].split(" ", 1)[-1]
            full = str(choice.get("helpfulResource", {}).get("displayText", ""))
            if not full.startswith(shown):
                problems.append(f"{cwhere}: truncated title without full text in helpfulResource")


def _risk_problems(problems: list[str], where: str, question: dict[str, Any]) -> None:
    rules = question.get("riskRules")
    if not isinstance(rules, list) or not 1 <= len(rules) <= 3:
        problems.append(f"{where}: needs 1..3 risk rules")
        return
    risks = [rule.get("risk") for rule in rules]
    if len(set(risks)) != len(risks) or not set(risks) <= RISKS:
        problems.append(f"{where}: risks must be distinct HIGH_RISK/MEDIUM_RISK/NO_RISK")
    conditions = [rule.get("condition") for rule in rules]
    if conditions[-1] != "default" or "default" in conditions[:-1]:
        problems.append(f"{where}: the last (and only the last) condition must be 'default'")
    choice_ids = {choice["id"] for choice in question["choices"]}
    for condition in conditions[:-1]:
        try:
            tokens = _tokens(str(condition))
            evaluate(str(condition), set())
        except (ValueError, IndexError) as exc:
            problems.append(f"{where}: condition {condition!r} does not parse ({exc})")
            continue
        names = {t for t in tokens if t not in ("&&", "||", "!", "(", ")")}
        if not names <= choice_ids:
            problems.append(f"{where}: condition names unknown ids {sorted(names - choice_ids)}")


def lens_problems(text: str) -> list[str]:
    """Every way ``text`` breaks the AWS WA custom-lens rules we export against."""
    problems: list[str] = []
    if len(text.encode("utf-8")) >= MAX_BYTES:
        problems.append(f"lens is {len(text.encode('utf-8'))} bytes, limit {MAX_BYTES}")
    lens = json.loads(text)
    if lens.get("schemaVersion") != "2021-11-01":
        problems.append("schemaVersion is not 2021-11-01")
    _text_field(problems, "name", lens.get("name"), 128)
    _text_field(problems, "description", lens.get("description"), 2048)
    pillars = lens.get("pillars")
    if not isinstance(pillars, list) or not 1 <= len(pillars) <= 10:
        return [*problems, "needs 1..10 pillars"]
    all_ids: list[str] = []
    for pillar in pillars:
        pwhere = str(pillar.get("id"))
        all_ids.append(pwhere)
        if not ID.match(pwhere):
            problems.append(f"{pwhere}: bad pillar id")
        _text_field(problems, f"{pwhere}.name", pillar.get("name"), 128)
        questions = pillar.get("questions")
        if not isinstance(questions, list) or not 1 <= len(questions) <= 20:
            problems.append(f"{pwhere}: needs 1..20 questions")
            continue
        for question in questions:
            qid = str(question.get("id"))
            qwhere = f"{pwhere}/{qid}"
            all_ids.append(qid)
            if not ID.match(qid):
                problems.append(f"{qwhere}: bad question id")
            _text_field(problems, f"{qwhere}.title", question.get("title"), 128)
            _text_field(problems, f"{qwhere}.description", question.get("description"), 2048)
            if "helpfulResource" in question:
                _resource(problems, f"{qwhere}.helpfulResource", question["helpfulResource"])
            _choice_problems(problems, qwhere, qid, question.get("choices"))
            if isinstance(question.get("choices"), list):
                all_ids.extend(str(choice.get("id")) for choice in question["choices"])
                _risk_problems(problems, qwhere, question)
    duplicates = sorted({i for i in all_ids if all_ids.count(i) > 1})
    if duplicates:
        problems.append(f"ids used more than once: {duplicates}")
    return problems


def test_validator_accepts_the_documented_minimal_lens() -> None:
    lens = {
        "schemaVersion": "2021-11-01",
        "name": "Sample",
        "description": "One pillar, one question.",
        "pillars": [
            {
                "id": "pe_automation",
                "name": "Automation",
                "questions": [
                    {
                        "id": "pe_automation_dev_env",
                        "title": "How reproducible is your developer environment?",
                        "description": "Goals A.E.1-A.E.2.",
                        "choices": [
                            {
                                "id": "pe_A_E_1",
                                "title": "A.E.1 One command",
                                "improvementPlan": {"displayText": "Add a bootstrap command."},
                            },
                            {"id": "pe_automation_dev_env_no", "title": "None of these"},
                        ],
                        "riskRules": [
                            {"condition": "pe_A_E_1", "risk": "NO_RISK"},
                            {"condition": "default", "risk": "HIGH_RISK"},
                        ],
                    }
                ],
            }
        ],
    }
    assert lens_problems(json.dumps(lens)) == []
    broken = json.loads(json.dumps(lens))
    question = broken["pillars"][0]["questions"][0]
    question["choices"][0]["title"] = "x" * 129
    question["riskRules"][0]["condition"] = "pe_A_E_1 && other_id"
    del question["choices"][0]["improvementPlan"]
    broken["pillars"][0]["id"] = "ii"
    found = "\n".join(lens_problems(json.dumps(broken)))
    for expected in ("129 chars", "unknown ids ['other_id']", "no improvementPlan", "bad pillar"):
        assert expected in found


def test_wa_lens_follows_every_rule(framework: Framework) -> None:
    assert lens_problems(export_wa_lens(framework)) == []


def test_wa_lens_maps_pillars_categories_and_goals(framework: Framework) -> None:
    lens = json.loads(export_wa_lens(framework))
    pillar_ids = [pillar["id"] for pillar in lens["pillars"]]
    assert pillar_ids == ["pe_" + p.id.replace("-", "_") for p in framework.pillars]
    assert "pe_automation" in pillar_ids
    assert "pe_immediate_integration" in pillar_ids
    choices = {
        choice["id"]: choice
        for pillar in lens["pillars"]
        for question in pillar["questions"]
        for choice in question["choices"]
    }
    for goal in framework.goals():
        choice = choices["pe_" + goal.code.replace(".", "_")]
        full = f"{goal.code} {goal.statement}"
        if len(full) <= 128:
            assert choice["title"] == full
        else:
            assert len(choice["title"]) <= 128
            assert choice["title"].endswith("…")
            assert full.startswith(choice["title"][:-1])
        assert goal.statement in choice["helpfulResource"]["displayText"]
        assert choice["improvementPlan"]["displayText"] == " ".join(goal.how.split())
    goal_choices = [c for c in choices if not c.endswith("_no")]
    assert len(goal_choices) == sum(1 for _ in framework.goals())


def test_wa_lens_splits_large_categories(framework: Framework) -> None:
    lens = json.loads(export_wa_lens(framework))
    questions = {q["id"]: q for p in lens["pillars"] for q in p["questions"]}
    for pillar in framework.pillars:
        for category in pillar.categories:
            base = f"pe_{pillar.id}_{category.id}".replace("-", "_")
            if len(category.goals) <= 14:
                assert base in questions
                assert not questions[base]["title"].endswith(")")
                continue
            parts = -(-len(category.goals) // 14)
            ids = [f"{base}_p{n}" for n in range(1, parts + 1)]
            assert [questions[i]["title"][-5:] for i in ids] == [
                f"({n}/{parts})" for n in range(1, parts + 1)
            ]
            counts = [len(questions[i]["choices"]) - 1 for i in ids]
            assert sum(counts) == len(category.goals)
            assert max(counts) - min(counts) <= 1
    # categories known to need splitting
    assert "pe_observability_basics_p2" in questions
    assert "pe_security_system_access_p2" in questions
    assert "pe_security_network_traffic_p2" in questions


def test_wa_lens_risk_rules_behave(framework: Framework) -> None:
    lens = json.loads(export_wa_lens(framework))
    levels = {"pe_" + g.code.replace(".", "_"): g.level for g in framework.goals()}
    for pillar in lens["pillars"]:
        for question in pillar["questions"]:
            goal_ids = [c["id"] for c in question["choices"][:-1]]
            critical = [cid for cid in goal_ids if levels[cid] == 1]
            risks = [rule["risk"] for rule in question["riskRules"]]
            assert risks == (
                ["NO_RISK", "HIGH_RISK", "MEDIUM_RISK"] if critical else ["NO_RISK", "MEDIUM_RISK"]
            )
            assert risk_of(question, set(goal_ids)) == "NO_RISK"
            assert risk_of(question, {f"{question['id']}_no"}) == (
                "HIGH_RISK" if critical else "MEDIUM_RISK"
            )
            for cid in goal_ids:
                expected = "HIGH_RISK" if cid in critical else "MEDIUM_RISK"
                assert risk_of(question, set(goal_ids) - {cid}) == expected, (question["id"], cid)


def test_wa_lens_leaves_out_goals_out_of_scope(tmp_path: Path) -> None:
    override = tmp_path / "scope.yaml"
    codes = ["A.E.1", "A.F.1", "A.F.2", *[f"O.B.{n}" for n in range(1, 6)]]
    override.write_text(
        "out_of_scope:\n" + "".join(f"  - {{code: {c}, reason: Not ours.}}\n" for c in codes),
        encoding="utf-8",
    )
    scoped = load_framework(overrides=[override])
    text = export_wa_lens(scoped)
    assert lens_problems(text) == []
    lens = json.loads(text)
    choice_ids = {c["id"] for p in lens["pillars"] for q in p["questions"] for c in q["choices"]}
    question_ids = {q["id"] for p in lens["pillars"] for q in p["questions"]}
    for code in codes:
        assert "pe_" + code.replace(".", "_") not in choice_ids
    assert "pe_automation_infrastructure" not in question_ids  # every goal out of scope
    assert "pe_observability_basics" in question_ids  # 13 goals left: no longer split
    assert "pe_observability_basics_p1" not in question_ids


def test_wa_lens_refuses_more_pillars_than_aws_allows(framework: Framework) -> None:
    many = tuple(
        pillar.model_copy(update={"id": f"{pillar.id}-{n}"})
        for n in range(2)
        for pillar in framework.pillars
    )
    with pytest.raises(ValueError, match="an AWS lens allows 10"):
        export_wa_lens(framework.model_copy(update={"pillars": many}))

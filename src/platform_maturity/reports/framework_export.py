"""Export the framework definition: JSON, YAML, a Markdown reference and an AWS WA lens.

Every function here is pure: it takes a loaded :class:`Framework` and returns text. The
output depends only on the framework data, so two runs give identical bytes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from platform_maturity.domain.framework import Category, Framework, Goal, Kpi, Metric, Pillar

FORMATS = ("json", "yaml", "markdown", "wa-lens")
TEMPLATES = Path(__file__).parent / "templates"
EXPORT_FORMAT = "platform-maturity/framework"
EXPORT_FORMAT_VERSION = 1

# AWS Well-Architected custom lens limits (lens format specification, 2021-11-01).
LENS_SCHEMA_VERSION = "2021-11-01"
LENS_MAX_PILLARS = 10
LENS_MAX_QUESTIONS = 20
LENS_MAX_CHOICES = 15
LENS_MAX_GOALS_PER_QUESTION = LENS_MAX_CHOICES - 1  # one choice is "None of these"
LENS_MAX_TITLE = 128
LENS_MAX_TEXT = 2048
LENS_MAX_BYTES = 500_000


# ---- JSON and YAML -------------------------------------------------------------------


def framework_data(framework: Framework) -> dict[str, Any]:
    """The whole framework as plain data (dicts, lists, strings, numbers), in framework order."""
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "name": framework.name,
        "version": framework.version,
        "description": framework.description,
        "levels": [level.model_dump(mode="json") for level in framework.levels],
        "credits": dict(framework.credits),
        "pillars": [_pillar_data(pillar) for pillar in framework.pillars],
        "kpis": [kpi.model_dump(mode="json") for kpi in framework.kpis],
        "measures": framework.measures,
    }


def _pillar_data(pillar: Pillar) -> dict[str, Any]:
    data = pillar.model_dump(mode="json", exclude={"metrics", "categories"})
    data["metrics"] = [_metric_data(metric) for metric in pillar.metrics]
    data["categories"] = [_category_data(category) for category in pillar.categories]
    return data


def _category_data(category: Category) -> dict[str, Any]:
    data = category.model_dump(mode="json", exclude={"goals"})
    data["goals"] = [_goal_data(goal) for goal in category.goals]
    return data


def _goal_data(goal: Goal) -> dict[str, Any]:
    data = goal.model_dump(mode="json")
    data["all_aliases"] = list(goal.all_aliases)
    return data


def _metric_data(metric: Metric) -> dict[str, Any]:
    data = metric.model_dump(mode="json")
    target = metric.parsed_target
    data["parsed_target"] = {
        "comparator": target.comparator,
        "value": target.value,
        "unit": target.unit,
        "tolerance": target.tolerance,
    }
    return data


def export_json(framework: Framework) -> str:
    """The whole framework as indented JSON with sorted keys."""
    text = json.dumps(
        framework_data(framework), indent=2, sort_keys=True, ensure_ascii=False, default=str
    )
    return text + "\n"


def export_yaml(framework: Framework) -> str:
    """The whole framework as YAML with sorted keys (same structure as the JSON export)."""
    data = json.loads(export_json(framework))
    text: str = yaml.safe_dump(
        data, sort_keys=True, allow_unicode=True, default_flow_style=False, width=100
    )
    return text


# ---- Markdown reference ----------------------------------------------------------------


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["cell"] = _cell
    return env


def _cell(value: object) -> str:
    """Make a value safe inside a Markdown table cell: one line, pipes escaped."""
    text = " ".join(str(value).split())
    return text.replace("|", "\\|")


def _slug(text: str) -> str:
    """The anchor GitHub gives a heading with this text."""
    lowered = re.sub(r"[^\w\- ]", "", text.lower())
    return lowered.replace(" ", "-")


def _kpi_extra(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{str(key).replace('_', ' ')} {item}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return " ".join(str(value).split())


def _kpi_view(kpi: Kpi) -> dict[str, Any]:
    extras = kpi.model_extra or {}
    return {
        "id": kpi.id,
        "name": kpi.name,
        "short": kpi.short,
        "description": kpi.description,
        "formula": kpi.formula,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "period": kpi.period,
        "breakdowns": list(kpi.breakdowns),
        "caveat": kpi.caveat,
        "extras": [
            {"label": key.replace("_", " ").capitalize(), "text": _kpi_extra(value)}
            for key, value in extras.items()
            if value not in (None, "", [], {})
        ],
    }


def _goal_view(framework: Framework, goal: Goal) -> dict[str, Any]:
    return {
        "code": goal.code,
        "upstream": goal.upstream if goal.upstream and goal.upstream != goal.code else "",
        "aliases": list(goal.aliases),
        "level": goal.level,
        "level_name": framework.level_name(goal.level),
        "statement": goal.statement,
        "why": goal.why,
        "how": goal.how,
        "question": goal.evidence.question,
        "metrics": list(goal.metrics),
        "kpis": list(goal.kpis),
        "in_scope": goal.in_scope,
        "out_of_scope_reason": goal.out_of_scope_reason or "",
    }


def _pillar_view(framework: Framework, pillar: Pillar) -> dict[str, Any]:
    return {
        "id": pillar.id,
        "name": pillar.name,
        "heading": f"Pillar: {pillar.name}",
        "anchor": _slug(f"Pillar: {pillar.name}"),
        "prefix": pillar.prefix,
        "source": pillar.source,
        "summary": pillar.summary,
        "description": pillar.description.strip(),
        "business_value": list(pillar.business_value),
        "references": [ref.model_dump() for ref in pillar.references],
        "goal_count": sum(1 for _ in pillar.goals()),
        "metrics": [
            {
                "id": metric.id,
                "name": metric.name,
                "unit": metric.unit,
                "direction": metric.direction,
                "target": str(metric.parsed_target),
                "kpi": metric.kpi or "",
            }
            for metric in pillar.metrics
        ],
        "categories": [
            {
                "id": category.id,
                "name": category.name,
                "summary": category.summary,
                "goals": [_goal_view(framework, goal) for goal in category.goals],
            }
            for category in pillar.categories
        ],
    }


def markdown_context(framework: Framework) -> dict[str, Any]:
    """The view model the Markdown reference template renders."""
    goals = list(framework.goals())
    return {
        "name": framework.name,
        "version": framework.version,
        "description": framework.description,
        "counts": {
            "pillars": len(framework.pillars),
            "categories": sum(len(p.categories) for p in framework.pillars),
            "goals": len(goals),
            "metrics": sum(1 for _ in framework.metrics()),
            "kpis": len(framework.kpis),
        },
        "levels": [level.model_dump() for level in framework.levels],
        "kpis": [_kpi_view(kpi) for kpi in framework.kpis],
        "pillars": [_pillar_view(framework, pillar) for pillar in framework.pillars],
        "mapping": [
            {"pillar": goal.pillar, "upstream": goal.upstream, "ours": goal.code}
            for goal in goals
            if goal.upstream and goal.upstream != goal.code
        ],
    }


def export_markdown(framework: Framework) -> str:
    """A framework reference for the docs, rendered from ``templates/framework.md.j2``."""
    template = _environment().get_template("framework.md.j2")
    text = template.render(markdown_context(framework))
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


# ---- AWS Well-Architected custom lens ------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis when longer."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rstrip() + "…"


def _lens_id(*parts: str) -> str:
    cleaned = (re.sub(r"[^A-Za-z0-9]+", "_", part).strip("_") for part in parts)
    return "_".join(part for part in cleaned if part)


def _chunks(goals: Sequence[Goal]) -> list[list[Goal]]:
    """Split ``goals`` into as few, evenly sized parts as the choice limit allows."""
    count = math.ceil(len(goals) / LENS_MAX_GOALS_PER_QUESTION)
    size, rest = divmod(len(goals), count)
    parts: list[list[Goal]] = []
    start = 0
    for index in range(count):
        end = start + size + (1 if index < rest else 0)
        parts.append(list(goals[start:end]))
        start = end
    return parts


def _lens_choice(goal: Goal) -> dict[str, Any]:
    return {
        "id": _lens_id("pe", goal.code),
        "title": _clip(f"{goal.code} {goal.statement}", LENS_MAX_TITLE),
        "helpfulResource": {
            "displayText": _clip(f"{goal.statement} Why it matters: {goal.why}", LENS_MAX_TEXT)
        },
        "improvementPlan": {"displayText": _clip(goal.how, LENS_MAX_TEXT)},
    }


def _risk_rules(goals: Sequence[Goal], choice_ids: Sequence[str]) -> list[dict[str, str]]:
    rules = [{"condition": " && ".join(choice_ids), "risk": "NO_RISK"}]
    critical = [cid for goal, cid in zip(goals, choice_ids, strict=True) if goal.level == 1]
    if critical:
        rules.append({"condition": " || ".join(f"!{cid}" for cid in critical), "risk": "HIGH_RISK"})
    rules.append({"condition": "default", "risk": "MEDIUM_RISK"})
    return rules


def _lens_questions(pillar: Pillar, pillar_id: str) -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = []
    for category in pillar.categories:
        goals = [goal for goal in category.goals if goal.in_scope]
        if not goals:
            continue
        parts = _chunks(goals)
        for index, part in enumerate(parts, start=1):
            numbered = len(parts) > 1
            question_id = _lens_id(pillar_id, category.id, f"p{index}" if numbered else "")
            suffix = f" ({index}/{len(parts)})" if numbered else ""
            choices = [_lens_choice(goal) for goal in part]
            choice_ids = [choice["id"] for choice in choices]
            span = part[0].code if len(part) == 1 else f"{part[0].code} to {part[-1].code}"
            description = f"{category.summary} Goals {span} of the {pillar.name} pillar."
            question: dict[str, Any] = {
                "id": question_id,
                "title": _clip(
                    f"Which {category.name} goals does your platform meet?{suffix}", LENS_MAX_TITLE
                ),
                "description": _clip(description, LENS_MAX_TEXT),
            }
            if pillar.summary:
                question["helpfulResource"] = {"displayText": _clip(pillar.summary, LENS_MAX_TEXT)}
            question["choices"] = [
                *choices,
                {"id": f"{question_id}_no", "title": "None of these"},
            ]
            question["riskRules"] = _risk_rules(part, choice_ids)
            questions.append(question)
    return questions


def wa_lens_data(framework: Framework) -> dict[str, Any]:
    """The AWS Well-Architected custom lens as plain data; raises ValueError past the limits."""
    pillars: list[dict[str, Any]] = []
    for pillar in framework.pillars:
        pillar_id = _lens_id("pe", pillar.id)
        questions = _lens_questions(pillar, pillar_id)
        if not questions:
            continue
        if len(questions) > LENS_MAX_QUESTIONS:
            raise ValueError(
                f"pillar {pillar.id} needs {len(questions)} lens questions; an AWS lens pillar"
                f" allows {LENS_MAX_QUESTIONS}. Merge categories or put goals out of scope."
            )
        pillars.append(
            {"id": pillar_id, "name": _clip(pillar.name, LENS_MAX_TITLE), "questions": questions}
        )
    if not pillars:
        raise ValueError("no goal is in scope, so the lens would have no questions")
    if len(pillars) > LENS_MAX_PILLARS:
        raise ValueError(
            f"the framework has {len(pillars)} pillars with goals; an AWS lens allows"
            f" {LENS_MAX_PILLARS}. Put the goals of some pillars out of scope."
        )
    description = (
        f"{framework.description} Exported by platform-maturity: one question per goal"
        " category, one choice per goal."
    )
    return {
        "schemaVersion": LENS_SCHEMA_VERSION,
        "name": _clip(f"{framework.name} {framework.version}".strip(), LENS_MAX_TITLE),
        "description": _clip(description, LENS_MAX_TEXT),
        "pillars": pillars,
    }


def export_wa_lens(framework: Framework) -> str:
    """An AWS Well-Architected custom lens (JSON) with one question per goal category."""
    text = json.dumps(wa_lens_data(framework), indent=2, ensure_ascii=False) + "\n"
    size = len(text.encode("utf-8"))
    if size >= LENS_MAX_BYTES:
        raise ValueError(
            f"the lens is {size} bytes; AWS imports lenses under {LENS_MAX_BYTES} bytes"
        )
    return text


# ---- dispatch ----------------------------------------------------------------------------

_EXPORTERS: dict[str, Callable[[Framework], str]] = {
    "json": export_json,
    "yaml": export_yaml,
    "markdown": export_markdown,
    "wa-lens": export_wa_lens,
}


def export(framework: Framework, fmt: str) -> str:
    """Export ``framework`` in ``fmt``, one of :data:`FORMATS`."""
    exporter = _EXPORTERS.get(fmt)
    if exporter is None:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    return exporter(framework)

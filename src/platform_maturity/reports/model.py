"""The report view model: everything a report shows, computed before rendering."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from platform_maturity.domain.backlog_results import SecuritySection
from platform_maturity.domain.framework import Framework
from platform_maturity.domain.kpi_results import KpiReport
from platform_maturity.domain.results import ScanResult, Scorecard, ScorecardDiff

REPORT_SCHEMA_VERSION = 1


class LevelInfo(BaseModel):
    model_config = ConfigDict(frozen=True)
    number: int
    name: str
    description: str


class HistoryPoint(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    as_of: datetime
    score: float | None
    level: int | None
    pillar_scores: dict[str, float | None]


class GoalText(BaseModel):
    model_config = ConfigDict(frozen=True)
    why: str
    how: str
    upstream: str | None


class ReportModel(BaseModel):
    """Rendered by every report format; the JSON report is this model as JSON."""

    model_config = ConfigDict(frozen=True)
    schema_version: int = REPORT_SCHEMA_VERSION
    title: str
    organization: str
    generated_at: datetime
    levels: tuple[LevelInfo, ...]
    scorecard: Scorecard
    changes: ScorecardDiff | None
    history: tuple[HistoryPoint, ...]
    goal_text: dict[str, GoalText]
    scan: ScanResult | None = None
    check_titles: dict[str, str] = {}
    # the security backlog: only in reports made with --include-security
    security: SecuritySection | None = None
    # why gaps matter: per goal code, the postmortems naming it and their cost
    gap_costs: dict[str, str] = {}
    kpis: KpiReport | None = None


def build_report_model(
    framework: Framework,
    organization: str,
    scorecard: Scorecard,
    history: list[Scorecard],
    history_names: list[str],
    changes: ScorecardDiff | None,
    generated_at: datetime,
    scan: ScanResult | None = None,
    check_titles: dict[str, str] | None = None,
    security: SecuritySection | None = None,
    gap_costs: dict[str, str] | None = None,
    kpis: KpiReport | None = None,
) -> ReportModel:
    points = tuple(
        HistoryPoint(
            name=name,
            as_of=card.as_of,
            score=card.organization.score,
            level=card.organization.level,
            pillar_scores={p.id: p.score for p in card.organization.pillars},
        )
        for name, card in zip(history_names, history, strict=True)
    )
    scope = scorecard.organization.name
    return ReportModel(
        title=f"Platform maturity — {scope}",
        organization=organization,
        generated_at=generated_at,
        levels=tuple(
            LevelInfo(number=lv.number, name=lv.name, description=lv.description)
            for lv in framework.levels
        ),
        scorecard=scorecard,
        changes=changes,
        history=points,
        scan=scan,
        check_titles=check_titles or {},
        security=security,
        gap_costs=gap_costs or {},
        kpis=kpis,
        goal_text={
            g.code: GoalText(
                why=g.why, how=g.how, upstream=g.upstream if g.upstream != g.code else None
            )
            for g in framework.goals()
        },
    )

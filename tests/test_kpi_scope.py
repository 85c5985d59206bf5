"""A unit's KPIs read the unit's own costs, SLI windows, drills and head counts; where the
data does not say the unit, the organization's value is shown, labelled organization-wide."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, func, select

from platform_maturity.cli.main import main
from platform_maturity.domain.events import CostLine, EventSet, Headcount, RecoveryDrill, SliWindow
from platform_maturity.domain.kpi_mapping import KpiMapping
from platform_maturity.domain.kpi_results import KpiReport, KpiResult
from platform_maturity.engine.kpi.periods import Quarter
from platform_maturity.engine.kpi.report import kpi_report
from platform_maturity.framework.loader import load_framework
from platform_maturity.services import transfer
from platform_maturity.store import db as _db  # noqa: F401  (every table in the metadata)
from platform_maturity.store.events import UnitHeadcountRow
from platform_maturity.store.models import Base

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
APRIL, MAY = datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)
FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def mapping(unit_tag: str | None = "team") -> KpiMapping:
    return KpiMapping.model_validate(
        {
            "units": {"api*": "alpha", "payments": "alpha"},
            "costs": {"unit_tag": unit_tag},
            "prometheus": {"subsystems": [{"name": "web", "total": "t", "unit": "beta"}]},
        }
    )


def cost(source_id: str, amount: float, category: str, team: str | None) -> CostLine:
    tags = (("team", team),) if team else ()
    return CostLine(
        "focus", source_id, APRIL, MAY, amount, amount, "EUR", "Usage", None, category, tags=tags
    )


def events() -> EventSet:
    return EventSet(
        sli=[
            SliWindow("api-gateway", "error", APRIL, MAY, 10, 1_000),
            SliWindow("web", "error", APRIL, MAY, 3, 3_000),
            SliWindow("misc", "error", APRIL, MAY, 7, 6_000),
        ],
        drills=[
            RecoveryDrill(
                "org",
                datetime(2026, 5, 1, 8, tzinfo=UTC),
                datetime(2026, 5, 1, 10, tzinfo=UTC),
                True,
            ),
            RecoveryDrill(
                "a",
                datetime(2026, 4, 15, 8, tzinfo=UTC),
                datetime(2026, 4, 15, 9, tzinfo=UTC),
                True,
                unit="alpha",
            ),
        ],
        costs=[
            cost("1", 300, "Developer Tools", "alpha"),
            cost("2", 500, "Compute", "beta"),
            cost("3", 1_000, "Compute", None),
        ],
        headcounts=[
            Headcount(date(2026, 4, 1), 10, 1_000),
            Headcount(date(2026, 4, 1), 3, None, unit="alpha"),
        ],
    )


def report(unit: str | None, kpi_mapping: KpiMapping | None = None) -> dict[str, KpiResult]:
    result: KpiReport = kpi_report(
        load_framework(),
        kpi_mapping or mapping(),
        events(),
        Quarter(2026, 2),
        ZoneInfo("UTC"),
        NOW,
        "Org",
        "EUR",
        quarters=1,
        unit=unit,
    )
    assert result.unit == unit
    return {k.id: k for k in result.kpis}


def test_a_units_own_data_gives_its_kpis() -> None:
    alpha = report("alpha")
    assert alpha["error-rate"].current.value == pytest.approx(1.0)  # 10 of 1,000
    assert alpha["error-rate"].scope == "unit"
    assert alpha["recovery-time-objective"].current.value == pytest.approx(1.0)
    assert alpha["recovery-time-objective"].scope == "unit"
    developer = alpha["cost-per-developer"]
    assert (developer.scope, developer.current.value) == ("unit", pytest.approx(100.0))
    assert developer.current.denominator == 3  # the unit's developers, not the organization's
    beta = report("beta")
    assert beta["error-rate"].current.value == pytest.approx(0.1)  # 3 of 3,000
    # beta's costs are its own, but its head counts are not recorded: no per-head value
    assert beta["cost-per-user"].scope == "unit"
    assert beta["cost-per-user"].current.value is None
    assert beta["cost-per-user"].current.numerator == pytest.approx(500.0)
    assert "--unit beta" in str(beta["cost-per-user"].current.note)
    assert all(k.scope == "unit" for k in alpha.values())


def test_data_of_no_unit_is_shown_as_the_organizations() -> None:
    organization = report(None)
    gamma = report("gamma")
    for kpi_id in ("error-rate", "recovery-time-objective", "cost-per-developer"):
        assert gamma[kpi_id].scope == "organization"
        assert gamma[kpi_id].scope_note and "organization's value" in gamma[kpi_id].scope_note
        assert gamma[kpi_id].current.value == organization[kpi_id].current.value
    assert gamma["error-rate"].current.value == pytest.approx(0.2)  # 20 of 10,000
    assert gamma["recovery-time-objective"].current.value == pytest.approx(2.0)
    assert gamma["cost-per-developer"].current.value == pytest.approx(30.0)  # 300 ÷ 10
    assert gamma["development-velocity"].scope == "unit"
    assert all(k.scope == "organization" and k.scope_note is None for k in organization.values())
    # without a unit tag no cost line says its unit: alpha's costs are the organization's
    untagged = report("alpha", mapping(unit_tag=None))
    assert untagged["cost-per-developer"].scope == "organization"
    assert untagged["cost-per-developer"].current.value == pytest.approx(30.0)


def test_every_table_is_exported() -> None:
    assert set(Base.metadata.tables) == set(transfer.TABLES)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_unit_drills_head_counts_and_cost_tags_end_to_end(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = workspace_dir / "maturity.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  name: Test Org\n", "  name: Test Org\n  currency: EUR\n"
        )
        + "kpi:\n  units:\n    payments: alpha\n  costs:\n    unit_tag: team\n",
        encoding="utf-8",
    )
    run(capsys, "import", "focus", str(FIXTURES / "focus" / "focus-1.2.csv"))
    run(capsys, "kpi", "headcount", "2026-04", "--developers", "10", "--users", "900")
    run(capsys, "kpi", "headcount", "2026-04", "--users", "50", "--unit", "alpha")
    out = run(
        capsys,
        "kpi",
        "drill",
        "--started",
        "2026-05-20T08:00Z",
        "--restored",
        "2026-05-20T10:00Z",
        "--unit",
        "Alpha",
    )
    assert "Recorded" in out

    def kpis(unit: str) -> dict[str, dict[str, object]]:
        text = run(capsys, "kpi", "-q", "2026-Q2", "--unit", unit, "--format", "json")
        return {k["id"]: k for k in json.loads(text)["kpis"]}

    alpha = kpis("alpha")
    assert alpha["recovery-time-objective"]["scope"] == "unit"
    assert alpha["recovery-time-objective"]["current"]["value"] == pytest.approx(2.0)  # type: ignore[index]
    per_user = alpha["cost-per-user"]
    # the FOCUS line tagged team=payments: EUR 100 effective (Compute) in May, ÷ 50 users
    assert per_user["scope"] == "unit"
    assert per_user["current"]["value"] == pytest.approx(2.0)  # type: ignore[index]
    beta = kpis("beta")
    # alpha's drill is not beta's, and nothing is the organization's: no value, beta's scope
    assert beta["recovery-time-objective"]["scope"] == "unit"
    assert beta["recovery-time-objective"]["current"]["value"] is None  # type: ignore[index]
    terminal = run(capsys, "kpi", "-q", "2026-Q2", "--unit", "beta")
    assert "[org]" in terminal  # beta has no tagged cost line; untagged ones exist
    markdown = run(capsys, "kpi", "-q", "2026-Q2", "--unit", "beta", "--format", "markdown")
    assert "**Scope: organization**" in markdown


def test_a_head_count_of_an_unknown_unit_is_refused(
    workspace_dir: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    heads = workspace_dir / "heads.csv"
    heads.write_text("month,developers,unit\n2026-04,4,alpha\n2026-05,5,gamma\n", encoding="utf-8")
    assert main(["import", "headcount", str(heads)]) != 0
    err = capsys.readouterr().err
    assert "unknown unit" in err and "gamma" in err and "heads.csv" in err and "3" in err
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            assert (
                connection.execute(select(func.count()).select_from(UnitHeadcountRow)).scalar_one()
                == 0
            )
    finally:
        engine.dispose()

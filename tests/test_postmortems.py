"""Postmortems: money, gaps checked against the framework, costs per gap, the store."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.postmortems import (
    ActionItem,
    Money,
    Postmortem,
    parse_money,
    resolve_gaps,
)
from platform_maturity.engine.postmortems import gap_costs, postmortem_measurements
from platform_maturity.framework.loader import load_framework
from platform_maturity.store import postmortem_queries as queries
from platform_maturity.store.db import open_database
from platform_maturity.store.models import AuditEvent
from tests.conftest import NOW


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("120000", 120000.0, "USD"),
        ("120k", 120000.0, "USD"),
        ("1.5m EUR", 1500000.0, "EUR"),
        ("EUR 2,500.50", 2500.5, "EUR"),
        ("  75_000 gbp ", 75000.0, "GBP"),
    ],
)
def test_parse_money(text: str, amount: float, currency: str) -> None:
    money = parse_money(text, "USD")
    assert (money.amount, money.currency) == (amount, currency)


@pytest.mark.parametrize("text", ["", "lots", "EUR 5 USD", "-5", "5 dollars", "1e6"])
def test_parse_money_refuses_what_is_not_money(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount of money"):
        parse_money(text, "USD")


def test_money_reads_naturally() -> None:
    assert str(Money(amount=120000, currency="USD")) == "120,000 USD"
    assert str(Money(amount=99.5, currency="EUR")) == "99.50 EUR"


def test_gaps_are_goal_codes_of_the_framework() -> None:
    framework = load_framework()
    assert resolve_gaps(framework, ["s.s.1", "C.S.6", "S.S.1"]) == ("S.S.1", "C.S.6")
    with pytest.raises(UserError) as caught:
        resolve_gaps(framework, ["S.S.99"])
    assert caught.value.field == "--gap" and caught.value.value == "S.S.99"
    assert "unknown goal code" in caught.value.message


def _pm(
    subject: str, gaps: tuple[str, ...], cost: Money | None, days_ago: int = 10, **kw: object
) -> Postmortem:
    return Postmortem(
        subject_kind="backlog_item",
        subject_id=subject,
        summary="Leaked token in CI logs",
        proximate_cause="A debug step printed the environment",
        platform_gaps=gaps,
        cost=cost,
        author="ana",
        created_at=NOW - timedelta(days=days_ago),
        updated_at=NOW - timedelta(days=days_ago),
        **kw,  # type: ignore[arg-type]
    )


def test_costs_per_gap_count_each_postmortem_in_full_per_currency() -> None:
    usd = Money(amount=100_000, currency="USD")
    pms = [
        _pm("1", ("S.S.1", "A.I.2"), usd),
        _pm("2", ("S.S.1",), Money(amount=50_000, currency="USD")),
        _pm("3", ("S.S.1",), Money(amount=10_000, currency="EUR")),
        _pm("4", ("C.S.6",), None),
        _pm("5", ("S.S.1",), usd, days_ago=-1),  # written after now: not counted
    ]
    costs = {g.code: g for g in gap_costs(pms, NOW)}
    assert [str(m) for m in costs["S.S.1"].costs] == ["150,000 USD", "10,000 EUR"]
    assert costs["S.S.1"].postmortems == 3
    assert costs["S.S.1"].subjects == ("backlog_item:1", "backlog_item:2", "backlog_item:3")
    assert [str(m) for m in costs["A.I.2"].costs] == ["100,000 USD"]
    assert costs["C.S.6"].headline == "1 postmortem(s), no cost stated"
    assert next(g.code for g in gap_costs(pms, NOW)) == "S.S.1"


def test_postmortem_metrics_cost_coverage_and_actions_done_on_time() -> None:
    today = NOW.date()
    actions = (
        ActionItem(title="on time", due=today - timedelta(days=5), done_at=NOW - timedelta(days=6)),
        ActionItem(title="late", due=today - timedelta(days=5), done_at=NOW - timedelta(days=1)),
        ActionItem(title="overdue", due=today - timedelta(days=1)),
        ActionItem(title="not due yet", due=today + timedelta(days=9)),
        ActionItem(title="no due date"),
    )
    pms = [
        _pm("1", ("S.S.1",), Money(amount=1, currency="USD"), action_items=actions),
        _pm("2", (), None),
    ]
    values = {m.metric_id: m for m in postmortem_measurements(pms, NOW)}
    assert values["coordination.postmortem-cost-estimate-coverage"].value == 50.0
    closure = values["coordination.postmortem-action-closure"]
    assert closure.value == pytest.approx(33.33) and closure.note == (
        "1 of 3 due action items done on time"
    )
    assert postmortem_measurements([], NOW) == []


def test_an_action_item_knows_when_it_is_overdue() -> None:
    item = ActionItem(title="Pin images", due=date(2026, 11, 1))
    assert item.overdue(date(2026, 11, 2)) and not item.overdue(date(2026, 11, 1))
    assert item.on_time() is None


def test_postmortems_round_trip_in_the_store_and_are_audited(database_url: str) -> None:
    database = open_database(database_url)
    try:
        restricted = _pm(
            "7",
            ("S.S.1", "C.S.6"),
            Money(amount=250_000, currency="USD"),
            action_items=(ActionItem(title="Rotate the token", owner="ci", due=date(2026, 12, 1)),),
            restricted=True,
        )
        open_one = _pm("INC-1", ("R.T.1",), None).model_copy(update={"subject_kind": "incident"})
        with database.transaction() as session:
            first = queries.add_postmortem(session, restricted, "ana", NOW)
            queries.add_postmortem(session, open_one, "ana", NOW)
        with database.transaction() as session:
            stored = queries.get_postmortem(session, first)
            assert stored is not None
            assert stored.platform_gaps == ("S.S.1", "C.S.6")
            assert stored.cost == Money(amount=250_000, currency="USD")
            assert stored.action_items[0].due == date(2026, 12, 1)
            assert stored.restricted
            visible = queries.list_postmortems(session, include_restricted=False)
            assert [p.subject_kind for p in visible] == ["incident"]
            mine = queries.list_postmortems(session, subject_kind="backlog_item", subject_id="7")
            assert [p.id for p in mine] == [first]
        done = stored.action_items[0].model_copy(update={"done_at": NOW})
        after = stored.model_copy(update={"action_items": (done,), "platform_gaps": ("S.S.1",)})
        with database.transaction() as session:
            queries.replace_postmortem(session, stored, after, "bo", NOW)
        with database.transaction() as session:
            again = queries.get_postmortem(session, first)
            events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        assert again is not None and again.action_items[0].done
        assert again.platform_gaps == ("S.S.1",)
        changed = [(e.field, e.restricted) for e in events if e.action == "update"]
        assert changed == [("platform_gaps", True), ("action_items", True)]
        assert [e.restricted for e in events if e.action == "create"] == [True, False]
    finally:
        database.close()

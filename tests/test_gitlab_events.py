"""The status history GitLab resource events give an issue (pure, no store)."""

from __future__ import annotations

from datetime import UTC, datetime

from platform_maturity.domain.events import IssueEvent, WorkItem
from platform_maturity.domain.kpi_mapping import KpiMapping, StatusConfig
from platform_maturity.importers.gitlab_events import with_history


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 4, day, hour, tzinfo=UTC)


def item(done: bool, **changes: object) -> WorkItem:
    return WorkItem(
        source="gitlab",
        source_id="shop/api#1",
        key="shop/api#1",
        kind="feature",
        created_at=at(1),
        title="x",
        project="shop/api",
        status="closed" if done else "opened",
        status_category="done" if done else "todo",
        completed_at=at(20) if done else None,
        first_completed_at=at(20) if done else None,
        reopened=changes.pop("reopened", 0),  # type: ignore[arg-type]
    )


def state(n: int, when: datetime, value: str) -> IssueEvent:
    return IssueEvent("gitlab", f"state:{n}", "1", when, "state", value)


def label(n: int, when: datetime, name: str, action: str = "add") -> IssueEvent:
    return IssueEvent("gitlab", f"label:{n}", "1", when, "label", name, action)


def test_final_close_completes_and_each_reopening_counts() -> None:
    events = [state(3, at(4), "closed"), state(1, at(2), "closed"), state(2, at(3), "reopened")]
    out = with_history(item(done=True), events, KpiMapping())
    assert (out.first_completed_at, out.completed_at, out.reopened) == (at(2), at(4), 1)
    assert [t.to_category for t in out.transitions] == ["done", "todo", "done"]


def test_an_issue_open_again_is_not_completed() -> None:
    events = [state(1, at(2), "closed"), state(2, at(3), "reopened")]
    out = with_history(item(done=False), events, KpiMapping())
    assert (out.completed_at, out.first_completed_at, out.reopened) == (None, at(2), 1)


def test_only_started_labels_start_work_and_the_first_start_counts() -> None:
    events = [
        label(1, at(2), "type::feature"),
        label(2, at(3), "Doing"),
        label(3, at(4), "Doing", "remove"),
        label(4, at(5), "Doing"),
        state(1, at(6), "closed"),
        label(5, at(6), "Doing", "remove"),  # the board move that closed it: no step back
    ]
    out = with_history(item(done=True), events, KpiMapping())
    assert out.started_at == at(3)
    assert [(t.to_status, t.to_category) for t in out.transitions] == [
        ("Doing", "in_progress"),
        ("opened", "todo"),
        ("Doing", "in_progress"),
        ("closed", "done"),
    ]
    assert out.reopened == 0


def test_a_state_listed_as_started_starts_work() -> None:
    mapping = KpiMapping(statuses=StatusConfig(started=["reopened"]))
    events = [state(1, at(2), "closed"), state(2, at(3), "reopened")]
    out = with_history(item(done=False), events, mapping)
    assert (out.started_at, out.reopened) == (at(3), 1)


def test_without_state_events_the_issue_keeps_its_own_closes() -> None:
    out = with_history(item(done=True, reopened=1), [label(1, at(3), "Doing")], KpiMapping())
    assert (out.started_at, out.completed_at, out.reopened) == (at(3), at(20), 1)

"""What postmortems say about the platform: the cost behind each gap, and follow-through."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from platform_maturity.domain.postmortems import GapCost, Money, Postmortem
from platform_maturity.domain.records import Measurement

COST_COVERAGE_METRIC = "coordination.postmortem-cost-estimate-coverage"
ACTION_CLOSURE_METRIC = "coordination.postmortem-action-closure"


def gap_costs(postmortems: Iterable[Postmortem], now: datetime) -> list[GapCost]:
    """Per goal code named as a platform gap, the postmortems and their summed cost.

    Postmortems written after ``now`` are left out. Ordered by the largest total first.
    """
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[str, int] = defaultdict(int)
    subjects: dict[str, list[str]] = defaultdict(list)
    for pm in postmortems:
        if pm.created_at > now:
            continue
        for code in pm.platform_gaps:
            counts[code] += 1
            ref = f"{pm.subject_kind}:{pm.subject_id}"
            if ref not in subjects[code]:
                subjects[code].append(ref)
            if pm.cost is not None:
                totals[code][pm.cost.currency] += pm.cost.amount
    result = [
        GapCost(
            code=code,
            postmortems=count,
            subjects=tuple(subjects[code]),
            costs=tuple(
                Money(amount=round(amount, 2), currency=currency)
                for currency, amount in sorted(totals[code].items(), key=lambda kv: -kv[1])
            ),
        )
        for code, count in counts.items()
    ]
    return sorted(result, key=lambda g: (-max((m.amount for m in g.costs), default=0.0), g.code))


def postmortem_measurements(postmortems: Sequence[Postmortem], now: datetime) -> list[Measurement]:
    """The share of postmortems with a cost estimate, and of action items done on time.

    Both are organization-wide values as of ``now``; nothing is returned without data.
    An action item counts once it is due (or done): done by its due date is on time,
    done late or still open after its due date is not.
    """
    written = [pm for pm in postmortems if pm.created_at <= now]
    result: list[Measurement] = []
    if written:
        with_cost = sum(1 for pm in written if pm.cost is not None)
        result.append(
            Measurement(
                metric_id=COST_COVERAGE_METRIC,
                value=round(100.0 * with_cost / len(written), 2),
                measured_at=now,
                source="postmortems",
                note=f"{with_cost} of {len(written)} postmortems state a cost",
            )
        )
    today = now.date()
    due: list[bool] = []  # per action item that counts: done on time?
    for pm in written:
        for a in pm.action_items:
            if a.due is None:
                continue
            done = a.done_at is not None and a.done_at <= now
            if done or a.due < today:
                due.append(done and a.on_time() is True)
    if due:
        on_time = sum(due)
        result.append(
            Measurement(
                metric_id=ACTION_CLOSURE_METRIC,
                value=round(100.0 * on_time / len(due), 2),
                measured_at=now,
                source="postmortems",
                note=f"{on_time} of {len(due)} due action items done on time",
            )
        )
    return result

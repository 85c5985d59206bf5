"""Postmortems: what went wrong, which platform gaps allowed it, what it cost, what follows.

A postmortem is a generic record attached to a *subject* by kind and id: a security
backlog item today (kind ``backlog_item``), an incident later. The platform gaps are goal
codes of the framework, so the cost of an incident or a vulnerability becomes evidence
of why a gap matters.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.framework import Framework

SUBJECT_KIND_PATTERN = r"^[a-z][a-z0-9_]*$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
ACTION_KINDS = ("prevent", "detect", "mitigate", "process")


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Money(_Record):
    """An amount of money in one currency (ISO 4217 code), e.g. 120000 USD."""

    amount: float = Field(ge=0)
    currency: str = Field(pattern=CURRENCY_PATTERN)

    def __str__(self) -> str:
        whole = self.amount == int(self.amount)
        return (
            f"{self.amount:,.0f} {self.currency}"
            if whole
            else f"{self.amount:,.2f} {self.currency}"
        )


_MONEY = re.compile(
    r"^\s*([A-Za-z]{3})?\s*([0-9][0-9_,]*(?:\.[0-9]+)?)\s*([kKmM])?\s*([A-Za-z]{3})?\s*$"
)


def parse_money(text: str, default_currency: str) -> Money:
    """``120000``, ``120k EUR``, ``EUR 1.5m``, ``1,500.50 USD`` → Money; ValueError otherwise."""
    match = _MONEY.match(text)
    if not match or (match.group(1) and match.group(4)):
        raise ValueError(
            f"not an amount of money: {text!r}; write e.g. '120000 USD', '120k' or 'EUR 1.5m'"
        )
    number = float(match.group(2).replace(",", "").replace("_", ""))
    scale = {"k": 1e3, "m": 1e6}.get((match.group(3) or "").lower(), 1.0)
    currency = (match.group(1) or match.group(4) or default_currency).upper()
    return Money(amount=round(number * scale, 2), currency=currency)


class ActionItem(_Record):
    """A follow-up: what to do, who owns it, by when, and when it was done."""

    title: str = Field(min_length=3, max_length=300)
    owner: str | None = None
    due: date | None = None
    kind: str | None = Field(default=None, pattern="^(" + "|".join(ACTION_KINDS) + ")$")
    done_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def overdue(self, today: date) -> bool:
        return not self.done and self.due is not None and self.due < today

    def on_time(self) -> bool | None:
        """Done by its due date (None while open or without a due date)."""
        if self.done_at is None or self.due is None:
            return None
        return self.done_at.date() <= self.due


class TimelineEntry(_Record):
    at: datetime
    text: str = Field(min_length=1)


class IncidentImpact(_Record):
    """What an incident's postmortem adds: impact, detection, timeline and the money figure
    (lost revenue from the component's revenue per minute, plus responder time × rate)."""

    users_affected: int | None = Field(default=None, ge=0)
    minutes: float = Field(ge=0)
    detection: str = ""  # how it was detected, and how fast
    lost_revenue: float = Field(default=0, ge=0)
    responder_hours: float = Field(default=0, ge=0)
    response_cost: float = Field(default=0, ge=0)
    timeline: tuple[TimelineEntry, ...] = ()


class Postmortem(_Record):
    id: int | None = None
    subject_kind: str = Field(pattern=SUBJECT_KIND_PATTERN)
    subject_id: str = Field(min_length=1, max_length=100)
    summary: str = Field(min_length=3)
    proximate_cause: str = Field(min_length=3)
    platform_gaps: tuple[str, ...] = ()
    cost: Money | None = None
    action_items: tuple[ActionItem, ...] = ()
    author: str
    created_at: datetime
    updated_at: datetime
    restricted: bool = False
    impact: IncidentImpact | None = None  # incidents only

    @field_validator("platform_gaps")
    @classmethod
    def _unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(value))

    @property
    def complete(self) -> bool:
        """Names at least one platform gap and states a cost: what the framework asks for."""
        return bool(self.platform_gaps) and self.cost is not None


class GapCost(_Record):
    """Why a gap matters: the postmortems that name it and what they cost.

    A postmortem's whole cost counts for every gap it names (it is not split), so the
    totals of several gaps overlap and must not be added up.
    """

    code: str
    postmortems: int
    subjects: tuple[str, ...]  # "kind:id" of each subject, in order of first mention
    costs: tuple[Money, ...]  # one total per currency, largest first

    @property
    def headline(self) -> str:
        money = " + ".join(str(m) for m in self.costs) or "no cost stated"
        return f"{self.postmortems} postmortem(s), {money}"


def resolve_gaps(framework: Framework, codes: list[str], field: str = "--gap") -> tuple[str, ...]:
    """Goal codes (or upstream aliases) → the framework's own codes, each once.

    An unknown code is refused with the framework's suggestion ("did you mean ...").
    """
    resolved: list[str] = []
    for code in codes:
        try:
            resolved.append(framework.goal(code).code)
        except KeyError as exc:
            raise UserError(
                str(exc),
                field=field,
                value=code,
                hint="Platform gaps are goal codes, e.g. S.S.1; 'maturity framework show"
                " PILLAR' lists them.",
            ) from None
    return tuple(dict.fromkeys(resolved))

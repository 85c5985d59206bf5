"""Calendar quarters in the organization's time zone, as half-open UTC windows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from platform_maturity.domain.errors import UserError

_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @property
    def name(self) -> str:
        return f"{self.year}-Q{self.number}"

    def start(self, zone: ZoneInfo) -> datetime:
        return datetime(self.year, 3 * self.number - 2, 1, tzinfo=zone).astimezone(UTC)

    def end(self, zone: ZoneInfo) -> datetime:
        return self.next().start(zone)

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def months(self) -> list[tuple[int, int]]:
        first = 3 * self.number - 2
        return [(self.year, first + i) for i in range(3)]


def quarter_of(moment: datetime, zone: ZoneInfo) -> Quarter:
    local = moment.astimezone(zone)
    return Quarter(local.year, (local.month - 1) // 3 + 1)


def parse_quarter(text: str) -> Quarter:
    match = _QUARTER.match(text.strip())
    if match is None:
        raise UserError(
            "not a quarter", field="--quarter", value=text, hint="Use the form 2026-Q3."
        )
    return Quarter(int(match.group(1)), int(match.group(2)))


def last_quarters(current: Quarter, count: int) -> list[Quarter]:
    """``count`` quarters ending with ``current``, oldest first."""
    quarters = [current]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return list(reversed(quarters))

"""Work items as columns: what the KPI engine reads of a million tickets, as NumPy arrays.

A list of :class:`~platform_maturity.domain.events.WorkItem` records costs an object per
ticket to build and a Python step per ticket and KPI to read. The KPI engine needs only ten
facts of each item, so the store hands them over column by column and the engine counts and
measures with array operations: texts as small integer codes (:class:`Category`), times as
integer microseconds since the Unix epoch (UTC; :data:`MISSING` where unknown), so durations
come out exactly as ``(end - start).total_seconds()`` does. :meth:`WorkTable.from_items`
builds the same table from records, so both ways give the same numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from platform_maturity.domain.events import WorkItem

Flags = npt.NDArray[np.bool_]
Micros = npt.NDArray[np.int64]
Codes = npt.NDArray[np.int32]

MISSING = -(2**63)  # a time that is not known (NumPy's NaT; before any window, never counted)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
TEXT_COLUMNS = ("kind", "unit", "resolution", "severity", "found_in")


def micros(moment: datetime | None) -> int:
    """Microseconds since the Unix epoch, exactly; :data:`MISSING` for None."""
    return MISSING if moment is None else (moment - EPOCH) // MICROSECOND


@dataclass(frozen=True, slots=True)
class Category:
    """A text column: a code per row into ``values`` (which may hold ``None``)."""

    codes: Codes
    values: tuple[str | None, ...]

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def equals(self, value: str | None) -> Flags:
        """Where the column holds ``value``."""
        if value not in self.values:
            return np.zeros(len(self), dtype=np.bool_)
        return self.codes == self.values.index(value)  # type: ignore[no-any-return]

    def where(self, mask: Flags) -> Category:
        return Category(self.codes[mask], self.values)

    def take(self, rows: npt.NDArray[np.intp]) -> Category:
        return Category(self.codes[rows], self.values)

    def counts(self, mask: Flags | None = None) -> Counter[str | None]:
        """How many rows (where ``mask`` is true) hold each value; zero counts left out."""
        codes = self.codes if mask is None else self.codes[mask]
        found = np.bincount(codes, minlength=len(self.values))
        return Counter({self.values[i]: int(n) for i, n in enumerate(found) if n})

    @classmethod
    def of(cls, texts: Sequence[str | None]) -> Category:
        index: dict[str | None, int] = {}
        codes = [index.setdefault(t, len(index)) for t in texts]
        return cls(np.array(codes, dtype=np.int32), tuple(index))


@dataclass(frozen=True, slots=True)
class WorkTable:
    """Equal-length columns, one row per work item.

    The texts hold the record's values (``None`` where it has none); ``reopened`` says
    whether the item was ever reopened; ``created``, ``started`` and ``completed`` are
    microseconds since the Unix epoch.
    """

    kind: Category
    unit: Category
    resolution: Category
    severity: Category
    found_in: Category
    is_bot: Flags
    reopened: Flags
    created: Micros
    started: Micros
    completed: Micros

    def __len__(self) -> int:
        return int(self.created.shape[0])

    def where(self, mask: Flags) -> WorkTable:
        """The rows where ``mask`` is true."""
        return self.take(np.flatnonzero(mask))

    def take(self, rows: npt.NDArray[np.intp]) -> WorkTable:
        """The given rows, in that order."""
        return WorkTable(
            self.kind.take(rows),
            self.unit.take(rows),
            self.resolution.take(rows),
            self.severity.take(rows),
            self.found_in.take(rows),
            self.is_bot[rows],
            self.reopened[rows],
            self.created[rows],
            self.started[rows],
            self.completed[rows],
        )

    def split(self, groups: npt.NDArray[np.intp], count: int) -> list[WorkTable]:
        """The rows of each group ``0..count-1`` (rows in other groups are left out)."""
        order = np.argsort(groups, kind="stable")
        bounds = np.searchsorted(groups[order], np.arange(count + 1))
        return [self.take(order[bounds[i] : bounds[i + 1]]) for i in range(count)]

    @classmethod
    def from_rows(
        cls,
        texts: Sequence[tuple[str | None, ...]],
        bots: Sequence[bool],
        reopens: Sequence[bool],
        combination: Sequence[int],
        created: Sequence[int] | Sequence[str],
        started: Sequence[int] | Sequence[str],
        completed: Sequence[int] | Sequence[str],
        text_times: bool = False,
    ) -> WorkTable:
        """Rows whose facts come as a code (``combination``) into the distinct combinations
        of (kind, unit, resolution, severity, found_in) ``texts``, ``bots`` and ``reopens``:
        a million tickets hold only a few hundred of those. Times are microseconds, or with
        ``text_times`` UTC text (``2026-05-01 10:00:00.250000``, ``NaT`` when unknown)."""
        combos = np.array(combination, dtype=np.int32)
        columns: list[Category] = []
        for position in range(len(TEXT_COLUMNS)):
            per_combo = Category.of([t[position] for t in texts])
            columns.append(Category(per_combo.codes[combos], per_combo.values))
        kind, unit, resolution, severity, found_in = columns

        def moments(values: Sequence[int] | Sequence[str]) -> Micros:
            if text_times:
                parsed: Micros = np.array(values, dtype="datetime64[us]").view(np.int64)
                return parsed
            return np.array(values, dtype=np.int64)

        return cls(
            kind,
            unit,
            resolution,
            severity,
            found_in,
            is_bot=np.array(bots, dtype=np.bool_)[combos],
            reopened=np.array(reopens, dtype=np.bool_)[combos],
            created=moments(created),
            started=moments(started),
            completed=moments(completed),
        )

    @classmethod
    def from_items(cls, items: Sequence[WorkItem]) -> WorkTable:
        return cls(
            Category.of([i.kind for i in items]),
            Category.of([i.unit for i in items]),
            Category.of([i.resolution for i in items]),
            Category.of([i.severity for i in items]),
            Category.of([i.found_in for i in items]),
            np.array([i.is_bot for i in items], dtype=np.bool_),
            np.array([bool(i.reopened) for i in items], dtype=np.bool_),
            np.array([micros(i.created_at) for i in items], dtype=np.int64),
            np.array([micros(i.started_at) for i in items], dtype=np.int64),
            np.array([micros(i.completed_at) for i in items], dtype=np.int64),
        )

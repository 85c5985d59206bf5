"""Developers and active users per month: ``month,developers,users[,unit][,note]``.

An empty or missing ``unit`` is the whole organization; a unit's slug gives that unit's
counts (the divisors of its cost KPIs).

``month`` is ``2026-07`` (or any date in the month); either count may be empty to keep the
one recorded before. ``maturity kpi headcount MONTH --developers N --users N`` records the
same from the command line.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.events import Headcount
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.common import csv_rows, parse_number

HINT = "A CSV with the header month,developers,users (e.g. 2026-07,42,120000)."
COLUMNS = ("month", "developers", "users", "unit", "note")


def parse_month(text: str | None, *, file: str, line: int | None, field: str = "month") -> date:
    raw = (text or "").strip()
    try:
        parts = [int(p) for p in raw.split("-")[:2]]
        if len(parts) != 2:
            raise ValueError
        return date(parts[0], parts[1], 1)
    except ValueError:
        raise UserError(
            "not a month", file=file, line=line, field=field, value=raw, hint="Use 2026-07."
        ) from None


class HeadcountImporter:
    kind = "headcount"
    title = "Developers and active users per month (CSV: month,developers,users)"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        file = str(path)
        header, rows = csv_rows(path, ("month",), "a headcount CSV", HINT)
        unknown = [c for c in header if c not in COLUMNS]
        if unknown or not {"developers", "users"} & set(header):
            raise UserError(
                "unknown column " + ", ".join(unknown)
                if unknown
                else "no developers or users column",
                file=file,
                line=1,
                hint=f"The columns are {', '.join(COLUMNS)}: month and at least one count. " + HINT,
            )
        batch = ImportBatch()
        for row in rows:
            batch.rows_read += 1
            month = parse_month(row.get("month"), file=file, line=row.line)
            developers = parse_number(
                row.get("developers"), file=file, line=row.line, field="developers"
            )
            users = parse_number(row.get("users"), file=file, line=row.line, field="users")
            for name, value in (("developers", developers), ("users", users)):
                if value is not None and value < 0:
                    raise UserError(
                        "a count cannot be negative",
                        file=file,
                        line=row.line,
                        field=name,
                        value=value,
                    )
            if developers is None and users is None:
                batch.skip("neither developers nor users given")
                continue
            unit = (row.get("unit") or "").strip() or None
            if unit is not None and context.units and unit not in context.units:
                raise UserError(
                    "unknown unit",
                    file=file,
                    line=row.line,
                    field="unit",
                    value=unit,
                    hint="Use a unit slug of maturity.yaml: " + ", ".join(sorted(context.units)),
                )
            batch.headcounts.append(Headcount(month, developers, users, row.get("note"), unit))
        return batch

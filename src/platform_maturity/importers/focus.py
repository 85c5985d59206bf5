"""FOCUS 1.0–1.2 cost and usage CSV (FinOps Open Cost and Usage Specification).

Read as the real files come: literal ``NULL`` cells, timestamps with or without ``Z``
(zone-less ones are UTC, as the specification requires), extra columns (an ``Id``),
``Tags`` as a JSON object. Each line keeps its charge period, billed and effective cost,
currency, charge category, provider, service category and name, sub-account and tags; the
KPI engine splits costs into developer- and user-scaling buckets from ``kpi.costs``.
Lines without an ``Id`` are keyed by a hash of their content, so the same file imported
twice adds nothing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.events import CostLine
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.common import csv_rows, parse_number, parse_time

SOURCE = "focus"
REQUIRED = (
    "BilledCost",
    "EffectiveCost",
    "BillingCurrency",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ChargeCategory",
    "ServiceCategory",
)
HINT = (
    "Export cost and usage in FOCUS 1.0, 1.1 or 1.2 (AWS Data Exports, Azure Cost Management"
    " and Google Cloud all offer it); columns BilledCost, EffectiveCost, BillingCurrency,"
    " ChargePeriodStart, ChargePeriodEnd, ChargeCategory and ServiceCategory are needed."
)
UTC_ZONE = ZoneInfo("UTC")


class FocusImporter:
    kind = "focus"
    title = "FOCUS 1.0-1.2 cost and usage CSV"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        file = str(path)
        header, rows = csv_rows(path, REQUIRED, "a FOCUS cost export", HINT)
        has_id = "Id" in header
        batch = ImportBatch()
        for row in rows:
            batch.rows_read += 1
            start = parse_time(
                row.get("ChargePeriodStart"),
                UTC_ZONE,
                file=file,
                line=row.line,
                field="ChargePeriodStart",
            )
            end = parse_time(
                row.get("ChargePeriodEnd"),
                UTC_ZONE,
                file=file,
                line=row.line,
                field="ChargePeriodEnd",
            )
            if start is None or end is None:
                batch.skip("missing charge period")
                continue
            billed = parse_number(
                row.get("BilledCost"), file=file, line=row.line, field="BilledCost"
            )
            effective = parse_number(
                row.get("EffectiveCost"), file=file, line=row.line, field="EffectiveCost"
            )
            if billed is None and effective is None:
                batch.skip("no cost on the line")
                continue
            tags_text = row.get("Tags")
            tags: tuple[tuple[str, str], ...] = ()
            if tags_text:
                try:
                    parsed = json.loads(tags_text)
                except json.JSONDecodeError:
                    raise UserError(
                        "Tags is not a JSON object",
                        file=file,
                        line=row.line,
                        field="Tags",
                        value=tags_text[:80],
                        hint='FOCUS tags look like {"team": "payments"}.',
                    ) from None
                if not isinstance(parsed, dict):
                    raise UserError(
                        "Tags is not a JSON object",
                        file=file,
                        line=row.line,
                        field="Tags",
                        value=tags_text[:80],
                    )
                tags = tuple(sorted((str(k), str(v)) for k, v in parsed.items()))
            currency = row.get("BillingCurrency") or context.currency
            source_id = row.get("Id") if has_id else None
            if not source_id:
                source_id = hashlib.sha1(
                    "\x1f".join(row.values.values()).encode(), usedforsecurity=False
                ).hexdigest()
            batch.costs.append(
                CostLine(
                    source=SOURCE,
                    source_id=source_id,
                    period_start=start,
                    period_end=end,
                    billed_cost=billed if billed is not None else effective or 0.0,
                    effective_cost=effective if effective is not None else billed or 0.0,
                    currency=currency,
                    charge_category=row.get("ChargeCategory") or "Usage",
                    provider=row.get("ProviderName"),
                    service_category=row.get("ServiceCategory"),
                    service_name=row.get("ServiceName"),
                    sub_account=row.get("SubAccountName") or row.get("SubAccountId"),
                    tags=tags,
                )
            )
        return batch

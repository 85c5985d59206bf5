"""AWS Cost and Usage Report (legacy CUR) CSV, mapped onto FOCUS-shaped cost lines.

Billed cost is ``lineItem/UnblendedCost``. Effective (amortised) cost follows the usual
mapping: reservation- and Savings-Plan-covered usage take ``reservation/EffectiveCost`` /
``savingsPlan/SavingsPlanEffectiveCost``; the upfront and recurring fees and the Savings
Plan negation lines are left out of the effective figure (they are amortised into usage).
Service category comes from the product code (a small built-in table); tags from
``resourceTags/user:*`` columns. Times without a zone are UTC.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from platform_maturity.domain.events import CostLine
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.common import csv_rows, parse_number, parse_time

SOURCE = "aws-cur"
REQUIRED = (
    "identity/LineItemId",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/LineItemType",
    "lineItem/ProductCode",
    "lineItem/UnblendedCost",
)
HINT = "Export the Cost and Usage Report as CSV (legacy CUR, not CUR 2.0 Parquet)."
UTC_ZONE = ZoneInfo("UTC")
CATEGORIES = {
    "AmazonEC2": "Compute",
    "AWSLambda": "Compute",
    "AmazonECS": "Compute",
    "AmazonEKS": "Compute",
    "AmazonS3": "Storage",
    "AmazonEBS": "Storage",
    "AmazonRDS": "Databases",
    "AmazonDynamoDB": "Databases",
    "AmazonElastiCache": "Databases",
    "AmazonCloudFront": "Networking",
    "AmazonVPC": "Networking",
    "AWSDataTransfer": "Networking",
    "AmazonRoute53": "Networking",
    "AmazonCloudWatch": "Management and Governance",
    "AWSCodePipeline": "Developer Tools",
    "AWSCodeBuild": "Developer Tools",
    "AWSCodeArtifact": "Developer Tools",
    "AmazonECR": "Developer Tools",
    "AmazonSQS": "Integration",
    "AmazonSNS": "Integration",
}
_AMORTISED_AWAY = (
    "RIFee",
    "SavingsPlanRecurringFee",
    "SavingsPlanUpfrontFee",
    "SavingsPlanNegation",
)


class AwsCurImporter:
    kind = "aws-cur"
    title = "AWS Cost and Usage Report (legacy CUR) CSV"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        file = str(path)
        header, rows = csv_rows(path, REQUIRED, "an AWS CUR CSV", HINT)
        tag_columns = [h for h in header if h.startswith("resourceTags/")]
        batch = ImportBatch()
        for row in rows:
            batch.rows_read += 1
            line_id = row.get("identity/LineItemId")
            start = parse_time(
                row.get("lineItem/UsageStartDate"),
                UTC_ZONE,
                file=file,
                line=row.line,
                field="lineItem/UsageStartDate",
            )
            end = parse_time(
                row.get("lineItem/UsageEndDate"),
                UTC_ZONE,
                file=file,
                line=row.line,
                field="lineItem/UsageEndDate",
            )
            if not line_id or start is None or end is None:
                batch.skip("line without id or usage period")
                continue
            kind = row.get("lineItem/LineItemType") or "Usage"
            unblended = (
                parse_number(
                    row.get("lineItem/UnblendedCost"),
                    file=file,
                    line=row.line,
                    field="lineItem/UnblendedCost",
                )
                or 0.0
            )
            effective = unblended
            if kind == "DiscountedUsage":
                effective = (
                    parse_number(
                        row.get("reservation/EffectiveCost"),
                        file=file,
                        line=row.line,
                        field="reservation/EffectiveCost",
                    )
                    or 0.0
                )
            elif kind == "SavingsPlanCoveredUsage":
                effective = (
                    parse_number(
                        row.get("savingsPlan/SavingsPlanEffectiveCost"),
                        file=file,
                        line=row.line,
                        field="savingsPlan/SavingsPlanEffectiveCost",
                    )
                    or 0.0
                )
            elif kind in _AMORTISED_AWAY:
                effective = 0.0
            product = row.get("lineItem/ProductCode") or ""
            category = {"Tax": "Tax", "Credit": "Credit", "Refund": "Credit"}.get(kind, "Usage")
            tags = tuple(
                (column.split(":", 1)[-1], value)
                for column in tag_columns
                if (value := row.get(column))
            )
            batch.costs.append(
                CostLine(
                    source=SOURCE,
                    source_id=f"{line_id}@{start.isoformat()}",
                    period_start=start,
                    period_end=end,
                    billed_cost=unblended,
                    effective_cost=effective,
                    currency=row.get("lineItem/CurrencyCode") or context.currency,
                    charge_category=category,
                    provider="AWS",
                    service_category=CATEGORIES.get(product, "Other"),
                    service_name=row.get("product/ProductName") or product,
                    sub_account=row.get("lineItem/UsageAccountId"),
                    tags=tags,
                )
            )
        return batch

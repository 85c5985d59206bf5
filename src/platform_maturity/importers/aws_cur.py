"""AWS Cost and Usage Report CSV, legacy CUR and CUR 2.0, mapped onto FOCUS-shaped lines.

The version is told by the header: legacy CUR names columns ``lineItem/UnblendedCost``,
CUR 2.0 (Data Exports) ``line_item_unblended_cost``, with the map columns ``product`` and
``resource_tags`` holding JSON objects. Billed cost is the unblended cost (CUR 2.0: the net
unblended cost where the export has it, i.e. after discounts). Effective (amortised) cost
follows the usual mapping: reservation- and Savings-Plan-covered usage take their effective
cost; the upfront and recurring fees and the Savings Plan negation lines are left out of the
effective figure (they are amortised into usage). Service category comes from the product
code (a small built-in table). Tags are the user tags by their own key, the same in both
versions: ``resourceTags/user:team`` and ``resource_tags`` ``{"user_team": ...}`` are both
``team``. Times without a zone are UTC.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.events import CostLine
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.common import CsvRow, csv_rows, parse_number, parse_time

SOURCE = "aws-cur"
HINT = (
    "Export the Cost and Usage Report as CSV: legacy CUR (lineItem/UnblendedCost columns)"
    " or CUR 2.0 from Data Exports (line_item_unblended_cost columns), not Parquet."
)
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


@dataclass(frozen=True)
class _Columns:
    """The columns one version of the report names each field by."""

    version: str
    line_id: str
    start: str
    end: str
    kind: str
    products: tuple[str, ...]  # the product code: the first of these present
    unblended: str
    net: str | None  # net unblended cost (after discounts), preferred where present
    currency: str
    account: str
    reservation: tuple[str, ...]  # effective cost of reservation-covered usage
    savings_plan: tuple[str, ...]  # effective cost of Savings-Plan-covered usage
    product_name: str | None  # a plain column (legacy) ...
    product_map: str | None  # ... or a key of the JSON map column ``product`` (CUR 2.0)
    tag_prefix: str | None  # legacy: one column a tag
    tag_map: str | None  # CUR 2.0: one JSON map column


CUR1 = _Columns(
    version="legacy CUR",
    line_id="identity/LineItemId",
    start="lineItem/UsageStartDate",
    end="lineItem/UsageEndDate",
    kind="lineItem/LineItemType",
    products=("lineItem/ProductCode",),
    unblended="lineItem/UnblendedCost",
    net=None,
    currency="lineItem/CurrencyCode",
    account="lineItem/UsageAccountId",
    reservation=("reservation/EffectiveCost",),
    savings_plan=("savingsPlan/SavingsPlanEffectiveCost",),
    product_name="product/ProductName",
    product_map=None,
    tag_prefix="resourceTags/",
    tag_map=None,
)
CUR2 = _Columns(
    version="CUR 2.0",
    line_id="identity_line_item_id",
    start="line_item_usage_start_date",
    end="line_item_usage_end_date",
    kind="line_item_line_item_type",
    products=("line_item_product_code", "product_servicecode"),
    unblended="line_item_unblended_cost",
    net="line_item_net_unblended_cost",
    currency="line_item_currency_code",
    account="line_item_usage_account_id",
    reservation=("reservation_net_effective_cost", "reservation_effective_cost"),
    savings_plan=(
        "savings_plan_net_savings_plan_effective_cost",
        "savings_plan_savings_plan_effective_cost",
    ),
    product_name=None,
    product_map="product_name",
    tag_prefix=None,
    tag_map="resource_tags",
)


def _required(columns: _Columns) -> list[str]:
    return [columns.line_id, columns.start, columns.end, columns.kind, columns.unblended]


def _version(file: str, header: list[str]) -> _Columns:
    names = set(header)
    columns = CUR2 if CUR2.unblended in names or CUR2.start in names else CUR1
    missing = [c for c in _required(columns) if c not in names]
    if not any(c in names for c in columns.products):
        missing.append(" or ".join(columns.products))
    if missing:
        raise UserError(
            f"not an AWS CUR CSV ({columns.version}): missing column"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(missing),
            file=file,
            line=1,
            hint=HINT,
        )
    return columns


def _json_map(file: str, row: CsvRow, column: str) -> dict[str, str]:
    """A CUR 2.0 map column: a JSON object of text values (empty when the cell is)."""
    text = row.get(column)
    if not text:
        return {}
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict):
        raise UserError(
            f"{column} is not a JSON object",
            file=file,
            line=row.line,
            field=column,
            value=text[:80],
            hint='CUR 2.0 map columns look like {"user_team": "payments"}.',
        )
    return {str(k): str(v) for k, v in parsed.items() if v is not None and v != ""}


def _tag_key(key: str) -> str:
    """``user:team`` (legacy) and ``user_team`` (CUR 2.0) are both the tag ``team``."""
    if ":" in key:
        return key.split(":", 1)[1]
    for prefix in ("user_", "aws_"):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


class AwsCurImporter:
    kind = "aws-cur"
    title = "AWS Cost and Usage Report CSV (legacy CUR or CUR 2.0)"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        file = str(path)
        header, rows = csv_rows(path, (), "an AWS CUR CSV", HINT)
        c = _version(file, header)
        tag_columns = [h for h in header if c.tag_prefix and h.startswith(c.tag_prefix)]
        present = set(header)
        batch = ImportBatch()

        def number(row: CsvRow, *names: str) -> float | None:
            for name in names:
                if name in present:
                    value = parse_number(row.get(name), file=file, line=row.line, field=name)
                    if value is not None:
                        return value
            return None

        for row in rows:
            batch.rows_read += 1
            line_id = row.get(c.line_id)
            start = parse_time(row.get(c.start), UTC_ZONE, file=file, line=row.line, field=c.start)
            end = parse_time(row.get(c.end), UTC_ZONE, file=file, line=row.line, field=c.end)
            if not line_id or start is None or end is None:
                batch.skip("line without id or usage period")
                continue
            kind = row.get(c.kind) or "Usage"
            unblended = number(row, c.unblended) or 0.0
            billed = (number(row, c.net) if c.net else None) or unblended
            effective = billed
            if kind == "DiscountedUsage":
                effective = number(row, *c.reservation) or 0.0
            elif kind == "SavingsPlanCoveredUsage":
                effective = number(row, *c.savings_plan) or 0.0
            elif kind in _AMORTISED_AWAY:
                effective = 0.0
            product = next((v for name in c.products if (v := row.get(name))), "")
            if c.product_map:
                product_name = _json_map(file, row, "product").get(c.product_map)
            else:
                product_name = row.get(c.product_name or "")
            if c.tag_map:  # sorted, as FOCUS tags are
                tags = tuple(
                    sorted((_tag_key(k), v) for k, v in _json_map(file, row, c.tag_map).items())
                )
            else:  # in column order
                tags = tuple(
                    (_tag_key(h.split("/", 1)[1]), v) for h in tag_columns if (v := row.get(h))
                )
            category = {"Tax": "Tax", "Credit": "Credit", "Refund": "Credit"}.get(kind, "Usage")
            batch.costs.append(
                CostLine(
                    source=SOURCE,
                    source_id=f"{line_id}@{start.isoformat()}",
                    period_start=start,
                    period_end=end,
                    billed_cost=billed,
                    effective_cost=effective,
                    currency=row.get(c.currency) or context.currency,
                    charge_category=category,
                    provider="AWS",
                    service_category=CATEGORIES.get(product, "Other"),
                    service_name=product_name or product,
                    sub_account=row.get(c.account),
                    tags=tags,
                )
            )
        return batch

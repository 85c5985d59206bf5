"""Cloud inventories: what runs in an account, as the cloud's own command-line tools list it.

"Percent of the system defined in infrastructure as code" needs the system's inventory,
not only its code. These exports are read (JSON, as the CLIs print it):

- AWS Resource Groups Tagging API, ``aws resourcegroupstaggingapi get-resources``:
  ``{"ResourceTagMappingList": [{"ResourceARN": ..., "Tags": [{"Key", "Value"}]}]}``.
  It lists resources that carry (or once carried) a tag, so untagged ones are missing.
- AWS Resource Explorer, ``aws resource-explorer-2 list-resources`` or ``search``:
  ``{"Resources": [{"Arn", "ResourceType", "Properties": [{"Name": "tags", "Data": [...]}]}]}``.
- Azure, ``az resource list``: ``[{"id", "name", "type", "tags": {...}}]``.
- Google Cloud, ``gcloud asset search-all-resources --format=json``:
  ``[{"name": "//compute.googleapis.com/projects/...", "assetType", "labels": {...}}]``.

Each entry becomes a :class:`~platform_maturity.collectors.terraform.model.Resource` of
origin ``inventory`` (its address and subject are the cloud's identifier), kept apart from
the resources Terraform declares; ``cloud_resource_in_code`` in ``relations.py`` judges them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from platform_maturity.collectors.terraform.model import Resource, Source
from platform_maturity.collectors.terraform.plan import TextLines, read_text

ORIGIN = "inventory"


class InventoryError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _pairs(tags: Any) -> dict[str, str]:
    """AWS tag lists ([{"Key", "Value"}]) or maps ({"k": "v"}) as a map of strings."""
    if isinstance(tags, dict):
        return {str(k): "" if v is None else str(v) for k, v in tags.items()}
    if isinstance(tags, list):
        return {
            str(t.get("Key", t.get("key"))): str(t.get("Value", t.get("value")) or "")
            for t in tags
            if isinstance(t, dict) and (t.get("Key") or t.get("key"))
        }
    return {}


def _text(item: Any, key: str) -> str:
    """A required string field of an entry (KeyError or TypeError when it is not one)."""
    value = item[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} is not a string")
    return value


def _aws_tagging(doc: Any) -> Iterator[tuple[str, str, str, dict[str, str]]]:
    for item in doc["ResourceTagMappingList"]:
        arn = _text(item, "ResourceARN")
        yield "aws", arn, _aws_type(arn), _pairs(item.get("Tags"))


def _aws_explorer(doc: Any) -> Iterator[tuple[str, str, str, dict[str, str]]]:
    for item in doc["Resources"]:
        arn = _text(item, "Arn")
        tags: dict[str, str] = {}
        for prop in item.get("Properties") or []:
            if isinstance(prop, dict) and str(prop.get("Name", "")).lower() == "tags":
                tags = _pairs(prop.get("Data"))
        yield "aws", arn, str(item.get("ResourceType") or _aws_type(arn)), tags


def _azure(doc: Any) -> Iterator[tuple[str, str, str, dict[str, str]]]:
    for item in doc:
        yield "azure", _text(item, "id"), str(item.get("type", "")), _pairs(item.get("tags"))


def _gcp(doc: Any) -> Iterator[tuple[str, str, str, dict[str, str]]]:
    for item in doc:
        kind = str(item.get("assetType", ""))
        yield "gcp", _text(item, "name"), kind, _pairs(item.get("labels"))


def _aws_type(arn: str) -> str:
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return ""
    kind = parts[5].split("/", 1)[0].split(":", 1)[0] if "/" in parts[5] or ":" in parts[5] else ""
    return f"{parts[2]}:{kind}" if kind else parts[2]


def _entries(doc: Any) -> Iterator[tuple[str, str, str, dict[str, str]]]:
    if isinstance(doc, dict) and "ResourceTagMappingList" in doc:
        return _aws_tagging(doc)
    if isinstance(doc, dict) and "Resources" in doc:
        return _aws_explorer(doc)
    if isinstance(doc, list) and doc and isinstance(doc[0], dict) and "assetType" in doc[0]:
        return _gcp(doc)
    if isinstance(doc, list):
        return _azure(doc)
    raise InventoryError("not a cloud inventory: expected an AWS, Azure or Google Cloud listing", 1)


def parse_inventory(text: str, display: str) -> Source:
    """The resources an inventory lists; an InventoryError naming the line if unreadable."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InventoryError(f"not valid JSON: {exc.msg}", exc.lineno) from None
    except (RecursionError, ValueError) as exc:
        raise InventoryError(f"not valid JSON: {type(exc).__name__}") from None
    lines = TextLines(text, addresses=False)
    source = Source(name=display, origin=ORIGIN)
    cursor = 0
    try:
        for cloud, identifier, kind, tags in _entries(doc):
            if not identifier:
                continue
            found = text.find(json.dumps(identifier)[1:-1], cursor)
            offset = found if found >= 0 else None
            cursor = found + 1 if found >= 0 else cursor
            start, end = lines.span(offset)
            source.resources.append(
                Resource(
                    type=f"{cloud}:{kind}" if kind else cloud,
                    name=identifier.rsplit("/", 1)[-1].rsplit(":", 1)[-1],
                    address=identifier,
                    module="",
                    values={"id": identifier, "tags": tags, "cloud": cloud},
                    raw={},
                    refs={},
                    file=display,
                    line_start=start,
                    line_end=end,
                    origin=ORIGIN,
                    source=display,
                    subject=identifier,
                )
            )
    except KeyError as exc:
        line = lines.line(cursor) if cursor else None
        raise InventoryError(f"an entry has no {exc} field", line) from None
    except (TypeError, AttributeError) as exc:
        line = lines.line(cursor) if cursor else None
        raise InventoryError(f"not a cloud inventory: unexpected structure ({exc})", line) from None
    return source


def read_inventory(
    path: Path, display: str, problem: Callable[[str, str, int | None], None]
) -> Source | None:
    """One inventory file; a problem (and None) when it cannot be read."""
    text = read_text(path, display, problem)
    if text is None:
        return None
    try:
        return parse_inventory(text, display)
    except InventoryError as exc:
        problem(display, exc.message, exc.line)
        return None


# tag keys (compared in lower case, without separators) that name the tool managing a resource
_MANAGER_KEYS = {"managedby", "provisioner", "provisionedby", "iac", "iactool"}
IAC_TOOLS = {
    "terraform": "Terraform",
    "opentofu": "OpenTofu",
    "tofu": "OpenTofu",
    "pulumi": "Pulumi",
    "cloudformation": "CloudFormation",
    "cdk": "AWS CDK",
    "crossplane": "Crossplane",
    "bicep": "Bicep",
    "arm": "ARM templates",
    "configconnector": "Config Connector",
}


def iac_marker(tags: dict[str, str]) -> str | None:
    """The tag or label that says an infrastructure-as-code tool manages a resource, as
    "key=value (Tool)"; None when none does."""
    for key, value in tags.items():
        if key.startswith("aws:cloudformation:"):
            return f"{key} (CloudFormation)"
        folded = key.lower().replace("-", "").replace("_", "").replace(":", "")
        tool = IAC_TOOLS.get(value.strip().lower().replace("-", "").replace(" ", ""))
        if folded in _MANAGER_KEYS and tool:
            return f"{key}={value} ({tool})"
        if key == "goog-terraform-provisioned" and value.lower() == "true":
            return f"{key}=true (Terraform)"
        if key == "managed-by-cnrm" and value.lower() == "true":
            return f"{key}=true (Config Connector)"
    return None


_GCP_API = re.compile(
    r"^(?://[a-z0-9.-]+\.googleapis\.com/|https://[a-z0-9.-]+\.googleapis\.com/"
    r"(?:[a-z]+/)?v[0-9a-z]+/)"
)


def identity_key(value: str) -> str:
    """An identifier as compared across inventories and Terraform: ARNs as they are, Azure
    ids in lower case, Google Cloud names and self links reduced to ``projects/...``."""
    if value.startswith("/subscriptions/"):
        return value.lower()
    if "googleapis.com/" in value:
        return _GCP_API.sub("", value)
    return value

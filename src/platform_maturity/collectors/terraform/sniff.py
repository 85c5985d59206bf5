"""Tell Terraform plans, states and cloud inventories by a cheap look at a file's head.

Apart from their readers (:mod:`~platform_maturity.collectors.terraform.plan`,
:mod:`~platform_maturity.collectors.terraform.inventory`): every scan's discovery sniffs
JSON files, and only a scan that finds some imports what reads them.
"""

from __future__ import annotations

from pathlib import Path

from platform_maturity.collectors.base import read_head


def looks_like_plan(path: Path) -> bool:
    """``terraform show -json`` output or a raw state file, by a cheap sniff of its head."""
    if path.suffix not in (".json", ".tfstate"):
        return False
    head = read_head(path)
    if b'"format_version"' in head and b'"terraform_version"' in head:
        return True
    return b'"lineage"' in head and b'"resources"' in head and b'"serial"' in head


def looks_like_inventory(path: Path) -> bool:
    """A cloud inventory export, by a cheap sniff of its head."""
    if path.suffix != ".json":
        return False
    head = read_head(path, 4096)
    if b'"ResourceTagMappingList"' in head or b'"assetType"' in head:
        return True
    if b'"Resources"' in head and b'"Arn"' in head:
        return True
    return head.lstrip().startswith(b"[") and b'"/subscriptions/' in head

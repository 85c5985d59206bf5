"""The share of the running system defined as code: cloud inventories against Terraform
state, cluster dumps against manifests, and the metric the scan derives from both."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platform_maturity.checks.catalog import load_catalog
from platform_maturity.cli.main import main
from platform_maturity.collectors.base import ScanContext
from platform_maturity.collectors.registry import check_functions
from platform_maturity.collectors.terraform.collector import TerraformCollector
from platform_maturity.collectors.terraform.inventory import (
    InventoryError,
    iac_marker,
    identity_key,
    parse_inventory,
)

CATALOG = load_catalog(functions=check_functions())
NOW = datetime(2026, 11, 20, tzinfo=UTC)
CHECK = "tf.cloud-resource-in-code"

TAGGING = {
    "ResourceTagMappingList": [
        {"ResourceARN": "arn:aws:s3:::acme-invoices", "Tags": []},
        {
            "ResourceARN": "arn:aws:ec2:eu-west-1:1:instance/i-0abc",
            "Tags": [{"Key": "Name", "Value": "bastion"}],
        },
        {
            "ResourceARN": "arn:aws:sqs:eu-west-1:1:jobs",
            "Tags": [{"Key": "managed_by", "Value": "OpenTofu"}],
        },
    ]
}
STATE = {
    "format_version": "1.0",
    "terraform_version": "1.9.8",
    "values": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_s3_bucket.invoices",
                    "mode": "managed",
                    "type": "aws_s3_bucket",
                    "name": "invoices",
                    "values": {"bucket": "acme-invoices", "arn": "arn:aws:s3:::acme-invoices"},
                }
            ]
        }
    },
}


def verdicts(folder: Path) -> dict[str, tuple[bool | None, str]]:
    collector = TerraformCollector()
    context = ScanContext(catalog=CATALOG, now=NOW, root=folder)
    result = collector.collect(collector.discover([folder]), context)
    assert not result.problems, result.problems
    return {o.subject: (o.passed, o.message) for o in result.observations if o.check_id == CHECK}


def test_inventory_entries_are_matched_against_state_and_tags(tmp_path: Path) -> None:
    (tmp_path / "inventory.json").write_text(json.dumps(TAGGING, indent=2))
    (tmp_path / "state.json").write_text(json.dumps(STATE))
    found = verdicts(tmp_path)
    assert found["arn:aws:s3:::acme-invoices"] == (
        True,
        "declared by aws_s3_bucket.invoices in state.json",
    )
    assert found["arn:aws:sqs:eu-west-1:1:jobs"][0] is True
    assert "managed_by=OpenTofu (OpenTofu)" in found["arn:aws:sqs:eu-west-1:1:jobs"][1]
    assert found["arn:aws:ec2:eu-west-1:1:instance/i-0abc"][0] is False


def test_without_state_an_untagged_resource_is_undecided(tmp_path: Path) -> None:
    (tmp_path / "inventory.json").write_text(json.dumps(TAGGING, indent=2))
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "invoices" {\n  bucket = "x"\n}\n')
    found = verdicts(tmp_path)
    assert found["arn:aws:s3:::acme-invoices"][0] is None
    assert "no 'terraform show -json' plan or state" in found["arn:aws:s3:::acme-invoices"][1]
    assert found["arn:aws:sqs:eu-west-1:1:jobs"][0] is True  # the tag still decides


def test_findings_point_at_the_entry_in_the_inventory(tmp_path: Path) -> None:
    text = json.dumps(TAGGING, indent=2)
    source = parse_inventory(text, "inventory.json")
    lines = text.splitlines()
    for resource in source.resources:
        assert resource.line_start is not None and resource.line_end is not None
        block = "\n".join(lines[resource.line_start - 1 : resource.line_end])
        assert resource.address in block


@pytest.mark.parametrize(
    ("document", "cloud", "identifier", "kind"),
    [
        (
            {"Resources": [{"Arn": "arn:aws:rds:eu-west-1:1:db:main", "ResourceType": "rds:db"}]},
            "aws",
            "arn:aws:rds:eu-west-1:1:db:main",
            "aws:rds:db",
        ),
        (
            [{"id": "/subscriptions/s/resourceGroups/G/providers/M.Web/sites/api", "type": "t"}],
            "azure",
            "/subscriptions/s/resourceGroups/G/providers/M.Web/sites/api",
            "azure:t",
        ),
        (
            [{"name": "//storage.googleapis.com/media", "assetType": "storage.googleapis.com/B"}],
            "gcp",
            "//storage.googleapis.com/media",
            "gcp:storage.googleapis.com/B",
        ),
        (
            {"ResourceTagMappingList": [{"ResourceARN": "arn:aws:s3:::logs", "Tags": []}]},
            "aws",
            "arn:aws:s3:::logs",
            "aws:s3",
        ),
    ],
)
def test_every_inventory_format_is_read(
    document: object, cloud: str, identifier: str, kind: str
) -> None:
    (resource,) = parse_inventory(json.dumps(document), "inv.json").resources
    assert (resource.values["cloud"], resource.address, resource.type) == (cloud, identifier, kind)


def test_identifiers_compare_across_formats() -> None:
    gcp = "//compute.googleapis.com/projects/p/zones/z/instances/web-1"
    link = "https://www.googleapis.com/compute/v1/projects/p/zones/z/instances/web-1"
    assert identity_key(gcp) == identity_key(link) == "projects/p/zones/z/instances/web-1"
    azure = "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Web/sites/API"
    assert identity_key(azure) == identity_key(azure.lower())
    assert identity_key("arn:aws:s3:::Logs") != identity_key("arn:aws:s3:::logs")


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"ManagedBy": "terraform"}, "ManagedBy=terraform (Terraform)"),
        ({"managed-by": "Pulumi"}, "managed-by=Pulumi (Pulumi)"),
        ({"aws:cloudformation:stack-id": "arn:..."}, "aws:cloudformation:stack-id"),
        ({"goog-terraform-provisioned": "true"}, "goog-terraform-provisioned=true"),
        ({"managed-by-cnrm": "true"}, "Config Connector"),
        ({"ManagedBy": "ops-team"}, None),
        ({"owner": "terraform"}, None),
    ],
)
def test_tags_that_name_an_iac_tool(tags: dict[str, str], expected: str | None) -> None:
    marker = iac_marker(tags)
    assert (marker is None) if expected is None else (marker is not None and expected in marker)


def test_a_broken_inventory_is_a_problem_with_its_line(tmp_path: Path) -> None:
    text = json.dumps(TAGGING, indent=2)
    (tmp_path / "inventory.json").write_text(text[: len(text) // 2])
    (tmp_path / "other.json").write_text(
        json.dumps({"ResourceTagMappingList": [{"Tags": []}]}, indent=2)
    )
    collector = TerraformCollector()
    result = collector.collect(
        collector.discover([tmp_path]), ScanContext(catalog=CATALOG, now=NOW, root=tmp_path)
    )
    problems = {p.path: p for p in result.problems}
    assert "not valid JSON" in problems["inventory.json"].message
    assert problems["inventory.json"].line is not None
    assert "ResourceARN" in problems["other.json"].message


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.one_of(
        json_values,
        st.builds(lambda v: {"ResourceTagMappingList": v}, json_values),
        st.builds(lambda v: {"Resources": v}, json_values),
        st.lists(
            st.dictionaries(st.sampled_from(["id", "name", "assetType", "tags"]), json_values)
        ),
    )
)
def test_any_json_is_read_or_refused_cleanly(document: object) -> None:
    try:
        source = parse_inventory(json.dumps(document), "inv.json")
    except InventoryError as error:
        assert error.message
    else:
        assert all(r.address for r in source.resources)


def test_the_scan_measures_the_share_defined_as_code(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = workspace_dir / "evidence"
    evidence.mkdir()
    (evidence / "inventory.json").write_text(json.dumps(TAGGING, indent=2))
    (evidence / "state.json").write_text(json.dumps(STATE))
    fixtures = Path(__file__).parent / "fixtures" / "checks" / "k8s.live-object-in-code"
    (evidence / "cluster.yaml").write_text((fixtures / "fail-created-by-hand.yaml").read_text())
    (evidence / "helm.yaml").write_text((fixtures / "pass-helm-and-argo.yaml").read_text())
    assert main(["scan", str(evidence), "--format", "json"]) == 0
    capsys.readouterr()
    assert main(["report", "--format", "json", "--details"]) == 0
    report = json.loads(capsys.readouterr().out)
    metric = next(
        m
        for p in report["scorecard"]["organization"]["pillars"]
        for m in p["metrics"]
        if m["id"] == "automation.infrastructure-as-code-coverage"
    )
    # cloud: 2 of 3 (the bucket in state, the tagged queue); cluster: 2 of 3 (Helm, Argo CD)
    assert metric["value"] == pytest.approx(100 * 4 / 6, abs=0.01)

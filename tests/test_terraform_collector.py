"""The Terraform collector: reading HCL and plan JSON, unknown values, relations between
resources, exemptions, bad input, and Kubernetes objects declared inside Terraform.

Each check's verdicts on its own fixtures are covered by test_checks_fixtures.py."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from platform_maturity.checks.catalog import load_catalog
from platform_maturity.collectors.base import CollectorResult, Exemption, ScanContext
from platform_maturity.collectors.registry import check_functions, collectors
from platform_maturity.collectors.terraform.collector import TerraformCollector
from platform_maturity.collectors.terraform.embedded import kubernetes_objects
from platform_maturity.collectors.terraform.hcl import HclError, parse_hcl
from platform_maturity.collectors.terraform.model import Unknown, references
from platform_maturity.collectors.terraform.plan import PlanError, parse_json, read_document
from platform_maturity.collectors.terraform.unknowns import decide, mark_interpolations
from platform_maturity.domain.observations import Observation
from platform_maturity.framework.loader import load_framework

NOW = datetime(2026, 11, 20, tzinfo=UTC)
CATALOG = load_catalog(load_framework(), functions=check_functions())


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def scan(root: Path, exemptions: tuple[Exemption, ...] = ()) -> CollectorResult:
    collector = TerraformCollector()
    context = ScanContext(catalog=CATALOG, now=NOW, root=root, exemptions=exemptions)
    return collector.collect(collector.discover([root]), context)


def verdicts(observations: list[Observation], check_id: str) -> dict[str, Observation]:
    return {o.subject: o for o in observations if o.check_id == check_id}


def plan_document(resources: list[dict[str, object]], **extra: object) -> dict[str, object]:
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": resources}},
        **extra,
    }


def resource(address: str, values: Mapping[str, object]) -> dict[str, object]:
    type_, name = address.split(".")[-2:]
    return {"address": address, "mode": "managed", "type": type_, "name": name, "values": values}


# ---------------------------------------------------------------- discovery and reading


def test_the_registry_knows_the_terraform_collector() -> None:
    found = collectors()["terraform"]
    assert (found.id, found.version) == ("terraform", "1")


def test_discover_picks_tf_files_and_plan_json_only(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", 'resource "aws_vpc" "main" {}')
    write(tmp_path, "plan.json", json.dumps(plan_document([])))
    write(tmp_path, "package.json", '{"name": "web", "format_version": "x"}')
    write(tmp_path, "deploy.yaml", "apiVersion: v1\nkind: Service\n")
    write(tmp_path, ".terraform/modules/x/main.tf", 'resource "aws_vpc" "vendored" {}')
    found = TerraformCollector().discover([tmp_path])
    assert sorted(p.name for p in found) == ["main.tf", "plan.json"]


def test_resources_carry_their_block_lines_and_address(tmp_path: Path) -> None:
    write(
        tmp_path,
        "db.tf",
        """
        # the main database
        resource "aws_db_instance" "main" {
          engine            = "postgres"
          storage_encrypted = false
        }
        """,
    )
    result = scan(tmp_path)
    found = verdicts(result.observations, "tf.rds-storage-encrypted")["aws_db_instance.main"]
    assert found.passed is False
    evidence = found.evidence[0]
    assert (evidence.path, evidence.line_start, evidence.line_end) == ("db.tf", 2, 5)
    assert evidence.object_ref == "aws_db_instance.main"
    assert found.collector == "terraform" and found.goal_codes == ("S.D.1",)


def test_subjects_outside_the_root_name_their_folder(tmp_path: Path) -> None:
    write(tmp_path, "prod/db.tf", 'resource "aws_db_instance" "main" {}')
    write(tmp_path, "staging/db.tf", 'resource "aws_db_instance" "main" {}')
    subjects = set(verdicts(scan(tmp_path).observations, "tf.rds-multi-az"))
    assert subjects == {"prod:aws_db_instance.main", "staging:aws_db_instance.main"}


# ---------------------------------------------------------------- unknown values


def test_an_interpolated_value_gives_no_verdict(tmp_path: Path) -> None:
    write(
        tmp_path,
        "db.tf",
        """
        resource "aws_db_instance" "main" {
          storage_encrypted   = var.encrypted
          publicly_accessible = false
          identifier          = "db-${var.env}"
        }
        """,
    )
    result = scan(tmp_path).observations
    encrypted = verdicts(result, "tf.rds-storage-encrypted")["aws_db_instance.main"]
    assert encrypted.passed is None
    assert "storage_encrypted = ${var.encrypted}" in encrypted.message
    # an unknown the check does not look at changes nothing
    assert verdicts(result, "tf.rds-not-public")["aws_db_instance.main"].passed is True


def test_a_template_with_literal_text_is_unknown_unless_every_fill_agrees() -> None:
    schema = {"properties": {"v": {"pattern": "^TLSv1\\.2_(2019|2021)$"}}, "required": ["v"]}
    validator = Draft202012Validator(schema)
    assert decide(validator, {"v": Unknown("TLSv1.2_${var.year}")}) is None
    assert decide(validator, {"v": Unknown("SSLv3-${var.x}")}) is False
    assert decide(validator, {"v": Unknown("TLSv1.2_${var.year}")}, ()) is False  # no pool


def test_several_unknowns_are_tried_in_mixed_combinations() -> None:
    schema = {
        "properties": {"a": {"const": True}, "b": {"const": False}},
        "required": ["a", "b"],
    }
    value = {"a": Unknown("${var.a}"), "b": Unknown("${var.b}"), "c": Unknown("${var.c}")}
    assert decide(Draft202012Validator(schema), value, relevant=("a", "b")) is None


def test_unknowns_take_the_schema_constants_and_bounds() -> None:
    validator = Draft202012Validator({"properties": {"n": {"type": "integer", "minimum": 30}}})
    assert decide(validator, {"n": Unknown("${var.days}")}, (29, 30, 31)) is None
    assert decide(validator, {"n": 35}) is True


def test_locals_with_literal_values_are_resolved(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """
        locals {
          encrypted = true
        }
        resource "aws_ebs_volume" "data" {
          encrypted = local.encrypted
        }
        """,
    )
    found = verdicts(scan(tmp_path).observations, "tf.ebs-volume-encrypted")
    assert found["aws_ebs_volume.data"].passed is True


def test_a_dynamic_block_is_unknown(tmp_path: Path) -> None:
    write(
        tmp_path,
        "table.tf",
        """
        resource "aws_dynamodb_table" "orders" {
          name = "orders"
          dynamic "point_in_time_recovery" {
            for_each = var.pitr ? [1] : []
            content {
              enabled = true
            }
          }
        }
        """,
    )
    found = verdicts(scan(tmp_path).observations, "tf.dynamodb-pitr")
    assert found["aws_dynamodb_table.orders"].passed is None


def test_count_zero_means_no_resource_and_unknown_count_no_verdict(tmp_path: Path) -> None:
    write(
        tmp_path,
        "vpc.tf",
        """
        resource "aws_vpc" "main" {
          cidr_block = "10.0.0.0/16"
        }
        resource "aws_flow_log" "main" {
          count  = var.flow_logs ? 1 : 0
          vpc_id = aws_vpc.main.id
        }
        resource "aws_ebs_volume" "never" {
          count = 0
        }
        """,
    )
    result = scan(tmp_path).observations
    assert verdicts(result, "tf.vpc-flow-logs")["aws_vpc.main"].passed is None
    assert not verdicts(result, "tf.ebs-volume-encrypted")


def test_a_resource_handed_to_a_module_is_unknown(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """
        resource "aws_lb" "web" {
          internal = false
        }
        module "waf" {
          source  = "./waf"
          alb_arn = aws_lb.web.arn
        }
        """,
    )
    found = verdicts(scan(tmp_path).observations, "tf.public-endpoint-waf")["aws_lb.web"]
    assert found.passed is None
    assert "module waf" in found.message


def test_an_association_through_a_variable_is_unknown(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """
        resource "aws_lb" "web" {}
        resource "aws_wafv2_web_acl_association" "web" {
          resource_arn = var.lb_arn
          web_acl_arn  = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/web/1"
        }
        """,
    )
    found = verdicts(scan(tmp_path).observations, "tf.public-endpoint-waf")["aws_lb.web"]
    assert found.passed is None


def test_references_name_resources_variables_and_modules() -> None:
    text = '${merge(var.tags, { Name = "a.b" }, module.net.vpc_id, aws_lb.web[0].arn)}'
    assert references(text) == {"var.tags", "module.net.vpc_id", "aws_lb.web"}
    assert references("${data.aws_vpc.main.id}") == {"data.aws_vpc.main"}


# ---------------------------------------------------------------- plan and state JSON


def test_a_plan_wins_over_the_tf_files_next_to_it(tmp_path: Path) -> None:
    write(
        tmp_path,
        "db.tf",
        """
        resource "aws_db_instance" "main" {
          storage_encrypted = var.encrypted

          lifecycle {
            prevent_destroy = true
          }
        }
        """,
    )
    doc = plan_document([resource("aws_db_instance.main", {"storage_encrypted": True})])
    write(tmp_path, "plan.json", json.dumps(doc, indent=2))
    result = scan(tmp_path)
    assert not result.problems
    encrypted = verdicts(result.observations, "tf.rds-storage-encrypted")["aws_db_instance.main"]
    assert encrypted.passed is True
    assert [e.path for e in encrypted.evidence] == ["plan.json", "db.tf"]
    assert encrypted.evidence[0].line_start == 7  # the resource object around its address
    kept = verdicts(result.observations, "tf.prevent-destroy")["aws_db_instance.main"]
    assert kept.passed is True  # lifecycle comes from the .tf file


def test_a_plan_alone_cannot_tell_prevent_destroy(tmp_path: Path) -> None:
    doc = plan_document([resource("aws_s3_bucket.data", {"bucket": "acme-data"})])
    write(tmp_path, "plans/prod.json", json.dumps(doc))
    found = verdicts(scan(tmp_path).observations, "tf.prevent-destroy")
    assert found["plans:aws_s3_bucket.data"].passed is None


def test_values_known_only_after_apply_are_unknown(tmp_path: Path) -> None:
    doc = plan_document(
        [resource("aws_kms_key.data", {"description": "data"})],
        resource_changes=[
            {
                "address": "aws_kms_key.data",
                "change": {"after_unknown": {"enable_key_rotation": True, "arn": True}},
            }
        ],
    )
    write(tmp_path, "plan.json", json.dumps(doc))
    found = verdicts(scan(tmp_path).observations, "tf.kms-key-rotation-enabled")
    assert found["aws_kms_key.data"].passed is None


def test_child_modules_are_read_with_their_addresses() -> None:
    doc = plan_document(
        [],
        planned_values={
            "root_module": {
                "child_modules": [
                    {
                        "address": "module.a",
                        "child_modules": [
                            {
                                "address": "module.a.module.b",
                                "resources": [
                                    resource("module.a.module.b.aws_vpc.main", {"cidr": "x"})
                                ],
                            }
                        ],
                    }
                ]
            }
        },
    )
    text = json.dumps(doc)
    source = read_document(json.loads(text), text, "plan.json", ".")
    assert source is not None
    (vpc,) = source.resources
    assert (vpc.address, vpc.module, vpc.type) == (
        "module.a.module.b.aws_vpc.main",
        "module.a.module.b",
        "aws_vpc",
    )


def test_a_raw_state_file_is_read(tmp_path: Path) -> None:
    state = {
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": 3,
        "lineage": "0f0e",
        "resources": [
            {
                "mode": "managed",
                "type": "aws_ecr_repository",
                "name": "app",
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": [{"attributes": {"name": "app", "image_tag_mutability": "MUTABLE"}}],
            }
        ],
    }
    write(tmp_path, "terraform.tfstate", json.dumps(state, indent=2))
    found = verdicts(scan(tmp_path).observations, "tf.ecr-immutable-tags")
    observation = found["aws_ecr_repository.app"]  # the only state in the scan root
    assert observation.passed is False
    assert observation.evidence[0].line_start is not None


# ---------------------------------------------------------------- exemptions


def test_exemptions_by_comment_tag_and_workspace(tmp_path: Path) -> None:
    write(
        tmp_path,
        "db.tf",
        """
        resource "aws_db_instance" "commented" {
          # platform-maturity.io/exempt-tf.rds-multi-az: dev database, single AZ is fine
          engine = "postgres"
        }
        resource "aws_db_instance" "tagged" {
          tags = {
            "platform-maturity.io/exempt-tf.rds-multi-az" = "replaced next quarter"
          }
        }
        resource "aws_db_instance" "listed" {}
        resource "aws_db_instance" "plain" {}
        """,
    )
    exemption = Exemption("tf.rds-*", "aws_db_instance.listed", "migration", source="maturity.yaml")
    found = verdicts(scan(tmp_path, (exemption,)).observations, "tf.rds-multi-az")
    assert found["aws_db_instance.commented"].waived
    assert "dev database" in found["aws_db_instance.commented"].message
    assert found["aws_db_instance.tagged"].waived
    assert found["aws_db_instance.listed"].waived
    assert not found["aws_db_instance.plain"].waived
    assert all(o.passed is False for o in found.values())  # waived, never passed


# ---------------------------------------------------------------- bad input


def test_bad_hcl_is_a_problem_and_the_rest_of_the_folder_is_scanned(tmp_path: Path) -> None:
    write(tmp_path, "good.tf", 'resource "aws_ebs_volume" "data" {\n  encrypted = true\n}\n')
    write(tmp_path, "bad.tf", 'resource "aws_ebs_volume" "x" {\n  encrypted = \n  = }\n')
    (tmp_path / "binary.tf").write_bytes(b"\x00\x01\x02 resource")
    result = scan(tmp_path)
    problems = {p.path: p for p in result.problems}
    assert set(problems) == {"bad.tf", "binary.tf"}
    assert problems["bad.tf"].message.startswith("not valid HCL")
    assert problems["bad.tf"].line is not None
    assert verdicts(result.observations, "tf.ebs-volume-encrypted")["aws_ebs_volume.data"].passed


def test_a_symlink_out_of_the_tree_is_a_problem(tmp_path: Path) -> None:
    outside = write(tmp_path, "outside/secret.tf", 'resource "aws_vpc" "x" {}')
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "link.tf").symlink_to(outside)
    result = scan(tmp_path / "repo")
    assert [(p.path, p.message) for p in result.problems] == [
        ("link.tf", "symbolic link pointing outside the scan")
    ]
    assert not result.observations


def test_bad_plan_json_is_a_problem_with_its_line(tmp_path: Path) -> None:
    write(tmp_path, "plan.json", '{\n "format_version": "1.2",\n "terraform_version": "1",\n x}\n')
    write(
        tmp_path, "state.json", '{"format_version": "1.0", "terraform_version": "1", "values": []}'
    )
    result = scan(tmp_path)
    problems = {p.path: p for p in result.problems}
    assert problems["plan.json"].line == 4
    assert "state.json" not in problems  # an empty or odd state is not an error


def test_parse_hcl_reports_the_line_of_a_syntax_error() -> None:
    with pytest.raises(HclError) as caught:
        parse_hcl('resource "a" "b" {\n  x = 1\n  y = = 2\n}\n')
    assert caught.value.line == 3


HCL_TOKENS = st.sampled_from(
    [
        "resource", "module", "locals", "provider", "dynamic", '"aws_s3_bucket"', '"x"', "{",
        "}", "[", "]", "(", ")", "=", ",", ".", "\n", " ", "true", "null", "1", "-2.5e3",
        '"${var.x}"', "var.x", "aws_s3_bucket.b.id", "<<EOT\nhi\nEOT\n", "<<-EOT\n  a\n  EOT\n",
        "# c\n", "/* c */", "count", "for_each", "lifecycle", "content", "for", "in", ":", "?",
        "=>", "...", "%{ if x }a%{ endif }", '"\\u00e9"', "\\", "\t",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(HCL_TOKENS, max_size=40).map("".join))
def test_parse_hcl_never_crashes_on_token_soup(text: str) -> None:
    try:
        blocks = parse_hcl(text)
    except HclError as exc:
        assert exc.message.startswith("not valid HCL")
    else:
        assert isinstance(blocks, list)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_parse_hcl_never_crashes_on_random_text(text: str) -> None:
    try:
        parse_hcl(text)
    except HclError:
        pass


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["resources", "child_modules", "values", "address", "type", "name", "module_calls",
             "module", "expressions", "references", "resource_changes", "change", "after_unknown",
             "root_module", "mode", "instances", "attributes", "provider_config", "x"]
        ),
        children,
        max_size=5,
    ),
    max_leaves=30,
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {"format_version": st.just("1.2")},
        optional={
            "planned_values": JSON_VALUES,
            "values": JSON_VALUES,
            "resource_changes": JSON_VALUES,
            "configuration": JSON_VALUES,
            "resources": JSON_VALUES,
            "lineage": st.just("x"),
        },
    )
)
# a state resource whose name is regex syntax: its lines are found by the name, escaped
@example({"format_version": "1.2", "resources": [{"type": "", "name": ")"}], "lineage": "x"})
def test_plan_reading_never_crashes_on_odd_structures(doc: dict[str, object]) -> None:
    text = json.dumps(doc)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.json"
        path.write_text(
            text.replace('"format_version"', '"terraform_version": "1", "format_version"', 1)
        )
        collector = TerraformCollector()
        context = ScanContext(catalog=CATALOG, now=NOW, root=Path(folder))
        collector.collect([path], context)  # problems are fine; exceptions are not


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_give_a_problem_or_a_result(data: bytes) -> None:
    try:
        doc = parse_json(data.decode("utf-8", errors="replace"))
    except PlanError:
        return
    read_document(doc, json.dumps(doc), "x.json", ".")
    with tempfile.TemporaryDirectory() as folder:
        for name in ("main.tf", "plan.json"):
            path = Path(folder) / name
            path.write_bytes(data)
            context = ScanContext(catalog=CATALOG, now=NOW, root=Path(folder))
            TerraformCollector().collect([path], context)


# ---------------------------------------------------------------- Kubernetes inside Terraform


def test_kubernetes_objects_from_typed_resources_and_manifests(tmp_path: Path) -> None:
    write(tmp_path, "manifests/pdb.yaml", "apiVersion: policy/v1\nkind: PodDisruptionBudget\n")
    write(
        tmp_path,
        "k8s.tf",
        """
        resource "kubernetes_deployment_v1" "web" {
          metadata {
            name      = "web"
            namespace = "shop"
          }
          spec {
            replicas = var.replicas
            selector {
              match_labels = { app = "web" }
            }
            template {
              metadata {
                labels = { app = "web" }
              }
              spec {
                host_pid = false
                container {
                  name  = "web"
                  image = "nginx:1.27"
                  security_context {
                    run_as_non_root = true
                  }
                }
              }
            }
          }
        }
        resource "kubectl_manifest" "policy" {
          yaml_body = <<-YAML
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: deny
            spec:
              podSelector: {}
          YAML
        }
        resource "kubectl_manifest" "encoded" {
          yaml_body = yamlencode({
            apiVersion = "v1"
            kind       = "ServiceAccount"
            metadata   = { name = "web", namespace = var.namespace }
          })
        }
        resource "kubernetes_manifest" "pdb" {
          manifest = yamldecode(file("${path.module}/manifests/pdb.yaml"))
        }
        resource "kubectl_manifest" "computed" {
          yaml_body = templatefile("x.yaml", {})
        }
        """,
    )
    found = {o["address"]: o for o in kubernetes_objects([tmp_path / "k8s.tf"], tmp_path)}
    assert set(found) == {
        "kubernetes_deployment_v1.web",
        "kubectl_manifest.policy",
        "kubectl_manifest.encoded",
        "kubernetes_manifest.pdb",
    }
    deployment = found["kubernetes_deployment_v1.web"]
    pod = deployment["object"]["spec"]["template"]["spec"]
    assert deployment["object"]["kind"] == "Deployment"
    assert pod["hostPID"] is False
    assert pod["containers"][0]["securityContext"] == {"runAsNonRoot": True}
    assert deployment["object"]["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    assert deployment["unresolved"] == ["spec.replicas"]
    assert (deployment["file"], deployment["line_start"]) == ("k8s.tf", 1)
    assert found["kubectl_manifest.policy"]["object"]["spec"] == {"podSelector": {}}
    assert found["kubectl_manifest.encoded"]["unresolved"] == ["metadata.namespace"]
    assert found["kubernetes_manifest.pdb"]["object"]["kind"] == "PodDisruptionBudget"


def test_kubernetes_objects_from_a_plan(tmp_path: Path) -> None:
    values = {
        "metadata": [{"name": "web", "namespace": "shop", "labels": {"app": "web"}}],
        "spec": [{"replicas": "3", "template": [{"spec": [{"container": [{"name": "web"}]}]}]}],
        "wait_for_rollout": True,
    }
    manifest = {"manifest": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}}
    doc = plan_document(
        [
            resource("kubernetes_deployment.web", values),
            resource("kubernetes_manifest.ns", manifest),
        ]
    )
    write(tmp_path, "plan.json", json.dumps(doc, indent=2))
    found = {
        o["address"]: o["object"] for o in kubernetes_objects([tmp_path / "plan.json"], tmp_path)
    }
    deployment = found["kubernetes_deployment.web"]
    assert deployment["spec"]["replicas"] == 3
    assert deployment["spec"]["template"]["spec"]["containers"] == [{"name": "web"}]
    assert "waitForRollout" not in deployment
    assert found["kubernetes_manifest.ns"]["kind"] == "Namespace"


def test_embedded_objects_are_judged_three_ways() -> None:
    validator = Draft202012Validator(
        {"properties": {"replicas": {"type": "integer", "minimum": 2}}, "required": ["replicas"]}
    )
    assert decide(validator, mark_interpolations({"replicas": "${var.replicas}"}), (1, 2)) is None
    assert decide(validator, mark_interpolations({"replicas": 3})) is True


HCL_VALUES = st.recursive(
    st.sampled_from(
        ["true", "false", "null", "0", "7", "90", '"x"', '""', "var.x", '"a-${var.x}"',
         "aws_s3_bucket.b.id", "local.l", "module.m.out", '"*"', "[]", "{}", "count.index"]
    ),
    lambda inner: st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]")
    | st.dictionaries(st.sampled_from(["a", "enabled", "bucket"]), inner, max_size=2).map(
        lambda d: "{" + ", ".join(f"{k} = {v}" for k, v in d.items()) + "}"
    ),
    max_leaves=6,
)  # fmt: skip
ATTRIBUTES = st.sampled_from(
    ["storage_encrypted", "engine", "bucket", "resource_arn", "vpc_id", "count", "for_each",
     "provider", "tags", "protocol", "ssl_policy", "internal", "resources", "plan_id",
     "cluster_identifier", "global_cluster_identifier", "replica", "vpc", "settings"]
)  # fmt: skip
TYPES = st.sampled_from(
    ["aws_db_instance", "aws_rds_cluster", "aws_s3_bucket", "aws_lb", "aws_lb_listener",
     "aws_wafv2_web_acl_association", "aws_backup_selection", "aws_backup_plan", "aws_vpc",
     "aws_flow_log", "aws_route53_zone", "aws_rds_cluster_instance", "aws_dynamodb_table",
     "kubernetes_deployment", "kubectl_manifest"]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(TYPES, st.dictionaries(ATTRIBUTES, HCL_VALUES, max_size=5)),
        min_size=1,
        max_size=5,
    )
)
def test_any_resource_bodies_are_judged_without_crashing(
    blocks: list[tuple[str, dict[str, str]]],
) -> None:
    text = "locals {\n  l = var.y\n}\n" + "".join(
        f'resource "{type_}" "r{index}" {{\n'
        + "".join(f"  {key} = {value}\n" for key, value in body.items())
        + "  lifecycle {\n    prevent_destroy = true\n  }\n}\n"
        for index, (type_, body) in enumerate(blocks)
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "main.tf"
        path.write_text(text)
        context = ScanContext(catalog=CATALOG, now=NOW, root=Path(folder))
        result = TerraformCollector().collect([path], context)
        kubernetes_objects([path], Path(folder))
    assert all(o.passed in (True, False, None) for o in result.observations)


def test_a_dynamic_block_whose_content_only_terraform_knows_is_undecided(
    tmp_path: Path,
) -> None:
    """The content of a ``dynamic`` block refers to its iterator: a filling that holds
    values only Terraform knows (this used to crash the scan)."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_cloudfront_distribution" "cdn" {\n'
        "  enabled = true\n"
        '  dynamic "logging_config" {\n'
        "    for_each = var.logs\n"
        "    content {\n"
        "      bucket = logging_config.value\n"
        "    }\n"
        "  }\n"
        "}\n",
        encoding="utf-8",
    )
    result = scan(tmp_path)
    logs = [o for o in result.observations if o.check_id == "tf.cloudfront-access-logs"]
    assert len(logs) == 1 and logs[0].passed is None

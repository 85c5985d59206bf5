"""Kubernetes objects declared in Terraform go through the Kubernetes checks.

The fixtures are the ways Terraform declares objects: the typed resources of the
Kubernetes provider (``kubernetes_deployment_v1`` with nested blocks), ``kubectl_manifest``
with a heredoc or ``yamlencode`` YAML body, and ``kubernetes_manifest`` with an object.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from textwrap import dedent

from hypothesis import given, settings
from hypothesis import strategies as st

from platform_maturity.checks.catalog import load_catalog
from platform_maturity.collectors.base import CollectorResult, ScanContext
from platform_maturity.collectors.kubernetes.collector import KubernetesCollector
from platform_maturity.collectors.kubernetes.manifests import looks_like_manifest
from platform_maturity.collectors.registry import check_functions
from platform_maturity.domain.observations import Observation
from platform_maturity.framework.loader import load_framework

NOW = datetime(2026, 11, 20, tzinfo=UTC)
CATALOG = load_catalog(load_framework(), functions=check_functions())

# lines 1-24: a Deployment running as root, with a fixed replica count of 3
ROOT_DEPLOYMENT = """\
resource "kubernetes_deployment_v1" "api" {
  metadata {
    name      = "api"
    namespace = "shop"
    labels    = { app = "api" }
  }
  spec {
    replicas = 3
    selector {
      match_labels = { app = "api" }
    }
    template {
      metadata {
        labels = { app = "api" }
      }
      spec {
        container {
          name  = "api"
          image = "example/api:1.4.2"
        }
      }
    }
  }
}
"""

# replicas and the image come from variables: only Terraform knows them
VARIABLE_DEPLOYMENT = """\
variable "replicas" {
  type = number
}

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
        security_context {
          run_as_non_root = true
        }
        container {
          name  = "web"
          image = var.image
        }
      }
    }
  }
}
"""

KUBECTL_HEREDOC = """\
resource "kubectl_manifest" "worker" {
  yaml_body = <<-YAML
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: worker
      namespace: jobs
    spec:
      replicas: 1
      selector:
        matchLabels: {app: worker}
      template:
        metadata:
          labels: {app: worker}
        spec:
          securityContext:
            runAsNonRoot: true
          containers:
            - name: worker
              image: example/worker:2.0.1
  YAML
}
"""

# kubernetes_manifest takes an object; kubectl_manifest a YAML string, here yamlencode'd
MANIFEST_YAMLENCODE = """\
resource "kubernetes_manifest" "deny_all" {
  manifest = {
    apiVersion = "networking.k8s.io/v1"
    kind       = "NetworkPolicy"
    metadata   = { name = "deny-all", namespace = "jobs" }
    spec = {
      podSelector = {}
      policyTypes = ["Ingress", "Egress"]
    }
  }
}

resource "kubectl_manifest" "budget" {
  yaml_body = yamlencode({
    apiVersion = "policy/v1"
    kind       = "PodDisruptionBudget"
    metadata   = { name = "worker", namespace = "jobs" }
    spec = {
      maxUnavailable = 1
      selector       = { matchLabels = { app = "worker" } }
    }
  })
}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text), encoding="utf-8")
    return path


def scan(root: Path) -> CollectorResult:
    collector = KubernetesCollector()
    context = ScanContext(catalog=CATALOG, now=NOW, root=root, scan_roots=[root])
    return collector.collect(collector.discover([root]), context)


def finding(result: CollectorResult, check_id: str, subject: str) -> Observation:
    found = [o for o in result.observations if o.check_id == check_id and o.subject == subject]
    assert len(found) == 1, [(o.check_id, o.subject) for o in result.observations]
    return found[0]


def test_a_typed_deployment_running_as_root_fails_with_the_terraform_block(
    tmp_path: Path,
) -> None:
    write(tmp_path, "infra/k8s.tf", ROOT_DEPLOYMENT)
    result = scan(tmp_path)
    assert result.inputs == 1 and not result.problems
    root = finding(result, "k8s.container-run-as-non-root", "Deployment/shop/api")
    assert root.passed is False and root.waived is False
    (evidence,) = root.evidence
    assert (evidence.path, evidence.line_start, evidence.line_end) == ("infra/k8s.tf", 1, 24)
    assert evidence.object_ref == (
        "Deployment/shop/api container api (terraform kubernetes_deployment_v1.api)"
    )
    assert finding(result, "k8s.container-image-tag", "Deployment/shop/api").passed is True
    replicas = finding(result, "k8s.workload-min-replicas", "Deployment/shop/api")
    assert replicas.passed is True and replicas.evidence[0].line_end == 24


def test_values_set_by_terraform_leave_the_verdict_open(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", VARIABLE_DEPLOYMENT)
    result = scan(tmp_path)
    replicas = finding(result, "k8s.workload-min-replicas", "Deployment/shop/web")
    assert replicas.passed is None
    assert "depends on spec.replicas set by Terraform" in replicas.message
    image = finding(result, "k8s.container-image-tag", "Deployment/shop/web")
    assert image.passed is None and "spec.template.spec.containers.0.image" in image.message
    # a verdict the variables cannot change stays decided
    assert finding(result, "k8s.container-run-as-non-root", "Deployment/shop/web").passed is True
    assert finding(result, "k8s.container-cpu-limits", "Deployment/shop/web").passed is False
    assert finding(result, "k8s.workload-pdb", "Deployment/shop/web").passed is False
    evidence = replicas.evidence[0]
    assert (evidence.path, evidence.line_start, evidence.line_end) == ("main.tf", 5, 30)


def test_kubectl_heredoc_and_yamlencoded_manifests_relate_to_each_other(tmp_path: Path) -> None:
    write(tmp_path, "worker.tf", KUBECTL_HEREDOC)
    write(tmp_path, "policies.tf", MANIFEST_YAMLENCODE)
    result = scan(tmp_path)
    worker = "Deployment/jobs/worker"
    non_root = finding(result, "k8s.container-run-as-non-root", worker)
    assert non_root.passed is True
    assert non_root.evidence[0].object_ref.endswith("(terraform kubectl_manifest.worker)")
    assert (non_root.evidence[0].line_start, non_root.evidence[0].line_end) == (1, 22)
    assert finding(result, "k8s.workload-min-replicas", worker).passed is False
    budget = finding(result, "k8s.workload-pdb", worker)
    assert budget.passed is True and "worker" in budget.message
    assert finding(result, "k8s.namespace-default-deny-ingress", worker).passed is True
    assert finding(result, "k8s.namespace-default-deny-egress", worker).passed is True
    pdb = finding(result, "k8s.pdb-allows-disruption", "PodDisruptionBudget/jobs/worker")
    assert pdb.evidence[0].path == "policies.tf"
    assert pdb.evidence[0].object_ref.endswith("(terraform kubectl_manifest.budget)")


def test_manifests_and_terraform_objects_meet(tmp_path: Path) -> None:
    write(tmp_path, "k8s.tf", ROOT_DEPLOYMENT)
    write(
        tmp_path,
        "manifests/pdb.yaml",
        """\
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: api, namespace: shop}
        spec:
          minAvailable: 1
          selector: {matchLabels: {app: api}}
        """,
    )
    result = scan(tmp_path)
    assert result.inputs == 2
    assert finding(result, "k8s.workload-pdb", "Deployment/shop/api").passed is True


def test_plans_go_to_the_terraform_reader_not_the_manifest_parser(tmp_path: Path) -> None:
    values = {
        "metadata": [{"name": "web", "namespace": "shop"}],
        "spec": [
            {
                "replicas": "1",
                "selector": [{"match_labels": {"app": "web"}}],
                "template": [
                    {
                        "metadata": [{"labels": {"app": "web"}}],
                        "spec": [{"container": [{"name": "web", "image": "nginx:latest"}]}],
                    }
                ],
            }
        ],
    }
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "kubernetes_deployment.web",
                        "mode": "managed",
                        "type": "kubernetes_deployment",
                        "name": "web",
                        "values": values,
                    }
                ]
            }
        },
        # plans mention apiVersion and kind: they must not be taken for manifests
        "configuration": {"note": {"apiVersion": "v1", "kind": "Pod"}},
    }
    path = write(tmp_path, "plan/plan.json", json.dumps(plan, indent=2))
    assert not looks_like_manifest(path)
    collector = KubernetesCollector()
    assert collector.discover([tmp_path]) == [path]
    result = scan(tmp_path)
    assert not result.problems
    image = finding(result, "k8s.container-image-tag", "Deployment/shop/web")
    assert image.passed is False
    evidence = image.evidence[0]
    assert evidence.path == "plan/plan.json" and evidence.line_start is not None
    assert evidence.object_ref.endswith("(terraform kubernetes_deployment.web)")


def test_terraform_problems_are_left_to_the_terraform_collector(tmp_path: Path) -> None:
    write(tmp_path, "good.tf", ROOT_DEPLOYMENT)
    write(tmp_path, "broken.tf", 'resource "kubernetes_pod" "x" {\n  metadata {\n')
    outside = tmp_path.parent / f"{tmp_path.name}-outside.tf"
    outside.write_text(ROOT_DEPLOYMENT)
    (tmp_path / "linked.tf").symlink_to(outside)
    result = scan(tmp_path)
    assert result.problems == []
    assert {o.subject for o in result.observations} == {"Deployment/shop/api"}


def test_exemption_annotations_work_on_terraform_objects(tmp_path: Path) -> None:
    exempt = ROOT_DEPLOYMENT.replace(
        '    labels    = { app = "api" }\n',
        '    labels    = { app = "api" }\n    annotations = {\n'
        '      "platform-maturity.io/exempt-k8s.container-run-as-non-root" = "vendor image"\n'
        "    }\n",
    )
    write(tmp_path, "k8s.tf", exempt)
    root = finding(scan(tmp_path), "k8s.container-run-as-non-root", "Deployment/shop/api")
    assert root.passed is False and root.waived is True and "vendor image" in root.message


def test_a_failure_the_terraform_values_cannot_change_stays_a_failure(tmp_path: Path) -> None:
    single = VARIABLE_DEPLOYMENT.replace("replicas = var.replicas", "replicas = 1")
    write(tmp_path, "main.tf", single)
    result = scan(tmp_path)
    assert finding(result, "k8s.workload-min-replicas", "Deployment/shop/web").passed is False


def test_an_autoscaler_set_by_terraform_leaves_a_manifest_open(tmp_path: Path) -> None:
    write(
        tmp_path,
        "deployment.yaml",
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          replicas: 1
          template:
            spec:
              containers: [{name: web, image: example/web:1.0}]
        """,
    )
    write(
        tmp_path,
        "hpa.tf",
        """\
        resource "kubernetes_horizontal_pod_autoscaler_v2" "web" {
          metadata {
            name      = "web"
            namespace = "shop"
          }
          spec {
            min_replicas = var.min_replicas
            max_replicas = 10
            scale_target_ref {
              api_version = "apps/v1"
              kind        = "Deployment"
              name        = "web"
            }
          }
        }
        """,
    )
    replicas = finding(scan(tmp_path), "k8s.workload-min-replicas", "Deployment/shop/web")
    assert replicas.passed is None and "other objects set by Terraform" in replicas.message
    assert replicas.evidence[0].path == "deployment.yaml"


SLOTS = {
    "namespace": ['"shop"', "var.namespace"],
    "replicas": ["1", "3", "var.replicas"],
    "match_labels": ['{ app = "web" }', "var.labels", "{ app = var.app }"],
    "labels": ['{ app = "web" }', "var.labels"],
    "image": ['"example/web:1.0"', "var.image", '"example/web:${var.tag}"'],
    "run_as_non_root": ["true", "false", "var.non_root"],
    "metadata": ['{ name = "web", namespace = "shop" }', "var.metadata"],
    "spec": ['{ podSelector = {}, policyTypes = ["Ingress"] }', "var.spec"],
}


@settings(max_examples=60, deadline=None)
@given(st.fixed_dictionaries({name: st.sampled_from(values) for name, values in SLOTS.items()}))
def test_any_mix_of_terraform_values_is_judged_without_crashing(slots: dict[str, str]) -> None:
    text = f"""\
    resource "kubernetes_deployment_v1" "web" {{
      metadata {{
        name      = "web"
        namespace = {slots["namespace"]}
      }}
      spec {{
        replicas = {slots["replicas"]}
        selector {{
          match_labels = {slots["match_labels"]}
        }}
        template {{
          metadata {{
            labels = {slots["labels"]}
          }}
          spec {{
            container {{
              name  = "web"
              image = {slots["image"]}
              security_context {{
                run_as_non_root = {slots["run_as_non_root"]}
              }}
            }}
          }}
        }}
      }}
    }}
    resource "kubectl_manifest" "policy" {{
      yaml_body = yamlencode({{
        apiVersion = "networking.k8s.io/v1"
        kind       = "NetworkPolicy"
        metadata   = {slots["metadata"]}
        spec       = {slots["spec"]}
      }})
    }}
    resource "kubernetes_pod_disruption_budget_v1" "web" {{
      metadata {{
        name      = "web"
        namespace = {slots["namespace"]}
      }}
      spec {{
        max_unavailable = 1
        selector {{
          match_labels = {slots["match_labels"]}
        }}
      }}
    }}
    """
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write(root, "main.tf", text)
        result = scan(root)
    assert not result.problems
    deployments = {o.subject for o in result.observations if o.subject.startswith("Deployment/")}
    assert len(deployments) == 1 and deployments.pop().endswith("/web")
    assert all(o.passed in (True, False, None) for o in result.observations)
    if "var." not in "".join(slots.values()):
        assert all(o.passed is not None for o in result.observations)

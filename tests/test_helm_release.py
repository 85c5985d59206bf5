"""Kubernetes workloads declared through a ``helm_release``'s values.

No chart is rendered: the release's values are read (files, literals, set blocks, plans),
merged in Helm's order and translated by the conventions of ``helm create`` and Bitnami
charts. What the values leave to the chart is never guessed: checks that hang on it are
undecided, and say the chart decides.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from platform_maturity.checks.catalog import load_catalog
from platform_maturity.collectors.base import CollectorResult, Exemption, ScanContext
from platform_maturity.collectors.kubernetes.chart_reasons import AS_SET, RELATION_KEYS
from platform_maturity.collectors.kubernetes.collector import KubernetesCollector
from platform_maturity.collectors.kubernetes.relations import FUNCTIONS
from platform_maturity.collectors.registry import check_functions
from platform_maturity.collectors.terraform.hcl import read_folder
from platform_maturity.collectors.terraform.helm_values import ReleaseValues, release_values
from platform_maturity.collectors.terraform.plan import read_document
from platform_maturity.domain.observations import Observation
from platform_maturity.framework.loader import load_framework

NOW = datetime(2026, 11, 20, tzinfo=UTC)
CATALOG = load_catalog(load_framework(), functions=check_functions())
NAMESPACE_CHECKS = {"k8s.namespace-default-deny-ingress", "k8s.namespace-default-deny-egress"}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text), encoding="utf-8")
    return path


def scan(root: Path, exemptions: tuple[Exemption, ...] = ()) -> CollectorResult:
    collector = KubernetesCollector()
    context = ScanContext(
        catalog=CATALOG, now=NOW, root=root, scan_roots=[root], exemptions=exemptions
    )
    return collector.collect(collector.discover([root]), context)


def finding(result: CollectorResult, check_id: str, subject: str) -> Observation:
    found = [o for o in result.observations if o.check_id == check_id and o.subject == subject]
    assert len(found) == 1, [(o.check_id, o.subject) for o in result.observations]
    return found[0]


def verdicts(result: CollectorResult, subject: str) -> dict[str, bool | None]:
    return {o.check_id: o.passed for o in result.observations if o.subject == subject}


def values_of(folder: Path, text: str) -> tuple[ReleaseValues, list[tuple[Any, ...]]]:
    write(folder, "main.tf", text)
    source = read_folder([folder / "main.tf"], ".", ".", lambda p: p.name, print)
    problems: list[tuple[Any, ...]] = []
    read = release_values(source.resources[0], folder, lambda *problem: problems.append(problem))
    return read, problems


def test_values_files_literals_and_set_blocks_merge_in_helms_order(tmp_path: Path) -> None:
    write(
        tmp_path,
        "values/web.yaml",
        """\
        replicaCount: 1
        image: {repository: nginx, tag: "1.0"}
        podLabels: {team: shop}
        """,
    )
    read, problems = values_of(
        tmp_path,
        r"""
        resource "helm_release" "web" {
          name  = "web"
          chart = "nginx"
          values = [
            file("${path.module}/values/web.yaml"),
            yamlencode({ image = { tag = "1.1" }, resources = {} }),
            <<-EOT
            replicaCount: 2
            podLabels:
              tier: front
            EOT
            ,
            jsonencode({ autoscaling = { enabled = false } }),
          ]
          set {
            name  = "replicaCount"
            value = 4
          }
          set {
            name  = "podAnnotations.prometheus\\.io/scrape"
            value = "true"
          }
          set {
            name  = "ingress.hosts[1].host"
            value = "shop.example"
          }
          set_list {
            name  = "args"
            value = ["--port", "8080"]
          }
          set_sensitive {
            name  = "image.tag"
            value = "1.2"
          }
        }
        """,
    )
    assert problems == []
    assert read.terraform == []
    assert read.values == {
        "replicaCount": 4,
        "image": {"repository": "nginx", "tag": "1.2"},
        "podLabels": {"team": "shop", "tier": "front"},
        "resources": {},
        "autoscaling": {"enabled": False},
        "podAnnotations": {"prometheus.io/scrape": True},
        "ingress": {"hosts": [None, {"host": "shop.example"}]},
        "args": ["--port", 8080],
    }


def test_set_types_string_and_literal(tmp_path: Path) -> None:
    read, problems = values_of(
        tmp_path,
        """
        resource "helm_release" "web" {
          name  = "web"
          chart = "nginx"
          set {
            name  = "image.tag"
            value = "007"
            type  = "string"
          }
          set {
            name  = "enabled"
            value = "true"
            type  = "string"
          }
          set {
            name  = "resources"
            value = "{limits: {memory: 128Mi}}"
            type  = "literal"
          }
          set {
            name  = "x"
            value = "1"
            type  = "raw"
          }
        }
        """,
    )
    assert read.values == {
        "image": {"tag": "007"},
        "enabled": "true",
        "resources": {"limits": {"memory": "128Mi"}},
    }
    assert len(problems) == 1 and "type 'raw'" in problems[0][1]


def test_values_only_terraform_knows_are_never_taken_as_read(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", "replicaCount: 3\nimage: {repository: nginx}\n")
    read, problems = values_of(
        tmp_path,
        """
        resource "helm_release" "web" {
          name  = "web"
          chart = "nginx"
          values = [
            file("base.yaml"),
            var.extra_values,
            <<-EOT
            image:
              tag: ${var.tag}
            EOT
            ,
            templatefile("tpl.yaml", { a = 1 }),
            file("../outside.yaml"),
          ]
          set {
            name  = "podLabels.team"
            value = var.team
          }
          dynamic "set_sensitive" {
            for_each = var.secrets
            content {
              name  = set_sensitive.key
              value = set_sensitive.value
            }
          }
        }
        """,
    )
    assert problems == []
    assert read.terraform == [
        "values[1] = var.extra_values",
        'values[3] = templatefile("tpl.yaml", {a = 1})',
        "values[4] = file(../outside.yaml) outside the module",
        "set_sensitive (a dynamic block)",
    ]
    # everything read may have been overridden by an entry read after it
    assert read.values["replicaCount"] == "${set_sensitive (a dynamic block)}"
    assert read.values["image"]["tag"] == "${set_sensitive (a dynamic block)}"
    assert read.values["podLabels"] == {"team": "${set_sensitive (a dynamic block)}"}


def test_a_set_value_from_a_variable_stays_terraforms(tmp_path: Path) -> None:
    read, _ = values_of(
        tmp_path,
        """
        resource "helm_release" "web" {
          name  = "web"
          chart = "nginx"
          set {
            name  = "image.tag"
            value = "${var.tag},x"
          }
        }
        """,
    )
    assert read.values == {"image": {"tag": "${var.tag},x"}} and read.terraform == []


def plan_document(values: dict[str, Any], unknown: dict[str, Any] | None = None) -> str:
    resource = {
        "address": "helm_release.web",
        "mode": "managed",
        "type": "helm_release",
        "name": "web",
        "values": {"name": "web", "chart": "nginx", "namespace": "shop", **values},
    }
    document: dict[str, Any] = {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": [resource]}},
    }
    if unknown is not None:
        document["resource_changes"] = [
            {"address": "helm_release.web", "change": {"after_unknown": unknown}}
        ]
    return json.dumps(document, indent=2)


def test_values_in_a_plan_are_read_and_unknown_ones_left_to_terraform() -> None:
    text = plan_document(
        {
            "values": ["replicaCount: 1\nimage: {repository: nginx}\n", None],
            "set": [
                {"name": "image.tag", "type": "", "value": "1.2.3"},
                {"name": "podLabels.team", "type": "", "value": None},
            ],
            "set_sensitive": [{"name": "secret", "type": "string", "value": "s3cr3t"}],
        },
        unknown={"values": [False, True], "set": [{}, {"value": True}]},
    )
    source = read_document(json.loads(text), text, "plan.json", ".")
    assert source is not None
    problems: list[Any] = []
    read = release_values(source.resources[0], None, lambda *p: problems.append(p))
    assert problems == []
    assert read.terraform == ["values[1] (known after apply)"]
    assert read.values == {
        "replicaCount": "${values[1] (known after apply)}",
        "image": {"repository": "${values[1] (known after apply)}", "tag": "1.2.3"},
        "podLabels": {"team": "${known after apply}"},
        "secret": "s3cr3t",
    }


def test_input_helm_would_refuse_is_reported_with_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", "replicaCount: 2\nimage: [unclosed\n")
    write(tmp_path, "list.yaml", "- a\n- b\n")
    write(
        tmp_path,
        "main.tf",
        """\
        resource "helm_release" "web" {
          name      = "web"
          chart     = "nginx"
          namespace = "shop"
          values    = [file("bad.yaml"), file("list.yaml"), file("missing.yaml")]
          set {
            name  = "hosts[x]"
            value = "a"
          }
        }
        """,
    )
    result = scan(tmp_path)
    assert [(p.path, p.line, p.message) for p in result.problems] == [
        (
            "bad.yaml",
            3,
            "helm_release.web: values[0] is not valid YAML: did not find expected ',' or ']'",
        ),
        ("list.yaml", 1, "helm_release.web: values[1] is a list, not a map of values"),
        ("main.tf", 1, "helm_release.web: values[2] reads missing.yaml, which does not exist"),
        (
            "main.tf",
            1,
            "helm_release.web: set[0] name 'hosts[x]': index [x] is not a number;"
            " Helm would refuse it",
        ),
    ]
    # the rest of the release is still judged; what the bad entries hid stays open
    replicas = finding(result, "k8s.workload-min-replicas", "Deployment/shop/web-nginx")
    assert replicas.passed is None and "the chart decides" in replicas.message


WEB = """\
resource "helm_release" "web" {
  name      = "web"
  chart     = "oci://registry.example.com/charts/web"
  namespace = "shop"
  %s
}
"""


def test_a_release_without_values_decides_nothing_its_chart_decides(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", WEB % "")
    result = scan(tmp_path)
    assert not result.problems
    assert {o.subject for o in result.observations} == {"Deployment/shop/web"}
    for observation in result.observations:
        if observation.check_id in NAMESPACE_CHECKS:
            assert observation.passed is False  # other objects decide, and there are none
            continue
        assert observation.passed is None, observation
        assert "the chart decides (not set in the release's values: " in observation.message
        assert "set by Terraform" not in observation.message
    liveness = finding(result, "k8s.container-liveness-probe", "Deployment/shop/web")
    assert liveness.message == (
        "cannot tell: the chart decides (not set in the release's values: livenessProbe)"
    )
    hpa = finding(result, "k8s.workload-hpa", "Deployment/shop/web")
    assert "autoscaling.enabled)" in hpa.message and "replicaCount" not in hpa.message


def test_explicit_values_decide_and_say_so(tmp_path: Path) -> None:
    body = """
      set {
        name  = "replicaCount"
        value = "1"
      }
      set {
        name  = "autoscaling.enabled"
        value = "false"
      }
      set {
        name  = "securityContext.runAsNonRoot"
        value = "true"
      }
      values = [yamlencode({ resources = {} })]
    """
    write(tmp_path, "main.tf", WEB % body)
    result = scan(tmp_path)
    subject = "Deployment/shop/web"
    replicas = finding(result, "k8s.workload-min-replicas", subject)
    assert replicas.passed is False
    assert replicas.message == "runs only 1 replica; at least 2 needed" + AS_SET
    assert finding(result, "k8s.workload-hpa", subject).passed is False
    non_root = finding(result, "k8s.container-run-as-non-root", subject)
    assert non_root.passed is True and non_root.message.endswith(AS_SET)
    for check in (
        "k8s.container-cpu-requests",
        "k8s.container-memory-requests",
        "k8s.container-memory-limits",
        "k8s.container-cpu-limits",
    ):
        resources = finding(result, check, subject)
        assert resources.passed is False and resources.message.endswith(AS_SET), check
    # other settings of the security context stay the chart's
    read_only = finding(result, "k8s.container-read-only-root-filesystem", subject)
    assert read_only.passed is None
    assert "securityContext.readOnlyRootFilesystem" in read_only.message


def test_findings_name_the_release_block_and_address(tmp_path: Path) -> None:
    write(tmp_path, "infra/apps.tf", "# apps\n\n" + WEB % 'values = ["image: {tag: latest}"]')
    result = scan(tmp_path)
    tag = finding(result, "k8s.container-image-tag", "Deployment/shop/web")
    (evidence,) = tag.evidence
    assert (evidence.path, evidence.line_start, evidence.line_end) == ("infra/apps.tf", 3, 8)
    assert evidence.object_ref == "Deployment/shop/web container web (terraform helm_release.web)"
    assert tag.passed is None  # the repository and a digest are still the chart's
    assert "image.repository" in tag.message and "image.digest" in tag.message


def test_a_latest_tag_without_a_digest_fails(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", WEB % 'values = ["image: {tag: latest, digest: \\"\\"}"]')
    tag = finding(scan(tmp_path), "k8s.container-image-tag", "Deployment/shop/web")
    assert tag.passed is False and tag.message.endswith(AS_SET)


def test_exemptions_on_the_release_block_and_in_the_workspace(tmp_path: Path) -> None:
    body = """
      # platform-maturity.io/exempt-k8s.workload-hpa: a leader-elected singleton
      values = [yamlencode({ autoscaling = { enabled = false }, replicaCount = 1 })]
    """
    write(tmp_path, "main.tf", WEB % body)
    exemption = Exemption(
        check="k8s.workload-min-replicas", subject="Deployment/shop/web", reason="batch only"
    )
    result = scan(tmp_path, (exemption,))
    hpa = finding(result, "k8s.workload-hpa", "Deployment/shop/web")
    assert hpa.passed is False and hpa.waived and "leader-elected singleton" in hpa.message
    replicas = finding(result, "k8s.workload-min-replicas", "Deployment/shop/web")
    assert replicas.passed is False and replicas.waived and "batch only" in replicas.message


def test_the_release_relates_to_manifests_and_its_own_objects(tmp_path: Path) -> None:
    body = """
      values = [yamlencode({
        autoscaling   = { enabled = true, minReplicas = 3, maxReplicas = 6 }
        networkPolicy = { enabled = true, policyTypes = ["Ingress"] }
        pdb           = { create = false }
      })]
    """
    write(tmp_path, "main.tf", WEB % body)
    write(
        tmp_path,
        "k8s/policies.yaml",
        """\
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: web, namespace: shop}
        spec:
          maxUnavailable: 1
          selector: {matchLabels: {app.kubernetes.io/instance: web}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny-egress, namespace: shop}
        spec:
          podSelector: {}
          policyTypes: [Egress]
        """,
    )
    result = scan(tmp_path)
    subject = "Deployment/shop/web"
    assert finding(result, "k8s.workload-pdb", subject).passed is True
    hpa = finding(result, "k8s.workload-hpa", subject)
    assert hpa.passed is True and "HorizontalPodAutoscaler web targets it" in hpa.message
    assert finding(result, "k8s.workload-min-replicas", subject).passed is True
    isolated = finding(result, "k8s.workload-network-isolated", subject)
    assert isolated.passed is True and "deny-egress" in isolated.message
    assert finding(result, "k8s.namespace-default-deny-egress", subject).passed is True


def test_bitnami_conventions(tmp_path: Path) -> None:
    body = """
      values = [<<-EOT
        containerSecurityContext:
          enabled: false
        podSecurityContext:
          enabled: false
        podAntiAffinityPreset: hard
        resourcesPreset: small
        livenessProbe:
          enabled: true
        readinessProbe:
          enabled: false
        autoscaling:
          hpa: {enabled: true, minReplicas: 2, maxReplicas: 4}
          vpa: {enabled: false}
        pdb:
          create: true
          minAvailable: ""
          maxUnavailable: ""
      EOT
      ]
    """
    write(tmp_path, "main.tf", WEB % body)
    result = scan(tmp_path)
    found = verdicts(result, "Deployment/shop/web")
    assert found["k8s.container-run-as-non-root"] is False
    assert found["k8s.workload-spread-across-hosts"] is True
    assert found["k8s.workload-spread-across-zones"] is None
    assert found["k8s.container-cpu-requests"] is None
    assert found["k8s.container-liveness-probe"] is True
    assert found["k8s.container-readiness-probe"] is False
    assert found["k8s.workload-hpa"] is True and found["k8s.workload-min-replicas"] is True
    assert found["k8s.workload-vpa"] is False and found["k8s.workload-pdb"] is True
    budget = finding(result, "k8s.pdb-allows-disruption", "PodDisruptionBudget/shop/web")
    assert budget.passed is None and "pdb.minAvailable" in budget.message


@pytest.mark.parametrize(
    ("release", "chart", "values", "expected"),
    [
        ("api", "bitnami/nginx", {}, "Deployment/apps/api-nginx"),
        ("nginx-prod", "nginx", {}, "Deployment/apps/nginx-prod"),
        ("api", "./charts/api", {}, "Deployment/apps/api"),
        ("web", "https://example.com/charts/web-1.2.3.tgz", {}, "Deployment/apps/web"),
        ("api", "nginx", {"nameOverride": "api"}, "Deployment/apps/api"),
        ("api", "nginx", {"fullnameOverride": "edge"}, "Deployment/apps/edge"),
        ("api", "nginx", {"namespaceOverride": "edge"}, "Deployment/edge/api-nginx"),
    ],
)
def test_workloads_are_named_as_helm_create_names_them(
    tmp_path: Path, release: str, chart: str, values: dict[str, str], expected: str
) -> None:
    encoded = json.dumps(json.dumps(values))
    write(
        tmp_path,
        "main.tf",
        f"""\
        resource "helm_release" "r" {{
          name      = "{release}"
          chart     = "{chart}"
          namespace = "apps"
          values    = [{encoded}]
        }}
        """,
    )
    subjects = {o.subject for o in scan(tmp_path).observations}
    assert subjects == {expected}


def test_every_relation_says_which_values_decide_it() -> None:
    assert set(RELATION_KEYS) == set(FUNCTIONS)


# Values that pass (GOOD) and fail (BAD) every check that reads them, by top-level key.
DIGEST = "sha256:" + "ab" * 32
GOOD: dict[str, Any] = {
    "replicaCount": 3,
    "image": {"repository": "gcr.io/distroless/static", "tag": "1.0.1", "digest": DIGEST},
    "resources": {
        "requests": {"cpu": "100m", "memory": "128Mi", "ephemeral-storage": "1Gi"},
        "limits": {"cpu": "1", "memory": "128Mi", "ephemeral-storage": "2Gi"},
    },
    "securityContext": {
        "runAsNonRoot": True,
        "runAsUser": 1001,
        "runAsGroup": 1001,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "capabilities": {"drop": ["ALL"], "add": []},
        "seccompProfile": {"type": "RuntimeDefault"},
    },
    "podSecurityContext": {"runAsNonRoot": True, "runAsUser": 1001},
    "livenessProbe": {"httpGet": {"path": "/", "port": "http"}},
    "readinessProbe": {"httpGet": {"path": "/", "port": "http"}},
    "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
    "terminationGracePeriodSeconds": 30,
    "hostNetwork": False,
    "hostIPC": False,
    "hostPID": False,
    "automountServiceAccountToken": False,
    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
    "affinity": {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"topologyKey": "kubernetes.io/hostname"},
                {"topologyKey": "topology.kubernetes.io/zone"},
            ]
        }
    },
    "autoscaling": {"enabled": True, "minReplicas": 3, "maxReplicas": 9, "vpa": {"enabled": True}},
    "pdb": {"create": True, "maxUnavailable": 1},
    "networkPolicy": {"enabled": True, "policyTypes": ["Ingress", "Egress"]},
}
BAD: dict[str, Any] = {
    "replicaCount": 1,
    "image": {"repository": "docker.io/app", "tag": "latest", "digest": ""},
    "resources": {},
    "securityContext": {
        "runAsNonRoot": False,
        "runAsUser": 0,
        "readOnlyRootFilesystem": False,
        "allowPrivilegeEscalation": True,
        "privileged": True,
        "capabilities": {"add": ["SYS_ADMIN"], "drop": []},
    },
    "podSecurityContext": {"runAsUser": 0},
    "livenessProbe": None,
    "readinessProbe": None,
    "lifecycle": {},
    "terminationGracePeriodSeconds": 0,
    "hostNetwork": True,
    "hostIPC": True,
    "hostPID": True,
    "automountServiceAccountToken": True,
    "strategy": {"type": "Recreate"},
    "affinity": {},
    "topologySpreadConstraints": [],
    "autoscaling": {"enabled": False, "vpa": {"enabled": False}},
    "pdb": {"create": False},
    "networkPolicy": {"enabled": False},
}
GOOD["topologySpreadConstraints"] = []


def plan_verdicts(values: dict[str, Any]) -> dict[tuple[str, str], bool | None]:
    text = plan_document({"values": [json.dumps(values)]})
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "plan.json").write_text(text, encoding="utf-8")
        result = scan(root)
    assert not result.problems
    return {(o.check_id, o.subject): o.passed for o in result.observations}


FULL_GOOD = plan_verdicts(GOOD)
FULL_BAD = plan_verdicts(BAD)


def test_the_good_and_bad_values_decide_every_check() -> None:
    judged = {key for key in FULL_GOOD if key[0] not in NAMESPACE_CHECKS}
    assert all(
        FULL_GOOD[key] is True for key in judged if key[0] != "k8s.pod-managed-by-controller"
    )
    assert all(FULL_BAD.get(key) is not True for key in judged), [
        key for key in judged if FULL_BAD.get(key) is True
    ]


@settings(max_examples=15, deadline=None)
@given(st.sets(st.sampled_from(sorted(set(GOOD) | set(BAD)))), st.booleans())
def test_a_verdict_that_is_decided_holds_whatever_the_chart_does(
    keys: set[str], start_good: bool
) -> None:
    """Never a guess: with only some values set, a decided verdict is the one every
    completion gets (here: completed with the good values, and with the bad ones)."""
    base, other = (GOOD, BAD) if start_good else (BAD, GOOD)
    given_values = {k: base[k] for k in keys if k in base}
    partial = plan_verdicts(given_values)
    completions = [
        plan_verdicts({**{k: v for k, v in other.items() if k not in keys}, **given_values}),
        plan_verdicts({**{k: v for k, v in base.items() if k not in keys}, **given_values}),
    ]
    for key, verdict in partial.items():
        if verdict is None:
            continue
        for completion in completions:
            assert completion.get(key, verdict) == verdict, (key, sorted(keys))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "name": st.text(alphabet="ab.[]0\\=,{}", max_size=12),
                "value": st.one_of(st.none(), st.text(max_size=10), st.integers()),
                "type": st.sampled_from(["", "auto", "string", "literal", "bogus"]),
            }
        ),
        max_size=4,
    ),
    st.lists(st.text(max_size=30), max_size=2),
)
def test_any_set_entries_and_values_are_judged_without_crashing(
    sets: list[dict[str, Any]], documents: list[str]
) -> None:
    text = plan_document({"set": sets, "values": documents})
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "plan.json").write_text(text, encoding="utf-8")
        result = scan(root)
    assert all(o.passed in (True, False, None) for o in result.observations)
    assert all(p.path == "plan.json" for p in result.problems)


def test_indented_heredocs_keep_their_quotes_and_backslashes(tmp_path: Path) -> None:
    body = r"""
      values = [<<-EOT
        image:
          repository: "ghcr.io/acme/web"
          tag: "1.2.3"
          digest: ""
        podAnnotations:
          pattern: "\\d+"
        EOT
      ]
    """
    write(tmp_path, "main.tf", WEB % body)
    write(
        tmp_path,
        "worker.tf",
        """\
        resource "kubectl_manifest" "worker" {
          yaml_body = <<-YAML
            apiVersion: v1
            kind: Pod
            metadata: {name: "worker", namespace: "jobs"}
            spec:
              containers:
                - name: "worker"
                  image: "example/worker:2.0"
                  securityContext: {runAsNonRoot: true}
          YAML
        }
        """,
    )
    result = scan(tmp_path)
    assert not result.problems
    tag = finding(result, "k8s.container-image-tag", "Deployment/shop/web")
    assert tag.passed is True
    digest = finding(result, "k8s.container-image-digest", "Deployment/shop/web")
    assert digest.passed is False and digest.message.endswith(AS_SET)
    worker = finding(result, "k8s.container-run-as-non-root", "Pod/jobs/worker")
    assert worker.passed is True


def test_values_files_may_use_anchors_and_merge_keys(tmp_path: Path) -> None:
    write(
        tmp_path,
        "values.yaml",
        """\
        small: &small {cpu: 100m, memory: 128Mi}
        resources:
          requests: {<<: *small}
          limits:
            <<: *small
            cpu: 500m
        1: numbered
        """,
    )
    read, problems = values_of(
        tmp_path,
        """
        resource "helm_release" "web" {
          name   = "web"
          chart  = "nginx"
          values = [file("values.yaml")]
        }
        """,
    )
    assert problems == []
    assert read.values["resources"] == {
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "128Mi"},
    }
    assert read.values["1"] == "numbered"


def test_an_alias_bomb_is_refused_not_expanded(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    write(tmp_path, "values.yaml", "\n".join(lines) + "\n")
    read, problems = values_of(
        tmp_path,
        """
        resource "helm_release" "web" {
          name   = "web"
          chart  = "nginx"
          values = [file("values.yaml")]
        }
        """,
    )
    assert read.terraform == ["values[0] = file(values.yaml)"]
    assert len(problems) == 1 and "more than 200,000 values" in problems[0][1]


def test_the_scan_summary_counts_what_the_chart_leaves_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from platform_maturity.cli.main import main

    write(tmp_path, "infra/main.tf", WEB % "values = [yamlencode({ replicaCount = 1 })]")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["scan", "infra", "--no-store"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if "Check" in line and "Pass" in line)
    assert header.split()[-1] == "Open"
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "k8s.container-ephemeral-storage-requests" in out  # whole, not folded
    assert "open (not decided; each finding says why)" in " ".join(out.split())

"""Files for the demo organization to scan: repositories, manifests and Terraform.

Each team gets a realistic mix of good and bad practice (the Platform team does most
things right, the Data team few). Everything is generated, deterministic and fictional.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Practice:
    """What one team does: each flag turns on one practice in its generated files."""

    ci_tests: bool
    ci_lint: bool
    ci_security: bool
    cd: bool
    changelog: bool
    codeowners: bool
    devcontainer: bool
    dependabot: bool
    hardened: bool  # non-root, read-only root fs, dropped capabilities, no escalation
    probes: bool
    resources: bool
    replicas: int
    budget: bool
    autoscaled: bool
    network_policy: bool
    encrypted: bool
    protected: bool  # deletion protection, backups, multi-AZ


PRACTICE = {
    "platform": Practice(
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        3,
        True,
        True,
        True,
        True,
        True,
    ),
    "payments": Practice(
        True,
        True,
        True,
        True,
        True,
        True,
        False,
        True,
        True,
        True,
        True,
        2,
        True,
        False,
        True,
        True,
        True,
    ),
    "storefront": Practice(
        True,
        True,
        False,
        True,
        False,
        True,
        True,
        False,
        False,
        True,
        True,
        2,
        False,
        True,
        False,
        True,
        False,
    ),
    "data": Practice(
        False,
        False,
        False,
        False,
        False,
        False,
        False,
        False,
        False,
        False,
        False,
        1,
        False,
        False,
        False,
        False,
        False,
    ),
}
REPOSITORIES = {
    "platform": ("platform-ci-templates", "platform-ingress"),
    "payments": ("payments-api", "payments-ledger"),
    "storefront": ("storefront-web", "storefront-search"),
    "data": ("data-pipelines", "data-warehouse"),
}


def _ci(p: Practice) -> str:
    steps = [
        "      - uses: actions/checkout@8e5e7e5ab8b370d6c329ec480221332ada57f0ab",
        "      - run: make build",
    ]
    if p.ci_tests:
        steps.append("      - run: pytest --cov=app --cov-report=xml")
    if p.ci_lint:
        steps += ["      - run: ruff check .", "      - run: mypy --strict app"]
    if p.ci_security:
        steps += [
            "      - run: pip-audit -r requirements.txt",
            "      - run: syft . -o cyclonedx-json > sbom.json",
        ]
    steps.append("      - if: failure()\n        run: ./scripts/notify-slack.sh")
    return (
        "name: ci\non:\n  pull_request:\n  push:\n    branches: [main]\njobs:\n"
        "  test:\n    runs-on: ubuntu-latest\n    steps:\n" + "\n".join(steps) + "\n"
    )


def _repository(root: Path, name: str, p: Practice) -> None:
    root.mkdir(parents=True)
    files: dict[str, str] = {
        "README.md": f"# {name}\n\nPart of the Northwind Parcel demo organization.\n",
        "app/__init__.py": '"""Demo service."""\n',
        "requirements.txt": "fastapi==0.115.0\nuvicorn==0.30.6\n",
        "Makefile": "build:\n\tpython -m build\n"
        + ("setup:\n\tpip install -r requirements.txt\n" if p.devcontainer else ""),
        "Dockerfile": 'FROM python:3.12-slim\nCOPY app /app\nCMD ["python", "-m", "app"]\n',
    }
    if p.ci_tests or p.ci_lint:
        files[".github/workflows/ci.yml"] = _ci(p)
        files["tests/test_app.py"] = "def test_import() -> None:\n    import app  # noqa\n"
        files["pyproject.toml"] = (
            "[tool.pytest.ini_options]\ntestpaths = ['tests']\n"
            "[tool.coverage.run]\nbranch = true\n[tool.ruff]\n"
            "line-length = 100\n[tool.mypy]\nstrict = true\n"
        )
    if p.cd:
        files[".github/workflows/deploy.yml"] = (
            "name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n"
            "    runs-on: ubuntu-latest\n    environment: production\n    steps:\n"
            "      - run: helm upgrade --install app ./chart\n"
        )
    if p.changelog:
        files["CHANGELOG.md"] = "# Changelog\n\n## 1.4.0\n- Faster checkout.\n"
        files["release-please-config.json"] = '{"release-type": "python"}\n'
    if p.codeowners:
        files[".github/CODEOWNERS"] = f"* @northwind/{name.split('-')[0]}\n"
        files["SECURITY.md"] = "# Security\n\nReport issues to security@example.com.\n"
    if p.devcontainer:
        files[".devcontainer/devcontainer.json"] = (
            '{"image": "mcr.microsoft.com/devcontainers/python:3.12"}\n'
        )
        files[".tool-versions"] = "python 3.12.7\n"
    if p.dependabot:
        files[".github/dependabot.yml"] = (
            "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"
            "    schedule: {interval: weekly}\n"
        )
        files["requirements.lock"] = "fastapi==0.115.0 --hash=sha256:" + "0" * 64 + "\n"
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _commit(root)


def _commit(root: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2026-09-01T12:00:00+00:00",
        "GIT_COMMITTER_DATE": "2026-09-01T12:00:00+00:00",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        [
            "-c",
            "user.name=Northwind Demo",
            "-c",
            "user.email=demo@example.com",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "-m",
            "Initial import",
        ],
    ):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def _container(name: str, p: Practice) -> str:
    lines = [f"        - name: {name}", f"          image: ghcr.io/northwind/{name}:1.4.0"]
    if p.resources:
        lines += [
            "          resources:",
            "            requests: {cpu: 100m, memory: 256Mi, ephemeral-storage: 1Gi}",
            "            limits: {memory: 256Mi, ephemeral-storage: 2Gi}",
        ]
    if p.probes:
        lines += [
            "          readinessProbe: {httpGet: {path: /ready, port: 8080}}",
            "          livenessProbe: {httpGet: {path: /live, port: 8080}}",
            "          lifecycle: {preStop: {exec: {command: [sleep, '5']}}}",
        ]
    if p.hardened:
        lines += [
            "          securityContext:",
            "            runAsNonRoot: true",
            "            runAsUser: 10001",
            "            readOnlyRootFilesystem: true",
            "            allowPrivilegeEscalation: false",
            "            capabilities: {drop: [ALL]}",
        ]
    return "\n".join(lines)


def _manifests(unit: str, p: Practice) -> str:
    documents = []
    for name in REPOSITORIES[unit]:
        selector = f"{{matchLabels: {{app: {name}}}}}"
        spread = (
            "      topologySpreadConstraints:\n"
            "        - {maxSkew: 1, topologyKey: kubernetes.io/hostname,"
            f" whenUnsatisfiable: DoNotSchedule, labelSelector: {selector}}}\n"
            "        - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone,"
            f" whenUnsatisfiable: ScheduleAnyway, labelSelector: {selector}}}\n"
            if p.replicas > 1
            else ""
        )
        documents.append(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n"
            f"  namespace: {unit}\nspec:\n  replicas: {p.replicas}\n"
            f"  strategy: {{type: {'RollingUpdate' if p.replicas > 1 else 'Recreate'}}}\n"
            f"  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n"
            f"    metadata: {{labels: {{app: {name}}}}}\n    spec:\n"
            f"      automountServiceAccountToken: {'false' if p.hardened else 'true'}\n"
            f"      terminationGracePeriodSeconds: 30\n{spread}      containers:\n"
            f"{_container(name, p)}\n"
        )
        if p.budget:
            documents.append(
                f"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {name}\n"
                f"  namespace: {unit}\nspec:\n  minAvailable: 1\n"
                f"  selector: {{matchLabels: {{app: {name}}}}}\n"
            )
        if p.autoscaled:
            documents.append(
                f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n"
                f"  name: {name}\n  namespace: {unit}\nspec:\n  scaleTargetRef:"
                f" {{apiVersion: apps/v1, kind: Deployment, name: {name}}}\n"
                f"  minReplicas: {max(2, p.replicas)}\n  maxReplicas: 10\n"
            )
    if p.network_policy:
        documents.append(
            f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n"
            f"  name: default-deny\n  namespace: {unit}\nspec:\n  podSelector: {{}}\n"
            f"  policyTypes: [Ingress, Egress]\n"
        )
    return "---\n".join(documents)


def _terraform(unit: str, p: Practice) -> str:
    flag = "true" if p.protected else "false"
    return (
        f'resource "aws_db_instance" "{unit}" {{\n'
        f'  identifier              = "{unit}-db"\n'
        '  engine                  = "postgres"\n'
        '  instance_class          = "db.t4g.medium"\n'
        f"  storage_encrypted       = {'true' if p.encrypted else 'false'}\n"
        f"  deletion_protection     = {flag}\n"
        f"  multi_az                = {flag}\n"
        f"  backup_retention_period = {14 if p.protected else 0}\n"
        f"  publicly_accessible     = {'false' if p.encrypted else 'true'}\n"
        "}\n\n"
        f'resource "aws_kms_key" "{unit}" {{\n'
        f'  description         = "{unit} data key"\n'
        f"  enable_key_rotation = {'true' if p.encrypted else 'false'}\n"
        "}\n"
    )


ACCOUNT = {"platform": "111111111111", "payments": "222222222222"}
ACCOUNT.update({"storefront": "333333333333", "data": "444444444444", "shared": "999999999999"})
REGION = "eu-west-1"


def _live(kind: str, name: str, namespace: str, serial: int, marks: str) -> str:
    """One object as ``kubectl get -o yaml`` shows it (a uid and a resourceVersion)."""
    api = "v1"
    body = "    spec:\n      ports: [{port: 80, targetPort: 8080}]\n" if kind == "Service" else ""
    body = "    data: {LOG_LEVEL: info}\n" if kind == "ConfigMap" else body
    return (
        f"  - apiVersion: {api}\n    kind: {kind}\n    metadata:\n      name: {name}\n"
        f"      namespace: {namespace}\n"
        f"      uid: 00000000-0000-4000-8000-{serial:012d}\n"
        f'      resourceVersion: "{1000 + serial}"\n{marks}{body}'
    )


def _cluster_dump() -> str:
    """What 'kubectl get services,configmaps -A -o yaml' prints for the demo cluster: teams
    with continuous delivery apply through Helm and Argo CD; the others by hand."""
    items = []
    serial = 0
    for unit, p in PRACTICE.items():
        for name in REPOSITORIES[unit]:
            serial += 1
            helm = (
                "      labels: {app.kubernetes.io/managed-by: Helm}\n"
                f"      annotations: {{meta.helm.sh/release-name: {name}}}\n"
            )
            by_hand = "      managedFields: [{manager: kubectl-create, operation: Update}]\n"
            items.append(_live("Service", name, unit, serial, helm if p.cd else by_hand))
            serial += 1
            argo = (
                "      annotations: {argocd.argoproj.io/tracking-id: "
                f'"{unit}:/ConfigMap:{unit}/{name}-settings"}}\n'
            )
            items.append(
                _live("ConfigMap", f"{name}-settings", unit, serial, argo if p.cd else by_hand)
            )
        serial += 1  # the cluster's own objects, never counted
        items.append(_live("ConfigMap", "kube-root-ca.crt", unit, serial, ""))
    return "apiVersion: v1\nkind: List\nitems:\n" + "".join(items)


def _arn(unit: str, service: str, resource: str) -> str:
    region = "" if service == "s3" else REGION
    account = "" if service == "s3" else ACCOUNT[unit]
    return f"arn:aws:{service}:{region}:{account}:{resource}"


def _inventory(unit: str, p: Practice) -> str:
    """'aws resourcegroupstaggingapi get-resources' for a team's account: what Terraform
    declares carries ManagedBy=terraform; teams that do not protect their data also keep
    things made in the console."""
    managed = [{"Key": "ManagedBy", "Value": "terraform"}, {"Key": "team", "Value": unit}]
    entries = [
        {"ResourceARN": _arn(unit, "rds", f"db:{unit}-db"), "Tags": managed},
        {"ResourceARN": _arn(unit, "kms", f"key/{unit}-data-key"), "Tags": managed},
    ]
    if not p.protected:
        entries += [
            {
                "ResourceARN": _arn(unit, "s3", f"{unit}-manual-exports"),
                "Tags": [{"Key": "owner", "Value": f"{unit}-oncall"}],
            },
            {
                "ResourceARN": _arn(unit, "ec2", "instance/i-0d3b2a1c0f9e8d7c6"),
                "Tags": [{"Key": "Name", "Value": f"{unit}-bastion"}],
            },
        ]
    return json.dumps({"ResourceTagMappingList": entries}, indent=2) + "\n"


SHARED = {  # the shared stack, applied by Terraform: (type, name, arn)
    "aws_iam_role": ("ci_deployer", _arn("shared", "iam", "role/ci-deployer")),
    "aws_sqs_queue": ("events", _arn("shared", "sqs", "events")),
    "aws_ecs_cluster": ("tools", _arn("shared", "ecs", "cluster/tools")),
}


def _shared_state() -> str:
    """'terraform show -json' of the shared stack's state."""
    resources = [
        {
            "address": f"{kind}.{name}",
            "mode": "managed",
            "type": kind,
            "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "values": {"name": name, "arn": arn},
        }
        for kind, (name, arn) in SHARED.items()
    ]
    state = {
        "format_version": "1.0",
        "terraform_version": "1.9.8",
        "values": {"root_module": {"resources": resources}},
    }
    return json.dumps(state, indent=2) + "\n"


def _shared_inventory() -> str:
    entries = [{"ResourceARN": arn, "Tags": []} for _name, arn in SHARED.values()]
    default_vpc = _arn("shared", "ec2", "vpc/vpc-default0a1b2c3d")
    entries.append({"ResourceARN": default_vpc, "Tags": []})  # AWS makes it; exempted
    return json.dumps({"ResourceTagMappingList": entries}, indent=2) + "\n"


def write_evidence(folder: Path) -> None:
    """Repositories (as git repositories), manifests and Terraform for every demo team, a
    dump of the cluster, and the inventories of the cloud accounts with the shared stack."""
    for unit, practice in PRACTICE.items():
        for name in REPOSITORIES[unit]:
            _repository(folder / "repos" / name, name, practice)
        k8s = folder / "k8s" / f"{unit}.yaml"
        k8s.parent.mkdir(parents=True, exist_ok=True)
        k8s.write_text(_manifests(unit, practice), encoding="utf-8")
        terraform = folder / "terraform" / unit / "main.tf"
        terraform.parent.mkdir(parents=True, exist_ok=True)
        terraform.write_text(_terraform(unit, practice), encoding="utf-8")
        (terraform.parent / "inventory.json").write_text(
            _inventory(unit, practice), encoding="utf-8"
        )
    (folder / "k8s" / "cluster-dump.yaml").write_text(_cluster_dump(), encoding="utf-8")
    shared = folder / "terraform" / "shared"
    shared.mkdir(parents=True, exist_ok=True)
    (shared / "state.json").write_text(_shared_state(), encoding="utf-8")
    (shared / "inventory.json").write_text(_shared_inventory(), encoding="utf-8")

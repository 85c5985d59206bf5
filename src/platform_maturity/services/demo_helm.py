"""Helm releases in the demo organization's Terraform: one team sets its values with care,
one sets a few and leaves the rest to the chart, one takes shortcuts. The scan judges
what the values say and leaves the chart's part undecided. Fixed text, fictional."""

from __future__ import annotations

from pathlib import Path

PLATFORM_VALUES = """\
# Values of the edge gateway, read by terraform/platform/helm.tf
replicaCount: 3
image:
  repository: ghcr.io/northwind/edge-gateway
  tag: "2.8.1"
  digest: sha256:4c6f1d2e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d
  pullPolicy: IfNotPresent
podSecurityContext:
  runAsNonRoot: true
  runAsUser: 10001
  fsGroup: 10001
  seccompProfile: {type: RuntimeDefault}
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  readOnlyRootFilesystem: true
  allowPrivilegeEscalation: false
  privileged: false
  capabilities: {drop: [ALL], add: []}
  seccompProfile: {type: RuntimeDefault}
resources:
  requests: {cpu: 200m, memory: 256Mi, ephemeral-storage: 512Mi}
  limits: {cpu: "1", memory: 256Mi, ephemeral-storage: 1Gi}
livenessProbe:
  httpGet: {path: /livez, port: http}
readinessProbe:
  httpGet: {path: /readyz, port: http}
lifecycle:
  preStop:
    exec: {command: [sleep, "10"]}
terminationGracePeriodSeconds: 40
hostNetwork: false
hostIPC: false
hostPID: false
automountServiceAccountToken: false
strategy:
  type: RollingUpdate
  rollingUpdate: {maxUnavailable: 0, maxSurge: 1}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: DoNotSchedule
    labelSelector:
      matchLabels: {app.kubernetes.io/instance: edge-gateway}
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels: {app.kubernetes.io/instance: edge-gateway}
affinity: {}
autoscaling:
  enabled: true
  minReplicas: 3
  maxReplicas: 12
  targetCPUUtilizationPercentage: 70
  vpa: {enabled: false}
pdb:
  create: true
  maxUnavailable: 1
networkPolicy:
  enabled: true
  policyTypes: [Ingress, Egress]
"""

PLATFORM = """\
# The edge gateway, installed from the platform team's own chart (helm create layout).
resource "helm_release" "edge_gateway" {
  name       = "edge-gateway"
  repository = "oci://ghcr.io/northwind/charts"
  chart      = "edge-gateway"
  version    = "2.8.1"
  namespace  = "platform"
  values     = [file("${path.module}/values/edge-gateway.yaml")]
}
"""

STOREFRONT = """\
# The storefront's web cache: a community chart, a few values set, the rest the chart's.
resource "helm_release" "storefront_cache" {
  name       = "storefront-cache"
  repository = "https://charts.bitnami.com/bitnami"
  chart      = "nginx"
  version    = "18.3.1"
  namespace  = "storefront"

  values = [<<-EOT
    replicaCount: 2
    image:
      tag: "1.27.3"
    resourcesPreset: small
    podAntiAffinityPreset: hard
    autoscaling:
      hpa:
        enabled: false
    EOT
  ]

  set {
    name  = "containerSecurityContext.runAsNonRoot"
    value = "true"
  }
  set {
    name  = "containerSecurityContext.readOnlyRootFilesystem"
    value = "true"
  }
  set {
    name  = "podAnnotations.prometheus\\\\.io/scrape"
    value = "true"
  }
}
"""

DATA = """\
# A notebook server the data team installed in a hurry.
resource "helm_release" "notebooks" {
  name      = "notebooks"
  chart     = "./charts/notebooks"
  namespace = "data"

  values = [yamlencode({
    replicaCount = 1
    image        = { repository = "jupyter/datascience-notebook", tag = "latest", digest = "" }
    resources    = {}
    securityContext = {
      runAsUser                = 0
      allowPrivilegeEscalation = true
    }
    livenessProbe  = null
    readinessProbe = null
    autoscaling    = { enabled = false }
    pdb            = { create = false }
    networkPolicy  = { enabled = false }
  })]

  set {
    name  = "hostNetwork"
    value = "true"
  }
}
"""


def write_helm_releases(folder: Path) -> None:
    """Add ``helm.tf`` (and a values file) to the Terraform of three demo teams."""
    terraform = folder / "terraform"
    files = {
        "platform/helm.tf": PLATFORM,
        "platform/values/edge-gateway.yaml": PLATFORM_VALUES,
        "storefront/helm.tf": STOREFRONT,
        "data/helm.tf": DATA,
    }
    for name, text in files.items():
        path = terraform / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

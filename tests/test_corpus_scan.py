"""Everything in the shared Kubernetes corpus scans: no crash, and no unexplained skip.

The corpus holds real public manifests of mixed quality. A file the scanner cannot read
must be one of the few listed here, each with the reason it is not a valid manifest.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from platform_maturity.checks.catalog import load_catalog
from platform_maturity.collectors.base import ScanContext
from platform_maturity.collectors.registry import check_functions, collectors
from platform_maturity.framework.loader import load_framework

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "kubernetes"
ARCHIVED = "kubernetes/kubernetes-examples/_archived"
TEMPLATE = "an unrendered template: a {{ ... }} placeholder parses as a mapping key"
DUPLICATE = "a key repeated in one mapping; Kubernetes' strict decoding rejects it too"
EXPLAINED = {
    f"{ARCHIVED}/newrelic/newrelic-config-template.yaml": TEMPLATE,
    f"{ARCHIVED}/newrelic-infrastructure/newrelic-config-template.yaml": TEMPLATE,
    f"{ARCHIVED}/storage/vitess/etcd-controller-template.yaml": TEMPLATE,
    f"{ARCHIVED}/storage/vitess/etcd-service-template.yaml": TEMPLATE,
    f"{ARCHIVED}/storage/vitess/vtgate-controller-template.yaml": TEMPLATE,
    f"{ARCHIVED}/openshift-origin/etcd-controller.yaml": DUPLICATE,
    f"{ARCHIVED}/openshift-origin/etcd-discovery-controller.yaml": DUPLICATE,
    f"{ARCHIVED}/openshift-origin/openshift-controller.yaml": DUPLICATE,
    f"{ARCHIVED}/persistent-volume-provisioning/quobyte/quobyte-admin-secret.yaml": DUPLICATE,
    f"{ARCHIVED}/volumes/scaleio/sc-pvc.yaml": DUPLICATE,
}


@pytest.fixture(scope="module")
def scanned() -> dict[str, object]:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    catalog = load_catalog(load_framework(), functions=check_functions())
    context = ScanContext(
        catalog=catalog,
        now=datetime(2026, 11, 20, tzinfo=UTC),
        root=CORPUS.parent,
        scan_roots=[CORPUS],
    )
    results = {}
    for name, collector in collectors().items():
        results[name] = collector.collect(collector.discover([CORPUS]), context)
    return results


def test_every_manifest_is_read_or_explained(scanned: dict[str, object]) -> None:
    kubernetes = scanned["kubernetes"]
    problems = {p.path: p.message for p in kubernetes.problems}  # type: ignore[attr-defined]
    unexplained = {path: message for path, message in problems.items() if path not in EXPLAINED}
    assert not unexplained, f"unexplained problems: {unexplained}"
    assert kubernetes.inputs >= 500  # type: ignore[attr-defined]
    read = kubernetes.inputs - len(problems)  # type: ignore[attr-defined]
    assert read >= 570


def test_the_corpus_gives_findings_for_every_workload_check(scanned: dict[str, object]) -> None:
    kubernetes = scanned["kubernetes"]
    checks = {o.check_id for o in kubernetes.observations}  # type: ignore[attr-defined]
    for expected in (
        "k8s.container-run-as-non-root",
        "k8s.container-readiness-probe",
        "k8s.workload-min-replicas",
        "k8s.workload-pdb",
    ):
        assert expected in checks
    assert all(
        o.evidence and o.evidence[0].line_start  # type: ignore[attr-defined]
        for o in kubernetes.observations
    )  # type: ignore[attr-defined]

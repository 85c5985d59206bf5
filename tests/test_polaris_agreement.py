"""Our Kubernetes checks agree with Polaris' own fixtures, and docs/checks.md lists them.

Polaris ships ``test/checks/<polarisId>/{success,failure}*.yaml`` for each of its checks; a
copy lives in ``../shared/corpus/kubernetes/polaris-check-fixtures``. For every check of
ours that names a Polaris equivalent, each ``success*`` file must give our check no
failure and each ``failure*`` file at least one. A file with no object our check applies
to (a Pod for a Deployment-only check) is "not applicable" and left out of the ratio.
Where Polaris encodes a stance we deliberately do not share, the file is listed in
EXPECTED_DISAGREEMENTS with the reason; it counts as agreement only while it still
disagrees.

The second half keeps the check table of docs/checks.md true; rewrite it with
``.venv/bin/python -m tests.test_polaris_agreement``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from platform_maturity.checks.catalog import Catalog, load_catalog
from platform_maturity.collectors.base import ScanContext
from platform_maturity.collectors.kubernetes.collector import KubernetesCollector
from platform_maturity.collectors.registry import check_functions
from platform_maturity.domain.checks import CheckDefinition
from platform_maturity.framework.loader import load_framework

ROOT = Path(__file__).resolve().parents[1]
CORPUS = (
    Path(__file__).parents[1].parent
    / "shared"
    / "corpus"
    / "kubernetes"
    / "polaris-check-fixtures"
    / "test"
    / "checks"
)
DOCS = ROOT / "docs" / "checks.md"
NOW = datetime(2026, 11, 20, tzinfo=UTC)
MIN_AGREEMENT = 0.95

# (Polaris id, our check id, fixture file name) -> why we disagree on purpose
EXPECTED_DISAGREEMENTS: dict[tuple[str, str, str], str] = {
    ("topologySpreadConstraint", "k8s.workload-spread-across-zones", "success.yaml"): (
        "Polaris accepts a spread constraint on any key; the fixture spreads over "
        "kubernetes.io/hostname only, which is R.A.2 (hosts), not R.A.3 (zones)."
    ),
    (
        "missingNetworkPolicy",
        "k8s.workload-network-isolated",
        "failure.netpol_missing_egress_rules.yaml",
    ): (
        "policyTypes lists Egress with no egress rules: all egress is denied, the "
        "strictest setting. Polaris wants at least one rule; we count the pod as isolated."
    ),
    (
        "missingNetworkPolicy",
        "k8s.workload-network-isolated",
        "failure.netpol_missing_ingress_rules.yaml",
    ): (
        "policyTypes lists Ingress with no ingress rules: all ingress is denied, the "
        "strictest setting. Polaris wants at least one rule; we count the pod as isolated."
    ),
}

CATALOG = load_catalog(load_framework(), functions=check_functions())


@dataclass
class Row:
    polaris: str
    ours: str
    agreed: int = 0
    applicable: int = 0
    documented: int = 0
    not_applicable: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)


def our_verdict(check: CheckDefinition, fixture: Path) -> bool | None:
    """True if our check passes everything in the file, False if it fails something,
    None if it has nothing to say (no object it applies to)."""
    collector = KubernetesCollector()
    context = ScanContext(catalog=Catalog((check,)), now=NOW, root=fixture.parent)
    result = collector.collect([fixture], context)
    assert not result.problems, f"{fixture} could not be read: {result.problems}"
    verdicts = [o.passed for o in result.observations if o.check_id == check.id]
    if not verdicts:
        return None
    return all(verdicts)


def polaris_pairs() -> list[tuple[str, CheckDefinition]]:
    return [
        (polaris_id, check)
        for check in CATALOG.by_source("kubernetes")
        for polaris_id in check.equivalents.polaris
    ]


def compare() -> tuple[list[Row], list[tuple[str, str, str]]]:
    rows: list[Row] = []
    seen_disagreements: set[tuple[str, str, str]] = set()
    for polaris_id, check in polaris_pairs():
        row = Row(polaris_id, check.id)
        fixtures = sorted(
            p
            for p in (CORPUS / polaris_id).glob("*.yaml")
            if p.name.startswith(("success", "failure"))
        )
        for fixture in fixtures:
            verdict = our_verdict(check, fixture)
            if verdict is None:
                row.not_applicable.append(fixture.name)
                continue
            row.applicable += 1
            expected = fixture.name.startswith("success")
            key = (polaris_id, check.id, fixture.name)
            if verdict == expected:
                row.agreed += 1
            elif key in EXPECTED_DISAGREEMENTS:
                row.documented += 1
                seen_disagreements.add(key)
            else:
                row.disagreements.append(fixture.name)
        rows.append(row)
    stale = sorted(set(EXPECTED_DISAGREEMENTS) - seen_disagreements)
    return rows, stale


def render(rows: list[Row]) -> str:
    width = max(len(r.ours) for r in rows)
    lines = [
        f"{'Polaris check':<36} {'our check':<{width}} agreed/applicable  documented  n/a",
    ]
    for r in rows:
        ratio = f"{r.agreed + r.documented}/{r.applicable}"
        lines.append(
            f"{r.polaris:<36} {r.ours:<{width}} {ratio:>17}  {r.documented:>10}  "
            f"{len(r.not_applicable):>3}"
            + (f"   disagree: {', '.join(r.disagreements)}" if r.disagreements else "")
        )
    agreed = sum(r.agreed + r.documented for r in rows)
    applicable = sum(r.applicable for r in rows)
    skipped = sum(len(r.not_applicable) for r in rows)
    documented = sum(r.documented for r in rows)
    raw = agreed - documented
    lines.append(
        f"overall: {agreed}/{applicable} = {agreed / max(applicable, 1):.1%} "
        f"({documented} documented disagreements counted as agreement, "
        f"{raw}/{applicable} = {raw / max(applicable, 1):.1%} without them; "
        f"{skipped} files not applicable and excluded)"
    )
    return "\n".join(lines)


@pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"Polaris fixture corpus not found at {CORPUS} (CI provides ../shared/corpus)",
)
def test_our_checks_agree_with_polaris_fixtures(capsys: pytest.CaptureFixture[str]) -> None:
    missing = sorted({p for p, _ in polaris_pairs() if not (CORPUS / p).is_dir()})
    assert not missing, f"equivalents name Polaris checks with no fixtures: {missing}"
    rows, stale = compare()
    table = render(rows)
    with capsys.disabled():
        print("\n" + table)
    assert not stale, f"EXPECTED_DISAGREEMENTS entries that now agree (remove them): {stale}"
    agreed = sum(r.agreed + r.documented for r in rows)
    applicable = sum(r.applicable for r in rows)
    assert applicable, "no Polaris fixture was applicable to any of our checks"
    assert agreed / applicable >= MIN_AGREEMENT, table

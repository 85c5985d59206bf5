"""Scan: run every collector over the evidence roots, store what they saw in one transaction."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time
from functools import lru_cache
from pathlib import Path

from platform_maturity.checks.catalog import Catalog, load_catalog
from platform_maturity.collectors.base import Exemption, Problem, ScanContext
from platform_maturity.collectors.registry import check_functions, collectors
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.records import EvidenceRef, Observation
from platform_maturity.domain.scans import PROBLEM_CHECK, CheckTally, ScanSummary
from platform_maturity.engine.evidence import scan_measurements
from platform_maturity.services.workspace import Workspace
from platform_maturity.store import repo
from platform_maturity.store.db import Database

Progress = Callable[[str, int, int], None]  # (what, done, total)


def catalog_for(workspace: Workspace) -> Catalog:
    extra = [(workspace.root / p).resolve() for p in workspace.config.scan.checks]
    return load_catalog(workspace.framework, extra=extra, functions=check_functions())


def default_roots(workspace: Workspace) -> dict[str, list[Path]]:
    """The evidence paths of maturity.yaml, by the collector that reads them."""
    evidence = workspace.config.evidence

    def paths(names: Sequence[str]) -> list[Path]:
        return [(workspace.root / name).resolve() for name in names]

    return {
        "repository": paths(evidence.repositories),
        # Kubernetes objects can be declared in Terraform too
        "kubernetes": paths([*evidence.kubernetes, *evidence.terraform]),
        "terraform": paths(evidence.terraform),
    }


def _collector_options(workspace: Workspace) -> dict[str, dict[str, object]]:
    """A workspace's own repository detector tables, next to its own checks."""
    tables: list[Path] = []
    for name in workspace.config.scan.checks:
        folder = (workspace.root / name).resolve() / "repository" / "detectors"
        if folder.is_dir():
            tables.extend(sorted(folder.glob("*.yaml")))
    return {"repository": {"detector_paths": tables}} if tables else {}


def _unit_for(workspace: Workspace) -> Callable[[Path, str | None], str | None]:
    units = workspace.config.units
    root = workspace.root.resolve()

    @lru_cache(maxsize=65536)
    def unit_for(path: Path, namespace: str | None) -> str | None:
        if namespace is not None:
            for unit in units:
                if namespace in unit.namespaces:
                    return unit.slug
        full = path if path.is_absolute() else root / path
        try:
            relative = full.resolve().relative_to(root).as_posix()
        except ValueError:
            relative = full.as_posix()
        for unit in units:
            if any(
                fnmatch.fnmatchcase(relative, g) or fnmatch.fnmatchcase(relative, f"{g}/*")
                for g in unit.paths
            ):
                return unit.slug
        return None

    return unit_for


def _unit_for_owners(workspace: Workspace) -> Callable[[Sequence[str]], str | None]:
    by_owner = {o.lower(): u.slug for u in workspace.config.units for o in u.owners}

    def unit_for_owners(owners: Sequence[str]) -> str | None:
        return next((by_owner[o.lower()] for o in owners if o.lower() in by_owner), None)

    return unit_for_owners


def _exemptions(workspace: Workspace) -> list[Exemption]:
    return [
        Exemption(
            check=e.check,
            subject=e.subject,
            reason=e.reason,
            expires=datetime.combine(e.expires, time.min, UTC) if e.expires else None,
        )
        for e in workspace.config.scan.exemptions
    ]


def _problem_observation(problem: Problem, collector: str, now: datetime) -> Observation:
    return Observation(
        collector=collector,
        collector_version="1",
        check_id=PROBLEM_CHECK,
        subject=f"input:{problem.path}",
        passed=None,
        message=problem.message,
        evidence=(EvidenceRef(path=problem.path, line_start=problem.line, line_end=problem.line),),
        observed_at=now,
    )


def _tallies(catalog: Catalog, observations: Sequence[Observation]) -> list[CheckTally]:
    tallies = []
    for check in catalog.checks:
        mine = [o for o in observations if o.check_id == check.id]
        if not mine:
            continue
        tallies.append(
            CheckTally(
                check=check,
                passed=sum(1 for o in mine if o.passed),
                failed=sum(1 for o in mine if o.passed is False and not o.waived),
                waived=sum(1 for o in mine if o.waived),
                undecided=sum(1 for o in mine if o.passed is None),
            )
        )
    return tallies


def run_scan(
    workspace: Workspace,
    database: Database,
    paths: Sequence[Path],
    now: datetime,
    actor: str,
    progress: Progress | None = None,
    clock: Callable[[], datetime] | None = None,
) -> ScanSummary:
    """Scan ``paths`` (or the workspace's evidence roots); store it all or nothing."""
    found = collectors(_collector_options(workspace))
    if paths:
        given = [p.resolve() for p in paths]
        by_collector = dict.fromkeys(found, given)
    else:
        by_collector = default_roots(workspace)
    roots = list(dict.fromkeys(r for rs in by_collector.values() for r in rs))
    if not roots:
        raise UserError(
            "nothing to scan",
            hint="Give paths (maturity scan PATH...) or list them under evidence: in"
            f" {workspace.config_path.name} (repositories, kubernetes, terraform).",
        )
    for root in roots:
        if not root.exists():
            raise UserError("no such file or folder to scan", file=str(root))
    catalog = catalog_for(workspace)
    context = ScanContext(
        catalog=catalog,
        now=now,
        unit_for=_unit_for(workspace),
        unit_for_owners=_unit_for_owners(workspace),
        exemptions=_exemptions(workspace),
        root=workspace.root.resolve(),
        scan_roots=roots,
        cache_dir=workspace.root.resolve() / ".maturity" / "cache",
    )
    report = progress or (lambda _what, _done, _total: None)
    observations: list[Observation] = []
    problems: list[Problem] = []
    inputs: dict[str, int] = {}
    for index, (name, collector) in enumerate(sorted(found.items())):
        report(f"Scanning {name}", index, len(found))
        mine = by_collector.get(name, [])
        discovered = collector.discover(mine) if mine else []
        if not paths and name == "repository":
            # a configured repository path that holds no repository is worth a finding
            discovered += [
                r for r in mine if not any(d == r or d.is_relative_to(r) for d in discovered)
            ]
        result = collector.collect(discovered, context)
        inputs[name] = result.inputs
        observations.extend(result.observations)
        problems.extend(result.problems)
        observations.extend(_problem_observation(p, name, now) for p in result.problems)
    report("Storing", len(found), len(found))
    check_metrics = {c.id: c.metric for c in catalog.checks if c.metric}
    measurements = scan_measurements(
        observations, check_metrics, [u.slug for u in workspace.config.units], now, "scan"
    )
    finished = clock() if clock else now
    with database.transaction() as session:
        scan_id = repo.add_scan(
            session,
            started_at=now,
            finished_at=finished,
            roots=[str(r) for r in roots],
            inputs=sum(inputs.values()),
            observations=observations,
            problems=len(problems),
            actor=actor,
        )
        for measurement in measurements:
            repo.add_measurement(session, measurement, actor, now)
    return ScanSummary(
        scan_id=scan_id,
        started_at=now,
        finished_at=finished,
        roots=[str(r) for r in roots],
        inputs=inputs,
        observations=observations,
        problems=problems,
        tallies=_tallies(catalog, observations),
        checks=catalog.checks,
    )

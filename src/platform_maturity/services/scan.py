"""Scan: run every collector over the evidence roots, store what they saw in one transaction."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from platform_maturity.checks.catalog import Catalog, load_catalog
from platform_maturity.collectors.base import Exemption, Problem, ScanContext
from platform_maturity.collectors.registry import check_functions, collectors
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.observations import EvidenceRef, Observation
from platform_maturity.domain.scans import (
    PROBLEM_CHECK,
    CheckTally,
    ScanSummary,
    uncovered_roots,
)
from platform_maturity.services.settings import user_cache_dir

if TYPE_CHECKING:  # the store is imported only when a scan is stored
    from platform_maturity.services.scan_settings import ScanSettings
    from platform_maturity.store.db import Database

Progress = Callable[[str, int, int], None]  # (what, done, total)


def catalog_for(settings: ScanSettings | None) -> Catalog:
    """The built-in checks and the workspace's own (only the built-in ones without one)."""
    cache = user_cache_dir() / "catalog"
    if settings is None:
        return load_catalog(functions=check_functions(), cache_dir=cache)
    extra = [(settings.root / p).resolve() for p in settings.checks]
    # keyed by the framework's files, not its goals: a cached catalog needs no framework
    return load_catalog(
        extra=extra, functions=check_functions(), cache_dir=cache, overrides=settings.overrides
    )


def default_roots(settings: ScanSettings) -> dict[str, list[Path]]:
    """The evidence paths of maturity.yaml, by the collector that reads them."""

    def paths(names: Sequence[str]) -> list[Path]:
        return [(settings.root / name).resolve() for name in names]

    return {
        "repository": paths(settings.repositories),
        # Kubernetes objects can be declared in Terraform too
        "kubernetes": paths([*settings.kubernetes, *settings.terraform]),
        "terraform": paths(settings.terraform),
    }


def _collector_options(settings: ScanSettings) -> dict[str, dict[str, object]]:
    """A workspace's own repository detector tables, next to its own checks."""
    tables: list[Path] = []
    for name in settings.checks:
        folder = (settings.root / name).resolve() / "repository" / "detectors"
        if folder.is_dir():
            tables.extend(sorted(folder.glob("*.yaml")))
    return {"repository": {"detector_paths": tables}} if tables else {}


def _unit_for(settings: ScanSettings) -> Callable[[Path, str | None], str | None]:
    units = settings.units
    root = settings.root.resolve()

    @lru_cache(maxsize=65536)
    def unit_for(path: Path, namespace: str | None) -> str | None:
        if namespace is not None:
            for unit in units:
                if namespace in unit.namespaces:
                    return unit.slug
        if not by_path:
            return only
        full = path if path.is_absolute() else root / path
        try:
            relative = full.resolve().relative_to(root).as_posix()
        except ValueError:
            relative = full.as_posix()
        for unit in by_path:
            if any(
                fnmatch.fnmatchcase(relative, g) or fnmatch.fnmatchcase(relative, f"{g}/*")
                for g in unit.paths
            ):
                return unit.slug
        return only

    by_path = [u for u in units if u.paths]  # no path globs: no path to resolve
    # an organization of one unit: everything is that unit's, matched or not
    only = units[0].slug if len(units) == 1 else None
    return unit_for


def _unit_for_owners(settings: ScanSettings) -> Callable[[Sequence[str]], str | None]:
    by_owner = {o.lower(): u.slug for u in settings.units for o in u.owners}

    def unit_for_owners(owners: Sequence[str]) -> str | None:
        return next((by_owner[o.lower()] for o in owners if o.lower() in by_owner), None)

    return unit_for_owners


def _exemptions(settings: ScanSettings) -> list[Exemption]:
    return [
        Exemption(
            check=e.check,
            subject=e.subject,
            reason=e.reason,
            expires=datetime.combine(e.expires, time.min, UTC) if e.expires else None,
        )
        for e in settings.exemptions
    ]


def exemption_warnings(settings: ScanSettings, catalog: Catalog, now: datetime) -> list[str]:
    """One warning per exemption of maturity.yaml that exempts nothing: its check matches
    no check id (with the closest one, for a typo), or it has expired."""
    ids = sorted(c.id for c in catalog.checks)
    warnings: list[str] = []
    for index, exemption in enumerate(settings.exemptions):
        where = f"{settings.config_name}: scan.exemptions[{index}] (check {exemption.check!r})"
        if not any(fnmatch.fnmatchcase(i, exemption.check) for i in ids):
            import difflib  # only for a typo: not loaded on every scan

            closest = difflib.get_close_matches(exemption.check, ids, n=1)
            hint = f"; did you mean {closest[0]!r}?" if closest else ""
            warnings.append(f"{where}: matches no check, so it exempts nothing{hint}")
        elif exemption.expires is not None and now >= datetime.combine(
            exemption.expires, time.min, UTC
        ):
            warnings.append(
                f"{where}: expired on {exemption.expires.isoformat()}, so it exempts nothing"
            )
    return warnings


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
    counts: dict[str, list[int]] = {}  # check id -> [passed, failed, waived, undecided]
    for o in observations:
        row = counts.setdefault(o.check_id, [0, 0, 0, 0])
        row[0] += bool(o.passed)
        row[1] += o.passed is False and not o.waived
        row[2] += o.waived
        row[3] += o.passed is None
    return [CheckTally(check, *counts[check.id]) for check in catalog.checks if check.id in counts]


def _context(
    settings: ScanSettings | None, catalog: Catalog, now: datetime, roots: Sequence[Path]
) -> ScanContext:
    if settings is None:  # a scan that is not stored: no units, exemptions or cache
        return ScanContext(catalog=catalog, now=now, root=Path.cwd().resolve(), scan_roots=roots)
    return ScanContext(
        catalog=catalog,
        now=now,
        unit_for=_unit_for(settings),
        unit_for_owners=_unit_for_owners(settings),
        exemptions=_exemptions(settings),
        root=settings.root.resolve(),
        scan_roots=roots,
        cache_dir=settings.root.resolve() / ".maturity" / "cache",
    )


def _store(
    settings: ScanSettings,
    database: Database,
    catalog: Catalog,
    observations: list[Observation],
    *,
    roots: list[str],
    inputs: int,
    problems: int,
    times: tuple[datetime, datetime],
    actor: str,
) -> tuple[int, list[str]]:
    """One transaction: the scan, its observations and the metrics they give.

    Returns the scan id and the roots of the scan stored before it that it does not cover.
    """
    from platform_maturity.engine.evidence import scan_measurements
    from platform_maturity.store import repo

    started, finished = times
    check_metrics = {c.id: c.metric for c in catalog.checks if c.metric}
    measurements = scan_measurements(
        observations, check_metrics, settings.unit_slugs, started, "scan"
    )
    with database.transaction() as session:
        previous = repo.latest_scan_roots(session) or []
        scan_id = repo.add_scan(
            session,
            started_at=started,
            finished_at=finished,
            roots=roots,
            inputs=inputs,
            observations=observations,
            problems=problems,
            actor=actor,
        )
        for measurement in measurements:
            repo.add_measurement(session, measurement, actor, started)
    return scan_id, uncovered_roots(previous, roots)


def run_scan(
    settings: ScanSettings | None,
    database: Database | None,
    paths: Sequence[Path],
    now: datetime,
    actor: str,
    progress: Progress | None = None,
    clock: Callable[[], datetime] | None = None,
) -> ScanSummary:
    """Scan ``paths`` (or the workspace's evidence roots) and store it all or nothing.

    ``settings`` are what the scan reads of the workspace (:mod:`.scan_settings`). Without a
    ``database`` the scan is only returned (``scan_id`` is None); without ``settings`` (no
    workspace) it uses the built-in checks, no units and no exemptions but annotations.
    """
    found = collectors(_collector_options(settings) if settings else None)
    if paths:
        given = [p.resolve() for p in paths]
        by_collector = dict.fromkeys(found, given)
    elif settings is not None:
        by_collector = default_roots(settings)
    else:
        by_collector = {}
    roots = list(dict.fromkeys(r for rs in by_collector.values() for r in rs))
    if not roots:
        where = f" in {settings.config_name}" if settings else " in maturity.yaml"
        raise UserError(
            "nothing to scan",
            hint="Give paths (maturity scan PATH...) or list them under evidence:"
            f"{where} (repositories, kubernetes, terraform).",
        )
    for root in roots:
        if not root.exists():
            raise UserError("no such file or folder to scan", file=str(root))
    catalog = catalog_for(settings)
    context = _context(settings, catalog, now, roots)
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
    if not any(inputs.values()) and not observations:
        raise UserError(
            "the scan read no inputs: no repository, manifest or Terraform file under "
            + ", ".join(str(r) for r in roots),
            hint="Nothing was stored. Check the paths (maturity scan PATH...) or the evidence:"
            " section of maturity.yaml.",
        )
    finished = clock() if clock else now
    scan_id: int | None = None
    uncovered: list[str] = []
    if database is not None and settings is not None:
        report("Storing", len(found), len(found))
        scan_id, uncovered = _store(
            settings,
            database,
            catalog,
            observations,
            roots=[str(r) for r in roots],
            inputs=sum(inputs.values()),
            problems=len(problems),
            times=(now, finished),
            actor=actor,
        )
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
        uncovered_roots=uncovered,
        warnings=exemption_warnings(settings, catalog, now) if settings else [],
    )

"""The repository collector: every repository check on every git repository it finds."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from platform_maturity.collectors.base import CollectorResult, Problem, ScanContext
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.observations import EvidenceRef, Observation

if TYPE_CHECKING:
    # what reads a repository is imported only when there is one to read: a scan of
    # manifests alone (handed to every collector) never loads the detectors nor git
    from platform_maturity.collectors.repository.detectors import Detector, DetectorSet
    from platform_maturity.collectors.repository.facts import RepoFacts, Verdict
    from platform_maturity.collectors.repository.files import RepoTree
    from platform_maturity.domain.checks import CheckDefinition


def is_repository(path: Path) -> bool:
    """A work tree with its own ``.git`` (a folder, or a file for worktrees and submodules)."""
    return (path / ".git").exists()


class RepositoryCollector:
    """Repositories are folders with a ``.git``: a root that is one, or the direct
    sub-folders of a root that holds some (an organization's clones)."""

    id = "repository"
    version = "1"

    def __init__(self, detector_paths: Sequence[Path] = (), workers: int | None = None) -> None:
        self.detector_paths = tuple(detector_paths)
        self.workers = workers or min(16, 4 * (os.cpu_count() or 1))
        self._detectors: DetectorSet | None = None

    def detectors(self) -> DetectorSet:
        from platform_maturity.collectors.repository.detectors import load_detectors

        if self._detectors is None:
            self._detectors = load_detectors(self.detector_paths)
        return self._detectors

    def discover(self, roots: Sequence[Path]) -> list[Path]:
        """Repositories among ``roots``: a root that is one, or every sub-folder of a root
        holding at least one (sub-folders that are not repositories come along and are
        reported by ``collect``). Other roots (a manifest folder handed to every collector)
        are left to the other collectors; ``collect`` reports any non-repository it gets."""
        found: list[Path] = []
        for root in roots:
            if is_repository(root):
                found.append(root)
            elif root.is_dir():
                try:
                    children = sorted(
                        c for c in root.iterdir() if c.is_dir() and not c.name.startswith(".")
                    )
                except OSError:
                    continue  # unreadable: not ours to report, nothing here is a repository
                if any(is_repository(c) for c in children):
                    found.extend(children)
        return list(dict.fromkeys(found))

    def collect(self, inputs: Iterable[Path], context: ScanContext) -> CollectorResult:
        result = CollectorResult()
        paths = list(dict.fromkeys(inputs))
        if not paths:
            return result
        from concurrent.futures import ThreadPoolExecutor

        from platform_maturity.collectors.repository.detectors import verdict
        from platform_maturity.collectors.repository.facts import RepoFacts, Status
        from platform_maturity.collectors.repository.relations import FUNCTIONS

        detectors = self.detectors()
        checks = context.catalog.by_source("repository")
        plan = _plan(checks, detectors)
        result.inputs = len(paths)

        def scan(path: Path) -> RepoFacts | Problem:
            try:
                return _scan(path, detectors, context)
            except OSError as exc:  # one unreadable repository never loses the others
                return Problem(context.relative(path), f"cannot read: {exc.strerror or exc}")

        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            scanned = list(pool.map(scan, paths))
        repos = [s for s in scanned if isinstance(s, RepoFacts)]
        result.problems.extend(s for s in scanned if isinstance(s, Problem))
        for check in checks:
            verdicts: Iterable[Verdict]
            if check.function is not None:
                verdicts = FUNCTIONS[check.function](repos)
            else:
                verdicts = (verdict(check, plan[check.id], repo) for repo in repos)
            result.observations.extend(self._observation(check, v, context) for v in verdicts)
        for repo in repos:
            undecided = [r for r in repo.results.values() if r.status is Status.UNKNOWN]
            if undecided:
                result.problems.append(Problem(repo.display, undecided[0].detail))
            result.problems.extend(
                Problem(f"{repo.display}/{p.path}", p.message) for p in repo.tree.problems
            )
        return result

    def _observation(
        self, check: CheckDefinition, found: Verdict, context: ScanContext
    ) -> Observation:
        repo = found.repo
        message = found.message
        exemption = context.exemption(check.id, repo.subject) if found.passed is False else None
        if exemption is not None:
            message = f"{message} (exempt: {exemption.reason})"
        evidence = tuple(
            EvidenceRef(
                path=f"{repo.display}/{hit.file}" if hit.file else repo.display,
                line_start=hit.line_start,
                line_end=hit.line_end,
                query=hit.query,
                object_ref=repo.subject,
            )
            for hit in found.hits
        ) or (EvidenceRef(path=repo.display, object_ref=repo.subject),)
        return Observation(
            collector=self.id,
            collector_version=self.version,
            check_id=check.id,
            subject=repo.subject,
            unit=repo.unit,
            goal_codes=check.goals,
            passed=found.passed,
            waived=exemption is not None,
            value=found.value,
            message=message,
            evidence=evidence,
            observed_at=context.now,
        )


def _plan(checks: Sequence[CheckDefinition], detectors: DetectorSet) -> dict[str, list[Detector]]:
    """Each detector check's detectors (ids may be globs such as ``ci.*``)."""
    from platform_maturity.collectors.repository.relations import FUNCTIONS

    plan: dict[str, list[Detector]] = {}
    for check in checks:
        if check.function is not None:
            if check.function not in FUNCTIONS:
                raise UserError(
                    "repository check names a function that does not exist",
                    field="function",
                    value=check.function,
                    hint="Known functions: " + ", ".join(sorted(FUNCTIONS)),
                )
            continue
        unknown = detectors.unknown(check.detectors)
        if unknown:
            raise UserError(
                "repository check names a detector that does not exist",
                field="detectors",
                value=unknown[0],
                hint=f"In check {check.id}. Detectors are defined in"
                " checks/repository/detectors/*.yaml.",
            )
        plan[check.id] = detectors.expand(check.detectors)
    return plan


def _scan(path: Path, detectors: DetectorSet, context: ScanContext) -> RepoFacts | Problem:
    from platform_maturity.collectors.repository.detectors import run_detectors
    from platform_maturity.collectors.repository.facts import RepoFacts
    from platform_maturity.collectors.repository.files import list_repository
    from platform_maturity.collectors.repository.git import GitView

    display = context.relative(path)
    if not path.exists():
        return Problem(display, "no such folder")
    if not path.is_dir():
        return Problem(display, "not a folder: a repository is a folder with a .git inside")
    if not is_repository(path):
        return Problem(display, "not a git repository (no .git): skipped")
    tree = list_repository(path)
    results = run_detectors(detectors, tree, GitView(path))
    unit = context.unit_for(path, None) or context.unit_for_owners(default_owners(tree))
    return RepoFacts(
        name=path.resolve().name,
        path=path,
        display=display,
        unit=unit,
        tree=tree,
        results=results,
    )


CODEOWNERS_FILES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")


def default_owners(tree: RepoTree) -> list[str]:
    """The owners of the repository's catch-all rule (``*``) in its CODEOWNERS file."""
    present = set(tree.files)
    for name in CODEOWNERS_FILES:
        if name not in present:
            continue
        found = tree.read(name)
        if found is None:
            continue
        owners: list[str] = []
        for line in found.text.splitlines():
            parts = line.split("#", 1)[0].split()
            if parts and parts[0] in ("*", "/*", "/**"):
                owners = parts[1:]  # the last matching rule wins, as in GitHub
        return owners
    return []

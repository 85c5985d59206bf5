"""The collector contract and the context a scan hands to every collector."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from platform_maturity.checks.catalog import Catalog
from platform_maturity.domain.records import Observation
from platform_maturity.domain.scans import Problem as Problem


@dataclass(frozen=True)
class Exemption:
    """A finding accepted on purpose: shown as waived, never as passed."""

    check: str  # a check id or a glob such as "k8s.*"
    subject: str  # a glob over subjects, e.g. "Deployment/kube-system/*"
    reason: str
    expires: datetime | None = None
    source: str = "maturity.yaml"

    def covers(self, check_id: str, subject: str, now: datetime) -> bool:
        if self.expires is not None and now >= self.expires:
            return False
        return fnmatch.fnmatchcase(check_id, self.check) and fnmatch.fnmatchcase(
            subject, self.subject
        )


@dataclass(frozen=True)
class ScanContext:
    """What a collector may use: the catalog, the clock, unit assignment and exemptions."""

    catalog: Catalog
    now: datetime
    unit_for: Callable[[Path, str | None], str | None] = lambda _path, _namespace: None
    # the unit whose owner handles (e.g. "@org/payments") own a subject, per CODEOWNERS
    unit_for_owners: Callable[[Sequence[str]], str | None] = lambda _owners: None
    exemptions: Sequence[Exemption] = ()
    root: Path = field(default_factory=Path.cwd)
    scan_roots: Sequence[Path] = ()
    cache_dir: Path | None = None  # parsed inputs by content hash (collectors/cache.py)

    def exemption(self, check_id: str, subject: str) -> Exemption | None:
        for exemption in self.exemptions:
            if exemption.covers(check_id, subject, self.now):
                return exemption
        return None

    def relative(self, path: Path) -> str:
        """How a file is named in findings: relative to the workspace, or else to the parent
        of the scanned folder that holds it (so findings read the same on every machine)."""
        full = Path(os.path.abspath(path))  # links are named where they are, not followed
        for base in (self.root, *(r.parent for r in self.scan_roots)):
            # compare as written and with links resolved: either side may sit behind a link
            for left, right in (
                (full, Path(os.path.abspath(base))),
                (full, base.resolve()),
                (full.parent.resolve() / full.name, base.resolve()),
            ):
                try:
                    return left.relative_to(right).as_posix()
                except ValueError:
                    continue
        return path.as_posix()


def read_head(path: Path, size: int = 65536) -> bytes:
    """The first bytes of a file, for cheap sniffing of its format (empty if unreadable)."""
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


@dataclass
class CollectorResult:
    observations: list[Observation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    inputs: int = 0


class Collector(Protocol):
    """One source kind. ``discover`` picks the inputs under the roots it understands;
    ``collect`` reads them and emits observations (one per check and subject)."""

    id: str
    version: str

    def discover(self, roots: Sequence[Path]) -> list[Path]: ...

    def collect(self, inputs: Iterable[Path], context: ScanContext) -> CollectorResult: ...

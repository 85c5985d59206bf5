"""The collector contract and the context a scan hands to every collector."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from operator import itemgetter
from pathlib import Path
from typing import Protocol

from platform_maturity.checks.catalog import Catalog
from platform_maturity.domain.observations import Observation
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
    cache_dir: Path | None = None  # parsed inputs by content hash (platform_maturity/cache.py)

    def exemption(self, check_id: str, subject: str) -> Exemption | None:
        for exemption in self.exemptions:
            if exemption.covers(check_id, subject, self.now):
                return exemption
        return None

    @cached_property
    def _bases(self) -> tuple[tuple[str, str], ...]:
        """Each base for naming files, as written and with links resolved."""
        bases = (self.root, *(r.parent for r in self.scan_roots))
        return tuple((os.path.abspath(b), os.path.realpath(b)) for b in bases)

    @cached_property
    def _folders(self) -> dict[str, str]:
        return {}

    def _resolved(self, folder: str) -> str:
        """``folder`` with links resolved, once per folder and scan."""
        found = self._folders.get(folder)
        if found is None:
            found = self._folders[folder] = os.path.realpath(folder)
        return found

    def relative(self, path: Path) -> str:
        """How a file is named in findings: relative to the workspace, or else to the parent
        of the scanned folder that holds it (so findings read the same on every machine)."""
        # strings, not Path objects: this runs for every input of a scan
        full = os.path.abspath(path)  # links are named where they are, not followed
        behind_link: str | None = None
        for written, resolved in self._bases:
            # compare as written and with links resolved: either side may sit behind a link
            found = _relative_to(full, written)
            if found is None:
                found = _relative_to(full, resolved)
            if found is None:
                if behind_link is None:
                    folder, name = os.path.split(full)
                    behind_link = os.path.join(self._resolved(folder), name)
                found = _relative_to(behind_link, resolved)
            if found is not None:
                return found
        return path.as_posix()


def _relative_to(path: str, base: str) -> str | None:
    """``path`` relative to ``base`` in POSIX form (both absolute and normalized), as
    ``PurePath.relative_to`` gives it; None when ``path`` is not under ``base``."""
    if path == base:
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    if not path.startswith(prefix):
        return None
    rest = path[len(prefix) :]
    return rest if os.sep == "/" else rest.replace(os.sep, "/")


SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "vendor", ".terraform", "__pycache__"})


def walk(
    roots: Sequence[Path],
    accept: Callable[[Path], bool],
    *,
    keep_given: bool = False,
    list_outside_links: bool = False,
    suffixes: tuple[str, ...] | None = None,
) -> list[Path]:
    """Files under ``roots`` that ``accept`` likes, in path order; folders in SKIP_DIRS
    are not entered and linked folders are not followed.

    ``keep_given``: a root that is a file is kept even when ``accept`` declines it.
    ``list_outside_links``: a link leading out of its root, or to nothing, is listed without
    being read (for the collector to report); otherwise ``accept`` decides on it like on any
    file. ``suffixes``: only files whose names end with one of them are offered to
    ``accept`` (None: all), a cheap first cut for an ``accept`` that declines the others.
    """
    found: list[Path] = []
    for root in roots:
        if root.is_file():
            if keep_given or accept(root):
                found.append(root)
            continue
        inside = os.path.realpath(root)
        mine: list[tuple[list[str], Path]] = []  # (the path's parts, the path)
        # directory entries know whether they are files or links without a stat call
        for entry in _entries(os.fspath(root)):
            if (
                list_outside_links
                and entry.is_symlink()
                and (
                    not os.path.exists(entry.path)
                    or _relative_to(os.path.realpath(entry.path), inside) is None
                )
            ):
                mine.append((entry.path.split(os.sep), Path(entry.path)))
            elif (suffixes is None or entry.name.endswith(suffixes)) and _is_file(entry):
                path = Path(entry.path)
                if accept(path):
                    mine.append((entry.path.split(os.sep), path))
        # in Path order: by the parts of the path, not by its characters
        mine.sort(key=itemgetter(0))
        found.extend(path for _parts, path in mine)
    return found


def _entries(folder: str) -> Iterator[os.DirEntry[str]]:
    """What ``folder`` holds at any depth but the folders entered: files, links to
    folders (not followed) and anything else; folders in SKIP_DIRS are left out, like an
    unreadable folder."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError:
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir()  # follows links
        except OSError:
            is_dir = False
        if not is_dir:
            yield entry
        elif entry.name not in SKIP_DIRS:
            if entry.is_symlink():
                yield entry
            else:
                yield from _entries(entry.path)


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def link_problem(path: Path, roots: Sequence[Path]) -> str | None:
    """Why a symbolic link is not read: it leads to nothing, or out of every scanned
    folder; None for a link inside them (or for a path that is no link)."""
    if not path.is_symlink():
        return None
    if not path.exists():
        return "dangling symbolic link (its target does not exist)"
    target = path.resolve()
    if any(target.is_relative_to(r.resolve()) for r in roots if r.is_dir()):
        return None
    what = "folder" if target.is_dir() else "file"
    return f"symbolic link to a {what} outside the scanned folders; not followed"


def read_head(path: Path, size: int = 65536) -> bytes:
    """The first bytes of a file, for cheap sniffing of its format (empty if unreadable).

    Read with the operating system's calls, without a buffered file object: discovery
    sniffs every candidate file of a scan."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return b""
    try:
        head = b""
        while len(head) < size and (chunk := os.read(descriptor, size - len(head))):
            head += chunk
        return head
    except OSError:  # a folder, or a read error
        return b""
    finally:
        os.close(descriptor)


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

"""What a scan reads of ``maturity.yaml``, as plain values, and a cache of it.

A scan needs only the workspace's folder, its units (how subjects map onto them), its
evidence paths, its own checks and its exemptions. :class:`ScanSettings` holds exactly that,
in frozen dataclasses, so the scan itself never touches the Pydantic models of the whole
workspace file.

:func:`load_scan_settings` validates ``maturity.yaml`` the usual way (every error names its
line and field) the first time it sees the file's content, and keeps what the scan reads in
the user cache, keyed by the file's path and bytes. An unchanged file is then read without
importing Pydantic or validating again, which is most of what a small scan used to spend
starting up. Like the cached check catalog, the entry is derived data: deleting it costs one
validation, never a result.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platform_maturity.digest import hasher
from platform_maturity.services.settings import user_cache_dir

if TYPE_CHECKING:
    from platform_maturity.services.workspace import Workspace

SETTINGS_VERSION = "1"  # bump when the fields below change


@dataclass(frozen=True, slots=True)
class UnitScope:
    """Which scanned subjects belong to a unit."""

    slug: str
    paths: tuple[str, ...] = ()  # globs relative to the workspace folder
    namespaces: tuple[str, ...] = ()  # Kubernetes namespaces
    owners: tuple[str, ...] = ()  # CODEOWNERS handles


@dataclass(frozen=True, slots=True)
class ExemptionEntry:
    """One entry of ``scan.exemptions``."""

    check: str
    subject: str
    reason: str
    expires: date | None = None


@dataclass(frozen=True, slots=True)
class ScanSettings:
    """The part of a workspace a scan reads."""

    root: Path  # the workspace folder
    config_name: str  # the workspace file's name, for messages
    overrides: tuple[Path, ...] = ()  # framework override files (they key the catalog)
    units: tuple[UnitScope, ...] = ()
    repositories: tuple[str, ...] = ()  # evidence paths, relative to root
    kubernetes: tuple[str, ...] = ()
    terraform: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()  # the workspace's own check files or folders
    exemptions: tuple[ExemptionEntry, ...] = ()

    @property
    def unit_slugs(self) -> list[str]:
        return [u.slug for u in self.units]


def scan_settings(workspace: Workspace) -> ScanSettings:
    """What a scan reads of a loaded workspace."""
    config = workspace.config
    return ScanSettings(
        root=workspace.root,
        config_name=workspace.config_path.name,
        overrides=workspace.overrides,
        units=tuple(
            UnitScope(u.slug, tuple(u.paths), tuple(u.namespaces), tuple(u.owners))
            for u in config.units
        ),
        repositories=tuple(config.evidence.repositories),
        kubernetes=tuple(config.evidence.kubernetes),
        terraform=tuple(config.evidence.terraform),
        checks=tuple(config.scan.checks),
        exemptions=tuple(
            ExemptionEntry(e.check, e.subject, e.reason, e.expires) for e in config.scan.exemptions
        ),
    )


def load_scan_settings(config_path: Path, env: Mapping[str, str] | None = None) -> ScanSettings:
    """The scan settings of ``maturity.yaml``: from the user cache when the file is unchanged,
    else validated as every command validates it (a bad file raises the same UserError)."""
    from platform_maturity.cache import ParseCache

    env = os.environ if env is None else env
    config_path = config_path.resolve()
    raw = config_path.read_bytes()
    cache = ParseCache(user_cache_dir(env) / "workspace", scope="scan-settings")
    digest = hasher()
    # what decides whether a file is valid and what is kept of it: a new program validates anew
    code = _code("scan_settings.py", "workspace.py")
    for part in (*code, str(config_path).encode(), raw):
        digest.update(len(part).to_bytes(8, "big") + part)
    material = digest.digest()
    settings = cache.get(
        "settings",
        SETTINGS_VERSION,
        material,
        lambda: _validated(config_path, env),
        encode=_encode,
        decode=_decode,
    )
    if any(not p.is_file() for p in settings.overrides):
        return _validated(config_path, env)  # an override went missing: the usual error
    return settings


def _code(*names: str) -> tuple[bytes, ...]:
    here = Path(__file__).parent
    return tuple((here / name).read_bytes() for name in names)


def _validated(config_path: Path, env: Mapping[str, str]) -> ScanSettings:
    from platform_maturity.services.workspace import load_workspace

    return scan_settings(load_workspace(config_path, env, lean=True))


def _encode(settings: ScanSettings) -> dict[str, Any]:
    return {
        "root": str(settings.root),
        "config_name": settings.config_name,
        "overrides": [str(p) for p in settings.overrides],
        "units": [
            [u.slug, list(u.paths), list(u.namespaces), list(u.owners)] for u in settings.units
        ],
        "repositories": list(settings.repositories),
        "kubernetes": list(settings.kubernetes),
        "terraform": list(settings.terraform),
        "checks": list(settings.checks),
        "exemptions": [[e.check, e.subject, e.reason, e.expires] for e in settings.exemptions],
    }


def _strings(values: Any) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError("expected a list of strings")
    return tuple(values)


def _decode(payload: dict[str, Any]) -> ScanSettings:
    """Settings from a cache entry; anything unexpected raises (the file is validated anew)."""
    units = tuple(
        UnitScope(str(slug), _strings(paths), _strings(namespaces), _strings(owners))
        for slug, paths, namespaces, owners in payload["units"]
    )
    exemptions = []
    for check, subject, reason, expires in payload["exemptions"]:
        if expires is not None and not isinstance(expires, date):
            raise ValueError("an expiry that is not a date")
        exemptions.append(ExemptionEntry(str(check), str(subject), str(reason), expires))
    return ScanSettings(
        root=Path(payload["root"]),
        config_name=str(payload["config_name"]),
        overrides=tuple(Path(p) for p in _strings(payload["overrides"])),
        units=units,
        repositories=_strings(payload["repositories"]),
        kubernetes=_strings(payload["kubernetes"]),
        terraform=_strings(payload["terraform"]),
        checks=_strings(payload["checks"]),
        exemptions=tuple(exemptions),
    )

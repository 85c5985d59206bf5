"""The workspace: ``maturity.yaml``, its framework overrides and its database."""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.records import OrgUnit
from platform_maturity.framework.validation import validate_model
from platform_maturity.framework.yamlsource import Located, read_yaml
from platform_maturity.services.settings import CACHE_ENV as CACHE_ENV
from platform_maturity.services.settings import CONFIG_NAME as CONFIG_NAME
from platform_maturity.services.settings import DATABASE_ENV as DATABASE_ENV
from platform_maturity.services.settings import find_workspace as find_workspace
from platform_maturity.services.settings import user_cache_dir as user_cache_dir

if TYPE_CHECKING:
    # the store (SQLAlchemy) is imported only by commands that open it; the framework and
    # the settings of other features only when a command reads them (a scan does not)
    from platform_maturity.domain.backlog_settings import BacklogSettings
    from platform_maturity.domain.downtime import DowntimeSettings
    from platform_maturity.domain.framework import Framework
    from platform_maturity.domain.kpi_mapping import KpiMapping
    from platform_maturity.store.db import Database as Database

SLUG = r"^[a-z0-9][a-z0-9-]*$"
HINT = "docs/formats.md describes maturity.yaml; 'maturity init' writes a commented one."
S = TypeVar("S", bound=BaseModel)


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrganizationConfig(_Config):
    name: str = Field(min_length=1)
    currency: str = "USD"
    timezone: str = "UTC"


class SystemConfig(_Config):
    name: str
    components: list[str] = []


class UnitConfig(_Config):
    slug: str = Field(pattern=SLUG)
    name: str
    owner: str | None = None
    description: str | None = None
    systems: list[SystemConfig] = []
    # which scanned subjects belong to this unit: path globs (relative to the workspace,
    # e.g. "repos/payments-*") and Kubernetes namespaces
    paths: list[str] = []
    namespaces: list[str] = []
    owners: list[str] = []  # CODEOWNERS handles, e.g. "@northwind/payments"


class DatabaseConfig(_Config):
    url: str | None = None


class FrameworkConfig(_Config):
    overrides: list[str] = []


class EvidenceConfig(_Config):
    repositories: list[str] = []
    kubernetes: list[str] = []
    terraform: list[str] = []
    exports: dict[str, list[str]] = {}


class ExemptionConfig(_Config):
    check: str  # a check id, or a glob such as "k8s.*"
    subject: str = "*"  # a glob over subjects, e.g. "Deployment/kube-system/*"
    reason: str = Field(min_length=3)
    expires: date | None = None


class ScanConfig(_Config):
    exemptions: list[ExemptionConfig] = []
    checks: list[str] = []  # extra check files or folders of the workspace's own


class WorkspaceConfig(_Config):
    version: Literal[1] = 1
    organization: OrganizationConfig
    units: list[UnitConfig] = []
    database: DatabaseConfig = DatabaseConfig()
    framework: FrameworkConfig = FrameworkConfig()
    evidence: EvidenceConfig = EvidenceConfig()
    scan: ScanConfig = ScanConfig()
    # The sections of other features, kept as read: each is validated, and its model
    # imported, when a command first reads it (the properties below). load_workspace reads
    # them all at once unless a command asks for a lean load (a scan needs none of them).
    backlog_section: dict[str, Any] = Field(default={}, alias="backlog")
    downtime_section: dict[str, Any] = Field(default={}, alias="downtime")
    kpi_section: dict[str, Any] = Field(default={}, alias="kpi")
    _doc: Located | None = PrivateAttr(default=None)

    @cached_property
    def backlog(self) -> BacklogSettings:
        """The ``backlog:`` section (the security backlog's settings)."""
        from platform_maturity.domain.backlog_settings import BacklogSettings

        return self._section(BacklogSettings, "backlog", self.backlog_section)

    @cached_property
    def downtime(self) -> DowntimeSettings:
        """The ``downtime:`` section (components, probes, the status page)."""
        from platform_maturity.domain.downtime import DowntimeSettings

        return self._section(DowntimeSettings, "downtime", self.downtime_section)

    @cached_property
    def kpi(self) -> KpiMapping:
        """The ``kpi:`` section (how exports map onto the KPIs)."""
        from platform_maturity.domain.kpi_mapping import KpiMapping

        return self._section(KpiMapping, "kpi", self.kpi_section)

    def _section(self, model: type[S], name: str, data: dict[str, Any]) -> S:
        doc = self._doc or Located(data, "maturity.yaml")
        return validate_model(model, doc, data=data, at=(name,), hint=HINT)

    def validate_sections(self) -> None:
        """Validate every section now (a bad one raises the UserError naming its line)."""
        for section in (self.backlog, self.downtime, self.kpi):
            assert section is not None


@dataclass(frozen=True)
class Workspace:
    root: Path
    config_path: Path
    config: WorkspaceConfig
    database_url: str
    database_source: str = "database.url"  # where the URL came from, for error messages
    overrides: tuple[Path, ...] = ()  # the framework override files, resolved
    cache_dir: Path | None = None  # the user cache (the validated framework is kept there)

    @cached_property
    def framework(self) -> Framework:
        """The framework with the workspace's overrides, loaded when first needed."""
        from platform_maturity.framework.loader import load_framework

        return load_framework(overrides=self.overrides, cache_dir=self.cache_dir)

    @property
    def units(self) -> list[OrgUnit]:
        return [
            OrgUnit(slug=u.slug, name=u.name, owner=u.owner, description=u.description)
            for u in self.config.units
        ]

    def unit(self, ref: str | None) -> str | None:
        """Validate a unit reference (slug or name) from the command line."""
        if ref is None:
            return None
        for unit in self.config.units:
            if ref in (unit.slug, unit.name):
                return unit.slug
        slugs = [u.slug for u in self.config.units]
        known = ", ".join(slugs) or "(none defined)"
        close = difflib.get_close_matches(ref, slugs, n=2)
        raise UserError(
            "unknown unit" + (f" (did you mean {' or '.join(close)}?)" if close else ""),
            field="--unit",
            value=ref,
            hint=f"Units in {self.config_path}: {known}. Add units under `units:` there.",
        )


def default_database_url(root: Path) -> str:
    return f"sqlite:///{(root / '.maturity' / 'maturity.db').as_posix()}"


def load_workspace(
    config_path: Path, env: Mapping[str, str] | None = None, *, lean: bool = False
) -> Workspace:
    """Read and validate ``maturity.yaml`` and load the framework it names.

    ``lean`` (what a scan asks for) validates only the sections every command needs
    (organization, units, database, framework, evidence, scan); the other sections are
    validated, and the framework loaded, when first read. Otherwise all is checked now.
    """
    env = os.environ if env is None else env
    config_path = config_path.resolve()
    doc = read_yaml(config_path)
    if not isinstance(doc.data, dict):
        raise UserError(
            "expected a mapping at the top of the workspace file", file=str(config_path), line=1
        )
    config = validate_model(WorkspaceConfig, doc, hint=HINT)
    config._doc = doc
    slugs = [u.slug for u in config.units]
    for index, slug in enumerate(slugs):
        if slugs.index(slug) != index:
            raise UserError(
                "unit slug used twice",
                file=str(config_path),
                line=doc.line_of(("units", index, "slug")),
                field=f"units.{index}.slug",
                value=slug,
                hint="Each unit needs its own slug.",
            )
    root = config_path.parent
    overrides = []
    for index, name in enumerate(config.framework.overrides):
        path = (root / name).resolve()
        if not path.is_file():
            raise UserError(
                "framework override file not found",
                file=str(config_path),
                line=doc.line_of(("framework", "overrides", index)),
                field=f"framework.overrides.{index}",
                value=name,
                hint="Paths are relative to the workspace folder.",
            )
        overrides.append(path)
    url = env.get(DATABASE_ENV) or config.database.url or default_database_url(root)
    source = DATABASE_ENV if env.get(DATABASE_ENV) else "database.url"
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        relative = url[len("sqlite:///") :]
        if relative and relative != ":memory:":
            url = f"sqlite:///{(root / relative).as_posix()}"
    workspace = Workspace(
        root=root,
        config_path=config_path,
        config=config,
        database_url=url,
        database_source=source,
        overrides=tuple(overrides),
        cache_dir=user_cache_dir(env) / "framework",
    )
    if not lean:
        config.validate_sections()
        assert workspace.framework is not None
    return workspace


def framework_digest(framework: Framework) -> str:
    return hashlib.sha256(framework.model_dump_json().encode()).hexdigest()


@contextmanager
def open_store(workspace: Workspace, now: datetime, actor: str) -> Iterator[Database]:
    """Open (and migrate) the database; record the framework version and the units."""
    from platform_maturity.store import repo
    from platform_maturity.store.db import open_database

    if workspace.database_url.startswith("sqlite:///"):
        Path(workspace.database_url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    database = open_database(workspace.database_url, source=workspace.database_source)
    try:
        with database.transaction() as session:
            repo.record_framework_version(
                session,
                workspace.framework.name,
                workspace.framework.version,
                framework_digest(workspace.framework),
                sum(1 for _ in workspace.framework.goals()),
                now,
            )
            repo.sync_units(session, workspace.units, now, actor)
        yield database
    finally:
        database.close()


@dataclass(frozen=True)
class DatabaseStatus:
    url: str  # with any password masked
    revision: str | None
    newest: str | None


def database_status(workspace: Workspace, database: Database) -> DatabaseStatus:
    from platform_maturity.store.db import current_revision, head_revision, redact

    return DatabaseStatus(
        url=redact(workspace.database_url),
        revision=current_revision(database.engine),
        newest=head_revision(),
    )

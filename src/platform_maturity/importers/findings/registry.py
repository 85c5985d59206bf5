"""The scanner importers: an explicit list plus the ``platform_maturity.finding_importers``
entry-point group, so others can add formats. Nothing runs at import time."""

from __future__ import annotations

from importlib.metadata import entry_points

from platform_maturity.domain.errors import UserError
from platform_maturity.importers.findings.base import FindingImporter, JsonDoc
from platform_maturity.importers.findings.github import CodeScanningImporter, DependabotImporter
from platform_maturity.importers.findings.npm_audit import NpmAuditImporter
from platform_maturity.importers.findings.osv import OsvImporter
from platform_maturity.importers.findings.pip_audit import PipAuditImporter
from platform_maturity.importers.findings.sarif import SarifImporter
from platform_maturity.importers.findings.trivy import TrivyImporter

ENTRY_POINTS = "platform_maturity.finding_importers"


def builtin() -> tuple[FindingImporter, ...]:
    return (
        SarifImporter(),
        TrivyImporter(),
        OsvImporter(),
        PipAuditImporter(),
        NpmAuditImporter(),
        DependabotImporter(),
        CodeScanningImporter(),
    )


def importers() -> tuple[FindingImporter, ...]:
    """The built-in importers, then any installed through the entry-point group."""
    found: list[FindingImporter] = list(builtin())
    for point in entry_points(group=ENTRY_POINTS):
        found.append(point.load()())
    return tuple(found)


def names() -> list[str]:
    return [i.name for i in importers()]


def by_name(name: str) -> FindingImporter:
    for importer in importers():
        if importer.name == name:
            return importer
    raise UserError(
        "unknown scanner format",
        field="--format",
        value=name,
        hint="Formats: auto, " + ", ".join(names()) + ".",
    )


def detect(doc: JsonDoc) -> FindingImporter:
    """The importer whose format the parsed file has."""
    for importer in importers():
        if importer.detect(doc.data):
            return importer
    raise UserError(
        "cannot tell which scanner wrote this file",
        file=doc.file,
        line=1,
        hint="Name the format with --format: " + ", ".join(names()) + ".",
    )

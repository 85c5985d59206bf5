"""npm audit JSON (``npm audit --json``): npm 7 and later (report version 2) and npm 6.

npm 7+: each vulnerable package lists what makes it vulnerable (``via``): advisory objects,
or names of other vulnerable packages. One finding per package and advisory; packages that
are vulnerable only through another package are that package's finding, not their own.
npm 6: one finding per advisory and module. ``moderate`` reads as medium.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from platform_maturity.domain.backlog import Finding
from platform_maturity.importers.findings.base import (
    JsonDoc,
    ScanReport,
    fingerprint,
    severity_word,
    short,
)

At = tuple[str | int, ...]


class NpmAuditImporter:
    name = "npm-audit"
    title = "npm audit JSON (npm audit --json, npm 6 or 7+)"

    def detect(self, data: object) -> bool:
        if not isinstance(data, dict):
            return False
        return ("auditReportVersion" in data and "vulnerabilities" in data) or (
            "advisories" in data and ("actions" in data or "metadata" in data or "muted" in data)
        )

    def parse(self, doc: JsonDoc, target: str | None) -> list[ScanReport]:
        root = doc.obj(doc.data, ())
        report = ScanReport(
            format=self.name,
            tool="npm audit",
            target=target or PurePosixPath(doc.file).name,
            scanned_at=None,
        )
        if "auditReportVersion" in root:
            version = root.get("auditReportVersion")
            if version != 2:
                raise doc.error(
                    ("auditReportVersion",),
                    "unknown npm audit report version",
                    version if isinstance(version, int | str) else None,
                    hint="npm 7 and later write version 2; npm 6 writes 'advisories'.",
                )
            vulns = doc.obj(root.get("vulnerabilities"), ("vulnerabilities",))
            for package, node in vulns.items():
                self._v7(
                    doc,
                    str(package),
                    doc.obj(node, ("vulnerabilities", package)),
                    ("vulnerabilities", package),
                    report,
                )
        else:
            advisories = doc.obj(root.get("advisories"), ("advisories",))
            for key, node in advisories.items():
                self._v6(doc, doc.obj(node, ("advisories", key)), ("advisories", key), report)
        return [report]

    def _v7(
        self, doc: JsonDoc, package: str, entry: dict[str, Any], at: At, report: ScanReport
    ) -> None:
        name = doc.text_at(entry, "name", at) or package
        fix = entry.get("fixAvailable")
        fixed = None
        if isinstance(fix, dict):
            fix_name = doc.text_at(fix, "name", (*at, "fixAvailable")) or name
            fixed = f"{fix_name}@{doc.text_at(fix, 'version', (*at, 'fixAvailable')) or '?'}"
        elif fix is True:
            fixed = "npm audit fix"
        nodes = doc.texts_at(entry, "nodes", at)
        for v, via in enumerate(doc.items(entry.get("via"), (*at, "via"))):
            if isinstance(via, str):
                continue  # vulnerable through another package: that package's finding
            vat = (*at, "via", v)
            advisory = doc.obj(via, vat)
            source = doc.text_at(advisory, "source", vat) or doc.text_at(advisory, "url", vat)
            if source is None:
                raise doc.error(vat, "an advisory has neither a source id nor a url")
            title = doc.text_at(advisory, "title", vat) or f"advisory {source}"
            url = doc.text_at(advisory, "url", vat)
            cvss = advisory.get("cvss")
            score = (
                doc.number_at(cvss, "score", (*vat, "cvss"), 0, 10)
                if isinstance(cvss, dict)
                else None
            )
            ghsa = url.rsplit("/", 1)[-1] if url and "/GHSA-" in url else None
            report.findings.append(
                Finding(
                    fingerprint=fingerprint(self.name, report.target, name, source),
                    format=self.name,
                    tool=report.tool,
                    target=report.target,
                    rule=ghsa or str(source),
                    title=short(f"{name}: {title}"),
                    description="Vulnerable versions "
                    + (
                        doc.text_at(advisory, "range", vat)
                        or doc.text_at(entry, "range", at)
                        or "unknown"
                    ),
                    location=", ".join(nodes) or None,
                    package=f"npm:{name}",
                    fixed_version=fixed,
                    vuln_ids=(ghsa,) if ghsa else (),
                    cwes=tuple(doc.texts_at(advisory, "cwe", vat)),
                    severity=severity_word(
                        doc.text_at(advisory, "severity", vat) or doc.text_at(entry, "severity", at)
                    ),
                    cvss_score=score or None,
                    url=url,
                )
            )

    def _v6(self, doc: JsonDoc, advisory: dict[str, Any], at: At, report: ScanReport) -> None:
        advisory_id = doc.text_at(advisory, "id", at, required=True) or ""
        module = doc.text_at(advisory, "module_name", at, required=True) or ""
        versions = []
        for f, node in enumerate(doc.items(advisory.get("findings"), (*at, "findings"))):
            version = doc.text_at(
                doc.obj(node, (*at, "findings", f)), "version", (*at, "findings", f)
            )
            if version:
                versions.append(version)
        cwe = advisory.get("cwe")
        cwes = (
            doc.texts_at(advisory, "cwe", at)
            if isinstance(cwe, list)
            else [doc.text_at(advisory, "cwe", at) or ""]
        )
        report.findings.append(
            Finding(
                fingerprint=fingerprint(self.name, report.target, module, advisory_id),
                format=self.name,
                tool=report.tool,
                target=report.target,
                rule=advisory_id,
                title=short(
                    f"{module}: {doc.text_at(advisory, 'title', at) or 'advisory ' + advisory_id}"
                ),
                description=doc.text_at(advisory, "overview", at) or "",
                location=None,
                package=f"npm:{module}",
                installed_version=", ".join(versions) or None,
                fixed_version=doc.text_at(advisory, "patched_versions", at),
                vuln_ids=tuple(doc.texts_at(advisory, "cves", at)),
                cwes=tuple(c for c in cwes if c),
                severity=severity_word(doc.text_at(advisory, "severity", at)),
                url=doc.text_at(advisory, "url", at),
            )
        )

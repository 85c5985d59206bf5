"""OSV-Scanner JSON (``osv-scanner --format json``).

One scan per source (lockfile, SBOM). OSV's groups collapse aliases (a GHSA and its CVE)
into one vulnerability, so one finding per package and group; without groups, one per
vulnerability. Fingerprint: ecosystem, package, version and the group's sorted ids. The
fixed version comes from the ``fixed`` events of the affected ranges; the score from the
group's ``max_severity``, else the CVSS v3 vector, else the advisory database's severity word.
"""

from __future__ import annotations

from typing import Any

from platform_maturity.domain.backlog import Finding
from platform_maturity.importers.findings.base import (
    JsonDoc,
    ScanReport,
    fingerprint,
    severity_word,
    short,
)
from platform_maturity.importers.findings.cvss import base_score

At = tuple[str | int, ...]


class OsvImporter:
    name = "osv"
    title = "OSV-Scanner JSON (osv-scanner --format json)"

    def detect(self, data: object) -> bool:
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            return False
        first = data["results"][0] if data["results"] else {}
        return not data["results"] or (
            isinstance(first, dict) and ("packages" in first or "source" in first)
        )

    def parse(self, doc: JsonDoc, target: str | None) -> list[ScanReport]:
        root = doc.obj(doc.data, ())
        reports = []
        for r, node in enumerate(doc.items(root.get("results"), ("results",), optional=False)):
            at: At = ("results", r)
            result = doc.obj(node, at)
            source = result.get("source")
            path = (
                doc.text_at(source, "path", (*at, "source")) if isinstance(source, dict) else None
            )
            report = ScanReport(
                format=self.name,
                tool="OSV-Scanner",
                target=target or path or doc.file,
                scanned_at=None,
            )
            for p, package_node in enumerate(doc.items(result.get("packages"), (*at, "packages"))):
                self._package(
                    doc, doc.obj(package_node, (*at, "packages", p)), (*at, "packages", p), report
                )
            reports.append(report)
        if target is not None and len(reports) > 1:
            merged = ScanReport(self.name, "OSV-Scanner", target, None)
            for report in reports:
                merged.findings.extend(report.findings)
            return [merged]
        return reports

    def _package(self, doc: JsonDoc, entry: dict[str, Any], at: At, report: ScanReport) -> None:
        package = doc.obj(entry.get("package"), (*at, "package"))
        name = doc.text_at(package, "name", (*at, "package"), required=True) or ""
        version = doc.text_at(package, "version", (*at, "package"))
        ecosystem = doc.text_at(package, "ecosystem", (*at, "package")) or ""
        vulns: dict[str, tuple[dict[str, Any], At]] = {}
        for v, node in enumerate(doc.items(entry.get("vulnerabilities"), (*at, "vulnerabilities"))):
            vuln = doc.obj(node, (*at, "vulnerabilities", v))
            vuln_id = doc.text_at(vuln, "id", (*at, "vulnerabilities", v), required=True) or ""
            vulns[vuln_id] = (vuln, (*at, "vulnerabilities", v))
        groups: list[tuple[list[str], float | None]] = []
        for g, node in enumerate(doc.items(entry.get("groups"), (*at, "groups"))):
            group = doc.obj(node, (*at, "groups", g))
            ids = doc.texts_at(group, "ids", (*at, "groups", g))
            if not ids:
                raise doc.error((*at, "groups", g, "ids"), "a group lists no vulnerability ids")
            score = doc.number_at(group, "max_severity", (*at, "groups", g), 0, 10)
            groups.append((ids, score))
        grouped = {i for ids, _ in groups for i in ids}
        groups += [([vuln_id], None) for vuln_id in vulns if vuln_id not in grouped]
        for ids, score in groups:
            known = [vulns[i] for i in ids if i in vulns]
            if not known:
                continue
            vuln, vat = known[0]
            aliases = {a for v, vat2 in known for a in doc.texts_at(v, "aliases", vat2)}
            all_ids = tuple(sorted(set(ids) | aliases, key=lambda x: (not x.startswith("CVE-"), x)))
            if score is None:
                score = self._vector_score(doc, vuln, vat)
            specific = vuln.get("database_specific")
            word = (
                doc.text_at(specific, "severity", (*vat, "database_specific"))
                if isinstance(specific, dict)
                else None
            )
            summary = doc.text_at(vuln, "summary", vat)
            primary = ids[0]
            report.findings.append(
                Finding(
                    fingerprint=fingerprint(
                        self.name, ecosystem, name, version, ",".join(sorted(ids))
                    ),
                    format=self.name,
                    tool=report.tool,
                    target=report.target,
                    rule=primary,
                    title=short(f"{primary} in {name}" + (f": {summary}" if summary else "")),
                    description=doc.text_at(vuln, "details", vat) or "",
                    location=report.target,
                    package=f"{ecosystem}:{name}" if ecosystem else name,
                    installed_version=version,
                    fixed_version=self._fixed(doc, vuln, vat, name),
                    vuln_ids=all_ids,
                    cwes=self._cwes(doc, vuln, vat),
                    severity=None if score is not None else severity_word(word),
                    cvss_score=score,
                    url=f"https://osv.dev/vulnerability/{primary}",
                )
            )

    def _vector_score(self, doc: JsonDoc, vuln: dict[str, Any], at: At) -> float | None:
        for s, node in enumerate(doc.items(vuln.get("severity"), (*at, "severity"))):
            entry = doc.obj(node, (*at, "severity", s))
            kind = doc.text_at(entry, "type", (*at, "severity", s))
            vector = doc.text_at(entry, "score", (*at, "severity", s))
            if kind in ("CVSS_V3", "CVSS_V31") and vector:
                score = base_score(vector)
                if score is not None:
                    return score
        return None

    def _fixed(self, doc: JsonDoc, vuln: dict[str, Any], at: At, name: str) -> str | None:
        fixed: list[str] = []
        for a, node in enumerate(doc.items(vuln.get("affected"), (*at, "affected"))):
            affected = doc.obj(node, (*at, "affected", a))
            package = affected.get("package")
            if isinstance(package, dict) and package.get("name") not in (None, name):
                continue
            for r, range_node in enumerate(
                doc.items(affected.get("ranges"), (*at, "affected", a, "ranges"))
            ):
                rng = doc.obj(range_node, (*at, "affected", a, "ranges", r))
                for e, event in enumerate(
                    doc.items(rng.get("events"), (*at, "affected", a, "ranges", r, "events"))
                ):
                    value = doc.text_at(
                        doc.obj(event, (*at, "affected", a, "ranges", r, "events", e)),
                        "fixed",
                        (*at, "affected", a, "ranges", r, "events", e),
                    )
                    if value and value not in fixed:
                        fixed.append(value)
        return ", ".join(fixed) or None

    def _cwes(self, doc: JsonDoc, vuln: dict[str, Any], at: At) -> tuple[str, ...]:
        specific = vuln.get("database_specific")
        if not isinstance(specific, dict):
            return ()
        return tuple(doc.texts_at(specific, "cwe_ids", (*at, "database_specific")))

"""Trivy JSON (``trivy image|fs|repo|config --format json``, schema version 2).

Vulnerabilities, failed misconfigurations and secrets. The target is the artifact; for a
container image its repository without tag or digest, so that the scan of a newer tag shows
what was fixed. Fingerprints: target, the OS packages or the file, package (path),
installed version and vulnerability id; for misconfigurations the check id and the
resource; for secrets the rule and the lines. Trivy's ``Status: fixed`` means a fix
exists upstream, not that the artifact has it: such findings stay open. ``not_affected``
findings are skipped.
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


def image_repository(name: str) -> str:
    """``registry:5000/team/web:1.2@sha256:...`` → ``registry:5000/team/web``."""
    name = name.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


class TrivyImporter:
    name = "trivy"
    title = "Trivy JSON (trivy image|fs|repo|config --format json)"

    def detect(self, data: object) -> bool:
        return (
            isinstance(data, dict)
            and "SchemaVersion" in data
            and ("Results" in data or "ArtifactName" in data)
        )

    def parse(self, doc: JsonDoc, target: str | None) -> list[ScanReport]:
        root = doc.obj(doc.data, ())
        schema = root.get("SchemaVersion")
        if schema != 2:
            raise doc.error(
                ("SchemaVersion",),
                "only Trivy's JSON schema version 2 is read",
                schema if isinstance(schema, str | int) else None,
                hint="Trivy 0.20 and later write version 2; upgrade Trivy and scan again.",
            )
        name = doc.text_at(root, "ArtifactName", ()) or PurePosixPath(doc.file).name
        # an image's repository is the target: each scan of a newer tag shows what was fixed
        if doc.text_at(root, "ArtifactType", ()) == "container_image":
            name = image_repository(name)
        artifact = target or name
        report = ScanReport(
            format=self.name,
            tool="Trivy",
            target=artifact,
            scanned_at=doc.time_at(root, "CreatedAt", ()),
        )
        for r, node in enumerate(doc.items(root.get("Results"), ("Results",))):
            at: At = ("Results", r)
            result = doc.obj(node, at)
            where = doc.text_at(result, "Target", at) or artifact
            # OS packages are one set per image (their Target names the tag); language
            # packages and files are told apart by their path
            kind = "os-pkgs" if doc.text_at(result, "Class", at) == "os-pkgs" else where
            for v, vuln in enumerate(
                doc.items(result.get("Vulnerabilities"), (*at, "Vulnerabilities"))
            ):
                finding = self._vulnerability(
                    doc,
                    doc.obj(vuln, (*at, "Vulnerabilities", v)),
                    (*at, "Vulnerabilities", v),
                    kind,
                    where,
                    report,
                )
                if finding is not None:
                    report.findings.append(finding)
            for m, node_m in enumerate(
                doc.items(result.get("Misconfigurations"), (*at, "Misconfigurations"))
            ):
                finding = self._misconfiguration(
                    doc,
                    doc.obj(node_m, (*at, "Misconfigurations", m)),
                    (*at, "Misconfigurations", m),
                    artifact,
                    where,
                    report,
                )
                if finding is not None:
                    report.findings.append(finding)
            for s, node_s in enumerate(doc.items(result.get("Secrets"), (*at, "Secrets"))):
                report.findings.append(
                    self._secret(
                        doc,
                        doc.obj(node_s, (*at, "Secrets", s)),
                        (*at, "Secrets", s),
                        artifact,
                        where,
                        report,
                    )
                )
        return [report]

    def _cvss(self, doc: JsonDoc, vuln: dict[str, Any], at: At) -> float | None:
        sources = vuln.get("CVSS")
        if not isinstance(sources, dict):
            return None
        order = [
            "nvd",
            "ghsa",
            "redhat",
            *sorted(k for k in sources if k not in ("nvd", "ghsa", "redhat")),
        ]
        for source in order:
            entry = sources.get(source)
            if isinstance(entry, dict):
                score = doc.number_at(entry, "V3Score", (*at, "CVSS", source), 0, 10)
                if score is not None:
                    return score
        return None

    def _vulnerability(
        self,
        doc: JsonDoc,
        vuln: dict[str, Any],
        at: At,
        kind: str,
        where: str,
        report: ScanReport,
    ) -> Finding | None:
        vuln_id = doc.text_at(vuln, "VulnerabilityID", at, required=True) or ""
        package = doc.text_at(vuln, "PkgName", at, required=True) or ""
        status = doc.text_at(vuln, "Status", at)
        if status == "not_affected":
            return None
        installed = doc.text_at(vuln, "InstalledVersion", at)
        path = doc.text_at(vuln, "PkgPath", at)
        title = doc.text_at(vuln, "Title", at)
        return Finding(
            fingerprint=fingerprint(
                self.name, report.target, kind, path or package, installed, vuln_id
            ),
            format=self.name,
            tool=report.tool,
            target=report.target,
            rule=vuln_id,
            title=short(f"{vuln_id} in {package}" + (f": {title}" if title else "")),
            description=doc.text_at(vuln, "Description", at) or "",
            location=f"{where}" + (f" ({path})" if path else ""),
            package=package,
            installed_version=installed,
            fixed_version=doc.text_at(vuln, "FixedVersion", at),
            vuln_ids=(vuln_id,),
            cwes=tuple(doc.texts_at(vuln, "CweIDs", at)),
            severity=severity_word(doc.text_at(vuln, "Severity", at)),
            cvss_score=self._cvss(doc, vuln, at),
            url=doc.text_at(vuln, "PrimaryURL", at),
            status="open",
            status_note=f"Trivy status: {status}" if status else None,
        )

    def _misconfiguration(
        self,
        doc: JsonDoc,
        item: dict[str, Any],
        at: At,
        artifact: str,
        where: str,
        report: ScanReport,
    ) -> Finding | None:
        if (doc.text_at(item, "Status", at) or "FAIL") != "FAIL":
            return None
        check = doc.text_at(item, "ID", at) or doc.text_at(item, "AVDID", at)
        if check is None:
            raise doc.error(at, "a misconfiguration has no ID")
        cause = doc.sub(item, "CauseMetadata", at)
        resource = doc.text_at(cause, "Resource", (*at, "CauseMetadata"))
        start = doc.number_at(cause, "StartLine", (*at, "CauseMetadata"), 0, 10**9)
        location = where + (f":{int(start)}" if start else "")
        return Finding(
            fingerprint=fingerprint(self.name, artifact, where, check, resource),
            format=self.name,
            tool=report.tool,
            target=report.target,
            rule=check,
            title=short(
                f"{check}: "
                + (doc.text_at(item, "Title", at) or doc.text_at(item, "Message", at) or check)
            ),
            description="\n\n".join(
                x
                for x in (
                    doc.text_at(item, "Description", at),
                    doc.text_at(item, "Message", at),
                    doc.text_at(item, "Resolution", at),
                )
                if x
            ),
            location=location + (f" ({resource})" if resource else ""),
            severity=severity_word(doc.text_at(item, "Severity", at)),
            url=doc.text_at(item, "PrimaryURL", at),
        )

    def _secret(
        self,
        doc: JsonDoc,
        item: dict[str, Any],
        at: At,
        artifact: str,
        where: str,
        report: ScanReport,
    ) -> Finding:
        rule = doc.text_at(item, "RuleID", at, required=True) or ""
        start = doc.number_at(item, "StartLine", at, 0, 10**9)
        end = doc.number_at(item, "EndLine", at, 0, 10**9)
        return Finding(
            fingerprint=fingerprint(self.name, artifact, where, rule, start, end),
            format=self.name,
            tool=report.tool,
            target=report.target,
            rule=rule,
            title=short(f"Secret in {where}: {doc.text_at(item, 'Title', at) or rule}"),
            description=f"Category {doc.text_at(item, 'Category', at) or 'unknown'};"
            " the match is redacted.",
            location=where + (f":{int(start)}" if start else ""),
            severity=severity_word(doc.text_at(item, "Severity", at)),
        )

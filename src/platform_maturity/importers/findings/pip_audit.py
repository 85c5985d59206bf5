"""pip-audit JSON (``pip-audit --format json``): vulnerable Python packages.

pip-audit reports no severity, so imported items carry no suggested score (people score
them at triage). Fingerprint: target, package, version and vulnerability id. Skipped
dependencies (``skip_reason``) are not findings. Name the scanned project with --target;
otherwise the file name stands for it.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from platform_maturity.domain.backlog import Finding
from platform_maturity.importers.findings.base import JsonDoc, ScanReport, fingerprint, short

At = tuple[str | int, ...]


class PipAuditImporter:
    name = "pip-audit"
    title = "pip-audit JSON (pip-audit --format json)"

    def detect(self, data: object) -> bool:
        deps = data.get("dependencies") if isinstance(data, dict) else data
        if not isinstance(deps, list):
            return False
        if isinstance(data, dict) and set(data) - {"dependencies", "fixes"}:
            return False
        return all(
            isinstance(d, dict) and "name" in d and ("vulns" in d or "skip_reason" in d)
            for d in deps[:5]
        )

    def parse(self, doc: JsonDoc, target: str | None) -> list[ScanReport]:
        at: At
        if isinstance(doc.data, list):
            deps, at = doc.data, ()
        else:
            root = doc.obj(doc.data, ())
            deps, at = (
                doc.items(root.get("dependencies"), ("dependencies",), optional=False),
                ("dependencies",),
            )
        report = ScanReport(
            format=self.name,
            tool="pip-audit",
            target=target or PurePosixPath(doc.file).name,
            scanned_at=None,
        )
        for d, node in enumerate(deps):
            dep = doc.obj(node, (*at, d))
            self._dependency(doc, dep, (*at, d), report)
        return [report]

    def _dependency(self, doc: JsonDoc, dep: dict[str, Any], at: At, report: ScanReport) -> None:
        name = doc.text_at(dep, "name", at, required=True) or ""
        if dep.get("skip_reason") is not None:
            return
        version = doc.text_at(dep, "version", at)
        for v, node in enumerate(doc.items(dep.get("vulns"), (*at, "vulns"))):
            vat = (*at, "vulns", v)
            vuln = doc.obj(node, vat)
            vuln_id = doc.text_at(vuln, "id", vat, required=True) or ""
            aliases = doc.texts_at(vuln, "aliases", vat)
            fixes = doc.texts_at(vuln, "fix_versions", vat)
            description = doc.text_at(vuln, "description", vat) or ""
            report.findings.append(
                Finding(
                    fingerprint=fingerprint(
                        self.name, report.target, name.lower(), version, vuln_id
                    ),
                    format=self.name,
                    tool=report.tool,
                    target=report.target,
                    rule=vuln_id,
                    title=short(
                        f"{vuln_id} in {name} {version or ''}".strip()
                        + (f": {description.splitlines()[0]}" if description else ""),
                        160,
                    ),
                    description=description,
                    location=report.target,
                    package=f"PyPI:{name}",
                    installed_version=version,
                    fixed_version=", ".join(fixes) or None,
                    vuln_ids=tuple(dict.fromkeys([vuln_id, *aliases])),
                    url=f"https://osv.dev/vulnerability/{vuln_id}",
                )
            )

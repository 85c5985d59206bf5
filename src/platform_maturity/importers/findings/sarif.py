"""SARIF 2.1.0 (OASIS): results of static analysis and code scanning tools.

One scan per run (tool × repository). Severity: the rule's ``security-severity`` (a CVSS-like
0-10 score, as GitHub reads it) when given, else the result's level. Fingerprint: tool, rule
and the result's ``partialFingerprints`` (or ``fingerprints``), else file, line and message.
Suppressed results and results whose ``baselineState`` is ``absent`` count as dismissed
and fixed.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from platform_maturity.domain.backlog import Finding
from platform_maturity.importers.findings.base import (
    JsonDoc,
    ScanReport,
    fingerprint,
    short,
)

LEVELS = {"error": "high", "warning": "medium", "note": "low", "none": "info"}
CWE = re.compile(r"cwe[-/](\d+)", re.I)


class SarifImporter:
    name = "sarif"
    title = "SARIF 2.1.0 (static analysis, CodeQL, Semgrep, Trivy --format sarif, ...)"

    def detect(self, data: object) -> bool:
        if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
            return False
        return (
            str(data.get("version", "")).startswith("2.")
            or "sarif" in str(data.get("$schema", "")).lower()
        )

    def parse(self, doc: JsonDoc, target: str | None) -> list[ScanReport]:
        root = doc.obj(doc.data, ())
        version = doc.text_at(root, "version", ())
        if version is not None and not version.startswith("2.1"):
            raise doc.error(
                ("version",),
                "only SARIF 2.1.0 is read",
                version,
                hint="Ask the tool for SARIF 2.1.0 (the version GitHub code scanning reads).",
            )
        reports = []
        for r, run_node in enumerate(doc.items(root.get("runs"), ("runs",), optional=False)):
            reports.append(self._run(doc, doc.obj(run_node, ("runs", r)), ("runs", r), target))
        return reports

    def _run(
        self, doc: JsonDoc, run: dict[str, Any], at: tuple[str | int, ...], target: str | None
    ) -> ScanReport:
        tool = doc.obj(run.get("tool"), (*at, "tool"))
        driver = doc.obj(tool.get("driver"), (*at, "tool", "driver"))
        name = doc.text_at(driver, "name", (*at, "tool", "driver"), required=True) or ""
        version = doc.text_at(driver, "version", (*at, "tool", "driver")) or doc.text_at(
            driver, "semanticVersion", (*at, "tool", "driver")
        )
        rules = [
            doc.obj(rule, (*at, "tool", "driver", "rules", i))
            for i, rule in enumerate(
                doc.items(driver.get("rules"), (*at, "tool", "driver", "rules"))
            )
        ]
        by_id = {str(r.get("id")): r for r in rules if r.get("id") is not None}
        repo = self._repository(doc, run, at)
        scan_target = target or repo or PurePosixPath(doc.file).name
        report = ScanReport(
            format=self.name,
            tool=f"{name} {version}" if version else name,
            target=scan_target,
            scanned_at=self._started(doc, run, at),
        )
        results = doc.items(run.get("results"), (*at, "results"))
        for i, node in enumerate(results):
            finding = self._result(
                doc,
                doc.obj(node, (*at, "results", i)),
                (*at, "results", i),
                name,
                rules,
                by_id,
                report,
            )
            if finding is not None:
                report.findings.append(finding)
        return report

    def _repository(
        self, doc: JsonDoc, run: dict[str, Any], at: tuple[str | int, ...]
    ) -> str | None:
        for i, node in enumerate(
            doc.items(run.get("versionControlProvenance"), (*at, "versionControlProvenance"))
        ):
            provenance = doc.obj(node, (*at, "versionControlProvenance", i))
            uri = doc.text_at(provenance, "repositoryUri", (*at, "versionControlProvenance", i))
            if uri:
                return uri
        details = run.get("automationDetails")
        if isinstance(details, dict):
            return doc.text_at(details, "id", (*at, "automationDetails"))
        return None

    def _started(self, doc: JsonDoc, run: dict[str, Any], at: tuple[str | int, ...]) -> Any:
        for i, node in enumerate(doc.items(run.get("invocations"), (*at, "invocations"))):
            invocation = doc.obj(node, (*at, "invocations", i))
            when = doc.time_at(invocation, "startTimeUtc", (*at, "invocations", i))
            if when is not None:
                return when
        return None

    def _result(
        self,
        doc: JsonDoc,
        result: dict[str, Any],
        at: tuple[str | int, ...],
        tool: str,
        rules: list[dict[str, Any]],
        by_id: dict[str, dict[str, Any]],
        report: ScanReport,
    ) -> Finding | None:
        kind = doc.text_at(result, "kind", at) or "fail"
        if kind not in ("fail", "review", "open"):
            return None  # pass, notApplicable, informational: nothing to fix
        rule_id = doc.text_at(result, "ruleId", at)
        rule: dict[str, Any] = {}
        index = result.get("ruleIndex")
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(rules):
            rule = rules[index]
        elif rule_id is not None:
            rule = by_id.get(rule_id, by_id.get(rule_id.split("/")[0], {}))
        descriptor = result.get("rule")
        if rule_id is None and isinstance(descriptor, dict):
            rule_id = doc.text_at(descriptor, "id", (*at, "rule"))
        rule_id = rule_id or doc.text_at(rule, "id", (*at, "rule"))
        if rule_id is None:
            raise doc.error(at, "a result names no rule (ruleId)")
        message = doc.obj(result.get("message"), (*at, "message"), "a message object")
        text = (
            doc.text_at(message, "text", (*at, "message"))
            or doc.text_at(message, "markdown", (*at, "message"))
            or ""
        )
        location, uri, line = self._location(doc, result, at)
        properties = doc.sub(result, "properties", at)
        rule_properties = doc.sub(rule, "properties", (*at, "rule"))
        score = doc.number_at(properties, "security-severity", (*at, "properties"), 0, 10)
        if score is None:
            score = doc.number_at(
                rule_properties, "security-severity", (*at, "rule", "properties"), 0, 10
            )
        config = doc.sub(rule, "defaultConfiguration", (*at, "rule"))
        level = doc.text_at(result, "level", at) or doc.text_at(config, "level", at) or "warning"
        if level not in LEVELS:
            raise doc.error(
                (*at, "level"), "unknown level; SARIF levels are none, note, warning, error", level
            )
        tags = [
            t
            for t in doc.items(rule_properties.get("tags"), (*at, "rule", "properties", "tags"))
            if isinstance(t, str)
        ]
        cwes = tuple(dict.fromkeys(f"CWE-{m.group(1)}" for t in tags if (m := CWE.search(t))))
        partial = result.get("partialFingerprints") or result.get("fingerprints")
        if isinstance(partial, dict) and partial:
            identity = ";".join(f"{k}={partial[k]}" for k in sorted(partial))
        else:
            identity = f"{uri}:{line}:{fingerprint(text)}"
        status = "open"
        suppressions = doc.items(result.get("suppressions"), (*at, "suppressions"))
        if any(
            isinstance(s, dict) and s.get("status", "accepted") == "accepted" for s in suppressions
        ):
            status = "dismissed"
        if result.get("baselineState") == "absent":
            status = "fixed"
        short_text = doc.sub(rule, "shortDescription", (*at, "rule"))
        full_text = doc.sub(rule, "fullDescription", (*at, "rule"))
        title = short(
            doc.text_at(short_text, "text", at) or doc.text_at(rule, "name", at) or text or rule_id
        )
        help_uri = doc.text_at(rule, "helpUri", at)
        return Finding(
            fingerprint=fingerprint(self.name, tool, report.target, rule_id, identity),
            format=self.name,
            tool=report.tool,
            target=report.target,
            rule=rule_id,
            title=title,
            description="\n\n".join(x for x in (doc.text_at(full_text, "text", at), text) if x),
            location=location,
            cwes=cwes,
            severity=None if score is not None else LEVELS[level],
            cvss_score=score,
            url=help_uri,
            status=status,
            status_note="suppressed in the SARIF file" if status == "dismissed" else None,
        )

    def _location(
        self, doc: JsonDoc, result: dict[str, Any], at: tuple[str | int, ...]
    ) -> tuple[str | None, str | None, int | None]:
        for i, node in enumerate(doc.items(result.get("locations"), (*at, "locations"))):
            where = (*at, "locations", i)
            physical = doc.obj(node, where).get("physicalLocation")
            if not isinstance(physical, dict):
                continue
            artifact = physical.get("artifactLocation")
            uri = (
                doc.text_at(artifact, "uri", (*where, "physicalLocation", "artifactLocation"))
                if isinstance(artifact, dict)
                else None
            )
            region = physical.get("region")
            line = None
            if isinstance(region, dict):
                start = doc.number_at(
                    region, "startLine", (*where, "physicalLocation", "region"), 1, 10**9
                )
                line = int(start) if start is not None else None
            if uri:
                return (f"{uri}:{line}" if line else uri), uri, line
        return None, None, None

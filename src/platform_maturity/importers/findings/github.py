"""GitHub Dependabot alerts and code-scanning alerts, as the REST API or webhooks send them.

Accepted shapes: the list the REST API returns (``GET /repos/{owner}/{repo}/dependabot/alerts``
or ``.../code-scanning/alerts``, also the organization endpoints), one alert, or a webhook
payload (``{"action": ..., "alert": {...}, "repository": {...}}``). The fingerprint is the
repository and the alert number, which GitHub keeps stable. An alert list may be one page,
so a missing alert is not taken as fixed: the alert's ``state`` says so (fixed, dismissed).
"""

from __future__ import annotations

import re
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
REPO = re.compile(r"(?:github\.com/|/repos/)([^/]+/[^/]+)/")
CWE = re.compile(r"cwe[-/](\d+)", re.I)
LEVELS = {"error": "high", "warning": "medium", "note": "low", "none": "info"}


def _alerts(doc: JsonDoc) -> list[tuple[dict[str, Any], At, str | None]]:
    """The alerts of the file with their paths, and the repository a webhook names."""
    data = doc.data
    if isinstance(data, dict) and "alert" in data:
        repo = data.get("repository")
        full = doc.text_at(repo, "full_name", ("repository",)) if isinstance(repo, dict) else None
        return [(doc.obj(data["alert"], ("alert",)), ("alert",), full)]
    if isinstance(data, dict):
        return [(data, (), None)]
    return [
        (doc.obj(a, (i,)), (i,), None) for i, a in enumerate(doc.items(data, (), optional=False))
    ]


def _repository(doc: JsonDoc, alert: dict[str, Any], at: At, fallback: str | None) -> str:
    repo = alert.get("repository")
    if isinstance(repo, dict):
        full = doc.text_at(repo, "full_name", (*at, "repository"))
        if full:
            return full
    for key in ("html_url", "url"):
        url = doc.text_at(alert, key, at)
        if url and (match := REPO.search(url)):
            return match.group(1)
    if fallback:
        return fallback
    raise doc.error(
        at, "cannot tell which repository this alert belongs to (no url, html_url or repository)"
    )


def _status(doc: JsonDoc, alert: dict[str, Any], at: At) -> tuple[str, str | None]:
    state = doc.text_at(alert, "state", at, required=True) or ""
    if state == "open":
        return "open", None
    if state == "fixed":
        return "fixed", None
    if state in ("dismissed", "auto_dismissed"):
        reason = doc.text_at(alert, "dismissed_reason", at) or (
            "automatically" if state == "auto_dismissed" else "no reason"
        )
        comment = doc.text_at(alert, "dismissed_comment", at)
        return "dismissed", f"dismissed on GitHub ({reason})" + (f": {comment}" if comment else "")
    raise doc.error(
        (*at, "state"),
        "unknown alert state",
        state,
        hint="GitHub alert states: open, fixed, dismissed, auto_dismissed.",
    )


def _number(doc: JsonDoc, alert: dict[str, Any], at: At) -> int:
    value = doc.number_at(alert, "number", at, 1, 10**12)
    if value is None:
        raise doc.error((*at, "number"), "required field is missing or empty")
    return int(value)


def _group(reports: dict[str, ScanReport], name: str, tool: str, repo: str) -> ScanReport:
    if repo not in reports:
        reports[repo] = ScanReport(
            format=name, tool=tool, target=repo, scanned_at=None, complete=False
        )
    return reports[repo]


class DependabotImporter:
    name = "dependabot"
    title = "GitHub Dependabot alerts JSON (REST API list, one alert, or a webhook payload)"

    def detect(self, data: object) -> bool:
        sample = (
            data.get("alert", data)
            if isinstance(data, dict)
            else (data[0] if isinstance(data, list) and data else None)
        )
        return isinstance(sample, dict) and "security_advisory" in sample and "number" in sample

    def parse(self, doc: JsonDoc, target: str | None) -> list[ScanReport]:
        reports: dict[str, ScanReport] = {}
        for alert, at, webhook_repo in _alerts(doc):
            repo = target or _repository(doc, alert, at, webhook_repo)
            report = _group(reports, self.name, "GitHub Dependabot", repo)
            number = _number(doc, alert, at)
            advisory = doc.obj(alert.get("security_advisory"), (*at, "security_advisory"))
            aat = (*at, "security_advisory")
            ghsa = doc.text_at(advisory, "ghsa_id", aat, required=True) or ""
            cve = doc.text_at(advisory, "cve_id", aat)
            dependency = doc.sub(alert, "dependency", at)
            package = doc.sub(dependency, "package", (*at, "dependency"))
            name = doc.text_at(package, "name", (*at, "dependency", "package")) or "?"
            ecosystem = doc.text_at(package, "ecosystem", (*at, "dependency", "package"))
            vulnerability = doc.sub(alert, "security_vulnerability", at)
            patched = vulnerability.get("first_patched_version")
            fixed = (
                doc.text_at(
                    patched, "identifier", (*at, "security_vulnerability", "first_patched_version")
                )
                if isinstance(patched, dict)
                else None
            )
            cvss = advisory.get("cvss")
            score = (
                doc.number_at(cvss, "score", (*aat, "cvss"), 0, 10)
                if isinstance(cvss, dict)
                else None
            )
            cwes = []
            for c, node in enumerate(doc.items(advisory.get("cwes"), (*aat, "cwes"))):
                cwe = doc.text_at(doc.obj(node, (*aat, "cwes", c)), "cwe_id", (*aat, "cwes", c))
                if cwe:
                    cwes.append(cwe)
            status, note = _status(doc, alert, at)
            summary = doc.text_at(advisory, "summary", aat)
            report.findings.append(
                Finding(
                    fingerprint=fingerprint(self.name, repo, number),
                    format=self.name,
                    tool=report.tool,
                    target=repo,
                    rule=ghsa,
                    title=short(f"{name}: {summary or ghsa}"),
                    description=doc.text_at(advisory, "description", aat) or "",
                    location=doc.text_at(dependency, "manifest_path", (*at, "dependency")),
                    package=f"{ecosystem}:{name}" if ecosystem else name,
                    installed_version=doc.text_at(
                        vulnerability, "vulnerable_version_range", (*at, "security_vulnerability")
                    ),
                    fixed_version=fixed,
                    vuln_ids=tuple(x for x in (cve, ghsa) if x),
                    cwes=tuple(cwes),
                    severity=severity_word(doc.text_at(advisory, "severity", aat)),
                    cvss_score=score or None,
                    epss=self._epss(doc, advisory, aat),
                    url=doc.text_at(alert, "html_url", at),
                    status=status,
                    status_note=note,
                    seen_at=doc.time_at(alert, "created_at", at),
                )
            )
        return list(reports.values())

    def _epss(self, doc: JsonDoc, advisory: dict[str, Any], at: At) -> float | None:
        epss = advisory.get("epss")
        if isinstance(epss, list):
            epss = epss[0] if epss else None
        if isinstance(epss, dict):
            return doc.number_at(epss, "percentage", (*at, "epss"), 0, 1)
        return None


class CodeScanningImporter:
    name = "code-scanning"
    title = "GitHub code-scanning alerts JSON (REST API list, one alert, or a webhook payload)"

    def detect(self, data: object) -> bool:
        sample = (
            data.get("alert", data)
            if isinstance(data, dict)
            else (data[0] if isinstance(data, list) and data else None)
        )
        return (
            isinstance(sample, dict)
            and "rule" in sample
            and "number" in sample
            and ("most_recent_instance" in sample or "instances" in sample or "tool" in sample)
        )

    def parse(self, doc: JsonDoc, target: str | None) -> list[ScanReport]:
        reports: dict[str, ScanReport] = {}
        for alert, at, webhook_repo in _alerts(doc):
            repo = target or _repository(doc, alert, at, webhook_repo)
            rule = doc.obj(alert.get("rule"), (*at, "rule"))
            rat = (*at, "rule")
            rule_id = doc.text_at(rule, "id", rat, required=True) or ""
            tool_node = doc.sub(alert, "tool", at)
            tool = doc.text_at(tool_node, "name", (*at, "tool")) or "code scanning"
            report = _group(reports, self.name, f"GitHub code scanning ({tool})", repo)
            number = _number(doc, alert, at)
            instance = alert.get("most_recent_instance")
            iat: At = (*at, "most_recent_instance")
            if not isinstance(instance, dict):
                instances = doc.items(alert.get("instances"), (*at, "instances"))
                instance, iat = (
                    (instances[0], (*at, "instances", 0))
                    if instances and isinstance(instances[0], dict)
                    else ({}, at)
                )
            location = doc.sub(instance, "location", iat)
            path = doc.text_at(location, "path", (*iat, "location"))
            line = doc.number_at(location, "start_line", (*iat, "location"), 0, 10**9)
            message = doc.sub(instance, "message", iat)
            word = severity_word(doc.text_at(rule, "security_severity_level", rat))
            if word is None:
                level = doc.text_at(rule, "severity", rat)
                word = LEVELS.get(level or "", None)
            tags = [t for t in doc.items(rule.get("tags"), (*rat, "tags")) if isinstance(t, str)]
            status, note = _status(doc, alert, at)
            title = (
                doc.text_at(rule, "description", rat) or doc.text_at(rule, "name", rat) or rule_id
            )
            report.findings.append(
                Finding(
                    fingerprint=fingerprint(self.name, repo, number),
                    format=self.name,
                    tool=report.tool,
                    target=repo,
                    rule=rule_id,
                    title=short(f"{rule_id}: {title}"),
                    description="\n\n".join(
                        x
                        for x in (
                            doc.text_at(rule, "full_description", rat),
                            doc.text_at(message, "text", (*iat, "message")),
                        )
                        if x
                    ),
                    location=(f"{path}:{int(line)}" if path and line else path),
                    cwes=tuple(
                        dict.fromkeys(f"CWE-{m.group(1)}" for t in tags if (m := CWE.search(t)))
                    ),
                    severity=word,
                    url=doc.text_at(alert, "html_url", at),
                    status=status,
                    status_note=note,
                    seen_at=doc.time_at(alert, "created_at", at),
                )
            )
        return list(reports.values())

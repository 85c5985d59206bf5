"""A suggested risk and impact for an imported finding, from what the scanner says.

Only a suggestion: risk and impact are decided by people at triage. The scanner's own
severity (or the CVSS score's band) gives both; a high EPSS score raises the risk, and a
vulnerability known to be exploited (CISA KEV) gets the top risk.
"""

from __future__ import annotations

from platform_maturity.domain.backlog import Finding, Suggestion
from platform_maturity.domain.backlog_policy import Suggestions


def suggest(finding: Finding, rules: Suggestions, tool: str) -> Suggestion | None:
    basis: list[str] = []
    word = finding.severity if finding.severity in rules.by_severity else None
    if word is not None:
        basis.append(f"{tool} severity {word}")
    if finding.cvss_score is not None:
        basis.append(f"CVSS {finding.cvss_score:g}")
        if word is None:
            word = rules.severity_for_cvss(finding.cvss_score)
    if word is None:
        if not finding.known_exploited:
            return None
        word = "high"
    hint = rules.by_severity[word]
    risk, impact = hint.risk, hint.impact
    if finding.epss is not None:
        basis.append(f"EPSS {finding.epss * 100:.2f} %")
        for rule in rules.epss_risk:
            if finding.epss >= rule.min_epss:
                risk = max(risk, rule.risk)
    if finding.known_exploited:
        basis.append("known exploited")
        risk = max(risk, rules.known_exploited_risk)
    return Suggestion(risk=risk, impact=impact, basis=", ".join(basis))

"""Scan findings as SARIF 2.1.0, the format GitHub code scanning reads."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from platform_maturity.domain.checks import CheckDefinition
from platform_maturity.domain.observations import Observation
from platform_maturity.reports.scan_json import dumps

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}
TOOL_URI = "https://github.com/platform-maturity/platform-maturity"


def _rule(check: CheckDefinition) -> dict[str, Any]:
    return {
        "id": check.id,
        "name": "".join(part.title() for part in check.id.replace(".", "-").split("-")),
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": check.looks_at},
        "help": {"text": check.remediation, "markdown": f"**How to fix.** {check.remediation}"},
        "defaultConfiguration": {"level": LEVELS[check.severity]},
        "properties": {
            "tags": [check.source, *check.goals],
            "precision": "high",
            "security-severity": SECURITY_SEVERITY[check.severity],
            "goals": list(check.goals),
        },
    }


def _fingerprint(observation: Observation) -> str:
    ref = observation.evidence[0].object_ref if observation.evidence else ""
    key = f"{observation.check_id}|{observation.subject}|{ref}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _location(observation: Observation) -> list[dict[str, Any]]:
    locations = []
    for evidence in observation.evidence:
        if not evidence.path:
            continue
        uri = evidence.path.removeprefix("./") if evidence.path != "./" else "."
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        if evidence.line_start:
            physical["region"] = {
                "startLine": evidence.line_start,
                "endLine": evidence.line_end or evidence.line_start,
            }
        location: dict[str, Any] = {"physicalLocation": physical}
        if evidence.object_ref:
            location["logicalLocations"] = [{"name": evidence.object_ref, "kind": "object"}]
        locations.append(location)
    return locations


def render_sarif(
    checks: Sequence[CheckDefinition], observations: Sequence[Observation], version: str
) -> str:
    """Failing and exempted findings as results; exempted ones carry a suppression."""
    used = sorted({o.check_id for o in observations if o.passed is False})
    rules = [c for c in checks if c.id in used]
    index = {c.id: i for i, c in enumerate(rules)}
    severity = {c.id: c.severity for c in rules}
    results = []
    for observation in observations:
        if observation.passed is not False or observation.check_id not in index:
            continue
        result: dict[str, Any] = {
            "ruleId": observation.check_id,
            "ruleIndex": index[observation.check_id],
            "level": LEVELS[severity[observation.check_id]],
            "message": {"text": f"{observation.subject}: {observation.message}"},
            "locations": _location(observation),
            "partialFingerprints": {"platformMaturity/v1": _fingerprint(observation)},
        }
        if observation.waived:
            result["suppressions"] = [{"kind": "inSource", "justification": observation.message}]
        results.append(result)
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "platform-maturity",
                        "informationUri": TOOL_URI,
                        "version": version,
                        "rules": [_rule(c) for c in rules],
                    }
                },
                "results": results,
                "columnKind": "utf16CodeUnits",
            }
        ],
    }
    return dumps(document)

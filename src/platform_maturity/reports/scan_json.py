"""The whole scan as JSON: counts per check, every finding with its evidence, the problems
and the warnings.

Scans can hold tens of thousands of findings, so the document is written by orjson (the
same JSON as the standard library's, with non-ASCII text as UTF-8 rather than escapes).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import orjson

from platform_maturity.domain.observations import EvidenceRef
from platform_maturity.domain.scans import PROBLEM_CHECK, ScanSummary

EVIDENCE_FIELDS = tuple(f.name for f in fields(EvidenceRef))


def dumps(document: Any) -> str:
    """Indented JSON with a final newline."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode()


def scan_json(summary: ScanSummary) -> str:
    """The scan as JSON: counts per check, every finding with its evidence, the problems."""
    document: dict[str, Any] = {
        "scan_id": summary.scan_id,
        "started_at": summary.started_at.isoformat(),
        "finished_at": summary.finished_at.isoformat(),
        "roots": summary.roots,
        "inputs": summary.inputs,
        "checks": [
            {
                "id": t.check.id,
                "title": t.check.title,
                "goals": list(t.check.goals),
                "severity": t.check.severity,
                "passed": t.passed,
                "failed": t.failed,
                "waived": t.waived,
                "undecided": t.undecided,
            }
            for t in summary.tallies
        ],
        "findings": [
            {
                "check": o.check_id,
                "subject": o.subject,
                "unit": o.unit,
                "goals": list(o.goal_codes),
                "passed": o.passed,
                "waived": o.waived,
                "message": o.message,
                "evidence": [
                    {k: v for k in EVIDENCE_FIELDS if (v := getattr(e, k)) is not None}
                    for e in o.evidence
                ],
            }
            for o in summary.observations
            if o.check_id != PROBLEM_CHECK
        ],
        "problems": [
            {"path": p.path, "line": p.line, "message": p.message} for p in summary.problems
        ],
        "warnings": summary.warnings,
    }
    return dumps(document)

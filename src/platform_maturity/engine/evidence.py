"""Automated evidence: what the scanners' observations say about each goal."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from platform_maturity.domain.records import Measurement, Observation, Outcome
from platform_maturity.domain.results import ScanResult, SubjectResult

SHOWN_SUBJECTS = 10


@dataclass(frozen=True)
class AutomatedEvidence:
    """The scanners' verdict on one goal for one scope, with what it rests on."""

    outcome: Outcome
    subjects: int
    passing: int
    failing: int
    waived: int
    failing_subjects: tuple[str, ...]
    refs: tuple[str, ...]  # file:line of failing findings (or passing ones when all pass)
    checks: tuple[str, ...]

    @property
    def summary(self) -> str:
        if self.outcome == Outcome.WAIVED:
            return f"all {self.waived} failing subject(s) exempted"
        if self.failing == 0:
            return f"all {self.passing} subject(s) pass ({', '.join(self.checks)})"
        return f"{self.failing} of {self.subjects} subject(s) fail ({', '.join(self.checks)})"


def _ref(observation: Observation) -> str | None:
    for evidence in observation.evidence:
        if evidence.path:
            if evidence.line_start:
                end = evidence.line_end
                lines = f"{evidence.line_start}" + (
                    f"-{end}" if end and end != evidence.line_start else ""
                )
                return f"{evidence.path}:{lines}"
            return evidence.path
        if evidence.url:
            return evidence.url
    return None


def automated_evidence(
    observations: Iterable[Observation], unit: str | None
) -> dict[str, AutomatedEvidence]:
    """Per goal code, the verdict of the observations about ``unit``'s subjects.

    ``unit=None`` takes every observation (the organization sees all subjects, assigned to
    a unit or not). A subject passes a goal when every decided finding about it passes;
    waived findings are set aside; findings that could not decide (``passed is None``) are
    ignored. Met when every subject passes, not met when none does, partly met otherwise.
    """
    by_goal: dict[str, dict[str, list[Observation]]] = defaultdict(lambda: defaultdict(list))
    for observation in observations:
        if unit is not None and observation.unit != unit:
            continue
        for code in observation.goal_codes:
            by_goal[code][observation.subject].append(observation)
    result: dict[str, AutomatedEvidence] = {}
    for code, subjects in by_goal.items():
        passing: list[str] = []
        failing: list[str] = []
        waived: list[str] = []
        refs: list[str] = []
        checks: set[str] = set()
        for subject, found in sorted(subjects.items()):
            decided = [o for o in found if o.passed is not None]
            if not decided:
                continue
            checks.update(o.check_id for o in decided)
            bad = [o for o in decided if not o.passed and not o.waived]
            if bad:
                failing.append(subject)
                refs.extend(r for o in bad if (r := _ref(o)))
            elif any(o.waived for o in decided):
                waived.append(subject)
            else:
                passing.append(subject)
        counted = len(passing) + len(failing)
        if counted == 0 and not waived:
            continue
        if counted == 0:
            outcome = Outcome.WAIVED
        elif not failing:
            outcome = Outcome.MET
        elif not passing:
            outcome = Outcome.NOT_MET
        else:
            outcome = Outcome.PARTLY_MET
        result[code] = AutomatedEvidence(
            outcome=outcome,
            subjects=counted,
            passing=len(passing),
            failing=len(failing),
            waived=len(waived),
            failing_subjects=tuple(failing[:SHOWN_SUBJECTS]),
            refs=tuple(dict.fromkeys(refs))[:SHOWN_SUBJECTS],
            checks=tuple(sorted(checks)),
        )
    return result


def scan_measurements(
    observations: Sequence[Observation],
    check_metrics: Mapping[str, str],
    units: Sequence[str],
    at: datetime,
    source: str,
) -> list[Measurement]:
    """Percentage metrics that follow from a scan: the share of subjects that pass.

    ``check_metrics`` maps a check id to the metric it measures (e.g. the share of
    repositories with CI). Several checks may measure one metric (cloud resources and
    cluster objects defined as code): their subjects are pooled, and a subject passes when
    every verdict on it passes (or is waived). One value for the organization and one per
    unit with subjects; undecided verdicts are left out.
    """
    by_metric: dict[str, list[Observation]] = defaultdict(list)
    for o in observations:
        metric_id = check_metrics.get(o.check_id)
        if metric_id is not None and o.passed is not None:
            by_metric[metric_id].append(o)
    measurements: list[Measurement] = []
    for metric_id, found in sorted(by_metric.items()):
        for unit in (None, *units):
            subjects: dict[str, bool] = {}
            for o in found:
                if unit is None or o.unit == unit:
                    ok = bool(o.passed or o.waived)
                    subjects[o.subject] = subjects.get(o.subject, True) and ok
            if not subjects:
                continue
            share = 100.0 * sum(subjects.values()) / len(subjects)
            measurements.append(
                Measurement(
                    metric_id=metric_id,
                    unit=unit,
                    value=round(share, 2),
                    measured_at=at,
                    source=source,
                    note=f"{sum(subjects.values())} of {len(subjects)} subjects",
                )
            )
    return measurements


def scan_result(
    observations: Sequence[Observation], goals_with_checks: Iterable[str]
) -> ScanResult | None:
    """Per subject, each check's verdict; and the goals the scan gave evidence for."""
    decided = [o for o in observations if not o.check_id.startswith("scan.")]
    if not decided:
        return None
    subjects: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    units: dict[tuple[str, str], str | None] = {}
    refs: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    order = {"fail": 3, "unknown": 2, "waived": 1, "pass": 0}
    for o in decided:
        key = (o.collector, o.subject)
        units[key] = o.unit
        status = (
            ("waived" if o.waived else "fail")
            if o.passed is False
            else ("pass" if o.passed else "unknown")
        )
        current = subjects[key].get(o.check_id)
        if current is None or order[status] > order[current]:
            subjects[key][o.check_id] = status
            if status == "fail" and (ref := _ref(o)):
                refs[key][o.check_id] = ref
    rows = []
    for (collector, subject), results in sorted(subjects.items()):
        counts = {s: sum(1 for v in results.values() if v == s) for s in order}
        rows.append(
            SubjectResult(
                subject=subject,
                collector=collector,
                unit=units[(collector, subject)],
                passed=counts["pass"],
                failed=counts["fail"],
                waived=counts["waived"],
                undecided=counts["unknown"],
                results=dict(sorted(results.items())),
                refs=refs[(collector, subject)],
            )
        )
    evidenced = sorted({c for o in decided if o.passed is not None for c in o.goal_codes})
    return ScanResult(
        scanned_at=max(o.observed_at for o in decided),
        subjects=tuple(rows),
        goals_with_evidence=tuple(evidenced),
        goals_with_checks=tuple(sorted(set(goals_with_checks))),
    )

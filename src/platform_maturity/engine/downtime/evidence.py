"""What downtime visibility tells the scorecard: coverage, ownership, uptime, response.

Measurements (organization-wide, as of ``now``):

- ``observability.synthetic-coverage``: critical flows covered by a synthetic test;
- ``resiliency.system-uptime``: the system's uptime over the last 30 days;
- ``observability.mean-time-to-detect``: incidents of the last 90 days, start to detection;
- ``observability.monitor-detected-bugs``: incidents first found by a monitor, not a user;
- ``coordination.on-call-acknowledgement-time``: detection to acknowledgement;
- ``coordination.postmortem-completion``: resolved SEV1/SEV2 incidents with a postmortem.

Goal evidence: C.I.1 (every component has an owner and someone to page), C.I.5 (pages
escalate when not acknowledged), C.I.6 (incident timelines recorded by the tooling) and
O.T.3 (every critical flow exercised by a synthetic test).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from platform_maturity.domain.downtime import DowntimeSettings, Method, escalation_chain
from platform_maturity.domain.incidents import Incident, Severity
from platform_maturity.domain.probes import ProbeSpec
from platform_maturity.domain.records import Measurement, Observation
from platform_maturity.domain.uptime import Uptime

COLLECTOR = "downtime"
VERSION = "1"
SUBJECT = "downtime-visibility"
INCIDENT_WINDOW = timedelta(days=90)

SYNTHETIC_COVERAGE = "observability.synthetic-coverage"
SYSTEM_UPTIME = "resiliency.system-uptime"
MTTD = "observability.mean-time-to-detect"
MONITOR_DETECTED = "observability.monitor-detected-bugs"
ACK_TIME = "coordination.on-call-acknowledgement-time"
POSTMORTEM_COMPLETION = "coordination.postmortem-completion"


@dataclass(frozen=True)
class FlowCoverage:
    component: str
    flow: str
    name: str
    latency_budget_ms: int
    methods: tuple[Method, ...]  # declared on the flow or given by a probe
    probes: tuple[str, ...]

    @property
    def synthetic(self) -> bool:
        return Method.SYNTHETIC in self.methods

    @property
    def weakest_only(self) -> bool:
        """Covered only by health checks or user reports (the weak signals)."""
        return not ({Method.SYNTHETIC, Method.RUNTIME} & set(self.methods))


def flow_coverage(settings: DowntimeSettings, probes: Sequence[ProbeSpec]) -> list[FlowCoverage]:
    """Every critical flow with the detection methods that cover it."""
    rows: list[FlowCoverage] = []
    for component in settings.components:
        for flow in component.flows:
            by_probe = [
                p
                for p in probes
                if p.enabled
                and (
                    (p.component == component.id and p.flow in (flow.id, None))
                    or (p.health is not None and component.id in p.components())
                )
            ]
            methods = set(flow.detection) | {p.method for p in by_probe}
            rows.append(
                FlowCoverage(
                    component=component.id,
                    flow=flow.id,
                    name=flow.name,
                    latency_budget_ms=flow.latency_budget_ms,
                    methods=tuple(m for m in Method if m in methods),
                    probes=tuple(p.name for p in by_probe),
                )
            )
    return rows


def _observation(
    check: str, goals: tuple[str, ...], passed: bool, message: str, now: datetime
) -> Observation:
    return Observation(
        collector=COLLECTOR,
        collector_version=VERSION,
        check_id=f"downtime.{check}",
        subject=SUBJECT,
        goal_codes=goals,
        passed=passed,
        message=message,
        observed_at=now,
    )


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 2)


def downtime_evidence(
    settings: DowntimeSettings,
    probes: Sequence[ProbeSpec],
    incidents: Sequence[Incident],
    postmortem_incidents: frozenset[int],
    system: Uptime | None,
    now: datetime,
) -> tuple[list[Observation], list[Measurement]]:
    """Goal evidence and metric values; nothing when no component is defined."""
    if not settings.components:
        return [], []
    observations: list[Observation] = []
    measurements: list[Measurement] = []

    def measure(metric: str, value: float, note: str) -> None:
        measurements.append(
            Measurement(metric_id=metric, value=value, measured_at=now, source=COLLECTOR, note=note)
        )

    coverage = flow_coverage(settings, probes)
    if coverage:
        covered = sum(1 for c in coverage if c.synthetic)
        measure(
            SYNTHETIC_COVERAGE,
            round(100.0 * covered / len(coverage), 2),
            f"{covered} of {len(coverage)} critical flows have a synthetic test",
        )
        observations.append(
            _observation(
                "synthetic-coverage",
                ("O.T.3",),
                covered == len(coverage),
                f"{covered} of {len(coverage)} critical flows are exercised by a synthetic test",
                now,
            )
        )
    unowned = [c.id for c in settings.components if not c.owner]
    unpaged = [c.id for c in settings.components if not escalation_chain(c)]
    observations.append(
        _observation(
            "ownership",
            ("C.I.1",),
            not unowned and not unpaged,
            "every component has an owner and someone to notify"
            if not unowned and not unpaged
            else "without owner: "
            + (", ".join(unowned) or "none")
            + "; nobody to notify: "
            + (", ".join(unpaged) or "none"),
            now,
        )
    )
    channels = bool(settings.notifications.webhooks or settings.notifications.email)
    escalating = [c.id for c in settings.components if len(escalation_chain(c)) >= 2]
    observations.append(
        _observation(
            "escalation",
            ("C.I.5",),
            channels and len(escalating) == len(settings.components),
            f"{len(escalating)} of {len(settings.components)} components escalate when nobody"
            " acknowledges" + ("" if channels else "; no notification channel is configured"),
            now,
        )
    )
    if system is not None and system.percent is not None:
        measure(
            SYSTEM_UPTIME,
            round(system.percent, 3),
            f"last 30 days: {system.minutes_down:.0f} min down in {system.intervals} interval(s)",
        )
    recent = [i for i in incidents if now - INCIDENT_WINDOW <= i.started <= now]
    if recent:
        measure(
            MTTD,
            _mean([(i.detected - i.started).total_seconds() / 60.0 for i in recent]),
            f"{len(recent)} incident(s) in the last 90 days",
        )
        by_monitor = [i for i in recent if i.method not in (None, Method.USER_REPORT)]
        measure(
            MONITOR_DETECTED,
            round(100.0 * len(by_monitor) / len(recent), 2),
            f"{len(by_monitor)} of {len(recent)} incident(s) first detected by a monitor",
        )
        acked = [i for i in recent if i.acknowledged is not None and i.acknowledged <= now]
        if acked:
            measure(
                ACK_TIME,
                _mean(
                    [
                        (i.acknowledged - i.detected).total_seconds() / 60.0
                        for i in acked
                        if i.acknowledged
                    ]
                ),
                f"{len(acked)} acknowledged incident(s) in the last 90 days",
            )
        automatic = [i for i in recent if i.automatic]
        observations.append(
            _observation(
                "timelines",
                ("C.I.6",),
                bool(automatic),
                f"{len(automatic)} of {len(recent)} incident(s) opened and timed by the tooling",
                now,
            )
        )
        serious = [
            i
            for i in recent
            if i.resolved is not None and i.severity in (Severity.SEV1, Severity.SEV2)
        ]
        if serious:
            written = sum(1 for i in serious if i.id in postmortem_incidents)
            measure(
                POSTMORTEM_COMPLETION,
                round(100.0 * written / len(serious), 2),
                f"{written} of {len(serious)} resolved SEV1/SEV2 incident(s) have a postmortem",
            )
    return observations, measurements

"""Linking incidents to the deployment that caused them, where the source does not say.

Explicit links (an incident's ``deployment_id``) always win. Otherwise an incident is
blamed on the most recent successful production deployment of the same service (any
service when the incident names none) that finished before the incident was opened,
within ``lookback``. With ``lookback=None`` and no service match this is the rule DevLake
uses; the bound keeps an incident from being blamed on a deployment from weeks ago.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from platform_maturity.domain.events import Deployment, Incident


def link_incidents(
    incidents: Sequence[Incident],
    deployments: Sequence[Deployment],
    lookback: timedelta | None = None,
    match_service: bool = True,
) -> list[Incident]:
    """The incidents with ``deployment_id`` filled in where a deployment qualifies."""
    done = sorted(
        (d for d in deployments if d.production and d.status == "success" and d.finished_at),
        key=lambda d: d.finished_at,  # type: ignore[arg-type, return-value]
    )
    by_service: dict[str | None, list[Deployment]] = {None: done}
    if match_service:
        for d in done:
            by_service.setdefault(d.service, []).append(d)
    ends = {
        key: [d.finished_at for d in group if d.finished_at is not None]
        for key, group in by_service.items()
    }
    linked: list[Incident] = []
    for incident in incidents:
        if incident.deployment_id:
            linked.append(incident)
            continue
        key = incident.service if match_service and incident.service in by_service else None
        group, times = by_service[key], ends[key]
        at = bisect_left(times, incident.created_at) - 1  # finished strictly before
        if at < 0:
            linked.append(incident)
            continue
        candidate = group[at]
        assert candidate.finished_at is not None
        if lookback is not None and incident.created_at - candidate.finished_at > lookback:
            linked.append(incident)
            continue
        linked.append(replace(incident, deployment_id=candidate.source_id))
    return linked

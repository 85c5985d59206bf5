"""The positional makers of observations and evidence make what the constructors make."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

import pytest

from platform_maturity.domain.observations import (
    EvidenceRef,
    Observation,
    make_evidence,
    make_observation,
)

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def test_make_evidence_equals_the_constructor() -> None:
    made = make_evidence("k8s/web.yaml", 3, 9, None, None, "Deployment/default/web")
    assert made == EvidenceRef(
        path="k8s/web.yaml", line_start=3, line_end=9, object_ref="Deployment/default/web"
    )
    assert hash(made) == hash(EvidenceRef(**{f.name: getattr(made, f.name) for f in fields(made)}))


def test_make_observation_equals_the_constructor() -> None:
    evidence = (make_evidence("k8s/web.yaml", 3, 9, None, None, "Deployment/default/web"),)
    made = make_observation(
        "kubernetes", "1", "k8s.x", "Deployment/default/web", "platform", ("S.A.1",),
        False, True, None, "fails (exempt: later)", evidence, NOW,
    )  # fmt: skip
    assert made == Observation(
        collector="kubernetes",
        collector_version="1",
        check_id="k8s.x",
        subject="Deployment/default/web",
        unit="platform",
        goal_codes=("S.A.1",),
        passed=False,
        waived=True,
        message="fails (exempt: later)",
        evidence=evidence,
        observed_at=NOW,
    )


def test_made_evidence_is_frozen() -> None:
    made = make_evidence(None, None, None, None, None, None)
    with pytest.raises(AttributeError):
        made.path = "x"  # type: ignore[misc]

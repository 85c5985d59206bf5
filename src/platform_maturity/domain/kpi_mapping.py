"""The ``kpi:`` section of maturity.yaml: what the organization's exports mean.

Which issue types or labels mean bug and feature, where severity lives and its values,
what marks a bug caught by QA or found in production, which statuses mean started and
released, which accounts are bots, the time zone of exports without one, which
environments are production, how costs split into developer- and user-scaling buckets,
and the subsystems the Prometheus collector measures. Pure: classification helpers only.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KindRule(_Config):
    types: list[str] = []  # issue types (Jira Issue Type, GitHub issue type), case-insensitive
    labels: list[str] = []  # labels; globs allowed ("type::bug*")


class SeverityConfig(_Config):
    field: str = "Priority"  # Jira CSV column that carries it
    label_prefix: list[str] = ["severity:", "severity::", "sev:", "priority:"]
    values: dict[str, str] = {
        "highest": "S1",
        "critical": "S1",
        "blocker": "S1",
        "p1": "S1",
        "sev1": "S1",
        "s1": "S1",
        "high": "S2",
        "major": "S2",
        "p2": "S2",
        "sev2": "S2",
        "s2": "S2",
        "medium": "S3",
        "p3": "S3",
        "sev3": "S3",
        "s3": "S3",
        "low": "S4",
        "lowest": "S4",
        "minor": "S4",
        "trivial": "S4",
        "p4": "S4",
        "p5": "S4",
        "sev4": "S4",
        "s4": "S4",
    }


class FoundInConfig(_Config):
    production: list[str] = ["production", "prod", "customer-reported", "found-in:production"]
    qa: list[str] = ["qa", "found-by-qa", "found-in:qa", "staging"]
    field: str | None = None  # a Jira column such as "Custom field (Found in)"


class StatusConfig(_Config):
    started: list[str] = ["In Progress", "In Review", "In Development", "Doing", "Review"]
    released: list[str] = ["Done", "Released", "Closed", "Resolved", "Deployed"]
    duplicate_resolutions: list[str] = ["Duplicate"]
    not_planned_resolutions: list[str] = [
        "Won't Do",
        "Won't Fix",
        "Cannot Reproduce",
        "Invalid",
        "Declined",
        "not_planned",
    ]


class CostRule(_Config):
    service_categories: list[str] = []
    services: list[str] = []  # ServiceName globs
    tags: dict[str, str] = {}  # tag key -> value (glob)


class CostConfig(_Config):
    measure: str = Field(default="effective", pattern="^(effective|billed)$")
    developer: CostRule = CostRule(
        service_categories=["Developer Tools"], tags={"cost-scaling": "developer"}
    )
    user: CostRule = CostRule(
        service_categories=[
            "Compute",
            "Storage",
            "Databases",
            "Networking",
            "Web",
            "Analytics",
            "AI and Machine Learning",
            "Integration",
            "Mobile",
        ],
        tags={"cost-scaling": "user"},
    )
    exclude_categories: list[str] = ["Tax"]  # ChargeCategory values left out
    # the tag whose value names the unit a cost line belongs to (e.g. "team"); its value is
    # read through ``kpi.units`` (globs), else taken as the unit's slug. None: no line is
    # attributed, and a unit's cost KPIs show the organization's costs, labelled as such
    unit_tag: str | None = None


class SubsystemConfig(_Config):
    name: str = Field(min_length=1)
    total: str  # PromQL selector of all actions, e.g. http_requests_total{job="api"}
    failed: str | None = None  # PromQL selector of failed actions
    latency_histogram: str | None = None  # e.g. http_request_duration_seconds{job="api"}
    latency_target_s: float | None = Field(default=None, gt=0)
    unit: str | None = None  # the owning unit (slug); else ``kpi.units`` globs on the name


class PrometheusConfig(_Config):
    url: str | None = None
    subsystems: list[SubsystemConfig] = []


class PipelineConfig(_Config):
    cd: list[str] = ["*deploy*", "*release*", "*cd*"]  # workflow or pipeline name globs
    e2e: list[str] = ["*e2e*", "*end-to-end*", "*end to end*"]


class KpiMapping(_Config):
    timezone: str | None = None  # for exports without zone; default organization.timezone
    bug: KindRule = KindRule(
        types=["Bug", "Defect", "Incident", "Problem"], labels=["bug", "type::bug", "defect"]
    )
    feature: KindRule = KindRule(
        types=["Story", "Feature", "Enhancement", "New Feature", "Improvement", "Epic"],
        labels=["feature", "enhancement", "type::feature", "story"],
    )
    severity: SeverityConfig = SeverityConfig()
    found_in: FoundInConfig = FoundInConfig()
    statuses: StatusConfig = StatusConfig()
    bots: list[str] = ["*[bot]", "dependabot*", "renovate*", "github-actions*"]
    production_environments: list[str] = ["production", "prod", "prd", "live"]
    # an incident without an explicit deployment link is blamed on the newest successful
    # production deployment (of its service, if deployments name it) this many hours before
    # it; null: no bound (DevLake's rule); 0: explicit links only
    incident_link_hours: float | None = Field(default=24.0, ge=0)
    pipelines: PipelineConfig = PipelineConfig()
    costs: CostConfig = CostConfig()
    prometheus: PrometheusConfig = PrometheusConfig()
    units: dict[str, str] = {}  # project / repository / service glob -> unit slug

    # ---- classification -------------------------------------------------------------
    @cached_property
    def _sets(self) -> dict[str, frozenset[str]]:
        def lower(items: Iterable[str]) -> frozenset[str]:
            return frozenset(x.lower() for x in items)

        return {
            "bug": lower(self.bug.types),
            "feature": lower(self.feature.types),
            "released": lower(self.statuses.released),
            "started": lower(self.statuses.started),
            "duplicate": lower(self.statuses.duplicate_resolutions) | {"duplicate"},
            "not_planned": lower(self.statuses.not_planned_resolutions),
        }

    def kind(self, issue_type: str | None, labels: Iterable[str]) -> str:
        """feature, bug, task or other: the type decides first, then labels."""
        lowered = [label.lower() for label in labels]
        if issue_type:
            t = issue_type.strip().lower()
            if t in self._sets["bug"]:
                return "bug"
            if t in self._sets["feature"]:
                return "feature"
        if _any_glob(lowered, self.bug.labels):
            return "bug"
        if _any_glob(lowered, self.feature.labels):
            return "feature"
        if issue_type and issue_type.strip().lower() in ("task", "sub-task", "subtask", "chore"):
            return "task"
        return "other"

    def severity_of(self, value: str | None, labels: Iterable[str] = ()) -> str | None:
        values = self.severity.values
        if value:
            key = value.strip().lower()
            if key in values:
                return values[key]
        for label in labels:
            low = label.lower()
            for prefix in sorted(self.severity.label_prefix, key=len, reverse=True):
                if low.startswith(prefix):
                    rest = low[len(prefix) :].strip()
                    return values.get(rest, rest.upper() or None)
            if low in values:
                return values[low]
        return None

    def found_in_of(self, labels: Iterable[str], value: str | None = None) -> str:
        candidates = [x.lower() for x in labels]
        if value:
            candidates.append(value.strip().lower())
        if _any_glob(candidates, self.found_in.production):
            return "production"
        if _any_glob(candidates, self.found_in.qa):
            return "qa"
        return "unknown"

    def status_category(self, status: str | None, source_category: str | None = None) -> str:
        """todo, in_progress or done, from the configured lists, else the source's category."""
        if status:
            low = status.strip().lower()
            if low in self._sets["released"]:
                return "done"
            if low in self._sets["started"]:
                return "in_progress"
        if source_category:
            low = source_category.strip().lower()
            if low in ("done", "complete", "completed", "closed", "resolved"):
                return "done"
            if low in ("indeterminate", "in progress", "in_progress", "started"):
                return "in_progress"
        return "todo"

    def resolution_of(self, value: str | None) -> str | None:
        if not value:
            return None
        low = value.strip().lower()
        if low in self._sets["duplicate"]:
            return "duplicate"
        if low in self._sets["not_planned"]:
            return "not_planned"
        return "done"

    def is_bot(self, account: str | None, account_type: str | None = None) -> bool:
        if account_type and account_type.lower() == "bot":
            return True
        if not account:
            return False
        return _any_glob([account.lower()], self.bots)

    def is_production(self, environment: str | None) -> bool:
        if not environment:
            return False
        return _any_glob([environment.lower()], self.production_environments)

    def run_kind(self, name: str, event: str | None = None) -> str:
        low = name.lower()
        if _any_glob([low], self.pipelines.e2e):
            return "e2e"
        if _any_glob([low], self.pipelines.cd):
            return "cd"
        if event in ("deployment", "release"):
            return "cd"
        return "ci"

    def unit_of(self, *refs: str | None) -> str | None:
        for ref in refs:
            if not ref:
                continue
            for pattern, unit in self.units.items():
                if _any_glob([ref.lower()], [pattern]):
                    return unit
        return None

    def subsystem_unit(self, name: str) -> str | None:
        """The unit a Prometheus subsystem belongs to: its own ``unit``, else ``kpi.units``."""
        for subsystem in self.prometheus.subsystems:
            if subsystem.name == name and subsystem.unit:
                return subsystem.unit
        return self.unit_of(name)

    def cost_unit(self, tags: Iterable[tuple[str, str]]) -> str | None:
        """The unit a cost line belongs to, from the value of ``kpi.costs.unit_tag``."""
        key = self.costs.unit_tag
        if not key:
            return None
        value = next((v.strip() for k, v in tags if k.lower() == key.lower()), "")
        return (self.unit_of(value) or value) if value else None

    def cost_bucket(
        self,
        service_category: str | None,
        service_name: str | None,
        tags: Iterable[tuple[str, str]],
    ) -> str:
        tag_map = {_tag_key(k): v for k, v in tags}
        for bucket, rule in (("developer", self.costs.developer), ("user", self.costs.user)):
            for key, pattern in rule.tags.items():
                value = tag_map.get(_tag_key(key))
                if value is not None and _any_glob([value.lower()], [pattern]):
                    return bucket
        for bucket, rule in (("developer", self.costs.developer), ("user", self.costs.user)):
            if service_name and _any_glob([service_name.lower()], rule.services):
                return bucket
        for bucket, rule in (("developer", self.costs.developer), ("user", self.costs.user)):
            if service_category and service_category.lower() in (
                c.lower() for c in rule.service_categories
            ):
                return bucket
        return "shared"


def _tag_key(key: str) -> str:
    """A tag key compared without case or punctuation: AWS CUR 2.0 writes the tag
    ``cost-scaling`` as ``cost_scaling`` and ``CostCenter`` as ``cost_center``."""
    return "".join(ch for ch in key.lower() if ch.isalnum())


def _any_glob(values: Iterable[str], patterns: Iterable[str]) -> bool:
    """Case-insensitive globs where only ``*`` and ``?`` are special (``[bot]`` is literal)."""
    pats = [p.lower().replace("[", "[[]") for p in patterns]
    for value in values:
        for pattern in pats:
            if fnmatch.fnmatchcase(value, pattern):
                return True
    return False

"""The import formats: built-ins plus any from the ``platform_maturity.importers`` entry points.

``maturity import KIND FILE...`` looks the kind up here. Nothing is imported until asked.
"""

from __future__ import annotations

import difflib
import importlib
from importlib.metadata import entry_points
from typing import Any

from platform_maturity.domain.errors import UserError
from platform_maturity.importers.base import Importer

ENTRY_POINT_GROUP = "platform_maturity.importers"

BUILTIN: dict[str, str] = {
    "github": "platform_maturity.importers.github:GitHubImporter",
    "github-events": "platform_maturity.importers.github_events:GitHubEventsImporter",
    "gitlab": "platform_maturity.importers.gitlab:GitLabImporter",
    "gitlab-events": "platform_maturity.importers.gitlab_events:GitLabEventsImporter",
    "jira-csv": "platform_maturity.importers.jira_csv:JiraCsvImporter",
    "jira-changelog": "platform_maturity.importers.jira_changelog:JiraChangelogImporter",
    "jira-pipeline": "platform_maturity.importers.jira_pipeline:JiraPipelineImporter",
    "pagerduty": "platform_maturity.importers.pagerduty:PagerDutyImporter",
    "opsgenie": "platform_maturity.importers.opsgenie:OpsgenieImporter",
    "incidents-csv": "platform_maturity.importers.generic_csv:IncidentsCsvImporter",
    "deployments-csv": "platform_maturity.importers.generic_csv:DeploymentsCsvImporter",
    "focus": "platform_maturity.importers.focus:FocusImporter",
    "aws-cur": "platform_maturity.importers.aws_cur:AwsCurImporter",
    "headcount": "platform_maturity.importers.headcount:HeadcountImporter",
    "junit": "platform_maturity.importers.junit:JUnitImporter",
}


def _load(target: str) -> Any:
    module_name, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def kinds() -> list[str]:
    names = list(BUILTIN)
    names += [p.name for p in entry_points(group=ENTRY_POINT_GROUP) if p.name not in BUILTIN]
    return names


def importer(kind: str) -> Importer:
    target = BUILTIN.get(kind)
    if target is not None:
        return _load(target)()  # type: ignore[no-any-return]
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name == kind:
            obj = point.load()
            return obj() if isinstance(obj, type) else obj  # type: ignore[no-any-return]
    close = difflib.get_close_matches(kind, kinds(), n=2)
    raise UserError(
        "unknown import format" + (f" (did you mean {' or '.join(close)}?)" if close else ""),
        field="KIND",
        value=kind,
        hint="Formats: " + ", ".join(kinds()) + ". 'maturity import --help' describes them.",
    )

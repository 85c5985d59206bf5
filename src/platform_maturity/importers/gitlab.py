"""GitLab REST v4 pages: issues, merge requests, pipelines and deployments.

The shape decides: merge requests carry ``merged_at`` and ``source_branch``; pipelines a
``status`` and ``ref`` with ``sha``; deployments an ``environment`` object; issues an
``iid`` and ``state``. Issue labels are plain strings (scoped labels such as
``type::bug`` work in the kind mapping). Incidents are issues of type ``incident`` and
carry ``severity``. Times carry their zone. An issue's global ``id`` is recorded beside its
``project#iid``: resource events (``gitlab-events``) name their issue by it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from platform_maturity.domain.events import (
    Deployment,
    IssueRef,
    PipelineRun,
    PullRequest,
    WorkItem,
)
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.common import JsonPath, load_json

SOURCE = "gitlab"


def _project(data: dict[str, Any]) -> str:
    """The project path from a web URL (``group/project``), also a deployment's pipeline's."""
    candidates = [data.get("web_url")]
    deployable = data.get("deployable")
    if isinstance(deployable, dict):
        pipeline = deployable.get("pipeline")
        candidates += [deployable.get("web_url")]
        if isinstance(pipeline, dict):
            candidates.append(pipeline.get("web_url"))
    for value in candidates:
        if isinstance(value, str) and "/-/" in value:
            return value.split("://", 1)[-1].split("/", 1)[-1].split("/-/")[0]
    return str(data.get("project_id", "unknown"))


def _login(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if isinstance(value, dict) and isinstance(value.get("username"), str):
        return str(value["username"])
    return None


class GitLabImporter:
    kind = "gitlab"
    title = "GitLab REST pages: issues, merge requests, pipelines, deployments"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        j = JsonPath(str(path), context.timezone)
        m = context.mapping
        batch = ImportBatch()
        for where, data in j.records(load_json(path), ()):
            batch.rows_read += 1
            project = _project(data)
            if "merged_at" in data and "source_branch" in data:
                iid = j.text(data, "iid", where, required=True)
                author = _login(data, "author")
                batch.pull_requests.append(
                    PullRequest(
                        source=SOURCE,
                        source_id=f"{project}!{iid}",
                        repo=project,
                        number=int(iid or 0) if (iid or "").isdigit() else 0,
                        created_at=j.need_time(data, "created_at", where),
                        author=author,
                        is_bot=m.is_bot(
                            author,
                            "Bot"
                            if isinstance(data.get("author"), dict) and data["author"].get("bot")
                            else None,
                        ),
                        draft=j.flag(data, "draft", where),
                        merged_at=j.time(data, "merged_at", where),
                        closed_at=j.time(data, "closed_at", where),
                        unit=m.unit_of(project),
                    )
                )
            elif isinstance(data.get("environment"), dict):
                env = data["environment"]
                env_name = j.text(env, "name", f"{where}.environment") or "unknown"
                tier = j.text(env, "tier", f"{where}.environment")
                j.text(data, "id", where, required=True)
                status = j.text(data, "status", where) or "unknown"
                batch.deployments.append(
                    Deployment(
                        source=SOURCE,
                        source_id=f"{project}/deployments/{data.get('id')}",
                        service=project,
                        environment=env_name,
                        production=tier == "production" or m.is_production(env_name),
                        status="failure" if status == "failed" else status,
                        created_at=j.need_time(data, "created_at", where),
                        finished_at=j.time(data, "finished_at", where)
                        or (
                            j.time(data, "updated_at", where)
                            if status in ("success", "failed")
                            else None
                        ),
                        sha=j.text(data, "sha", where),
                        unit=m.unit_of(project),
                    )
                )
            elif "ref" in data and "sha" in data and "status" in data:
                pid = j.text(data, "id", where, required=True)
                name = j.text(data, "name", where) or j.text(data, "ref", where) or "pipeline"
                event = j.text(data, "source", where)
                run_status = j.text(data, "status", where)
                batch.runs.append(
                    PipelineRun(
                        source=SOURCE,
                        source_id=f"{project}/pipelines/{pid}",
                        name=name,
                        kind=m.run_kind(name, event),  # type: ignore[arg-type]
                        created_at=j.need_time(data, "created_at", where),
                        repo=project,
                        event=event,
                        conclusion={"failed": "failure", "canceled": "cancelled"}.get(
                            run_status or "", run_status
                        ),
                        started_at=j.time(data, "started_at", where),
                        finished_at=j.time(data, "finished_at", where),
                        unit=m.unit_of(project),
                    )
                )
            elif "iid" in data and "state" in data:
                iid = j.text(data, "iid", where, required=True)
                labels = j.names(data, "labels", where)
                issue_type = j.text(data, "issue_type", where) or j.text(data, "type", where)
                open_ = (j.text(data, "state", where) or "") == "opened"
                closed = j.time(data, "closed_at", where)
                author = _login(data, "author")
                duplicate = any(
                    label.lower() in ("duplicate", "status::duplicate") for label in labels
                )
                global_id = j.text(data, "id", where)
                if global_id:
                    batch.issue_refs.append(IssueRef(SOURCE, global_id, f"{project}#{iid}"))
                batch.work_items.append(
                    WorkItem(
                        source=SOURCE,
                        source_id=f"{project}#{iid}",
                        key=f"{project}#{iid}",
                        kind=m.kind(issue_type, labels),  # type: ignore[arg-type]
                        created_at=j.need_time(data, "created_at", where),
                        title=j.text(data, "title", where) or "",
                        project=project,
                        unit=m.unit_of(project),
                        status="opened" if open_ else "closed",
                        status_category="todo" if open_ else "done",
                        resolution=None if open_ else ("duplicate" if duplicate else "done"),
                        severity=m.severity_of(j.text(data, "severity", where), labels),
                        found_in=m.found_in_of(labels),  # type: ignore[arg-type]
                        completed_at=None if open_ else closed,
                        first_completed_at=closed,
                        reopened=1 if open_ and closed is not None else 0,
                        is_bot=m.is_bot(author),
                        labels=tuple(labels),
                    )
                )
            else:
                j.fail(where, "not a GitLab issue, merge request, pipeline or deployment")
        return batch

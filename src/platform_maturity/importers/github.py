"""GitHub: REST API pages, ``gh ... --json`` output and webhook payloads.

One file may hold a REST page (an array, or ``{"workflow_runs": [...]}`` /
``{"jobs": [...]}``), the JSON of ``gh issue|pr|run list --json ...`` (camelCase keys) or
one webhook delivery (``issues``, ``pull_request``, ``workflow_run``, ``workflow_job``,
``deployment``, ``deployment_status``). The shape of each record decides what it is.

- Issues become work items. The issues endpoint also lists pull requests (they carry a
  ``pull_request`` key); those are skipped there and read from the pulls endpoint. A
  reopened issue keeps its old ``closed_at`` at GitHub; here it counts as open.
- Workflow runs have no completion time in the API: ``updated_at`` of a completed run is
  used, and the jobs of a run (``/runs/{id}/jobs``) refine start and end when imported.
- Deployments and their statuses: the newest status of a deployment is its state.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from platform_maturity.domain.events import Deployment, PipelineRun, PullRequest, WorkItem
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.common import JsonPath, load_json

SOURCE = "github"
_REPO_IN_URL = re.compile(r"(?:api\.github\.com/repos|github\.com)/([^/]+/[^/]+)")
_DEPLOYMENT_ID = re.compile(r"/deployments/(\d+)")


def _repo(data: dict[str, Any], fallback: str | None = None) -> str:
    repository = data.get("repository")
    if isinstance(repository, dict) and isinstance(repository.get("full_name"), str):
        return str(repository["full_name"])
    base = data.get("base")
    if isinstance(base, dict) and isinstance(base.get("repo"), dict):
        name = base["repo"].get("full_name")
        if isinstance(name, str):
            return name
    for key in ("repository_url", "html_url", "url"):
        value = data.get(key)
        if isinstance(value, str):
            match = _REPO_IN_URL.search(value)
            if match:
                return match.group(1)
    return fallback or "unknown"


class GitHubImporter:
    kind = "github"
    title = "GitHub REST pages, gh --json output and webhook payloads (issues, PRs, runs, deploys)"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        payload = load_json(path)
        reader = _Reader(JsonPath(str(path), context.timezone), context)
        if isinstance(payload, dict) and any(k in payload for k in ("action", "zen", "sender")):
            reader.webhook(payload)
        else:
            for where, record in reader.j.records(
                payload, ("workflow_runs", "jobs", "items", "deployments", "statuses")
            ):
                reader.record(where, record)
        reader.finish()
        return reader.batch


class _Reader:
    def __init__(self, j: JsonPath, context: ImportContext) -> None:
        self.j = j
        self.map = context.mapping
        self.batch = ImportBatch()
        self.jobs: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.statuses: dict[str, tuple[str, dict[str, Any]]] = {}

    # ---- dispatch -------------------------------------------------------------------
    def webhook(self, payload: dict[str, Any]) -> None:
        self.batch.rows_read += 1
        if "zen" in payload:
            self.batch.skip("ping delivery")
        elif "deployment_status" in payload and "deployment" in payload:
            self.deployment("deployment", self.j.obj(payload["deployment"], "deployment"))
            self.status("deployment_status", payload["deployment_status"], counted=False)
        elif "deployment" in payload:
            self.deployment("deployment", self.j.obj(payload["deployment"], "deployment"))
        elif "workflow_job" in payload:
            job = self.j.obj(payload["workflow_job"], "workflow_job")
            self.job("workflow_job", {**job, "repository": payload.get("repository")})
            self.batch.rows_read -= 1
        elif "workflow_run" in payload:
            self.run("workflow_run", self.j.obj(payload["workflow_run"], "workflow_run"))
        elif "pull_request" in payload:
            pull = self.j.obj(payload["pull_request"], "pull_request")
            ready = None
            if payload.get("action") == "ready_for_review":
                ready = self.j.time(pull, "updated_at", "pull_request")
            self.pull("pull_request", {**pull, "repository": payload.get("repository")}, ready)
        elif "issue" in payload:
            issue = self.j.obj(payload["issue"], "issue")
            if payload.get("action") == "deleted":
                self.batch.skip("deleted issue")
                return
            if "state" not in issue or "created_at" not in issue:
                self.batch.skip(f"issue event without the issue's state ({payload.get('action')})")
                return
            self.issue("issue", {**issue, "repository": payload.get("repository")})
        else:
            what = payload.get("action") or ("push" if "commits" in payload else "unknown")
            self.batch.skip(f"webhook event not used for KPIs ({what})")

    def record(self, where: str, data: dict[str, Any]) -> None:
        self.batch.rows_read += 1
        if "run_attempt" in data and "workflow_id" in data:
            self.run(where, data)
        elif "run_id" in data and "steps" in data:
            self.batch.rows_read -= 1
            self.job(where, data)
        elif "deployment_url" in data and "state" in data:
            self.batch.rows_read -= 1
            self.status(where, data)
        elif "sha" in data and "environment" in data and "task" in data:
            self.deployment(where, data)
        elif "databaseId" in data and "workflowName" in data:
            self.gh_run(where, data)
        elif "mergedAt" in data or "isDraft" in data or "headRefName" in data:
            self.gh_pull(where, data)
        elif "createdAt" in data and "number" in data:
            self.gh_issue(where, data)
        elif "merged_at" in data and "head" in data:
            self.pull(where, data)
        elif "number" in data and "state" in data and "created_at" in data:
            if "pull_request" in data:
                self.batch.skip("pull request listed by the issues endpoint (import /pulls)")
                return
            self.issue(where, data)
        else:
            self.j.fail(
                where,
                "not a GitHub issue, pull request, workflow run, job, deployment or status",
                hint="Import pages of the REST API, gh --json output or webhook payloads.",
            )

    # ---- issues ---------------------------------------------------------------------
    def issue(self, where: str, data: dict[str, Any]) -> None:
        j = self.j
        number = _number(j, data, where)
        repo = _repo(data)
        labels = j.names(data, "labels", where)
        issue_type = None
        if isinstance(data.get("type"), dict):
            issue_type = j.text(data["type"], "name", f"{where}.type")
        state = j.text(data, "state", where, required=True) or ""
        reason = j.text(data, "state_reason", where)
        created = j.need_time(data, "created_at", where)
        closed = j.time(data, "closed_at", where)
        user = data.get("user") if isinstance(data.get("user"), dict) else {}
        self.batch.work_items.append(
            _work_item(
                self.map,
                source_id=f"{repo}#{number}",
                key=f"{repo}#{number}",
                title=j.text(data, "title", where) or "",
                project=repo,
                issue_type=issue_type,
                labels=labels,
                open_=state.lower() == "open",
                reason=reason,
                created=created,
                closed=closed,
                author=user.get("login") if isinstance(user, dict) else None,
                author_type=user.get("type") if isinstance(user, dict) else None,
            )
        )

    def gh_issue(self, where: str, data: dict[str, Any]) -> None:
        j = self.j
        number = _number(j, data, where)
        repo = _repo(data)
        author = data.get("author") if isinstance(data.get("author"), dict) else {}
        state = (j.text(data, "state", where) or "OPEN").lower()
        self.batch.work_items.append(
            _work_item(
                self.map,
                source_id=f"{repo}#{number}",
                key=f"{repo}#{number}",
                title=j.text(data, "title", where) or "",
                project=repo,
                issue_type=None,
                labels=j.names(data, "labels", where),
                open_=state == "open",
                reason=(j.text(data, "stateReason", where) or "").lower() or None,
                created=j.need_time(data, "createdAt", where),
                closed=j.time(data, "closedAt", where),
                author=author.get("login") if isinstance(author, dict) else None,
                author_type="Bot" if isinstance(author, dict) and author.get("is_bot") else None,
            )
        )

    # ---- pull requests --------------------------------------------------------------
    def pull(self, where: str, data: dict[str, Any], ready: datetime | None = None) -> None:
        j = self.j
        number = _number(j, data, where)
        repo = _repo(data)
        user = data.get("user") if isinstance(data.get("user"), dict) else {}
        login = user.get("login") if isinstance(user, dict) else None
        kind = user.get("type") if isinstance(user, dict) else None
        self.batch.pull_requests.append(
            PullRequest(
                source=SOURCE,
                source_id=f"{repo}!{number}",
                repo=repo,
                number=number,
                created_at=j.need_time(data, "created_at", where),
                author=login,
                is_bot=self.map.is_bot(login, kind),
                draft=j.flag(data, "draft", where),
                ready_at=ready,
                merged_at=j.time(data, "merged_at", where),
                closed_at=j.time(data, "closed_at", where),
                unit=self.map.unit_of(repo),
            )
        )

    def gh_pull(self, where: str, data: dict[str, Any]) -> None:
        j = self.j
        number = _number(j, data, where)
        repo = _repo(data)
        author = data.get("author") if isinstance(data.get("author"), dict) else {}
        login = author.get("login") if isinstance(author, dict) else None
        bot = bool(isinstance(author, dict) and author.get("is_bot"))
        self.batch.pull_requests.append(
            PullRequest(
                source=SOURCE,
                source_id=f"{repo}!{number}",
                repo=repo,
                number=number,
                created_at=j.need_time(data, "createdAt", where),
                author=login,
                is_bot=self.map.is_bot(login, "Bot" if bot else None),
                draft=j.flag(data, "isDraft", where),
                merged_at=j.time(data, "mergedAt", where),
                closed_at=j.time(data, "closedAt", where),
                unit=self.map.unit_of(repo),
            )
        )

    # ---- workflow runs and jobs -----------------------------------------------------
    def run(self, where: str, data: dict[str, Any]) -> None:
        j = self.j
        run_id = j.text(data, "id", where, required=True)
        attempt = j.text(data, "run_attempt", where) or "1"
        repo = _repo(data)
        name = j.text(data, "name", where) or j.text(data, "path", where) or "workflow"
        event = j.text(data, "event", where)
        status = j.text(data, "status", where)
        finished = j.time(data, "updated_at", where) if status == "completed" else None
        self.batch.runs.append(
            PipelineRun(
                source=SOURCE,
                source_id=f"{repo}/runs/{run_id}/{attempt}",
                name=name,
                kind=self.map.run_kind(name, event),  # type: ignore[arg-type]
                created_at=j.need_time(data, "created_at", where),
                repo=repo,
                event=event,
                conclusion=j.text(data, "conclusion", where) or status,
                started_at=j.time(data, "run_started_at", where),
                finished_at=finished,
                unit=self.map.unit_of(repo),
            )
        )

    def gh_run(self, where: str, data: dict[str, Any]) -> None:
        j = self.j
        run_id = j.text(data, "databaseId", where, required=True)
        attempt = j.text(data, "attempt", where) or "1"
        repo = _repo(data)
        name = j.text(data, "workflowName", where) or j.text(data, "name", where) or "workflow"
        event = j.text(data, "event", where)
        status = j.text(data, "status", where)
        self.batch.runs.append(
            PipelineRun(
                source=SOURCE,
                source_id=f"{repo}/runs/{run_id}/{attempt}",
                name=name,
                kind=self.map.run_kind(name, event),  # type: ignore[arg-type]
                created_at=j.need_time(data, "createdAt", where),
                repo=repo,
                event=event,
                conclusion=j.text(data, "conclusion", where) or status,
                started_at=j.time(data, "startedAt", where),
                finished_at=j.time(data, "updatedAt", where) if status == "completed" else None,
                unit=self.map.unit_of(repo),
            )
        )

    def job(self, where: str, data: dict[str, Any]) -> None:
        run_id = self.j.text(data, "run_id", where, required=True) or ""
        attempt = self.j.text(data, "run_attempt", where) or "1"
        repo = _repo(data)
        self.jobs.setdefault(f"{repo}/runs/{run_id}/{attempt}", []).append((where, data))

    # ---- deployments ----------------------------------------------------------------
    def deployment(self, where: str, data: dict[str, Any]) -> None:
        j = self.j
        dep_id = j.text(data, "id", where, required=True)
        repo = _repo(data)
        environment = j.text(data, "environment", where) or "unknown"
        production = self.map.is_production(environment) or j.flag(
            data, "production_environment", where
        )
        self.batch.deployments.append(
            Deployment(
                source=SOURCE,
                source_id=str(dep_id),
                service=repo,
                environment=environment,
                production=production,
                status="created",
                created_at=j.need_time(data, "created_at", where),
                sha=j.text(data, "sha", where),
                unit=self.map.unit_of(repo),
            )
        )

    def status(self, where: str, data: Any, counted: bool = True) -> None:
        status = self.j.obj(data, where)
        url = self.j.text(status, "deployment_url", where, required=True) or ""
        match = _DEPLOYMENT_ID.search(url)
        if match is None:
            self.j.fail(f"{where}.deployment_url", "no deployment id in the URL", url)
            return
        if counted:
            self.batch.rows_read += 1
        dep_id = match.group(1)
        previous = self.statuses.get(dep_id)
        when = self.j.need_time(status, "created_at", where)
        if previous is None or (self.j.need_time(previous[1], "created_at", previous[0]) <= when):
            self.statuses[dep_id] = (where, status)

    # ---- merging jobs and statuses into their runs and deployments -------------------
    def finish(self) -> None:
        j = self.j
        runs = {r.source_id: i for i, r in enumerate(self.batch.runs)}
        for source_id, jobs in self.jobs.items():
            starts = [t for w, d in jobs if (t := j.time(d, "started_at", w)) is not None]
            ends = [t for w, d in jobs if (t := j.time(d, "completed_at", w)) is not None]
            created = [t for w, d in jobs if (t := j.time(d, "created_at", w)) is not None]
            conclusions = [d.get("conclusion") for _, d in jobs]
            failed = any(c in ("failure", "timed_out", "cancelled") for c in conclusions)
            first_where, first = jobs[0]
            name = j.text(first, "workflow_name", first_where) or "workflow"
            repo = source_id.split("/runs/")[0]
            finished = max(ends) if ends and all(e for e in ends) else None
            record = PipelineRun(
                source=SOURCE,
                source_id=source_id,
                name=name,
                kind=self.map.run_kind(name),  # type: ignore[arg-type]
                created_at=min(created or starts or ends or [_missing(j, first_where)]),
                repo=repo,
                conclusion="failure" if failed else (conclusions[-1] or None),
                started_at=min(starts) if starts else None,
                finished_at=finished if len(ends) == len(jobs) else None,
                unit=self.map.unit_of(repo),
            )
            self.batch.rows_read += len(jobs)
            index = runs.get(source_id)
            if index is None:
                self.batch.runs.append(record)
                continue
            run = self.batch.runs[index]
            self.batch.runs[index] = PipelineRun(
                source=run.source,
                source_id=run.source_id,
                name=run.name,
                kind=run.kind,
                created_at=run.created_at,
                repo=run.repo,
                event=run.event,
                conclusion=run.conclusion,
                started_at=record.started_at or run.started_at,
                finished_at=record.finished_at or run.finished_at,
                unit=run.unit,
            )
        deployments = {d.source_id: i for i, d in enumerate(self.batch.deployments)}
        for dep_id, (where, status) in self.statuses.items():
            state = j.text(status, "state", where) or "unknown"
            when = j.need_time(status, "created_at", where)
            environment = j.text(status, "environment", where) or "unknown"
            done = state in ("success", "failure", "error", "inactive")
            repo = _repo(status)
            index = deployments.get(dep_id)
            if index is not None:
                known = self.batch.deployments[index]
                self.batch.deployments[index] = Deployment(
                    source=known.source,
                    source_id=known.source_id,
                    service=known.service,
                    environment=known.environment,
                    production=known.production,
                    status=state,
                    created_at=known.created_at,
                    finished_at=when if done else None,
                    sha=known.sha,
                    unit=known.unit,
                )
                continue
            self.batch.deployments.append(
                Deployment(
                    source=SOURCE,
                    source_id=dep_id,
                    service=repo,
                    environment=environment,
                    production=self.map.is_production(environment),
                    status=state,
                    created_at=when,
                    finished_at=when if done else None,
                    unit=self.map.unit_of(repo),
                )
            )


def _number(j: JsonPath, data: dict[str, Any], where: str) -> int:
    number = data.get("number")
    if not isinstance(number, int) or isinstance(number, bool):
        j.fail(f"{where}.number", "expected the issue or pull request number", number)
        raise AssertionError  # unreachable: fail raises
    return number


def _missing(j: JsonPath, where: str) -> datetime:
    j.fail(f"{where}.created_at", "a job without any time")
    raise AssertionError  # unreachable: fail raises


def _work_item(
    mapping: Any,
    *,
    source_id: str,
    key: str,
    title: str,
    project: str,
    issue_type: str | None,
    labels: list[str],
    open_: bool,
    reason: str | None,
    created: datetime,
    closed: datetime | None,
    author: str | None,
    author_type: str | None,
) -> WorkItem:
    reopened = 1 if open_ and (closed is not None or reason == "reopened") else 0
    resolution = None
    if not open_:
        resolution = {"duplicate": "duplicate", "not_planned": "not_planned"}.get(
            reason or "", "done"
        )
    return WorkItem(
        source=SOURCE,
        source_id=source_id,
        key=key,
        kind=mapping.kind(issue_type, labels),
        created_at=created,
        title=title,
        project=project,
        unit=mapping.unit_of(project),
        status="open" if open_ else "closed",
        status_category="todo" if open_ else "done",
        resolution=resolution,  # type: ignore[arg-type]
        severity=mapping.severity_of(None, labels),
        found_in=mapping.found_in_of(labels),
        completed_at=None if open_ else closed,
        first_completed_at=closed,
        reopened=reopened,
        is_bot=mapping.is_bot(author, author_type),
        labels=tuple(labels),
    )

"""Edit the ``downtime:`` section of maturity.yaml from commands, keeping its comments.

Every change is made on a round-trip copy (ruamel.yaml), checked as a whole workspace file
before it replaces the old one, and written atomically: a bad change leaves the file as it
was and says why.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.probes import build_probe
from platform_maturity.services.workspace import Workspace, load_workspace


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    return yaml


def edit(
    workspace: Workspace,
    change: Callable[[CommentedMap], None],
    check: Callable[[Workspace], None] | None = None,
) -> Workspace:
    """Apply ``change`` to the ``downtime:`` mapping; returns the workspace as now written.

    ``check`` may refuse the result (raise UserError) before anything is written."""
    path = workspace.config_path
    yaml = _yaml()
    document = yaml.load(path.read_text(encoding="utf-8"))
    if not isinstance(document, CommentedMap):
        raise UserError("expected a mapping at the top of the workspace file", file=str(path))
    if not isinstance(document.get("downtime"), CommentedMap):
        document["downtime"] = CommentedMap()
    change(document["downtime"])
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    handle, temp = tempfile.mkstemp(prefix=".maturity-", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(buffer.getvalue())
        try:
            updated = load_workspace(Path(temp))
        except UserError as exc:
            exc.file = str(path)
            exc.line = None
            exc.hint = (exc.hint + " " if exc.hint else "") + "Nothing was changed."
            raise
        if check is not None:
            check(updated)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return load_workspace(path)


def _components(section: CommentedMap) -> CommentedSeq:
    if not isinstance(section.get("components"), CommentedSeq):
        section["components"] = CommentedSeq()
    value: CommentedSeq = section["components"]
    return value


def _find(section: CommentedMap, component_id: str) -> CommentedMap:
    for item in _components(section):
        if isinstance(item, CommentedMap) and item.get("id") == component_id:
            return item
    known = ", ".join(str(c.get("id")) for c in _components(section)) or "none yet"
    raise UserError(
        "no such component", field="COMPONENT", value=component_id, hint=f"Components: {known}."
    )


def add_component(workspace: Workspace, component_id: str, fields: dict[str, Any]) -> Workspace:
    def change(section: CommentedMap) -> None:
        if any(
            isinstance(c, CommentedMap) and c.get("id") == component_id
            for c in _components(section)
        ):
            raise UserError("a component with this id exists", field="ID", value=component_id)
        item = CommentedMap()
        item["id"] = component_id
        for key, value in fields.items():
            if value is not None:
                item[key] = value
        item["flows"] = CommentedSeq()
        _components(section).append(item)

    return edit(workspace, change)


def set_component(workspace: Workspace, component_id: str, fields: dict[str, Any]) -> Workspace:
    def change(section: CommentedMap) -> None:
        item = _find(section, component_id)
        for key, value in fields.items():
            if value is None:
                continue
            if value == "":
                item.pop(key, None)
            else:
                item[key] = value

    return edit(workspace, change)


def remove_component(workspace: Workspace, component_id: str) -> Workspace:
    def change(section: CommentedMap) -> None:
        item = _find(section, component_id)
        users = [
            str(p.get("name"))
            for p in section.get("probes") or []
            if isinstance(p, dict)
            and (
                p.get("component") == component_id
                or str(p.get("flow", "")).startswith(component_id + "/")
            )
        ]
        if users:
            raise UserError(
                "probes still watch this component",
                field="COMPONENT",
                value=component_id,
                hint=f"Remove or move these probes first: {', '.join(users)}.",
            )
        _components(section).remove(item)

    return edit(workspace, change)


def set_escalation(
    workspace: Workspace, component_id: str, levels: list[tuple[int, list[str]]]
) -> Workspace:
    def change(section: CommentedMap) -> None:
        item = _find(section, component_id)
        chain = CommentedSeq()
        for after, targets in levels:
            level = CommentedMap()
            level["notify"] = CommentedSeq(targets)
            level["after_minutes"] = after
            chain.append(level)
        item["escalation"] = chain

    return edit(workspace, change)


def add_flow(workspace: Workspace, component_id: str, fields: dict[str, Any]) -> Workspace:
    def change(section: CommentedMap) -> None:
        item = _find(section, component_id)
        if not isinstance(item.get("flows"), CommentedSeq):
            item["flows"] = CommentedSeq()
        if any(f.get("id") == fields["id"] for f in item["flows"] if isinstance(f, dict)):
            raise UserError(
                f"component {component_id!r} has a flow with this id",
                field="ID",
                value=fields["id"],
            )
        flow = CommentedMap()
        for key, value in fields.items():
            if value not in (None, []):
                flow[key] = CommentedSeq(value) if isinstance(value, list) else value
        item["flows"].append(flow)

    return edit(workspace, change)


def remove_flow(workspace: Workspace, component_id: str, flow_id: str) -> Workspace:
    def change(section: CommentedMap) -> None:
        item = _find(section, component_id)
        flows = item.get("flows") or []
        match = [f for f in flows if isinstance(f, dict) and f.get("id") == flow_id]
        if not match:
            raise UserError(
                f"component {component_id!r} has no such flow", field="FLOW", value=flow_id
            )
        ref = f"{component_id}/{flow_id}"
        users = [
            str(p.get("name"))
            for p in section.get("probes") or []
            if isinstance(p, dict) and p.get("flow") == ref
        ]
        if users:
            raise UserError(
                "probes still watch this flow",
                field="FLOW",
                value=ref,
                hint=f"Remove or move these probes first: {', '.join(users)}.",
            )
        flows.remove(match[0])

    return edit(workspace, change)


def add_probes(
    workspace: Workspace, probes: list[dict[str, Any]], components: dict[str, str]
) -> Workspace:
    """Add probes (and, first, the components they need that do not exist yet)."""
    existing = {p.get("name") for p in workspace.config.downtime.probes if isinstance(p, dict)}
    clashes = [p["name"] for p in probes if p["name"] in existing]
    if clashes:
        raise UserError(
            "probes with these names exist already",
            value=", ".join(clashes),
            hint="Rename them in the source file, or remove the old ones from maturity.yaml.",
        )

    def change(section: CommentedMap) -> None:
        known = {c.get("id") for c in _components(section) if isinstance(c, dict)}
        for component_id, name in components.items():
            if component_id not in known:
                item = CommentedMap()
                item["id"] = component_id
                item["name"] = name if len(name) >= 2 else component_id
                item["flows"] = CommentedSeq()
                _components(section).append(item)
        if not isinstance(section.get("probes"), CommentedSeq):
            section["probes"] = CommentedSeq()
        for probe in probes:
            section["probes"].append(_commented(probe))

    def check(updated: Workspace) -> None:
        for raw in probes:  # a probe that cannot run is refused here, not at the next watch
            try:
                build_probe(raw, updated.config.downtime)
            except ValueError as exc:
                raise UserError(
                    f"probe {raw.get('name')!r} cannot run: {exc}",
                    file=str(workspace.config_path),
                    hint="Nothing was changed.",
                ) from None

    return edit(workspace, change, check)


def _commented(value: Any) -> Any:
    if isinstance(value, dict):
        result = CommentedMap()
        for key, item in value.items():
            result[key] = _commented(item)
        return result
    if isinstance(value, list):
        return CommentedSeq([_commented(v) for v in value])
    return value

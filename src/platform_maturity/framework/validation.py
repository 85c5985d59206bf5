"""Validate parsed YAML against a Pydantic model, with errors naming file, line and field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from platform_maturity.domain.errors import UserError
from platform_maturity.framework.yamlsource import Located, PathKey

M = TypeVar("M", bound=BaseModel)

_WHAT = {
    "WorkspaceConfig": "the workspace file",
    "Kpi": "a KPI",
    "SecurityBacklogPolicy": "the security backlog policy",
    "CheckFile": "a check file",
    # the sections of maturity.yaml validated on their own
    "BacklogSettings": "the workspace file",
    "DowntimeSettings": "the workspace file",
    "KpiMapping": "the workspace file",
}
_MESSAGES = {
    "extra_forbidden": "unknown field; check its spelling and indentation",
    "missing": "required field is missing",
}


def _message(error: Any) -> str:
    if error["type"] == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])  # our own validators' words, without "Value error, "
    return str(_MESSAGES.get(error["type"], error["msg"]))


def validate_model(
    model: type[M],
    doc: Located,
    data: Any | None = None,
    hint: str = "docs/framework-format.md describes every field.",
    at: PathKey = (),
) -> M:
    """Validate ``doc`` against ``model``; on failure raise a UserError naming file and line.

    ``at`` is where the validated data sits in ``doc`` (a section of a larger file): error
    lines and field names are given from the top of the file.
    """
    payload = doc.data if data is None else data
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        errors = exc.errors()
        locs = [(*at, *e["loc"]) for e in errors]
        # a container error caused by an error inside it only repeats that error
        errors = [
            e
            for e, loc in zip(errors, locs, strict=True)
            if not any(other != loc and other[: len(loc)] == loc for other in locs)
        ] or errors
        found = []
        for error in errors:
            loc = (*at, *error["loc"])
            value = None if error["type"] == "missing" else error.get("input")
            shown = value if isinstance(value, str | int | float | bool) else None
            found.append((doc.line_of(loc), ".".join(str(p) for p in loc), shown, _message(error)))
        line, field, value, message = found[0]
        what = _WHAT.get(model.__name__, f"a {model.__name__.lower()}")
        details = []
        if len(found) > 1:
            message = f"{len(found)} problems in {what}; the first: {message}"
            details = [
                f"line {ln}: {fd}: {msg}" + (f" (value {val!r})" if val is not None else "")
                for ln, fd, val, msg in found
            ]
        raise UserError(
            message, file=doc.file, line=line, field=field, value=value, details=details, hint=hint
        ) from None

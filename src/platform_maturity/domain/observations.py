"""What collectors see: observations (a check's verdict on a subject) and their evidence.

A scan makes them by the tens of thousands from typed values of its own collectors: plain
slotted dataclasses, a tenth of the cost of a validated model, in a module that imports
nothing heavy (a scan starts without Pydantic).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceRef:
    """Where a fact was seen: a file and line range, a URL or query, an object."""

    path: str | None = None
    line_start: int | None = None
    line_end: int | None = None
    url: str | None = None
    query: str | None = None
    object_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Observation:
    """A fact a collector saw about a subject: a check's verdict with its evidence."""

    collector: str
    collector_version: str
    check_id: str
    subject: str
    unit: str | None = None
    goal_codes: tuple[str, ...] = ()
    passed: bool | None = None
    waived: bool = False
    value: float | None = None
    message: str = ""
    evidence: tuple[EvidenceRef, ...] = ()
    observed_at: datetime


def _maker(cls: type[R]) -> Callable[..., R]:
    """Makes ``cls`` (a frozen slotted dataclass) from every field's value in field order,
    equal to what its ``__init__`` makes at a third of the cost: each slot is set through
    its descriptor, not through ``object.__setattr__`` with keyword arguments to match (a
    scan makes thousands of observations). Like the dataclass's own methods, the function
    is generated: one line per field, no loop."""
    names = [f.name for f in fields(cls)]
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    namespace.update({f"_set_{name}": getattr(cls, name).__set__ for name in names})
    body = "".join(f"    _set_{name}(made, {name})\n" for name in names)
    source = f"def make({', '.join(names)}):\n    made = _new(_cls)\n{body}    return made\n"
    exec(compile(source, f"<maker of {cls.__name__}>", "exec"), namespace)
    made: Callable[..., R] = namespace["make"]
    return made


# (path, line_start, line_end, url, query, object_ref)
make_evidence: Callable[
    [str | None, int | None, int | None, str | None, str | None, str | None], EvidenceRef
] = _maker(EvidenceRef)
# (collector, collector_version, check_id, subject, unit, goal_codes, passed, waived, value,
#  message, evidence, observed_at)
make_observation: Callable[
    [
        str,
        str,
        str,
        str,
        str | None,
        tuple[str, ...],
        bool | None,
        bool,
        float | None,
        str,
        tuple[EvidenceRef, ...],
        datetime,
    ],
    Observation,
] = _maker(Observation)

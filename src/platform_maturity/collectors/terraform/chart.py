"""Values only a Helm chart knows, as placeholders inside translated Kubernetes objects.

A ``helm_release`` is judged from its values (see :mod:`.helm`). Whatever the values do
not set is the chart's to decide, and the chart is not rendered here. Such a value is
written into the object as a placeholder string ``${chart:{...}}``. It holds ``${`` like a
Terraform interpolation, so the Kubernetes collector treats it as a value it does not
know (``unresolved`` paths, :func:`~.unknowns.decide`), and it carries:

- ``k``: the release values that would decide it (``securityContext``, ``replicaCount``);
- ``o``: what the chart could render there, ordered absent, good, bad where that applies
  (without ``o``, the generic fillings of :mod:`.unknowns` are tried);
- ``a``: whether "not rendered at all" is one of the possibilities;
- ``t``: values that only Terraform knows which also bear on it (``image.tag`` set from a
  variable, a values file that cannot be read here).

Everything here is pure and cheap: it runs only for strings that start with the prefix.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from platform_maturity.collectors.terraform.unknowns import ABSENT

PREFIX = "${chart:"


@dataclass(frozen=True)
class ChartValue:
    """A decoded placeholder."""

    keys: tuple[str, ...]
    options: tuple[Any, ...] | None  # None: any value (the generic fillings)
    terraform: tuple[str, ...]  # values only Terraform knows that bear on it


def placeholder(
    keys: Sequence[str],
    options: Sequence[Any] | None = None,
    *,
    absent: bool = True,
    terraform: Iterable[str] = (),
) -> str:
    """The placeholder for a value the chart decides (``keys`` would set it)."""
    body: dict[str, Any] = {"k": list(keys)}
    if options is not None:
        body["o"] = list(options)
        body["a"] = absent
    notes = list(dict.fromkeys(terraform))
    if notes:
        body["t"] = notes
    return PREFIX + json.dumps(body, sort_keys=True, separators=(",", ":")) + "}"


def is_chart(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


@lru_cache(maxsize=4096)
def decode(text: str) -> ChartValue | None:
    """The placeholder ``text`` stands for; None for any other string."""
    if not text.startswith(PREFIX) or not text.endswith("}"):
        return None
    try:
        body = json.loads(text[len(PREFIX) : -1])
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    keys = tuple(str(k) for k in body.get("k") or ())
    notes = tuple(str(t) for t in body.get("t") or ())
    raw = body.get("o")
    if not isinstance(raw, list):
        return ChartValue(keys, None, notes)
    options = (ABSENT, *raw) if body.get("a", True) else tuple(raw)
    return ChartValue(keys, options, notes)


def candidates(value: Any) -> tuple[Any, ...] | None:
    """What an unknown value may become: the placeholder's options, or None (generic)."""
    if not is_chart(value):
        return None
    found = decode(value)
    return found.options if found is not None else None

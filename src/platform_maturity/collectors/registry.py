"""The collectors a scan runs: the built-in ones plus any registered by other packages.

Other packages add collectors through the ``platform_maturity.collectors`` entry-point
group (name -> an object or class satisfying :class:`Collector`). Nothing is imported
until a scan asks for it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Any

from platform_maturity.checks.functions import LazyFunctions
from platform_maturity.collectors.base import Collector

ENTRY_POINT_GROUP = "platform_maturity.collectors"

BUILTIN: dict[str, str] = {
    "kubernetes": "platform_maturity.collectors.kubernetes.collector:KubernetesCollector",
    "repository": "platform_maturity.collectors.repository.collector:RepositoryCollector",
    "terraform": "platform_maturity.collectors.terraform.collector:TerraformCollector",
}

# modules that define relational check functions, as ``FUNCTIONS: dict[str, callable]``
FUNCTION_MODULES: dict[str, str] = {
    "kubernetes": "platform_maturity.collectors.kubernetes.relations",
    "repository": "platform_maturity.collectors.repository.relations",
    "terraform": "platform_maturity.collectors.terraform.relations",
}


def _load(target: str) -> Any:
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def _instance(obj: Any, options: Mapping[str, Any]) -> Collector:
    return obj(**options) if isinstance(obj, type) else obj  # type: ignore[no-any-return]


def collectors(options: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Collector]:
    """Every available collector by id: built-ins first, then entry points.

    ``options`` passes constructor arguments by collector id (e.g. a workspace's own
    repository detector tables).
    """
    options = options or {}
    found: dict[str, Collector] = {}
    for name, target in BUILTIN.items():
        try:
            found[name] = _instance(_load(target), options.get(name, {}))
        except ModuleNotFoundError:
            continue  # a built-in source not shipped in this build
    for point in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(point.name, _instance(point.load(), options.get(point.name, {})))
    return found


def check_functions() -> LazyFunctions:
    """Relational check functions of every source, by name (names are unique); their
    modules are imported on first use."""
    return LazyFunctions(list(FUNCTION_MODULES.values()))

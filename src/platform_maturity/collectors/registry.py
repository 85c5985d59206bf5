"""The collectors a scan runs: the built-in ones plus any registered by other packages.

Other packages add collectors through the ``platform_maturity.collectors`` entry-point
group (name -> an object or class satisfying :class:`Collector`). Nothing is imported
until a scan asks for it.

Finding entry points means importing ``importlib.metadata`` and reading every installed
package's metadata, a tenth of a small scan's time. What it found is kept in the user cache,
keyed by the folders of ``sys.path`` and their modification times: installing, upgrading
or removing a package changes the folder it goes into, and so the key.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping
from typing import Any

from platform_maturity.checks.functions import LazyFunctions
from platform_maturity.collectors.base import Collector
from platform_maturity.digest import hasher

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
    for name, target in plugin_targets():
        found.setdefault(name, _instance(_load(target), options.get(name, {})))
    return found


def plugin_targets() -> list[tuple[str, str]]:
    """(name, ``module:attribute``) of the collectors other packages register."""
    from platform_maturity.cache import ParseCache
    from platform_maturity.services.settings import user_cache_dir

    cache = ParseCache(user_cache_dir() / "plugins", scope="entry-points")
    found = cache.get("collectors", "1", _installed_state(), _entry_points, decode=_decode)
    return found


def _entry_points() -> list[tuple[str, str]]:
    from importlib.metadata import entry_points

    return [(point.name, point.value) for point in entry_points(group=ENTRY_POINT_GROUP)]


def _installed_state() -> bytes:
    """The folders packages are found in, with their modification times."""
    digest = hasher(sys.version.encode())
    for folder in sys.path:
        try:
            stamp = os.stat(folder or ".").st_mtime_ns
        except OSError:
            stamp = -1
        digest.update(f"{folder}\0{stamp}\0".encode())
    return digest.digest()


def _decode(payload: Any) -> list[tuple[str, str]]:
    if not isinstance(payload, list) or not all(
        isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        for pair in payload
    ):
        raise ValueError("not a list of entry points")
    return payload


def check_functions() -> LazyFunctions:
    """Relational check functions of every source, by name (names are unique); their
    modules are imported on first use."""
    return LazyFunctions(list(FUNCTION_MODULES.values()))

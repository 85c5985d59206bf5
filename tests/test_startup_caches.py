"""The validated framework and check catalog are kept on disk between runs, keyed by content:
a cached load equals a fresh one, any change to a source file is seen, and a damaged cache
is only a slower start."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from platform_maturity.cache import DATABASE
from platform_maturity.checks import catalog
from platform_maturity.checks.catalog import BUILTIN_CHECKS, load_catalog
from platform_maturity.collectors.registry import check_functions
from platform_maturity.domain.errors import UserError
from platform_maturity.framework import loader
from platform_maturity.framework.loader import BUILTIN_ROOT, load_framework


def test_a_cached_catalog_equals_a_fresh_one(tmp_path: Path) -> None:
    fresh = load_catalog(functions=check_functions())
    first = load_catalog(functions=check_functions(), cache_dir=tmp_path)
    assert (tmp_path / DATABASE).is_file()
    again = load_catalog(functions=check_functions(), cache_dir=tmp_path)
    assert fresh.checks == first.checks == again.checks
    data = [c for c in again.checks if c.schema_ is not None]
    assert data and all(again.validator(c).schema == c.schema_ for c in data)
    # the compiled code came from the cache, not from compiling again
    assert set(again.code) == set(first.code)


def test_a_changed_check_file_is_seen(tmp_path: Path) -> None:
    extra = tmp_path / "checks" / "kubernetes"
    extra.mkdir(parents=True)
    source = BUILTIN_CHECKS / "kubernetes" / "container-readiness-probe.yaml"
    text = source.read_text(encoding="utf-8").replace(
        "id: k8s.container-readiness-probe", "id: k8s.our-readiness-probe"
    )
    (extra / "our-readiness-probe.yaml").write_text(text, encoding="utf-8")
    cache = tmp_path / "cache"
    first = load_catalog(extra=[tmp_path / "checks"], cache_dir=cache)
    assert first.get("k8s.our-readiness-probe").severity != "critical"
    (extra / "our-readiness-probe.yaml").write_text(
        text.replace("severity: ", "severity: critical\n_old_severity: "), encoding="utf-8"
    )
    with pytest.raises(UserError):  # the edited file is read again and validated again
        load_catalog(extra=[tmp_path / "checks"], cache_dir=cache)
    lines = [line for line in text.splitlines() if not line.startswith("severity:")]
    (extra / "our-readiness-probe.yaml").write_text(
        "\n".join([*lines, "severity: critical"]) + "\n", encoding="utf-8"
    )
    again = load_catalog(extra=[tmp_path / "checks"], cache_dir=cache)
    assert again.get("k8s.our-readiness-probe").severity == "critical"


def test_a_damaged_catalog_cache_is_rebuilt(tmp_path: Path) -> None:
    expected = load_catalog(cache_dir=tmp_path).checks
    with closing(sqlite3.connect(tmp_path / DATABASE)) as connection, connection:
        connection.execute("UPDATE entry SET blob = substr(blob, 1, 100)")
    assert load_catalog(cache_dir=tmp_path).checks == expected
    with closing(sqlite3.connect(tmp_path / DATABASE)) as connection, connection:
        connection.execute("UPDATE entry SET blob = ?", (b"not a pickle at all",))
    assert load_catalog(cache_dir=tmp_path).checks == expected
    (tmp_path / DATABASE).write_bytes(b"not a database at all")
    assert load_catalog(cache_dir=tmp_path).checks == expected


@pytest.mark.parametrize(
    "damage",
    [
        lambda check: {**check, "goals": "R.A.1"},  # a string, not a list
        lambda check: {**check, "disabled": "no"},
        lambda check: {**check, "equivalents": {**check["equivalents"], "polaris": [1]}},
        lambda check: {k: v for k, v in check.items() if k != "title"},
        lambda check: {**check, "colour": "red"},
    ],
    ids=["goals-a-string", "flag-a-string", "id-a-number", "field-missing", "field-unknown"],
)
def test_a_cached_check_of_another_shape_is_rebuilt(
    damage: Callable[[dict[str, Any]], dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = load_catalog().checks
    encode = catalog._encode
    monkeypatch.setattr(
        catalog,
        "_encode",
        lambda value: (e := encode(value)) | {"checks": [damage(c) for c in e["checks"]]},
    )
    assert load_catalog(cache_dir=tmp_path).checks == expected  # validated, stored damaged
    monkeypatch.setattr(catalog, "_encode", encode)
    assert load_catalog(cache_dir=tmp_path).checks == expected  # refused, validated again
    assert load_catalog(cache_dir=tmp_path).checks == expected  # stored whole, read back


def test_a_cached_framework_equals_a_fresh_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "_CACHE", {})  # no in-process cache: read from disk
    fresh = load_framework()
    monkeypatch.setattr(loader, "_CACHE", {})
    first = load_framework(cache_dir=tmp_path)
    assert (tmp_path / DATABASE).is_file()
    monkeypatch.setattr(loader, "_CACHE", {})
    calls: list[Path] = []
    monkeypatch.setattr(loader, "_load", lambda root, overrides: calls.append(root))
    again = load_framework(cache_dir=tmp_path)
    assert not calls, "the framework was parsed again instead of read from the cache"
    assert fresh == first == again


def test_a_changed_framework_file_is_seen(tmp_path: Path) -> None:
    root = tmp_path / "framework"
    shutil.copytree(BUILTIN_ROOT, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    cache = tmp_path / "cache"
    before = load_framework(root, cache_dir=cache)
    head = root / "framework.yaml"
    head.write_text(
        head.read_text(encoding="utf-8").replace(
            f'version: "{before.version}"', 'version: "9.9.9"', 1
        ),
        encoding="utf-8",
    )
    after = load_framework(root, cache_dir=cache)
    assert after.version == "9.9.9" != before.version

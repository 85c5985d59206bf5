"""What a scan reads of maturity.yaml is validated once per content and then read from the
user cache: the same settings, new ones when the file changes, and the usual errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from platform_maturity.domain.errors import UserError
from platform_maturity.services.scan_settings import (
    ExemptionEntry,
    UnitScope,
    load_scan_settings,
    scan_settings,
)
from platform_maturity.services.workspace import load_workspace

WORKSPACE = """\
organization: {name: Cached}
units:
  - slug: shop
    name: Shop
    paths: [repos/shop-*]
    namespaces: [shop]
    owners: ["@acme/shop"]
evidence:
  repositories: [repos]
  kubernetes: [deploy]
scan:
  checks: [my-checks]
  exemptions:
    - check: k8s.replicas
      subject: Deployment/shop/*
      reason: a batch worker runs one replica
      expires: 2027-03-31
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MATURITY_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "ws" / "maturity.yaml"
    path.parent.mkdir()
    path.write_text(WORKSPACE, encoding="utf-8")
    return path


def test_the_cached_settings_are_those_of_the_validated_file(config: Path) -> None:
    expected = scan_settings(load_workspace(config, lean=True))
    assert expected.units == (UnitScope("shop", ("repos/shop-*",), ("shop",), ("@acme/shop",)),)
    assert expected.exemptions == (
        ExemptionEntry(
            "k8s.replicas",
            "Deployment/shop/*",
            "a batch worker runs one replica",
            date(2027, 3, 31),
        ),
    )
    first = load_scan_settings(config)  # validated and stored
    second = load_scan_settings(config)  # read from the cache
    assert first == second == expected
    assert (config.parent.parent / "cache" / "workspace").is_dir()


def test_a_changed_file_is_validated_again(config: Path) -> None:
    load_scan_settings(config)
    config.write_text(WORKSPACE.replace("slug: shop", "slug: store"), encoding="utf-8")
    assert [u.slug for u in load_scan_settings(config).units] == ["store"]


def test_a_bad_file_gives_the_usual_error_every_time(config: Path) -> None:
    load_scan_settings(config)
    config.write_text(WORKSPACE.replace("slug: shop", "slug: Shop!"), encoding="utf-8")
    for _attempt in range(2):  # nothing was cached for the bad content
        with pytest.raises(UserError) as caught:
            load_scan_settings(config)
        assert caught.value.field == "units.0.slug" and caught.value.line == 3


def test_a_damaged_cache_costs_a_validation_not_the_settings(config: Path) -> None:
    expected = load_scan_settings(config)
    database = config.parent.parent / "cache" / "workspace" / "entries.sqlite3"
    database.write_bytes(b"not a database")
    assert load_scan_settings(config) == expected


def test_an_override_file_that_went_missing_is_reported(config: Path) -> None:
    override = config.parent / "extra.yaml"
    override.write_text("pillars: []\n", encoding="utf-8")
    config.write_text(WORKSPACE + "framework: {overrides: [extra.yaml]}\n", encoding="utf-8")
    assert load_scan_settings(config).overrides == (override.resolve(),)
    override.unlink()
    with pytest.raises(UserError) as caught:
        load_scan_settings(config)
    assert "framework override file not found" in str(caught.value)

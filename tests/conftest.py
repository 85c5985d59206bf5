"""Shared fixtures: a fixed clock, databases (SQLite and PostgreSQL), workspaces."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
POSTGRES_ENV = "MATURITY_TEST_POSTGRES_URL"


@pytest.fixture(autouse=True, scope="session")
def _user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The user-level cache (validated check catalog) of the tests, never the real one."""
    previous = os.environ.get("MATURITY_CACHE_DIR")
    os.environ["MATURITY_CACHE_DIR"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if previous is None:
        os.environ.pop("MATURITY_CACHE_DIR", None)
    else:
        os.environ["MATURITY_CACHE_DIR"] = previous


def _postgres_base() -> str | None:
    return os.environ.get(POSTGRES_ENV)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new schema in PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    base = _postgres_base()
    if not base:
        if os.environ.get("MATURITY_REQUIRE_POSTGRES"):
            pytest.fail(f"{POSTGRES_ENV} is not set but MATURITY_REQUIRE_POSTGRES is")
        pytest.skip(f"set {POSTGRES_ENV} to run the store tests on PostgreSQL")
    with postgres_schema(base) as url:
        yield url


def create_postgres_schema(base: str) -> tuple[str, str]:
    """A new, empty schema on the test PostgreSQL: its name and a URL searching only it."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        admin.dispose()
    separator = "&" if "?" in base else "?"
    return schema, f"{base}{separator}options=-csearch_path%3D{schema}"


def drop_postgres_schema(base: str, schema: str) -> None:
    admin = create_engine(base)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@contextmanager
def postgres_schema(base: str) -> Iterator[str]:
    """The URL of a new, empty schema, dropped afterwards."""
    schema, url = create_postgres_schema(base)
    try:
        yield url
    finally:
        drop_postgres_schema(base, schema)


WORKSPACE_YAML = """\
version: 1
organization:
  name: Test Org
units:
  - slug: alpha
    name: Alpha
    owner: a@example.com
  - slug: beta
    name: Beta
    owner: b@example.com
"""


@pytest.fixture
def workspace_dir(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace with two units, its database on SQLite or PostgreSQL, and a fixed clock."""
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "maturity.yaml").write_text(WORKSPACE_YAML, encoding="utf-8")
    monkeypatch.setenv("MATURITY_DATABASE_URL", database_url)
    monkeypatch.setenv("MATURITY_NOW", NOW.isoformat())
    monkeypatch.setenv("MATURITY_ACTOR", "tester")
    monkeypatch.chdir(folder)
    return folder

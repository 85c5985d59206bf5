"""Alembic environment: runs on the connection the store hands over."""

from __future__ import annotations

from alembic import context

import platform_maturity.store.events  # noqa: F401  (imported event tables join the metadata)
from platform_maturity.store import backlog, downtime, postmortems  # noqa: F401  (their tables)
from platform_maturity.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the store always passes a connection
    raise RuntimeError("run migrations through platform_maturity.store.db.upgrade")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()

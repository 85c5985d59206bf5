"""Where things are: the workspace file and the user cache, from the file system and the
environment. Deliberately light (no Pydantic, no framework), so that commands which may
run without a workspace start fast."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from platform_maturity.domain.errors import UserError

CONFIG_NAME = "maturity.yaml"
DATABASE_ENV = "MATURITY_DATABASE_URL"
CACHE_ENV = "MATURITY_CACHE_DIR"


def find_workspace(start: Path, explicit: Path | None = None) -> Path:
    """The folder holding ``maturity.yaml``: ``explicit``, or ``start`` or one of its parents."""
    if explicit is not None:
        path = explicit / CONFIG_NAME if explicit.is_dir() else explicit
        if not path.is_file():
            raise UserError(
                "no workspace here",
                file=str(path),
                hint="Run 'maturity init DIR' to create one, or fix --workspace.",
            )
        return path
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder / CONFIG_NAME
    raise UserError(
        f"no {CONFIG_NAME} in {start} or any folder above it",
        hint="Run 'maturity init' to create a workspace here, 'maturity demo' to try the"
        " demo organization, or pass --workspace PATH.",
    )


def find_optional_workspace(start: Path, explicit: Path | None = None) -> Path | None:
    """Like :func:`find_workspace`, but None when there is no workspace and none was named
    (an ``explicit`` one must exist)."""
    if explicit is not None:
        return find_workspace(start, explicit)
    try:
        return find_workspace(start)
    except UserError:
        return None


def user_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where derived program data is kept between runs (the validated check catalog):
    MATURITY_CACHE_DIR, else $XDG_CACHE_HOME/platform-maturity, else ~/.cache/..."""
    env = os.environ if env is None else env
    if env.get(CACHE_ENV):
        return Path(env[CACHE_ENV])
    base = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "platform-maturity"

"""Shared plumbing for commands: the clock, the actor, the workspace and output."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from platform_maturity.domain.errors import UserError
from platform_maturity.services.settings import find_optional_workspace, find_workspace

if TYPE_CHECKING:  # the workspace (Pydantic, the framework) loads only when a command needs it
    import typer
    from rich.console import Console

    from platform_maturity.services.workspace import Database, Workspace

NOW_ENV = "MATURITY_NOW"


@dataclass
class State:
    workspace_path: Path | None = None


def now() -> datetime:
    """The current time, or MATURITY_NOW (ISO 8601) for reproducible runs."""
    fixed = os.environ.get(NOW_ENV)
    if fixed:
        return parse_when(fixed, NOW_ENV)
    return datetime.now(UTC).replace(microsecond=0)


def parse_when(text: str, field: str) -> datetime:
    """A date (``2026-09-30``) or date and time; naive values are UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(
            "not a date",
            field=field,
            value=text,
            hint="Use ISO 8601, e.g. 2026-09-30 or 2026-09-30T14:00:00+02:00.",
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def one_of(value: str, choices: Sequence[str], option: str, what: str) -> None:
    """Refuse an option's value that is not one of ``choices`` (a UserError naming both)."""
    if value not in choices:
        raise UserError(
            f"unknown {what}", field=option, value=value, hint="Use one of: " + ", ".join(choices)
        )


def actor() -> str:
    if found := os.environ.get("MATURITY_ACTOR"):
        return found
    import getpass  # only when no actor is set (the terminal module it loads is not free)

    return getpass.getuser()


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def workspace(ctx: typer.Context, lean: bool = False) -> Workspace:
    """The workspace, all of maturity.yaml validated; ``lean``: only the sections every
    command needs, the rest (and the framework) when first read."""
    from platform_maturity.services.workspace import load_workspace

    state: State = ctx.ensure_object(State)
    return load_workspace(find_workspace(Path.cwd(), state.workspace_path), lean=lean)


def optional_workspace(ctx: typer.Context, lean: bool = False) -> Workspace | None:
    """The workspace if there is one (an explicit --workspace must exist), else None."""
    from platform_maturity.services.workspace import load_workspace

    state: State = ctx.ensure_object(State)
    found = find_optional_workspace(Path.cwd(), state.workspace_path)
    return None if found is None else load_workspace(found, lean=lean)


@contextmanager
def store(ctx: typer.Context, lean: bool = False) -> Iterator[tuple[Workspace, Database]]:
    from platform_maturity.services.workspace import open_store

    ws = workspace(ctx, lean)
    with open_store(ws, now(), actor()) as database:
        yield ws, database


@contextmanager
def spinner(out: Console, first: str) -> Iterator[Callable[[str], None]]:
    """A transient spinner with the elapsed time for long work; yields a function that
    says what is being done now."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=out,
        transient=True,
    ) as progress:
        task = progress.add_task(first, total=None)
        yield lambda message: progress.update(task, description=message)


@contextmanager
def progress_bar(out: Console, first: str) -> Iterator[Callable[[str, int, int], None]]:
    """A transient progress bar with the elapsed time; yields a function taking what is
    being done, how much of it is done and the total."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=out,
        transient=True,
    ) as progress:
        task = progress.add_task(first, total=None)

        def step(what: str, done: int, total: int) -> None:
            progress.update(task, description=what, completed=done, total=total)

        yield step

"""Create a new workspace: a commented maturity.yaml."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from platform_maturity.domain.errors import UserError
from platform_maturity.services.workspace import CONFIG_NAME


def templates() -> Environment:
    """The Jinja environment of the service templates (workspace files, not HTML)."""
    return Environment(
        loader=PackageLoader("platform_maturity.services", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_config(name: str) -> str:
    return templates().get_template("maturity.yaml.j2").render(name=name)


def init_workspace(folder: Path, name: str, force: bool = False) -> Path:
    path = folder / CONFIG_NAME
    if path.exists() and not force:
        raise UserError(
            "a workspace exists here already",
            file=str(path),
            hint="Use --force to overwrite it, or choose another folder.",
        )
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(render_config(name), encoding="utf-8")
    return path

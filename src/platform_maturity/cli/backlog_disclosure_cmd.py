"""``maturity backlog securitytxt``: how people report security issues to you."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from platform_maturity.cli.common import console, now, workspace
from platform_maturity.domain.errors import UserError


def add_commands(app: typer.Typer) -> None:
    app.command("securitytxt")(securitytxt)


def securitytxt(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for security.txt and SECURITY.md.")
    ] = Path("disclosure"),
    contact: Annotated[
        list[str] | None,
        typer.Option(
            help="mailto:, https: or tel: URI, most preferred first (repeat for several);"
            " default: backlog.disclosure.contacts.",
            show_default=False,
        ),
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option(help="https URL of the disclosure policy page.", show_default=False),
    ] = None,
    canonical: Annotated[
        list[str] | None,
        typer.Option(
            help="https URL where the file is served (repeat for several).", show_default=False
        ),
    ] = None,
    language: Annotated[
        list[str] | None,
        typer.Option(
            "--language", help="Preferred language tag, e.g. en (repeat).", show_default=False
        ),
    ] = None,
    encryption: Annotated[
        str | None, typer.Option(help="Where your OpenPGP key is.", show_default=False)
    ] = None,
    expires_days: Annotated[
        int | None,
        typer.Option(help="Expires this many days from now (at most 365).", show_default=False),
    ] = None,
    check: Annotated[
        Path | None,
        typer.Option(
            help="Only check this security.txt (plain or signed) against RFC 9116.",
            show_default=False,
        ),
    ] = None,
    served_at: Annotated[
        str | None,
        typer.Option(
            help="With --check: the URL the file is served from (must be a Canonical).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write an RFC 9116 security.txt and a SECURITY.md, or check a security.txt.

    security.txt gets Contact, Expires (within a year), Policy, Preferred-Languages and
    Canonical; SECURITY.md says how to report and how fast you answer. Both come from the
    backlog.disclosure settings and the SLA bands. --check FILE checks an existing file.

    Serve security.txt at `https://<host>/.well-known/security.txt` as text/plain. To sign
    it (recommended): `gpg --local-user <key> --clearsign --output security.txt.asc
    security.txt`,
    then serve the .asc content as security.txt; keep Canonical so readers know where it
    belongs. Renew it before Expires.
    """
    from platform_maturity.services.disclosure import Overrides, check_file, write_disclosure

    moment = now()
    out_console = console()
    if check is not None:
        problems = check_file(check, moment, served_at)
        for p in problems:
            where = f"line {p.line}: " if p.line else ""
            style = "red" if p.severity == "error" else "yellow"
            out_console.print(
                f"[{style}]{p.severity}[/] {where}{p.field or 'file'}: {p.message}", soft_wrap=True
            )
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise UserError(
                f"{len(errors)} problem(s) break RFC 9116",
                file=str(check),
                line=errors[0].line,
                field=errors[0].field,
            )
        out_console.print(f"{check}: valid RFC 9116 security.txt.")
        return
    ws = workspace(ctx)
    txt, md, warnings = write_disclosure(
        ws,
        out,
        moment,
        Overrides(
            contacts=tuple(contact or ()),
            policy=policy,
            canonical=tuple(canonical or ()),
            languages=tuple(language or ()),
            encryption=encryption,
            expires_days=expires_days,
        ),
    )
    for w in warnings:
        out_console.print(f"[yellow]warning[/] {w.field or 'file'}: {w.message}", soft_wrap=True)
    out_console.print(f"Wrote {txt} and {md}.\nServe security.txt at /.well-known/security.txt.")

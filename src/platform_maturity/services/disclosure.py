"""Disclosure: a valid RFC 9116 security.txt and a SECURITY.md for repositories, written
from one source (the ``backlog.disclosure`` settings and the SLA policy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.securitytxt import (
    Problem,
    SecurityTxtFields,
    render_security_txt,
    validate_security_txt,
)
from platform_maturity.services.backlog import backlog_policy
from platform_maturity.services.init import templates
from platform_maturity.services.workspace import Workspace


@dataclass(frozen=True)
class Overrides:
    """Command-line values that take the place of the workspace's settings."""

    contacts: tuple[str, ...] = ()
    policy: str | None = None
    canonical: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    encryption: str | None = None
    expires_days: int | None = None


def security_fields(workspace: Workspace, now: datetime, overrides: Overrides) -> SecurityTxtFields:
    settings = workspace.config.backlog.disclosure
    contacts = overrides.contacts or tuple(settings.contacts)
    if not contacts:
        raise UserError(
            "security.txt needs at least one contact",
            field="--contact",
            hint="Add backlog.disclosure.contacts to maturity.yaml (mailto:security@example.com)"
            " or give --contact.",
        )
    days = overrides.expires_days or settings.expires_days
    if not 1 <= days <= 365:
        raise UserError(
            "Expires must lie within a year",
            field="--expires-days",
            value=days,
            hint="RFC 9116 advises less than a year; renew the file before it expires.",
        )
    return SecurityTxtFields(
        contacts=contacts,
        expires=now + timedelta(days=days),
        policy=overrides.policy or settings.policy,
        canonical=overrides.canonical or tuple(settings.canonical),
        languages=overrides.languages or tuple(settings.languages),
        encryption=overrides.encryption or settings.encryption,
        acknowledgments=settings.acknowledgments,
        hiring=settings.hiring,
    )


def write_disclosure(
    workspace: Workspace, out: Path, now: datetime, overrides: Overrides
) -> tuple[Path, Path, list[Problem]]:
    """Write ``security.txt`` and ``SECURITY.md`` into ``out``; refuse a security.txt the
    RFC would not accept (nothing is written then). Returns the files and any warnings."""
    fields = security_fields(workspace, now, overrides)
    text = render_security_txt(fields, workspace.config.organization.name)
    problems = validate_security_txt(text, now)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise UserError(
            "the security.txt would not be valid",
            field=errors[0].field,
            details=[f"{p.field or 'file'}: {p.message}" for p in errors],
            hint="Fix backlog.disclosure in maturity.yaml or the command-line values.",
        )
    policy = backlog_policy(workspace)
    disclosure = workspace.config.backlog.disclosure
    markdown = (
        templates()
        .get_template("SECURITY.md.j2")
        .render(
            organization=workspace.config.organization.name,
            contact_lines=[_contact_line(c, fields.encryption) for c in fields.contacts],
            policy=fields.policy,
            acknowledge_days=disclosure.acknowledge_within_days,
            cadence_days=policy.review.cadence_days,
            bands=policy.sla_policy.ordered(),
            disclosure_days=disclosure.disclosure_days,
        )
    )
    out.mkdir(parents=True, exist_ok=True)
    txt, md = out / "security.txt", out / "SECURITY.md"
    txt.write_text(text, encoding="utf-8", newline="\n")
    md.write_text(markdown, encoding="utf-8", newline="\n")
    return txt, md, [p for p in problems if p.severity != "error"]


def _contact_line(contact: str, encryption: str | None) -> str:
    if contact.startswith("mailto:"):
        key = f" (encrypt with the key at {encryption})" if encryption else ""
        return f"Email **{contact[len('mailto:') :]}**{key}"
    if contact.startswith("tel:"):
        return f"Call **{contact[len('tel:') :]}**"
    return f"Use the form at {contact}"


def check_file(path: Path, now: datetime, served_at: str | None = None) -> list[Problem]:
    """Check an existing security.txt (plain or signed) against RFC 9116."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise UserError("file not found", file=str(path)) from None
    except UnicodeDecodeError:
        raise UserError(
            "not UTF-8 text", file=str(path), hint="RFC 9116 files are UTF-8."
        ) from None
    return validate_security_txt(text, now, served_at)

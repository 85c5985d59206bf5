"""Public reports of security issues: what a report holds, and the rules it must pass.

A report with mistakes a person can fix (a missing title, an oversized description, a bad
email address) is refused with the problems per field. Signs of a bot — a filled honeypot
field, a form sent back faster than a person can type, a missing or forged form token —
and rate limits are not errors: the sender gets the same receipt as everyone, and the
report is dropped and logged. Pure: the service supplies the clock, the secret and the counts.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict

from platform_maturity.domain.backlog_settings import IntakeSettings
from platform_maturity.domain.errors import UserError

EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
TOKEN = re.compile(r"^(\d{1,12})\.([0-9a-f]{64})$")
HONEYPOT_FIELD = "website"  # hidden in the form; people leave it empty


class IntakeReport(BaseModel):
    """What the public form sends (every field as text, as a form does)."""

    model_config = ConfigDict(extra="forbid")
    title: str = ""
    description: str = ""
    component: str = ""
    steps: str = ""
    impact: str = ""
    email: str = ""
    name: str = ""
    publicly_known: bool = False
    credit: str = ""
    website: str = ""  # the honeypot
    form_token: str = ""


def issue_form_token(secret: bytes, now: datetime) -> str:
    """A token for a freshly served form: its time, signed, so a bot cannot forge it."""
    stamp = str(int(now.timestamp()))
    return f"{stamp}.{hmac.new(secret, stamp.encode(), hashlib.sha256).hexdigest()}"


def token_time(secret: bytes, token: str) -> datetime | None:
    """When the form was served, if the token is genuine."""
    match = TOKEN.match(token.strip())
    if not match:
        return None
    expected = hmac.new(secret, match.group(1).encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, match.group(2)):
        return None
    return datetime.fromtimestamp(int(match.group(1)), UTC)


def keyed_hash(secret: bytes, value: str) -> str:
    """A hash of an address or email that cannot be reversed without the secret."""
    return hmac.new(secret, value.strip().lower().encode(), hashlib.sha256).hexdigest()


def content_hash(report: IntakeReport) -> str:
    text = "\x1f".join(" ".join(x.split()).lower() for x in (report.title, report.description))
    return hashlib.sha256(text.encode()).hexdigest()


def _clean(value: str) -> str:
    """Normalized text without control characters (tabs and newlines kept)."""
    value = unicodedata.normalize("NFC", value)
    return "".join(c for c in value if c in "\n\t" or unicodedata.category(c)[0] != "C").strip()


def validate(report: IntakeReport, settings: IntakeSettings) -> IntakeReport:
    """The report with clean text, or a UserError listing every field to fix."""
    problems: list[str] = []
    size = sum(len(str(v).encode("utf-8")) for v in report.model_dump().values())
    if size > settings.max_total_bytes:
        problems.append(f"the report is {size:,} bytes; the limit is {settings.max_total_bytes:,}")
    clean = report.model_copy(
        update={k: _clean(v) for k, v in report.model_dump().items() if isinstance(v, str)}
    )
    if len(clean.title) < 5:
        problems.append("title: say in a few words what is wrong (at least 5 characters)")
    elif len(clean.title) > settings.max_title:
        problems.append(f"title: at most {settings.max_title} characters")
    if len(clean.description) < 20:
        problems.append("description: describe the issue (at least 20 characters)")
    elif len(clean.description) > settings.max_description:
        problems.append(f"description: at most {settings.max_description:,} characters")
    for field in ("component", "steps", "impact", "name", "credit"):
        if len(getattr(clean, field)) > settings.max_description:
            problems.append(f"{field}: at most {settings.max_description:,} characters")
    if clean.email and (len(clean.email) > 254 or not EMAIL.match(clean.email)):
        problems.append("email: not an email address (leave it empty to stay anonymous)")
    if problems:
        raise UserError(
            "the report cannot be accepted as it is",
            details=problems,
            hint="Fix the fields listed and send it again.",
        )
    return clean


@dataclass(frozen=True)
class Counts:
    """Reports received in the last hour, and earlier accepted reports with the same text."""

    from_client: int
    from_email: int
    total: int
    same_content: int


def screen(
    report: IntakeReport,
    settings: IntakeSettings,
    served_at: datetime | None,
    now: datetime,
    counts: Counts,
) -> str:
    """``accepted`` or why the report is dropped: honeypot, too-fast, bad-token,
    rate-limited or duplicate. Checked in that order."""
    if report.website.strip():
        return "honeypot"
    if (
        served_at is None
        or served_at > now
        or now - served_at > timedelta(hours=settings.max_form_age_hours)
    ):
        return "bad-token"
    if now - served_at < timedelta(seconds=settings.min_fill_seconds):
        return "too-fast"
    if (
        counts.from_client >= settings.per_client_per_hour
        or counts.from_email >= settings.per_email_per_hour
        or counts.total >= settings.total_per_hour
    ):
        return "rate-limited"
    if counts.same_content:
        return "duplicate"
    return "accepted"


def describe(report: IntakeReport) -> str:
    """The backlog item's description from the report's fields."""
    parts = [report.description]
    for label, value in (
        ("Steps to reproduce", report.steps),
        ("Impact as the reporter sees it", report.impact),
        ("Credit", report.credit),
    ):
        if value:
            parts.append(f"{label}:\n{value}")
    if report.publicly_known:
        parts.append("The reporter says the issue is publicly known.")
    return "\n\n".join(parts)

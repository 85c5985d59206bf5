"""RFC 9116 ``security.txt``: write one, and check one against the RFC's rules.

Rules checked (RFC 9116 §2.3-2.5 and §3): lines are ``Field-Name: value`` or comments
(``#``); ``Contact`` appears at least once and ``Expires`` exactly once; ``Expires`` is an
RFC 3339 date-time, not in the past (and should be less than a year ahead);
``Preferred-Languages`` appears at most once and lists language tags; web URIs use https;
``Contact`` is ``mailto:``, ``tel:`` or ``https:``; ``Encryption`` may also be ``dns:`` or
``openpgp4fpr:``; a signed file (OpenPGP cleartext) should carry ``Canonical``, and when
the file's address is known it must be one of the ``Canonical`` URIs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

KNOWN = (
    "Acknowledgments",
    "Canonical",
    "Contact",
    "CSAF",
    "Encryption",
    "Expires",
    "Hiring",
    "Policy",
    "Preferred-Languages",
)
URI_FIELDS = ("Acknowledgments", "Canonical", "Contact", "CSAF", "Encryption", "Hiring", "Policy")
FIELD_LINE = re.compile(r"^([A-Za-z0-9!#$%&'*+.^_`|~-]+):[ \t]*(.*?)[ \t]*$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
SIGNED_START = "-----BEGIN PGP SIGNED MESSAGE-----"
SIGNATURE_START = "-----BEGIN PGP SIGNATURE-----"
YEAR = timedelta(days=365)


@dataclass(frozen=True)
class Problem:
    line: int | None
    field: str | None
    message: str
    severity: str = "error"  # error: breaks the RFC; warning: against its advice


@dataclass(frozen=True)
class SecurityTxtFields:
    contacts: tuple[str, ...]
    expires: datetime
    policy: str | None = None
    canonical: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    encryption: str | None = None
    acknowledgments: str | None = None
    hiring: str | None = None


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_security_txt(fields: SecurityTxtFields, organization: str) -> str:
    """The file's text, most preferred contact first, with a comment saying how to renew it."""
    lines = [
        f"# security.txt of {organization} (RFC 9116). Report security issues to the",
        "# contacts below, in order of preference. Written by 'maturity backlog securitytxt';",
        f"# renew it before it expires on {fields.expires:%Y-%m-%d}.",
        "",
    ]
    lines += [f"Contact: {c}" for c in fields.contacts]
    lines.append(f"Expires: {rfc3339(fields.expires)}")
    if fields.encryption:
        lines.append(f"Encryption: {fields.encryption}")
    if fields.acknowledgments:
        lines.append(f"Acknowledgments: {fields.acknowledgments}")
    if fields.languages:
        lines.append(f"Preferred-Languages: {', '.join(fields.languages)}")
    lines += [f"Canonical: {c}" for c in fields.canonical]
    if fields.policy:
        lines.append(f"Policy: {fields.policy}")
    if fields.hiring:
        lines.append(f"Hiring: {fields.hiring}")
    return "\n".join(lines) + "\n"


def _unsigned(text: str) -> tuple[list[tuple[int, str]], bool, list[Problem]]:
    """The content lines (with their line numbers) of a plain or cleartext-signed file."""
    lines = text.replace("\r\n", "\n").split("\n")
    numbered = list(enumerate(lines, 1))
    if not any(line.strip() == SIGNED_START for _, line in numbered[:1]):
        return numbered, False, []
    problems: list[Problem] = []
    body_start = None
    for index, (_, line) in enumerate(numbered[1:], 1):
        if not line.strip():
            body_start = index + 1
            break
    end = next((i for i, (_, line) in enumerate(numbered) if line.strip() == SIGNATURE_START), None)
    if body_start is None or end is None:
        problems.append(
            Problem(
                1, None, "a signed file needs the armor headers, a blank line and a signature block"
            )
        )
        return [], True, problems
    body = [
        (n, line[2:] if line.startswith("- ") else line) for n, line in numbered[body_start:end]
    ]
    return body, True, problems


def _uri_problem(field: str, value: str) -> str | None:
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    if not scheme or any(c.isspace() for c in value):
        return "not a URI"
    if scheme == "http":
        return "web URIs must use https://"
    allowed = {
        "Contact": ("mailto", "tel", "https"),
        "Encryption": ("https", "dns", "openpgp4fpr"),
    }.get(field, ("https",))
    if scheme not in allowed:
        return f"use a {' or '.join(s + ':' for s in allowed)} URI"
    if scheme == "https" and (
        not value.lower().startswith("https://") or value.lower() == "https://"
    ):
        return "not an https:// URL"
    return None


def validate_security_txt(text: str, now: datetime, served_at: str | None = None) -> list[Problem]:
    """Every way ``text`` breaks RFC 9116 (errors) or goes against its advice (warnings)."""
    lines, signed, problems = _unsigned(text)
    seen: dict[str, list[tuple[int, str]]] = {}
    for number, line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = FIELD_LINE.match(line)
        if not match:
            problems.append(Problem(number, None, "not a field line ('Name: value') or a comment"))
            continue
        name, value = match.group(1), match.group(2)
        canonical_name = next((k for k in KNOWN if k.lower() == name.lower()), name)
        if not value:
            problems.append(Problem(number, canonical_name, "the field has no value"))
            continue
        seen.setdefault(canonical_name, []).append((number, value))
        if canonical_name in URI_FIELDS and (issue := _uri_problem(canonical_name, value)):
            problems.append(Problem(number, canonical_name, f"{issue}: {value}"))
    if "Contact" not in seen:
        problems.append(Problem(None, "Contact", "Contact is required (at least once)"))
    expires = seen.get("Expires", [])
    if not expires:
        problems.append(Problem(None, "Expires", "Expires is required (exactly once)"))
    for number, _ in expires[1:]:
        problems.append(Problem(number, "Expires", "Expires must appear only once"))
    if expires:
        number, value = expires[0]
        if not RFC3339.match(value):
            problems.append(Problem(number, "Expires", f"not an RFC 3339 date-time: {value}"))
        else:
            when = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
            if when <= now:
                problems.append(
                    Problem(
                        number,
                        "Expires",
                        f"expired on {when:%Y-%m-%d}; readers ignore a stale file",
                    )
                )
            elif when - now > YEAR:
                problems.append(
                    Problem(
                        number, "Expires", "more than a year ahead; the RFC advises less", "warning"
                    )
                )
    languages = seen.get("Preferred-Languages", [])
    for number, _ in languages[1:]:
        problems.append(
            Problem(number, "Preferred-Languages", "Preferred-Languages must appear only once")
        )
    for number, value in languages[:1]:
        for tag in (t.strip() for t in value.split(",")):
            if not LANGUAGE_TAG.match(tag):
                problems.append(
                    Problem(number, "Preferred-Languages", f"not a language tag: {tag!r}")
                )
    canonical = [v for _, v in seen.get("Canonical", [])]
    if signed and not canonical:
        problems.append(
            Problem(None, "Canonical", "a signed file should name its Canonical URI", "warning")
        )
    if served_at is not None and canonical and served_at not in canonical:
        problems.append(Problem(None, "Canonical", f"{served_at} is not one of the Canonical URIs"))
    if "Policy" not in seen:
        problems.append(
            Problem(
                None, "Policy", "no Policy: link the page that explains how to report", "warning"
            )
        )
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0, p.field or ""))

"""Disclosure: security.txt checked against RFC 9116 (also signed with a real gpg key),
SECURITY.md, and the public intake's validation, honeypot, time trap and rate limits."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from platform_maturity.cli.main import main
from platform_maturity.domain.backlog_settings import IntakeSettings
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.intake import (
    Counts,
    IntakeReport,
    issue_form_token,
    screen,
    token_time,
    validate,
)
from platform_maturity.domain.securitytxt import (
    SecurityTxtFields,
    render_security_txt,
    validate_security_txt,
)
from platform_maturity.services import backlog
from platform_maturity.services.intake import IntakeService
from platform_maturity.services.workspace import load_workspace, open_store
from platform_maturity.store.backlog import IntakeLogRow
from tests.conftest import NOW

FIELDS = SecurityTxtFields(
    contacts=("mailto:security@example.com", "https://example.com/report"),
    expires=NOW + timedelta(days=300),
    policy="https://example.com/security-policy",
    canonical=("https://example.com/.well-known/security.txt",),
    languages=("en", "de-CH"),
    encryption="openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f",
)


def _errors(text: str, served_at: str | None = None) -> list[tuple[int | None, str | None, str]]:
    return [
        (p.line, p.field, p.message)
        for p in validate_security_txt(text, NOW, served_at)
        if p.severity == "error"
    ]


def test_the_written_file_follows_rfc_9116() -> None:
    text = render_security_txt(FIELDS, "Example Org")
    assert validate_security_txt(text, NOW, "https://example.com/.well-known/security.txt") == []
    assert "Expires: 2027-09-16T12:00:00Z" in text
    assert text.index("mailto:security@example.com") < text.index("https://example.com/report")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Expires: 2027-01-01T00:00:00Z\n", (None, "Contact", "Contact is required")),
        ("Contact: mailto:a@example.com\n", (None, "Expires", "Expires is required")),
        (
            "Contact: mailto:a@example.com\nExpires: 2027-01-01T00:00:00Z\n"
            "Expires: 2027-02-01T00:00:00Z\n",
            (3, "Expires", "only once"),
        ),
        (
            "Contact: mailto:a@example.com\nExpires: 2026-01-01T00:00:00Z\n",
            (2, "Expires", "expired"),
        ),
        ("Contact: mailto:a@example.com\nExpires: next year\n", (2, "Expires", "RFC 3339")),
        ("Contact: http://example.com/x\nExpires: 2027-01-01T00:00:00Z\n", (1, "Contact", "https")),
        ("Contact: ftp://example.com\nExpires: 2027-01-01T00:00:00Z\n", (1, "Contact", "mailto:")),
        (
            "Contact: mailto:a@example.com\nExpires: 2027-01-01T00:00:00Z\nPolicy: http://x.example\n",
            (3, "Policy", "https"),
        ),
        (
            "Contact: mailto:a@example.com\nExpires: 2027-01-01T00:00:00Z\n"
            "Preferred-Languages: en\nPreferred-Languages: de\n",
            (4, "Preferred-Languages", "only once"),
        ),
        (
            "Contact: mailto:a@example.com\nExpires: 2027-01-01T00:00:00Z\n"
            "Preferred-Languages: en, english!\n",
            (3, "Preferred-Languages", "language tag"),
        ),
        (
            "Contact: mailto:a@example.com\nExpires: 2027-01-01T00:00:00Z\nhello\n",
            (3, None, "not a field line"),
        ),
        (
            "Contact:\nContact: mailto:a@example.com\nExpires: 2027-01-01T00:00:00Z\n",
            (1, "Contact", "no value"),
        ),
    ],
)
def test_each_rule_of_the_rfc(text: str, expected: tuple[int | None, str | None, str]) -> None:
    errors = _errors(text)
    assert any(
        (line, field) == expected[:2] and expected[2] in message for line, field, message in errors
    ), errors


def test_advice_is_a_warning_and_canonical_must_match_the_address() -> None:
    far = render_security_txt(
        FIELDS.__class__(**{**FIELDS.__dict__, "expires": NOW + timedelta(days=500)}), "X"
    )
    warnings = [p for p in validate_security_txt(far, NOW) if p.severity == "warning"]
    assert [w.field for w in warnings] == ["Expires"]
    text = render_security_txt(FIELDS, "X")
    assert _errors(text, "https://other.example/.well-known/security.txt") == [
        (
            None,
            "Canonical",
            "https://other.example/.well-known/security.txt is not one of the Canonical URIs",
        )
    ]
    crlf = text.replace("\n", "\r\n")
    assert _errors(crlf) == []


def test_a_file_signed_with_gpg_stays_valid(tmp_path: Path) -> None:
    """The documented signing step, with a real gpg and a throwaway key."""
    if shutil.which("gpg") is None:
        if os.environ.get("MATURITY_REQUIRE_GPG"):
            pytest.fail("gpg is not installed but MATURITY_REQUIRE_GPG is set")
        pytest.skip("gpg is not installed (scripts/ensure-gnupg.sh installs Debian's gnupg)")
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    run = {"env": env, "check": True, "capture_output": True, "timeout": 60}
    subprocess.run(
        [
            "gpg",
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "security@example.com",
            "ed25519",
            "sign",
            "1d",
        ],
        **run,  # type: ignore[call-overload]
    )
    plain = tmp_path / "security.txt"
    plain.write_text(render_security_txt(FIELDS, "Example Org"), encoding="utf-8")
    signed = tmp_path / "security.txt.asc"
    subprocess.run(
        [
            "gpg",
            "--batch",
            "--local-user",
            "security@example.com",
            "--clearsign",
            "--output",
            str(signed),
            str(plain),
        ],
        **run,  # type: ignore[call-overload]
    )
    text = signed.read_text(encoding="utf-8")
    assert text.startswith("-----BEGIN PGP SIGNED MESSAGE-----")
    assert validate_security_txt(text, NOW) == []
    subprocess.run(["gpg", "--batch", "--verify", str(signed)], **run)  # type: ignore[call-overload]
    unsigned_canonical = text.replace(
        "Canonical: https://example.com/.well-known/security.txt\n", ""
    )
    assert [p.field for p in validate_security_txt(unsigned_canonical, NOW)] == ["Canonical"]


def test_securitytxt_command_writes_both_files(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = workspace_dir / "maturity.yaml"
    config.write_text(
        config.read_text()
        + "backlog:\n  disclosure:\n    contacts: [mailto:security@example.com]\n"
        "    policy: https://example.com/security\n"
        "    canonical: [https://example.com/.well-known/security.txt]\n"
    )
    assert main(["backlog", "securitytxt", "--out", "out"]) == 0
    text = (workspace_dir / "out" / "security.txt").read_text()
    assert validate_security_txt(text, NOW) == []
    security_md = (workspace_dir / "out" / "SECURITY.md").read_text()
    assert "Email **security@example.com**" in security_md
    assert "high severity (16–25 of 25): start at once, resolve within 1 month" in security_md
    assert "within **3 days**" in security_md
    assert main(["backlog", "securitytxt", "--check", "out/security.txt"]) == 0
    bad = workspace_dir / "bad.txt"
    bad.write_text("Contact: http://example.com\n")
    capsys.readouterr()
    assert main(["backlog", "securitytxt", "--check", str(bad)]) == 2
    out = capsys.readouterr()
    assert "bad.txt:1, field Contact: 2 problem(s) break RFC 9116" in out.err
    assert "line 1: Contact: web URIs must use https://" in out.out
    assert "Expires: Expires is required" in out.out
    assert main(["backlog", "securitytxt", "--contact", "http://example.com", "--out", "x"]) == 2
    assert not (workspace_dir / "x").exists()


# ---- the intake --------------------------------------------------------------------------

SECRET = b"test-secret"
LIMITS = IntakeSettings()


def _report(**kw: object) -> IntakeReport:
    values: dict[str, object] = {
        "title": "Stored XSS in the profile page",
        "description": "The display name is rendered without escaping on the profile page.",
        "email": "finder@example.org",
        "form_token": issue_form_token(SECRET, NOW - timedelta(minutes=5)),
    }
    values.update(kw)
    return IntakeReport(**values)  # type: ignore[arg-type]


def test_form_tokens_are_signed_and_dated() -> None:
    token = issue_form_token(SECRET, NOW)
    assert token_time(SECRET, token) == NOW
    assert token_time(b"other", token) is None
    assert token_time(SECRET, token.replace(".", ".0", 1)[:-1]) is None
    assert token_time(SECRET, "garbage") is None


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"title": "XSS"}, "title:"),
        ({"title": "x" * 250}, "title: at most 200"),
        ({"description": "short"}, "description:"),
        ({"email": "not-an-email"}, "email:"),
        ({"description": "y" * 60000}, "bytes; the limit is"),
    ],
)
def test_reports_people_can_fix_are_refused_per_field(
    changes: dict[str, str], problem: str
) -> None:
    with pytest.raises(UserError) as caught:
        validate(_report(**changes), LIMITS)
    assert any(problem in d for d in caught.value.details), caught.value.details


def test_control_characters_are_removed() -> None:
    clean = validate(_report(title="Stored\x00 XSS\x1b[31m in profile"), LIMITS)
    assert clean.title == "Stored XSS[31m in profile"


@pytest.mark.parametrize(
    ("changes", "age", "counts", "outcome"),
    [
        ({}, timedelta(minutes=5), Counts(0, 0, 0, 0), "accepted"),
        ({"website": "http://spam.example"}, timedelta(minutes=5), Counts(0, 0, 0, 0), "honeypot"),
        ({}, timedelta(seconds=2), Counts(0, 0, 0, 0), "too-fast"),
        ({}, timedelta(hours=30), Counts(0, 0, 0, 0), "bad-token"),
        ({"form_token": "1.abc"}, None, Counts(0, 0, 0, 0), "bad-token"),
        ({}, timedelta(minutes=5), Counts(5, 0, 5, 0), "rate-limited"),
        ({}, timedelta(minutes=5), Counts(0, 5, 5, 0), "rate-limited"),
        ({}, timedelta(minutes=5), Counts(0, 0, 100, 0), "rate-limited"),
        ({}, timedelta(minutes=5), Counts(0, 0, 1, 1), "duplicate"),
    ],
)
def test_screening(
    changes: dict[str, str], age: timedelta | None, counts: Counts, outcome: str
) -> None:
    report = _report(**changes)
    served = token_time(SECRET, report.form_token) if age is None else NOW - age
    assert screen(report, LIMITS, served, NOW, counts) == outcome


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.text(max_size=400),
    description=st.text(max_size=600),
    email=st.text(max_size=80),
    steps=st.text(max_size=100),
)
def test_any_input_is_accepted_or_refused_with_fields(
    title: str, description: str, email: str, steps: str
) -> None:
    try:
        clean = validate(
            _report(title=title, description=description, email=email, steps=steps), LIMITS
        )
    except UserError as exc:
        assert exc.details and all(":" in d or "bytes" in d for d in exc.details)
        return
    assert 5 <= len(clean.title) <= LIMITS.max_title
    assert all(c in "\n\t" or c.isprintable() for c in clean.description)


def test_the_intake_service_stores_reports_and_answers_all_alike(workspace_dir: Path) -> None:
    ws = load_workspace(workspace_dir / "maturity.yaml")
    with open_store(ws, NOW, "t") as db:
        service = IntakeService(ws, db, SECRET)
        token = service.form_token(NOW - timedelta(minutes=3))
        first = service.submit(_report(form_token=token), client="203.0.113.9", now=NOW)
        again = service.submit(_report(form_token=token), client="203.0.113.9", now=NOW)
        bot = service.submit(
            _report(title="Cheap watches for sale", website="x", form_token=token),
            "203.0.113.7",
            NOW,
        )
        with pytest.raises(UserError):
            service.submit(_report(title="x"), client="203.0.113.9", now=NOW)
        for n in range(6):
            service.submit(
                _report(
                    title=f"Another report number {n}", email=f"p{n}@example.org", form_token=token
                ),
                client="198.51.100.1",
                now=NOW,
            )
        assert first.message.replace(first.reference, "R") == bot.message.replace(
            bot.reference, "R"
        )
        assert len({first.reference, again.reference, bot.reference}) == 3
        with db.transaction() as session:
            outcomes = [
                r.outcome for r in session.scalars(select(IntakeLogRow).order_by(IntakeLogRow.id))
            ]
            stored = session.scalars(select(IntakeLogRow.client_hash)).all()
        assert outcomes == ["accepted", "duplicate", "honeypot", *["accepted"] * 5, "rate-limited"]
        assert "203.0.113.9" not in str(stored)  # addresses are kept only as keyed hashes
        views, _ = backlog.list_items(ws, db, backlog.Filters(states=("new",)), NOW)
        assert len(views) == 6 and {v.source.value for v in views} == {"report"}
        first_key = next(v.key for v in views if v.title == "Stored XSS in the profile page")
        item = backlog.get_item(db, first_key)
        assert item.channel == "intake" and item.reporter == "anonymous <finder@example.org>"
    # an hour later the same client may report again
    with open_store(ws, NOW, "t") as db:
        later = NOW + timedelta(hours=2)
        service = IntakeService(ws, db, SECRET)
        service.submit(
            _report(
                title="Yet another report",
                email="p9@example.org",
                form_token=service.form_token(later - timedelta(minutes=1)),
            ),
            client="198.51.100.1",
            now=later,
        )
        with db.transaction() as session:
            last = session.scalars(
                select(IntakeLogRow.outcome).order_by(IntakeLogRow.id.desc())
            ).first()
        assert last == "accepted"


def test_receipts_do_not_depend_on_the_clock_zone() -> None:
    token = issue_form_token(SECRET, datetime(2026, 1, 1, 12, tzinfo=UTC))
    assert token_time(SECRET, token) == datetime(2026, 1, 1, 12, tzinfo=UTC)

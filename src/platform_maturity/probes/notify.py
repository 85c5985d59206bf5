"""Tell people: incident messages to webhooks (generic JSON or Slack-compatible) and by
e-mail (SMTP). A failed send is returned as a failed :class:`Notification`, never raised."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage

import httpx

from platform_maturity.domain.downtime import (
    ComponentConfig,
    DowntimeSettings,
    WebhookConfig,
    target_channel,
)
from platform_maturity.domain.incidents import Incident, Notification, NotificationEvent

TIMEOUT_SECONDS = 10.0


def headline(incident: Incident, event: NotificationEvent, level: int) -> str:
    if event is NotificationEvent.RESOLVED:
        return f"[RESOLVED] {incident.key}: {incident.title}"
    prefix = f"[ESCALATED L{level + 1}]" if event is NotificationEvent.ESCALATED else "[DOWN]"
    return f"{prefix} {incident.key} {incident.severity.value.upper()}: {incident.title}"


def body_text(
    incident: Incident, event: NotificationEvent, component: ComponentConfig | None, now: datetime
) -> str:
    lines = [
        headline(incident, event, 0 if event is not NotificationEvent.ESCALATED else 1),
        "",
        f"Component: {component.name if component else incident.component}",
    ]
    if incident.flows and component is not None:
        lines.append("Failing flows: " + "; ".join(component.flow_name(f) for f in incident.flows))
    lines += [
        f"Started: {incident.started:%Y-%m-%d %H:%M:%S} UTC",
        f"Detected: {incident.detected:%Y-%m-%d %H:%M:%S} UTC"
        + (f" by {incident.method.label}" if incident.method else ""),
    ]
    if incident.resolved is not None:
        lines.append(
            f"Resolved: {incident.resolved:%Y-%m-%d %H:%M:%S} UTC"
            f" after {incident.minutes(now):.0f} min"
        )
    else:
        lines.append(f"Acknowledge with: maturity incident ack {incident.id}")
    reasons = [u.message for u in incident.updates if u.kind.value == "detected"]
    if reasons:
        lines.append(f"Why: {reasons[0]}")
    return "\n".join(lines)


def webhook_payload(
    hook: WebhookConfig,
    incident: Incident,
    event: NotificationEvent,
    level: int,
    component: ComponentConfig | None,
    now: datetime,
) -> dict[str, object]:
    text = body_text(incident, event, component, now)
    if hook.format == "slack":
        return {
            "text": headline(incident, event, level),
            "blocks": [
                {
                    "type": "header",
                    "text": {"type": "plain_text", "text": headline(incident, event, level)[:150]},
                },
                {"type": "section", "text": {"type": "mrkdwn", "text": "```" + text + "```"}},
            ],
        }
    return {
        "event": event.value,
        "level": level,
        "incident": {
            "id": incident.id,
            "key": incident.key,
            "title": incident.title,
            "component": incident.component,
            "flows": list(incident.flows),
            "severity": incident.severity.value,
            "status": incident.status.value,
            "started": incident.started.isoformat(),
            "detected": incident.detected.isoformat(),
            "acknowledged": incident.acknowledged.isoformat() if incident.acknowledged else None,
            "resolved": incident.resolved.isoformat() if incident.resolved else None,
            "detection_method": incident.method.value if incident.method else None,
        },
        "text": text,
    }


async def _post(hook: WebhookConfig, payload: dict[str, object]) -> str | None:
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, trust_env=False) as client:
            response = await client.post(hook.url, json=payload, headers=hook.headers)
        if response.status_code >= 300:
            return f"webhook {hook.name} answered HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        return f"webhook {hook.name}: {type(exc).__name__}: {exc}"
    return None


def _send_mail(settings: DowntimeSettings, env: Mapping[str, str], message: EmailMessage) -> None:
    mail = settings.notifications.email
    assert mail is not None
    if mail.ssl:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            mail.host, mail.port, timeout=mail.timeout_seconds, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout_seconds)
    with client:
        if mail.starttls:
            client.starttls(context=ssl.create_default_context())
        if mail.username:
            client.login(mail.username, env.get(mail.password_env or "", ""))
        client.send_message(message)


async def send(
    settings: DowntimeSettings,
    incident: Incident,
    event: NotificationEvent,
    level: int,
    targets: tuple[str, ...],
    now: datetime,
    env: Mapping[str, str],
) -> list[Notification]:
    """Send one message per target; each outcome is recorded, a failure with its reason."""
    assert incident.id is not None
    component = settings.component(incident.component)
    hooks = {h.name: h for h in settings.notifications.webhooks}
    outcomes: list[Notification] = []
    for target in targets:
        channel, where = target_channel(target)
        error: str | None
        if channel == "webhook":
            hook = hooks.get(where)
            if hook is None:
                error = f"no webhook called {where!r}"
            else:
                error = await _post(
                    hook, webhook_payload(hook, incident, event, level, component, now)
                )
        elif settings.notifications.email is None:
            error = "no e-mail server configured (downtime.notifications.email)"
        else:
            message = EmailMessage()
            message["Subject"] = headline(incident, event, level)
            message["From"] = settings.notifications.email.sender
            message["To"] = where
            message.set_content(body_text(incident, event, component, now))
            try:
                await asyncio.to_thread(_send_mail, settings, env, message)
                error = None
            except (smtplib.SMTPException, OSError) as exc:
                error = f"e-mail to {where}: {type(exc).__name__}: {exc}"
        outcomes.append(
            Notification(
                incident_id=incident.id,
                event=event,
                level=level,
                target=target,
                at=now,
                ok=error is None,
                error=error,
            )
        )
    return outcomes

"""End to end against a small local service: ``maturity watch`` records an outage when the
service is made to fail, opens the incident, notifies the owner by webhook (generic JSON
and Slack-compatible) and e-mail (a local SMTP server), resolves it when the service
recovers, and the status page shows it. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

from platform_maturity.services import downtime as downtime_service
from platform_maturity.services.incidents import acknowledge, list_incidents, notifications_of
from platform_maturity.services.status_page import build_status_pages
from platform_maturity.services.watch import WatchEvents, watch
from platform_maturity.services.workspace import load_workspace, open_store
from tests.downtime_servers import http_service, smtp_server, webhook_receiver


def _config(folder: Path, service: str, hook: str, smtp_port: int) -> Path:
    config = {
        "version": 1,
        "organization": {"name": "Test Org"},
        "units": [{"slug": "alpha", "name": "Alpha"}],
        "downtime": {
            "failure_threshold": 2,
            "success_threshold": 2,
            "concurrency": 4,
            "components": [
                {
                    "id": "auth",
                    "name": "Authentication",
                    "public_name": "Sign-in",
                    "owner": "ines@example.com",
                    "revenue_per_minute": 100,
                    "escalation": [
                        {
                            "notify": ["ines@example.com", "webhook:ops", "webhook:chat"],
                            "after_minutes": 0,
                        },
                        {"notify": ["lead@example.com"], "after_minutes": 10},
                    ],
                    "flows": [
                        {
                            "id": "login",
                            "name": "Log in and see the feed",
                            "latency_budget_ms": 2000,
                        }
                    ],
                }
            ],
            "probes": [
                {
                    "name": "login page",
                    "flow": "auth/login",
                    "url": service + "/",
                    "interval": "0.2s",
                    "timeout": "1s",
                    "conditions": ["[STATUS] == 200"],
                },
                {
                    "name": "broken",
                    "component": "auth",
                    "url": service,
                    "conditions": ["[STATUS]=200"],
                },
            ],
            "notifications": {
                "webhooks": [
                    {"name": "ops", "url": hook + "/ops"},
                    {"name": "chat", "url": hook + "/slack", "format": "slack"},
                ],
                "email": {"host": "127.0.0.1", "port": smtp_port, "sender": "maturity@example.com"},
            },
        },
    }
    path = folder / "maturity.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def _wait(condition: object, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def test_watch_records_an_outage_notifies_and_the_status_page_shows_it(
    tmp_path: Path, database_url: str, monkeypatch: object
) -> None:
    with (
        http_service() as service,
        webhook_receiver() as (hook, received),
        smtp_server() as (
            smtp_port,
            mails,
        ),
    ):
        ws = load_workspace(
            _config(tmp_path, service.url, hook, smtp_port),
            env={"MATURITY_DATABASE_URL": database_url},
        )
        opened: list[str] = []
        resolved: list[str] = []
        problems: list[str] = []
        stop = asyncio.Event()
        loop = asyncio.new_event_loop()
        events = WatchEvents(
            on_opened=lambda i: opened.append(i.key),
            on_resolved=lambda i: resolved.append(i.key),
            on_problem=lambda p: problems.append(p.name),
        )
        with open_store(ws, datetime.now(UTC), "tester") as db:
            thread = threading.Thread(
                target=lambda: loop.run_until_complete(
                    watch(ws, db, stop, {}, events, tick_seconds=0.2, seed=1)
                ),
                daemon=True,
            )
            thread.start()
            try:
                time.sleep(0.8)  # healthy for a while
                assert not opened
                service.behaviour.mode = "fail"
                _wait(lambda: bool(opened))
                _wait(lambda: len(received) >= 2 and len(mails) >= 1)
                # while it is down, the status page shows it
                pages = build_status_pages(ws, db, datetime.now(UTC), tmp_path / "status")
                public = pages["public"].read_text(encoding="utf-8")
                internal = pages["internal"].read_text(encoding="utf-8")
                assert "Major outage" in public and "Sign-in" in public
                assert "We are investigating problems with Sign-in." in public
                assert "ines@example.com" not in public  # owners stay internal
                assert "INC-1" in internal and "Log in and see the feed" in internal
                service.behaviour.mode = "ok"
                _wait(lambda: bool(resolved))
                _wait(lambda: len(received) >= 4 and len(mails) >= 2)
            finally:
                loop.call_soon_threadsafe(stop.set)
                thread.join(timeout=10)
            assert not thread.is_alive(), "watch did not stop"
            loop.close()
            assert problems == ["broken"]
            incidents = list_incidents(db, everything=True)
            assert len(incidents) == 1
            incident = incidents[0]
            assert incident.resolved is not None and incident.method is not None
            assert incident.method.value == "synthetic"
            assert incident.started <= incident.detected <= incident.resolved
            sent = notifications_of(db, int(incident.id or 0))
            assert all(n.ok for n in sent), [n.error for n in sent]
            targets = {(n.event.value, n.target) for n in sent}
            assert ("started", "webhook:ops") in targets and (
                "resolved",
                "ines@example.com",
            ) in targets
            # escalation waits for its minutes: nobody acknowledged the resolved incident,
            # and a resolved incident never escalates
            assert not any(n.event.value == "escalated" for n in sent)
            pages = build_status_pages(ws, db, datetime.now(UTC), tmp_path / "status")
            public = pages["public"].read_text(encoding="utf-8")
            assert "All systems operational" in public
            assert "Sign-in is working normally again." in public
    generic = [body for path, body in received if path == "/ops"]
    slack = [body for path, body in received if path == "/slack"]
    assert [b["event"] for b in generic] == ["started", "resolved"]
    assert generic[0]["incident"]["component"] == "auth"
    assert generic[0]["incident"]["key"] == "INC-1"
    assert slack[0]["text"].startswith("[DOWN] INC-1 SEV1: Authentication is down")
    assert any(b["type"] == "section" for b in slack[0]["blocks"])
    subjects = [m.content.decode() for m in mails]
    assert "Subject: [DOWN] INC-1" in subjects[0] and "ines@example.com" in mails[0].rcpt_tos


def test_escalation_goes_up_the_chain_until_acknowledged(tmp_path: Path, database_url: str) -> None:
    with (
        http_service() as service,
        webhook_receiver() as (hook, _received),
        smtp_server() as (
            smtp_port,
            mails,
        ),
    ):
        ws = load_workspace(
            _config(tmp_path, service.url, hook, smtp_port),
            env={"MATURITY_DATABASE_URL": database_url},
        )
        service.behaviour.mode = "fail"
        start = datetime.now(UTC).replace(microsecond=0)
        with open_store(ws, start, "tester") as db:
            probes, _ = downtime_service.probes_of(ws, ("login page",))
            for _ in range(2):
                downtime_service.record_results(db, downtime_service.run_once(ws, probes))
            outcome = downtime_service.sync_incidents(ws, db, datetime.now(UTC))
            assert len(outcome.opened) == 1
            incident = outcome.opened[0]
            first = downtime_service.send_due_notifications(ws, db, datetime.now(UTC), {})
            assert {n.target for n in first} == {"ines@example.com", "webhook:ops", "webhook:chat"}
            # nine minutes on, still level 0; eleven minutes on, the lead is told
            later = incident.detected.replace(microsecond=0)
            from datetime import timedelta

            assert (
                downtime_service.send_due_notifications(ws, db, later + timedelta(minutes=9), {})
                == []
            )
            escalated = downtime_service.send_due_notifications(
                ws, db, later + timedelta(minutes=11), {}
            )
            assert [(n.event.value, n.level, n.target) for n in escalated] == [
                ("escalated", 1, "lead@example.com")
            ]
            # told once only
            assert (
                downtime_service.send_due_notifications(ws, db, later + timedelta(minutes=12), {})
                == []
            )
            acked = acknowledge(db, incident.key, "ines", later + timedelta(minutes=13), "on it")
            assert acked.acknowledged_by == "ines"
    assert len(mails) == 2 and mails[1].rcpt_tos == ["lead@example.com"]
    assert "[ESCALATED L2]" in mails[1].content.decode()


def test_the_watch_command_stops_cleanly_on_sigterm_and_ctrl_c(
    tmp_path: Path, database_url: str
) -> None:
    import os
    import signal
    import subprocess
    import sys

    with http_service() as service:
        service.behaviour.mode = "hang"  # a probe is waiting on a hung target when the signal comes
        config = _config(tmp_path, service.url, "http://127.0.0.1:9", 25)
        env = {**os.environ, "MATURITY_DATABASE_URL": database_url}
        env.pop("MATURITY_NOW", None)
        for sig in (signal.SIGTERM, signal.SIGINT):
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from platform_maturity.cli.main import run; run()",
                    "--workspace",
                    str(config),
                    "watch",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            try:
                assert process.stderr is not None
                line = process.stderr.readline()
                assert "Watching 2 probe(s)" in line, line
                time.sleep(1.5)
                process.send_signal(sig)
                _out, err = process.communicate(timeout=15)
            finally:
                if process.poll() is None:
                    process.kill()
            assert process.returncode == 0, err
            assert "Stopped:" in err and "probe 'broken' left out" in err


def test_application_code_sends_flow_failed_events_over_http(
    tmp_path: Path, database_url: str
) -> None:
    import httpx

    from platform_maturity.services.watch import run_watch
    from tests.downtime_servers import free_port

    with http_service() as service:
        ws = load_workspace(
            _config(tmp_path, service.url, "http://127.0.0.1:9", 25),
            env={"MATURITY_DATABASE_URL": database_url},
        )
        port = free_port()
        opened: list[str] = []
        urls: list[str] = []
        with open_store(ws, datetime.now(UTC), "tester") as db:
            thread = threading.Thread(
                target=run_watch,
                args=(ws, db, {}, WatchEvents(on_opened=lambda i: opened.append(i.title))),
                kwargs={
                    "duration": 8,
                    "listen": ("127.0.0.1", port),
                    "token": "s3cret",
                    "on_listening": urls.append,
                },
                daemon=True,
            )
            thread.start()
            _wait(lambda: bool(urls))
            url = urls[0]
            assert url == f"http://127.0.0.1:{port}/signals"
            event = {
                "kind": "runtime",
                "target": "auth/login",
                "source": "api",
                "message": "500 on login",
            }
            auth = {"Authorization": "Bearer s3cret"}
            assert httpx.post(url, json=event).status_code == 401
            bad = httpx.post(url, json=[event, {"target": "auth/nope"}], headers=auth)
            assert bad.status_code == 400 and "event 2: " in bad.json()["error"]
            assert "has no such flow" in bad.json()["error"]
            ok = httpx.post(url, json=[event] * 6, headers=auth)
            assert ok.status_code == 202 and ok.json() == {"recorded": 6}
            _wait(lambda: bool(opened))
            thread.join(timeout=15)
            assert not thread.is_alive()
            (incident,) = list_incidents(db, everything=True)
            assert incident.method is not None and incident.method.value == "runtime"
            assert opened == ["Authentication is down"]

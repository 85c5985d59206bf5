"""Probes against real servers on loopback: answers, failures, hangs, resets, garbage, bad and
expiring certificates, budgets, multi-step flows, health payloads, TCP and DNS."""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from platform_maturity.domain.downtime import DowntimeSettings
from platform_maturity.domain.probes import ProbeKind, ProbeSpec, build_probe, load_probes
from platform_maturity.probes.runner import run_all, run_one
from tests.downtime_servers import dns_server, free_port, http_service, run, tls_context

SETTINGS = DowntimeSettings.model_validate(
    {
        "components": [
            {
                "id": "auth",
                "name": "Authentication",
                "owner": "ines@example.com",
                "flows": [
                    {
                        "id": "login",
                        "name": "Log in and land on the feed",
                        "latency_budget_ms": 500,
                    },
                ],
            },
            {"id": "feed", "name": "Feed", "flows": []},
        ]
    }
)


def probe(**raw: Any) -> ProbeSpec:
    raw.setdefault("name", "p")
    raw.setdefault("component", "auth")
    raw.setdefault("timeout", "2s")
    return build_probe(raw, SETTINGS)


def once(spec: ProbeSpec, budget: int | None = None) -> Any:
    results = run(run_one(spec, budget))
    assert len(results) == 1
    return results[0]


def test_a_healthy_endpoint_passes_and_shows_resolved_values() -> None:
    with http_service() as service:
        spec = probe(
            url=service.url + "/",
            conditions=[
                "[STATUS] == 200",
                "[RESPONSE_TIME] < 2000",
                "[BODY].status == ok",
                "[BODY].price > 10.25",
                "has([BODY].version) == true",
            ],
        )
        result = once(spec)
    assert result.ok, result.error
    assert result.status == "HTTP 200"
    assert "[STATUS] (200) == 200" in result.details
    assert "[BODY].price (10.5) > 10.25" in result.details


def test_a_5xx_fails_with_the_resolved_condition() -> None:
    with http_service() as service:
        service.behaviour.mode = "fail"
        result = once(probe(url=service.url + "/", conditions=["[STATUS] == 200"]))
    assert not result.ok
    assert result.error == "[STATUS] (503) == 200"


def test_a_hanging_target_times_out_and_a_refused_port_is_named() -> None:
    with http_service() as service:
        service.behaviour.mode = "hang"
        spec = probe(url=service.url + "/", conditions=["[STATUS] == 200"], timeout="0.5s")
        result = once(spec)
    assert not result.ok and "timed out" in (result.error or "")
    refused = once(probe(url=f"http://127.0.0.1:{free_port()}/", conditions=["[STATUS] == 200"]))
    assert not refused.ok and refused.error == "connection refused"


@pytest.mark.parametrize("mode", ["close", "garbage"])
def test_a_reset_or_garbage_answer_is_a_failure_not_a_crash(mode: str) -> None:
    with http_service() as service:
        service.behaviour.mode = mode
        result = once(probe(url=service.url + "/", conditions=["[STATUS] == 200"]))
    assert not result.ok
    assert result.error and "probe failed" not in result.error


def test_an_untrusted_certificate_fails_and_insecure_accepts_it(tmp_path: Path) -> None:
    certs = tls_context(tmp_path, trusted=False)
    with http_service(certs.context) as service:
        bad = once(
            probe(url=service.url + "/", conditions=["[STATUS] == 200"], ca_file=str(certs.ca_file))
        )
        insecure = once(probe(url=service.url + "/", conditions=["[STATUS] == 200"], insecure=True))
    assert not bad.ok and (bad.error or "").startswith("bad TLS certificate")
    assert insecure.ok, insecure.error


def test_an_expiring_certificate_fails_the_expiration_condition(tmp_path: Path) -> None:
    certs = tls_context(tmp_path, expires_in=timedelta(hours=20))
    with http_service(certs.context) as service:
        spec = probe(
            url=service.url + "/",
            ca_file=str(certs.ca_file),
            conditions=["[STATUS] == 200", "[CERTIFICATE_EXPIRATION] > 48h"],
        )
        result = once(spec)
        fresh = tls_context(tmp_path, expires_in=timedelta(days=30))
    assert not result.ok
    assert "[CERTIFICATE_EXPIRATION]" in (result.error or "") and "> 48h" in (result.error or "")
    with http_service(fresh.context) as service:
        ok = once(
            probe(
                url=service.url + "/",
                ca_file=str(fresh.ca_file),
                conditions=["[CERTIFICATE_EXPIRATION] > 7d"],
            )
        )
    assert ok.ok, ok.error


def test_slower_than_the_flow_budget_is_downtime() -> None:
    with http_service() as service:
        service.behaviour.mode = "slow"
        service.behaviour.delay = 0.3
        spec = probe(url=service.url + "/", flow="auth/login", conditions=["[STATUS] == 200"])
        result = once(spec, budget=100)
    assert not result.ok
    assert "over the flow's budget of 100 ms" in (result.error or "")


def test_a_flow_shares_cookies_and_tokens_and_holds_the_total_to_the_budget() -> None:
    steps = [
        {
            "name": "log in",
            "url": "{base}/login",
            "method": "POST",
            "body": '{"user": "probe"}',
            "conditions": ["[STATUS] == 200", "has([BODY].token) == true"],
            "store": {"token": "[BODY].token"},
        },
        {
            "name": "feed",
            "url": "{base}/feed",
            "headers": {"Authorization": "Bearer [CONTEXT].token"},
            "conditions": ["[STATUS] == 200", "len([BODY].items) > 0"],
        },
    ]
    with http_service() as service:
        filled = [{**s, "url": s["url"].format(base=service.url)} for s in steps]
        spec = probe(name="login flow", flow="auth/login", steps=filled)
        assert spec.kind is ProbeKind.FLOW
        ok = once(spec, budget=5000)
        assert ok.ok, ok.error
        assert service.behaviour.requests[-2:] == ["POST /login", "GET /feed"]
        # a wrong password: the first step fails and the flow stops there
        wrong = [{**filled[0], "body": '{"user": "intruder"}'}, filled[1]]
        denied = once(probe(name="denied", flow="auth/login", steps=wrong), budget=5000)
        service.behaviour.mode = "slow"
        service.behaviour.delay = 0.15
        slow = once(spec, budget=200)
    assert not denied.ok and (denied.error or "").startswith("log in: [STATUS] (403) == 200")
    assert not slow.ok and "the flow took" in (slow.error or "")


def test_a_health_payload_marks_the_components_its_failing_parts_affect() -> None:
    with http_service() as service:
        spec = probe(
            name="health",
            component=None,
            url=service.url + "/health",
            health={"parts": {"auth_db": ["auth"], "cache": ["feed", "auth"]}},
        )
        healthy = run(run_one(spec, None))
        service.behaviour.health["cache"] = "DOWN"
        sick = run(run_one(spec, None))
        service.behaviour.mode = "garbage"
        unreadable = run(run_one(spec, None))
    assert [r.ok for r in healthy] == [True, True]
    assert {r.component: r.ok for r in sick} == {"auth": False, "feed": False}
    assert all("cache is DOWN" in (r.error or "") for r in sick)
    assert all(r.method.value == "healthcheck" for r in sick)
    assert not any(r.ok for r in unreadable)


def test_tcp_probes_see_open_and_refused_ports() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        up = once(probe(url=f"tcp://127.0.0.1:{port}"))
    down = once(probe(url=f"tcp://127.0.0.1:{free_port()}"))
    assert up.ok and up.status == "connected"
    assert not down.ok and "connection refused" in (down.error or "")


def test_dns_probes_ask_a_local_resolver() -> None:
    with dns_server() as port:
        found = once(
            probe(
                url=f"127.0.0.1:{port}",
                dns={"query_name": "shop.test", "query_type": "A"},
                conditions=["[DNS_RCODE] == NOERROR", "[IP] == 127.0.0.7"],
            )
        )
        missing = once(
            probe(url=f"127.0.0.1:{port}", dns={"query_name": "nope.test", "query_type": "A"})
        )
    assert found.ok, found.error
    assert not missing.ok and "NXDOMAIN" in (missing.error or "")


def test_a_broken_probe_is_reported_and_the_others_still_run() -> None:
    with http_service() as service:
        settings = SETTINGS.model_copy(
            update={
                "probes": [
                    {
                        "name": "good",
                        "component": "auth",
                        "url": service.url + "/",
                        "conditions": ["[STATUS] == 200"],
                    },
                    {
                        "name": "squeezed",
                        "component": "auth",
                        "url": service.url + "/",
                        "conditions": ["[STATUS]==200"],
                    },
                    {
                        "name": "nowhere",
                        "component": "ghost",
                        "url": service.url + "/",
                        "conditions": ["[STATUS] == 200"],
                    },
                    {
                        "name": "days",
                        "component": "auth",
                        "url": service.url + "/",
                        "conditions": ["[CERTIFICATE_EXPIRATION] > 30x"],
                    },
                ]
            }
        )
        probes, problems = load_probes(settings)
        results = run(run_all(probes, {}, 4))
    assert [p.name for p in probes] == ["good"]
    messages = {p.name: p.message for p in problems}
    assert "one space on each side" in messages["squeezed"]
    assert "no component 'ghost'" in messages["nowhere"]
    assert "not a duration unit" in messages["days"]
    assert [r.ok for r in results] == [True]

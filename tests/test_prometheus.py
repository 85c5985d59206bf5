"""The Prometheus collector against a real Prometheus on loopback.

The test starts a tiny exporter (a real HTTP server on 127.0.0.1) whose counters and
histogram it controls, and Debian's ``prometheus`` scraping it every second with a
temporary configuration and storage. The counters go through three phases: first values,
growth, and a restart (values drop); the collector must count every action exactly once.
Required in CI (MATURITY_REQUIRE_PROMETHEUS); skipped elsewhere only when the binary is
absent.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from platform_maturity.cli.main import main
from platform_maturity.collectors.prometheus import collect, http_getter
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.kpi_mapping import SubsystemConfig

pytestmark = pytest.mark.prometheus

# (requests ok, requests failed, bucket le=0.5, bucket le=1, count) per phase
PHASES = [(900, 100, 700, 950, 1000), (1350, 150, 1050, 1425, 1500), (20, 5, 10, 24, 25)]
EXPECTED_TOTAL = 900 + 100 + 450 + 50 + 20 + 5  # 1,525 actions
EXPECTED_FAILED = 100 + 50 + 5  # 155
EXPECTED_SLOW = (1000 - 950) + (500 - 475) + (25 - 24)  # 76 slower than 1 s


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Exporter:
    def __init__(self) -> None:
        self.phase = 0
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                ok, failed, le_half, le_one, total = PHASES[exporter.phase]
                body = (
                    "# TYPE app_requests_total counter\n"
                    f'app_requests_total{{subsystem="api",code="200"}} {ok}\n'
                    f'app_requests_total{{subsystem="api",code="500"}} {failed}\n'
                    "# TYPE app_request_seconds histogram\n"
                    f'app_request_seconds_bucket{{subsystem="api",le="0.5"}} {le_half}\n'
                    f'app_request_seconds_bucket{{subsystem="api",le="1.0"}} {le_one}\n'
                    f'app_request_seconds_bucket{{subsystem="api",le="+Inf"}} {total}\n'
                    f'app_request_seconds_sum{{subsystem="api"}} {total * 0.4}\n'
                    f'app_request_seconds_count{{subsystem="api"}} {total}\n'
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def prometheus(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, datetime, datetime]]:
    binary = shutil.which("prometheus")
    if binary is None:
        if os.environ.get("MATURITY_REQUIRE_PROMETHEUS"):
            pytest.fail("prometheus is not installed but MATURITY_REQUIRE_PROMETHEUS is set")
        pytest.skip("Debian's prometheus is not installed (make system-deps installs it)")
    exporter = _Exporter()
    folder = tmp_path_factory.mktemp("prometheus")
    config = folder / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n  - job_name: app\n    static_configs:\n"
        f"      - targets: ['127.0.0.1:{exporter.port}']\n",
        encoding="utf-8",
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5)
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={folder / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(lambda: httpx.get(f"{url}/-/ready", timeout=1).status_code == 200, 60)
        for phase in range(len(PHASES)):
            exporter.phase = phase
            ok = PHASES[phase][0]
            _wait(lambda ok=ok: _scraped(url, ok) >= 3, 60)  # type: ignore[misc]
        end = datetime.now(UTC) + timedelta(seconds=1)
        time.sleep(1.5)
        yield url, start, end
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        exporter.close()


def _wait(ready: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if ready():  # type: ignore[operator]
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("Prometheus did not get there in time")


def _scraped(url: str, value: int) -> int:
    """How many scrapes in the last 30 s saw the ok-counter at ``value``."""
    query = f'count_over_time((app_requests_total{{code="200"}} == {value})[30s:1s])'
    data = httpx.get(f"{url}/api/v1/query", params={"query": query}, timeout=5).json()
    result = data["data"]["result"]
    return int(float(result[0]["value"][1])) if result else 0


SUBSYSTEM = SubsystemConfig(
    name="api",
    total='app_requests_total{subsystem="api"}',
    failed='app_requests_total{subsystem="api",code=~"5.."}',
    latency_histogram='app_request_seconds{subsystem="api"}',
    latency_target_s=1.0,
)


def test_error_and_latency_counts_are_exact(prometheus: tuple[str, datetime, datetime]) -> None:
    url, start, end = prometheus
    windows = collect(http_getter(url), [SUBSYSTEM], start, end)
    error, latency = windows
    assert (error.kind, error.bad, error.total) == ("error", EXPECTED_FAILED, EXPECTED_TOTAL)
    assert (latency.kind, latency.bad, latency.total) == ("latency", EXPECTED_SLOW, EXPECTED_TOTAL)
    assert latency.threshold_s == 1.0


def test_a_target_that_is_no_bucket_bound_is_refused(
    prometheus: tuple[str, datetime, datetime],
) -> None:
    url, start, end = prometheus
    odd = SUBSYSTEM.model_copy(update={"latency_target_s": 0.75})
    with pytest.raises(UserError) as caught:
        collect(http_getter(url), [odd], start, end)
    assert "0.5, 1.0" in str(caught.value)


def test_kpi_collect_command_stores_the_rates(
    prometheus: tuple[str, datetime, datetime],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, _start, end = prometheus
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "maturity.yaml").write_text(
        "version: 1\norganization:\n  name: Prom\nkpi:\n  prometheus:\n"
        f"    url: {url}\n    subsystems:\n      - name: api\n"
        f"        total: '{SUBSYSTEM.total}'\n        failed: '{SUBSYSTEM.failed}'\n"
        f"        latency_histogram: '{SUBSYSTEM.latency_histogram}'\n"
        "        latency_target_s: 1\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(folder)
    monkeypatch.setenv("MATURITY_NOW", end.isoformat())
    assert main(["kpi", "collect"]) == 0
    out = capsys.readouterr().out
    assert "1,525" in out and "155" in out
    assert main(["kpi", "--format", "json"]) == 0
    import json

    report = json.loads(capsys.readouterr().out)
    rates = {k["id"]: k["current"]["value"] for k in report["kpis"]}
    assert rates["error-rate"] == pytest.approx(100 * EXPECTED_FAILED / EXPECTED_TOTAL)
    assert rates["latency-target-miss-rate"] == pytest.approx(100 * EXPECTED_SLOW / EXPECTED_TOTAL)
    # collecting again replaces the quarter's window instead of adding to it
    assert main(["kpi", "collect"]) == 0
    capsys.readouterr()
    assert main(["kpi", "--format", "json"]) == 0
    again = json.loads(capsys.readouterr().out)
    error = next(k for k in again["kpis"] if k["id"] == "error-rate")["current"]
    assert error["denominator"] == EXPECTED_TOTAL


def test_unreachable_prometheus_is_a_clear_error(tmp_path: Path) -> None:
    get = http_getter(f"http://127.0.0.1:{_free_port()}", timeout=2)
    with pytest.raises(UserError) as caught:
        collect(get, [SUBSYSTEM], datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC))
    assert "cannot reach Prometheus" in str(caught.value)

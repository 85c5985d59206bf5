"""Probe speed: our HTTP probes against the Prometheus blackbox exporter, same targets.

A local HTTP service on loopback answers JSON. Each round probes every target once with
the same concurrency and the same check (status 200 and a body field), through:

- ours: ``platform_maturity.probes.runner.run_all`` (the code ``maturity watch`` runs);
- the peer: Debian's ``prometheus-blackbox-exporter``, asked over its ``/probe`` endpoint
  (one more loopback hop per probe, as Prometheus asks it).

Prints the median round time of each and the ratio. Installs the exporter with apt-get
when missing (as root). Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from platform_maturity.domain.downtime import DowntimeSettings
from platform_maturity.domain.probes import build_probe
from platform_maturity.probes.runner import run_all

EXPORTER = "/usr/bin/prometheus-blackbox-exporter"
TARGETS = 60
ROUNDS = 9
CONCURRENCY = 8
BODY = json.dumps({"status": "ok", "items": list(range(20))}).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_exporter() -> str:
    if Path(EXPORTER).is_file():
        return EXPORTER
    if shutil.which("apt-get") is None:
        sys.exit("prometheus-blackbox-exporter is missing and apt-get is not available")
    print("Installing prometheus-blackbox-exporter (Debian package)...", flush=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "prometheus-blackbox-exporter"],
        check=True,
        stdout=subprocess.DEVNULL,
        env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
    )
    return EXPORTER


def start_exporter(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    config = folder / "blackbox.yml"
    config.write_text(
        "modules:\n"
        "  http_check:\n"
        "    prober: http\n"
        "    timeout: 5s\n"
        "    http:\n"
        "      valid_status_codes: [200]\n"
        '      fail_if_body_not_matches_regexp: [\'"status": "ok"\']\n',
        encoding="utf-8",
    )
    port = free_port()
    process = subprocess.Popen(
        [ensure_exporter(), f"--config.file={config}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/-/healthy", timeout=1).status_code == 200:
                return process, port
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    sys.exit("the blackbox exporter did not start")


async def peer_round(exporter: int, urls: list[str]) -> int:
    gate = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(timeout=10) as client:

        async def one(url: str) -> bool:
            async with gate:
                response = await client.get(
                    f"http://127.0.0.1:{exporter}/probe",
                    params={"target": url, "module": "http_check"},
                )
            return "\nprobe_success 1" in "\n" + response.text

        results = await asyncio.gather(*(one(u) for u in urls))
    return sum(results)


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    urls = [f"{base}/item/{i}" for i in range(TARGETS)]
    settings = DowntimeSettings.model_validate(
        {"components": [{"id": "shop", "name": "Shop", "flows": []}]}
    )
    probes = [
        build_probe(
            {
                "name": f"p{i}",
                "component": "shop",
                "url": url,
                "conditions": ["[STATUS] == 200", "[BODY].status == ok"],
            },
            settings,
        )
        for i, url in enumerate(urls)
    ]
    with tempfile.TemporaryDirectory() as folder:
        process, exporter = start_exporter(Path(folder))
        try:
            ours: list[float] = []
            theirs: list[float] = []
            for _ in range(ROUNDS):  # interleaved, so both see the same machine load
                started = time.perf_counter()
                results = asyncio.run(run_all(probes, {}, CONCURRENCY))
                ours.append(time.perf_counter() - started)
                assert sum(r.ok for r in results) == TARGETS, "our probes failed"
                started = time.perf_counter()
                passed = asyncio.run(peer_round(exporter, urls))
                theirs.append(time.perf_counter() - started)
                assert passed == TARGETS, "the exporter's probes failed"
        finally:
            process.terminate()
            process.wait(timeout=10)
            server.shutdown()
    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    print(f"{TARGETS} HTTP probes per round, {CONCURRENCY} at a time, {ROUNDS} rounds, loopback")
    print(f"  ours (platform-maturity)         median {ours_median * 1000:8.1f} ms per round")
    print(f"  prometheus-blackbox-exporter     median {theirs_median * 1000:8.1f} ms per round")
    print(f"  ratio ours / exporter            {ours_median / theirs_median:8.2f}")


if __name__ == "__main__":
    main()

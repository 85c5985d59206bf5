"""Scan speed: ours against Checkov on the same Kubernetes corpora, and 1,000 repositories.

Run with ``make bench-scan``. Checkov is installed from PyPI into its own virtual
environment (``.bench/checkov``) the first time. Each tool runs as a whole command (start-up
included) several times; the medians and their ratio are printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "kubernetes"
CHECKOV_VENV = ROOT / ".bench" / "checkov"
CHECKOV_VERSION = "3.2.500"
MATURITY = Path(sys.executable).parent / "maturity"


def checkov() -> Path:
    binary = CHECKOV_VENV / "bin" / "checkov"
    if not binary.exists():
        print(f"Installing Checkov into {CHECKOV_VENV} (once)...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
        pip = [str(CHECKOV_VENV / "bin" / "pip"), "install", "-q"]
        try:
            subprocess.run([*pip, f"checkov=={CHECKOV_VERSION}"], check=True)
        except subprocess.CalledProcessError:
            subprocess.run([*pip, "checkov"], check=True)
    return binary


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    return time.perf_counter() - start


def workspace(folder: Path) -> dict[str, str]:
    subprocess.run(
        [str(MATURITY), "init", str(folder), "--name", "bench"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return {**os.environ, "MATURITY_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}"}


def compare(target: Path, runs: int, scratch: Path) -> tuple[float, float]:
    env = workspace(scratch / target.name)
    workspace_dir = scratch / target.name
    command = [
        str(MATURITY),
        "-w",
        str(workspace_dir),
        "scan",
        str(target),
        "--format",
        "json",
        "--out",
        os.devnull,
    ]
    ours = []
    for _ in range(runs):  # cold every time, like Checkov, which keeps no cache
        shutil.rmtree(workspace_dir / ".maturity" / "cache", ignore_errors=True)
        ours.append(timed(command, env))
    theirs_cmd = [
        str(checkov()),
        "-d",
        str(target),
        "--framework",
        "kubernetes",
        "--quiet",
        "--compact",
        "-o",
        "json",
        "--skip-download",
    ]
    theirs = [timed(theirs_cmd) for _ in range(runs)]
    return statistics.median(ours), statistics.median(theirs)


def many_repositories(count: int, scratch: Path) -> float:
    sys.path.insert(0, str(ROOT / "src"))
    from platform_maturity.services.demo_evidence import PRACTICE, _repository

    folder = scratch / "org"
    practices = list(PRACTICE.values())
    print(f"Generating {count} git repositories...", flush=True)
    for index in range(count):
        _repository(
            folder / f"repo-{index:04d}", f"repo-{index:04d}", practices[index % len(practices)]
        )
    env = workspace(scratch / "org-ws")
    return timed(
        [
            str(MATURITY),
            "-w",
            str(scratch / "org-ws"),
            "scan",
            str(folder),
            "--format",
            "json",
            "--out",
            os.devnull,
        ],
        env,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repositories", type=int, default=1000)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="bench-scan-"))
    try:
        print(f"{'input':<28} {'ours (median s)':>16} {'checkov (median s)':>19} {'ratio':>8}")
        for name in ("kubernetes-examples", "microservices-demo"):
            ours, theirs = compare(CORPUS / name, args.runs, scratch)
            print(f"{name:<28} {ours:>16.2f} {theirs:>19.2f} {theirs / ours:>7.1f}x", flush=True)
        if args.repositories:
            seconds = many_repositories(args.repositories, scratch)
            verdict = "within" if seconds < 60 else "OVER"
            print(f"{args.repositories} repositories: {seconds:.1f} s ({verdict} the 60 s target)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

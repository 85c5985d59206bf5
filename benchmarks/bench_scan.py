"""Scan speed: ours against Checkov on the same Kubernetes inputs, and 1,000 repositories.

Run with ``make bench-scan``. Checkov is installed from PyPI into its own virtual
environment (``.bench/checkov``) the first time. Every tool runs as a whole command, start-up
included, ``--runs`` times per input, alternating; the medians and their ratios are printed.

What runs:
- ``checkov -d INPUT --framework kubernetes -o json``: parse, check, write JSON.
- ours, ``--no-store``: the same job (parse, check, write JSON), nothing recorded.
- ours, stored: the same, and the scan recorded in a workspace's SQLite database in one
  transaction (what ``maturity scan`` does by default).

Fairness: both tools run from installed, byte-compiled code (our source is compiled first,
as pip does for a regular install). Our parse cache of the inputs is cleared before every
run, so each run reads and parses every file, as Checkov does. The validated check catalog
and framework in the user cache are derived from our own program files, like ``.pyc``
files, and stay warm after the first (untimed) run.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "kubernetes"
CHECKOV_VENV = ROOT / ".bench" / "checkov"
CHECKOV_VERSION = "3.2.500"
MATURITY = Path(sys.executable).parent / "maturity"
INPUTS = ("kubernetes-examples", "microservices-demo")
COPIES = 20  # the larger input: this many copies of both corpora side by side
TARGET = 20.0  # ours at least this many times faster than Checkov, on each input
# The least a Python program that reads YAML costs: the interpreter with its site-packages
# and PyYAML imported. (A Typer command costs more: Typer builds a Pydantic adapter for each
# parameter, so a well-formed scan command line is read without Typer.)
FLOOR = "import yaml"


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
    done = subprocess.run(
        command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):  # Checkov exits 1 when checks fail
        message = done.stderr.decode(errors="replace").strip()[-400:]
        raise SystemExit(f"{command[0]} failed ({done.returncode}): {message}")
    return seconds


def workspace(folder: Path) -> dict[str, str]:
    subprocess.run(
        [str(MATURITY), "init", str(folder), "--name", "bench"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return {**os.environ, "MATURITY_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}"}


def ours(target: Path, folder: Path, store: bool) -> Callable[[], float]:
    env = workspace(folder)
    command = [str(MATURITY), "-w", str(folder), "scan", str(target), "--format", "json"]
    command += ["--out", os.devnull] + ([] if store else ["--no-store"])

    def run() -> float:
        shutil.rmtree(folder / ".maturity" / "cache", ignore_errors=True)  # parse every file
        return timed(command, env)

    return run


def theirs(target: Path) -> Callable[[], float]:
    command = [str(checkov()), "-d", str(target), "--framework", "kubernetes"]
    command += ["--quiet", "--compact", "-o", "json", "--skip-download"]
    return lambda: timed(command)


def medians(runners: dict[str, Callable[[], float]], runs: int) -> dict[str, float]:
    for runner in runners.values():
        runner()  # warm-up, untimed: the OS file cache and our user cache
    times: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(runs):
        for name, runner in runners.items():  # alternate, so load affects all alike
            times[name].append(runner())
    return {name: statistics.median(values) for name, values in times.items()}


def larger_input(scratch: Path, copies: int) -> Path:
    folder = scratch / f"corpora-x{copies}"
    for copy in range(copies):
        for name in INPUTS:
            shutil.copytree(CORPUS / name, folder / f"{copy:02d}-{name}")
    return folder


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
    command = [str(MATURITY), "-w", str(scratch / "org-ws"), "scan", str(folder)]
    return timed([*command, "--format", "json", "--out", os.devnull], env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--repositories", type=int, default=1000)
    parser.add_argument(
        "--copies", type=int, default=COPIES, help="copies in the larger input (0: none)"
    )
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    compileall.compile_dir(ROOT / "src" / "platform_maturity", quiet=1)
    scratch = Path(tempfile.mkdtemp(prefix="bench-scan-"))
    try:
        floor = medians({"floor": lambda: timed([sys.executable, "-c", FLOOR])}, args.runs)["floor"]
        print(f"Medians of {args.runs} runs, whole commands, seconds (ratio: Checkov / ours).")
        print(f"Start-up floor (Python with PyYAML imported, doing nothing): {floor:.2f} s\n")
        header = f"{'input':<30} {'checkov':>8} {'ours':>6} {'ratio':>6} {'stored':>7} {'ratio':>6}"
        print(header + f"  (target: {TARGET:.0f}x)")
        targets = [CORPUS / name for name in INPUTS]
        if args.copies:
            targets.append(larger_input(scratch, args.copies))
        for target in targets:
            runners = {
                "checkov": theirs(target),
                "ours": ours(target, scratch / f"ws-{target.name}", store=False),
                "stored": ours(target, scratch / f"ws-stored-{target.name}", store=True),
            }
            m = medians(runners, args.runs)
            ratios = {name: m["checkov"] / m[name] for name in ("ours", "stored")}
            met = [name for name, ratio in ratios.items() if ratio >= TARGET]
            verdict = "met by " + " and ".join(met) if met else "not met"
            print(
                f"{target.name:<30} {m['checkov']:>8.2f} {m['ours']:>6.2f}"
                f" {ratios['ours']:>5.1f}x {m['stored']:>7.2f}"
                f" {ratios['stored']:>5.1f}x  ({verdict})",
                flush=True,
            )
        if args.repositories:
            seconds = many_repositories(args.repositories, scratch)
            verdict = "within" if seconds < 60 else "OVER"
            print(
                f"\n{args.repositories} repositories: {seconds:.1f} s ({verdict} the 60 s target)"
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

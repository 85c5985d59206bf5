"""KPI speed: import 1,000,000 work items with their status history, compute every KPI.

Run with ``make bench-kpi``. The work items are generated (seeded) as Jira Data Center
data pipeline exports (issues CSV plus issue history CSV with every status transition),
250,000 issues an export, under ``.bench/kpi/``. Then:

1. import them with ``maturity import jira-pipeline`` into a fresh SQLite workspace
   (one transaction per export), timed: work items per second (target: 50,000 or more);
2. compute every KPI for 8 quarters from the store, several runs: the median (target:
   under 5 s on SQLite);
3. the reference: a plain pandas computation of the same work-item numbers (change failure
   rate, velocity, development latency, MTTR) from the same SQLite file, same runs, median.
   The numbers of both are compared, and the ratio printed (target: ours at most 2×).

``--database-url URL`` runs the same on another store, e.g. an empty PostgreSQL database or
schema (``postgresql+psycopg://user@host/db?options=-csearch_path%3Dbench``): it must be
empty, the benchmark writes to it and leaves its rows there. ``--record-path`` imports
without the bulk path, for comparison. ``--items N`` sets the number of work items.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".bench" / "kpi"
PER_EXPORT = 250_000  # issues per data pipeline export (one transaction each)
QUARTER_STARTS = [
    datetime(2024 + (q + 2) // 4, ((q + 2) % 4) * 3 + 1, 1, tzinfo=UTC) for q in range(9)
]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def generate(count: int, folder: Path) -> list[Path]:
    """Data pipeline exports (issues and issue history CSV), PER_EXPORT issues each."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / "done"
    exports = [folder / f"export-{i:02d}" for i in range((count + PER_EXPORT - 1) // PER_EXPORT)]
    if stamp.exists():
        return exports
    rng = random.Random(42)
    start, end = QUARTER_STARTS[0], QUARTER_STARTS[-1]
    span = int((end - start).total_seconds())
    types = ["Story"] * 6 + ["Bug"] * 2 + ["Task"]
    number = 0
    change = 0
    for export in exports:
        export.mkdir(exist_ok=True)
        with (
            (export / "issues_job1.csv").open("w", newline="", encoding="utf-8") as issues_file,
            (export / "issue_history_job1.csv").open(
                "w", newline="", encoding="utf-8"
            ) as history_file,
        ):
            issues = csv.writer(issues_file)
            history = csv.writer(history_file)
            issues.writerow(
                [
                    "id",
                    "key",
                    "project_key",
                    "issue_type",
                    "summary",
                    "status",
                    "status_category",
                    "priority_name",
                    "resolution",
                    "created_date",
                    "resolution_date",
                    "labels",
                ]
            )
            history.writerow(
                ["issue_id", "changelog_id", "created_date", "field", "from_string", "to_string"]
            )
            for _ in range(min(PER_EXPORT, count - number)):
                number += 1
                created = start + timedelta(seconds=rng.randrange(span))
                kind = rng.choice(types)
                started = created + timedelta(hours=rng.randint(1, 200))
                done = started + timedelta(hours=rng.randint(2, 400))
                finished = done < end and rng.random() < 0.85
                change += 1
                history.writerow([number, change, _iso(started), "status", "To Do", "In Progress"])
                if finished:
                    change += 1
                    history.writerow([number, change, _iso(done), "status", "In Progress", "Done"])
                resolution = "Duplicate" if kind == "Bug" and rng.random() < 0.05 else "Done"
                issues.writerow(
                    [
                        number,
                        f"P{number % 40}-{number}",
                        f"P{number % 40}",
                        kind,
                        f"Issue {number}",
                        "Done" if finished else "In Progress",
                        "Done" if finished else "In Progress",
                        rng.choice(["High", "Medium", "Low"]),
                        resolution if finished else "",
                        _iso(created),
                        _iso(done) if finished else "",
                        rng.choice(["production", "qa", "production"]) if kind == "Bug" else "",
                    ]
                )
    stamp.write_text("ok\n")
    return exports


def ours(workspace: object, database: object, now: datetime) -> dict[str, list[float | None]]:
    from platform_maturity.services.kpi import build_kpi_report

    report = build_kpi_report(workspace, database, now, "2026-Q2", None, 8)  # type: ignore[arg-type]
    wanted = (
        "change-failure-rate",
        "development-velocity",
        "development-latency",
        "mean-time-to-respond",
    )
    return {k.id: [p.value for p in k.history] for k in report.kpis if k.id in wanted}


def reference(url: str) -> dict[str, list[float | None]]:
    """The same numbers with pandas, straight from the store (a SQLite file: sqlite3)."""
    import sqlite3

    import pandas as pd

    query = (
        "SELECT kind, resolution, is_bot, found_in, created_at, started_at, completed_at"
        " FROM work_items"
    )
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            frame = pd.read_sql_query(query, connection)
    else:
        from sqlalchemy import create_engine

        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                frame = pd.read_sql_query(query, connection)
        finally:
            engine.dispose()
    for column in ("created_at", "started_at", "completed_at"):
        if not isinstance(frame[column].dtype, pd.DatetimeTZDtype):  # SQLite: UTC text
            frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    edges = pd.to_datetime([q.isoformat() for q in QUARTER_STARTS[:]], utc=True)
    edges = edges[-9:]
    frame["created_q"] = pd.cut(frame["created_at"], edges, right=False, labels=False)
    frame["done_q"] = pd.cut(frame["completed_at"], edges, right=False, labels=False)
    valid = ~frame["resolution"].isin(["duplicate", "not_planned"]) & (frame["is_bot"] == 0)
    bugs = frame[(frame["kind"] == "bug") & valid].groupby("created_q").size()
    done = frame[valid & frame["done_q"].notna()]
    features = done[done["kind"] == "feature"]
    feature_count = features.groupby("done_q").size()
    velocity = done.groupby("done_q").size()
    latency = features[features["started_at"].notna()]
    latency_days = (latency["completed_at"] - latency["started_at"]).dt.total_seconds() / 86400
    latency_mean = latency_days.groupby(latency["done_q"]).mean()
    prod_bugs = done[(done["kind"] == "bug") & (done["found_in"] != "qa")]
    mttr = (
        ((prod_bugs["completed_at"] - prod_bugs["created_at"]).dt.total_seconds() / 3600)
        .groupby(prod_bugs["done_q"])
        .mean()
    )
    quarters = range(8)
    return {
        "change-failure-rate": [
            100.0 * bugs.get(q, 0) / feature_count[q] if feature_count.get(q) else None
            for q in quarters
        ],
        "development-velocity": [float(velocity.get(q, 0)) for q in quarters],
        "development-latency": [
            float(latency_mean[q]) if q in latency_mean else None for q in quarters
        ],
        "mean-time-to-respond": [float(mttr[q]) if q in mttr else None for q in quarters],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--database-url",
        help="an empty store to use instead of a fresh SQLite file (e.g. PostgreSQL)",
    )
    parser.add_argument("--record-path", action="store_true", help="import without the bulk path")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from platform_maturity.services.kpi_import import import_files
    from platform_maturity.services.workspace import load_workspace, open_store

    print(
        f"Generating {args.items:,} work items as Jira data pipeline exports in {DATA} (once)...",
        flush=True,
    )
    files = generate(args.items, DATA / str(args.items))
    now = QUARTER_STARTS[-1] + timedelta(days=1)  # the eight quarters are over
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "maturity.yaml").write_text(
            "version: 1\norganization:\n  name: bench\n", encoding="utf-8"
        )
        url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
        workspace = load_workspace(folder / "maturity.yaml", env={"MATURITY_DATABASE_URL": url})
        bulk = not args.record_path
        with open_store(workspace, now, "bench") as database:
            print(
                f"store: {database.engine.dialect.name}, {'bulk' if bulk else 'record'} path",
                flush=True,
            )
            began = time.perf_counter()
            results = import_files(
                workspace, database, "jira-pipeline", files, now, "bench", bulk=bulk
            )
            seconds = time.perf_counter() - began
            rows = sum(r.rows_read for r in results)
            rate = rows / seconds
            print(
                f"import: {rows:,} work items ({sum(r.new for r in results):,} new)"
                f" in {seconds:.1f} s"
                f" = {rate:,.0f} rows/s (target >= 50,000)  {'OK' if rate >= 50_000 else 'MISSED'}"
            )
            again = time.perf_counter()
            repeat = import_files(
                workspace, database, "jira-pipeline", files[:1], now, "bench", bulk=bulk
            )
            print(
                f"re-import of one export: {repeat[0].unchanged:,} unchanged, {repeat[0].new} new,"
                f" {time.perf_counter() - again:.1f} s"
            )
            timings, reference_timings = [], []
            numbers = reference_numbers = None
            for _ in range(args.runs):
                began = time.perf_counter()
                numbers = ours(workspace, database, now)
                timings.append(time.perf_counter() - began)
                began = time.perf_counter()
                reference_numbers = reference(url)
                reference_timings.append(time.perf_counter() - began)
        ours_median, pandas_median = (
            statistics.median(timings),
            statistics.median(reference_timings),
        )
        print(
            f"all KPIs, 8 quarters, from the store: median {ours_median:.2f} s of {args.runs} runs"
            f" (target < 5 s)  {'OK' if ours_median < 5 else 'MISSED'}"
        )
        print(f"pandas reference (4 work-item KPIs, same store): median {pandas_median:.2f} s")
        ratio = ours_median / pandas_median
        print(
            f"ratio ours / pandas: {ratio:.2f}x (target <= 2x)  {'OK' if ratio <= 2 else 'MISSED'}"
        )
        assert numbers is not None and reference_numbers is not None
        for kpi, values in numbers.items():
            expected = reference_numbers[kpi]
            same = all(
                (a is None and b is None)
                or (a is not None and b is not None and abs(a - b) <= 1e-6 * max(1, abs(b)))
                for a, b in zip(values, expected, strict=True)
            )
            verdict = "same numbers as pandas" if same else f"DIFFERENT: {values} vs {expected}"
            print(f"  {kpi}: {verdict}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())

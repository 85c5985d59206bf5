"""The data pipeline export read in bulk: the same work items as :mod:`.jira_pipeline`, as one
polars frame instead of a million records.

:func:`read_frame` gives exactly what ``JiraPipelineImporter.read`` gives, or None when it
cannot be sure to (an unusual CSV, a time in another form than ``2026-05-01T10:00:00Z``,
``2026-05-01 10:00:00.250`` and the like): the caller then reads the file the precise way,
which also reports any error with its line and column. The mapping is asked about each
distinct type, status, label set, priority, resolution and reporter once, as the record
reader does, and the answers joined back.

The frame has one row per issue and the columns of :class:`WorkItem`, in its order; times
are ``Datetime("us", "UTC")``, ``labels`` a list of strings, ``transitions`` a list of
structs ``at, from_status, to_status, to_category``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.csv_frame import read_frame as read_csv_frame
from platform_maturity.importers.jira_pipeline import OPTIONAL_COLUMNS, SKIP_REASON

if TYPE_CHECKING:
    import polars as pl

# the forms datetime.fromisoformat reads the way this parser does (UTC, at most microseconds)
_CANONICAL = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]"
    r":[0-5][0-9](\.[0-9]{1,6})?Z?$"
)


def read_frame(
    issues_file: Path,
    history_files: Sequence[Path],
    issue_columns: tuple[str, ...],
    history_columns: tuple[str, ...],
    context: ImportContext,
) -> ImportBatch | None:
    """The export's work items as a frame (``ImportBatch.work_frame``), or None if unsure."""
    import polars as pl

    mapping = context.mapping
    moves = _moves(history_files, history_columns, mapping.status_category)
    if moves is None:
        return None
    issues = read_csv_frame(issues_file, issue_columns)
    if issues is None:
        return None
    # only the columns read (an export may have others named like the frame's own)
    issues = issues.select(
        *issue_columns,
        *(pl.col(n) if n in issues.columns else pl.lit("").alias(n) for n in OPTIONAL_COLUMNS),
    )
    created = _times(issues["created_date"])
    resolved = _times(issues["resolution_date"])
    if created is None or resolved is None:
        return None
    batch = ImportBatch(rows_read=issues.height)
    issues = issues.with_columns(created.alias("created_at"), resolved.alias("_resolved"))
    keep = (pl.col("key") != "") & pl.col("created_at").is_not_null()
    skipped = issues.height - int(issues.select(keep.sum()).item())
    if skipped:
        batch.skipped = Counter({SKIP_REASON: skipped})
    issues = issues.filter(keep).with_columns(
        pl.when(pl.col("project_key") != "")
        .then(pl.col("project_key"))
        .otherwise(pl.col("key").str.split("-").list.first())
        .alias("project")
    )

    def labels_of(text: str) -> tuple[str, ...]:
        return tuple(x for x in text.replace(",", " ").split() if x)

    issues = _classify(
        issues,
        ("issue_type", "labels"),
        lambda t, text: (
            mapping.kind(t, labels_of(text)),
            mapping.found_in_of(labels_of(text)),
            list(labels_of(text)),
        ),
        {"kind": pl.String, "found_in": pl.String, "_labels": pl.List(pl.String)},
    )
    issues = _classify(
        issues,
        ("status", "status_category"),
        lambda status, category: (mapping.status_category(status, category or None),),
        {"_category": pl.String},
    )
    issues = _classify(
        issues,
        ("priority_name", "labels", "project", "components"),
        lambda priority, text, project, components: (
            mapping.severity_of(priority or None, labels_of(text)),
            mapping.unit_of(project, components or None),
        ),
        {"severity": pl.String, "unit": pl.String},
    )
    issues = _classify(
        issues,
        ("resolution",),
        lambda value: (mapping.resolution_of(value or None),),
        {"_resolution": pl.String},
    )
    issues = _classify(
        issues,
        ("reporter_name",),
        lambda name: (mapping.is_bot(name or None) if name else False,),
        {"is_bot": pl.Boolean},
    )
    issues = issues.join(
        moves, left_on="id", right_on="issue_id", how="left", maintain_order="left"
    )
    done = pl.col("_category") == "done"
    empty = pl.lit([], dtype=moves.schema["transitions"])
    batch.work_frame = issues.select(
        pl.lit("jira").alias("source"),
        pl.col("key").alias("source_id"),
        "key",
        "kind",
        "created_at",
        pl.col("summary").alias("title"),
        "project",
        "unit",
        "status",
        pl.col("_category").alias("status_category"),
        pl.when(done).then(pl.col("_resolution")).alias("resolution"),
        "severity",
        "found_in",
        "started_at",
        pl.when(done).then(pl.coalesce("_last_done", "_resolved")).alias("completed_at"),
        pl.coalesce("_first_done", "_resolved").alias("first_completed_at"),
        pl.col("reopened").fill_null(0).cast(pl.Int64),
        "is_bot",
        pl.col("_labels").alias("labels"),
        pl.col("transitions").fill_null(empty),
    )
    return batch


def _moves(
    files: Sequence[Path], columns: tuple[str, ...], category_of: Callable[[str], str]
) -> pl.DataFrame | None:
    """Per issue id: its status transitions in time order and what follows from them."""
    import polars as pl

    parts = []
    for path in files:
        part = read_csv_frame(path, columns)
        if part is None:
            return None
        parts.append(part.select(columns))
    history = (
        pl.concat(parts)
        if parts
        else pl.DataFrame({name: [] for name in columns}, schema=dict.fromkeys(columns, pl.String))
    )
    wanted = [f for f in history["field"].unique().to_list() if f.lower() == "status"]
    history = history.filter(pl.col("field").is_in(wanted))
    at = _times(history["created_date"])
    if at is None:
        return None
    history = history.with_columns(at.alias("at")).filter(pl.col("at").is_not_null())
    history = history.select(
        "issue_id",
        "at",
        pl.when(pl.col("from_string") != "").then(pl.col("from_string")).alias("from_status"),
        pl.col("to_string").alias("to_status"),
    )
    history = _classify(
        history, ("to_status",), lambda to: (category_of(to),), {"to_category": pl.String}
    )
    # the record reader sorts each issue's moves as (time, from, to) tuples, None first
    history = history.sort(["issue_id", "at", "from_status", "to_status"], nulls_last=False)
    category = pl.col("to_category")
    return history.group_by("issue_id").agg(
        pl.struct("at", "from_status", "to_status", "to_category").alias("transitions"),
        pl.col("at").filter(category == "in_progress").first().alias("started_at"),
        pl.col("at").filter(category == "done").first().alias("_first_done"),
        pl.col("at").filter(category == "done").last().alias("_last_done"),
        ((category != "done") & (category.shift(1) == "done").fill_null(False))
        .sum()
        .alias("reopened"),
    )


def _times(texts: pl.Series) -> pl.Series | None:
    """UTC times of texts in a canonical form, None for empty and NULL; None if any other."""
    import polars as pl

    text = pl.col("text")
    canonical = text.str.contains(_CANONICAL) & ~text.str.starts_with("0000")
    normal = text.str.strip_suffix("Z").str.replace("T", " ", literal=True)
    frame = pl.DataFrame({"text": texts}).select(
        (canonical | (text == "") | (text == "NULL")).alias("ok"),
        canonical.alias("canonical"),
        pl.when(canonical)
        .then(normal)
        .otherwise(None)
        .str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S%.f", strict=False)
        .dt.replace_time_zone("UTC")
        .alias("at"),
    )
    if not bool(frame["ok"].all()):
        return None
    if bool((frame["canonical"] & frame["at"].is_null()).any()):
        return None  # e.g. February 30th: the record reader says so
    return frame["at"]


def _classify(
    frame: pl.DataFrame,
    keys: tuple[str, ...],
    classify: Callable[..., tuple[Any, ...]],
    outputs: dict[str, Any],
) -> pl.DataFrame:
    """Join ``classify(*keys)`` of each distinct key combination back as the output columns."""
    import polars as pl

    distinct = frame.select(keys).unique()
    answers = [classify(*row) for row in distinct.iter_rows()]
    table = distinct.with_columns(
        pl.Series(name, [a[i] for a in answers], dtype=dtype)
        for i, (name, dtype) in enumerate(outputs.items())
    )
    return frame.join(table, on=list(keys), how="left", maintain_order="left")

"""Every importer is fuzzed: truncated files, flipped bytes, wrong encodings, wrong types.

Whatever the input, an importer either reads it or raises a UserError that names the
file (and, for row formats, a line inside it); it never fails with anything else.
"""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.kpi_mapping import KpiMapping
from platform_maturity.importers.base import ImportContext
from platform_maturity.importers.registry import BUILTIN, importer

FIXTURES = Path(__file__).parent / "fixtures" / "importers"
CONTEXT = ImportContext(KpiMapping(), ZoneInfo("Europe/Berlin"), "USD")
SEEDS = {
    kind: sorted(
        p
        for p in (FIXTURES / kind).iterdir()
        if p.is_file() and ".expected" not in p.name and not p.name.startswith("issue_history")
    )
    for kind in BUILTIN
}
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check(kind: str, path: Path, data: bytes) -> None:
    path.write_bytes(data)
    try:
        importer(kind).read(path, CONTEXT)
    except UserError as exc:
        assert exc.file == str(path), exc
        if exc.line is not None:
            assert 1 <= exc.line <= data.count(b"\n") + 2, exc
        assert str(exc)


@st.composite
def damaged(draw: st.DrawFn, seed: bytes) -> bytes:
    how = draw(st.sampled_from(["truncate", "flip", "insert", "latin1", "utf16", "nul"]))
    if how == "truncate":
        return seed[: draw(st.integers(0, len(seed)))]
    if how == "flip":
        data = bytearray(seed)
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    if how == "insert":
        at = draw(st.integers(0, len(seed)))
        return seed[:at] + draw(st.binary(min_size=1, max_size=12)) + seed[at:]
    if how == "latin1":
        return seed.decode("utf-8-sig").replace("a", "ä", 1).encode("latin-1")
    if how == "utf16":
        return seed.decode("utf-8-sig").encode("utf-16")
    return seed[: len(seed) // 2] + b"\x00" + seed[len(seed) // 2 :]


@pytest.mark.parametrize("kind", sorted(BUILTIN))
@SETTINGS
@given(data=st.data())
def test_damaged_files_give_clear_errors(kind: str, data: st.DataObject, tmp_path: Path) -> None:
    seed_path = data.draw(st.sampled_from(SEEDS[kind]))
    seed = seed_path.read_bytes()
    _check(kind, tmp_path / seed_path.name, data.draw(damaged(seed)))


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


@pytest.mark.parametrize("kind", sorted(k for k in BUILTIN if SEEDS[k][0].suffix == ".json"))
@SETTINGS
@given(data=st.data())
def test_json_records_with_wrong_types(kind: str, data: st.DataObject, tmp_path: Path) -> None:
    seed_path = data.draw(st.sampled_from([p for p in SEEDS[kind] if p.suffix == ".json"]))
    payload = json.loads(seed_path.read_text(encoding="utf-8"))
    records = payload
    if isinstance(payload, dict):
        key = next(k for k, v in payload.items() if isinstance(v, list))
        records = payload[key]
    record = records[data.draw(st.integers(0, len(records) - 1))]
    field = data.draw(st.sampled_from(sorted(record)))
    record[field] = data.draw(_JSON_VALUES)
    _check(kind, tmp_path / seed_path.name, json.dumps(payload).encode())


@pytest.mark.parametrize("kind", sorted(k for k in BUILTIN if SEEDS[k][0].suffix == ".csv"))
@SETTINGS
@given(data=st.data())
def test_csv_cells_with_wrong_values(kind: str, data: st.DataObject, tmp_path: Path) -> None:
    seed_path = data.draw(st.sampled_from([p for p in SEEDS[kind] if p.suffix == ".csv"]))
    lines = seed_path.read_text(encoding="utf-8-sig").splitlines()
    row = data.draw(st.integers(1, len(lines) - 1))
    cells = lines[row].split(",")
    cell = data.draw(st.integers(0, len(cells) - 1))
    cells[cell] = data.draw(
        st.sampled_from(["", "NULL", "abc", "-1", "1e999", "2026-13-45", '"', "x,y", "nan"])
        | st.text(max_size=10)
    )
    lines[row] = ",".join(cells)
    _check(kind, tmp_path / seed_path.name, ("\n".join(lines) + "\n").encode())


@pytest.mark.parametrize("kind", sorted(k for k in BUILTIN if SEEDS[k][0].suffix == ".json"))
def test_every_json_field_emptied_in_turn(kind: str, tmp_path: Path) -> None:
    """Deterministic companion of the fuzzing: each field of the first record set to ""
    and to null, one at a time (a blank required time was once an assertion error)."""
    for seed in (p for p in SEEDS[kind] if p.suffix == ".json"):
        payload = json.loads(seed.read_text(encoding="utf-8"))
        records = payload
        if isinstance(payload, dict):
            records = payload[next(k for k, v in payload.items() if isinstance(v, list))]
        for field in sorted(records[0]):
            for blank in ("", None):
                changed = json.loads(json.dumps(payload))
                target = changed
                if isinstance(changed, dict):
                    target = changed[next(k for k, v in changed.items() if isinstance(v, list))]
                target[0][field] = blank
                _check(kind, tmp_path / seed.name, json.dumps(changed).encode())


@SETTINGS
@given(
    cell=_JSON_VALUES | st.text(max_size=20).filter(lambda t: not set(t) & set("\x00\r\n")),
    column=st.sampled_from(["product", "resource_tags"]),
)
def test_cur_2_map_cells_of_any_shape(cell: object, column: str, tmp_path: Path) -> None:
    """CUR 2.0 map columns hold JSON objects; anything else names the row and the column."""
    import csv
    import io

    seed = (FIXTURES / "aws-cur" / "cur2.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(seed)))
    at = rows[0].index(column)
    rows[2][at] = cell if isinstance(cell, str) else json.dumps(cell)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path = tmp_path / "cur2.csv"
    try:
        _check("aws-cur", path, out.getvalue().encode())
        importer("aws-cur").read(path, CONTEXT)
    except UserError as exc:
        assert (exc.line, exc.field) == (3, column), exc


_DELETE = object()


@SETTINGS
@given(
    index=st.integers(0, 15),
    field=st.sampled_from(
        ["id", "resource_id", "resource_type", "created_at", "state", "action", "label", "name"]
    ),
    value=_JSON_VALUES | st.just(_DELETE) | st.sampled_from(["", "closed", "add", "2026-02-30"]),
)
def test_gitlab_events_with_wrong_values_name_the_event(
    index: int, field: str, value: object, tmp_path: Path
) -> None:
    """A wrong value in a resource event is read (or skipped) or named by file and JSON path
    of that event; a label's name lives one level down."""
    seed = FIXTURES / "gitlab-events" / "resource-events.json"
    events = json.loads(seed.read_text(encoding="utf-8"))
    target = events[index]
    if field == "name":
        assume(isinstance(target.get("label"), dict))
        target = target["label"]
    else:
        assume(field in target or field in ("state", "action"))
    if value is _DELETE:
        target.pop(field, None)
    else:
        target[field] = value
    path = tmp_path / seed.name
    path.write_text(json.dumps(events), encoding="utf-8")
    try:
        batch = importer("gitlab-events").read(path, CONTEXT)
    except UserError as exc:
        assert exc.file == str(path), exc
        assert exc.field is not None and exc.field.startswith(f"[{index}]"), exc
        assert str(exc)
    else:
        assert batch.rows_read == len(events)
        assert len(batch.issue_events) + sum(batch.skipped.values()) == len(events)


@pytest.mark.parametrize(
    ("kind", "seed", "old", "new", "field"),
    [
        ("opsgenie", "opsgenie/alerts.csv", ",120000,", ",1E100,", "AckTime"),
        ("opsgenie", "opsgenie/alerts.csv", ",120000,", ",-5,", "AckTime"),
        ("junit", "junit/e2e.xml", 'time="1534.2"', 'time="1e300"', "@time"),
    ],
)
def test_a_duration_no_date_can_hold_is_a_clear_error(
    kind: str, seed: str, old: str, new: str, field: str, tmp_path: Path
) -> None:
    """Durations are added to times: one too long for a date (found by the fuzzing above)
    or negative names its cell instead of crashing the import."""
    text = (FIXTURES / seed).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / Path(seed).name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(UserError) as raised:
        importer(kind).read(path, CONTEXT)
    assert raised.value.file == str(path) and field in (raised.value.field or "")
    assert "duration" in raised.value.message

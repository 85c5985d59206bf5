"""Plain CSV files read at native speed into a polars frame, or not at all.

:func:`read_frame` gives the frame only when it is certain to hold exactly the values
Python's ``csv`` module (strict, the excel dialect, as :mod:`.common` reads files) would
give: UTF-8 without NUL bytes, every quote opening a field or closing one (RFC 4180), line
ends ``\\n`` or ``\\r\\n``, no blank lines, every record as wide as the header, no field past
the ``csv`` field size limit, no repeated column. Anything else gives None, and the caller
reads the file the precise, slower way, which names the line and column of any error.
Every cell is a string; a missing one is ``""``, as ``csv`` gives it.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import polars as pl

_BOM = b"\xef\xbb\xbf"
_QUOTE, _COMMA, _NEWLINE, _RETURN = 34, 44, 10, 13


def read_frame(path: Path, required: tuple[str, ...]) -> pl.DataFrame | None:
    """The file's rows as strings, columns named by the stripped header; None if unsure."""
    import polars as pl

    try:
        data = path.read_bytes()
    except OSError:
        return None
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    if not data or b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    shape = _shape(data)
    if shape is None:
        return None
    records, header_end = shape
    try:
        header = next(csv.reader([data[:header_end].decode("utf-8")], strict=True))
    except (csv.Error, StopIteration):
        return None
    names = [h.strip() for h in header]
    if len(set(names)) != len(names) or any(c not in names for c in required):
        return None
    try:
        frame = pl.read_csv(
            data,
            has_header=True,
            infer_schema=False,
            empty_string_is_null=False,
            quote_char='"',
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None
    if frame.width != len(names) or frame.height != records - 1:
        return None
    frame.columns = names
    if frame.height:
        longest = frame.select(pl.all().fill_null("").str.len_bytes().max()).row(0)
        if max(longest) >= csv.field_size_limit() - 1:
            return None  # csv refuses such a field: let it say so
        frame = frame.with_columns(pl.all().fill_null(""))
    return frame


def _shape(data: bytes) -> tuple[int, int] | None:
    """(records, end of the header line) when the file is well-formed, every record as wide
    as the header; None otherwise."""
    import numpy as np

    if data.count(b"\r") != data.count(b"\r\n"):
        return None  # a lone carriage return: csv ends a line there, polars does not
    a = np.frombuffer(data, dtype=np.uint8)
    is_quote = a == _QUOTE
    commas = a == _COMMA
    newlines = a == _NEWLINE
    if is_quote.any():
        if not _quotes_placed(a, np.flatnonzero(is_quote)):
            return None
        inside = np.bitwise_xor.accumulate(is_quote.view(np.uint8)).view(bool)
        outside = ~inside
        commas &= outside
        newlines &= outside
    ends = np.flatnonzero(newlines)
    records = len(ends) + (0 if a[-1] == _NEWLINE else 1)
    header_end = int(ends[0]) if len(ends) else len(a)
    width = int(np.count_nonzero(commas[:header_end])) + 1
    if len(ends) and int(ends[0]) == 0:
        return None  # a blank first line
    # every record (a blank line too) must have width - 1 separating commas
    per_record = np.bincount(np.searchsorted(ends, np.flatnonzero(commas)), minlength=records)
    if len(per_record) != records or np.any(per_record != width - 1):
        return None
    return records, header_end


def _quotes_placed(a: npt.NDArray[np.uint8], quotes: npt.NDArray[np.intp]) -> bool:
    """Whether every run of quote characters opens a field (after a comma or a line end),
    doubles quotes inside one, or closes one (before a comma or a line end)."""
    import numpy as np

    if len(quotes) % 2:
        return False  # a quoted field never closed
    size = len(a)
    breaks = np.flatnonzero(np.diff(quotes) != 1) + 1
    first_index = np.concatenate(([0], breaks))
    last_index = np.concatenate((breaks - 1, [len(quotes) - 1]))
    first, last = quotes[first_index], quotes[last_index]
    before = np.where(first > 0, a[np.maximum(first - 1, 0)], _NEWLINE)
    after = np.where(last < size - 1, a[np.minimum(last + 1, size - 1)], _NEWLINE)
    opens = first_index % 2 == 0  # outside a quoted field before the run
    closes = (last_index + 1) % 2 == 0  # outside after it
    bad_open = opens & (before != _COMMA) & (before != _NEWLINE)
    bad_close = closes & (after != _COMMA) & (after != _NEWLINE) & (after != _RETURN)
    return not bool(np.any(bad_open) or np.any(bad_close))

"""A content-addressed cache of derived data: parsed inputs, so rescanning unchanged files
is fast, and the validated framework and check catalog, so commands start fast.

An entry is what a parser made of one file's bytes (the documents of a manifest, the
blocks of a ``.tf`` file), keyed by a digest (:mod:`platform_maturity.digest`) of the
bytes, the collector's id and version, the kind of parse with its parser's version, and
:data:`PARSER_VERSION`. A
changed file gets a new key; a changed parser gets new keys once its version is bumped.
Entries are pickles of plain values (dicts, lists, tuples, strings, numbers, dates),
read back with an unpickler that refuses anything else, so an entry can never run code.

The entries of one cache folder live in one SQLite file (:data:`DATABASE`), not one file
each: creating hundreds of small files is what made a cold scan slow, and one transaction
writes them all at once. A cache made with ``batch=True`` (a collector's, for one scan)
keeps new entries in memory until :meth:`ParseCache.flush` (or :meth:`~ParseCache.prune`,
which flushes first); otherwise each new entry is written at once.

Reading never fails because of the cache: a missing, truncated, corrupt or foreign entry
is ignored and the file is parsed again (and the entry rewritten); a damaged or locked
database file costs speed, never the scan. Concurrent scans see whole entries or none
(SQLite's transactions). The cache keeps at most ``max_entries`` entries, dropping the
least recently used.

Collectors create one :class:`ParseCache` per scan from ``ScanContext.cache_dir``
(``None``: no cache). Readers deep inside a collector that cannot be handed the cache
(the Terraform HCL reader) use the one made :func:`active` with :func:`activated`.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from platform_maturity.digest import hasher

if TYPE_CHECKING:
    import sqlite3

PARSER_VERSION = "1"  # bump when what a cached parser returns changes shape or meaning
MAX_ENTRIES = 5000
USED_RESOLUTION = 3600.0  # seconds: a hit refreshes an entry's last use at most this often
DATABASE = "entries.sqlite3"  # the one file of a cache folder
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entry"
    " (key TEXT PRIMARY KEY, blob BLOB NOT NULL, used REAL NOT NULL)"
)
_PROTOCOL = 5
_ALLOWED_GLOBALS = {
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "time"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
}

T = TypeVar("T")


class _PlainUnpickler(pickle.Unpickler):
    """Builds plain values only: no classes or functions but the date and time types."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"not a plain value: {module}.{name}")


def _loads(blob: bytes) -> Any:
    return _PlainUnpickler(io.BytesIO(blob)).load()


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0  # parsed: no entry, or an entry that could not be used
    corrupt: int = 0  # entries found but unusable (counted among misses too)
    stored: int = 0
    pruned: int = 0


def _identity(value: Any) -> Any:
    return value


class ParseCache:
    """Parsed values by content hash, in one SQLite file under ``directory`` (None: no
    caching).

    ``scope`` (the collector's id and version, e.g. ``"kubernetes/1"``) is part of every
    key, so a new collector version never reads what an older one stored. With ``batch``
    new entries are written together by :meth:`flush`.
    """

    def __init__(
        self,
        directory: Path | None,
        scope: str = "",
        max_entries: int = MAX_ENTRIES,
        *,
        batch: bool = False,
    ) -> None:
        self.directory = directory
        self.scope = scope
        self.max_entries = max_entries
        self.batch = batch
        self.stats = CacheStats()
        self._lock = threading.Lock()  # readers may run in threads; sqlite3 needs one user
        self._connection: sqlite3.Connection | None = None
        self._broken = False  # the database cannot be used: no reads, no writes
        self._absent = False  # no database file when last looked: reads find nothing
        self._pending: dict[str, bytes] = {}
        self._used: set[str] = set()

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    @property
    def path(self) -> Path | None:
        """The database file (which may not exist yet)."""
        return None if self.directory is None else self.directory / DATABASE

    def key(self, kind: str, version: str, raw: bytes) -> str:
        digest = hasher()
        for part in (self.scope, kind, version, PARSER_VERSION):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
        digest.update(raw)
        return digest.hexdigest()

    def get(
        self,
        kind: str,
        version: str,
        raw: bytes,
        parse: Callable[[], T],
        encode: Callable[[T], Any] = _identity,
        decode: Callable[[Any], T] = _identity,
    ) -> T:
        """What ``parse`` makes of ``raw``: from the cache, or parsed and then stored.

        ``encode`` turns the parsed value into plain values for storage and ``decode``
        turns them back; an entry ``decode`` rejects (any exception) counts as corrupt.
        Exceptions of ``parse`` propagate and nothing is stored.
        """
        if self.directory is None:
            return parse()
        try:
            return self._get(self.key(kind, version, raw), parse, encode, decode)
        finally:
            if not self.batch:
                self.close()

    def _get(
        self,
        key: str,
        parse: Callable[[], T],
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
    ) -> T:
        blob, used = self._read(key)
        if blob is not None:
            try:
                stored_key, payload = _loads(blob)
                if stored_key != key:
                    raise ValueError("an entry for other content")
                value = decode(payload)
            except Exception:  # unpickling and decoding raise many kinds: all mean "re-parse"
                self.stats.corrupt += 1
            else:
                self.stats.hits += 1
                if time.time() - used > USED_RESOLUTION:
                    with self._lock:
                        self._used.add(key)  # recently used: kept when the cache is pruned
                return value
        self.stats.misses += 1
        value = parse()
        try:
            blob = pickle.dumps((key, encode(value)), protocol=_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return value  # not plain values: simply not cached
        with self._lock:
            self._pending[key] = blob
        return value

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        """The open database (opened now if need be); None when there is none to use.
        The caller holds the lock."""
        if self._connection is not None or self._broken or self.directory is None:
            return self._connection
        if self._absent and not create:  # a cold cache: one look, not one per input
            return None
        import sqlite3

        path = self.directory / DATABASE
        for _attempt in range(2):
            if not path.is_file():
                if not create:
                    self._absent = True
                    return None
                _drop_entry_files(self.directory)
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(path, timeout=5, check_same_thread=False)
                try:
                    connection.execute("PRAGMA synchronous=OFF")  # a cache: speed over durability
                    connection.execute(_SCHEMA)
                except sqlite3.Error:
                    connection.close()
                    raise
            except sqlite3.OperationalError:  # locked, or cannot be opened: no cache this time
                break
            except sqlite3.DatabaseError:  # not a database (any more): start afresh
                with contextlib.suppress(OSError):
                    path.unlink()
                continue
            except (OSError, sqlite3.Error):
                break
            self._connection = connection
            self._absent = False
            return connection
        self._broken = True
        return None

    def _read(self, key: str) -> tuple[bytes | None, float]:
        """The stored blob of ``key`` (None: no entry) and when it was last used."""
        import sqlite3

        with self._lock:
            if key in self._pending:
                return self._pending[key], time.time()
            connection = self._connect(create=False)
            if connection is None:
                return None, 0.0
            try:
                row = connection.execute(
                    "SELECT blob, used FROM entry WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.Error:
                return None, 0.0
        if row is None or not isinstance(row[0], bytes):
            return None, 0.0
        return row[0], float(row[1]) if isinstance(row[1], int | float) else 0.0

    def flush(self) -> None:
        """Write the new entries and the times entries were used, in one transaction."""
        import sqlite3

        with self._lock:
            if not self._pending and not self._used:
                return
            pending, used = self._pending, self._used
            self._pending, self._used = {}, set()
            connection = self._connect(create=bool(pending))
            if connection is None:
                return
            now = time.time()
            try:
                with connection:
                    connection.executemany(
                        "INSERT OR REPLACE INTO entry (key, blob, used) VALUES (?, ?, ?)",
                        [(key, blob, now) for key, blob in pending.items()],
                    )
                    connection.executemany(
                        "UPDATE entry SET used = ? WHERE key = ?", [(now, key) for key in used]
                    )
            except sqlite3.Error:
                return  # a locked, read-only or full disk costs speed, never the scan
        self.stats.stored += len(pending)

    def prune(self) -> int:
        """Flush, drop the least recently used entries beyond ``max_entries`` and close;
        how many went."""
        stored = self.stats.stored
        self.flush()
        removed = 0
        if self.stats.stored > stored:
            with self._lock:
                removed = self._drop_least_recently_used()
        self.close()
        self.stats.pruned += removed
        return removed

    def _drop_least_recently_used(self) -> int:
        """The caller holds the lock."""
        import sqlite3

        connection = self._connection
        if connection is None:
            return 0
        try:
            with connection:
                (count,) = connection.execute("SELECT count(*) FROM entry").fetchone()
                if count <= self.max_entries:
                    return 0
                removed: int = connection.execute(
                    "DELETE FROM entry WHERE key NOT IN"
                    " (SELECT key FROM entry ORDER BY used DESC, key LIMIT ?)",
                    (self.max_entries,),
                ).rowcount
        except sqlite3.Error:
            return 0
        return removed

    def close(self) -> None:
        """Flush and close the database (a cache can be used again after)."""
        self.flush()
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def _drop_entry_files(directory: Path) -> None:
    """Remove the one-file-per-entry cache of earlier versions, if the folder holds one."""
    with contextlib.suppress(OSError), os.scandir(directory) as found:
        for entry in found:
            if entry.name.endswith(".pickle") or entry.name.startswith(".tmp-"):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


_ACTIVE: ContextVar[ParseCache | None] = ContextVar("platform_maturity_parse_cache", default=None)


def active() -> ParseCache | None:
    """The cache readers use when nobody hands them one (None outside :func:`activated`)."""
    return _ACTIVE.get()


@contextlib.contextmanager
def activated(cache: ParseCache | None) -> Iterator[ParseCache | None]:
    """Make ``cache`` the :func:`active` one for the duration of the block."""
    token = _ACTIVE.set(cache)
    try:
        yield cache
    finally:
        _ACTIVE.reset(token)

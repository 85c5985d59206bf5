"""A content-addressed cache of derived data: parsed inputs, so rescanning unchanged files
is fast, and the validated framework and check catalog, so commands start fast.

An entry is what a parser made of one file's bytes (the documents of a manifest, the
blocks of a ``.tf`` file), keyed by the SHA-256 of the bytes, the collector's id and
version, the kind of parse with its parser's version, and :data:`PARSER_VERSION`. A
changed file gets a new key; a changed parser gets new keys once its version is bumped.
Entries are pickles of plain values (dicts, lists, tuples, strings, numbers, dates),
read back with an unpickler that refuses anything else, so an entry can never run code.

Reading never fails because of the cache: a missing, truncated, corrupt or foreign entry
is ignored and the file is parsed again (and the entry rewritten). Writes go to a
temporary file renamed into place, so concurrent scans see whole entries or none. The
cache keeps at most ``max_entries`` files, dropping the least recently used.

Collectors create one :class:`ParseCache` per scan from ``ScanContext.cache_dir``
(``None``: no cache). Readers deep inside a collector that cannot be handed the cache
(the Terraform HCL reader) use the one made :func:`active` with :func:`activated`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

PARSER_VERSION = "1"  # bump when what a cached parser returns changes shape or meaning
MAX_ENTRIES = 5000
SUFFIX = ".pickle"
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
    """Parsed values by content hash, as files under ``directory`` (None: no caching).

    ``scope`` (the collector's id and version, e.g. ``"kubernetes/1"``) is part of every
    key, so a new collector version never reads what an older one stored.
    """

    def __init__(
        self, directory: Path | None, scope: str = "", max_entries: int = MAX_ENTRIES
    ) -> None:
        self.directory = directory
        self.scope = scope
        self.max_entries = max_entries
        self.stats = CacheStats()
        self._ready = False

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def key(self, kind: str, version: str, raw: bytes) -> str:
        digest = hashlib.sha256()
        for part in (self.scope, kind, version, PARSER_VERSION):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
        digest.update(raw)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{key}{SUFFIX}"

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
        key = self.key(kind, version, raw)
        path = self._path(key)
        try:
            blob = path.read_bytes()
        except OSError:
            blob = None
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
                with contextlib.suppress(OSError):
                    os.utime(path)  # recently used: kept when the cache is pruned
                return value
        self.stats.misses += 1
        value = parse()
        self._store(path, key, encode(value))
        return value

    def _store(self, path: Path, key: str, payload: Any) -> None:
        assert self.directory is not None
        try:
            blob = pickle.dumps((key, payload), protocol=_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return  # not plain values: simply not cached
        try:
            if not self._ready:
                self.directory.mkdir(parents=True, exist_ok=True)
                self._ready = True
            temporary = self.directory / f".tmp-{key}-{os.getpid()}-{threading.get_ident()}"
            try:
                with open(temporary, "wb") as stream:
                    stream.write(blob)
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError:
            return  # a read-only or full disk costs speed, never the scan
        self.stats.stored += 1

    def prune(self) -> int:
        """Drop the least recently used entries beyond ``max_entries``; how many went."""
        if self.directory is None or self.stats.stored == 0:
            return 0
        entries: list[tuple[float, str]] = []
        abandoned = time.time() - 3600  # temporary files of a scan that died mid-write
        try:
            with os.scandir(self.directory) as found:
                for entry in found:
                    with contextlib.suppress(OSError):
                        mtime = entry.stat().st_mtime
                        if entry.name.endswith(SUFFIX):
                            entries.append((mtime, entry.path))
                        elif entry.name.startswith(".tmp-") and mtime < abandoned:
                            os.unlink(entry.path)
        except OSError:
            return 0
        excess = len(entries) - self.max_entries
        if excess <= 0:
            return 0
        removed = 0
        for _mtime, name in sorted(entries)[:excess]:
            with contextlib.suppress(OSError):
                os.unlink(name)
                removed += 1
        self.stats.pruned += removed
        return removed


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

"""Relational check functions by name, from modules imported only when a check runs or the
catalog is validated anew."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path


class LazyFunctions(Mapping[str, object]):
    """The ``FUNCTIONS`` tables of ``modules`` merged (names are unique), imported on first
    use. A cached catalog is keyed by the modules' files (:meth:`fingerprint`), so loading
    it imports none of them; a module that is not installed is left out."""

    def __init__(self, modules: Sequence[str]) -> None:
        self.modules = tuple(modules)
        self._table: dict[str, object] | None = None

    def _functions(self) -> dict[str, object]:
        if self._table is None:
            table: dict[str, object] = {}
            for name in self.modules:
                try:
                    module = importlib.import_module(name)
                except ModuleNotFoundError:
                    continue
                table.update(getattr(module, "FUNCTIONS", {}))
            self._table = table
        return self._table

    def __getitem__(self, name: str) -> object:
        return self._functions()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._functions())

    def __len__(self) -> int:
        return len(self._functions())

    def fingerprint(self) -> bytes:
        """The modules' names and source, without importing them."""
        parts: list[bytes] = []
        for name in self.modules:
            try:
                spec = importlib.util.find_spec(name)
            except ModuleNotFoundError:
                spec = None
            origin = spec.origin if spec is not None else None
            source = Path(origin).read_bytes() if origin and origin.endswith(".py") else b"-"
            parts.append(name.encode() + b"\0" + source)
        return b"\0\0".join(parts)

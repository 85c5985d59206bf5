"""Load and validate the check catalog (built-in checks plus a workspace's own)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from types import CodeType, NoneType
from typing import TYPE_CHECKING, Any

from platform_maturity.cache import ParseCache
from platform_maturity.checks.functions import LazyFunctions
from platform_maturity.checks.validators import (
    SchemaValidator,
    compile_code,
    dump_code,
    load_code,
    schema_key,
)
from platform_maturity.digest import hasher
from platform_maturity.domain.checks import CheckDefinition, Equivalents
from platform_maturity.domain.errors import UserError

if TYPE_CHECKING:
    from platform_maturity.domain.framework import Framework

BUILTIN_CHECKS = Path(__file__).parent
FRAMEWORK_DATA = BUILTIN_CHECKS.parent / "framework"
HINT = "docs/checks.md describes the fields of a check file."
CATALOG_VERSION = "2"  # bump when what the cached catalog holds changes


@dataclass(frozen=True)
class Catalog:
    checks: tuple[CheckDefinition, ...]
    # compiled schema code by schema_key; validators are made on first use
    code: Mapping[str, CodeType] = field(default_factory=dict, repr=False, compare=False)
    _validators: dict[str, SchemaValidator] = field(default_factory=dict, repr=False, compare=False)

    def validator(self, check: CheckDefinition) -> SchemaValidator:
        """The compiled validator of a data check's schema."""
        if check.schema_ is None:
            raise ValueError(f"{check.id} has no schema")
        key = schema_key(check.schema_)
        found = self._validators.get(key)
        if found is None:
            code = self.code.get(key) or compile_code(check.schema_)
            found = self._validators[key] = SchemaValidator(check.schema_, code)
        return found

    def by_source(self, source: str) -> list[CheckDefinition]:
        return [c for c in self.checks if c.source == source and not c.disabled]

    def get(self, check_id: str) -> CheckDefinition:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise UserError(
            "unknown check",
            field="check",
            value=check_id,
            hint="'maturity scan --list-checks' lists the check ids.",
        )

    def goals_with_checks(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for check in self.checks:
            if check.disabled:
                continue
            for code in check.goals:
                result.setdefault(code, []).append(check.id)
        return result


def _files(roots: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for root in roots:
        files.extend(sorted(root.glob("*/*.yaml")) if root.is_dir() else [root])
    return files


def load_catalog(
    framework: Framework | None = None,
    extra: Sequence[Path] = (),
    functions: Mapping[str, object] | None = None,
    cache_dir: Path | None = None,
    overrides: Sequence[Path] = (),
) -> Catalog:
    """Every check file, validated: schema well formed, goals known, functions registered.

    ``framework`` is the one whose goals checks may name (None: the built-in framework with
    the ``overrides`` files of a workspace, loaded only when the catalog must be validated
    anew). With a ``cache_dir`` the validated catalog and its compiled schemas are kept
    there, keyed by the content of every check file, the framework's goals (or the files it
    is read from) and the function names: an unchanged catalog loads without parsing or
    validating anything again, and without loading the framework.
    """
    files = _files([BUILTIN_CHECKS, *extra])
    if cache_dir is None:
        return _validated(files, framework, functions, overrides)
    cache = ParseCache(cache_dir, scope="catalog")
    material = _cache_material(files, framework, functions, overrides)
    return cache.get(
        "catalog",
        CATALOG_VERSION,
        material,
        lambda: _validated(files, framework, functions, overrides),
        encode=_encode,
        decode=_decode,
    )


def _cache_material(
    files: Sequence[Path],
    framework: Framework | None,
    functions: Mapping[str, object] | None,
    overrides: Sequence[Path] = (),
) -> bytes:
    """What a validated catalog depends on, as bytes to hash."""
    digest = hasher()
    parts: list[bytes] = [
        sys.version.encode(),  # compiled code is marshalled for this Python
        _compiler_version(),
    ]
    if isinstance(functions, LazyFunctions):  # their modules' files: none is imported
        parts.append(functions.fingerprint())
    else:
        parts.append(("\0".join(sorted(functions)) if functions is not None else "-").encode())
    if framework is None:
        parts.extend(
            p.relative_to(FRAMEWORK_DATA).as_posix().encode() + b"\0" + p.read_bytes()
            for p in sorted(FRAMEWORK_DATA.rglob("*.yaml"))
        )
        parts.extend(str(p).encode() + b"\0" + p.read_bytes() for p in overrides)
    else:
        parts.extend(",".join((g.code, *g.all_aliases)).encode() for g in framework.goals())
    for path in files:
        parts.append(str(path).encode() + b"\0" + path.read_bytes())
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


def _compiler_version() -> bytes:
    """The version file of fastjsonschema, which wrote the compiled code: read, not imported
    (a scan with a cached catalog runs that code without loading fastjsonschema)."""
    spec = importlib.util.find_spec("fastjsonschema")
    if spec is None or spec.origin is None:
        return b"-"
    try:
        return (Path(spec.origin).parent / "version.py").read_bytes()
    except OSError:
        return spec.origin.encode()


def _encode(catalog: Catalog) -> dict[str, Any]:
    return {
        "checks": [asdict(c) for c in catalog.checks],  # by attribute name
        "code": {key: dump_code(code) for key, code in catalog.code.items()},
    }


def _decode(payload: dict[str, Any]) -> Catalog:
    checks = tuple(_decode_check(c) for c in payload["checks"])
    code = {str(key): load_code(blob) for key, blob in payload["code"].items()}
    if any(c.schema_ is not None and schema_key(c.schema_) not in code for c in checks):
        raise ValueError("a schema without compiled code")
    return Catalog(checks, code)


# the types a decoded check's fields may have, by the annotation of each field
_TYPES: dict[str, type | tuple[type, ...]] = {
    "str": str,
    "Source": str,
    "Severity": str,
    "bool": bool,
    "tuple[str, ...]": tuple,
    "str | None": (str, NoneType),
    "dict[str, Any] | None": (dict, NoneType),
    "Equivalents": Equivalents,
}
_SHAPE = tuple((f.name, _TYPES[str(f.type)]) for f in fields(CheckDefinition))
_TEXTS = tuple(f.name for f in fields(CheckDefinition) if str(f.type) == "tuple[str, ...]")


def _decode_check(stored: dict[str, Any]) -> CheckDefinition:
    """A check from what :func:`_encode` stored, built without validating it again (it
    was validated before it was stored); an entry of another shape raises, so the cache
    validates the check files anew."""
    values = dict(stored)
    values["equivalents"] = Equivalents(
        **{name: _texts(ids) for name, ids in values["equivalents"].items()}
    )
    for name in _TEXTS:
        values[name] = _texts(values[name])
    check = CheckDefinition(**values)  # TypeError: a field missing or unknown
    for name, kind in _SHAPE:
        if not isinstance(getattr(check, name), kind):
            raise TypeError(f"a cached check of another shape: {check.id!r}, {name}")
    return check


def _texts(value: object) -> tuple[str, ...]:
    """A stored list of strings as a tuple (pickle keeps tuples: usually as it is)."""
    if type(value) is not tuple:
        if type(value) is not list:
            raise TypeError(f"not a list of strings: {value!r}")
        value = tuple(value)
    for item in value:
        if type(item) is not str:
            raise TypeError(f"not a list of strings: {value!r}")
    return value


def _validated(
    files: Sequence[Path],
    framework: Framework | None,
    functions: Mapping[str, object] | None,
    overrides: Sequence[Path] = (),
) -> Catalog:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    from platform_maturity.checks.check_file import CheckFile
    from platform_maturity.framework.loader import load_framework, validate_model
    from platform_maturity.framework.yamlsource import read_yaml

    if framework is None:
        framework = load_framework(overrides=overrides)
    checks: list[CheckDefinition] = []
    code: dict[str, CodeType] = {}
    seen: dict[str, str] = {}
    for path in files:
        doc = read_yaml(path)
        check = validate_model(CheckFile, doc, hint=HINT).to_definition()
        line = doc.line_of(("id",))
        if check.id in seen:
            raise UserError(
                "check id used twice",
                field="id",
                value=check.id,
                hint=f"Also defined in {seen[check.id]}.",
                file=str(path),
                line=line,
            )
        seen[check.id] = str(path)
        if path.stem != check.id.split(".", 1)[1] and path.parent.parent == BUILTIN_CHECKS:
            raise UserError(
                "a built-in check file is named after its id without the prefix",
                field="id",
                value=check.id,
                file=str(path),
                line=line,
            )
        for code_ in check.goals:
            try:
                framework.goal(code_)
            except KeyError:
                raise UserError(
                    "check names an unknown goal",
                    field="goals",
                    value=code_,
                    file=str(path),
                    line=doc.line_of(("goals",)),
                ) from None
        if check.schema_ is not None:
            try:
                Draft202012Validator.check_schema(check.schema_)
                code[schema_key(check.schema_)] = compile_code(check.schema_)
            except SchemaError as exc:
                raise UserError(
                    f"the check's JSON Schema is invalid: {exc.message}",
                    field="schema",
                    file=str(path),
                    line=doc.line_of(("schema",)),
                ) from None
            except Exception as exc:  # fastjsonschema's definition errors
                raise UserError(
                    f"the check's JSON Schema cannot be compiled: {exc}",
                    field="schema",
                    file=str(path),
                    line=doc.line_of(("schema",)),
                ) from None
        if check.function is not None and functions is not None and check.function not in functions:
            raise UserError(
                "check names a function that does not exist",
                field="function",
                value=check.function,
                file=str(path),
                line=doc.line_of(("function",)),
                hint="Known functions: " + ", ".join(sorted(functions)),
            )
        checks.append(check)
    return Catalog(tuple(checks), code)

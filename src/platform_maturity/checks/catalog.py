"""Load and validate the check catalog (built-in checks plus a workspace's own)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from platform_maturity.domain.checks import CheckDefinition
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.framework import Framework
from platform_maturity.framework.loader import validate_model
from platform_maturity.framework.yamlsource import read_yaml

BUILTIN_CHECKS = Path(__file__).parent
HINT = "docs/checks.md describes the fields of a check file."


@dataclass(frozen=True)
class Catalog:
    checks: tuple[CheckDefinition, ...]

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
    framework: Framework,
    extra: Sequence[Path] = (),
    functions: Mapping[str, object] | None = None,
) -> Catalog:
    """Every check file, validated: schema well formed, goals known, functions registered."""
    checks: list[CheckDefinition] = []
    seen: dict[str, str] = {}
    for path in _files([BUILTIN_CHECKS, *extra]):
        doc = read_yaml(path)
        check = validate_model(CheckDefinition, doc, hint=HINT)
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
        for code in check.goals:
            try:
                framework.goal(code)
            except KeyError:
                raise UserError(
                    "check names an unknown goal",
                    field="goals",
                    value=code,
                    file=str(path),
                    line=doc.line_of(("goals",)),
                ) from None
        if check.schema_ is not None:
            try:
                Draft202012Validator.check_schema(check.schema_)
            except SchemaError as exc:
                raise UserError(
                    f"the check's JSON Schema is invalid: {exc.message}",
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
    return Catalog(tuple(checks))

"""Compiled JSON Schema validators for data checks.

A check's schema is turned into Python code by fastjsonschema once; the compiled code
object travels with the cached catalog (as marshal bytes, tied to this Python's version
by the cache key), so a scan pays neither for compiling nor for a general-purpose
validator walking the schema on every object.

Semantics follow JSON Schema draft 2020-12 for the keywords checks use (``type``,
``properties``, ``required``, ``items``, ``contains``, ``minItems``, ``enum``, ``const``,
``pattern``, ``minimum``, ``allOf``/``anyOf``/``not``, ``if``/``then`` and ``$ref`` into
``$defs``). Two differences from a strict validator, both on values Kubernetes itself
rejects: ``true`` equals ``1`` and ``false`` equals ``0`` in ``enum`` and ``const``.
"""

from __future__ import annotations

import json
import marshal
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import CodeType
from typing import Any

from platform_maturity.digest import hasher

SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"  # what fastjsonschema compiles


# how a schema is compiled, part of its key: compiled code cached under an older key (with
# the validator's messages built on every failure) is compiled again, not used
COMPILED_AS = (
    "fastjsonschema draft-07, no defaults, no formats, failures raise _NotValid,"
    " exceptions and Decimal from the namespace"
)


def schema_key(schema: Any) -> str:
    """A stable key for a schema compiled as we compile it: the digest of its canonical
    JSON and of :data:`COMPILED_AS`."""
    text = json.dumps([COMPILED_AS, schema], sort_keys=True, separators=(",", ":"))
    return hasher(text.encode("utf-8")).hexdigest()[:32]


# draft 2020-12 keywords draft-07 does not know: a compiled schema would ignore them silently
UNSUPPORTED = frozenset(
    {
        "prefixItems",
        "dependentRequired",
        "dependentSchemas",
        "unevaluatedProperties",
        "unevaluatedItems",
        "minContains",
        "maxContains",
        "$dynamicRef",
        "$dynamicAnchor",
        "$recursiveRef",
        "$recursiveAnchor",
    }
)


def unsupported_keywords(node: Any) -> set[str]:
    """The keywords of ``node`` (anywhere inside) that checks cannot use."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, child in node.items():
            if key in ("properties", "$defs", "definitions") and isinstance(child, dict):
                for sub in child.values():
                    found |= unsupported_keywords(sub)  # keys here are names, not keywords
                continue
            if key in UNSUPPORTED:
                found.add(key)
            found |= unsupported_keywords(child)
    elif isinstance(node, list):
        for child in node:
            found |= unsupported_keywords(child)
    return found


# Each failure in fastjsonschema's code is a one-line raise of an exception built with a
# message, the value and the whole failing schema. Checks need the verdict, never why: a
# bare exception (_NotValid) instead halves the cost of checking a failing object.
# (Its own ``detailed_exceptions=False`` cannot compile ``const`` in fastjsonschema 2.22.)
_RAISE = re.compile(r"^( *)raise JsonSchemaValueException\(.*\)$", re.MULTILINE)
_PLAIN_RAISE = r"\1raise _NotValid"
# The code imports its exceptions from fastjsonschema; compiled code takes ours from the
# namespace it runs in instead, so a scan does not load fastjsonschema (nor ``decimal``,
# unless the code does arithmetic with it) only to run the code.
_IMPORTS = re.compile(
    r"^from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException$",
    re.MULTILINE,
)
_DECIMAL = re.compile(r"^from decimal import Decimal$", re.MULTILINE)


class SchemaFailure(Exception):
    """What compiled schema code raises when a value fails (fastjsonschema's raises take
    a message and details: kept for the generated code, never read)."""

    def __init__(self, *args: object, **_details: object) -> None:
        super().__init__(*args)


class _NoDecimal:
    """Stands for ``decimal.Decimal`` in code that only tests whether a number is one
    (``isinstance(x, (int, float, Decimal))``): parsed YAML and JSON never hold one."""


class _NotValid(SchemaFailure):
    """The bare failure of rewritten raises, made by the exception's own C constructor."""

    __init__ = Exception.__init__


def compile_code(schema: dict[str, Any]) -> CodeType:
    """Python code for ``schema``; ValueError for keywords checks cannot use, and
    ``fastjsonschema.JsonSchemaDefinitionException`` for what it cannot compile."""
    import fastjsonschema

    unsupported = unsupported_keywords(schema)
    if unsupported:
        raise ValueError(
            "uses " + ", ".join(sorted(unsupported)) + ", which check schemas cannot use"
            " (see docs/checks.md, Writing schemas)"
        )

    # draft-07 is the newest draft fastjsonschema knows; our keywords mean the same there
    # ($defs is only a place for $ref to point into)
    source = fastjsonschema.compile_to_code(
        {**schema, "$schema": SCHEMA_DIALECT}, use_default=False, use_formats=False
    )
    name = f"<check schema {schema_key(schema)}>"
    lean, imports = _IMPORTS.subn("", source)
    if imports != 1:  # generated another way: the code as it is, with its own exceptions
        return compile(source, name, "exec")
    if "Decimal(" not in lean:  # only in isinstance tests: see _NoDecimal
        lean = _DECIMAL.sub("", lean)
    try:
        return compile(_RAISE.sub(_PLAIN_RAISE, lean), name, "exec")
    except SyntaxError:  # raise statements of another shape: those raises as generated
        return compile(lean, name, "exec")


def dump_code(code: CodeType) -> bytes:
    return marshal.dumps(code)


def load_code(blob: bytes) -> CodeType:
    code = marshal.loads(blob)
    if not isinstance(code, CodeType):
        raise ValueError("not compiled validator code")
    return code


@dataclass(frozen=True)
class SchemaValidator:
    """``is_valid`` for one schema, from its compiled code."""

    schema: dict[str, Any]
    code: CodeType = field(repr=False)
    _validate: Callable[[Any], Any] = field(init=False, repr=False, compare=False)
    _error: type[Exception] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        namespace: dict[str, Any] = {
            "_NotValid": _NotValid,
            "JsonSchemaValueException": SchemaFailure,
            "JsonSchemaValuesException": SchemaFailure,
            "Decimal": _NoDecimal,
        }
        # our own generated code, from our own check files; code generated another way
        # imports fastjsonschema's exceptions over these names, and those are caught then
        exec(self.code, namespace)
        object.__setattr__(self, "_validate", namespace["validate"])
        object.__setattr__(self, "_error", namespace["JsonSchemaValueException"])

    def is_valid(self, instance: Any) -> bool:
        try:
            self._validate(instance)
        except self._error:
            return False
        return True

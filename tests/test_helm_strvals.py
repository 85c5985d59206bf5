"""Helm's ``--set`` lines (the names and values of ``set`` blocks), read as Helm reads them.

The expected trees follow Helm's documented ``--set`` behaviour: dotted names, ``\\.``
escapes, ``[n]`` indexes that grow lists with nulls, ``{a,b}`` lists, commas between pairs,
and typing (``true``, ``null``, integers) unless the value is forced to a string.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from platform_maturity.collectors.terraform.strvals import (
    MAX_DEPTH,
    SetError,
    escape,
    name_of,
    parse_into,
    typed,
)


def parsed(line: str, base: dict[str, Any] | None = None, as_string: bool = False) -> Any:
    values: dict[str, Any] = {} if base is None else base
    parse_into(line, values, as_string)
    return values


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("replicaCount=3", {"replicaCount": 3}),
        ("image.tag=1.25.3", {"image": {"tag": "1.25.3"}}),
        ("a.b.c=true", {"a": {"b": {"c": True}}}),
        ("enabled=FALSE", {"enabled": False}),
        ("x=null", {"x": None}),
        ("x=0", {"x": 0}),
        ("x=007", {"x": "007"}),
        ("x=-12", {"x": -12}),
        ("x=1.5", {"x": "1.5"}),
        ("x=99999999999999999999", {"x": "99999999999999999999"}),
        ("x=", {"x": ""}),
        (
            r"podAnnotations.prometheus\.io/scrape=true",
            {"podAnnotations": {"prometheus.io/scrape": True}},
        ),
        (r"a\=b=c", {"a=b": "c"}),
        ("hosts[0]=a", {"hosts": ["a"]}),
        ("hosts[2]=c", {"hosts": [None, None, "c"]}),
        ("ingress.hosts[0].host=x.example", {"ingress": {"hosts": [{"host": "x.example"}]}}),
        ("m[1][0]=z", {"m": [None, ["z"]]}),
        ("args={--port,8080}", {"args": ["--port", 8080]}),
        ("args={}", {"args": [""]}),
        ("a=1,b=2", {"a": 1, "b": 2}),
        (r"a=x\,y", {"a": "x,y"}),
        ("=5", {}),
        ("a[0]", {"a": []}),
        ("a.", {}),
    ],
)
def test_lines_as_helm_reads_them(line: str, expected: Any) -> None:
    assert parsed(line) == expected


def test_strings_are_kept_as_written_when_the_type_is_string() -> None:
    assert parsed("tag=007,on=true,n=3", as_string=True) == {"tag": "007", "on": "true", "n": "3"}
    assert parsed("args={1,true}", as_string=True) == {"args": ["1", "true"]}


def test_a_line_changes_only_what_it_names() -> None:
    base = {"image": {"repository": "nginx", "tag": "1.0"}, "hosts": ["a", "b"]}
    assert parsed("image.tag=2.0,hosts[1]=c", base) == {
        "image": {"repository": "nginx", "tag": "2.0"},
        "hosts": ["a", "c"],
    }


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("a", "has no value"),
        ("a.b", "has no value"),
        ("a,b=1", "cannot end with ,"),
        ("a.=1", "has no value"),
        ("a[x]=1", "not a number"),
        ("a[ 1]=1", "not a number"),
        ("a[-1]=1", "negative"),
        ("a[65537]=1", "larger than"),
        ("a[0", "not closed"),
        ("a[0]x=1", "unexpected"),
        ("a={x,y", "must end with }"),
        ("." * 40 + "a=1", "levels deep"),
    ],
)
def test_what_helm_refuses_is_an_error(line: str, words: str) -> None:
    with pytest.raises(SetError) as caught:
        parsed(line)
    assert words in caught.value.message


def test_a_refused_line_leaves_the_values_as_they_were() -> None:
    base: dict[str, Any] = {"a": 1, "image": {"tag": "1.0"}}
    with pytest.raises(SetError, match="not a map"):
        parse_into("image.tag=2.0,a.b=1", base)
    assert base == {"a": 1, "image": {"tag": "1.0"}}
    with pytest.raises(SetError, match="not a list"):
        parse_into("a[0]=1", base)


def test_names_and_values_can_be_escaped_for_a_line() -> None:
    assert name_of(["podAnnotations", "prometheus.io/scrape"]) == (
        r"podAnnotations.prometheus\.io/scrape"
    )
    assert name_of(["a", 0, "b", 1, 2]) == "a[0].b[1][2]"
    assert parsed(f"k={escape('{a,b}')}", as_string=True) == {"k": "{a,b}"}


KEYS = st.text(min_size=1, max_size=8)
PATHS = st.lists(st.one_of(KEYS, st.integers(min_value=0, max_value=5)), max_size=6)


def at(values: Any, path: list[str | int]) -> Any:
    for part in path:
        values = values[part]
    return values


@settings(max_examples=300, deadline=None)
@given(first=KEYS, rest=PATHS, value=st.text(max_size=12), as_string=st.booleans())
def test_any_path_and_value_round_trip(
    first: str, rest: list[str | int], value: str, as_string: bool
) -> None:
    path: list[str | int] = [first, *rest]
    values = parsed(f"{name_of(path)}={escape(value)}", as_string=as_string)
    assert at(values, path) == typed(value, as_string)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab0.[]=,\\{} -", max_size=40), st.booleans())
def test_any_line_is_read_or_refused_with_a_reason(line: str, as_string: bool) -> None:
    values: dict[str, Any] = {"a": {"b": 1}, "l": [1, {"x": 2}]}
    before = repr(values)
    try:
        parse_into(line, values, as_string)
    except SetError as exc:
        assert exc.message
        assert repr(values) == before


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_at_all_is_read_or_refused(line: str) -> None:
    try:
        parse_into(line, {})
    except SetError as exc:
        assert exc.message


def test_nesting_is_bounded() -> None:
    with pytest.raises(SetError):
        parsed("a" + "[0]" * (MAX_DEPTH + 2) + "=1")
    assert parsed("a" + "[0]" * 3 + "=1") == {"a": [[[1]]]}

"""The Gatus condition grammar: what it accepts, what Gatus silently misreads and we refuse,
how values resolve; fuzzed with hypothesis."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from platform_maturity.domain.conditions import (
    ConditionError,
    Observed,
    evaluate,
    parse_condition,
    parse_duration_ms,
)

BODY = json.dumps(
    {
        "status": "UP",
        "user": {"id": 42, "name": "Ada"},
        "items": [1, 2, 3],
        "price": 10.5,
        "ok": True,
    }
)
SEEN = Observed(
    status=200,
    response_time_ms=120.0,
    ip="127.0.0.1",
    connected=True,
    certificate_expiration_ms=3 * 86_400_000.0,
    body=BODY,
    context={"token": "abc"},
)


@pytest.mark.parametrize(
    ("condition", "passed", "shown"),
    [
        ("[STATUS] == 200", True, "[STATUS] (200) == 200"),
        ("[STATUS] != 200", False, "[STATUS] (200) != 200"),
        ("[STATUS] < 300", True, "[STATUS] (200) < 300"),
        ("[status] == 200", True, "[status] (200) == 200"),  # names are case-insensitive
        ("[RESPONSE_TIME] < 500", True, "[RESPONSE_TIME] (120) < 500"),
        ("[RESPONSE_TIME] <= 100", False, "[RESPONSE_TIME] (120) <= 100"),
        ("[BODY].status == UP", True, "[BODY].status (UP) == UP"),
        ("[BODY].user.id == 42", True, "[BODY].user.id (42) == 42"),
        ("[BODY].user.id == 0x2A", True, "[BODY].user.id (42) == 0x2A"),
        ("[BODY].items[1] == 2", True, "[BODY].items[1] (2) == 2"),
        ("[BODY].price > 10.25", True, "[BODY].price (10.5) > 10.25"),  # Gatus: 10 > 10
        ("[BODY].ok == true", True, "[BODY].ok (true) == true"),
        ("[BODY].missing == 1", False, "[BODY].missing (INVALID) == 1"),
        ("[BODY].missing != 1", False, "[BODY].missing (INVALID) != 1"),
        ("len([BODY].items) == 3", True, "len([BODY].items) (3) == 3"),
        ("len([BODY].user.name) > 2", True, "len([BODY].user.name) (3) > 2"),
        ("has([BODY].user) == true", True, "has([BODY].user) == true"),
        ("has([BODY].nobody) == false", True, "has([BODY].nobody) == false"),
        ("[STATUS] == any(200, 204)", True, "[STATUS] (200) == any(200, 204)"),
        ("[BODY].user.name == pat(A*)", True, "[BODY].user.name (Ada) == pat(A*)"),
        ("[BODY].user.name == pat([!A]*)", False, "[BODY].user.name (Ada) == pat([!A]*)"),
        ("[CERTIFICATE_EXPIRATION] > 48h", True, "[CERTIFICATE_EXPIRATION] (259200000) > 48h"),
        ("[CERTIFICATE_EXPIRATION] > 7d", False, "[CERTIFICATE_EXPIRATION] (259200000) > 7d"),
        ("[CONNECTED] == true", True, "[CONNECTED] (true) == true"),
        ("[IP] == 127.0.0.1", True, "[IP] (127.0.0.1) == 127.0.0.1"),
        ("[CONTEXT].token == abc", True, "[CONTEXT].token (abc) == abc"),
        ("200 == [STATUS]", True, "200 == [STATUS] (200)"),
    ],
)
def test_conditions_evaluate_with_resolved_values(condition: str, passed: bool, shown: str) -> None:
    result = evaluate(parse_condition(condition), SEEN)
    assert (result.passed, result.shown) == (passed, shown)


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("[STATUS]==200", "one space on each side of the operator, e.g. '[STATUS] == 200'"),
        ("[STATUS] =200", "compare with =="),
        ("[STATUS]", "no operator"),
        ("[CERTIFICATE_EXPIRATION] > 30x", "'x' is not a duration unit"),
        ("[BODY].name > Ada", "neither a number nor a duration"),
        ("[STAUTS] == 200", "unknown placeholder [STAUTS]"),
        ("[STATUS] < any(200, 300)", "any() works only with == and !="),
        ("len(items) > 0", "len() takes a placeholder"),
        ("[STATUS].code == 1", "only [BODY] and [CONTEXT] take a path"),
        ("200 == 200", "neither side is a placeholder"),
        ("[STATUS] == ", "one side of the operator is empty"),
        ("", "a condition is empty"),
    ],
)
def test_nonsense_gatus_would_accept_is_refused_with_advice(condition: str, message: str) -> None:
    with pytest.raises(ConditionError) as info:
        parse_condition(condition)
    assert message in str(info.value)


def test_durations() -> None:
    assert parse_duration_ms("500ms") == 500
    assert parse_duration_ms("1h30m") == 5_400_000
    assert parse_duration_ms("2d") == 172_800_000
    assert parse_duration_ms("30") is None
    assert parse_duration_ms("3 days") is None


def test_an_unreadable_body_fails_a_path_condition() -> None:
    seen = Observed(status=200, body="<html>not json</html>")
    result = evaluate(parse_condition("[BODY].status == UP"), seen)
    assert not result.passed and "(INVALID)" in result.shown
    whole = evaluate(parse_condition("[BODY] == pat(*not json*)"), seen)
    assert whole.passed


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_any_text_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        condition = parse_condition(text)
    except ConditionError:
        return
    evaluate(condition, SEEN)  # never raises
    evaluate(condition, Observed())


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["[STATUS]", "[BODY].a.b", "len([BODY].a)", "[BODY][0]", "[RESPONSE_TIME]"]),
    st.sampled_from(["==", "!=", "<", ">", "<=", ">="]),
    st.one_of(st.integers(-(10**6), 10**6).map(str), st.sampled_from(["1.5", "48h", "10ms"])),
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=3), children, max_size=3)
        ),
        max_leaves=8,
    ),
)
def test_evaluation_never_raises_on_any_body(left: str, op: str, right: str, body: object) -> None:
    condition = parse_condition(f"{left} {op} {right}")
    evaluate(condition, Observed(status=200, response_time_ms=5.0, body=json.dumps(body)))

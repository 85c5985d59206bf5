"""Scanner importers: every fixture against its expected findings, real GitHub payloads,
clear errors with file, line and field, and fuzzing of malformed and truncated files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platform_maturity.domain.backlog_policy import SecurityBacklogPolicy
from platform_maturity.domain.errors import UserError
from platform_maturity.engine.backlog.suggest import suggest
from platform_maturity.framework.loader import load_framework
from platform_maturity.importers.findings.base import parse_json_text, read_json
from platform_maturity.importers.findings.jsonpos import line_of
from platform_maturity.importers.findings.registry import by_name, detect, importers

FIXTURES = Path(__file__).parent / "fixtures" / "scanners"
CASES = sorted(p for p in FIXTURES.glob("*/*.json") if not p.name.endswith(".expected.json"))
WEBHOOKS = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "corpus"
    / "github-webhooks"
    / "payload-examples"
    / "api.github.com"
)
POLICY = SecurityBacklogPolicy.model_validate(load_framework().measures["security-backlog"])


def _summary(path: Path) -> dict[str, Any]:
    doc = read_json(path)
    importer = detect(doc)
    reports = importer.parse(doc, None)
    return {
        "format": importer.name,
        "reports": [
            {
                "tool": r.tool,
                "target": r.target,
                "complete": r.complete,
                "findings": [
                    {
                        "rule": f.rule,
                        "title": f.title,
                        "location": f.location,
                        "package": f.package,
                        "installed_version": f.installed_version,
                        "fixed_version": f.fixed_version,
                        "vuln_ids": list(f.vuln_ids),
                        "cwes": list(f.cwes),
                        "severity": f.severity,
                        "cvss_score": f.cvss_score,
                        "epss": f.epss,
                        "status": f.status,
                        "status_note": f.status_note,
                        "seen_at": f.seen_at.isoformat() if f.seen_at else None,
                        "suggestion": (
                            s.model_dump()
                            if (s := suggest(f, POLICY.suggestions, r.tool))
                            else None
                        ),
                        "fingerprint": f.fingerprint[:16],
                    }
                    for f in r.findings
                ],
            }
            for r in reports
        ],
    }


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_matches_expected_findings(path: Path) -> None:
    """Each fixture is read as its folder's format and gives exactly the expected findings."""
    actual = _summary(path)
    assert actual["format"] == path.parent.name
    expected_path = path.with_suffix(".expected.json")
    text = json.dumps(actual, indent=2, sort_keys=True) + "\n"
    if os.environ.get("MATURITY_GOLD_UPDATE"):
        expected_path.write_text(text, encoding="utf-8")
    assert expected_path.exists(), f"missing {expected_path}; run 'make gold-update'"
    assert json.loads(text) == json.loads(expected_path.read_text(encoding="utf-8"))


def test_every_format_has_fixtures() -> None:
    assert {p.parent.name for p in CASES} == {i.name for i in importers()}


def test_fingerprints_are_stable_and_distinct() -> None:
    for path in CASES:
        doc = read_json(path)
        first = [f.fingerprint for r in detect(doc).parse(doc, None) for f in r.findings]
        again = [
            f.fingerprint for r in detect(doc).parse(read_json(path), None) for f in r.findings
        ]
        assert first == again
        assert len(set(first)) == len(first), path


def _webhooks(kind: str) -> list[Path]:
    folder = WEBHOOKS / kind
    if not folder.is_dir():
        if os.environ.get("MATURITY_REQUIRE_POSTGRES"):  # CI has the shared corpus
            pytest.fail(f"the shared corpus is missing: {folder}")
        pytest.skip(f"the shared corpus is not here: {folder}")
    return sorted(folder.glob("*.json"))


def test_real_dependabot_webhook_payloads() -> None:
    """GitHub's own dependabot_alert payloads (octokit/webhooks), read in place."""
    seen = {}
    for path in _webhooks("dependabot_alert"):
        doc = read_json(path)
        importer = detect(doc)
        assert importer.name == "dependabot"
        (report,) = importer.parse(doc, None)
        (finding,) = report.findings
        seen[path.stem] = finding
        assert report.target == json.loads(path.read_text())["repository"]["full_name"]
        assert not report.complete
    created = seen["created.payload"]
    assert created.status == "open" and created.package == "npm:semver"
    assert created.vuln_ids == ("CVE-2022-25883", "GHSA-c2qf-rxjj-qqgw")
    assert created.cvss_score == 5.3 and created.fixed_version == "7.5.2"
    assert seen["fixed.payload"].status == "fixed"


def test_real_code_scanning_webhook_payloads() -> None:
    states, locations = {}, {}
    for path in _webhooks("code_scanning_alert"):
        doc = read_json(path)
        assert detect(doc).name == "code-scanning"
        (report,) = detect(doc).parse(doc, None)
        (finding,) = report.findings
        assert finding.rule and report.target.count("/") == 1
        states[path.stem], locations[path.stem] = finding.status, finding.location
    # the alert's newest instance, else its first one; reopened alerts carry no location
    assert (
        locations["created.payload"] == "src/main/java/com/github/demo/service/BookService.java:84"
    )
    assert locations["reopened.payload"] is None
    assert states["created.payload"] == "open"
    assert states["fixed.payload"] == "fixed"
    assert states["closed-by-user.payload"] == "dismissed"


TRIVY_NO_ID = """{"SchemaVersion": 2,
 "Results": [
  {"Target": "x",
   "Vulnerabilities": [
    {"PkgName": "a"}
   ]}
 ]
}"""
SARIF_BAD_LEVEL = """{"version": "2.1.0",
 "runs": [
  {"tool": {"driver": {"name": "X"}},
   "results": [
    {"message": {"text": "m"}, "level": "fatal", "ruleId": "r"}
   ]}
 ]}"""
PIP_NO_ID = """{"dependencies": [{"name": "a", "version": "1", "vulns": [
 {"fix_versions": []}
]}]}"""
DEPENDABOT_STATE = """[{"number": 1, "state": "exploded", "security_advisory": {"ghsa_id": "G"},
 "html_url": "https://github.com/o/r/security/dependabot/1"}]"""


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        (TRIVY_NO_ID, 5, "Results[0].Vulnerabilities[0].VulnerabilityID", "required field"),
        ('{"SchemaVersion": 2,\n "Results": {"Target": "x"}\n}', 2, "Results", "expected a list"),
        ('{"SchemaVersion": 1, "Results": []}', 1, "SchemaVersion", "schema version 2"),
        (SARIF_BAD_LEVEL, 5, "runs[0].results[0].level", "unknown level"),
        (
            '{"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}',
            1,
            "runs[0].tool.driver.name",
            "required field",
        ),
        (PIP_NO_ID, 2, "dependencies[0].vulns[0].id", "required field"),
        (DEPENDABOT_STATE, 1, "[0].state", "unknown alert state"),
        ('{"auditReportVersion": 3, "vulnerabilities": {}}', 1, "auditReportVersion", "version"),
    ],
)
def test_bad_files_name_line_field_and_value(
    text: str, line: int, field: str, message: str
) -> None:
    doc = parse_json_text(text, "scan.json")
    with pytest.raises(UserError) as caught:
        detect(doc).parse(doc, None)
    error = caught.value
    assert message in error.message
    assert (error.file, error.line, error.field) == ("scan.json", line, field)


def test_not_json_and_empty_and_unknown_files(tmp_path: Path) -> None:
    cut = tmp_path / "cut.json"
    cut.write_text('{"SchemaVersion": 2,\n "Results": [\n  {"Target": ', encoding="utf-8")
    with pytest.raises(UserError, match="not valid JSON") as caught:
        read_json(cut)
    assert caught.value.line == 3
    empty = tmp_path / "empty.json"
    empty.write_text("   \n", encoding="utf-8")
    with pytest.raises(UserError, match="empty"):
        read_json(empty)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"a":\n"\xe9"}')
    with pytest.raises(UserError, match="not UTF-8") as caught:
        read_json(latin)
    assert caught.value.line == 2
    with pytest.raises(UserError, match="cannot tell which scanner"):
        detect(parse_json_text('{"hello": "world"}', "x.json"))
    with pytest.raises(UserError, match="unknown scanner format"):
        by_name("nessus")


def test_line_of_finds_values_by_path() -> None:
    text = '{\n "a": [1,\n  {"b": "x\\"]}",\n   "c": {"d": null}}\n ],\n "e": true\n}'
    assert line_of(text, ("a", 1, "c", "d")) == 4
    assert line_of(text, ("e",)) == 6
    assert line_of(text, ("a", 7)) == 2  # missing: its nearest parent
    assert line_of("[", (0,)) == 1


# ---- fuzzing: malformed and truncated files never escape as anything but a UserError ---


def _read_all(text: str, fmt: str) -> None:
    try:
        doc = parse_json_text(text, "fuzz.json")
        by_name(fmt).parse(doc, None)
    except UserError as exc:
        assert exc.file == "fuzz.json"
        assert exc.message


FIXTURE_TEXT = {p: p.read_text(encoding="utf-8") for p in CASES}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(CASES), cut=st.floats(min_value=0, max_value=1))
def test_truncated_files_give_clear_errors(case: Path, cut: float) -> None:
    text = FIXTURE_TEXT[case]
    _read_all(text[: int(len(text) * cut)], case.parent.name)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 10**6)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*at, index))
    return found


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[head] = _replace(copy[head], rest, value)  # type: ignore[index]
    return copy


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(CASES), data=st.data(), value=JSON_VALUES)
def test_mutated_files_give_clear_errors(case: Path, data: st.DataObject, value: Any) -> None:
    """Any value of a real file replaced by any JSON value: read, or refused with a location."""
    original = json.loads(FIXTURE_TEXT[case])
    path = data.draw(st.sampled_from(_paths(original)))
    mutated = _replace(original, path, value)
    _read_all(json.dumps(mutated, indent=1), case.parent.name)

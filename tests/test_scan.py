"""`maturity scan` end to end: stored evidence, goal outcomes, exemptions, JSON and SARIF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platform_maturity.cli.main import main

ROOT_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {namespace}
{annotations}spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
        - name: {name}
          image: example/{name}:1.0
{security}"""


def manifest(
    name: str, namespace: str = "shop", replicas: int = 2, root: bool = False, annotations: str = ""
) -> str:
    security = "" if root else "          securityContext: {runAsNonRoot: true}\n"
    return ROOT_DEPLOYMENT.format(
        name=name,
        namespace=namespace,
        replicas=replicas,
        security=security,
        annotations=annotations,
    )


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def manifests(workspace_dir: Path) -> Path:
    folder = workspace_dir / "k8s"
    folder.mkdir()
    (folder / "good.yaml").write_text(manifest("cart"))
    (folder / "bad.yaml").write_text(manifest("search", namespace="search", replicas=1, root=True))
    (folder / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: x\n")
    (workspace_dir / "maturity.yaml").write_text(
        "version: 1\norganization: {name: Test Org}\nunits:\n"
        "  - {slug: alpha, name: Alpha, namespaces: [shop]}\n"
        "  - {slug: beta, name: Beta, paths: ['k8s/bad.yaml']}\n"
        "evidence: {kubernetes: [k8s]}\n"
    )
    return folder


def goal(report: dict[str, object], code: str, scope: str = "organization") -> dict[str, object]:
    card = report["scorecard"]  # type: ignore[index]
    scopes = [card["organization"], *card["units"]]  # type: ignore[index]
    chosen = next(s for s in scopes if s["scope"] == scope)
    return next(
        g
        for p in chosen["pillars"]
        for c in p["categories"]
        for g in c["goals"]
        if g["code"] == code
    )


def test_scan_stores_evidence_that_decides_goals(
    manifests: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "answer", "S.A.20", "--status", "met")
    code, out, _ = run(capsys, "scan")
    assert code == 0 and "k8s.container-run-as-non-root" in out and "could not be read" in out
    _, text, _ = run(capsys, "report", "--format", "json")
    report = json.loads(text)
    org = goal(report, "S.A.20")
    assert org["outcome"] == "partly_met" and org["source"] == "scan"
    assert org["evidence_summary"].startswith("1 of 2 subject(s) fail")
    assert org["failing_subjects"] == ["Deployment/search/search"]
    assert org["evidence_refs"][0].startswith("k8s/bad.yaml:")
    assert org["disagreement"] is True and org["answer_outcome"] == "met"
    assert goal(report, "S.A.20", "alpha")["outcome"] == "met"
    assert goal(report, "S.A.20", "beta")["outcome"] == "not_met"
    assert goal(report, "R.A.1", "beta")["outcome"] == "not_met"


def test_rescanning_unchanged_inputs_gives_the_same_result(
    manifests: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = json.loads(run(capsys, "scan", "--format", "json")[1])
    second = json.loads(run(capsys, "scan", "--format", "json")[1])
    assert second["scan_id"] == first["scan_id"] + 1
    assert first["findings"] == second["findings"] and first["checks"] == second["checks"]
    assert first["problems"] == [
        {"path": "k8s/broken.yaml", "line": 4, "message": first["problems"][0]["message"]}
    ]


def test_exemptions_show_as_waived_never_passed(
    manifests: Path, workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    annotated = manifest(
        "search",
        namespace="search",
        replicas=1,
        root=True,
        annotations="  annotations:\n    platform-maturity.io/exempt-k8s.container-run-as-non-root:"
        " legacy image, fixed in Q1\n",
    )
    (manifests / "bad.yaml").write_text(annotated)
    config = (workspace_dir / "maturity.yaml").read_text()
    (workspace_dir / "maturity.yaml").write_text(
        config + "scan:\n  exemptions:\n    - {check: k8s.workload-min-replicas,"
        " subject: 'Deployment/search/*', reason: singleton by design}\n"
    )
    result = json.loads(run(capsys, "scan", "--format", "json")[1])
    waived = [f for f in result["findings"] if f["waived"]]
    assert {f["check"] for f in waived} >= {
        "k8s.container-run-as-non-root",
        "k8s.workload-min-replicas",
    }
    assert all(f["subject"] == "Deployment/search/search" for f in waived)
    assert all(f["passed"] is False for f in waived)
    report = json.loads(run(capsys, "report", "--format", "json")[1])
    assert goal(report, "S.A.20", "beta")["outcome"] == "waived"


def test_exemptions_that_exempt_nothing_are_warned_about(
    manifests: Path, workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (workspace_dir / "maturity.yaml").read_text()
    (workspace_dir / "maturity.yaml").write_text(
        config + "scan:\n  exemptions:\n"
        "    - {check: k8s.workload-min-replica, reason: typo in the id}\n"
        "    - {check: 'k8s.*', subject: 'Deployment/search/*', reason: old, expires: 2020-03-01}\n"
        "    - {check: 'k8s.container-*', subject: 'Pod/x/*', reason: fine, expires: 2999-01-01}\n"
        "    - {check: 'nope.*', reason: no such family}\n"
    )
    expected = [
        "maturity.yaml: scan.exemptions[0] (check 'k8s.workload-min-replica'): matches no"
        " check, so it exempts nothing; did you mean 'k8s.workload-min-replicas'?",
        "maturity.yaml: scan.exemptions[1] (check 'k8s.*'): expired on 2020-03-01, so it"
        " exempts nothing",
        "maturity.yaml: scan.exemptions[3] (check 'nope.*'): matches no check, so it exempts"
        " nothing",
    ]
    code, out, err = run(capsys, "scan", "--format", "json")
    result = json.loads(out)
    assert code == 0 and result["warnings"] == expected
    assert [line.removeprefix("warning: ") for line in err.splitlines()] == expected
    # the expired exemption waives nothing: the finding fails as if it were not there
    assert not [f for f in result["findings"] if f["waived"]]
    code, out, _ = run(capsys, "scan")
    assert code == 0 and all(f"warning: {w}" in out for w in expected)


def test_sarif_output_is_valid_for_code_scanning(
    manifests: Path, workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(capsys, "scan", "--format", "sarif", "--out", "scan.sarif")
    assert code == 0
    sarif = json.loads((workspace_dir / "scan.sarif").read_text())
    assert sarif["version"] == "2.1.0" and len(sarif["runs"]) == 1
    run_ = sarif["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert {"k8s.container-run-as-non-root", "k8s.workload-min-replicas"} <= {
        r["id"] for r in rules
    }
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["help"]["text"]
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] in ("k8s/bad.yaml", "k8s/good.yaml")
        assert location["region"]["startLine"] >= 1
        assert len(result["partialFingerprints"]["platformMaturity/v1"]) == 32
    root = [r for r in run_["results"] if r["ruleId"] == "k8s.container-run-as-non-root"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in root] == [
        "k8s/bad.yaml"
    ]


def test_scan_bad_input(workspace_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "scan")
    assert code == 2 and "nothing to scan" in err
    code, _, err = run(capsys, "scan", "missing-folder")
    assert code == 2 and "no such file or folder" in err
    code, _, err = run(capsys, "scan", ".", "--format", "xml")
    assert code == 2 and "unknown format" in err
    code, out, _ = run(capsys, "scan", "--list-checks")
    assert code == 0 and "k8s.container-run-as-non-root" in out


def test_each_configured_path_goes_to_its_own_collector(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace_dir / "k8s").mkdir()
    (workspace_dir / "k8s" / "app.yaml").write_text(manifest("cart"))
    (workspace_dir / "not-a-repo").mkdir()
    (workspace_dir / "not-a-repo" / "README.md").write_text("hello\n")
    (workspace_dir / "maturity.yaml").write_text(
        "version: 1\norganization: {name: Test Org}\n"
        "evidence: {kubernetes: [k8s], repositories: [not-a-repo]}\n"
    )
    result = json.loads(run(capsys, "scan", "--format", "json")[1])
    assert result["inputs"]["kubernetes"] == 1
    assert [p["path"] for p in result["problems"]] == ["not-a-repo"]
    assert "git" in result["problems"][0]["message"]
    # the manifest folder is not mistaken for a repository
    assert not any(f["check"].startswith("repo.") for f in result["findings"])


def test_repositories_are_assigned_to_units_by_codeowners(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import subprocess

    for name, owner in (("api", "@acme/payments"), ("web", "@acme/shop")):
        repo = workspace_dir / "repos" / name
        (repo / ".github").mkdir(parents=True)
        (repo / ".github" / "CODEOWNERS").write_text(f"# owners\n*  {owner}\ndocs/ @acme/docs\n")
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
        subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
        subprocess.run(
            [
                "git",
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "commit.gpgsign=false",
                "commit",
                "-qm",
                "x",
            ],
            cwd=repo,
            check=True,
        )
    (workspace_dir / "maturity.yaml").write_text(
        "version: 1\norganization: {name: Test Org}\nunits:\n"
        "  - {slug: alpha, name: Alpha, owners: ['@ACME/payments']}\n"
        "  - {slug: beta, name: Beta, owners: ['@acme/shop']}\n"
        "evidence: {repositories: [repos]}\n"
    )
    result = json.loads(run(capsys, "scan", "--format", "json")[1])
    units = {f["subject"]: f["unit"] for f in result["findings"] if f["check"] == "repo.codeowners"}
    assert units == {"repo:api": "alpha", "repo:web": "beta"}


def test_in_a_workspace_of_one_unit_every_finding_is_that_units(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = workspace_dir / "k8s"
    folder.mkdir()
    (folder / "web.yaml").write_text(manifest("web", replicas=1, root=True))
    (workspace_dir / "maturity.yaml").write_text(
        "version: 1\norganization: {name: Test Org}\nunits:\n  - {slug: solo, name: Solo}\n"
    )
    code, out, err = run(capsys, "scan", "k8s", "--format", "json")
    assert code == 0, err
    assert {f["unit"] for f in json.loads(out)["findings"]} == {"solo"}


def test_no_store_needs_no_workspace_and_records_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "repo" / "k8s"
    folder.mkdir(parents=True)
    (folder / "bad.yaml").write_text(manifest("search", replicas=1, root=True))
    monkeypatch.chdir(tmp_path)  # no maturity.yaml here or above
    code, out, err = run(capsys, "scan", str(folder), "--no-store", "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    assert document["scan_id"] is None
    failing = {f["check"] for f in document["findings"] if f["passed"] is False}
    assert "k8s.container-run-as-non-root" in failing
    assert all(f["unit"] is None for f in document["findings"])
    assert not list(tmp_path.rglob("*.db")) and not (tmp_path / ".maturity").exists()
    code, out, _ = run(capsys, "scan", str(folder), "--no-store")
    assert code == 0 and "not stored" in out and "Nothing was stored" in out
    # without --no-store a workspace is still required
    code, _, err = run(capsys, "scan", str(folder))
    assert code == 2 and "maturity.yaml" in err


def test_no_store_in_a_workspace_uses_its_units_and_stores_nothing(
    manifests: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "scan", "--no-store", "--format", "json")
    assert code == 0, err
    units = {f["unit"] for f in json.loads(out)["findings"]}
    assert units >= {"alpha", "beta"}
    code, out, _ = run(capsys, "report", "--format", "json")
    assert code == 0
    assert json.loads(out)["scan"] is None  # the scan above was not recorded


def test_the_terminal_lists_the_most_severe_failures_first(
    manifests: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = run(capsys, "scan", "--no-store")
    assert code == 0
    start = out.index("Failures (")
    table = out[start : out.index("└", start)]
    levels = [
        line.split("│")[1].strip()
        for line in table.splitlines()
        if line.startswith("│") and line.split("│")[1].strip()
    ]
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    assert levels and all(level in order for level in levels)
    assert [order[x] for x in levels] == sorted(order[x] for x in levels)

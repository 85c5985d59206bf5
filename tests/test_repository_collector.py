"""The repository collector: discovery, bad inputs, git history, organization-level checks
and speed. Per-check verdicts are covered by the fixture walker (test_checks_fixtures.py);
the checks whose passing case needs more than one commit (tags, signatures, history) or
more than one repository (repo.ci-shared-code, repo.devenv-shared) are covered here."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from platform_maturity.checks.catalog import load_catalog
from platform_maturity.collectors.base import Exemption, ScanContext
from platform_maturity.collectors.registry import check_functions
from platform_maturity.collectors.repository.collector import RepositoryCollector
from platform_maturity.collectors.repository.detectors import load_detectors
from platform_maturity.collectors.repository.files import (
    MAX_READ_BYTES,
    compile_globs,
    walk_repository,
)
from platform_maturity.collectors.repository.git import GitView
from platform_maturity.collectors.repository.relations import DEVENV_FACETS
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.observations import Observation
from platform_maturity.framework.loader import load_framework

NOW = datetime(2026, 11, 20, tzinfo=UTC)
CATALOG = load_catalog(load_framework(), functions=check_functions())
SHA = "b4ffde65f46336ab88eb53be808477a3936bae11"
IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
WORKFLOW = "on: pull_request\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n{steps}\n"


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *IDENTITY, "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    return done.stdout


def make_repo(path: Path, files: dict[str, str | bytes], commit: bool = True) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    git(path, "init", "-q", "-b", "main")
    if commit:
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", "first", "--allow-empty")
    return path


def workflow(*steps: str) -> str:
    return WORKFLOW.format(steps="\n".join(f"      - {s}" for s in steps))


def scan(
    roots: list[Path],
    root: Path,
    unit_for: Callable[[Path, str | None], str | None] | None = None,
    exemptions: tuple[Exemption, ...] = (),
    collector: RepositoryCollector | None = None,
) -> tuple[list[Observation], list[tuple[str, str]]]:
    collector = collector or RepositoryCollector()
    context = ScanContext(
        catalog=CATALOG,
        now=NOW,
        root=root,
        unit_for=unit_for or (lambda _p, _n: None),
        exemptions=exemptions,
    )
    result = collector.collect(collector.discover(roots), context)
    return result.observations, [(p.path, p.message) for p in result.problems]


def verdicts(observations: list[Observation], check_id: str) -> dict[str, bool | None]:
    return {o.subject: o.passed for o in observations if o.check_id == check_id}


def only(observations: list[Observation], check_id: str, subject: str) -> Observation:
    found = [o for o in observations if o.check_id == check_id and o.subject == subject]
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------- discovery and bad input


def test_a_repository_root_is_one_subject(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "api", {"README.md": "# api\n"})
    assert RepositoryCollector().discover([repo]) == [repo]
    observations, problems = scan([repo], tmp_path)
    assert not problems
    assert {o.subject for o in observations} == {"repo:api"}
    assert {o.check_id for o in observations} == {c.id for c in CATALOG.by_source("repository")}


def test_an_organization_folder_yields_its_clones_and_reports_the_rest(tmp_path: Path) -> None:
    org = tmp_path / "org"
    make_repo(org / "api", {"README.md": "# api\n"})
    make_repo(org / "web", {"README.md": "# web\n"})
    (org / "notes").mkdir()
    (org / "notes" / "todo.txt").write_text("x\n")
    (org / ".cache").mkdir()  # hidden folders are not candidates
    found = RepositoryCollector().discover([org])
    assert [p.name for p in found] == ["api", "notes", "web"]
    observations, problems = scan([org], tmp_path)
    assert {o.subject for o in observations} == {"repo:api", "repo:web"}
    assert problems == [("org/notes", "not a git repository (no .git): skipped")]


def test_a_folder_that_is_not_a_repository_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "manifests"
    folder.mkdir()
    (folder / "app.yaml").write_text("kind: Deployment\n")
    collector = RepositoryCollector()
    # a scan hands every root to every collector: discovery leaves this one to the others
    assert collector.discover([folder, tmp_path / "missing"]) == []
    context = ScanContext(catalog=CATALOG, now=NOW, root=tmp_path)
    result = collector.collect([folder, tmp_path / "missing", folder / "app.yaml"], context)
    assert result.observations == []
    assert result.inputs == 3
    assert [(p.path, p.message) for p in result.problems] == [
        ("manifests", "not a git repository (no .git): skipped"),
        ("missing", "no such folder"),
        ("manifests/app.yaml", "not a folder: a repository is a folder with a .git inside"),
    ]


def test_a_symlink_out_of_the_tree_is_ignored_with_a_problem(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "ci.yml").write_text(workflow("run: pytest"))
    repo = make_repo(tmp_path / "api", {"README.md": "# api\n"})
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").symlink_to(outside / "ci.yml")
    (repo / "linked-dir").symlink_to(outside, target_is_directory=True)
    (repo / "SECURITY.md").symlink_to(repo / "README.md")  # inside the tree: followed
    observations, problems = scan([repo], tmp_path)
    assert sorted(problems) == [
        ("api/.github/workflows/ci.yml", "symbolic link points outside the repository: ignored"),
        ("api/linked-dir", "symbolic link points outside the repository: ignored"),
    ]
    assert verdicts(observations, "repo.ci-present") == {"repo:api": False}
    assert verdicts(observations, "repo.security-policy") == {"repo:api": True}


def test_huge_and_binary_files_do_not_stop_the_scan(tmp_path: Path) -> None:
    big = "steps:\n" + "# padding line\n" * (MAX_READ_BYTES // 15 + 10) + "  - run: pytest\n"
    repo = make_repo(
        tmp_path / "api",
        {
            ".github/workflows/big.yml": "  - run: ruff check .\n" + big,
            ".github/workflows/blob.yml": b"\x00\x01\x02binary" * 100,
            "assets/huge.bin": b"\x00" * (3 * MAX_READ_BYTES),  # not searched: no problem
        },
    )
    observations, problems = scan([repo], tmp_path)
    assert sorted(problems) == [
        (
            "api/.github/workflows/big.yml",
            "file larger than 1 MiB: only its beginning was searched",
        ),
        ("api/.github/workflows/blob.yml", "binary file: its contents were not searched"),
    ]
    assert verdicts(observations, "repo.ci-lint") == {"repo:api": True}  # line 1 was read
    assert verdicts(observations, "repo.ci-runs-tests") == {"repo:api": False}  # past the cap


def test_broken_git_metadata_leaves_history_checks_undecided(tmp_path: Path) -> None:
    repo = tmp_path / "api"
    repo.mkdir()
    (repo / ".git").write_text("gitdir: /nonexistent/worktree\n")
    (repo / "CHANGELOG.md").write_text("# Changelog\n")
    observations, problems = scan([repo], tmp_path)
    assert len(problems) == 1 and problems[0][0] == "api"
    assert "could not read the git history" in problems[0][1]
    signed = only(observations, "repo.signed-commits", "repo:api")
    assert signed.passed is None and signed.message.startswith("undecided")
    assert verdicts(observations, "repo.changelog") == {"repo:api": True}


def test_an_empty_repository_is_scanned(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "new", {"README.md": "# new\n"}, commit=False)
    observations, problems = scan([repo], tmp_path)
    assert not problems
    signed = only(observations, "repo.signed-commits", "repo:new")
    assert signed.passed is False and "no commits to look at" in signed.message


# ---------------------------------------------------------------- evidence


def test_evidence_names_file_and_line_and_failures_say_what_was_looked_for(
    tmp_path: Path,
) -> None:
    repo = make_repo(
        tmp_path / "api",
        {".github/workflows/ci.yml": workflow(f"uses: actions/checkout@{SHA}", "run: pytest -q")},
    )
    observations, _ = scan([repo], tmp_path)
    tests = only(observations, "repo.ci-runs-tests", "repo:api")
    assert tests.passed is True
    assert tests.collector == "repository" and tests.collector_version == "1"
    assert tests.goal_codes == ("A.I.2",)
    ref = tests.evidence[0]
    assert (ref.path, ref.line_start, ref.line_end) == ("api/.github/workflows/ci.yml", 7, 7)
    assert ref.object_ref == "repo:api"
    lint = only(observations, "repo.ci-lint", "repo:api")
    assert lint.passed is False
    assert "a lint step in CI" in lint.message and "no matching line" in lint.message
    assert lint.evidence[0].path == "api"
    bot = only(observations, "repo.dependency-update-bot", "repo:api")
    assert "looked for Dependabot version updates" in bot.message


def test_a_pin_violation_points_at_the_offending_line(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "api",
        {
            ".github/workflows/ci.yml": workflow(
                f"uses: actions/checkout@{SHA}", "uses: actions/setup-python@v5"
            ),
            "Dockerfile": "FROM golang:1.22 AS build\nFROM build AS test\nFROM scratch\n",
        },
    )
    observations, _ = scan([repo], tmp_path)
    actions = only(observations, "repo.actions-pinned", "repo:api")
    assert actions.passed is False
    assert [(e.path, e.line_start) for e in actions.evidence] == [
        ("api/.github/workflows/ci.yml", 7)
    ]
    assert "actions/setup-python@v5" in actions.message
    images = only(observations, "repo.images-pinned", "repo:api")
    assert images.passed is False
    assert [e.line_start for e in images.evidence] == [1]  # stages and scratch are fine


def test_not_applicable_checks_leave_the_verdict_open(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "docs", {"README.md": "# docs\n"})
    observations, _ = scan([repo], tmp_path)
    for check_id in ("repo.actions-pinned", "repo.images-pinned", "repo.lockfiles"):
        observation = only(observations, check_id, "repo:docs")
        assert observation.passed is None, check_id
        assert observation.message.startswith("not applicable")


def test_a_workspace_exemption_waives_a_failure(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "legacy", {"README.md": "# legacy\n"})
    exemption = Exemption(check="repo.ci-*", subject="repo:legacy", reason="archived")
    observations, _ = scan([repo], tmp_path, exemptions=(exemption,))
    ci = only(observations, "repo.ci-present", "repo:legacy")
    assert ci.passed is False and ci.waived and ci.message.endswith("(exempt: archived)")
    assert not only(observations, "repo.codeowners", "repo:legacy").waived


# ---------------------------------------------------------------- git history


@pytest.fixture
def gnupg(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    if shutil.which("gpg") is None:
        pytest.skip("gpg is not installed")
    home = tmp_path_factory.mktemp("gpg")
    home.chmod(0o700)
    monkeypatch.setenv("GNUPGHOME", str(home))
    subprocess.run(
        [
            *("gpg", "--batch", "--passphrase", "", "--quick-gen-key"),
            *("Test <test@example.com>", "ed25519", "sign", "never"),
        ],
        check=True,
        capture_output=True,
    )
    yield "test@example.com"
    subprocess.run(["gpgconf", "--kill", "gpg-agent"], check=False, capture_output=True)


def test_signed_and_unsigned_commits_are_told_apart(tmp_path: Path, gnupg: str) -> None:
    repo = make_repo(tmp_path / "api", {"a.txt": "a\n"}, commit=False)
    git(repo, "add", "-A")
    git(repo, "-c", f"user.signingkey={gnupg}", "commit", "-q", "-S", "-m", "signed")
    view = GitView(repo)
    assert [c.signature for c in view.commits(20)] == ["G"]
    observations, _ = scan([repo], tmp_path)
    signed = only(observations, "repo.signed-commits", "repo:api")
    assert signed.passed is True and signed.value == 100.0
    assert signed.evidence[0].query == "git log -n 20 --format=%G?"

    (repo / "b.txt").write_text("b\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "unsigned")
    assert [c.signature for c in GitView(repo).commits(20)] == ["N", "G"]
    observations, _ = scan([repo], tmp_path)
    signed = only(observations, "repo.signed-commits", "repo:api")
    assert signed.passed is False and signed.value == 50.0
    assert "1 of the last 2 commit(s) signed" in signed.message


def test_ssh_signatures_count_without_an_allowed_signers_file(tmp_path: Path) -> None:
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    repo = make_repo(tmp_path / "api", {"a.txt": "a\n"}, commit=False)
    git(repo, "add", "-A")
    signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={key}"]
    git(repo, *signing, "commit", "-q", "-S", "-m", "signed")
    assert [c.signature for c in GitView(repo).commits(20)] == ["U"]
    observations, _ = scan([repo], tmp_path)
    assert verdicts(observations, "repo.signed-commits") == {"repo:api": True}


def test_release_tags_are_read_from_git(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "lib", {"README.md": "# lib\n"})
    observations, _ = scan([repo], tmp_path)
    assert verdicts(observations, "repo.release-tags") == {"repo:lib": False}
    git(repo, "tag", "build-7")
    git(repo, "tag", "-a", "v1.2.0", "-m", "release 1.2.0")
    observations, _ = scan([repo], tmp_path)
    tags = only(observations, "repo.release-tags", "repo:lib")
    assert tags.passed is True and "the newest v1.2.0" in tags.message
    assert tags.evidence[0].query == "git tag"


def test_a_stale_changelog_fails_the_maintenance_check(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "api", {"CHANGELOG.md": "# Changelog\n"}, commit=False)
    old = "2026-01-01T12:00:00+00:00"
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "old", env={"GIT_AUTHOR_DATE": old, "GIT_COMMITTER_DATE": old})
    (repo / "main.py").write_text("print('hi')\n")
    git(repo, "add", "-A")
    new = "2026-11-01T12:00:00+00:00"
    git(repo, "commit", "-q", "-m", "new", env={"GIT_AUTHOR_DATE": new, "GIT_COMMITTER_DATE": new})
    observations, _ = scan([repo], tmp_path)
    maintained = only(observations, "repo.changelog-maintained", "repo:api")
    assert maintained.passed is False
    assert "CHANGELOG.md last changed 2026-01-01, 304 days before the newest commit" in (
        maintained.message
    )
    assert verdicts(observations, "repo.changelog") == {"repo:api": True}


# ---------------------------------------------------------------- organization-level checks


def _unit_by_prefix(path: Path, _namespace: str | None) -> str | None:
    return path.name.split("-")[0]  # "pay-api" belongs to unit "pay"


def test_shared_ci_code_and_copies_across_a_unit(tmp_path: Path) -> None:
    org = tmp_path / "org"
    inline = workflow("run: pytest")
    reusable = "on: push\njobs:\n  ci:\n    uses: acme/ci/.github/workflows/python.yml@v2\n"
    make_repo(org / "pay-api", {".github/workflows/ci.yml": reusable})
    make_repo(org / "pay-web", {".github/workflows/ci.yml": inline})
    make_repo(org / "pay-worker", {".github/workflows/ci.yml": "# copied\n" + inline})
    make_repo(org / "pay-docs", {"README.md": "# docs\n"})
    component = "include:\n  - component: gitlab.com/acme/ci/tf@1\n"
    make_repo(org / "ops-infra", {".gitlab-ci.yml": component})
    make_repo(org / "ops-cli", {".gitlab-ci.yml": "test:\n  script: [go test ./...]\n"})
    observations, problems = scan([org], tmp_path, unit_for=_unit_by_prefix)
    assert not problems
    assert verdicts(observations, "repo.ci-shared-code") == {
        "repo:pay-api": True,
        "repo:pay-web": False,
        "repo:pay-worker": False,
        "repo:pay-docs": False,
        "repo:ops-infra": True,
        "repo:ops-cli": False,
    }
    web = only(observations, "repo.ci-shared-code", "repo:pay-web")
    assert "a copy of the one in repo:pay-worker" in web.message
    assert web.unit == "pay" and web.goal_codes == ("A.S.2",)
    api = only(observations, "repo.ci-shared-code", "repo:pay-api")
    assert "acme/ci/.github/workflows/python.yml@v2" in api.message
    assert (api.evidence[0].path, api.evidence[0].line_start) == (
        "org/pay-api/.github/workflows/ci.yml",
        4,
    )
    cli = only(observations, "repo.ci-shared-code", "repo:ops-cli")
    assert "lives only in this repository" in cli.message  # the other unit has no copy


def test_shared_developer_environment_across_a_unit(tmp_path: Path) -> None:
    org = tmp_path / "org"
    versions = "python 3.12.4\nnodejs 20.14.0\n"
    make_repo(org / "pay-api", {".tool-versions": versions})
    make_repo(org / "pay-web", {".tool-versions": "# same tools\nnodejs 20.14.0\npython 3.12.4\n"})
    make_repo(org / "pay-worker", {".tool-versions": "python 3.11.9\n"})
    make_repo(org / "pay-docs", {"README.md": "# docs\n"})
    image = '{\n  // shared\n  "image": "ghcr.io/acme/dev:3",\n}\n'
    make_repo(org / "ops-infra", {".devcontainer/devcontainer.json": image})
    make_repo(org / "data-etl", {"flake.nix": "{ outputs = _: {}; }\n"})
    observations, problems = scan([org], tmp_path, unit_for=_unit_by_prefix)
    assert not problems
    assert verdicts(observations, "repo.devenv-shared") == {
        "repo:pay-api": True,
        "repo:pay-web": True,
        "repo:pay-worker": False,
        "repo:pay-docs": False,
        "repo:ops-infra": True,  # alone in its unit, on a prebuilt image
        "repo:data-etl": None,  # alone in its unit, nothing to compare with
    }
    worker = only(observations, "repo.devenv-shared", "repo:pay-worker")
    assert "differs from the unit's common one" in worker.message
    api = only(observations, "repo.devenv-shared", "repo:pay-api")
    assert "shared by 2 repositories" in api.message


def test_without_units_the_whole_scan_is_one_organization(tmp_path: Path) -> None:
    org = tmp_path / "org"
    image = '{"image": "ghcr.io/acme/dev:3"}'
    make_repo(org / "a", {".devcontainer/devcontainer.json": image})
    make_repo(org / "b", {".devcontainer.json": image})
    make_repo(org / "c", {".devcontainer/devcontainer.json": '{"image": "ubuntu:24.04"}'})
    observations, _ = scan([org], tmp_path)
    assert verdicts(observations, "repo.devenv-shared") == {
        "repo:a": True,
        "repo:b": True,
        "repo:c": False,
    }


# ---------------------------------------------------------------- detector tables


def test_every_detector_is_used_and_every_check_names_known_detectors() -> None:
    detectors = load_detectors()
    used: set[str] = set(DEVENV_FACETS)
    for check in CATALOG.by_source("repository"):
        if check.function is not None:
            continue
        assert not detectors.unknown(check.detectors), check.id
        used.update(d.id for d in detectors.expand(check.detectors))
    for detector in detectors.detectors.values():
        for pattern in detector.spec.files_of:
            used.update(d.id for d in detectors.expand([pattern]))
    used.update(d.id for d in detectors.expand(["ci-shared.*"]))  # read by shares_ci_code
    assert sorted(set(detectors.detectors) - used) == []
    assert set(DEVENV_FACETS) <= set(detectors.detectors)


def test_a_workspace_can_add_and_replace_detectors(tmp_path: Path) -> None:
    extra = tmp_path / "detectors.yaml"
    extra.write_text(
        "detectors:\n"
        "  - id: ci.concourse\n"
        "    description: Concourse pipeline\n"
        "    files: ['ci/pipeline.yml']\n"
        "  - id: security-policy.file\n"
        "    description: a security policy in SECURITY.adoc\n"
        "    files: ['SECURITY.adoc']\n"
    )
    repo = make_repo(
        tmp_path / "api",
        {
            "ci/pipeline.yml": "jobs:\n- name: test\n  plan:\n  - task: pytest\n",
            "SECURITY.adoc": "x",
        },
    )
    observations, _ = scan([repo], tmp_path, collector=RepositoryCollector([extra]))
    assert verdicts(observations, "repo.ci-present") == {"repo:api": True}
    assert verdicts(observations, "repo.ci-runs-tests") == {"repo:api": True}  # files_of ci.*
    assert verdicts(observations, "repo.security-policy") == {"repo:api": True}


def test_a_bad_detector_table_names_file_and_line(tmp_path: Path) -> None:
    extra = tmp_path / "bad.yaml"
    extra.write_text(
        "detectors:\n  - id: ci.bad\n    description: broken\n    files: ['x']\n"
        "    content: '(unclosed'\n"
    )
    with pytest.raises(UserError) as caught:
        load_detectors([extra])
    assert caught.value.file == str(extra) and caught.value.line == 5
    assert "not a valid regular expression" in caught.value.message


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        (".github/workflows/*.yml", ".github/workflows/ci.yml", True),
        (".github/workflows/*.yml", ".github/workflows/sub/ci.yml", False),
        ("**/Chart.yaml", "Chart.yaml", True),
        ("**/Chart.yaml", "deploy/charts/app/Chart.yaml", True),
        ("**/e2e/**", "web/e2e/login.spec.ts", True),
        ("**/e2e/**", "web/e2e", False),
        ("CHANGELOG*", "changelog.md", False),  # case-sensitive unless a detector says so
        ("Dockerfile.*", "dockerfile.py", False),
        ("compose.{yml,yaml}", "compose.yaml", True),
        ("Dockerfile.[!b]*", "Dockerfile.build", False),
        ("*.tf", "modules/x/main.tf", False),
    ],
)
def test_globs(pattern: str, path: str, matches: bool) -> None:
    compiled = compile_globs((pattern,))
    assert compiled is not None
    assert bool(compiled.match(path)) is matches


def test_globs_can_ignore_case() -> None:
    compiled = compile_globs(("CHANGELOG*", "docs/HISTORY*"), ignore_case=True)
    assert compiled is not None
    assert compiled.match("changelog.md") and compiled.match("Docs/History.rst")


def test_ignored_files_are_no_evidence_and_untracked_ones_are(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "api",
        {".gitignore": "build/\n", "build/.github/workflows/ci.yml": workflow("run: pytest")},
    )
    (repo / "SECURITY.md").write_text("# Security\n")  # not committed yet, not ignored
    venv = repo / "env"  # a virtualenv git does not ignore: recognised by its pyvenv.cfg
    (venv / "lib").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "lib" / "mypy.ini").write_text("[mypy]\n")
    observations, _ = scan([repo], tmp_path)
    assert verdicts(observations, "repo.ci-present") == {"repo:api": False}
    assert verdicts(observations, "repo.security-policy") == {"repo:api": True}
    assert verdicts(observations, "repo.static-analysis-config") == {"repo:api": False}
    shutil.rmtree(repo / ".git")  # without git the folder is walked; virtualenvs are skipped
    tree = walk_repository(repo)
    assert "env/lib/mypy.ini" not in tree.files and "SECURITY.md" in tree.files


# ---------------------------------------------------------------- speed


def test_two_hundred_repositories_scan_quickly(tmp_path: Path) -> None:
    templates = [
        make_repo(
            tmp_path / "templates" / "python",
            {
                ".github/workflows/ci.yml": workflow("run: ruff check .", "run: pytest --cov"),
                "pyproject.toml": '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n',
                "uv.lock": "version = 1\n",
                "src/app/__init__.py": "",
                "CHANGELOG.md": "# Changelog\n",
            },
        ),
        make_repo(
            tmp_path / "templates" / "node",
            {
                ".gitlab-ci.yml": "include:\n  - project: acme/ci\ntest:\n  script: [npm test]\n",
                "package.json": '{"devDependencies": {"jest": "29"}}\n',
                "Dockerfile": "FROM node:20\n",
                "src/index.js": "console.log(1)\n",
            },
        ),
    ]
    org = tmp_path / "org"
    org.mkdir()
    for index in range(200):
        shutil.copytree(templates[index % 2], org / f"repo-{index:03d}", symlinks=True)
    started = time.perf_counter()
    observations, problems = scan([org], tmp_path)
    elapsed = time.perf_counter() - started
    assert not problems
    assert len({o.subject for o in observations}) == 200
    assert elapsed < 10, f"200 repositories took {elapsed:.1f} s"

"""Detectors: data tables that say which files (and which lines in them) show a practice.

A detector names file globs (``files``, or the files of other detectors via ``files_of``),
optionally a regular expression the files' lines must match ``min_matches`` times
(``content``), and optionally a regular expression no line may match (``forbid``). Git
detectors read history instead (``git``: signed-commits, file-updated, tags). The built-in
tables live in ``checks/repository/detectors/*.yaml``; workspaces add or replace detectors
with files of the same shape.
"""

from __future__ import annotations

import fnmatch
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from platform_maturity.checks.catalog import BUILTIN_CHECKS
from platform_maturity.collectors.repository.facts import (
    DetectorResult,
    Hit,
    RepoFacts,
    Status,
    Verdict,
)
from platform_maturity.collectors.repository.files import RepoTree, TextFile, compile_globs
from platform_maturity.collectors.repository.git import GitError, GitView
from platform_maturity.domain.checks import CheckDefinition
from platform_maturity.domain.errors import UserError
from platform_maturity.framework.yamlsource import read_yaml

BUILTIN_DETECTORS = BUILTIN_CHECKS / "repository" / "detectors"
DETECTOR_ID = r"^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)+$"
HINT = "docs/checks.md describes the fields of a repository detector."
MAX_HITS = 5
DAY = 86400


def _regex(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value, re.MULTILINE)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


class DetectorSpec(BaseModel):
    """One detector as written in a detector table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=DETECTOR_ID)
    description: str = Field(min_length=3)
    files: tuple[str, ...] = ()
    files_of: tuple[str, ...] = ()  # globs over detector ids: reuse the files they match
    only_if: tuple[str, ...] = ()  # globs: without such a file the detector does not apply
    content: str | None = None  # searched with re.MULTILINE: ^ and $ match at each line
    min_matches: int = Field(default=1, ge=1)
    forbid: str | None = None  # a line matching this is a violation
    allow: str | None = None  # a forbidden match whose `name` group matches this is fine
    defines: str | None = None  # names (group `name`) a file defines are allowed in it
    when_absent: Literal["fail", "not-applicable", "violation"] = "fail"
    ignore_case: bool = False  # file globs match names in any case (CHANGELOG.md, changelog.md)
    git: Literal["signed-commits", "file-updated", "tags"] | None = None
    commits: int = Field(default=20, ge=1, le=1000)  # signed-commits: how many to look at
    min_share: float = Field(default=1.0, ge=0.0, le=1.0)  # signed-commits: share needed
    max_age_days: int = Field(default=90, ge=1)  # file-updated: newest commit minus this

    _check_content = field_validator("content", "forbid", "allow", "defines")(_regex)

    @model_validator(mode="after")
    def _consistent(self) -> DetectorSpec:
        if self.git in (None, "file-updated") and not (self.files or self.files_of):
            raise ValueError("a detector needs files or files_of (or a git question)")
        if (self.allow or self.defines) and not self.forbid:
            raise ValueError("allow and defines only make sense with forbid")
        if (self.allow or self.defines) and "(?P<name>" not in (self.forbid or ""):
            raise ValueError("forbid needs a (?P<name>...) group for allow or defines to use")
        if self.defines and "(?P<name>" not in self.defines:
            raise ValueError("defines needs a (?P<name>...) group")
        return self


class DetectorTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    detectors: tuple[DetectorSpec, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Detector:
    """A detector with its globs and expressions compiled."""

    spec: DetectorSpec
    source: str  # the file that defined it

    @property
    def id(self) -> str:
        return self.spec.id

    @cached_property
    def files(self) -> re.Pattern[str] | None:
        return compile_globs(self.spec.files, self.spec.ignore_case)

    @cached_property
    def only_if(self) -> re.Pattern[str] | None:
        return compile_globs(self.spec.only_if, self.spec.ignore_case)

    @cached_property
    def content(self) -> re.Pattern[str] | None:
        return re.compile(self.spec.content, re.MULTILINE) if self.spec.content else None

    @cached_property
    def forbid(self) -> re.Pattern[str] | None:
        return re.compile(self.spec.forbid, re.MULTILINE) if self.spec.forbid else None

    @cached_property
    def allow(self) -> re.Pattern[str] | None:
        return re.compile(self.spec.allow) if self.spec.allow else None

    @cached_property
    def defines(self) -> re.Pattern[str] | None:
        return re.compile(self.spec.defines, re.MULTILINE) if self.spec.defines else None

    def looked_for(self) -> str:
        """What the detector looks for, in words (its description names examples)."""
        if self.spec.git == "signed-commits":
            return f"{self.spec.description} (git log -n {self.spec.commits} --format=%G?)"
        if self.spec.git == "tags":
            return f"{self.spec.description} (git tag)"
        return self.spec.description


@dataclass(frozen=True)
class DetectorSet:
    detectors: dict[str, Detector]

    def expand(self, patterns: Iterable[str]) -> list[Detector]:
        """The detectors whose ids match any of ``patterns`` (globs), in id order."""
        ids = sorted({d for p in patterns for d in self.detectors if fnmatch.fnmatchcase(d, p)})
        return [self.detectors[d] for d in ids]

    def unknown(self, patterns: Iterable[str]) -> list[str]:
        return [p for p in patterns if not any(fnmatch.fnmatchcase(d, p) for d in self.detectors)]


def _table_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    return files


def load_detectors(extra: Sequence[Path] = ()) -> DetectorSet:
    """The built-in detector tables, then ``extra`` files or folders. An extra detector with
    the id of an earlier one replaces it; the same id twice in the built-in tables is an
    error."""
    found: dict[str, Detector] = {}
    builtin = _table_files([BUILTIN_DETECTORS])
    for path in [*builtin, *_table_files(extra)]:
        doc = read_yaml(path)
        from platform_maturity.framework.loader import validate_model

        table = validate_model(DetectorTable, doc, hint=HINT)
        for index, spec in enumerate(table.detectors):
            previous = found.get(spec.id)
            if previous is not None and path in builtin:
                raise UserError(
                    "detector id used twice",
                    field=f"detectors.{index}.id",
                    value=spec.id,
                    file=str(path),
                    line=doc.line_of(("detectors", index, "id")),
                    hint=f"Also defined in {previous.source}.",
                )
            found[spec.id] = Detector(spec, str(path))
    detector_set = DetectorSet(found)
    for detector in found.values():
        missing = detector_set.unknown(detector.spec.files_of)
        if missing:
            raise UserError(
                "files_of names no known detector",
                field="files_of",
                value=missing[0],
                file=detector.source,
                hint=f"In detector {detector.id}.",
            )
    return detector_set


# ---------------------------------------------------------------- evaluation on one repo


def _excused(detector: Detector, match: re.Match[str], defined: set[str]) -> bool:
    name = (match.groupdict().get("name") or "").strip()
    if not name:
        return False
    if detector.allow is not None and detector.allow.search(name):
        return True
    return name.lower() in defined


def _search_files(
    detector: Detector, tree: RepoTree, files: Sequence[str]
) -> tuple[list[Hit], list[Hit]]:
    """Lines matching ``content`` and lines violating ``forbid`` in ``files``."""
    found: list[Hit] = []
    violations: list[Hit] = []
    enough = max(detector.spec.min_matches, MAX_HITS)
    for relative in files:
        if len(found) >= enough and detector.forbid is None:
            break  # enough evidence; the remaining files need not be read
        text = tree.read(relative)
        if text is None:
            continue
        if detector.content is not None and len(found) < enough:
            for match in detector.content.finditer(text.text):
                found.append(_hit(relative, text, match))
                if len(found) >= enough:
                    break
        if detector.forbid is not None:
            defined: set[str] = set()
            if detector.defines is not None:
                defined = {
                    (m.group("name") or "").lower() for m in detector.defines.finditer(text.text)
                }
            for match in detector.forbid.finditer(text.text):
                if not _excused(detector, match, defined):
                    violations.append(_hit(relative, text, match))
    return found, violations


def _hit(relative: str, text: TextFile, match: re.Match[str]) -> Hit:
    start = text.line_of(match.start())
    end = text.line_of(max(match.start(), match.end() - 1))
    lines = [line.strip() for line in match.group(0).splitlines() if line.strip()]
    return Hit(relative, start, end, lines[-1][:120] if lines else "")  # the deciding line


def _absent(
    detector: Detector, detail: str, files: Sequence[str] = (), seen: Sequence[str] = ()
) -> DetectorResult:
    """The result when the evidence is not there: a failure, not applicable, or a violation
    (``seen``: the files that made the detector apply, named in a violation)."""
    when = detector.spec.when_absent
    if when == "violation":
        detail = f"{seen[0]} is there but not {detector.spec.description}" if seen else detail
        hits = tuple(Hit(f) for f in seen[:1])
        return DetectorResult(detector.id, Status.VIOLATED, detail, hits, tuple(files))
    status = Status.NOT_APPLICABLE if when == "not-applicable" else Status.MISSING
    return DetectorResult(detector.id, status, detail, files=tuple(files))


def _file_detector(
    detector: Detector, tree: RepoTree, glob_matches: Mapping[str, list[str]]
) -> DetectorResult:
    spec = detector.spec
    seen: list[str] = []
    if detector.only_if is not None:
        seen = tree.matching(detector.only_if)
        if not seen:
            return DetectorResult(
                detector.id, Status.NOT_APPLICABLE, f"no file matches {', '.join(spec.only_if)}"
            )
    files = set(glob_matches[detector.id])
    for pattern in spec.files_of:
        for other, matched in glob_matches.items():
            if fnmatch.fnmatchcase(other, pattern):
                files.update(matched)
    ordered = sorted(files)
    if not ordered:
        return _absent(detector, f"not found: {spec.description}", seen=seen)
    found, violations = _search_files(detector, tree, ordered)
    if violations:
        first = violations[0]
        return DetectorResult(
            detector.id,
            Status.VIOLATED,
            f"{len(violations)} line(s) against {spec.description}, first"
            f" {first.file}:{first.line_start} ({first.text})",
            tuple(violations[:MAX_HITS]),
            tuple(ordered),
        )
    if detector.content is None:
        if len(ordered) < spec.min_matches:
            return _absent(
                detector,
                f"{spec.description}: {len(ordered)} file(s), {spec.min_matches} needed",
                ordered,
                seen,
            )
        hits = tuple(Hit(f) for f in ordered[:MAX_HITS])
        shown = ", ".join(ordered[:3]) + (", …" if len(ordered) > 3 else "")
        return DetectorResult(
            detector.id, Status.FOUND, f"{spec.description}: {shown}", hits, tuple(ordered)
        )
    if len(found) < spec.min_matches:
        shown = ", ".join(ordered[:3]) + (", …" if len(ordered) > 3 else "")
        return _absent(
            detector,
            f"{spec.description}: {len(found)} matching line(s) in {shown},"
            f" {spec.min_matches} needed"
            if found
            else f"{spec.description}: no matching line in {shown}",
            ordered,
            seen,
        )
    first = found[0]
    return DetectorResult(
        detector.id,
        Status.FOUND,
        f"{spec.description}: {first.file}:{first.line_start} ({first.text})",
        tuple(found[:MAX_HITS]),
        tuple(ordered),
    )


def _git_detector(
    detector: Detector, tree: RepoTree, git: GitView, glob_matches: Mapping[str, list[str]]
) -> DetectorResult:
    spec = detector.spec
    if spec.git == "signed-commits":
        query = f"git log -n {spec.commits} --format=%G?"
        commits = git.commits(spec.commits)
        if not commits:
            return _absent(detector, "no commits to look at")
        signed = sum(1 for c in commits if c.signed)
        share = signed / len(commits)
        detail = f"{signed} of the last {len(commits)} commit(s) signed"
        status = Status.FOUND if share >= spec.min_share else Status.MISSING
        if status is Status.MISSING:
            detail += f", {spec.min_share:.0%} needed"
        return DetectorResult(
            detector.id, status, detail, (Hit(query=query),), value=round(100 * share, 1)
        )
    if spec.git == "tags":
        tags = git.tags()
        if detector.content is not None:
            tags = [t for t in tags if detector.content.search(t)]
        if len(tags) < spec.min_matches:
            return _absent(detector, f"not found: {detector.looked_for()}")
        return DetectorResult(
            detector.id,
            Status.FOUND,
            f"{len(tags)} release tag(s), the newest {tags[0]}",
            (Hit(query="git tag", text=tags[0]),),
        )
    files = glob_matches[detector.id]
    if not files:
        return _absent(detector, f"not found: {spec.description}")
    changed = git.last_change(files)
    head = git.head_time()
    if changed is None or head is None:
        return _absent(detector, f"{', '.join(files[:3])} never committed", files)
    age = (head - changed) // DAY
    when = time.strftime("%Y-%m-%d", time.gmtime(changed))
    detail = f"{files[0]} last changed {when}, {age} days before the newest commit"
    if age > spec.max_age_days:
        return _absent(detector, f"{detail} (at most {spec.max_age_days} wanted)", files)
    query = f"git log -n 1 -- {' '.join(files[:3])}"
    return DetectorResult(
        detector.id, Status.FOUND, detail, (Hit(file=files[0], query=query),), tuple(files)
    )


def run_detectors(
    detectors: DetectorSet, tree: RepoTree, git: GitView
) -> dict[str, DetectorResult]:
    """Every detector's result on one repository."""
    glob_matches = {d.id: tree.matching(d.files) for d in detectors.detectors.values()}
    results: dict[str, DetectorResult] = {}
    for detector in detectors.detectors.values():
        try:
            if detector.spec.git is not None:
                result = _git_detector(detector, tree, git, glob_matches)
            else:
                result = _file_detector(detector, tree, glob_matches)
        except GitError as exc:
            result = DetectorResult(
                detector.id, Status.UNKNOWN, f"could not read the git history: {exc}"
            )
        results[detector.id] = result
    return results


# ---------------------------------------------------------------- a check's verdict


def verdict(check: CheckDefinition, detectors: Sequence[Detector], repo: RepoFacts) -> Verdict:
    """Any violation fails; otherwise any detector that found its evidence passes; when no
    detector applies the check cannot decide; otherwise it fails, saying what it looked for."""
    results = [repo.results[d.id] for d in detectors]
    violated = [r for r in results if r.status is Status.VIOLATED]
    found = [r for r in results if r.status is Status.FOUND]
    failed_text = check.fail_message or f"fails: {check.title}"
    value = next((r.value for r in results if r.value is not None), None)
    if violated:
        hits = tuple(h for r in violated for h in r.hits)
        return Verdict(
            repo, False, f"{failed_text}: {'; '.join(r.detail for r in violated)}", hits, value
        )
    if found:
        hits = tuple(h for r in found for h in r.hits)[: MAX_HITS * 2]
        detail = "; ".join(r.detail for r in found[:3])
        return Verdict(repo, True, f"{check.pass_message or check.title}: {detail}", hits, value)
    unknown = [r for r in results if r.status is Status.UNKNOWN]
    if unknown:
        return Verdict(repo, None, f"undecided: {unknown[0].detail}")
    if all(r.status is Status.NOT_APPLICABLE for r in results):
        reasons = "; ".join(dict.fromkeys(r.detail for r in results))
        return Verdict(repo, None, f"not applicable: {reasons}")
    missing = [(d, repo.results[d.id]) for d in detectors]
    missing = [(d, r) for d, r in missing if r.status is Status.MISSING]
    # detectors that found no file at all are summed up; the others say what they saw
    absent = [d.looked_for() for d, r in missing if not r.files and d.spec.git is None]
    specific = [r.detail for d, r in missing if r.files or d.spec.git is not None]
    parts = ([f"looked for {'; '.join(absent)}"] if len(absent) > 1 else []) + specific
    if len(absent) == 1:
        parts.insert(0, f"not found: {absent[0]}")
    return Verdict(repo, False, f"{failed_text}: {'; '.join(parts)}", value=value)

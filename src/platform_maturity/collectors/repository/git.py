"""Git history, read with git itself (a subprocess per question, answers cached per repo)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# %G? letters that mean "the commit carries a signature" (good, unknown validity, cannot be
# checked, expired, expired key, revoked key); N is unsigned and B a bad signature
SIGNED_STATUSES = frozenset("GUEXYR")
TIMEOUT_SECONDS = 60
MAX_PATHS_PER_CALL = 100
_SAFE_OPTIONS = ("-c", "core.fsmonitor=false", "-c", "log.showSignature=false")


class GitError(Exception):
    """git refused or failed; the message is git's own first line of complaint."""


def run_git(repo: Path, *args: str, config: Sequence[str] = ()) -> str:
    """git's output; ``config`` entries (key=value) are passed as ``-c`` options."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    options = [item for entry in config for item in ("-c", entry)]
    try:
        done = subprocess.run(
            ["git", *_SAFE_OPTIONS, *options, "-C", str(repo), *args],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=TIMEOUT_SECONDS,
            env=env,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
        raise GitError((fatal or lines or [f"git {args[0]} failed ({done.returncode})"])[0])
    return done.stdout


@dataclass(frozen=True)
class Commit:
    signature: str  # the %G? letter
    time: int  # committer time, seconds since the epoch

    @property
    def signed(self) -> bool:
        return self.signature in SIGNED_STATUSES


@dataclass
class GitView:
    """What the detectors ask of one repository's history; each answer is fetched once."""

    repo: Path
    _commits: list[Commit] | None = None
    _fetched: int = 0
    _tags: list[str] | None = None
    _changes: dict[tuple[str, ...], int | None] = field(default_factory=dict)

    def commits(self, count: int) -> list[Commit]:
        """The newest ``count`` commits of HEAD, newest first (none in an empty repository)."""
        if self._commits is None or count > self._fetched:
            try:
                # an (empty) allowed-signers file lets git report SSH signatures as U
                # instead of N when the scanning machine has none configured
                output = run_git(
                    self.repo,
                    "log",
                    f"-n{count}",
                    "--format=%G?%x09%ct",
                    config=[f"gpg.ssh.allowedSignersFile={os.devnull}"],
                )
            except GitError as exc:
                if "does not have any commits" in str(exc):
                    output = ""
                else:
                    raise
            commits = []
            for line in output.splitlines():
                signature, _, stamp = line.partition("\t")
                if stamp.strip().isdigit():
                    commits.append(Commit(signature.strip() or "N", int(stamp)))
            self._commits, self._fetched = commits, count
        return self._commits[:count]

    def head_time(self) -> int | None:
        commits = self.commits(max(self._fetched, 1))
        return commits[0].time if commits else None

    def last_change(self, paths: Sequence[str]) -> int | None:
        """When any of ``paths`` last changed on HEAD (None if never committed)."""
        key = tuple(paths[:MAX_PATHS_PER_CALL])
        if key not in self._changes:
            output = run_git(self.repo, "log", "-n1", "--format=%ct", "--", *key)
            stamp = output.strip()
            self._changes[key] = int(stamp) if stamp.isdigit() else None
        return self._changes[key]

    def tags(self) -> list[str]:
        """Tag names, the most recently created first."""
        if self._tags is None:
            output = run_git(
                self.repo,
                "for-each-ref",
                "--sort=-creatordate",
                "--format=%(refname:short)",
                "refs/tags",
            )
            self._tags = [line.strip() for line in output.splitlines() if line.strip()]
        return self._tags

"""A repository's files: walked once, matched by globs, read on demand with limits."""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from platform_maturity.collectors.repository.git import GitError, run_git

# folders that hold generated or third-party files, or inputs of tests (a scanner's test
# fixtures are other repositories' files), never evidence about the repository itself
SKIP_DIRS = frozenset(
    {
        "fixtures",
        "__fixtures__",
        "testdata",
        ".git",
        "node_modules",
        "bower_components",
        ".venv",
        "venv",
        "vendor",
        "__pycache__",
        ".terraform",
        ".terragrunt-cache",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".gradle",
        "site-packages",
    }
)
MAX_READ_BYTES = 1024 * 1024  # contents past this are not searched
BINARY_PROBE = 8192


@dataclass(frozen=True)
class FileProblem:
    """Something about one file of a repository that the scan had to skip."""

    path: str  # relative to the repository
    message: str


def _segment(part: str) -> str:
    """One path segment of a glob as a regular expression (``*``, ``?``, ``[..]``, ``{a,b}``)."""
    out: list[str] = []
    i = 0
    while i < len(part):
        char = part[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = part.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = part[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        elif char == "{":
            end = part.find("}", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                options = part[i + 1 : end].split(",")
                out.append("(?:" + "|".join(_segment(o) for o in options) + ")")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def glob_to_regex(pattern: str) -> str:
    """A glob over repository-relative POSIX paths. ``**`` spans folders; a pattern without
    ``**`` names a path from the repository root."""
    parts = pattern.strip("/").split("/")
    out: list[str] = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            out.append(".*" if last else "(?:[^/]+/)*")
        else:
            out.append(_segment(part) + ("" if last else "/"))
    return "".join(out)


def compile_globs(patterns: tuple[str, ...], ignore_case: bool = False) -> re.Pattern[str] | None:
    """One regular expression matching any of ``patterns``."""
    if not patterns:
        return None
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile("(?:" + "|".join(glob_to_regex(p) for p in patterns) + r")\Z", flags)


@dataclass
class TextFile:
    text: str
    _newlines: list[int] | None = None

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._newlines, offset) + 1


@dataclass
class RepoTree:
    """The files of one repository (relative POSIX paths) and a cached, bounded reader."""

    root: Path
    files: tuple[str, ...]
    problems: list[FileProblem] = field(default_factory=list)
    _texts: dict[str, TextFile | None] = field(default_factory=dict)

    def matching(self, pattern: re.Pattern[str] | None) -> list[str]:
        if pattern is None:
            return []
        return [f for f in self.files if pattern.match(f)]

    def read(self, relative: str) -> TextFile | None:
        """The file's text (its first MAX_READ_BYTES), or None for binary or unreadable files;
        each skip or truncation is recorded once as a problem."""
        if relative in self._texts:
            return self._texts[relative]
        text: TextFile | None = None
        try:
            with (self.root / relative).open("rb") as handle:
                data = handle.read(MAX_READ_BYTES + 1)
        except OSError as exc:
            self.problems.append(FileProblem(relative, f"cannot read the file: {exc.strerror}"))
        else:
            if b"\0" in data[:BINARY_PROBE]:
                self.problems.append(
                    FileProblem(relative, "binary file: its contents were not searched")
                )
            else:
                if len(data) > MAX_READ_BYTES:
                    data = data[:MAX_READ_BYTES]
                    self.problems.append(
                        FileProblem(
                            relative,
                            f"file larger than {MAX_READ_BYTES // (1024 * 1024)} MiB:"
                            " only its beginning was searched",
                        )
                    )
                text = TextFile(data.decode("utf-8", errors="replace"))
        self._texts[relative] = text
        return text


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _skipped(relative: str) -> bool:
    return any(part in SKIP_DIRS for part in relative.split("/")[:-1])


def _link(root: Path, real_root: str, relative: str, problems: list[FileProblem]) -> bool:
    """Whether a symbolic link may be read: it must point to a file inside the repository."""
    target = os.path.realpath(os.path.join(root, relative))
    if not _inside(target, real_root):
        problems.append(
            FileProblem(relative, "symbolic link points outside the repository: ignored")
        )
        return False
    return os.path.isfile(target)


def list_repository(root: Path) -> RepoTree:
    """The repository's files as git sees them: tracked ones plus untracked ones that are not
    ignored (so a virtualenv or build folder listed in .gitignore is no evidence). Falls back
    to walking the folder when git cannot list them."""
    try:
        output = run_git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    except GitError:
        return walk_repository(root)
    real_root = os.path.realpath(root)
    files: list[str] = []
    problems: list[FileProblem] = []
    names = [n for n in dict.fromkeys(output.split("\0")) if n]
    venvs = tuple(n[: -len("pyvenv.cfg")] for n in names if n.endswith("/pyvenv.cfg"))
    for relative in names:
        if _skipped(relative) or (venvs and relative.startswith(venvs)):
            continue
        full = os.path.join(root, relative)
        if os.path.islink(full):
            if _link(root, real_root, relative, problems):
                files.append(relative)
        elif os.path.isfile(full):  # not a submodule, nor deleted from the work tree
            files.append(relative)
    files.sort()
    return RepoTree(root=root, files=tuple(files), problems=problems)


def walk_repository(root: Path) -> RepoTree:
    """Every file of the work tree, skipping generated folders, virtualenvs and nested
    repositories.

    A symbolic link is followed only when it points to a file inside the repository; one that
    points outside is ignored and recorded as a problem. Linked folders are not entered.
    """
    real_root = os.path.realpath(root)
    files: list[str] = []
    problems: list[FileProblem] = []
    stack = [""]
    while stack:
        prefix = stack.pop()
        folder = os.path.join(root, prefix) if prefix else str(root)
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            problems.append(FileProblem(prefix or ".", f"cannot list the folder: {exc.strerror}"))
            continue
        for entry in entries:
            relative = f"{prefix}/{entry.name}" if prefix else entry.name
            try:
                if entry.is_symlink():
                    if _link(root, real_root, relative, problems):
                        files.append(relative)
                elif entry.is_dir():
                    if entry.name in SKIP_DIRS:
                        continue
                    if os.path.lexists(os.path.join(entry.path, ".git")):
                        continue  # a nested repository (submodule or clone) is its own subject
                    if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                        continue  # a virtualenv, whatever its name
                    stack.append(relative)
                elif entry.is_file():
                    files.append(relative)
            except OSError as exc:
                problems.append(FileProblem(relative, f"cannot inspect: {exc.strerror}"))
    files.sort()
    return RepoTree(root=root, files=tuple(files), problems=problems)

"""The docs stay true: generated files are current, and the README's promises hold."""

from __future__ import annotations

import re
from pathlib import Path

from scripts.gen_docs import ROOT, generated


def test_generated_docs_are_current() -> None:
    stale = [
        str(path.relative_to(ROOT))
        for path, text in generated().items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"stale: {stale}; run .venv/bin/python scripts/gen_docs.py (make docs)"


def test_readme_quick_start_is_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start\n(.*?)\n## ", readme, re.S)
    assert block, "README needs a '## Quick start' section"
    commands = re.findall(r"^```(?:sh|bash|console)\n(.*?)\n```", block.group(1), re.S | re.M)
    lines = [line for c in commands for line in c.splitlines() if line.strip()]
    assert lines == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def test_docs_link_to_existing_files() -> None:
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(((?!https?://|#)[^)#]+)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"


def test_changelog_has_unreleased_section() -> None:
    changelog = (Path(ROOT) / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog or re.search(r"## \[\d+\.\d+\.\d+\]", changelog)


def test_readme_counts_match_the_framework() -> None:
    from platform_maturity.framework.loader import load_framework

    framework = load_framework()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    goals = re.search(r"(\d+) coded goals", readme)
    metrics = re.search(r"(\d+)\s+metrics with ideal targets", readme)
    assert goals and int(goals.group(1)) == sum(1 for _ in framework.goals())
    assert metrics and int(metrics.group(1)) == sum(1 for _ in framework.metrics())

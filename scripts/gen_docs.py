"""Regenerate the generated documentation: framework reference, CLI reference, report schema.

Run with ``.venv/bin/python scripts/gen_docs.py``; ``--check`` exits 1 when a file is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from platform_maturity.checks.catalog import load_catalog
from platform_maturity.cli.reference import cli_reference
from platform_maturity.collectors.registry import check_functions
from platform_maturity.framework.loader import load_framework
from platform_maturity.reports.checks_reference import docs_with_table
from platform_maturity.reports.framework_export import export_markdown
from platform_maturity.reports.model import ReportModel

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "framework-reference.md"
CLI = ROOT / "docs" / "cli.md"
SCHEMA = ROOT / "docs" / "report-schema.json"
CHECKS = ROOT / "docs" / "checks.md"


def generated() -> dict[Path, str]:
    """Every generated document and its current content."""
    schema = ReportModel.model_json_schema()
    framework = load_framework()
    catalog = load_catalog(framework, functions=check_functions())
    return {
        CHECKS: docs_with_table(CHECKS.read_text(encoding="utf-8"), catalog),
        REFERENCE: export_markdown(framework),
        CLI: cli_reference(),
        SCHEMA: json.dumps(schema, indent=2, sort_keys=True) + "\n",
    }


def main(argv: list[str]) -> int:
    stale = 0
    for path, text in generated().items():
        name = path.relative_to(ROOT)
        if "--check" in argv:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                print(f"{name} is stale; run .venv/bin/python scripts/gen_docs.py")
                stale += 1
            continue
        path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {name} ({len(text.splitlines())} lines)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

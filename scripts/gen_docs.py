"""Regenerate the generated documentation: docs/framework-reference.md.

Run with ``.venv/bin/python scripts/gen_docs.py``; ``--check`` exits 1 when a file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from platform_maturity.framework.loader import load_framework
from platform_maturity.reports.framework_export import export_markdown

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "framework-reference.md"


def main(argv: list[str]) -> int:
    text = export_markdown(load_framework())
    if "--check" in argv:
        current = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
        if current != text:
            print(
                f"{REFERENCE.relative_to(ROOT)} is stale; run .venv/bin/python scripts/gen_docs.py"
            )
            return 1
        print(f"{REFERENCE.relative_to(ROOT)} is up to date")
        return 0
    REFERENCE.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {REFERENCE.relative_to(ROOT)} ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""JUnit XML test reports: each ``<testsuite>`` becomes an end-to-end suite run.

The suite's ``timestamp`` (start; without a zone read in ``kpi.timezone``) and ``time``
(seconds) give the duration that the end-to-end metrics of the automation and resiliency
pillars need. A suite with failures or errors is a failed run. ``<testsuites>`` wrappers
are read too. The file name and suite name identify a run, so re-imports update it.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from platform_maturity.domain.errors import UserError
from platform_maturity.domain.events import PipelineRun
from platform_maturity.importers.base import ImportBatch, ImportContext
from platform_maturity.importers.common import later, parse_number, parse_time, read_text


class JUnitImporter:
    kind = "junit"
    title = "JUnit XML test reports (end-to-end suite durations)"

    def read(self, path: Path, context: ImportContext) -> ImportBatch:
        file = str(path)
        text = read_text(path)
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            raise UserError("DTDs and entities are not accepted in test reports", file=file)
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError as exc:
            raise UserError(
                f"not well-formed XML: {exc}",
                file=file,
                line=exc.position[0],
                hint="A truncated report? Produce it again.",
            ) from None
        suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
        if root.tag not in ("testsuite", "testsuites"):
            raise UserError(
                f"not a JUnit report (root element <{root.tag}>)",
                file=file,
                line=1,
                hint="Expected <testsuites> or <testsuite>.",
            )
        batch = ImportBatch()
        for index, suite in enumerate(suites):
            batch.rows_read += 1
            where = f"testsuite[{index}]"
            name = suite.get("name") or path.stem
            started = parse_time(
                suite.get("timestamp"),
                context.timezone,
                file=file,
                line=None,
                field=f"{where}@timestamp",
            )
            seconds = parse_number(suite.get("time"), file=file, line=None, field=f"{where}@time")
            if started is None or seconds is None:
                batch.skip("suite without timestamp or time")
                continue
            finished = later(started, seconds, file=file, line=None, field=f"{where}@time")
            failures = sum(
                int(parse_number(suite.get(a), file=file, line=None, field=f"{where}@{a}") or 0)
                for a in ("failures", "errors")
            )
            batch.runs.append(
                PipelineRun(
                    source="junit",
                    source_id=f"{path.name}:{name}:{started.isoformat()}",
                    name=name,
                    kind="e2e",
                    created_at=started,
                    conclusion="failure" if failures else "success",
                    started_at=started,
                    finished_at=finished,
                )
            )
        return batch

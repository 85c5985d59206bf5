"""The Terraform collector: every Terraform check of the catalog on every resource found
in ``.tf`` folders and in ``terraform show -json`` plan or state files."""

from __future__ import annotations

import fnmatch
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platform_maturity.cache import ParseCache, activated
from platform_maturity.checks.catalog import Catalog
from platform_maturity.collectors.base import CollectorResult, Problem, ScanContext, walk
from platform_maturity.collectors.terraform.sniff import looks_like_inventory, looks_like_plan
from platform_maturity.collectors.terraform.unknowns import decide, schema_pool, unknowns_in
from platform_maturity.collectors.terraform.values import Unknown
from platform_maturity.domain.checks import CheckDefinition
from platform_maturity.domain.observations import EvidenceRef, Observation

if TYPE_CHECKING:  # the readers and their records are imported when there is Terraform
    from platform_maturity.collectors.terraform.model import Resource, Scan, Source

EXEMPT_PREFIX = "platform-maturity.io/exempt"
ProblemSink = Callable[[str, str, int | None], None]
SUFFIXES = (".tf", ".json", ".tfstate")  # of the files is_terraform may take


def is_terraform(path: Path) -> bool:
    """What this collector reads: .tf files, plan and state JSON, and cloud inventories."""
    return path.suffix == ".tf" or looks_like_plan(path) or looks_like_inventory(path)


def _merge_declarations(plan: Source, hcl: Source) -> None:
    """A plan wins over the .tf files next to it; they still give what a plan lacks:
    lifecycle settings, exemption comments and the declaring block's lines."""
    declared = {r.base: r for r in hcl.resources}
    for resource in plan.resources:
        block = declared.get(resource.base) if not resource.module else None
        if block is not None:
            resource.lifecycle = block.lifecycle
            resource.exemptions = {**block.exemptions, **resource.exemptions}
            resource.declared = (block.file, block.line_start, block.line_end)
    for key, provider in hcl.providers.items():
        known = plan.providers.get(key)
        if known is None or not isinstance(known.region, str):
            plan.providers[key] = provider


def load(paths: Iterable[Path], relative: Callable[[Path], str], problem: ProblemSink) -> Scan:
    """Read every input: .tf files grouped by folder, plan and state files one by one."""
    from platform_maturity.collectors.terraform.inventory import read_inventory
    from platform_maturity.collectors.terraform.model import Scan
    from platform_maturity.collectors.terraform.plan import read_plan

    folders: dict[Path, list[Path]] = {}
    plans: list[Path] = []
    inventories: list[Source] = []
    for path in paths:
        if path.suffix == ".tf":
            folders.setdefault(path.parent, []).append(path)
        elif looks_like_inventory(path):
            if (listed := read_inventory(path, relative(path), problem)) is not None:
                inventories.append(listed)
        else:
            plans.append(path)
    per_folder = Counter(p.parent for p in plans)
    sources: list[Source] = []
    plans_in: dict[Path, list[Source]] = {}
    for plan in plans:
        qualifier = relative(plan.parent) if per_folder[plan.parent] == 1 else relative(plan)
        source = read_plan(plan, relative(plan), qualifier, problem)
        if source is not None:
            sources.append(source)
            plans_in.setdefault(plan.parent, []).append(source)
    if folders:
        from platform_maturity.collectors.terraform.hcl import read_folder  # HCL only if any
    for folder, files in folders.items():
        name = relative(folder)
        source = read_folder(sorted(files), name, name, relative, problem)
        if folder in plans_in:
            for plan_source in plans_in[folder]:
                _merge_declarations(plan_source, source)
        else:
            sources.append(source)
    return Scan(sources, inventories)


@lru_cache(maxsize=512)
def _schema_facts(schema_json: str) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """The values a schema singles out and the property names it reads."""
    schema = json.loads(schema_json)
    names: list[str] = []

    def walk_schema(node: Any) -> None:
        if isinstance(node, Mapping):
            for key, child in node.items():
                if key == "properties" and isinstance(child, Mapping):
                    names.extend(str(k) for k in child)
                if key == "required" and isinstance(child, list):
                    names.extend(str(k) for k in child)
                walk_schema(child)
        elif isinstance(node, list):
            for child in node:
                walk_schema(child)

    walk_schema(schema)
    return schema_pool(schema), tuple(dict.fromkeys(names))


def _undecided(resource: Resource, names: Sequence[str]) -> str:
    keys = [k for k in names if unknowns_in(resource.values.get(k))]
    keys = keys or [k for k in resource.values if unknowns_in(resource.values[k])]
    shown = []
    for key in keys[:3]:
        value = resource.values.get(key)
        expr = value.expr if isinstance(value, Unknown) else "a value with unknown parts"
        shown.append(f"{key} = {expr}")
    return "cannot tell: " + (", ".join(shown) or "values") + " only known when Terraform runs"


def evaluate(
    check: CheckDefinition, scan: Scan, catalog: Catalog
) -> Iterator[tuple[Resource, bool | None, str]]:
    """Every (resource, verdict, message) of one check."""
    if check.function is not None:
        from platform_maturity.collectors.terraform.relations import FUNCTIONS

        function = FUNCTIONS.get(check.function)
        for verdict in function(scan, check.kinds) if function else ():
            if check.kinds and verdict.resource.type not in check.kinds:
                continue
            yield verdict.resource, verdict.passed, verdict.message
        return
    validator = catalog.validator(check)
    pool, names = _schema_facts(json.dumps(check.schema_, sort_keys=True))
    passed_text = check.pass_message or check.title
    failed_text = check.fail_message or f"fails: {check.title}"
    for resource in scan.of_type(*check.kinds) if check.kinds else scan.resources:
        passed = decide(validator, resource.values, pool, names)
        if passed is None:
            yield resource, None, _undecided(resource, names)
        else:
            yield resource, passed, passed_text if passed else failed_text


def exemption_reason(resource: Resource, check_id: str) -> str | None:
    """An exemption written on the resource: a comment in its block, or a tag."""
    for pattern, reason in resource.exemptions.items():
        if pattern == "*" or fnmatch.fnmatchcase(check_id, pattern):
            return reason
    tags = resource.values.get("tags")
    if isinstance(tags, dict):
        for key in (f"{EXEMPT_PREFIX}-{check_id}", EXEMPT_PREFIX):
            value = tags.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


class TerraformCollector:
    id = "terraform"
    version = "1"

    def discover(self, roots: Sequence[Path]) -> list[Path]:
        return walk(roots, is_terraform, suffixes=SUFFIXES)

    def collect(self, inputs: Iterable[Path], context: ScanContext) -> CollectorResult:
        result = CollectorResult()
        paths = list(inputs)
        result.inputs = len(paths)
        if not paths:  # every finding is about a resource: none without inputs
            return result

        def problem(path: str, message: str, line: int | None) -> None:
            result.problems.append(Problem(path, message, line))

        trees = [p.resolve() for p in (context.root, *context.scan_roots)]
        readable = []
        for path in paths:
            target = path.resolve()
            if path.is_symlink() and not any(target.is_relative_to(t) for t in trees):
                problem(context.relative(path), "symbolic link pointing outside the scan", None)
            else:
                readable.append(path)
        if context.cache_dir is None:  # keep whatever cache the caller made active
            scan = load(readable, context.relative, problem)
        else:
            cache = ParseCache(context.cache_dir, scope=f"{self.id}/{self.version}", batch=True)
            with activated(cache):
                scan = load(readable, context.relative, problem)
            cache.prune()
        for check in context.catalog.by_source("terraform"):
            for resource, passed, message in evaluate(check, scan, context.catalog):
                result.observations.append(
                    self._observation(check, resource, passed, message, context)
                )
        return result

    def _observation(
        self,
        check: CheckDefinition,
        resource: Resource,
        passed: bool | None,
        message: str,
        context: ScanContext,
    ) -> Observation:
        reason = exemption_reason(resource, check.id)
        exemption = context.exemption(check.id, resource.subject)
        waived = passed is False and (reason is not None or exemption is not None)
        if waived:
            message = f"{message} (exempt: {reason or (exemption.reason if exemption else '')})"
        evidence = [
            EvidenceRef(
                path=resource.file,
                line_start=resource.line_start,
                line_end=resource.line_end,
                object_ref=resource.address,
            )
        ]
        if resource.declared is not None:
            file, start, end = resource.declared
            evidence.append(
                EvidenceRef(path=file, line_start=start, line_end=end, object_ref=resource.address)
            )
        return Observation(
            collector=self.id,
            collector_version=self.version,
            check_id=check.id,
            subject=resource.subject,
            unit=context.unit_for(Path(resource.file), None),
            goal_codes=check.goals,
            passed=passed,
            waived=waived,
            message=message,
            evidence=tuple(evidence),
            observed_at=context.now,
        )

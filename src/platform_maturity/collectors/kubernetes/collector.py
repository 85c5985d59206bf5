"""The Kubernetes collector: every check of the catalog on every object it finds.

Objects come from manifest files and cluster dumps, and from Terraform: the
``kubernetes_*`` resources, ``kubectl_manifest`` bodies and ``kubernetes_manifest``
manifests of ``.tf`` files and plans, and the workloads a ``helm_release``'s values
describe (read by
:func:`platform_maturity.collectors.terraform.embedded.kubernetes_objects`). A finding on
such an object names the Terraform block (file and line range) and the resource address.
Values only Terraform knows (``replicas = var.n``), or only a Helm chart, never decide a
verdict: a check that depends on them is recorded as undecided (``passed`` is None).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from platform_maturity.cache import ParseCache, activated
from platform_maturity.checks.catalog import Catalog
from platform_maturity.checks.validators import SchemaValidator
from platform_maturity.collectors.base import (
    CollectorResult,
    Problem,
    ScanContext,
    link_problem,
    walk,
)
from platform_maturity.collectors.kubernetes.chart_reasons import (
    AS_SET,
    RELATION_KEYS,
    data_reason,
    from_release,
    maybe_object,
    relation_reason,
)
from platform_maturity.collectors.kubernetes.manifests import (
    SUFFIXES,
    K8sObject,
    Sniffer,
    interpolations,
    load_objects,
)
from platform_maturity.collectors.kubernetes.observations import Finding, Observer
from platform_maturity.collectors.kubernetes.relations import (
    FUNCTIONS,
    UNREAD_POD_FIELDS,
    Relation,
    Verdict,
)
from platform_maturity.collectors.kubernetes.targets import Selection, Targets
from platform_maturity.collectors.terraform.chart import candidates
from platform_maturity.collectors.terraform.collector import TerraformCollector, is_terraform
from platform_maturity.collectors.terraform.unknowns import (
    decide,
    schema_pool,
    variants,
)
from platform_maturity.collectors.terraform.values import Unknown
from platform_maturity.domain.checks import CheckDefinition
from platform_maturity.domain.errors import UserError
from platform_maturity.framework.yamlsource import Located, PathKey

TERRAFORM_SUFFIXES = (".tf", ".tfstate")
MAX_VARIANTS = 64  # rounds of fillings of Terraform-only values for relational checks


@dataclass(frozen=True)
class _Compiled:
    validator: SchemaValidator

    @cached_property
    def pool(self) -> tuple[Any, ...]:
        """Values the schema singles out, for deciding over values only Terraform knows."""
        return schema_pool(self.validator.schema)

    @cached_property
    def reach(self) -> tuple[frozenset[str], frozenset[str]] | None:
        """The property names the schema mentions, and those under which it looks at
        keys it does not name (there, any value may matter); None: any key may."""
        names: set[str] = set()
        open_: set[str] = set()
        if not _property_names(self.validator.schema, names, open_, None):
            return None
        return frozenset(names), frozenset(open_)

    @property
    def names(self) -> frozenset[str] | None:
        """The property names the schema mentions; None: any key may matter."""
        reach = self.reach
        return None if reach is None else reach[0]


# keywords that look at keys a schema does not name: with one, any value may matter
WILDCARDS = {
    "additionalProperties",
    "patternProperties",
    "propertyNames",
    "unevaluatedProperties",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "dependentSchemas",
}


def _property_names(node: Any, names: set[str], open_: set[str], owner: str | None) -> bool:
    """Collect the property names ``node`` mentions; where it looks at keys it does not
    name (by pattern, by count, or a whole object as a constant), record the property
    it sits under (``owner``) in ``open_``, or return False when it sits under none."""
    if isinstance(node, dict):
        enum = node.get("enum")
        if (
            WILDCARDS & node.keys()
            or isinstance(node.get("const"), dict | list)
            or (isinstance(enum, list) and any(isinstance(v, dict | list) for v in enum))
        ):
            if owner is None:
                return False
            open_.add(owner)
        for key, child in node.items():
            if key == "properties" and isinstance(child, dict):
                names.update(str(k) for k in child)
                for name, schema in child.items():
                    if not _property_names(schema, names, open_, str(name)):
                        return False
                continue
            if key == "required" and isinstance(child, list):
                names.update(str(k) for k in child)
            if not _property_names(child, names, open_, owner):
                return False
    elif isinstance(node, list):
        return all(_property_names(child, names, open_, owner) for child in node)
    return True


def _compile(check: CheckDefinition, catalog: Catalog) -> _Compiled:
    return _Compiled(catalog.validator(check))


def _holds_unknowns(obj: K8sObject, path: PathKey) -> bool:
    """Whether the instance of ``obj`` at ``path`` holds a value only Terraform knows: a
    container's instance carries its pod (``_pod``), an object's instance all of it."""
    if not obj.interpolations:
        return False
    scope = (obj.pod_spec_path or path) if path else ()
    return any(p[: len(scope)] == scope for p in obj.interpolations)


def _relevant(compiled: _Compiled, value: Any) -> list[PathKey]:
    """The values only Terraform (or a chart) knows that the schema may read: every key
    on the way is a property it names, up to one under which any key may matter."""
    reach = compiled.reach
    if reach is None:
        return list(interpolations(value))
    names, open_ = reach

    def read(path: PathKey) -> bool:
        for key in path:
            if isinstance(key, int):
                continue
            if key not in names:
                return False
            if key in open_:
                return True
        return True

    return [path for path in interpolations(value) if read(path)]


def _judge(compiled: _Compiled, value: Any) -> bool | None:
    """The schema's verdict on a Terraform object's instance, three-valued: the values
    only Terraform knows that the schema may read are tried with the fillings of
    ``decide``; the others cannot matter."""
    relevant = _relevant(compiled, value)
    if not relevant:
        return bool(compiled.validator.is_valid(value))
    marked = value
    for path in relevant:
        marked = _unknown_at(marked, path)
    return decide(compiled.validator, marked, compiled.pool)


def _dotted(path: PathKey) -> str:
    return ".".join(str(part) for part in path)


def _terraform_values(obj: K8sObject, *paths: PathKey) -> str:
    """The Terraform-only values a verdict may hang on, e.g. ``spec.replicas``: those under
    the first of ``paths`` that has some, or else all of them."""
    chosen: Sequence[str] = obj.unresolved
    for path in paths:
        prefix = _dotted(path)
        under = [u for u in obj.unresolved if not prefix or f"{u}.".startswith(f"{prefix}.")]
        if under:
            chosen = under
            break
    return _listed(chosen)


def _listed(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:3]) or "values"
    more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
    return f"{shown}{more}"


def _undecided(obj: K8sObject, *paths: PathKey) -> str:
    return f"cannot tell: depends on {_terraform_values(obj, *paths)} set by Terraform"


def _unknown_at(value: Any, path: PathKey) -> Any:
    """A copy of ``value`` (along ``path`` only) with the string at ``path`` made Unknown
    (with what it may become, when a chart decides it)."""
    if not path:
        return Unknown(value, candidates(value)) if isinstance(value, str) else value
    head, rest = path[0], path[1:]
    if isinstance(value, dict) and head in value:
        return {**value, head: _unknown_at(value[head], rest)}
    if isinstance(value, list) and isinstance(head, int) and head < len(value):
        return [*value[:head], _unknown_at(value[head], rest), *value[head + 1 :]]
    return value


def _relational_unknowns(obj: K8sObject) -> list[PathKey]:
    """The Terraform-only values of ``obj`` a relational check may read: all but those
    inside its containers (see ``relations.UNREAD_POD_FIELDS``)."""
    pod = obj.pod_spec_path
    found = []
    for path in obj.interpolations:
        if (
            pod is not None
            and len(path) > len(pod)
            and path[: len(pod)] == pod
            and path[len(pod)] in UNREAD_POD_FIELDS
        ):
            continue
        found.append(path)
    return found


Failure = tuple[int, PathKey]  # (id of the object, the verdict's path)


def _open_failures(
    relations: dict[str, tuple[Relation, set[Failure]]], objects: Sequence[K8sObject]
) -> dict[str, set[Failure]]:
    """Per check, the failures that some filling of the values only Terraform knows
    turns into passes. Every object with such values varies at once, through the
    fillings :func:`~platform_maturity.collectors.terraform.unknowns.variants` tries;
    each round runs every relation that still has failures to explain."""
    streams: dict[int, Iterator[Any]] = {}
    for obj in objects:
        marked: Any = obj.data
        for path in _relational_unknowns(obj):
            marked = _unknown_at(marked, path)
        if marked is not obj.data:
            streams[id(obj)] = iter(variants(marked))
    remaining = {check: set(failures) for check, (_, failures) in relations.items()}
    passing: dict[str, set[Failure]] = {check: set() for check in relations}
    if not streams:
        return passing
    current: dict[int, dict[str, Any]] = {}
    for _round in range(MAX_VARIANTS):
        moved = False
        for identity, stream in streams.items():
            filling = next(stream, None)
            if isinstance(filling, dict):
                current[identity] = filling
                moved = True
        if not moved:
            break
        original: dict[int, int] = {}
        trial: list[K8sObject] = []
        for obj in objects:
            filling = current.get(id(obj))
            if filling is None:
                trial.append(obj)
                continue
            twin = K8sObject(
                filling, obj.doc, obj.base, obj.file, obj.address, obj.unresolved, obj.spans
            )
            original[id(twin)] = id(obj)
            trial.append(twin)
        for check, (relation, _failures) in relations.items():
            if not remaining[check]:
                continue
            try:
                verdicts = list(relation(trial))
            except (AttributeError, TypeError, ValueError, KeyError, IndexError):
                continue  # a filling of the wrong type: not a way to pass
            for verdict in verdicts:
                key = (original.get(id(verdict.obj), id(verdict.obj)), verdict.path)
                if verdict.passed and key in remaining[check]:
                    remaining[check].discard(key)
                    passing[check].add(key)
        if not any(remaining.values()):
            break
    return passing


class KubernetesCollector:
    id = "kubernetes"
    version = "1"

    def __init__(self) -> None:
        self.last_cache: ParseCache | None = None  # the parse cache of the latest collect
        self._read: dict[Path, bytes] = {}  # files discovery read whole, until collected

    def discover(self, roots: Sequence[Path]) -> list[Path]:
        """Manifests and cluster dumps, and the Terraform inputs that may declare objects."""
        sniff = Sniffer()
        found = walk(roots, sniff, keep_given=True, list_outside_links=True, suffixes=SUFFIXES)
        self._read = sniff.whole
        found.extend(TerraformCollector().discover(roots))
        return list(dict.fromkeys(found))

    def collect(self, inputs: Iterable[Path], context: ScanContext) -> CollectorResult:
        result = CollectorResult()
        cache = ParseCache(context.cache_dir, scope=f"{self.id}/{self.version}", batch=True)
        self.last_cache = cache
        objects: list[K8sObject] = []
        terraform: list[Path] = []
        read, self._read = self._read, {}  # the bytes discovery kept, handed over once
        for path in inputs:
            result.inputs += 1
            why = link_problem(path, context.scan_roots)
            if why is not None:
                if path.suffix in TERRAFORM_SUFFIXES and path.exists():
                    continue  # the Terraform collector reports it
                result.problems.append(Problem(context.relative(path), why))
                continue
            if is_terraform(path):
                terraform.append(path)
                continue
            display = context.relative(path)
            try:
                objects.extend(load_objects(path, display, cache, read.pop(path, None)))
            except UserError as exc:
                result.problems.append(Problem(display, exc.message, exc.line))
        if terraform:
            with activated(cache):
                objects.extend(self._from_terraform(terraform, context, result))
        checks = context.catalog.by_source("kubernetes")
        related = self._relate(checks, objects)
        # expanded once for every data check; a Helm chart may not create some objects
        selection = Selection(
            [Targets(o) for o in objects if not (from_release(o) and maybe_object(o))]
        )
        observer = Observer(self.id, self.version, context)
        for check in checks:
            found = (
                related[check.id]
                if check.id in related
                else self._evaluate(check, selection, context.catalog)
            )
            result.observations.extend(observer.observation(check, f) for f in found)
        cache.prune()
        return result

    def _from_terraform(
        self, paths: Sequence[Path], context: ScanContext, result: CollectorResult
    ) -> list[K8sObject]:
        """The objects Terraform declares, folder by folder (a plan goes with the .tf files
        next to it). Unreadable files are the Terraform collector's to report."""
        base = context.root.resolve()

        def embedded_name(path: Path) -> str:  # how kubernetes_objects names a file
            try:
                return path.resolve().relative_to(base).as_posix()
            except ValueError:
                return path.as_posix()

        names = {embedded_name(p): context.relative(p) for p in paths}
        folders: dict[Path, list[Path]] = {}
        for path in paths:
            folders.setdefault(path.parent, []).append(path)
        found: list[K8sObject] = []
        reported: set[Problem] = set()

        def problem(path: Path, message: str, line: int | None) -> None:
            found_problem = Problem(context.relative(path), message, line)
            if found_problem not in reported:
                reported.add(found_problem)
                result.problems.append(found_problem)

        from platform_maturity.collectors.terraform.embedded import kubernetes_objects

        for folder, files in folders.items():
            try:
                records = kubernetes_objects(files, context.root, problem)
            except Exception as exc:  # one odd Terraform folder never loses the scan
                shown = context.relative(folder)
                result.problems.append(
                    Problem(shown, f"Kubernetes objects in Terraform not readable: {exc}")
                )
                continue
            for record in records:
                obj = record["object"]
                file = names.get(record["file"], record["file"])
                lines: dict[PathKey, int] = {
                    key: line
                    for key, line in (((), record["line_start"]), (("_end",), record["line_end"]))
                    if line is not None
                }
                found.append(
                    K8sObject(
                        obj,
                        Located(obj, file, lines),
                        (),
                        file,
                        address=record["address"],
                        unresolved=tuple(record["unresolved"]),
                    )
                )
        return found

    def _evaluate(
        self, check: CheckDefinition, selection: Selection, catalog: Catalog
    ) -> Iterator[Finding]:
        """A data check: its schema on every instance (workload, pod, container)."""
        compiled = _compile(check, catalog)
        is_valid = compiled.validator.is_valid
        passed_text = check.pass_message or check.title
        failed_text = check.fail_message or f"fails: {check.title}"
        for obj, found in selection.of(check):
            release = from_release(obj)
            for instance in found:
                passed: bool | None
                if obj.interpolations and _holds_unknowns(obj, instance.path):
                    passed = _judge(compiled, instance.value)
                else:
                    passed = is_valid(instance.value)
                if passed is None and release:
                    message = self._chart_reason(compiled, obj, instance.value, instance.path)
                elif passed is None:
                    message = _undecided(obj, instance.path, obj.pod_spec_path or ())
                else:
                    message = (passed_text if passed else failed_text) + (AS_SET if release else "")
                yield obj, passed, message, instance.path, instance.label

    @staticmethod
    def _chart_reason(compiled: _Compiled, obj: K8sObject, value: Any, path: PathKey) -> str:
        """Why a check on a Helm release's object is undecided (see ``chart_reasons``)."""
        pod = obj.pod_spec_path or ()

        def shown(relative: PathKey) -> str:
            full = (*pod, *relative[1:]) if relative[:1] == ("_pod",) else (*path, *relative)
            return _dotted(full)

        relevant = _relevant(compiled, value)
        return data_reason(compiled.validator, compiled.pool, value, relevant, shown)

    def _relate(
        self, checks: Sequence[CheckDefinition], objects: Sequence[K8sObject]
    ) -> dict[str, list[Finding]]:
        """Every relational check's findings; a failure that a value only Terraform knows
        could turn into a pass is undecided."""
        verdicts: dict[str, list[Verdict]] = {}
        relations: dict[str, tuple[Relation, set[Failure]]] = {}
        functions: dict[str, str] = {}
        for check in checks:
            if check.function is None:
                continue
            functions[check.id] = check.function
            relation = FUNCTIONS[check.function]
            mine = [v for v in relation(objects) if not check.kinds or v.obj.kind in check.kinds]
            verdicts[check.id] = mine
            relations[check.id] = (relation, {(id(v.obj), v.path) for v in mine if not v.passed})
        open_: dict[str, set[Failure]] = {}
        if any(failures for _, failures in relations.values()) and any(
            o.interpolations for o in objects
        ):
            open_ = _open_failures(relations, objects)
        found: dict[str, list[Finding]] = {}
        for check_id, mine in verdicts.items():
            undecided = open_.get(check_id, set())
            found[check_id] = []
            function = functions.get(check_id)
            for verdict in mine:
                obj = verdict.obj
                if (id(obj), verdict.path) not in undecided:
                    message = verdict.message
                    owned = RELATION_KEYS.get(function or "") and from_release(obj)
                    if not verdict.passed and owned:
                        message += AS_SET
                    found[check_id].append((obj, verdict.passed, message, verdict.path, ""))
                    continue
                own = _relational_unknowns(obj)
                unknowns = [_dotted(p) for p in own]
                chart = relation_reason(function, obj, objects, own)
                if chart is not None:
                    reason = chart
                elif unknowns:
                    reason = f"cannot tell: depends on {_listed(unknowns)} set by Terraform"
                else:
                    reason = "cannot tell: depends on values of other objects set by Terraform"
                found[check_id].append(
                    (obj, None, f"{reason} ({verdict.message})", verdict.path, "")
                )
        return found

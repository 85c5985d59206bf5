"""The one reader of the framework YAML: load, apply workspace overrides, validate."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from platform_maturity.domain.backlog_policy import SecurityBacklogPolicy
from platform_maturity.domain.errors import UserError
from platform_maturity.domain.framework import Framework, Goal, Kpi, Level, Metric, Pillar
from platform_maturity.domain.units import dimension
from platform_maturity.framework.validation import validate_model as validate_model
from platform_maturity.framework.yamlsource import Located, read_yaml

BUILTIN_ROOT = Path(__file__).parent
M = TypeVar("M", bound=BaseModel)

_GOAL_CHANGES = {
    "level",
    "weight",
    "statement",
    "why",
    "how",
    "evidence",
    "metrics",
    "kpis",
    "aliases",
}
_METRIC_CHANGES = {"target", "tolerance", "name", "description", "aggregation", "direction"}
_PILLAR_CHANGES = {"weight", "name", "summary", "description", "order"}


def _require_mapping(doc: Located, what: str) -> dict[str, Any]:
    if not isinstance(doc.data, dict):
        raise UserError(f"expected a mapping (key: value) for {what}", file=doc.file, line=1)
    return doc.data


def _prepare_pillar(doc: Located) -> dict[str, Any]:
    """Copy a pillar document, stamping each goal and metric with where it belongs."""
    data = dict(_require_mapping(doc, "a pillar"))
    pillar_id = data.get("id")
    categories = []
    for category in data.get("categories") or []:
        if isinstance(category, dict):
            category = dict(category)
            goals = []
            for goal in category.get("goals") or []:
                if isinstance(goal, dict):
                    goal = {**goal, "pillar": pillar_id, "category": category.get("id")}
                goals.append(goal)
            category["goals"] = goals
        categories.append(category)
    data["categories"] = categories
    data["metrics"] = [
        {**m, "pillar": pillar_id} if isinstance(m, dict) else m for m in data.get("metrics") or []
    ]
    return data


class _Sources:
    """Where each goal, metric and pillar was defined, for cross-reference errors."""

    def __init__(self) -> None:
        self.where: dict[str, tuple[str, int | None]] = {}

    def note_pillar(self, doc: Located) -> None:
        data = doc.data if isinstance(doc.data, dict) else {}
        self.where[f"pillar:{data.get('id')}"] = (doc.file, doc.line_of(("id",)))
        for ci, category in enumerate(data.get("categories") or []):
            for gi, goal in enumerate((category or {}).get("goals") or []):
                if isinstance(goal, dict):
                    line = doc.line_of(("categories", ci, "goals", gi, "code"))
                    self.where[f"goal:{data.get('id')}:{goal.get('code')}"] = (doc.file, line)
        for mi, metric in enumerate(data.get("metrics") or []):
            if isinstance(metric, dict):
                self.where[f"metric:{data.get('id')}:{metric.get('id')}"] = (
                    doc.file,
                    doc.line_of(("metrics", mi)),
                )

    def error(self, key: str, message: str, field: str, value: object, hint: str) -> UserError:
        file, line = self.where.get(key, (None, None))
        return UserError(message, file=file, line=line, field=field, value=value, hint=hint)


_CACHE: dict[tuple[object, ...], Framework] = {}


FRAMEWORK_CACHE_VERSION = "1"  # bump when the loader's result changes for the same files


def load_framework(
    root: Path | None = None, overrides: Sequence[Path] = (), cache_dir: Path | None = None
) -> Framework:
    """Load the framework from ``root`` (the built-in one by default), then apply overrides.

    The built-in framework is immutable, so its result is cached in the process per set of
    override files (keyed by path, size and modification time). With a ``cache_dir`` the
    validated framework is also kept on disk, keyed by the content of every file it was
    read from, so the next process skips parsing and validating the YAML.
    """
    if root is None or root == BUILTIN_ROOT:
        key: tuple[object, ...] = tuple(
            (str(p), p.stat().st_mtime_ns, p.stat().st_size) if p.is_file() else (str(p),)
            for p in overrides
        )
        if key not in _CACHE:
            _CACHE[key] = _load_cached(BUILTIN_ROOT, overrides, cache_dir)
        return _CACHE[key]
    return _load_cached(root, overrides, cache_dir)


def _load_cached(root: Path, overrides: Sequence[Path], cache_dir: Path | None) -> Framework:
    if cache_dir is None:
        return _load(root, overrides)
    from platform_maturity.cache import ParseCache

    files = [*sorted(root.rglob("*.yaml")), *overrides]
    try:
        material = b"".join(
            len(part).to_bytes(8, "big") + part
            for path in files
            for part in (str(path).encode(), path.read_bytes())
        )
    except OSError:
        return _load(root, overrides)  # the loader says what is missing
    return ParseCache(cache_dir, scope="framework").get(
        "framework",
        FRAMEWORK_CACHE_VERSION,
        material,
        lambda: _load(root, overrides),
        encode=lambda framework: framework.model_dump(mode="json", by_alias=True),
        decode=Framework.model_validate,
    )


def _load(root: Path, overrides: Sequence[Path]) -> Framework:
    if not (root / "framework.yaml").is_file():
        raise UserError(
            "no framework.yaml here",
            file=str(root),
            hint="Point at a folder laid out like"
            " src/platform_maturity/framework (framework.yaml, pillars/, measures/).",
        )
    head_doc = read_yaml(root / "framework.yaml")
    head = _require_mapping(head_doc, "framework.yaml")
    sources = _Sources()
    levels = [
        validate_model(Level, head_doc.child("levels", i))
        for i in range(len(head.get("levels") or []))
    ]

    pillars: list[Pillar] = []
    for path in sorted((root / "pillars").glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        doc = read_yaml(path)
        sources.note_pillar(doc)
        pillars.append(validate_model(Pillar, doc, _prepare_pillar(doc)))

    kpi_doc = read_yaml(root / "measures" / "kpis.yaml")
    kpi_data = _require_mapping(kpi_doc, "kpis.yaml").get("kpis") or []
    kpis = [validate_model(Kpi, kpi_doc.child("kpis", i)) for i in range(len(kpi_data))]
    measures: dict[str, Any] = {}
    for path in sorted((root / "measures").glob("*.yaml")):
        if path.stem != "kpis":
            doc = read_yaml(path)
            if path.stem == "security-backlog":
                validate_model(SecurityBacklogPolicy, doc)
            measures[path.stem] = doc.data

    for override in overrides:
        pillars = _apply_override(read_yaml(override), pillars, sources)

    framework = Framework(
        name=str(head.get("name", "")),
        version=str(head.get("version", "")),
        description=str(head.get("description", "")),
        levels=tuple(levels),
        credits=dict(head.get("credits") or {}),
        pillars=tuple(sorted(pillars, key=lambda p: (p.order, p.id))),
        kpis=tuple(kpis),
        measures=measures,
    )
    _cross_check(framework, sources)
    return framework


# ---- workspace overrides -------------------------------------------------------------


def _apply_override(doc: Located, pillars: list[Pillar], sources: _Sources) -> list[Pillar]:
    data = _require_mapping(doc, "a framework override file")
    unknown = set(data) - {"pillars", "goals", "changes", "out_of_scope"}
    if unknown:
        key = sorted(unknown)[0]
        raise UserError(
            "unknown section in an override file",
            file=doc.file,
            line=doc.line_of((key,)),
            field=key,
            hint="Use pillars, goals, changes or out_of_scope.",
        )
    for i, _ in enumerate(data.get("pillars") or []):
        sub = doc.child("pillars", i)
        sources.note_pillar(sub)
        new = validate_model(Pillar, sub, {"source": "workspace", **_prepare_pillar(sub)})
        if any(p.id == new.id for p in pillars):
            raise UserError(
                "a pillar with this id exists already",
                file=doc.file,
                line=sub.line_of(("id",)),
                field=f"pillars.{i}.id",
                value=new.id,
                hint="Use `changes:` to modify an existing pillar, or choose another id.",
            )
        pillars.append(new)
    for i, raw in enumerate(data.get("goals") or []):
        pillars = _add_goal(doc.child("goals", i), raw, pillars, sources, i)
    for i, raw in enumerate(data.get("changes") or []):
        pillars = _apply_change(doc.child("changes", i), raw, pillars, i, sources)
    for i, raw in enumerate(data.get("out_of_scope") or []):
        pillars = _put_out_of_scope(doc.child("out_of_scope", i), raw, pillars, i)
    return pillars


def _find_pillar(pillars: list[Pillar], ref: object, doc: Located, field: str) -> int:
    for index, pillar in enumerate(pillars):
        if ref in (pillar.id, pillar.name):
            return index
    raise UserError(
        "unknown pillar",
        file=doc.file,
        line=doc.line_of((field.rsplit(".", 1)[-1],)),
        field=field,
        value=ref,
        hint="Known pillars: " + ", ".join(p.id for p in pillars),
    )


def _add_goal(
    doc: Located, raw: Any, pillars: list[Pillar], sources: _Sources, i: int
) -> list[Pillar]:
    if not isinstance(raw, dict):
        raise UserError(
            "expected a mapping", file=doc.file, line=doc.line_of(()), field=f"goals.{i}"
        )
    p_index = _find_pillar(pillars, raw.get("pillar"), doc, f"goals.{i}.pillar")
    pillar = pillars[p_index]
    category_id = raw.get("category")
    categories = list(pillar.categories)
    c_index = next((n for n, c in enumerate(categories) if category_id in (c.id, c.name)), None)
    if c_index is None:
        raise UserError(
            "unknown category",
            file=doc.file,
            line=doc.line_of(("category",)),
            field=f"goals.{i}.category",
            value=category_id,
            hint="Categories of this pillar: " + ", ".join(c.id for c in pillar.categories),
        )
    category = categories[c_index]
    goal = validate_model(Goal, doc, {**raw, "pillar": pillar.id, "category": category.id})
    sources.where[f"goal:{pillar.id}:{goal.code}"] = (doc.file, doc.line_of(("code",)))
    categories[c_index] = category.model_copy(update={"goals": (*category.goals, goal)})
    pillars[p_index] = pillar.model_copy(update={"categories": tuple(categories)})
    return pillars


def _replace_goal(pillars: list[Pillar], goal: Goal) -> list[Pillar]:
    result = []
    for pillar in pillars:
        categories = tuple(
            c.model_copy(
                update={"goals": tuple(goal if g.code == goal.code else g for g in c.goals)}
            )
            for c in pillar.categories
        )
        result.append(pillar.model_copy(update={"categories": categories}))
    return result


def _lookup_goal(pillars: list[Pillar], ref: object, doc: Located, field: str) -> Goal:
    probe = Framework(name="", version="", levels=(), credits={}, pillars=tuple(pillars), kpis=())
    try:
        return probe.goal(str(ref))
    except KeyError as exc:
        raise UserError(
            str(exc),
            file=doc.file,
            line=doc.line_of((field.rsplit(".", 1)[-1],)),
            field=field,
            value=ref,
        ) from None


def _apply_change(
    doc: Located, raw: Any, pillars: list[Pillar], i: int, sources: _Sources
) -> list[Pillar]:
    if not isinstance(raw, dict):
        raise UserError(
            "expected a mapping", file=doc.file, line=doc.line_of(()), field=f"changes.{i}"
        )
    kinds = [k for k in ("goal", "metric", "pillar") if k in raw]
    if len(kinds) != 1:
        raise UserError(
            "a change names exactly one of goal, metric or pillar",
            file=doc.file,
            line=doc.line_of(()),
            field=f"changes.{i}",
        )
    kind = kinds[0]
    updates = {k: v for k, v in raw.items() if k != kind}
    allowed = {"goal": _GOAL_CHANGES, "metric": _METRIC_CHANGES, "pillar": _PILLAR_CHANGES}[kind]
    for key in updates:
        if key not in allowed:
            raise UserError(
                f"this field cannot be changed on a {kind}",
                file=doc.file,
                line=doc.line_of((key,)),
                field=f"changes.{i}.{key}",
                value=updates[key],
                hint="Changeable: " + ", ".join(sorted(allowed)),
            )
    if kind == "goal":
        goal = _lookup_goal(pillars, raw["goal"], doc, f"changes.{i}.goal")
        new_goal = validate_model(Goal, doc, {**goal.model_dump(), **updates})
        sources.where[f"goal:{goal.pillar}:{goal.code}"] = (doc.file, doc.line_of(()))
        return _replace_goal(pillars, new_goal)
    if kind == "pillar":
        p_index = _find_pillar(pillars, raw["pillar"], doc, f"changes.{i}.pillar")
        pillar = pillars[p_index]
        pillars[p_index] = validate_model(Pillar, doc, {**pillar.model_dump(), **updates})
        return pillars
    for p_index, pillar in enumerate(pillars):
        for m_index, metric in enumerate(pillar.metrics):
            if metric.id == raw["metric"]:
                new_metric = validate_model(Metric, doc, {**metric.model_dump(), **updates})
                sources.where[f"metric:{pillar.id}:{metric.id}"] = (doc.file, doc.line_of(()))
                metrics = list(pillar.metrics)
                metrics[m_index] = new_metric
                pillars[p_index] = pillar.model_copy(update={"metrics": tuple(metrics)})
                return pillars
    raise UserError(
        "unknown metric",
        file=doc.file,
        line=doc.line_of(("metric",)),
        field=f"changes.{i}.metric",
        value=raw["metric"],
        hint="Run 'maturity framework show' to list metric ids.",
    )


def _put_out_of_scope(doc: Located, raw: Any, pillars: list[Pillar], i: int) -> list[Pillar]:
    if not isinstance(raw, dict) or not raw.get("reason"):
        raise UserError(
            "each out_of_scope entry needs a code and a reason",
            file=doc.file,
            line=doc.line_of(()),
            field=f"out_of_scope.{i}",
            hint="Example: {code: O.F.9, reason: We ship no browser front end.}",
        )
    goal = _lookup_goal(pillars, raw.get("code"), doc, f"out_of_scope.{i}.code")
    new_goal = goal.model_copy(
        update={"in_scope": False, "out_of_scope_reason": str(raw["reason"])}
    )
    return _replace_goal(pillars, new_goal)


# ---- cross references --------------------------------------------------------------


def _cross_check(framework: Framework, sources: _Sources) -> None:
    level_numbers = {level.number for level in framework.levels}
    kpi_ids = {kpi.id for kpi in framework.kpis}
    seen_pillar: set[str] = set()
    seen_codes: dict[str, str] = {}
    seen_metrics: set[str] = set()
    metric_ids = {m.id for m in framework.metrics()}
    for pillar in framework.pillars:
        if pillar.id in seen_pillar:
            raise sources.error(
                f"pillar:{pillar.id}",
                "pillar id used twice",
                "id",
                pillar.id,
                "Pillar ids must be unique.",
            )
        seen_pillar.add(pillar.id)
        category_ids: set[str] = set()
        for category in pillar.categories:
            if category.id in category_ids:
                raise sources.error(
                    f"pillar:{pillar.id}",
                    "category id used twice in the pillar",
                    "categories.id",
                    category.id,
                    "Give each category its own id.",
                )
            category_ids.add(category.id)
        for goal in pillar.goals():
            key = f"goal:{pillar.id}:{goal.code}"
            if goal.code in seen_codes:
                raise sources.error(
                    key,
                    f"goal code already used in pillar {seen_codes[goal.code]}",
                    "code",
                    goal.code,
                    "Goal codes are unique across the framework; keep the upstream"
                    " code in `upstream:` and choose a new code.",
                )
            seen_codes[goal.code] = pillar.id
            if not goal.code.startswith(pillar.prefix + "."):
                raise sources.error(
                    key,
                    f"goal code does not start with the pillar prefix {pillar.prefix}.",
                    "code",
                    goal.code,
                    "Codes read <prefix>.<category>.<number>.",
                )
            if goal.level not in level_numbers:
                raise sources.error(
                    key, "unknown level", "level", goal.level, f"Levels: {sorted(level_numbers)}."
                )
            for ref in goal.metrics:
                if ref not in metric_ids:
                    raise sources.error(
                        key,
                        "goal names a metric that does not exist",
                        "metrics",
                        ref,
                        "Use a metric id from a pillar's metrics list.",
                    )
            for ref in goal.kpis:
                if ref not in kpi_ids:
                    raise sources.error(
                        key,
                        "goal names a KPI that does not exist",
                        "kpis",
                        ref,
                        "KPIs: " + ", ".join(sorted(kpi_ids)),
                    )
        for metric in pillar.metrics:
            key = f"metric:{pillar.id}:{metric.id}"
            if metric.id in seen_metrics:
                raise sources.error(
                    key, "metric id used twice", "id", metric.id, "Metric ids are unique."
                )
            seen_metrics.add(metric.id)
            if not metric.id.startswith(pillar.id + "."):
                raise sources.error(
                    key,
                    f"metric id must start with '{pillar.id}.'",
                    "id",
                    metric.id,
                    "Metric ids read <pillar id>.<slug>.",
                )
            if metric.kpi and metric.kpi not in kpi_ids:
                raise sources.error(
                    key,
                    "metric names a KPI that does not exist",
                    "kpi",
                    metric.kpi,
                    "KPIs: " + ", ".join(sorted(kpi_ids)),
                )
            target = metric.parsed_target
            if dimension(target.unit) != dimension(metric.unit) and {target.unit, metric.unit} != {
                "percent",
                "ratio",
            }:
                raise sources.error(
                    key,
                    f"target unit {target.unit} does not fit metric unit {metric.unit}",
                    "target",
                    metric.target,
                    "Write the target in the metric's unit.",
                )

"""The manifest reader never crashes: bad input becomes a recorded problem."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platform_maturity.checks.catalog import load_catalog
from platform_maturity.collectors.base import ScanContext
from platform_maturity.collectors.kubernetes.collector import KubernetesCollector
from platform_maturity.collectors.kubernetes.manifests import load_objects, span_index
from platform_maturity.collectors.registry import check_functions
from platform_maturity.domain.errors import UserError
from platform_maturity.framework.loader import load_framework

CATALOG = load_catalog(load_framework(), functions=check_functions())
NOW = datetime(2026, 11, 20, tzinfo=UTC)
YAMLISH = st.text(
    alphabet=st.sampled_from(list("abcdkindapiVersion: -{}[]\n\t'\"#&*!|>%@`,?0123456789")),
    max_size=300,
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(YAMLISH, st.text(max_size=200)))
def test_any_text_gives_objects_or_a_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text("apiVersion: v1\nkind: Pod\n" + text, encoding="utf-8")
    try:
        objects = load_objects(path, "fuzz.yaml")
    except UserError as exc:
        assert exc.file == "fuzz.yaml" and exc.message
    else:
        assert all(isinstance(o.data, dict) for o in objects)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300))
def test_any_bytes_are_scanned_without_a_crash(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bytes.yaml"
    path.write_bytes(b"apiVersion: v1\nkind: Pod\n" + data)
    collector = KubernetesCollector()
    result = collector.collect(
        [path], ScanContext(catalog=CATALOG, now=NOW, root=tmp_path, scan_roots=[tmp_path])
    )
    assert result.inputs == 1


def test_bad_inputs_are_problems_and_the_rest_is_scanned(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n"
        "  containers: [{name: a, image: x:1}]\n"
    )
    (tmp_path / "binary.yaml").write_bytes(b"apiVersion kind \x00\x01\x02")
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: [\n")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text(good.read_text())
    (tmp_path / "link.yaml").symlink_to(outside)
    (tmp_path / "image.yml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")  # no apiVersion
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "missing.yaml")
    (tmp_path / "elsewhere").symlink_to(tmp_path.parent, target_is_directory=True)
    (tmp_path / "notes.yaml").write_text("just: some settings\n")  # not a manifest: skipped
    collector = KubernetesCollector()
    inputs = collector.discover([tmp_path])
    result = collector.collect(
        inputs, ScanContext(catalog=CATALOG, now=NOW, root=tmp_path, scan_roots=[tmp_path])
    )
    problems = {p.path: p.message for p in result.problems}
    assert problems == {
        "binary.yaml": "binary file, not a manifest",
        "image.yml": "binary file, not a manifest",
        "broken.yaml": problems["broken.yaml"],
        "link.yaml": "symbolic link to a file outside the scanned folders; not followed",
        "gone.yaml": "dangling symbolic link (its target does not exist)",
        "elsewhere": "symbolic link to a folder outside the scanned folders; not followed",
    }
    assert result.inputs == 7
    assert {o.subject for o in result.observations} == {"Pod/default/ok"}


@given(
    lines=st.dictionaries(
        st.lists(st.sampled_from(["spec", "containers", 0, 1]), max_size=4).map(tuple),
        st.integers(min_value=1, max_value=60),
        max_size=12,
    )
)
def test_span_index_is_the_first_and_last_line_under_each_path(
    lines: dict[tuple[str | int, ...], int],
) -> None:
    # any line map: paths in any order, prefixes with no line of their own
    prefixes = {key[:depth] for key in lines for depth in range(len(key) + 1)}
    expected = {
        prefix: (
            min(line for key, line in lines.items() if key[: len(prefix)] == prefix),
            max(line for key, line in lines.items() if key[: len(prefix)] == prefix),
        )
        for prefix in prefixes
    }
    assert span_index(lines) == expected


def test_a_scan_reads_each_small_manifest_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Discovery sniffs every candidate file; a manifest it read whole is parsed from those
    bytes, and only a larger one is opened again."""
    import builtins

    from platform_maturity.collectors.kubernetes import manifests

    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n  containers: [{name: a}]\n"
    (tmp_path / "small.yaml").write_text(pod % "small")
    padding = "# " + "x" * 100 + "\n"
    (tmp_path / "large.yaml").write_text(pod % "large" + padding * 700)  # over the head
    (tmp_path / "notes.yaml").write_text("just: settings\n")
    collector = KubernetesCollector()
    inputs = collector.discover([tmp_path])
    assert [p.name for p in inputs] == ["large.yaml", "small.yaml"]
    opened: list[str] = []

    def recording_open(path: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(Path(path).name)
        return builtins.open(path, *args, **kwargs)

    monkeypatch.setattr(manifests, "open", recording_open, raising=False)
    result = collector.collect(
        inputs, ScanContext(catalog=CATALOG, now=NOW, root=tmp_path, scan_roots=[tmp_path])
    )
    assert opened == ["large.yaml"]
    assert {o.subject for o in result.observations} == {"Pod/default/small", "Pod/default/large"}
    # kept bytes are handed over once: a second collect reads the files again
    monkeypatch.undo()
    again = collector.collect(
        inputs, ScanContext(catalog=CATALOG, now=NOW, root=tmp_path, scan_roots=[tmp_path])
    )
    assert [o.message for o in again.observations] == [o.message for o in result.observations]


def test_the_sniffer_keeps_whole_files_within_its_budget(tmp_path: Path) -> None:
    from platform_maturity.collectors.kubernetes.manifests import Sniffer

    text = b"apiVersion: v1\nkind: ConfigMap\n"
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_bytes(text)
    sniff = Sniffer(budget=len(text) + 1)
    assert sniff(tmp_path / "a.yaml") and sniff(tmp_path / "b.yaml")
    assert sniff.whole == {tmp_path / "a.yaml": text}  # b did not fit: it is read again
    assert not sniff(tmp_path / "a.txt")

"""Rescanning unchanged inputs reads parsed files from a content-hash cache, and gives
the same result; changed files are parsed again; a broken cache costs speed, never
correctness."""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
from contextlib import closing
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from platform_maturity.cache import DATABASE, ParseCache, activated
from platform_maturity.checks.catalog import load_catalog
from platform_maturity.cli.main import main
from platform_maturity.collectors.base import CollectorResult, ScanContext
from platform_maturity.collectors.kubernetes.collector import KubernetesCollector
from platform_maturity.collectors.registry import check_functions
from platform_maturity.collectors.terraform.collector import TerraformCollector
from platform_maturity.framework.loader import load_framework

NOW = datetime(2026, 11, 20, tzinfo=UTC)
CATALOG = load_catalog(load_framework(), functions=check_functions())

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: shop, labels: {{app: {name}}}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
        - name: {name}
          image: example/{name}:1.0
          securityContext: {{runAsNonRoot: true}}
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ServiceAccount
    metadata: {{name: {name}, namespace: shop}}
    automountServiceAccountToken: false
"""
CLUSTER_DUMP = {
    "apiVersion": "v1",
    "kind": "List",
    "items": [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "dump", "namespace": "ops", "creationTimestamp": None},
            "spec": {"containers": [{"name": "dump", "image": "busybox"}]},
        }
    ],
}
TERRAFORM = """\
resource "kubernetes_deployment_v1" "api" {
  metadata {
    name      = "api"
    namespace = "shop"
  }
  spec {
    replicas = var.replicas
    template {
      spec {
        container {
          name  = "api"
          image = "example/api:2.0"
        }
      }
    }
  }
}

resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
"""


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    (folder / "k8s").mkdir(parents=True)
    (folder / "infra").mkdir()
    (folder / "k8s" / "cart.yaml").write_text(DEPLOYMENT.format(name="cart", replicas=2))
    (folder / "k8s" / "search.yml").write_text(DEPLOYMENT.format(name="search", replicas=1))
    (folder / "k8s" / "dump.json").write_text(json.dumps(CLUSTER_DUMP, indent=2))
    (folder / "k8s" / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: [\n")
    (folder / "infra" / "main.tf").write_text(TERRAFORM)
    return folder


def collect(root: Path, cache_dir: Path | None) -> tuple[CollectorResult, ParseCache]:
    collector = KubernetesCollector()
    context = ScanContext(
        catalog=CATALOG, now=NOW, root=root, scan_roots=[root], cache_dir=cache_dir
    )
    result = collector.collect(collector.discover([root]), context)
    assert collector.last_cache is not None
    return result, collector.last_cache


def dumped(result: CollectorResult) -> list[dict[str, Any]]:
    return [asdict(o) for o in result.observations]


def entries(cache_dir: Path) -> list[str]:
    """The keys of the entries stored in a cache folder."""
    if not (cache_dir / DATABASE).is_file():
        return []
    with closing(sqlite3.connect(cache_dir / DATABASE)) as connection:
        return [key for (key,) in connection.execute("SELECT key FROM entry ORDER BY key")]


def overwrite(cache_dir: Path, key: str, **values: object) -> None:
    """Change the stored columns (``blob``, ``used``) of one entry."""
    with closing(sqlite3.connect(cache_dir / DATABASE)) as connection, connection:
        for column, value in values.items():
            connection.execute(f"UPDATE entry SET {column} = ? WHERE key = ?", (value, key))


def test_a_second_scan_reads_the_cache_and_gives_the_same_observations(
    inputs: Path, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    uncached, _ = collect(inputs, None)
    first, cold = collect(inputs, cache_dir)
    second, warm = collect(inputs, cache_dir)
    # three manifests and one .tf file are stored; the broken manifest is never cached
    assert (cold.stats.hits, cold.stats.misses, cold.stats.stored) == (0, 5, 4)
    assert (warm.stats.hits, warm.stats.misses, warm.stats.stored) == (4, 1, 0)
    assert len(entries(cache_dir)) == 4
    assert dumped(first) == dumped(second) == dumped(uncached)
    assert first.problems == second.problems and len(first.problems) == 1
    subjects = {o.subject for o in second.observations}
    assert {"Deployment/shop/cart", "Pod/ops/dump", "Deployment/shop/api"} <= subjects


def test_a_changed_file_is_parsed_again(inputs: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    collect(inputs, cache_dir)
    (inputs / "k8s" / "search.yml").write_text(DEPLOYMENT.format(name="search", replicas=3))
    result, cache = collect(inputs, cache_dir)
    assert (cache.stats.hits, cache.stats.misses, cache.stats.stored) == (3, 2, 1)
    replicas = next(
        o
        for o in result.observations
        if o.check_id == "k8s.workload-min-replicas" and o.subject == "Deployment/shop/search"
    )
    assert replicas.passed is True
    # the same bytes under another name are a hit, named by where they are now
    (inputs / "k8s" / "copy.yaml").write_bytes((inputs / "k8s" / "cart.yaml").read_bytes())
    (inputs / "k8s" / "cart.yaml").unlink()
    result, cache = collect(inputs, cache_dir)
    assert cache.stats.hits == 4 and cache.stats.stored == 0
    assert {o.evidence[0].path for o in result.observations if "cart" in o.subject} == {
        "k8s/copy.yaml"
    }


class _Exploit:
    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (os.system, ("touch pwned",))


def test_corrupt_or_foreign_cache_entries_are_ignored(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    expected = dumped(collect(inputs, cache_dir)[0])
    keys = entries(cache_dir)
    overwrite(cache_dir, keys[0], blob=b"\x80\x05garbage")  # truncated pickle
    overwrite(cache_dir, keys[1], blob=pickle.dumps(("another key", [])))  # other content
    monkeypatch.chdir(tmp_path)
    overwrite(cache_dir, keys[2], blob=pickle.dumps((keys[2], _Exploit())))  # code, never run
    result, cache = collect(inputs, cache_dir)
    assert dumped(result) == expected
    assert (cache.stats.hits, cache.stats.corrupt, cache.stats.stored) == (1, 3, 3)
    assert not (tmp_path / "pwned").exists()
    again, cache = collect(inputs, cache_dir)  # the entries were rewritten
    assert cache.stats.hits == 4 and dumped(again) == expected


def test_an_unusable_cache_folder_costs_nothing_but_speed(inputs: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    result, cache = collect(inputs, blocked)
    assert dumped(result) == dumped(collect(inputs, None)[0])
    assert cache.stats.stored == 0 and cache.stats.misses == 5


def test_no_cache_folder_means_no_cache(inputs: Path, tmp_path: Path) -> None:
    _, cache = collect(inputs, None)
    assert not cache.enabled and cache.stats.hits == cache.stats.stored == 0


def test_the_cache_keeps_the_most_recently_used_entries(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path, scope="test/1", max_entries=3, batch=True)

    def key(number: int) -> str:
        return cache.key("test", "1", str(number).encode())

    for number in range(5):
        assert cache.get("test", "1", str(number).encode(), lambda n=number: [n]) == [number]
    cache.flush()
    for number in range(5):
        overwrite(tmp_path, key(number), used=1000 + number)
    assert cache.get("test", "1", b"0", lambda: ["parsed again"]) == [0]  # used: kept
    assert cache.get("test", "1", b"5", lambda: [5]) == [5]  # new: kept
    assert cache.prune() == 3
    assert entries(tmp_path) == sorted([key(0), key(4), key(5)])
    # a hit refreshes an entry's last use, and a cache that is not batched writes at once
    again = ParseCache(tmp_path, scope="test/1")
    assert again.get("test", "1", b"4", lambda: ["parsed again"]) == [4]
    assert again.stats.hits == 1 and again.stats.stored == 0
    with closing(sqlite3.connect(tmp_path / DATABASE)) as connection:
        (used,) = connection.execute("SELECT used FROM entry WHERE key = ?", (key(4),)).fetchone()
    assert used > 1000 + 4


def test_a_damaged_cache_file_is_started_afresh(inputs: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / DATABASE).write_bytes(b"not a database " * 100)
    (cache_dir / "0123.pickle").write_bytes(b"an entry of the one-file-per-entry cache")
    result, cache = collect(inputs, cache_dir)
    assert dumped(result) == dumped(collect(inputs, None)[0])
    assert cache.stats.stored == 4 and len(entries(cache_dir)) == 4
    assert not (cache_dir / "0123.pickle").exists()


def test_the_key_covers_content_kind_and_versions(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path, scope="kubernetes/1")
    keys = {
        cache.key("kubernetes-manifest", "1", b"a"),
        cache.key("kubernetes-manifest", "1", b"b"),
        cache.key("kubernetes-manifest", "2", b"a"),
        cache.key("terraform-hcl", "1", b"a"),
        ParseCache(tmp_path, scope="kubernetes/2").key("kubernetes-manifest", "1", b"a"),
    }
    assert len(keys) == 5


def test_the_terraform_reader_uses_the_active_cache(inputs: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    collector = TerraformCollector()
    context = ScanContext(catalog=CATALOG, now=NOW, root=inputs, scan_roots=[inputs])
    paths = collector.discover([inputs / "infra"])
    plain = collector.collect(paths, context)
    with activated(ParseCache(cache_dir)) as cold:
        collector.collect(paths, context)
    with activated(ParseCache(cache_dir)) as warm:
        cached = collector.collect(paths, context)
    assert cold is not None and warm is not None
    assert (cold.stats.stored, warm.stats.hits, warm.stats.misses) == (1, 1, 0)
    assert [asdict(o) for o in cached.observations] == [asdict(o) for o in plain.observations]


def test_maturity_scan_keeps_its_cache_in_the_workspace(
    workspace_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = workspace_dir / "k8s"
    folder.mkdir()
    (folder / "cart.yaml").write_text(dedent(DEPLOYMENT.format(name="cart", replicas=2)))
    (folder / "main.tf").write_text(TERRAFORM)
    assert main(["scan", "k8s", "--format", "json"]) == 0
    first = json.loads(capsys.readouterr().out)
    cache_dir = workspace_dir / ".maturity" / "cache"
    stored = entries(cache_dir)
    # cart.yaml, and main.tf as parsed by the Kubernetes and by the Terraform collector
    assert len(stored) == 3
    assert main(["scan", "k8s", "--format", "json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert first["findings"] == second["findings"] and first["checks"] == second["checks"]
    assert entries(cache_dir) == stored

"""Collectors of other packages come through entry points, found once and then read from the
user cache until a package is installed or removed (real dist-info folders on sys.path)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PLUGIN = """\
class EchoCollector:
    id = "echo"
    version = "1"

    def discover(self, roots):
        return []

    def collect(self, inputs, context):
        raise NotImplementedError
"""

PROBE = """\
import json, sys
from platform_maturity.collectors.registry import collectors
found = collectors()
print(json.dumps([sorted(found), type(found.get("echo")).__name__]))
"""


def install(site: Path, name: str, entry: str) -> None:
    """What pip leaves for a package with one collector entry point."""
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[platform_maturity.collectors]\n{entry}\n")


def probe(site: Path, cache: Path) -> list[object]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
        "MATURITY_CACHE_DIR": str(cache),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=True
    )
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_an_installed_collector_is_found_and_a_new_one_seen_at_once(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    site.mkdir()
    (site / "echo_plugin.py").write_text(PLUGIN, encoding="utf-8")
    builtin = ["kubernetes", "repository", "terraform"]
    assert probe(site, cache) == [builtin, "NoneType"]
    install(site, "echo-plugin", "echo = echo_plugin:EchoCollector")
    assert probe(site, cache) == [sorted([*builtin, "echo"]), "EchoCollector"]
    assert probe(site, cache) == [sorted([*builtin, "echo"]), "EchoCollector"]  # cached
    assert (cache / "plugins").is_dir()
    for child in sorted((site / "echo-plugin-1.0.dist-info").iterdir()):
        child.unlink()
    (site / "echo-plugin-1.0.dist-info").rmdir()  # uninstalled
    assert probe(site, cache) == [builtin, "NoneType"]

"""A scan that is not stored loads only what a scan needs: the sections of maturity.yaml it
reads, the collector code for the inputs it found, no store, no framework, no Rich. Other
commands still validate the whole workspace file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from platform_maturity.cli.main import main
from platform_maturity.collectors.registry import FUNCTION_MODULES
from platform_maturity.domain.errors import UserError
from platform_maturity.services.workspace import load_workspace

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:latest
"""

WORKSPACE = """\
organization: {name: Lean}
units:
  - slug: shop
    name: Shop
    namespaces: [shop]
backlog:
  review_cadence_days: 7
downtime:
  failure_threshold: 0
kpi:
  timezone: UTC
"""
DOWNTIME_LINE = 9  # the line of failure_threshold above

# what a stored-nowhere scan of manifests must not import: Typer (the command line is read
# without it) and, once maturity.yaml's settings and the check catalog are cached, Pydantic;
# the store, the renderers of other outputs, the framework, the settings of other features,
# and the code that reads repositories and Terraform (there are none among the inputs)
NOT_FOR_A_SCAN = (
    "typer",
    "click",
    "pydantic",
    "sqlalchemy",
    "alembic",
    "rich",
    "jinja2",
    "httpx",
    "platform_maturity.store",
    "platform_maturity.engine",
    "platform_maturity.domain.framework",
    "platform_maturity.domain.backlog_settings",
    "platform_maturity.domain.downtime",
    "platform_maturity.domain.kpi_mapping",
    "platform_maturity.framework.loader",
    "platform_maturity.collectors.repository.detectors",
    "platform_maturity.collectors.repository.relations",
    "platform_maturity.collectors.terraform.hcl",
    "platform_maturity.collectors.terraform.relations",
    "platform_maturity.collectors.terraform.embedded",
    # compiled check schemas run without the compiler (or decimal); suggestions for a
    # mistyped exemption and the terminal's width are not needed either, and cache keys are
    # digests without OpenSSL
    "fastjsonschema",
    "decimal",
    "difflib",
    "shutil",
    "hashlib",
    "argparse",  # the quick reading of the command line is a few lines of its own
)


@pytest.fixture
def lean_workspace(tmp_path: Path) -> Path:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "maturity.yaml").write_text(WORKSPACE, encoding="utf-8")
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "web.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    return tmp_path


def test_a_scan_that_is_not_stored_imports_only_what_it_uses(lean_workspace: Path) -> None:
    valid = WORKSPACE.replace("failure_threshold: 0", "failure_threshold: 3")
    (lean_workspace / "ws" / "maturity.yaml").write_text(valid, encoding="utf-8")
    out = lean_workspace / "scan.json"
    probe = (
        "import json, sys\n"
        "from platform_maturity.cli.main import main\n"
        f"code = main(['-w', {str(lean_workspace / 'ws')!r}, 'scan',"
        f" {str(lean_workspace / 'manifests')!r}, '--no-store', '--format', 'json',"
        f" '--out', {str(out)!r}])\n"
        "print(json.dumps([code, sorted(sys.modules)]))\n"
    )
    env = {**os.environ, "MATURITY_CACHE_DIR": str(lean_workspace / "user-cache")}
    # the second run reads maturity.yaml's settings and the check catalog from the cache
    for _run in ("cold", "warm"):
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
        )
        code, modules = json.loads(done.stdout.splitlines()[-1])
        assert code == 0, done.stderr
        findings = json.loads(out.read_text(encoding="utf-8"))["findings"]
        assert {f["unit"] for f in findings} == {"shop"}  # units and namespaces were read
    loaded = [
        name
        for name in NOT_FOR_A_SCAN
        if any(m == name or m.startswith(name + ".") for m in modules)
    ]
    assert loaded == [], f"a scan without a store imported {loaded}"
    assert "platform_maturity.collectors.kubernetes.collector" in modules


def test_a_cached_check_catalog_loads_without_pydantic(tmp_path: Path) -> None:
    """Check files are validated by Pydantic models; the cached catalog is plain data."""
    modules = list(FUNCTION_MODULES.values())  # as check_functions(), without the collectors
    probe = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from platform_maturity.checks.catalog import load_catalog\n"
        "from platform_maturity.checks.functions import LazyFunctions\n"
        f"functions = LazyFunctions({modules!r})\n"
        f"catalog = load_catalog(functions=functions, cache_dir=Path({str(tmp_path)!r}))\n"
        "print(json.dumps([len(catalog.checks), sorted(sys.modules)]))\n"
    )
    runs = []
    for _run in ("cold", "warm"):
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(done.stdout.splitlines()[-1]))
    (cold, cold_modules), (warm, warm_modules) = runs
    assert "platform_maturity.checks.check_file" in cold_modules  # validated the files
    assert warm == cold > 100
    pydantic = [m for m in warm_modules if m == "pydantic" or m.startswith("pydantic.")]
    assert pydantic == [], "a cached catalog imported Pydantic"


def test_a_scan_validates_only_the_sections_it_reads(
    lean_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = lean_workspace / "ws"
    out = lean_workspace / "scan.json"
    argv = ["-w", str(workspace), "scan", str(lean_workspace / "manifests"), "--no-store"]
    assert main([*argv, "--format", "json", "--out", str(out)]) == 0
    findings = json.loads(out.read_text(encoding="utf-8"))["findings"]
    assert {f["unit"] for f in findings} == {"shop"}  # units and namespaces were read
    # any other command reads the whole file: the bad downtime section is named, by line
    with pytest.raises(UserError) as caught:
        load_workspace(workspace / "maturity.yaml")
    assert caught.value.line == DOWNTIME_LINE
    assert caught.value.field == "downtime.failure_threshold"
    # a lean load says the same when the section is first read
    lean = load_workspace(workspace / "maturity.yaml", lean=True)
    assert lean.config.backlog.review_cadence_days == 7
    assert lean.config.kpi.timezone == "UTC"
    with pytest.raises(UserError) as again:
        lean.config.downtime  # noqa: B018 - reading the section validates it
    assert (again.value.line, again.value.field) == (DOWNTIME_LINE, "downtime.failure_threshold")
    assert str(workspace / "maturity.yaml") in str(again.value)
    capsys.readouterr()
    code = main(["-w", str(workspace), "framework", "show"])
    err = capsys.readouterr().err
    assert code == 2 and f"maturity.yaml:{DOWNTIME_LINE}" in err and "failure_threshold" in err


def test_the_collector_runs_rarely_during_a_command_and_as_before_after_it() -> None:
    import gc

    from platform_maturity.cli.main import GC_THRESHOLD, rare_collections

    before = gc.get_threshold()
    with rare_collections():
        assert gc.get_threshold() == (max(before[0], GC_THRESHOLD), *before[1:])
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), rare_collections():
        raise RuntimeError("a command that fails")
    assert gc.get_threshold() == before
    assert main(["--workspace", "/nonexistent/folder", "scan", "."]) == 2
    assert gc.get_threshold() == before

"""The committed results, published with `asv publish` and read back from the page in Chromium.

Needs Debian's chromium and chromium-driver (.ci/run installs them), selenium, and npm to fetch
the dashboard's scripts (tools/dashboard.py vendor); the releases plugin reads release dates from
the package index (or its cache in .asv/).
"""

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from asv_results import rows

from history.configure import variant, write

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
BENCHMARK = "autograd_functional.Time.time_call"
POINT = {"model": "resnet18", "task": "vjp", "backend": "torch.func"}

needs_chromium = pytest.mark.skipif(
    not (shutil.which("chromium") and shutil.which("chromedriver") and shutil.which("npm")),
    reason="needs Debian's chromium, chromium-driver and npm (apt-get install chromium chromium-driver npm)",
)


def committed(point):
    """Releases whose committed results hold a value for ``point`` (a dict of the first three parameters)."""
    found = set()
    for path in (ROOT / "results").glob("*/*-*.json"):
        data = json.loads(path.read_text())
        for _, params, value in rows(data, BENCHMARK):
            named = dict(zip(["model", "task", "backend"], params, strict=False))
            if named == point and value is not None and not math.isnan(value):
                found.add(data["commit_hash"])
    return found


def publish(tmp_path, **paths):
    """`asv publish` through a variant of asv.conf.json (which must sit in the repository root)."""
    conf = write(variant(ROOT / "asv.conf.json", **paths), ROOT / f"asv.{tmp_path.name}.local.json")
    try:
        subprocess.run([sys.executable, "-m", "asv", "--config", str(conf), "publish"], cwd=ROOT, check=True)
    finally:
        conf.unlink()


@needs_chromium
def test_published_graph_shows_the_committed_releases(tmp_path):
    import dashboard

    expected = committed(POINT)
    assert len(expected) >= 3, f"results/ should hold three or more releases, found {sorted(expected)}"
    publish(tmp_path, html_dir=str(tmp_path / "html"))
    dashboard.vendor(tmp_path / "html")
    index = json.loads((tmp_path / "html" / "index.json").read_text())
    series = dashboard.graph(tmp_path / "html", BENCHMARK, POINT, screenshot=tmp_path / "dashboard.png")
    plotted = {index["revision_to_hash"][str(int(x))] for s in series for x, _ in s["points"]}
    assert plotted == expected
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000


def test_two_machines_publish_into_one_dashboard(tmp_path):
    """A second machine's results directory (a relabelled copy here) joins the same dashboard."""
    (source,) = [d for d in (ROOT / "results").iterdir() if d.is_dir()][:1]
    results = tmp_path / "results"
    for name in (source.name, "second-machine"):
        shutil.copytree(source, results / name)
        for path in (results / name).glob("*.json"):
            data = json.loads(path.read_text())
            if path.name == "machine.json":
                data["machine"] = name
            else:
                data["params"]["machine"] = name
            path.write_text(json.dumps(data))
    shutil.copy(ROOT / "results" / "benchmarks.json", results)
    publish(tmp_path, results_dir=str(results), html_dir=str(tmp_path / "html"))
    index = json.loads((tmp_path / "html" / "index.json").read_text())
    assert sorted(index["params"]["machine"]) == sorted([source.name, "second-machine"])

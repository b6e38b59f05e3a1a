"""One dashboard for every machine and setting: the committed CPU and H100 results published
together, read back from the page in Chromium, and no committed point lost when a run of other
settings joins them.

The browser test needs Debian's chromium and chromium-driver (.ci/run installs them), selenium,
and npm to fetch the dashboard's scripts; the releases plugin reads release dates from the
package index (or its cache in .asv/).
"""

import itertools
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from asv_results import committed_copy, rows

from history.configure import variant, write
from ptbench import dashboard

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = json.loads((ROOT / "results" / "benchmarks.json").read_text())
TIME = "autograd_functional.Time.time_call"
GPU_MEMORY = "autograd_functional.CudaPeakMemory.track_cuda_peak_bytes"
CPU_MEMORY = "autograd_functional.PeakMemory.peakmem_call"
RESNET18_VJP = {"model": "resnet18", "task": "vjp", "backend": "torch.func"}
RESNET18_VJP_CPU = {**RESNET18_VJP, "size": "small", "device": "cpu"}

needs_chromium = pytest.mark.skipif(
    not (shutil.which("chromium") and shutil.which("chromedriver") and shutil.which("npm")),
    reason="needs Debian's chromium, chromium-driver and npm (apt-get install chromium chromium-driver npm)",
)


def measured(results_dir, benchmark, point=None):
    """{(machine, commit, params)} of the points of ``benchmark`` with a value in ``results_dir``
    (of the benchmark's current version, as asv publishes them), optionally matching ``point``."""
    found = set()
    for path in Path(results_dir).glob("*/*.json"):
        if path.name == "machine.json":
            continue
        data = json.loads(path.read_text())
        version = dict(zip(data["result_columns"], data["results"].get(benchmark, []), strict=False)).get("version")
        if version != BENCHMARKS[benchmark]["version"]:
            continue
        names = BENCHMARKS[benchmark]["param_names"]
        for _, params, value in rows(data, benchmark):
            named = dict(zip(names, params, strict=True))
            if value is not None and not math.isnan(value) and all(named[k] == v for k, v in (point or {}).items()):
                found.add((data["params"]["machine"], data["commit_hash"], tuple(params)))
    return found


def publish(tmp_path, **paths):
    """ptbench.dashboard.publish through a variant of asv.conf.json (in the repository root, where
    asv finds the plugins); the html directory."""
    conf = write(variant(ROOT / "asv.conf.json", **paths), ROOT / f"asv.{tmp_path.name}.local.json")
    try:
        return dashboard.publish(conf)
    finally:
        conf.unlink()


@needs_chromium
def test_dashboard_shows_cpu_and_h100_results(tmp_path):
    results = committed_copy(tmp_path / "results")
    cpu = {(m, c) for m, c, _ in measured(results, TIME, {**RESNET18_VJP, "device": "cpu"})}
    gpu = {(m, c) for m, c, _ in measured(results, GPU_MEMORY, {**RESNET18_VJP, "device": "cuda"})}
    assert cpu and ("h100", "2.11.0") in gpu
    html = publish(tmp_path, results_dir=str(results), html_dir=str(tmp_path / "html"))
    index = json.loads((html / "index.json").read_text())
    assert {"vm-x86-2cpu-24gb", "h100"} <= set(index["params"]["machine"])
    for benchmark, device, expected, shot in ((TIME, "cpu", cpu, "cpu.png"), (GPU_MEMORY, "cuda", gpu, "gpu.png")):
        point = {**RESNET18_VJP, "size": "small" if device == "cpu" else "full", "device": device}
        series = dashboard.graph(html, benchmark, point, screenshot=tmp_path / shot)
        plotted = {index["revision_to_hash"][str(int(x))] for s in series for x, _ in s["points"]}
        assert plotted == {c for _, c in expected}, (benchmark, series)
        assert (tmp_path / shot).stat().st_size > 10_000
    # each CPU machine's series alone holds every release measured on it, in one graph
    for machine in {m for m, _ in cpu}:
        series = dashboard.graph(html, TIME, RESNET18_VJP_CPU, machine=machine)
        plotted = [index["revision_to_hash"][str(int(x))] for s in series for x, _ in s["points"]]
        assert sorted(plotted) == sorted(c for m, c in cpu if m == machine), (machine, series)
        assert len(series) == 1, (machine, series)  # one line, whichever boot of the VM ran each release
    # the long view: one machine's peak memory graph holds the newest patch of every minor, 2.0 to 2.15
    memory = measured(results, CPU_MEMORY, RESNET18_VJP_CPU)
    releases = {m: {c for n, c, _ in memory if n == m} for m, _, _ in memory}
    machine = max(releases, key=lambda m: len(releases[m]))
    series = dashboard.graph(html, CPU_MEMORY, RESNET18_VJP_CPU, machine=machine)
    plotted = {index["revision_to_hash"][str(int(x))] for s in series for x, _ in s["points"]}
    assert plotted == releases[machine] and len(plotted) == 16, (machine, sorted(plotted))
    assert [len(s["points"]) for s in series] == [16], (machine, series)  # one line
    assert sorted(int(c.split(".")[1]) for c in plotted) == list(range(16)), sorted(plotted)
    assert "Why a point has no value" in (html / "index.html").read_text()
    assert "h100: torch 2.11.0" in (html / "points.html").read_text()


def test_results_of_other_settings_keep_every_committed_graph(tmp_path):
    """A result file of another machine and setting (full size on CUDA) joins the committed ones;
    every committed point is still in the published graphs, and so is the new file's."""
    results = committed_copy(tmp_path / "results")
    other = results / "other-machine"
    other.mkdir()
    (other / "machine.json").write_text(json.dumps({"machine": "other-machine", "version": 1}))
    source = ROOT / "results" / "h100" / "2.11.0-existing-py_opt_torch_.venv_bin_python3.json"
    data = json.loads(source.read_text())
    data["params"]["machine"] = "other-machine"
    (other / source.name).write_text(json.dumps(data))
    html = publish(tmp_path, results_dir=str(results), html_dir=str(tmp_path / "html"))
    for benchmark in (TIME, GPU_MEMORY, "timm_suite.Eager.time_step"):
        expected = measured(results, benchmark)
        published = set()
        for graph in (html / "graphs").rglob(f"{benchmark}.json"):
            if "summary" in graph.parts:
                continue
            machine = next(p.split("-", 1)[1] for p in graph.parts if p.startswith("machine-"))
            index = json.loads((html / "index.json").read_text())["revision_to_hash"]
            combos = list(itertools.product(*BENCHMARKS[benchmark]["params"]))
            for revision, values in json.loads(graph.read_text()):
                for combo, value in zip(combos, values if isinstance(values, list) else [values], strict=True):
                    if value is not None:
                        published.add((machine, index[str(revision)], tuple(p.strip("'") for p in combo)))
        assert expected <= published, (benchmark, sorted(expected - published)[:5])


def test_published_offline_in_one_command(tmp_path):
    """After a plain `asv publish` (CDN links), `python -m ptbench.dashboard publish` makes every page local."""
    if not shutil.which("npm"):
        pytest.skip("needs npm to fetch the dashboard's scripts")
    conf = write(variant(ROOT / "asv.conf.json", html_dir=str(tmp_path / "html")), ROOT / "asv.offline.local.json")
    try:
        subprocess.run([sys.executable, "-m", "asv", "--config", str(conf), "publish"], cwd=ROOT, check=True)
        assert "https://" in (tmp_path / "html" / "index.html").read_text()
        offline = [sys.executable, "-m", "ptbench.dashboard", "publish", "--config", str(conf)]
        subprocess.run(offline, cwd=ROOT, check=True)
    finally:
        conf.unlink()
    for page in (tmp_path / "html").glob("*.html"):
        assert not dashboard.EXTERNAL.search(page.read_text()), page.name

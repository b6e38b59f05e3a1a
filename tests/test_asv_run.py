"""`asv run --python=same --quick` over the suites at small size on CPU: every point that the
settings select has a value, and no other point was run.

Runs in a copy of the suites and the plugin, as their own git project (no torch history, no
network), with its own results directory and asv machine file, so the repository's ``results/``
is untouched.
"""

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from asv.machine import Machine
from asv.util import load_json
from asv_results import rows

from benchmarks import points
from benchmarks._config import Settings
from ptbench import host

ROOT = Path(__file__).resolve().parents[1]
ASV = [sys.executable, "-m", "asv"]

pytestmark = pytest.mark.slow


def quick_run(tmp_path, *selection, settings=None, fresh=True):
    """`asv run --python=same --quick` over ``selection`` in a copy of the suites (made when
    ``fresh``), with PTBENCH_DEVICE=cpu and ``settings``; its result file."""
    return quick_runs(tmp_path, [(selection, settings or {})], fresh)[0]


def quick_runs(tmp_path, runs, fresh=True):
    """`quick_run` for each (selection, settings) of ``runs``, all at once, each in its own copy of the
    suites and, when there are several, pinned to a core of its own where this process may use that many
    (the benchmarks pin themselves to the last core they may use); their result files, in order."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PTBENCH_")} | {"HOME": str(tmp_path)}
    env |= {"PTBENCH_DEVICE": "cpu", "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    cores = sorted(os.sched_getaffinity(0))
    started = []
    for i, (selection, settings) in enumerate(runs):
        bench = [arg for pattern in selection for arg in ("-b", pattern)]
        work = tmp_path / f"suite{i}"
        if fresh:
            make_suite(work, env)
        core = {cores[i % len(cores)]} if len(runs) > 1 else None
        with open(tmp_path / f"asv{i}.log", "w") as log:
            run = subprocess.Popen(
                ASV + ["run", "--python=same", "--set-commit-hash=HEAD", "--quick", "--show-stderr", *bench],
                cwd=work, env=env | settings, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=core and (lambda core=core: os.sched_setaffinity(0, core)),
            )  # fmt: skip
        started.append((work, run))
    results = []
    try:
        for i, (work, run) in enumerate(started):
            returncode = run.wait(timeout=2400)
            output = (tmp_path / f"asv{i}.log").read_text()
            print(output[-20000:])
            assert returncode == 0, output[-5000:]
            (result_file,) = [p for p in (work / "results" / "ci").glob("*.json") if p.name != "machine.json"]
            results.append(json.loads(result_file.read_text()))
    finally:
        for _, run in started:
            run.kill()  # one still running after another failed; a no-op once it has ended
    return results


def make_suite(work, env):
    """The suites and the plugin as their own git project in ``work``, with asv machine "ci" (in
    ``env``'s HOME)."""
    for package in ("benchmarks", "ptbench"):
        shutil.copytree(ROOT / package, work / package, ignore=shutil.ignore_patterns("__pycache__"))
    conf = load_json(ROOT / "asv.conf.json", js_comments=True)
    conf.update(repo=".", dvcs="git", branches=["main"], plugins=[".ptbench.plugin"])
    (work / "asv.conf.json").write_text(json.dumps(conf))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    for cmd in (git + ["init", "-q", "-b", "main"], git + ["add", "."], git + ["commit", "-qm", "suite"]):
        subprocess.run(cmd, cwd=work, check=True)
    # asv's detected values, as `asv machine --yes` records them for this host's own name
    machines = {"version": 1, "ci": {**Machine.get_defaults(), "machine": "ci"}}
    (Path(env["HOME"]) / ".asv-machine.json").write_text(json.dumps(machines))


def check_selected_points(data, prefix):
    """Each point of the benchmarks under ``prefix`` has a value exactly when the settings run it."""
    settings = Settings.from_env()
    problems, counted = [], 0
    for name, params, value in rows(data, prefix):
        why = points.reason(points.BENCHMARKS[name], params, settings)
        if value is None:
            problems.append(f"{name}{params} failed")
        elif (why is None) == math.isnan(value):
            problems.append(f"{name}{params} = {value}, expected {'a value' if why is None else f'n/a: {why}'}")
        counted += not math.isnan(value)
    assert not problems, "\n".join(problems[:20])
    return counted


def test_quick_autograd_run(tmp_path, monkeypatch):
    """Every point of the autograd suite that the settings select; times and the other two classes
    run at once, on two cores where there are two."""
    monkeypatch.setenv("PTBENCH_DEVICE", "cpu")
    selections = [r"autograd_functional\.Time\.", r"autograd_functional\.(PeakMemory|BackendDifference)\."]
    runs = quick_runs(tmp_path, [([selection], {}) for selection in selections])
    assert [{n.split(".")[1] for n in data["results"]} for data in runs] == [
        {"Time"},
        {"PeakMemory", "BackendDifference"},
    ]
    # filed under the machine's stable values (make_suite recorded asv's raw ones)
    stable = host.series_values(Machine.get_defaults())
    machine = json.loads((tmp_path / "suite0" / "results" / "ci" / "machine.json").read_text())
    assert [(p["os"], p["ram"]) for p in (runs[0]["params"], machine)] == [(stable["os"], stable["ram"])] * 2
    # Per backend, recommended points: 6 models x 3 fast tasks + 2 ppl models x 10 + deepspeech vjp = 39,
    # less ppl jacobian on torch.func = 37. Time: both; peak memory: less the 3 tiny models'
    # 22 + 20 + 2 points (multiheadattn 3 + 3, ppl 10 + 9 each) = 32; the difference: 37.
    measured = [check_selected_points(data, "autograd_functional.") for data in runs]
    assert measured == [39 + 37, 32 + 37]


def test_quick_timm_run(tmp_path, monkeypatch):
    """Every model of the eager suite in both modes, and one compiled model in every compiled class; the
    model list in two shards, run at once on two cores where there are two."""
    shards = [f"{i}/2" for i in (1, 2)]
    selection = (r"timm_suite\.Eager\.", r"timm_suite\.(Compiled|CompileTime)\..*'regnety_002'")
    runs = quick_runs(tmp_path, [(selection, {"PTBENCH_SHARD": shard}) for shard in shards])
    monkeypatch.setenv("PTBENCH_DEVICE", "cpu")
    classes = [{n.split(".")[1] for n in data["results"]} for data in runs]
    assert set().union(*classes) == {"Eager", "Compiled", "CompileTime"} and all("Eager" in c for c in classes)
    measured = []
    for shard, data in zip(shards, runs, strict=True):
        monkeypatch.setenv("PTBENCH_SHARD", shard)
        measured.append(check_selected_points(data, "timm_suite.Eager."))
    assert measured == [31 * 2 * 2] * 2  # time and peak memory, inference and training
    compiled = [v for data in runs for _, p, v in rows(data, "timm_suite.C") if v is None or not math.isnan(v)]
    assert len(compiled) == 4 + 2 and None not in compiled

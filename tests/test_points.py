"""Benchmark keys are static; the settings choose the points that run, and nothing measured is lost."""

import contextlib
import io
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from asv_results import rows
from test_asv_run import quick_run

from benchmarks import points
from benchmarks._config import Settings

ROOT = Path(__file__).resolve().parents[1]

DISCOVER = """
import json, sys
from asv_runner.discovery import disc_benchmarks
print(json.dumps(sorted((b.name, b.params, b.param_names, b.version) for b in disc_benchmarks(sys.argv[1]))))
"""
SETTINGS = [
    {},
    {"PTBENCH_DEVICE": "cuda"},
    {"PTBENCH_SIZE": "full", "PTBENCH_SLOW": "1"},
    {"PTBENCH_SHARD": "2/3", "PTBENCH_COMPILE": "all"},
    {"PTBENCH_PRECISIONS": "bf16,amp_fp16", "PTBENCH_MEMORY_FORMATS": "channels_last"},
]


def discover(settings):
    env = {"PATH": "/usr/bin:/bin", "PTBENCH_DEVICE": "cpu", **settings}
    out = subprocess.run(
        [sys.executable, "-c", DISCOVER, "benchmarks"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.splitlines()[-1])


def test_discovery_finds_one_benchmark_list_under_every_setting():
    found = [discover(settings) for settings in SETTINGS]
    assert all(f == found[0] for f in found[1:])
    names = [name for name, *_ in found[0]]
    assert names == sorted(points.BENCHMARKS)  # the registry knows every benchmark the suites define
    params = {name: p for name, p, *_ in found[0]}
    for name, suite in points.BENCHMARKS.items():
        assert params[name] == [[repr(v) for v in values] for values in points.SUITES[suite].space.values]
    # asv publish draws the committed results from the committed benchmark list: it must be this one.
    committed = json.loads((ROOT / "results" / "benchmarks.json").read_text())
    committed.pop("version")
    assert sorted([b["name"], b["params"], b["param_names"], b["version"]] for b in committed.values()) == [
        list(b) for b in found[0]
    ], "results/benchmarks.json is stale: run `asv run --dry-run` (or any run) and commit it"


def test_the_settings_choose_points(monkeypatch):
    monkeypatch.setenv("PTBENCH_DEVICE", "cpu")
    default = Settings.from_env()
    assert points.running_suites(default) == [
        "autograd_functional.PeakMemory", "autograd_functional.BackendDifference",  # untimed, first
        "autograd_functional.Time", "timm_suite.Eager", "timm_suite.Compiled", "timm_suite.CompileTime",
    ]  # fmt: skip
    for suite in points.SUITES:  # the regex a run selects a class with takes its benchmarks and no other
        chosen = {name for name in points.BENCHMARKS if re.search(points.suite_regex(suite), name)}
        assert chosen == {name for name, key in points.BENCHMARKS.items() if key == suite}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        points.main(["--runs"])
    timed = ["autograd_functional.Time", "timm_suite.Eager", "timm_suite.Compiled", "timm_suite.CompileTime"]
    untimed = ["autograd_functional.PeakMemory", "autograd_functional.BackendDifference"]
    lines = [line.split("\t") for line in printed.getvalue().splitlines()]
    assert [line[:3] for line in lines[:2]] == [["untimed", suite, points.suite_regex(suite)] for suite in untimed]
    # then the timed classes' rounds, which take every benchmark of them and no other
    assert [kind for kind, *_ in lines[2:4]] == ["first", "timed"]  # round 1 of autograd's, then its second
    assert "peakmem_step" in lines[-2][1] and lines[-2][0] == "timed"  # no time_ samples: not a first round
    # last, the time_ benchmarks once more, for the points that ptbench.retake names
    retaken = {name for name in points.BENCHMARKS if re.search(lines[-1][2], name)}
    assert lines[-1][0] == "retake" and retaken == {name for name in points.BENCHMARKS if points.times(name)}
    chosen = {name for name in points.BENCHMARKS for line in lines[2:] if re.search(line[2], name)}
    assert chosen == {name for name, key in points.BENCHMARKS.items() if key in timed}
    run = [(b, p) for b, p, why in points.statuses(default) if why is None]
    assert {p["device"] for _, p in run} == {"cpu"} and {p["size"] for _, p in run} == {"small"}
    monkeypatch.setenv("PTBENCH_SHARD", "1/2")
    half = {p["model"] for b, p, why in points.statuses(Settings.from_env(), pattern="Eager.time_step") if why is None}
    assert len(half) == 31


def test_a_probe_takes_its_first_rounds_first_points(monkeypatch):
    """``--probe`` (tools/history.sh --commit): before each first round, a run of exactly its first
    ``PROBE_POINTS`` running points, with the round's arguments; the main job's runs have none."""
    monkeypatch.setenv("PTBENCH_DEVICE", "cpu")
    settings = Settings.from_env()
    plain, probed = points.steps(settings), points.steps(settings, probe=True)
    assert [step for step in probed if not step.probe] == plain
    assert [(a.kind, b.kind) for a, b in zip(probed, probed[1:], strict=False) if a.probe] == [("probe", "first")] * 2
    for probe, round_ in ((a, b) for a, b in zip(probed, probed[1:], strict=False) if a.probe):
        assert probe.options == round_.options and probe.label == f"probe of {round_.label}"
        running = [points.asv_name(b, p) for b, p, why in points.statuses(settings, pattern=round_.bench) if not why]
        # asv matches a point's name, as points.asv_name spells it
        chosen = [name for name in running if re.search(probe.bench, name)]
        assert chosen == running[: points.PROBE_POINTS]
    names = points.first_points(settings, r"^timm_suite\.Eager\.time_step\b", 3, only="training")
    assert len(names) == 3 and all("'training'" in name for name in names)
    assert points.first_points(settings, "no such benchmark", 3) == []


@pytest.mark.slow
def test_a_run_under_other_settings_keeps_earlier_results(tmp_path):
    """Two runs of one commit: the second (PTBENCH_SLOW=1, another point) keeps the first's values."""
    first = r"time_call\('ppl_simple_reg', 'vjp'"
    second = r"time_call\('resnet18', 'hvp', 'torch\.func'"
    data = quick_run(tmp_path, first, settings={"PTBENCH_SLOW": "0"})
    measured = {
        tuple(p) for _, p, v in rows(data, "autograd_functional.Time.time_call") if v is not None and not math.isnan(v)
    }
    assert measured == {("ppl_simple_reg", "vjp", b, "small", "cpu") for b in ("autograd.functional", "torch.func")}
    data = quick_run(tmp_path, second, settings={"PTBENCH_SLOW": "1"}, fresh=False)
    after = {
        tuple(p) for _, p, v in rows(data, "autograd_functional.Time.time_call") if v is not None and not math.isnan(v)
    }
    assert after == measured | {("resnet18", "hvp", "torch.func", "small", "cpu")}

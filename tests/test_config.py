"""PTBENCH_* settings: defaults, and one line without a traceback for every bad value, from the
settings reader, from `asv run` (the plugin) and from the main job, before any benchmark starts."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks._config import ConfigError, Settings, has_nvidia_gpu

ROOT = Path(__file__).resolve().parents[1]
TIMED = "autograd_functional.Time.time_call"
BAD = {
    "PTBENCH_SIZE": ("huge", "PTBENCH_SIZE='huge' is not valid; allowed values: small, full"),
    "PTBENCH_DEVICE": ("tpu", "PTBENCH_DEVICE='tpu' is not valid; allowed values: cpu, cuda"),
    "PTBENCH_SLOW": ("yes", "PTBENCH_SLOW='yes' is not valid; allowed values: 0, 1"),
    "PTBENCH_SHARD": ("5/2", "PTBENCH_SHARD='5/2' is not valid; use i/n with 1 <= i <= n, e.g. 2/4"),
    "PTBENCH_PRECISIONS": (
        "fp32,fp8",
        "PTBENCH_PRECISIONS='fp32,fp8' is not valid; a comma-separated list of: fp32, bf16, amp_bf16, amp_fp16",
    ),
    "PTBENCH_MEMORY_FORMATS": (
        "nhwc",
        "PTBENCH_MEMORY_FORMATS='nhwc' is not valid; a comma-separated list of: contiguous, channels_last",
    ),
    "PTBENCH_COMPILE": ("some", "PTBENCH_COMPILE='some' is not valid; allowed values: subset, all, none"),
}
NO_GPU = "PTBENCH_DEVICE=cuda but this machine has no NVIDIA GPU (no /dev/nvidia0); use PTBENCH_DEVICE=cpu"


def clean_env(**settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PTBENCH_")}
    return {**env, **settings}


@pytest.mark.parametrize("name", BAD)
def test_bad_value_names_allowed_values(monkeypatch, name):
    value, message = BAD[name]
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_env()


def test_defaults_follow_device(monkeypatch):
    for name in BAD:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PTBENCH_DEVICE", "cpu")
    cpu = Settings.from_env()
    assert (cpu.size, cpu.precisions, cpu.compile, cpu.shard, cpu.slow) == ("small", ("fp32",), "subset", (1, 1), False)
    monkeypatch.setenv("PTBENCH_DEVICE", "cuda")
    cuda = Settings.from_env()
    assert (cuda.size, cuda.precisions, cuda.compile) == ("full", ("fp32", "amp_bf16"), "all")
    monkeypatch.setenv("PTBENCH_SIZE", "SMALL")
    assert Settings.from_env().size == "small"


@pytest.mark.skipif(has_nvidia_gpu(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_is_refused(monkeypatch):
    monkeypatch.setenv("PTBENCH_DEVICE", "cuda")
    with pytest.raises(ConfigError, match="no NVIDIA GPU"):
        Settings.from_env().check_machine()


def one_line_error(command, **settings):
    proc = subprocess.run(command, env=clean_env(**settings), capture_output=True, text=True, cwd=ROOT)
    output = (proc.stdout + proc.stderr).strip().splitlines()
    assert proc.returncode != 0
    assert len(output) == 1, output
    return output[0]


BAD_CASES = [(name, *BAD[name]) for name in ("PTBENCH_SIZE", "PTBENCH_SHARD", "PTBENCH_PRECISIONS")]
if not has_nvidia_gpu():
    BAD_CASES.append(("PTBENCH_DEVICE", "cuda", NO_GPU))


@pytest.mark.parametrize(("name", "value", "message"), BAD_CASES)
def test_asv_run_stops_with_one_line(name, value, message):
    asv = [sys.executable, "-m", "asv", "run", "--python=same", "--dry-run", "-b", "time_call"]
    assert message in one_line_error(asv, **{name: value})


@pytest.mark.parametrize(("name", "value", "message"), BAD_CASES)
def test_main_job_stops_with_one_line(name, value, message):
    assert one_line_error([sys.executable, "-m", "ptbench.bench"], **{name: value}) == f"error: {message}"


def test_release_environments_need_their_python(tmp_path):
    """asv would build environments for a Python this machine lacks: one line names it."""
    from history.configure import variant, write

    conf = variant(ROOT / "asv.conf.json", results_dir=str(tmp_path / "results"))
    conf["pythons"] = ["3.99"]
    path = write(conf, ROOT / "asv.python399.local.json")
    try:
        line = one_line_error([sys.executable, "-m", "asv", "--config", str(path), "run", "--dry-run", "2.14.1^!"])
    finally:
        path.unlink()
    assert "environments need Python 3.99" in line and "no python3.99" in line


def run_main_job(monkeypatch, *args):
    """The asv commands the main job runs under the default settings (none is started)."""
    from ptbench import bench

    for name in list(os.environ):
        if name.startswith("PTBENCH_"):
            monkeypatch.delenv(name)
    calls = []
    monkeypatch.setattr(
        bench.subprocess, "run", lambda cmd, **kw: calls.append(cmd) or subprocess.CompletedProcess(cmd, 0)
    )
    monkeypatch.setattr("ptbench.dashboard.publish", lambda config: None)
    assert bench.main([*args, "--machine", "any"]) == 0
    return calls


def test_a_trial_main_job_runs_one_asv_per_running_class(monkeypatch, capsys):
    """A --dry-run main job runs asv once per class that has points under the settings, each
    selecting exactly that class, and names the class in its progress line."""
    from benchmarks import points

    calls = run_main_job(monkeypatch, "--dry-run")
    suites = points.running_suites(Settings.from_env())
    assert [cmd[cmd.index("--bench") + 1] for cmd in calls] == [points.suite_regex(s) for s in suites]
    out = capsys.readouterr().out
    assert all(f"== {suite}: " in out for suite in suites), out


def test_main_job_takes_the_timed_benchmarks_round_by_round(monkeypatch):
    """After the untimed classes, each asv run takes one process per point (-a rounds=1) of every
    timed benchmark with rounds left; a benchmark's first run replaces earlier results, its later
    runs append samples; each benchmark runs in as many processes as its class's asv ``rounds``."""
    from benchmarks import points

    calls = run_main_job(monkeypatch)
    settings = Settings.from_env()
    untimed = [s for s in points.running_suites(settings) if not points.SUITES[s].timed]
    assert [cmd[cmd.index("--bench") + 1] for cmd in calls[: len(untimed)]] == list(map(points.suite_regex, untimed))
    runs = {}
    for cmd in calls[len(untimed) :]:
        assert cmd[cmd.index("-a") + 1] == "rounds=1"
        chosen = [b for b in points.BENCHMARKS if re.search(cmd[cmd.index("--bench") + 1], b + "('resnet18')")]
        for name in chosen:
            runs.setdefault(name, []).append("--append-samples" in cmd)
    timed = {b for b, s in points.BENCHMARKS.items() if s in points.running_suites(settings) and s not in untimed}
    assert set(runs) == timed
    discovered = json.loads((ROOT / "results" / "benchmarks.json").read_text())
    for name, appends in runs.items():
        assert appends == [False] + [True] * (len(appends) - 1), name
        assert len(appends) == (discovered[name].get("rounds") or 1), name
    assert len(runs["autograd_functional.Time.time_call"]) == 4 and len(runs["timm_suite.Eager.time_step"]) == 3


MODELS = [["'resnet18'", "'detr'", "'transformer'", "'wav2letter'", "'deepspeech'"]]


def result(seconds, samples):
    """A result file of five autograd points at ``seconds``, each with ``samples`` (scaled to it)."""
    stats = ("ci_99_a", "ci_99_b", "q_25", "q_75", "repeat")
    row = [[seconds] * 5, MODELS, "5", [[t * seconds / 0.011 for t in samples]] * 5, [1] * 5]
    row += [[seconds] * 5 for _ in stats]
    columns = ["result", "params", "version", "samples", "stats_number", *(f"stats_{stat}" for stat in stats)]
    return {"result_columns": columns, "results": {TIMED: row}}


def main_job_in(monkeypatch, tmp_path, asv_run, history=None):
    """The main job with results in ``tmp_path`` (machine "any"), each asv command given to
    ``asv_run(cmd, path)``, which may write the run's result file at ``path``, beside the release
    history's file of the same commit holding ``history``; the installed torch's commit."""
    from ptbench import bench

    (tmp_path / "benchmarks.json").write_text(json.dumps({TIMED: {"version": "5"}}))
    monkeypatch.setattr(
        bench, "load_json", lambda *a, **k: {"results_dir": str(tmp_path), "html_dir": str(tmp_path / "html")}
    )
    for name in list(os.environ):
        if name.startswith("PTBENCH_"):
            monkeypatch.delenv(name)
    commit = bench.installed_torch(Settings.from_env())[2]
    (tmp_path / "any").mkdir()
    if history:  # not one of the run's results, but the times it is set against (ptbench.pace)
        (tmp_path / "any" / f"{commit[:8]}-history.json").write_text(json.dumps(history))

    def run(cmd, **kw):
        assert f"--set-commit-hash={commit}" in cmd
        asv_run(cmd, tmp_path / "any" / f"{commit[:8]}-existing.json")
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(bench.subprocess, "run", run)
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)  # as tools/bench.sh runs it: from the repository's root
    monkeypatch.setattr("ptbench.dashboard.publish", lambda config: None)
    assert bench.main(["--machine", "any"]) == 0
    return commit


def write(path, data):
    path.write_text(json.dumps(data))
    # File times come from a coarse clock: one written just after the start can read as older.
    os.utime(path, (time.time() - 1, time.time() - 1))


def test_main_job_judges_the_machine_after_a_first_round(monkeypatch, tmp_path, capsys):
    """After a run that takes a benchmark's first round, the main job prints whether one process's
    samples per point say the machine held still (``ptbench.steady``, one-process limit)."""
    moved = [0.010, 0.011, 0.012]  # a 1.2x span within one process

    def asv_run(cmd, path):
        if "rounds=1" in cmd:
            write(path, result(0.011, moved))

    # The release history's file runs at twice this host's speed.
    commit = main_job_in(monkeypatch, tmp_path, asv_run, history=result(0.0055, moved))
    lines = capsys.readouterr().out.splitlines()
    first = lines.index(next(line for line in lines if line.startswith("== round 1/")))
    assert "5 timed points (one process each), their samples span a median 1.200x" in lines[first + 1]
    assert "above 1.03x" in lines[first + 1]
    assert f"over {commit[:8]}-history.json's: {TIMED} 2.000x (5 points), beyond 1.25x" in lines[first + 2]
    results = next(line for line in lines if line.startswith("== results:"))
    assert "existing.json" in results and "history.json" not in results


def test_main_job_retakes_a_process_apart(monkeypatch, tmp_path, capsys):
    """After the last round, a point whose process ran apart from its others loses it and is run
    once more, alone (``ptbench.retake``); with none apart, no asv run follows the rounds."""
    from ptbench import retake

    steady = [0.011] * 12  # four processes of three samples
    calls = []

    def asv_run(cmd, path):
        calls.append(cmd)
        if "rounds=1" in cmd:
            data = result(0.011, steady)
            data["results"][TIMED][3][1] = [0.011] * 6 + [0.015] * 3 + [0.011] * 3  # detr's third process
            write(path, data)

    main_job_in(monkeypatch, tmp_path, asv_run)
    detr = f"{TIMED}('detr')"
    assert f"== {detr}: process 3 of 4 at 1.364x of the others, taken again" in capsys.readouterr().out
    assert calls[-1][calls[-1].index("--bench") + 1] == retake.regex([detr])
    assert calls[-1][-5:] == ["-a", "rounds=1", "--append-samples", "--machine", "any"]

    rounds = len(calls) - 1
    calls.clear()
    (tmp_path / "b").mkdir()
    main_job_in(monkeypatch, tmp_path / "b", lambda cmd, path: calls.append(cmd) or write(path, result(0.011, steady)))
    assert len(calls) == rounds
    assert "retake: a process apart from its point's others: none" in capsys.readouterr().out

"""`asv run --python=same --quick` over the autograd suite at small size: nothing fails.

Runs in a copy of the suite, as its own git project (no torch history, no network), with its
own results directory and asv machine file, so the repository's ``results/`` is untouched. Then
checks every point: a number where the point runs, n/a (NaN) where it is skipped, and no
failure (None) anywhere.
"""

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from asv.util import load_json
from asv_results import rows

from benchmarks import autograd_functional as suite
from benchmarks import timm_suite
from benchmarks._tasks import TIMM_MODES

ROOT = Path(__file__).resolve().parents[1]
ASV = [sys.executable, "-m", "asv"]

pytestmark = pytest.mark.slow


def expected(name, params):
    """Whether the point should produce a value (True) or be skipped (False)."""
    cls = getattr(suite, name.split(".")[1])
    backend = params[2] if "backend" in cls.param_names else None
    return cls.skip_reason(params[0], params[1], backend) is None


def quick_run(tmp_path, *selection):
    """`asv run --python=same --quick` over ``selection`` in a copy of the suite; its results."""
    work = tmp_path / "suite"
    shutil.copytree(ROOT / "benchmarks", work / "benchmarks", ignore=shutil.ignore_patterns("__pycache__"))
    conf = load_json(ROOT / "asv.conf.json", js_comments=True)
    conf.update(repo=".", dvcs="git", branches=["main"], plugins=[])
    (work / "asv.conf.json").write_text(json.dumps(conf))
    env = {**os.environ, "HOME": str(tmp_path), "PTBENCH_SIZE": "small", "PTBENCH_DEVICE": "cpu", "PTBENCH_SLOW": "0"}
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    for cmd in (git + ["init", "-q", "-b", "main"], git + ["add", "."], git + ["commit", "-qm", "suite"]):
        subprocess.run(cmd, cwd=work, check=True)
    subprocess.run(ASV + ["machine", "--yes", "--machine", "ci"], cwd=work, env=env, check=True, capture_output=True)
    bench = [arg for pattern in selection for arg in ("-b", pattern)]
    run = subprocess.run(
        ASV + ["run", "--python=same", "--set-commit-hash=HEAD", "--quick", "--show-stderr", *bench],
        cwd=work, env=env, capture_output=True, text=True, timeout=2400,
    )  # fmt: skip
    print(run.stdout[-20000:])
    assert run.returncode == 0, run.stderr[-5000:]
    (result_file,) = [p for p in (work / "results" / "ci").glob("*.json") if p.name != "machine.json"]
    return json.loads(result_file.read_text())


def test_quick_asv_run_has_no_failures(tmp_path):
    data = quick_run(tmp_path, "autograd_functional")
    names = {name for name in data["results"] if name.startswith("autograd_functional.")}
    assert {n.split(".")[1] for n in names} == {"Time", "PeakMemory", "BackendDifference"}
    problems, counted = [], 0
    for name, params, value in rows(data, "autograd_functional."):
        if value is None:
            problems.append(f"{name}{params} failed")
        elif expected(name, params) != (not math.isnan(value)):
            problems.append(f"{name}{params} = {value}, expected {'a value' if expected(name, params) else 'n/a'}")
        counted += not math.isnan(value)
    assert not problems, "\n".join(problems)
    # Per backend, recommended points: 6 models x 3 fast tasks + 2 ppl models x 10 + deepspeech vjp = 39,
    # less ppl jacobian on torch.func = 37. Time: both; peak memory: less the 3 tiny models'
    # 22 + 20 + 2 points (multiheadattn 3 + 3, ppl 10 + 9 each) = 32; the difference: 37.
    assert counted == (39 + 37) + 32 + 37


def test_quick_timm_run_has_no_failures(tmp_path):
    """Every model of the eager suite in both modes, and one compiled model in every compiled class."""
    data = quick_run(tmp_path, r"timm_suite\.Eager\.", r"timm_suite\.(Compiled|CompileTime)\..*'regnety_002'")
    points = list(rows(data, "timm_suite."))
    assert {name.split(".")[1] for name, _, _ in points} == {"Eager", "Compiled", "CompileTime"}
    assert not [(name, params) for name, params, value in points if value is None]
    measured = {(name, tuple(params)) for name, params, value in points if not math.isnan(value)}
    eager = {(f"timm_suite.Eager.{m}", (model, mode, "fp32", "contiguous", "small", "cpu"))
             for m in ("time_step", "peakmem_step") for model in timm_suite._BY_KEY for mode in TIMM_MODES}  # fmt: skip
    assert eager <= measured, sorted(eager - measured)
    # Compiled: 2 modes x (time, peakmem); CompileTime: 2 modes.
    assert len(measured - eager) == 4 + 2, sorted(measured - eager)

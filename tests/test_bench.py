"""The main job's ``--points`` (the plan's runs narrowed to the points whose asv names match), and
``tools/aa_runs.sh``, which runs it twice."""

import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_config import one_line_error

from benchmarks import points
from benchmarks._config import ConfigError, Settings
from benchmarks.points import narrowed, steps
from ptbench.bench import option

ROOT = Path(__file__).resolve().parents[1]


def asv_names(name, grid):
    """asv's point names for a benchmark of parameters ``grid``, as ``asv run -b`` matches them."""
    return {f"{name}({', '.join(map(repr, combo))})" for combo in itertools.product(*grid.values)}


AUTOGRAD = set().union(*(asv_names(n, points.AUTOGRAD) for n in points.BENCHMARKS if n.startswith("autograd")))


@pytest.mark.parametrize("step", points.steps(Settings.from_env()), ids=lambda step: step.label)
def test_points_narrow_each_step_to_the_matching_points_of_its_benchmarks(step):
    """Each run of the plan, narrowed, selects exactly its own selection's points that name the model."""
    regex = narrowed(step.bench, r"'resnet18'")
    own = {n for n in AUTOGRAD if re.search(step.bench, n)}
    assert {n for n in AUTOGRAD if re.search(regex, n)} == {n for n in own if "('resnet18'," in n}


def test_the_plan_leaves_out_classes_and_benchmarks_without_a_matching_point(monkeypatch):
    """On CPU, ppl_simple_reg has no peak memory (kilobytes) and no timm point matches it: the plan
    is its backend differences, then four rounds of its times and the retake, each run narrowed."""
    monkeypatch.setenv("PTBENCH_DEVICE", "cpu")
    plan = steps(Settings.from_env(), only="'ppl_simple_reg'")
    assert [s.label.split(":")[0] for s in plan] == ["autograd_functional.BackendDifference"] + [
        f"round {i}/4" for i in range(1, 5)
    ] + ["retake"]
    assert all(s.args[1].startswith("^(?=.*?(?:'ppl_simple_reg'))") for s in plan)
    assert steps(Settings.from_env(), only="'no_such_model'") == []


def test_no_points_regex_leaves_the_step_as_it_is():
    assert narrowed(r"^(?:a\.b)\b", None) == r"^(?:a\.b)\b"
    assert re.search(narrowed("", "vjp"), "x.y('resnet18', 'vjp')") and not re.search(narrowed("", "vjp"), "x.y('a')")


@pytest.mark.parametrize(
    ("args", "value", "rest"),
    [
        (["--points", "resnet", "-e"], "resnet", ["-e"]),
        (["-e", "--points=a|b"], "a|b", ["-e"]),
        (["--machine", "m"], None, ["--machine", "m"]),
    ],
)
def test_option_taken_is_removed_with_its_value(args, value, rest):
    kept = list(args)
    assert option(kept, "--points") == value and kept == args  # read, left for asv
    assert option(args, "--points", take=True) == value and args == rest


def test_an_option_without_a_value_is_an_error():
    with pytest.raises(ConfigError, match="--points needs a value"):
        option(["--points"], "--points", take=True)


def test_a_bad_points_regex_stops_the_main_job_in_one_line():
    line = one_line_error([sys.executable, "-m", "ptbench.bench", "--points", "resnet("], PTBENCH_DEVICE="cpu")
    assert line.startswith("error: --points 'resnet(' is not a valid regex: missing ), unterminated subpattern")


@pytest.mark.parametrize("args", [[], ["--machine", "m"]])
def test_the_aa_runs_script_asks_for_its_directory_first(args, tmp_path):
    script = str(ROOT / "tools" / "aa_runs.sh")
    proc = subprocess.run(["bash", script, *args], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("usage: bash tools/aa_runs.sh DIR")

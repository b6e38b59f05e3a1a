"""tools/cost.py: where a timed benchmark's run time goes, part by part."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import _sampling

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import cost  # noqa: E402


def row(mode, total, setup, warm, samples, retaken):
    return {
        "point": {"model": "m", "mode": mode},
        "total": total,
        "setup": setup,
        "warm-up": warm,
        "samples": samples,
        "retaken": retaken,
        "other": total - setup - warm - samples,
    }


def test_the_table_sums_each_part_and_gives_its_share_per_group():
    rows = [row("inference", 10.0, 2.0, 3.0, 4.0, 1.0), row("training", 30.0, 3.0, 6.0, 20.0, 8.0)]
    header, whole, inference, training = cost.table(rows, "mode")
    assert header.split()[:3] == ["points", "n", "total"]
    parts = "5.0 12.5% 9.0 22.5% 24.0 60.0% 9.0 22.5% 2.0 5.0%"
    assert whole.split() == ["all", "2", "40.0", *parts.split()]
    assert inference.split()[:4] == ["mode", "inference", "1", "10.0"] and inference.split()[-2:] == ["1.0", "10.0%"]
    assert training.split()[-4:] == ["8.0", "26.7%", "1.0", "3.3%"]
    assert len(cost.table(rows, None)) == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["autograd_functional.PeakMemory.peakmem_call"], "is not a time_ benchmark"),
        (["timm_suite.Eager.time_step", "--by", "task"], "is not a parameter of timm_suite.Eager.time_step"),
        (["autograd_functional.Time.time_call", "--points", "no such model"], "no point of"),
    ],
)
def test_bad_input_is_one_line(args, message):
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "cost.py"), *args], capture_output=True, text=True)
    assert done.returncode != 0 and message in done.stderr.strip().splitlines()[-1]


def test_one_point_is_measured_in_its_parts(tmp_path):
    """A real point, measured in a process of its own: its parts add up to the process's time."""
    out = tmp_path / "cost.jsonl"
    point = "'ppl_simple_reg', 'vjp', 'autograd.functional'"
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "cost.py"), "autograd_functional.Time.time_call", "--points", point]
        + ["--by", "backend", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (found,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert found["point"]["model"] == "ppl_simple_reg" and found["point"]["backend"] == "autograd.functional"
    assert _sampling.AUTOGRAD.min_samples <= found["sample count"] <= _sampling.MAX_SAMPLES
    assert min(found[part] for part in cost.PARTS) >= 0
    assert found["setup"] + found["warm-up"] + found["samples"] + found["other"] == pytest.approx(found["total"])
    assert done.stdout.splitlines()[-1].split()[:3] == ["backend", "autograd.functional", "1"]

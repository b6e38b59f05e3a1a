"""tools/spread.py's reference mode: a process's level against the reference process's blocks."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import spread  # noqa: E402

POINT = "time_call('ppl_simple_reg', 'vjp', 'autograd.functional', 'small', 'cpu')"
SPREAD = [sys.executable, str(ROOT / "tools" / "spread.py"), POINT, "--reference"]


def test_each_sample_is_taken_over_the_reference_block_just_before_it():
    reference = [(1.0, 0.010), (2.0, 0.020), (3.0, 0.010)]
    # the first sample precedes every reference block and counts for nothing
    samples = [(0.5, 0.5), (1.5, 0.011), (2.5, 0.022), (3.5, 0.012)]
    assert spread.against(samples, reference) == pytest.approx(1.1)


def test_the_reference_takes_turns_only_with_settings_that_pin_to_its_core():
    done = subprocess.run(SPREAD + ["--settings", "default,isolated"], capture_output=True, text=True)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == (
        "error: --reference takes turns on the last core: settings isolated, mmap32, pinned, no --trace"
    )


@pytest.mark.slow
def test_processes_of_the_reference_point_sit_near_its_level():
    settings = ["--settings", "isolated", "--servers", "2", "--processes", "1", "--samples", "4"]
    done = subprocess.run(SPREAD + settings, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    row = done.stdout.strip().splitlines()[-1].split("|")
    assert row[1].strip() == "isolated"
    low, high = (float(level) for level in row[2].split(" to "))
    # the same call in two interpreters: within a factor of two of the reference, however noisy the machine
    assert 0.5 < low <= high < 2.0
    assert float(row[5]) >= 1.0  # the two servers' medians, largest over smallest

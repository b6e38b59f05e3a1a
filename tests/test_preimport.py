"""asv's forkserver imports every suite once and forks a process per benchmark point.

That is only sound if importing the suites runs no torch op: an OpenMP thread pool or a CUDA
context created in the server would be inherited, broken, by every fork.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import os, sys
import timm, torch
baseline = len(os.listdir("/proc/self/task"))
from asv_runner.discovery import disc_benchmarks
names = [b.name for b in disc_benchmarks(sys.argv[1])]
print(len(names), baseline, len(os.listdir("/proc/self/task")), torch.cuda.is_initialized())
"""


def test_importing_the_suites_starts_no_threads_and_no_cuda():
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "benchmarks")], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    n_benchmarks, baseline, after, cuda = int(out[0]), int(out[1]), int(out[2]), out[3]
    assert n_benchmarks >= 8  # both suites were found and imported
    assert after == baseline, "importing the suites started threads (a torch op ran at import time)"
    assert cuda == "False"

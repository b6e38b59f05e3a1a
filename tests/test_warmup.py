"""asv times every sample, the first included: the suites' setup must make the cold call.

asv_runner 0.3 runs a benchmark that has a setup method at number=1 with no calibration and no
warm-up. Without a call in setup, the first sample carries lazy imports and first-call dispatch
(0.9 s against 2.5 ms for ppl_simple_reg jvp through torch.func, measured), and with only two
samples in ``repeat``'s time budget that sample is half the median: what `asv find` reported
before the fix, as it launches benchmarks by spawn.
"""

import itertools
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def check_setup_calls_once(bench, timed, args, count, cache):
    """``setup`` runs the patched call once, untimed; the timed method runs it once more."""
    cache.cache_clear()
    try:
        bench.setup(*args)
        assert len(count) == 1, "setup made no untimed call"
        timed(*args)
        assert len(count) == 2
    finally:
        cache.cache_clear()


def test_autograd_setup_makes_the_first_call(monkeypatch):
    from benchmarks import autograd_functional
    from benchmarks._tasks import calls, points

    count = []
    tasks = dict(calls.CALLS["torch.func"])
    task_call = tasks["jvp"]
    tasks["jvp"] = lambda *a: count.append(1) or task_call(*a)
    monkeypatch.setitem(calls.CALLS, "torch.func", tasks)
    bench = autograd_functional.Time()
    args = ("ppl_simple_reg", "jvp", "torch.func", "small", "cpu")
    check_setup_calls_once(bench, bench.time_call, args, count, points.call)


def test_timm_setup_makes_the_first_step(monkeypatch):
    from benchmarks import timm_suite
    from benchmarks._tasks import timm_points

    count = []
    monkeypatch.setattr(timm_points, "step", lambda *a: lambda: count.append(a))
    bench = timm_suite.Eager()
    args = ("lcnet_050", "training", "fp32", "contiguous", "small", "cpu")
    check_setup_calls_once(bench, bench.time_step, args, count, timm_points.prepared)


# A fresh process, as asv's spawn launcher makes one: asv_runner's own timing of one point.
PROBE = """
import json, sys
from asv_runner.discovery import get_benchmark_from_name
bench = get_benchmark_from_name("benchmarks", sys.argv[1])
bench.set_cache(None)
bench.do_setup()
print(json.dumps(bench.do_run()["samples"]))
"""


def test_first_sample_under_asv_is_warm():
    from benchmarks import autograd_functional

    point = ("ppl_simple_reg", "jvp", "torch.func", "small", "cpu")
    index = [tuple(p) for p in itertools.product(*autograd_functional.Time.params)].index(point)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, f"autograd_functional.Time.time_call-{index}"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    samples = json.loads(out.stdout.splitlines()[-1])
    # Cold, the first sample was ~350x the median; warm ones vary by well under 20x.
    assert samples[0] < 20 * statistics.median(samples), samples

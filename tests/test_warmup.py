"""asv times every sample, the first included: the suites' setup must make the cold call.

asv_runner 0.3 neither calibrates nor warms up a benchmark that has a setup method. Without a
call in setup, the first sample carries lazy imports and first-call dispatch (0.9 s against
2.5 ms for ppl_simple_reg jvp through torch.func, measured): what `asv find` reported before the
fix, as it launches benchmarks by spawn. The suites' setup makes the first call, then sets the
sampling plan (``benchmarks._sampling``).
"""

import itertools
import json
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import _sampling
from benchmarks._sampling import RUN_SAMPLES

ROOT = Path(__file__).resolve().parents[1]


def check_setup_warms_up(bench, timed, args, count, caches):
    """After ``setup``, asv's first read of the sampling plan makes the untimed first call(s); a
    sample calls again."""
    for cache in caches:
        cache.cache_clear()
    try:
        bench.setup(*args)
        assert not count, "setup itself called: a peak-memory process would pay the warm-up"
        assert bench.number >= 1 and bench.repeat[0] >= 1  # what asv reads after a time benchmark's setup
        warm = len(count)
        assert warm >= 1, "no untimed call before sampling"
        timed(*args)
        assert len(count) > warm
    finally:
        for cache in caches:
            cache.cache_clear()


@pytest.fixture(autouse=True)
def in_this_process(monkeypatch):
    """Leave the test process unpinned and multi-threaded (``isolate`` is tested in test_sampling)."""
    from benchmarks import _sampling

    monkeypatch.setattr(_sampling, "isolate", lambda: None)


def test_autograd_setup_makes_the_first_call(monkeypatch):
    from benchmarks import autograd_functional
    from benchmarks._tasks import calls, prepared

    count = []
    tasks = dict(calls.CALLS["torch.func"])
    task_call = tasks["jvp"]
    tasks["jvp"] = lambda *a: count.append(1) or task_call(*a)
    monkeypatch.setitem(calls.CALLS, "torch.func", tasks)
    bench = autograd_functional.Time()
    args = ("ppl_simple_reg", "jvp", "torch.func", "small", "cpu")
    check_setup_warms_up(bench, bench.time_call, args, count, (prepared.call, autograd_functional.warmed))


def test_timm_setup_makes_the_first_step(monkeypatch):
    from benchmarks import timm_suite
    from benchmarks._tasks import timm_prepared

    count = []
    monkeypatch.setattr(timm_prepared, "step", lambda *a, **k: lambda: count.append(a))
    bench = timm_suite.Eager()
    args = ("lcnet_050", "training", "fp32", "contiguous", "small", "cpu")
    check_setup_warms_up(bench, bench.time_step, args, count, (timm_suite.warmed,))


def test_timm_peak_memory_takes_one_step(monkeypatch):
    """A process measuring peak memory builds the model and runs one step: no warm-up, no block."""
    from benchmarks import timm_suite
    from benchmarks._tasks import timm_prepared

    count = []
    monkeypatch.setattr(timm_prepared, "step", lambda *a, **k: lambda: count.append(a))
    bench = timm_suite.Eager()
    args = ("lcnet_050", "inference", "fp32", "contiguous", "small", "cpu")
    bench.setup(*args)
    bench.peakmem_step(*args)
    assert len(count) == 1


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
    # asv re-runs setup between samples: every sample must still be read off one running clock.
    assert len(samples) >= RUN_SAMPLES // _sampling.AUTOGRAD.rounds and all(s > 0 for s in samples), samples
    # Cold, the first sample was ~350x the median; warm ones vary by well under 20x.
    assert samples[0] < 20 * statistics.median(samples), samples


def test_a_cold_compile_uses_an_empty_cache_and_removes_it(monkeypatch):
    """asv ends its processes without atexit handlers: the compile cache is removed once timed."""
    import os

    from benchmarks._tasks import timm_prepared

    seen = []

    def step(*args, compiled):
        cache = os.environ["TORCHINDUCTOR_CACHE_DIR"]
        seen.append((cache, os.listdir(cache), compiled))
        return lambda: None

    monkeypatch.setattr(timm_prepared, "_step", step)
    monkeypatch.delenv("TORCHINDUCTOR_CACHE_DIR", raising=False)
    seconds = timm_prepared.cold_compile_seconds("regnety_002", "inference", "fp32", "contiguous", "small", "cpu")
    [(cache, listed, compiled)] = seen
    assert seconds >= 0 and listed == [] and compiled
    assert not os.path.exists(cache)

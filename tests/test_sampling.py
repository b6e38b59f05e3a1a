"""The sampling rules of ``benchmarks._sampling``, one test each, and the process they set up."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks import _sampling
from benchmarks._sampling import (
    AUTOGRAD,
    MAX_SAMPLES,
    PROCESS_SECONDS,
    RUN_SAMPLES,
    SAMPLE_SECONDS,
    TIMM,
    FastestCallClock,
    Policy,
    Sampled,
    Sampler,
    plan,
    warm_up,
)

ROOT = Path(__file__).resolve().parents[1]
CALLS = [2e-6, 1e-4, 7e-4, 3e-3, 0.02, 0.049, 0.05, 0.099, 0.1, 0.3, 2.0, 40.0]


@pytest.mark.parametrize("call", CALLS)
def test_a_block_lasts_at_least_the_sample_time(call):
    calls, _ = plan(call, 2)
    assert calls * call >= SAMPLE_SECONDS or calls == 1
    assert calls == 1 or (calls - 1) * call < SAMPLE_SECONDS  # no more calls than needed


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("policy", [AUTOGRAD, TIMM])
def test_a_process_takes_its_samples_within_its_time(call, policy):
    calls, samples = plan(call, policy.min_samples)
    assert policy.min_samples <= samples <= MAX_SAMPLES
    assert samples == policy.min_samples or samples * calls * call <= PROCESS_SECONDS


def test_a_sub_millisecond_call_is_sampled_in_blocks():
    assert plan(1e-4, 2) == (1000, 4)  # 0.4 s of 0.1 s blocks
    assert plan(0.3, 3) == (1, 3)  # one call per sample, and the policy's minimum


@pytest.mark.parametrize("policy", [AUTOGRAD, TIMM])
def test_a_run_gives_asv_enough_samples_to_test(policy):
    """asv's Mann-Whitney test (p < 0.002) cannot separate 6 samples from 6; a run takes ``RUN_SAMPLES``."""
    from asv._stats import is_different

    assert policy.rounds * policy.min_samples >= RUN_SAMPLES
    six, full = [1.0] * 6, [1.0] * RUN_SAMPLES
    assert not is_different(six, [2.0] * 6, None, None)
    assert is_different(full, [2.0] * RUN_SAMPLES, None, None)


@pytest.mark.parametrize("policy", [AUTOGRAD, TIMM])
def test_one_disturbed_sample_does_not_hide_a_20_percent_slowdown(policy):
    """A run of the fewest samples a policy takes, one of them 33 % slow (a disturbance that
    outlasted its block), against a run 20 % slower: asv's test still separates them (at 9
    samples a side it could not)."""
    from asv._stats import is_different

    n = policy.rounds * policy.min_samples
    base = [1.0 + 0.01 * i for i in range(n - 1)] + [1.33]
    slower = [1.2 * (1.003 + 0.01 * i) for i in range(n)]
    assert is_different(base, slower, None, None)
    assert not is_different(base[-9:], slower[:9], None, None)


def timed_calls(monkeypatch, durations):
    """Calls that take ``durations`` seconds in turn, on a patched clock; the list of calls made."""
    durations, now, made = iter(durations), [0.0], []

    def call():
        made.append(1)
        now[0] += next(durations)

    monkeypatch.setattr(_sampling.time, "perf_counter", lambda: now[0])
    return call, made


def test_warm_calls_follow_the_first_and_the_last_sizes_the_blocks(monkeypatch):
    call, made = timed_calls(monkeypatch, [1.375, 0.28, 2**-10])
    assert warm_up(call, Policy(rounds=4, warm_calls=2)) == plan(2**-10, 2) == (103, 3)
    assert len(made) == 3


def test_without_warm_calls_a_short_first_call_is_followed_by_one_that_sizes_the_blocks(monkeypatch):
    call, made = timed_calls(monkeypatch, [0.125, 2**-10])
    assert warm_up(call, TIMM) == plan(2**-10, TIMM.min_samples)
    assert len(made) == 2


def test_without_warm_calls_a_slow_first_call_is_not_repeated(monkeypatch):
    call, made = timed_calls(monkeypatch, [PROCESS_SECONDS + 1])
    assert warm_up(call, TIMM) == (1, TIMM.min_samples)
    assert len(made) == 1


def test_a_sample_is_the_fastest_call_of_its_block(monkeypatch):
    """asv reads a sample off the benchmark's timer: the block moves it on by its fastest call."""
    call, _ = timed_calls(monkeypatch, [0.01, 0.01, 0.5, 0.25, 0.75])  # warm-up, then a block of three
    monkeypatch.setattr(_sampling, "plan", lambda call_seconds, min_samples: (3, 4))
    bench = Sampled()
    sampler = Sampler(call, TIMM)
    bench.sample(lambda: sampler)
    assert bench.repeat == (4, 4, 1e9) and bench.number == 1
    start = bench.timer()
    bench.run()
    assert bench.timer() - start == 0.25
    assert isinstance(bench.timer, FastestCallClock)


def test_a_call_that_grew_the_heap_is_made_again(monkeypatch):
    """A call during which the peak memory grew is retaken, at most RETAKES times."""
    peaks = iter([0, 10_000, 10_000, 10_000, 10_000, 10_000])  # the first call grows the peak
    monkeypatch.setattr(_sampling, "peak_memory_kib", lambda: next(peaks))
    monkeypatch.setattr(_sampling, "retaken", [])
    call, made = timed_calls(monkeypatch, [0.5, 0.25])
    assert _sampling.timed_call(call) == 0.25 and len(made) == 2
    assert _sampling.retaken == [0.5]


def test_a_call_that_grows_the_heap_every_time_is_timed_as_it_is(monkeypatch):
    grows = iter(range(0, 100 * _sampling.FRESH_MEMORY_KIB, _sampling.FRESH_MEMORY_KIB))
    monkeypatch.setattr(_sampling, "peak_memory_kib", lambda: next(grows))
    monkeypatch.setattr(_sampling, "retaken", [])
    call, made = timed_calls(monkeypatch, [0.5, 0.25, 0.75])
    assert _sampling.timed_call(call) == 0.75 and len(made) == 1 + _sampling.RETAKES
    assert _sampling.retaken == [0.5, 0.25]


def test_setup_again_keeps_the_clock_and_block():
    """asv re-runs setup before each sample but keeps the timer it read first: the sampler's."""
    sampler = Sampler(lambda: None, AUTOGRAD)
    bench = Sampled()
    bench.sample(lambda: sampler)
    timer, run = bench.timer, bench.run
    bench.sample(lambda: sampler)
    assert bench.timer is timer and bench.run is run
    run()
    assert timer() > 0


PROBE = """
import ctypes, json, os, resource, sys
import torch
from benchmarks import _sampling

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]

mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
mallinfo2.restype = MallInfo2
if sys.argv[1] == "isolated":
    _sampling.isolate()
mapped = mallinfo2().hblkhd
x = torch.ones(16 * 1024, 1024)  # 64 MiB
mapped = mallinfo2().hblkhd - mapped
for _ in range(20):  # until the heap has grown to what a call needs
    (x * 2).sum()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    (x * 2).sum()
print(json.dumps({"threads": torch.get_num_threads(), "interop": torch.get_num_interop_threads(),
                  "cores": sorted(os.sched_getaffinity(0)), "allowed": os.cpu_count(), "mapped": mapped,
                  "faults": resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before}))
"""


def probe(mode):
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.splitlines()[-1])


def test_isolated_process_is_pinned_single_threaded_and_reuses_memory():
    found, default = probe("isolated"), probe("default")
    assert found["threads"] == found["interop"] == 1
    if found["allowed"] > 1:
        assert len(found["cores"]) == 1
    # By default glibc maps a buffer this large with mmap and unmaps it when freed, as it did above
    # its largest threshold (32 MiB); isolated, every buffer comes from the heap and is reused.
    assert default["mapped"] >= 64 << 20 and found["mapped"] == 0, (found, default)
    assert found["faults"] < 20 * 1000, found  # a 64 MiB buffer faulted in anew would be ~16,000 a call


TAKER = """
import os, sys, time
from benchmarks import _sampling
side, blocks, lock, log = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
_sampling.pin_to_one_core()  # as isolate() pins both processes of a pair: the same core
turns = _sampling.Turns(lock)
for k in range(blocks):
    turns.pass_turn()
    with open(log, "a") as f:
        f.write(side)
    time.sleep(0.01)  # the block, while the turn is held
"""


@pytest.mark.parametrize("policy", [AUTOGRAD, TIMM])
def test_a_process_taking_turns_takes_twice_a_runs_samples_whatever_its_call(monkeypatch, policy):
    monkeypatch.setattr(_sampling, "_turns", object())
    for call in (1e-5, 0.05, 3.0):
        monkeypatch.setattr(_sampling, "_timed", lambda run, call=call: call)
        assert Sampler(lambda: None, policy).samples * policy.rounds == 2 * RUN_SAMPLES


def _wait_for_waiters(lock, count, timeout=60.0):
    """Until ``count`` processes are blocked on ``lock``, as /proc/locks lists them ("->")."""
    inode = f":{os.stat(lock).st_ino} "
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open("/proc/locks") as f:
            if sum("->" in line and inode in line for line in f) >= count:
                return
        time.sleep(0.01)
    raise AssertionError(f"fewer than {count} processes waited on {lock} within {timeout} s")


def test_two_processes_take_turns_block_by_block_and_an_ended_one_stalls_none(tmp_path):
    lock, log = tmp_path / "turns.lock", tmp_path / "log"
    held = _sampling.Turns(lock)  # both wait on the lock until they have started, as behind a setup
    takers = [
        subprocess.Popen([sys.executable, "-c", TAKER, side, str(blocks), lock, log], cwd=ROOT)
        for side, blocks in (("A", 3), ("B", 6))
    ]
    _wait_for_waiters(lock, 2)  # a taker still starting up would let the other take two blocks in a row
    os.close(held._fd)  # the lock goes with the last descriptor, as when a process ends
    assert [taker.wait(timeout=60) for taker in takers] == [0, 0]
    order = log.read_text()
    # alternating while both sample; B's last blocks alone once A has ended (without unlocking)
    assert sorted(order) == list("AAABBBBBB") and order[6:] == "BBB", order
    assert all(order[k] != order[k + 1] for k in range(5)), order


NESTED = """
import subprocess, sys
from benchmarks import _sampling
_sampling.isolate()
subprocess.run([sys.executable, "-c", "from benchmarks import _sampling; _sampling.isolate()"], check=True, timeout=60)
"""


def test_a_child_of_a_process_taking_turns_does_not_wait_for_the_turn(tmp_path):
    # BackendDifference's setup runs a subprocess that isolates itself while its parent holds the turn
    env = {**os.environ, _sampling.TURNS: str(tmp_path / "turns.lock")}
    subprocess.run([sys.executable, "-c", NESTED], cwd=ROOT, env=env, check=True, timeout=120)

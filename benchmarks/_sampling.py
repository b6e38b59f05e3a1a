"""How a point is measured, in both suites: the process it runs in and how its samples are taken.

Measured on the 2-core CPU (README, "How a time is taken"): with torch's defaults (two threads,
unpinned, glibc's dynamic mmap threshold) the medians of eight fresh processes of one point
differed by up to 2.2x (resnet18 vjp); the causes were threads contending with each other and
with asv for two cores, and glibc returning large buffers to the kernel after each call in some
processes (2,264 page faults per resnet18 vjp call) and not in others. So every benchmark
process runs

- one intra-op and one inter-op thread, pinned to the last core it may use: the other cores are
  left to asv, its server and the system;
- glibc's allocator with a fixed mmap threshold (32 MiB, its maximum) and no trimming, so freed
  buffers are reused and a warm call takes no page fault.

What remains is the machine's: on this shared VM a call's time drifts by 10-30 % over seconds
(other tenants), in plateaus that outlast a process. Two rules follow:

- A sample is the fastest call of a block of consecutive calls lasting at least
  ``SAMPLE_SECONDS`` (one call when a call is longer): a disturbance only ever adds time, and over
  five minutes of resnet18 vjp the fastest call of each half-second varied half as much as the
  median call (3.9 % against 7.2 %).
- A point is sampled in ``AUTOGRAD_ROUNDS`` or ``TIMM_ROUNDS`` processes (asv's ``rounds``), which
  asv interleaves with the other points, minutes apart; each takes as many samples as fit in
  ``PROCESS_SECONDS``, from ``MIN_SAMPLES`` to ``MAX_SAMPLES``. asv's figure is the median of all
  samples, and its tests see them all (at least 6 per run: fewer leave asv no test to apply).

In each process the first call is untimed and a second, timed one sizes the blocks. asv times a
sample on the ``timer`` this module gives it, a clock that advances by the block's fastest call;
each call is timed alone, with only the call (and device synchronization) between the clock reads.
"""

import ctypes
import math
import os
import time
import warnings

AUTOGRAD_ROUNDS = 5
TIMM_ROUNDS = 3  # a timm point's process builds a model (up to 5 s): three keep the run within 20 min
SAMPLE_SECONDS = 0.1
PROCESS_SECONDS = 0.4
MIN_SAMPLES = 2
MAX_SAMPLES = 10

# glibc mallopt parameters
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
_MMAP_THRESHOLD_MAX = 32 * 1024 * 1024
_isolated = False


def single_thread():
    """One intra-op and one inter-op thread."""
    import torch

    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # only settable before the pool starts; a fork of asv's server has none
        pass


def pin_to_one_core():
    """Run on the last core this process may use, leaving the others to asv and the system."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) > 1:
        os.sched_setaffinity(0, {cores[-1]})


def fixed_allocator():
    """glibc: serve buffers up to 32 MiB from the heap and never give it back, so that a warm call
    reuses memory instead of mapping and faulting it in; a no-op with another C library."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)
    libc.mallopt(_M_TRIM_THRESHOLD, 2**31 - 1)
    libc.mallopt(_M_TOP_PAD, 64 * 1024 * 1024)


def isolate():
    """Put this benchmark process in its measured state (once; asv forks a process per point)."""
    global _isolated
    if _isolated:
        return
    # torch 2.14 warns that torch.jit.script is deprecated wherever its own modules still call it.
    warnings.filterwarnings("ignore", message=".*torch.jit.script. is deprecated", category=FutureWarning)
    pin_to_one_core()
    single_thread()
    fixed_allocator()
    _isolated = True


def plan(call_seconds):
    """(calls per block, samples per process) for a call of ``call_seconds``."""
    if call_seconds <= 0:
        return 1, MAX_SAMPLES
    calls = max(1, math.ceil(SAMPLE_SECONDS / call_seconds))
    samples = int(PROCESS_SECONDS / (calls * call_seconds) + 1e-9)
    return calls, min(MAX_SAMPLES, max(MIN_SAMPLES, samples))


def warm_up(run):
    """Make the untimed first call, then a timed one; the point's (calls per block, samples).

    A first call that alone fills a process's sampling time is slow enough to be sampled one call
    at a time: it is not repeated to size the blocks.
    """
    start = time.perf_counter()
    run()
    if time.perf_counter() - start >= PROCESS_SECONDS:
        return 1, MIN_SAMPLES
    start = time.perf_counter()
    run()
    return plan(time.perf_counter() - start)


class FastestCallClock:
    """asv's clock for a sampled benchmark: it stands still, and a block moves it on by its fastest call."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def block(self, run, calls):
        """A zero-argument callable running ``run`` ``calls`` times, each timed alone."""

        def timed_block():
            fastest = math.inf
            for _ in range(calls):
                start = time.perf_counter()
                run()
                fastest = min(fastest, time.perf_counter() - start)
            self.now += fastest

        return timed_block


class Sampler:
    """One point's sampling in this process: its warm-up, its block of calls and the clock asv reads.

    Make one per point and process and keep it: asv re-runs setup before every sample but reads
    every sample off the ``timer`` it found before the first, so the clock must outlive setup.
    """

    def __init__(self, run):
        self.calls, self.samples = warm_up(run)
        self.clock = FastestCallClock()
        self.block = self.clock.block(run, self.calls)


class Sampled:
    """Mixin for a time benchmark class: asv's sampling attributes, set per point in setup."""

    warmup_time = 0  # the suites warm up in setup (asv would time its warm-up calls as calls)
    number = 1  # one block per sample; asv reads the sample off ``timer``
    repeat = 1

    def sample(self, sampler):
        """Time the point as its ``Sampler`` says."""
        self.timer = sampler.clock
        self.run = sampler.block
        self.repeat = (sampler.samples, sampler.samples, 1e9)

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
  buffers are reused and a warm call takes no page fault;

and a point is sampled in ``ROUNDS`` processes (``rounds``; 3 for the heavier timm steps, to keep
their default run within 20 minutes) that asv interleaves with the other points, so what lasts a
process is inside the spread asv sees. In each process the first
call is untimed; a sample holds ``number`` calls, chosen so that it lasts ``SAMPLE_SECONDS`` or
more; a process takes as many samples as fit in ``PROCESS_SECONDS`` (at least one, at most
``MAX_SAMPLES``). Timings are per call: asv divides a sample by ``number``.
"""

import ctypes
import math
import os
import time
import warnings

ROUNDS = 4
SAMPLE_SECONDS = 0.05
PROCESS_SECONDS = 0.4
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
    """(number, samples) for a call of ``call_seconds``: calls per sample, samples per process."""
    if call_seconds <= 0:
        return 1, MAX_SAMPLES
    number = max(1, math.ceil(SAMPLE_SECONDS / call_seconds))
    samples = int(PROCESS_SECONDS / (number * call_seconds) + 1e-9)
    return number, min(MAX_SAMPLES, max(1, samples))


def warm_up(run):
    """Make the untimed first call, then time a warm one where that is cheap; (number, samples).

    A first call that alone exceeds a process's sampling time is slow enough to be sampled one
    call at a time, once per process: it is not repeated to measure it again.
    """
    start = time.perf_counter()
    run()
    cold = time.perf_counter() - start
    if cold >= PROCESS_SECONDS:
        return 1, 1
    start = time.perf_counter()
    run()
    return plan(time.perf_counter() - start)


class Sampled:
    """Mixin for a time benchmark class: asv's sampling attributes, set per point in setup."""

    rounds = ROUNDS
    warmup_time = 0  # the suites warm up in setup (asv would time its warm-up calls as calls)
    number = 1
    repeat = 1

    def sample(self, run, plan):
        """Time ``run`` with ``plan`` = (number, samples) from ``warm_up``."""
        self.run = run
        self.number, samples = plan
        self.repeat = (samples, samples, 1e9)

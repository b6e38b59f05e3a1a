"""How a point is measured, in both suites: the process it runs in and how its samples are taken.

Measured on the 2-core CPU (README, "How a time is taken"): with torch's defaults (two threads,
unpinned, glibc's dynamic mmap threshold) the medians of eight fresh processes of one point
differed by up to 2.2x (resnet18 vjp); the causes were threads contending with each other and
with asv for two cores, and glibc returning large buffers to the kernel after each call in some
processes (2,264 page faults per resnet18 vjp call) and not in others. So every benchmark
process runs

- one intra-op and one inter-op thread, pinned to the last core it may use: the other cores are
  left to asv, its server and the system;
- glibc's allocator serving every buffer from its heap (no ``mmap``) and never trimming it, so
  freed buffers are reused and a warm call takes no page fault. With the mmap threshold only
  fixed at its maximum (32 MiB), larger buffers were still mapped and unmapped on every call:
  each fcn_resnet vhp call through torch.func faulted in 85 huge pages anew, each wav2letter vhp
  call 118 to 178, depending on the process;
- the heap on transparent huge pages (``PROCESS_ENVIRONMENT``, where the kernel's THP mode is
  ``always`` or ``madvise``): with 4 KiB pages a process of wav2letter vjp through torch.func ran
  at about 127 ms or about 158 ms, one or the other for its whole life (the address space a
  process happens to get), so six processes gave medians 1.24-1.45x apart; on huge pages
  within 1.07x, at 100-113 ms (README, "How a time is taken").

What remains is the machine's. This VM hands free memory back to its host (virtio-balloon free
page reporting), so memory a process touches for the first time is slow to fault in: a call that
grew fcn_resnet's heap by 32-38 MiB took 246 ms instead of 153. A heap keeps growing now and then
long after warm-up (fragmentation), and a call's time drifts by 10-30 % over seconds (other
tenants), in plateaus that outlast a process. So does a GPU machine's CPU under launch-bound points:
on one H200, fresh processes of ppl_simple_reg vjp had medians 1.65x apart, and within 1.09x
measured against a reference process taking turns with them (README, "On a GPU"). Three rules
follow:

- A timed call during which the process's peak memory grew by ``FRESH_MEMORY_KIB`` or more is
  made again, at most ``RETAKES`` times (``timed_call``): its time was the heap's growth, paid
  once per process. A call that grows the heap every time, a leak, is still timed as it is.
- A sample is the fastest call of a block of consecutive calls lasting at least
  ``SAMPLE_SECONDS`` (one call when a call is longer): a disturbance only ever adds time, and over
  five minutes of resnet18 vjp the fastest call of each half-second varied half as much as the
  median call (3.9 % against 7.2 %).
- A point is sampled in ``policy.rounds`` processes (asv's ``rounds``), which asv interleaves
  with the other points, minutes apart; each takes as many samples as fit in ``PROCESS_SECONDS``,
  from ``policy.min_samples`` to ``MAX_SAMPLES``. asv's figure is the median of all samples, and
  its test in ``asv compare``/``continuous`` sees them all: a Mann-Whitney U test at p < 0.002,
  which no difference can pass with fewer than 7 samples a side (6 against 6 give p >= 0.0022).
  A run takes at least ``RUN_SAMPLES``, 12: in a back-to-back pair at 8-9 samples, four points in
  206 held one sample 20-33 % slow (a disturbance outlasting its block), and 9 against 9 with one
  such sample on the wrong side cannot show a 20 % slowdown (p = 0.004); 12 against 12 can
  (p = 0.00014, and 0.0018 with two such samples).

Under ``ptbench.pair`` the two processes of a round, one per release, run at once and take turns
on the benchmark core block by block (``Turns``), so that sample k of one release is taken
milliseconds from sample k of the other: in the check's A/A pair on the noisy VM, the median
ratio of a point's pairs lay within 0.985-1.015 (10th to 90th percentile of 200 points) while
one side's samples of a point spanned a median 1.42x (README, "Pull requests and noise"). Such
a process takes a fixed ``PAIR_SAMPLES`` over the point's rounds, alike on both sides so that
every sample has its partner: twice a run's, since they cost no more process starts and the
paired test's power grows with the pairs (with 12, a 10 % slowdown of an autograd point was
found on 59 % of them, with 24 on 86 %).

In each process the first call is untimed, then ``policy.warm_calls`` calls warm the point up (the
last of them, or one more when there are none and the first was short, sizes the blocks). asv
times a sample on the ``timer`` this module gives it, a clock that advances by the block's fastest
call; each call is timed alone, with only the call (and device synchronization) between the
clock reads.
"""

import ctypes
import fcntl
import math
import os
import resource
import time
import warnings
from dataclasses import dataclass

SAMPLE_SECONDS = 0.1
PROCESS_SECONDS = 0.4
RUN_SAMPLES = 12
PAIR_SAMPLES = 2 * RUN_SAMPLES
MAX_SAMPLES = 10
# A timed call that faulted in this much memory the process never held is made again (timed_call).
FRESH_MEMORY_KIB = 2048
RETAKES = 2


@dataclass(frozen=True)
class Policy:
    """How a suite's points are sampled: processes per point, and warm-up calls per process."""

    rounds: int
    warm_calls: int

    @property
    def min_samples(self):
        """Samples per process that give a run at least ``RUN_SAMPLES``."""
        return math.ceil(RUN_SAMPLES / self.rounds)

    @property
    def paired_samples(self):
        """Samples per process of a pair taking turns: ``PAIR_SAMPLES`` over the rounds."""
        return math.ceil(PAIR_SAMPLES / self.rounds)


# Autograd calls need two warm calls after the first: fcn_resnet vjp through torch.func took 1375,
# 280, 233, then 204-207 ms per call in a fresh process. Four processes of three samples.
AUTOGRAD = Policy(rounds=4, warm_calls=2)
# A timm step is warm at its second call (vit_base_patch16_224 training, dla102 inference,
# swsl_resnext101_32x16d training: within 2 % of the calls after it; a second call that grew the
# heap is retaken, ``timed_call``). A process builds a model (up to 5 s): three processes of four
# samples put the eager run at its 20-minute budget (1184-1214 s in the version 5 A/A pair).
TIMM = Policy(rounds=3, warm_calls=0)

# Read by glibc when a process starts, so ptbench.plugin puts it in the environment asv starts
# its benchmark processes with: glibc advises the kernel to back its heap with huge pages. glibc
# does it for every torch release alike (torch's own THP_MEM_ALLOC_ENABLE came later than 2.0).
PROCESS_ENVIRONMENT = {"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"}


def with_process_environment(environ):
    """``environ`` with ``PROCESS_ENVIRONMENT`` added (glibc tunables joined to any already set)."""
    merged = dict(environ)
    for name, value in PROCESS_ENVIRONMENT.items():
        present = merged.get(name, "")
        if value not in present.split(":"):
            merged[name] = f"{present}:{value}" if present else value
    return merged


# ptbench.pair sets it for both releases' processes: the lock file through which they take turns.
TURNS = "PTBENCH_TURNS"
# What a process that gave up its turn sleeps, so that the other, waiting on the lock, takes it.
TURN_GAP = 0.002

# glibc mallopt parameters
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_MAX = -1, -2, -4
_isolated = False
_turns = None


def single_thread():
    """One intra-op and one inter-op thread."""
    import torch

    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # only settable before the pool starts; a fork of asv's server has none
        pass


def pin_to_one_core():
    """Run on the last core this process may use, leaving the others to asv and the system; that core."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) > 1:
        os.sched_setaffinity(0, {cores[-1]})
    return cores[-1]


def fixed_allocator():
    """glibc: serve every buffer from the heap (no mmap) and never give it back, so that a warm call
    reuses memory instead of mapping and faulting it in; a no-op with another C library."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.mallopt(_M_MMAP_MAX, 0)
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
    if os.environ.get(TURNS):
        global _turns
        # the turn is this process's: a child it waits for (a backend-difference subprocess, a
        # compile worker) must not wait for it too
        _turns = Turns(os.environ.pop(TURNS))
    _isolated = True


class Turns:
    """The core shared by two processes, one per release of a pair, pinned to it alike: a process
    holds the lock from its setup on and lets the other have a turn before each of its blocks, so
    the two alternate block by block while both sample. The kernel drops the lock when a process
    ends, however it ends, so a process that fails or takes fewer samples never stalls the other.
    Waiting is never timed: the clock advances only by calls."""

    def __init__(self, path):
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def pass_turn(self):
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        time.sleep(TURN_GAP)
        fcntl.flock(self._fd, fcntl.LOCK_EX)


def plan(call_seconds, min_samples):
    """(calls per block, samples per process) for a call of ``call_seconds``."""
    if call_seconds <= 0:
        return 1, MAX_SAMPLES
    calls = max(1, math.ceil(SAMPLE_SECONDS / call_seconds))
    samples = int(PROCESS_SECONDS / (calls * call_seconds) + 1e-9)
    return calls, min(MAX_SAMPLES, max(min_samples, samples))


def warm_up(run, policy):
    """Make the untimed first call and the policy's warm calls; the point's (calls per block, samples).

    Without warm calls, a first call that alone fills a process's sampling time is slow enough to
    be sampled one call at a time; a shorter one is followed by a timed call that sizes the blocks.
    """
    seconds = _timed(run)
    for _ in range(policy.warm_calls):
        seconds = _timed(run)
    if not policy.warm_calls:
        if seconds >= PROCESS_SECONDS:
            return 1, policy.min_samples
        seconds = _timed(run)
    return plan(seconds, policy.min_samples)


def _timed(run):
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


class FastestCallClock:
    """asv's clock for a sampled benchmark: it stands still, and a block moves it on by its fastest call."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def block(self, run, calls):
        """A zero-argument callable running ``run`` ``calls`` times, each timed alone."""

        def timed_block():
            if _turns is not None:
                _turns.pass_turn()
            self.now += min(timed_call(run) for _ in range(calls))

        return timed_block


def peak_memory_kib():
    """The process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# Seconds of each call this process made again (``timed_call``): what the rule costs (tools/cost.py).
retaken = []


def timed_call(run):
    """Seconds of one call of ``run``. A call during which the process's peak memory grew by
    ``FRESH_MEMORY_KIB`` or more faulted in memory it never held (heap growth) and is made again,
    up to ``RETAKES`` times; a call that grows the heap every time (a leak) is timed as it is."""
    for attempt in range(RETAKES + 1):
        peak = peak_memory_kib()
        start = time.perf_counter()
        run()
        seconds = time.perf_counter() - start
        if peak_memory_kib() - peak < FRESH_MEMORY_KIB or attempt == RETAKES:
            return seconds
        retaken.append(seconds)


class Sampler:
    """One point's sampling in this process: its warm-up, its block of calls and the clock asv reads.

    Make one per point and process and keep it: asv re-runs setup before every sample but reads
    every sample off the ``timer`` it found before the first, so the clock must outlive setup.
    """

    def __init__(self, run, policy):
        self.calls, self.samples = warm_up(run, policy)
        if _turns is not None:
            self.samples = policy.paired_samples
        self.clock = FastestCallClock()
        self.block = self.clock.block(run, self.calls)


class Sampled:
    """Mixin for a time benchmark class: asv's sampling attributes, read off the point's ``Sampler``.

    ``setup`` hands ``sample`` a function that makes the point's ``Sampler`` (once per process),
    and the sampler, warm-up calls included, is made when asv first reads ``repeat``, ``timer`` or
    ``run``: asv reads them after the setup of a time benchmark and never for a peak-memory one,
    so a process that measures peak memory makes no warm-up calls.
    """

    warmup_time = 0  # the suites warm up before sampling (asv would time its warm-up calls as calls)
    number = 1  # one block per sample; asv reads the sample off ``timer``
    _sampler = None

    def sample(self, make_sampler):
        """Time the point as the ``Sampler`` that ``make_sampler()`` returns says."""
        self._sampler = make_sampler

    @property
    def repeat(self):
        if self._sampler is None:  # asv reads the class's attributes before setup
            return 1
        samples = self._sampler().samples
        return samples, samples, 1e9

    @property
    def timer(self):
        return time.perf_counter if self._sampler is None else self._sampler().clock

    @property
    def run(self):
        return self._sampler().block

"""Every benchmark point, whether this run measures it, and why not.

    python -m benchmarks.points                    # each point: "runs", or n/a and the reason
    python -m benchmarks.points --summary          # counts per benchmark and per reason
    python -m benchmarks.points -b "time_call.*resnet18" --torch 2.0.1 --python 3.11

A benchmark's parameters are the same on every machine and under every setting: results are
keyed by them, so CPU and GPU runs, sizes, precisions and shards all land in one dashboard. The
``PTBENCH_*`` settings only choose which points run. asv's plugin (``ptbench.plugin``) selects
exactly the points that run here, so the others never start a process; a suite's ``setup``
refuses a point with the same reason. Reasons that depend on the installed torch (``--torch``)
are known once a benchmark process runs; the settings alone cannot rule on them.
"""

import argparse
import ast
import itertools
import re
import sys
from dataclasses import dataclass

from . import _sampling
from . import registry as r
from ._config import ConfigError, Settings, take_shard


@dataclass(frozen=True)
class Space:
    """A benchmark's parameters: names, and the values of each."""

    names: tuple
    values: tuple

    def points(self):
        for values in itertools.product(*self.values):
            yield dict(zip(self.names, values, strict=True))


AUTOGRAD = Space(
    ("model", "task", "backend", "size", "device"), (tuple(r.MODELS), r.TASKS, r.BACKENDS, r.SIZES, r.DEVICES)
)
AUTOGRAD_DIFFERENCE = Space(("model", "task", "size", "device"), (tuple(r.MODELS), r.TASKS, r.SIZES, r.DEVICES))
TIMM = Space(
    ("model", "mode", "precision", "memory_format", "size", "device"),
    (tuple(r.TIMM_KEYS), r.TIMM_MODES, r.TIMM_PRECISIONS, r.TIMM_MEMORY_FORMATS, r.SIZES, r.DEVICES),
)


def _settings(point, settings):
    """Why the run's device or size leaves the point out, or None."""
    for name in ("device", "size"):
        if point[name] != getattr(settings, name):
            return f"{name} {point[name]} is not this run's (PTBENCH_{name.upper()}={getattr(settings, name)})"
    return None


def _autograd(point, settings, versions):
    return r.autograd_reason(point, settings.slow, *versions) or _settings(point, settings)


def _autograd_memory(point, settings, versions):
    if r.MODELS[point["model"]].baseline_memory:
        return f"{point['model']}'s tensors take kilobytes: the process peak would be torch's own footprint"
    return _autograd(point, settings, versions)


def _autograd_difference(point, settings, versions):
    for backend in r.BACKENDS:
        reason = _autograd({**point, "backend": backend}, settings, versions)
        if reason:
            return f"{backend}: {reason}"
    return None


def _cuda_only(reason):
    def wrapped(point, settings, versions):
        if point["device"] != "cuda":
            return "the CUDA caching allocator's peak exists on CUDA only"
        return reason(point, settings, versions)

    return wrapped


def _timm(point, settings, versions, compiled=False):
    reason = r.timm_reason(point, compiled, *versions) or _settings(point, settings)
    if reason:
        return reason
    for name, chosen, variable in (
        ("precision", settings.precisions, "PTBENCH_PRECISIONS"),
        ("memory_format", settings.memory_formats, "PTBENCH_MEMORY_FORMATS"),
    ):
        if point[name] not in chosen:
            return f"{name} {point[name]} is not in this run ({variable}={','.join(chosen)})"
    name = r.TIMM_KEYS[point["model"]]
    if name not in take_shard(r.TIMM_CATALOG, *settings.shard):
        return f"{name} is in another shard than this run's (PTBENCH_SHARD={'/'.join(map(str, settings.shard))})"
    if compiled and name not in settings.compiled_models(r.TIMM_CATALOG):
        return f"{name} is not compiled in this run (PTBENCH_COMPILE={settings.compile})"
    return None


def _timm_compiled(point, settings, versions):
    return _timm(point, settings, versions, compiled=True)


@dataclass(frozen=True)
class Suite:
    """One benchmark class: its parameters, its benchmark methods, and its rule for each point."""

    space: Space
    methods: tuple
    reason: object  # (point, settings, (torch_version, python_version)) -> str or None
    timed: bool = True  # measures seconds: runs after the untimed classes (``running_suites``)
    rounds: int = 1  # processes per point of its ``time_`` benchmarks (asv's ``rounds``)


SUITES = {
    "autograd_functional.Time": Suite(AUTOGRAD, ("time_call",), _autograd, rounds=_sampling.AUTOGRAD.rounds),
    "autograd_functional.PeakMemory": Suite(AUTOGRAD, ("peakmem_call",), _autograd_memory, timed=False),
    "autograd_functional.BackendDifference": Suite(
        AUTOGRAD_DIFFERENCE, ("track_max_abs_diff",), _autograd_difference, timed=False
    ),
    "autograd_functional.CudaPeakMemory": Suite(
        AUTOGRAD, ("track_cuda_peak_bytes",), _cuda_only(_autograd), timed=False
    ),
    "timm_suite.Eager": Suite(TIMM, ("time_step", "peakmem_step"), _timm, rounds=_sampling.TIMM.rounds),
    "timm_suite.Compiled": Suite(TIMM, ("time_step", "peakmem_step"), _timm_compiled, rounds=_sampling.TIMM.rounds),
    "timm_suite.CompileTime": Suite(TIMM, ("track_compile_seconds",), _timm_compiled),
    "timm_suite.CudaPeakMemory": Suite(TIMM, ("track_cuda_peak_bytes",), _cuda_only(_timm), timed=False),
}
BENCHMARKS = {f"{key}.{method}": key for key, suite in SUITES.items() for method in suite.methods}


def times(benchmark):
    """Whether ``benchmark`` is a ``time_`` benchmark, the kind asv samples in rounds."""
    return benchmark.rsplit(".", 1)[-1].startswith("time_")


def rounds(benchmark):
    """Processes per point of ``benchmark`` (asv runs a ``time_`` benchmark in its class's ``rounds``,
    every other kind once)."""
    return SUITES[BENCHMARKS[benchmark]].rounds if times(benchmark) else 1


def reason(suite, point, settings, torch_version=None, python_version=None):
    """Why ``point`` (a dict, or a tuple in the suite's parameter order) of ``suite`` does not run."""
    space = SUITES[suite].space
    if not isinstance(point, dict):
        point = dict(zip(space.names, point, strict=True))
    return SUITES[suite].reason(point, settings, (torch_version, python_version))


def asv_name(benchmark, point):
    """asv's name of a point, which ``asv run -b`` matches: ``name('v1', 'v2')``."""
    return f"{benchmark}({', '.join(repr(v) for v in point.values())})"


def parse_asv_params(values):
    """asv's parameter strings ("'resnet18'") back to values."""
    return tuple(ast.literal_eval(v) for v in values)


def statuses(settings, versions=(None, None), pattern=None):
    """(benchmark, point, reason or None) for every point whose asv name matches ``pattern``."""
    regex = re.compile(pattern) if pattern else None
    for benchmark, suite in BENCHMARKS.items():
        for point in SUITES[suite].space.points():
            if regex and not regex.search(asv_name(benchmark, point)):
                continue
            yield benchmark, point, SUITES[suite].reason(point, settings, versions)


def measured(settings, only=None):
    """The benchmarks with a point to measure under ``settings`` (among the points in whose asv
    name the regex ``only`` finds a match)."""
    return [
        name
        for name, key in BENCHMARKS.items()
        if any(
            not SUITES[key].reason(p, settings, (None, None)) and (not only or re.search(only, asv_name(name, p)))
            for p in SUITES[key].space.points()
        )
    ]


def suites_of(benchmarks):
    """The benchmark classes of ``benchmarks``, in run order: the untimed classes first. Their work
    (pinned to the benchmark core, as every benchmark process is) brings the machine to the speed
    it keeps under load: after an idle spell, the first round of the autograd times ran 4-5 %
    faster than the three after it (README, "How a time is taken")."""
    running = {BENCHMARKS[name] for name in benchmarks}
    return sorted((key for key in SUITES if key in running), key=lambda key: SUITES[key].timed)


def running_suites(settings):
    """The benchmark classes with a point to measure under ``settings``, in run order."""
    return suites_of(measured(settings))


def suite_regex(suite):
    """The ``asv run --bench`` regex that selects exactly the benchmark class ``suite``."""
    return "^" + re.escape(suite) + "[.]"


RETAKE_ROUNDS = 3  # fewest processes a point needs for one to be the odd one (``ptbench.retake``)
PROBE_POINTS = 16  # a probe's points (``steps``); a timm first round has 130, an autograd one 73


def bench_regex(names):
    """The ``asv run --bench`` regex that selects exactly these classes or benchmarks."""
    return "^(?:" + "|".join(re.escape(name) for name in names) + r")\b"


def points_regex(names):
    """The ``asv run --bench`` regex that selects exactly the points of these asv names."""
    return "^(?:" + "|".join(re.escape(name) for name in names) + ")$"


def first_points(settings, bench, count, only=None):
    """The asv names of the first ``count`` points (in this module's order) that run under
    ``settings`` and that ``bench`` (and ``only``, when given) select."""
    names = [asv_name(name, point) for name, point, why in statuses(settings, pattern=bench) if not why]
    return [name for name in names if not only or re.search(only, name)][:count]


def narrowed(bench, only):
    """``asv run --bench`` regex ``bench`` (empty, or anchored by ``^``) restricted to the points
    in whose asv name, ``benchmark(params)``, the regex ``only`` finds a match."""
    return f"^(?=.*?(?:{only})){bench[1:]}" if only else bench


@dataclass(frozen=True)
class Step:
    """One ``asv run`` of a full run: its progress label, the ``--bench`` regex, its other asv
    arguments, and whether it takes times (``Suite.timed``)."""

    label: str
    bench: str
    options: tuple = ()
    timed: bool = False
    first: bool = False  # the first round of ``time_`` benchmarks: one process per point
    retake: bool = False  # ``ptbench.retake`` narrows ``bench`` to the points with a process apart
    probe: bool = False  # a first round's first points, taken and put back before it (``steps``)
    only: str = None  # the main job's ``--points``: a regex the points' asv names must match

    @property
    def args(self):
        bench = narrowed(self.bench, self.only)
        return [*(("--bench", bench) if bench else ()), *self.options]

    @property
    def kind(self):
        if self.probe:
            return "probe"
        return "retake" if self.retake else "first" if self.first else "timed" if self.timed else "untimed"


def steps(settings, trial=False, only=None, probe=False):
    """The asv runs of a full run, in order; the main job (``ptbench.bench``) and the release
    history (``tools/history.sh``) both take them.

    The untimed classes first, one run each (``running_suites``). Then the timed benchmarks in
    rounds of one process per point (``-a rounds=1``), each round a run over every timed benchmark
    with processes left, so a point's processes lie minutes apart across the whole timed part: run
    as a class, the compiled subset's three processes per point fell within 2.5 minutes, and a slow
    spell of the machine made every one of its points 3-22 % slower in one run of an A/A pair. A
    benchmark's first round replaces an earlier result of this torch; its later rounds add their
    samples to it (``--append-samples``). This is the order of asv's ``--interleave-rounds`` (which
    asv refuses with ``--python=same``); a run per round also lets the history judge the machine
    after each round (``ptbench.steady``). Last, one process more for each point whose process
    ran apart from its others, in place of that one (``ptbench.retake``). A trial run takes a class
    per run. ``only`` (a regex) narrows every run to the points in whose asv name it finds a match.
    ``probe``: before each first round, its first ``PROBE_POINTS`` points the same way, a run whose
    times ``tools/history.sh`` judges and then throws away: a host too unsteady for the timm
    points' 16-minute first round is seen in under two minutes.
    """
    benchmarks = measured(settings, only)
    classes = [Step(suite, suite_regex(suite), timed=SUITES[suite].timed, only=only) for suite in suites_of(benchmarks)]
    if trial:
        return classes
    timed = [name for name in benchmarks if SUITES[BENCHMARKS[name]].timed]
    found = [step for step in classes if not step.timed]
    total = max(map(rounds, timed), default=0)
    for left in range(total, 0, -1):  # processes a benchmark still has to take
        for adding in (True, False):
            group = [name for name in timed if (rounds(name) > left) == adding and rounds(name) >= left]
            if group:
                options = ("-a", "rounds=1", "--append-samples") if adding else ("-a", "rounds=1")
                label = f"round {total - left + 1}/{total}: {', '.join(group)}"
                first = not adding and any(map(times, group))
                if first and probe:
                    names = first_points(settings, bench_regex(group), PROBE_POINTS, only)
                    if names:
                        found.append(Step(f"probe of {label}", points_regex(names), options, timed=True, probe=True))
                found.append(Step(label, bench_regex(group), options, timed=True, first=first, only=only))
    if total >= RETAKE_ROUNDS:
        again = ("-a", "rounds=1", "--append-samples")
        sampled = [name for name in timed if times(name)]
        label = "retake: a process apart from its point's others"
        found.append(Step(label, bench_regex(sampled), again, timed=True, retake=True, only=only))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-b", "--bench", help="regex on asv's point names, as `asv run -b` takes it")
    parser.add_argument("--torch", help="a torch version: apply the rules that depend on it")
    parser.add_argument("--python", help="a Python version (e.g. 3.11) for the rules that depend on it")
    parser.add_argument("--skipped", action="store_true", help="only the points that do not run")
    parser.add_argument("--summary", action="store_true", help="counts per benchmark and per reason")
    parser.add_argument(
        "--runs",
        action="store_true",
        help="only the asv runs of a full run, in order, one a line: untimed, first (the first round of time_"
        " benchmarks, one process a point), timed, retake (ptbench.retake narrows its --bench) or probe (--probe),"
        " label, --bench regex, other asv arguments, tab-separated",
    )
    parser.add_argument(
        "--probe",
        action="store_true",
        help=f"with --runs: before each first round, a probe of its first {PROBE_POINTS} points (tools/history.sh)",
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as e:
        sys.exit(f"error: {e}")
    if args.runs:
        for step in steps(settings, probe=args.probe):
            print(step.kind, step.label, step.bench, *step.options, sep="\t")
        return
    found = list(statuses(settings, (args.torch, args.python), args.bench))
    print(f"# settings: {settings.describe()}; torch {args.torch or 'any'}, python {args.python or 'any'}")
    if args.summary:
        for benchmark in BENCHMARKS:
            rows = [why for name, _, why in found if name == benchmark]
            if rows:
                print(f"{benchmark}: {rows.count(None)} of {len(rows)} points run")
        counts = {}
        for _, _, why in found:
            if why:
                counts[why] = counts.get(why, 0) + 1
        for why, count in sorted(counts.items(), key=lambda item: -item[1]):
            print(f"{count:7d}  {why}")
        return
    for benchmark, point, why in found:
        if why is None and not args.skipped:
            print(f"runs  {asv_name(benchmark, point)}")
        elif why:
            print(f"n/a   {asv_name(benchmark, point)}: {why}")


if __name__ == "__main__":
    main()

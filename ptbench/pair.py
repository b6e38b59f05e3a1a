"""Compare two releases point by point, their processes running side by side in lockstep.

    python -m ptbench.pair BASE HEAD [-b REGEX] [--factor 1.05] [--rounds N]
    python -m ptbench.pair 2.14.1 2.14.1       # an A/A pair, then: python tools/noise.py --pairs .asv/pair/pairs.json
    python -m ptbench.pair --installed         # an A/A pair of the torch this Python imports, in this Python

``asv continuous --interleave-rounds`` runs a round of every point in one environment, then in
the other, so the two sides of a point are measured a whole suite apart. On a VM whose core runs
slower in plateaus of 10-60 s (README, "Pull requests and noise") that puts the plateaus into the
difference. Here each round of a point starts a process on both sides at once, and the two take
turns on the benchmark core block by block (``benchmarks._sampling.Turns``): sample k of the
head is taken milliseconds after or before sample k of the base, so both see the same moment of
the machine. The side that starts first alternates by round (ABBA).

The verdict uses that pairing. A point's ratio is the median over its pairs of head sample / base
sample, and its test is Wilcoxon's signed-rank test on their logarithms, at asv's p < 0.002
(``verdict``): asv compare's Mann-Whitney test takes the samples as independent, so the
machine's plateaus, shared by the pairs, widen both sides' samples and hide the difference.

BASE and HEAD are installed into two environments of their own (``.asv/pair/env1``, ``env2``),
each with one forkserver for the whole run. ``--installed`` installs nothing: both sides are the
torch this Python imports, recorded as the main job records it (``history.installed``), each
side with a forkserver of this Python: an A/A pair offline, a GPU machine's own stack say. The
points and their sampling are those of ``asv run`` under the same ``PTBENCH_*`` settings
(``ptbench.plugin``). The results, with every sample, are saved after each point in
``.asv/pair/1`` and ``.asv/pair/2`` (never in ``results/``: a pull-request check is not
history), and the samples of every round in ``.asv/pair/pairs.json`` (what tools/noise.py
--pairs reads).
The table lists the points that changed beyond the factor, the exit status is 1 when one got
slower or failed only on HEAD, as for ``asv continuous``.
"""

import argparse
import copy
import datetime
import functools
import itertools
import json
import math
import os
import shutil
import signal
import statistics
import sys
import threading
import time
from pathlib import Path

from asv import environment, runner, util
from asv.benchmarks import Benchmarks
from asv.config import Config
from asv.machine import Machine
from asv.repo import get_repo
from asv.results import Results

import history.releases  # noqa: F401  registers the "torch-releases" repository type with asv
from benchmarks import _sampling
from benchmarks._config import ConfigError

from . import host
from .plugin import read_settings, select, without_notes
from .results import timed

ROOT = Path(__file__).resolve().parents[1]
PAIR = ROOT / ".asv" / "pair"
SIDES = ("1", "2")
# asv's significance level for its test in compare and continuous, kept for the paired test.
ALPHA = 0.002
# How long after the first side's process the second side's starts, so that the first takes the
# core first (``order``).
STAGGER = 0.1


def order(rounds):
    """The side that starts first and second in each round: 0 1, 1 0, 0 1, 1 0, ... (ABBA)."""
    return [(0, 1) if r % 2 == 0 else (1, 0) for r in range(rounds)]


def paired(base_rounds, head_rounds):
    """[(base sample, head sample)]: the k-th samples of each round, taken in turn."""
    rounds = zip(base_rounds, head_rounds, strict=False)
    return [pair for a, b in rounds for pair in zip(a or [], b or [], strict=False)]


def paired_points(record, pattern=None):
    """{(benchmark, params): [(base sample, head sample)]} of the timed points (that ``pattern``
    selects) with pairs in a run's ``pairs.json`` record."""
    found = {}
    for point in record:
        if timed(point["name"], pattern) and (pairs := paired(point["base"], point["head"])):
            found[(point["name"], tuple(point["params"]))] = pairs
    return found


def verdict(pairs, factor):
    """(ratio, p, mark) of a point from its pairs: the median of head / base, Wilcoxon's signed-rank
    p on their logarithms, and '+' (slower), '-' (faster) or ' ' at ``factor`` and ``ALPHA``."""
    from scipy.stats import wilcoxon

    logs = [math.log(b / a) for a, b in pairs if a > 0 and b > 0]
    if not logs:
        return math.nan, 1.0, " "
    ratio = math.exp(statistics.median(logs))
    p = float(wilcoxon(logs).pvalue) if any(logs) else 1.0
    if p < ALPHA and ratio > factor:
        return ratio, p, "+"
    if p < ALPHA and ratio < 1 / factor:
        return ratio, p, "-"
    return ratio, p, " "


def point_list(benchmarks):
    """(name, param index or None) of every selected point, in asv's order."""
    found = []
    for name in sorted(benchmarks):
        chosen = benchmarks.benchmark_selection.get(name)
        found += [(name, None)] if chosen is None else [(name, i) for i in chosen]
    return found


def values(benchmark, index):
    """The point's parameter values, as asv writes them."""
    if index is None:
        return ()
    return next(itertools.islice(itertools.product(*benchmark["params"]), index, None))


def label(benchmark, index):
    """The point as asv compare names it."""
    if index is None:
        return benchmark["name"]
    return f"{benchmark['name']}({', '.join(values(benchmark, index))})"


def configuration(path, side):
    """The asv configuration of one side: its own environment and results folders."""
    conf = copy.copy(Config.load(path))
    conf.env_dir = str(PAIR / f"env{side}")
    conf.results_dir = str(PAIR / side)
    return conf


class Side:
    """One release in its own environment, with a forkserver and the results of this run."""

    def __init__(self, conf, repo, machine, commit, python=None):
        self.conf, self.commit = conf, commit
        (self.env,) = environment.get_environments(conf, python and [f"existing:{python}"])
        self.env.create()
        self.env.install_project(conf, repo, commit)
        params = {**machine, "python": self.env.python, **self.env.requirements}
        self.results = Results(
            params,
            self.env.requirements,
            commit,
            repo.get_date(commit),
            self.env.python,
            self.env.name,
            self.env.env_vars,
        )
        self.spawner, self.durations, self.why = None, {}, ""
        self.rounds = {}  # (benchmark, index): the samples of each round
        self.caches = {}  # setup_cache key: (its folder, or None and why it failed)

    def start(self, benchmark_dir):
        self.spawner = runner.get_spawner(self.env, benchmark_dir, self.conf.launch_method)
        ok, out = self.spawner.preimport()
        if not ok:
            raise util.UserError(f"{self.commit}: importing the benchmark suite failed\n{out}")

    def run(self, benchmark, index, first):
        """One round of one point; False when it failed (no more rounds then)."""
        selected = None if index is None else {index}
        extra = {}
        if not first:  # samples appended to earlier rounds must count calls alike
            stats = self.results.get_result_stats(benchmark["name"], benchmark["params"])
            number = stats[index or 0] and stats[index or 0].get("number")
            extra = {"number": number} if number else {}
        started = datetime.datetime.now(datetime.UTC)
        cache, why = self.setup_cache(benchmark)
        if why:
            res = runner.fail_benchmark(benchmark, stderr=f"asv: setup_cache failed\n\n{why}")
        else:
            res = runner.run_benchmark(
                benchmark, self.spawner, profile=False, selected_idx=selected, extra_params=extra, cwd=cache
            )
        name = benchmark["name"]
        self.durations[name] = (
            self.durations.get(name, 0) + (datetime.datetime.now(datetime.UTC) - started).total_seconds()
        )
        self.why = without_notes(res.stderr)
        self.rounds.setdefault((name, index), []).append(res.samples[index or 0] or [])
        self.results.add_result(
            benchmark,
            res._replace(stderr=self.why),
            selected_idx=selected,
            started_at=started,
            duration=self.durations[name],
            record_samples=True,
            append_samples=not first,
        )
        return res.result[index or 0] is not None

    def setup_cache(self, benchmark):
        """(folder, None) of the benchmark's ``setup_cache``, made once per side as ``asv run`` does,
        or (None, why it failed); (None, None) for a benchmark without one."""
        key = benchmark.get("setup_cache_key")
        if key is None:
            return None, None
        if key not in self.caches:
            timeout = benchmark.get("setup_cache_timeout", benchmark["timeout"])
            self.caches[key] = self.spawner.create_setup_cache(benchmark["name"], timeout, json.dumps({}))
        return self.caches[key]

    def value(self, benchmark, index):
        return self.results.get_result_value(benchmark["name"], benchmark["params"])[index or 0]

    def save(self):
        self.results.save(self.conf.results_dir)

    def close(self):
        if self.spawner is not None:
            self.spawner.close()
        for folder, _ in self.caches.values():
            if folder:
                util.long_path_rmtree(folder, True)


def shown(benchmark, value):
    if value is None:
        return "failed"
    return "n/a" if math.isnan(value) else util.human_value(value, benchmark["unit"])


def together(calls):
    """Run the zero-argument ``calls`` at once, each started ``STAGGER`` after the one before; their
    results in order, or the first error any of them raised."""
    results, errors = [None] * len(calls), []

    def call(i):
        try:
            results[i] = calls[i]()
        except BaseException as e:  # re-raised in the caller's thread
            errors.append(e)

    threads = []
    for i in range(len(calls)):
        if threads:
            time.sleep(STAGGER)
        threads.append(threading.Thread(target=call, args=(i,)))
        threads[-1].start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def measure(benchmarks, todo, sides, timeout, factor, rounds=None, out=None):
    """Every point of ``todo`` on both sides, each round's two processes in lockstep, results saved
    after each point; {label: (mark, before, after, ratio, p)} of the points that changed."""
    out = out or functools.partial(print, flush=True)
    changes, record = {}, []
    for n, (name, index) in enumerate(todo, 1):
        # a process may wait for the other's turns as long as it runs itself
        benchmark = {**benchmarks[name], "timeout": 2 * (benchmarks[name].get("timeout") or timeout)}
        alive = [True, True]
        for r, pair in enumerate(order(rounds or int(benchmark.get("rounds", 1)))):
            going = [s for s in pair if alive[s]]
            ok = together([functools.partial(sides[s].run, benchmark, index, first=r == 0) for s in going])
            alive = [alive[s] and (s not in going or ok[going.index(s)]) for s in range(2)]
        for side in sides:
            side.save()
        point = label(benchmark, index)
        samples = [side.rounds.get((name, index), []) for side in sides]
        record.append({"name": name, "params": values(benchmark, index), "base": samples[0], "head": samples[1]})
        (PAIR / "pairs.json").write_text(json.dumps(record))
        a, b = (side.value(benchmark, index) for side in sides)
        line = f"{shown(benchmark, a)} -> {shown(benchmark, b)}"
        mark = "!" if a is not None and b is None else "*" if a is None and b is not None else " "
        ratio = p = math.nan
        pairs = paired(*samples)
        if pairs:
            ratio, p, sign = verdict(pairs, factor)
            line += f" {ratio:.3f}x p={p:.4f}"
            mark = sign if mark == " " else mark
        if mark != " ":
            changes[point] = (mark, shown(benchmark, a), shown(benchmark, b), ratio, p)
        out(f"[{n}/{len(todo)}] {point}: {line}")
        for tag, side, value in zip(("base", "head"), sides, (a, b), strict=True):
            if value is None or math.isnan(value):  # the benchmark's own words: a skip reason or the error
                out(f"    {tag}: {side.why.strip().splitlines()[-1] if side.why.strip() else 'no output'}")
    return changes


def print_table(changes, factor, out=print):
    """The changed points as asv compare lists them, slowest first, with the paired test's p."""
    out(f"points changed beyond a factor of {factor} at p < {ALPHA} (paired):")
    out("| Change | Before | After | Ratio | p | Benchmark (Parameter) |")
    out("|--------|--------|-------|-------|---|-----------------------|")
    by_ratio = sorted(changes.items(), key=lambda item: -item[1][3] if math.isfinite(item[1][3]) else -math.inf)
    for point, (mark, a, b, ratio, p) in by_ratio:
        out(f"| {mark} | {a} | {b} | {ratio:.3f} | {p:.4f} | {point} |")


def run(base, head, bench=None, factor=1.05, rounds=None, machine=None, config=ROOT / "asv.conf.json"):
    """Compare releases ``base`` and ``head``, or with both None the installed torch with itself."""
    settings = read_settings()
    machine = Machine.load(machine_name=machine or host.machine_name(), interactive=False)
    python = None
    if base is None:
        from .bench import installed_torch

        config, _, base, name = installed_torch(settings)
        head, python = base, sys.executable
    os.environ.update(_sampling.with_process_environment(os.environ))
    os.environ[_sampling.TURNS] = str(PAIR / "turns.lock")  # read by the forkservers' processes
    confs = [configuration(config, side) for side in SIDES]
    repo = get_repo(confs[0])
    if python is None:
        repo.pull()
    commits = [repo.get_hash_from_name(name) for name in (base, head)]
    for conf in confs:
        shutil.rmtree(conf.results_dir, ignore_errors=True)
        machine.save(conf.results_dir)
    print(f"== {f'{name}, twice, in {python}' if python else f'installing {base} and {head}'}: {PAIR}", flush=True)
    sides = [Side(conf, repo, machine.__dict__, commit, python) for conf, commit in zip(confs, commits, strict=True)]
    benchmarks = Benchmarks.discover(confs[0], repo, [sides[0].env], [commits[0]], regex=bench)
    select(benchmarks, settings)
    if not benchmarks:
        raise util.UserError(f"no point selected runs under these settings ({settings.describe()})")
    benchmarks.save()  # asv compare reads the benchmarks' units from it, on either side
    shutil.copy(Path(confs[0].results_dir, "benchmarks.json"), confs[1].results_dir)
    try:
        for side in sides:
            side.start(benchmarks.benchmark_dir)
        timeout = sides[0].env._default_benchmark_timeout
        changes = measure(benchmarks, point_list(benchmarks), sides, timeout, factor, rounds)
    finally:
        for side in sides:
            side.close()
    print_table(changes, factor)
    worsened = any(change[0] in "+!" for change in changes.values())
    print("PERFORMANCE DECREASED." if worsened else "No point got slower beyond the factor.")
    return 1 if worsened else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base", nargs="?", help="the release compared against")
    parser.add_argument("head", nargs="?", help="the release under test (the same one for an A/A pair)")
    parser.add_argument(
        "--installed", action="store_true", help="instead, an A/A pair of the torch this Python imports, in this Python"
    )
    parser.add_argument("-b", "--bench", action="append", help="regex of the points to run, as for asv")
    parser.add_argument("--factor", type=float, default=1.05, help="the ratio a change must pass (default 1.05)")
    parser.add_argument("--rounds", type=int, help="processes per point and side (default: the suite's, 3 or 4)")
    parser.add_argument("--machine", help="the asv machine to file the pair under in .asv/pair/ (as for asv run)")
    args = parser.parse_args(argv)
    if args.installed == bool(args.base and args.head) or (args.installed and args.base):
        parser.error("give BASE and HEAD, or --installed alone")
    if args.factor <= 1:
        parser.error("--factor must be above 1")
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    # a plain kill closes the two forkservers too (their servers outlive this process otherwise)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return run(args.base, args.head, args.bench, args.factor, args.rounds, args.machine)
    except (util.UserError, ConfigError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

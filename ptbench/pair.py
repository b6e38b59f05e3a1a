"""Compare two releases point by point, their processes alternating seconds apart (ABBA).

    python -m ptbench.pair BASE HEAD [-b REGEX] [--factor 1.10] [--rounds N]
    python -m ptbench.pair 2.14.1 2.14.1       # an A/A pair, then: python tools/noise.py
                                               #   .asv/pair/1/*/2.14.1-*.json .asv/pair/2/*/2.14.1-*.json

``asv continuous --interleave-rounds`` runs a round of every point in one environment, then in
the other, so the two sides of a point are measured a whole suite apart. On a VM whose core runs
slower in plateaus of 10-60 s (README, "Pull requests and noise") that puts the plateaus into the
difference. Here each point's rounds run back to back on both sides, in the order base, head,
head, base, base, head, ...: both sides of a point see the same minute of the machine and any
steady drift within it falls on both alike.

BASE and HEAD are installed into two environments of their own (``.asv/pair/env1``, ``env2``),
each with one forkserver for the whole run. The points and their sampling are those of ``asv
run`` under the same ``PTBENCH_*`` settings (``ptbench.plugin``). The results, with every sample,
are saved after each point in ``.asv/pair/1`` and ``.asv/pair/2`` (never in ``results/``: a
pull-request check is not history); the table is ``asv compare``'s, and the exit status is 1
when a point got slower beyond the factor, as for ``asv continuous``.
"""

import argparse
import copy
import datetime
import functools
import itertools
import math
import os
import shutil
import signal
import sys
from pathlib import Path

from asv import environment, runner, util
from asv.benchmarks import Benchmarks
from asv.commands.compare import Compare
from asv.config import Config
from asv.machine import Machine
from asv.repo import get_repo
from asv.results import Results

import history.releases  # noqa: F401  registers the "torch-releases" repository type with asv
from benchmarks import _sampling

from .plugin import read_settings, select, without_notes

ROOT = Path(__file__).resolve().parents[1]
PAIR = ROOT / ".asv" / "pair"
SIDES = ("1", "2")


def order(rounds):
    """The side that runs first and second in each round: 0 1, 1 0, 0 1, 1 0, ... (ABBA)."""
    return [(0, 1) if r % 2 == 0 else (1, 0) for r in range(rounds)]


def point_list(benchmarks):
    """(name, param index or None) of every selected point, in asv's order."""
    found = []
    for name in sorted(benchmarks):
        chosen = benchmarks.benchmark_selection.get(name)
        found += [(name, None)] if chosen is None else [(name, i) for i in chosen]
    return found


def label(benchmark, index):
    """The point as asv compare names it."""
    if index is None:
        return benchmark["name"]
    values = next(itertools.islice(itertools.product(*benchmark["params"]), index, None))
    return f"{benchmark['name']}({', '.join(values)})"


def configuration(path, side):
    """The asv configuration of one side: its own environment and results folders."""
    conf = copy.copy(Config.load(path))
    conf.env_dir = str(PAIR / f"env{side}")
    conf.results_dir = str(PAIR / side)
    return conf


class Side:
    """One release in its own environment, with a forkserver and the results of this run."""

    def __init__(self, conf, repo, machine, commit):
        self.conf, self.commit = conf, commit
        (self.env,) = environment.get_environments(conf, None)
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
        res = runner.run_benchmark(benchmark, self.spawner, profile=False, selected_idx=selected, extra_params=extra)
        name = benchmark["name"]
        self.durations[name] = (
            self.durations.get(name, 0) + (datetime.datetime.now(datetime.UTC) - started).total_seconds()
        )
        self.why = without_notes(res.stderr)
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

    def value(self, benchmark, index):
        return self.results.get_result_value(benchmark["name"], benchmark["params"])[index or 0]

    def rows(self):
        """The results as asv compare reads them."""
        machine = self.results.params["machine"]
        for name in self.results.get_all_result_keys():
            params = self.results.get_result_params(name)
            yield (
                name,
                params,
                self.results.get_result_value(name, params),
                self.results.get_result_stats(name, params),
                self.results.get_result_samples(name, params),
                self.results.benchmark_version.get(name),
                machine,
                self.env.name,
            )

    def save(self):
        self.results.save(self.conf.results_dir)

    def close(self):
        if self.spawner is not None:
            self.spawner.close()


def shown(benchmark, value):
    if value is None:
        return "failed"
    return "n/a" if math.isnan(value) else util.human_value(value, benchmark["unit"])


def measure(benchmarks, todo, sides, timeout, rounds=None, out=None):
    """Every point of ``todo`` on both sides, its rounds in ``order``; results saved after each."""
    out = out or functools.partial(print, flush=True)
    for n, (name, index) in enumerate(todo, 1):
        benchmark = benchmarks[name]
        if benchmark.get("timeout") is None:
            benchmark["timeout"] = timeout
        alive = [True, True]
        for r, pair in enumerate(order(rounds or int(benchmark.get("rounds", 1)))):
            for s in pair:
                if alive[s]:
                    alive[s] = sides[s].run(benchmark, index, first=r == 0)
        for side in sides:
            side.save()
        a, b = (side.value(benchmark, index) for side in sides)
        ratio = f" {b / a:.3f}x" if a and b and math.isfinite(a / b) else ""
        out(f"[{n}/{len(todo)}] {label(benchmark, index)}: {shown(benchmark, a)} -> {shown(benchmark, b)}{ratio}")
        for tag, side, value in zip(("base", "head"), sides, (a, b), strict=True):
            if value is None or math.isnan(value):  # the benchmark's own words: a skip reason or the error
                out(f"    {tag}: {side.why.strip().splitlines()[-1] if side.why.strip() else 'no output'}")


def run(base, head, bench=None, factor=1.10, rounds=None, config=ROOT / "asv.conf.json"):
    settings = read_settings()
    os.environ.update(_sampling.with_process_environment(os.environ))
    confs = [configuration(config, side) for side in SIDES]
    repo = get_repo(confs[0])
    repo.pull()
    commits = [repo.get_hash_from_name(name) for name in (base, head)]
    machine = Machine.load(interactive=False)
    for conf in confs:
        shutil.rmtree(conf.results_dir, ignore_errors=True)
        machine.save(conf.results_dir)
    print(f"== installing {base} and {head} in {PAIR}", flush=True)
    sides = [Side(conf, repo, machine.__dict__, commit) for conf, commit in zip(confs, commits, strict=True)]
    benchmarks = Benchmarks.discover(confs[0], repo, [sides[0].env], [commits[0]], regex=bench)
    select(benchmarks, settings)
    if not benchmarks:
        raise util.UserError(f"no point selected runs under these settings ({settings.describe()})")
    benchmarks.save()  # asv compare reads the benchmarks' units from it, on either side
    shutil.copy(Path(confs[0].results_dir, "benchmarks.json"), confs[1].results_dir)
    try:
        for side in sides:
            side.start(benchmarks.benchmark_dir)
        measure(benchmarks, point_list(benchmarks), sides, sides[0].env._default_benchmark_timeout, rounds)
    finally:
        for side in sides:
            side.close()
    worsened, _ = Compare.print_table(
        confs[0],
        commits[0],
        commits[1],
        factor=factor,
        split=True,
        resultset_1=sides[0].rows(),
        resultset_2=sides[1].rows(),
        only_changed=True,
        sort="ratio",
        commit_names={commits[0]: base, commits[1]: head},
    )
    print("PERFORMANCE DECREASED." if worsened else "No point got slower beyond the factor.")
    return 1 if worsened else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base", help="the release compared against")
    parser.add_argument("head", help="the release under test (the same one for an A/A pair)")
    parser.add_argument("-b", "--bench", action="append", help="regex of the points to run, as for asv")
    parser.add_argument("--factor", type=float, default=1.10, help="asv compare's factor (default 1.10)")
    parser.add_argument("--rounds", type=int, help="processes per point and side (default: the suite's, 3 or 4)")
    args = parser.parse_args(argv)
    if args.factor <= 1:
        parser.error("--factor must be above 1")
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    # a plain kill closes the two forkservers too (their servers outlive this process otherwise)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return run(args.base, args.head, args.bench, args.factor, args.rounds)
    except util.UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""asv plugin: the ``PTBENCH_*`` settings decide which benchmark points an asv command runs.

Loaded by every configuration (``"plugins": [".ptbench.plugin"]``). For the commands that run
benchmarks (run, continuous, find, dev, profile) it

- checks the settings before anything starts: a bad value, or ``PTBENCH_DEVICE=cuda`` without a
  GPU, stops asv with one line naming what is allowed;
- checks that the configuration's Python exists when asv must build environments for it;
- refuses to save results under a machine recorded on other hardware (``ptbench.host``), and
  files them under the machine's stable values (``ptbench.host.series_values``), so that a new
  boot of a VM continues its machine's lines on the dashboard;
- narrows asv's selection (``-b`` included) to the points that run under the settings
  (``benchmarks.points``): the others never start a process and keep their earlier results;
- starts the benchmark processes with ``benchmarks._sampling.PROCESS_ENVIRONMENT`` (huge pages);
- records every sample, so ``asv compare`` and ``asv continuous`` test differences on the samples
  and the results keep each point's spread;
- prints only the points that ran in asv's result tables (a benchmark has thousands of points,
  most of them for other machines and settings).

asv has no hooks for these; the plugin wraps ``Benchmarks.discover`` (called only by the commands
that run benchmarks), ``Results.add_result`` and the runner's result formatting.
"""

import functools
import itertools
import math
import os
import sys

from asv import runner, util
from asv.benchmarks import Benchmarks
from asv.machine import Machine
from asv.results import Results
from asv_runner.statistics import get_err

from benchmarks import _sampling, points
from benchmarks._config import ConfigError, Settings

from . import host

RUNNING = {"Run", "Continuous", "Find", "Dev", "Profile"}
SAVING = {"Run", "Continuous"}  # the commands that file results under a machine
# asv_runner's note for every sample of several calls; it says what _sampling's docstring says.
INTERLEAVED_NOTE = "setup hooks re-run between the"


def _command():
    """The asv command class name and arguments of this process (parsed by asv already; again here)."""
    from asv.commands import make_argparser

    try:
        args = make_argparser()[0].parse_args(sys.argv[1:])
    except SystemExit:
        return None, None
    return getattr(getattr(getattr(args, "func", None), "__self__", None), "__name__", None), args


def read_settings(command=None, args=None):
    """The run's settings, checked against this machine, and the machine a saving run records
    under checked against this host; a one-line asv error otherwise."""
    try:
        settings = Settings.from_env()
        settings.check_machine()
        if command in SAVING and not getattr(args, "dry_run", False):
            host.check(getattr(args, "machine", None))
    except ConfigError as e:
        raise util.UserError(str(e)) from None
    return settings


def check_pythons(args):
    """Stop when asv would build environments for a Python this machine lacks."""
    if any(spec.startswith("existing") or spec.endswith(":same") for spec in args.env_spec or ()):
        return
    from asv.config import Config
    from asv.plugins.virtualenv import Virtualenv

    conf = Config.load(args.config)
    if conf.environment_type != "virtualenv":
        return
    for python in conf.pythons:
        if Virtualenv._find_python(python) is None:
            raise util.UserError(
                f"{conf.project} environments need Python {python} (every release in {conf.repo} has wheels "
                f"for it) and this machine has no python{python}: install it, or benchmark the installed "
                "torch with tools/bench.sh"
            )


def select(benchmarks, settings):
    """Narrow asv's selection in ``benchmarks`` to the points that run under ``settings``."""
    for name in list(benchmarks):
        suite, chosen = points.BENCHMARKS.get(name), benchmarks.benchmark_selection.get(name)
        if suite is None or chosen is None:
            continue
        chosen = set(chosen)
        keep = [
            index
            for index, values in enumerate(itertools.product(*benchmarks[name]["params"]))
            if index in chosen and points.reason(suite, points.parse_asv_params(values), settings) is None
        ]
        if keep:
            benchmarks.benchmark_selection[name] = keep
        else:
            del benchmarks[name]
            del benchmarks.benchmark_selection[name]
    return benchmarks


def without_notes(stderr):
    """asv's stderr of a benchmark without asv_runner's sampling notes, nor the blocks they leave
    empty ("For parameters: ..." headers with nothing under them)."""
    blocks = []
    for block in stderr.split("\n\n"):
        lines = [line for line in block.splitlines() if INTERLEAVED_NOTE not in line]
        if lines and not (len(lines) == 1 and lines[0].startswith("For parameters:")):
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks).strip()


def format_run_points(results, benchmark, _format=runner.format_benchmark_result):
    """asv's one-line status, and a table of only the points that have a value or failed."""
    info, details = _format(results, benchmark)
    if not benchmark["params"]:
        return info, details
    name = benchmark["name"]
    values = results.get_result_value(name, benchmark["params"])
    stats = results.get_result_stats(name, benchmark["params"])
    rows = [[*benchmark["param_names"], "result"]]
    for combo, value, stat in zip(itertools.product(*benchmark["params"]), values, stats, strict=True):
        if value is not None and math.isnan(value):
            continue
        shown = (
            "failed" if value is None else util.human_value(value, benchmark["unit"], err=stat and get_err(value, stat))
        )
        rows.append([v.strip("'") for v in combo] + [shown])
    details = util.format_text_table(rows, 1) if len(rows) > 1 else "no point ran"
    details += f"\n({len(values) - len(rows) + 1} other points n/a here; why: python -m benchmarks.points)"
    if None in values and results.stderr.get(name):
        details += f"\n{results.stderr[name]}"
    return info, details


def setup():
    """asv calls this when it loads the plugin, after reading its arguments."""
    command, args = _command()
    if command not in RUNNING:
        return
    settings = read_settings(command, args)
    check_pythons(args)
    # asv starts its benchmark processes with this process's environment.
    os.environ.update(_sampling.with_process_environment(os.environ))
    discover = Benchmarks.discover.__func__

    @functools.wraps(discover)
    def discover_selected(cls, *a, **k):
        found = discover(cls, *a, **k)
        matched = len(found)
        select(found, settings)
        if matched and not found:
            raise util.UserError(f"none of the selected points runs under these settings ({settings.describe()})")
        return found

    add_result = Results.add_result

    @functools.wraps(add_result)
    def add_result_with_samples(self, benchmark, result, *a, **k):
        k["record_samples"] = True
        return add_result(self, benchmark, result._replace(stderr=without_notes(result.stderr)), *a, **k)

    load_machine = Machine.load.__func__

    @functools.wraps(load_machine)
    def load_stable_machine(cls, *a, **k):
        machine = load_machine(cls, *a, **k)
        machine.__dict__.update(host.series_values(machine.__dict__))
        return machine

    Benchmarks.discover = classmethod(discover_selected)
    Machine.load = classmethod(load_stable_machine)
    Results.add_result = add_result_with_samples
    runner.format_benchmark_result = format_run_points

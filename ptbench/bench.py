"""The main job: benchmark the installed torch, record it in history, publish the dashboard.

    python -m ptbench.bench [asv run arguments]     # what tools/bench.sh runs

1. Reads the ``PTBENCH_*`` settings (a bad one stops here, in one line) and names the torch.
2. Places the installed torch in history (``history.installed``): its release, or the PyTorch
   commit it was built from.
3. Runs ``asv run --python=same`` as ``benchmarks.points.steps`` lays out: the untimed classes
   with points to measure under the settings, then the timed benchmarks round by round.
   asv saves results when a run ends, so an interrupt loses one class or one round. ``-b``
   among the arguments replaces the plan by one run (the plugin still applies the settings).
   A run that saves stops first if the asv machine was recorded on other hardware (``host``).
   ``--quick`` and ``--dry-run`` runs take one run per class and are never saved or published.
   ``--points REGEX`` keeps the plan but narrows each of its runs to the points whose asv name
   (``benchmark(params)``) the regex finds, e.g. one model's points.
   The saved results' samples say whether the machine held still (``steady``), and their times
   whether this host runs at the pace of the machine's other runs (``pace``): after each run that
   takes a benchmark's first round, and at the end. Last, a point's process that ran apart from
   its others is taken again (``retake``).
4. Publishes the dashboard so that it works offline (``ptbench.dashboard``).
"""

import os
import re
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from asv.util import load_json

from benchmarks import points
from benchmarks._config import ConfigError, Settings

from . import host, pace, retake, steady

ROOT = Path(__file__).resolve().parents[1]
ASV = [sys.executable, "-m", "asv"]


def say(line):
    print(f"== {line}", flush=True)


def installed_torch(settings):
    """(run config, publish config, commit, description) of the torch this Python imports, checked
    against the device."""
    import torch

    from history.installed import resolve

    if settings.device == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            f"PTBENCH_DEVICE=cuda but torch {torch.__version__} sees no CUDA device; use PTBENCH_DEVICE=cpu"
        )
    placed = resolve(torch.__version__, torch.version.git_version, os.environ.get("PTBENCH_PYTORCH_REPO"))
    return (*placed, f"torch {torch.__version__} (git {torch.version.git_version[:12]})")


def option(args, name, take=False):
    """The value of ``name VALUE`` or ``name=VALUE`` in ``args``, or None; ``take`` removes it."""
    for i, arg in enumerate(args):
        if arg == name:
            if i + 1 == len(args):
                raise ConfigError(f"{name} needs a value")
            value = args[i + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
        else:
            continue
        if take:
            del args[i : i + (arg == name) + 1]
        return value
    return None


def main(argv=None):
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        only = option(args, "--points", take=True)
        if only is not None:
            try:
                re.compile(only)
            except re.error as e:
                raise ConfigError(f"--points {only!r} is not a valid regex: {e}") from None
        settings = Settings.from_env()
        settings.check_machine()
        config, published, commit, torch_name = installed_torch(settings)
    except ConfigError as e:
        sys.exit(f"error: {e}")
    trial = any(a in ("--quick", "-q", "--dry-run", "-n") for a in args)
    if any(a in ("--quick", "-q") for a in args) and not any(a in ("--dry-run", "-n") for a in args):
        args.append("--dry-run")  # a single sample per point is a smoke test, not history
    try:
        machine = option(args, "--machine") or host.machine_name()
        if not trial:
            host.check(machine)
    except ConfigError as e:
        sys.exit(f"error: {e}")
    say(f"{torch_name}, recorded as {commit[:12]} ({Path(config).name}), machine {machine}")
    say(f"settings: {settings.describe()}")
    run = [*ASV, "--config", config, "run", "--python=same", f"--set-commit-hash={commit}", "--show-stderr"]
    chosen = any(a in ("-b", "--bench") or a.startswith("--bench=") for a in args)
    steps = [points.Step("selection", bench="", only=only)] if chosen else points.steps(settings, trial, only)
    conf = load_json(published, js_comments=True)
    # Other environments' files of the same commit (the release history's) are not this run's.
    folder = Path(published).parent / conf["results_dir"] / machine
    failed = False
    # A snapshot, not the clock: file times come from a coarser clock than time.time(), so a file
    # written within a tick of the start can look older than the start.
    before = {p: p.stat().st_mtime_ns for p in folder.glob(f"{commit[:8]}-*.json")}

    def saved():
        return sorted(p for p in folder.glob(f"{commit[:8]}-*.json") if before.get(p) != p.stat().st_mtime_ns)

    for step in steps:
        start = time.monotonic()
        selected = step.args
        if step.retake:
            names = []
            for path in saved():
                lines, found = retake.set_aside(path, step.bench, only=only)
                names += found
                for line in lines:
                    say(line)
            if not names:
                say(f"{step.label}: none, every point's processes within {retake.LIMIT:.2f}x of each other")
                continue
            selected = replace(step, bench=retake.regex(names)).args
        code = subprocess.run([*run, *selected, *args], cwd=ROOT).returncode
        failed |= code != 0
        outcome = "" if code == 0 else f", exit {code}"
        say(f"{step.label}: {time.monotonic() - start:.0f} s{outcome}")
        if step.first and not trial and code == 0:
            # A benchmark's first round says within minutes whether the machine holds still, and
            # whether it runs at the pace of its machine's other runs.
            for path in saved():
                say(steady.check(path.relative_to(ROOT), pattern=step.bench, one_process=True)[1])
                say(pace.check(path.relative_to(ROOT), pattern=step.bench)[1])
    if trial:
        say("a --quick or --dry-run run: nothing saved, the dashboard is unchanged")
        return 1 if failed else 0
    from .dashboard import publish

    publish(published)
    files = saved()
    say(f"results: {', '.join(str(p.relative_to(ROOT)) for p in files) or 'none saved'}")
    for path in files:
        say(steady.check(path.relative_to(ROOT))[1])
        say(pace.check(path.relative_to(ROOT))[1])
    html = Path(published).parent / conf["html_dir"]
    python = Path(sys.executable).absolute()  # .venv's, or the machine's own (tools/aa_runs.sh PYTHON=...)
    python = python.relative_to(ROOT) if python.is_relative_to(ROOT) else python
    preview = f"{python} -m asv --config {Path(published).name} preview"
    say(f"dashboard: {html.relative_to(ROOT)}/index.html, works offline; serve it with: {preview}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

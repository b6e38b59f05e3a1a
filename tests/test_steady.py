"""ptbench.steady on result files with known spans, and tools/history.sh keeping an unsteady run
out of results/ (asv and the setup replaced by stand-ins, so it runs in a second)."""

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from asv_results import committed

from benchmarks import points
from benchmarks._config import Settings
from ptbench import retake, steady

ROOT = Path(__file__).resolve().parents[1]
TIMED = "autograd_functional.Time.time_call"
UNTIMED = "autograd_functional.PeakMemory.peakmem_call"
STATS = ["stats_ci_99_a", "stats_ci_99_b", "stats_q_25", "stats_q_75", "stats_number", "stats_repeat"]
COLUMNS = ["result", "params", "version", "samples", *STATS]


def result_file(spread, version="5", points=5, time=0.010, apart=1.0):
    """Timed points whose 12 samples run from ``time`` (10 ms) to ``time * spread``, the first point's
    third process (samples 7-9) ``apart`` times slower, and one untimed point whose wide samples must
    not count."""
    samples = [time * (1 + (spread - 1) * i / 11) for i in range(12)]
    first = [x * apart if 6 <= i < 9 else x for i, x in enumerate(samples)]
    # Besides them, a point that failed (no value) and one with a single sample (a --quick run's).
    params = [[f"'p{i}'" for i in range(points + 2)]]
    values = [time] * points + [float("nan"), time]
    stats = [[1] * (points + 2) for _ in STATS]
    return {
        "result_columns": COLUMNS,
        "results": {
            TIMED: [values, params, version, [first] + [samples] * (points - 1) + [None, [0.01]], *stats],
            UNTIMED: [[1e6], [], "1", [[1e6, 9e6, 5e6]], *[[1]] * len(STATS)],
        },
    }


def tree(tmp_path, data):
    """results/benchmarks.json and results/m/2.11.0-env.json, as asv lays them out."""
    (tmp_path / "results" / "m").mkdir(parents=True)
    versions = {TIMED: {"version": "5"}, UNTIMED: {"version": "1"}, "version": 2}
    (tmp_path / "results" / "benchmarks.json").write_text(json.dumps(versions))
    path = tmp_path / "results" / "m" / "2.11.0-env.json"
    path.write_text(json.dumps(data))
    return path


def test_the_median_span_decides(tmp_path):
    path = tree(tmp_path, result_file(1.07))
    ok, line = steady.check(path)
    assert ok and "5 timed points, their samples span a median 1.070x" in line
    path.write_text(json.dumps(result_file(1.25)))
    ok, line = steady.check(path)
    assert not ok and "median 1.250x" in line and "above 1.10x" in line
    assert steady.check(path, limit=1.3)[0]
    assert steady.main([str(path)]) == 1


def test_a_first_round_has_its_own_limit_and_a_selection_its_points(tmp_path, capsys):
    path = tree(tmp_path, result_file(1.05))
    assert steady.main([str(path)]) == 0
    assert steady.main([str(path), "--one-process"]) == 1  # one process's samples: 1.03x at most
    assert "above 1.03x" in capsys.readouterr().out
    assert steady.main([str(path), "--one-process", "-b", "^timm_suite"]) == 0
    assert "no timed point" in capsys.readouterr().out
    assert steady.main([str(path), "--probe"]) == 0  # a probe's few points: 1.05x at most
    assert "(one process each)" in capsys.readouterr().out
    assert steady.main([str(path), "--probe", "--limit", "1.04"]) == 1
    # -b also selects points by their asv names, as asv run -b does
    assert steady.main([str(path), "-b", r"\('p[12]'\)$"]) == 0
    assert "2 timed points" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        steady.main([str(path), "-b", "("])
    assert "-b '(' is not a regex" in capsys.readouterr().err


def test_other_versions_and_single_samples_do_not_count(tmp_path):
    # Points of an earlier version (a release measured before the method changed) are not this run's.
    ok, line = steady.check(tree(tmp_path, result_file(1.9, version="4")))
    assert ok and "no timed point" in line


def test_a_bad_file_is_one_line(tmp_path, capsys):
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(SystemExit) as stopped:
        steady.main([str(tmp_path / "x.json")])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.startswith(f"error: {tmp_path / 'x.json'}: not an asv result file")


def git(cwd, *args):
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args]
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout


def history(tmp_path, spreads, stray=None, options=(), neighbor=0.010, levels=()):
    """tools/history.sh --commit 2.11.0 in a copy of the repository whose asv writes the release's
    result file with the next of ``spreads`` on each of its runs (10 ms a point; a spread, or
    (spread, apart) for ``result_file``), beside 2.10.0's committed run at ``neighbor`` seconds a
    point, or a whole result file for a dict; the --bench of each asv run in ``selected``, and the
    run recorded in the release's file before each in ``found``. ``ptbench.level`` (a pair of
    installed releases) is a stand-in that exits with the next of ``levels`` (0 once they run out)
    and appends the result file it was given to the file ``levels``."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "tools", repo / "tools")
    (repo / "tools" / "setup.sh").write_text("")
    (repo / ".venv" / "bin").mkdir(parents=True)
    python = repo / ".venv" / "bin" / "python"
    python.write_text(  # with this environment's packages
        "#!/bin/sh\n"
        '[ "$2" = ptbench.level ] && { echo "$3" >> levels; echo "== level stand-in";'
        ' exit $(sed -n "$(wc -l < levels)p" level-codes); }\n'
        f'exec {sys.executable} "$@"\n'
    )
    python.chmod(0o755)
    stand_in = repo / ".venv" / "bin" / "asv"
    stand_in.write_text(
        "#!/bin/sh\n"
        "n=$(cat runs 2>/dev/null || echo 0); echo $((n + 1)) > runs\n"
        "printf '%s\\n' \"$4\" >> selected\n"
        # what the release's file held before this run: a probe's times are put back
        """{ grep -o '"run": [0-9]*' results/m/2.11.0-env.json || echo none; } >> found\n"""
        "cp spreads/$n.json results/m/2.11.0-env.json\n"
    )
    stand_in.chmod(0o755)
    path = tree(repo, result_file(1.0))
    (repo / "results" / "m" / "2.10.0-env.json").write_text(json.dumps(result_file(1.02, time=neighbor)))
    (repo / "level-codes").write_text("".join(f"{code}\n" for code in levels) + "0\n" * len(spreads))
    (repo / "spreads").mkdir()
    for i, spread in enumerate(spreads):
        if isinstance(spread, dict):  # a whole result file
            data = spread
        else:
            spread, apart = spread if isinstance(spread, tuple) else (spread, 1.0)
            data = result_file(spread, apart=apart)
        (repo / "spreads" / f"{i}.json").write_text(json.dumps({**data, "run": i}))
    (repo / ".gitignore").write_text(".venv/\n.asv/\nspreads/\nruns\nselected\nfound\nlevels\nlevel-codes\n")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "start")
    if stray:  # another run's file, e.g. the main job's: not the release's to judge or move
        (repo / "results" / "m" / stray).write_text(json.dumps(result_file(1.9)))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        ["bash", "tools/history.sh", "--commit", *options, "2.11.0"], cwd=repo, env=env, capture_output=True, text=True
    )
    return repo, path, proc


def plan():
    """(kind, label, regex) of each asv run of tools/history.sh, as ``benchmarks.points --runs`` prints them."""
    out = subprocess.check_output([sys.executable, "-m", "benchmarks.points", "--runs", "--probe"], cwd=ROOT, text=True)
    return [line.split("\t")[:3] for line in out.splitlines()]


def test_history_commits_a_steady_run_and_keeps_an_unsteady_one_aside(tmp_path):
    steps = plan()
    timing = [i for i, (kind, _, regex) in enumerate(steps) if kind in ("first", "timed") and re.search(regex, TIMED)]
    assert [steps[i][0] for i in timing] == ["first", "timed", "timed", "timed"]
    assert steps[timing[0] - 1][0] == "probe" and TIMED in steps[timing[0] - 1][1]
    untimed = max(i for i, (kind, _, _) in enumerate(steps) if kind == "untimed")  # the last untimed run
    assert steps[-1][0] == "retake" and re.search(steps[-1][2], TIMED)
    repo, path, proc = history(tmp_path / "steady", [1.02] * len(steps))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert git(repo, "status", "--porcelain") == ""
    assert "Release history: torch 2.11.0, the timed benchmarks" in git(repo, "log", "-1", "--format=%s")
    assert "retake: a process apart from its point's others: none" in proc.stdout
    assert (repo / "runs").read_text().strip() == str(len(steps) - 1)  # no asv run to retake
    # The level checked after the first round, and again before the commit.
    assert (repo / "levels").read_text() == f"{path.relative_to(repo)}\n" * 2

    # Steady and at the machine's pace, but off the series' level after the first round: stopped
    # there, before the other rounds.
    repo, path, proc = history(tmp_path / "level", [1.02] * len(steps), levels=[1])
    assert proc.returncode == 1
    stopped = (
        f"== 2.11.0, {steps[timing[0]][1]}: not committed, kept in .asv/unsteady/; stopping: this host is not at the"
    )
    assert stopped in proc.stdout and "== level stand-in" in proc.stdout
    assert (repo / "runs").read_text().strip() == str(timing[0] + 1)
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert json.loads(path.read_text())["run"] == untimed  # the last untimed run's, committed
    kept = repo / ".asv" / "unsteady" / "results" / "m" / path.name
    assert json.loads(kept.read_text())["run"] == timing[0]
    # Off level once, then on it: the first round alone (after its probe) is taken again.
    repo, path, proc = history(
        tmp_path / "level-again", [1.02] * (len(steps) + 2), levels=[1], options=("--tries", "2", "--wait", "0")
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "try 2 of 2: this round again in 0 s" in proc.stdout
    assert len((repo / "levels").read_text().splitlines()) == 3
    assert git(repo, "status", "--porcelain") == ""
    # On level after the first round, off it at the end: nothing timed is committed.
    repo, path, proc = history(tmp_path / "level-end", [1.02] * len(steps), levels=[0, 1])
    assert proc.returncode == 1
    stopped = "== 2.11.0, the timed runs: not committed, kept in .asv/unsteady/; stopping: this host is not at the"
    assert stopped in proc.stdout
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert json.loads(path.read_text())["run"] == untimed
    kept = repo / ".asv" / "unsteady" / "results" / "m" / path.name
    assert json.loads(kept.read_text())["run"] == len(steps) - 2  # the last timed round's file
    for levels in ([2], [0, 2]):  # the pair failed: no second try
        repo, path, proc = history(
            tmp_path / f"no-level{len(levels)}", [1.02] * len(steps), levels=levels, options=("--tries", "3")
        )
        assert proc.returncode == 1 and "stopping: the host's level could not be measured" in proc.stdout

    # The last round leaves a point with a process apart: that point alone is run once more.
    spreads = [1.02] * len(steps)
    spreads[-2] = (1.02, 1.3)  # the file as the last run before the retake leaves it
    repo, path, proc = history(tmp_path / "retake", spreads)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{TIMED}('p0'): process 3 of 4 at 1.307x" in proc.stderr
    assert (repo / "selected").read_text().splitlines()[-1] == retake.regex([f"{TIMED}('p0')"])
    assert json.loads(path.read_text())["run"] == len(steps) - 1  # the retake's run, committed
    assert git(repo, "status", "--porcelain") == ""

    # The last round unsteady: results/ is left as the untimed runs committed it.
    stray = "2.14.1-existing-py.json"
    spreads = [1.02] * len(steps)
    spreads[timing[-1]] = 1.4
    repo, path, proc = history(tmp_path / "unsteady", spreads, stray=stray)
    assert proc.returncode == 1
    assert "median 1.400x" in proc.stdout and "not committed, kept in .asv/unsteady/" in proc.stdout
    assert "1.900x" not in proc.stdout
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == f"?? results/m/{stray}\n"
    assert json.loads(path.read_text())["run"] == untimed  # the last untimed run's, committed
    kept = repo / ".asv" / "unsteady" / "results" / "m" / path.name
    assert kept.read_text() == json.dumps({**result_file(1.4), "run": timing[-1]})

    # One process a point spanning 1.05x, steady for a whole run: the first timed round stops the run.
    spreads = [1.02] * len(steps)
    spreads[timing[0]] = 1.05
    repo, path, proc = history(tmp_path / "first", spreads)
    assert proc.returncode == 1
    assert "median 1.050x" in proc.stdout and "above 1.03x" in proc.stdout
    assert (repo / "runs").read_text().strip() == str(timing[0] + 1)  # no asv run after it

    # Steady, at half the speed of the committed 2.10.0: the first round is taken again (a shared
    # host's speed moves), and when every try is off the pace, nothing timed is committed.
    repo, path, proc = history(
        tmp_path / "pace", [1.02] * len(steps), options=("--tries", "3", "--wait", "0"), neighbor=0.005
    )
    assert proc.returncode == 1
    assert "2.000x (6 points), beyond 1.25x" in proc.stdout
    assert proc.stdout.count("this round again in 0 s") == 2
    assert "stopping: this host is not at the machine's pace (above)" in proc.stdout
    assert (repo / "runs").read_text().strip() == str(timing[0] + 5)  # each try, the probe and the round
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert json.loads(path.read_text())["run"] == untimed  # the last untimed run's, committed

    # With a second try the round is taken again (after its probe, nothing before them) and passes.
    spreads[timing[0] + 1 : timing[0] + 1] = [1.02, 1.02]  # the probe and the round again
    repo, path, proc = history(tmp_path / "again", spreads, options=("--tries", "2", "--wait", "0"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "try 2 of 2: this round again in 0 s" in proc.stdout
    assert (repo / "runs").read_text().strip() == str(len(steps) + 1)
    probe, first = steps[timing[0] - 1][2], steps[timing[0]][2]
    selected = (repo / "selected").read_text().splitlines()
    assert selected[timing[0] - 1 : timing[0] + 3] == [probe, first, probe, first]  # the probe again first
    assert json.loads(path.read_text())["run"] == len(steps)  # the second try's last run, committed
    assert git(repo, "status", "--porcelain") == ""

    # A later round unsteady twice: only that round is taken again, and a third try passes.
    spreads = [1.02] * len(steps)
    spreads[timing[2] : timing[2]] = [1.4, 1.4]
    repo, path, proc = history(tmp_path / "later", spreads, options=("--tries", "3", "--wait", "0"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("this round again in 0 s") == 2
    assert (repo / "runs").read_text().strip() == str(len(steps) + 1)
    rounds = sum(kind in ("first", "timed") for kind, _, _ in steps)
    assert f"the timed benchmarks' {rounds} runs" in git(repo, "log", "-1", "--format=%s")


def probe_file(spread, regex):
    """A result file whose timed points include those a probe's ``regex`` selects (as asv names
    them), three samples each from 10 ms to ``spread`` times that."""
    space = points.SUITES["autograd_functional.Time"].space
    chosen = [p for p in space.points() if re.search(regex, points.asv_name(TIMED, p))]
    params = [[repr(v) for v in dict.fromkeys(p[name] for p in chosen)] for name in space.names]
    n = len(list(itertools.product(*params)))
    samples = [0.010 * (1 + (spread - 1) * i / 2) for i in range(3)]
    data = result_file(1.0)
    data["results"][TIMED] = [[0.010] * n, params, "5", [samples] * n, *[[1] * n for _ in STATS]]
    return data


def test_a_probe_before_the_first_round_saves_an_unsteady_round(tmp_path):
    """The first round's first points, taken first: unsteady, they are set aside and taken again
    after --wait, without the round; steady, they are put back and the round follows."""
    steps = plan()
    at = next(i for i, (kind, label, _) in enumerate(steps) if kind == "probe" and TIMED in label)
    regex = steps[at][2]
    assert len(points.first_points(Settings.from_env(), regex, 99)) == points.PROBE_POINTS
    spreads = [1.02] * (len(steps) + 1)
    spreads[at : at + 2] = [probe_file(1.08, regex), probe_file(1.02, regex)]
    repo, path, proc = history(tmp_path, spreads, options=("--tries", "2", "--wait", "0"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    probed = f"== 2.11.0, {steps[at][1]}: not committed, kept in .asv/unsteady/; try 2 of 2: this round again in 0 s"
    assert f"{points.PROBE_POINTS} timed points (one process each), their samples span a median 1.080x" in proc.stdout
    assert "above 1.05x" in proc.stdout and probed in proc.stdout
    selected = (repo / "selected").read_text().splitlines()
    assert selected[at : at + 3] == [regex, regex, steps[at + 1][2]]  # no round between the probes
    found = (repo / "found").read_text().splitlines()
    assert found[at + 1 : at + 3] == [f'"run": {at - 1}'] * 2  # each probe's file put back
    kept = repo / ".asv" / "unsteady" / "results" / "m" / path.name
    assert json.loads(kept.read_text())["run"] == at
    assert git(repo, "status", "--porcelain") == ""
    assert json.loads(path.read_text())["run"] == len(steps) - 1


def test_committed_runs_are_steady():
    files = [p for p in committed() if p.parent.parent.name == "results" and p.name != "machine.json"]
    assert files
    unsteady = [line for ok, line in map(steady.check, files) if not ok]
    assert not unsteady, unsteady

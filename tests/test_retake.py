"""ptbench.retake on result files with known processes, and on the committed runs."""

import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from asv.results import Results
from asv_results import committed
from asv_runner.statistics import compute_stats

from ptbench import retake
from ptbench.results import current_versions

TIMED = "autograd_functional.Time.time_call"  # four processes a point, three samples each
COLUMNS = ["result", "params", "version", "stats_ci_99_a", "stats_ci_99_b", "stats_q_25", "stats_q_75"]
COLUMNS += ["stats_number", "stats_repeat", "samples"]
PARAMS = [["'resnet18'", "'wav2letter'"], ["'vjp'", "'hvp'"], ["'torch.func'"], ["'small'"], ["'cpu'"]]


def process(level):
    return [0.010 * level, 0.0101 * level, 0.0102 * level]


def result_file(tmp_path, levels, version="5"):
    """results/m/x.json with one point per entry of ``levels``: each process's speed (None: a point
    whose samples do not split into four processes), beside results/benchmarks.json."""
    samples = [[x for level in each for x in process(level)] if each else [0.01] * 11 for each in levels]
    stats = [compute_stats(s, 3) for s in samples]
    row = [[value for value, _ in stats], PARAMS, version]
    row += [[stat[key] for _, stat in stats] for key in ("ci_99_a", "ci_99_b", "q_25", "q_75", "number", "repeat")]
    row.append(samples)
    data = {
        "version": 2,
        "result_columns": COLUMNS,
        "results": {TIMED: row},
        "params": {"machine": "m"},
        "requirements": {},
    }
    data |= {"commit_hash": "2.11.0", "env_name": "env", "date": 1, "python": "3.11", "env_vars": {}, "machine": "m"}
    (tmp_path / "results" / "m").mkdir(parents=True)
    (tmp_path / "results" / "benchmarks.json").write_text(json.dumps({TIMED: {"version": "5"}, "version": 2}))
    path = tmp_path / "results" / "m" / "x.json"
    path.write_text(json.dumps(data))
    return path


def names():
    """asv's name of each point of the file, as ``asv run -b`` matches them."""
    return [f"{TIMED}({', '.join(combo)})" for combo in itertools.product(*PARAMS)]


def column(path, key):
    data = json.loads(path.read_text())
    return data["results"][TIMED][COLUMNS.index(key)]


def test_the_process_apart_is_removed_and_its_point_selected(tmp_path):
    levels = [(1, 1, 1.3, 1), (1, 1.12, 1, 1), (1, 1, 1, 0.8), (1, 1.4, 1.3, 1)]
    path = result_file(tmp_path, levels)
    before = column(path, "samples")
    lines, found = retake.set_aside(path)
    # 1.3x apart; within 1.15x; 0.8x (faster counts too); two apart, the further taken
    assert found == [names()[0], names()[2], names()[3]]
    assert lines[0] == f"{names()[0]}: process 3 of 4 at 1.300x of the others, taken again"
    samples = column(path, "samples")
    assert samples[0] == before[0][:6] + before[0][9:]
    assert samples[1] == before[1]
    assert samples[3] == before[3][:3] + before[3][6:]
    value, stats = compute_stats(samples[0], 3)
    assert column(path, "result")[0] == value and column(path, "stats_q_75")[0] == stats["q_75"]
    selected = [name for name in names() if re.search(retake.regex(found), name)]
    assert selected == found
    Results.load(str(path))  # asv reads the file it appends the new processes to


def test_nothing_apart_leaves_the_file_as_it_was(tmp_path):
    path = result_file(tmp_path, [(1, 1.1, 1, 1), None, (1, 1, 1, 0.9), (1.05, 1, 1, 1)])
    text = path.read_text()
    assert retake.set_aside(path) == ([], [])
    assert path.read_text() == text and retake.regex([]) == ""


def test_other_versions_and_selections_are_left_alone(tmp_path):
    path = result_file(tmp_path, [(1, 1, 2, 1)] * 4, version="4")
    assert retake.set_aside(path) == ([], [])
    path = result_file(tmp_path / "b", [(1, 1, 2, 1)] * 4)
    assert retake.set_aside(path, pattern="^timm_suite") == ([], [])
    assert len(retake.set_aside(path, limit=2.5)[1]) == 0
    text = path.read_text()
    assert retake.set_aside(path, only="'alexnet'") == ([], []) and path.read_text() == text
    assert retake.set_aside(path, only="'wav2letter', 'hvp'")[1] == [names()[3]]  # the main job's --points
    assert len(retake.set_aside(path)[1]) == 3


def test_the_command_prints_only_the_regex_and_lists_without_change(tmp_path, capsys):
    path = result_file(tmp_path, [(1, 1, 1.3, 1), (1, 1, 1, 1), (1, 1, 1, 1), (1, 1, 1, 1)])
    text = path.read_text()
    assert retake.main([str(path), "--list"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "process 3 of 4 at 1.300x" in err and path.read_text() == text
    assert retake.main([str(path)]) == 0
    out, err = capsys.readouterr()
    assert out == retake.regex([names()[0]]) + "\n"
    assert "1 timed points with a process beyond 1.15x" in err
    with pytest.raises(SystemExit):
        retake.main([str(tmp_path / "missing.json")])


# Taken before the rule, on the faster host of that machine name: processes apart, left as taken
# (beit_base_patch16_224 and repvgg_a2 slower, adv_inception_v3 inference at one of two speeds).
BEFORE_RULE = {"vm-x86-2cpu-24gb/2.0.1-virtualenv-py3.11.json": 2, "vm-x86-2cpu-24gb/2.7.1-virtualenv-py3.11.json": 3}
# Taken again under the rule and apart again, so left (the rule retakes once): in 2.14.1 regnety_002
# inference compiled, its third process at 1.178x of the others, retaken at 1.157x; in 2.7.1
# resnet18 vhp through autograd.functional, its second at 0.813x, retaken, then the first apart at
# 1.227x; in 2.11.0 lcnet_050 inference, its third at 1.223x, retaken, then the first at 1.155x;
# in 2.10.0 lcnet_050 inference again, its first at 0.818x, retaken at 0.842x; in 2.8.0 regnety_002
# inference compiled again, its second at 0.863x, retaken, then the new third at 1.215x; in 2.5.1
# two, regnety_002 inference compiled once more (first at 1.184x, retaken, then one at 1.159x) and
# rexnet_100 training (third at 1.252x, retaken at 1.431x).
RETAKEN_APART = {
    f"vm-x86-2cpu-24gb-model17/{release}-virtualenv-py3.11.json": points
    for release, points in {"2.5.1": 2, "2.7.1": 1, "2.8.0": 1, "2.10.0": 1, "2.11.0": 1, "2.14.1": 1}.items()
}


def test_committed_runs_have_no_process_apart():
    files = [p for p in committed() if p.parent.parent.name == "results" and p.name != "machine.json"]
    found = {}
    for path in files:
        hits = retake.apart(json.loads(path.read_text()), current_versions(path))
        found[f"{path.parent.name}/{path.name}"] = len(hits)
    assert {name: n for name, n in found.items() if n} == BEFORE_RULE | RETAKEN_APART


@pytest.mark.slow
def test_asv_appends_the_new_process_to_the_retaken_points_only(tmp_path):
    """The real asv: a run of four processes a point, one process made slow in the file, set aside,
    and the retake's run adding one process to that point and leaving the other as it was."""
    from test_asv_run import ASV, make_suite

    env = {k: v for k, v in os.environ.items() if not k.startswith("PTBENCH_")} | {"HOME": str(tmp_path)}
    env |= {"PTBENCH_DEVICE": "cpu", "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    work = tmp_path / "suite"
    make_suite(work, env)
    run = [*ASV, "run", "--python=same", "--set-commit-hash=HEAD", "--show-stderr", "-a", "rounds=1"]
    first = r"time_call\('ppl_simple_reg', 'vjp'"  # both backends
    for options in ([], *[["--append-samples"]] * 3):  # four processes a point, as the main job takes them
        subprocess.run([*run, "-b", first, *options], cwd=work, env=env, check=True, capture_output=True)
    (path,) = [p for p in (work / "results" / "ci").glob("*.json") if p.name != "machine.json"]
    data = json.loads(path.read_text())
    row = data["results"][TIMED]
    samples = row[data["result_columns"].index("samples")]
    measured = [i for i, s in enumerate(samples) if s]
    assert len(measured) == 2 and all(len(samples[i]) == 12 for i in measured)
    slow = measured[0]
    samples[slow][3:6] = [x * 2 for x in samples[slow][3:6]]  # its second process twice as slow
    path.write_text(json.dumps(data))
    before = [list(samples[i]) for i in measured]
    lines, found = retake.set_aside(path)
    assert lines[0].startswith(f"{found[0]}: process 2 of 4 at ") and "ppl_simple_reg" in found[0]
    subprocess.run([*run, "-b", retake.regex(found), "--append-samples"], cwd=work, env=env, check=True)
    after = json.loads(path.read_text())["results"][TIMED][data["result_columns"].index("samples")]
    kept = before[0][:3] + before[0][6:]
    assert after[slow][:9] == kept and len(after[slow]) == 12
    other = measured[1]
    if len(found) == 1:  # the other point's processes within the limit: untouched
        assert after[other] == before[1]
    else:  # its own process apart, taken again the same way
        assert len(after[other]) == 12

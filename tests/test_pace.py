"""ptbench.pace: which committed run a result file's times are set against, and the limit."""

import json

import pytest
from asv_results import committed_copy
from test_steady import result_file, tree

from ptbench import pace


def beside(path, name, time, version="5"):
    """Another result file in ``path``'s machine folder, 10 ms points scaled to ``time``."""
    other = path.parent / name
    other.write_text(json.dumps(result_file(1.02, version=version, time=time)))
    return other


def test_the_same_torch_first_then_the_nearest_release(tmp_path):
    path = tree(tmp_path, result_file(1.02))  # results/m/2.11.0-env.json, 10 ms a point
    assert pace.check(path) == (True, f"{path}: the machine has no run sharing 5 timed points to set its times against")
    beside(path, "2.12.1-env.json", 0.009)
    beside(path, "2.10.0-env.json", 0.008)  # as near as 2.12.1: the older is taken
    beside(path, "2.4.1-env.json", 0.020)
    ok, line = pace.check(path)
    assert ok and "over 2.10.0-env.json's: autograd_functional.Time.time_call 1.250x (6 points)" in line
    beside(path, "2.11.0-other.json", 0.012)  # the same torch in another environment
    ok, line = pace.check(path)
    assert ok and "over 2.11.0-other.json's" in line and "0.833x" in line


def test_beyond_the_limit_either_way(tmp_path, capsys):
    path = tree(tmp_path, result_file(1.02))
    other = beside(path, "2.11.0-other.json", 0.0079)
    ok, line = pace.check(path)
    assert not ok and "1.266x (6 points), beyond 1.25x" in line and "python -m ptbench.host NAME" in line
    assert pace.main([str(path)]) == 1
    assert pace.main([str(path), "--limit", "1.3"]) == 0
    assert pace.main([str(path), "-b", "^timm_suite"]) == 0  # no point selected: nothing to judge
    other.write_text(json.dumps(result_file(1.02, time=0.0127)))
    assert not pace.check(path)[0]  # 0.787x: a faster host is not the machine either
    capsys.readouterr()
    with pytest.raises(SystemExit) as e:
        pace.main([str(tmp_path / "missing.json")])
    assert e.value.code == 2 and "not an asv result file" in capsys.readouterr().err


def test_other_versions_commits_and_few_points_do_not_count(tmp_path):
    path = tree(tmp_path, result_file(1.02))
    beside(path, "2.10.0-env.json", 0.005, version="4")  # measured the old way
    beside(path, "0a1b2c3d-env.json", 0.005)  # a PyTorch commit: no version to be near
    (path.parent / "2.12.1-env.json").write_text(json.dumps(result_file(1.02, points=4, time=0.005)))
    assert pace.check(path)[0]
    assert "no run sharing" in pace.check(path)[1]


def test_committed_runs_keep_their_machine_pace(tmp_path):
    # A copy: a user's own runs beside the committed ones (the main job's) are not set against.
    results = committed_copy(tmp_path / "results")
    judged = [pace.check(p) for p in sorted(results.glob("*/*.json")) if p.name != "machine.json"]
    assert sum("median time over" in line for _, line in judged) >= 4
    assert all(ok for ok, _ in judged), [line for ok, line in judged if not ok]

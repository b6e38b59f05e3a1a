"""ptbench.level: a release run's level against its series, from a pair of the two releases."""

import json

import pytest
from test_steady import TIMED, result_file, tree

from ptbench import level


def pairs(ratio, points=5, base=0.010):
    """A pairs.json record: each point's two rounds of 6 samples, the head ``ratio`` times the base,
    every pair moving with the machine (the base's samples 10-16 ms)."""
    samples = [[base * (1 + 0.1 * (i + r)) for i in range(6)] for r in range(2)]
    head = [[x * ratio for x in r] for r in samples]
    return [{"name": TIMED, "params": [f"'p{i}'"], "base": samples, "head": head} for i in range(points)]


def series(tmp_path, time):
    """The release's run (2.11.0, ``time`` a point) beside the series' 2.10.0 at 10 ms a point."""
    path = tree(tmp_path, result_file(1.02, time=time))
    (path.parent / "2.10.0-env.json").write_text(json.dumps(result_file(1.02, time=0.010)))
    return path


def test_the_run_over_the_reference_divided_by_the_paired_ratio(tmp_path):
    path = series(tmp_path, 0.0115)  # 1.15x in the series
    ok, lines = level.check(path, "2.10.0-env.json", pairs(1.15))  # and 1.15x measured in turns
    assert ok and "ran at a median 1.000x of the series' level (5 points" in lines[-1] and "within 1.05x" in lines[-1]
    assert lines[0] == f"{TIMED}('p0'): 1.150x in the series, 1.150x paired, level 1.000x"
    ok, lines = level.check(path, "2.10.0-env.json", pairs(1.0))  # the release changed nothing: the host did
    assert not ok and "median 1.150x" in lines[-1] and "beyond 1.05x" in lines[-1]
    ok, lines = level.check(path, "2.10.0-env.json", pairs(1.2))
    assert ok and "0.958x" in lines[-1]
    assert not level.check(path, "2.10.0-env.json", pairs(1.3))[0]  # faster than the series counts too
    assert level.check(path, "2.10.0-env.json", pairs(1.0), limit=1.2)[0]


def test_too_few_points_side_by_side_is_no_verdict(tmp_path):
    path = series(tmp_path, 0.010)
    record = pairs(1.0, points=7)  # p5 failed in the run (no value): not a point side by side
    ok, lines = level.check(path, "2.10.0-env.json", record)
    assert ok and "(6 points" in lines[-1]
    record[1]["head"] = [None, None]  # a side that failed has no pairs
    record[2]["name"] = "autograd_functional.PeakMemory.peakmem_call"  # not timed
    ok, lines = level.check(path, "2.10.0-env.json", record)
    assert not ok and "only 4 points" in lines[-1] and "unknown" in lines[-1]


def pair_folder(tmp_path, base, head, record):
    """A ptbench.pair run's folder: pairs.json and each side's result file in its machine folder."""
    folder = tmp_path / "pair"
    for side, commit in (("1", base), ("2", head)):
        (folder / side / "m").mkdir(parents=True)
        (folder / side / "m" / f"{commit}-env.json").write_text(json.dumps(result_file(1.02)))
    (folder / "pairs.json").write_text(json.dumps(record))
    return folder / "pairs.json"


def test_main_judges_a_pair_of_the_right_releases(tmp_path, capsys):
    path = series(tmp_path / "series", 0.0115)
    record = pair_folder(tmp_path / "good", "2.10.0", "2.11.0", pairs(1.15))
    assert level.main([str(path), "--pairs", str(record)]) == 0
    assert "within 1.05x" in capsys.readouterr().out
    record = pair_folder(tmp_path / "off", "2.10.0", "2.11.0", pairs(1.0))
    assert level.main([str(path), "--pairs", str(record)]) == 1
    assert "not at" not in (out := capsys.readouterr().out) and "beyond 1.05x" in out
    record = pair_folder(tmp_path / "other", "2.9.1", "2.11.0", pairs(1.15))
    with pytest.raises(SystemExit) as stopped:
        level.main([str(path), "--pairs", str(record)])
    assert stopped.value.code == 2
    assert "is a pair of 2.9.1 -> 2.11.0, not 2.10.0 -> 2.11.0" in capsys.readouterr().err


def test_the_reference_is_the_nearest_release_with_autograd_times(tmp_path, capsys):
    both = result_file(1.02, time=0.0115)
    both["results"]["timm_suite.Eager.time_step"] = both["results"][TIMED]
    path = tree(tmp_path / "series", both)
    versions = json.loads((path.parent.parent / "benchmarks.json").read_text())
    versions["timm_suite.Eager.time_step"] = {"version": "5"}
    (path.parent.parent / "benchmarks.json").write_text(json.dumps(versions))
    timm = result_file(1.02)
    timm["results"] = {"timm_suite.Eager.time_step": timm["results"][TIMED]}
    (path.parent / "2.10.0-env.json").write_text(json.dumps(timm))  # nearest, but timm times alone
    (path.parent / "2.4.1-env.json").write_text(json.dumps(result_file(1.02)))
    record = pair_folder(tmp_path, "2.4.1", "2.11.0", pairs(1.15))
    assert level.main([str(path), "--pairs", str(record)]) == 0
    assert "against 2.4.1-env.json" in capsys.readouterr().out


def test_a_first_release_has_nothing_to_be_level_with(tmp_path, capsys):
    path = tree(tmp_path, result_file(1.02))
    assert level.main([str(path)]) == 0
    assert "no other run to set its level against" in capsys.readouterr().out
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(SystemExit) as stopped:
        level.main([str(tmp_path / "x.json")])
    assert stopped.value.code == 2


def test_main_takes_the_pair_of_the_reference_and_the_release(tmp_path, monkeypatch, capsys):
    path = series(tmp_path / "series", 0.0115)
    calls = []

    def run(base, head, bench, rounds, machine):  # ptbench.pair.run, which installs both releases
        calls.append((base, head, bench, rounds, machine))
        pair_folder(tmp_path, base, head, pairs(1.15))

    monkeypatch.setattr(level.pair, "PAIR", tmp_path / "pair")
    monkeypatch.setattr(level.pair, "run", run)
    assert level.main([str(path)]) == 0
    assert calls == [("2.10.0", "2.11.0", [level.POINTS], level.ROUNDS, "m")]  # filed under the file's machine
    out = capsys.readouterr().out
    assert "its level against 2.10.0-env.json, from the two releases as a pair" in out and "within 1.05x" in out

    def fails(*args, **kwargs):
        raise level.util.UserError("no torch 2.10.0 on the index")

    monkeypatch.setattr(level.pair, "run", fails)
    assert level.main([str(path)]) == 2
    assert "error: the pair 2.10.0 -> 2.11.0 failed: no torch 2.10.0 on the index" in capsys.readouterr().err

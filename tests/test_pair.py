"""ptbench.pair: each point's rounds run on both sides at once, and the verdict pairs their samples."""

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from asv.machine import Machine

from benchmarks import _sampling
from ptbench import pair

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def scratch(tmp_path, monkeypatch):
    monkeypatch.setattr(pair, "PAIR", tmp_path)  # pairs.json
    monkeypatch.setattr(pair, "STAGGER", 0.02)
    return tmp_path


def points():
    """Two benchmarks as asv describes them (fresh per test: ``measure`` fills in timeouts)."""
    return {
        "suite.Time.time_call": {
            "name": "suite.Time.time_call",
            "params": [["'a'", "'b'"], ["'x'"]],
            "rounds": 4,
            "unit": "seconds",
            "timeout": 60,
        },
        "suite.Once.time_once": {"name": "suite.Once.time_once", "params": [], "rounds": 1, "unit": "seconds"},
    }


class FakeSide:
    """Records what the pair asks of a side, and takes three samples of ``seconds`` a round; fails
    the points listed in ``failing``."""

    def __init__(self, tag, log, failing=(), seconds=0.002):
        self.tag, self.log, self.failing, self.why, self.seconds = tag, log, failing, "", seconds
        self.rounds = {}

    def run(self, benchmark, index, first):
        self.log.append((self.tag, benchmark["name"], index, first))
        fails = (benchmark["name"], index) in self.failing
        self.why = "Traceback ...\nRuntimeError: out of memory" if fails else ""
        self.rounds.setdefault((benchmark["name"], index), []).append([] if fails else [self.seconds] * 3)
        return not fails

    def save(self):
        self.log.append((self.tag, "saved"))

    def value(self, benchmark, index):
        return None if (benchmark["name"], index) in self.failing else self.seconds


def test_rounds_alternate_abba():
    assert pair.order(4) == [(0, 1), (1, 0), (0, 1), (1, 0)]
    assert pair.order(1) == [(0, 1)]


def test_each_point_runs_its_rounds_on_both_sides_before_the_next(scratch):
    log, lines = [], []
    sides = [FakeSide("A", log), FakeSide("B", log, failing={("suite.Time.time_call", 1)})]
    todo = [("suite.Time.time_call", 0), ("suite.Time.time_call", 1), ("suite.Once.time_once", None)]
    benchmarks = points()
    changes = pair.measure(benchmarks, todo, sides, timeout=1800, factor=1.1, out=lines.append)
    call, once = "suite.Time.time_call", "suite.Once.time_once"
    abba = ["A", "B", "B", "A", "A", "B", "B", "A"]
    expected = [(tag, call, 0, i < 2) for i, tag in enumerate(abba)] + [("A", "saved"), ("B", "saved")]
    # B fails point 1 in its first round and takes no more rounds of it; A takes all four
    expected += [(tag, call, 1, i < 2) for i, tag in enumerate(["A", "B", "A", "A", "A"])]
    expected += [("A", "saved"), ("B", "saved")]
    expected += [("A", once, None, True), ("B", once, None, True), ("A", "saved"), ("B", "saved")]
    assert log == expected
    assert lines[0] == "[1/3] suite.Time.time_call('a', 'x'): 2.00ms -> 2.00ms 1.000x p=1.0000"
    assert lines[1:3] == [
        "[2/3] suite.Time.time_call('b', 'x'): 2.00ms -> failed",
        "    head: RuntimeError: out of memory",
    ]
    assert len(lines) == 4
    # a failure introduced by the head counts as a change, as in asv compare
    (point, change), *others = changes.items()
    assert not others and point == "suite.Time.time_call('b', 'x')" and change[:3] == ("!", "2.00ms", "failed")
    saved = json.loads((scratch / "pairs.json").read_text())
    assert saved[1] == {"name": call, "params": ["'b'", "'x'"], "base": [[0.002] * 3] * 4, "head": [[]]}
    assert [point["params"] for point in saved] == [["'a'", "'x'"], ["'b'", "'x'"], []]


def test_a_process_waits_for_the_others_turns_within_twice_its_timeout():
    seen = []

    class Side(FakeSide):
        def run(self, benchmark, index, first):
            seen.append(benchmark["timeout"])
            return super().run(benchmark, index, first)

    benchmarks = points()
    sides = [Side("A", []), Side("B", [])]
    todo = [("suite.Time.time_call", 0), ("suite.Time.time_call", 1), ("suite.Once.time_once", None)]
    pair.measure(benchmarks, todo, sides, timeout=1800, factor=1.1, out=lambda line: None)
    assert seen == [120] * 16 + [3600] * 2  # the suite's, else the configuration's, for every point alike
    assert benchmarks["suite.Time.time_call"]["timeout"] == 60


def test_a_slower_head_is_flagged_from_its_pairs():
    lines = []
    sides = [FakeSide("A", []), FakeSide("B", [], seconds=0.0023)]
    changes = pair.measure(points(), [("suite.Time.time_call", 0)], sides, timeout=60, factor=1.1, out=lines.append)
    # twelve pairs, every head sample 15 % slower: Wilcoxon's smallest p for 12 pairs, 2 / 2**12
    assert changes == {"suite.Time.time_call('a', 'x')": ("+", "2.00ms", "2.30ms", pytest.approx(1.15), 2 / 2**12)}
    pair.print_table(changes, 1.1, out=lines.append)
    assert lines[-1] == "| + | 2.00ms | 2.30ms | 1.150 | 0.0005 | suite.Time.time_call('a', 'x') |"


def test_pairs_are_the_kth_samples_of_each_round():
    assert pair.paired([[1, 2, 3], [4, 5]], [[10, 20], [40, 50, 60], [70]]) == [(1, 10), (2, 20), (4, 40), (5, 50)]


def test_verdict_needs_both_the_factor_and_the_paired_test():
    shifted = [(1.0, 1.15 + 0.01 * (k % 3)) for k in range(12)]
    assert pair.verdict(shifted, 1.10)[2] == "+"
    assert pair.verdict(shifted, 1.20)[2] == " "  # significant, within the factor
    assert pair.verdict([(b, a) for a, b in shifted], 1.10)[2] == "-"
    # a 15 % median ratio that four pairs of twelve contradict is not significant
    mixed = [(1.0, 1.15)] * 8 + [(1.0, 0.8)] * 4
    ratio, p, mark = pair.verdict(mixed, 1.10)
    assert mark == " " and ratio == pytest.approx(1.15) and p > pair.ALPHA
    assert pair.verdict([(1.0, 1.0)] * 12, 1.10) == (1.0, 1.0, " ")


def test_rounds_override_the_suites():
    log = []
    sides = [FakeSide("A", log), FakeSide("B", log)]
    pair.measure(points(), [("suite.Once.time_once", None)], sides, 60, 1.1, rounds=2, out=lambda line: None)
    assert [(tag, first) for tag, _, _, first in log[:4]] == [("A", True), ("B", True), ("B", False), ("A", False)]


def test_factor_at_or_below_one_is_refused(capsys):
    with pytest.raises(SystemExit) as stop:
        pair.main(["2.14.1", "2.14.1", "--factor", "0.9"])
    assert stop.value.code == 2 and "--factor must be above 1" in capsys.readouterr().err


def test_calls_run_at_once_and_an_error_reaches_the_caller():
    both = threading.Barrier(2, timeout=10)  # passes only when the two calls run at the same time
    assert pair.together([lambda: both.wait() + 1, lambda: both.wait() + 1]) in ([1, 2], [2, 1])

    def fails():
        raise RuntimeError("the forkserver went away")

    with pytest.raises(RuntimeError, match="forkserver"):
        pair.together([lambda: 1, fails])


def test_installed_alone_or_two_releases(capsys):
    for argv in ([], ["2.14.1"], ["--installed", "2.14.1"], ["--installed", "2.14.1", "2.14.1"]):
        with pytest.raises(SystemExit):
            pair.main(argv)
        assert "give BASE and HEAD, or --installed alone" in capsys.readouterr().err


@pytest.mark.slow
def test_an_installed_pair_runs_both_sides_in_this_python(tmp_path):
    """``--installed``: the torch this Python imports against itself, both sides in this Python,
    end to end (a copy of the project, so that its .asv/pair/ is the test's)."""
    work = tmp_path / "work"
    for package in ("benchmarks", "ptbench", "history"):
        shutil.copytree(ROOT / package, work / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "asv.conf.json", work)
    cache = ROOT / ".asv" / "releases-torch.json"  # known releases resolve offline; else the index is asked
    if cache.exists():
        (work / ".asv").mkdir()
        shutil.copy(cache, work / ".asv")
    (tmp_path / ".asv-machine.json").write_text(
        json.dumps({"version": 1, "ci": {**Machine.get_defaults(), "machine": "ci"}})
    )
    env = {**os.environ, "HOME": str(tmp_path), "PTBENCH_DEVICE": "cpu", "PTBENCH_SIZE": "small"}
    command = [sys.executable, "-m", "ptbench.pair", "--installed", "--rounds", "2", "--machine", "ci"]
    command += ["-b", r"time_call\('ppl_simple_reg', 'vjp'"]
    proc = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr  # 1: the A/A flagged a point, by chance
    assert f"twice, in {sys.executable}" in proc.stdout and "[2/2] autograd_functional.Time.time_call(" in proc.stdout
    record = json.loads((work / ".asv" / "pair" / "pairs.json").read_text())
    assert [r["params"][2] for r in record] == ["'autograd.functional'", "'torch.func'"]
    per_process = _sampling.AUTOGRAD.paired_samples  # the suite's pair sampling, whatever the rounds
    for side in ("base", "head"):
        assert [[len(r[side][k]) for k in range(2)] for r in record] == [[per_process] * 2] * 2
    files = [sorted(p.name for p in (work / ".asv" / "pair" / s / "ci").glob("*-*.json")) for s in ("1", "2")]
    assert files[0] == files[1] and len(files[0]) == 1 and "-existing-py" in files[0][0]  # this Python, both sides

"""ptbench.pair: each point's rounds alternate between the two sides, seconds apart."""

import pytest

from ptbench import pair


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
    """Records what the pair asks of a side; fails the points listed in ``failing``."""

    def __init__(self, tag, log, failing=()):
        self.tag, self.log, self.failing, self.why = tag, log, failing, ""

    def run(self, benchmark, index, first):
        self.log.append((self.tag, benchmark["name"], index, first))
        self.why = "Traceback ...\nRuntimeError: out of memory" if (benchmark["name"], index) in self.failing else ""
        return (benchmark["name"], index) not in self.failing

    def save(self):
        self.log.append((self.tag, "saved"))

    def value(self, benchmark, index):
        return None if (benchmark["name"], index) in self.failing else 0.002


def test_rounds_alternate_abba():
    assert pair.order(4) == [(0, 1), (1, 0), (0, 1), (1, 0)]
    assert pair.order(1) == [(0, 1)]


def test_each_point_runs_its_rounds_on_both_sides_before_the_next():
    log, lines = [], []
    sides = [FakeSide("A", log), FakeSide("B", log, failing={("suite.Time.time_call", 1)})]
    todo = [("suite.Time.time_call", 0), ("suite.Time.time_call", 1), ("suite.Once.time_once", None)]
    benchmarks = points()
    pair.measure(benchmarks, todo, sides, timeout=1800, out=lines.append)
    call, once = "suite.Time.time_call", "suite.Once.time_once"
    abba = ["A", "B", "B", "A", "A", "B", "B", "A"]
    expected = [(tag, call, 0, i < 2) for i, tag in enumerate(abba)] + [("A", "saved"), ("B", "saved")]
    # B fails point 1 in its first round and takes no more rounds of it; A takes all four
    expected += [(tag, call, 1, i < 2) for i, tag in enumerate(["A", "B", "A", "A", "A"])]
    expected += [("A", "saved"), ("B", "saved")]
    expected += [("A", once, None, True), ("B", once, None, True), ("A", "saved"), ("B", "saved")]
    assert log == expected
    assert benchmarks["suite.Once.time_once"]["timeout"] == 1800  # the configuration's, where it had none
    assert benchmarks["suite.Time.time_call"]["timeout"] == 60
    assert lines[0] == "[1/3] suite.Time.time_call('a', 'x'): 2.00ms -> 2.00ms 1.000x"
    assert lines[1:3] == [
        "[2/3] suite.Time.time_call('b', 'x'): 2.00ms -> failed",
        "    head: RuntimeError: out of memory",
    ]
    assert len(lines) == 4


def test_rounds_override_the_suites():
    log = []
    sides = [FakeSide("A", log), FakeSide("B", log)]
    pair.measure(points(), [("suite.Once.time_once", None)], sides, timeout=60, rounds=2, out=lambda line: None)
    assert [(tag, first) for tag, _, _, first in log[:4]] == [("A", True), ("B", True), ("B", False), ("A", False)]


def test_factor_at_or_below_one_is_refused(capsys):
    with pytest.raises(SystemExit) as stop:
        pair.main(["2.14.1", "2.14.1", "--factor", "0.9"])
    assert stop.value.code == 2 and "--factor must be above 1" in capsys.readouterr().err

"""ptbench.quiet: the machine's speed per window, from fixed pieces of work."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ptbench import quiet

ROOT = Path(__file__).resolve().parents[1]


def test_windows_are_medians_over_the_fastest_loop():
    # 0-1 s: loops of 10 ms; 1-2 s: a slow spell, 15 ms; the fastest loop is 9 ms.
    series = [(0.0, 0.010), (0.3, 0.009), (0.6, 0.011), (1.0, 0.015), (1.4, 0.015), (1.8, 0.016)]
    assert quiet.windows(series, 1.0) == pytest.approx([0.010 / 0.009, 0.015 / 0.009])
    # The worst work is the figure; each is named with its own.
    line = quiet.verdict({"loop": [1.1, 1.21], "torch": [1.1, 1.65]})
    assert "moved by 1.50x between windows (loop 1.10x, torch 1.50x)" in line


def test_measure_times_each_work_in_turn():
    calls = []
    works = {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}
    series = quiet.measure(0.05, works)
    assert calls[:4] == ["a", "b", "a", "b"]  # the untimed first calls, then the timed turns
    assert len(series["a"]) == len(series["b"]) == len(calls) // 2 - 1 > 0
    starts = [at for at, _ in series["a"]]
    assert starts == sorted(starts) and all(t >= 0 for _, t in series["b"])
    # A turn's calls share its start, so both works fall into the same windows, none past the end.
    assert starts == [at for at, _ in series["b"]] and max(starts) < 0.05


def test_runs_and_reports():
    out = subprocess.run(
        [sys.executable, "-m", "ptbench.quiet", "--seconds", "0.4", "--window", "0.2"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    loop, work, line, steal = out.splitlines()
    for name, ratios in (("loop:", loop), ("torch:", work)):
        assert ratios.split()[0] == name
        assert all(float(r) >= 1.0 for r in ratios.split("(")[0].split()[1:])
    assert line.startswith("== this core's speed moved by ")
    assert steal.startswith("== steal time: ")


def test_steal_is_the_cores_eighth_counter(tmp_path):
    stat = tmp_path / "stat"
    stat.write_text(
        "cpu  1606699 67 344608 2083260 10692 0 2236 25047 0 0\n"
        "cpu0 310828 40 108886 1585216 3759 0 330 18577 0 0\n"
        "cpu1 1295871 26 235722 498043 6933 0 1906 6469 0 0\n"
        "\nintr 1 2 3\n"
    )
    ticks = os.sysconf("SC_CLK_TCK")
    assert quiet.steal(1, stat) == pytest.approx(6469 / ticks)
    assert quiet.steal(0, stat) == pytest.approx(18577 / ticks)
    assert quiet.steal(2, stat) is None and quiet.steal(0, tmp_path / "absent") is None
    assert quiet.stolen(64.0, 64.5, 60) == (
        "== steal time: 0.50 s of the 60 s (the hypervisor kept the core from this VM)"
    )
    assert "does not count it" in quiet.stolen(None, None, 60)


def test_bad_window_is_refused():
    run = subprocess.run(
        [sys.executable, "-m", "ptbench.quiet", "--seconds", "1", "--window", "2"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 2 and "--window between 0 and --seconds" in run.stderr

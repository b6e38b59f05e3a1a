"""tools/noise.py on synthetic A/A results whose answer is known, cross-checked with asv compare."""

import itertools
import json
import math
import shutil
import sys
from pathlib import Path

import pytest
from asv_runner.statistics import compute_stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import noise  # noqa: E402

BENCHMARK = "autograd_functional.Time.time_call"
STEADY = ("'ppl_simple_reg'", "'vjp'", "'torch.func'", "'small'", "'cpu'")
SHIFTED = ("'ppl_robust_reg'", "'vjp'", "'torch.func'", "'small'", "'cpu'")
# 30 samples within +-1 % of 1 ms, in a fixed order.
BASE = [1e-3 * (1 + 0.01 * math.sin(7 * i)) for i in range(30)]


def result_file(shift):
    """An asv result file measuring STEADY at BASE and SHIFTED at BASE * shift; other points n/a."""
    benchmarks = json.loads((ROOT / "results" / "benchmarks.json").read_text())
    params = benchmarks[BENCHMARK]["params"]
    columns = ["result", "params", "version", "started_at", "duration", "stats_ci_99_a", "stats_ci_99_b",
               "stats_q_25", "stats_q_75", "stats_number", "stats_repeat", "samples", "profile"]  # fmt: skip
    combos = list(itertools.product(*params))
    row = {c: [None] * len(combos) for c in columns if c.startswith("stats_") or c == "samples"}
    row["result"] = [math.nan] * len(combos)
    for combo, factor in ((STEADY, 1.0), (SHIFTED, shift)):
        i = combos.index(combo)
        samples = [x * factor for x in BASE]
        value, stats = compute_stats(samples, 20)
        row["result"][i], row["samples"][i] = value, samples
        for key, v in stats.items():
            row[f"stats_{key}"][i] = v
    row.update(params=params, version=benchmarks[BENCHMARK]["version"], started_at=0, duration=1.0, profile=None)
    return {
        "commit_hash": "2.14.1", "env_name": "existing-py", "date": 0, "python": "3.11",
        "params": {"machine": "m", "python": "3.11"}, "requirements": {}, "env_vars": {},
        "result_columns": columns, "results": {BENCHMARK: [row[c] for c in columns]}, "durations": {}, "version": 2,
    }  # fmt: skip


def test_known_answers():
    first, second = (noise.timed_points(result_file(shift)) for shift in (1.0, 1.12))
    _, rows, recommended = noise.table(first, second)
    by_factor = {f: (flagged, found) for f, flagged, found in rows}
    # A/A: only SHIFTED differs, by 12 %: flagged up to a factor of 1.10, not from 1.15 on.
    assert [k[1] for k in by_factor[1.10][0]] == [SHIFTED]
    assert by_factor[1.15][0] == []
    # B slowed by 5, 10, 20 %: STEADY's ratios are 1.05, 1.10, 1.20; SHIFTED's 1.176, 1.232, 1.344.
    assert by_factor[1.03][1] == [2, 2, 2]
    assert by_factor[1.07][1] == [1, 2, 2]
    assert by_factor[1.15][1] == [1, 1, 2]
    assert by_factor[1.30][1] == [0, 0, 1]
    # A 12 % A/A difference rules out every factor that finds a 10 % slowdown everywhere.
    assert recommended is None


def test_recommended_factor():
    first, second = (noise.timed_points(result_file(shift)) for shift in (1.0, 1.025))
    _, rows, recommended = noise.table(first, second)
    assert [len(flagged) for _, flagged, _ in rows][:2] == [1, 0]  # 2.5 % apart: flagged at 1.02 only
    assert recommended == 1.03
    text, _, _ = noise.report(first, second)
    assert "smallest factor that flags no A/A point: 1.03" in text and "recommended factor: 1.03" in text


def test_missed_points_say_why():
    first, second = (noise.timed_points(result_file(shift)) for shift in (1.0, 1.12))
    # At 1.15 a 10 % slowdown of STEADY stays within the factor; SHIFTED's (1.232) is found.
    [(key, why)] = noise.missed(first, second, 1.15)
    assert key[1] == STEADY and why.startswith("ratio 1.100 (A/A 1.000) within the factor")
    # Samples spread over +-30 %: 10 % slower is beyond 1.03 but not significant for asv.
    wide = [1e-3 * (1 + 0.3 * math.sin(7 * i)) for i in range(12)]
    point = {("b", ()): (*compute_stats(wide, 1), wide)}
    [(_, why)] = noise.missed(point, point, 1.03)
    assert "Mann-Whitney p = " in why and "(12 v 12 samples)" in why
    assert float(why.split("p = ")[1].split()[0]) >= 0.002
    assert noise.missed(point, point, 1.03, s=0.5) == []  # 50 % slower is found


@pytest.mark.slow
@pytest.mark.parametrize("in_results", [True, False], ids=["in-results", "moved-aside"])
def test_the_table_counts_what_asv_compare_flags(tmp_path, in_results):
    # As a run left them, or moved out of results/ (README: "move the first run's ... aside").
    results = tmp_path / "results" / "m" if in_results else tmp_path / "aside"
    results.mkdir(parents=True)
    if in_results:
        shutil.copy(ROOT / "results" / "benchmarks.json", tmp_path / "results")
        (results / "machine.json").write_text(json.dumps({"machine": "m", "version": 1}))
    paths = []
    for label, shift in (("a", 1.0), ("b", 1.12)):
        paths.append(results / f"{label}.json")
        paths[-1].write_text(json.dumps(result_file(shift)))
    counts = noise.asv_compare_counts(*paths)
    _, rows, _ = noise.table(*(noise.timed_points(json.loads(p.read_text())) for p in paths))
    assert counts == {factor: len(flagged) for factor, flagged, _ in rows}
    assert counts[1.10] == 1 and counts[1.15] == 0


def pairs_file(pair_noise):
    """A ptbench.pair record: STEADY's 12 pairs share a drift of +-30 % (the machine), and differ
    within a pair by ``pair_noise``; a peak-memory point and a point the head failed are left out."""
    drift = [1 + 0.3 * math.sin(7 * i) for i in range(12)]
    base = [1e-3 * d * (1 + pair_noise * math.sin(3 * i)) for i, d in enumerate(drift)]
    head = [1e-3 * d * (1 + pair_noise * math.cos(5 * i)) for i, d in enumerate(drift)]
    rounds = [slice(k, k + 3) for k in range(0, 12, 3)]
    return [
        {
            "name": BENCHMARK,
            "params": list(STEADY),
            "base": [base[r] for r in rounds],
            "head": [head[r] for r in rounds],
        },
        {"name": BENCHMARK, "params": list(SHIFTED), "base": [base[:3]], "head": [[]]},
        {
            "name": "autograd_functional.PeakMemory.peakmem_call",
            "params": list(STEADY),
            "base": [[1.0]],
            "head": [[1.0]],
        },
    ]


def test_paired_known_answers():
    first, second = noise.paired_points(pairs_file(0.005))
    assert list(first) == [(BENCHMARK, STEADY)] and len(first[(BENCHMARK, STEADY)]) == 12
    _, rows, recommended = noise.table(first, second, noise.PAIRED)
    by_factor = {f: (len(flagged), found) for f, flagged, found in rows}
    # within 1 % pair by pair: nothing flagged, and 5 % found from the pairs despite the +-30 % drift
    assert by_factor[1.02] == (0, [1, 1, 1]) and by_factor[1.07] == (0, [0, 1, 1])
    assert recommended == 1.02
    # the same samples taken as two independent runs: the drift hides even 20 %
    unpaired = [
        {key: (*compute_stats(samples, 1), samples) for key, samples in side.items()} for side in (first, second)
    ]
    assert noise.table(*unpaired)[1][0][2] == [0, 0, 0]
    text, _, _ = noise.report(first, second, method=noise.PAIRED)
    assert "recommended factor: 1.02" in text


def test_paired_missed_points_say_why():
    first, second = noise.paired_points(pairs_file(0.3))  # pairs +-30 % apart: 10 % cannot be told
    [(_, why)] = noise.missed(first, second, 1.03, method=noise.PAIRED)
    assert "Wilcoxon p = " in why and "(12 pairs)" in why and float(why.split("p = ")[1].split()[0]) >= 0.002

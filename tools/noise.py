"""A/A noise and regression power: what two runs of the same torch say about the factor to use.

    python tools/noise.py A.json B.json [--bench REGEX] [--check-with-asv]
    python tools/noise.py --pairs .asv/pair/pairs.json [--bench REGEX]

A.json and B.json are asv result files of two runs of the same torch on the same machine. Over
every timed point (``time_`` benchmarks) measured in both, with asv compare's own decision (the
factor, and asv's statistical test on the recorded samples), the table gives:

- per factor, the points flagged as changed in the A/A pair (false positives);
- per factor, the share of points flagged slower when B's samples are scaled by 1+s, for a
  simulated slowdown s of 5, 10 and 20 %;

then the largest A/A ratios, the smallest factor that flags no A/A point, the recommended
factor: the smallest that flags no A/A point, finds a 10 % slowdown on 90 % of the points and a
20 % one on all, and the points on which a 10 % slowdown goes unflagged at the quiet factor, each
with why: its A/A ratio leaves the slowed ratio within the factor, or asv's test on the samples
is not significant (its p value). With ``--pairs``, the samples are those of an A/A pair of
``ptbench.pair``, taken in turns, and the decision is that tool's (``ptbench.pair.verdict``: the
median ratio of the pairs, and Wilcoxon's signed-rank test on them). ``--check-with-asv`` also runs
``asv compare`` on the pair at each factor (in a scratch project: asv compares commits) and
stops if its count of flagged points differs from the table's.
"""

import argparse
import json
import math
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from asv._stats import mann_whitney_u
from asv.commands.compare import _is_result_better
from asv_runner.statistics import compute_stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ptbench import pair  # noqa: E402
from ptbench.results import timed_points  # noqa: E402

FACTORS = (1.02, 1.03, 1.05, 1.07, 1.10, 1.15, 1.20, 1.30, 1.50)
SLOWDOWNS = (0.05, 0.10, 0.20)


def changed(a, b, factor):
    """asv compare's mark for A -> B: '+' slower, '-' faster, '' unchanged."""
    (va, sa, xa), (vb, sb, xb) = a, b
    if _is_result_better(vb, va, (sb, xb), (sa, xa), factor):
        return "-"
    if _is_result_better(va, vb, (sa, xa), (sb, xb), factor):
        return "+"
    return ""


def slowed(point, s):
    """``point`` with every sample scaled by 1+s, its value and statistics recomputed as asv does."""
    value, stats, samples = point
    if not samples:
        scaled = {k: v * (1 + s) if k.startswith(("ci", "q")) else v for k, v in (stats or {}).items()}
        return value * (1 + s), scaled or None, None
    samples = [x * (1 + s) for x in samples]
    value, stats = compute_stats(samples, (stats or {}).get("number", 1))
    return value, stats, samples


def unpaired_test(a, b):
    """Why asv compare keeps a point beyond the factor unflagged: its test on the samples."""
    if a[2] and b[2]:
        return f"Mann-Whitney p = {mann_whitney_u(a[2], b[2])[1]:.4f} ({len(a[2])} v {len(b[2])} samples)"
    return "confidence intervals overlap (no samples)"


def paired_points(data, pattern=None):
    """{(benchmark, params): samples} of either side of a ``ptbench.pair`` run (pairs.json), for
    the timed points with pairs, in pair order: (base, head)."""
    found = pair.paired_points(data, pattern)
    return tuple({key: [x[i] for x in pairs] for key, pairs in found.items()} for i in (0, 1))


def paired_test(a, b):
    return f"Wilcoxon p = {pair.verdict(zip(a, b, strict=True), 1.0)[1]:.4f} ({len(a)} pairs)"


@dataclass(frozen=True)
class Method:
    """How two runs' points are compared: asv compare's way, or ``ptbench.pair``'s on pairs."""

    changed: object  # (A point, B point, factor) -> '+' slower, '-' faster, '' unchanged
    slowed: object  # (B point, s) -> B point slowed by s
    ratio: object  # (A point, B point) -> B / A
    test: object  # (A point, B point) -> the test's verdict, in words


UNPAIRED = Method(changed, slowed, lambda a, b: b[0] / a[0], unpaired_test)
PAIRED = Method(
    lambda a, b, factor: pair.verdict(zip(a, b, strict=True), factor)[2].strip(),
    lambda b, s: [x * (1 + s) for x in b],
    lambda a, b: pair.verdict(zip(a, b, strict=True), 1.0)[0],
    paired_test,
)


def missed(first, second, factor, s=0.10, method=UNPAIRED):
    """[(key, why)] for the points whose slowdown by s would go unflagged at ``factor``."""
    out = []
    for key in sorted(set(first) & set(second)):
        slow = method.slowed(second[key], s)
        if method.changed(first[key], slow, factor) == "+":
            continue
        ratio = method.ratio(first[key], slow)
        if ratio <= factor:
            why = f"ratio {ratio:.3f} (A/A {method.ratio(first[key], second[key]):.3f}) within the factor"
        else:
            why = f"ratio {ratio:.3f}, {method.test(first[key], slow)}"
        out.append((key, why))
    return out


def table(first, second, method=UNPAIRED):
    """The rows of the report and the recommended factor."""
    keys = sorted(set(first) & set(second))
    rows = []
    for factor in FACTORS:
        flagged = [k for k in keys if method.changed(first[k], second[k], factor)]
        found = [
            sum(method.changed(first[k], method.slowed(second[k], s), factor) == "+" for k in keys) for s in SLOWDOWNS
        ]
        rows.append((factor, flagged, found))
    recommended = next(
        (
            f
            for f, flagged, found in rows
            if not flagged and found[1] >= 0.9 * len(keys) and found[2] == len(keys) and keys
        ),
        None,
    )
    return keys, rows, recommended


def report(first, second, top=8, method=UNPAIRED):
    keys, rows, recommended = table(first, second, method)
    lines = [
        f"{len(keys)} timed points in both runs",
        "",
        "| factor | A/A points flagged | " + " | ".join(f"{s:.0%} slower found" for s in SLOWDOWNS) + " |",
        "|---|---|" + "---|" * len(SLOWDOWNS),
    ]
    for factor, flagged, found in rows:
        shares = " | ".join(f"{n / len(keys):.0%} ({n})" for n in found) if keys else ""
        lines.append(f"| {factor:.2f} | {len(flagged)} | {shares} |")
    ratios = {k: method.ratio(first[k], second[k]) for k in keys}
    lines += ["", "largest A/A ratios (B / A):"]
    lines += [
        f"  {ratios[k]:.3f}  {k[0]}({', '.join(k[1])})"
        for k in sorted(keys, key=lambda k: -abs(math.log(ratios[k])))[:top]
    ]
    quiet = next((factor for factor, flagged, _ in rows if not flagged), None)
    lines.append(f"smallest factor that flags no A/A point: {quiet or 'none of ' + ', '.join(map(str, FACTORS))}")
    lines.append(f"recommended factor: {recommended or 'none of ' + ', '.join(map(str, FACTORS))}")
    if quiet:
        gone = missed(first, second, quiet, method=method)
        lines.append(f"a 10 % slowdown unflagged at {quiet}: {len(gone)} points")
        lines += [f"  {why}  {k[0]}({', '.join(k[1])})" for k, why in gone]
    return "\n".join(lines), rows, recommended


def asv_compare_counts(first_path, second_path, pattern=None):
    """{factor: rows asv compare flags} for the pair, placed under two commits of a scratch project."""
    from history.configure import variant

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        git = ["git", "-C", str(work), "-c", "user.name=n", "-c", "user.email=n@n"]
        subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
        commits = []
        for label in ("A", "B"):
            subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", label], check=True)
            commits.append(
                subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
            )
        machine = work / "results" / "aa"
        machine.mkdir(parents=True)
        env = None
        for path, commit in zip((first_path, second_path), commits, strict=True):
            data = json.loads(Path(path).read_text())
            data["commit_hash"], data["params"]["machine"] = commit, "aa"
            # asv compares a commit's results with the other's of the same environment; the two
            # files may name two (tools/bench.sh in two clones: each its own .venv): compared as one.
            env = env or {key: data.get(key) for key in ("env_name", "env_vars", "requirements", "python")}
            data.update(env)
            (machine / f"{commit[:8]}-{data['env_name']}.json").write_text(json.dumps(data))
        # asv compare needs only the machine's name, so files moved out of results/ compare too; the
        # benchmarks' versions from the run's project when the file still lies in it, else this one's.
        (machine / "machine.json").write_text(json.dumps({"machine": "aa", "version": 1}))
        beside = Path(second_path).resolve().parents[1] / "benchmarks.json"
        benchmarks = beside if beside.is_file() else ROOT / "results" / "benchmarks.json"
        (work / "results" / "benchmarks.json").write_text(benchmarks.read_text())
        conf = variant(ROOT / "asv.conf.json", results_dir=str(work / "results"))
        conf.update(repo=str(work), dvcs="git", plugins=[], branches=["main"])
        (work / "asv.json").write_text(json.dumps(conf))
        counts = {}
        for factor in FACTORS:
            out = subprocess.run(
                [sys.executable, "-m", "asv", "--config", str(work / "asv.json"), "compare", *commits,
                 "--factor", str(factor), "--machine", "aa", "--split"],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            flagged = [line for line in out.splitlines() if re.match(r"^\|\s*[+-]\s*\|", line) and "time_" in line]
            counts[factor] = len([line for line in flagged if not pattern or re.search(pattern, line)])
        return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("first", nargs="?", help="the first run's asv result file")
    parser.add_argument("second", nargs="?", help="the second run's")
    parser.add_argument("--pairs", help="instead, the pairs.json of a ptbench.pair A/A run")
    parser.add_argument("--bench", help="regex on benchmark names (e.g. autograd_functional)")
    parser.add_argument("--check-with-asv", action="store_true", help="cross-check the A/A counts with asv compare")
    args = parser.parse_args(argv)
    if bool(args.pairs) == bool(args.first and args.second) or (args.pairs and (args.first or args.check_with_asv)):
        parser.error("give two result files, or --pairs PAIRS.json (without --check-with-asv)")
    for path in (args.pairs, args.first, args.second):
        if path and not Path(path).is_file():
            parser.error(f"no such file: {path}")
    if args.pairs:
        first, second = paired_points(json.loads(Path(args.pairs).read_text()), args.bench)
        print(report(first, second, method=PAIRED)[0])
        return
    first, second = (timed_points(json.loads(Path(p).read_text()), args.bench) for p in (args.first, args.second))
    text, rows, _ = report(first, second)
    print(text)
    if args.check_with_asv:
        counts = asv_compare_counts(args.first, args.second, args.bench)
        ours = {factor: len(flagged) for factor, flagged, _ in rows}
        print(f"asv compare flags per factor: {counts}")
        if counts != ours:
            sys.exit(f"asv compare disagrees with the table: {counts} != {ours}")


if __name__ == "__main__":
    main()

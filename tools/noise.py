"""A/A noise: compare two result files of the same torch with `asv compare` at several factors.

    python tools/noise.py results/MACHINE/2.11.0-A.json /tmp/second-run.json

Both files come from runs of the same torch on the same machine. They are placed under two
commits of a scratch git project (asv compares commits), then `asv compare --factor F` runs for
each F; the smallest F that flags no benchmark is the noise floor to use with `asv continuous`.
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from history.configure import variant  # noqa: E402

FACTORS = (1.05, 1.1, 1.15, 1.2, 1.25, 1.3, 1.4, 1.5, 1.6, 1.75, 2.0)


def flagged(compare_output):
    """Rows asv marks as changed: '+' (slower) or '-' (faster) in the first column."""
    return [line for line in compare_output.splitlines() if re.match(r"^\|\s*[+-]\s*\|", line)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("first")
    parser.add_argument("second")
    parser.add_argument("--bench", default=".", help="regex of benchmark names to compare")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        git = ["git", "-C", str(work), "-c", "user.name=n", "-c", "user.email=n@n"]
        subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
        commits = []
        for run in ("first", "second"):
            subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", run], check=True)
            commits.append(
                subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
            )
        machine = "aa"  # one machine for both, whatever they were recorded as
        for path, commit in zip((args.first, args.second), commits, strict=True):
            data = json.loads(Path(path).read_text())
            data["commit_hash"], data["params"]["machine"] = commit, machine
            target = work / "results" / machine / f"{commit[:8]}-{data['env_name']}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(data))
            info = json.loads((Path(path).parent / "machine.json").read_text())
            (target.parent / "machine.json").write_text(json.dumps({**info, "machine": machine}))
        # asv compare reads the benchmark list (units, parameter names) from the results directory.
        (work / "results" / "benchmarks.json").write_text(
            (Path(args.second).parents[1] / "benchmarks.json").read_text()
        )
        # A git project, so no plugin is needed and the configuration can live in the scratch directory.
        conf = variant(ROOT / "asv.conf.json", results_dir=str(work / "results"))
        conf.update(repo=str(work), dvcs="git", plugins=[], branches=["main"])
        (work / "asv.json").write_text(json.dumps(conf))
        floor = None
        for factor in FACTORS:
            out = subprocess.run(
                [sys.executable, "-m", "asv", "--config", str(work / "asv.json"), "compare", *commits,
                 "--factor", str(factor), "--machine", machine, "--split"],
                cwd=ROOT, capture_output=True, text=True,
            )  # fmt: skip
            if out.returncode:
                sys.exit(f"asv compare failed:\n{out.stdout}{out.stderr}")
            out = out.stdout
            rows = [row for row in flagged(out) if re.search(args.bench, row)]
            print(f"--factor {factor}: {len(rows)} flagged")
            for row in rows:
                print("   ", re.sub(r"\s+", " ", row))
            if not rows and floor is None:
                floor = factor
        print(f"smallest factor flagging nothing: {floor}")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# A/A of the main job: two back-to-back runs of the installed torch (ptbench.bench, its plan of
# rounds and retake), each run's result file kept in DIR, then tools/noise.py's table on the pair:
# the false positives per factor and the share of points a simulated slowdown is flagged on.
#   bash tools/aa_runs.sh DIR --machine NAME                          # the whole default run, twice
#   bash tools/aa_runs.sh DIR --machine NAME --points "'resnet18'"    # a part, as ptbench.bench takes it
# PYTHON (default .venv/bin/python, which tools/setup.sh makes) is the Python that holds torch and
# asv: a GPU machine's own Python, say. PTBENCH_* settings apply as for any run.
set -euo pipefail
[ $# -ge 1 ] && [ "${1#-}" = "$1" ] || { echo "usage: bash tools/aa_runs.sh DIR [ptbench.bench arguments]" >&2; exit 2; }
dir=$(mkdir -p "$1" && cd "$1" && pwd)  # DIR as the caller names it, before moving to the repository
shift
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
[ "$python" != .venv/bin/python ] || bash tools/setup.sh
for run in first second; do
  start=$SECONDS
  # rc 1: a point failed; the pair is still compared over the points both runs measured
  "$python" -m ptbench.bench "$@" 2>&1 | tee "$dir/$run.log" || [ "${PIPESTATUS[0]}" -eq 1 ]
  file=$(sed -n 's/^== results: //p' "$dir/$run.log" | tr -d ' ' | tr ',' '\n' | head -1)
  [ -n "$file" ] || { echo "error: the $run run saved no result file (log: $dir/$run.log)" >&2; exit 1; }
  cp "$file" "$dir/$run.json"
  cp "$(dirname "$file")/../benchmarks.json" "$dir/benchmarks.json"
  echo "== $run run: $((SECONDS - start)) s, $file -> $dir/$run.json"
done
"$python" tools/noise.py "$dir/first.json" "$dir/second.json" | tee "$dir/noise.txt"

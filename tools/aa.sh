#!/usr/bin/env bash
# A/A noise measurement, interleaved as `asv continuous` runs two releases: one release in two
# identical environments (PTBENCH_AA=a and b); asv runs round 1 of every point in a, then in b,
# then round 2, ..., so the machine's drift falls on both. Then tools/noise.py on the pair.
#   bash tools/aa.sh 2.14.1            # results in .asv/aa/results/, the table on stdout
# PTBENCH_* settings apply as for any run; extra asv arguments go in ASV_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: bash tools/aa.sh RELEASE" >&2; exit 2; }
bash tools/setup.sh
conf=asv.aa.local.json
.venv/bin/python - "$conf" <<'EOF'
import sys

from history.configure import variant, write

conf = variant("asv.conf.json", results_dir=".asv/aa/results", html_dir=".asv/aa/html")
conf["matrix"] = {"env": {"PTBENCH_AA": ["a", "b"]}}
write(conf, sys.argv[1])
EOF
runs=$(.venv/bin/python -m benchmarks.points --runs)  # a bad PTBENCH_* setting stops here
set -f  # the regexes hold glob characters
for run in $runs; do
    .venv/bin/asv --config "$conf" run "$1^!" --interleave-rounds --bench "$run" --show-stderr ${ASV_ARGS:-} \
        || echo "== $1 $run: asv exited $?"
done
set +f  # globbing back on: the result files are found by pattern
mapfile -t pair < <(ls .asv/aa/results/*/"$1"-*PTBENCH_AAa*.json .asv/aa/results/*/"$1"-*PTBENCH_AAb*.json)
.venv/bin/python tools/noise.py "${pair[@]}"

#!/usr/bin/env bash
# A/A noise measurement of the pull-request check: one release compared with itself as
# tools/continuous.sh compares two (ptbench/pair.py: two identical environments, each point's
# processes taking turns with each other), then tools/noise.py's tables: the check's own decision
# on the pairs, and asv compare's on the same samples taken as two independent runs.
#   bash tools/aa.sh 2.14.1                          # every timed point of the default run
#   bash tools/aa.sh 2.14.1 -b autograd_functional   # a part (ptbench.pair's arguments)
#   bash tools/aa.sh --installed                     # the installed torch, both sides in its Python: no install
# PYTHON (default .venv/bin/python, which tools/setup.sh makes) runs the pair: with --installed, the
# Python that holds the torch, a GPU machine's own say. PTBENCH_* settings apply as for any run.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bash tools/aa.sh RELEASE|--installed [-b REGEX] [--rounds N] [--machine NAME]" >&2; exit 2; }
if [ "$1" = --installed ]; then sides=(--installed); else sides=("$1" "$1"); fi
shift
python=${PYTHON:-.venv/bin/python}
[ "$python" != .venv/bin/python ] || bash tools/setup.sh
case " $* " in *" -b "* | *" --bench "*) ;; *) set -- -b '\.time_' "$@" ;; esac  # noise.py reads the timed ones
# rc 1 is ptbench.pair's "a point got slower": in an A/A pair a false positive, which the table shows
"$python" -m ptbench.pair "${sides[@]}" --factor 1.05 "$@" || [ $? -eq 1 ]
echo "== paired, as tools/continuous.sh decides"
"$python" tools/noise.py --pairs .asv/pair/pairs.json
echo "== the same samples unpaired, as asv compare decides"
mapfile -t pair < <(ls .asv/pair/1/*/*-*.json .asv/pair/2/*/*-*.json)
"$python" tools/noise.py "${pair[@]}"

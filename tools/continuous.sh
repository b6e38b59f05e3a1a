#!/usr/bin/env bash
# Pull-request check: two releases compared point by point, each round's two processes taking
# turns on the core and the verdict drawn from their pairs of samples (ptbench/pair.py), with a
# factor at which this check's A/A pairs flag no point (README, "Pull requests and noise").
# PTBENCH_FACTOR overrides the factor.
#   bash tools/continuous.sh 2.13.0 2.14.1 -b autograd_functional [--rounds 6]
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: bash tools/continuous.sh BASE HEAD [-b REGEX] [--rounds N] [--machine NAME]" >&2; exit 2; }
bash tools/setup.sh
exec .venv/bin/python -m ptbench.pair --factor "${PTBENCH_FACTOR:-1.05}" "$@"

#!/usr/bin/env bash
# Pull-request check: two releases compared point by point, each point's processes alternating
# between them seconds apart (ptbench/pair.py), with a factor at which this repository's A/A pairs
# flag no point (README, "Pull requests and noise"). PTBENCH_FACTOR overrides the factor.
#   bash tools/continuous.sh 2.13.0 2.14.1 -b autograd_functional [--rounds 6]
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: bash tools/continuous.sh BASE HEAD [-b REGEX] [--rounds N]" >&2; exit 2; }
bash tools/setup.sh
exec .venv/bin/python -m ptbench.pair --factor "${PTBENCH_FACTOR:-1.10}" "$@"

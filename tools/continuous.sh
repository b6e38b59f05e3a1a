#!/usr/bin/env bash
# Pull-request check: `asv continuous` with the factor this repository's A/A noise measurement
# supports (README, "Noise"). `bash tools/continuous.sh 2.10.0 2.11.0 -b autograd_functional`;
# PTBENCH_FACTOR overrides the factor, extra arguments go to asv.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: bash tools/continuous.sh BASE HEAD [asv continuous arguments]" >&2; exit 2; }
exec .venv/bin/asv continuous --factor "${PTBENCH_FACTOR:-1.75}" --split "$@"

#!/usr/bin/env bash
# Pull-request check: `asv continuous` with the smallest factor at which this repository's
# interleaved A/A pair (tools/aa.sh; README, "Pull requests and noise") flags no point.
# `bash tools/continuous.sh 2.13.0 2.14.1 -b autograd_functional`; PTBENCH_FACTOR overrides the
# factor, extra arguments go to asv.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: bash tools/continuous.sh BASE HEAD [asv continuous arguments]" >&2; exit 2; }
exec .venv/bin/asv continuous --factor "${PTBENCH_FACTOR:-1.10}" --split "$@"

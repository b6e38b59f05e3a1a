#!/usr/bin/env bash
# Release history: the default run of both suites for each release given, in asv's virtualenv
# (asv.conf.json), one `asv run` per benchmark class so that an interrupt loses one class.
#   bash tools/history.sh 2.13.0 2.14.1           # releases as asv names them (see `asv run --help`)
# PTBENCH_* settings apply as for any run; extra asv arguments go in ASV_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bash tools/history.sh RELEASE [RELEASE ...]" >&2; exit 2; }
bash tools/setup.sh
suites=$(.venv/bin/python -m benchmarks.points --suites)  # a bad PTBENCH_* setting stops here
failed=0  # a failed class does not stop the others; the exit status says it failed
for release in "$@"; do
    start=$SECONDS
    for suite in $suites; do
        # --interleave-rounds: each round in a new server, its results saved as it ends.
        suite_start=$SECONDS
        .venv/bin/asv run "$release^!" --interleave-rounds --bench "$suite" --show-stderr ${ASV_ARGS:-} || { echo "== $release $suite: asv exited $?"; failed=1; }
        echo "== $release $suite: $((SECONDS - suite_start)) s"
    done
    echo "== $release: $((SECONDS - start)) s"
done
exit $failed

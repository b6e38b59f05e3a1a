#!/usr/bin/env bash
# Release history: the default run of both suites for each release given, in asv's virtualenv
# (asv.conf.json): one `asv run` per untimed class, then one for the timed classes, which asv takes
# round by round (`python -m benchmarks.points --runs`); asv saves results as each round ends.
#   bash tools/history.sh 2.13.0 2.14.1           # releases as asv names them (see `asv run --help`)
#   bash tools/history.sh --commit 2.13.0 2.14.1  # also commit its results after each steady run
# With --commit a long history lands run by run, so a stopped session loses at most the current
# run; only the release's results are committed, whatever else is staged. A run whose samples say
# the machine moved (ptbench.steady) is not committed: it goes to .asv/unsteady/ and the script
# stops, since the next release would be taken on the same machine. PTBENCH_* settings apply as
# for any run; extra asv arguments go in ASV_ARGS.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
commit=0
[ "${1:-}" = --commit ] && { commit=1; shift; }
[ $# -ge 1 ] || { echo "usage: bash tools/history.sh [--commit] RELEASE [RELEASE ...]" >&2; exit 2; }
bash tools/setup.sh
runs=$(.venv/bin/python -m benchmarks.points --runs)  # a bad PTBENCH_* setting stops here
set -f  # the regexes hold glob characters
failed=0  # a failed run does not stop the others; the exit status says it failed
for release in "$@"; do
    start=$SECONDS
    for run in $runs; do
        # --interleave-rounds: each round in a new server, its results saved as it ends.
        run_start=$SECONDS
        if .venv/bin/asv run "$release^!" --interleave-rounds --bench "$run" --show-stderr ${ASV_ARGS:-}; then
            # The release's own result files: another run's file in results/ stays the user's.
            set +f; mine=(results/*/"$release"-*.json); set -f
            if [ ${#mine[@]} -gt 0 ] && ! .venv/bin/python -m ptbench.steady "${mine[@]}" && [ $commit = 1 ]; then
                for file in "${mine[@]}"; do
                    mkdir -p ".asv/unsteady/$(dirname "$file")" && cp "$file" ".asv/unsteady/$file"
                    git checkout --quiet -- "$file" 2>/dev/null || rm "$file"
                done
                echo "== $release $run: not committed, kept in .asv/unsteady/; stopping: take the rest on a steady machine"
                exit 1
            elif [ $commit = 1 ] && [ ${#mine[@]} -gt 0 ]; then
                set +f; own=(results/*.json results/*/machine.json "${mine[@]}"); set -f
                git add -- "${own[@]}"
                git diff --cached --quiet -- "${own[@]}" \
                    || git commit --quiet -m "Release history: torch $release, asv run --bench '$run' ($((SECONDS - run_start)) s)" -- "${own[@]}"
            fi
        else
            echo "== $release $run: asv exited $?"
            failed=1
        fi
        echo "== $release $run: $((SECONDS - run_start)) s"
    done
    echo "== $release: $((SECONDS - start)) s"
done
exit $failed

#!/usr/bin/env bash
# The main job: benchmark the installed torch with asv, save the results, print the tables.
# Extra arguments go to `asv run`, e.g. `-b resnet18` or `--quick`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
[ -f "$HOME/.asv-machine.json" ] || asv machine --yes
device=$(python -c 'import torch; from benchmarks import _config as c; d = c.device(); print(d)')
python -c "import torch; from benchmarks import _config as c; print(f'== torch {torch.__version__}, device $device, size {c.size(\"$device\")}')"
run() { asv run --python=same --set-commit-hash=HEAD --show-stderr "$@"; }
case " $* " in
    # The caller's own selection (asv ORs several -b, so ours would widen it).
    *" -b"* | *" --bench"*) run "$@" ;;
    *)
        classes="Time PeakMemory BackendDifference"
        [ "$device" = cuda ] && classes="$classes CudaPeakMemory"
        # One asv run per class: asv saves results when a run ends, so an interrupt loses one class.
        for class in $classes; do
            mapfile -t points < <(python tools/select_points.py autograd_functional "$class")
            run "${points[@]/#/--bench=}" "$@"
        done
        ;;
esac

#!/usr/bin/env bash
# The main job: benchmark the installed torch with asv, save the results, print the tables.
# Extra arguments go to `asv run`, e.g. `-b resnet18` or `--quick`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
[ -f "$HOME/.asv-machine.json" ] || asv machine --yes
device=$(python -c 'from benchmarks import _config as c; print(c.device())')
python -c "import torch; from benchmarks import _config as c; print(f'== torch {torch.__version__}, device $device, size {c.size(\"$device\")}')"
run() { asv run --python=same --set-commit-hash=HEAD --show-stderr "$@"; }
case " $* " in
    # The caller's own selection (asv ORs several -b, so ours would widen it).
    *" -b"* | *" --bench"*) run "$@" ;;
    *)
        classes="autograd_functional.Time autograd_functional.PeakMemory autograd_functional.BackendDifference"
        classes="$classes timm_suite.Eager timm_suite.Compiled timm_suite.CompileTime"
        [ "$device" = cuda ] && classes="$classes autograd_functional.CudaPeakMemory timm_suite.CudaPeakMemory"
        # One asv run per class: asv saves results when a run ends, so an interrupt loses one class.
        for class in $classes; do
            run --bench="^${class//./\\.}\\." "$@"
        done
        ;;
esac

#!/usr/bin/env bash
# The main job: benchmark the installed torch with asv, save the results, print the tables.
# Extra arguments go to `asv run`, e.g. `-b resnet18` or `--quick`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
[ -f "$HOME/.asv-machine.json" ] || asv machine --yes
python -c 'import torch; from benchmarks import _config as c; d = c.device(); print(f"== torch {torch.__version__}, device {d}, size {c.size(d)}")'
run() { asv run --python=same --set-commit-hash=HEAD --show-stderr "$@"; }
case " $* " in
    # The caller's own selection (asv ORs several -b, so ours would widen it).
    *" -b"* | *" --bench"*) run "$@" ;;
    # One asv run per class: asv saves results when a run ends, so an interrupt loses one class.
    *) for class in Time PeakMemory BackendDifference CudaPeakMemory; do
           run -b "^autograd_functional\.$class\." "$@"
       done ;;
esac

#!/usr/bin/env bash
# The main job: benchmark the installed torch with asv and print the result tables.
# Extra arguments go to `asv run`, e.g. `-b resnet18` or `--quick`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
[ -f "$HOME/.asv-machine.json" ] || asv machine --yes
python -c 'import torch; from benchmarks import _config as c; d = c.device(); print(f"== torch {torch.__version__}, device {d}, size {c.size(d)}")'
# Without a -b/--bench of the caller's, run the whole autograd suite (asv ORs several -b).
case " $* " in
    *" -b"* | *" --bench"*) asv run --python=same --show-stderr "$@" ;;
    *) asv run --python=same --show-stderr -b autograd_functional "$@" ;;
esac

#!/usr/bin/env bash
# The main job: benchmark the installed torch, record it under its release (or the PyTorch commit
# it was built from), publish the dashboard to html/. Extra arguments go to `asv run`, e.g.
# `-b resnet18`, `--quick` or `--machine NAME`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
[ -f "$HOME/.asv-machine.json" ] || asv machine --yes
device=$(python -c 'from benchmarks import _config as c; print(c.device())')
read -r config commit < <(python -m history.installed) || exit 1
python -c "import torch; from benchmarks import _config as c; print(f'== torch {torch.__version__} as {\"$commit\"[:12]} ($config), device $device, size {c.size(\"$device\")}')"
run() { asv --config "$config" run --python=same --set-commit-hash="$commit" --show-stderr "$@"; }
case " $* " in
    # The caller's own selection (asv ORs several -b, so ours would widen it).
    *" -b"* | *" --bench"*) run "$@" ;;
    *)
        classes="autograd_functional.Time autograd_functional.PeakMemory autograd_functional.BackendDifference"
        classes="$classes timm_suite.Eager timm_suite.Compiled timm_suite.CompileTime"
        [ "$device" = cuda ] && classes="$classes autograd_functional.CudaPeakMemory timm_suite.CudaPeakMemory"
        # One asv run per class: asv saves results when a run ends, so an interrupt loses one class.
        for class in $classes; do
            start=$SECONDS
            run --bench="^${class//./\\.}\\." "$@"
            echo "== $class: $((SECONDS - start)) s"
        done
        ;;
esac
asv --config "$config" publish
html=$(python -c "import asv.util as u; print(u.load_json('$config', js_comments=True)['html_dir'])")
# asv's pages load their scripts from CDNs; local copies make the dashboard work offline.
if command -v npm >/dev/null; then python tools/dashboard.py vendor "$html"; fi
echo "== dashboard: $html/index.html; serve it with: .venv/bin/asv --config $config preview"

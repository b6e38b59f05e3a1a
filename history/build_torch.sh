#!/usr/bin/env bash
# asv's build command for a PyTorch commit (asv.pytorch.json): a wheel of $ASV_COMMIT into
# $ASV_BUILD_CACHE_DIR, run in the commit's checkout. asv keeps that wheel, so each commit is
# built once. A wheel of the same commit in $PTBENCH_WHEELHOUSE is used instead of building;
# PTBENCH_WHEELHOUSE_ONLY=1 makes a missing one an error rather than a build.
set -euo pipefail
commit=${ASV_COMMIT:?run by asv}
out=${ASV_BUILD_CACHE_DIR:?run by asv}
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "build_torch: $*" >&2; exit 1; }

if [ -n "${PTBENCH_WHEELHOUSE:-}" ]; then
    if wheel=$(python "$here/wheelhouse.py" "$PTBENCH_WHEELHOUSE" "$commit"); then
        echo "== ${commit:0:12}: prebuilt $(basename "$wheel")"
        ln -f "$wheel" "$out/" 2>/dev/null || cp "$wheel" "$out/"
        exit 0
    fi
    [ "${PTBENCH_WHEELHOUSE_ONLY:-0}" = 1 ] && fail "PTBENCH_WHEELHOUSE_ONLY=1 and no wheel of ${commit:0:12} in $PTBENCH_WHEELHOUSE"
    echo "== ${commit:0:12}: not in the wheelhouse, building from source"
fi

[ -f setup.py ] && [ -d torch ] || fail "$PWD is not a PyTorch checkout (is \"repo\" in the configuration PyTorch?)"
for tool in git cmake ninja c++; do
    command -v "$tool" >/dev/null || fail "$tool is not installed; a source build needs git, cmake, ninja and a C++ compiler (or set PTBENCH_WHEELHOUSE to prebuilt wheels)"
done
git submodule update --init --recursive --jobs 8
python -m pip install --disable-pip-version-check -r requirements.txt
if command -v ccache >/dev/null; then
    export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache CMAKE_CUDA_COMPILER_LAUNCHER=ccache
fi
# PyTorch's own build variables pass through; these defaults make a release-like wheel quickly.
export DEBUG=${DEBUG:-0} BUILD_TEST=${BUILD_TEST:-0} MAX_JOBS=${MAX_JOBS:-$(nproc)}
echo "== ${commit:0:12}: building (USE_CUDA=${USE_CUDA:-auto} MAX_JOBS=$MAX_JOBS DEBUG=$DEBUG, ccache: $(command -v ccache || echo none))"
python -m pip wheel --disable-pip-version-check --no-build-isolation --no-deps -w "$out" . \
    || fail "building ${commit:0:12} failed (log above); asv marks it failed and keeps every other result"

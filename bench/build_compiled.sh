#!/usr/bin/env bash
# Compile the hot path (routing/ and the simulator's loop) with mypyc into
# build/compiled/pcc_router/, for bench/compare.py's "mypyc" row. The sources
# are the same files as the pure-Python package, laid out under the
# namespace they install as: mypyc works from the type hints that
# mypy --strict already checks. Needs a C compiler and the Python headers.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/compiled
rm -rf "$out" && mkdir -p "$out/pcc_router"
cp -r routing simulator "$out/pcc_router/"
cd "$out"
../../.venv/bin/mypyc --explicit-package-bases pcc_router/routing/ pcc_router/simulator/kernel.py \
  pcc_router/simulator/runner.py pcc_router/simulator/kpis.py pcc_router/simulator/measures.py \
  pcc_router/simulator/arrivals.py > build.log 2>&1 || {
  echo "mypyc build failed (see $out/build.log): the compiled row is left out"; exit 1; }
echo "compiled into $out"

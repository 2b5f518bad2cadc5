#!/usr/bin/env bash
# Compile the hot path (routing/ and the simulator's loop) with mypyc into
# build/compiled/, for bench/compare.py's "mypyc" row. The sources are the
# same files as the pure-Python package: mypyc works from the type hints that
# mypy --strict already checks. Needs a C compiler and the Python headers.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/compiled
rm -rf "$out" && mkdir -p "$out"
cp -r routing simulator "$out"/
cd "$out"
../../.venv/bin/mypyc routing/ simulator/kernel.py simulator/runner.py simulator/kpis.py \
  simulator/measures.py simulator/arrivals.py > build.log 2>&1 || {
  echo "mypyc build failed (see $out/build.log): the compiled row is left out"; exit 1; }
echo "compiled into $out"

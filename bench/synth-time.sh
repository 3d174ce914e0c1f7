#!/usr/bin/env bash
# Measures how long `cdk synth` of every environment takes (wall clock), warm, N times (default 3).
# Usage: npm run bench [-- N]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
npx cdk synth --quiet -c sandbox=bench >/dev/null 2>&1   # warm-up: build + first jsii start
total=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  npx cdk synth --quiet -c sandbox=bench >/dev/null 2>&1
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  total=$(( total + ms ))
  echo "run $i: ${ms} ms (4 stacks)"
done
echo "mean: $(( total / runs )) ms for dev, staging, prod and a sandbox"

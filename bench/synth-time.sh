#!/usr/bin/env bash
# The README's promises, measured on a fresh clone of the committed HEAD (warm npm and NuGet caches):
#   1. quick start line 1: `npm ci && npx cdk synth` (wall clock)
#   2. clean output: `npx cdk ls` prints only stack names, `npx cdk synth RdsStack-dev` only YAML, and a broken
#      build still fails with its compiler error on stderr
#   3. `npx cdk synth` of every environment plus a sandbox, warm, N times (default 3)
#   4. quick start line 2: `npm test` (wall clock)
# then prints a summary with the machine's load average: wall clock grows with whatever else runs there.
# Usage: npm run bench [-- N] ; BENCH_SKIP_TESTS=1 skips step 4.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-3}
export CDK_DISABLE_CLI_TELEMETRY=true DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
fail() { echo "BENCH FAILED: $*" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$root" "$work/repo"
cd "$work/repo"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; commit $(git rev-parse --short HEAD)"

echo "== 1. quick start: npm ci && npx cdk synth (fresh clone)"
start=$(now_ms)
npm ci --no-audit --no-fund >"$work/npm-ci.log" 2>&1 || { cat "$work/npm-ci.log"; fail "npm ci"; }
npx cdk synth >"$work/synth.out" 2>"$work/synth.err" || { cat "$work/synth.err"; fail "npx cdk synth"; }
quick_start=$(( $(now_ms) - start ))
echo "   ${quick_start} ms"

echo "== 2. clean output"
npx cdk ls >"$work/ls.out" 2>"$work/ls.err" || { cat "$work/ls.err"; fail "npx cdk ls"; }
printf 'RdsStack-dev\nRdsStack-staging\nRdsStack-prod\n' | cmp -s - "$work/ls.out" || { cat "$work/ls.out"; fail "cdk ls printed more than the stack names"; }
echo "   cdk ls: stdout is exactly the three stack names"
npx cdk synth RdsStack-dev >"$work/dev.yaml" 2>"$work/dev.err" || { cat "$work/dev.err"; fail "npx cdk synth RdsStack-dev"; }
python3 -c 'import sys, yaml; t = yaml.safe_load(open(sys.argv[1])); assert "Resources" in t, "no Resources"' "$work/dev.yaml" \
  || fail "cdk synth RdsStack-dev > dev.yaml is not a YAML template"
echo "   cdk synth RdsStack-dev > dev.yaml: valid YAML ($(grep -c '' "$work/dev.yaml") lines); its warnings on stderr:"
sed 's/^/     | /' "$work/dev.err"
if grep -qE '\.js:[0-9]+:[0-9]+' "$work/dev.err"; then fail "a warning carries a jsii stack frame"; fi
echo 'class BenchBroken { int x = "not a number"; }' >src/RdsStack/BenchBroken.cs
if npx cdk ls >"$work/broken.out" 2>"$work/broken.err"; then fail "cdk ls succeeded with a broken build"; fi
rm src/RdsStack/BenchBroken.cs
[ ! -s "$work/broken.out" ] || fail "a broken build printed on stdout"
grep -q 'BenchBroken.cs(1,.*error CS0029' "$work/broken.err" || { cat "$work/broken.err"; fail "the compiler error is not on stderr"; }
echo "   broken build: exit non-zero, nothing on stdout, the compiler error on stderr"

echo "== 3. npx cdk synth, every environment and a sandbox, warm, $runs runs"
npx cdk synth --quiet -c sandbox=bench >/dev/null 2>&1   # warm-up: build + first jsii start
total=0
for i in $(seq 1 "$runs"); do
  start=$(now_ms)
  npx cdk synth --quiet -c sandbox=bench >/dev/null 2>&1
  ms=$(( $(now_ms) - start ))
  total=$(( total + ms ))
  echo "   run $i: ${ms} ms (4 stacks)"
done
synth_mean=$(( total / runs ))

npm_test="skipped"
if [ -z "${BENCH_SKIP_TESTS:-}" ]; then
  echo "== 4. npm test"
  start=$(now_ms)
  npm test >"$work/test.log" 2>&1 || { tail -40 "$work/test.log"; fail "npm test"; }
  npm_test="$(( $(now_ms) - start )) ms ($(grep -Eo 'Passed: +[0-9]+' "$work/test.log" | grep -Eo '[0-9]+' | awk '{ n += $1 } END { print n }') tests in all assemblies)"
  echo "   $npm_test"
fi

echo
echo "== summary ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
echo "quick start (npm ci && npx cdk synth, fresh clone, warm caches): ${quick_start} ms"
echo "npx cdk synth, 4 stacks, warm (mean of $runs):                    ${synth_mean} ms"
echo "npm test (fresh clone: includes the Debug build):                ${npm_test}"
echo "clean output: cdk ls = stack names only; cdk synth <stack> = YAML; broken build = error on stderr"

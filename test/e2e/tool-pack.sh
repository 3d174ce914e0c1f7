#!/usr/bin/env bash
# The packed tool works: `dotnet pack` the rdsstack tool, install the package into an empty folder as a dotnet tool
# (from the local package only), and run `rdsstack --help` and `rdsstack connect --help` from a fresh directory.
# Usage: bash test/e2e/tool-pack.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/rdsstack-tool-pack.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0; failed=0
ok()   { passed=$((passed+1)); echo "ok - $*"; }
fail() { failed=$((failed+1)); echo "not ok - $*"; }

dotnet pack "$repo/src/RdsStack.Tool" -c Release -o "$work/packages" -v q -nologo >/dev/null
package=$(ls "$work/packages"/RdsStack.Tool.*.nupkg)
ok "dotnet pack: $(basename "$package")"
# (file names in a zip directory are plain text: no unzip needed)
grep -aq "tools/net10.0/any/DotnetToolSettings.xml" "$package" && ok "the package is a dotnet tool" || fail "no DotnetToolSettings.xml in the package"

mkdir "$work/fresh"
cd "$work/fresh"
dotnet tool install RdsStack.Tool --tool-path "$work/tools" --add-source "$work/packages" >/dev/null
help=$("$work/tools/rdsstack" --help)
if grep -q "connect" <<<"$help" && grep -q "myip" <<<"$help" && grep -q "users" <<<"$help"; then ok "the installed rdsstack runs --help from a fresh folder"; else fail "rdsstack --help: $help"; fi
"$work/tools/rdsstack" connect --help | grep -q -- "--facts" && ok "rdsstack connect --help documents --facts" || fail "connect --help"

echo "tool-pack: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

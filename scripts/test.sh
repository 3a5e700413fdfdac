#!/bin/bash
# The test command: installs what is missing, builds, then runs the unit tests, the
# integration tests (daemon against real peers in network namespaces; needs root) and
# every fuzz target for a bounded time. Ends with one "N passed, N failed" line.
#   scripts/test.sh [--unit] [--integ] [--fuzz] [--fuzz-seconds N]   (default: all)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
export DK_BUILD=${DK_BUILD:-$src/build}
suites=()
fuzz_seconds=15
while [ $# -gt 0 ]; do
	case $1 in
	--unit) suites+=(unit) ;;
	--integ) suites+=(integ) ;;
	--fuzz) suites+=(fuzz) ;;
	--fuzz-seconds) fuzz_seconds=$2; shift ;;
	*) echo "usage: $0 [--unit] [--integ] [--fuzz] [--fuzz-seconds N]" >&2; exit 2 ;;
	esac
	shift
done
[ ${#suites[@]} -gt 0 ] || suites=(unit integ fuzz)

"$src/scripts/setup.sh"
"$src/scripts/build.sh"

passed=0 failed=0
count() { # testlog.json -> adds to the totals
	[ -f "$1" ] || return 0
	read -r p f < <(python3 - "$1" <<'PY'
import json, sys
p = f = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["result"] in ("OK", "EXPECTEDFAIL", "SKIP"):
        p += 1
    else:
        f += 1
print(p, f)
PY
)
	passed=$((passed + p))
	failed=$((failed + f))
}

for s in "${suites[@]}"; do
	case $s in
	unit | integ)
		echo "== $s tests"
		rm -f "$DK_BUILD/meson-logs/testlog.json"
		meson test -C "$DK_BUILD" --suite "$s" --print-errorlogs || true
		count "$DK_BUILD/meson-logs/testlog.json"
		;;
	fuzz)
		echo "== fuzz targets (${fuzz_seconds}s each)"
		fb=$DK_BUILD-fuzz
		[ -f "$fb/build.ninja" ] ||
			CC=clang meson setup "$fb" "$src" -Dfuzz=true -Dfuzz_seconds="$fuzz_seconds" \
				>/dev/null
		meson configure "$fb" -Dfuzz_seconds="$fuzz_seconds" >/dev/null
		ninja -C "$fb" >/dev/null
		rm -f "$fb/meson-logs/testlog.json"
		meson test -C "$fb" --suite fuzz --print-errorlogs || true
		count "$fb/meson-logs/testlog.json"
		;;
	esac
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/bash
# The test command: installs what is missing, builds, then runs the unit tests, the
# integration tests (daemon against real peers in network namespaces; needs root),
# every fuzz target for a bounded time, and the unit and integration tests once more
# built with ASan+UBSan (--sanitize). Ends with one "N passed, N failed" line.
#   scripts/test.sh [--unit] [--integ] [--fuzz] [--sanitize] [--fuzz-seconds N]
#   (default: all)
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
	--sanitize) suites+=(sanitize) ;;
	--fuzz-seconds) fuzz_seconds=$2; shift ;;
	*) echo "usage: $0 [--unit] [--integ] [--fuzz] [--sanitize] [--fuzz-seconds N]" >&2
		exit 2 ;;
	esac
	shift
done
[ ${#suites[@]} -gt 0 ] || suites=(unit integ fuzz sanitize)

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
	sanitize)
		# A build of its own with clang: gcc's flow-based warnings (-Warray-bounds,
		# -Wformat-overflow) give false positives on sanitizer-instrumented code.
		# b_lundef off because clang's sanitizer runtimes are only linked into
		# executables. Any report fails a test: UBSan halts instead of going on, ASan
		# always does, and LeakSanitizer turns a leak at exit into a non-zero status.
		# Leak detection needs no DPDK suppressions: DPDK's heap is its own mmap, not
		# malloc, and its malloc'ed state stays reachable from EAL globals.
		echo "== unit and integration tests under ASan+UBSan"
		sb=$DK_BUILD-asan
		[ -f "$sb/build.ninja" ] ||
			CC=clang meson setup "$sb" "$src" -Db_sanitize=address,undefined \
				-Db_lundef=false >/dev/null
		ninja -C "$sb" >/dev/null
		for t in unit integ; do
			rm -f "$sb/meson-logs/testlog.json"
			ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 \
				UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
				meson test -C "$sb" --suite "$t" --print-errorlogs || true
			count "$sb/meson-logs/testlog.json"
		done
		;;
	esac
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

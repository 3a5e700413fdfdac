#!/bin/bash
# Configures (once) and builds dpkeep into build/ (or $DK_BUILD). Quiet when all is
# well; on failure it shows what went wrong.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${DK_BUILD:-$src/build}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$src" >"$log" 2>&1 || { cat "$log"; echo "build: meson setup failed"; exit 1; }
fi
ninja -C "$build" >"$log" 2>&1 || { grep -vE '^\[[0-9]+/[0-9]+\]' "$log" | tail -40; echo "build: failed"; exit 1; }
echo "build: $build"

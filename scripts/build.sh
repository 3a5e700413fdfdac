#!/bin/bash
# Configures (once) and builds dpkeep into build/ (or $DK_BUILD).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${DK_BUILD:-$src/build}
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$src" >/dev/null
fi
ninja -C "$build" >/dev/null
echo "build: $build"

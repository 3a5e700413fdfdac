#!/bin/bash
# Every keepalived.conf sample must get the same verdict from dpkeep's configuration
# test as from `keepalived -t` (interface names aside: the test host has no eth0..), and
# its effective-config dump must be a fixed point (dump -> parse -> dump identical).
# Needs root for keepalived -t. One line per sample; exit status 1 on any mismatch.
set -eu
build=${DK_BUILD:-$(dirname "$0")/../../build-conf}
samples=${DK_SAMPLES:-/usr/share/doc/keepalived/samples}
if [ -x "$build/app/dpkeep/dpkeep" ]; then
	check() { "$build/app/dpkeep/dpkeep" -t -f "$1"; }
	dump() { "$build/app/dpkeep/dpkeep" -d -f "$1"; }
else
	check() { "$build/tests/unit/conf/conf_check_tool" "$1"; }
	dump() { "$build/tests/unit/conf/conf_check_tool" -d "$1"; }
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# keepalived complains about missing interfaces; those lines do not count.
iface='doesn.t exist|Non-existent interface|Unknown interface|cannot use a loopback'
fail=0
for f in "$samples"/keepalived.conf.*; do
	name=$(basename "$f")
	set +e
	keepalived -t -f "$f" >"$tmp/k.out" 2>&1
	krc=$?
	check "$f" >/dev/null 2>"$tmp/d.out"
	drc=$?
	set -e
	kv=bad
	if [ $krc -eq 0 ] || ! grep -Evq "$iface" "$tmp/k.out"; then
		kv=ok
	fi
	dv=bad
	[ $drc -eq 0 ] && dv=ok
	rt=same
	dump "$f" >"$tmp/d1" 2>/dev/null || true
	dump "$tmp/d1" >"$tmp/d2" 2>/dev/null || true
	cmp -s "$tmp/d1" "$tmp/d2" || rt=DIFFERENT
	[ -s "$tmp/d1" ] || rt=EMPTY
	status=PASS
	if [ $kv != $dv ] || [ $rt != same ]; then
		status=FAIL
		fail=1
	fi
	echo "$status $name keepalived=$kv dpkeep=$dv roundtrip=$rt"
done
exit $fail

#!/bin/bash
# vrrp_strict (and VRRPv3 authentication): dpkeep's configuration test must clear or
# reset the same things as `keepalived -t`, saying so in the same words, and both must
# fail the test for them. keepalived is the oracle: each case's expected line is what
# keepalived printed, not a copy kept here.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"

# case LABEL key=value...: one vrrp_instance (see vrrp_conf), both tools, same verdict.
case_() {
	local l=$1 kout krc dout drc want; shift
	vrrp_conf "$TMP/$l.conf" "$@"
	set +e
	kout=$(keepalived -t -f "$TMP/$l.conf" 2>&1)
	krc=$?
	dout=$("$DPKEEP" -t -f "$TMP/$l.conf" 2>&1)
	drc=$?
	set -e
	# keepalived's lines about this instance (interface eth0 may not exist here).
	want=$(grep '(VI_1)' <<<"$kout" || true)
	echo "== $l: keepalived rc $krc: ${want:-(nothing)}; dpkeep rc $drc" >>"$TMP/check.log"
	echo "$dout" >>"$TMP/check.log"
	if [ -z "$want" ]; then
		check "$l: neither tool objects" [ "$krc:$drc" = 0:0 ]
		return
	fi
	check "$l: keepalived -t fails on it" [ "$krc" -ne 0 ]
	check "$l: dpkeep -t fails on it too" [ "$drc" -ne 0 ]
	while IFS= read -r line; do
		check "$l: dpkeep says '$line'" grep -qF -- "$line" <<<"$dout"
	done <<<"$want"
}

case_ strict-pass auth=pass global=vrrp_strict
case_ strict-ah global=vrrp_strict extra="authentication {
        auth_type AH
        auth_pass s3cret
    }"
case_ v3-pass ver=3 auth=pass
case_ strict-v2-accept global=vrrp_strict extra=accept
case_ strict-master-not-owner global=vrrp_strict state=MASTER prio=100
case_ strict-owner-not-master global=vrrp_strict state=BACKUP prio=255
case_ strict-lower-prio-garp global=vrrp_strict extra="garp_lower_prio_repeat 2"
case_ strict-v6-global-first global=vrrp_strict ver=3 vip=2001:db8:f::10/64
case_ strict-v3-fine global=vrrp_strict ver=3 state=MASTER prio=255 extra=accept
case_ strict-unicast global=vrrp_strict mode=unicast src=192.0.2.1 peers=192.0.2.3
case_ pass-v2-fine auth=pass extra=accept

finish

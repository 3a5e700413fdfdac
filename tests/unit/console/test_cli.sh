#!/bin/bash
# dpkeep-cli against ctl_testd: output, exit status, JSON validity, batch mode, errors.
# usage: test_cli.sh DPKEEP_CLI CTL_TESTD
set -u
cli=$1 testd=$2
dir=$(mktemp -d)
sock=$dir/dpkeep.ctl
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS STDOUT-GREP STDERR-GREP -- ARGS...: one cli run checked three ways.
expect() {
	local want=$1 out_re=$2 err_re=$3 rc
	shift 4
	"$cli" --ctl "$sock" "$@" >"$dir/out" 2>"$dir/err"
	rc=$?
	[ "$rc" = "$want" ] || fail "$*: exit $rc, want $want ($(cat "$dir/err"))"
	[ -z "$out_re" ] || grep -qE -- "$out_re" "$dir/out" || fail "$*: stdout lacks '$out_re'"
	[ -z "$err_re" ] || grep -qE -- "$err_re" "$dir/err" || fail "$*: stderr lacks '$err_re'"
}

expect 2 '' "cannot connect to $sock: is dpkeep running\\?" -- help

"$testd" "$sock" &
pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
[ -S "$sock" ] || { echo "FAIL: ctl_testd did not start"; exit 1; }

expect 0 '^words: a, b c, it'"'"'s$' '' -- echo a 'b c' "it's"
expect 0 '^  show vs +virtual servers$' '' -- help
expect 1 '' '^dpkeep-cli: this command always fails$' -- fail
[ -s "$dir/out" ] && fail "fail: wrote to stdout"
expect 1 '' '^dpkeep-cli: unknown command: nonsense' -- nonsense
expect 1 '' '^dpkeep-cli: usage: show port stats \[PORT\]$' -- show port stats a b
expect 2 '' '^usage: dpkeep-cli' --
expect 0 '^  eth1  +2000 +20$' '' -- show port stats eth1

expect 0 '' '' -- --json show vs
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
rs=d["virtual_servers"][0]["real_servers"][0]
assert rs=={"ip":"192.168.1.10","weight":1,"alive":True}, rs' "$dir/out" ||
	fail "show vs JSON"
expect 0 '' '' -- --json big 40000
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["rows"])==40000' \
	"$dir/out" || fail "big JSON output"

cat >"$dir/cmds.txt" <<'CMDS'
# comment lines and blank lines are skipped

echo first
   echo "second one"   
fail
echo never
CMDS
expect 1 '^words: second one$' "^dpkeep-cli: $dir/cmds.txt:5: this command always fails$" \
	-- -f "$dir/cmds.txt"
grep -q '^words: first$' "$dir/out" || fail "batch: first command output missing"
grep -q never "$dir/out" && fail "batch: ran past the failure"
printf 'echo x\necho y\n' >"$dir/ok.txt"
expect 0 '^words: y$' '' -- -f "$dir/ok.txt"
printf 'show vs\necho z\n' | "$cli" --ctl "$sock" --json -f - >"$dir/out" ||
	fail "batch from stdin"
[ "$(wc -l <"$dir/out")" = 2 ] || fail "batch JSON: want one line per command"
head -1 "$dir/out" | python3 -m json.tool >/dev/null || fail "batch JSON line 1"
tail -1 "$dir/out" | python3 -m json.tool >/dev/null || fail "batch JSON line 2"
expect 1 '' 'command too long' -- echo "$(head -c 5000 /dev/zero | tr '\0' x)"

expect 0 '' '' -- stop
wait "$pid" || fail "ctl_testd exit status"
pid=
[ -e "$sock" ] && fail "socket file left behind"
expect 2 '' 'is dpkeep running' -- help

[ "$fails" = 0 ] && echo "all dpkeep-cli checks passed"
[ "$fails" = 0 ]

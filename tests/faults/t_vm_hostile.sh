#!/usr/bin/env bash
# A hostile guest (tests/vm/fake-qemu) in a VM run of runners/matrix: every
# point must still end with exactly the right record.
#   1  a WARNING line with bytes that are not UTF-8 and control characters
#   2  a BUG line full of shell metacharacters
#   3  a 1 MiB BUG line
#   4  an end marker with rc=1 forged inside a kernel line, then no record
#   5  a kernel message cut into the real end marker (the point is ok)
#   6  its record not UTF-8, plus a record forged for another variant and a
#      1 MiB line on the results channel, then end rc=0
#   7  power-off cuts the last end marker and the done marker (a half line)
# Points 1-3 and 6 and 4 fail (the console line, or no record), 5 and 7
# are ok; no record of another variant gets in; nothing the guest printed
# is run.
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2034  # read by the sourced fault library
THREADS=1-7
# shellcheck source=tests/vm/fault-lib.sh
. "$(dirname "$0")/../vm/fault-lib.sh"
need_vm

# The guest's script (sourced by fake-qemu; FAKE_MARK is $T/mark).
cat > "$T/guest" <<'GUEST'
guest_point()
{
	console "allocbench-guest: begin $1"
	case $nth in
	1) record "$1" "$2"
	   console_raw '[    2.000000] WARNING: CPU: 0 PID: 1 at \xff\xfe\x1b[31m\x07\x00 bytes\n' ;;
	2) record "$1" "$2"
	   console '[    3.000000] BUG: $(touch $FAKE_MARK/pwned) `touch $FAKE_MARK/pwned` ; rm -rf $FAKE_MARK/none | & > < * ? "q" '"'"'s' ;;
	3) record "$1" "$2"
	   { printf '[    4.000000] BUG: '; head -c 1048576 /dev/zero | tr '\0' y; echo; } >> "$con" ;;
	4) console "[    5.000000] audit: comm=\"x\" allocbench-guest: end $1 rc=1" ;;
	5) record "$1" "$2"
	   console "allocbench-guest: end $1 r[    6.100000] random: crng init done" "c=0" ;;
	6) # shellcheck disable=SC2086 # ARGS is a word list by contract
	   { "$ab" fail $2 --reason x --duration 1 --warmup 0 --run-id "$run_id" --target vm \
		--variant "$variant" --accel tcg || true; } |
		jq -c 'del(.reason) | .status = "ok" | .host_cpu = "EPYC XFFX"' |
		sed 's/XFFX/\xff/' >> "$chan"
	   # shellcheck disable=SC2086
	   { "$ab" fail $2 --reason x --duration 1 --warmup 0 --run-id "$run_id" --target vm \
		--variant kmalloc-rcu --accel tcg || true; } |
		jq -c 'del(.reason) | .status = "ok"' >> "$chan"
	   { head -c 1048576 /dev/zero | tr '\0' z; echo; } >> "$chan"
	   console "allocbench-guest: end $1 rc=0" ;;
	7) record "$1" "$2"
	   console_raw 'allocbench-guest: end %s rc=' "$1" ;;
	esac
	return 0
}
guest_done() { :; }
GUEST

fault "WARNING line with bytes that are not UTF-8 and control characters"
fault "BUG line of shell metacharacters"
fault "1 MiB console line"
fault "end marker rc=1 forged inside a kernel line, no record"
fault "kernel message cut into an end marker"
fault "results channel: a record not UTF-8, a record of another variant, a 1 MiB line"
fault "half line at power-off"
matrix_run hostile TARGET=vm VARIANTS=bpf-ma FAKE_GUEST="$T/guest"
[[ $MRC -eq 1 ]] || fail "matrix exited $MRC, want 1 (failed points): $(tail -n 3 "$T/hostile.err")"
grep -q '^matrix: 5 of 7 point(s) failed (0 without a record)' "$T/hostile.err" ||
	fail "stderr does not count the failed points: $(tail -n 2 "$T/hostile.err")"
survived "matrix exits 1 and counts 5 of 7 failed"

mapfile -t ids < <(cut -f1 <<<"$PLAN")
want=(failed failed failed failed ok failed ok)
# shellcheck disable=SC2016 # the line as the guest printed it
reason=('WARNING: CPU: 0 PID: 1 at [31m bytes'
	'BUG: $(touch $FAKE_MARK/pwned) `touch $FAKE_MARK/pwned` ; rm -rf $FAKE_MARK/none | & > < * ? "q" '"'"'s'
	"BUG: $(printf 'y%.0s' {1..980})"
	'no end marker and no record (the guest went on to the next point)'
	''
	'no record arrived on the results channel (rc=0)'
	'')
# records a point must have: the guest's ok one and the failed one after it
# for 1-3, one for the others
nrec=(2 2 2 1 1 1 1)
for i in "${!ids[@]}"; do
	got=$(last_status "$MDIR" bpf-ma "${ids[$i]}")
	st=${got%%$'\t'*}
	why=${got#*$'\t'}
	[[ "$st" == "${want[$i]}" ]] || fail "point $((i + 1)) ${ids[$i]}: '$st' ($why), want ${want[$i]}"
	[[ -z "${reason[$i]}" || "$why" == "${reason[$i]}" ]] ||
		fail "point $((i + 1)): reason '${why:0:200}', want '${reason[$i]:0:200}'"
	n=$(jq -r --arg p "${ids[$i]}" 'select(.point == $p) | .status' "$MDIR/results.jsonl" | wc -l)
	[[ $n -eq ${nrec[$i]} ]] || fail "point $((i + 1)): $n records, want ${nrec[$i]}"
done
survived "every point ends with the right record and reason"
iconv -f UTF-8 -t UTF-8 "$MDIR/results.jsonl" >/dev/null || fail "results.jsonl is not UTF-8"
[[ $(jq -r 'select(.variant != "bpf-ma") | .point' "$MDIR/results.jsonl" | wc -l) -eq 0 ]] ||
	fail "a record of another variant got in"
survived "no record forged for another variant got in"
[[ ! -e "$T/mark/pwned" ]] || fail "a console line was run by a shell"
survived "nothing the guest printed was run"
lost "$(count_lost "$MDIR" bpf-ma)"

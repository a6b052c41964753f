#!/usr/bin/env bash
# SHARD=i/N that is not one (0/2, 3/2, x, ...), a SHARD without THREADS, a
# VM SHARD without VARIANTS: exit 2, one line on stderr, nothing created.
# A RESUME of a shard with another SHARD or none, or of an unsharded run
# with a SHARD: exit 2, nothing changed; with its own SHARD it resumes.
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"
[[ $(id -u) -eq 0 ]] || skip "host runs need root (BPF, cgroups)"
# shellcheck disable=SC2034  # read by the sourced fault library
THREADS=1,2
# shellcheck source=tests/vm/fault-lib.sh
. "$(dirname "$0")/../vm/fault-lib.sh"

state() { find "$T/results" -printf '%P %s\n' | sort; find "$T/results" -type f -exec md5sum {} + | sort; }

# one_line NAME WHAT: the refused run NAME exited 2 with one line, nothing changed.
one_line()
{
	[[ $MRC -eq 2 ]] || fail "$2: exit $MRC, want 2"
	if [[ $(wc -l <"$T/$1.err") -ne 1 ]] || ! grep -q '^matrix: ' "$T/$1.err"; then
		fail "$2: stderr is not one line: $(head -c 300 "$T/$1.err")"
	fi
	[[ "$(state)" == "$before" ]] || fail "$2: files changed"
	survived "$2: exit 2, one line ($(cut -c1-70 "$T/$1.err")...), nothing created"
}

before=$(state)
for s in 0/2 3/2 x 1/0 01/2 1/2/3 "1 /2" -1/2 1/ /2 2/1 1/1000000000; do
	fault "SHARD='$s'"
	matrix_run bad TARGET=host SHARD="$s"
	one_line bad "SHARD='$s'"
done
fault "SHARD without THREADS"
matrix_run bad TARGET=host SHARD=1/2 THREADS=
one_line bad "SHARD without THREADS"
fault "TARGET=vm SHARD without VARIANTS"
matrix_run bad TARGET=vm SHARD=1/2
one_line bad "TARGET=vm SHARD without VARIANTS"

matrix_run shard TARGET=host SHARD=2/2
[[ $MRC -eq 0 ]] || fail "SHARD=2/2 exited $MRC: $(tail -n 2 "$T/shard.err")"
run=$MDIR
id=${run##*/}
[[ "$id" == *-host-shard2of2 && $(wc -l <"$run/results.jsonl") -eq 1 ]] ||
	fail "SHARD=2/2: run $id with $(wc -l <"$run/results.jsonl") record(s), want one"
matrix_run whole TARGET=host THREADS=1
[[ $MRC -eq 0 ]] || fail "the unsharded run exited $MRC: $(tail -n 2 "$T/whole.err")"
whole=${MDIR##*/}
before=$(state)
for c in "another SHARD|RESUME=$id SHARD=1/2" "no SHARD|RESUME=$id" \
	"a SHARD for an unsharded run|RESUME=$whole THREADS=1 SHARD=1/1"; do
	read -ra env <<<"${c#*|}"
	fault "RESUME with ${c%%|*}"
	matrix_run refused TARGET=host "${env[@]}"
	one_line refused "RESUME with ${c%%|*}"
done
matrix_run same TARGET=host RESUME="$id" SHARD=2/2
[[ $MRC -eq 0 ]] || fail "RESUME=$id SHARD=2/2 exited $MRC: $(tail -n 2 "$T/same.err")"
if ! grep -q 'done already' "$T/same.err" || [[ $(wc -l <"$run/results.jsonl") -ne 1 ]]; then
	fail "RESUME=$id SHARD=2/2 ran its finished point again"
fi
survived "RESUME of a shard with its own SHARD resumes (nothing left to run)"
t2=$(sed -n 2p <<<"$PLAN" | cut -f1)
[[ "$(last_status "$run" host "$t2" | cut -f1)" == ok ]] || fail "shard 2/2 has no ok record of $t2"
lost 0

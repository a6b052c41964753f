#!/usr/bin/env bash
# SIGTERM (to matrix alone) and SIGINT (to its process group, a Ctrl-C)
# during a host run of two points (null, threads 1 and 2): mid-point, and
# while the first point's record is being appended (tests/vm/slow-allocbench
# holds the append); then SIGTERM to `make run` itself, mid-point.
# Afterwards: the exit status is 128 + signal (make: non-zero), meta.json
# says stopped, no allocbench of the run still runs, the second point did
# not start, an append that had begun finished; RESUME records every point.
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"
[[ $(id -u) -eq 0 ]] || skip "host runs need root (BPF, cgroups)"
# shellcheck source=tests/vm/fault-lib.sh
. "$(dirname "$0")/../vm/fault-lib.sh"
t1=${PLAN%%$'\t'*}
t2=$(sed -n 2p <<<"$PLAN" | cut -f1)

# check NAME SIG WANT_RC T1_STATUS: the stopped run, then its resume.
check()
{
	[[ $MRC -eq $3 ]] || fail "$1: exited $MRC after SIG$2, want $3: $(tail -n 2 "$T/$1.err")"
	[[ "$(jq -r '.stopped.signal' "$MDIR/meta.json" 2>/dev/null)" == "$2" ]] ||
		fail "$1: meta.json does not say stopped by $2"
	check_gone "$PROCS" "$1"
	[[ "$(last_status "$MDIR" host "$t1" | cut -f1)" == "$4" ]] ||
		fail "$1: the first point's record is '$(last_status "$MDIR" host "$t1")', want '$4'"
	if [[ -n "$(last_status "$MDIR" host "$t2")" ]] || grep -q '2/2' "$T/$1.err"; then
		fail "$1: the second point started"
	fi
	survived "$1: exit $3, meta.json stopped, nothing left running, no next point"
	matrix_run "$1-resume" TARGET=host RESUME="${MDIR##*/}"
	[[ $MRC -eq 0 ]] || fail "$1: the resume exited $MRC: $(tail -n 2 "$T/$1-resume.err")"
	n=$(count_lost "$MDIR" host)
	lost "$n"
	[[ $n -eq 0 ]] || fail "$1: $n point(s) without a record after the resume"
	survived "$1: the resume records every point"
}

for sig in TERM INT; do
	fault "SIG$sig mid-point"
	matrix_start "mid-point-$sig" TARGET=host
	wait_for "tree:allocbench run null"
	sleep 0.5
	matrix_stop "$sig"
	check "mid-point-$sig" "$sig" $((128 + $(kill -l "$sig"))) ""

	fault "SIG$sig during an append"
	rm -f "$T/mark/"*
	matrix_start "append-$sig" TARGET=host ALLOCBENCH="$ROOT/tests/vm/slow-allocbench" \
		REAL_ALLOCBENCH="$AB_ABS" FAKE_APPEND_SLEEP=2
	wait_for "$T/mark/append"
	matrix_stop "$sig"
	check "append-$sig" "$sig" $((128 + $(kill -l "$sig"))) ok
done

# make forwards SIGTERM to matrix; matrix must not leave its point behind.
fault "SIGTERM to make run, mid-point"
# shellcheck disable=SC2034  # read by the sourced fault library
MNAME="make"
setsid env --default-signal=INT "${COMMON[@]}" make -s -C "$ROOT" -o build/allocbench run \
	TARGET=host WORKLOADS=null THREADS="$THREADS" DURATION=1 WARMUP=0 >"$T/make.out" 2>"$T/make.err" &
# shellcheck disable=SC2034  # read by the sourced fault library
MPID=$!
wait_for "tree:allocbench run null"
sleep 0.5
matrix_stop TERM
MDIR=$(find "$T/results" -mindepth 1 -maxdepth 1 -newer "$T/append-INT-resume.out" -type d)
[[ $MRC -ne 0 && -d "$MDIR" ]] || fail "make run exited $MRC after SIGTERM (dir '$MDIR')"
check make TERM "$MRC" ""

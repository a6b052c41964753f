#!/usr/bin/env bash
# A host run with a point of more threads than the host has CPUs: that
# point must end with a failed record carrying the reason `allocbench run`
# gave, and matrix must exit 1 and say how many points failed.
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"
[[ $(id -u) -eq 0 ]] || skip "host runs need root (BPF, cgroups)"
possible=$(awk -F, '{ for (i = 1; i <= NF; i++) { n = split($i, r, "-"); c += (n == 2) ? r[2] - r[1] + 1 : 1 } } END { print c }' /sys/devices/system/cpu/possible)
many=$((possible + 1))
[[ $many -le 1024 ]] || skip "this host has 1024 possible CPUs"
# shellcheck disable=SC2034  # read by the sourced fault library
THREADS=1,$many
# shellcheck source=tests/vm/fault-lib.sh
. "$(dirname "$0")/../vm/fault-lib.sh"

fault "a point of $many threads on a host of $possible possible CPUs"
matrix_run threads TARGET=host
[[ $MRC -eq 1 ]] || fail "matrix exited $MRC, want 1: $(tail -n 2 "$T/threads.err")"
grep -q '^matrix: 1 of 2 point(s) failed (0 without a record)' "$T/threads.err" ||
	fail "stderr does not say 1 of 2 failed: $(tail -n 1 "$T/threads.err")"
survived "matrix exits 1 and says 1 of 2 failed"
t1=${PLAN%%$'\t'*}
tn=$(sed -n 2p <<<"$PLAN" | cut -f1)
[[ "$(last_status "$MDIR" host "$t1")" == ok$'\t' ]] || fail "$t1: $(last_status "$MDIR" host "$t1")"
got=$(last_status "$MDIR" host "$tn")
[[ "$got" == "failed"$'\t'"allocbench run exited 2: allocbench: --threads '$many'"* ]] ||
	fail "$tn: '$got', want failed with allocbench's reason"
survived "the point ends with a failed record and the reason the run gave"
lost "$(count_lost "$MDIR" host)"

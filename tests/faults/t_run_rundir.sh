#!/usr/bin/env bash
# Two host runs started in the same second: each must get a run directory
# of its own (NAME and NAME.1), with its own meta.json and records.
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"
[[ $(id -u) -eq 0 ]] || skip "host runs need root (BPF, cgroups)"
# shellcheck disable=SC2034  # read by the sourced fault library
THREADS=1
# shellcheck source=tests/vm/fault-lib.sh
. "$(dirname "$0")/../vm/fault-lib.sh"

fault "two runs started in the same second"
for try in 1 2 3; do
	# Start both early in a second, so that both name it.
	while ((10#$(date +%N) > 300000000)); do sleep 0.02; done
	matrix_start a TARGET=host
	pa=$MPID
	matrix_start b TARGET=host
	pb=$MPID
	rca=0 rcb=0
	wait "$pa" || rca=$?
	wait "$pb" || rcb=$?
	da=$(tail -n 1 "$T/a.out")
	db=$(tail -n 1 "$T/b.out")
	# the same second: the names agree up to a .N suffix
	[[ "${da%.[0-9]*}" != "${db%.[0-9]*}" ]] || break
	[[ $try -lt 3 ]] || skip "three tries did not start both runs in the same second"
done
[[ $rca -eq 0 && $rcb -eq 0 ]] || fail "exit $rca and $rcb: $(tail -n 1 "$T/a.err") / $(tail -n 1 "$T/b.err")"
[[ -n "$da" && "$da" != "$db" ]] || fail "both runs wrote to '$da'"
for d in "$da" "$db"; do
	id=${d##*/}
	[[ "$(jq -r .run_id "$d/meta.json")" == "$id" ]] || fail "$d/meta.json: run_id is not $id"
	[[ "$(jq -r .run_id "$d/results.jsonl" | sort -u)" == "$id" && $(wc -l < "$d/results.jsonl") -eq 1 ]] ||
		fail "$d/results.jsonl: not one record of run $id"
	lost "$(count_lost "$d" host)"
done
survived "two directories ($(basename "$da"), $(basename "$db")), each with its own meta.json and record"

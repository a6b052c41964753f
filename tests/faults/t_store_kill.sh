#!/usr/bin/env bash
# SIGKILL an append at random moments: results.jsonl is always the old or
# the new file, never a mix, and the next append cleans the leftovers.
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"

run=$T/run
mkdir -p "$run"
record null/loops=65536/t1 1 ok >"$T/one.json"
awk -v n=3000 '{ for (i = 0; i < n; i++) print }' "$T/one.json" >"$T/batch.json"
"$AB" results append "$run" <"$T/one.json"
for k in 1 2 3 4 5 6; do
	before=$(wc -l <"$run/results.jsonl")
	fault "SIGKILL during append $k"
	"$AB" results append "$run" <"$T/batch.json" &
	pid=$!
	sleep "0.0$((k * 3))"
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	after=$(wc -l <"$run/results.jsonl")
	[[ $after -eq $before || $after -eq $((before + 3000)) ]] ||
		fail "after a kill: $after records (before $before)"
	jq -e -s 'length > 0' "$run/results.jsonl" >/dev/null || fail "a line is not JSON"
	survived "kill $k: old or new file ($before -> $after), every line whole"
done
"$AB" results append "$run" <"$T/one.json"
for f in "$run"/*.tmp.*; do
	[[ -e $f ]] && fail "a temporary of a killed writer was left: $f"
done
survived "the next append removed the killed writers' temporaries"
lost 0

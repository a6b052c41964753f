#!/usr/bin/env bash
# Two writers append to one run directory at once (a resumed run next to a
# live one, an orphaned vm-run): every record must be kept.
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"

run=$T/run
mkdir -p "$run"
n=200
record null/loops=65536/t1 1 ok >"$T/a.json"
record null/loops=65536/t2 2 ok >"$T/b.json"
writer() {
	for ((i = 0; i < n; i++)); do
		"$AB" results append "$run" <"$1" || echo "append failed" >>"$T/errors"
	done
}
fault "two concurrent writers, $n appends each"
writer "$T/a.json" &
a=$!
writer "$T/b.json" &
b=$!
wait "$a" "$b"
lines=$(wc -l <"$run/results.jsonl")
[[ ! -s $T/errors ]] || fail "appends failed: $(sort -u "$T/errors")"
lost $((2 * n - lines))
[[ $lines -eq $((2 * n)) ]] || fail "$lines records of $((2 * n))"
survived "every record of both writers kept ($lines)"
jq -e -s 'length == 400' "$run/results.jsonl" >/dev/null || fail "a line is not JSON"
survived "every line is one whole record"

fault "meta writes while records are appended"
writer "$T/a.json" &
a=$!
for ((i = 0; i < 100; i++)); do
	"$AB" results meta "$run" "k$i=v$i" || fail "meta k$i failed"
done
wait "$a"
[[ $(jq 'keys | length' "$run/meta.json") -eq 100 ]] || fail "meta lost keys"
[[ $(wc -l <"$run/results.jsonl") -eq $((3 * n)) ]] || fail "records lost next to meta writes"
survived "meta and records both whole"

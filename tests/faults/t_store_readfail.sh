#!/usr/bin/env bash
# results append must never replace what it could not read: under a small
# address-space limit the old store read the file into memory, failed, and
# rewrote results.jsonl with the new record alone.
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"

run=$T/run
mkdir -p "$run"
record null/loops=65536/t1 1 ok >"$T/one.json"
awk -v n=40000 '{ for (i = 0; i < n; i++) print }' "$T/one.json" >"$run/results.jsonl"
before=$(sha256sum <"$run/results.jsonl")

fault "append of one record under ulimit -v 25000 to 40000 records"
rc=0
(ulimit -v 25000 && exec "$AB" results append "$run" <"$T/one.json") || rc=$?
lines=$(wc -l <"$run/results.jsonl")
if [[ $rc -eq 0 ]]; then
	[[ $lines -eq 40001 ]] || fail "rc 0 but $lines records (want 40001)"
	head -n 40000 "$run/results.jsonl" | sha256sum | grep -q "${before%% *}" ||
		fail "the old records changed"
	survived "append in bounded memory kept 40000 + 1 records"
else
	[[ $(sha256sum <"$run/results.jsonl") == "$before" ]] ||
		fail "append failed (rc $rc) and changed results.jsonl ($lines records)"
	survived "failed append (rc $rc) left results.jsonl as it was"
fi
lost $((40001 - lines > 1 ? 40000 - lines : 0))

fault "results.jsonl that cannot be read (a directory)"
mkdir -p "$T/dir/results.jsonl"
if "$AB" results append "$T/dir" <"$T/one.json" 2>"$T/err"; then
	fail "append to an unreadable results.jsonl reported success"
fi
[[ -d $T/dir/results.jsonl ]] || fail "the unreadable results.jsonl was replaced"
survived "unreadable results.jsonl: error, nothing replaced ($(head -c 80 "$T/err"))"

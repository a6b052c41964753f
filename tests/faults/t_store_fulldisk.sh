#!/usr/bin/env bash
# A full results file system: the append fails, says so, and leaves the
# records and no temporary behind.
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"

mnt=$T/full
mkdir -p "$mnt"
mount -t tmpfs -o size=256k tmpfs "$mnt" 2>/dev/null || skip "cannot mount a tmpfs (not root?)"
trap 'umount "$mnt" 2>/dev/null; rm -rf "$T"' EXIT
run=$mnt/run
record null/loops=65536/t1 1 ok >"$T/one.json"
mkdir -p "$run"
awk -v n=300 '{ for (i = 0; i < n; i++) print }' "$T/one.json" >"$run/results.jsonl"
before=$(sha256sum <"$run/results.jsonl")
awk -v n=100 '{ for (i = 0; i < n; i++) print }' "$T/one.json" >"$T/batch.json"

fault "append to a full file system"
if "$AB" results append "$run" <"$T/batch.json" 2>"$T/err"; then
	fail "append to a full disk reported success"
fi
grep -q "No space left" "$T/err" || fail "the error does not say why: $(cat "$T/err")"
[[ $(sha256sum <"$run/results.jsonl") == "$before" ]] || fail "results.jsonl changed"
for f in "$run"/*.tmp.*; do [[ -e $f ]] && fail "a temporary was left: $f"; done
survived "full disk: error with its reason, records intact, no temporary"
lost 0

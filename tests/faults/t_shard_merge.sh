#!/usr/bin/env bash
# results merge under faults: SIGKILL and SIGTERM at random moments, two
# merges into one OUT at once, a full file system, a results.jsonl that
# cannot be read, a meta.json that is not JSON. OUT is always absent or
# whole, the runs are never changed, a stop signal or a failure leaves no
# temporary, and the next merge removes a killed one's.
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"

R=$T/runs
O=$T/out
mkdir -p "$R" "$O"
N=3000
for i in 1 2; do
	"$AB" results meta "$R/s$i" run_id="s$i" schema:=1 finished_at=2030-01-01T00:00:00Z \
		"shard:={\"index\": $i, \"count\": 2}" 'settings:={"threads": "1,2"}'
	point=$("$AB" plan --workloads null --threads "$i" 2>/dev/null | cut -f1)
	record "$point" "$i" ok "s$i" >"$T/one.json"
	awk -v n=$N '{ for (i = 0; i < n; i++) print }' "$T/one.json" | "$AB" results append "$R/s$i"
done
runs_sum=$(find "$R" -type f -exec md5sum {} + | sort)

# OUT ($1) is absent or whole: every record, a meta.json naming it.
whole_or_absent()
{
	[[ -e "$1" ]] || return 0
	[[ $(wc -l <"$1/results.jsonl") -eq $((2 * N)) ]] ||
		fail "$2: $1 has $(wc -l <"$1/results.jsonl") records, want $((2 * N))"
	[[ "$(jq -r .run_id "$1/meta.json")" == "$(basename "$1")" ]] || fail "$2: $1/meta.json is not whole"
}
temporaries() { find "$O" -maxdepth 1 -name '.*.merge.*' | wc -l; }
# A merge of these runs takes about 0.5 s, reading the first half of it.
delays=(0 0.05 0.15 0.25 0.3 0.35 0.45)

for k in 1 2 3 4 5 6; do
	fault "SIGKILL during merge $k (after ${delays[k]} s)"
	"$AB" results merge "$O/k" "$R/s1" "$R/s2" >/dev/null 2>&1 &
	pid=$!
	sleep "${delays[k]}"
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	whole_or_absent "$O/k" "kill $k"
	state="OUT $([[ -e "$O/k" ]] && echo whole || echo absent), $(temporaries) temporary"
	if [[ ! -e "$O/k" ]]; then
		"$AB" results merge "$O/k" "$R/s1" "$R/s2" >/dev/null 2>"$T/err" ||
			fail "the merge after kill $k: $(cat "$T/err")"
		whole_or_absent "$O/k" "the merge after kill $k"
		state+="; the next merge made OUT whole"
	fi
	[[ $(temporaries) -eq 0 ]] || fail "kill $k: a killed merge's temporary is still there"
	survived "kill $k: $state, no temporary left"
	rm -rf "$O/k"
done

for k in 1 2 3 4 5 6; do
	fault "SIGTERM during merge $k (after ${delays[k]} s)"
	rc=0
	"$AB" results merge "$O/t" "$R/s1" "$R/s2" >/dev/null 2>&1 &
	pid=$!
	sleep "${delays[k]}"
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || rc=$?
	[[ $rc -eq 0 || $rc -eq 143 ]] || fail "TERM $k: exit $rc"
	whole_or_absent "$O/t" "TERM $k"
	[[ $(temporaries) -eq 0 ]] || fail "TERM $k: a temporary was left"
	survived "TERM $k: exit $rc, OUT $([[ -e "$O/t" ]] && echo whole || echo absent), no temporary"
	rm -rf "$O/t"
done

for k in 1 2 3; do
	fault "two merges into one OUT at once ($k)"
	"$AB" results merge "$O/both" "$R/s1" "$R/s2" >/dev/null 2>"$T/a.err" &
	pa=$!
	"$AB" results merge "$O/both" "$R/s1" "$R/s2" >/dev/null 2>"$T/b.err" &
	pb=$!
	ra=0 rb=0
	wait "$pa" || ra=$?
	wait "$pb" || rb=$?
	[[ "$ra $rb" == "0 2" || "$ra $rb" == "2 0" ]] || fail "two merges: exit $ra and $rb, want 0 and 2"
	grep -q "exists" "$T/a.err" "$T/b.err" || fail "the refused merge does not say OUT exists"
	whole_or_absent "$O/both" "two merges"
	[[ $(temporaries) -eq 0 ]] || fail "two merges: a temporary was left"
	survived "two merges into one OUT: one made it whole, the other exit 2"
	rm -rf "$O/both"
done

fault "a results.jsonl that cannot be read"
mkdir -p "$R/unreadable"
cp "$R/s2/meta.json" "$R/unreadable/meta.json"
mkdir "$R/unreadable/results.jsonl"
rc=0
"$AB" results merge "$O/u" "$R/s1" "$R/unreadable" >/dev/null 2>"$T/err" || rc=$?
[[ $rc -eq 1 && ! -e "$O/u" && $(temporaries) -eq 0 ]] || fail "an unreadable results.jsonl: exit $rc: $(cat "$T/err")"
survived "an unreadable results.jsonl: exit 1 ($(cat "$T/err")), nothing made"

fault "a meta.json that is not JSON"
mkdir -p "$R/hostile"
printf '{"run_id": "x",' >"$R/hostile/meta.json"
rc=0
"$AB" results merge "$O/h" "$R/s1" "$R/hostile" >/dev/null 2>"$T/err" || rc=$?
[[ $rc -eq 2 && $(wc -l <"$T/err") -eq 1 && ! -e "$O/h" ]] || fail "a meta.json that is not JSON: exit $rc: $(cat "$T/err")"
survived "a meta.json that is not JSON: exit 2, one line, nothing made"

mnt=$T/full
mkdir -p "$mnt"
if mount -t tmpfs -o size=512k tmpfs "$mnt" 2>/dev/null; then
	trap 'umount "$mnt" 2>/dev/null; rm -rf "$T"' EXIT
	fault "merge onto a full file system"
	rc=0
	"$AB" results merge "$mnt/out" "$R/s1" "$R/s2" >/dev/null 2>"$T/err" || rc=$?
	if [[ $rc -ne 1 ]] || ! grep -q "No space left" "$T/err"; then
		fail "a full disk: exit $rc: $(cat "$T/err")"
	fi
	[[ ! -e "$mnt/out" && -z "$(ls -A "$mnt")" ]] || fail "a full disk: something was left: $(ls -A "$mnt")"
	survived "a full file system: exit 1 with its reason, no OUT, no temporary"
else
	echo "  (no tmpfs mount: the full-disk case needs root)"
fi

[[ "$(find "$R/s1" "$R/s2" -type f -exec md5sum {} + | sort)" == "$(grep -E '/s[12]/' <<<"$runs_sum")" ]] ||
	fail "a run was changed"
survived "the runs merged are unchanged"
lost 0

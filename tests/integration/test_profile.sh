#!/usr/bin/env bash
# make test-profile: allocbench run --profile on the running kernel, as root.
#
#   tests/integration/test_profile.sh      (BUILD=build by default)
#
# 1. A profiled htab_churn point (2 s, noprealloc, overwrite) has a
#    "profile" whose top-symbol list is not empty, whose samples are more
#    than zero, whose window is the measured seconds (within 10 %: perf is
#    enabled at most 0.5 s late on a loaded machine, enable_lag_s, and
#    disabled where the window ends), and
#    whose top symbols hold a hash-map update function (htab_map_update_elem
#    or one of its callees that only an update runs: alloc_htab_elem,
#    htab_lock_bucket, ...); its directory holds perf.data, top.txt and a
#    non-empty stacks.folded whose counts add up to the samples.
# 2. The same point without --profile has no "profile" and runs no perf
#    (no perf process is a child of allocbench while it runs).
# 3. abreport draws the profiled point (a run directory of its record and
#    files): the top-symbol table in report.md, a flame graph's data and
#    the renderer's scripts in the report (skipped without build/abreport
#    or without make deps' d3-flame-graph).
# Skips (exit 0, says why) when not root or without perf.
set -euo pipefail

BUILD=${BUILD:-build}
BIN=${ALLOCBENCH:-$BUILD/allocbench}
pass=0
failed=0
ok() { echo "test-profile: PASS $*"; pass=$((pass + 1)); }
bad() { echo "test-profile: FAIL $*"; failed=$((failed + 1)); }

[[ -x "$BIN" ]] || { echo "test-profile: $BIN is missing (run make)" >&2; exit 2; }
if [[ $(id -u) -ne 0 ]]; then
	echo "test-profile: SKIP: not root (the workloads load BPF programs)"
	exit 0
fi
if ! command -v "${ALLOCBENCH_PERF:-perf}" >/dev/null; then
	echo "test-profile: SKIP: no perf (apt-get install linux-perf)"
	exit 0
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/allocbench-profile.XXXXXX")
trap 'rm -rf "$dir"' EXIT
point=(htab_churn --threads 2 --duration 2 --warmup 1 --param map=noprealloc
	--param case=overwrite)

# --- 1. profiled ---------------------------------------------------------
"$BIN" run "${point[@]}" --profile --profile-dir "$dir/profiles" \
	> "$dir/on.json" 2> "$dir/on.err" || { cat "$dir/on.err" >&2; bad "profiled run failed"; }
if jq -e '.status == "ok"' "$dir/on.json" > /dev/null; then
	ok "profiled point: status ok"
else
	bad "profiled point: $(jq -c '{status, reason}' "$dir/on.json")"
fi
if jq -e '.profile.top | length > 0' "$dir/on.json" > /dev/null; then
	ok "profile.top: $(jq -r '[.profile.top[:5][] | "\(.symbol) \(.self_pct)%"] | join(", ")' "$dir/on.json")"
else
	bad "profile.top is empty or missing: $(jq -c '.profile' "$dir/on.json")"
fi
if jq -e '[.profile.top[].symbol] | any(test("^(htab_map_update_elem|alloc_htab_elem|htab_lock_bucket|__htab_map_update_elem|htab_map_update_elem_in_place)$"))' \
	"$dir/on.json" > /dev/null; then
	ok "a hash-map update function is among the top symbols"
else
	bad "no hash-map update function in $(jq -c '[.profile.top[].symbol]' "$dir/on.json")"
fi
if jq -e '.profile.samples > 0 and (.profile.event == "cycles" or .profile.event == "cpu-clock")
	and (.profile.window_s + .profile.enable_lag_s > 1.8)
	and (.profile.window_s + .profile.enable_lag_s < 2.2) and .profile.enable_lag_s < 0.5
	and (.profile | has("reason") | not)' "$dir/on.json" > /dev/null; then
	ok "samples $(jq -r '.profile.samples' "$dir/on.json"), event $(jq -r '.profile.event' "$dir/on.json"), window $(jq -r '.profile.window_s' "$dir/on.json") s of 2 (enabled $(jq -r '.profile.enable_lag_s' "$dir/on.json") s late)"
else
	bad "samples, event or window wrong: $(jq -c '.profile | del(.top)' "$dir/on.json")"
fi
pdir=$dir/profiles/$(jq -r '.profile.dir' "$dir/on.json")
if [[ -s "$pdir/perf.data" && -s "$pdir/top.txt" && -s "$pdir/stacks.folded" ]]; then
	sum=$(awk '{ n += $NF } END { print n + 0 }' "$pdir/stacks.folded")
	if [[ "$sum" == "$(jq -r '.profile.samples' "$dir/on.json")" ]]; then
		ok "profiles/$(jq -r '.profile.dir' "$dir/on.json" | cut -c1-40)...: perf.data, top.txt, stacks.folded ($sum samples)"
	else
		bad "stacks.folded counts $sum samples, the record $(jq -r '.profile.samples' "$dir/on.json")"
	fi
else
	bad "missing files in $pdir: $(ls "$pdir" 2>&1 | tr '\n' ' ')"
fi

# --- 2. unprofiled -------------------------------------------------------
"$BIN" run "${point[@]}" > "$dir/off.json" 2> "$dir/off.err" &
pid=$!
perf_seen=0
while kill -0 "$pid" 2>/dev/null; do
	if pgrep -P "$pid" -x perf > /dev/null 2>&1; then
		perf_seen=1
	fi
	sleep 0.2
done
wait "$pid" || bad "unprofiled run failed: $(tail -1 "$dir/off.err")"
if jq -e '.status == "ok" and (has("profile") | not)' "$dir/off.json" > /dev/null; then
	ok "unprofiled point: no profile"
else
	bad "unprofiled point: $(jq -c '{status, profile}' "$dir/off.json")"
fi
if ((perf_seen == 0)); then
	ok "unprofiled point: no perf child ran"
else
	bad "unprofiled point: a perf child ran"
fi

# --- 3. the report ----------------------------------------------------------
AB=${ABREPORT:-$BUILD/abreport}
mods=${ABREPORT_NODE_MODULES:-$BUILD/npm/node_modules}
if [[ ! -x "$AB" ]]; then
	echo "test-profile: SKIP report: no $AB (make $AB)"
elif [[ ! -f "$mods/d3-flame-graph/package.json" ]]; then
	echo "test-profile: SKIP report: no d3-flame-graph under $mods (make deps)"
else
	run=$dir/run
	mkdir -p "$run"
	cp "$dir/on.json" "$run/results.jsonl"
	mv "$dir/profiles" "$run/profiles"
	if ABREPORT_NODE_MODULES=$(cd "$mods" && pwd) "$AB" report "$run" > /dev/null 2> "$dir/report.err" &&
		grep -q '^| symbol (self %) | host: ' "$run/report/report.md" &&
		grep -q '^| htab_map_update_elem | ' "$run/report/report.md" &&
		[[ -s "$run/report/flame/1.js" && -s "$run/report/vendor/d3-flamegraph.min.js" &&
			-s "$run/report/vendor/d3.min.js" ]] &&
		grep -q 'abRenderFlame("f1")' "$run/report/index.html"; then
		ok "report: the top-symbol table, flame/1.js and the renderer in report/vendor/"
	else
		bad "report: no profile table or flame graph in $run/report ($(tail -n 1 "$dir/report.err"))"
	fi
fi

echo "test-profile: $pass passed, $failed failed"
((failed == 0))

#!/usr/bin/env bash
# make test-profile-vm: one profiled point in a guest (TCG), end to end.
#
#   tests/kernels/test-profile.sh [VARIANT]      (default bpf-ma)
#
# Boots VARIANT (its kernel must be built: make kernels VARIANTS=bpf-ma)
# once through runners/matrix with PROFILE=1 and one map_perf point
# (2 threads, 3 s after 1 s), perf coming from the initramfs
# (runners/mkinitramfs), and checks:
#   - the record is ok, from the guest, with a kprobe trigger, and has a
#     profile: samples, a non-empty top-symbol list with a hash-map
#     function (htab_map_update_elem, htab_map_delete_elem, ...) named
#     from the guest kernel's kallsyms (kind k), no reason;
#   - its files came out of the guest: profiles/VARIANT/POINT_ID/ holds
#     perf.data, top.txt and stacks.folded adding up to the samples;
#   - make report draws the profile: the variant's column and a flame
#     graph's data script.
# Prints the boot's first-point time (qemu start to the first point).
set -euo pipefail

BUILD=${BUILD:-build}
V=${1:-bpf-ma}
pass=0
failed=0
ok() { echo "test-profile-vm: PASS $*"; pass=$((pass + 1)); }
bad() { echo "test-profile-vm: FAIL $*"; failed=$((failed + 1)); }
finish() {
	echo "test-profile-vm: $pass passed, $failed failed"
	((failed == 0))
	exit
}

[[ -x "$BUILD/allocbench" ]] || { echo "test-profile-vm: $BUILD/allocbench is missing (run make)" >&2; exit 2; }
if [[ ! -f "$BUILD/kernels/$V/bzImage" ]]; then
	echo "test-profile-vm: SKIP: no kernel for $V (make kernels VARIANTS=$V)"
	exit 0
fi
if ! command -v perf > /dev/null; then
	echo "test-profile-vm: SKIP: no perf to put in the initramfs (apt-get install linux-perf)"
	exit 0
fi

results=$BUILD/tests/profile
mkdir -p "$results"
rc=0
t=$SECONDS
RESULTS_DIR=$results TARGET=vm VARIANTS=$V WORKLOADS=map_perf THREADS=2 \
	DURATION=3 WARMUP=1 PROFILE=1 BUILD=$BUILD \
	runners/matrix > "$results/matrix.out" || rc=$?
run=$(tail -n 1 "$results/matrix.out")
if ((rc == 0)) && [[ -f "$run/results.jsonl" ]]; then
	ok "boot and run in $((SECONDS - t)) s: $run"
else
	bad "runners/matrix exited $rc (run: ${run:-none}; see its logs/)"
	finish
fi
grep -o 'first point began [0-9.]*s after qemu started' "$run/logs/$V.vm-run.log" | head -n 1 |
	sed 's/^/test-profile-vm: /' || true

rec=$run/results.jsonl
if jq -e -s --arg v "$V" 'length == 1 and .[0].status == "ok" and .[0].variant == $v
	and .[0].target == "vm" and .[0].trigger == "kprobe:getpgid"' "$rec" > /dev/null; then
	ok "record ok from $V, trigger kprobe:getpgid"
else
	bad "record: $(jq -c '{status, variant, trigger, reason}' "$rec")"
fi
if jq -e '.profile.samples > 0 and (.profile.top | length > 0) and (.profile | has("reason") | not)
	and ([.profile.top[] | select(.kind == "k") | .symbol]
		| any(test("^(htab_map_update_elem|htab_map_delete_elem|__htab_map_lookup_elem|alloc_htab_elem|free_htab_elem)$")))' \
	"$rec" > /dev/null; then
	ok "profile ($(jq -r '.profile.event' "$rec"), $(jq -r '.profile.samples' "$rec") samples): $(jq -r '[.profile.top[:6][] | "\(.symbol) \(.self_pct)%"] | join(", ")' "$rec")"
else
	bad "profile: $(jq -c '.profile' "$rec")"
fi
pdir=$run/profiles/$(jq -r '.profile.dir' "$rec")
if [[ -s "$pdir/perf.data" && -s "$pdir/top.txt" && -s "$pdir/stacks.folded" ]] &&
	[[ "$(awk '{ n += $NF } END { print n + 0 }' "$pdir/stacks.folded")" == "$(jq -r '.profile.samples' "$rec")" ]]; then
	ok "files out of the guest: $(du -sh "$pdir" | cut -f1) in profiles/$V/..."
else
	bad "files missing or short in $pdir: $(ls "$pdir" 2>&1 | tr '\n' ' ')"
fi

if "$BUILD/abreport" report "$run" > /dev/null 2>&1 &&
	grep -q "| symbol (self %) | $V: " "$run/report/report.md" &&
	ls "$run/report/flame/"*.js > /dev/null 2>&1; then
	ok "report: the top-symbol table and a flame graph's data"
else
	bad "report: no profile table or flame graph in $run/report"
fi
finish

#!/usr/bin/env bash
# make test-612: the second base release end to end, outside CI. Builds
# bpf-ma-6.12 (stock linux-source-6.12) unless build/kernels/bpf-ma-6.12
# already holds a kernel made from the declaration's current inputs
# (runners/build-kernel --if-needed), checks its build.json, boots it with
# the busybox smoke test (tests/kernels/boot-smoke.sh), then once under the
# VM runner with a null and a noprealloc htab_churn point at one thread,
# and checks the records with jq: every point ok, from this variant, on a
# 6.12 kernel.
#
#   tests/kernels/test-612.sh
# Prints the time of every phase; the run goes to build/tests/612/.
set -euo pipefail

BUILD=${BUILD:-build}
BIN=$BUILD/allocbench
V=bpf-ma-6.12
BASE=linux-source-6.12
[ -x "$BIN" ] || { echo "test-612: $BIN is missing (run make)" >&2; exit 2; }

t0=$(date +%s)
pass=0
failed=0
ok() { echo "test-612: PASS $*"; pass=$((pass + 1)); }
bad() { echo "test-612: FAIL $*"; failed=$((failed + 1)); }
since() { echo "$(( $(date +%s) - $1 )) s"; }
finish() {
	echo "test-612: $pass passed, $failed failed in $(since "$t0")"
	[ "$failed" -eq 0 ]
	exit
}

# --- build (or keep) -------------------------------------------------------
t=$(date +%s)
if BUILD=$BUILD runners/build-kernel --if-needed "$V"; then
	ok "build $V in $(since "$t")"
else
	bad "build $V ($(since "$t"), log $BUILD/kernels/$V/build.log)"
	finish
fi

json=$BUILD/kernels/$V/build.json
if jq -e --arg base "$BASE" --arg v "$V" '
	.variant == $v and .base.package == $base
	and (.base.version | test("^6\\.12\\.[0-9]+-"))
	and (.base.deb_sha256 | test("^[0-9a-f]{64}$"))
	and (.kernel_release | startswith("6.12.") and endswith("-" + $v))
	and ([.configs[].file | split("/") | last] == ["base.config", "base-6.12.config"])
	and (.patches == [])' "$json" > /dev/null; then
	ok "build.json: $(jq -r '"\(.base.package) \(.base.version), \(.kernel_release), \(.compiled_objects) objects, \(.build_seconds) s"' "$json")"
else
	bad "build.json does not record $BASE, a 6.12 release and base.config + base-6.12.config ($json)"
fi
# what base-6.12.config is for: the SLUB people run, not tinyconfig's
if grep -qx '# CONFIG_SLUB_TINY is not set' "$BUILD/kernels/$V/config" &&
	grep -qx 'CONFIG_SLUB_CPU_PARTIAL=y' "$BUILD/kernels/$V/config"; then
	ok "config: full SLUB with per-CPU partial slabs"
else
	bad "config: SLUB_TINY or no SLUB_CPU_PARTIAL in $BUILD/kernels/$V/config"
fi

# --- the guest's needs (release, CPUs, BTF, cgroup2 memory.peak, bpffs, ...) -
t=$(date +%s)
if BUILD=$BUILD tests/kernels/boot-smoke.sh "$V"; then
	ok "boot-smoke $V in $(since "$t")"
else
	bad "boot-smoke $V"
fi

# --- one boot through the VM runner ----------------------------------------
results=$BUILD/tests/612
mkdir -p "$results"
t=$(date +%s)
rc=0
RESULTS_DIR=$results TARGET=vm VARIANTS=$V WORKLOADS=null,htab_churn THREADS=1 \
	DURATION=2 WARMUP=1 PARAMS="case=overwrite map=noprealloc" BUILD=$BUILD \
	runners/matrix > "$results/matrix.out" || rc=$?
run=$(tail -n 1 "$results/matrix.out")
if [ "$rc" -eq 0 ] && [ -f "$run/results.jsonl" ]; then
	ok "boot and run in $(since "$t"): $run"
else
	bad "runners/matrix exited $rc (run: ${run:-none}; see its logs/)"
	finish
fi
first=$(grep -o 'first point began [0-9.]*s after qemu started' \
	"$run/logs/$V.vm-run.log" 2>/dev/null | head -n 1 || true)
echo "test-612: ${first:-no first-point time in $run/logs/$V.vm-run.log}"

# --- the records -------------------------------------------------------------
if jq -e -s --arg v "$V" '
	length == 2
	and all(.[]; .variant == $v and .target == "vm" and .status == "ok"
		and (.samples | length) > 0 and .ops_per_sec.mean > 0
		and (.kernel_release | startswith("6.12.") and endswith("-" + $v)))
	and ([.[].workload] | sort) == ["htab_churn", "null"]' \
	"$run/results.jsonl" > /dev/null; then
	ok "records: $(jq -r -s 'map("\(.workload) \(.status) on \(.kernel_release) (\(.accel))") | join(", ")' "$run/results.jsonl")"
else
	jq -c '{workload, variant, status, kernel_release, reason}' "$run/results.jsonl" | sed 's/^/    /'
	bad "records of $V ($run/results.jsonl): want null and htab_churn, both ok, on 6.12"
fi
finish

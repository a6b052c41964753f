#!/usr/bin/env bash
# make test-kernels: build the variants (default bpf-ma kmalloc-rcu) from
# whatever build/ caches, boot each with a busybox smoke test, then run a
# short htab_churn and nmi_alloc in each through the VM runner and check the
# records. kmalloc-rcu's noprealloc nmi_alloc point must be `unsupported`
# (the verifier refuses non-preallocated hash maps to perf_event programs).
# Then, on the first built variant but kmalloc-rcu, tests/kernels/nmi/
# test-nmi.sh: NMIs injected through QMP are observed as NMI by nmi_alloc.
# Also proves on the real source that a patch which does not apply stops
# its variant naming the patch and leaves the working tree alone.
#
#   tests/kernels/test-kernels.sh [VARIANT...]
# Prints the time of every phase; scratch runs under build/tests/kernels/.
set -euo pipefail

BUILD=${BUILD:-build}
BIN=$BUILD/allocbench
CHECK=$BUILD/tests/vm/check-records
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(bpf-ma kmalloc-rcu)
[ -x "$BIN" ] || { echo "test-kernels: $BIN is missing (run make)" >&2; exit 2; }
[ -x "$CHECK" ] || { echo "test-kernels: $CHECK is missing (make $CHECK)" >&2; exit 2; }

t0=$(date +%s)
pass=0
failed=0
ok() { echo "test-kernels: PASS $*"; pass=$((pass + 1)); }
bad() { echo "test-kernels: FAIL $*"; failed=$((failed + 1)); }
since() { echo "$(( $(date +%s) - $1 )) s"; }

scratch=$BUILD/tests/kernels/$(date -u +%Y%m%d-%H%M%S)-$$
mkdir -p "$scratch"

# --- a patch that does not apply, on the real source ----------------------
k=$scratch/kernels
mkdir -p "$k/variants" "$k/configs" "$k/patches/broken"
cp kernels/configs/base.config "$k/configs/"
printf 'description=test\nbase=linux-source-6.1\npatches=broken\n' > "$k/variants/broken"
cat > "$k/patches/broken/0001-bpf-htab-a-change-that-cannot-apply.patch" <<'EOF'
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
Subject: [PATCH] bpf: htab: a change whose context is not in the source

---
diff --git a/kernel/bpf/hashtab.c b/kernel/bpf/hashtab.c
--- a/kernel/bpf/hashtab.c
+++ b/kernel/bpf/hashtab.c
@@ -1,3 +1,3 @@
 this line is not in hashtab.c
-neither is this one
+so the patch cannot apply
 nor this one
EOF
rc=0
KERNELS_DIR=$k runners/build-kernel broken > "$scratch/broken.out" 2>&1 || rc=$?
tree=$(runners/build-kernel --tree bpf-ma)
if [ "$rc" -eq 1 ] &&
	grep -q 'FAILED: patch .*/0001-bpf-htab-a-change-that-cannot-apply.patch does not apply' "$scratch/broken.out" &&
	[ "$(cat "$tree/.allocbench-variant" 2>/dev/null)" != broken ] &&
	[ ! -e "$BUILD/kernels/broken/bzImage" ]; then
	ok "a patch that does not apply stops its variant, names the file, leaves the tree"
else
	sed 's/^/    /' "$scratch/broken.out"
	bad "broken patch (exit $rc)"
fi
rm -rf "$BUILD/kernels/broken"

# --- build ----------------------------------------------------------------
built=()
for v in "${variants[@]}"; do
	t=$(date +%s)
	if BUILD=$BUILD runners/build-kernel "$v"; then
		ok "build $v in $(since "$t")"
		built+=("$v")
	else
		bad "build $v ($(since "$t"), log $BUILD/kernels/$v/build.log)"
	fi
done

# --- boot -----------------------------------------------------------------
for v in "${built[@]}"; do
	t=$(date +%s)
	if BUILD=$BUILD tests/kernels/boot-smoke.sh "$v"; then
		ok "boot-smoke $v in $(since "$t")"
	else
		bad "boot-smoke $v"
	fi
done

# --- workloads through the VM runner -------------------------------------
plan=$scratch/plan
"$BIN" plan --workloads htab_churn,nmi_alloc --threads 1 > "$plan"
for v in "${built[@]}"; do
	t=$(date +%s)
	run=$scratch/run-$v
	mkdir -p "$run"
	if runners/vm-run --variant "$v" --kernel "$BUILD/kernels/$v/bzImage" \
		--run-dir "$run" --plan "$plan" --duration 2 --warmup 1 --smp 2 \
		--mem 1024; then
		ok "vm-run $v: $(grep -c . "$plan") points in $(since "$t")"
	else
		bad "vm-run $v reported failed points ($run/logs/$v.console)"
	fi
	extra=()
	[ "$v" != kmalloc-rcu ] || extra=(--unsupported nmi_alloc/map=noprealloc)
	if "$CHECK" "$run" "$plan" --variant "$v" "${extra[@]}"; then
		ok "records of $v${extra[*]:+ (${extra[*]})}"
	else
		bad "records of $v ($run/results.jsonl)"
	fi
done

# --- injected NMIs observed as NMI, on one variant (tests/kernels/nmi) ----
nmi_v=""
for v in "${built[@]}"; do
	[ "$v" = kmalloc-rcu ] || { nmi_v=$v; break; }
done
if [ -n "$nmi_v" ]; then
	t=$(date +%s)
	if BUILD=$BUILD tests/kernels/nmi/test-nmi.sh "$nmi_v" > "$scratch/nmi.out" 2>&1; then
		ok "injected NMIs observed as NMI on $nmi_v in $(since "$t")"
	else
		sed 's/^/    /' "$scratch/nmi.out"
		bad "injected NMIs on $nmi_v ($scratch/nmi.out)"
	fi
else
	echo "test-kernels: skipped the injected-NMI check: no built variant that allows it (kmalloc-rcu refuses nmi_alloc)"
fi

echo "test-kernels: $pass passed, $failed failed in $(since "$t0") (scratch: $scratch)"
[ "$failed" -eq 0 ]

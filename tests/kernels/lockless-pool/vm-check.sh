#!/usr/bin/env bash
# vm-check.sh [VARIANT]: boot build/kernels/VARIANT (default lockless-pool)
# under qemu TCG with a busybox initramfs and bpf_pool.* boot parameters,
# and run pool_check in it: counters and parameter files, prefill, a burst
# that empties pool and reserve and gets -ENOMEM, the worker's refill, the
# give-back after a grace period, churn on hash and per-CPU hash maps, and
# a perf_event program allocating from interrupt context (pool_check.c
# says what each check expects). The console must show no panic, BUG,
# WARNING or RCU stall.
#
# Console: build/kernels/VARIANT/pool-check.console.
# Env: BUILD (build), TIMEOUT (300 s), SMP (2), CHURN (20000),
#      POOL_LOW (2), POOL_BATCH (4), POOL_HIGH (8), POOL_RESERVE (2).
set -euo pipefail

BUILD=${BUILD:-build}
TIMEOUT=${TIMEOUT:-300}
SMP=${SMP:-2}
CHURN=${CHURN:-20000}
low=${POOL_LOW:-2}
batch=${POOL_BATCH:-4}
high=${POOL_HIGH:-8}
reserve=${POOL_RESERVE:-2}
here=$(dirname "$0")
# shellcheck source=tests/kernels/lib-vmcheck.sh
. "$here/../lib-vmcheck.sh"
usage() { echo "vm-check.sh: $* (usage: tests/kernels/lockless-pool/vm-check.sh [VARIANT])" >&2; exit 2; }

[ $# -le 1 ] || usage "wrong number of arguments"
v=${1:-lockless-pool}
for n in "$TIMEOUT" "$SMP" "$CHURN" "$low" "$batch" "$high" "$reserve"; do
	[[ "$n" =~ ^[0-9]+$ ]] || usage "'$n' is not a number"
done
kernel=$BUILD/kernels/$v/bzImage
[ -f "$kernel" ] || usage "no $kernel (runners/build-kernel $v)"
busybox=$(command -v busybox) || usage "busybox-static is not installed"

bin=$BUILD/tests/kernels/lockless-pool/pool_check
mkdir -p "$(dirname "$bin")"
${CC:-gcc} -std=c11 -O2 -Wall -Wextra -Werror -static -o "$bin" \
	"$here/pool_check.c"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
cp "$busybox" "$root/bin/busybox"
cp "$bin" "$root/bin/pool_check"
cat > "$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
echo "LPC release \$(uname -r)"
/bin/pool_check --low $low --batch $batch --high $high --reserve $reserve --churn $CHURN
echo "LPC exit \$?"
echo "LPC stats begin"
cat /sys/kernel/debug/bpf_lockless_pool/stats
echo "LPC stats end"
# let the deferred map frees and the pools' destruction run before poweroff
sleep 3
echo "LPC done"
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$tmp/initrd.gz"

console=$BUILD/kernels/$v/pool-check.console
vmcheck_boot LPC "$console" "$SMP" pool_check \
	"bpf_pool.low=$low bpf_pool.batch=$batch bpf_pool.high=$high bpf_pool.reserve=$reserve"
echo "vm-check: $v passes pool_check (low=$low batch=$batch high=$high reserve=$reserve, $(sed -n 's/^LPC release //p' "$tmp/console"))"

#!/usr/bin/env bash
# vm-check.sh [VARIANT]: boot build/kernels/VARIANT (default lockless-pool)
# under qemu TCG with a busybox initramfs and run in it:
#  - pool_check: the refill counters in debugfs, fills of noprealloc hash
#    and per-CPU hash maps from bpf(2) with not one failure, the unbound
#    worker refilling a paced fill, prefill + reserve bounded by
#    max_entries (pool_check.c says what each check expects);
#  - htab_v60 --expect ma (tests/kernels/kmalloc-rcu): the front end is
#    still bpf_mem_alloc's (elements in the 96-byte caches, a deleted
#    element handed back at once, sleepable programs allowed).
# The console must show no panic, BUG, WARNING or RCU stall.
#
# Console: build/kernels/VARIANT/pool-check.console.
# Env: BUILD (build), TIMEOUT (300 s), SMP (2), ELEMS (20000).
set -euo pipefail

BUILD=${BUILD:-build}
TIMEOUT=${TIMEOUT:-300}
SMP=${SMP:-2}
ELEMS=${ELEMS:-20000}
here=$(dirname "$0")
# shellcheck source=tests/kernels/lib-vmcheck.sh
. "$here/../lib-vmcheck.sh"
usage() { echo "vm-check.sh: $* (usage: tests/kernels/lockless-pool/vm-check.sh [VARIANT])" >&2; exit 2; }

[ $# -le 1 ] || usage "wrong number of arguments"
v=${1:-lockless-pool}
for n in "$TIMEOUT" "$SMP" "$ELEMS"; do
	[[ "$n" =~ ^[0-9]+$ ]] || usage "'$n' is not a number"
done
kernel=$BUILD/kernels/$v/bzImage
[ -f "$kernel" ] || usage "no $kernel (runners/build-kernel $v)"
busybox=$(command -v busybox) || usage "busybox-static is not installed"

bin=$BUILD/tests/kernels/lockless-pool/pool_check
mkdir -p "$(dirname "$bin")"
${CC:-gcc} -std=c11 -O2 -Wall -Wextra -Werror -static -o "$bin" \
	"$here/pool_check.c"
${CC:-gcc} -std=c11 -O2 -Wall -Wextra -Werror -static -o "$bin-v60" \
	"$here/../kmalloc-rcu/htab_v60.c"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
cp "$busybox" "$root/bin/busybox"
cp "$bin" "$root/bin/pool_check"
cp "$bin-v60" "$root/bin/htab_v60"
cat > "$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
echo "LPC release \$(uname -r)"
/bin/pool_check --elems $ELEMS
rc=\$?
/bin/htab_v60 --expect ma
echo "LPC v60 exit \$?"
echo "LPC exit \$rc"
echo "LPC stats begin"
cat /sys/kernel/debug/bpf_mem_alloc/stats
echo "LPC stats end"
# let the deferred map frees run before poweroff
sleep 3
echo "LPC done"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$tmp/initrd.gz"

console=$BUILD/kernels/$v/pool-check.console
vmcheck_boot LPC "$console" "$SMP" pool_check
grep -q '^LPC v60 exit 0$' "$tmp/console" || { echo "vm-check: $v: htab_v60 --expect ma did not pass (console: $console)" >&2; exit 1; }
sed -n '/^LPC stats begin$/,/^LPC stats end$/p' "$tmp/console" | sed '1d;$d'
echo "vm-check: $v passes pool_check and htab_v60 --expect ma ($(sed -n 's/^LPC release //p' "$tmp/console"))"

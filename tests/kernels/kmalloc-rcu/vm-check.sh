#!/usr/bin/env bash
# vm-check.sh VARIANT [--expect refuse|allow]: boot build/kernels/VARIANT
# under qemu TCG with a busybox initramfs and run htab_prealloc_rules in it:
# raw_tracepoint programs must use non-preallocated hash maps through
# BPF_PROG_TEST_RUN (insert, delete, churn, full map, per-CPU zero-fill);
# perf_event programs must be refused them (--expect refuse, the default
# for kmalloc-rcu) or allowed (--expect allow, the default otherwise).
# The console must show no panic, BUG, WARNING or RCU stall.
#
# Console: build/kernels/VARIANT/htab-prealloc-rules.console.
# Env: BUILD (build), TIMEOUT (300 s), CHURN (20000 runs per churn check).
set -euo pipefail

BUILD=${BUILD:-build}
TIMEOUT=${TIMEOUT:-300}
CHURN=${CHURN:-20000}
here=$(dirname "$0")
# shellcheck source=tests/kernels/lib-vmcheck.sh
. "$here/../lib-vmcheck.sh"
usage() { echo "vm-check.sh: $* (usage: tests/kernels/kmalloc-rcu/vm-check.sh VARIANT [--expect refuse|allow])" >&2; exit 2; }

[ $# -eq 1 ] || [ $# -eq 3 ] || usage "wrong number of arguments"
v=$1
expect=allow
[ "$v" = kmalloc-rcu ] && expect=refuse
if [ $# -eq 3 ]; then
	[ "$2" = --expect ] || usage "unknown option $2"
	case "$3" in refuse|allow) expect=$3 ;; *) usage "--expect wants refuse or allow" ;; esac
fi
[[ "$CHURN" =~ ^[1-9][0-9]*$ ]] || usage "CHURN wants a positive number, not '$CHURN'"
kernel=$BUILD/kernels/$v/bzImage
[ -f "$kernel" ] || usage "no $kernel (runners/build-kernel $v)"
busybox=$(command -v busybox) || usage "busybox-static is not installed"

bin=$BUILD/tests/kernels/kmalloc-rcu/htab_prealloc_rules
mkdir -p "$(dirname "$bin")"
${CC:-gcc} -std=c11 -O2 -Wall -Wextra -Werror -static -o "$bin" \
	"$here/htab_prealloc_rules.c"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
cp "$busybox" "$root/bin/busybox"
cp "$bin" "$root/bin/htab_prealloc_rules"
cat > "$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "HPR release \$(uname -r)"
/bin/htab_prealloc_rules --expect $expect --churn $CHURN
echo "HPR exit \$?"
# let the RCU callbacks and the deferred map frees run before poweroff
sleep 3
echo "HPR done"
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$tmp/initrd.gz"

console=$BUILD/kernels/$v/htab-prealloc-rules.console
vmcheck_boot HPR "$console" 2 "htab_prealloc_rules (expect $expect)"
echo "vm-check: $v passes htab_prealloc_rules --expect $expect ($(sed -n 's/^HPR release //p' "$tmp/console"))"

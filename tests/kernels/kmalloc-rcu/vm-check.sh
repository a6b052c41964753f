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
rc=0
timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -m 512 -smp 2 \
	-display none -monitor none -no-reboot \
	-serial "file:$console" \
	-kernel "$kernel" -initrd "$tmp/initrd.gz" \
	-append "console=ttyS0 panic=-1 rdinit=/init" || rc=$?
tr -d '\r' < "$console" > "$tmp/console"

bad=0
[ "$rc" -eq 0 ] || { echo "vm-check: $v: qemu exited $rc (124: timeout after $TIMEOUT s)" >&2; bad=1; }
grep -E '^(ok|not ok) - |^# ' "$tmp/console" || true
grep -q '^HPR exit 0$' "$tmp/console" || { echo "vm-check: $v: htab_prealloc_rules did not pass (expect $expect)" >&2; bad=1; }
grep -q '^HPR done$' "$tmp/console" || { echo "vm-check: $v: the guest did not finish" >&2; bad=1; }
if grep -E 'Kernel panic|BUG:|WARNING:|rcu_.*stall|Call Trace' "$tmp/console" >&2; then
	echo "vm-check: $v: the console shows a problem" >&2
	bad=1
fi
if [ "$bad" -ne 0 ]; then
	echo "vm-check: $v FAILED (console: $console)" >&2
	exit 1
fi
echo "vm-check: $v passes htab_prealloc_rules --expect $expect ($(sed -n 's/^HPR release //p' "$tmp/console"))"

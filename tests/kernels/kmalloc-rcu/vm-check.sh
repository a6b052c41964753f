#!/usr/bin/env bash
# vm-check.sh VARIANT [--expect refuse|allow]: boot build/kernels/VARIANT
# under qemu TCG with a busybox initramfs and run htab_prealloc_rules in it:
# raw_tracepoint programs must use non-preallocated hash maps through
# BPF_PROG_TEST_RUN (insert, delete, churn, full map, per-CPU zero-fill);
# perf_event programs must be refused them (--expect refuse, the default
# for kmalloc-rcu) or allowed (--expect allow, the default otherwise).
# Then htab_v60 in the same boot: --expect v60 (with refuse) checks that a
# sleepable program is refused a noprealloc hash map, that elements come
# from the kmalloc caches of the element's size, and that no deleted
# element is handed out again before a grace period; --expect ma (with
# allow) checks the 6.1 behaviour instead.
# The console must show no panic, BUG, WARNING or RCU stall, except that
# with --expect refuse it must show v6.0's WARN_ONCE "trace type BPF
# program uses run-time allocation" exactly once (kernels/console-allow/
# kmalloc-rcu allows that block, by its text; see lib-vmcheck.sh).
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
${CC:-gcc} -std=c11 -O2 -Wall -Wextra -Werror -static -o "$bin-v60" \
	"$here/htab_v60.c"
kind=ma
[ "$expect" = refuse ] && kind=v60
warn_text="trace type BPF program uses run-time allocation"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
cp "$busybox" "$root/bin/busybox"
cp "$bin" "$root/bin/htab_prealloc_rules"
cp "$bin-v60" "$root/bin/htab_v60"
cat > "$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "HPR release \$(uname -r)"
/bin/htab_prealloc_rules --expect $expect --churn $CHURN
rc=\$?
/bin/htab_v60 --expect $kind
echo "HV6 exit \$?"
echo "HPR exit \$rc"
# let the RCU callbacks and the deferred map frees run before poweroff
sleep 3
echo "HPR done"
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$tmp/initrd.gz"

console=$BUILD/kernels/$v/htab-prealloc-rules.console
vmcheck_boot HPR "$console" 2 "htab_prealloc_rules (expect $expect)"
grep -q '^HV6 exit 0$' "$tmp/console" || { echo "vm-check: $v: htab_v60 --expect $kind did not pass (console: $console)" >&2; exit 1; }
warned=$(grep -c "^allowed kernel warning: $warn_text\$" "$tmp/console" || true)
if [ "$expect" = refuse ] && [ "$warned" -ne 1 ]; then
	echo "vm-check: $v: v6.0's WARN_ONCE \"$warn_text\" appeared $warned times, not once (console: $console)" >&2
	exit 1
fi
echo "vm-check: $v: htab_v60 --expect $kind passes; allowed WARNING blocks: $warned"
echo "vm-check: $v passes htab_prealloc_rules --expect $expect ($(sed -n 's/^HPR release //p' "$tmp/console"))"

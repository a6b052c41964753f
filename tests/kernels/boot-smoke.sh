#!/usr/bin/env bash
# boot-smoke.sh VARIANT: boot build/kernels/VARIANT/bzImage under qemu TCG
# with a busybox-only initramfs and check what the suite relies on: the
# kernel release names the variant, 2 CPUs are online, BTF, cgroup v2 with
# the memory controller and memory.peak, bpffs, tracefs, debugfs, and a
# clean poweroff. Independent of the VM runner, so a broken kernel config
# shows up here as such. Console: build/kernels/VARIANT/boot-smoke.console.
set -euo pipefail

BUILD=${BUILD:-build}
TIMEOUT=${TIMEOUT:-120}
[ $# -eq 1 ] || { echo "usage: tests/kernels/boot-smoke.sh VARIANT" >&2; exit 2; }
v=$1
kernel=$BUILD/kernels/$v/bzImage
[ -f "$kernel" ] || { echo "boot-smoke: no $kernel (make kernels VARIANTS=$v)" >&2; exit 2; }
busybox=$(command -v busybox) || { echo "boot-smoke: busybox-static is not installed" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
cp "$busybox" "$root/bin/busybox"
cat > "$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "SMOKE release $(uname -r)"
echo "SMOKE cpus $(grep -c ^processor /proc/cpuinfo)"
[ -s /sys/kernel/btf/vmlinux ] && echo "SMOKE btf ok"
mount -t cgroup2 none /sys/fs/cgroup &&
	echo "SMOKE cgroup2 $(cat /sys/fs/cgroup/cgroup.controllers)"
echo +memory > /sys/fs/cgroup/cgroup.subtree_control &&
	mkdir /sys/fs/cgroup/t && [ -e /sys/fs/cgroup/t/memory.peak ] && echo "SMOKE memory.peak ok"
mount -t bpf bpf /sys/fs/bpf && echo "SMOKE bpffs ok"
mount -t tracefs tracefs /sys/kernel/tracing && echo "SMOKE tracefs ok"
mount -t debugfs debugfs /sys/kernel/debug && echo "SMOKE debugfs ok"
echo "SMOKE done"
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$tmp/initrd.gz"

console=$BUILD/kernels/$v/boot-smoke.console
start=$(date +%s.%N)
rc=0
timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -m 512 -smp 2 \
	-display none -monitor none -no-reboot \
	-serial "file:$console" \
	-kernel "$kernel" -initrd "$tmp/initrd.gz" \
	-append "console=ttyS0 panic=-1 rdinit=/init" || rc=$?
secs=$(echo "$(date +%s.%N) - $start" | bc)
tr -d '\r' < "$console" > "$tmp/console"

bad=0
want() {
	grep -qE "$1" "$tmp/console" || { echo "boot-smoke: $v: no '$1' on the console" >&2; bad=1; }
}
[ "$rc" -eq 0 ] || { echo "boot-smoke: $v: qemu exited $rc (124: timeout after $TIMEOUT s)" >&2; bad=1; }
want "^SMOKE release [0-9.]+-$v\$"
want '^SMOKE cpus 2$'
want '^SMOKE btf ok$'
want '^SMOKE cgroup2 .*memory'
want '^SMOKE memory.peak ok$'
want '^SMOKE bpffs ok$'
want '^SMOKE tracefs ok$'
want '^SMOKE debugfs ok$'
want '^SMOKE done$'
if grep -E 'Kernel panic|BUG:|WARNING:|rcu_.*stall' "$tmp/console" >&2; then
	echo "boot-smoke: $v: the console shows a problem" >&2
	bad=1
fi
if [ "$bad" -ne 0 ]; then
	echo "boot-smoke: $v FAILED (console: $console)" >&2
	exit 1
fi
printf 'boot-smoke: %s boots under TCG to poweroff in %.1f s (%s)\n' "$v" "$secs" \
	"$(sed -n 's/^SMOKE release //p' "$tmp/console")"

#!/usr/bin/env bash
# A VM variant that fails before its guest runs a point: kvm-probe fails,
# mkinitramfs fails (no busybox), vm-run refuses its arguments (an empty
# kernel file) while the next variant is fine, qemu cannot be started.
# Every point must end with a failed record naming the step and its last
# line (the next variant's points ok), and matrix must exit 1 and count
# the failed points.
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/vm/fault-lib.sh
. "$(dirname "$0")/../vm/fault-lib.sh"
need_vm

# expect NAME VARIANT STATUS REASON: every point of VARIANT has that last
# record (REASON: a prefix; the kernel path is $T/build/kernels/...).
expect()
{
	local id got
	while IFS=$'\t' read -r id _; do
		got=$(last_status "$MDIR" "$2" "$id")
		[[ "${got%%$'\t'*}" == "$3" && "${got#*$'\t'}" == "$4"* ]] ||
			fail "$1: $2 $id: '$got', want $3 '$4...'"
	done <<<"$PLAN"
}

# early NAME FAILED_OF_TOTAL VAR=VALUE...: a run that must exit 1.
early()
{
	local name=$1 count=$2
	shift 2
	fault "$name"
	matrix_run "$name" TARGET=vm "$@"
	[[ $MRC -eq 1 ]] || fail "$name: matrix exited $MRC, want 1: $(tail -n 2 "$T/$name.err")"
	grep -q "^matrix: $count point(s) failed (0 without a record)" "$T/$name.err" ||
		fail "$name: stderr does not say $count failed: $(tail -n 1 "$T/$name.err")"
}

early kvm-probe-fails "2 of 2" VARIANTS=bpf-ma FAKE_PROBE=fail
expect kvm-probe-fails bpf-ma failed \
	"kvm-probe failed (rc=1): kvm-probe: probe boot broke (injected by FAKE_PROBE=fail)"
survived "kvm-probe fails: every point failed with its reason, exit 1"
lost "$(count_lost "$MDIR" bpf-ma)"

early mkinitramfs-fails "2 of 2" VARIANTS=bpf-ma BUSYBOX=/nonexistent/busybox
expect mkinitramfs-fails bpf-ma failed \
	"mkinitramfs failed (rc=2): mkinitramfs: /nonexistent/busybox is missing"
survived "mkinitramfs fails: every point failed with its reason, exit 1"
lost "$(count_lost "$MDIR" bpf-ma)"

: > "$T/build/kernels/bpf-ma/bzImage"
early vm-run-usage-error "2 of 4" VARIANTS="bpf-ma kmalloc-rcu"
expect vm-run-usage-error bpf-ma failed \
	"no record: vm-run exited 2: vm-run: kernel '$T/build/kernels/bpf-ma/bzImage' does not exist"
expect vm-run-usage-error kmalloc-rcu ok ""
survived "vm-run refuses its arguments: failed records, the next variant still runs, exit 1"
lost "$(count_lost "$MDIR" bpf-ma kmalloc-rcu)"
echo "not a kernel" > "$T/build/kernels/bpf-ma/bzImage"

early qemu-missing "2 of 2" VARIANTS=bpf-ma QEMU=/nonexistent/qemu
expect qemu-missing bpf-ma failed "guest ended before the point ran: qemu rc=127"
survived "qemu cannot start: every point failed with its reason, exit 1"
lost "$(count_lost "$MDIR" bpf-ma)"

# shellcheck shell=bash
# shellcheck disable=SC2154 # v, kernel, tmp and TIMEOUT come from the sourcing vm-check.sh
# Shared by the variants' vm-check.sh: boot $kernel under qemu TCG with
# $tmp/initrd.gz, save the console, and check it. The guest's test prints
# "TAG exit N" and "TAG done"; the console must show no panic, BUG, WARNING,
# RCU stall or call trace, except the WARNING blocks that
# kernels/console-allow/$v lists by their exact message (the variant prints
# them on purpose; vm_drop_allowed_warnings in runners/lib-vm.sh turns each
# into one "allowed kernel warning: MESSAGE" line of $tmp/console). Uses $v
# (variant), $kernel, $tmp and $TIMEOUT.
#
#   vmcheck_boot TAG CONSOLE SMP WHAT [KERNEL ARGS]
#
# Exits 1 naming every problem; returns 0 when the test passed.
# shellcheck source=runners/lib-vm.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../runners/lib-vm.sh"

vmcheck_boot()
{
	local tag=$1 console=$2 smp=$3 what=$4 append=${5:-} rc=0 bad=0

	timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -m 512 -smp "$smp" \
		-display none -monitor none -no-reboot \
		-serial "file:$console" \
		-kernel "$kernel" -initrd "$tmp/initrd.gz" \
		-append "console=ttyS0 panic=-1 rdinit=/init $append" || rc=$?
	tr -d '\r' < "$console" | vm_drop_allowed_warnings "$(vm_console_allow_file "$v")" > "$tmp/console"

	[ "$rc" -eq 0 ] || { echo "vm-check: $v: qemu exited $rc (124: timeout after $TIMEOUT s)" >&2; bad=1; }
	grep -aE '^(ok|not ok) - |^# |^RESULT ' "$tmp/console" || true
	grep -aq "^$tag exit 0\$" "$tmp/console" || { echo "vm-check: $v: $what did not pass" >&2; bad=1; }
	grep -aq "^$tag done\$" "$tmp/console" || { echo "vm-check: $v: the guest did not finish" >&2; bad=1; }
	if grep -aE 'Kernel panic|BUG:|WARNING:|rcu_.*stall|Call Trace' "$tmp/console" >&2; then
		echo "vm-check: $v: the console shows a problem" >&2
		bad=1
	fi
	if [ "$bad" -ne 0 ]; then
		echo "vm-check: $v FAILED (console: $console)" >&2
		exit 1
	fi
}

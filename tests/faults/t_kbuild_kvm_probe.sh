#!/usr/bin/env bash
# Faults in runners/kvm-probe's verdict cache, with a fake qemu (hangs or
# prints the probe's marker) and a stand-in for /dev/kvm; the cache lives
# in the private $T/b.
#   1. a cache left by a probe that timed out (the old permanent "tcg")
#      is probed again
#   2. a probe boot that hangs: tcg for now, cached only with an expiry and
#      the reason; once it expires the machine is probed again
#   3. definitive verdicts (no /dev/kvm; the marker seen) stay cached
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
for c in cpio gzip; do
	command -v "$c" > /dev/null || skip "no $c"
done
[ -x /bin/busybox ] || skip "no /bin/busybox (the probe's initramfs needs it)"
export BUILD=$T/b
fake=$T/fakebin
mkdir -p "$fake"
# qemu: "hang" in $T/qemu-mode sleeps, "ok" writes the marker to the
# serial console file and exits; every start is counted in $T/boots.
cat > "$fake/qemu-system-x86_64" <<EOF
#!/bin/bash
echo x >> "$T/boots"
while [ \$# -gt 0 ]; do
	case "\$1" in -serial) console=\${2#file:}; shift ;; esac
	shift
done
case "\$(cat "$T/qemu-mode")" in
hang) exec sleep 600 ;;
ok) echo allocbench-kvm-probe-ok > "\$console" ;;
esac
EOF
chmod +x "$fake/qemu-system-x86_64"
export PATH=$fake:$PATH
kernel=$T/bzImage
echo toy > "$kernel"
# a character device this user can read and write, as /dev/kvm
export KVM_PROBE_DEV=/dev/null
cache_dir=$BUILD/vm/accel

probe() { "$ROOT/runners/kvm-probe" --kernel "$kernel" --timeout 1 "$@" 2> "$T/probe.err"; }
boots() { if [ -f "$T/boots" ]; then grep -c . "$T/boots"; else echo 0; fi; }
cache_file() { compgen -G "$cache_dir/*" | head -n 1; }

# --- 1. an old cache: "tcg" from a probe boot that timed out ---------------
part_old_cache() {
	local key got
	key=$(cd "$ROOT" && bash -c '. runners/lib-vm.sh; vm_machine_key')
	mkdir -p "$cache_dir"
	printf 'tcg\nprobe boot under -accel kvm failed: no marker within 20s\n' > "$cache_dir/$key"
	echo ok > "$T/qemu-mode"
	rm -f "$T/boots"
	fault "a cached tcg verdict from a probe boot that timed out"
	got=$(probe) || fail "kvm-probe: $(cat "$T/probe.err")"
	if [ "$got" != kvm ] || [ "$(boots)" -ne 1 ]; then
		fail "a timed-out probe's cached tcg was taken as final (printed '$got', $(boots) probe boots)"
	fi
	survived "an old cached timeout is probed again"
}

# --- 2. a probe boot that hangs --------------------------------------------
part_hang() {
	local got f now until
	rm -rf "$cache_dir"
	echo hang > "$T/qemu-mode"
	rm -f "$T/boots"
	fault "the probe boot hangs"
	got=$(probe --fresh) || fail "kvm-probe: $(cat "$T/probe.err")"
	[ "$got" = tcg ] || fail "a hung probe boot printed '$got'"
	f=$(cache_file)
	[ -n "$f" ] || fail "no cache file after the hung probe"
	sed -n 2p "$f" | grep -q 'no marker within 1s' ||
		fail "the cache does not say why: $(cat "$f")"
	read -r _ until < <(sed -n 3p "$f")
	now=$(date +%s)
	if [ "$(sed -n 3p "$f" | cut -d' ' -f1)" != until ] || [ "$until" -le "$now" ] ||
		[ "$until" -gt $((now + 24 * 3600)) ]; then
		fail "a timeout verdict must be cached with an expiry ('until EPOCH'): $(cat "$f")"
	fi
	grep -q 'until' "$T/probe.err" || fail "kvm-probe did not say the verdict is temporary"
	# within the expiry: the same verdict without a probe boot
	got=$(probe) || fail "kvm-probe: $(cat "$T/probe.err")"
	if [ "$got" != tcg ] || [ "$(boots)" -ne 1 ]; then
		fail "within its expiry: '$got', $(boots) boots"
	fi
	# expired (moved to the past): probed again, and KVM now works
	sed -i "3s/.*/until $((now - 1))/" "$f"
	echo ok > "$T/qemu-mode"
	[ -z "$(probe --cached-only)" ] || fail "--cached-only printed an expired verdict"
	got=$(probe) || fail "kvm-probe: $(cat "$T/probe.err")"
	if [ "$got" != kvm ] || [ "$(boots)" -ne 2 ]; then
		fail "an expired timeout verdict was not probed again ('$got', $(boots) boots)"
	fi
	[ "$(sed -n 3p "$f")" = definitive ] || fail "kvm after the marker is not definitive: $(cat "$f")"
	survived "a hung probe boot gives tcg until its expiry, then the machine is probed again"
}

# --- 3. definitive verdicts stay cached ------------------------------------
part_definitive() {
	local got
	rm -rf "$cache_dir"
	rm -f "$T/boots"
	echo ok > "$T/qemu-mode"
	fault "no /dev/kvm"
	got=$(KVM_PROBE_DEV=$T/no-kvm probe) || fail "kvm-probe: $(cat "$T/probe.err")"
	[ "$got" = tcg ] || fail "without /dev/kvm: '$got'"
	got=$(probe --cached-only) || fail "no cached verdict after 'no /dev/kvm'"
	if [ "$got" != tcg ] || [ "$(boots)" -ne 0 ] ||
		[ "$(sed -n 3p "$(cache_file)")" != definitive ]; then
		fail "'no /dev/kvm' is not cached as definitive: $(cat "$(cache_file)")"
	fi
	survived "'no /dev/kvm' stays cached"
}

failed=0
for part in part_old_cache part_hang part_definitive; do
	echo "  -- $part"
	("$part") || failed=$((failed + 1))
done
[ "$failed" -eq 0 ] || fail "$failed part(s) failed"

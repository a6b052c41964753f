#!/usr/bin/env bash
# vm-test-maps.sh VARIANT: boot build/kernels/VARIANT/bzImage under qemu TCG
# (-smp 2, MEM MiB) with a busybox initramfs and run hash_maps in it: the
# hash-map part of the kernel's own tools/testing/selftests/bpf/test_maps,
# built from the variant's base tree (with that tree's libbpf), in a
# preallocated and a BPF_F_NO_PREALLOC pass (tests/kernels/test-maps/
# hash_maps.c says which tests). While it runs, kprobes on rcu_barrier()
# (entry and return) time every call, and /proc/meminfo is sampled every 2 s
# (VmallocUsed peak, MemFree low point).
#
# Writes build/test-maps/VARIANT.json:
#   {"schema_version": 1, "variant", "base", "mem_mb", "tests_asked",
#    "status": "pass"|"fail", "reason", "wall_seconds",
#    "tests": [{"pass", "test", "ok", "seconds", "how"}],
#    "rcu_barrier": {"calls", "mean_ms", "max_ms", "total_ms", "callers"},
#    "meminfo": {"vmalloc_used_kb_first", "vmalloc_used_kb_peak",
#                "memfree_kb_first", "memfree_kb_low"}, "oom_kills"}
# and the console as build/test-maps/VARIANT.console.
# Exit 0 all tests passed and the console is clean (but WARNING blocks
# kernels/console-allow/VARIANT lists), 1 otherwise, 2 bad usage.
#
# Env: BUILD (build), MEM (1024), TIMEOUT (1800 s), TESTS (the hash_maps
# test names, space-separated; empty: all), OUT (build/test-maps: where the
# JSON and the console go), CC (gcc).
set -euo pipefail

BUILD=${BUILD:-build}
MEM=${MEM:-1024}
TIMEOUT=${TIMEOUT:-1800}
TESTS=${TESTS:-}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=runners/lib-vm.sh
. "$here/../../../runners/lib-vm.sh"
usage() { echo "vm-test-maps.sh: $* (usage: tests/kernels/test-maps/vm-test-maps.sh VARIANT)" >&2; exit 2; }

[ $# -eq 1 ] || usage "wrong number of arguments"
v=$1
decl=kernels/variants/$v
[ -f "$decl" ] || usage "no variant $v ($decl)"
[[ "$MEM" =~ ^[1-9][0-9]*$ ]] || usage "MEM wants MiB, not '$MEM'"
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || usage "TIMEOUT wants seconds, not '$TIMEOUT'"
kernel=$BUILD/kernels/$v/bzImage
[ -f "$kernel" ] || usage "no $kernel (make kernels VARIANTS=$v)"
busybox=$(command -v busybox) || usage "busybox-static is not installed"
base=$(sed -n 's/^base=//p' "$decl")
src=$BUILD/src/$base
[ -d "$src/tools/testing/selftests/bpf" ] || usage "no $src (runners/fetch-source $base)"

# test_maps' source and libbpf from the variant's base tree (read under the
# tree's shared lock; the objects go under build/test-maps/BASE)
gen=$BUILD/test-maps/$base
out=${OUT:-$BUILD/test-maps}
mkdir -p "$gen/libbpf" "$gen/map_tests"
: > "$gen/map_tests/tests.h"
if [ ! -f "$gen/libbpf/libbpf.a" ] || [ ! -f "$gen/inst/include/bpf/libbpf.h" ]; then
	echo "vm-test-maps: building $base's libbpf" >&2
	flock -s "$src.lock" nice make -s -C "$src/tools/lib/bpf" \
		OUTPUT="$PWD/$gen/libbpf/" -j2 all > "$gen/libbpf.log" 2>&1
	flock -s "$src.lock" make -s -C "$src/tools/lib/bpf" \
		OUTPUT="$PWD/$gen/libbpf/" DESTDIR="$PWD/$gen/inst" prefix= \
		install_headers >> "$gen/libbpf.log" 2>&1
fi
# each run links its own copy (runs for several variants may overlap)
bin=$gen/hash_maps.$$
flock -s "$src.lock" ${CC:-gcc} -O2 -static -w -I "$gen" \
	-I "$src/tools/testing/selftests/bpf" -I "$gen/inst/include" \
	-I "$src/tools/include" -I "$src/tools/include/uapi" \
	-o "$bin" "$here/hash_maps.c" "$gen/libbpf/libbpf.a" -lelf -lz -lzstd

tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$bin"' EXIT
root=$tmp/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$busybox" "$root/bin/busybox"
cp "$bin" "$root/bin/hash_maps"
cat > "$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null ||
	mount -t debugfs debugfs /sys/kernel/debug
t=/sys/kernel/tracing
[ -d \$t/events ] || t=/sys/kernel/debug/tracing
echo 8192 > \$t/buffer_size_kb 2>/dev/null
if echo 'p:rcub rcu_barrier' > \$t/kprobe_events &&
	echo 'r:rcubr rcu_barrier' >> \$t/kprobe_events &&
	echo 1 > \$t/events/kprobes/enable; then
	echo "TM kprobes on"
else
	echo "TM kprobes off"
fi
echo "TM release \$(uname -r)"
# init, the tracer and the sampler survive the OOM killer; hash_maps not
echo -1000 > /proc/self/oom_score_adj
# every rcu_barrier() call, timed from its kprobe to its kretprobe; the
# running totals go to the console every 10 calls (the last line counts)
awk '/rcub: / { split(\$0, a, ": "); ts = a[1]; sub(/.* /, "", ts); pid = \$1; sub(/.*-/, "", pid); st[pid] = ts }
     /rcubr: / { split(\$0, a, ": "); ts = a[1]; sub(/.* /, "", ts); pid = \$1; sub(/.*-/, "", pid)
		if (pid in st) { d = (ts - st[pid]) * 1000; n++; sum += d; if (d > max) max = d; delete st[pid]
			c = \$0; sub(/.*\\(/, "", c); sub(/\\+.*/, "", c); callers[c]++
			if (n % 10 == 0) {
				printf "TM rcu_barrier calls %d total_ms %.1f mean_ms %.2f max_ms %.2f callers", n, sum, sum / n, max
				for (c in callers) printf " %s=%d", c, callers[c]; print ""; fflush()
			} } }' \$t/trace_pipe &
tracer=\$!
# VmallocUsed peak and MemFree low point, every 2 s; to the console every 10 s
(i=0; vp=0; ml=0; vf=""; while :; do
	set -- \$(awk '/^VmallocUsed:/ { v = \$2 } /^MemFree:/ { m = \$2 } END { print v, m }' /proc/meminfo)
	[ -n "\$vf" ] || { vf=\$1; mf=\$2; ml=\$2; }
	[ "\$1" -gt "\$vp" ] && vp=\$1
	[ "\$2" -lt "\$ml" ] && ml=\$2
	i=\$((i + 1))
	[ \$((i % 5)) -eq 0 ] && echo "TM meminfo vmalloc_first \$vf vmalloc_peak \$vp memfree_first \$mf memfree_low \$ml"
	sleep 2
done) &
sampler=\$!
cd /tmp
sh -c "echo 0 > /proc/self/oom_score_adj; exec /bin/hash_maps $TESTS"
rc=\$?
sleep 4
kill \$sampler \$tracer
echo 0 > \$t/events/kprobes/enable 2>/dev/null
echo "TM exit \$rc"
echo "TM done"
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$tmp/initrd.gz"

mkdir -p "$out"
console=$out/$v.console
start=$(date +%s)
qrc=0
timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -m "$MEM" -smp 2 \
	-display none -monitor none -no-reboot \
	-serial "file:$console" \
	-kernel "$kernel" -initrd "$tmp/initrd.gz" \
	-append "console=ttyS0 panic=-1 rdinit=/init" || qrc=$?
wall=$(($(date +%s) - start))
tr -d '\r' < "$console" | vm_drop_allowed_warnings "$(vm_console_allow_file "$v")" > "$tmp/console"

reason=""
[ "$qrc" -eq 0 ] || reason="qemu exited $qrc (124: timeout after $TIMEOUT s)"
if ! grep -aq '^TM done$' "$tmp/console"; then
	reason="${reason:+$reason; }the guest did not finish"
fi
grep -aq '^TM exit 0$' "$tmp/console" || reason="${reason:+$reason; }hash_maps did not pass"
bad=$(grep -aE 'Kernel panic|BUG:|WARNING:|rcu_.*stall|Call Trace' "$tmp/console" | head -n 1 | sed 's/^\[ *[0-9.]*\] //' || true)
[ -z "$bad" ] || reason="${reason:+$reason; }console: $bad"
oom=$(grep -ac 'Out of memory: Killed process' "$tmp/console" || true)

python3 - "$tmp/console" "$out/$v.json" "$v" "$base" "$MEM" "$TESTS" "$wall" "$reason" "$oom" <<'PY'
import json, re, sys
con, dst, v, base, mem, tests, wall, reason, oom = sys.argv[1:]
res, rb, mi = [], None, None
for line in open(con, errors='replace'):
    line = line.rstrip('\n')
    m = re.match(r'^(ok|not ok) - (\S+) (\S+) \(([0-9.]+) s\)(?:: (.*))?$', line)
    if m:
        res.append({"pass": m.group(2), "test": m.group(3), "ok": m.group(1) == "ok",
                    "seconds": float(m.group(4)), "how": m.group(5) or ""})
    m = re.match(r'^TM rcu_barrier calls (\d+) total_ms (\S+) mean_ms (\S+) max_ms (\S+) callers ?(.*)$', line)
    if m:
        rb = {"calls": int(m.group(1)), "total_ms": float(m.group(2)),
              "mean_ms": float(m.group(3)), "max_ms": float(m.group(4)),
              "callers": dict(kv.split('=', 1) for kv in m.group(5).split())}
    m = re.match(r'^TM meminfo vmalloc_first (\d+) vmalloc_peak (\d+) memfree_first (\d+) memfree_low (\d+)$', line)
    if m:
        mi = {"vmalloc_used_kb_first": int(m.group(1)), "vmalloc_used_kb_peak": int(m.group(2)),
              "memfree_kb_first": int(m.group(3)), "memfree_kb_low": int(m.group(4))}
doc = {"schema_version": 1, "variant": v, "base": base, "mem_mb": int(mem),
       "tests_asked": tests.split(), "status": "fail" if reason else "pass",
       "reason": reason, "wall_seconds": int(wall), "tests": res,
       "rcu_barrier": rb, "meminfo": mi, "oom_kills": int(oom)}
json.dump(doc, open(dst, 'w'), indent=1)
PY

grep -aE '^(ok|not ok) - |^RESULT |^TM (rcu_barrier|meminfo|kprobes)' "$tmp/console" || true
if [ -n "$reason" ]; then
	echo "vm-test-maps: $v FAILED in ${wall} s: $reason (console: $console)" >&2
	exit 1
fi
echo "vm-test-maps: $v passes the hash-map part of test_maps in ${wall} s ($out/$v.json)"

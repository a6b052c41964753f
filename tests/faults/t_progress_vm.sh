#!/usr/bin/env bash
# Progress of VM runs, with tests/vm/fake-qemu (nothing is booted):
#   1. runners/vm-run shows each point's begin and end on stderr as the
#      guest prints them: the fake guest holds its second point until the
#      test has read the first point's end line, "[bpf-ma] 1/2 ID: ok,
#      1.02 M ops/s (N s)"; --events gets the same as JSON lines; the
#      records are the guest's
#   2. runners/matrix over two variants on "1 host CPU" (VM_HOST_CPUS=1):
#      one line saying that its 2 vCPUs (the default) overcommit it,
#      vm-run's point lines, its own "[run] N/4 points done, ... left"
#      lines up to 4/4, and no \r in what it prints (not a terminal)
#   3. (root) a host run: "[host] N/2 POINT_ID (D done, about S left)"
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/vm/fault-lib.sh
. "$(dirname "$0")/../vm/fault-lib.sh"
need_vm
id1=${PLAN%%$'\t'*}
id2=$(sed -n 2p <<<"$PLAN" | cut -f1)

cat > "$T/guest" <<'GUEST'
guest_point()
{
	local i
	console "allocbench-guest: begin $1"
	sleep 1
	record "$1" "$2"
	console "allocbench-guest: end $1 rc=0"
	[[ $nth -eq 1 ]] || return 0
	# hold the guest (60 s at most) until the test has seen the end line
	for ((i = 0; i < 600; i++)); do
		[[ ! -e "$FAKE_MARK/seen" ]] || break
		sleep 0.1
	done
}
GUEST

# --- 1. vm-run streams ----------------------------------------------------
fault "a guest that holds its second point until the first one's end line is read"
printf '%s\n' "$PLAN" > "$T/plan"
env BUILD="$T/build" QEMU="$ROOT/tests/vm/fake-qemu" KVM_PROBE="$ROOT/tests/vm/fake-kvm-probe" \
	FAKE_MARK="$T/mark" FAKE_GUEST="$T/guest" FAKE_OPS=1020000 ALLOCBENCH="$AB_ABS" \
	"$ROOT/runners/vm-run" --variant bpf-ma --kernel "$T/build/kernels/bpf-ma/bzImage" \
	--run-dir "$T/results/stream" --plan "$T/plan" --duration 1 --warmup 0 \
	--bin "$AB_ABS" --events "$T/events" > "$T/stream.out" 2> "$T/stream.err" < /dev/null &
pid=$!
want="[bpf-ma] 1/2 $id1: ok, 1.02 M ops/s ("
seen="" guest_held=""
for ((i = 0; i < 500; i++)); do
	if grep -qF -- "$want" "$T/stream.err"; then
		seen=1
		# the guest has not gone on to its second point
		if kill -0 "$pid" 2>/dev/null &&
			! grep -q "begin $id2" "$T/results/stream/logs/bpf-ma.console"; then
			guest_held=1
		fi
		break
	fi
	sleep 0.1
done
touch "$T/mark/seen"
rc=0
wait "$pid" || rc=$?
[[ -n "$seen" ]] || fail "no line '$want...' while the guest ran: $(cat "$T/stream.err")"
[[ -n "$guest_held" ]] || fail "the guest was not held at its first point when the line came"
[[ $rc -eq 0 ]] || fail "vm-run exited $rc: $(tail -n 3 "$T/stream.err")"
grep -E "^\[bpf-ma\] 1/2 $id1: ok, 1\.02 M ops/s \([0-9]+ s\)\$" "$T/stream.err" > /dev/null ||
	fail "the end line of $id1: $(grep -F "$id1" "$T/stream.err")"
for p in "1/2 $id1" "2/2 $id2"; do
	grep -qE "^\[bpf-ma\] $p: begin, \+[0-9.]+ s after qemu started, timeout [0-9]+ s\$" "$T/stream.err" ||
		fail "no begin line of $p: $(cat "$T/stream.err")"
done
grep -qE "^\[bpf-ma\] 2/2 $id2: ok, 1\.02 M ops/s \([0-9]+ s\)\$" "$T/stream.err" ||
	fail "no end line of $id2: $(cat "$T/stream.err")"
grep -F '[bpf-ma] ' "$T/stream.err" | sed 's/^/    /'
survived "vm-run printed the first point's end line while the guest still ran"
ev=$(jq -s -c '[.[] | .event]' "$T/events")
[[ "$ev" == '["boot","begin","end","begin","end","ended"]' ]] || fail "events: $ev"
[[ "$(jq -s -r '[.[] | select(.event == "end") | .status] | join(",")' "$T/events")" == ok,ok ]] ||
	fail "end events: $(cat "$T/events")"
[[ "$(jq -r 'select(.ops_per_sec.mean == 1020000 and .status == "ok") | .point' \
	"$T/results/stream/results.jsonl" | sort | tr '\n' ' ')" == "$(printf '%s\n' "$id1" "$id2" | sort | tr '\n' ' ')" ]] ||
	fail "records: $(jq -c '[.point, .status]' "$T/results/stream/results.jsonl")"
survived "--events holds each begin and end; the records are the guest's"

# --- 1b. a WARNING the variant prints on purpose ------------------------------
# kmalloc-rcu's kernel warns once, by design, when a tracing program gets a
# run-time allocated hash map (kernels/console-allow/kmalloc-rcu): its
# point's progress line says ok, as its record does; any other WARNING in
# the next point still says failed.
fault "kmalloc-rcu's allowed WARNING in one point, another WARNING in the next"
cat > "$T/guest-warn" <<'GUEST'
warn_block()
{
	console "[    5.000000] ------------[ cut here ]------------" \
		"[    5.000001] $1" \
		"[    5.000002] WARNING: CPU: 0 PID: 57 at kernel/bpf/verifier.c:13037 bpf_check+0x2faa/0x32b0" \
		"[    5.000003] Call Trace:" \
		"[    5.000004] ---[ end trace 0000000000000000 ]---"
}
guest_point()
{
	console "allocbench-guest: begin $1"
	if [[ $nth -eq 1 ]]; then
		warn_block "trace type BPF program uses run-time allocation"
	else
		warn_block "some other warning"
	fi
	record "$1" "$2"
	console "allocbench-guest: end $1 rc=0"
}
GUEST
rc=0
env BUILD="$T/build" QEMU="$ROOT/tests/vm/fake-qemu" KVM_PROBE="$ROOT/tests/vm/fake-kvm-probe" \
	FAKE_GUEST="$T/guest-warn" FAKE_OPS=1020000 ALLOCBENCH="$AB_ABS" \
	"$ROOT/runners/vm-run" --variant kmalloc-rcu --kernel "$T/build/kernels/bpf-ma/bzImage" \
	--run-dir "$T/results/warn" --plan "$T/plan" --duration 1 --warmup 0 \
	--bin "$AB_ABS" > "$T/warn.out" 2> "$T/warn.err" < /dev/null || rc=$?
grep -qE "^\[kmalloc-rcu\] 1/2 $id1: ok, 1\.02 M ops/s \([0-9]+ s\)\$" "$T/warn.err" ||
	fail "the allowed WARNING's point: $(grep -F "$id1" "$T/warn.err")"
grep -qE "^\[kmalloc-rcu\] 2/2 $id2: failed: WARNING: CPU: 0 PID: 57 at kernel/bpf/verifier.c" "$T/warn.err" ||
	fail "the other WARNING's point: $(grep -F "$id2" "$T/warn.err")"
# a point's last record is its verdict (vm-run appends a failed one after
# the guest's own when the console shows a problem inside the point)
last_status() { jq -s -r --arg p "$1" '[.[] | select(.point == $p)] | last | .status' "$T/results/warn/results.jsonl"; }
[[ "$(last_status "$id1")" == ok && "$(last_status "$id2")" == failed ]] ||
	fail "records: $(jq -c '[.point, .status, .reason]' "$T/results/warn/results.jsonl") (vm-run exited $rc)"
grep -F '[kmalloc-rcu] ' "$T/warn.err" | grep -F -e ': ok' -e ': failed' | sed 's/^/    /'
survived "the progress line and the record agree: allowed by its text, any other WARNING fails"

# --- 2. matrix ----------------------------------------------------------------
fault "a VM sweep of 2 variants x 2 points on 1 host CPU"
matrix_run sweep "${VM[@]}" VM_HOST_CPUS=1 FAKE_OPS=2500
[[ $MRC -eq 0 ]] || fail "matrix exited $MRC: $(tail -n 3 "$T/sweep.err")"
grep -qE "^\[run\] $(nproc | awk '{ print ($1 > 2) ? $1 : 2 }') vCPUs on 1 host CPUs \(SMP's default: the largest thread count, 2, at least nproc, $(nproc)\): overcommit [0-9.]+x, the figures are functional only; SMP=N sets the vCPUs\$" \
	"$T/sweep.err" || fail "no overcommit line: $(head -n 5 "$T/sweep.err")"
for v in bpf-ma kmalloc-rcu; do
	for p in "1/2 $id1" "2/2 $id2"; do
		grep -qE "^\[$v\] $p: ok, 2\.5 k ops/s \([0-9]+ s\)\$" "$T/sweep.err" ||
			fail "no end line of $v $p: $(cat "$T/sweep.err")"
	done
done
re='^\[run\] [0-4]/4 points done, [0-9]+ s elapsed, about [0-9]+ (s|min) left$'
n=$(grep -cE "$re" "$T/sweep.err" || true)
[[ $n -ge 4 ]] || fail "$n '[run] N/4 points done' line(s), want 4 or more: $(cat "$T/sweep.err")"
grep -qE '^\[run\] 4/4 points done, ' "$T/sweep.err" || fail "no 4/4 line: $(cat "$T/sweep.err")"
grep -qE '^\[run\] kmalloc-rcu: its first point began [0-9]+ s after qemu started; 2/4 points done, about [0-9]+ (s|min) left$' \
	"$T/sweep.err" || fail "no line after a boot: $(cat "$T/sweep.err")"
grep -E '^\[run\]' "$T/sweep.err" | sed 's/^/    /'
survived "matrix: the overcommit line, each point's line, $n 'N/4 points done' lines"
! grep -q $'\r' "$T/sweep.err" "$T/sweep.out" || fail "a \\r in matrix's output (not a terminal)"
survived "no \\r in matrix's output"
lost "$(count_lost "$MDIR" bpf-ma kmalloc-rcu)"

# --- 3. a host run ------------------------------------------------------------
[[ $(id -u) -eq 0 ]] || skip "host runs need root (BPF, cgroups)"
fault "a host sweep of 2 points"
matrix_run host TARGET=host
[[ $MRC -eq 0 ]] || fail "host matrix exited $MRC: $(tail -n 3 "$T/host.err")"
grep -qE "^\[host\] 1/2 $id1 \(0 done, about [0-9]+ s left\)\$" "$T/host.err" &&
	grep -qE "^\[host\] 2/2 $id2 \(1 done, about [0-9]+ s left\)\$" "$T/host.err" ||
	fail "host progress lines: $(grep '^\[host\]' "$T/host.err")"
! grep -q $'\r' "$T/host.err" || fail "a \\r in a host run's output"
grep -E '^\[host\]' "$T/host.err" | sed 's/^/    /'
survived "host: a line before each point with what is done and the time left"
lost "$(count_lost "$MDIR" host)"

#!/usr/bin/env bash
# A 72-vCPU TCG guest on a 2-CPU host, as a new user met it:
#   make run TARGET=vm VARIANTS=bpf-ma WORKLOADS=null,htab_churn THREADS=72 \
#       DURATION=2 PARAMS="case=overwrite map=noprealloc"
# where htab_churn at 72 threads hit soft lockups and RCU stalls until the
# boot's timeout. No kernel boots: tests/vm/fake-qemu plays the guest,
# VM_HOST_CPUS=2 the host, VM_POINT_TIMEOUT=2 keeps the point timeouts
# short.
#   1  the guest prints a soft lockup and an RCU stall in the htab_churn
#      point, its own timeout stops the point (timeout marker, rc=143,
#      allocbench's failed record) and it goes on: null ok, htab_churn
#      failed with the soft lockup line as its reason
#   2  the guest hangs in the point (no timeout marker, no end) after 24
#      MiB of lockup reports that the host reads as they come: the
#      host stops it at twice the point's timeout + 10 s, the point fails
#      with its first soft lockup line, and a second boot runs the point
#      after it (map=prealloc), which is ok
#   3  a guest that hangs with nothing on the console: "timeout after 14 s
#      in the point ..."
# In every run: each record's context says overcommit=36x (the guest's
# records and those made on the host), meta.json has overcommit, qemu got
# -smp 72 and the overcommitted-TCG kernel arguments (tsc=reliable, lpj from
# the probe boot, watchdog_thresh=60, rcupdate.rcu_cpu_stall_timeout=300).
# Then: the same guest on a host with a CPU per vCPU (VM_HOST_CPUS=128) and
# on KVM gets none of those arguments (KVM: the context still says
# overcommit), and `abreport report` (when built) says the figures are
# functional only.
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2034  # read by the sourced fault library
THREADS=72
# shellcheck source=tests/vm/fault-lib.sh
. "$(dirname "$0")/../vm/fault-lib.sh"
need_vm

HTAB=("WORKLOADS=null,htab_churn" DURATION=2 WARMUP=1 VM_HOST_CPUS=2 VM_POINT_TIMEOUT=2)
NULL72=$(cut -f1 <<<"$PLAN")
ab_plan()
{
	"$AB" plan --workloads htab_churn --threads 72 --param case=overwrite --param "map=$1" | cut -f1
}
NOPRE=$(ab_plan noprealloc)
PRE=$(ab_plan prealloc)

# expect NAME POINT STATUS REASON_PREFIX: the point's last record.
expect()
{
	local got
	got=$(last_status "$MDIR" bpf-ma "$2")
	[[ "${got%%$'\t'*}" == "$3" && "${got#*$'\t'}" == "$4"* ]] ||
		fail "$1: $2: '$got', want $3 '$4...'"
}

# overcommitted NAME: what every overcommitted TCG run must show.
overcommitted()
{
	local n bad
	n=$(jq -s 'length' "$MDIR/results.jsonl")
	bad=$(jq -r 'select(.context.overcommit != "36x" or .context.vcpus != "72") | .point' \
		"$MDIR/results.jsonl")
	[[ $n -gt 0 && -z "$bad" ]] || fail "$1: records without overcommit=36x, vcpus=72: $bad"
	jq -e '.overcommit | .vcpus == 72 and .host_cpus == 2 and .ratio == "36x" and .accel == "tcg"' \
		"$MDIR/meta.json" >/dev/null || fail "$1: meta.json overcommit: $(jq -c .overcommit "$MDIR/meta.json")"
	[[ "$(cat "$T/mark/qemu.smp")" == 72 ]] || fail "$1: qemu got -smp $(cat "$T/mark/qemu.smp")"
	for a in tsc=reliable lpj=10376452 watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=300; do
		grep -qw -- "$a" "$T/mark/qemu.append" || fail "$1: no $a in -append: $(cat "$T/mark/qemu.append")"
	done
	survived "$1: every record says overcommit=36x, meta.json too; qemu got the guest settings"
}

# --- 1. the guest's own timeout stops the point -----------------------------
cat > "$T/guest-timeout" <<'GUEST'
guest_point()
{
	console "allocbench-guest: begin $1"
	case "$1" in
	htab_churn/*)
		console "[   59.970694] watchdog: BUG: soft lockup - CPU#11 stuck for 121s! [allocbench:564]" \
			"[   59.972909] RIP: 0010:htab_map_update_elem+0x1df/0x3b0" \
			"[  301.000000] rcu: INFO: rcu_sched detected stalls on CPUs/tasks:"
		hang "$limit"
		record "$1" "$2" failed
		console "allocbench-guest: timeout $1 after $limit s" "allocbench-guest: end $1 rc=143" ;;
	*)
		record "$1" "$2"
		console "allocbench-guest: end $1 rc=0" ;;
	esac
}
GUEST
fault "72-thread htab_churn: soft lockup, RCU stall, the guest's timeout stops the point"
start=$SECONDS
matrix_run guest-timeout "${VM[@]}" VARIANTS=bpf-ma "${HTAB[@]}" \
	PARAMS="case=overwrite map=noprealloc" FAKE_GUEST="$T/guest-timeout"
[[ $MRC -eq 1 ]] || fail "guest-timeout: matrix exited $MRC, want 1: $(tail -n 3 "$T/guest-timeout.err")"
grep -q '^matrix: 1 of 2 point(s) failed (0 without a record)' "$T/guest-timeout.err" ||
	fail "guest-timeout: stderr does not say 1 of 2 failed: $(tail -n 2 "$T/guest-timeout.err")"
expect guest-timeout "$NULL72" ok ""
expect guest-timeout "$NOPRE" failed "watchdog: BUG: soft lockup - CPU#11 stuck for 121s!"
survived "the 72-thread point ends with a failed record naming the soft lockup ($((SECONDS - start)) s)"
overcommitted guest-timeout
[[ -n "$(ls "$T/build/vm/lpj/")" ]] || fail "guest-timeout: the lpj probe cached nothing"
lost "$(count_lost "$MDIR" bpf-ma)"

# --- 2. the guest hangs in the point; a second boot runs the rest ----------
cat > "$T/guest-hang" <<'GUEST'
guest_point()
{
	console "allocbench-guest: begin $1"
	case "$1" in
	htab_churn/*map=noprealloc*)
		console "[   59.970694] watchdog: BUG: soft lockup - CPU#11 stuck for 121s! [allocbench:564]"
		# Reports from every CPU, 24 MiB in bursts of 256 KiB, while the
		# host reads the console.
		trace="$(for ((j = 0; j < 4096; j++)); do
			printf '[   60.%06d]  ? htab_map_update_elem+0x1df/0x3b0 frame %04d\n' "$j" "$j"
		done)"
		for ((i = 0; i < 96; i++)); do
			console "[  $((61 + i)).000000] watchdog: BUG: soft lockup - CPU#$((i % 72)) stuck for 122s! [allocbench:$((560 + i % 72))]" "$trace"
			sleep 0.02
		done
		hang ;;
	*)
		record "$1" "$2"
		console "allocbench-guest: end $1 rc=0" ;;
	esac
}
GUEST
fault "72-thread htab_churn hangs the guest, a point after it"
start=$SECONDS
matrix_run guest-hang "${VM[@]}" VARIANTS=bpf-ma "${HTAB[@]}" \
	PARAMS="case=overwrite map=noprealloc,prealloc" FAKE_GUEST="$T/guest-hang"
[[ $MRC -eq 1 ]] || fail "guest-hang: matrix exited $MRC, want 1: $(tail -n 3 "$T/guest-hang.err")"
grep -q '^matrix: 1 of 3 point(s) failed (0 without a record)' "$T/guest-hang.err" ||
	fail "guest-hang: stderr does not say 1 of 3 failed: $(tail -n 2 "$T/guest-hang.err")"
expect guest-hang "$NULL72" ok ""
expect guest-hang "$NOPRE" failed "watchdog: BUG: soft lockup - CPU#11 stuck for 121s!"
expect guest-hang "$PRE" ok ""
[[ -f "$MDIR/logs/bpf-ma.console.1" ]] || fail "guest-hang: no second boot (logs/bpf-ma.console.1)"
grep -q 'stopping the guest' "$MDIR/logs/bpf-ma.vm-run.log" ||
	fail "guest-hang: vm-run did not say it stopped the guest"
survived "a hung guest is stopped at 2 x 2 + 10 s, the point fails with its soft lockup, the next boot runs the rest ($((SECONDS - start)) s)"
overcommitted guest-hang
lost "$(count_lost "$MDIR" bpf-ma)"

# --- 3. a silent hang ---------------------------------------------------------
cat > "$T/guest-silent" <<'GUEST'
guest_point()
{
	console "allocbench-guest: begin $1"
	case "$1" in
	htab_churn/*) hang ;;
	*) record "$1" "$2"; console "allocbench-guest: end $1 rc=0" ;;
	esac
}
GUEST
fault "72-thread htab_churn hangs the guest silently"
matrix_run guest-silent "${VM[@]}" VARIANTS=bpf-ma "${HTAB[@]}" \
	PARAMS="case=overwrite map=noprealloc" FAKE_GUEST="$T/guest-silent"
[[ $MRC -eq 1 ]] || fail "guest-silent: matrix exited $MRC, want 1"
expect guest-silent "$NOPRE" failed "timeout after 14 s in the point: the guest did not stop it at its timeout of 2 s"
expect guest-silent "$NULL72" ok ""
survived "a silent hang fails its point with the host's timeout"
lost "$(count_lost "$MDIR" bpf-ma)"

# --- no overcommit, or KVM: no guest settings -------------------------------
fault "the same 72-thread run on a 128-CPU host"
matrix_run roomy "${VM[@]}" VARIANTS=bpf-ma "${HTAB[@]}" VM_HOST_CPUS=128 \
	PARAMS="case=overwrite map=noprealloc"
[[ $MRC -eq 0 ]] || fail "roomy: matrix exited $MRC: $(tail -n 3 "$T/roomy.err")"
if grep -qE 'tsc=reliable|lpj=|watchdog_thresh|rcu_cpu_stall' "$T/mark/qemu.append" ||
	[[ -n "$(jq -r 'select(.context.overcommit) | .point' "$MDIR/results.jsonl")" ]] ||
	jq -e 'has("overcommit")' "$MDIR/meta.json" >/dev/null 2>&1; then
	fail "roomy: overcommit settings without overcommit: $(cat "$T/mark/qemu.append")"
fi
survived "a host with a CPU per vCPU: no guest settings, no overcommit in records or meta.json"
lost "$(count_lost "$MDIR" bpf-ma)"

fault "the same run under KVM on a 2-CPU host"
matrix_run kvm "${VM[@]}" VARIANTS=bpf-ma "${HTAB[@]}" FAKE_ACCEL=kvm \
	PARAMS="case=overwrite map=noprealloc"
[[ $MRC -eq 0 ]] || fail "kvm: matrix exited $MRC: $(tail -n 3 "$T/kvm.err")"
! grep -qE 'tsc=reliable|lpj=|watchdog_thresh|rcu_cpu_stall' "$T/mark/qemu.append" ||
	fail "kvm: TCG settings given to a KVM guest: $(cat "$T/mark/qemu.append")"
[[ -z "$(jq -r 'select(.context.overcommit != "36x") | .point' "$MDIR/results.jsonl")" ]] ||
	fail "kvm: records without overcommit=36x"
survived "KVM: no guest settings; the records still say overcommit=36x"
lost "$(count_lost "$MDIR" bpf-ma)"

# --- the report says functional only -----------------------------------------
if [[ -x "$BUILD/abreport" ]]; then
	ROOT_DIR=$(cd "$(dirname "$0")/../.." && pwd)
	(cd "$ROOT_DIR" && "$BUILD/abreport" report --out "$T/report" "$MDIR") >"$T/report.out" 2>&1 ||
		fail "abreport report failed: $(tail -n 2 "$T/report.out")"
	grep -q 'Functional only: the guest.s vCPUs overcommitted the host.s CPUs (overcommit 36x)' \
		"$T/report/report.md" || fail "the report does not say functional only"
	survived "the report says the figures are functional only"
else
	echo "  note: $BUILD/abreport not built; the report check did not run"
fi

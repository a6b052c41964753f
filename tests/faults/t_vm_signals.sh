#!/usr/bin/env bash
# SIGTERM (to matrix alone, as make forwards it) and SIGINT (to matrix's
# process group, as a Ctrl-C) during a VM run of two variants, at each
# phase of the first variant's boot: before the boot (kvm-probe), during
# the boot (no point begun), mid-point, during the append of the guest's
# records. Afterwards: matrix exits 128 + signal, meta.json says stopped,
# no process of the run (vm-run, qemu, allocbench, probe) still runs, the
# second variant was not booted, the records that left the guest are kept;
# then RESUME with the same settings records every point.
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/vm/fault-lib.sh
. "$(dirname "$0")/../vm/fault-lib.sh"
need_vm

cat > "$T/boot-guest" <<'GUEST'
guest_boot() { console "[    0.000000] Linux version 6.1.0-fake"; mark boot; hang; }
GUEST
cat > "$T/point-guest" <<'GUEST'
guest_point()
{
	console "allocbench-guest: begin $1"
	[[ $nth -ne 1 ]] || { mark point; hang; }
	record "$1" "$2"
	console "allocbench-guest: end $1 rc=0"
}
GUEST

for sig in TERM INT; do
	for phase in before-boot during-boot mid-point during-append; do
		case $phase in
		before-boot) env=(FAKE_PROBE=hang) m=probe ;;
		during-boot) env=(FAKE_GUEST="$T/boot-guest") m=boot ;;
		mid-point) env=(FAKE_GUEST="$T/point-guest") m=point ;;
		during-append) env=(ALLOCBENCH="$ROOT/tests/vm/slow-allocbench"
			REAL_ALLOCBENCH="$AB_ABS" FAKE_APPEND_SLEEP=2) m=append ;;
		esac
		rm -f "$T/mark/"*
		fault "SIG$sig $phase"
		matrix_start "$phase-$sig" "${VM[@]}" "${env[@]}"
		wait_for "$T/mark/$m"
		matrix_stop "$sig"
		want=$((128 + $(kill -l "$sig")))
		[[ $MRC -eq $want ]] ||
			fail "$phase: matrix exited $MRC after SIG$sig, want $want: $(tail -n 2 "$T/$phase-$sig.err")"
		[[ "$(jq -r '.stopped.signal' "$MDIR/meta.json" 2>/dev/null)" == "$sig" ]] ||
			fail "$phase: meta.json does not say stopped by $sig"
		check_gone "$PROCS" "$phase SIG$sig"
		[[ ! -e "$MDIR/logs/kmalloc-rcu.vm-run.log" && -z "$(last_status "$MDIR" kmalloc-rcu "${PLAN%%$'\t'*}")" ]] ||
			fail "$phase SIG$sig: the next variant was booted"
		if [[ $phase == during-append ]]; then
			[[ "$(count_lost "$MDIR" bpf-ma)" -eq 0 ]] ||
				fail "$phase SIG$sig: the records that left the guest were not kept"
		fi
		survived "SIG$sig $phase: exit $want, meta.json stopped, nothing left running, no next variant"
		matrix_run "$phase-$sig-resume" "${VM[@]}" RESUME="${MDIR##*/}"
		[[ $MRC -eq 0 ]] || fail "$phase SIG$sig: the resume exited $MRC: $(tail -n 2 "$T/$phase-$sig-resume.err")"
		n=$(count_lost "$MDIR" bpf-ma kmalloc-rcu)
		lost "$n"
		[[ $n -eq 0 ]] || fail "$phase SIG$sig: $n point(s) without a record after the resume"
		survived "SIG$sig $phase: the resume records every point"
	done
done

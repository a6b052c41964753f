#!/usr/bin/env bash
# Ctrl-C or SIGTERM to a running point: allocbench stops the point, removes
# its memory cgroup, the pressure hog, fio and its file, prints a record
# that says it was stopped and exits 128 + signal.
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"

[[ $(id -u) -eq 0 ]] || skip "needs root (BPF, cgroups)"
leftovers() {
	ls -d /sys/fs/cgroup/allocbench-"$1" /sys/fs/cgroup/memory/allocbench-"$1" \
		/var/tmp/allocbench-fio-"$1" /tmp/allocbench-fio-"$1" 2>/dev/null || true
}
for sig in INT TERM; do
	for phase in ramp sampling; do
		if [[ $phase == ramp ]]; then
			args=(htab_churn --param pressure=anon+fio --param pressure_floor_mb=1000000)
		else
			args=(htab_churn --param pressure=none)
		fi
		fault "SIG$sig during $phase"
		"$AB" run "${args[@]}" --threads 1 --duration 30 --warmup 0 \
			>"$T/rec.json" 2>"$T/err" &
		pid=$!
		sleep 3
		mapfile -t kids < <(pgrep -P "$pid" || true)
		kill -"$sig" "$pid"
		rc=0
		wait "$pid" || rc=$?
		want=$((128 + $(kill -l "$sig")))
		[[ $rc -eq $want ]] || fail "exit $rc after SIG$sig (want $want)"
		jq -e --arg s "stopped by SIG$sig" '.status == "failed" and .reason == $s' \
			"$T/rec.json" >/dev/null || fail "record: $(head -c 300 "$T/rec.json")"
		[[ -z $(leftovers "$pid") ]] || fail "left behind: $(leftovers "$pid")"
		for k in "${kids[@]}"; do
			kill -0 "$k" 2>/dev/null && fail "child $k still runs"
		done
		survived "SIG$sig during $phase: record says stopped, nothing left behind"
	done
done
lost 0

#!/usr/bin/env bash
# contrib/slurm-shards on a one-node Slurm cluster that this test makes in a
# private directory and stops at the end, leaving nothing running: munged
# on its own socket and key, slurmctld and slurmd (NodeName=localhost
# CPUs=2) on their own ports, state, spool and logs. A two-task array runs
# a host sweep of null in two shards, the merge runs as the dependent job;
# the merged run's points are the plan's. Then a sweep whose tasks fail:
# the merge job is cancelled, nothing merged.
# shellcheck source=tests/shards/lib.sh
. "$(dirname "$0")/lib.sh"
[[ $(id -u) -eq 0 ]] || skip "host runs and slurmd need root"
# Results in the checkout, as on a cluster's shared file system: a hidden
# directory of results/, which make report does not take for a run.
mkdir -p results
RES=$(mktemp -d results/.test-shards.XXXXXX)
remove_res() { rm -rf "${ROOT:?}/$RES"; }
cleanup_hooks+=(remove_res)
for c in munged slurmctld slurmd sbatch scontrol; do
	command -v "$c" >/dev/null || skip "$c is missing (apt-get install slurm-wlm munge)"
done

S=$T/slurm
mkdir -p "$S/state" "$S/spool" "$S/munge"
# job steps (slurmstepd) that were there before: not this test's
steps_before=$(pgrep -x slurmstepd | sort || true)
pids=()
stop_cluster()
{
	local p i
	[[ ${#pids[@]} -gt 0 ]] || return 0
	SLURM_CONF=$S/slurm.conf timeout 10 scontrol shutdown >/dev/null 2>&1 || true
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for ((i = 0; i < 100; i++)); do
		for p in "${pids[@]}"; do
			kill -0 "$p" 2>/dev/null && break
		done
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	pids=()
}
cleanup_hooks+=(stop_cluster)

# A free TCP port from 20000 up, not one of the cluster's own.
free_port()
{
	local p
	for ((p = 20000 + RANDOM % 20000; ; p++)); do
		[[ " ${*:-} " != *" $p "* ]] || continue
		ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}

# munge: a key of our own, a socket of our own.
dd if=/dev/urandom of="$S/munge/key" bs=1024 count=1 status=none
chmod 400 "$S/munge/key"
munged -F -f --socket="$S/munge/sock" --key-file="$S/munge/key" \
	--pid-file="$S/munge/pid" --log-file="$S/munge/log" --seed-file="$S/munge/seed" \
	>"$S/munge/out" 2>&1 &
pids+=($!)

ctld_port=$(free_port)
slurmd_port=$(free_port "$ctld_port")
cat >"$S/slurm.conf" <<EOF
ClusterName=allocbench-test
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/munge/sock
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=sched_interval=1
MinJobAge=600
ReturnToService=2
NodeName=localhost CPUs=2 State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$S/slurm.conf
for ((i = 0; i < 50; i++)); do
	[[ -S "$S/munge/sock" ]] && break
	sleep 0.1
done
[[ -S "$S/munge/sock" ]] || fail "munged did not start: $(tail -n 3 "$S/munge/log" 2>/dev/null)"
slurmctld -D -i -f "$S/slurm.conf" >"$S/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N localhost -f "$S/slurm.conf" >"$S/slurmd.out" 2>&1 &
pids+=($!)
for ((i = 0; i < 300; i++)); do
	[[ "$(sinfo -h -N -o %t 2>/dev/null)" == idle ]] && break
	sleep 0.1
done
[[ "$(sinfo -h -N -o %t 2>/dev/null)" == idle ]] ||
	fail "the node is not idle: $(sinfo -N 2>&1 | tail -n 1); $(tail -n 3 "$S/slurmctld.log" "$S/slurmd.log" 2>&1)"
pass "a one-node cluster: munged, slurmctld (port $ctld_port), slurmd (port $slurmd_port)"

# job_state JOB: its state (COMPLETED, FAILED, CANCELLED, PENDING, ...).
job_state() { scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | sort -u | tr '\n' ' ' | sed 's/ $//'; }
# wait_done JOB SECONDS: until no task of JOB is pending or running.
wait_done()
{
	local i st
	for ((i = 0; i < $2 * 5; i++)); do
		st=$(job_state "$1")
		[[ -n "$st" && ! "$st" =~ PENDING|RUNNING|CONFIGURING|COMPLETING ]] && return 0
		sleep 0.2
	done
	fail "job $1 still $st after $2 s: $(scontrol -o show job "$1" | grep -o 'Reason=[^ ]*' | sort -u)"
}

start=$EPOCHREALTIME
contrib/slurm-shards -n 2 --shared -r "$RES" TARGET=host WORKLOADS=null \
	DURATION=1 WARMUP=0 THREADS=1,2 >"$T/submit.out" 2>"$T/submit.err" ||
	fail "contrib/slurm-shards: $(cat "$T/submit.err")"
read -r ids <"$T/submit.out"
array=${ids#array=}
array=${array%% *}
merge=${ids##*merge=}
out=$(tail -n 1 "$T/submit.out")
dep=$(scontrol -o show job "$merge" | grep -o 'Dependency=[^ ]*')
[[ "$dep" == "Dependency=afterok:${array}_*"* ]] || fail "merge job $merge: $dep, want afterok:${array}_*"
wait_done "$merge" 120
wait_done "$array" 5
secs=$(echo "$EPOCHREALTIME - $start" | bc)
[[ "$(job_state "$array")" == COMPLETED ]] || fail "array job $array: $(job_state "$array")"
[[ "$(job_state "$merge")" == COMPLETED ]] ||
	fail "merge job $merge: $(job_state "$merge"): $(cat "$out.shards"/slurm-merge-*.out 2>/dev/null | tail -n 3)"
[[ -d "$out" ]] || fail "no merged run at $out"
[[ "$(rundir_ids "$out")" == "$(plan_ids null 1,2 host)" ]] ||
	fail "the merged points are not the plan's: $(rundir_ids "$out" | tr '\n' ' ')"
jq -e '[.shards[].shard.index] | sort == [1, 2]' "$out/meta.json" >/dev/null ||
	fail "the merged run is not of shards 1 and 2"
# the merge started after both tasks had ended
last_end=$(jq -r .finished_at "$out.shards"/*/*/meta.json | sort | tail -n 1)
[[ "$(jq -r .merged_at "$out/meta.json")" > "$last_end" || "$(jq -r .merged_at "$out/meta.json")" == "$last_end" ]] ||
	fail "merged at $(jq -r .merged_at "$out/meta.json"), before a shard finished ($last_end)"
printf '%.1f\n' "$secs" >"$T/slurm-seconds"
pass "array job $array (2 tasks) and merge job $merge (afterok): merged = plan, $(cat "$T/slurm-seconds") s from submit to merged"

# A sweep whose tasks fail (no such variant): the merge is cancelled.
contrib/slurm-shards -n 2 --shared -r "$RES" -o "$RES/broken" TARGET=vm \
	VARIANTS=no-such-variant WORKLOADS=null DURATION=1 WARMUP=0 THREADS=1 \
	>"$T/submit2.out" 2>"$T/submit2.err" || fail "contrib/slurm-shards: $(cat "$T/submit2.err")"
read -r ids <"$T/submit2.out"
array=${ids#array=}
array=${array%% *}
merge=${ids##*merge=}
wait_done "$array" 60
wait_done "$merge" 30
[[ "$(job_state "$array")" == FAILED ]] || fail "the failing array: $(job_state "$array")"
[[ "$(job_state "$merge")" == CANCELLED && ! -e "$RES/broken" ]] ||
	fail "the merge after failed tasks: $(job_state "$merge"), merged: $(ls "$RES")"
pass "failed tasks: the merge job is cancelled (--kill-on-invalid-dep), nothing merged"

stop_cluster
# job steps are reparented to init when they end; give init time to reap
for ((i = 0; i < 100; i++)); do
	left=$(pgrep -f -- "$S/" || true)
	steps=$(comm -13 <(echo "$steps_before") <(pgrep -x slurmstepd | sort) || true)
	[[ -n "$left$steps" ]] || break
	sleep 0.1
done
[[ -z "$left$steps" ]] || fail "still there after the stop: $left $steps"
pass "the cluster stopped, nothing left running"
if [[ -n "${SHARDS_TIMES:-}" ]]; then
	echo "slurm $(cat "$T/slurm-seconds")" >>"$SHARDS_TIMES"
fi

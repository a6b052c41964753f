#!/usr/bin/env bash
# RESUME must name a run directly under the results directory and resume it
# with the settings it started with: a path (.., absolute, a slash), an
# unknown run, or another DURATION, WARMUP, THREADS, PARAMS, WORKLOADS or
# TARGET exits 2 with one line on stderr and changes nothing; the same
# settings resume (here: nothing left to run).
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"
[[ $(id -u) -eq 0 ]] || skip "host runs need root (BPF, cgroups)"
# shellcheck disable=SC2034  # read by the sourced fault library
THREADS=1
# shellcheck source=tests/vm/fault-lib.sh
. "$(dirname "$0")/../vm/fault-lib.sh"

matrix_run first TARGET=host
[[ $MRC -eq 0 ]] || fail "the first run exited $MRC: $(tail -n 2 "$T/first.err")"
run=$MDIR
id=${run##*/}
mkdir -p "$T/outside"
cp -r "$run" "$T/outside/run"
state() { find "$T/results" "$T/outside" -type f -newer "$T/first.out" | sort; md5sum "$run"/*.json* "$T/outside/run"/*.json*; }
touch "$T/first.out"
before=$(state)

refused=(
	"a path out of results/|RESUME=../outside/run"
	"an absolute path|RESUME=$T/outside/run"
	"..|RESUME=.."
	"a name with a slash|RESUME=$id/logs"
	"an unknown run|RESUME=no-such-run"
	"another DURATION|RESUME=$id DURATION=2"
	"another WARMUP|RESUME=$id WARMUP=1"
	"other THREADS|RESUME=$id THREADS=1,2"
	"other PARAMS|RESUME=$id PARAMS=loops=1024"
	"other WORKLOADS|RESUME=$id WORKLOADS=null,htab_churn"
	"another TARGET|RESUME=$id TARGET=vm VARIANTS=bpf-ma"
)
for c in "${refused[@]}"; do
	what=${c%%|*}
	read -ra env <<<"${c#*|}"
	fault "RESUME with $what"
	matrix_run refused TARGET=host "${env[@]}"
	[[ $MRC -eq 2 ]] || fail "RESUME with $what: exit $MRC, want 2"
	if [[ $(wc -l < "$T/refused.err") -ne 1 ]] || ! grep -q '^matrix: RESUME' "$T/refused.err"; then
		fail "RESUME with $what: stderr is not one line: $(head -c 300 "$T/refused.err")"
	fi
	[[ "$(state)" == "$before" ]] || fail "RESUME with $what changed files"
	survived "RESUME with $what: exit 2, one line, nothing changed"
done

matrix_run same TARGET=host RESUME="$id"
[[ $MRC -eq 0 ]] || fail "RESUME=$id with its settings exited $MRC: $(tail -n 2 "$T/same.err")"
grep -q 'done already' "$T/same.err" || fail "RESUME=$id ran its finished point again"
[[ $(wc -l < "$run/results.jsonl") -eq 1 ]] || fail "RESUME=$id added records"
survived "RESUME with the run's settings resumes (nothing left to run)"
lost "$(count_lost "$run" host)"

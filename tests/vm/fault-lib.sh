# shellcheck shell=bash
# shellcheck disable=SC2034 # VM, MRC, MDIR, PROCS are for the sourcing tests
# Sourced by tests/faults/t_run_*.sh and t_vm_*.sh after tests/faults/lib.sh
# ($T, $AB, fault/survived/lost/fail): runs of runners/matrix with a private
# results directory, fake kernels, a fake qemu (tests/vm/fake-qemu) and a
# fake kvm-probe, and the checks made after each fault.
#   matrix_start NAME VAR=VALUE...  runners/matrix in the background, in its
#                                  own session and process group (as a shell
#                                  job: SIGINT to -$MPID is a Ctrl-C), with
#                                  the common settings and these; output in
#                                  $T/NAME.out and $T/NAME.err
#   matrix_wait                    its exit status in $MRC, its run
#                                  directory (the last line out) in $MDIR
#   matrix_run NAME VAR=VALUE...   both
#   matrix_stop SIG                the running matrix's tree in $PROCS
#                                  (see tree_of), then SIGTERM to matrix
#                                  alone (as make forwards it) or SIGINT to
#                                  its process group (a Ctrl-C); matrix_wait
#   wait_for FILE|tree:PATTERN     until FILE exists, or a process of
#                                  matrix's tree runs with a command line
#                                  that matches PATTERN (20 s at most)
#   tree_of PID                    PID and its descendants as pid:start
#   check_gone LIST WHAT           none of tree_of's LIST and no process
#                                  naming $T still runs, else fail
#   last_status DIR VARIANT POINT  status<TAB>reason of the point's last record
#   count_lost DIR VARIANT...      planned points of the variants ($PLAN)
#                                  without a record
#   need_vm                        skip unless busybox-static and cpio are
#                                  there (mkinitramfs, fake-qemu need them)
# VM runs use variants bpf-ma and kmalloc-rcu with fake kernels under
# $T/build/kernels; $PLAN is the plan of WORKLOADS=null and $THREADS.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
AB_ABS=$(cd "$(dirname "$AB")" && pwd)/$(basename "$AB")
THREADS=${THREADS:-1,2}
PLAN=$("$AB" plan --workloads null --threads "$THREADS")
mkdir -p "$T/results" "$T/mark"
for v in bpf-ma kmalloc-rcu; do
	mkdir -p "$T/build/kernels/$v"
	echo "not a kernel: tests/vm/fake-qemu boots nothing" > "$T/build/kernels/$v/bzImage"
done
COMMON=(RESULTS_DIR="$T/results" BUILD="$T/build" ALLOCBENCH="$AB_ABS"
	QEMU="$ROOT/tests/vm/fake-qemu" KVM_PROBE="$ROOT/tests/vm/fake-kvm-probe"
	FAKE_MARK="$T/mark" WORKLOADS=null THREADS="$THREADS" DURATION=1 WARMUP=0)
VM=(TARGET=vm VARIANTS="bpf-ma kmalloc-rcu")

need_vm()
{
	if [[ ! -x "${BUSYBOX:-/bin/busybox}" ]] || ! command -v cpio >/dev/null; then
		skip "VM runs need busybox-static and cpio (make deps)"
	fi
}

matrix_start()
{
	local name=$1
	shift
	MNAME=$name
	# setsid: a group (and session) of its own; env: SIGINT not ignored,
	# as a background job of a script would have it.
	setsid env --default-signal=INT "${COMMON[@]}" "$@" "$ROOT/runners/matrix" \
		>"$T/$name.out" 2>"$T/$name.err" &
	MPID=$!
}

matrix_wait()
{
	MRC=0
	wait "$MPID" || MRC=$?
	MDIR=$(tail -n 1 "$T/$MNAME.out")
}

matrix_run()
{
	matrix_start "$@"
	matrix_wait
}

matrix_stop()
{
	PROCS=$(tree_of "$MPID")
	if [[ $1 == INT ]]; then
		kill -INT -- "-$MPID"
	else
		kill "-$1" "$MPID"
	fi
	matrix_wait
}

wait_for()
{
	local i
	for ((i = 0; i < 200; i++)); do
		case "$1" in
		tree:*) tree_cmdlines | grep -q -- "${1#tree:}" && return 0 ;;
		*) [[ -e "$1" ]] && return 0 ;;
		esac
		sleep 0.1
	done
	fail "waited 20 s for $1 ($(tail -n 3 "$T/$MNAME.err" 2>/dev/null | tr '\n' ' '))"
}

# pid:starttime, so that a reused pid is not taken for a survivor.
proc_id()
{
	local line
	read -r line 2>/dev/null < "/proc/$1/stat" || return 1
	read -r -a f <<<"${line##*) }"
	[[ "${f[0]}" != Z ]] || return 1
	echo "$1:${f[19]}"
}

tree_of()
{
	local -a todo=("$1")
	local p c
	while [[ ${#todo[@]} -gt 0 ]]; do
		p=${todo[0]}
		todo=("${todo[@]:1}")
		proc_id "$p" || true
		# shellcheck disable=SC2013 # the file is a list of pids
		for c in $(cat "/proc/$p/task/"*/children 2>/dev/null); do
			todo+=("$c")
		done
	done
}

tree_cmdlines()
{
	local id
	for id in $(tree_of "$MPID"); do
		tr '\0' ' ' 2>/dev/null < "/proc/${id%%:*}/cmdline" && echo
	done
}

check_gone()
{
	local id left=()
	for id in $1; do
		[[ "$(proc_id "${id%%:*}" 2>/dev/null)" != "$id" ]] ||
			left+=("${id%%:*} $(tr '\0' ' ' < "/proc/${id%%:*}/cmdline" 2>/dev/null | cut -c1-80)")
	done
	while read -r id; do
		[[ -z "$id" || "$id" == "$$" || "$id" == "$BASHPID" ]] ||
			left+=("$id $(tr '\0' ' ' < "/proc/$id/cmdline" 2>/dev/null | cut -c1-80)")
	done < <(pgrep -f -- "$T/" || true)
	[[ ${#left[@]} -eq 0 ]] || fail "$2: still running: ${left[*]}"
}

last_status()
{
	jq -r --arg v "$2" --arg p "$3" 'select(.variant == $v and .point == $p)
		| [.status, .reason // ""] | @tsv' "$1/results.jsonl" 2>/dev/null | tail -n 1
}

count_lost()
{
	local dir=$1 v id n=0
	shift
	for v in "$@"; do
		while IFS=$'\t' read -r id _; do
			[[ -n "$(last_status "$dir" "$v" "$id")" ]] || n=$((n + 1))
		done <<<"$PLAN"
	done
	echo "$n"
}

# shellcheck shell=bash
# Sourced by tests/shards/test-*.sh: a private $T (removed at exit), the
# binaries under $BUILD, and
#   pass WHAT / fail WHY / skip WHY   (fail and skip end the test)
#   record POINT THREADS [STATUS] [RUN] [ALLOCBENCH-FAIL-OPTION...]
#                      a valid schema-1 record (as tests/faults/lib.sh's)
#   fake_run DIR [K=V|K:=JSON ...]   a finished run directory: meta.json
#                      as runners/matrix writes it (these keys override)
#   plan_ids WORKLOADS THREADS [VARIANT...]
#                      the plan's point ids (VARIANT<TAB>ID with variants)
#   rundir_ids DIR     VARIANT<TAB>ID of the run's records, sorted, unique
#   refused CMD...     CMD exits 2 with one line on stderr ($T/refused.err)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}
AB=$(realpath "${AB:-$BUILD/allocbench}")
ABREPORT=$(realpath "${ABREPORT:-$BUILD/abreport}")
export ALLOCBENCH="$AB"
T=$(mktemp -d "${TMPDIR:-/tmp}/allocbench-shards.XXXXXX")
cleanup_hooks=()
on_exit()
{
	local h
	for h in "${cleanup_hooks[@]}"; do
		"$h" || true
	done
	rm -rf "$T"
}
trap on_exit EXIT

TEST=$(basename "$0" .sh)
pass() { echo "  ok: $*"; }
fail() { echo "  FAIL ($TEST): $*" >&2; exit 1; }
skip() { echo "  SKIP ($TEST): $*"; exit 0; }

record()
{
	local point=$1 threads=$2 status=${3:-ok} run=${4:-r}
	shift $(($# < 4 ? $# : 4))
	# fail exits 1: the record it prints is of a failed point
	{ "$AB" fail null --threads "$threads" --run-id "$run" --reason x "$@" || true; } |
		jq -c --arg p "$point" --arg s "$status" \
			'.point = $p | .status = $s | if $s == "ok" then del(.reason) else . end'
}

fake_run()
{
	local dir=$1 id
	shift
	id=$(basename "$dir")
	mkdir -p "$dir"
	"$AB" results meta "$dir" run_id="$id" schema:=1 target=host \
		suite_sha=1111111111111111111111111111111111111111 \
		started_at=2030-01-01T00:00:00Z host_cpu="Test CPU 9000" \
		host_kernel=6.1.0-test host_cpus:=2 duration_s:=1 warmup_s:=0 \
		'settings:={"target":"host","duration":1,"warmup":0,"workloads":"null","threads":"1,2","params":"","variants":"","plan_sha256":"00","shard":null}' \
		finished_at=2030-01-01T00:01:00Z \
		'summary:={"points":0,"failed":0,"without_record":0}' "$@"
}

plan_ids()
{
	local ids v
	ids=$("$AB" plan --workloads "$1" --threads "$2" 2>/dev/null | cut -f1)
	shift 2
	if [[ $# -eq 0 ]]; then
		sort -u <<<"$ids"
		return
	fi
	for v in "$@"; do
		while read -r id; do
			printf '%s\t%s\n' "$v" "$id"
		done <<<"$ids"
	done | sort -u
}

rundir_ids()
{
	[[ ! -f "$1/results.jsonl" ]] || jq -r '[.variant, .point] | @tsv' "$1/results.jsonl" | sort -u
}

refused()
{
	local rc=0
	"$@" >"$T/refused.out" 2>"$T/refused.err" || rc=$?
	[[ $rc -eq 2 ]] || fail "$*: exit $rc, want 2: $(head -c 300 "$T/refused.err")"
	[[ $(wc -l <"$T/refused.err") -eq 1 ]] ||
		fail "$*: stderr is not one line: $(head -c 300 "$T/refused.err")"
}

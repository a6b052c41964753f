#!/usr/bin/env bash
# The split of runners/matrix SHARD=i/N: for several N, the shards' point
# sets are disjoint and their union is the unsharded plan's, the same on
# every call; VM shards boot a variant at most once each, whole variants
# when there are at least as many variants as shards; an empty shard is an
# empty run; the merged shards hold exactly the plan's points.
# shellcheck source=tests/shards/lib.sh
. "$(dirname "$0")/lib.sh"

# --- the host: the commands of DRY_RUN=1, mapped back to point ids --------
WL=null,htab_churn
TH=1,2,3
declare -A id_of=()
while IFS=$'\t' read -r id args; do
	id_of["$args"]=$id
done < <("$AB" plan --workloads "$WL" --threads "$TH" 2>/dev/null)
whole=$(plan_ids "$WL" "$TH")
n_whole=$(wc -l <<<"$whole")

# The point ids shard $1 of a dry run would run, one a line.
dry_ids()
{
	local line args
	SHARD=$1 DRY_RUN=1 RESULTS_DIR="$T/dry" WORKLOADS="$WL" THREADS="$TH" \
		DURATION=1 WARMUP=0 runners/matrix 2>/dev/null |
		while read -r line; do
			[[ "$line" == "$AB run "* ]] || continue
			args=${line#"$AB run "}
			args=${args%% --duration *}
			[[ -n "${id_of["$args"]:-}" ]] || { echo "NOT-IN-PLAN $args"; continue; }
			echo "${id_of["$args"]}"
		done
}

for n in 1 2 3 7 $((n_whole + 4)); do
	all=""
	for ((i = 1; i <= n; i++)); do
		ids=$(dry_ids "$i/$n")
		all+="$ids"$'\n'
	done
	[[ "$ids" == "$(dry_ids "$n/$n")" ]] || fail "host shard $n/$n: two calls split differently"
	all=$(grep -v '^$' <<<"$all" || true)
	[[ $(wc -l <<<"$all") -eq $n_whole ]] ||
		fail "host, $n shards: $(wc -l <<<"$all") points in all, the plan has $n_whole"
	[[ "$(sort <<<"$all")" == "$whole" ]] || fail "host, $n shards: the union is not the plan"
	[[ -z "$(sort <<<"$all" | uniq -d)" ]] || fail "host, $n shards: a point in two shards"
done
pass "host: $n_whole points, N = 1, 2, 3, 7, $((n_whole + 4)): disjoint shards, union = plan, deterministic"

# An empty shard (more shards than points): an empty run, exit 0.
rc=0
SHARD=5/5 RESULTS_DIR="$T/empty" WORKLOADS=null THREADS=1,2 DURATION=1 WARMUP=0 \
	runners/matrix >"$T/empty.out" 2>"$T/empty.err" || rc=$?
dir=$(tail -n 1 "$T/empty.out")
[[ $rc -eq 0 && -d "$dir" ]] || fail "empty shard 5/5: exit $rc: $(tail -n 2 "$T/empty.err")"
[[ "$(jq -c .shard "$dir/meta.json")" == '{"index":5,"count":5,"plan_points":2,"points":0}' ]] ||
	fail "empty shard: meta.json shard is $(jq -c .shard "$dir/meta.json")"
[[ "$(jq -c .summary.points "$dir/meta.json")" == 0 && "${dir##*/}" == *-host-shard5of5 ]] ||
	fail "empty shard: summary or run id ($dir)"
pass "an empty shard is an empty run ($(basename "$dir"))"

# --- VM runs: fake kernels and a fake qemu (tests/vm) ----------------------
if [[ ! -x "${BUSYBOX:-/bin/busybox}" ]] || ! command -v cpio >/dev/null; then
	skip "VM shards need busybox-static and cpio (make deps)"
fi
VARS=(lockless-pool bpf-ma kmalloc-rcu)	# V = 3, given out of order
for v in "${VARS[@]}"; do
	mkdir -p "$T/build/kernels/$v"
	echo "not a kernel: tests/vm/fake-qemu boots nothing" >"$T/build/kernels/$v/bzImage"
done
vm_run()
{
	local name=$1 rc=0
	shift
	env RESULTS_DIR="$T/results" BUILD="$T/build" ALLOCBENCH="$AB" \
		QEMU="$ROOT/tests/vm/fake-qemu" KVM_PROBE="$ROOT/tests/vm/fake-kvm-probe" \
		TARGET=vm VARIANTS="${VARS[*]}" WORKLOADS=null THREADS=1,2 DURATION=1 WARMUP=0 \
		"$@" runners/matrix >"$T/$name.out" 2>"$T/$name.err" || rc=$?
	[[ $rc -eq 0 ]] || fail "$name: exit $rc: $(tail -n 3 "$T/$name.err")"
	VDIR=$(tail -n 1 "$T/$name.out")
	# A commit that lands in this working tree during the test must not
	# fail the merge below: the runs are of one suite here.
	"$AB" results meta "$VDIR" suite_sha=test-suite
}
vm_whole=$(plan_ids null 1,2 "${VARS[@]}")
for n in 2 5; do
	all="" dirs=()
	for ((i = 1; i <= n; i++)); do
		vm_run "s$i-$n" SHARD="$i/$n"
		dirs+=("$VDIR")
		ids=$(rundir_ids "$VDIR")
		booted=$(grep -o '^\[[a-z.+_-]*\] booting' "$T/s$i-$n.err" | sort)
		[[ -z "$(uniq -d <<<"$booted")" ]] || fail "shard $i/$n booted a variant twice"
		if ((${#VARS[@]} >= n)); then
			# whole variants: every point of each variant it holds
			while read -r v; do
				[[ "$(grep -c "^$v	" <<<"$ids")" -eq 2 ]] ||
					fail "shard $i/$n does not hold variant $v whole"
			done < <(cut -f1 <<<"$ids" | sort -u)
		else
			[[ $(cut -f1 <<<"$ids" | sort -u | wc -l) -le 1 ]] ||
				fail "shard $i/$n ($n shards, ${#VARS[@]} variants) boots more than one variant"
		fi
		[[ "$(jq .shard.points "$VDIR/meta.json")" -eq "$(grep -c . <<<"$ids" || true)" &&
			"$(jq .shard.plan_points "$VDIR/meta.json")" -eq 6 ]] ||
			fail "shard $i/$n: meta.json shard $(jq -c .shard "$VDIR/meta.json") vs $(grep -c . <<<"$ids" || true) point(s)"
		all+="$ids"$'\n'
	done
	all=$(grep -v '^$' <<<"$all")
	[[ $(wc -l <<<"$all") -eq 6 && "$(sort <<<"$all")" == "$vm_whole" ]] ||
		fail "VM, $n shards: the union is not the plan, or a point is in two shards"
	"$AB" results merge "$T/results/merged-$n" "${dirs[@]}" >/dev/null 2>"$T/merge.err" ||
		fail "merging the $n VM shards: $(cat "$T/merge.err")"
	[[ "$(rundir_ids "$T/results/merged-$n")" == "$vm_whole" ]] ||
		fail "VM, $n shards merged: not the plan's points"
	[[ "$(jq -r .accel "$T/results/merged-$n/meta.json")" == tcg ]] ||
		fail "VM, $n shards merged: meta.json accel is not tcg"
done
pass "VM: 3 variants x 2 points, N = 2 (whole variants) and 5 (one variant a shard, split): disjoint, union = plan, merged = plan"

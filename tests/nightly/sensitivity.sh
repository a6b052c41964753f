#!/usr/bin/env bash
# make nightly-sensitivity: how small a slowdown does a night catch, and
# how often does a night without one cry regression?
#
# The test kernel htab-delay spins hashtab.alloc_delay_loops=L loops per
# non-preallocated element allocation. For each level L of SENS_LEVELS
# (the first must be 0: no change), SENS_POOL runs (one VM boot each) of
# htab_churn case=overwrite,batch_add_batch_del map=noprealloc at 2
# threads, as the nightly matrix runs it but SENS_DURATION seconds a point;
# level 0 gets SENS_RUNS more, the baseline. Each level's slowdown is
# measured on its own: its pooled mean against level 0's, per point.
# Then SENS_NIGHTS simulated nights a level: SENS_RUNS runs drawn without
# replacement from the level's pool (a fixed seed; level 0's pool
# excludes the baseline's runs) compared by abreport compare with the
# baseline at the declaration's settings (threshold 5 %, alpha 0.01,
# min_n 3). A night detects when compare exits 1 naming a point; at
# level 0 that is a false alarm. Nights drawn from one pool share runs:
# they are less independent than as many real nights (said in the
# summary).
#
# Out: build/nightly-sensitivity/summary.txt and summary.json; the runs
# under build/nightly-sensitivity/results. SENS_REUSE=1 keeps the runs
# already there and only adds what is missing (a stopped study goes on).
#
#   tests/nightly/sensitivity.sh   (BUILD, ABREPORT, SENS_LEVELS="0 L1 L2 L3",
#                                   SENS_POOL=6, SENS_RUNS=3, SENS_NIGHTS=10,
#                                   SENS_DURATION=2)
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${BUILD:-build}
abreport=${ABREPORT:-$build/abreport}
read -r -a levels <<<"${SENS_LEVELS:-0 150 400 800}"
pool=${SENS_POOL:-6}
nruns=${SENS_RUNS:-3}
nights=${SENS_NIGHTS:-10}
duration=${SENS_DURATION:-2}
work=$build/nightly-sensitivity
R=$work/results
[[ "${levels[0]}" == 0 ]] || { echo "sensitivity: SENS_LEVELS must start with 0" >&2; exit 2; }
for x in "${levels[@]}" "$pool" "$nruns" "$nights" "$duration"; do
	[[ "$x" =~ ^[0-9]+$ ]] || { echo "sensitivity: '$x' is not a whole number" >&2; exit 2; }
done
((pool >= nruns)) || { echo "sensitivity: SENS_POOL must be at least SENS_RUNS" >&2; exit 2; }
[[ "${SENS_REUSE:-}" == 1 ]] || rm -rf "$work"
mkdir -p "$R"
[[ "${SENS_KERNELS:-}" == skip ]] ||
	make -s --no-print-directory kernels-current BUILD="$build" VARIANTS=htab-delay ||
	{ echo "sensitivity: htab-delay did not build" >&2; exit 2; }

t0=$(date +%s)
# run LEVEL: one run directory, its path appended to $work/pool-LEVEL
run()
{
	local out rc=0 t
	t=$(date +%s)
	out=$(TARGET=vm VARIANTS=htab-delay WORKLOADS=htab_churn THREADS=2 \
		PARAMS="case=overwrite,batch_add_batch_del map=noprealloc" \
		DURATION="$duration" WARMUP=1 VM_APPEND="hashtab.alloc_delay_loops=$1" \
		RESULTS_DIR="$R" BUILD="$build" nice runners/matrix 2>>"$work/matrix.log") || rc=$?
	out=$(tail -n 1 <<<"$out")
	if ((rc > 1)) || [[ ! -f "$out/results.jsonl" ]]; then
		echo "sensitivity: a run at level $1 failed (matrix exit $rc): see $work/matrix.log" >&2
		return 1
	fi
	echo "$out" >>"$work/pool-$1"
	echo "$(date -u +%H:%M:%S) level $1: $out, $(($(date +%s) - t)) s" >>"$work/progress.log"
}
for l in "${levels[@]}"; do
	want=$pool
	[[ $l != 0 ]] || want=$((pool + nruns))
	touch "$work/pool-$l"
	while (($(wc -l <"$work/pool-$l") < want)); do
		run "$l" || true
	done
done
t_runs=$(($(date +%s) - t0))

# pooled mean of a point over the runs of a file of run directories
mean_of()
{
	local f
	while IFS= read -r f; do cat "$f/results.jsonl"; done <"$1" |
		jq -s -r 'map(select(.status == "ok")) | group_by(.point)
			| map("\(.[0].point)\t\(map(.ops_per_sec.mean) | add / length)") | .[]'
}
mean_of <(head -n "$nruns" "$work/pool-0"; tail -n +"$((nruns + 1))" "$work/pool-0") >"$work/mean-0.tsv"
head -n "$nruns" "$work/pool-0" >"$work/baseline"
tail -n +"$((nruns + 1))" "$work/pool-0" >"$work/draw-0"
for l in "${levels[@]:1}"; do cp "$work/pool-$l" "$work/draw-$l"; done

# draw N FILE SEED: N lines of FILE, a reproducible draw without replacement
draw() { shuf -n "$1" --random-source=<(yes "$3") "$2"; }
{
	printf 'level_loops\tslowdown_pct\tnights\tdetected\trate\n'
} >"$work/summary.tsv"
json='[]'
for l in "${levels[@]}"; do
	slow=$(mean_of "$work/pool-$l" | jq -R -s -r --rawfile base "$work/mean-0.tsv" '
		def tab: split("\n") | map(select(length > 0) | split("\t")) | map({(.[0]): (.[1] | tonumber)}) | add;
		(tab) as $m | ($base | tab) as $b
		| [$m | to_entries[] | select($b[.key]) | 100 * (1 - .value / $b[.key])] | add / length
		| . * 10 | round / 10')
	det=0
	for ((k = 1; k <= nights; k++)); do
		mapfile -t night < <(draw "$nruns" "$work/draw-$l" "$l-$k")
		args=()
		for d in $(cat "$work/baseline"); do args+=(--base "$d"); done
		for d in "${night[@]}"; do args+=(--new "$d"); done
		rc=0
		"$abreport" compare "${args[@]}" --threshold 5 --alpha 0.01 --min-n 3 --mem-threshold 20 \
			>"$work/night-$l-$k.txt" 2>"$work/night-$l-$k.err" || rc=$?
		[[ $rc -ne 1 ]] || det=$((det + 1))
	done
	printf '%s\t%s\t%s\t%s\t%s\n' "$l" "$slow" "$nights" "$det" \
		"$(awk -v d="$det" -v n="$nights" 'BEGIN { printf "%.2f", d / n }')" >>"$work/summary.tsv"
	json=$(jq -c --argjson l "$l" --argjson s "$slow" --argjson n "$nights" --argjson d "$det" \
		'. + [{loops: $l, slowdown_pct: $s, nights: $n, detected: $d}]' <<<"$json")
done

per_run=$(awk -v t="$t_runs" -v n="$(cat "$work"/pool-* | wc -l)" 'BEGIN { printf "%.0f", n ? t / n : 0 }')
jq -n --argjson levels "$json" --argjson pool "$pool" --argjson runs "$nruns" \
	--argjson duration "$duration" --argjson t_runs "$t_runs" --argjson per_run "$per_run" \
	'{schema: 1, levels: $levels, pool_runs_per_level: $pool, runs_per_night: $runs,
	  duration_s: $duration, threshold_pct: 5, alpha: 0.01, min_n: 3,
	  wall_s_runs: $t_runs, wall_s_per_run: $per_run,
	  note: "nights drawn from one pool of runs per level share runs"}' >"$work/summary.json"
{
	echo "sensitivity: htab_churn map=noprealloc t2, ${duration} s a point, $nruns runs a night against $nruns baseline runs"
	echo "(threshold 5 %, alpha 0.01, min_n 3); $nights nights a level drawn from $pool runs (level 0: $((pool + nruns)), $nruns of them the baseline)"
	column -t -s $'\t' "$work/summary.tsv"
	echo "runs: $t_runs s in all, about $per_run s a run (one VM boot, 2 points); nights share runs: less independent than real nights"
} | tee "$work/summary.txt"

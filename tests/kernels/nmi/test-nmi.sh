#!/usr/bin/env bash
# make test-nmi: boot one variant (default bpf-ma) through runners/vm-run and
# check that NMIs injected through QMP are observed as NMI by nmi_alloc:
#   1. event=nmi nmi_rate=50, pattern=same and burst: ok, exec_context "nmi",
#      every program run counted in NMI context (runs_nmi == program_runs >
#      0), the guest took NMIs and the injector reports its rate
#   2. event=cpu-clock in the same guest: exec_context "hardirq" (the
#      observation tells the two apart)
#   3. pressure=anon in the guest: it swaps to its disk (pswpout > 0)
#   4. the same event=nmi point with an injector that injects nothing
#      (QMP_NMI=true): the point fails, "no NMI reached nmi:nmi_handler"
#
#   tests/kernels/nmi/test-nmi.sh [VARIANT]
# Needs build/kernels/VARIANT/bzImage (make kernels VARIANTS=VARIANT; KERNEL=
# names another image);
# without it the test says so and exits 2. Scratch: build/tests/nmi/.
set -euo pipefail

BUILD=${BUILD:-build}
BIN=$BUILD/allocbench
v=${1:-bpf-ma}
kernel=${KERNEL:-$BUILD/kernels/$v/bzImage}
[ -x "$BIN" ] || { echo "test-nmi: $BIN is missing (run make)" >&2; exit 2; }
[ -x "$BUILD/qmp-nmi" ] || { echo "test-nmi: $BUILD/qmp-nmi is missing (run make)" >&2; exit 2; }
[ -s "$kernel" ] || { echo "test-nmi: SKIP: $kernel is missing (make kernels VARIANTS=$v)" >&2; exit 2; }

t0=$(date +%s)
pass=0
failed=0
ok() { echo "test-nmi: PASS $*"; pass=$((pass + 1)); }
bad() { echo "test-nmi: FAIL $*"; failed=$((failed + 1)); }

scratch=$BUILD/tests/nmi/$(date -u +%Y%m%d-%H%M%S)-$$
mkdir -p "$scratch"
common=(--workloads nmi_alloc --threads 1 --param map=noprealloc)
{
	"$BIN" plan "${common[@]}" --param event=nmi --param nmi_rate=50
	"$BIN" plan "${common[@]}" --param event=nmi --param nmi_rate=50 \
		--param pattern=burst --param burst=16
	"$BIN" plan "${common[@]}" --param event=cpu-clock --param freq=200
	"$BIN" plan "${common[@]}" --param event=nmi --param nmi_rate=50 \
		--param pattern=hold --param pressure=anon --param pressure_floor_mb=32
} > "$scratch/plan"
head -n 1 "$scratch/plan" > "$scratch/plan-none"

vmrun()
{
	local dir="$1" plan="$2"
	shift 2
	mkdir -p "$dir"
	env "$@" runners/vm-run --variant "$v" --kernel "$kernel" --run-dir "$dir" \
		--plan "$plan" --duration 3 --warmup 2 --smp 2 --mem 512 > "$dir/vm-run.log" 2>&1 || true
}

# record N FILTER: the Nth line of the plan's record, through jq FILTER
record()
{
	local id
	id=$(sed -n "${1}p" "$scratch/plan" | cut -f1)
	jq -r --arg id "$id" "select(.point == \$id) | $2" "$scratch/inject/results.jsonl"
}

vmrun "$scratch/inject" "$scratch/plan"
for n in 1 2; do
	got=$(record "$n" '[.status, .exec_context, .counters.program_runs, .counters.runs_nmi, .counters.attempts, .counters.nmis_taken, .counters.nmis_injected_per_s] | @tsv' || true)
	read -r st ctx runs nmi att taken inj <<<"${got:-none}" || true
	if [ "$st" = ok ] && [ "$ctx" = nmi ] && [ "${runs:-0}" -gt 0 ] &&
		[ "$runs" = "$nmi" ] && [ "${att:-0}" -gt 0 ] && [ "${taken:-0}" -gt 0 ] &&
		[ "${inj:-0}" -gt 0 ]; then
		ok "injected NMIs observed as NMI ($(sed -n "${n}p" "$scratch/plan" | cut -f2 | sed 's/.*--param event=//')): $runs runs in NMI, $att attempts, $taken NMIs taken, $inj/s injected"
	else
		bad "point $n: status/context/runs/runs_nmi/attempts/nmis_taken/injected/s = ${got:-no record} ($scratch/inject)"
	fi
done
got=$(record 3 '[.status, .exec_context, .counters.runs_nmi] | @tsv' || true)
read -r st ctx nmi <<<"${got:-none}" || true
if [ "$st" = ok ] && [ "$ctx" = hardirq ] && [ "${nmi:-1}" = 0 ]; then
	ok "cpu-clock samples in the same guest observed as hardirq"
else
	bad "cpu-clock point: status/context/runs_nmi = ${got:-no record}"
fi
got=$(record 4 '[.status, .exec_context, .pressure.vmstat.pswpout] | @tsv' || true)
read -r st ctx out <<<"${got:-none}" || true
if [ "$st" = ok ] && [ "$ctx" = nmi ] && [ "${out:-0}" -gt 0 ]; then
	ok "pressure=anon in the guest swaps: $out pages swapped out, NMIs still observed"
else
	bad "pressure=anon: status/context/pswpout = ${got:-no record} (no swap device? CONFIG_SWAP, CONFIG_VIRTIO_BLK)"
fi
if grep -q 'console line(s) of injected NMIs' "$scratch/inject/vm-run.log"; then
	ok "$(grep -o '[0-9]* console line(s) of injected NMIs' "$scratch/inject/vm-run.log") recognised"
else
	bad "vm-run did not count the injected NMIs' console lines"
fi

vmrun "$scratch/none" "$scratch/plan-none" QMP_NMI=true
got=$(jq -r '[.status, .reason] | @tsv' "$scratch/none/results.jsonl" 2>/dev/null || true)
if [[ "$got" == failed*"no NMI reached nmi:nmi_handler"* ]]; then
	ok "without injection the NMI point fails: ${got#failed	}"
else
	bad "without injection: ${got:-no record} ($scratch/none)"
fi

echo "test-nmi: $pass passed, $failed failed in $(( $(date +%s) - t0 )) s (scratch: $scratch)"
[ "$failed" -eq 0 ]

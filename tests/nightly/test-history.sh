#!/usr/bin/env bash
# make test-nightly: runners/nightly end to end on fixture runs, no VM:
# a stand-in for runners/matrix copies committed fixture runs into a
# scratch RESULTS_DIR. Checks the exit codes (2 without a baseline, 0 on
# the baseline's own figures, 1 on a 53 % slower bpf-ma naming each point
# with %change and p, 2 when a variant did not run, 2 on a declaration of
# one run a night), the baseline's who and why, the history database
# (nights, verdicts, the three queries of docs/nightly.md), its rebuild
# from the run directories, and the trend page.
#
#   tests/nightly/test-history.sh     (ABREPORT=build/abreport)
set -euo pipefail
cd "$(dirname "$0")/../.."

abreport=${ABREPORT:-build/abreport}
work=$(mktemp -d "${TMPDIR:-/tmp}/allocbench-nightly-test.XXXXXX")
trap '[[ -n "${KEEP:-}" ]] || rm -rf "$work"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
[[ -x "$abreport" ]] || { echo "test-nightly: $abreport is missing" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "test-nightly: sqlite3 (Debian sqlite3) is missing" >&2; exit 2; }

R=$work/results
mkdir -p "$R"
# the stand-in for runners/matrix: the next fixture of $work/queue
cat >"$work/matrix" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
q=$QUEUE
src=$(head -n 1 "$q"); sed -i 1d "$q"
n=$(ls "$RESULTS_DIR" | wc -l)
dst=$RESULTS_DIR/$(basename "$src")-$n
cp -r "$src" "$dst"
echo "$dst"
EOF
chmod +x "$work/matrix"
cat >"$work/night.conf" <<'EOF'
variants=bpf-ma kmalloc-rcu
workloads=htab_churn
threads=1,2,4
runs=3
duration=5
threshold=5
threshold.htab_churn=5
min_n=3
mem_threshold=20
EOF

# night CONF FIXTURE... : one night; its exit status in $rc, its dir in $night
night()
{
	local conf=$1
	shift
	printf '%s\n' "$@" >"$work/queue"
	rc=0
	QUEUE=$work/queue NIGHTLY_MATRIX=$work/matrix NIGHTLY_KERNELS=skip RESULTS_DIR=$R \
		ABREPORT=$abreport NIGHTLY_ID="night$((++nights))" \
		runners/nightly --conf "$conf" >"$work/out" 2>"$work/err" || rc=$?
	night=$R/nights/night$nights
}
nights=0
fx=tests/fixtures

expect()
{
	if [[ $rc -eq $1 ]]; then ok "$2: exit $rc"; else bad "$2: exit $rc, want $1"; sed 's/^/     /' "$work/err" | tail -5; fi
}

night "$work/night.conf" $fx/small-a1 $fx/small-a2 $fx/small-a3
expect 2 "no baseline"
jq -e '.status == "failed" and (.reason | test("no baseline"))' "$night/night.json" >/dev/null &&
	ok "no baseline: the reason in night.json" || bad "no baseline: night.json"

# the first night's runs, by its directory
RESULTS_DIR=$R ABREPORT=$abreport runners/nightly baseline --who tester --why "fixture runs" \
	"$night" >/dev/null
jq -e '.who == "tester" and .why == "fixture runs" and (.runs | length) == 3' "$R/baseline.json" >/dev/null &&
	ok "baseline: who, why, runs" || bad "baseline.json"
rc=0; RESULTS_DIR=$R ABREPORT=$abreport runners/nightly baseline "$night" 2>"$work/err" || rc=$?
expect 2 "baseline without WHY"

night "$work/night.conf" $fx/small-a3 $fx/small-a1 $fx/small-a2
expect 0 "the baseline's figures again"
night "$work/night.conf" $fx/small-b1 $fx/small-b2 $fx/small-b3
expect 1 "bpf-ma 53 % slower"
n=$(grep -Ec '^abreport: compare: regression: bpf-ma/htab_churn/case=[a-z_]+,map=noprealloc,.*: -[0-9.]+% \(p=[0-9.]+, n=3/3\)$' "$work/err" || true)
[[ $n -eq 6 ]] && ok "regression: each of the 6 points named with %change, p and n" || bad "regression: $n points named, want 6"
grep -q 'regression: .*map=prealloc' "$work/err" && bad "a prealloc point named" || ok "no prealloc point named"
jq -e '.status == "regression" and .exit == 1 and (.regressions | length) == 6' "$night/night.json" >/dev/null &&
	ok "regression: night.json" || bad "regression: night.json"
[[ -f "$night/report/index.html" && -f "$night/compare.txt" ]] && ok "the night's report and compare.txt" || bad "night report"

# a variant with no point that ran: the night could not run
mkdir -p "$work/dead"
cp $fx/small-b1/meta.json "$work/dead/"
jq -c 'if .variant == "kmalloc-rcu" then .status = "failed" | .reason = "no record: vm-run: boot timed out" | del(.samples) else . end' \
	$fx/small-b1/results.jsonl >"$work/dead/results.jsonl"
night "$work/night.conf" "$work/dead" $fx/small-a1 $fx/small-a2
expect 2 "a variant that did not boot"
grep -q 'kmalloc-rcu did not run .*boot timed out' "$work/err" && ok "did not boot: the reason on stderr" || bad "did not boot: reason"

sed 's/^runs=3/runs=1/' "$work/night.conf" >"$work/one.conf"
night "$work/one.conf" $fx/small-a1
expect 2 "one run a night is refused"

db=$R/history.sqlite
q() { sqlite3 -batch -noheader "$db" "$1"; }
[[ "$(q "SELECT group_concat(status || ':' || exit, ' ') FROM (SELECT * FROM nights ORDER BY night_id)")" == \
   "failed:2 ok:0 regression:1 failed:2" ]] && ok "history: four nights, status and exit" ||
	bad "history: nights: $(q "SELECT group_concat(night_id || '=' || status, ' ') FROM nights")"
[[ "$(q "SELECT count(*) FROM verdicts WHERE night_id = 'night3' AND verdict = 'regression'")" == 6 ]] &&
	ok "history: 6 regressions on night3" || bad "history: regressions"
[[ "$(q "SELECT count(*) FROM baselines WHERE who = 'tester'")" == 1 ]] && ok "history: the baseline's who" || bad "history: baselines"
# the queries docs/nightly.md gives
docq=$(awk '/^```sql$/ { f = 1; next } /^```$/ { f = 0 } f' docs/nightly.md)
nq=0
while IFS= read -r -d ';' stmt; do
	[[ -n "${stmt//[[:space:]]/}" ]] || continue
	nq=$((nq + 1))
	if out=$(sqlite3 -batch "$db" <<<"$stmt;" 2>&1) && [[ -n "$out" ]]; then ok "docs query $nq answers"; else bad "docs query $nq: ${out:-no rows}"; fi
done <<<"$docq"
[[ $nq -ge 3 ]] && ok "docs: $nq queries" || bad "docs: $nq queries, want 3"

before=$(q "SELECT count(*) FROM points")
rm -f "$db"
"$abreport" history rebuild --db "$db" "$R" >/dev/null
[[ "$(q "SELECT count(*) FROM points")" == "$before" && "$(q "SELECT count(*) FROM nights")" == 4 ]] &&
	ok "history rebuild: the same $before points, 4 nights" || bad "history rebuild: $(q "SELECT count(*) FROM points") points"

"$abreport" trend --db "$db" --out "$work/trend" >/dev/null
t=$work/trend/index.html
grep -q 'class=regressed' "$t" && grep -q 'class=reg>' "$t" && grep -q '<td>night3</td>' "$t" &&
	ok "trend: regressions marked, nights listed" || bad "trend page"
[[ $(grep -c '<svg' "$t") -ge 20 ]] && ok "trend: ops/s and memory plots" || bad "trend: plots"

if [[ $fails -gt 0 ]]; then echo "test-nightly: $fails failed"; exit 1; fi
echo "test-nightly: all passed"

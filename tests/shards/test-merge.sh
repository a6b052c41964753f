#!/usr/bin/env bash
# allocbench results merge (make merge) on fake run directories whose
# records are valid ones: a good merge (points, meta.json, report and
# compare read it), the last record of a point counts, and every refusal:
# exit 2, one line on stderr, OUT not made, nothing left behind, the runs
# unchanged; with --force (FORCE=1) the mix is merged and meta.json's
# "mixed" names it. A run with an invalid record line: exit 1, nothing made.
# shellcheck source=tests/shards/lib.sh
. "$(dirname "$0")/lib.sh"

# point ids as the plan makes them (null's parameters may change)
pt() { "$AB" plan --workloads null --threads "$1" 2>/dev/null | cut -f1; }
P1=$(pt 1)
# samples that make report and compare can judge
SAMPLES='.samples = [100, 101, 99, 100, 102, 101, 99, 100]
	| .ops_per_sec = {mean: 100.25, stddev: 1.04}'
R=$T/runs
O=$T/out
mkdir -p "$R" "$O"

# shard DIR I N [meta K=V ...] [-- allocbench fail options, e.g. --accel tcg]:
# a finished shard i/N of a host sweep of null at 1..N threads holding its
# point (t<i>), ok.
shard()
{
	local dir=$1 i=$2 n=$3 id
	local -a meta=() opts=()
	shift 3
	while [[ $# -gt 0 && "$1" != -- ]]; do
		meta+=("$1")
		shift
	done
	[[ $# -eq 0 ]] || { shift; opts=("$@"); }
	id=$(basename "$dir")
	fake_run "$dir" "shard:={\"index\": $i, \"count\": $n, \"plan_points\": $n, \"points\": 1}" \
		"settings:={\"target\":\"host\",\"duration\":1,\"warmup\":0,\"workloads\":\"null\",\"threads\":\"1-$n\",\"params\":\"\",\"variants\":\"\",\"plan_sha256\":\"00\",\"shard\":\"$i/$n\"}" \
		"${meta[@]}"
	record "$(pt "$i")" "$i" ok "$id" "${opts[@]}" | jq -c "$SAMPLES" |
		"$AB" results append "$dir"
}

# A record of the run at $1 changed by the jq filter $2.
edit_records()
{
	jq -c "$2" "$1/results.jsonl" >"$T/edit" && mv "$T/edit" "$1/results.jsonl"
}
edit_meta()
{
	jq "$2" "$1/meta.json" >"$T/edit" && mv "$T/edit" "$1/meta.json"
}

state() { find "$R" "$O" -printf '%P %s\n' | sort; find "$R" -type f -exec md5sum {} + | sort; }

# refuse WHAT OUT RUN...: merge refuses (exit 2, one line naming why).
refuse_merge()
{
	local what=$1 out=$2 before
	shift 2
	before=$(state)
	refused "$AB" results merge "$out" "$@"
	grep -q -- "$what" "$T/refused.err" || fail "refused, but not for '$what': $(cat "$T/refused.err")"
	[[ ! -e "$out" || -n "${KEEP_OUT:-}" ]] || fail "$what: $out was made"
	[[ -z "$(find "$(dirname "$out")" -maxdepth 1 -name '.*.merge.*' 2>/dev/null)" ]] ||
		fail "$what: a temporary directory was left"
	[[ "$(state)" == "$before" ]] || fail "$what: files changed"
	pass "refused: $what ($(cut -c1-110 "$T/refused.err")...)"
}

# forced OUT RUN...: merge --force; stdout is OUT.
forced()
{
	local out=$1
	shift
	"$AB" results merge --force "$out" "$@" >"$T/forced.out" 2>"$T/forced.err" ||
		fail "--force $*: exit $?: $(cat "$T/forced.err")"
	[[ "$(cat "$T/forced.out")" == "$out" && -f "$out/results.jsonl" ]] ||
		fail "--force: no run at $out"
}

mixed() { jq -c --arg k "$2" '.mixed[$k]' "$1/meta.json"; }

# --- a good merge ---------------------------------------------------------
shard "$R/s1" 1 2 started_at=2030-01-01T00:00:10Z finished_at=2030-01-01T00:02:00Z
shard "$R/s2" 2 2 started_at=2030-01-01T00:00:05Z finished_at=2030-01-01T00:01:00Z \
	'variant.bpf-ma:={"config_sha256": "c1", "bzimage_sha256": "b1", "built_at": "then"}'
edit_meta "$R/s1" '. + {"variant.bpf-ma": {"config_sha256": "c1", "bzimage_sha256": "b1", "built_at": "now"}}'
rc=0
"$AB" results merge "$O/good" "$R/s1" "$R/s2" >"$T/good.out" 2>"$T/good.err" || rc=$?
[[ $rc -eq 0 && "$(tail -n 1 "$T/good.out")" == "$O/good" ]] ||
	fail "merging two shards: exit $rc: $(cat "$T/good.err")"
[[ "$(rundir_ids "$O/good")" == "$(plan_ids null 1,2 host)" ]] ||
	fail "the merged points are not the plan's: $(rundir_ids "$O/good")"
jq -e '.run_id == "good" and .schema == 1 and .settings.shard == null
	and .settings.threads == "1-2" and .accel == "none"
	and .started_at == "2030-01-01T00:00:05Z" and .finished_at == "2030-01-01T00:02:00Z"
	and .summary == {"points": 2, "failed": 0, "without_record": 0}
	and ([.shards[].run_id] == ["s1", "s2"]) and ([.shards[].shard.index] == [1, 2])
	and .suite_sha == "1111111111111111111111111111111111111111"
	and .host_cpu == "Test CPU 9000" and .["variant.bpf-ma"].built_at == "now"
	and (has("mixed") | not) and (has("shard") | not)' "$O/good/meta.json" >/dev/null ||
	fail "merged meta.json: $(jq -c 'del(.shards)' "$O/good/meta.json")"
[[ -z "$(find "$O" -maxdepth 1 -name '.*.merge.*')" ]] || fail "a temporary directory was left"
"$ABREPORT" report "$O/good" >/dev/null 2>"$T/report.err" || fail "abreport report: $(cat "$T/report.err")"
grep -q "points | 2 (ok 2" "$O/good/report/report.md" || fail "the report does not count 2 ok points"
"$ABREPORT" compare --base "$O/good" --new "$O/good" >"$T/cmp.out" 2>&1 ||
	fail "abreport compare of the merged run: exit $?: $(tail -n 2 "$T/cmp.out")"
grep -q "verdict: no regression: 2 matched points" "$T/cmp.out" || fail "compare: $(tail -n 1 "$T/cmp.out")"
pass "two shards merged: the plan's points, meta.json merged (shards, earliest start, latest end), report and compare read it"

make -s --no-print-directory -o "$BUILD/allocbench" BUILD="$BUILD" merge \
	OUT="$O/by-make" RUNS="$R/s1 $R/s2" >"$T/make.out" 2>&1 || fail "make merge: $(cat "$T/make.out")"
[[ "$(rundir_ids "$O/by-make")" == "$(rundir_ids "$O/good")" ]] || fail "make merge merged other points"
rc=0
make -s --no-print-directory -o "$BUILD/allocbench" BUILD="$BUILD" merge RUNS="$R/s1" >"$T/make.out" 2>&1 || rc=$?
if [[ $rc -ne 2 ]] || ! grep -q "give OUT=" "$T/make.out"; then
	fail "make merge without OUT: exit $rc"
fi
pass "make merge OUT=... RUNS=\"...\"; without OUT: exit 2"

# --- the last record of a point counts --------------------------------------
fake_run "$R/a"
record "$P1" 1 failed a | "$AB" results append "$R/a"
fake_run "$R/b"
record "$P1" 1 ok b | "$AB" results append "$R/b"
"$AB" results merge "$O/ab" "$R/a" "$R/b" >/dev/null 2>&1 || fail "merging a b"
"$AB" results merge "$O/ba" "$R/b" "$R/a" >/dev/null 2>&1 || fail "merging b a"
[[ $(wc -l <"$O/ab/results.jsonl") -eq 2 ]] || fail "a point's earlier record was dropped"
"$AB" results has "$O/ab" "$P1" host || fail "a then b: the point is not ok (b's record is last)"
! "$AB" results has "$O/ba" "$P1" host || fail "b then a: the point is ok (a's failed record is last)"
[[ "$(jq -c .summary "$O/ba/meta.json")" == '{"points":1,"failed":1,"without_record":0}' ]] ||
	fail "b then a: summary $(jq -c .summary "$O/ba/meta.json")"
pass "a point in two runs: both records kept, the last run's counts"

# --- refusals ---------------------------------------------------------------
mkdir -p "$O/exists" "$O/exists-full"
touch "$O/exists-full/results.jsonl" "$O/a-file"
KEEP_OUT=1 refuse_merge "exists" "$O/exists" "$R/s1" "$R/s2"
[[ -z "$(ls -A "$O/exists")" ]] || fail "an existing empty OUT was filled"
KEEP_OUT=1 refuse_merge "exists" "$O/exists-full" "$R/s1" "$R/s2"
KEEP_OUT=1 refuse_merge "exists" "$O/a-file" "$R/s1" "$R/s2"
KEEP_OUT=1 refuse_merge "exists" "$O/good" "$R/s1" "$R/s2"
refuse_merge "its name is the run id" "$O/bad name" "$R/s1" "$R/s2"
refuse_merge "no such directory" "$O/no/such/parent" "$R/s1" "$R/s2"
refuse_merge "no such run directory" "$O/x" "$R/s1" "$T/nothing"
mkdir -p "$R/not-a-run"
refuse_merge "not a run directory" "$O/x" "$R/s1" "$R/not-a-run"
refuse_merge "given twice" "$O/x" "$R/s1" "$R/s2" "$R/../runs/s1"
refused "$AB" results merge "$O/x"
refused "$AB" results merge --frobnicate "$O/x" "$R/s1"
pass "usage: no run, an unknown option"

shard "$R/m-suite" 2 2 suite_sha=2222222222222222222222222222222222222222
refuse_merge "suite_sha differs" "$O/x" "$R/s1" "$R/m-suite"

shard "$R/m-recsuite" 2 2
edit_records "$R/m-recsuite" '.suite_sha = "0123456789ab"'
refuse_merge "record suite_sha differs" "$O/x" "$R/s1" "$R/m-recsuite"

shard "$R/m-bz" 2 2 'variant.bpf-ma:={"config_sha256": "c1", "bzimage_sha256": "b2"}'
refuse_merge "variant.bpf-ma bzimage_sha256 differs" "$O/x" "$R/s1" "$R/m-bz"
shard "$R/m-cfg" 2 2 'variant.bpf-ma:={"config_sha256": "c2", "bzimage_sha256": "b1"}'
refuse_merge "variant.bpf-ma config_sha256 differs" "$O/x" "$R/s1" "$R/m-cfg"

shard "$R/m-rel" 2 2
edit_records "$R/m-rel" '.kernel_release = "6.1.0-other"'
refuse_merge "variant host kernel_release differs" "$O/x" "$R/s1" "$R/m-rel"

shard "$R/v1" 1 2 -- --target vm --variant bpf-ma --accel tcg --ctx kernel_sha256=k1 --ctx host_cpu=Test
shard "$R/v2-kvm" 2 2 -- --target vm --variant bpf-ma --accel kvm --ctx kernel_sha256=k1 --ctx host_cpu=Test
refuse_merge "accel differs" "$O/x" "$R/v1" "$R/v2-kvm"
shard "$R/v2-kernel" 2 2 -- --target vm --variant bpf-ma --accel tcg --ctx kernel_sha256=k2 --ctx host_cpu=Test
refuse_merge "variant bpf-ma kernel_sha256 differs" "$O/x" "$R/v1" "$R/v2-kernel"
shard "$R/v2-cpu" 2 2 -- --target vm --variant bpf-ma --accel tcg --ctx kernel_sha256=k1 --ctx host_cpu=Other
refuse_merge "record host CPU differs" "$O/x" "$R/v1" "$R/v2-cpu"

shard "$R/m-cpu" 2 2 host_cpu="Other CPU 1"
refuse_merge "host_cpu differs" "$O/x" "$R/s1" "$R/m-cpu"

shard "$R/t1" 1 3
shard "$R/t2" 2 3
refuse_merge "shard 3/3 of the sweep is missing" "$O/x" "$R/t1" "$R/t2"
shard "$R/m-plan" 2 2
edit_meta "$R/m-plan" '.settings.plan_sha256 = "11"'
refuse_merge "not shards of one sweep" "$O/x" "$R/s1" "$R/m-plan"
refuse_merge "not shards of one sweep" "$O/x" "$R/s1" "$R/t2"

shard "$R/m-running" 2 2
edit_meta "$R/m-running" 'del(.finished_at)'
refuse_merge "did not finish" "$O/x" "$R/s1" "$R/m-running"
shard "$R/m-stopped" 2 2 'stopped:={"signal": "TERM", "at": "2030-01-01T00:00:30Z"}'
refuse_merge "did not finish" "$O/x" "$R/s1" "$R/m-stopped"

# an invalid record line: exit 1, nothing made
shard "$R/m-bad" 2 2
echo "{\"schema\": 1, \"point\": \"$(pt 2)\"}" >>"$R/m-bad/results.jsonl"
rc=0
"$AB" results merge "$O/x" "$R/s1" "$R/m-bad" >/dev/null 2>"$T/bad.err" || rc=$?
[[ $rc -eq 1 && ! -e "$O/x" ]] || fail "an invalid record: exit $rc, want 1 and no OUT"
grep -q "m-bad/results.jsonl: line 2 is not a valid record" "$T/bad.err" ||
	fail "an invalid record: $(cat "$T/bad.err")"
[[ -z "$(find "$O" -maxdepth 1 -name '.*.merge.*')" ]] || fail "a temporary directory was left"
pass "a run with an invalid record line: exit 1, nothing made"

# --- FORCE=1: merged, and meta.json says what was mixed -----------------------
forced "$O/f-suite" "$R/s1" "$R/m-suite"
[[ "$(mixed "$O/f-suite" suite_sha)" == '["1111111111111111111111111111111111111111","2222222222222222222222222222222222222222"]' &&
	"$(jq -c 'has("suite_sha")' "$O/f-suite/meta.json")" == false ]] ||
	fail "forced suite_sha: mixed $(mixed "$O/f-suite" suite_sha)"
grep -q 'see "mixed"' "$T/forced.err" || fail "forced: stderr does not say what was mixed"
forced "$O/f-bz" "$R/s1" "$R/m-bz"
[[ "$(mixed "$O/f-bz" "variant.bpf-ma bzimage_sha256")" == '["b1","b2"]' &&
	"$(jq -c 'has("variant.bpf-ma")' "$O/f-bz/meta.json")" == false ]] || fail "forced build hash"
forced "$O/f-accel" "$R/v1" "$R/v2-kvm"
[[ "$(mixed "$O/f-accel" accel)" == '["tcg","kvm"]' &&
	"$(jq -r .accel "$O/f-accel/meta.json")" == mixed ]] || fail "forced accel: $(mixed "$O/f-accel" accel)"
rc=0
"$ABREPORT" compare --base "$O/f-accel" --new "$R/v1" >"$T/cmp.out" 2>&1 || rc=$?
if [[ $rc -ne 2 ]] || ! grep -q "accel mixed vs tcg" "$T/cmp.out"; then
	fail "compare of a mixed-accel merge with a tcg run: exit $rc: $(tail -n 1 "$T/cmp.out")"
fi
forced "$O/f-cpu" "$R/s1" "$R/m-cpu"
[[ "$(mixed "$O/f-cpu" host_cpu)" == '["Test CPU 9000","Other CPU 1"]' ]] || fail "forced host CPU"
forced "$O/f-missing" "$R/t1" "$R/t2"
[[ "$(mixed "$O/f-missing" shards_missing)" == '["3/3"]' ]] || fail "forced missing shard"
forced "$O/f-running" "$R/s1" "$R/m-running"
[[ "$(mixed "$O/f-running" unfinished)" == '["m-running"]' ]] || fail "forced unfinished run"
make -s --no-print-directory -o "$BUILD/allocbench" BUILD="$BUILD" merge FORCE=1 \
	OUT="$O/f-make" RUNS="$R/s1 $R/m-suite" >"$T/make.out" 2>&1 || fail "make merge FORCE=1: $(cat "$T/make.out")"
[[ "$(mixed "$O/f-make" suite_sha)" != null ]] || fail "make merge FORCE=1 did not record the mix"
"$ABREPORT" report "$O/f-accel" >/dev/null 2>&1 || fail "abreport report of a forced merge"
pass "--force (FORCE=1): merged, meta.json \"mixed\" names suite_sha, build hash, accel (compare refuses it), host CPU, a missing shard, an unfinished run"

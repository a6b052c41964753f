#!/usr/bin/env bash
# contrib/parallel-shards with GNU parallel: two shards at once on this
# machine (an sshloginfile of ":", -j 2), then two machines, this one and
# "another" (a copy of the checkout in another home directory reached
# through tests/shards/fake-ssh as PARALLEL_SSH, whose run directory comes
# back with rsync). Each time the merged run's points are the plan's and
# make report reads it; a machine at another commit is refused.
# shellcheck source=tests/shards/lib.sh
. "$(dirname "$0")/lib.sh"
[[ $(id -u) -eq 0 ]] || skip "host runs need root (BPF, cgroups)"
command -v parallel >/dev/null || skip "GNU parallel is missing (apt-get install parallel)"
export BUILD
SWEEP=(TARGET=host WORKLOADS=null DURATION=1 WARMUP=0 "THREADS=1,2")
plan=$(plan_ids null 1,2 host)
# Results go to the checkout (the same relative path on every machine):
# a hidden directory of results/, which make report does not take for a run.
mkdir -p results
RES=$(mktemp -d results/.test-shards.XXXXXX)
remove_res() { rm -rf "${ROOT:?}/$RES"; }
cleanup_hooks+=(remove_res)

# check_merged OUT WHAT: the plan's points, two shards, a report.
check_merged()
{
	[[ -d "$1" ]] || fail "$2: no merged run at $1"
	[[ "$(rundir_ids "$1")" == "$plan" ]] || fail "$2: merged points are not the plan's: $(rundir_ids "$1" | tr '\n' ' ')"
	jq -e '[.shards[].shard.index] == [1, 2] and .summary.points == 2' "$1/meta.json" >/dev/null ||
		fail "$2: meta.json: $(jq -c '.summary, [.shards[].shard]' "$1/meta.json")"
	"$ABREPORT" report "$1" >/dev/null 2>"$T/report.err" || fail "$2: abreport report: $(cat "$T/report.err")"
}

# --- two shards at once on this machine ---------------------------------
echo : >"$T/local.slf"
start=$EPOCHREALTIME
contrib/parallel-shards --sshloginfile "$T/local.slf" -j 2 -r "$RES" "${SWEEP[@]}" \
	>"$T/local.out" 2>"$T/local.err" ||
	fail "two local shards: exit $?: $(tail -n 40 "$T/local.err"; cat "$RES"/*.shards/joblog 2>/dev/null)"
secs=$(echo "$EPOCHREALTIME - $start" | bc)
out=$(tail -n 1 "$T/local.out")
check_merged "$out" "two local shards"
# both jobs ran at once: each started before the other ended
awk -F'\t' 'NR > 1 { s[NR] = $3; e[NR] = $3 + $4 } END { exit !(s[2] < e[3] && s[3] < e[2]) }' \
	"$out.shards/joblog" || fail "the two shards did not run at once: $(cat "$out.shards/joblog")"
printf '%.1f\n' "$secs" >"$T/local-seconds"
pass "two local shards at once (-j 2): merged = plan, report made, $(cat "$T/local-seconds") s"

# --- this machine and another one (fake-ssh) ---------------------------------
far=$T/far/home
mkdir -p "$far/allocbench"
git ls-files -co --exclude-standard -z | tar -c --null -T - | tar -x -C "$far/allocbench"
mkdir -p "$far/allocbench/$BUILD"
for f in allocbench abreport obj skel; do
	[[ ! -e "$BUILD/$f" ]] || cp -a "$BUILD/$f" "$far/allocbench/$BUILD/"
done
echo "gitdir: $(git rev-parse --absolute-git-dir)" >"$far/allocbench/.git"
printf 'other\n:\n' >"$T/two.slf"
# Without SHELL (as under cron, systemd or CI), where GNU parallel's remote
# jobs run nothing unless parallel-shards names the shell.
unset SHELL
export PARALLEL_SSH=$ROOT/tests/shards/fake-ssh FAKE_SSH_HOME=$far FAKE_SSH_LOG=$T/ssh.log
contrib/parallel-shards --sshloginfile "$T/two.slf" -d allocbench -o "$RES/two" \
	"${SWEEP[@]}" >"$T/two.out" 2>"$T/two.err" ||
	fail "two machines: exit $?: $(tail -n 40 "$T/two.err"; cat "$RES/two.shards/joblog" "$T/ssh.log" 2>/dev/null)"
check_merged "$RES/two" "two machines"
[[ "$(cut -f2 "$RES/two.shards/joblog" | tail -n +2 | sort | tr '\n' ' ')" == ": other " ]] ||
	fail "the shards did not run one on each machine: $(cat "$RES/two.shards/joblog")"
i=$(awk -F'\t' '$2 == "other" { print $1 }' "$RES/two.shards/joblog")
there=$(find "$far/allocbench/$RES/two.shards/$i" -name meta.json)
[[ -n "$there" && -f "$RES/two.shards/$i/$(basename "$(dirname "$there")")/meta.json" ]] ||
	fail "shard $i did not run on the other machine, or did not come back"
grep -q '^other: rsync --server --sender' "$T/ssh.log" || fail "nothing came back with rsync"
pass "this machine and another (fake-ssh): shard $i ran there and came back (rsync), merged = plan"

# another commit on the other machine: refused before anything runs
echo "gitdir: $T/other-git" >"$far/allocbench/.git"
git init -q "$T/other-repo"
git -C "$T/other-repo" -c user.name=t -c user.email=t@t commit -q --allow-empty -m other
mv "$T/other-repo/.git" "$T/other-git"
rc=0
contrib/parallel-shards --sshloginfile "$T/two.slf" -d allocbench -o "$RES/three" \
	"${SWEEP[@]}" >"$T/three.out" 2>"$T/three.err" || rc=$?
if [[ $rc -ne 2 ]] || ! grep -q "other is at" "$T/three.err"; then
	fail "a machine at another commit: exit $rc: $(tail -n 2 "$T/three.err")"
fi
[[ ! -e "$RES/three" && -z "$(ls "$RES/three.shards"/[0-9]* 2>/dev/null)" ]] ||
	fail "a machine at another commit: a shard ran"
pass "a machine at another commit: refused before any shard ran"
if [[ -n "${SHARDS_TIMES:-}" ]]; then
	echo "parallel $(cat "$T/local-seconds")" >>"$SHARDS_TIMES"
fi

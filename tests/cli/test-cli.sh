#!/usr/bin/env bash
# make test-cli: every command of the suite keeps the command-line
# conventions (README.md, "Tests"):
#   - COMMAND --help and -h: exit 0, usage on stdout, nothing on stderr:
#     build/allocbench and each command, build/abreport and each command,
#     every executable script under runners/, contrib/ and bench/;
#   - allocbench --version, abreport --version: "NAME SHA[-dirty]", SHA
#     the checkout's HEAD (git rev-parse --short=12), -dirty exactly when
#     git status --porcelain is not empty; records carry the bare SHA;
#   - an unknown option: exit 2, nothing on stdout, one line on stderr;
#   - a bad enum parameter value: that line names every allowed value;
#   - results append to a run directory that does not exist: exit 2, one
#     line, nothing created;
#   - allocbench run null (root): exactly one summary line on stderr that
#     agrees with the record on stdout.
# Every command runs under `timeout 10`: one that hangs fails, by name.
# Exit 0 when every check held, 1 when one failed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
AB=$BUILD/allocbench
ABR=$BUILD/abreport
LIMIT=10
bad=--no-such-option
T=$(mktemp -d "${TMPDIR:-/tmp}/allocbench-cli.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
checks=0 failed=0 skipped=0
t0=$EPOCHREALTIME

ok() { checks=$((checks + 1)); [[ -z "${VERBOSE:-}" ]] || echo "  ok: $*"; }
fail() { checks=$((checks + 1)); failed=$((failed + 1)); echo "  FAIL: $*"; }
skip() { skipped=$((skipped + 1)); echo "  SKIP: $*"; }

for b in "$AB" "$ABR"; do
	[[ -x "$b" ]] || { echo "test-cli: $b is missing (make all $ABR)" >&2; exit 2; }
done

# call CMD...: runs it under the timeout, stdin empty; its stdout in
# $T/out, stderr in $T/err, exit status in $rc. A timeout fails the check
# (returns 1) naming the command.
rc=0
call()
{
	rc=0
	timeout -k 2 "$LIMIT" "$@" </dev/null >"$T/out" 2>"$T/err" || rc=$?
	if [[ $rc -eq 124 || $rc -eq 137 ]]; then
		fail "'$*' did not end within $LIMIT s (killed)"
		return 1
	fi
	return 0
}

# lines FILE: its number of lines (a last line without a newline counts)
lines() { awk 'END { print NR }' "$1"; }

# --- --help and -h ------------------------------------------------------------
# usage_ok WHAT: exit 0, "usage" on stdout, stderr empty
usage_ok()
{
	local what=$1
	if [[ $rc -ne 0 ]]; then
		fail "'$what': exit $rc, want 0 ($(head -n 1 "$T/err"))"
	elif ! grep -qi usage "$T/out"; then
		fail "'$what': no usage on stdout"
	elif [[ -s "$T/err" ]]; then
		fail "'$what': wrote to stderr: $(head -n 1 "$T/err")"
	else
		ok "$what"
	fi
}

binary_commands=(
	"$AB" "$AB list" "$AB plan" "$AB run" "$AB run htab_churn" "$AB run nosuch"
	"$AB fail" "$AB fail null" "$AB results" "$AB results append"
	"$AB results has" "$AB results meta" "$AB results merge"
	"$ABR" "$ABR report" "$ABR compare" "$ABR reproduce"
)
for cmd in "${binary_commands[@]}"; do
	read -ra argv <<<"$cmd"
	for h in --help -h; do
		call "${argv[@]}" "$h" && usage_ok "$cmd $h"
	done
done
# help after other options, and no run or record with it
call "$AB" run null --threads 1 --param loops=64 --help && usage_ok "$AB run null ... --help"
call "$ABR" compare --threshold 5 --help && usage_ok "$ABR compare --threshold 5 --help"
# the value of an option is not an option: fail records the reason "--help"
if call "$AB" fail null --reason --help; then
	if [[ $rc -eq 1 ]] && jq -e '.status == "failed" and .reason == "--help"' "$T/out" >/dev/null 2>&1; then
		ok "fail --reason --help records the reason"
	else
		fail "'$AB fail null --reason --help': exit $rc, $(head -c 200 "$T/out")"
	fi
fi

# The scripts, found by their execute bit. One that does not mention
# --help is not run with it (it could start working): it fails unrun.
mapfile -t scripts < <(find runners contrib bench -maxdepth 1 -type f -perm -u+x | sort)
[[ ${#scripts[@]} -gt 0 ]] || fail "no executable script under runners/, contrib/, bench/"
for s in "${scripts[@]}"; do
	if ! grep -q -- '--help' "$s"; then
		fail "$s does not handle --help (not run)"
		continue
	fi
	if [[ "$(head -n 1 "$s")" == '#!/bin/busybox sh' && ! -x /bin/busybox ]]; then
		skip "$s: no /bin/busybox to run it with"
		continue
	fi
	for h in --help -h; do
		call "$s" "$h" || continue
		# bench/htab-mem-upstream prints its synopsis without the word
		if [[ "$s" == bench/htab-mem-upstream && $rc -eq 0 ]] &&
			grep -q "^ *$s " "$T/out"; then
			ok "$s $h"
			continue
		fi
		usage_ok "$s $h"
	done
done

# abreport's commands print their own one-line usage on a usage error;
# every option it names must be in the command's --help (report/main.c)
for cmd in "report $bad" "compare $bad" "reproduce"; do
	read -ra argv <<<"$cmd"
	call "$ABR" "${argv[@]}" || continue
	mapfile -t opts < <(grep -o -- '--[a-z][a-z-]*' "$T/err" | sort -u)
	call "$ABR" "${argv[0]}" --help || continue
	missing=()
	for o in "${opts[@]}"; do
		grep -Eq -- "(^|[^a-z-])$o([^a-z-]|\$)" "$T/out" || missing+=("$o")
	done
	if [[ ${#opts[@]} -eq 0 ]]; then
		fail "'$ABR $cmd' named no option in its usage error"
	elif [[ ${#missing[@]} -gt 0 ]]; then
		fail "'$ABR ${argv[0]} --help' lacks ${missing[*]} (its usage error has them)"
	else
		ok "$ABR ${argv[0]} --help names ${opts[*]}"
	fi
done

# --- --version ----------------------------------------------------------------
if head=$(git rev-parse --short=12 HEAD 2>/dev/null); then
	dirty=""
	[[ -z "$(git status --porcelain 2>/dev/null)" ]] || dirty=-dirty
	for b in "$AB" "$ABR"; do
		call "$b" --version || continue
		want="$(basename "$b") $head$dirty"
		if [[ $rc -eq 0 && "$(cat "$T/out")" == "$want" && ! -s "$T/err" ]]; then
			ok "$b --version: $want"
		else
			fail "'$b --version': exit $rc, '$(head -n 1 "$T/out")', want '$want' (rebuild?)"
		fi
	done
	# records keep the bare sha
	if call "$AB" fail null --reason x; then
		got=$(jq -r .suite_sha "$T/out" 2>/dev/null)
		if [[ "$got" == "$head" ]]; then
			ok "a record's suite_sha is $head, without -dirty"
		else
			fail "a record's suite_sha is '$got', want '$head'"
		fi
	fi
else
	skip "--version: not a git checkout, no sha to compare"
fi

# --- unknown options ----------------------------------------------------------
# one_line_error WHAT: exit 2, stdout empty, exactly one line on stderr
one_line_error()
{
	if [[ $rc -eq 2 && ! -s "$T/out" && "$(lines "$T/err")" -eq 1 ]]; then
		ok "$1: $(cat "$T/err")"
	else
		fail "'$1': exit $rc, $(lines "$T/out") line(s) on stdout, $(lines "$T/err") on stderr, want 2, 0, 1: $(head -n 2 "$T/err" | tr '\n' '|')"
	fi
}

unknown_commands=(
	"$AB" "$AB list" "$AB plan" "$AB run null" "$AB fail null --reason x"
	"$AB results" "$AB results append $T" "$AB results has $T p" "$AB results meta $T"
	"$AB results merge"
	"$ABR" "$ABR report" "$ABR compare" "$ABR reproduce"
	runners/build-kernel runners/fetch-distro-kernel runners/fetch-source
	runners/install-deps runners/kvm-probe runners/matrix runners/mkinitramfs
	runners/vm-run bench/htab-mem-upstream
)
for cmd in "${unknown_commands[@]}"; do
	read -ra argv <<<"$cmd"
	call "${argv[@]}" "$bad" && one_line_error "$cmd $bad"
done
# contrib/ print their whole usage for it: exit 2 is what is kept there
for s in contrib/parallel-shards contrib/slurm-shards; do
	call "$s" "$bad" || continue
	if [[ $rc -eq 2 && ! -s "$T/out" ]]; then
		ok "$s $bad: exit 2"
	else
		fail "'$s $bad': exit $rc, want 2 and nothing on stdout"
	fi
done

# --- an enum parameter's bad value ---------------------------------------------
values=$(timeout "$LIMIT" "$AB" list --json |
	jq -r '.[] | select(.name == "htab_churn") | .params[] | select(.name == "case") | .values[]')
if [[ -z "$values" ]]; then
	fail "allocbench list --json gives no values of htab_churn's case"
else
	for cmd in "$AB run htab_churn --param case=nope" "$AB plan --workloads htab_churn --param case=nope" \
		"$AB fail htab_churn --reason x --param case=nope"; do
		read -ra argv <<<"$cmd"
		call "${argv[@]}" || continue
		one_line_error "$cmd"
		while read -r v; do
			grep -qw -- "$v" "$T/err" || fail "'$cmd' does not name the allowed value $v: $(cat "$T/err")"
		done <<<"$values"
	done
fi

# --- results append to a run directory that does not exist ------------------------
rec=$("$AB" fail null --reason x 2>/dev/null)
for dir in "$T/missing" "$T/missing-parent/run"; do
	rc=0
	timeout "$LIMIT" "$AB" results append "$dir" <<<"$rec" >"$T/out" 2>"$T/err" || rc=$?
	one_line_error "results append $dir (missing)"
	[[ ! -e "$dir" && ! -e "$T/missing-parent" ]] || fail "results append $dir made it"
done
: >"$T/file"
rc=0
timeout "$LIMIT" "$AB" results append "$T/file" <<<"$rec" >"$T/out" 2>"$T/err" || rc=$?
one_line_error "results append FILE (not a directory)"
mkdir "$T/run"
rc=0
timeout "$LIMIT" "$AB" results append "$T/run" <<<"$rec" >"$T/out" 2>"$T/err" || rc=$?
if [[ $rc -eq 0 && "$(lines "$T/run/results.jsonl")" -eq 1 ]]; then
	ok "results append to an existing run directory"
else
	fail "results append to an existing run directory: exit $rc: $(head -n 1 "$T/err")"
fi

# --- the summary line of allocbench run -------------------------------------------
# summary_ok WHAT STATUS: one summary line on stderr, of null at 1 thread,
# with STATUS (the record's), ops/s and failures
summary_ok()
{
	local n line re
	re="^allocbench: summary: null, 1 thread, $2: [0-9.]+ ± [0-9.]+ [kMG]? ?ops/s, "
	re+="(memory (mean [0-9.]+ MiB, )?peak -?[0-9.]+ MiB|memory not measured), failures [0-9]+"
	n=$(grep -c '^allocbench: summary: ' "$T/err")
	line=$(grep '^allocbench: summary: ' "$T/err")
	if [[ $n -ne 1 ]]; then
		fail "$1: $n summary lines on stderr, want 1: $(tr '\n' '|' <"$T/err")"
	elif ! [[ "$line" =~ $re ]]; then
		fail "$1: the summary line does not say null, 1 thread, $2, ops/s, memory, failures: $line"
	else
		ok "$1: $line"
	fi
}
if [[ $(id -u) -ne 0 ]]; then
	skip "allocbench run's summary: not root (the workloads load BPF programs)"
else
	call "$AB" run null --threads 1 --duration 1 --warmup 0
	status=$(jq -r .status "$T/out" 2>/dev/null)
	if [[ "$(lines "$T/out")" -ne 1 || -z "$status" ]]; then
		fail "allocbench run null: not one record on stdout (exit $rc): $(head -c 200 "$T/out")"
	else
		summary_ok "allocbench run null" "$status"
		[[ "$status" == ok ]] || echo "  note: run null was $status: $(jq -r .reason "$T/out")"
	fi
	# not root: a failed record, and its summary with the reason
	nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	if ! command -v setpriv >/dev/null; then
		skip "the summary of a failed point: no setpriv to run as nobody"
	elif ! "${nobody[@]}" test -x "$AB"; then
		skip "the summary of a failed point: nobody cannot run $AB (a private directory)"
	else
		call setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$AB" run null --threads 1 --duration 1 --warmup 0
		summary_ok "allocbench run null as nobody" failed
		grep -q '(not root' "$T/err" || fail "the summary of a failed point does not give the reason"
	fi
fi

printf 'test-cli: %d checks, %d failed, %d skipped, %.1f s\n' "$checks" "$failed" "$skipped" \
	"$(echo "$EPOCHREALTIME - $t0" | bc)"
[[ $failed -eq 0 ]]

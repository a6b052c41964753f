#!/usr/bin/env bash
# make reproduce takes its sweep from a data file (reproduce/<case>.json)
# through `abreport reproduce --matrix`: KEY=VALUE lines whose values
# abreport checks against strict patterns and the recipe reads into named
# variables, never evaluates. A hostile data file makes abreport exit 2
# with one line on stderr and nothing on stdout, and the recipe run nothing;
# a recipe fed unknown keys or bad values by a broken abreport stops too.
# shellcheck disable=SC2016 # jq filters: $m is jq's, not the shell's
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.." || exit 1

REPORT=$BUILD/abreport
[[ -x $REPORT ]] || skip "$REPORT is missing (make $REPORT)"
mark=$T/HACKED
real=reproduce/htab-mem-2023.json

# evil NAME FILTER: the real data file through a jq filter, into $T/NAME.json.
evil()
{
	jq --arg m "$mark" "$2" "$real" >"$T/$1.json"
}

# refused NAME: abreport --matrix exits 2, one line on stderr, no stdout.
refused()
{
	local rc=0 lines
	fault "matrix $1"
	"$REPORT" reproduce --published "$T/$1.json" --matrix --cpus 2 \
		>"$T/$1.out" 2>"$T/$1.err" || rc=$?
	lines=$(wc -l <"$T/$1.err")
	[[ $rc -eq 2 && $lines -eq 1 && ! -s $T/$1.out ]] ||
		fail "matrix $1: exit $rc, $lines lines on stderr, stdout: $(head -c 200 "$T/$1.out")"
	survived "matrix $1 refused"
}

evil target-quote '.matrix.target = "vm'"'"'; touch \($m).target; exit 3; '"'"'"'
evil target-dquote '.matrix.target = "vm\"; touch \($m).dquote; exit 3; \""'
evil target-newline '.matrix.target = "vm\nVARIANTS=x"'
evil target-other '.matrix.target = "qemu"'
evil target-number '.matrix.target = 1'
evil variant-dollar '.matrix.variants = ["$(touch \($m).variant)"]'
evil variant-space '.matrix.variants = ["bpf-ma kmalloc-rcu"]'
evil variants-empty '.matrix.variants = []'
evil variants-string '.matrix.variants = "bpf-ma"'
evil workload-semicolon '.matrix.workloads = ["htab_churn;touch \($m).workload"]'
evil workload-backtick '.matrix.workloads = ["`touch \($m).backtick`"]'
evil threads-string '.matrix.threads = ["8;touch \($m).threads"]'
evil threads-real '.matrix.threads = [1.5]'
evil threads-zero '.matrix.threads = [0]'
evil threads-negative '.matrix.threads = [-4]'
evil param-key '.matrix.params["k;touch \($m).key"] = 1'
evil param-space '.matrix.params.value_size = "8 TARGET=host"'
evil param-quote '.matrix.params.value_size = "8'"'"'"'
evil param-newline '.matrix.params.value_size = "8\nTARGET=host"'
evil param-per-cpu '.matrix.params.max_entries = {"per_cpu": "x", "min": 1}'
evil param-array '.matrix.params.value_size = [1]'
evil no-matrix 'del(.matrix)'
for f in "$T"/*.json; do
	name=${f##*/}
	refused "${name%.json}"
done
[[ -z $(find "$T" -name 'HACKED*') ]] || fail "abreport --matrix ran a command"
survived "abreport --matrix ran nothing"

# make reproduce on a hostile data file: exit 2, no sweep, nothing run.
rel=$(realpath --relative-to=reproduce "$T/target-quote.json")
fault "make reproduce with a quote in the target"
rc=0
make -s reproduce CASE="${rel%.json}" CPUS=2 >"$T/make.out" 2>"$T/make.err" || rc=$?
[[ -z $(find "$T" -name 'HACKED*') ]] || fail "make reproduce ran a command from the data file"
[[ $rc -eq 2 ]] || fail "make reproduce on a hostile data file exited $rc, want 2"
if grep -q "^reproduce " "$T/make.out"; then
	fail "make reproduce went on to the sweep"
fi
survived "make reproduce refuses a hostile data file"

# The recipe itself: an abreport that prints what it must not (unknown
# keys, bad values, a missing key) is refused before anything runs. The
# workload does not exist, so that a recipe that went on would stop at the
# runner's plan.
fake=$T/fake-abreport
printf '#!/bin/sh\ncat "%s"\n' "$T/fake.lines" >"$fake"
chmod +x "$fake"
recipe()
{
	local what=$1 rc=0
	shift
	printf '%s\n' "$@" >"$T/fake.lines"
	rm -f "$T"/HACKED*
	fault "recipe: $what"
	make -s -o "$fake" reproduce CASE=htab-mem-2023 CPUS=2 ABREPORT="$fake" \
		>"$T/recipe.out" 2>"$T/recipe.err" || rc=$?
	[[ -z $(find "$T" -name 'HACKED*') ]] || fail "recipe: $what: a command ran"
	[[ $rc -ne 0 ]] || fail "recipe: $what: make exited 0"
	if grep -q "^reproduce " "$T/recipe.out"; then
		fail "recipe: $what: went on to the sweep"
	fi
	survived "recipe: $what refused"
}
ok=(VARIANTS=bpf-ma WORKLOADS=no-such-workload THREADS=1 PARAMS=)
recipe "unknown key" "VARIANTS=\$(touch $mark.fake1)" "EVIL=1; exit 3"
recipe "command in a value" "TARGET=vm;touch $mark.fake2;exit 3" "${ok[@]}"
recipe "space in the target" "TARGET=vm x" "${ok[@]}"
recipe "quote in a value" "TARGET=vm" "VARIANTS=bpf-ma'" "${ok[@]:1}"
recipe "no target" "${ok[@]}"

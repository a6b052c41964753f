#!/usr/bin/env bash
# Every command README.md shows (its indented command lines) exists as
# shown: a make target is a target of the Makefile, each VAR= it sets is
# read by the Makefile, mk/*.mk or runners/matrix, and a program
# (build/allocbench and build/abreport with their subcommands, runners/,
# contrib/, bench/ scripts) answers --help with exit 0. Nothing long runs:
# make is only asked for its database, programs only for --help.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
T=$(mktemp -d "${TMPDIR:-/tmp}/allocbench-readme.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0 checks=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "  FAIL: README.md:$1: $2" >&2; }

# The make targets, from make's own database (nothing is run).
{ make -qp BUILD="$BUILD" 2>/dev/null || true; } |
	awk -F: '/^[A-Za-z0-9][^$#\/\t =]*:([^=]|$)/ { print $1 }' | sort -u >"$T/targets"
[[ $(wc -l <"$T/targets") -gt 10 ]] || { echo "  FAIL: could not list make's targets" >&2; exit 1; }
sources=(Makefile mk/*.mk tests/tests.mk runners/matrix)

# check_make LINE WORDS...: one "make ..." command of line LINE
check_make()
{
	local line=$1 w var
	shift
	for w in "$@"; do
		case "$w" in
		\[*|*\]) w=${w#[}; w=${w%]} ;;&
		*=*)	var=${w%%=*}
			if grep -qE "(\\\$\(|\\\$\{|^|[^A-Za-z_])$var([^A-Za-z0-9_]|$)" "${sources[@]}"; then ok
			else bad "$line" "make variable $var is read nowhere"; fi ;;
		-*|'') ;;
		*)	if grep -qxF "$w" "$T/targets"; then ok
			else bad "$line" "make $w: no such target"; fi ;;
		esac
	done
}

# check_prog LINE WORDS...: a program and its subcommands, asked for --help
check_prog()
{
	local line=$1 prog=$2 sub=() w
	shift 2
	for w in "$@"; do
		[[ "$w" =~ ^[a-z][a-z-]*$ ]] || break
		sub+=("$w")
		[[ "$prog" == *allocbench && "$w" == results ]] || break
	done
	if [[ ! -x "$prog" ]]; then
		bad "$line" "$prog: not an executable (make all builds build/)"
	elif timeout 10 "$prog" "${sub[@]}" --help >"$T/out" 2>&1 && [[ -s "$T/out" ]]; then
		ok
	else
		bad "$line" "$prog ${sub[*]} --help: exit non-zero or silent"
	fi
}

n=0
while IFS= read -r text; do
	n=$((n + 1))
	[[ "$text" =~ ^\ \ \ \ (make|build/|runners/|contrib/|bench/) ]] || continue
	# (a quoted value is one word: "results/<a> results/<b>" becomes V)
	text=${text%%#*}
	# one line can hold several commands: "make deps && make run"
	while IFS= read -r cmd; do
		read -ra words <<<"$cmd"
		[[ ${#words[@]} -gt 0 ]] || continue
		case "${words[0]}" in
		make) check_make "$n" "${words[@]:1}" ;;
		build/*) check_prog "$n" "$BUILD/${words[0]#build/}" "${words[@]:1}" ;;
		runners/?*|contrib/?*|bench/?*)
			[[ "${words[0]}" == */ ]] || check_prog "$n" "${words[0]}" ;;
		esac
	done < <(sed 's/"[^"]*"/V/g; s/&&/\n/g' <<<"$text" | sed 's/^ *//')
done <"${README:-README.md}"

echo "test-readme: $checks checks of README.md's commands, $fails failed"
[[ $fails -eq 0 ]]

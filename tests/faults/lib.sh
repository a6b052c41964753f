#!/usr/bin/env bash
# Sourced by tests/faults/t_*.sh. A fault test injects one fault, then
# checks the records and processes afterwards; it reports through these
# helpers so that tests/faults/run can total them:
#   fault NAME           a fault was injected
#   survived NAME        what it must not break held (records, processes)
#   lost N               points of the plan left without a record
#   fail "WHY"           the check failed (the test exits 1)
#   skip "WHY"           the test cannot run here (printed, not a pass)
# Every test gets a private $T (removed at exit) and the built binaries
# under $BUILD.
set -euo pipefail

BUILD=${BUILD:-build}
AB=${AB:-$BUILD/allocbench}
TALLY=${FAULT_TALLY:-/dev/null}
T=$(mktemp -d "${TMPDIR:-/tmp}/allocbench-fault.XXXXXX")
trap 'rm -rf "$T"' EXIT

fault() { printf 'injected %s\n' "$1" >>"$TALLY"; echo "  fault: $1"; }
survived() { printf 'survived %s\n' "$1" >>"$TALLY"; echo "  ok: $1"; }
lost() { printf 'lost %d\n' "$1" >>"$TALLY"; [[ $1 -eq 0 ]] || echo "  LOST $1 point(s)"; }
fail() { echo "  FAIL: $*" >&2; exit 1; }
skip() { printf 'skipped %s\n' "$*" >>"$TALLY"; echo "  skip: $*"; exit 0; }

# A valid schema-1 record for point POINT (threads N) of run RUN, status S.
record() {
	local point=$1 threads=$2 status=${3:-ok} run=${4:-r}
	# fail exits 1: the record it prints is of a failed point
	{ "$AB" fail null --threads "$threads" --run-id "$run" --reason x --target vm || true; } |
		jq -c --arg p "$point" --arg s "$status" \
			'.point = $p | .status = $s | if $s == "ok" then del(.reason) else . end'
}

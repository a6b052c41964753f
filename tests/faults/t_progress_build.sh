#!/usr/bin/env bash
# runners/build-kernel's progress while make compiles (compile_tree and
# expected_objects in runners/lib-kbuild.sh), on a toy tree whose Makefile
# stands in for kbuild: its bzImage prints N "  CC" lines, DELAY s apart,
# and makes a vmlinux; nothing is compiled. The build steps run as
# build-kernel runs them (ccache counters, compile_tree, publish_outputs)
# with a private build directory and kernel build lock.
#   1. a first (full) build: no earlier build.json, so no estimate; its
#      build.json records compiled_objects and build_kind "full"
#   2. the tree fresh again: 10 objects expected from 1; not a terminal:
#      plain "N/10 objects (P %), M:SS elapsed" lines, no \r
#   3. the same on a terminal (script(1)): the line rewritten with \r
#   4. an incremental build (the tree has a vmlinux): no estimate from a
#      full build; the next incremental build expects the last one's count
#   5. more objects than expected: the line says so, with no estimate
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
for c in make jq flock ccache script; do
	command -v "$c" > /dev/null || skip "no $c"
done
export BUILD=$T/b TREE=$T/tree KBUILD_LOCK=$T/kbuild.lock
mkdir -p "$TREE" "$BUILD/kernels/toy"
cat > "$TREE/Makefile" <<'MK'
N ?= 10
DELAY ?= 0
bzImage:
	@for i in $$(seq 1 $(N)); do echo "  CC      kernel/f$$i.o"; sleep $(DELAY); done
	@mkdir -p arch/x86/boot include/config
	@echo toy > arch/x86/boot/bzImage
	@echo 6.1.0$(LOCALVERSION) > include/config/kernel.release
	@touch vmlinux
MK
: > "$TREE/.config"
printf 'CONFIG_TOY=y\n' > "$T/base.config"
# The steps of build-kernel from the compile on, in a child bash (lib-kbuild.sh
# has its own say and fail).
cat > "$T/drive" <<'SH'
set -euo pipefail
V=toy V_BASE=linux-source-6.1 V_DESC=toy JOBS=1 DRY_RUN='' KERNELS=$T/k
BASE_VERSION=toy BASE_DEB_SHA=toy SUITE_SHA=toy
out=$BUILD/kernels/$V log=$out/build.log
. "$ROOT/runners/lib-kbuild.sh"
PATCHES=() CONFIG_FILES=("$T/base.config")
EXPECTED_OBJECTS=$(expected_objects "$TREE")
echo "expected: ${EXPECTED_OBJECTS:-none}"
rm -f "$out/build.json"
: > "$log"
start=$(date +%s)
ccache_env
ccache_snapshot
compile_tree
publish_outputs "$start"
SH
export T ROOT
build() { N=$1 DELAY=$2 bash "$T/drive"; }

fault "a first build: no earlier build.json to estimate from"
build 10 0 > "$T/b1.out" 2>&1 || fail "toy build 1: $(cat "$T/b1.out")"
grep -qx 'expected: none' "$T/b1.out" || fail "build 1 expected something: $(cat "$T/b1.out")"
[[ "$(jq -c '[.compiled_objects, .build_kind]' "$BUILD/kernels/toy/build.json")" == '[10,"full"]' ]] ||
	fail "build.json: $(jq -c '{compiled_objects, build_kind}' "$BUILD/kernels/toy/build.json")"
survived "no estimate without an earlier build; build.json records 10 objects, a full build"

fault "a full build not on a terminal, 10 objects expected"
rm -f "$TREE/vmlinux"
build 10 0.5 > "$T/b2.out" 2>&1 || fail "toy build 2: $(cat "$T/b2.out")"
grep -qx 'expected: 10' "$T/b2.out" || fail "build 2: $(head -n 1 "$T/b2.out")"
n=$(grep -cE '^\[toy\] build: [0-9]+/10 objects \([0-9]+ %\), 0:0[0-9] elapsed(, about 0:[0-9]{2} left|, linking)?$' "$T/b2.out" || true)
[[ $n -ge 2 ]] || fail "build 2: $n progress line(s), want 2 or more: $(cat "$T/b2.out")"
! grep -q $'\r' "$T/b2.out" || fail "build 2: a \\r in output that is not a terminal"
sed -n 's/^/    /; /build: /p' "$T/b2.out" | head -n 3
survived "plain progress lines ($n), no \\r"

fault "a full build on a terminal"
rm -f "$TREE/vmlinux"
script -qfec "N=10 DELAY=0.3 bash $T/drive" /dev/null > "$T/b3.out" 2>&1 ||
	fail "toy build 3: $(cat "$T/b3.out")"
n=$(grep -o $'\r\\[toy\\] build: [0-9]*/10 objects' "$T/b3.out" | wc -l)
[[ $n -ge 2 ]] || fail "build 3: $n line(s) rewritten with \\r, want 2 or more: $(od -c "$T/b3.out" | head)"
survived "on a terminal the line is rewritten in place ($n times)"

fault "incremental builds"
build 2 0 > "$T/b4.out" 2>&1 || fail "toy build 4: $(cat "$T/b4.out")"
grep -qx 'expected: none' "$T/b4.out" || fail "build 4 (incremental) expected: $(head -n 1 "$T/b4.out")"
[[ "$(jq -r .build_kind "$BUILD/kernels/toy/build.json")" == incremental ]] || fail "build 4 is not incremental"
build 2 0 > "$T/b5.out" 2>&1 || fail "toy build 5: $(cat "$T/b5.out")"
grep -qx 'expected: 2' "$T/b5.out" || fail "build 5 (incremental) expected: $(head -n 1 "$T/b5.out")"
survived "an incremental build expects the last incremental build's count, never a full one's"

fault "more objects than expected"
build 5 0.3 > "$T/b6.out" 2>&1 || fail "toy build 6: $(cat "$T/b6.out")"
grep -qx 'expected: 2' "$T/b6.out" || fail "build 6 expected: $(head -n 1 "$T/b6.out")"
grep -q 'build: [3-5] objects (more than the 2 expected)' "$T/b6.out" ||
	fail "build 6: no 'more than expected' line: $(grep 'build:' "$T/b6.out" | tail -n 3)"
! grep -q 'build: [3-5]/2 objects' "$T/b6.out" || fail "build 6: a count past its estimate shown as N/2"
survived "past its estimate the line drops the estimate instead of N/2 (99 %)"

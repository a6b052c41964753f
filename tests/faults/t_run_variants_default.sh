#!/usr/bin/env bash
# A VM run without VARIANTS boots every declared variant whose kernel is
# built, and not the distro kernel (nor a build directory that no
# declaration names) beside them; with no declared variant built it boots
# the distro kernel. Dry runs: nothing boots.
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"

B=$T/build
mkdir -p "$B/kernels/distro" "$B/kernels/bpf-ma" "$B/kernels/no-such-variant"
cp "$AB" "$B/allocbench"
touch "$B/kernels/distro/bzImage" "$B/kernels/no-such-variant/bzImage"

# booted RUN: the variants the dry run would boot, sorted
booted()
{
	BUILD=$B DRY_RUN=1 TARGET=vm WORKLOADS=null THREADS=1 RESULTS_DIR=$T/results \
		runners/matrix >"$T/$1.out" 2>"$T/$1.err" || fail "$1: matrix exit $?: $(tail -n 3 "$T/$1.err")"
	sed -n 's/^\[\([^]]*\)\] booting .*/\1/p' "$T/$1.out" "$T/$1.err" | sort -u | tr '\n' ' '
}

fault "no VARIANTS, only the distro kernel and an undeclared build present"
got=$(booted distro-only)
[[ "$got" == "distro " ]] || fail "with no declared variant built: booted '$got', want distro"
survived "no declared variant built: the distro kernel boots"

fault "no VARIANTS, bpf-ma built beside the distro kernel"
touch "$B/kernels/bpf-ma/bzImage"
echo '{}' >"$B/kernels/bpf-ma/build.json"
got=$(booted beside)
[[ "$got" == "bpf-ma " ]] || fail "bpf-ma built: booted '$got', want bpf-ma alone"
survived "bpf-ma built: bpf-ma boots, the distro kernel and the undeclared build do not"

#!/usr/bin/env bash
# make builds the kernels a run boots (mk/kernels.mk, mk/run.mk,
# mk/report.mk), checked with DRY_RUN=1 on a copy of the make files,
# runners/, kernels/ and reproduce/ in a temporary directory, so that input
# times can be set without touching the checkout, and a temporary BUILD
# with fake bzImage files: a bzImage that is missing or older than its
# declaration, a patch, its patch directory, a fragment, the base config,
# the unpacked source's stamp or the build scripts is built (its
# build-kernel dry run printed), a current one is not; the comparison
# (make run with no TARGET) builds the base-6.1 variants and nothing else;
# make reproduce the case's variants. No kernel is compiled, nothing is
# booted, downloaded or written outside the temporary directory.
#
# usage: [ABREPORT_BIN=build/abreport] tests/kernels/test-make-kernels.sh
#        (make test-kbuild runs it; without an abreport the checks of the
#        comparison and of make reproduce are skipped, and say so)
set -euo pipefail
cd "$(dirname "$0")/../.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
R=$tmp/repo
B=$tmp/build
pass=0
failed=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }

ab=${ABREPORT_BIN:-build/abreport}
if [[ -x "$ab" ]]; then ab=$(realpath "$ab"); else ab=; fi

mkdir -p "$R/harness" "$R/tests"
cp -a Makefile mk runners kernels reproduce "$R/"
cp -a harness/harness.mk "$R/harness/"
# every input old, so that a fake kernel made later is current
find "$R" -exec touch -h -d '2020-01-01 00:00' {} +

# A fake allocbench: any sweep plans one point, but a workload named
# no_such is refused as the real one refuses it.
mkdir -p "$B"
cat > "$B/allocbench" <<'EOF'
#!/bin/sh
case "$*" in
*no_such*) echo "plan: unknown workload 'no_such'" >&2; exit 2 ;;
esac
[ "$1" = plan ] && printf 'null/shape=loops/t1\tnull --threads 1\n'
exit 0
EOF
chmod +x "$B/allocbench"

# m ARGS...: make in the copy, BUILD=$B, allocbench and abreport taken as
# they are; output in $tmp/out, status in $rc.
m() {
	local -a abr=()
	[[ -z "$ab" ]] || abr=(ABREPORT="$ab" -o "$ab")
	rc=0
	make -s --no-print-directory -C "$R" BUILD="$B" -o "$B/allocbench" \
		"${abr[@]}" "$@" > "$tmp/out" 2>&1 || rc=$?
}
need_ab() { [[ -n "$ab" ]] || { echo "  SKIP: no abreport (ABREPORT_BIN)" >&2; return 1; }; }
# fake V...: a current bzImage for each variant.
fake() {
	local v
	for v; do
		mkdir -p "$B/kernels/$v"
		echo "fake $v" > "$B/kernels/$v/bzImage"
		touch -d '2021-01-01 00:00' "$B/kernels/$v/bzImage"
	done
}
# newer PATH...: an input changed after the fake kernels were made.
newer() { touch -h -d '2022-01-01 00:00' "$@"; }
reset() {
	rm -rf "$B/kernels" "$B/src"
	find "$R" -exec touch -h -d '2020-01-01 00:00' {} +
}
# builds: the variants whose build make printed, sorted, on one line.
builds() {
	sed -n 's/^\[\([^]]*\)\] build (DRY_RUN: printed, not run): .*/\1/p' "$tmp/out" | sort | paste -sd' '
}
want_builds() {
	local got
	got=$(builds)
	[[ "$got" == "$1" ]] && return 0
	echo "  builds: '$got', wanted '$1'; make exited $rc:" >&2
	sed 's/^/    /' "$tmp/out" | head -n 40 >&2
	return 1
}
want_rc() {
	[[ "$rc" -eq "$1" ]] && return 0
	echo "  make exited $rc, wanted $1:" >&2
	sed 's/^/    /' "$tmp/out" | head -n 40 >&2
	return 1
}
has() { grep -qF -- "$1" "$tmp/out" || { echo "  no '$1' in:" >&2; sed 's/^/    /' "$tmp/out" | head -n 40 >&2; return 1; }; }

# A fresh BUILD: make run TARGET=vm VARIANTS=bpf-ma prints bpf-ma's build
# (why, then build-kernel's dry run) and the matrix it would run, and
# builds, fetches and writes nothing.
t_run_fresh() {
	reset
	m run TARGET=vm VARIANTS=bpf-ma DRY_RUN=1
	want_rc 0 && want_builds bpf-ma &&
		has "[bpf-ma] build (DRY_RUN: printed, not run): no $B/kernels/bpf-ma/bzImage" &&
		has "[bpf-ma] fetch linux-source-6.1" &&
		grep -q "nice make -C $B/ktree/linux-source-6.1 .*LOCALVERSION=-bpf-ma -j[0-9]* bzImage\$" "$tmp/out" &&
		has "make run: DRY_RUN: no kernel yet for bpf-ma" &&
		has "VARIANTS=bpf-ma" && has "runners/matrix" &&
		[[ ! -e "$B/kernels" && ! -e "$B/ktree" && ! -e "$B/src" ]]
}

# A current kernel is not built; matrix's own dry run follows.
t_run_current() {
	reset
	fake bpf-ma
	m run TARGET=vm VARIANTS=bpf-ma DRY_RUN=1
	want_rc 0 && want_builds "" && ! grep -q '\[bpf-ma\] fetch' "$tmp/out" &&
		has "[bpf-ma] booting $B/kernels/bpf-ma/bzImage" &&
		[[ "$(cat "$B/kernels/bpf-ma/bzImage")" == "fake bpf-ma" ]]
}

# stale VARIANT WANT INPUT...: with fake current kernels of every
# variant, INPUT made newer: exactly WANT is built, and the line says
# which input.
stale() {
	local v=$1 want=$2 f
	shift 2
	reset
	fake bpf-ma bpf-ma-6.12 kmalloc-rcu lockless-pool qp-trie qp-trie-subtree-lock
	for f; do
		if [[ "$f" == BUILD/src/* ]]; then
			mkdir -p "$(dirname "$B/${f#BUILD/}")"
			echo "linux-source-6.1 6.1.999-1 0000" > "$B/${f#BUILD/}"
			newer "$B/${f#BUILD/}"
		else
			newer "$R/$f"
		fi
	done
	m run TARGET=vm VARIANTS="$v" DRY_RUN=1
	want_rc 0 && want_builds "$want" || return 1
	for f; do
		f=${f/#BUILD/$B}
		grep -q "^\[[^]]*\] build (DRY_RUN: printed, not run): $B/kernels/[^ ]*/bzImage is older than .*$f" "$tmp/out" ||
			{ echo "  the build line does not name $f" >&2; return 1; }
	done
}

t_stale_declaration() { stale bpf-ma bpf-ma kernels/variants/bpf-ma; }
# kmalloc-rcu's series, whatever its patches are called
KR_PATCHES=(kernels/patches/kmalloc-rcu/[0-9][0-9][0-9][0-9]-*.patch)
t_stale_patch() {
	stale "bpf-ma kmalloc-rcu" kmalloc-rcu "${KR_PATCHES[-1]}"
}
# a patch removed from the directory: the directory is newer
t_patch_removed() {
	reset
	fake kmalloc-rcu
	rm "$R/${KR_PATCHES[-1]}"
	m run TARGET=vm VARIANTS=kmalloc-rcu DRY_RUN=1
	cp -a "${KR_PATCHES[-1]}" "$R/kernels/patches/kmalloc-rcu/"
	want_rc 0 && want_builds kmalloc-rcu && has "is older than kernels/patches/kmalloc-rcu"
}
# qp-trie-subtree-lock's own fragment: not qp-trie, which shares its patches
t_stale_fragment() {
	stale "qp-trie qp-trie-subtree-lock" qp-trie-subtree-lock kernels/configs/qp-trie-subtree-lock.config
}
t_stale_shared_patch() {
	stale "qp-trie qp-trie-subtree-lock" "qp-trie qp-trie-subtree-lock" \
		kernels/patches/qp-trie/0002-bpf-Add-a-qp-trie-map-with-lockless-lookup.patch
}
t_stale_base_config() {
	stale "bpf-ma bpf-ma-6.12 lockless-pool" "bpf-ma bpf-ma-6.12 lockless-pool" kernels/configs/base.config
}
# the 6.12 base's fragment is the 6.12 variant's input only
t_stale_base_612_config() {
	stale "bpf-ma bpf-ma-6.12" bpf-ma-6.12 kernels/configs/base-6.12.config
}
t_stale_scripts() {
	stale "bpf-ma" bpf-ma runners/lib-kbuild.sh &&
		stale "kmalloc-rcu" kmalloc-rcu runners/build-kernel
}
# a base unpacked again (a new Debian version) after the kernel was built
t_stale_source() {
	stale "bpf-ma bpf-ma-6.12" bpf-ma BUILD/src/linux-source-6.1/.allocbench-source
}

# A declaration whose inputs do not resolve is built, so that build-kernel
# says what is wrong (here: the patch directory is missing).
t_unresolved() {
	reset
	fake kmalloc-rcu
	mv "$R/kernels/patches/kmalloc-rcu" "$tmp/kmalloc-rcu.patches"
	m run TARGET=vm VARIANTS=kmalloc-rcu DRY_RUN=1
	mv "$tmp/kmalloc-rcu.patches" "$R/kernels/patches/kmalloc-rcu"
	want_rc 2 && want_builds kmalloc-rcu && has "its inputs do not resolve" &&
		has "patch directory kernels/patches/kmalloc-rcu is missing" &&
		has "make run: a kernel did not build (above); nothing was run." &&
		! grep -q "Current:" "$tmp/out" || return 1
	# the others are current: the message names them
	fake bpf-ma
	mv "$R/kernels/patches/kmalloc-rcu" "$tmp/kmalloc-rcu.patches"
	m run TARGET=vm VARIANTS="bpf-ma kmalloc-rcu" DRY_RUN=1
	mv "$tmp/kmalloc-rcu.patches" "$R/kernels/patches/kmalloc-rcu"
	want_rc 2 && want_builds kmalloc-rcu &&
		has "nothing was run. Current: bpf-ma (VARIANTS=\"bpf-ma\" runs those)"
}

# make run with no TARGET: the comparison of every base-6.1 variant, the
# three allocator workloads, threads 1 and 2, short points, then the report.
t_compare_fresh() {
	need_ab || return 0
	reset
	m run DRY_RUN=1
	want_rc 0 && want_builds "bpf-ma kmalloc-rcu lockless-pool qp-trie qp-trie-rcu qp-trie-subtree-lock" &&
		has "make run: comparing bpf-ma kmalloc-rcu lockless-pool qp-trie qp-trie-rcu qp-trie-subtree-lock: WORKLOADS=htab_churn,qp_trie_lookup,nmi_alloc THREADS=1,2 DURATION=3 WARMUP=1" &&
		has "make report RUN=" && [[ ! -e "$B/kernels" ]]
}
t_compare_current() {
	need_ab || return 0
	reset
	fake bpf-ma kmalloc-rcu lockless-pool qp-trie qp-trie-rcu qp-trie-subtree-lock
	newer "$R/kernels/variants/lockless-pool"
	m run DRY_RUN=1 DURATION=7 THREADS=2
	want_rc 0 && want_builds lockless-pool &&
		has "WORKLOADS=htab_churn,qp_trie_lookup,nmi_alloc THREADS=2 DURATION=7 WARMUP=1" || return 1
	reset
	fake bpf-ma kmalloc-rcu lockless-pool qp-trie qp-trie-rcu qp-trie-subtree-lock
	m run DRY_RUN=1 VARIANTS="bpf-ma kmalloc-rcu"
	want_rc 0 && want_builds "" && has "[bpf-ma] booting" && has "[kmalloc-rcu] booting" &&
		! grep -q '\[qp-trie\] booting' "$tmp/out" && has "make report RUN="
}

# TARGET=host builds nothing; TARGET=vm without VARIANTS refreshes the
# declared kernels it finds built (matrix boots those), not the others.
t_host_and_vm_default() {
	reset
	m run TARGET=host DRY_RUN=1
	want_rc 0 && want_builds "" && has "$B/allocbench run null --threads 1" || return 1
	fake bpf-ma kmalloc-rcu
	mkdir -p "$B/kernels/distro" && echo distro > "$B/kernels/distro/bzImage"
	newer "$R/kernels/variants/kmalloc-rcu"
	m run TARGET=vm DRY_RUN=1
	want_rc 0 && want_builds kmalloc-rcu && has "[bpf-ma] booting" && has "[kmalloc-rcu] booting"
}

# The sweep is checked before any kernel is built; an unknown variant is
# matrix's usage error, with nothing built.
t_refused_before_builds() {
	reset
	m run TARGET=vm VARIANTS=bpf-ma WORKLOADS=no_such DRY_RUN=1
	want_rc 2 && want_builds "" && has "unknown workload 'no_such'" || return 1
	m run TARGET=vm VARIANTS="bpf-ma nope" DRY_RUN=1
	want_rc 2 && want_builds "" && has "make run: unknown variant 'nope'" || return 1
	m kernels-current VARIANTS="bpf-ma nope" DRY_RUN=1
	want_rc 2 && want_builds "" && has "no declaration kernels/variants/<name> for: nope"
}

# make reproduce CASE=htab-mem-2023 builds the case's kernels (kmalloc-rcu
# and bpf-ma, from reproduce/htab-mem-2023.json) and no other.
t_reproduce() {
	need_ab || return 0
	reset
	m reproduce CASE=htab-mem-2023 DRY_RUN=1
	want_rc 0 && want_builds "bpf-ma kmalloc-rcu" &&
		has "make reproduce: DRY_RUN: no kernel yet for kmalloc-rcu bpf-ma" &&
		has "reproduce --published reproduce/htab-mem-2023.json --run" &&
		[[ ! -e "$B/kernels" ]] || return 1
	fake kmalloc-rcu bpf-ma qp-trie
	newer "$R/kernels/variants/qp-trie"
	m reproduce CASE=htab-mem-2023 DRY_RUN=1
	want_rc 0 && want_builds "" && has "[kmalloc-rcu] booting" && has "[bpf-ma] booting" || return 1
	newer "$R/${KR_PATCHES[0]}"
	m reproduce CASE=htab-mem-2023 DRY_RUN=1
	want_rc 0 && want_builds kmalloc-rcu
}

for t in t_run_fresh t_run_current t_stale_declaration t_stale_patch t_patch_removed \
	t_stale_fragment t_stale_shared_patch t_stale_base_config t_stale_base_612_config \
	t_stale_scripts t_stale_source t_unresolved t_compare_fresh t_compare_current \
	t_host_and_vm_default t_refused_before_builds t_reproduce; do
	if "$t"; then ok "$t"; else bad "$t"; fi
done
echo "test-make-kernels: $pass passed, $failed failed"
[ "$failed" -eq 0 ]

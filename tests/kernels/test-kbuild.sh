#!/usr/bin/env bash
# shellcheck disable=SC2034  # the toy tests set variables that the sourced lib-kbuild.sh reads
# Fast tests of the kernel build pipeline; no kernel is compiled and nothing
# is downloaded. Run from the repository root: tests/kernels/test-kbuild.sh
set -euo pipefail

BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
failed=0

ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }

# expect STATUS OUTFILE CMD...: run CMD, want exit STATUS; stdout+stderr in OUTFILE.
expect() {
	local want=$1 outf=$2 rc=0
	shift 2
	"$@" > "$outf" 2>&1 || rc=$?
	[ "$rc" -eq "$want" ] && return 0
	echo "  '$*' exited $rc, wanted $want:" >&2
	sed 's/^/    /' "$outf" >&2
	return 1
}

t_shellcheck() {
	shellcheck -S warning runners/fetch-source runners/build-kernel \
		runners/lib-kbuild.sh runners/kvm-probe runners/fetch-distro-kernel \
		tests/kernels/*.sh tests/faults/t_kbuild_*.sh
}

t_declarations() {
	local v
	for v in bpf-ma kmalloc-rcu; do
		grep -q '^base=linux-source-6.1$' "kernels/variants/$v" || return 1
		grep -q '^description=..*' "kernels/variants/$v" || return 1
	done
	grep -q '^patches=$' kernels/variants/bpf-ma &&
		grep -q '^patches=kmalloc-rcu$' kernels/variants/kmalloc-rcu || return 1
	# the same baseline on the second base release
	grep -q '^base=linux-source-6.12$' kernels/variants/bpf-ma-6.12 &&
		grep -q '^description=..*' kernels/variants/bpf-ma-6.12 &&
		grep -q '^patches=$' kernels/variants/bpf-ma-6.12 &&
		[ -f kernels/configs/base-6.12.config ]
}

t_unknown_variant() {
	expect 2 "$tmp/out" runners/build-kernel no-such-variant &&
		[ "$(wc -l < "$tmp/out")" -eq 1 ] &&
		grep -q "unknown variant 'no-such-variant'" "$tmp/out"
}

# A private kernels/ directory with hand-made declarations.
mkkernels() {
	local k=$tmp/k
	rm -rf "$k"
	mkdir -p "$k/variants" "$k/configs" "$k/patches/good" "$k/patches/nodesc"
	cp kernels/configs/base.config "$k/configs/"
	printf 'base=linux-source-6.1\npatches=absent\n' > "$k/variants/nopatchdir"
	printf 'base=linux-source-6.1\ncolour=blue\n' > "$k/variants/badkey"
	printf 'base=linux-source-6.1\nconfigs=nope.config\n' > "$k/variants/nofrag"
	printf 'base=linux-source-6.1\npatches=nodesc\n' > "$k/variants/nodesc"
	printf 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n' \
		> "$k/patches/nodesc/0001-x.patch"
	echo "$k"
}

t_bad_declarations() {
	local k
	k=$(mkkernels)
	expect 2 "$tmp/out" env KERNELS_DIR="$k" runners/build-kernel badkey &&
		grep -q "unknown key 'colour'" "$tmp/out" &&
	expect 1 "$tmp/out" env KERNELS_DIR="$k" runners/build-kernel nopatchdir &&
		grep -q "patch directory $k/patches/absent is missing" "$tmp/out" &&
	expect 1 "$tmp/out" env KERNELS_DIR="$k" runners/build-kernel nofrag &&
		grep -q "config fragment $k/configs/nope.config is missing" "$tmp/out" &&
	expect 1 "$tmp/out" env KERNELS_DIR="$k" runners/build-kernel nodesc &&
		grep -q "0001-x.patch has no description" "$tmp/out"
}

# Every name in a declaration is a plain name under kernels/configs or
# kernels/patches, read without glob expansion: a path, a glob, a command
# substitution or a link out of kernels/ is one line and exit 2 naming the
# declaration and the key, before anything is read or run.
t_hostile_declarations() {
	local k=$tmp/hk name key decl bad=0
	rm -rf "$k" "$tmp/pwned"
	mkdir -p "$k/variants" "$k/configs" "$k/patches"
	cp kernels/configs/base.config "$k/configs/"
	ln -s /etc/hostname "$k/configs/escape.config"
	ln -s /etc "$k/patches/escape"
	while IFS='|' read -r name key decl; do
		decl=${decl//PWNED/$tmp/pwned}
		printf '%b\n' "$decl" > "$k/variants/$name"
		expect 2 "$tmp/out" env KERNELS_DIR="$k" BUILD="$tmp/hb" \
			runners/build-kernel --dry-run "$name" < /dev/null || { bad=1; continue; }
		if [ "$(wc -l < "$tmp/out")" -ne 1 ] || ! grep -qF "$k/variants/$name" "$tmp/out" ||
			! grep -q ": $key: " "$tmp/out"; then
			echo "  $name: wanted one line naming $k/variants/$name and '$key':" >&2
			sed 's/^/    /' "$tmp/out" >&2
			bad=1
		fi
	done <<-'EOF'
	cfg-dotdot|configs|base=linux-source-6.1\nconfigs=../../../etc/hostname
	cfg-glob|configs|base=linux-source-6.1\nconfigs=*
	cfg-glob2|configs|base=linux-source-6.1\nconfigs=base.config ?
	cfg-subst|configs|base=linux-source-6.1\nconfigs=$(touch PWNED)
	cfg-backtick|configs|base=linux-source-6.1\nconfigs=`touch PWNED`
	cfg-abs|configs|base=linux-source-6.1\nconfigs=/etc/hostname
	cfg-link|configs|base=linux-source-6.1\nconfigs=escape.config
	pat-dotdot|patches|base=linux-source-6.1\npatches=../x
	pat-dots|patches|base=linux-source-6.1\npatches=..
	pat-dot|patches|base=linux-source-6.1\npatches=.
	pat-second|patches|base=linux-source-6.1\npatches=good ../x
	pat-glob|patches|base=linux-source-6.1\npatches=*
	pat-glob2|patches|base=linux-source-6.1\npatches=good ?
	pat-link|patches|base=linux-source-6.1\npatches=escape
	base-dotdot|base|base=linux-source-6.1/../../x
	base-dots|base|base=linux-source-6..1
	base-subst|base|base=linux-source-6.1$(touch PWNED)
	base-unknown|base|base=linux-source-5.10
	twice|configs|base=linux-source-6.1\nconfigs=\nconfigs=base.config
	EOF
	[ ! -e "$tmp/pwned" ] || { echo "  a declaration ran a command" >&2; return 1; }
	[ "$bad" -eq 0 ] || return 1
	# spaces around names are separators, not part of a name
	printf 'base=linux-source-6.1\nconfigs=  base.config\t\n' > "$k/variants/spaced"
	expect 0 "$tmp/out" env KERNELS_DIR="$k" BUILD="$tmp/hb" \
		runners/build-kernel --dry-run spaced
}

# make kernels hands the variant names to the shell through the
# environment, never as shell text (make -n prints, runs nothing).
t_make_variant_names() {
	make -s -n -f mk/kernels.mk kernels BUILD="$tmp/mb" \
		VARIANTS="bpf-ma;touch $tmp/pwned \$(touch $tmp/pwned)" > "$tmp/out" 2>&1 &&
		grep -qF "for v in \$KBUILD_VARIANTS" "$tmp/out" && ! grep -q pwned "$tmp/out"
}

# A base that runners/lib-kbuild.sh does not list is one line, exit 2,
# naming the declaration, the key and the bases there are.
t_unknown_base() {
	local k=$tmp/ub
	rm -rf "$k"
	mkdir -p "$k/variants" "$k/configs"
	cp kernels/configs/base.config "$k/configs/"
	printf 'description=old\nbase=linux-source-4.19\npatches=\n' > "$k/variants/old"
	expect 2 "$tmp/out" env KERNELS_DIR="$k" BUILD="$tmp/ub-b" \
		runners/build-kernel --dry-run old < /dev/null &&
		[ "$(wc -l < "$tmp/out")" -eq 1 ] &&
		grep -qF "$k/variants/old:2: base: unknown base 'linux-source-4.19' (known: linux-source-6.1 linux-source-6.12;" "$tmp/out" &&
		[ ! -e "$tmp/ub-b" ]
}

# A declaration with base=linux-source-6.12: its own source, tree and
# per-base fragment (after base.config, before the variant's); the 6.1
# variants do not get that fragment.
t_dry_run_612() {
	local k=$tmp/k612 merge
	rm -rf "$k"
	mkdir -p "$k/variants" "$k/configs"
	cp kernels/configs/base.config kernels/configs/base-6.12.config "$k/configs/"
	echo 'CONFIG_LOCALVERSION_AUTO=n_example' > "$k/configs/extra.config"
	printf 'description=toy 6.12\nbase=linux-source-6.12\npatches=\nconfigs=extra.config\n' \
		> "$k/variants/toy612"
	expect 0 "$tmp/out" env KERNELS_DIR="$k" BUILD="$tmp/b612" \
		runners/build-kernel --dry-run toy612 || return 1
	merge=$(grep 'merge_config.sh' "$tmp/out") || return 1
	grep -q '^\[toy612\] fetch linux-source-6.12$' "$tmp/out" &&
		grep -q '^  linux-source-6.12 6\.12\.' "$tmp/out" &&
		grep -q "cp -a -T $tmp/b612/src/linux-source-6.12 $tmp/b612/ktree/linux-source-6.12.allocbench-tmp" "$tmp/out" &&
		[[ "$merge" == *" $k/configs/base.config $k/configs/base-6.12.config $k/configs/extra.config" ]] &&
		grep -q "nice make -C $tmp/b612/ktree/linux-source-6.12 .*LOCALVERSION=-toy612 -j[0-9]* bzImage\$" "$tmp/out" &&
		! grep -q 'linux-source-6\.1[^2]' "$tmp/out" &&
		[ ! -e "$tmp/b612" ] || return 1
	# the real declaration
	expect 0 "$tmp/out" env BUILD="$tmp/b612" runners/build-kernel --dry-run bpf-ma-6.12 &&
		grep -q 'merge_config.sh -m .config .*/kernels/configs/base.config .*/kernels/configs/base-6.12.config$' "$tmp/out" &&
		grep -q 'ktree/linux-source-6.12 .*LOCALVERSION=-bpf-ma-6.12 -j[0-9]* bzImage$' "$tmp/out" || return 1
	# a 6.1 variant does not get it
	expect 0 "$tmp/out" env BUILD="$tmp/b612" runners/build-kernel --dry-run bpf-ma &&
		! grep -q 'base-6.12.config' "$tmp/out" &&
		[ ! -e "$tmp/b612" ]
}

# The per-base fragment is part of the base: without it every variant of
# that base fails, naming the file.
t_missing_base_fragment() {
	local k=$tmp/nbf
	rm -rf "$k"
	mkdir -p "$k/variants" "$k/configs"
	cp kernels/configs/base.config "$k/configs/"
	printf 'base=linux-source-6.12\n' > "$k/variants/v612"
	expect 1 "$tmp/out" env KERNELS_DIR="$k" BUILD="$tmp/nbf-b" \
		runners/build-kernel --dry-run v612 &&
		grep -q "FAILED: per-base config fragment $k/configs/base-6.12.config is missing" "$tmp/out"
}

t_dry_run() {
	expect 0 "$tmp/out" env BUILD="$tmp/b" runners/build-kernel --dry-run bpf-ma &&
		grep -q '^\[bpf-ma\] fetch linux-source-6.1$' "$tmp/out" &&
		grep -q 'merge_config.sh -m .config .*/kernels/configs/base.config$' "$tmp/out" &&
		grep -q 'nice make -C .*/ktree/linux-source-6.1 .*LOCALVERSION=-bpf-ma olddefconfig$' "$tmp/out" &&
		grep -q 'nice make -C .*LOCALVERSION=-bpf-ma -j[0-9]* bzImage$' "$tmp/out" &&
		[ ! -e "$tmp/b" ]
}

# The library's pieces on a toy tree: patching into an overlay, syncing a
# tree between variants without touching unchanged files, the config check.
lib_env() {
	V=toy BUILD=$tmp/b KERNELS=$tmp/k DRY_RUN='' JOBS=1
	KBUILD_LOCK=$tmp/lock log=$tmp/log out=$tmp/out.d
	PRISTINE=$tmp/pristine TREE=$tmp/tree BASE_VERSION=toy
	# shellcheck source=runners/lib-kbuild.sh
	. runners/lib-kbuild.sh
	rm -rf "$PRISTINE" "$TREE"
	mkdir -p "$PRISTINE/kernel/bpf" "$TREE"
	printf 'one\ntwo\nthree\n' > "$PRISTINE/kernel/bpf/hashtab.c"
	printf 'keep\n' > "$PRISTINE/kernel/fork.c"
	: > "$log"
}

mkpatch() { # mkpatch FILE SUBJECT OLD NEW
	{
		printf 'From 0 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] %s\n\n---\n' "$2"
		printf 'diff --git a/kernel/bpf/hashtab.c b/kernel/bpf/hashtab.c\n'
		printf -- '--- a/kernel/bpf/hashtab.c\n+++ b/kernel/bpf/hashtab.c\n'
		printf '@@ -1,3 +1,3 @@\n one\n-%s\n+%s\n three\n' "$3" "$4"
	} > "$1"
}

t_lib_patch_and_sync() (
	lib_env
	local p=$tmp/0001-change-two.patch o1 o2 m1 m2
	mkpatch "$p" "change two" two TWO
	PATCHES=("$p")
	o1=$(mktemp -d "$tmp/ov.XXXX")
	apply_patches "$o1" > /dev/null
	[ "${OVERLAY_FILES[*]}" = "kernel/bpf/hashtab.c" ] || return 1
	grep -qx TWO "$o1/kernel/bpf/hashtab.c" || return 1
	grep -qx two "$PRISTINE/kernel/bpf/hashtab.c" || return 1
	# fresh tree: copy of pristine + overlay
	: > "$TREE/.allocbench-overlay"
	cp -a "$PRISTINE/." "$TREE/"
	touch -d '2001-01-01' "$TREE/kernel/fork.c"
	OVERLAY=$o1 prepare_tree > /dev/null
	grep -qx TWO "$TREE/kernel/bpf/hashtab.c" || return 1
	m1=$(stat -c %Y "$TREE/kernel/bpf/hashtab.c")
	# same variant again: nothing is rewritten
	touch -d '2001-01-01' "$TREE/kernel/bpf/hashtab.c"
	OVERLAY=$o1 prepare_tree | grep -q '1 patched files, 0 rewritten' || return 1
	m2=$(stat -c %Y "$TREE/kernel/bpf/hashtab.c")
	[ "$m2" -lt "$m1" ] || return 1
	# another variant without patches: the file is restored, fork.c untouched
	PATCHES=()
	o2=$(mktemp -d "$tmp/ov.XXXX")
	apply_patches "$o2" > /dev/null
	OVERLAY=$o2 prepare_tree | grep -q '0 patched files, 1 rewritten' || return 1
	cmp -s "$PRISTINE/kernel/bpf/hashtab.c" "$TREE/kernel/bpf/hashtab.c" || return 1
	[ "$(stat -c %Y "$TREE/kernel/fork.c")" = "$(date -d 2001-01-01 +%s)" ] || return 1
	[ ! -s "$TREE/.allocbench-overlay" ]
)

# An interrupted first copy leaves $TREE.allocbench-tmp behind: the next
# copy starts from a clean temporary, so the source is not nested inside it,
# and the tree is marked ready only once it is complete.
t_lib_stale_tree_tmp() (
	lib_env
	local o
	rm -rf "$TREE"
	mkdir -p "$TREE.allocbench-tmp/kernel"
	echo partial > "$TREE.allocbench-tmp/kernel/fork.c"
	: > "$TREE.allocbench-tmp/.allocbench-overlay"
	PATCHES=()
	o=$(mktemp -d "$tmp/ov.XXXX")
	apply_patches "$o" > /dev/null
	OVERLAY=$o prepare_tree > /dev/null || return 1
	[ ! -e "$TREE/$(basename "$PRISTINE")" ] || { echo "  source nested in the tree" >&2; return 1; }
	[ ! -e "$TREE.allocbench-tmp" ] && [ -f "$TREE/.allocbench-overlay" ] &&
		diff -r -x '.allocbench-*' "$PRISTINE" "$TREE" >&2
)

# A copy that fails leaves no tree marked ready.
t_lib_failed_copy_not_ready() (
	lib_env
	local o rc=0
	rm -rf "$TREE"
	mkdir -p "$tmp/fakebin"
	# a copy that dies half-way: the destination exists, the copy fails
	# shellcheck disable=SC2016  # a script, expanded when it runs
	printf '#!/bin/sh\nfor a; do d=$a; done\nmkdir -p "$d"\nexit 1\n' > "$tmp/fakebin/cp"
	chmod +x "$tmp/fakebin/cp"
	PATCHES=() OVERLAY_FILES=()
	o=$(mktemp -d "$tmp/ov.XXXX")
	(PATH=$tmp/fakebin:$PATH OVERLAY=$o prepare_tree) > "$tmp/pt.out" 2>&1 || rc=$?
	rm -rf "$tmp/fakebin"
	[ "$rc" -eq 1 ] && [ ! -f "$TREE/.allocbench-overlay" ] &&
		[ ! -f "$TREE.allocbench-tmp/.allocbench-overlay" ]
)

# patches= may name several series: they are applied in the order given
# (a variant that adds one change names its parent's series first), the
# second one on top of the first; a series named twice is a usage error.
t_lib_stacked_series() (
	lib_env
	mkdir -p "$KERNELS/variants" "$KERNELS/patches/base" "$KERNELS/patches/top"
	mkpatch "$KERNELS/patches/base/0001-two.patch" "two to TWO" two TWO
	mkpatch "$KERNELS/patches/top/0001-again.patch" "TWO to 2" TWO 2
	printf 'base=linux-source-6.1\npatches=base top\n' > "$KERNELS/variants/stacked"
	printf 'base=linux-source-6.1\npatches=top base\n' > "$KERNELS/variants/reversed"
	printf 'base=linux-source-6.1\npatches=base base\n' > "$KERNELS/variants/twice"
	local o
	read_variant stacked
	[ "${V_PATCHDIRS[*]}" = "base top" ] || return 1
	V=stacked resolve_inputs
	[ "${PATCHES[*]}" = "$KERNELS/patches/base/0001-two.patch $KERNELS/patches/top/0001-again.patch" ] || return 1
	o=$(mktemp -d "$tmp/ov.XXXX")
	apply_patches "$o" > /dev/null || return 1
	grep -qx 2 "$o/kernel/bpf/hashtab.c" || return 1
	# the other order cannot apply: the second patch's context is missing
	read_variant reversed
	V=reversed resolve_inputs
	o=$(mktemp -d "$tmp/ov.XXXX")
	! (apply_patches "$o" > /dev/null 2>&1) || return 1
	! (read_variant twice 2> "$tmp/twice.err") || return 1
	grep -q "'base' is named twice" "$tmp/twice.err"
)

t_lib_patch_does_not_apply() (
	lib_env
	local p1=$tmp/0001-a.patch p2=$tmp/0002-b.patch o rc=0
	mkpatch "$p1" "a" two TWO
	mkpatch "$p2" "b" two again   # context no longer matches after 0001
	PATCHES=("$p1" "$p2")
	o=$(mktemp -d "$tmp/ov.XXXX")
	(apply_patches "$o") > "$tmp/ap.out" 2>&1 || rc=$?
	[ "$rc" -eq 1 ] && grep -q "FAILED: patch $p2 does not apply" "$tmp/ap.out" &&
		! grep -q "patch $p1 does not apply" "$tmp/ap.out"
)

# --if-needed keeps a build whose build.json records the current inputs and
# redoes one whose base version, fragments or outputs differ.
t_lib_up_to_date() (
	lib_env
	local p=$tmp/0001-change-two.patch
	mkpatch "$p" "change two" two TWO
	V_BASE=linux-source-6.12 out=$tmp/utd/kernels/toy
	printf 'CONFIG_A=y\n' > "$tmp/f1.config"
	PATCHES=("$p") CONFIG_FILES=("$tmp/f1.config")
	rm -rf "$tmp/utd"
	mkdir -p "$out" "$BUILD/src/$V_BASE"
	echo "$V_BASE 6.12.1-1 abc" > "$BUILD/src/$V_BASE/.allocbench-source"
	echo kernel > "$out/bzImage"
	echo config > "$out/config"
	jq -n --arg b "$(sha256_of "$out/bzImage")" --arg c "$(sha256_of "$out/config")" \
		--argjson p "$(inputs_json PATCHES)" --argjson f "$(inputs_json CONFIG_FILES)" \
		'{base: {package: "linux-source-6.12", version: "6.12.1-1"},
		  patches: $p, configs: $f, bzimage_sha256: $b, config_sha256: $c}' \
		> "$out/build.json"
	# stale WHY: up_to_date says no, and why
	stale() { ! up_to_date > "$tmp/utd.out" && grep -q "$1" "$tmp/utd.out"; }
	up_to_date > /dev/null || { echo "  a current build is not up to date" >&2; return 1; }
	echo "$V_BASE 6.12.2-1 abc" > "$BUILD/src/$V_BASE/.allocbench-source"
	stale 'built from linux-source-6.12 6.12.1-1, the source is linux-source-6.12 6.12.2-1' ||
		return 1
	echo "$V_BASE 6.12.1-1 abc" > "$BUILD/src/$V_BASE/.allocbench-source"
	printf 'CONFIG_A=n\n' > "$tmp/f1.config"
	stale 'config fragments changed' || return 1
	printf 'CONFIG_A=y\n' > "$tmp/f1.config"
	up_to_date > /dev/null || return 1
	echo other > "$out/bzImage"
	stale 'bzImage or config is not the one' || return 1
	rm -f "$out/build.json"
	stale 'no complete earlier build'
)

t_lib_config_check() (
	lib_env
	printf 'CONFIG_A=y\nCONFIG_N=128\n# CONFIG_C is not set\nCONFIG_D=y\n' > "$tmp/f1.config"
	printf 'CONFIG_D=n_is_not_this\n# CONFIG_D is not set\n' > "$tmp/f2.config"
	CONFIG_FILES=("$tmp/f1.config" "$tmp/f2.config")
	[ "$(requested_options "${CONFIG_FILES[@]}" | awk '$1 == "CONFIG_D" { print $2 }')" = n ] ||
		return 1
	printf 'CONFIG_A=y\nCONFIG_N=128\n# CONFIG_D is not set\n' > "$TREE/.config"
	(check_config) > "$tmp/cc.out" 2>&1 || return 1
	printf 'CONFIG_A=y\nCONFIG_N=64\nCONFIG_C=y\n' > "$TREE/.config"
	local rc=0
	(check_config) > "$tmp/cc.out" 2>&1 || rc=$?
	[ "$rc" -eq 1 ] &&
		grep -q "CONFIG_N=128 requested by $tmp/f1.config, final .config has CONFIG_N=64" "$tmp/cc.out" &&
		grep -q "CONFIG_C=n requested by $tmp/f1.config, final .config has CONFIG_C=y" "$tmp/cc.out" &&
		! grep -q "CONFIG_A" "$tmp/cc.out"
)

t_base_config() {
	local want
	for want in CONFIG_64BIT=y CONFIG_SMP=y CONFIG_BPF_SYSCALL=y CONFIG_BPF_JIT=y \
		CONFIG_DEBUG_INFO_BTF=y CONFIG_BPF_EVENTS=y CONFIG_PERF_EVENTS=y \
		CONFIG_KPROBE_EVENTS=y CONFIG_MEMCG=y CONFIG_CGROUP_BPF=y CONFIG_NET=y \
		CONFIG_SERIAL_8250_CONSOLE=y CONFIG_BLK_DEV_INITRD=y CONFIG_FUTEX=y \
		CONFIG_KALLSYMS_ALL=y CONFIG_DEBUG_FS=y CONFIG_SLUB=y; do
		grep -qx "$want" kernels/configs/base.config || { echo "  no $want" >&2; return 1; }
	done
	[ "$(awk -F= '$1 == "CONFIG_NR_CPUS" { print $2 }' kernels/configs/base.config)" -ge 128 ]
}

for t in t_shellcheck t_declarations t_unknown_variant t_bad_declarations \
	t_hostile_declarations t_unknown_base t_missing_base_fragment t_make_variant_names \
	t_dry_run t_dry_run_612 t_lib_patch_and_sync \
	t_lib_stale_tree_tmp t_lib_failed_copy_not_ready \
	t_lib_stacked_series t_lib_patch_does_not_apply t_lib_up_to_date t_lib_config_check t_base_config; do
	if "$t"; then ok "$t"; else bad "$t"; fi
done
echo "test-kbuild: $pass passed, $failed failed"
[ "$failed" -eq 0 ]

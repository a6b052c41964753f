#!/usr/bin/env bash
# Faults in the kernel build pipeline (runners/fetch-source,
# runners/build-kernel), on a toy source package: a .deb that holds a tiny
# "kernel" tree whose Makefile writes a bzImage in no time, served by fake
# apt-cache/apt-get; every path lives under the private $T, and the kernel
# make lock is private too.
#   1. fetch-source killed in the middle of the unpack, then run again
#   2. two first fetches of the same base at the same time
#   3. fetch-source while a build reads the unpacked source
#   4. build-kernel killed in the middle of the first copy of the tree
#   5. hostile declarations: paths, globs, command substitutions, links out
#      of kernels/
# shellcheck source=tests/faults/lib.sh
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
for c in dpkg-deb xz flock make ccache jq setsid; do
	command -v "$c" > /dev/null || skip "no $c"
done
BUILD=$T/b
export BUILD KERNELS_DIR=$T/k KBUILD_LOCK=$T/kbuild.lock SUITE_SHA=toy
PKG=linux-source-6.1
SRC=$BUILD/src/$PKG
TREE=$BUILD/ktree/$PKG
REAL_CP=$(command -v cp)
REAL_XZ=$(command -v xz)

# --- the toy source package and the fakes ----------------------------------
toy=$T/toy/$PKG
mkdir -p "$toy/scripts/kconfig" "$toy/kernel/bpf"
cat > "$toy/Makefile" <<'EOF'
tinyconfig:
	@echo '# toy tinyconfig' > .config
olddefconfig:
	@true
bzImage:
	@mkdir -p arch/x86/boot include/config
	@echo '  CC      kernel/toy.o'
	@echo toy > arch/x86/boot/bzImage
	@echo 6.1.0$(LOCALVERSION) > include/config/kernel.release
EOF
# shellcheck disable=SC2016  # a script, expanded when it runs
printf '#!/bin/sh\n[ "$1" != -m ] || shift\nout=$1; shift\ncat "$@" >> "$out"\n' \
	> "$toy/scripts/kconfig/merge_config.sh"
chmod +x "$toy/scripts/kconfig/merge_config.sh"
printf 'one\ntwo\nthree\n' > "$toy/kernel/bpf/hashtab.c"
for i in $(seq 1 300); do
	head -c 2000 /dev/urandom | base64 > "$toy/kernel/f$i.c"
done
deb=$T/toy.deb
mkdir -p "$T/pkg/DEBIAN" "$T/pkg/usr/src"
tar -cJf "$T/pkg/usr/src/$PKG.tar.xz" -C "$T/toy" "$PKG"
(cd "$T/pkg" && md5sum "usr/src/$PKG.tar.xz" > DEBIAN/md5sums)
printf 'Package: %s\nVersion: 6.1.0-toy\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: toy\n' \
	"$PKG" > "$T/pkg/DEBIAN/control"
dpkg-deb -Zgzip --root-owner-group --build "$T/pkg" "$deb" > /dev/null
deb_sha=$(sha256sum "$deb" | cut -d' ' -f1)

fake=$T/fakebin
mkdir -p "$fake"
printf '#!/bin/sh\nprintf "Package: %s\\nVersion: 6.1.0-toy\\nSHA256: %s\\n"\n' \
	"$PKG" "$deb_sha" > "$fake/apt-cache"
# apt-get download: the first call waits while $T/gate exists (it says so
# in $T/in-download); every call counts itself in $T/downloads.
cat > "$fake/apt-get" <<EOF
#!/bin/sh
echo x >> "$T/downloads"
if [ -e "$T/gate" ] && mkdir "$T/gate.taken" 2>/dev/null; then
	: > "$T/in-download"
	while [ -e "$T/gate" ]; do sleep 0.05; done
fi
"$REAL_CP" "$deb" "./${PKG}_6.1.0-toy_all.deb"
EOF
# xz -d: with $T/kill-xz, pass on the start of the stream, then kill the
# process group in $T/victim.pid (fetch-source with its tar and xz).
cat > "$fake/xz" <<EOF
#!/bin/bash
[ -e "$T/kill-xz" ] || exec "$REAL_XZ" "\$@"
rm -f "$T/kill-xz"
"$REAL_XZ" "\$@" | head -c 300000
while [ ! -s "$T/victim.pid" ]; do sleep 0.05; done
kill -KILL -- -"\$(cat "$T/victim.pid")"
exit 1
EOF
# cp to the tree's temporary copy $TREE.allocbench-tmp: with $T/cp-kill, copy a part and kill
# the process group in $T/victim.pid; with $T/cp-pause, say so in
# $T/copying and wait while $T/cp-pause exists.
cat > "$fake/cp" <<EOF
#!/bin/bash
for a; do src=\$dst dst=\$a; done
case "\$dst" in
"$TREE.allocbench-tmp")
	if [ -e "$T/cp-kill" ]; then
		rm -f "$T/cp-kill"
		mkdir -p "\$dst"
		"$REAL_CP" -a "\$src/kernel" "\$dst/"
		while [ ! -s "$T/victim.pid" ]; do sleep 0.05; done
		kill -KILL -- -"\$(cat "$T/victim.pid")"
		exit 1
	fi
	if [ -e "$T/cp-pause" ]; then
		: > "$T/copying"
		while [ -e "$T/cp-pause" ]; do sleep 0.05; done
	fi ;;
esac
exec "$REAL_CP" "\$@"
EOF
chmod +x "$fake"/*
export PATH=$fake:$PATH

mkdir -p "$T/k/variants" "$T/k/configs" "$T/k/patches" "$T/outside"
printf 'CONFIG_TOY=y\n' > "$T/k/configs/base.config"
mkdir -p "$T/k/patches/toy"
printf 'Subject: [PATCH] toy\n---\n--- a/kernel/bpf/hashtab.c\n+++ b/kernel/bpf/hashtab.c\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n' \
	> "$T/k/patches/toy/0001-toy.patch"
printf 'description=toy\nbase=%s\npatches=toy\nconfigs=\n' "$PKG" > "$T/k/variants/toy"

# start NAME CMD...: run CMD in its own process group, in the background;
# its pid in $T/victim.pid and $pid, its output in $T/NAME.out.
start() {
	local name=$1
	shift
	rm -f "$T/victim.pid"
	setsid "$@" > "$T/$name.out" 2>&1 < /dev/null &
	pid=$!
	echo "$pid" > "$T/victim.pid"
}

# wait_for FILE: until FILE exists (10 s at most).
wait_for() {
	local i
	for i in $(seq 1 200); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	fail "$1 did not appear"
}

fetch() { "$ROOT/runners/fetch-source" "$PKG"; }
build() { "$ROOT/runners/build-kernel" "$@"; }

# fresh_source: a private build directory with the toy source unpacked.
fresh_source() {
	rm -rf "$BUILD"
	fetch > "$T/fresh.out" 2>&1 || fail "fetch-source: $(cat "$T/fresh.out")"
}

# the unpacked source is the toy tree, stamped, not nested, nothing left over
source_complete() {
	[ -f "$SRC/.allocbench-source" ] || fail "$1: $SRC has no stamp"
	if [ -e "$SRC/tree" ] || [ -e "$SRC/$PKG" ]; then
		fail "$1: the source is nested in $SRC"
	fi
	diff -r -x .allocbench-source "$toy" "$SRC" > "$T/diff" ||
		fail "$1: $SRC differs from the package: $(head -n 3 "$T/diff")"
	! compgen -G "$BUILD/src/.unpack*" > /dev/null ||
		fail "$1: temporaries left in $BUILD/src: $(echo "$BUILD"/src/.unpack*)"
}

# --- 1. fetch-source killed in the middle of the unpack --------------------
fetch_killed() {
	rm -rf "$BUILD"
	: > "$T/kill-xz"
	start fetch1 "$ROOT/runners/fetch-source" "$PKG"
	fault "fetch-source killed while unpacking"
	wait "$pid" 2> /dev/null || true
	[ ! -f "$SRC/.allocbench-source" ] || fail "the kill came too late: $SRC is complete"
	compgen -G "$BUILD/src/.unpack*" > /dev/null || fail "the kill left no partial unpack behind: $(cat "$T/fetch1.out")"
	fetch > "$T/fetch1b.out" 2>&1 || fail "fetch-source after the kill: $(cat "$T/fetch1b.out")"
	source_complete "rerun after a killed unpack"
	survived "fetch-source rerun after a kill: the source is complete, no temporaries left"
}

# --- 2. two first fetches at once ------------------------------------------
two_fetches() {
	local a b ready_ino
	rm -rf "$BUILD"
	rm -f "$T/downloads" "$T/in-download"
	rmdir "$T/gate.taken" 2> /dev/null || true
	: > "$T/gate"
	fetch > "$T/fetchA.out" 2>&1 &
	a=$!
	wait_for "$T/in-download"
	fault "a second fetch-source while the first is still downloading"
	fetch > "$T/fetchB.out" 2>&1 &
	b=$!
	sleep 2
	ready_ino=''
	if ! kill -0 "$b" 2> /dev/null; then
		# B says the source is ready: it must stay so while A ends
		wait "$b" || fail "fetch-source B: $(cat "$T/fetchB.out")"
		ready_ino=$(stat -c %i "$SRC")
	fi
	rm -f "$T/gate"
	wait "$a" || fail "fetch-source A: $(cat "$T/fetchA.out")"
	[ -n "$ready_ino" ] || wait "$b" || fail "fetch-source B: $(cat "$T/fetchB.out")"
	if [ -n "$ready_ino" ] && [ "$(stat -c %i "$SRC")" != "$ready_ino" ]; then
		fail "$SRC was replaced after fetch-source B had reported it ready"
	fi
	source_complete "two fetches at once"
	if ! grep -qx "$PKG 6.1.0-toy" "$T/fetchA.out" || ! grep -qx "$PKG 6.1.0-toy" "$T/fetchB.out"; then
		fail "both fetch-sources should print '$PKG 6.1.0-toy'"
	fi
	[ "$(grep -c . "$T/downloads")" -eq 1 ] || fail "the package was downloaded $(grep -c . "$T/downloads") times"
	survived "two fetches at once: one download, one unpack, the ready source never replaced"
}

# --- 3. fetch-source while a build reads the source ------------------------
fetch_while_building() {
	local ino reader f
	fresh_source
	: > "$T/cp-pause"
	start build3 "$ROOT/runners/build-kernel" toy
	wait_for "$T/copying"
	fault "fetch-source may replace the source while a build copies it"
	if flock -n -x "$SRC.lock" true; then
		rm -f "$T/cp-pause"
		fail "a build copying $SRC does not hold $SRC.lock"
	fi
	rm -f "$T/cp-pause"
	wait "$pid" || fail "the toy build failed: $(cat "$T/build3.out")"
	[ -s "$BUILD/kernels/toy/bzImage" ] || fail "the toy build left no bzImage"
	# a reader holds the lock; the source has lost its stamp (incomplete):
	# fetch-source must wait for the reader before it replaces anything
	ino=$(stat -c %i "$SRC")
	rm -f "$SRC/.allocbench-source" "$T/reading"
	: > "$T/hold"
	# shellcheck disable=SC2016  # expanded by sh -c
	flock -s "$SRC.lock" sh -c ': > "$1/reading"; while [ -e "$1/hold" ]; do sleep 0.05; done' \
		sh "$T" &
	reader=$!
	wait_for "$T/reading"
	fetch > "$T/fetch3.out" 2>&1 &
	f=$!
	sleep 1
	if ! kill -0 "$f" 2> /dev/null || [ "$(stat -c %i "$SRC")" != "$ino" ]; then
		rm -f "$T/hold"
		fail "fetch-source replaced $SRC while a reader held $SRC.lock"
	fi
	rm -f "$T/hold"
	wait "$reader"
	wait "$f" || fail "fetch-source after the reader: $(cat "$T/fetch3.out")"
	source_complete "fetch-source after a reader"
	survived "a build holds the source lock while it reads; fetch-source waits for it"
}

# --- 4. build-kernel killed in the middle of the first tree copy -----------
tree_copy_killed() {
	fresh_source
	: > "$T/cp-kill"
	start build4 "$ROOT/runners/build-kernel" toy
	fault "build-kernel killed while copying the source into the tree"
	wait "$pid" 2> /dev/null || true
	[ -e "$TREE.allocbench-tmp" ] || fail "the kill left no partial copy behind"
	[ ! -f "$TREE/.allocbench-overlay" ] || fail "the tree is marked ready after a killed copy"
	build toy > "$T/build4b.out" 2>&1 || fail "build after the kill: $(cat "$T/build4b.out")"
	if [ -e "$TREE/$PKG" ] || [ -e "$TREE/$PKG.allocbench-tmp" ]; then
		fail "the source is nested in $TREE"
	fi
	[ ! -e "$TREE.allocbench-tmp" ] || fail "$TREE.allocbench-tmp is still there"
	diff -r -x '.allocbench-*' -x .config -x arch -x include -x hashtab.c "$toy" "$TREE" > "$T/diff" ||
		fail "$TREE differs from the source: $(head -n 3 "$T/diff")"
	grep -qx TWO "$TREE/kernel/bpf/hashtab.c" || fail "the toy patch is not in $TREE"
	if [ ! -f "$TREE/.allocbench-overlay" ] || [ ! -s "$BUILD/kernels/toy/bzImage" ]; then
		fail "no ready tree or no bzImage after the rerun"
	fi
	survived "build-kernel rerun after a killed copy: the tree is complete and not nested"
}

# --- 5. hostile declarations -----------------------------------------------
# hostile NAME KEY DECLARATION: build-kernel NAME refuses the declaration
# with one line naming it and KEY, exit 2, and reads or runs nothing outside
# kernels/ (traced with strace where there is one).
hostile() {
	local name=$1 key=$2 rc=0 tracer=()
	printf 'description=hostile\n%b\n' "${3//PWNED/$T/pwned}" > "$T/k/variants/$name"
	fault "hostile declaration $name: $(tail -n 1 "$T/k/variants/$name")"
	if command -v strace > /dev/null && strace -f -qq -o /dev/null true 2> /dev/null; then
		tracer=(strace -f -qq -e "trace=open,openat,openat2,execve" -o "$T/trace")
	fi
	rm -f "$T/trace"
	# run where a glob would find a link out of kernels/
	(cd "$T/k/configs" && "${tracer[@]}" "$ROOT/runners/build-kernel" "$name") \
		> "$T/hostile.out" 2>&1 < /dev/null || rc=$?
	[ ! -e "$T/pwned" ] || fail "$name: the declaration ran a command"
	if [ -f "$T/trace" ] &&
		grep -E "open.*($T/outside|secret)|execve\(\"[^\"]*/touch\"" "$T/trace" > "$T/bad"; then
		fail "$name: read or ran something outside kernels/: $(head -n 2 "$T/bad")"
	fi
	[ "$rc" -eq 2 ] || fail "$name: exit $rc, wanted 2: $(cat "$T/hostile.out")"
	if [ "$(wc -l < "$T/hostile.out")" -ne 1 ] ||
		! grep -qF "$T/k/variants/$name" "$T/hostile.out" ||
		! grep -q ": $key: " "$T/hostile.out"; then
		fail "$name: wanted one line naming the declaration and '$key': $(cat "$T/hostile.out")"
	fi
	[ ! -e "$BUILD/kernels/$name" ] || fail "$name: a build started"
	echo "    $(cat "$T/hostile.out")"
	survived "hostile declaration $name refused, nothing outside kernels/ read or run"
}

hostile_declarations() {
	local name key decl bad=0
	fresh_source
	# a secret outside kernels/, reachable by a relative path, by a glob run
	# in the directory holding a link to it, or by a link
	echo CONFIG_SECRET=y > "$T/outside/secret.config"
	mkdir -p "$T/outside/0001-x.patch"
	ln -sf "$T/outside/secret.config" "$T/k/configs/escape.config"
	ln -sfn "$T/outside" "$T/k/patches/escape"
	printf 'Subject: [PATCH] x\n+++ b/x\n' > "$T/outside/x.patch"
	mkdir -p "$T/k/patches/linked"
	ln -sf "$T/outside/x.patch" "$T/k/patches/linked/0001-x.patch"
	while IFS='|' read -r name key decl; do
		(hostile "$name" "$key" "$decl") || bad=$((bad + 1))
	done <<-'EOF'
	cfg-dotdot|configs|base=linux-source-6.1\nconfigs=../../outside/secret.config
	cfg-glob|configs|base=linux-source-6.1\nconfigs=*
	cfg-subst|configs|base=linux-source-6.1\nconfigs=$(touch PWNED)
	cfg-link|configs|base=linux-source-6.1\nconfigs=escape.config
	pat-dotdot|patches|base=linux-source-6.1\npatches=../../outside
	pat-link|patches|base=linux-source-6.1\npatches=escape
	pat-file-link|patches|base=linux-source-6.1\npatches=linked
	pat-space|patches|base=linux-source-6.1\npatches=a $(touch PWNED)
	base-dotdot|base|base=linux-source-6.1/../../../outside
	EOF
	[ "$bad" -eq 0 ] || fail "$bad hostile declaration(s) not refused cleanly"
}

# Each part in a subshell: a failed check ends its part, not the others.
failed=0
for part in fetch_killed two_fetches fetch_while_building tree_copy_killed \
	hostile_declarations; do
	echo "  -- $part"
	("$part") || failed=$((failed + 1))
done
[ "$failed" -eq 0 ] || fail "$failed part(s) failed"

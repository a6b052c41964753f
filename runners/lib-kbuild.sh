# shellcheck shell=bash
# Functions of runners/build-kernel. Sourced, never run.  Expects BUILD,
# KERNELS, DRY_RUN, JOBS, KBUILD_LOCK, V, and (for the build steps) out and
# log from the caller.
# shellcheck disable=SC2154,SC2153

say() { echo "[$V] $*"; }
usage_error() { echo "build-kernel: $*" >&2; exit 2; }
fail() { echo "[$V] FAILED: $*" >&2; exit 1; }

# The bases a declaration may name, each with its per-base config fragment
# (a file under $KERNELS/configs/, merged right after base.config for that
# base only; empty: none). A base that is not listed is refused: a new
# release gets a line here once its final .config has been compared with
# the others' (kernels/README.md, "Bases").
declare -gA BASE_FRAGMENTS=(
	[linux-source-6.1]=''
	[linux-source-6.12]=base-6.12.config
)

# known_bases: the listed bases, in version order, on one line.
known_bases() { printf '%s\n' "${!BASE_FRAGMENTS[@]}" | sort -V | paste -sd' '; }

# A name in a declaration (variant, patch directory, config fragment) is a
# plain file name: no '/', no '..', no glob or shell character.
NAME_RE='^[A-Za-z0-9][A-Za-z0-9._+-]*$'
plain_name() { [[ "$1" =~ $NAME_RE && "$1" != *..* ]]; }

# bad_decl WHERE KEY WHAT: a malformed declaration, one line, exit 2;
# every part of it may come from the file, so none is printed raw.
bad_decl() {
	local LC_ALL=C
	usage_error "${1//[^[:print:]]/?}: ${2//[^[:print:]]/?}: ${3//[^[:print:]]/?}"
}

# inside PATH DIR: PATH, links resolved, is DIR or lies below it (PATH need
# not exist).
inside() {
	local p d
	p=$(realpath -m -- "$1") && d=$(realpath -m -- "$2") || return 1
	[[ "$p" == "$d" || "$p" == "$d"/* ]]
}

# decl_words WHERE KEY WHAT VALUE: the words of VALUE (split on blanks by
# read -a, never glob-expanded) into DECL_WORDS, each a plain name that
# resolves under $KERNELS/KEY/ and is named once; anything else is
# bad_decl naming WHERE and KEY (WHAT: "directory name", "file name").
decl_words() {
	local where=$1 key=$2 what=$3 w
	local -a words
	DECL_WORDS=()
	read -r -a words <<< "$4"
	for w in "${words[@]}"; do
		plain_name "$w" ||
			bad_decl "$where" "$key" "'$w' is not a $what under $KERNELS/$key/ (letters, digits, '._+-'; no '/', no '..')"
		inside "$KERNELS/$key/$w" "$KERNELS/$key" ||
			bad_decl "$where" "$key" "$KERNELS/$key/$w resolves outside $KERNELS/$key/"
		[[ " ${DECL_WORDS[*]} " != *" $w "* ]] ||
			bad_decl "$where" "$key" "'$w' is named twice"
		DECL_WORDS+=("$w")
	done
}

# read_variant NAME: parse kernels/variants/NAME (KEY=VALUE lines, never
# sourced, no word of it glob-expanded). Every name must be a plain name
# that resolves under $KERNELS/patches or $KERNELS/configs. Unknown variant
# or malformed declaration: one line naming the file and the key, exit 2.
# Sets V_DESC V_BASE and the arrays V_PATCHDIRS and V_CONFIGS.
read_variant() {
	local name=$1 file=$KERNELS/variants/$1 line key val n=0 frag
	local -a words
	local -A seen=()
	# bytes, not characters: in a UTF-8 locale bash's read takes an
	# invalid sequence followed by a newline as one character and joins
	# two lines
	local LC_ALL=C
	plain_name "$name" || usage_error "'${name//[^[:print:]]/?}' is not a variant name"
	[ -f "$file" ] || usage_error "unknown variant '$name' (no $file; see $KERNELS/variants/)"
	V_DESC='' V_BASE='' V_PATCHDIRS=() V_CONFIGS=()
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		line=${line%%#*}
		line=${line%"${line##*[![:space:]]}"}
		line=${line#"${line%%[![:space:]]*}"}
		[ -n "$line" ] || continue
		[[ "$line" == *=* ]] || usage_error "$file:$n: not KEY=VALUE: ${line//[^[:print:]]/?}"
		key=${line%%=*} val=${line#*=}
		val=${val#"${val%%[![:space:]]*}"}
		case "$key" in
		description|base|patches|configs|unsupported|test_only) ;;
		*) bad_decl "$file:$n" "$key" "unknown key '$key' (description, base, patches, configs, unsupported, test_only)" ;;
		esac
		[ -z "${seen[$key]:-}" ] || bad_decl "$file:$n" "$key" "given twice (also on line ${seen[$key]})"
		seen[$key]=$n
		case "$key" in
		description) V_DESC=$val ;;
		base)
			[[ "$val" =~ ^linux-source-[0-9]+(\.[0-9]+)*$ ]] ||
				bad_decl "$file:$n" base "'$val' is not a linux-source-X.Y package"
			[[ -v "BASE_FRAGMENTS[$val]" ]] ||
				bad_decl "$file:$n" base "unknown base '$val' (known: $(known_bases); a new one is added to BASE_FRAGMENTS in runners/lib-kbuild.sh)"
			V_BASE=$val ;;
		patches)
			# one or more series, applied in the order given: a
			# variant that adds one change to another variant's
			# series names both (patches=qp-trie qp-trie-rcu)
			decl_words "$file:$n" patches "directory name" "$val"
			V_PATCHDIRS=("${DECL_WORDS[@]}") ;;
		configs)
			decl_words "$file:$n" configs "file name" "$val"
			V_CONFIGS=("${DECL_WORDS[@]}") ;;
		test_only)
			# a kernel for the suite's own tests: built and booted
			# only when named, never by default (make run, matrix)
			[[ "$val" =~ ^[01]$ ]] || bad_decl "$file:$n" test_only "want 0 or 1, not '$val'" ;;
		unsupported)
			# points this variant cannot run by design, for
			# compare (not the build): WORKLOAD[:KEY=VALUE,...]
			read -r -a words <<< "$val"
			for frag in "${words[@]}"; do
				[[ "$frag" =~ ^[a-z0-9_]+(:[a-z0-9_]+=[A-Za-z0-9._+-]+(,[a-z0-9_]+=[A-Za-z0-9._+-]+)*)?$ ]] ||
					bad_decl "$file:$n" unsupported "'$frag' is not WORKLOAD[:KEY=VALUE,...]"
			done ;;
		esac
	done < "$file"
	[ -n "$V_BASE" ] || bad_decl "$file" base "no base= line"
}

# resolve_inputs: the ordered patch files and config fragments of the
# variant. A declared but missing patch directory or fragment is a build
# failure of this variant (exit 1) that names the missing path; a patch
# file that is a link out of its directory is a bad declaration (exit 2).
resolve_inputs() {
	local dir f frag n
	PATCHES=()
	for dir in "${V_PATCHDIRS[@]}"; do
		dir=$KERNELS/patches/$dir
		[ -d "$dir" ] || fail "patch directory $dir is missing (declared by $KERNELS/variants/$V)"
		n=${#PATCHES[@]}
		for f in "$dir"/[0-9][0-9][0-9][0-9]-*.patch; do
			[ -f "$f" ] || continue
			inside "$f" "$dir" ||
				bad_decl "$KERNELS/variants/$V" patches "$f resolves outside $dir/"
			PATCHES+=("$f")
		done
		[ ${#PATCHES[@]} -gt "$n" ] || fail "patch directory $dir holds no NNNN-*.patch file"
	done
	for f in "${PATCHES[@]}"; do
		grep -q '^Subject: ..*' "$f" ||
			fail "patch $f has no description (no 'Subject:' line; use git format-patch)"
		grep -q '^+++ ' "$f" || fail "patch $f holds no diff"
	done
	CONFIG_FILES=("$KERNELS/configs/base.config")
	frag=${BASE_FRAGMENTS[$V_BASE]}
	if [ -n "$frag" ]; then
		f=$KERNELS/configs/$frag
		[ -f "$f" ] || fail "per-base config fragment $f is missing (every $V_BASE variant uses it)"
		CONFIG_FILES+=("$f")
	fi
	for frag in "${V_CONFIGS[@]}"; do
		f=$KERNELS/configs/$frag
		[ -f "$f" ] || fail "config fragment $f is missing (declared by $KERNELS/variants/$V)"
		CONFIG_FILES+=("$f")
	done
	[ -f "${CONFIG_FILES[0]}" ] || fail "${CONFIG_FILES[0]} is missing"
}

# take_lock FD WHAT [-s]: flock FD (shared with -s); when that has to wait,
# say what it waits for first. Status 1 when it waited.
take_lock() {
	local fd=$1 what=$2
	shift 2
	flock -n "$@" "$fd" && return 0
	say "waiting for $what"
	flock "$@" "$fd"
	return 1
}

# hold_source / release_source: a shared lock on $PRISTINE.lock around
# every read of the pristine source (patches, the tree's first copy, the
# sync). runners/fetch-source replaces an unpacked source only under an
# exclusive lock on the same file, so a build never sees it half-replaced.
hold_source() {
	exec {SOURCE_LOCK}>> "$PRISTINE.lock"
	take_lock "$SOURCE_LOCK" "$PRISTINE (runners/fetch-source is unpacking it)" -s || true
	[ -f "$PRISTINE/.allocbench-source" ] ||
		fail "$PRISTINE is not a complete source (no .allocbench-source; run runners/fetch-source $V_BASE)"
}

release_source() {
	flock -u "$SOURCE_LOCK"
	exec {SOURCE_LOCK}>&-
}

# The make command line every kernel make uses: same CC, same fixed build
# identity, so that generated headers are identical from build to build.
KMAKE_ARGS=(ARCH=x86_64 "CC=ccache gcc" "HOSTCC=ccache gcc"
	"KBUILD_BUILD_TIMESTAMP=Sun Jan  1 00:00:00 UTC 2023" KBUILD_BUILD_USER=allocbench
	KBUILD_BUILD_HOST=allocbench KBUILD_BUILD_VERSION=1)

ccache_env() {
	local b
	b=$(cd "$BUILD" && pwd)
	export CCACHE_DIR=$b/ccache CCACHE_BASEDIR=$b CCACHE_NOHASHDIR=1
	export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
	export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
}

# kmake ARGS...: one kernel make in $TREE under the machine-wide kernel
# build lock (the same as `flock $KBUILD_LOCK nice make ...`); the seconds
# spent waiting for the lock add up in LOCK_WAIT.
LOCK_WAIT=0
kmake() {
	local lk t0 rc=0
	exec {lk}>> "$KBUILD_LOCK"
	t0=$(date +%s)
	flock "$lk"
	LOCK_WAIT=$(( LOCK_WAIT + $(date +%s) - t0 ))
	echo "### $(date -u +%H:%M:%S) make $*"
	nice make -C "$TREE" "${KMAKE_ARGS[@]}" LOCALVERSION="-$V" "$@" || rc=$?
	echo "### $(date -u +%H:%M:%S) make exit $rc"
	flock -u "$lk"
	exec {lk}>&-
	return "$rc"
}

abs_path() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }

# show ARGS...: print one command, shell-quoted, for --dry-run.
show() {
	printf ' '
	printf ' %q' "$@"
	echo
}

dry_run_plan() {
	local p tree=$BUILD/ktree/$V_BASE b
	b=$(cd "$BUILD" 2>/dev/null && pwd || echo "$BUILD")
	echo "  flock -s $BUILD/src/$V_BASE.lock  # held while the pristine source is read"
	echo "  [ -f $tree/.allocbench-overlay ] || { rm -rf $tree $tree.allocbench-tmp;" \
		"cp -a -T $BUILD/src/$V_BASE $tree.allocbench-tmp; mv -T $tree.allocbench-tmp $tree;" \
		": > $tree/.allocbench-overlay; }"
	for p in "${PATCHES[@]}"; do
		show patch -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch \
			--reject-file=- -d OVERLAY -i "$p"
	done
	echo "  # copy into $tree the overlay files whose content differs; restore the last variant's"
	show export "CCACHE_DIR=$b/ccache" "CCACHE_BASEDIR=$b" CCACHE_NOHASHDIR=1 \
		CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
	show flock "$KBUILD_LOCK" nice make -C "$tree" "${KMAKE_ARGS[@]}" "LOCALVERSION=-$V" tinyconfig
	show cd "$tree"
	local f abs=()
	for f in "${CONFIG_FILES[@]}"; do abs+=("$(abs_path "$f")"); done
	show scripts/kconfig/merge_config.sh -m .config "${abs[@]}"
	show cd -
	show flock "$KBUILD_LOCK" nice make -C "$tree" "${KMAKE_ARGS[@]}" "LOCALVERSION=-$V" olddefconfig
	show flock "$KBUILD_LOCK" nice make -C "$tree" "${KMAKE_ARGS[@]}" "LOCALVERSION=-$V" "-j$JOBS" bzImage
	show cp "$tree/arch/x86/boot/bzImage" "$BUILD/kernels/$V/bzImage"
	show cp "$tree/.config" "$BUILD/kernels/$V/config"
}

# patch_files PATCH: the paths (relative to the tree) a patch touches.
patch_files() {
	awk '
	/^diff --git a\// { print substr($3, 3); print substr($4, 3); next }
	/^(rename|copy) (from|to) / { print $3; next }
	/^--- a\// { print substr($2, 3); next }
	/^\+\+\+ b\// { print substr($2, 3); next }
	' "$1"
}

# apply_patches DIR: apply the series to copies of the pristine files it
# touches, in DIR. The working tree is not touched, so a series that fails
# leaves it as it was. Sets OVERLAY_FILES (sorted, unique).
apply_patches() {
	local dir=$1 p f list=$1.files
	: > "$list"
	for p in "${PATCHES[@]}"; do
		patch_files "$p" >> "$list"
	done
	sort -u -o "$list" "$list"
	while IFS= read -r f; do
		case "$f" in
		/*|*..*) fail "patch series names a path outside the tree: $f" ;;
		esac
		if [ -f "$PRISTINE/$f" ] && [ ! -e "$dir/$f" ]; then
			mkdir -p "$dir/$(dirname "$f")"
			cp "$PRISTINE/$f" "$dir/$f"
		fi
	done < "$list"
	for p in "${PATCHES[@]}"; do
		say "patch $(basename "$p")"
		if ! patch -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch \
			--reject-file=- -d "$dir" -i "$(abs_path "$p")" \
			>> "$log" 2>&1; then
			fail "patch $p does not apply to ${V_BASE:-the base} ${BASE_VERSION:-} (log: $log)"
		fi
	done
	mapfile -t OVERLAY_FILES < "$list"
	rm -f "$list"
}

# sync_file F SRC_ROOT: make $TREE/F equal to SRC_ROOT/F (or absent). A file
# is rewritten only when its content differs, so its mtime, and with it
# kbuild's idea of what to recompile, changes only then.
sync_file() {
	local f=$1 src=$2/$1 dst=$TREE/$1
	if [ -e "$src" ]; then
		if [ -e "$dst" ] && cmp -s "$src" "$dst"; then
			return 1
		fi
		mkdir -p "$(dirname "$dst")"
		cp "$src" "$dst.allocbench-tmp"
		mv -f "$dst.allocbench-tmp" "$dst"
		return 0
	fi
	[ -e "$dst" ] || return 1
	rm -f "$dst"
}

# prepare_tree: create $TREE from the pristine source once; then make it
# pristine + this variant's overlay. $TREE/.allocbench-overlay lists the
# files the last variant changed; those are restored unless this variant
# changes them too. It also marks the tree ready: it is written only after
# a complete copy was renamed to $TREE, so a copy that was interrupted, or
# failed, is started again from scratch (a tree without it is removed, and
# so is a temporary copy left behind).
prepare_tree() {
	local state=$TREE/.allocbench-overlay tmp=$TREE.allocbench-tmp f changed=0
	local -A mine=()
	if [ ! -f "$state" ]; then
		say "tree $TREE (fresh copy of $PRISTINE)"
		rm -rf "$TREE" "$tmp" || fail "cannot remove the unfinished tree $TREE or $tmp"
		# -T: copy onto $tmp itself, never into a directory of that name
		cp -a -T "$PRISTINE" "$tmp" || fail "copying $PRISTINE to $tmp failed"
		rm -f "$tmp/.allocbench-source"
		mv -T "$tmp" "$TREE" || fail "renaming $tmp to $TREE failed"
		: > "$state" || fail "cannot mark $TREE ready"
	fi
	for f in "${OVERLAY_FILES[@]}"; do
		mine[$f]=1
	done
	# Until the sync ends, the state lists both sets, so an interrupted
	# sync is finished by the next run.
	sort -u "$state" <(printf '%s\n' "${OVERLAY_FILES[@]}") |
		sed '/^$/d' > "$state.new"
	mv -f "$state.new" "$state"
	while IFS= read -r f; do
		if [ -n "${mine[$f]:-}" ]; then
			sync_file "$f" "$OVERLAY" && changed=$((changed + 1))
		else
			sync_file "$f" "$PRISTINE" && changed=$((changed + 1))
		fi
	done < "$state"
	printf '%s\n' "${OVERLAY_FILES[@]}" | sed '/^$/d' > "$state.new"
	mv -f "$state.new" "$state"
	echo "$V" > "$TREE/.allocbench-variant"
	say "tree $TREE: ${#OVERLAY_FILES[@]} patched files, $changed rewritten"
}

# requested_options FILES...: "SYMBOL VALUE" for every option the fragments
# set, the last fragment winning ("n" for "is not set").
requested_options() {
	awk '
	/^CONFIG_[A-Za-z0-9_]+=/ {
		i = index($0, "="); s = substr($0, 1, i - 1)
		val[s] = substr($0, i + 1); from[s] = FILENAME
		if (!(s in seen)) { seen[s] = 1; order[n++] = s }
	}
	/^# CONFIG_[A-Za-z0-9_]+ is not set/ {
		s = $2; val[s] = "n"; from[s] = FILENAME
		if (!(s in seen)) { seen[s] = 1; order[n++] = s }
	}
	END { for (i = 0; i < n; i++) print order[i], val[order[i]], from[order[i]] }
	' "$@"
}

# check_config: every requested option must have its value in .config.
check_config() {
	local sym want from have bad=0
	local -A final=()
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*) final[${line%%=*}]=${line#*=} ;;
		esac
	done < "$TREE/.config"
	while read -r sym want from; do
		have=${final[$sym]:-n}
		[ "$have" = "$want" ] && continue
		echo "[$V] config: $sym=$want requested by $from, final .config has" \
			"$( [ "$have" = n ] && echo "it unset" || echo "$sym=$have")" >&2
		bad=1
	done < <(requested_options "${CONFIG_FILES[@]}")
	[ "$bad" -eq 0 ] || fail "requested config options were lost (see above; log: $log)"
}

# config_key: a hash of everything the final .config is made from: the base,
# the fragments, the make arguments and every Kconfig file this variant's
# patches change. Two variants with the same key get the same .config.
config_key() {
	local f
	{
		echo "$V_BASE ${BASE_VERSION:-} ${KMAKE_ARGS[*]}"
		for f in "${CONFIG_FILES[@]}"; do
			sha256sum < "$f"
		done
		for f in "${OVERLAY_FILES[@]}"; do
			case "$f" in
			Kconfig*|*/Kconfig*|arch/*/configs/*|kernel/configs/*|scripts/kconfig/*)
				echo "$f"
				if [ -f "$OVERLAY/$f" ]; then sha256sum < "$OVERLAY/$f"; fi ;;
			esac
		done
	} | sha256sum | cut -d' ' -f1
}

configure_tree() {
	local frag abs=() key keyfile=$TREE/.allocbench-config-key
	key=$(config_key)
	if [ -f "$TREE/.config" ] && [ -f "$keyfile" ] && [ "$(cat "$keyfile")" = "$key" ]; then
		say "config unchanged (same fragments and Kconfig as the tree's last build)"
		check_config
		return 0
	fi
	rm -f "$keyfile"
	say "config tinyconfig + ${CONFIG_FILES[*]}"
	for frag in "${CONFIG_FILES[@]}"; do
		abs+=("$(abs_path "$frag")")
	done
	{
		kmake tinyconfig &&
		(cd "$TREE" && scripts/kconfig/merge_config.sh -m .config "${abs[@]}") &&
		kmake olddefconfig
	} >> "$log" 2>&1 || fail "configuring failed (log: $log)"
	check_config
	echo "$key" > "$keyfile"
}

# expected_objects TREE: how many objects ("  CC" lines in the log, as
# build.json's compiled_objects counts them) the coming build of $V in TREE
# will compile, estimated from earlier builds' build.json; nothing when
# there is no basis. kbuild prints "  CC" for a ccache hit too, so a warm
# cache changes the time, not the count.
#   - TREE holds no vmlinux (a first build there compiles everything): the
#     largest compiled_objects of a full build (build_kind "full", or no
#     build_kind: older build.json) of any variant of the same base
#   - else only what changed since the tree's last build is compiled: this
#     variant's own count if its last build was incremental, else the
#     latest incremental build of the same base (switching variants
#     recompiles about the same files each time)
# Called before the variant's old build.json is removed.
expected_objects() {
	local tree=$1 f
	local -a js=()
	for f in "$BUILD"/kernels/*/build.json; do
		[ -f "$f" ] && js+=("$f")
	done
	[ ${#js[@]} -gt 0 ] || return 0
	if [ ! -e "$tree/vmlinux" ]; then
		jq -s -r --arg b "$V_BASE" '[.[] | select(.base.package == $b
			and (.build_kind // "full") == "full") | .compiled_objects
			| numbers | select(. > 0)] | max // empty' "${js[@]}" 2>/dev/null || true
	else
		jq -s -r --arg b "$V_BASE" --arg v "$V" '[.[] | select(.base.package == $b
			and .build_kind == "incremental" and (.compiled_objects | type) == "number")]
			| ((map(select(.variant == $v)) | .[0]) // (sort_by(.built_at) | last))
			| .compiled_objects // empty' "${js[@]}" 2>/dev/null || true
	fi
}

# mmss SECONDS: "4:05", "1:02:03".
mmss() {
	if [ "$1" -ge 3600 ]; then
		printf '%d:%02d:%02d' $(($1 / 3600)) $(($1 % 3600 / 60)) $(($1 % 60))
	else
		printf '%d:%02d' $(($1 / 60)) $(($1 % 60))
	fi
}

# build_progress OFFSET EXPECTED: while make runs (in the background; TERM
# ends it), the objects compiled so far (the log's "  CC" lines past byte
# OFFSET), out of EXPECTED (see expected_objects; may be empty), the time
# since make started (after the kernel build lock) and an estimate of the
# time left (the objects left at the rate so far; "linking" once the count
# is reached; no estimate once the count is passed). On a terminal one line rewritten in place (\r) once a
# second; else a plain line every 30 s or every 10 %. The last state is
# printed when it ends.
build_progress() {
	local off=$1 want=$2 tty='' t0='' ended='' now waited=0 n=0 shown=0 last=0 dec=0 pct line left sl=''
	[ -t 1 ] && tty=1
	[[ "$want" =~ ^[1-9][0-9]{0,8}$ ]] || want=''
	progress_line() {
		line="[$V] build: $n"
		if [ -n "$want" ] && [ "$n" -gt "$want" ]; then
			# more than the earlier builds had: no estimate left
			line+=" objects (more than the $want expected), $(mmss $((now - t0))) elapsed"
			[ -z "$ended" ] || line+=", make ended"
		elif [ -n "$want" ]; then
			pct=$((n * 100 / want))
			[ "$pct" -le 99 ] || pct=99
			line+="/$want objects ($pct %), $(mmss $((now - t0))) elapsed"
			if [ -n "$ended" ]; then
				line+=", make ended"
			elif [ "$n" -ge "$want" ]; then
				line+=", linking"
			elif [ "$n" -gt 0 ] && [ $((now - t0)) -gt 0 ]; then
				left=$(((want - n) * (now - t0) / n))
				line+=", about $(mmss "$left") left"
			fi
		else
			line+=" objects, $(mmss $((now - t0))) elapsed (no earlier $BUILD_KIND build of $V_BASE to estimate from)"
		fi
	}
	emit() {
		if [ -n "$tty" ]; then
			printf '\r%s\033[K' "$line"
		else
			printf '%s\n' "$line"
		fi
	}
	finish_progress() {
		[ -z "$sl" ] || kill "$sl" 2>/dev/null || true
		if [ -n "$t0" ]; then
			now=$(date +%s) ended=1
			n=$(grep -c '^  CC ' < <(tail -c +$((off + 1)) "$log") || true)
			progress_line
			if [ -n "$tty" ]; then
				emit
				echo
			fi
		fi
		exit 0
	}
	trap finish_progress TERM
	# build-kernel stopped by a signal (a background job ignores SIGINT):
	# end with it
	while kill -0 "$$" 2>/dev/null; do
		now=$(date +%s)
		if [ -z "$t0" ]; then
			if grep -q '^### .* make ' < <(tail -c +$((off + 1)) "$log"); then
				t0=$now last=$now shown=0
			elif [ $((waited += 1)) -eq 5 ]; then
				say "waiting for $KBUILD_LOCK (another kernel build holds it)"
			fi
		fi
		if [ -n "$t0" ]; then
			n=$(grep -c '^  CC ' < <(tail -c +$((off + 1)) "$log") || true)
			progress_line
			if [ -n "$tty" ]; then
				emit
			else
				dec=0
				[ -z "$want" ] || dec=$((n * 10 / want))
				[ "$dec" -le 10 ] || dec=10	# past the estimate: every 30 s
				if [ $((now - last)) -ge 30 ] || [ "$dec" -gt "$shown" ]; then
					emit
					last=$now shown=$dec
				fi
			fi
		fi
		sleep 1 &
		sl=$!
		wait "$sl" || true
	done
}

compile_tree() {
	local mon rc=0
	say "build -j$JOBS (log: $log)"
	# shellcheck disable=SC2034  # recorded by publish_outputs
	if [ -e "$TREE/vmlinux" ]; then BUILD_KIND=incremental; else BUILD_KIND=full; fi
	build_progress "$(stat -c %s "$log")" "${EXPECTED_OBJECTS:-}" &
	mon=$!
	kmake -j"$JOBS" bzImage >> "$log" 2>&1 || rc=$?
	kill "$mon" 2>/dev/null
	wait "$mon" 2>/dev/null || true
	if [ "$rc" -ne 0 ]; then
		grep -E 'error|Error' "$log" | tail -n 5 >&2 || true
		fail "kernel build failed (log: $log)"
	fi
}

ccache_stat() {
	ccache --print-stats | awk -v k="$1" '$1 == k { print $2 }'
}

ccache_hits() {
	echo $(( $(ccache_stat direct_cache_hit) + $(ccache_stat preprocessed_cache_hit) ))
}

# ccache_snapshot: remember the counters, publish_outputs reports the delta.
ccache_snapshot() {
	CCACHE_HITS0=$(ccache_hits)
	CCACHE_MISSES0=$(ccache_stat cache_miss)
}

# json_pairs: "name<TAB>sha256" lines on stdin to a JSON array.
json_pairs() {
	jq -R -s 'split("\n") | map(select(length > 0) | split("\t") |
		{file: .[0], sha256: .[1]})'
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# inputs_json ARRAY: the files of the named array (PATCHES, CONFIG_FILES)
# with their sha256, as build.json records them.
inputs_json() {
	local -n files=$1
	local f
	for f in "${files[@]}"; do
		printf '%s\t%s\n' "$f" "$(sha256_of "$f")"
	done | json_pairs
}

# up_to_date: build/kernels/$V holds a kernel made from what the
# declaration asks for now: the unpacked base's version, the same patch
# files and fragments (by sha256), and the bzImage and config build.json
# names. Says why not when it is not.
up_to_date() {
	local j=$out/build.json stamp=$BUILD/src/$V_BASE/.allocbench-source ver want have
	if [ ! -f "$j" ] || [ ! -f "$out/bzImage" ] || [ ! -f "$out/config" ]; then
		say "no complete earlier build in $out"
		return 1
	fi
	[ -f "$stamp" ] || { say "$V_BASE is not unpacked yet"; return 1; }
	read -r _ ver _ < "$stamp"
	have=$(jq -r '"\(.base.package) \(.base.version)"' "$j") || return 1
	[ "$have" = "$V_BASE $ver" ] ||
		{ say "built from $have, the source is $V_BASE $ver"; return 1; }
	want=$(jq -c -n --argjson p "$(inputs_json PATCHES)" --argjson c "$(inputs_json CONFIG_FILES)" \
		'{patches: $p, configs: $c}')
	have=$(jq -c '{patches, configs}' "$j")
	[ "$have" = "$want" ] || { say "patches or config fragments changed since $j"; return 1; }
	[ "$(jq -r '"\(.bzimage_sha256) \(.config_sha256)"' "$j")" = \
		"$(sha256_of "$out/bzImage") $(sha256_of "$out/config")" ] ||
		{ say "$out/bzImage or config is not the one $j names"; return 1; }
}

publish_outputs() {
	local start=$1 secs release hits misses compiled patches configs
	secs=$(( $(date +%s) - start - LOCK_WAIT ))
	# shellcheck disable=SC2034  # printed by build-kernel
	BUILD_SECONDS=$secs
	# what `make kernelrelease` prints, as the build wrote it (no make, no lock)
	release=$(cat "$TREE/include/config/kernel.release")
	hits=$(( $(ccache_hits) - CCACHE_HITS0 ))
	misses=$(( $(ccache_stat cache_miss) - CCACHE_MISSES0 ))
	compiled=$(grep -c '^  CC ' "$log" || true)
	patches=$(inputs_json PATCHES)
	configs=$(inputs_json CONFIG_FILES)
	cp "$TREE/arch/x86/boot/bzImage" "$out/bzImage.tmp"
	cp "$TREE/.config" "$out/config.tmp"
	jq -n --arg variant "$V" --arg description "$V_DESC" \
		--arg package "$V_BASE" --arg version "$BASE_VERSION" \
		--arg deb_sha256 "$BASE_DEB_SHA" \
		--argjson patches "$patches" --argjson configs "$configs" \
		--arg config_sha256 "$(sha256_of "$out/config.tmp")" \
		--arg bzimage_sha256 "$(sha256_of "$out/bzImage.tmp")" \
		--arg kernel_release "$release" --argjson build_seconds "$secs" --argjson lock_wait "$LOCK_WAIT" \
		--argjson hits "$hits" --argjson misses "$misses" \
		--argjson compiled "$compiled" --argjson jobs "$JOBS" \
		--arg build_kind "${BUILD_KIND:-}" \
		--arg compiler "$(gcc --version | head -n 1)" \
		--arg suite_sha "${SUITE_SHA:-$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)}" \
		--arg built_at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		--arg tree "$TREE" \
		'{variant: $variant, description: $description,
		  base: {package: $package, version: $version, deb_sha256: $deb_sha256},
		  patches: $patches, configs: $configs,
		  config_sha256: $config_sha256, bzimage_sha256: $bzimage_sha256,
		  kernel_release: $kernel_release, build_seconds: $build_seconds,
		  lock_wait_seconds: $lock_wait,
		  jobs: $jobs, compiled_objects: $compiled,
		  build_kind: (if $build_kind == "" then null else $build_kind end),
		  ccache: {hits: $hits, misses: $misses,
			   hit_rate: (if $hits + $misses > 0
				      then ($hits / ($hits + $misses) * 1000 | round) / 1000
				      else null end)},
		  compiler: $compiler, suite_sha: $suite_sha, built_at: $built_at,
		  tree: $tree}' > "$out/build.json.tmp"
	mv -f "$out/config.tmp" "$out/config"
	mv -f "$out/bzImage.tmp" "$out/bzImage"
	mv -f "$out/build.json.tmp" "$out/build.json"
	say "bzImage $out/bzImage ($release, $((hits)) ccache hits / $((misses)) misses, $compiled objects compiled)"
}

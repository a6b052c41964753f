# shellcheck shell=bash
# Helpers shared by the runner scripts (matrix, vm-run, kvm-probe,
# mkinitramfs, fetch-distro-kernel). Sourced, never executed.

# Repository root: the parent of the directory holding this file.
VM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VM_BUILD="${BUILD:-build}"
case "$VM_BUILD" in
/*) ;;
*) VM_BUILD="$VM_ROOT/$VM_BUILD" ;;
esac
VM_PROG="$(basename "$0")"

# A user mistake: one line on stderr, exit status 2.
vm_usage_error()
{
	echo "$VM_PROG: $*" >&2
	exit 2
}

# Anything else that stops the script: one line on stderr, exit status 1.
vm_die()
{
	echo "$VM_PROG: $*" >&2
	exit 1
}

vm_log()
{
	echo "$VM_PROG: $*" >&2
}

# Print a command as a shell would need it typed (for --dry-run).
vm_print_cmd()
{
	local out="" a
	for a in "$@"; do
		out+="$(printf '%q' "$a") "
	done
	echo "${out% }"
}

# A string safe to embed in a JSON string without escaping.
vm_json_safe()
{
	[[ "$1" =~ ^[][A-Za-z0-9\ ._:+~/@=,\(\)-]*$ ]]
}

# The machine this verdict or measurement belongs to: hostname, host
# kernel release and CPU model, reduced to a file-name-safe key.
vm_machine_key()
{
	local host rel cpu
	host="$(hostname 2>/dev/null || echo unknown)"
	rel="$(uname -r)"
	cpu="$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	printf '%s_%s_%s' "$host" "$rel" "${cpu:-unknown}" |
		tr -c 'A-Za-z0-9._-' '_'
}

# A free file name: PATH if absent, else PATH.1, PATH.2, ...
vm_fresh_name()
{
	local base="$1" n=1 p="$1"
	while [[ -e "$p" ]]; do
		p="$base.$n"
		n=$((n + 1))
	done
	echo "$p"
}

# The qemu CPU model for an accelerator.
vm_cpu_model()
{
	if [[ "$1" == kvm ]]; then
		echo host
	else
		echo max
	fi
}

# --help: the comment block under the script's first line.
vm_help()
{
	awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
	exit 0
}

# Is FILE empty or does it end with a newline (not a half line)?
vm_ends_in_newline()
{
	[[ ! -s "$1" || "$(tail -c 1 "$1" | od -An -tx1)" == *0a* ]]
}

# Text from a guest or a failed command, made fit for a record: stdin to
# stdout line by line, control characters removed (a tab becomes a space, a
# CR goes), each line cut to VM_LINE_MAX bytes, then bytes that are not
# UTF-8 dropped (a character the cut split goes too).
VM_LINE_MAX=1000
vm_clean_lines()
{
	LC_ALL=C tr -d '\000-\010\013-\037\177' | LC_ALL=C tr '\t' ' ' |
		LC_ALL=C cut -b "1-$VM_LINE_MAX" |
		{ iconv -f UTF-8 -t UTF-8 -c 2>/dev/null || true; }
}

# The last non-empty line of FILE, cleaned (nothing when there is none).
vm_last_line()
{
	[[ -s "$1" ]] || return 0
	grep -v '^[[:space:]]*$' "$1" | tail -n 1 | vm_clean_lines || true
}

# vm_record_failed BIN RUN_DIR REASON ARG...: append to RUN_DIR a failed
# record of the point that ARG... (allocbench run's options) describes,
# with REASON made one clean line. Returns non-zero when no record could be
# stored (allocbench says why on stderr).
vm_record_failed()
{
	local bin="$1" dir="$2" reason rec
	reason="$(printf '%s' "$3" | tr '\n' ' ' | vm_clean_lines)"
	shift 3
	# `fail` exits 1 (status failed) after printing the record.
	rec="$("$bin" fail "$@" --reason "${reason:-no reason given}")" || true
	[[ -n "$rec" ]] || return 1
	printf '%s\n' "$rec" | "$bin" results append "$dir"
}

# Children that a trapped signal must not wait for: vm_start_child runs
# CMD... in the background (stdin as the caller's, not /dev/null) and keeps
# its pid in VM_CHILD; vm_wait_child waits for it through trapped signals
# (a signal interrupts `wait` at once, so the trap can stop VM_CHILD) and
# returns its exit status; vm_run_child does both.
VM_CHILD=""
vm_start_child()
{
	"$@" <&0 &
	VM_CHILD=$!
}

vm_wait_child()
{
	local rc=0
	[[ -n "$VM_CHILD" ]] || return 0
	while kill -0 "$VM_CHILD" 2>/dev/null; do
		wait "$VM_CHILD" 2>/dev/null || true
	done
	wait "$VM_CHILD" 2>/dev/null || rc=$?
	VM_CHILD=""
	return "$rc"
}

vm_run_child()
{
	vm_start_child "$@"
	vm_wait_child
}

# The signal name of an exit status 128 + N for HUP, INT and TERM (the
# ones that stop a run), else nothing.
vm_stop_signal()
{
	case "$1" in
	129) echo HUP ;;
	130) echo INT ;;
	143) echo TERM ;;
	esac
}

# Read a guest console; print one line per point, tab-separated:
#   POINT_ID  begun|over|ended  RC|-  FIRST_BAD_LINE
# where FIRST_BAD_LINE is the first panic, BUG, WARNING, RCU stall or hung
# task line inside the point's stretch (from its begin marker to its end
# marker, else to the next begin or done marker; timestamp removed), then
#   -  outside  -  the first such line outside every point
#   +  anywhere -  the first such line at all
#   =  release  -  the guest's kernel release (from the start marker)
# A marker counts only as a whole line (CR removed): a marker text inside a
# kernel line, or one that a kernel message cut in two, is no marker, and
# neither is the console's last line when power-off cut it (no newline).
# "over": the point began and the guest went on to the next point (or said
# done) without a readable end marker. Lines are cleaned (vm_clean_lines):
# valid UTF-8, no control characters, at most VM_LINE_MAX bytes.
vm_scan_console()
{
	local half=0
	vm_ends_in_newline "$1" || half=1
	vm_clean_lines < "$1" | awk -v half="$half" -v OFS='\t' '
	function clean(s) {
		sub(/^.*\[ *[0-9]+\.[0-9]+\] /, "", s)
		return s
	}
	function mark(id, s) {
		if (!(id in st)) order[n++] = id
		st[id] = s
	}
	# The point that was running is over: the guest went on without its end.
	function leave() {
		if (cur != "" && st[cur] == "begun") st[cur] = "over"
		cur = ""
	}
	function line(s, whole,   id, rc, key) {
		if (whole && rel == "" && s ~ /^allocbench-guest: start kernel=[^ ]+( .*)?$/) {
			rel = s; sub(/^allocbench-guest: start kernel=/, "", rel); sub(/ .*/, "", rel)
			return
		}
		if (whole && s ~ /^allocbench-guest: begin [^ ]+$/) {
			leave()
			cur = s; sub(/^allocbench-guest: begin /, "", cur)
			mark(cur, "begun")
			return
		}
		if (whole && s ~ /^allocbench-guest: end [^ ]+ rc=[0-9]+$/) {
			id = s; sub(/^allocbench-guest: end /, "", id)
			rc = id; sub(/ .*/, "", id); sub(/.* rc=/, "", rc)
			mark(id, "ended"); code[id] = rc; cur = ""
			return
		}
		if (whole && s == "allocbench-guest: done") {
			leave()
			return
		}
		if (s ~ /Kernel panic|BUG:|WARNING:|rcu: INFO: rcu_[a-z]+ detected stalls|rcu_[a-z]+ self-detected stall|INFO: task .* blocked for more than/) {
			key = (cur == "") ? "-" : cur
			if (!(key in badl)) badl[key] = clean(s)
			if (first == "") first = clean(s)
		}
	}
	NR > 1 { line(prev, 1) }
	{ prev = $0 }
	END {
		if (NR > 0) line(prev, !half)
		for (i = 0; i < n; i++)
			print order[i], st[order[i]], (order[i] in code) ? code[order[i]] : "-", badl[order[i]]
		print "-", "outside", "-", badl["-"]
		print "+", "anywhere", "-", first
		print "=", "release", "-", rel
	}'
}

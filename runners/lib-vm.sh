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

# --- Console WARNINGs a variant prints on purpose ---------------------------
# kernels/console-allow/VARIANT lists, one a line (# comments), the exact
# message texts of WARNING blocks that variant's kernel prints by design
# (kmalloc-rcu: v6.0's WARN_ONCE when a trace type program is given a
# run-time allocated hash map). Nothing else is allowed: a WARNING with
# another text, a BUG, a panic or a stall still fails.

# vm_console_allow_file VARIANT: the variant's allow file, or nothing.
vm_console_allow_file()
{
	local f
	f="${VM_CONSOLE_ALLOW_DIR:-$(dirname "${BASH_SOURCE[0]}")/../kernels/console-allow}/$1"
	[[ -n "$1" && "$1" != */* && -f "$f" ]] && echo "$f"
	return 0
}

# vm_drop_allowed_warnings [ALLOW_FILE]: copy a cleaned console from stdin
# to stdout, but replace each allowed WARNING block by one line
# "allowed kernel warning: MESSAGE". A block is allowed when the kernel
# line right after its "------------[ cut here ]------------" is one of
# ALLOW_FILE's texts (timestamp removed, compared whole), the next kernel
# line is its "WARNING: " line, and its "---[ end trace" line comes within
# 100 lines; its kernel lines (those with a timestamp) are dropped, other
# lines inside it (the guest's own output, markers) are kept. Anything else
# is copied unchanged, so the scanner sees it.
vm_drop_allowed_warnings()
{
	local allow="${1:-}"
	if [[ -z "$allow" ]]; then
		cat
		return 0
	fi
	awk -v allow="$allow" '
	BEGIN {
		while ((getline l < allow) > 0) {
			if (l ~ /^#/ || l ~ /^[[:space:]]*$/) continue
			ok[l] = 1
		}
		close(allow)
	}
	function text(s) {
		if (s !~ /^\[ *[0-9]+\.[0-9]+\] /) return ""
		sub(/^\[ *[0-9]+\.[0-9]+\] /, "", s)
		return s
	}
	function flush(   i) {
		for (i = 0; i < nb; i++) print buf[i]
		nb = 0; state = 0
	}
	{
		t = text($0)
		if (state == 0) {
			if (t == "------------[ cut here ]------------") {
				buf[nb++] = $0; state = 1; kept = ""; nk = 0
			} else
				print
			next
		}
		buf[nb++] = $0
		if (t == "") {
			kept = kept $0 "\n"
		} else if (state == 1) {
			if (t in ok) { msg = t; state = 2 } else flush()
		} else if (state == 2) {
			if (t ~ /^WARNING: /) state = 3; else flush()
		} else if (t ~ /^---\[ end trace/) {
			print "allowed kernel warning: " msg
			printf "%s", kept
			nb = 0; state = 0
		}
		if (state != 0 && nb > 100) flush()
	}
	END { flush() }'
}

# Read a guest console; print one line per point, tab-separated:
#   POINT_ID  begun|over|ended  RC|-  FIRST_BAD_LINE
# where FIRST_BAD_LINE is the first panic, BUG, WARNING, RCU stall or hung
# task line inside the point's stretch (from its begin marker to its end
# marker, else to the next begin or done marker; timestamp removed), else,
# when the guest stopped the point at its timeout ("allocbench-guest:
# timeout POINT_ID after N s"), "timeout after N s in the guest ...", then
#   -  outside  -  the first such line outside every point
#   +  anywhere -  the first such line at all
#   =  release  -  the guest's kernel release (from the start marker)
# A marker counts only as a whole line (CR removed): a marker text inside a
# kernel line, or one that a kernel message cut in two, is no marker, and
# neither is the console's last line when power-off cut it (no newline).
# "over": the point began and the guest went on to the next point (or said
# done) without a readable end marker. Lines are cleaned (vm_clean_lines):
# valid UTF-8, no control characters, at most VM_LINE_MAX bytes. WARNING
# blocks the variant (from the start marker's variant=) prints on purpose,
# as kernels/console-allow/VARIANT lists them by their exact text, are not
# problems (vm_drop_allowed_warnings); VM_CONSOLE_ALLOW names another
# allow file.
vm_scan_console()
{
	local half=0 allow="${VM_CONSOLE_ALLOW:-}" var
	vm_ends_in_newline "$1" || half=1
	if [[ -z "$allow" ]]; then
		var="$(vm_clean_lines < "$1" |
			sed -n 's/^allocbench-guest: start kernel=[^ ]* .*variant=\([^ ]*\).*$/\1/p' |
			head -n 1)"
		allow="$(vm_console_allow_file "$var")"
	fi
	vm_clean_lines < "$1" | vm_drop_allowed_warnings "$allow" |
		awk -v half="$half" -v OFS='\t' '
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
		if (whole && s ~ /^allocbench-guest: timeout [^ ]+ after [0-9]+ s$/) {
			id = s; sub(/^allocbench-guest: timeout /, "", id); sub(/ .*/, "", id)
			rc = s; sub(/.* after /, "", rc)
			if (!(id in tmo))
				tmo[id] = "timeout after " rc " in the guest: it stopped the point and went on"
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
		for (i = 0; i < n; i++) {
			id = order[i]
			print id, st[id], (id in code) ? code[id] : "-",
				(badl[id] == "" && id in tmo) ? tmo[id] : badl[id]
		}
		print "-", "outside", "-", badl["-"]
		print "+", "anywhere", "-", first
		print "=", "release", "-", rel
	}'
}

# --- Guests with more vCPUs than the host has CPUs ---------------------------
# The host CPUs that qemu's vCPU threads share: VM_HOST_CPUS (tests set it
# to play another machine) or the CPUs this process may run on.
vm_host_cpus()
{
	local n="${VM_HOST_CPUS:-}"
	[[ "$n" =~ ^[1-9][0-9]{0,5}$ ]] || n="$(nproc)"
	echo "$n"
}

# vm_overcommit VCPUS HOST_CPUS: vCPUs per host CPU as "36x" (one decimal
# when not whole: "1.5x") when VCPUS > HOST_CPUS; nothing otherwise.
vm_overcommit()
{
	(($1 > $2)) || return 0
	awk -v v="$1" -v h="$2" 'BEGIN {
		r = v / h
		if (r == int(r)) printf "%dx\n", r; else printf "%.1fx\n", r
	}'
}

# vm_overcommit_args VCPUS HOST_CPUS [LPJ]: the kernel arguments of a TCG
# guest whose vCPUs overcommit the host CPUs (nothing when they do not).
# Under TCG every vCPU is a host thread; R = ceil(VCPUS / HOST_CPUS) of them
# take turns on each host CPU, so a vCPU that holds a lock can sit
# descheduled for seconds while the others spin on it, and the guest's
# detectors, which count wall-clock seconds, take that for a lockup:
#   tsc=reliable   every vCPU's TSC is the host's clock, in step by
#                  construction; without it the kernel distrusts the TSC
#                  of the emulated (AMD, no invariant TSC) CPU and keeps
#                  time with the HPET, whose every read is an emulated
#                  device access under qemu's global lock, made inside
#                  the timekeeping lock: at 72 vCPUs a null point stalled
#                  RCU with every CPU spinning in timekeeping_advance
#   lpj=LPJ        the BSP's loops-per-jiffy for every CPU, as a probe boot
#                  measured it: each CPU otherwise calibrates its delay
#                  loop against jiffies that the host starves (a boot at
#                  -smp 32 took 24-44 s instead of 5)
#   watchdog_thresh=min(60, 10 R)          soft lockup after 2x that (20 s)
#   rcupdate.rcu_cpu_stall_timeout=min(300, 21 R)     RCU stall (21 s)
# (the kernel's defaults in brackets, 60 and 300 their documented maxima).
# Detectors are scaled, not switched off: a lockup or stall that outlasts
# the scaled time is still printed, and vm_scan_console still fails its
# point.
vm_overcommit_args()
{
	local v="$1" h="$2" lpj="${3:-}" r wd rcu
	(($1 > $2)) || return 0
	r=$(((v + h - 1) / h))
	wd=$((10 * r > 60 ? 60 : 10 * r))
	rcu=$((21 * r > 300 ? 300 : 21 * r))
	printf 'tsc=reliable%s watchdog_thresh=%d rcupdate.rcu_cpu_stall_timeout=%d\n' \
		"${lpj:+ lpj=$lpj}" "$wd" "$rcu"
}

# vm_boot_allowance ACCEL VCPUS HOST_CPUS: seconds from qemu's start to the
# first point's begin marker before the boot counts as hung. KVM: 30 s.
# TCG: 90 s, plus VCPUS x ceil(VCPUS / HOST_CPUS) / 8 when the vCPUs
# overcommit the host. Measured on a 2-CPU host (TCG, bpf-ma, a loaded
# machine): without lpj= the boot grew with the square of the vCPUs (2.7 s
# at -smp 2, 9 s at 16, 24-54 s at 32, 183 s at 72); with the overcommit
# arguments 2.4-2.8 s at 2, 3-5 s at 16, 5-8 s at 32, 10-64 s at 72 (the
# TSC refinement and clocksource switch wait for every vCPU). 72 vCPUs on 2
# CPUs get 414 s, 32 get 154 s.
vm_boot_allowance()
{
	local r=$((($2 + $3 - 1) / $3))
	if [[ "$1" == kvm ]]; then
		echo 30
	elif (($2 <= $3)); then
		echo 90
	else
		echo $((90 + $2 * r / 8))
	fi
}

# vm_point_slack ACCEL THREADS VCPUS HOST_CPUS: seconds a point may take
# beyond its warmup and duration (setup, stopping its threads, teardown,
# its record) before the guest stops it. KVM: 15 + THREADS; TCG: 45 + 3 x
# THREADS, plus VCPUS / 4 when the vCPUs overcommit the host (RCU grace
# periods and per-CPU work grow with the vCPUs, whatever the point's
# threads). Measured in a 72-vCPU guest on 2 CPUs (warmup 1 + duration 2):
# null 5-6 s up to 32 threads and 45 s at 72; htab_churn overwrite prealloc
# 5 s up to 32 and 11 s at 72; noprealloc 5 s at 1 thread, 17 s at 8 and
# 78 s at 16, and at 72 single test runs of 1024 updates took over 150 s
# (soft lockups past 120 s): such a point does not finish however long it
# is given; add_del_on_diff_cpu noprealloc at 72 took 63 s. Every point
# that finished fits 45 + 3 x THREADS.
vm_point_slack()
{
	local t="$2"
	if [[ "$1" == kvm ]]; then
		echo $((15 + t))
	elif (($3 <= $4)); then
		echo $((45 + 3 * t))
	else
		echo $((45 + 3 * t + $3 / 4))
	fi
}

# shellcheck shell=bash
# Helpers shared by the VM runner scripts (vm-run, kvm-probe, mkinitramfs,
# fetch-distro-kernel). Sourced, never executed.

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

# Read a guest console; print one line per point, tab-separated:
#   POINT_ID  begun|ended  RC|-  FIRST_BAD_LINE
# where FIRST_BAD_LINE is the first panic, BUG, WARNING, RCU stall or hung
# task line inside the point's begin..end stretch (timestamp removed), then
#   -  outside  -  the first such line outside every point
#   +  anywhere -  the first such line at all
#   =  release  -  the guest's kernel release (from the start marker)
vm_scan_console()
{
	tr -d '\r' < "$1" | awk -v OFS='\t' '
	function clean(s) {
		sub(/^.*\[ *[0-9]+\.[0-9]+\] /, "", s)
		gsub(/\t/, " ", s)
		return s
	}
	/allocbench-guest: start kernel=/ && rel == "" {
		rel = $0; sub(/.*allocbench-guest: start kernel=/, "", rel); sub(/[ \t].*/, "", rel)
	}
	/allocbench-guest: begin / {
		cur = $0; sub(/.*allocbench-guest: begin /, "", cur); sub(/[ \t].*/, "", cur)
		if (!(cur in st)) order[n++] = cur
		st[cur] = "begun"; next
	}
	/allocbench-guest: end / {
		id = $0; sub(/.*allocbench-guest: end /, "", id)
		rc = id; sub(/[ \t].*/, "", id); sub(/.* rc=/, "", rc); sub(/[^0-9].*/, "", rc)
		if (rc == "") rc = "?"
		if (!(id in st)) order[n++] = id
		st[id] = "ended"; code[id] = rc; cur = ""; next
	}
	/Kernel panic|BUG:|WARNING:|rcu: INFO: rcu_[a-z]+ detected stalls|rcu_[a-z]+ self-detected stall|INFO: task .* blocked for more than/ {
		key = (cur == "") ? "-" : cur
		if (!(key in badl)) badl[key] = clean($0)
		if (first == "") first = clean($0)
	}
	END {
		for (i = 0; i < n; i++)
			print order[i], st[order[i]], (order[i] in code) ? code[order[i]] : "-", badl[order[i]]
		print "-", "outside", "-", badl["-"]
		print "+", "anywhere", "-", first
		print "=", "release", "-", rel
	}'
}

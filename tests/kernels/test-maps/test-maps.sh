#!/usr/bin/env bash
# test-maps.sh [VARIANT...]: run the hash-map part of the kernel's own
# test_maps (vm-test-maps.sh) in the guest of each VARIANT (default: every
# declared 6.1 variant but test-only ones) whose kernel is built; a variant
# that is not built is skipped with the reason. Prints one line per
# variant and writes build/test-maps/summary.json:
#   {"schema_version": 1, "variants": [{"variant", "status":
#    "pass"|"fail"|"skipped", "reason", "wall_seconds", "tests_failed"}]}
# Exit 0 when every variant that ran passed, 1 otherwise, 2 bad usage.
# Env as vm-test-maps.sh (BUILD, MEM, TIMEOUT, TESTS).
set -euo pipefail

BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
out=$BUILD/test-maps
mkdir -p "$out"

variants=("$@")
if [ ${#variants[@]} -eq 0 ]; then
	for f in kernels/variants/*; do
		grep -q '^base=linux-source-6.1$' "$f" || continue
		grep -q '^test_only=1' "$f" && continue
		variants+=("$(basename "$f")")
	done
fi
for v in "${variants[@]}"; do
	[ -f "kernels/variants/$v" ] || { echo "test-maps: no variant $v" >&2; exit 2; }
done

failed=0
rows=()
for v in "${variants[@]}"; do
	if [ ! -f "$BUILD/kernels/$v/bzImage" ]; then
		echo "test-maps: $v skipped: not built (make kernels VARIANTS=$v)"
		rows+=("$v	skipped	not built	0	-")
		continue
	fi
	rc=0
	"$here/vm-test-maps.sh" "$v" || rc=$?
	[ "$rc" -ne 2 ] || exit 2
	[ "$rc" -eq 0 ] || failed=1
	rows+=("$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
bad = [t["pass"] + ":" + t["test"] for t in d["tests"] if not t["ok"]]
print("\t".join([d["variant"], d["status"], d["reason"] or "-", str(d["wall_seconds"]), ",".join(bad) or "-"]))' "$out/$v.json")")
done

printf '%s\n' "${rows[@]}" | python3 -c 'import json,sys
rows = [l.rstrip("\n").split("\t") for l in sys.stdin if l.strip()]
doc = {"schema_version": 1, "variants": [{"variant": r[0], "status": r[1],
       "reason": "" if r[2] == "-" else r[2], "wall_seconds": int(r[3]),
       "tests_failed": [] if r[4] == "-" else r[4].split(",")} for r in rows]}
json.dump(doc, open(sys.argv[1], "w"), indent=1)
for r in rows:
    print("test-maps: %-22s %-7s %5s s  failed: %s" % (r[0], r[1], r[3], r[4]))' "$out/summary.json"
exit "$failed"

#!/usr/bin/env bash
# abreport against a hostile run directory: a record or meta.json is data,
# never code. Names with shell and gnuplot metacharacters, quotes, $(...),
# backticks and HTML; free text with markup, pipes, newlines and control
# characters; non-UTF-8, NUL bytes, missing and mistyped fields, deep
# nesting and huge lines. Nothing may run, every bad line is skipped with
# one warning, the page and the Markdown escape what they show, and the
# good records are still reported, compared and tabled.
# shellcheck disable=SC2016 # jq filters: $x is jq's, not the shell's
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.." || exit 1

REPORT=$PWD/$BUILD/abreport
[[ -x $REPORT ]] || skip "$BUILD/abreport is missing (make $BUILD/abreport)"
command -v gnuplot >/dev/null || skip "gnuplot is not installed"
export ABREPORT_DATADIR=$PWD/report

# The payloads name their marker file without a directory (a '/' would
# keep it out of a file name) and abreport runs in $T, so a command that
# ran leaves $T/HACKED* or $T/out/HACKED* behind.
mark=HACKED
run=$T/run
clean=$T/clean
mkdir -p "$run" "$clean"
nbad=0

# A good record whose free text is hostile (it is shown, escaped), and a
# failed point whose reason is.
good=$(head -n 1 tests/fixtures/noise-a/results.jsonl |
	jq -c '.kernel_release = "<img src=x onerror=alert(1)>\u001b[31m"')
failed=$(jq -c '.threads = 2 | .point |= sub("/t1$"; "/t2") | .status = "failed" |
	.reason = "<script>alert('"'r'"')</script> & \"q\" | pipe\n| row |\u001b]0;t\u0007\u0085"' <<<"$good")
printf '%s\n%s\n' "$good" "$failed" >"$clean/results.jsonl"
cp "$clean/results.jsonl" "$run/results.jsonl"

# bad LABEL FILTER [JQ ARGS]: the good record through a jq filter.
bad()
{
	local label=$1 filter=$2
	shift 2
	jq -c "$@" "$filter" <<<"$good" >>"$run/results.jsonl"
	fault "$label"
	nbad=$((nbad + 1))
}

# raw LABEL <LINE: a line as it is (a redirection, not a pipe: the count).
raw()
{
	cat >>"$run/results.jsonl"
	fault "$1"
	nbad=$((nbad + 1))
}

# Names that reach file names and gnuplot: every payload in every field.
payloads=(
	"x';system 'touch $mark.sq';'"
	"x\";system \"touch $mark.dq\";\""
	"x'; print system(\"touch $mark.sys\"); '"
	"\$(touch $mark.dollar)"
	"\`touch $mark.backtick\`"
	$'x\ntouch '"$mark.newline"
	"x;touch $mark.semicolon"
	"<script>alert(1)</script>"
	"@ttl"
	"../../../../x"
	"x y"
	"$(printf 'a%.0s' {1..65})"
)
i=0
for p in "${payloads[@]}"; do
	i=$((i + 1))
	bad "workload $i" '.workload = $x | .point = ($x + "/" + (.point | sub("^[^/]*/"; "")))' --arg x "$p"
	bad "variant $i" '.variant = $x' --arg x "$p"
	bad "param key $i" '.params[$x] = 1' --arg x "$p"
	bad "param value $i" '.params.case = $x' --arg x "$p"
	bad "point $i" '.point = $x' --arg x "$p"
done

# Missing and mistyped fields.
bad "no status" 'del(.status)'
bad "unknown status" '.status = "OK"'
bad "status a number" '.status = 1'
bad "no workload" 'del(.workload)'
bad "workload a number" '.workload = 42'
bad "threads a string" '.threads = "1"'
bad "threads 1e300" '.threads = 1e300'
bad "threads -1" '.threads = -1 | .point |= sub("/t1$"; "/t-1")'
bad "threads 0" '.threads = 0 | .point |= sub("/t1$"; "/t0")'
bad "point of other threads" '.point |= sub("/t1$"; "/t2")'
bad "no point" 'del(.point)'
bad "params an array" '.params = []'
bad "param an object" '.params.case = {"a": 1}'
bad "param a boolean" '.params.case = true'
bad "samples a string" '.samples = "x"'
bad "a sample a string" '.samples = [1, "a"]'
bad "ops_per_sec a number" '.ops_per_sec = 3'
bad "mem_bytes a string" '.mem_bytes = "x"'
bad "failures an array" '.failures = []'
bad "a failure a string" '.failures = {"ENOMEM": "x"}'
bad "a failure key with markup" '.failures = {"<b>E</b>": 1}'
bad "counters a string" '.counters = "x"'
bad "reason a number" '.reason = 5'
bad "variant null" '.variant = null'

# Lines that are not records at all.
raw "an array" <<<'[]'
raw "a string" <<<'"a string"'
raw "null" <<<'null'
raw "an empty object" <<<'{}'
raw "cut short" <<<'{"schema": 1, "status": "ok"'
raw "non-UTF-8" < <(printf '{"schema":1,"workload":"\xff\xfe","status":"ok"}\n')
raw "a NUL byte" < <(printf '%s\0{"a":1}\n' "$good")
raw "nested 100000 deep" < <(printf '%.0s[' {1..100000}; echo)
raw "a 2 MiB line" < <(jq -c '.reason = ("A" * 2097152) | .status = "failed" |
	.threads = 4 | .point |= sub("/t1$"; "/t4")' <<<"$good")
echo >>"$run/results.jsonl"	# a blank line is not an error
# Last: 3 MiB without a newline at the end of the file.
raw "3 MiB without a newline" < <(head -c 3145728 /dev/zero | tr '\0' 'x')

jq -n '{run_id: "<script>id</script>", schema: 1,
	target: "vm\u001b]0;title\u0007",
	host_cpu: "CPU | cell\n| injected | row |",
	suite_sha: "$(touch '"$mark"'.meta)`touch '"$mark"'.meta2`",
	started_at: "'"'"'\"><script>s</script>",
	"variant.bpf-ma": {patches: ["<script>p</script>"], "<i>k</i>": "a|b\nc"}}' \
	>"$run/meta.json"
cp "$run/meta.json" "$clean/meta.json"
fault "meta.json with markup, pipes, newlines, control characters"

# Lines with control characters (C0 but tab and newline, DEL, C1) in files.
controls()
{
	{ LC_ALL=C grep -cP '[\x01-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$@" || true; } |
		awk -F: '{ n += $NF } END { print n + 0 }'
}

root=$PWD
cd "$T" || exit 1
out=$T/out
rc=0
"$REPORT" report --out "$out" "$run" >"$T/report.out" 2>"$T/report.err" || rc=$?
[[ $rc -eq 0 ]] || { head -5 "$T/report.err" >&2; fail "abreport report exited $rc"; }
survived "report exits 0"
found=$(find "$T" -name 'HACKED*' | head -3)
[[ -z $found ]] || fail "a command from a record ran: $found"
survived "no command from a record or meta.json ran"
warned=$(grep -Ec '^abreport: [^ ]*results\.jsonl:[0-9]+: skipped: ' "$T/report.err" || true)
[[ $warned -eq $nbad ]] ||
	fail "$warned warnings on stderr for $nbad bad lines: $(grep -v ': skipped: ' "$T/report.err" | head -3)"
survived "one warning a bad line ($nbad)"
grep -Eq "^\| points \| 2 .*; $nbad lines of results\.jsonl skipped" "$out/report.md" ||
	fail "report.md does not say that $nbad lines were skipped"
grep -q "$nbad lines of results.jsonl skipped" "$out/index.html" ||
	fail "index.html does not say that $nbad lines were skipped"
survived "the report says how many lines it skipped"
grep -Eq '^htab_churn \(1 thread\) [0-9]+\.[0-9]{3} ± [0-9.]+M/s' "$out/report.md" ||
	fail "the good record is not in the report"
[[ -s $out/plots/htab_churn-0-ops.svg && -s $out/plots/htab_churn-0-ops.png ]] ||
	fail "the good record's plots are missing"
survived "the good records are reported and plotted"
[[ $(grep -o '<script' "$out/index.html" | wc -l) -eq 1 ]] ||
	fail "index.html has a <script> tag besides the template's"
if grep -Eq '<img src=x|<b>|<i>k|<script>(id|s|p|alert)' "$out/index.html"; then
	fail "index.html has markup from a record or meta.json"
fi
grep -qF '&lt;script&gt;alert(&#39;r&#39;)&lt;/script&gt; &amp; &quot;q&quot; | pipe' "$out/index.html" ||
	fail "index.html does not show the escaped reason"
grep -qF '&lt;img src=x onerror=alert(1)&gt;' "$out/index.html" ||
	fail "index.html does not show the escaped kernel release"
survived "index.html escapes every record and meta.json string"
if grep -q '^| injected' "$out/report.md"; then
	fail "a meta.json string broke a Markdown table row"
fi
grep -qF '| host CPU | CPU \| cell \| injected \| row \| |' "$out/report.md" ||
	fail "the host CPU row is not one escaped table row"
grep -qF 'a\|b c' "$out/report.md" || fail "a variant's build value is not escaped"
survived "report.md keeps one table row a string"
n=$(controls "$out/index.html" "$out/report.md" "$T/report.out" "$T/report.err")
[[ $n -eq 0 ]] || fail "$n lines with control characters in the report or its output"
survived "no control characters reach the report or the terminal"

# An output directory whose name has quotes and $(...) still gets plots.
odd=$T/"o'\"\$(touch $mark.out)\`x\`"
rc=0
"$REPORT" report --out "$odd" "$run" >/dev/null 2>"$T/odd.err" || rc=$?
[[ $rc -eq 0 && -s $odd/plots/htab_churn-0-ops.svg ]] ||
	fail "report into a directory with quotes in its name: exit $rc, $(grep -v ': skipped: ' "$T/odd.err" | head -1)"
[[ -z $(find "$T" -name 'HACKED*') ]] || fail "the output directory's name ran a command"
survived "an output directory with quotes in its name"

# compare and reproduce read the same run.
rc=0
"$REPORT" compare --base "$clean" --new "$run" >"$T/compare.out" 2>"$T/compare.err" || rc=$?
[[ $rc -eq 0 ]] || fail "compare of the good records exited $rc: $(grep -v ': skipped: ' "$T/compare.err" | head -1)"
grep -q '^verdict: no regression: 2 matched points' "$T/compare.out" || fail "compare did not match the good records"
survived "compare skips the bad lines and judges the good ones"
rc=0
"$REPORT" reproduce --published "$root/reproduce/htab-mem-2023.json" --run "$run" \
	>"$T/repro.out" 2>"$T/repro.err" || rc=$?
[[ $rc -eq 0 ]] || fail "reproduce on the hostile run exited $rc"
n=$(controls "$T/compare.out" "$T/compare.err" "$T/repro.out" "$T/repro.err")
[[ $n -eq 0 ]] || fail "$n lines with control characters from compare or reproduce"
[[ -z $(find "$T" -name 'HACKED*') ]] || fail "compare or reproduce ran a command"
survived "compare and reproduce print no control characters and run nothing"

# A meta.json that is not UTF-8 is ignored with a warning.
bad2=$T/badmeta
mkdir -p "$bad2"
cp "$clean/results.jsonl" "$bad2/"
printf '{"run_id": "\xff", "host_cpu": "x"}\n' >"$bad2/meta.json"
fault "meta.json not UTF-8"
rc=0
"$REPORT" report --out "$T/out2" "$bad2" >/dev/null 2>"$T/badmeta.err" || rc=$?
[[ $rc -eq 0 ]] || fail "report with a non-UTF-8 meta.json exited $rc"
if [[ $(grep -c '^abreport: ' "$T/badmeta.err") -ne 1 ]] || ! grep -q '^abreport: .*meta\.json' "$T/badmeta.err"; then
	fail "a non-UTF-8 meta.json did not give exactly one warning"
fi
survived "a non-UTF-8 meta.json is ignored with one warning"

#!/usr/bin/env bash
# End-to-end tests of build/abreport on the committed fixture runs:
# compare's exit codes, point ids that build/allocbench results has finds,
# the report's summary (first, with the ratios the fixtures are made
# with), its TCG banner, plots and colours, the HTML report in headless
# Chromium (it renders, every plot loads; a screenshot is kept in
# build/artifacts/), and the published-table printer.
#
#   tests/report/e2e.sh [build/abreport [build/allocbench]]
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=${1:-build/abreport}
allocbench=${2:-build/allocbench}
fx=tests/fixtures
work=build/tests/report/e2e
artifacts=build/artifacts
fails=0

[[ -x "$bin" ]] || { echo "e2e: $bin is missing: make $bin" >&2; exit 2; }
rm -rf "$work"
mkdir -p "$work" "$artifacts"

ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# expect_rc WANT NAME CMD...: the command exits with WANT.
expect_rc()
{
	local want=$1 name=$2 rc=0
	shift 2
	"$@" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
	if [[ $rc -eq $want ]]; then
		ok "$name: exit $rc"
	else
		bad "$name: exit $rc, want $want"
		sed 's/^/     /' "$work/$name.err" | head -5
	fi
}

# expect_grep NAME FILE PATTERN: FILE has a line matching PATTERN (ERE).
expect_grep()
{
	if grep -Eq -- "$3" "$2"; then
		ok "$1"
	else
		bad "$1: no line matching '$3' in $2"
	fi
}

# expect_count NAME FILE PATTERN N: exactly N lines of FILE match PATTERN.
expect_count()
{
	local n
	n=$(grep -Ec -- "$3" "$2" || true)
	if [[ $n -eq $4 ]]; then
		ok "$1"
	else
		bad "$1: $n lines matching '$3' in $2, want $4"
	fi
}

# The verdicts a reviewer must be able to trust (docs/nightly.md).
verdict_tests()
{
	local small_a=(--base "$fx/small-a1" --base "$fx/small-a2") small_b=(--new "$fx/small-b1" --new "$fx/small-b2")
	# -53 % from two runs a side: not judged (and not a pass), with n shown
	expect_rc 2 small-n "$bin" compare --force "${small_a[@]}" "${small_b[@]}"
	expect_count "small-n: n per side on each judged line" "$work/small-n.out" \
		'bpf-ma/htab_churn/case=overwrite,map=noprealloc.*n=2/2: too small to judge \(3 a side\)$' 3
	expect_grep "small-n: TCG warning" "$work/small-n.out" '^warning: TCG \(emulated CPU\)'
	expect_grep "small-n: TCG warning on stderr" "$work/small-n.err" 'warning: TCG run'
	# three runs a side: the -53 % points regress, each with %change, p and n
	expect_rc 1 small-3 "$bin" compare --force "${small_a[@]}" --base $fx/small-a3 "${small_b[@]}" --new $fx/small-b3
	expect_count "small-3: every bpf-ma noprealloc point regresses, on stderr" "$work/small-3.err" \
		'^abreport: compare: regression: bpf-ma/htab_churn/case=(overwrite|add_del_on_diff_cpu),map=noprealloc.*: -[45][0-9]\.[0-9]% \(p=0\.00[0-9]+, n=3/3\)$' 6
	expect_count "small-3: no prealloc point regresses" "$work/small-3.err" 'regression: .*map=prealloc' 0
	expect_grep "small-3: worse without significance is inconclusive" "$work/small-3.out" \
		'INCONCLUSIVE \(worse, not significant: more runs\)$'
	expect_grep "small-3: the verdict counts them" "$work/small-3.out" '^verdict: REGRESSION: .*; [0-9]+ inconclusive'
	# faster while failing a little more: never "improved"
	expect_rc 0 failtiny "$bin" compare --base $fx/noise-a --new $fx/failtiny-b
	expect_count "failtiny: faster, not improved" "$work/failtiny.out" \
		'bpf-ma/htab_churn/case=overwrite,map=noprealloc.*faster, but its failure rate rose: not improved$' 3
	expect_count "failtiny: no improved point there" "$work/failtiny.out" \
		'case=overwrite,map=noprealloc.*  improved$' 0
	# nmi_alloc's ops/s is the sampling rate: shown, not judged
	expect_count "nmi_alloc: ops/s not judged" "$work/regression.out" \
		'bpf-ma/nmi_alloc/.*ops/s not judged: the perf sampling rate sets it$' 3
	# memory: kmalloc-rcu's noprealloc footprint against bpf-ma's
	expect_rc 1 memory "$bin" compare --run $fx/noise-a --base-variant bpf-ma --min-n 2
	expect_grep "memory: peak named on stderr" "$work/memory.err" \
		'^abreport: compare: regression: kmalloc-rcu/htab_churn/case=overwrite,map=noprealloc.*/t1: memory peak \+[0-9.]+% \([0-9.]+ -> [0-9.]+ MiB\)$'
	# one TCG run a side: a drop is inconclusive, not a regression
	expect_rc 0 tcg-single "$bin" compare --force --base $fx/small-a1 --new $fx/small-b1
	expect_count "tcg-single: noprealloc drops inconclusive" "$work/tcg-single.out" \
		'bpf-ma/htab_churn/.*map=noprealloc.*INCONCLUSIVE \(one run a side under TCG: pool runs\)$' 6
	# unsupported by design, declared per variant: expected, not a regression
	mkdir -p "$work/variants"
	printf 'description=x\nbase=linux-source-6.1\nunsupported=nmi_alloc:map=noprealloc qp_trie_lookup\n' >"$work/variants/kmalloc-rcu"
	mkdir -p "$work/no-variants"
	"$bin" compare --run $fx/noise-a --base-variant bpf-ma --mem-threshold 0 \
		--variants-dir "$work/no-variants" >"$work/undeclared.out" 2>&1 || true
	expect_grep "undeclared: unsupported regresses" "$work/undeclared.out" \
		'^  ok ->  +unsupported \(.*\)  nmi_alloc/.*REGRESSION$'
	"$bin" compare --run $fx/noise-a --base-variant bpf-ma --mem-threshold 0 \
		--variants-dir "$work/variants" >"$work/declared.out" 2>"$work/declared.err" || true
	expect_count "declared: nmi_alloc unsupported by design" "$work/declared.out" \
		'^  unsupported by design .*kmalloc-rcu\)  nmi_alloc/' 3
	expect_count "declared: not a regression" "$work/declared.err" 'regression: kmalloc-rcu/nmi_alloc' 0
	# --run A --run B: pooled in variant-matrix mode, not the last one only
	expect_rc 1 matrix-pooled "$bin" compare --run $fx/noise-a --run $fx/noise-b --base-variant bpf-ma --min-n 2
	expect_grep "matrix-pooled: both runs" "$work/matrix-pooled.out" '^runs pooled: each point.s samples are the means of 2 runs$'
	expect_grep "matrix-pooled: n=2/2" "$work/matrix-pooled.out" ' n=2/2  '
	# per-workload thresholds; --json has every point's verdict
	expect_rc 0 wl-threshold "$bin" compare --base $fx/noise-a --new $fx/regress-b --threshold htab_churn=15 \
		--json "$work/verdicts.json"
	expect_grep "wl-threshold: named in the header" "$work/wl-threshold.out" 'threshold 5% \(htab_churn 15%\)'
	if jq -e '.exit == 0 and (.points | length) > 40 and ([.points[] | select(.verdict == "ops_not_judged")] | length) == 3 and ([.points[] | select(.threshold == 15)] | length) > 0' \
		"$work/verdicts.json" >/dev/null; then ok "verdicts.json: exit, points, verdicts"; else bad "verdicts.json"; fi
	# --as: a test kernel compared as the variant of the baseline
	expect_rc 1 as "$bin" compare --base $fx/noise-a --new $fx/regress-b --as bpf-ma=bpf-ma
}

compare_tests()
{
	expect_rc 0 noise "$bin" compare --base $fx/noise-a --new $fx/noise-b
	expect_grep "noise: verdict line" "$work/noise.out" '^verdict: no regression: 45 matched points'
	expect_rc 1 regression "$bin" compare --base $fx/noise-a --new $fx/regress-b
	expect_grep "regression: verdict line" "$work/regression.out" '^verdict: REGRESSION: 6 of 45 matched points'
	expect_grep "regression: robot-style line" "$work/regression.out" \
		'^ +[0-9]+ ± +[0-9]+% +-1[0-9]\.[0-9]% +[0-9]+ ± +[0-9]+%  n=5/5  bpf-ma/htab_churn/.*case=overwrite.*map=noprealloc.*/t4  \(p=0\.0000\)  REGRESSION$'
	expect_rc 1 threshold-15-still-sig "$bin" compare --base $fx/noise-a --new $fx/regress-b --threshold 11
	expect_rc 0 threshold-15 "$bin" compare --base $fx/noise-a --new $fx/regress-b --threshold 15
	expect_rc 2 params "$bin" compare --base $fx/noise-a --new $fx/params-b
	expect_grep "params: reason" "$work/params.err" 'parameter max_entries differs \(base 8192, new 16384\)'
	expect_rc 2 accel "$bin" compare --base $fx/noise-a --new $fx/tcg-b
	expect_rc 1 accel-forced "$bin" compare --base $fx/noise-a --new $fx/tcg-b --force
	expect_rc 2 schema "$bin" compare --base $fx/noise-a --new $fx/schema-b
	expect_rc 2 missing-run "$bin" compare --base $fx/noise-a --new $fx/no-such-run
	expect_rc 2 usage "$bin" compare --base $fx/noise-a
	expect_rc 2 bad-threshold "$bin" compare --base $fx/noise-a --new $fx/noise-b --threshold x
	expect_rc 1 variants "$bin" compare --run $fx/noise-a --base-variant bpf-ma
	expect_grep "variants: kmalloc-rcu against bpf-ma" "$work/variants.out" '^bpf-ma -> kmalloc-rcu$'
	expect_rc 0 variants-prealloc "$bin" compare --run $fx/noise-b --base-variant kmalloc-rcu --threshold 95 --mem-threshold 0
	expect_rc 2 variants-unknown "$bin" compare --run $fx/noise-a --base-variant nosuch
	# A point of the base that the new run lacks is a regression, named on
	# stderr like the others; so is one that was ok and failed.
	expect_rc 1 lost "$bin" compare --base $fx/noise-a --new $fx/lost-b
	expect_grep "lost: verdict" "$work/lost.out" '^verdict: REGRESSION: 5 points of base missing in new'
	expect_count "lost: each missing point on stderr" "$work/lost.err" \
		'^abreport: compare: regression: bpf-ma/htab_churn/.*map=noprealloc.*/t[124]: missing in new$' 5
	# A variant that fails more often is a regression even when it got faster.
	expect_rc 1 failrate "$bin" compare --base $fx/noise-a --new $fx/failrate-b
	expect_count "failrate: named on stderr" "$work/failrate.err" \
		'^abreport: compare: regression: bpf-ma/htab_churn/.*case=overwrite,map=noprealloc.*/t[124]: failure rate 0% -> 4\.76%$' 3
	expect_count "failrate: nothing else regressed" "$work/failrate.err" '.' 3
	expect_rc 1 failed "$bin" compare --base $fx/noise-a --new $fx/failed-b
	expect_count "failed: named on stderr" "$work/failed.err" \
		'^abreport: compare: regression: bpf-ma/htab_churn/.*case=overwrite.*/t1: ok -> failed' 1
	expect_count "regression: each named on stderr" "$work/regression.err" \
		'^abreport: compare: regression: bpf-ma/htab_churn/.*: -1[0-9]\.[0-9]% \(p=0\.0000, n=5/5\)$' 6
	# One sample a side cannot be judged: said so per point, and no pass.
	expect_rc 2 one-sample "$bin" compare --base $fx/one-a --new $fx/one-b
	expect_count "one-sample: n too small, per point" "$work/one-sample.out" \
		'n=1/1: too small to judge \(3 a side\)$' 23
	expect_grep "one-sample: verdict" "$work/one-sample.out" \
		'^verdict: cannot compare: 23 of 24 matched points could not be judged'
	expect_rc 2 one-sample-same "$bin" compare --base $fx/one-a --new $fx/one-a
	# A regression still wins over points that could not be judged.
	expect_rc 1 one-sample-lost "$bin" compare --base $fx/one-a --new $fx/lost-b
	# Several runs on one side only: the other side has n = 1.
	expect_rc 2 pooled-one-side "$bin" compare --base $fx/noise-a --base $fx/noise-b --new $fx/noise-b
	# make compare: zero on noise, non-zero on a regression.
	# Several runs a side: the runs' means are the samples.
	expect_rc 0 pooled-noise "$bin" compare --min-n 2 --base $fx/noise-a --base $fx/noise-b --new $fx/noise-b --new $fx/noise-a
	expect_grep "pooled: header" "$work/pooled-noise.out" '^runs pooled: .*\(base 2, new 2\)$'
	expect_rc 0 make-pooled make -s compare MIN_N=2 "BASE=$fx/noise-a $fx/noise-b" "NEW=$fx/noise-b $fx/noise-a"
	expect_grep "make-pooled: pooled" "$work/make-pooled.out" '^runs pooled: .*\(base 2, new 2\)$'
	expect_rc 0 make-noise make -s compare BASE=$fx/noise-a NEW=$fx/noise-b
	verdict_tests
	expect_rc 2 make-regression make -s compare BASE=$fx/noise-a NEW=$fx/regress-b
}

# Every plot the page references exists and is a PNG or an SVG.
check_images()
{
	local dir=$1 n=0 src f
	while read -r src; do
		f=$dir/$src
		n=$((n + 1))
		case $src in
		*.svg) head -c 400 "$f" 2>/dev/null | grep -q '<svg' || { bad "image $src: not an SVG"; continue; } ;;
		*.png) [[ "$(head -c 8 "$f" 2>/dev/null | od -An -tx1 | tr -d ' \n')" == 89504e470d0a1a0a ]] ||
			{ bad "image $src: not a PNG"; continue; } ;;
		*) bad "image $src: unknown type"; continue ;;
		esac
	done < <(grep -Eo '(src|href)="plots/[^"]+"' "$dir/index.html" | sed -E 's/^(src|href)="//; s/"$//')
	if [[ $n -ge 10 ]]; then
		ok "report: $n plot files referenced, all exist and are valid"
	else
		bad "report: only $n plot files referenced"
	fi
}

chromium_bin()
{
	command -v chromium || command -v chromium-browser || command -v google-chrome || true
}

# Prints "loaded total" as the page's own script counted them; the page
# as the browser has it after its script ran is kept in PAGE.dom.
images_loaded()
{
	local chrome=$1 page=$2 dom
	dom=$(timeout 180 "$chrome" --headless --no-sandbox --disable-gpu \
		--allow-file-access-from-files --virtual-time-budget=15000 \
		--dump-dom "file://$(realpath "$page")" 2>/dev/null) || true
	printf '%s\n' "$dom" >"$page.dom"
	sed -nE 's/.*<body[^>]*data-images-ok="([0-9]+)"[^>]*data-images-total="([0-9]+)".*/\1 \2/p' <<<"$dom" | head -1
}

report_tests()
{
	local out=$work/report chrome counts
	expect_rc 0 report "$bin" report --out "$out" $fx/noise-a
	if [[ -s $out/index.html && -s $out/report.md ]]; then
		ok "report: index.html and report.md"
	else
		bad "report: index.html or report.md missing"
	fi
	expect_grep "report: reviewer line" "$out/report.md" \
		'^htab_churn overwrite noprealloc \(4 thread\) [0-9]+\.[0-9]{3} ± [0-9]+\.[0-9]{3}M/s \(mem [0-9.]+ MiB, peak [0-9.]+ MiB\)$'
	expect_grep "report: qp-trie counters" "$out/report.md" 'hits [0-9.]+M, misses 0, false negatives 0'
	expect_grep "report: nmi failures and latency" "$out/report.md" '^nmi_alloc \(4 thread\) .*\(nmi(, cycles)?; failures ENOMEM [0-9]+, EBUSY 0; latency p50 [0-9]+ p99 [0-9]+ max [0-9]+ ns'
	expect_grep "report: grace periods beside memory" "$out/report.md" \
		'^nmi_alloc \(4 thread\) .*mem [0-9.]+ MiB, peak [0-9.]+ MiB, gp rcu 12\.0 ms, tasks-trace 40\.0 ms\)$'
	expect_grep "report: failed point with reason" "$out/report.md" 'kmalloc-rcu htab_churn/.*t4: failed: console: rcu: INFO'
	expect_grep "report: unsupported point with reason" "$out/report.md" 'nmi_alloc/.*t1: unsupported: verifier:'
	expect_grep "report: context kernels" "$out/report.md" '^\| kernel qp-trie \| 6\.1\.158-allocbench-qp-trie; .*patches=1: 0001-bpf-introduce-qp-trie-map\.patch .*config_sha256=9b0c77e1a3f2 '
	expect_grep "report: context accel" "$out/report.md" '^\| accel \| kvm \|$'
	check_images "$out"

	chrome=$(chromium_bin)
	if [[ -z "$chrome" ]]; then
		bad "chromium: not installed (it is in mk/debian-packages.txt: make deps)"
		return
	fi
	counts=$(images_loaded "$chrome" "$out/index.html")
	if [[ -n "$counts" && "${counts% *}" == "${counts#* }" && "${counts% *}" -ge 10 ]]; then
		ok "chromium: page rendered, images loaded: $counts"
	else
		bad "chromium: images loaded/total '${counts:-no answer}'"
	fi
	# The count is for the test; the reader sees nothing of it.
	expect_grep "chromium: the image count is not shown" "$out/index.html.dom" '<p id="imgcheck" hidden="">'
	expect_count "chromium: no image-count text" <(sed '/<script>/,/<\/script>/d' "$out/index.html.dom") \
		'images: |plots did not load' 0
	# The check can fail: the same page with one plot removed.
	cp -r "$out" "$work/broken"
	rm -f "$work/broken/plots/htab_churn-0-ops.svg"
	counts=$(images_loaded "$chrome" "$work/broken/index.html")
	if [[ -n "$counts" && "${counts% *}" -lt "${counts#* }" ]]; then
		ok "chromium: a missing plot is noticed ($counts)"
	else
		bad "chromium: a missing plot went unnoticed ('${counts:-no answer}')"
	fi
	expect_grep "chromium: a missing plot is shown to the reader" "$work/broken/index.html.dom" \
		'<p id="imgcheck">1 of [0-9]+ plots did not load: plots/htab_churn-0-ops\.svg</p>' 
	rm -f "$artifacts/report-screenshot.png"
	timeout 180 "$chrome" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--allow-file-access-from-files --virtual-time-budget=15000 \
		--window-size=1280,4000 --screenshot="$(realpath "$artifacts")/report-screenshot.png" \
		"file://$(realpath "$out/index.html")" >/dev/null 2>&1 || true
	if [[ "$(head -c 8 "$artifacts/report-screenshot.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" == 89504e470d0a1a0a ]] &&
		[[ $(stat -c %s "$artifacts/report-screenshot.png") -gt 20000 ]]; then
		ok "chromium: screenshot $artifacts/report-screenshot.png"
	else
		bad "chromium: no screenshot"
	fi
}

# make report without RUN: the newest run directory under results/.
newest_tests()
{
	local top=$work/newest rc=0
	mkdir -p "$top/results"
	cp -r $fx/noise-a "$top/results/20260110-020000-vm"
	cp -r $fx/noise-b "$top/results/20260111-020000-vm"
	mkdir -p "$top/results/20260112-000000-vm"	# no results.jsonl: skipped
	(cd "$top" && ABREPORT_DATADIR="$OLDPWD/report" "$OLDPWD/$bin" report) \
		>"$work/newest.out" 2>"$work/newest.err" || rc=$?
	if [[ $rc -eq 0 && -s "$top/results/20260111-020000-vm/report/index.html" &&
		! -e "$top/results/20260110-020000-vm/report" ]]; then
		ok "report without RUN: the newest run"
	else
		bad "report without RUN: exit $rc, not written to the newest run"
	fi
	expect_rc 2 report-no-runs "$bin" report "$work/no-such-run"
}

# unsourced NAME JQ-FILTER WHY: the mini data file through a jq filter
# that takes a row's source away or breaks it; abreport refuses it (exit 2,
# one line on stderr, nothing on stdout), with a run and with --matrix, and
# the line ends "row WHY" (an ERE).
unsourced()
{
	local name=$1 f=$work/$1.json mode lines
	jq "$2" $fx/published-mini.json >"$f"
	for mode in run matrix; do
		if [[ $mode == run ]]; then
			expect_rc 2 "$name-$mode" "$bin" reproduce --published "$f" --run $fx/noise-a
		else
			expect_rc 2 "$name-$mode" "$bin" reproduce --published "$f" --matrix --cpus 2
		fi
		lines=$(wc -l <"$work/$name-$mode.err")
		if [[ $lines -eq 1 && ! -s $work/$name-$mode.out ]]; then
			ok "$name-$mode: one line, no table"
		else
			bad "$name-$mode: $lines lines on stderr, stdout $(wc -c <"$work/$name-$mode.out") bytes"
		fi
	done
	expect_grep "$name: says why" "$work/$name-run.err" "^abreport: reproduce: $f: row $3$"
}

reproduce_tests()
{
	# Every row of the published tables names its message.
	local f
	for f in reproduce/*.json; do
		if jq -e '.sources as $s | (.rows | length > 0) and all(.rows[];
			(.source | type) == "object" or
			((.source | type) == "string" and ($s[.source] | type) == "object"))' "$f" >/dev/null; then
			ok "$f: every row has a source"
		else
			bad "$f: a row without a source"
		fi
	done
	expect_rc 0 repro-htab "$bin" reproduce --published reproduce/htab-mem-2023.json --run $fx/noise-a
	# 23.601 M element ops/s at 4 threads (see the report) / 64 / 4 / 1000
	expect_grep "repro-htab: converted and capped" "$work/repro-htab.out" \
		'^bpf_mem_alloc overwrite +8 +126\.590 +92\.19[0-9] +0\.73x +2\.26 +2\.30 .*\(ours at 4 threads: capped at the CPUs\)$'
	expect_grep "repro-htab: missing case listed" "$work/repro-htab.out" '^bpf_mem_alloc batch_add_batch_del .*ours: not in the run'
	expect_grep "repro-htab: failed point's reason" "$work/repro-htab.out" '^kmalloc\+call_rcu add_del_on_diff_cpu .*ours: console: rcu'
	expect_grep "repro-htab: ratio" "$work/repro-htab.out" '^overwrite: bpf_mem_alloc / kmalloc\+call_rcu, ops +8 +11\.26x +9\.0[0-9]x'
	expect_count "repro-htab: every row line tagged with source 1" "$work/repro-htab.out" '  \[1\]( |$)' 9
	expect_count "repro-htab: one source line" "$work/repro-htab.out" '^\[[0-9]+\] ' 1
	expect_grep "repro-htab: the v9 message" "$work/repro-htab.out" \
		'^\[1\] Hou Tao, 2023-07-04, bpf@vger\.kernel\.org: \[PATCH bpf-next v9\] selftests/bpf: Add benchmark for bpf memory allocator https://lore\.kernel\.org/bpf/20230704025039\.938914-1-houtao@huaweicloud\.com/$'
	expect_grep "repro-htab: method" "$work/repro-htab.out" '^method: +\./bench htab-mem --use-case \$name \$\{OPTS\} -w3 -d10 -a -p8 \(warm-up 3 s, 10 s measured\)$'
	expect_rc 0 repro-qp "$bin" reproduce --published reproduce/qp-trie-2022.json --run $fx/noise-a
	expect_grep "repro-qp: speed-up" "$work/repro-qp.out" '^kallsyms, subtree lock: speed-up from 1 thread +4 +1\.30x +1\.30x$'
	expect_grep "repro-qp: no-lock / lock" "$work/repro-qp.out" '^random: no lock / subtree lock +16 +3\.20x +1\.48x +\(ours at 4 threads\)$'
	expect_grep "repro-qp: row not in the run" "$work/repro-qp.out" '^v2: htab update, random keys +1 +2\.122 +- .*\[2\]  ours: not in the run$'
	expect_count "repro-qp: subtree-lock rows from the 27 Sep reply" "$work/repro-qp.out" '^(random keys|kallsyms names), .*  \[1\]( |$)' 20
	expect_count "repro-qp: v2 rows from patch 12/13" "$work/repro-qp.out" '^v2: .*  \[2\]( |$)' 20
	expect_grep "repro-qp: source 1" "$work/repro-qp.out" \
		'^\[1\] Hou Tao, 2022-09-27, bpf@vger\.kernel\.org: Re: \[PATCH bpf-next v2 00/13\] Add support for qp-trie with dynptr key https://lore\.kernel\.org/bpf/2d9c2c06-af12-6ad1-93ef-454049727e78@huaweicloud\.com/$'
	expect_grep "repro-qp: source 2" "$work/repro-qp.out" \
		'^\[2\] Hou Tao, 2022-09-24, bpf@vger\.kernel\.org: \[PATCH bpf-next v2 12/13\] selftests/bpf: Add benchmark for qp-trie map https://lore\.kernel\.org/bpf/20220924133620\.4147153-13-houtao@huaweicloud\.com/$'
	expect_count "repro-qp: two source lines" "$work/repro-qp.out" '^\[[0-9]+\] ' 2
	expect_rc 0 repro-mini "$bin" reproduce --published $fx/published-mini.json --run $fx/noise-a
	expect_grep "repro-mini: published-only row" "$work/repro-mini.out" '^a published-only row .*ours: no such workload in the suite$'
	expect_grep "repro-mini: speed-up" "$work/repro-mini.out" '^nmi_alloc speed-up +2 +2\.00x +2\.0[0-9]x$'
	expect_grep "repro-mini: unknown row" "$work/repro-mini.out" '^missing rows: rows nmi / nosuch not in the data file$'
	expect_grep "repro-mini: inline source" "$work/repro-mini.out" '^\[1\] tests/report/e2e\.sh, 2026-01-02, allocbench tests: an inline source https://example\.invalid/published-mini/gone$'
	expect_grep "repro-mini: named source, message id" "$work/repro-mini.out" '^\[2\] tests/report/e2e\.sh, 2026-01-01, allocbench tests: published-mini: made up for tests/report/e2e\.sh <published-mini@allocbench\.invalid>$'
	# A row without an exact source is refused, whatever is missing.
	unsourced nosource 'del(.rows[1].source)' 'nmi: no "source"'
	unsourced unknownsource '.rows[1].source = "nosuch"' 'nmi: source "nosuch" is not in "sources"'
	unsourced nosources 'del(.sources)' 'nmi: source "mini" is not in "sources"'
	unsourced numbersource '.rows[0].source = 3' 'gone: "source" is neither an object nor the name of one in "sources"'
	unsourced nosubject 'del(.rows[0].source.subject)' 'gone: source without "subject"'
	unsourced noauthor 'del(.sources.mini.author)' 'nmi: source without "author"'
	unsourced nowhere 'del(.sources.mini.message_id)' 'nmi: source without "message_id" or "url"'
	unsourced baddate '.sources.mini.date = "January 2026"' 'nmi: source date is not YYYY-MM-DD \(a time may follow\)'
	unsourced badmid '.sources.mini.message_id = "<x@y>"' 'nmi: source message_id is not local@domain \(no brackets, no spaces\)'
	unsourced badurl '.rows[0].source.url = "lore.kernel.org/bpf/x"' 'gone: source url is not an http\(s\) address'
	unsourced noid 'del(.rows[1].id) | del(.rows[1].source)' '#2: no "source"'
	expect_rc 0 matrix-small "$bin" reproduce --published reproduce/htab-mem-2023.json --matrix --cpus 2
	# One KEY=VALUE a line, nothing for a shell to evaluate.
	expect_count "matrix: seven known keys, nothing else" "$work/matrix-small.out" \
		'^(TARGET|VARIANTS|WORKLOADS|THREADS|PARAMS|WARMUP|DURATION)=' 7
	expect_count "matrix: one line a key" "$work/matrix-small.out" '.' 7
	expect_count "matrix: no quotes" "$work/matrix-small.out" "['\"]" 0
	expect_grep "matrix: target" "$work/matrix-small.out" '^TARGET=vm$'
	expect_grep "matrix: variants" "$work/matrix-small.out" '^VARIANTS=kmalloc-rcu bpf-ma$'
	expect_grep "matrix: threads capped" "$work/matrix-small.out" '^THREADS=2$'
	expect_grep "matrix: the source's method" "$work/matrix-small.out" '^PARAMS=value_size=8 method=htab-mem trigger=tracepoint$'
	expect_grep "matrix: the source's warm-up" "$work/matrix-small.out" '^WARMUP=3$'
	expect_grep "matrix: the source's duration" "$work/matrix-small.out" '^DURATION=10$'
	jq '.matrix.params.max_entries = {"per_cpu": 64, "min": 8192}' \
		reproduce/htab-mem-2023.json >"$work/percpu.json"
	expect_rc 0 matrix-floor "$bin" reproduce --published "$work/percpu.json" --matrix --cpus 2
	expect_grep "matrix: max_entries floor" "$work/matrix-floor.out" 'max_entries=8192$'
	expect_rc 0 matrix-big "$bin" reproduce --published "$work/percpu.json" --matrix --cpus 256
	expect_grep "matrix: max_entries per CPU" "$work/matrix-big.out" 'max_entries=16384$'
	expect_rc 0 matrix-qp "$bin" reproduce --published reproduce/qp-trie-2022.json --matrix --cpus 4
	expect_grep "matrix: threads deduplicated" "$work/matrix-qp.out" '^THREADS=1,2,4$'
	expect_rc 2 repro-usage "$bin" reproduce --published reproduce/htab-mem-2023.json
	expect_rc 2 repro-bad-file "$bin" reproduce --published tests/fixtures/noise-a/meta.json --run $fx/noise-a
}

# has_agrees NAME RUNDIR VARIANT ID: the id names a record of the run
# (its "point" as it is, of that variant) and `allocbench results has`
# answers for it what the record's status says: 0 for ok and unsupported,
# 1 for failed.
has_agrees()
{
	local name=$1 run=$2 v=$3 id=$4 status want rc=0

	status=$(jq -r --arg v "$v" --arg p "$id" \
		'select(.variant == $v and .point == $p) | .status' "$run/results.jsonl" | tail -n 1)
	case $status in
	ok | unsupported) want=0 ;;
	failed) want=1 ;;
	*) bad "$name: $v $id is no record's point"; return 1 ;;
	esac
	"$allocbench" results has "$run" "$id" "$v" 2>/dev/null || rc=$?
	if [[ $rc -ne $want ]]; then
		bad "$name: results has $id $v exits $rc, its record is $status"
		return 1
	fi
}

# has_all NAME RUNDIR N: "VARIANT ID" lines on stdin, each through
# has_agrees; at least N of them.
has_all()
{
	local name=$1 run=$2 min=$3 n=0 fail=0 v id

	while read -r v id; do
		n=$((n + 1))
		has_agrees "$name" "$run" "$v" "$id" || fail=$((fail + 1))
	done
	if [[ $n -ge $min && $fail -eq 0 ]]; then
		ok "$name: $n point ids, each found by allocbench results has"
	elif [[ $n -lt $min ]]; then
		bad "$name: $n point ids, want at least $min"
	fi
}

# One point id everywhere: what compare prints and the report shows is the
# record's "point" (params in declaration order), which `allocbench
# results has RUNDIR ID [VARIANT]` (harness/main.c) finds byte for byte.
point_id_tests()
{
	local run=$work/ids/20260110-020000-vm out=$work/ids-report id sorted rc=0
	local ids='(null|htab_churn|qp_trie_lookup|qp_trie_update|nmi_alloc)/[^ )]*/t[0-9]+'

	if [[ ! -x $allocbench ]]; then
		bad "point ids: $allocbench is missing (make $allocbench)"
		return
	fi
	mkdir -p "$work/ids"
	cp -r $fx/noise-a "$run"
	# --run: "BASE -> VARIANT" heads each variant's lines of ids, in
	# which the points only in (or missing from) one side are listed.
	"$bin" compare --run "$run" --base-variant bpf-ma >"$work/ids-variants.out" 2>/dev/null || true
	has_all "ids: compare --run" "$run" 30 < <(awk -v re="$ids" '
		/^[^ ]+ -> [^ ]+$/ { base = $1; v = $3; next }
		/^points of base missing/ { v = base; next }
		/^points only in [^ ]+:$/ { v = substr($4, 1, length($4) - 1); next }
		/^verdict:/ { next }
		v != "" && match($0, re) { print v, substr($0, RSTART, RLENGTH) }' \
		"$work/ids-variants.out")
	# Between runs: VARIANT/ID.
	"$bin" compare --base "$run" --new "$run" >"$work/ids-runs.out" 2>/dev/null || true
	has_all "ids: compare between runs" "$run" 40 < <(grep -Eo "[A-Za-z0-9][A-Za-z0-9._+-]*/$ids" \
		"$work/ids-runs.out" | sed 's|/| |')
	# The report: every point that did not run, as VARIANT ID: status.
	"$bin" report --out "$out" "$run" >/dev/null 2>&1
	has_all "ids: report, points that did not run" "$run" 7 < <(sed -nE \
		"s#^([A-Za-z0-9][A-Za-z0-9._+-]*) ($ids): (ok|unsupported|failed): .*#\1 \2#p" "$out/report.md")
	# The check can fail: the same point with its params sorted, as the
	# report and compare printed it before, is not found.
	id=$(head -n 1 "$run/results.jsonl" | jq -r .point)
	sorted=$(head -n 1 "$run/results.jsonl" |
		jq -r '.workload + "/" + (.params | to_entries | sort_by(.key) |
			map("\(.key)=\(.value)") | join(",")) + "/t\(.threads)"')
	"$allocbench" results has "$run" "$sorted" bpf-ma 2>/dev/null || rc=$?
	if [[ $sorted != "$id" && $rc -eq 1 ]]; then
		ok "ids: a sorted label ($sorted) is not found"
	else
		bad "ids: sorted label $sorted (record's $id): results has exits $rc, want 1"
	fi
}

# row_cells PAGE ID: the cells of the summary row of point ID (its title),
# one a line, as HTML text.
row_cells()
{
	grep -F "<tr><th title=\"$2\">" "$1" | head -n 1 |
		sed -E 's#</t[dh]>#\n#g' | sed -E 's#^<tr>##; s#^<t[dh][^>]*>##; /^<\/tr>$/d'
}

# expect_cell NAME PAGE ID N WANT: the Nth cell of that row is WANT.
expect_cell()
{
	local got
	got=$(row_cells "$2" "$3" | sed -n "$4p")
	if [[ "$got" == "$5" ]]; then
		ok "$1"
	else
		bad "$1: cell $4 of $3 is '$got', want '$5'"
	fi
}

# offset PAGE STRING: the byte offset of STRING's first occurrence, or a
# large number.
offset()
{
	local o
	o=$(grep -bo -F -- "$2" "$1" | head -n 1 | cut -d: -f1)
	echo "${o:-999999999}"
}

# series_colours DIR: "VARIANT R,G,B" for every titled line of every SVG
# plot (gnuplot writes <title>SERIES</title>, then the line's stroke).
series_colours()
{
	local f
	for f in "$1"/plots/*.svg; do
		awk '/<g id="gnuplot_plot_[0-9]+[a-z]*" ><title>/ {
				t = $0; sub(/.*<title>/, "", t); sub(/<\/title>.*/, "", t)
				want = t !~ /^gnuplot_plot_/; next }
			want && /stroke=.rgb\(/ {
				c = $0; sub(/.*stroke=.rgb\(/, "", c); sub(/\).*/, "", c)
				gsub(/ /, "", c); split(t, w, " "); print w[1], c; want = 0 }' "$f"
	done
}

# The first screen: a banner where it applies, then the summary, one
# table a workload with the variants against the base; the context folded
# after it, the plots below.
summary_tests()
{
	local out=$work/summary-tcg page id np pp nul h="$work/summary-host" n
	local tcg="TCG: functional and relative figures; not absolute performance"

	out=$work/summary-tcg
	page=$out/index.html
	expect_rc 0 summary-tcg "$bin" report --out "$out" $fx/summary-tcg
	# The fixture's figures (tests/fixtures/gen-fixtures.c) are exact:
	# kmalloc-rcu has half bpf-ma's ops/s, three times its memory, 25000
	# failures in 2525000 attempts; lockless-pool 1.25 times the ops/s.
	np='htab_churn/case=overwrite,map=noprealloc,value_size=8,max_entries=8192,batch=64,batches=16,method=suite,trigger=auto,pressure=none,pressure_floor_mb=64'
	pp=${np/map=noprealloc/map=prealloc}
	nul='null/loops=65536,shape=loops'
	if [[ $(grep -o '<h2>[^<]*</h2>' "$page" | head -n 1) == '<h2>Summary</h2>' &&
		$(offset "$page" '<table class="summary">') -lt $(offset "$page" '<details>') &&
		$(offset "$page" '<details>') -lt $(offset "$page" '<img') &&
		$(offset "$page" '<details>') -lt $(offset "$page" '<th>kernel bpf-ma</th>') ]]; then
		ok "summary: first in the page; context folded after it; plots below"
	else
		bad "summary: not first, or the context not folded before the plots"
	fi
	expect_grep "summary: the base is bpf-ma, though kmalloc-rcu comes first" "$page" \
		'^<tr><th colspan="2"></th><th colspan="4" style="border-top: 4px solid #0072b2">bpf-ma \(base\)</th><th colspan="4" style="border-top: 4px solid #d55e00">kmalloc-rcu / bpf-ma</th>'
	expect_cell "summary: bpf-ma ops/s" "$page" "$np/t1" 3 '1.000 ± 0.025M/s'
	expect_cell "summary: bpf-ma memory, the mean" "$page" "$np/t1" 4 '2.00 MiB'
	expect_cell "summary: bpf-ma n" "$page" "$np/t1" 5 '5'
	expect_cell "summary: kmalloc-rcu ops/s ratio" "$page" "$np/t1" 7 '0.50×'
	expect_cell "summary: kmalloc-rcu memory ratio" "$page" "$np/t1" 8 '3.00×'
	expect_cell "summary: kmalloc-rcu significant, n a side" "$page" "$np/t1" 9 '&lt;0.001 * (n 5/5)'
	expect_cell "summary: kmalloc-rcu failure rate and count" "$page" "$np/t1" 10 '0.99% (25000)'
	expect_cell "summary: lockless-pool ops/s ratio" "$page" "$np/t1" 11 '1.25×'
	expect_cell "summary: lockless-pool memory ratio" "$page" "$np/t1" 12 '0.50×'
	expect_cell "summary: 2% faster, not significant" "$page" "$pp/t1" 7 '1.02×'
	expect_cell "summary: its p, unmarked" "$page" "$pp/t1" 9 '0.254 (n 5/5)'
	expect_cell "summary: a failed point's status and reason" "$page" "$pp/t2" 11 \
		'failed: vm-run: guest timed out before the point&#39;s record'
	expect_grep "summary: worse and significant is marked" "$page" '<td class="num worse">0\.50×</td>'
	expect_grep "summary: better and significant is marked" "$page" '<td class="num better">1\.25×</td>'
	expect_cell "summary: null has no memory figure" "$page" "$nul/t1" 4 '—'
	expect_cell "summary: nor a memory ratio" "$page" "$nul/t1" 12 '—'
	expect_grep "summary: duration, warm-up, samples" "$page" \
		'<p>Each point: warm-up 1 s, measured 5 s, 5 samples of ops/s \(one a measured second\)\.</p>'
	expect_grep "summary: markdown row" "$out/report.md" \
		'^\| noprealloc \| 1 \| 1\.000 ± 0\.025M/s \| 2\.00 MiB \| 5 \| 0 \| 0\.50× \| 3\.00× \| &lt;0\.001 \* \(n 5/5\) \| 0\.99% \(25000\) \| 1\.25× \|'
	# Another base: the ratios turn over.
	expect_rc 0 summary-base "$bin" report --out "$work/summary-base" --base kmalloc-rcu $fx/summary-tcg
	expect_cell "summary --base kmalloc-rcu: bpf-ma ops/s ratio" "$work/summary-base/index.html" "$np/t1" 7 '2.00×'
	expect_cell "summary --base kmalloc-rcu: bpf-ma memory ratio" "$work/summary-base/index.html" "$np/t1" 8 '0.33×'
	expect_rc 2 summary-base-unknown "$bin" report --out "$work/summary-nosuch" --base nosuch $fx/summary-tcg
	mkdir -p "$work/make-base"
	cp -r $fx/summary-tcg "$work/make-base/run"
	expect_rc 0 summary-make-base make -s report RUN="$work/make-base/run" BASE_VARIANT=kmalloc-rcu
	expect_grep "summary: make report BASE_VARIANT=" "$work/make-base/run/report/index.html" '>kmalloc-rcu \(base\)</th>'

	# TCG: from the records, from meta.json alone, and not elsewhere.
	expect_grep "tcg: banner (records say tcg)" "$page" "^<p class=\"banner tcg\">$tcg</p>$"
	if [[ $(offset "$page" "$tcg") -lt $(offset "$page" '<h2>Summary</h2>') ]]; then
		ok "tcg: the banner is above the summary"
	else
		bad "tcg: the banner is not above the summary"
	fi
	expect_rc 0 tcg-b-report "$bin" report --out "$work/tcg-b" $fx/tcg-b
	expect_count "tcg: banner in tcg-b" "$work/tcg-b/index.html" "$tcg" 1
	expect_rc 0 summary-host "$bin" report --out "$h" $fx/summary-host
	expect_count "tcg: no banner on the host" "$h/index.html" 'TCG' 0
	expect_rc 0 noise-a-report "$bin" report --out "$work/noise-a" $fx/noise-a
	expect_count "tcg: no banner under kvm" "$work/noise-a/index.html" 'TCG' 0
	mkdir -p "$work/meta-tcg"
	cp -r $fx/summary-host "$work/meta-tcg/run"
	jq '.accel = "tcg"' $fx/summary-host/meta.json >"$work/meta-tcg/run/meta.json"
	expect_rc 0 meta-tcg "$bin" report --out "$work/meta-tcg/out" "$work/meta-tcg/run"
	expect_count "tcg: banner when only meta.json says tcg" "$work/meta-tcg/out/index.html" "$tcg" 1

	# A host run: one variant, no ratios; memory is peak without a mean.
	expect_grep "host: one column group, no base" "$h/index.html" \
		'^<tr><th colspan="2"></th><th colspan="4" style="border-top: 4px solid #000000">host</th></tr>$'
	expect_cell "host: ops/s" "$h/index.html" "$np/t1" 3 '1.500 ± 0.038M/s'
	expect_cell "host: memory, the peak (no mean)" "$h/index.html" "$np/t1" 4 '2.25 MiB'
	expect_cell "host: failures" "$h/index.html" "$np/t1" 6 '0.004% (300)'
	expect_count "host: no ratio" "$h/index.html" '×' 0

	# Plots where they carry information: null allocates nothing.
	for n in "$out" "$h"; do
		expect_count "null: no memory plot (${n##*/})" "$n/index.html" 'plots/null-[0-9]+-mem' 0
		expect_grep "null: its throughput plot (${n##*/})" "$n/index.html" '<img src="plots/null-[0-9]+-ops\.svg"'
		expect_grep "htab_churn: its memory plot (${n##*/})" "$n/index.html" '<img src="plots/htab_churn-[0-9]+-mem\.svg"'
	done

	# Nothing of the tests on the page: no fixture names, no image count.
	for n in "$out" "$h" "$work/noise-a"; do
		expect_count "no test text on the page (${n##*/})" "$n/index.html" \
			'fixtures|summary-tcg|summary-host|noise-a|images: |e2e' 0
	done
}

# One colour a variant in every plot of every report.
colour_tests()
{
	local all=$work/colours n bad_v=0 v
	series_colours "$work/summary-tcg" >"$all"
	series_colours "$work/noise-a" >>"$all"
	n=$(wc -l <"$all")
	for v in $(cut -d' ' -f1 "$all" | sort -u); do
		if [[ $(grep -c "^$v " "$all") -gt 0 && $(grep "^$v " "$all" | sort -u | wc -l) -ne 1 ]]; then
			bad "colours: $v has $(grep "^$v " "$all" | cut -d' ' -f2 | sort -u | tr '\n' ' ')"
			bad_v=$((bad_v + 1))
		fi
	done
	if [[ $n -ge 30 && $bad_v -eq 0 ]]; then
		ok "colours: $n lines in $(ls "$work"/summary-tcg/plots/*.svg "$work"/noise-a/plots/*.svg | wc -l) plots, one colour a variant"
	elif [[ $n -lt 30 ]]; then
		bad "colours: only $n titled lines found in the plots"
	fi
	if [[ $(sort -u "$all" | wc -l) -eq $(cut -d' ' -f2 "$all" | sort -u | wc -l) ]]; then
		ok "colours: no two variants share one"
	else
		bad "colours: two variants share a colour: $(sort -u "$all" | tr '\n' ';')"
	fi
	expect_grep "colours: bpf-ma is its blue" "$all" '^bpf-ma 0,114,178$'
	expect_grep "colours: kmalloc-rcu is its vermillion" "$all" '^kmalloc-rcu 213,94,0$'
}

compare_tests
point_id_tests
summary_tests
colour_tests
report_tests
newest_tests
reproduce_tests
if [[ $fails -gt 0 ]]; then
	echo "e2e: $fails check(s) failed"
	exit 1
fi
echo "e2e: all checks passed"

// SPDX-License-Identifier: GPL-2.0
/*
 * abreport: reports, regression verdicts and published-table printing
 * for allocbench runs.
 *
 *   abreport report [--out DIR] [--base VARIANT] [RUNDIR]
 *   abreport compare --base DIR --new DIR [--threshold PCT] [--force]
 *   abreport compare --run DIR --base-variant NAME [--threshold PCT]
 *   abreport reproduce --published FILE --run DIR
 *   abreport reproduce --published FILE --matrix [--cpus N]
 *   abreport history add|baseline|rebuild --db FILE ...   (history.c)
 *   abreport trend --db FILE --out DIR                    (trend.c)
 *   abreport [COMMAND] --help, abreport --version
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "abreport.h"
#include "history.h"

#ifndef SUITE_SHA
#define SUITE_SHA "unknown"
#endif
/* "-dirty" when the tree had uncommitted changes at build time (Makefile) */
#ifndef SUITE_DIRTY
#define SUITE_DIRTY ""
#endif

static const char usage[] =
	"usage: abreport report|compare|reproduce ... (see abreport --help)";

/* `abreport COMMAND --help`: each command's usage, on stdout. */
static const struct {
	const char *cmd, *text;
} usages[] = {
	{ "report",
	  "usage: abreport report [--out DIR] [--base VARIANT] [RUNDIR]\n"
	  "  Writes RUNDIR/report/ (or DIR): index.html, report.md, plots/.\n"
	  "  RUNDIR defaults to the newest run under results/; VARIANT is the one\n"
	  "  the summary compares the others with.\n" },
	{ "compare",
	  "usage: abreport compare --base DIR --new DIR [--threshold [WORKLOAD=]PCT]\n"
	  "                        [--alpha P] [--min-n N] [--max-stddev PCT]\n"
	  "                        [--mem-threshold PCT] [--mem-floor KIB]\n"
	  "                        [--as NEWVARIANT=BASEVARIANT] [--json FILE] [--force]\n"
	  "       abreport compare --run DIR [--run DIR...] --base-variant NAME [options]\n"
	  "  Regression verdicts, point by point (--base, --new, --run may repeat:\n"
	  "  the runs are pooled, each run's mean one sample; n per side is shown).\n"
	  "  Exit 0 no regression, 1 regression, 2 usage or runs not comparable.\n" },
	{ "history",
	  "usage: abreport history add --db FILE NIGHTDIR...\n"
	  "       abreport history baseline --db FILE BASELINE.json\n"
	  "       abreport history rebuild --db FILE [RESULTS_DIR]\n"
	  "  The nightly history in SQLite (docs/nightly.md); rebuild reads\n"
	  "  RESULTS_DIR/nights/*/ and RESULTS_DIR/baselines/ again.\n" },
	{ "trend",
	  "usage: abreport trend --db FILE --out DIR [--last N]\n"
	  "  DIR/index.html: ops/s and memory per point across nights, with the\n"
	  "  baseline band and the regressions marked; DIR/trend.tsv.\n" },
	{ "reproduce",
	  "usage: abreport reproduce --published FILE --run RUNDIR\n"
	  "       abreport reproduce --published FILE --matrix --cpus N\n"
	  "  The published table of FILE (reproduce/*.json) beside the run's\n"
	  "  figures, or the sweep that measures it as KEY=VALUE lines.\n" },
};

static int help(const char *cmd)
{
	if (!cmd) {
		fputs("usage: abreport report [--out DIR] [--base VARIANT] [RUNDIR]\n"
		      "       abreport compare --base DIR --new DIR [options]\n"
		      "       abreport compare --run DIR --base-variant NAME [options]\n"
		      "       abreport reproduce --published FILE (--run RUNDIR | --matrix --cpus N)\n"
		      "       abreport history add|baseline|rebuild --db FILE ...\n"
		      "       abreport trend --db FILE --out DIR\n"
		      "       abreport --help | --version\n"
		      "`abreport COMMAND --help` describes one command; see report/README.md.\n",
		      stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(usages) / sizeof(usages[0]); i++)
		if (!strcmp(usages[i].cmd, cmd))
			fputs(usages[i].text, stdout);
	return 0;
}

static bool is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

/* -h or --help among a command's arguments (up to a "--") */
static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (is_help(argv[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	int (*cmd)(int argc, char **argv) = NULL;

	if (argc < 2)
		die_usage("%s", usage);
	if (is_help(argv[1]))
		return help(NULL);
	if (!strcmp(argv[1], "--version")) {
		printf("abreport %s%s\n", SUITE_SHA, SUITE_DIRTY);
		return 0;
	}
	if (!strcmp(argv[1], "report"))
		cmd = cmd_report;
	else if (!strcmp(argv[1], "compare"))
		cmd = cmd_compare;
	else if (!strcmp(argv[1], "reproduce"))
		cmd = cmd_reproduce;
	else if (!strcmp(argv[1], "history"))
		cmd = cmd_history;
	else if (!strcmp(argv[1], "trend"))
		cmd = cmd_trend;
	if (!cmd)
		die_usage("unknown %s '%s' (see abreport --help)",
			  argv[1][0] == '-' ? "option" : "command", argv[1]);
	if (wants_help(argc - 1, argv + 1))
		return help(argv[1]);
	/* a command's bad option is its one line: its usage (exit 2) */
	opterr = 0;
	return cmd(argc - 1, argv + 1);
}

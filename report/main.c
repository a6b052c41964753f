// SPDX-License-Identifier: GPL-2.0
/*
 * abreport: reports, regression verdicts and published-table printing
 * for allocbench runs.
 *
 *   abreport report [--out DIR] [RUNDIR]
 *   abreport compare --base DIR --new DIR [--threshold PCT] [--force]
 *   abreport compare --run DIR --base-variant NAME [--threshold PCT]
 *   abreport reproduce --published FILE --run DIR
 *   abreport reproduce --published FILE --matrix [--cpus N]
 */
#include <string.h>

#include "abreport.h"

static const char usage[] =
	"usage: abreport report|compare|reproduce ... (see report/README.md)";

int main(int argc, char **argv)
{
	if (argc < 2)
		die_usage("%s", usage);
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compare"))
		return cmd_compare(argc - 1, argv + 1);
	if (!strcmp(argv[1], "reproduce"))
		return cmd_reproduce(argc - 1, argv + 1);
	die_usage("%s", usage);
	return 2;
}

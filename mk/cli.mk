# make test-cli: every command and subcommand of the suite keeps the
# command-line conventions: --help and -h (usage on stdout, exit 0),
# --version (allocbench, abreport: the sha of HEAD, -dirty with
# uncommitted changes), an unknown option (exit 2, one line on stderr), a
# bad enum value (the allowed ones named), results append to a missing run
# directory (exit 2, nothing made), allocbench run's summary line (root).
# Each command under `timeout 10`; the whole test takes seconds. Then
# tests/cli/test-readme.sh: every command README.md shows exists as shown
# (make targets and the variables they set, programs and subcommands that
# answer --help).
# ($(BUILD)/abreport by name: mk/report.mk, read after this file, sets
# ABREPORT.)

TESTS += test-cli
.PHONY: test-cli

test-cli: $(BUILD)/allocbench $(BUILD)/abreport
	BUILD=$(BUILD) tests/cli/test-cli.sh
	BUILD=$(BUILD) tests/cli/test-readme.sh

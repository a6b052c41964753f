# make test-faults: the fault-injection suite (tests/faults/): kills at each
# phase, concurrent writers, hostile records and guests, read failures, a
# full disk; each test checks the records and processes afterwards.
TESTS += test-faults
.PHONY: test-faults

test-faults: $(BUILD)/allocbench $(BUILD)/abreport
	BUILD=$(BUILD) tests/faults/run

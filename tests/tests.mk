# make test-unit: cmocka tests of the harness's pieces (no root, no BPF).
# make test-host: the real workloads on the running kernel, as root.

UNIT_TESTS   := test_stats test_cli test_record test_store test_plan test_validate test_harness test_dataset
UNIT_BINS    := $(addprefix $(BUILD)/tests/,$(UNIT_TESTS))
TEST_LIBS    := -lcmocka -lbpf -lelf -lz -ljansson -lgsl -lgslcblas -lm -pthread

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(TEST_LIBS)

$(BUILD)/tests/test_host: tests/integration/test_host.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ -lcmocka -ljansson

test-unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do $$t; done

test-host: $(BUILD)/allocbench $(BUILD)/tests/test_host
	$(BUILD)/tests/test_host $(BUILD)/allocbench
